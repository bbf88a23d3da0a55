/** The emulator's Microsoft Graph subset over real HTTP: shapes, permissions, audit, OData options. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, MARCH_1, startTestEmulator, updateBody, type TestEmulator } from '../helpers/entra.js';

let emu: TestEmulator;
let pc1: { deviceId: string; objectId: string; deviceToken: string };
let pc2: { deviceId: string; objectId: string; deviceToken: string };
const UNICODE = 'Pässwörd-€-日本-🔑';
const CREDS = '/v1.0/directory/deviceLocalCredentials';

beforeAll(async () => {
  emu = await startTestEmulator();
  pc1 = await emu.register('PC-0142');
  pc2 = await emu.register('LAB-0007');
  const post = (d: typeof pc1, pw: string, at: number, name: string): Promise<unknown> =>
    emu.call('POST', `/manage/${emu.server.tenantId}/lapsdevicepasswordupdate/${d.deviceId}?api-version=1.0`, d.deviceToken,
      updateBody(pw, at, { deviceName: name }), { 'User-Agent': 'Windows LAPS' });
  await post(pc1, 'Older-Password-1', MARCH_1 - 86_400_000, 'PC-0142');
  emu.clock.advance(1000);
  await post(pc1, UNICODE, MARCH_1, 'PC-0142');
  emu.clock.advance(1000);
  await post(pc2, 'Lab-Password-1', MARCH_1, 'LAB-0007');
  await emu.register('PC-NEVER-BACKED-UP');
});
afterAll(async () => {
  await emu.server.close();
});

async function audits(filter = ''): Promise<Record<string, unknown>[]> {
  const r = await emu.call('GET', `/v1.0/auditLogs/directoryAudits${filter}`, ADMIN);
  expect(r.status, r.text).toBe(200);
  return r.json['value'] as Record<string, unknown>[];
}

describe('Graph deviceLocalCredentials', () => {
  it('one device with $select=credentials: metadata plus passwords newest first, passwordBase64 as UTF-8', async () => {
    const r = await emu.call('GET', `${CREDS}/${pc1.deviceId}?$select=credentials`, ADMIN);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    expect(r.json).toMatchObject({
      '@odata.context': `${emu.server.url}/v1.0/$metadata#directory/deviceLocalCredentials(credentials)/$entity`,
      id: pc1.deviceId, deviceName: 'PC-0142', lastBackupDateTime: '2026-03-01T09:00:00.0000000Z', refreshDateTime: '2026-03-31T09:00:00.0000000Z',
    });
    const creds = r.json['credentials'] as Record<string, string>[];
    expect(creds.map((c) => c.backupDateTime)).toEqual(['2026-03-01T09:00:00.0000000Z', '2026-02-28T09:00:00.0000000Z']);
    expect(Object.keys(creds[0]!)).toEqual(['accountName', 'accountSid', 'backupDateTime', 'passwordBase64']);
    expect(creds[0]).toMatchObject({ accountName: 'WLapsAdmin', accountSid: 'S-1-5-21-1004336348-1177238915-682003330-1004' });
    expect(Buffer.from(creds[0]!.passwordBase64!, 'base64').toString('utf8')).toBe(UNICODE);
    expect(creds[0]!.passwordBase64).toBe(Buffer.from(UNICODE, 'utf8').toString('base64'));
  });

  it('one device without $select: metadata only; the old path without /directory and the key syntax work too', async () => {
    for (const path of [`${CREDS}/${pc1.deviceId}`, `/v1.0/deviceLocalCredentials/${pc1.deviceId}`, `${CREDS}('${pc1.deviceId}')`]) {
      const r = await emu.call('GET', path, ADMIN);
      expect(r.status, path).toBe(200);
      expect(Object.keys(r.json)).toEqual(['@odata.context', 'id', 'deviceName', 'lastBackupDateTime', 'refreshDateTime']);
    }
    const sel = await emu.call('GET', `${CREDS}/${pc1.deviceId}?$select=deviceName`, ADMIN);
    expect(sel.json).toEqual({ '@odata.context': `${emu.server.url}/v1.0/$metadata#directory/deviceLocalCredentials(deviceName)/$entity`, id: pc1.deviceId, deviceName: 'PC-0142' });
    expect((await emu.call('GET', `${CREDS}/no-such-device`, ADMIN)).json).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
  });

  it('the list never holds passwords, lists only devices with a backup, and follows $filter/$select/$top/$count', async () => {
    const all = await emu.call('GET', CREDS, ADMIN);
    expect(all.json['@odata.context']).toBe(`${emu.server.url}/v1.0/$metadata#directory/deviceLocalCredentials`);
    const value = all.json['value'] as Record<string, unknown>[];
    expect(value.map((v) => v['deviceName'])).toEqual(['LAB-0007', 'PC-0142']);
    expect(all.text).not.toContain('passwordBase64');
    expect(all.text).not.toContain(Buffer.from(UNICODE).toString('base64'));
    const f = await emu.call('GET', `${CREDS}?$filter=${encodeURIComponent("deviceName eq 'pc-0142'")}&$select=id,deviceName`, ADMIN);
    expect(f.json['value']).toEqual([{ id: pc1.deviceId, deviceName: 'PC-0142' }]);
    const sw = await emu.call('GET', `${CREDS}?$filter=${encodeURIComponent("startswith(deviceName,'LAB') or id eq '00000000-0000-4000-8000-000000000000'")}`, ADMIN);
    expect((sw.json['value'] as unknown[]).length).toBe(1);
    const page1 = await emu.call('GET', `${CREDS}?$top=1&$count=true`, ADMIN);
    expect(page1.json['@odata.count']).toBe(2);
    const next = page1.json['@odata.nextLink'] as string;
    expect(next.startsWith(`${emu.server.url}/v1.0/directory/deviceLocalCredentials?`)).toBe(true);
    const page2 = await emu.call('GET', next.slice(emu.server.url.length), ADMIN);
    expect((page2.json['value'] as Record<string, unknown>[])[0]?.['deviceName']).toBe('PC-0142');
    expect(page2.json['@odata.nextLink']).toBeUndefined();
    for (const bad of ['$filter=deviceName%20eq', '$select=password', '$select=credentials', '$top=0', '$top=abc', '$skiptoken=forged', '$expand=x']) {
      const r = await emu.call('GET', `${CREDS}?${bad}`, ADMIN);
      expect(r.status, bad).toBe(400);
      expect(r.json).toMatchObject({ error: { code: 'BadRequest' } });
    }
  });
});

describe('Graph permissions', () => {
  it('401 without or with a bad token, Graph error body with innerError', async () => {
    for (const token of [undefined, 'garbage', pc1.deviceToken]) {
      const r = await emu.call('GET', CREDS, token, undefined, { 'client-request-id': 'abc-123' });
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ error: { code: 'InvalidAuthenticationToken', innerError: { 'client-request-id': 'abc-123' } } });
      const inner = (r.json['error'] as { innerError: Record<string, string> }).innerError;
      expect(inner['request-id']).toBe(r.headers['request-id']);
      expect(inner['date']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    }
  });

  it('ReadBasic.All reads metadata but not passwords (403, not audited); Read.All reads passwords and is audited', async () => {
    const basic = await emu.token(['DeviceLocalCredential.ReadBasic.All'], { userPrincipalName: 'helpdesk@contoso.com' });
    const full = await emu.token(['DeviceLocalCredential.Read.All'], { userPrincipalName: 'clouddevice.admin@contoso.com', displayName: 'Cloud Device Admin' });
    const none = await emu.token(['AuditLog.Read.All']);
    const before = (await audits()).length;
    expect((await emu.call('GET', CREDS, basic)).status).toBe(200);
    expect((await emu.call('GET', `${CREDS}/${pc1.deviceId}`, basic)).status).toBe(200);
    const denied = await emu.call('GET', `${CREDS}/${pc1.deviceId}?$select=credentials`, basic);
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
    expect((await emu.call('GET', CREDS, none)).status).toBe(403);
    expect((await emu.call('GET', `${CREDS}/${pc1.deviceId}?$select=credentials`, none)).status).toBe(403);
    expect((await emu.call('GET', '/v1.0/auditLogs/directoryAudits', basic)).status).toBe(403);
    expect(await audits()).toHaveLength(before);
    const ok = await emu.call('GET', `${CREDS}/${pc2.deviceId}?$select=credentials`, full, undefined, { 'User-Agent': 'PowerShell/7.4 Invoke-MgGraphRequest' });
    expect(ok.status).toBe(200);
    const [recover] = await audits();
    expect(recover).toMatchObject({
      category: 'Device', result: 'success', activityDisplayName: 'Recover device local administrator password',
      loggedByService: 'Device Registration Service', activityDateTime: '2026-03-01T09:00:02.0000000Z',
      initiatedBy: { app: null, user: { displayName: 'Cloud Device Admin', userPrincipalName: 'clouddevice.admin@contoso.com', ipAddress: '127.0.0.1' } },
      targetResources: [{ id: pc2.objectId, displayName: 'LAB-0007', type: 'Device' }],
      additionalDetails: [
        { key: 'AdditionalInfo', value: 'Successfully recovered local credential by device id' },
        { key: 'Device Id', value: pc2.deviceId },
        { key: 'User-Agent', value: 'PowerShell/7.4 Invoke-MgGraphRequest' },
      ],
    });
    const log = JSON.stringify(await audits());
    expect(log).not.toContain('Lab-Password-1');
    expect(log).not.toContain(Buffer.from('Lab-Password-1').toString('base64'));
  });
});

describe('Graph directoryAudits', () => {
  it('one "Update device local administrator password" per backup, with Graph\'s properties in order', async () => {
    const updates = await audits(`?$filter=${encodeURIComponent("activityDisplayName eq 'Update device local administrator password'")}`);
    expect(updates).toHaveLength(3);
    expect(Object.keys(updates[0]!)).toEqual([
      'id', 'category', 'correlationId', 'result', 'resultReason', 'activityDisplayName', 'activityDateTime', 'loggedByService',
      'operationType', 'initiatedBy', 'targetResources', 'additionalDetails',
    ]);
    expect(updates[0]).toMatchObject({
      category: 'Device', result: 'success', loggedByService: 'Device Registration Service',
      initiatedBy: { user: null, app: { displayName: 'Device Registration Service' } },
      targetResources: [{ id: pc2.objectId, displayName: 'LAB-0007', type: 'Device', userPrincipalName: null, groupType: null, modifiedProperties: [] }],
      additionalDetails: [
        { key: 'AdditionalInfo', value: 'Successfully updated password on the device' }, { key: 'Device Id', value: pc2.deviceId },
        { key: 'User-Agent', value: 'Windows LAPS' },
      ],
    });
    expect(updates[0]!['id']).toMatch(/^Directory_[0-9a-f-]{36}_[A-Z]{5}_\d{8}$/);
  });

  it('filters on targets, dates and services; pages; reads one entry by id', async () => {
    const forPc1 = await audits(`?$filter=${encodeURIComponent(`targetResources/any(t: t/id eq '${pc1.objectId}') and loggedByService eq 'Device Registration Service'`)}`);
    // The first test read PC-0142's passwords with the master token: that read is audited too.
    expect(forPc1.map((a) => a['activityDisplayName'])).toEqual([
      'Recover device local administrator password', 'Update device local administrator password', 'Update device local administrator password',
    ]);
    expect(forPc1[0]).toMatchObject({ initiatedBy: { user: { displayName: 'lapsim admin' } } });
    expect(await audits(`?$filter=${encodeURIComponent('activityDateTime ge 2026-03-01T09:00:01Z')}`)).not.toHaveLength(0);
    expect(await audits(`?$filter=${encodeURIComponent('activityDateTime gt 2027-01-01T00:00:00Z')}`)).toHaveLength(0);
    expect(await audits(`?$filter=${encodeURIComponent("startswith(activityDisplayName,'Recover')")}`)).toHaveLength(2);
    const page = await emu.call('GET', '/v1.0/auditLogs/directoryAudits?$top=2&$orderby=activityDateTime%20asc&$select=id,activityDateTime', ADMIN);
    const value = page.json['value'] as Record<string, string>[];
    expect(value.map((v) => Object.keys(v))).toEqual([['id', 'activityDateTime'], ['id', 'activityDateTime']]);
    expect(value[0]!['activityDateTime']! <= value[1]!['activityDateTime']!).toBe(true);
    expect(page.json['@odata.nextLink']).toContain('%24skiptoken=');
    const one = await emu.call('GET', `/v1.0/auditLogs/directoryAudits/${value[0]!['id']}`, ADMIN);
    expect(one.json['id']).toBe(value[0]!['id']);
    expect((await emu.call('GET', '/v1.0/auditLogs/directoryAudits/Directory_none', ADMIN)).status).toBe(404);
    expect((await emu.call('GET', `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent('((((')}`, ADMIN)).status).toBe(400);
  });
});

describe('Graph deviceRegistrationPolicy', () => {
  it('localAdminPassword.isEnabled is the tenant switch', async () => {
    const get = await emu.call('GET', '/beta/policies/deviceRegistrationPolicy', ADMIN);
    expect(get.json).toMatchObject({ id: 'deviceRegistrationPolicy', localAdminPassword: { isEnabled: true } });
    expect((await emu.call('PUT', '/beta/policies/deviceRegistrationPolicy', ADMIN, { localAdminPassword: { isEnabled: 'no' } })).status).toBe(400);
    const reader = await emu.token(['DeviceLocalCredential.Read.All']);
    expect((await emu.call('PUT', '/beta/policies/deviceRegistrationPolicy', reader, { localAdminPassword: { isEnabled: false } })).status).toBe(403);
    const off = await emu.call('PUT', '/beta/policies/deviceRegistrationPolicy', ADMIN, { ...get.json, localAdminPassword: { isEnabled: false } });
    expect(off.json).toMatchObject({ localAdminPassword: { isEnabled: false } });
    const post = await emu.call('POST', `/manage/${emu.server.tenantId}/lapsdevicepasswordupdate/${pc1.deviceId}?api-version=1.0`, pc1.deviceToken, updateBody('x-1'));
    expect(post.json['subcode']).toBe('error_fail');
    await emu.call('PATCH', '/beta/policies/deviceRegistrationPolicy', ADMIN, { localAdminPassword: { isEnabled: true } });
    expect((await emu.call('GET', '/lapsim/entra/tenants/default', ADMIN)).json['lapsEnabled']).toBe(true);
  });
});
