import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../csp/laps/settings.js';
import {
  desiredValues, mergePolicies, policyStatus, settingStates, STATUS_NUMBER, STATUS_TEXT, worstStatus, type Contribution, type DeviceConfigState, type NodeResult,
} from '../../../sim/intune/conflicts.js';
import type { AssignmentTarget } from '../../../sim/intune/policy-types.js';
import { targetedPolicies } from '../../../sim/intune/targeting.js';

const D = 'device_vendor_msft_laps_policies_';

function policy(id: string, values: Record<string, SettingValue>, defs: Record<string, string> = {}): Contribution {
  return { policyId: id, settings: Object.entries(values).map(([node, value]) => ({ node, value, definitionId: D + (defs[node] ?? node.toLowerCase()) })) };
}

function state(o: Partial<{ applied: Record<string, SettingValue>; inFlight: Record<string, SettingValue>; results: Record<string, NodeResult>; os: string }> = {}): DeviceConfigState {
  return {
    osVersion: o.os ?? '10.0.26100.4349', applied: new Map(Object.entries(o.applied ?? {})), inFlight: new Map(Object.entries(o.inFlight ?? {})),
    results: new Map(Object.entries(o.results ?? {})),
  };
}

describe('merging the policies that reach a device', () => {
  it('identical values from several policies are not a conflict, and the union applies', () => {
    const m = mergePolicies([policy('A', { BackupDirectory: 1, PasswordLength: 20 }), policy('B', { BackupDirectory: 1, PostAuthenticationActions: 5 })]);
    expect(m.conflicts.size).toBe(0);
    expect(Object.fromEntries(m.agreed)).toEqual({ BackupDirectory: 1, PasswordLength: 20, PostAuthenticationActions: 5 });
    expect(m.sources.get('BackupDirectory')).toEqual(['A', 'B']);
    expect(Object.fromEntries(desiredValues(m, '10.0.26100.1')!)).toEqual({ BackupDirectory: 1, PasswordLength: 20, PostAuthenticationActions: 5 });
  });

  it('different account names are a conflict, and a conflict freezes the device', () => {
    const m = mergePolicies([policy('A', { AdministratorAccountName: 'LapsAdmin' }), policy('B', { AdministratorAccountName: 'OtherAdmin' }), policy('C', { PasswordLength: 16 })]);
    expect([...m.conflicts.keys()]).toEqual(['AdministratorAccountName']);
    expect(m.conflicts.get('AdministratorAccountName')).toEqual([{ value: 'LapsAdmin', policyIds: ['A'] }, { value: 'OtherAdmin', policyIds: ['B'] }]);
    expect(desiredValues(m, '10.0.26100.1')).toBeUndefined();
  });

  it('compares at the CSP node: passwordagedays_aad 30 and passwordagedays 30 agree, BackupDirectory 1 and 2 do not', () => {
    const a = policy('A', { BackupDirectory: 1, PasswordAgeDays: 30 }, { PasswordAgeDays: 'passwordagedays_aad' });
    const b = policy('B', { BackupDirectory: 2, PasswordAgeDays: 30 }, { PasswordAgeDays: 'passwordagedays' });
    const m = mergePolicies([a, b]);
    expect([...m.conflicts.keys()]).toEqual(['BackupDirectory']);
    expect(m.agreed.get('PasswordAgeDays')).toBe(30);
  });

  it('a boolean and its text never agree by accident, and numbers compare by value', () => {
    expect(mergePolicies([policy('A', { PasswordLength: 14 }), policy('B', { PasswordLength: 14 })]).conflicts.size).toBe(0);
    expect(mergePolicies([policy('A', { AdministratorAccountName: 'true' }), policy('B', { AdministratorAccountName: true })]).conflicts.size).toBe(1);
  });

  it('leaves out nodes the OS does not have, and sends nothing without the LAPS CSP', () => {
    const m = mergePolicies([policy('A', { BackupDirectory: 1, PassphraseLength: 5, PasswordComplexity: 6 })]);
    expect(Object.fromEntries(desiredValues(m, '10.0.22631.4317')!)).toEqual({ BackupDirectory: 1, PasswordComplexity: 6 });
    expect(desiredValues(m, '10.0.19045.1000')!.size).toBe(0);
  });
});

