/**
 * The whole LAPS cycle of a SQLite device joined to the Entra emulator over HTTP: join, rotate,
 * read back through Graph, log on; and every failure the device must survive without touching
 * its local password (tenant switch off mid-run, disabled, deleted, throttled, service down).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SeededRng } from '../../core/seeded-rng.js';
import { Secret } from '../../core/secret.js';
import type { LapsEvent } from '../../agent/ports.js';
import { initSqliteDevice, openSqliteDevice, type SqliteDevice } from '../../sim/sqlite-device.js';
import { ADMIN, startTestEmulator, type TestEmulator } from '../helpers/entra.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'lapsim-entra-cycle-'));
let emu: TestEmulator;
let n = 0;
const open: SqliteDevice[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterEach(() => {
  for (const d of open.splice(0)) d.close();
});
afterAll(async () => {
  await emu.server.close();
});

async function joinedDevice(join_: 'entra' | 'hybrid' = 'entra'): Promise<SqliteDevice> {
  const path = join(dir, `device-${n++}.db`);
  const env = { LAPSIM_ENTRA_ADMIN_TOKEN: ADMIN };
  await initSqliteDevice(path, { name: `PC-CYCLE-${n}`, joinType: join_, directory: 'entra', directoryTarget: emu.server.url }, emu.clock, new SeededRng(n), env);
  const d = openSqliteDevice({ path, clock: emu.clock, rng: new SeededRng(100 + n), env });
  open.push(d);
  d.ports.policyRoots(d.record.deviceId).set('gpo', { BackupDirectory: '1', PasswordAgeDays: '10' });
  d.device.policyChanged();
  return d;
}

/** The newest password through Graph with the admin token, passwordBase64 decoded as UTF-8. */
async function graphPassword(d: SqliteDevice): Promise<string> {
  const r = await emu.call('GET', `/v1.0/directory/deviceLocalCredentials/${d.record.deviceId}?$select=credentials`, ADMIN);
  expect(r.status, r.text).toBe(200);
  return Buffer.from((r.json['credentials'] as { passwordBase64: string }[])[0]!.passwordBase64, 'base64').toString('utf8');
}

function eventsSince(d: SqliteDevice, since: number): LapsEvent[] {
  return d.ports.events(d.record.deviceId).list({ since });
}

function setSwitch(on: boolean): Promise<unknown> {
  return emu.call('PATCH', '/lapsim/entra/tenants/default', ADMIN, { lapsEnabled: on });
}

