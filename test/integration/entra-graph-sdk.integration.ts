/**
 * Microsoft's own Graph SDK (@microsoft/microsoft-graph-client) pointed at the emulator's base
 * URL, unchanged: the calls a LAPS admin script makes (list, one device with its passwords, the
 * audit log) and Graph errors surfacing as the SDK's GraphError. The SDK sends its token only over
 * HTTPS to a Graph or custom host, so the emulator serves HTTPS (`--tls`); its self-signed
 * certificate is accepted for this file's requests only (NODE_TLS_REJECT_UNAUTHORIZED, restored after).
 */
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, MARCH_1, startTestEmulator, updateBody, type TestEmulator } from '../helpers/entra.js';

let emu: TestEmulator;
let pc: { deviceId: string; deviceToken: string };

function sdk(token: string): Client {
  const host = new URL(emu.server.url).host;
  return Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: emu.server.url,
    customHosts: new Set([host.split(':')[0]!, host]),
  });
}

let previousTls: string | undefined;

beforeAll(async () => {
  previousTls = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
  process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  emu = await startTestEmulator({ tls: true });
  expect(emu.server.url).toMatch(/^https:/);
  pc = await emu.register('PC-SDK-1');
  const r = await emu.call('POST', `/manage/${emu.server.tenantId}/lapsdevicepasswordupdate/${pc.deviceId}?api-version=1.0`, pc.deviceToken,
    updateBody('Sdk-Password-1!', MARCH_1, { deviceName: 'PC-SDK-1' }));
  expect(r.status).toBeLessThan(300);
});
afterAll(async () => {
  await emu.server.close();
  if (previousTls === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
  else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = previousTls;
});

describe('the Microsoft Graph JavaScript SDK against the Entra emulator', () => {
  it('lists deviceLocalCredentials and reads one device with its password', async () => {
    const client = sdk(ADMIN);
    const list = (await client.api('/directory/deviceLocalCredentials').get()) as { value: { id: string; deviceName: string }[] };
    expect(list.value.map((d) => d.deviceName)).toContain('PC-SDK-1');
    const one = (await client.api(`/directory/deviceLocalCredentials/${pc.deviceId}`).select('credentials').get()) as {
      credentials: { accountName: string; passwordBase64: string }[];
    };
    expect(Buffer.from(one.credentials[0]!.passwordBase64, 'base64').toString('utf8')).toBe('Sdk-Password-1!');
    const audits = (await client.api('/auditLogs/directoryAudits').get()) as { value: { activityDisplayName: string }[] };
    expect(audits.value.map((a) => a.activityDisplayName)).toEqual(expect.arrayContaining(['Update device local administrator password', 'Recover device local administrator password']));
  });

  it('a metadata-only token gets a GraphError 403 for passwords', async () => {
    const basic = await emu.token(['DeviceLocalCredential.ReadBasic.All']);
    const err = await sdk(basic).api(`/directory/deviceLocalCredentials/${pc.deviceId}`).select('credentials').get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).statusCode).toBe(403);
  });
});
