/**
 * The emulator as a server: mounted in a host server on one port, restarted on the same data
 * folder, HTTPS for a Graph client that trusts its certificate, passwords sealed at rest.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { httpCall } from '../../agent/escrow/http-client.js';
import { EntraEmulator } from '../../sim/entra/entra-emulator.js';
import { createEntraHandler } from '../../sim/entra/entra-handler.js';
import { EntraStore } from '../../sim/entra/entra-store.js';
import { startEntraServer } from '../../sim/entra/entra-server.js';
import { ADMIN, MARCH_1, startTestEmulator, updateBody } from '../helpers/entra.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the Entra emulator as a server', () => {
  it('mounts in a host server: its paths answered, every other path left to the host', async () => {
    const clock = new ManualClock(MARCH_1);
    let tenantId = '';
    const emulator = new EntraEmulator({
      store: EntraStore.open(':memory:'), clock, rng: new SeededRng(3),
      // The host's own token, mapped to a metadata-only Graph grant.
      authenticate: (token) => token === 'host-helpdesk-token'
        ? { kind: 'admin', tenantId, deviceId: undefined, permissions: ['DeviceLocalCredential.ReadBasic.All'], principal: { type: 'user', id: 'u-1', displayName: 'Helpdesk' } }
        : undefined,
    });
    emulator.setMasterToken(ADMIN);
    tenantId = emulator.ensureDefaultTenant(true).tenantId;
    const entra = createEntraHandler(emulator);
    const host = createServer((req, res) => {
      void entra.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`host:${req.url}`);
      });
    });
    const base = await listen(host);
    try {
      const own = await httpCall({ method: 'GET', url: `${base}/v1.0/directory/deviceLocalCredentials`, headers: { Authorization: `Bearer ${ADMIN}` } });
      expect(own.status).toBe(200);
      expect(JSON.parse(own.text)['@odata.context']).toBe(`${base}/v1.0/$metadata#directory/deviceLocalCredentials`);
      const asHost = (path: string): Promise<{ status: number }> => httpCall({ method: 'GET', url: `${base}${path}`, headers: { Authorization: 'Bearer host-helpdesk-token' } });
      expect((await asHost('/v1.0/directory/deviceLocalCredentials')).status).toBe(200);
      expect((await asHost('/v1.0/auditLogs/directoryAudits')).status).toBe(403);
      for (const path of ['/v1.0/devices', '/beta/deviceManagement/managedDevices', '/v1.0/directory/other', '/']) {
        expect((await httpCall({ method: 'GET', url: `${base}${path}` })).text).toBe(`host:${path}`);
      }
    } finally {
      await new Promise((resolve) => host.close(resolve));
      emulator.store.close();
    }
  });

  it('restarts on its data folder with everything kept; passwords are sealed in the file; a new admin token replaces the old', async () => {
    const data = mkdtempSync(join(tmpdir(), 'lapsim-entra-data-'));
    const clock = new ManualClock(MARCH_1);
    const first = await startEntraServer({ dataDir: data, adminToken: ADMIN, clock, rng: new SeededRng(1) });
    const reg = await httpCall({
      method: 'POST', url: `${first.url}/lapsim/entra/tenants/default/devices`, body: JSON.stringify({ displayName: 'PC-KEPT' }),
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
    });
    const device = JSON.parse(reg.text) as { deviceId: string; deviceToken: string };
    const posted = await httpCall({
      method: 'POST', url: `${first.url}/manage/${first.tenantId}/lapsdevicepasswordupdate/${device.deviceId}?api-version=1.0`,
      body: JSON.stringify(updateBody('Recognisable-Secret-42')), headers: { Authorization: `Bearer ${device.deviceToken}`, 'Content-Type': 'application/json' },
    });
    expect(posted.status).toBe(200);
    await first.close();
    for (const f of readdirSync(data).filter((n) => n.startsWith('entra.db'))) {
      expect(readFileSync(join(data, f)).includes(Buffer.from('Recognisable-Secret-42')), f).toBe(false);
    }

    const second = await startEntraServer({ dataDir: data, adminToken: 'another-admin-token', clock, rng: new SeededRng(2), lapsDisabled: true });
    try {
      expect(second.tenantId).toBe(first.tenantId);
      const get = (token: string): Promise<{ status: number; text: string }> => httpCall({
        method: 'GET', url: `${second.url}/v1.0/directory/deviceLocalCredentials/${device.deviceId}?$select=credentials`, headers: { Authorization: `Bearer ${token}` },
      });
      expect((await get(ADMIN)).status).toBe(401);
      const r = await get('another-admin-token');
      const pw = (JSON.parse(r.text) as { credentials: { passwordBase64: string }[] }).credentials[0]!.passwordBase64;
      expect(Buffer.from(pw, 'base64').toString('utf8')).toBe('Recognisable-Secret-42');
      const again = await httpCall({
        method: 'POST', url: `${second.url}/manage/${second.tenantId}/lapsdevicepasswordupdate/${device.deviceId}?api-version=1.0`,
        body: JSON.stringify(updateBody('Next-1')), headers: { Authorization: `Bearer ${device.deviceToken}`, 'Content-Type': 'application/json' },
      });
      expect(JSON.parse(again.text)).toMatchObject({ subcode: 'error_fail' });
    } finally {
      await second.close();
    }
  });

  it('serves HTTPS that a client trusting its certificate can use, and that an untrusting one refuses', async () => {
    const emu = await startTestEmulator({ tls: true });
    try {
      expect(emu.server.url).toMatch(/^https:/);
      const ok = await httpCall({ method: 'GET', url: `${emu.server.url}/lapsim/entra`, headers: { Authorization: `Bearer ${ADMIN}` }, ca: emu.server.certificate! });
      expect(JSON.parse(ok.text)).toMatchObject({ defaultTenantId: emu.server.tenantId, throttle: { limit: 20, windowSeconds: 3600 } });
      await expect(httpCall({ method: 'GET', url: `${emu.server.url}/lapsim/entra` })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      await emu.server.close();
    }
  });

  it('refuses a non-loopback address and a port in use', async () => {
    const clock = new ManualClock(MARCH_1);
    await expect(startEntraServer({ dataDir: ':memory:', host: '0.0.0.0' as never, clock, rng: new SeededRng(1) })).rejects.toThrow(/loopback only/);
    const emu = await startTestEmulator();
    try {
      await expect(startEntraServer({ dataDir: ':memory:', port: emu.server.port, clock, rng: new SeededRng(1) })).rejects.toMatchObject({ code: 'LAPS_ERR_LISTEN' });
    } finally {
      await emu.server.close();
    }
  });
});