describe('setting and policy statuses on a device', () => {
  const a = policy('A', { BackupDirectory: 1, PasswordLength: 20 });
  const b = policy('B', { BackupDirectory: 1, PasswordLength: 24, PostAuthenticationActions: 5 });

  it('every policy that sets a conflicting node reports Conflict on it, naming the other profiles', () => {
    const m = mergePolicies([a, b]);
    const s = state({ applied: { BackupDirectory: 1, PasswordLength: 20 } });
    const sa = settingStates(a, m, s);
    const sb = settingStates(b, m, s);
    expect(sa.map((x) => [x.node, x.status, x.conflictingPolicyIds])).toEqual([['BackupDirectory', 'succeeded', []], ['PasswordLength', 'conflict', ['B']]]);
    expect(sb.map((x) => [x.node, x.status])).toEqual([['BackupDirectory', 'succeeded'], ['PasswordLength', 'conflict'], ['PostAuthenticationActions', 'pending']]);
    expect(policyStatus(sa, s.osVersion)).toBe('conflict');
    expect(policyStatus(sb, s.osVersion)).toBe('conflict');
  });

  it('pending while on the way, error when the device refused that value, succeeded once applied', () => {
    const m = mergePolicies([a]);
    expect(settingStates(a, m, state({ inFlight: { BackupDirectory: 1, PasswordLength: 20 } })).map((x) => x.status)).toEqual(['pending', 'pending']);
    const failed = state({ results: { PasswordLength: { status: 'error', code: 507, value: 20, at: 1 }, BackupDirectory: { status: 'error', code: 216, value: 1, at: 1 } } });
    const st = settingStates(a, m, failed);
    expect(st.map((x) => [x.status, x.code])).toEqual([['error', 216], ['error', 507]]);
    expect(policyStatus(st, failed.osVersion)).toBe('error');
    const staleError = state({ applied: { BackupDirectory: 1, PasswordLength: 20 }, results: { PasswordLength: { status: 'error', code: 500, value: 16, at: 1 } } });
    expect(policyStatus(settingStates(a, m, staleError), staleError.osVersion)).toBe('succeeded');
    expect(policyStatus(settingStates(a, m, state()), '10.0.26100.1')).toBe('pending');
  });

  it('not applicable for nodes the build lacks, and for the whole policy without the LAPS CSP', () => {
    const p = policy('P', { PassphraseLength: 5 });
    const m = mergePolicies([p]);
    const s = state({ os: '10.0.22631.4317' });
    expect(settingStates(p, m, s)[0]!.status).toBe('notApplicable');
    expect(policyStatus(settingStates(p, m, s), s.osVersion)).toBe('notApplicable');
    expect(policyStatus(settingStates(a, mergePolicies([a]), state({ applied: { BackupDirectory: 1, PasswordLength: 20 } })), '10.0.19045.100')).toBe('notApplicable');
  });

  it('ranks Conflict over Error over Pending over Succeeded, with the numbers and words of the reports', () => {
    expect(worstStatus(['succeeded', 'pending', 'notApplicable'])).toBe('pending');
    expect(worstStatus(['error', 'conflict'])).toBe('conflict');
    expect(worstStatus([])).toBe('notApplicable');
    expect([STATUS_NUMBER.succeeded, STATUS_TEXT.succeeded, STATUS_NUMBER.conflict, STATUS_TEXT.notApplicable]).toEqual([2, 'Succeeded', 6, 'Not applicable']);
  });
});

describe('targeting', () => {
  const g = (groupId: string, kind: 'group' | 'exclusionGroup' = 'group'): AssignmentTarget => ({ kind, groupId, filterId: null, filterType: 'none' });
  const all: AssignmentTarget = { kind: 'allDevices', filterId: null, filterType: 'none' };
  const users: AssignmentTarget = { kind: 'allLicensedUsers', filterId: null, filterType: 'none' };
  const device = (deviceGroups: string[], userGroups: string[] = [], userSignedIn = userGroups.length > 0) => ({
    deviceGroups: new Set(deviceGroups), userGroups: new Set(userGroups), userSignedIn,
  });

  it('includes by device group, by the signed-in user\'s group, all devices, all users when someone is signed in', () => {
    const policies = [
      { policyId: 'dev', targets: [g('G1')] }, { policyId: 'usr', targets: [g('U1')] }, { policyId: 'all', targets: [all] }, { policyId: 'users', targets: [users] },
      { policyId: 'none', targets: [] },
    ];
    expect([...targetedPolicies(device(['G1'], ['U1']), policies)]).toEqual([['dev', 'device'], ['usr', 'user'], ['all', 'device'], ['users', 'user']]);
    expect([...targetedPolicies(device(['G1']), policies).keys()]).toEqual(['dev', 'all']);
  });

  it('exclusion wins over inclusion, for device and user groups', () => {
    const policies = [{ policyId: 'p', targets: [all, g('X', 'exclusionGroup')] }];
    expect(targetedPolicies(device(['X']), policies).size).toBe(0);
    expect(targetedPolicies(device([], ['X']), policies).size).toBe(0);
    expect(targetedPolicies(device(['Y']), policies).size).toBe(1);
  });
});
