/**
 * The Entra emulator and an Entra-joined device driven through the built `lapsim` CLI: the
 * emulator as a child process on a free port over HTTPS, `device init --directory entra=...`,
 * `policy set`, `process`, `password --json`, `logon`, the tenant switch, a clean stop on
 * SIGINT and a restart that keeps everything.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpCall } from '../../agent/escrow/http-client.js';
import { CLI, lapsim, lapsimJson, tempDir } from '../helpers/cli.js';

interface Started { child: ChildProcessWithoutNullStreams; info: { url: string; tenantId: string; lapsEnabled: boolean; certificate: string | null; adminToken?: string } }
interface Password { accountName: string; password: string; backupDateTime: string }

const running: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A TCP port that was free a moment ago (the emulator must come back on the same one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `lapsim directory entra --json` and resolves with what it printed. */
function startEmulator(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [CLI, 'directory', 'entra', '--json', '--log-level', 'warn', ...args], { stdio: 'pipe' });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      try {
        resolve({ child, info: JSON.parse(out) as Started['info'] });
      } catch {
        // the JSON is not complete yet
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('exit', (code) => reject(new Error(`lapsim directory entra exited (${code}): ${err}`)));
  });
}

function stop(s: Started, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    s.child.once('exit', (code) => resolve(code));
    s.child.kill(signal);
  });
}

async function graphPassword(s: Started, deviceId: string): Promise<string> {
  const r = await httpCall({
    method: 'GET', url: `${s.info.url}/v1.0/directory/deviceLocalCredentials/${deviceId}?$select=credentials`,
    headers: { Authorization: 'Bearer lapsim-entra-admin' }, ca: readFileSync(s.info.certificate!, 'utf8'),
  });
  expect(r.status, r.text).toBe(200);
  const creds = (JSON.parse(r.text) as { credentials: { passwordBase64: string }[] }).credentials;
  return Buffer.from(creds[0]!.passwordBase64, 'base64').toString('utf8');
}

function switchLaps(s: Started, on: boolean): Promise<unknown> {
  return httpCall({
    method: 'PATCH', url: `${s.info.url}/lapsim/entra/tenants/default`, body: JSON.stringify({ lapsEnabled: on }),
    headers: { Authorization: 'Bearer lapsim-entra-admin', 'Content-Type': 'application/json' }, ca: readFileSync(s.info.certificate!, 'utf8'),
  });
}

describe('lapsim directory entra, driven from the CLI', () => {
  it('a device joins over HTTPS, rotates, reads its password back, logs on; the switch off fails it cleanly; restart keeps everything', async () => {
    const dir = tempDir('lapsim-entra-e2e-');
    const data = join(dir, 'emulator');
    const db = join(dir, 'device.db');
    const port = String(await freePort());
    const emu = await startEmulator(['--port', port, '--data', data, '--tls']);
    expect(emu.info).toMatchObject({ lapsEnabled: true, adminToken: 'lapsim-entra-admin', certificate: join(data, 'tls', 'cert.pem') });
    expect(emu.info.url).toBe(`https://127.0.0.1:${port}`);
    const env = { LAPSIM_ENTRA_CA_FILE: emu.info.certificate! };

    const refused = lapsim(['device', 'init', '--state', join(dir, 'other.db'), '--directory', `entra=${emu.info.url}`, '--admin-token', 'wrong-token'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the admin token');

    const init = lapsim(['device', 'init', '--state', db, '--name', 'PC-ENTRA', '--directory', `entra=${emu.info.url}`, '--now', '2026-03-01T09:00:00Z', '--json'], { env });
    expect(init.code, init.stderr).toBe(0);
    const deviceId = (JSON.parse(init.stdout) as { deviceId: string }).deviceId;
    const set = lapsim(['policy', 'set', '--state', db, '--root', 'gpo', 'BackupDirectory=1', 'PasswordAgeDays=10', '--now', '2026-03-01T09:00:00Z']);
    expect(set.code, set.stderr).toBe(0);
    const first = lapsimJson<Password>(['password', '--state', db]);
    expect(first).toMatchObject({ accountName: 'Administrator', backupDateTime: '2026-03-01T09:00:00.000Z' });
    expect(await graphPassword(emu, deviceId)).toBe(first.password);

    const processed = lapsimJson<{ rotated: boolean }>(['process', '--state', db, '--now', '2026-03-12T09:00:00Z']);
    expect(processed.rotated).toBe(true);
    const second = lapsimJson<Password>(['password', '--state', db]);
    expect(second.password).not.toBe(first.password);
    expect(lapsim(['logon', 'Administrator', '--password', second.password, '--state', db]).code).toBe(0);
    expect(lapsim(['logon', 'Administrator', '--password', first.password, '--state', db]).code).toBe(1);
    expect(lapsimJson<Password[]>(['password', '--state', db, '--history']).map((p) => p.password)).toEqual([second.password, first.password]);

    await switchLaps(emu, false);
    const failed = lapsim(['rotate', '--state', db, '--now', '2026-03-13T09:00:00Z', '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ success: false, eventId: 10028, hresult: '0x80070190' });
    const events = lapsimJson<{ id: number; message: string }[]>(['events', '--state', db, '--since', '2026-03-13T09:00:00Z']);
    expect(events.map((e) => e.id)).toEqual(expect.arrayContaining([10030, 10059, 10028, 10005]));
    expect(events.find((e) => e.id === 10059)!.message).toContain('Local admin password solution is not enabled for this tenant.');
    for (const e of events) expect(e.message).not.toContain(second.password);
    expect(lapsim(['logon', 'Administrator', '--password', second.password, '--state', db]).code).toBe(0);
    await switchLaps(emu, true);

    expect(await stop(emu, 'SIGINT')).toBe(0);
    const again = await startEmulator(['--port', port, '--data', data, '--tls', '--laps-disabled']);
    expect(again.info).toMatchObject({ tenantId: emu.info.tenantId, lapsEnabled: false, certificate: emu.info.certificate });
    expect(await graphPassword(again, deviceId)).toBe(second.password);
    expect(lapsim(['rotate', '--state', db, '--now', '2026-03-14T09:00:00Z']).code).toBe(1);
    await switchLaps(again, true);
    expect(lapsim(['rotate', '--state', db, '--now', '2026-03-14T09:00:00Z']).code).toBe(0);
    const third = lapsimJson<Password>(['password', '--state', db]);
    expect(lapsim(['logon', 'Administrator', '--password', third.password, '--state', db]).code).toBe(0);
    expect(await stop(again, 'SIGTERM')).toBe(0);
  });

  it('refuses bad options with a one-line message', () => {
    const r = lapsim(['directory', 'entra', '--port', '99999', '--data', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a TCP port');
  });
});