describe('a device on the Entra emulator over HTTP', () => {
  it('joins, rotates (10030 with the URL, then 10029), and the password read back through Graph opens the account', async () => {
    const d = await joinedDevice();
    const t0 = emu.clock.now();
    const out = await d.device.processCycle('manual-processing');
    expect(out).toMatchObject({ rotated: true, hresult: 0 });
    const events = eventsSince(d, t0);
    expect(events.map((e) => e.id)).toEqual([10003, 10022, 10010, 10015, 10030, 10029, 10020, 10004]);
    const url = String(events.find((e) => e.id === 10030)!.fields['url']);
    expect(url).toMatch(new RegExp(`^${emu.server.url}/manage/${emu.server.tenantId}/lapsdevicepasswordupdate/${d.record.deviceId}\\?api-version=1\\.0&client-request-id=[0-9a-f-]{36}$`));
    const pw = await graphPassword(d);
    expect(d.device.logon('Administrator', new Secret(pw)).ok).toBe(true);
    const viaDevice = await d.directory.credentials(d.record.deviceId);
    expect(viaDevice[0]?.password.reveal()).toBe(pw);
    expect(viaDevice[0]?.expiry).toBe(t0 + 10 * DAY);
    for (const e of eventsSince(d, 0)) expect(e.message).not.toContain(pw);
  });

  it('the tenant switch turned off mid-run: 10059 with the body, 10028 0x80070190, local password unchanged; rotates once it is back on', async () => {
    const d = await joinedDevice();
    await d.device.processCycle('manual-processing');
    const first = await graphPassword(d);
    await setSwitch(false);
    try {
      emu.clock.advance(11 * DAY);
      const t1 = emu.clock.now();
      const out = await d.device.processCycle();
      expect(out).toMatchObject({ rotated: false, eventId: 10028, hresult: 0x80070190 });
      const events = eventsSince(d, t1);
      expect(events.map((e) => e.id)).toEqual([10003, 10022, 10010, 10052, 10015, 10030, 10059, 10028, 10005]);
      const e10059 = events.find((e) => e.id === 10059)!;
      expect(e10059.fields['httpStatus']).toBe(400);
      expect(JSON.parse(String(e10059.fields['body']))).toMatchObject({
        code: 'invalid_request', subcode: 'error_fail', message: 'Local admin password solution is not enabled for this tenant.',
      });
      expect(events.find((e) => e.id === 10028)!.fields['errorCode']).toBe(0x80070190);
      expect(d.device.logon('Administrator', new Secret(first)).ok).toBe(true);
      expect(await graphPassword(d)).toBe(first);
    } finally {
      await setSwitch(true);
    }
    emu.clock.advance(3_600_000);
    expect(await d.device.processCycle()).toMatchObject({ rotated: true, hresult: 0 });
    const second = await graphPassword(d);
    expect(second).not.toBe(first);
    expect(d.device.logon('Administrator', new Secret(second)).ok).toBe(true);
    expect(d.device.logon('Administrator', new Secret(first)).ok).toBe(false);
  });

  it('a hybrid-joined device backs up too (the switch applies to it as well)', async () => {
    const d = await joinedDevice('hybrid');
    expect(await d.device.processCycle('manual-processing')).toMatchObject({ rotated: true });
    expect((await emu.call('GET', `/lapsim/entra/devices/${d.record.deviceId}`, ADMIN)).json['joinType']).toBe('hybrid');
    expect(d.device.logon('Administrator', new Secret(await graphPassword(d))).ok).toBe(true);
  });

  it('disabled (403) and deleted (400 error_missing_device) devices: 10059 + 10028, nothing changes locally', async () => {
    const d = await joinedDevice();
    await d.device.processCycle('manual-processing');
    const pw = await graphPassword(d);
    await emu.call('PATCH', `/lapsim/entra/devices/${d.record.deviceId}`, ADMIN, { accountEnabled: false });
    const t1 = emu.clock.now();
    expect(await d.device.resetPassword()).toMatchObject({ rotated: false, hresult: 0x80070193 });
    expect(eventsSince(d, t1).find((e) => e.id === 10059)?.fields['httpStatus']).toBe(403);
    await emu.call('DELETE', `/lapsim/entra/devices/${d.record.deviceId}`, ADMIN);
    expect(await d.device.resetPassword()).toMatchObject({ rotated: false, hresult: 0x80070190 });
    const last = eventsSince(d, t1).filter((e) => e.id === 10059).at(-1)!;
    expect(String(last.fields['body'])).toContain('error_missing_device');
    expect(d.device.logon('Administrator', new Secret(pw)).ok).toBe(true);
  });

  it('a throttled device (429) does not come back before Retry-After, then succeeds', async () => {
    const d = await joinedDevice();
    await emu.call('PUT', '/lapsim/entra/throttle', ADMIN, { limit: 1, windowSeconds: 11 * 86_400 });
    try {
      await d.device.processCycle('manual-processing');
      emu.clock.advance(10 * DAY);
      const out = await d.device.processCycle();
      expect(out).toMatchObject({ rotated: false, eventId: 10028, retryAfterMs: DAY, hresult: 0x800701ad });
      expect(d.device.nextDueAt()).toBeGreaterThanOrEqual(out!.time + DAY);
      emu.clock.advance(DAY / 2);
      expect(await d.device.processCycle()).toBeUndefined();
      emu.clock.advanceTo(d.device.nextDueAt());
      expect(await d.device.processCycle()).toMatchObject({ rotated: true, reasons: 0x1 });
    } finally {
      await emu.call('PUT', '/lapsim/entra/throttle', ADMIN, { limit: 20, windowSeconds: 3600 });
    }
  });

  it('the service unreachable: 10028 with a WinHTTP HRESULT, no 10059, retried at the next cycle', async () => {
    const down = await startTestEmulator();
    const path = join(dir, `device-${n++}.db`);
    const env = { LAPSIM_ENTRA_ADMIN_TOKEN: ADMIN };
    await initSqliteDevice(path, { name: 'PC-DOWN', joinType: 'entra', directory: 'entra', directoryTarget: down.server.url }, down.clock, new SeededRng(5), env);
    await down.server.close();
    const d = openSqliteDevice({ path, clock: down.clock, rng: new SeededRng(6), env });
    open.push(d);
    d.ports.policyRoots(d.record.deviceId).set('gpo', { BackupDirectory: '1' });
    d.device.policyChanged();
    const out = await d.device.processCycle('manual-processing');
    expect(out).toMatchObject({ rotated: false, eventId: 10028, hresult: 0x80072efd });
    const ids = eventsSince(d, 0).map((e) => e.id);
    expect(ids).toContain(10030);
    expect(ids).not.toContain(10059);
    expect(d.device.nextDueAt()).toBe(Number.NEGATIVE_INFINITY);
    expect(d.accounts.byRid(500)?.passwordSetAt).toBeUndefined();
  });
});
