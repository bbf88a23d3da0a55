/**
 * The fleet's own model of Intune's targeting and conflict rules: which policies reach a device,
 * when they conflict, what a device converges to, and what the report should say.
 */
import { describe, expect, it } from 'vitest';
import { ConflictOracle, sameCspValues } from '../../../sim/fleet/conflict-oracle.js';

const NEW = '10.0.26100.4349';
const OLD = '10.0.22631.4460';
const NO_CSP = '10.0.19045.2486';

function oracle(): ConflictOracle {
  const o = new ConflictOracle(['Devices', 'Pilot', 'IT'], new Map([['alice', 0b100]]));
  o.setPolicy('Base', new Map<string, number | string | boolean>([['BackupDirectory', 1], ['PasswordAgeDays', 30]]));
  o.setPolicy('Named', new Map<string, number | string | boolean>([['BackupDirectory', 1], ['AdministratorAccountName', 'LapsAdmin']]));
  o.setPolicy('Other name', new Map<string, number | string | boolean>([['AdministratorAccountName', 'ItAdmin']]));
  o.setPolicy('Auto', new Map<string, number | string | boolean>([['AutomaticAccountManagementEnabled', true]]));
  o.setPolicy('Auto off', new Map<string, number | string | boolean>([['AutomaticAccountManagementEnabled', false]]));
  return o;
}

describe('ConflictOracle', () => {
  it('merges agreeing policies node by node (identical values are no conflict)', () => {
    const o = oracle();
    o.assign('Base', ['Devices'], []);
    o.assign('Named', ['Pilot'], []);
    const e = o.expect(0b011, undefined, NEW);
    expect(e.conflict).toBe(false);
    expect(e.policies).toEqual(['Base', 'Named']);
    expect(e.desired).toEqual(new Map([['BackupDirectory', '1'], ['PasswordAgeDays', '30'], ['AdministratorAccountName', 'LapsAdmin']]));
    expect(o.expect(0b001, undefined, NEW).desired).toEqual(new Map([['BackupDirectory', '1'], ['PasswordAgeDays', '30']]));
  });

  it('finds a conflict in different account names, and every policy involved reports it', () => {
    const o = oracle();
    o.assign('Named', ['Devices'], []);
    o.assign('Other name', ['Pilot'], []);
    o.assign('Base', ['Devices'], []);
    const e = o.expect(0b011, undefined, NEW);
    expect(e.conflict).toBe(true);
    expect(e.desired).toBeUndefined();
    expect(e.conflicting).toEqual(['Named', 'Other name']);
    expect(e.reported).toEqual(['Named', 'Other name']);
    expect(o.expect(0b001, undefined, NEW).conflict).toBe(false);
  });

  it('follows the signed-in user for user-group assignments, and exclusions win', () => {
    const o = oracle();
    o.assign('Named', ['IT'], []);
    o.assign('Base', ['all devices'], ['Pilot']);
    expect(o.expect(0b001, undefined, NEW).policies).toEqual(['Base']);
    expect(o.expect(0b001, 'alice', NEW).policies).toEqual(['Base', 'Named']);
    expect(o.expect(0b011, 'alice', NEW).policies).toEqual(['Named']);
    o.assign('Other name', ['all users'], []);
    expect(o.expect(0b001, undefined, NEW).policies).toEqual(['Base']);
    expect(o.expect(0b001, 'alice', NEW).conflict).toBe(true);
  });

  it('leaves out nodes the OS build lacks, and a device without the LAPS CSP gets nothing and reports nothing', () => {
    const o = oracle();
    o.assign('Base', ['Devices'], []);
    o.assign('Auto', ['Devices'], []);
    expect(o.expect(0b001, undefined, NEW).desired?.get('AutomaticAccountManagementEnabled')).toBe('true');
    expect(o.expect(0b001, undefined, OLD).desired?.has('AutomaticAccountManagementEnabled')).toBe(false);
    expect(o.expect(0b001, undefined, NO_CSP).desired).toEqual(new Map());
    o.assign('Auto off', ['Devices'], []);
    const old = o.expect(0b001, undefined, OLD);
    expect(old.conflict).toBe(true);
    expect(old.reported).toEqual([]);
    expect(o.expect(0b001, undefined, NEW).reported).toEqual(['Auto', 'Auto off']);
  });

  it('forgets deleted policies and unassigned ones', () => {
    const o = oracle();
    o.assign('Named', ['Devices'], []);
    o.assign('Other name', ['Devices'], []);
    expect(o.expect(1, undefined, NEW).conflict).toBe(true);
    o.deletePolicy('Other name');
    expect(o.expect(1, undefined, NEW).conflict).toBe(false);
    o.assign('Named', [], []);
    expect(o.expect(1, undefined, NEW).policies).toEqual([]);
  });

  it('compares CSP values exactly', () => {
    expect(sameCspValues(new Map([['A', '1']]), new Map([['A', '1']]))).toBe(true);
    expect(sameCspValues(new Map([['A', '1'], ['B', '2']]), new Map([['A', '1']]))).toBe(false);
    expect(sameCspValues(new Map([['A', '2']]), new Map([['A', '1']]))).toBe(false);
  });
});
