/**
 * Intune's conflict rules through whole fleets: a device that has LAPS policy and gets a
 * conflicting one keeps the values last applied; a device that gets conflicting policies at once
 * gets nothing; aligning values or removing a policy lets devices converge; a policy assigned to a
 * user group follows the user signing in and out. The fleet's conflict invariant watches every
 * batch, every session and the report; the devices' CSP roots are read back here too.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/fleet/scenario.js';
import { BASE, cspValues, expectHeld, expectNoBreach, fleet, groupMembers, line } from '../helpers/fleet.js';

const base = { BackupDirectory: 1, PasswordAgeDays: 30, PasswordLength: 14 };
const long = { BackupDirectory: 1, PasswordAgeDays: 30, PasswordLength: 20 };
const PILOT = {
  devices: 80, days: 20,
  groups: [{ name: 'All', fraction: 1 }, { name: 'Pilot', fraction: 0.4 }],
  policies: [{ name: 'Base', settings: base }, { name: 'Long', settings: long }],
  assignments: [{ policy: 'Base', include: ['All'] }],
};

describe('fleet conflicts', () => {
  it('a device with LAPS policy that gets a conflicting one keeps the values last applied; both policies report Conflict', async () => {
    const raw = { ...PILOT, timeline: [{ do: 'assign', day: 3, policy: 'Long', include: ['Pilot'] }] };
    const run = await fleet(raw);
    const r = run.report;
    expectHeld(r);
    const pilot = groupMembers(parseScenario({ ...BASE, ...raw }, 't'), 'Pilot');
    expect(pilot.size).toBeGreaterThan(20);
    expect(r.policyStatus['Base']).toEqual({ Succeeded: 80 - pilot.size, Conflict: pilot.size });
    expect(r.policyStatus['Long']).toEqual({ Conflict: pilot.size });
    for (const [name, v] of cspValues(run)) expect(v, name).toEqual({ BackupDirectory: '1', PasswordAgeDays: '30', PasswordLength: '14' });
    expect(line(r, 'conflicts').checks).toBeGreaterThan(80);
  });

  it('aligning the values ends the conflict and every device converges', async () => {
    const run = await fleet({
      ...PILOT,
      timeline: [{ do: 'assign', day: 3, policy: 'Long', include: ['Pilot'] }, { do: 'update-policy', day: 8, policy: 'Base', settings: long }],
    });
    expectHeld(run.report);
    expect(run.report.policyStatus).toEqual({ Base: { Succeeded: 80 }, Long: { Succeeded: expect.any(Number) } });
    for (const [name, v] of cspValues(run)) expect(v, name).toEqual({ BackupDirectory: '1', PasswordAgeDays: '30', PasswordLength: '20' });
  });

  it('devices that get conflicting policies at once get nothing, and converge when one is deleted', async () => {
    const raw = {
      devices: 60, days: 12,
      population: { osBuilds: { '10.0.26100.4349': 1 }, namedAccount: { name: 'ItAdmin', present: 1 } },
      groups: [{ name: 'All', fraction: 1 }],
      policies: [{ name: 'Named', settings: { BackupDirectory: 1, AdministratorAccountName: 'ItAdmin' } }, { name: 'Builtin', settings: { BackupDirectory: 1, AdministratorAccountName: 'Administrator' } }],
      assignments: [{ policy: 'Named', include: ['All'] }, { policy: 'Builtin', include: ['All'] }],
    };
    const frozen = await fleet(raw);
    // Nothing rotates, so no password is ever checked; the conflict rules are.
    expectNoBreach(frozen.report);
    expect(line(frozen.report, 'conflicts').checks).toBeGreaterThan(60);
    expect(frozen.report.counts.rotations).toBe(0);
    expect(frozen.report.policyStatus).toEqual({ Named: { Conflict: 60 }, Builtin: { Conflict: 60 } });
    for (const v of cspValues(frozen).values()) expect(v).toEqual({});
    const resolved = await fleet({ ...raw, timeline: [{ do: 'delete-policy', day: 5, policy: 'Builtin' }] });
    expectHeld(resolved.report);
    expect(resolved.report.counts.rotationsByTrigger).toEqual({ 'policy-change': 60 });
    expect(resolved.report.counts.rotationsPerDay[5]).toBe(60);
    expect(resolved.report.policyStatus['Named']).toEqual({ Succeeded: 60 });
    for (const v of cspValues(resolved).values()) expect(v).toEqual({ BackupDirectory: '1', AdministratorAccountName: 'ItAdmin' });
  });

  it('a policy assigned to a user group follows the user signing in and out', async () => {
    const raw = {
      devices: 60, days: 10, users: [{ name: 'alice' }],
      groups: [{ name: 'All', fraction: 1 }, { name: 'IT', users: ['alice'] }],
      policies: [{ name: 'Base', settings: { BackupDirectory: 1, PasswordAgeDays: 30 } }, { name: 'Admins', settings: { PasswordLength: 20 } }],
      assignments: [{ policy: 'Base', include: ['All'] }, { policy: 'Admins', include: ['IT'] }],
      timeline: [{ do: 'sign-in', day: 2, user: 'alice', fraction: 0.5 }],
    };
    const signedIn = await fleet(raw);
    expectHeld(signedIn.report);
    const withAlice = [...cspValues(signedIn).values()].filter((v) => v['PasswordLength'] === '20').length;
    expect(withAlice).toBeGreaterThan(15);
    expect(withAlice).toBeLessThan(45);
    expect(signedIn.report.policyStatus['Admins']).toEqual({ Succeeded: withAlice });
    const out = await fleet({ ...raw, timeline: [...raw.timeline, { do: 'sign-out', day: 6, user: 'alice' }] });
    expectHeld(out.report);
    expect(out.report.policyStatus['Admins']).toEqual({});
    for (const v of cspValues(out).values()) expect(v).toEqual({ BackupDirectory: '1', PasswordAgeDays: '30' });
  });
});
