/**
 * Delivery and conflicts over real HTTP with a simulated device channel: assignment reaches the
 * device as SyncML its CSP applies, only when its values change; both conflict cases of the docs
 * and their resolution; identical values; a user-group assignment flipping with sign-ins;
 * exclusion; unassignment (Deletes); a device that refuses a value; Not applicable on an older
 * build; reports in JSON, Graph's table shape and CSV; a restart in the middle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IntuneHarness } from '../helpers/intune-harness.js';
import { choice, entraPolicy, int, policyBody, str } from '../helpers/intune-policies.js';

type Json = Record<string, unknown>;
const BASE = '/beta/deviceManagement/configurationPolicies';
let h: IntuneHarness;
let dir: string | undefined;

afterEach(async () => {
  await h.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function rows(path: string): Promise<Json[]> {
  return (await h.ok('GET', path, 200))['value'] as Json[];
}

describe('delivering policies', () => {
  it('sends the effective values to an assigned device once, which applies them, and reports Succeeded', async () => {
    h = await IntuneHarness.start();
    const pc = await h.register('PC-0001');
    const group = await h.group('LAPS devices', [pc.objectId]);
    const id = await h.policy(entraPolicy('LAPS', { account: 'LapsAdmin', length: 20, ageDays: 14 }));
    expect(h.devices.queued(pc.deviceId)).toHaveLength(0);
    await h.assign(id, [group]);
    expect(await h.statuses(id)).toEqual({ 'PC-0001': 'Pending' });
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({ BackupDirectory: '1', PasswordAgeDays: '14', AdministratorAccountName: 'LapsAdmin', PasswordLength: '20' });
    expect(await h.statuses(id)).toEqual({ 'PC-0001': 'Succeeded' });
    h.devices.session(pc.deviceId);
    await h.ok('PATCH', `${BASE}/${id}`, 200, { name: 'LAPS renamed' });
    await h.ok('POST', `${BASE}/${id}/assign`, 200, { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: group } }] });
    expect(h.devices.received(pc.deviceId)).toHaveLength(1);
    await h.ok('PUT', `${BASE}/${id}`, 200, entraPolicy('LAPS', { account: 'LapsAdmin', length: 24, ageDays: 14 }));
    expect(h.devices.queued(pc.deviceId)).toHaveLength(1);
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)['PasswordLength']).toBe('24');
    const settings = await rows(`/lapsim/intune/reports/policies/${id}/settingStatus`);
    expect(settings.map((s) => [s['CspNode'], s['Value'], s['NumberOfSucceededDevices']])).toEqual([
      ['BackupDirectory', '1', 1], ['PasswordAgeDays', '14', 1], ['AdministratorAccountName', 'LapsAdmin', 1], ['PasswordLength', '24', 1],
    ]);
  });

  it('a configured device that gets a conflicting policy keeps its values; both report Conflict until the values are aligned', async () => {
    h = await IntuneHarness.start();
    const pc = await h.register('PC-0002');
    const group = await h.group('LAPS devices', [pc.objectId]);
    const a = await h.policy(entraPolicy('A', { account: 'LapsAdmin', length: 20 }));
    await h.assign(a, [group]);
    h.devices.session(pc.deviceId);
    const before = h.devices.values(pc.deviceId);
    const b = await h.policy(entraPolicy('B', { account: 'OtherAdmin' }));
    await h.assign(b, [group]);
    expect(h.devices.queued(pc.deviceId)).toHaveLength(0);
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual(before);
    expect([await h.statuses(a), await h.statuses(b)]).toEqual([{ 'PC-0002': 'Conflict' }, { 'PC-0002': 'Conflict' }]);
    const perDevice = await rows(`/lapsim/intune/reports/devices/${pc.managedDeviceId}/settings`);
    const account = perDevice.find((r) => r['CspNode'] === 'AdministratorAccountName')!;
    expect([account['SettingStatus'], account['ValueOnDevice'], account['ConflictingProfiles']]).toEqual(['Conflict', 'LapsAdmin', 'A (LapsAdmin);B (OtherAdmin)']);
    expect(perDevice.find((r) => r['CspNode'] === 'BackupDirectory')!['SettingStatus']).toBe('Succeeded');
    await h.ok('PUT', `${BASE}/${b}`, 200, entraPolicy('B', { account: 'LapsAdmin' }));
    expect(h.devices.queued(pc.deviceId)).toHaveLength(0);
    expect([await h.statuses(a), await h.statuses(b)]).toEqual([{ 'PC-0002': 'Succeeded' }, { 'PC-0002': 'Succeeded' }]);
  });

  it('a device without LAPS policy that gets conflicting policies at once gets nothing until one assignment is removed, then converges', async () => {
    h = await IntuneHarness.start();
    const a = await h.policy(entraPolicy('A', { account: 'LapsAdmin' }));
    const b = await h.policy(policyBody('B', [choice('backupdirectory', '2', [int('passwordagedays', 10)]), str('administratoraccountname', 'LapsAdmin')]));
    const group = await h.group('New devices');
    await h.assign(a, [group]);
    await h.assign(b, [group]);
    const pc = await h.register('PC-0003');
    await h.ok('POST', `/v1.0/groups/${group}/members/$ref`, 204, { '@odata.id': `https://graph.microsoft.com/v1.0/devices/${pc.objectId}` });
    h.devices.session(pc.deviceId);
    expect(h.devices.received(pc.deviceId)).toHaveLength(0);
    expect(h.devices.values(pc.deviceId)).toEqual({});
    expect([await h.statuses(a), await h.statuses(b)]).toEqual([{ 'PC-0003': 'Conflict' }, { 'PC-0003': 'Conflict' }]);
    await h.ok('DELETE', `${BASE}/${b}/assignments/${b}_${group}`, 204);
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({ BackupDirectory: '1', AdministratorAccountName: 'LapsAdmin' });
    expect(await h.statuses(a)).toEqual({ 'PC-0003': 'Succeeded' });
    expect(await h.statuses(b)).toEqual({});
  });

  it('identical values from several policies are no conflict; the device gets their union', async () => {
    h = await IntuneHarness.start();
    const pc = await h.register('PC-0004');
    const a = await h.policy(entraPolicy('A', { account: 'LapsAdmin', length: 20 }));
    const b = await h.policy(entraPolicy('B', { account: 'LapsAdmin', ageDays: 7 }));
    await h.assign(a, ['all']);
    await h.assign(b, ['all']);
    // One batch at a time: the first (A alone) was on its way; the union follows it.
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({ BackupDirectory: '1', AdministratorAccountName: 'LapsAdmin', PasswordLength: '20' });
    expect(h.devices.queued(pc.deviceId)).toHaveLength(1);
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({ BackupDirectory: '1', PasswordAgeDays: '7', AdministratorAccountName: 'LapsAdmin', PasswordLength: '20' });
    expect([await h.statuses(a), await h.statuses(b)]).toEqual([{ 'PC-0004': 'Succeeded' }, { 'PC-0004': 'Succeeded' }]);
  });

  it('a user-group assignment follows the signed-in user: the device flips with each sign-in', async () => {
    h = await IntuneHarness.start();
    const pc = await h.register('PC-0005');
    const alice = (await h.ok('POST', '/v1.0/users', 201, { displayName: 'Alice', userPrincipalName: 'alice@contoso.com', accountEnabled: true }))['id'] as string;
    const bob = (await h.ok('POST', '/v1.0/users', 201, { displayName: 'Bob', userPrincipalName: 'bob@contoso.com' }))['id'] as string;
    const ua = await h.group('Alice users', [alice]);
    const ub = await h.group('Bob users', [bob]);
    const pa = await h.policy(entraPolicy('For Alice', { account: 'AliceAdmin', length: 20 }));
    const pb = await h.policy(entraPolicy('For Bob', { account: 'BobAdmin' }));
    await h.assign(pa, [ua]);
    await h.assign(pb, [ub]);
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({});
    await h.ok('POST', `/lapsim/intune/devices/${pc.managedDeviceId}/signIn`, 200, { user: 'alice@contoso.com' });
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({ BackupDirectory: '1', AdministratorAccountName: 'AliceAdmin', PasswordLength: '20' });
    await h.ok('POST', `/lapsim/intune/devices/${pc.managedDeviceId}/signIn`, 200, { user: bob });
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({ BackupDirectory: '1', AdministratorAccountName: 'BobAdmin' });
    expect([await h.statuses(pa), await h.statuses(pb)]).toEqual([{}, { 'PC-0005': 'Succeeded' }]);
    const md = await h.ok('GET', `/beta/deviceManagement/managedDevices/${pc.managedDeviceId}`, 200);
    expect([md['userPrincipalName'], (md['usersLoggedOn'] as Json[])[0]!['userId']]).toEqual(['alice@contoso.com', bob]);
    const policies = await rows(`/lapsim/intune/reports/devices/${pc.managedDeviceId}/policies`);
    expect(policies.map((p) => [p['PolicyName'], p['AssignedVia'], p['PolicyStatus_loc']])).toEqual([['For Bob', 'user', 'Succeeded']]);
    await h.ok('POST', `/lapsim/intune/devices/${pc.managedDeviceId}/signOut`, 200);
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({});
  });

  it('unassignment and exclusion send Deletes; the device ends with no LAPS values', async () => {
    h = await IntuneHarness.start();
    const pc = await h.register('PC-0006');
    const other = await h.register('PC-0007');
    const excluded = await h.group('Excluded', [other.objectId]);
    const id = await h.policy(entraPolicy('LAPS', { account: 'LapsAdmin' }));
    await h.assign(id, ['all', { exclude: excluded }]);
    h.devices.session(pc.deviceId);
    h.devices.session(other.deviceId);
    expect([h.devices.values(pc.deviceId), h.devices.values(other.deviceId)]).toEqual([{ BackupDirectory: '1', AdministratorAccountName: 'LapsAdmin' }, {}]);
    await h.ok('POST', `${BASE}/${id}/assign`, 200, { assignments: [] });
    const batch = h.devices.queued(pc.deviceId)[0]!;
    expect(batch.commands.map((c) => c.kind)).toEqual(['Delete', 'Delete']);
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({});
    await h.ok('DELETE', `/v1.0/groups/${excluded}/members/${other.objectId}/$ref`, 204);
    expect(h.devices.queued(other.deviceId)).toHaveLength(0);
  });

  it('records a refused value as Error with the device\'s status, does not resend it until the device checks in again', async () => {
    h = await IntuneHarness.start();
    const pc = await h.register('PC-0008', { strict: true });
    const id = await h.policy(policyBody('AD', [choice('backupdirectory', '2', [str('adpasswordencryptionprincipal', `CONTOSO\\${'x'.repeat(1500)}`)])]));
    await h.assign(id, ['all']);
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({});
    expect(await h.statuses(id)).toEqual({ 'PC-0008': 'Error' });
    const settings = await rows(`/lapsim/intune/reports/devices/${pc.managedDeviceId}/settings`);
    expect(settings.map((s) => [s['CspNode'], s['SettingStatus'], s['ErrorCode']])).toEqual([['BackupDirectory', 'Error', 216], ['ADPasswordEncryptionPrincipal', 'Error', 400]]);
    expect(h.devices.received(pc.deviceId)).toHaveLength(1);
    await h.ok('PATCH', `${BASE}/${id}`, 200, { name: 'AD renamed' });
    expect(h.devices.queued(pc.deviceId)).toHaveLength(0);
    h.devices.session(pc.deviceId);
    expect(h.devices.received(pc.deviceId)).toHaveLength(2);
  });

  it('leaves out the nodes an older build lacks (Not applicable) and reports the rest', async () => {
    h = await IntuneHarness.start();
    const old = await h.register('PC-23H2', { osVersion: '10.0.22631.4317' });
    const id = await h.policy(policyBody('Passphrase', [choice('backupdirectory', '1'), choice('passwordcomplexity', '6', [int('passphraselength', 5)])]));
    await h.assign(id, ['all']);
    h.devices.session(old.deviceId);
    expect(h.devices.values(old.deviceId)).toEqual({ BackupDirectory: '1', PasswordComplexity: '6' });
    expect(await h.statuses(id)).toEqual({ 'PC-23H2': 'Succeeded' });
    const settings = await rows(`/lapsim/intune/reports/policies/${id}/settingStatus`);
    expect(settings.find((s) => s['CspNode'] === 'PassphraseLength')!['NumberOfNotApplicableDevices']).toBe(1);
  });
});

describe('reports', () => {
  it('answers Graph\'s report actions as tables, lapsim\'s lists as JSON and CSV', async () => {
    h = await IntuneHarness.start();
    const pc = await h.register('PC-0009');
    const late = await h.register('PC-0010', { online: false });
    const id = await h.policy(entraPolicy('LAPS, "quoted"', { account: 'LapsAdmin' }));
    await h.assign(id, ['all']);
    h.devices.session(pc.deviceId);
    const t = await h.ok('POST', '/beta/deviceManagement/reports/getConfigurationPolicyDevicesReport', 200, {
      select: ['DeviceName', 'ReportStatus', 'PolicyStatus'], filter: `(PolicyId eq '${id}')`, skip: 0, top: 50, orderBy: [], search: '',
    });
    expect(t['TotalRowCount']).toBe(2);
    expect(t['Schema']).toEqual([{ Column: 'DeviceName', PropertyType: 'String' }, { Column: 'ReportStatus', PropertyType: 'String' }, { Column: 'PolicyStatus', PropertyType: 'Int32' }]);
    expect(t['Values']).toEqual([['PC-0009', 'Succeeded', 2], ['PC-0010', 'Pending', 0]]);
    expect((await h.call('POST', '/beta/deviceManagement/reports/getConfigurationPolicyDevicesReport', 'intune-test-admin', { filter: '' })).status).toBe(400);
    const status = await h.ok('GET', `/lapsim/intune/reports/policies/${id}/deviceStatus`, 200);
    expect(status['summary']).toEqual({ Succeeded: 1, Error: 0, Conflict: 0, Pending: 1, 'Not applicable': 0 });
    const csv = await h.call('GET', `/lapsim/intune/reports/policies/${id}/deviceStatus?$format=csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('PolicyId,PolicyName,IntuneDeviceId,DeviceName,UPN,UserId,PolicyStatus,ReportStatus,AssignedVia,PspdpuLastModifiedTimeUtc');
    expect(lines[1]).toContain(`${id},"LAPS, ""quoted""",${pc.managedDeviceId},PC-0009,,,2,Succeeded,device,2026-03-01T09:00:00.0000000Z`);
    const laps = await h.call('GET', '/lapsim/intune/reports/lapsDevices', 'intune-test-admin', undefined, { Accept: 'text/csv' });
    expect(laps.text.split('\r\n')[0]).toBe('IntuneDeviceId,DeviceName,AzureADDeviceId,JoinType,OSVersion,AccountName,AccountSid,LastPasswordRotationDateTime,'
      + 'NextPasswordRotationDateTime,BackupDirectory,PolicyStatus,LastRotationResult,LastRotationResultDateTime,Online,LastSyncDateTime');
    const list = await rows('/lapsim/intune/reports/lapsDevices');
    expect(list.map((r) => [r['DeviceName'], r['BackupDirectory'], r['PolicyStatus'], r['Online']])).toEqual([
      ['PC-0009', 'azureActiveDirectory', 'Succeeded', true], ['PC-0010', 'notConfigured', 'Pending', false],
    ]);
    expect(late.deviceId).not.toBe(pc.deviceId);
    expect((await h.call('GET', '/lapsim/intune/reports/lapsDevices?$format=xml')).status).toBe(400);
  });
});

describe('a restart in the middle', () => {
  it('keeps policies, assignments, applied values and audit, and sends what was on its way again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lapsim-intune-'));
    h = await IntuneHarness.start(dir);
    const pc = await h.register('PC-0011');
    const id = await h.policy(entraPolicy('LAPS', { account: 'LapsAdmin' }));
    await h.assign(id, ['all']);
    h.devices.session(pc.deviceId);
    await h.ok('PUT', `${BASE}/${id}`, 200, entraPolicy('LAPS', { account: 'LapsAdmin', length: 30 }));
    expect(h.devices.queued(pc.deviceId)).toHaveLength(1);
    await h.restart();
    expect(h.devices.queued(pc.deviceId)).toHaveLength(1);
    expect(await h.statuses(id)).toEqual({ 'PC-0011': 'Pending' });
    h.devices.session(pc.deviceId);
    expect(h.devices.values(pc.deviceId)).toEqual({ BackupDirectory: '1', AdministratorAccountName: 'LapsAdmin', PasswordLength: '30' });
    expect(await h.statuses(id)).toEqual({ 'PC-0011': 'Succeeded' });
    await h.restart();
    expect(h.devices.queued(pc.deviceId)).toHaveLength(0);
    expect((await h.ok('GET', `${BASE}/${id}?$expand=assignments`, 200))['assignments']).toHaveLength(1);
    const audit = await rows('/beta/deviceManagement/auditEvents');
    expect(audit.map((e) => e['activity'])).toEqual([
      'Create DeviceManagementConfigurationPolicy', 'Assign DeviceManagementConfigurationPolicy', 'Update DeviceManagementConfigurationPolicy',
    ]);
    expect((await h.call('GET', `/lapsim/intune/devices/${pc.managedDeviceId}`, pc.channelToken)).status).toBe(401);
  });
});
