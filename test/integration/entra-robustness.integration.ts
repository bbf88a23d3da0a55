/** Bad input thrown at every route of the emulator: always a 4xx JSON answer, never a crash. */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRng } from '../../core/seeded-rng.js';
import { ADMIN, startTestEmulator, type TestEmulator } from '../helpers/entra.js';

let emu: TestEmulator;
let device: { deviceId: string; deviceToken: string };
beforeAll(async () => {
  emu = await startTestEmulator();
  device = await emu.register('PC-FUZZ');
});
afterAll(async () => {
  await emu.server.close();
});

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
const BODIES = [
  '', '{', '[]', '"text"', '12', 'null', '{"a":', '{"lapsEnabled":"yes"}', '{"accountEnabled":1}', '{"permissions":"all"}',
  '{"permissions":["Directory.ReadWrite.All"]}', '{"limit":-1,"windowSeconds":0}', '{"displayName":""}', '{"localAdminPassword":[]}',
  '{"__proto__":{"lapsEnabled":false}}', `{"displayName":"${'x'.repeat(300)}"}`, '\u0000\u0001\u0002', '{"deviceId":"../../etc"}',
];

describe('bad input', () => {
  it('a seeded stream of wrong methods, bodies and tokens on every route gets 4xx JSON answers', async () => {
    const rng = new SeededRng(2026);
    const paths = [
      `/manage/${emu.server.tenantId}/lapsdevicepasswordupdate/${device.deviceId}?api-version=1.0`,
      '/v1.0/directory/deviceLocalCredentials', `/v1.0/directory/deviceLocalCredentials/${device.deviceId}?$select=credentials,nope`,
      '/v1.0/directory/deviceLocalCredentials?$filter=(((', "/beta/deviceLocalCredentials('x')?$top=-1", '/v1.0/auditLogs/directoryAudits?$orderby=a,b',
      '/beta/policies/deviceRegistrationPolicy', '/lapsim/entra', '/lapsim/entra/tenants', '/lapsim/entra/tenants/not-a-tenant',
      '/lapsim/entra/tenants/default/devices', `/lapsim/entra/devices/${'%'}zz`, '/lapsim/entra/devices/unknown', '/lapsim/entra/tokens', '/lapsim/entra/throttle',
    ];
    for (let i = 0; i < 300; i++) {
      const method = METHODS[rng.int(METHODS.length)]!;
      const path = paths[rng.int(paths.length)]!;
      const body = BODIES[rng.int(BODIES.length)]!;
      const token = [ADMIN, device.deviceToken, 'junk', undefined][rng.int(4)];
      const r = await emu.call(method, path, token, method === 'GET' || method === 'DELETE' ? undefined : body);
      expect(r.status, `${method} ${path} ${body.slice(0, 30)}`).toBeLessThan(500);
      if (r.status >= 400) expect(r.headers['content-type'], `${method} ${path}`).toContain('application/json');
      if (r.status === 200 && path.startsWith('/lapsim/entra/devices/unknown')) throw new Error('an unknown device answered 200');
    }
    expect((await emu.call('GET', '/lapsim/entra', ADMIN)).status).toBe(200);
    expect((await emu.call('GET', '/lapsim/entra/tenants/default', ADMIN)).json['lapsEnabled']).toBe(true);
  });

  it('a malformed HTTP request gets 400 from the server and the emulator keeps serving', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(emu.server.port, '127.0.0.1', () => s.write('THIS IS NOT HTTP\r\n\r\n'));
      let text = '';
      s.on('data', (b) => (text += b.toString()));
      s.on('close', () => resolve(text));
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await emu.call('GET', '/lapsim/entra', ADMIN)).status).toBe(200);
  });
});
