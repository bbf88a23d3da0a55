/**
 * The rotate action and the "Local admin password" view over real HTTP with a simulated device
 * channel: pending, then done or failed (Exec ResetPassword, then Get ResetPasswordStatus in a
 * later session); failures at request time (never backed up; Entra-joined and offline); one
 * device per request; the password shown only from Entra backups; audit in Intune and Entra.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { E_PENDING } from '../../csp/csp-root.js';
import { IntuneHarness, type RegisteredDevice } from '../helpers/intune-harness.js';
import { choice, entraPolicy, int, policyBody } from '../helpers/intune-policies.js';

type Json = Record<string, unknown>;
const MD = '/beta/deviceManagement/managedDevices';
let h: IntuneHarness;

beforeEach(async () => {
  h = await IntuneHarness.start();
});
afterEach(async () => {
  await h.close();
});

async function actions(d: RegisteredDevice): Promise<Json[]> {
  return (await h.ok('GET', `${MD}/${d.managedDeviceId}?$select=id,deviceName,deviceActionResults`, 200))['deviceActionResults'] as Json[];
}

/** A device with the Entra policy applied and one password backed up. */
async function entraDevice(name: string, o: { joinType?: 'entra' | 'hybrid' } = {}): Promise<RegisteredDevice> {
  const d = await h.register(name, o);
  h.devices.session(d.deviceId);
  await h.backup(d, `first-${name}`);
  return d;
}

describe('rotateLocalAdminPassword', () => {
  it('goes pending, sends Exec then (next session) Get ResetPasswordStatus, and settles done', async () => {
    await h.assign(await h.policy(entraPolicy('LAPS', { ageDays: 30 })), ['all']);
    const d = await entraDevice('PC-0101');
    const a = await h.call('POST', `${MD}/${d.managedDeviceId}/rotateLocalAdminPassword`);
    expect([a.status, a.text]).toEqual([204, '']);
    const pending = await actions(d);
    expect(pending).toEqual([{ actionName: 'rotateLocalAdminPassword', actionState: 'pending', startDateTime: '2026-03-01T09:00:00.0000000Z',
      lastUpdatedDateTime: '2026-03-01T09:00:00.0000000Z' }]);
    const exec = h.devices.session(d.deviceId);
    expect(exec.flatMap((b) => b.commands.map((c) => `${c.kind} ${'items' in c ? c.items[0]!.target!.locUri : ''}`))).toEqual(['Exec ./Device/Vendor/MSFT/LAPS/Actions/ResetPassword']);
    expect((await actions(d))[0]!['actionState']).toBe('pending');
    h.clock.advance(5 * 60_000);
    const get = h.devices.session(d.deviceId);
    expect(get.flatMap((b) => b.commands.map((c) => c.kind))).toEqual(['Get']);
    const done = (await actions(d))[0]!;
    expect([done['actionState'], done['lastUpdatedDateTime']]).toEqual(['done', '2026-03-01T09:05:00.0000000Z']);
    const laps = ((await h.ok('GET', '/lapsim/intune/reports/lapsDevices', 200))['value'] as Json[])[0]!;
    expect(laps['LastRotationResult']).toBe('done');
  });

  it('asks again while the device still rotates (E_PENDING), and settles failed on an error HRESULT', async () => {
    await h.assign(await h.policy(entraPolicy('LAPS')), ['all']);
    const d = await entraDevice('PC-0102');
    h.devices.setResetOutcome(d.deviceId, E_PENDING);
    await h.ok('POST', `${MD}/${d.managedDeviceId}/rotateLocalAdminPassword`, 204);
    h.devices.session(d.deviceId);
    h.devices.session(d.deviceId);
    expect((await actions(d))[0]!['actionState']).toBe('pending');
    expect(h.devices.queued(d.deviceId).flatMap((b) => b.commands.map((c) => c.kind))).toEqual(['Get']);
    h.devices.completeReset(d.deviceId, -2147024496);
    h.devices.session(d.deviceId);
    expect((await actions(d))[0]!['actionState']).toBe('failed');
    expect(h.devices.queued(d.deviceId)).toHaveLength(0);
    // A new request after a failure is accepted.
    h.devices.setResetOutcome(d.deviceId, 0);
    await h.ok('POST', `${MD}/${d.managedDeviceId}/rotateLocalAdminPassword`, 204);
    h.devices.session(d.deviceId);
    h.devices.session(d.deviceId);
    expect((await actions(d)).map((a) => a['actionState'])).toEqual(['done']);
  });

  it('fails at once for a device that never backed up, and for an Entra-joined device that is offline', async () => {
    await h.assign(await h.policy(entraPolicy('LAPS')), ['all']);
    const never = await h.register('PC-0103');
    h.devices.session(never.deviceId);
    await h.ok('POST', `${MD}/${never.managedDeviceId}/rotateLocalAdminPassword`, 204);
    expect((await actions(never))[0]!['actionState']).toBe('failed');
    expect(h.devices.queued(never.deviceId)).toHaveLength(0);
    const offline = await entraDevice('PC-0104');
    h.devices.setOnline(offline.deviceId, false);
    await h.ok('POST', `${MD}/${offline.managedDeviceId}/rotateLocalAdminPassword`, 204);
    expect((await actions(offline))[0]!['actionState']).toBe('failed');
    const audit = ((await h.ok('GET', '/beta/deviceManagement/auditEvents', 200))['value'] as Json[]).filter((e) => e['activity'] === 'rotateLocalAdminPassword ManagedDevice');
    expect(audit.map((e) => e['activityResult'])).toEqual(['Failure', 'Failure']);
  });

  it('waits for an offline hybrid device; an AD-backup device is not checked against Entra', async () => {
    await h.assign(await h.policy(policyBody('AD', [choice('backupdirectory', '2', [int('passwordagedays', 10)])])), ['all']);
    const hybrid = await h.register('PC-0105', { joinType: 'hybrid' });
    h.devices.session(hybrid.deviceId);
    h.devices.setOnline(hybrid.deviceId, false);
    await h.ok('POST', `${MD}/${hybrid.managedDeviceId}/rotateLocalAdminPassword`, 204);
    expect((await actions(hybrid))[0]!['actionState']).toBe('pending');
    h.devices.setOnline(hybrid.deviceId, true);
    h.devices.session(hybrid.deviceId);
    h.devices.session(hybrid.deviceId);
    expect((await actions(hybrid))[0]!['actionState']).toBe('done');
  });

  it('takes one device per request: a second request while pending and the bulk action are refused', async () => {
    await h.assign(await h.policy(entraPolicy('LAPS')), ['all']);
    const d = await entraDevice('PC-0106');
    await h.ok('POST', `${MD}/${d.managedDeviceId}/rotateLocalAdminPassword`, 204);
    const again = await h.call('POST', `${MD}/${d.managedDeviceId}/rotateLocalAdminPassword`);
    expect([again.status, ((again.json['error'] as Json)['message'])]).toEqual([400, 'A rotation of the local admin password is already pending for this device.']);
    const bulk = await h.call('POST', `${MD}/executeAction`, 'intune-test-admin', { actionName: 'rotateLocalAdminPassword', deviceIds: [d.managedDeviceId] });
    expect(bulk.status).toBe(400);
    expect((await h.call('POST', `${MD}/00000000-0000-4000-8000-000000000000/rotateLocalAdminPassword`)).status).toBe(404);
  });
});

describe('the local admin password view', () => {
  it('shows account, SID and rotation times; the password only on request, audited in Intune and in Entra', async () => {
    await h.assign(await h.policy(entraPolicy('LAPS', { ageDays: 30 })), ['all']);
    const d = await entraDevice('PC-0201');
    h.clock.advance(60_000);
    await h.backup(d, 'second-password', 'WLapsAdmin', 30);
    const helpdesk = await h.token(['Cloud Device Administrator'], [], 'helpdesk@contoso.com');
    const view = await h.ok('GET', `/lapsim/intune/managedDevices/${d.managedDeviceId}/localAdminPassword`, 200, undefined, helpdesk);
    expect(view).toEqual({
      managedDeviceId: d.managedDeviceId, deviceName: 'PC-0201', azureADDeviceId: d.deviceId, backupDirectory: 'azureActiveDirectory',
      accountName: 'WLapsAdmin', accountSid: 'S-1-5-21-1004336348-1177238915-682003330-1004',
      lastPasswordRotationDateTime: '2026-03-01T09:01:00.0000000Z', nextPasswordRotationDateTime: '2026-03-31T09:01:00.0000000Z',
    });
    const auditBefore = ((await h.ok('GET', '/beta/deviceManagement/auditEvents', 200))['value'] as Json[]).length;
    const revealed = await h.ok('GET', `/lapsim/intune/managedDevices/${d.managedDeviceId}/localAdminPassword/reveal`, 200, undefined, helpdesk);
    expect(revealed['password']).toBe('second-password');
    const audit = (await h.ok('GET', '/beta/deviceManagement/auditEvents', 200))['value'] as Json[];
    expect(audit).toHaveLength(auditBefore + 1);
    const read = audit.at(-1)!;
    expect([read['activity'], (read['actor'] as Json)['userPrincipalName'], (read['resources'] as Json[])[0]!['resourceId']])
      .toEqual(['Read local admin password ManagedDevice', 'helpdesk@contoso.com', d.managedDeviceId]);
    const entraAudit = (await h.ok('GET', '/v1.0/auditLogs/directoryAudits', 200))['value'] as Json[];
    const recover = entraAudit.find((e) => e['activityDisplayName'] === 'Recover device local administrator password')!;
    expect(((recover['initiatedBy'] as Json)['user'] as Json)['userPrincipalName']).toBe('helpdesk@contoso.com');
    const graph = await h.ok('GET', `/v1.0/directory/deviceLocalCredentials/${d.deviceId}?$select=credentials`, 200, undefined, helpdesk);
    expect((graph['credentials'] as Json[]).map((c) => Buffer.from(String(c['passwordBase64']), 'base64').toString('utf8'))).toEqual(['second-password', 'first-PC-0201']);
  });

  it('never shows a password for an Active Directory backup; metadata readers cannot reveal', async () => {
    await h.assign(await h.policy(policyBody('AD', [choice('backupdirectory', '2')])), ['all']);
    const d = await h.register('PC-0202', { joinType: 'hybrid' });
    h.devices.session(d.deviceId);
    await h.backup(d, 'stale-entra-password');
    const view = await h.ok('GET', `/lapsim/intune/managedDevices/${d.managedDeviceId}/localAdminPassword`, 200);
    expect([view['backupDirectory'], view['accountName'], view['password']]).toEqual(['activeDirectory', null, undefined]);
    expect((await h.call('GET', `/lapsim/intune/managedDevices/${d.managedDeviceId}/localAdminPassword/reveal`)).status).toBe(404);
    const metadata = await h.token([], ['microsoft.directory/deviceLocalCredentials/standard/read']);
    expect((await h.call('GET', `/lapsim/intune/managedDevices/${d.managedDeviceId}/localAdminPassword`, metadata)).status).toBe(200);
    expect((await h.call('GET', `/lapsim/intune/managedDevices/${d.managedDeviceId}/localAdminPassword/reveal`, metadata)).status).toBe(403);
  });
});
