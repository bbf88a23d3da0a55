/**
 * `lapsim server` and `lapsim agent` as separate processes, as a user runs them: the server prints
 * where it listens and how to authenticate; a device created with `lapsim device init --directory
 * entra=<server>` is registered over the admin API and runs as `lapsim agent`; a policy imported
 * and assigned over Graph reaches it; a rotation requested over Graph completes and the revealed
 * password logs on with `lapsim logon`; the server restarts and the agent comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, lapsim, tempDir } from '../helpers/cli.js';
import { entraPolicy } from '../helpers/intune-policies.js';

const TOKEN = 'cli-e2e-admin-token';
type Json = Record<string, unknown>;
const procs: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) await stop(p);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const stderrOf = new WeakMap<ChildProcess, string[]>();

/** Starts the CLI; stderr is always drained (a full pipe would block the process's logger). */
function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const err: string[] = [];
  stderrOf.set(p, err);
  p.stderr!.on('data', (d: Buffer) => {
    if (err.join('').length < 10_000) err.push(d.toString('utf8'));
  });
  procs.push(p);
  return p;
}

/** SIGTERM, then SIGKILL when the process has not exited within 10 s; resolves with the exit code. */
async function stop(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
  const done = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
  const code = await done;
  clearTimeout(timer);
  return code;
}

/** The first `n` lines of a process's stdout (fails after 20 s, with what it wrote on stderr). */
function lines(p: ChildProcess, n: number): Promise<string[]> {
  const stderr = (): string => (stderrOf.get(p) ?? []).join('').slice(0, 500);
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const rl = createInterface({ input: p.stdout! });
    const timer = setTimeout(() => reject(new Error(`no ${n} lines after 20 s; stdout ${JSON.stringify(out)}, stderr ${stderr()}`)), 20_000);
    rl.on('line', (l) => {
      out.push(l);
      if (out.length === n) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) after ${out.length} lines; stderr ${stderr()}`));
    });
  });
}

async function server(data: string, port = 0): Promise<{ url: string; port: number; proc: ChildProcess }> {
  const proc = run(['server', '--port', String(port), '--data', data, '--admin-token', TOKEN, '--json', '--log-level', 'warn']);
  const info = JSON.parse((await lines(proc, 1))[0]!) as { url: string };
  return { url: info.url, port: Number(new URL(info.url).port), proc };
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const r = await fetch(`${url}${path}`, {
    method, headers: { Authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
}

async function waitFor(pred: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('lapsim server with lapsim agent processes', () => {
  it('prints where it listens and how to authenticate; refuses a bad port', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const p = run(['server', '--port', '0', '--data', dir]);
    const out = await lines(p, 9);
    expect(out[0]).toMatch(/^lapsim server listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(out[7]).toMatch(/^Web pages: +http:\/\/127\.0\.0\.1:\d+\/ui\/ \(sign in with an admin token\)$/);
    expect(out.join('\n')).toContain('/beta/deviceManagement/configurationPolicies');
    expect(out.join('\n')).toMatch(/Device channel: +ws:\/\/127\.0\.0\.1:\d+\/devices\/<deviceId>\/dm/);
    expect(out[4]).toMatch(/^Admin token: +lapsim-admin$/);
    expect(await stop(p)).toBe(0);
    const bad = lapsim(['server', '--port', '70000', '--data', dir]);
    expect(bad.code).toBe(2);
  });

  it('a device registered over the admin API gets its policy, rotates on request, logs on; the server restarts', async () => {
    const dir = tempDir();
    dirs.push(dir);
    let srv = await server(join(dir, 'server'));
    const state = join(dir, 'device.db');
    const init = lapsim(['device', 'init', '--state', state, '--name', 'PC-CLI-1', '--directory', `entra=${srv.url}`, '--json'], { env: { LAPSIM_ENTRA_ADMIN_TOKEN: TOKEN } });
    expect(init.code, init.stderr).toBe(0);
    const deviceId = (JSON.parse(init.stdout) as { deviceId: string }).deviceId;
    const reg = await call(srv.url, 'POST', '/lapsim/intune/devices', { deviceId, deviceName: 'PC-CLI-1', joinType: 'entra' });
    expect(reg.status).toBe(201);
    expect((reg.json['entra'] as Json)['deviceToken']).toBeUndefined();
    const managedDeviceId = reg.json['managedDeviceId'] as string;
    const ws = srv.url.replace(/^http/, 'ws');
    const agentArgs = ['agent', '--state', state, '--server', ws, '--token', reg.json['channelToken'] as string, '--reconnect-initial', '50ms',
      '--reconnect-max', '300ms', '--log-level', 'warn'];
    run(agentArgs);
    await waitFor(async () => ((await call(srv.url, 'GET', `/lapsim/intune/devices/${managedDeviceId}`)).json['online']) === true, 'the agent to connect');

    const policy = (await call(srv.url, 'POST', '/beta/deviceManagement/configurationPolicies', entraPolicy('CLI LAPS', { length: 18 }))).json['id'] as string;
    expect((await call(srv.url, 'POST', `/beta/deviceManagement/configurationPolicies/${policy}/assign`, {
      assignments: [{ target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } }] })).status).toBe(200);
    const status = async (): Promise<string | undefined> =>
      (((await call(srv.url, 'GET', `/lapsim/intune/reports/policies/${policy}/deviceStatus`)).json['value'] as Json[])[0]?.['ReportStatus']) as string | undefined;
    await waitFor(async () => (await status()) === 'Succeeded', 'the policy to succeed');
    const reveal = async (): Promise<string | undefined> => (await call(srv.url, 'GET', `/lapsim/intune/managedDevices/${managedDeviceId}/localAdminPassword/reveal`)).json['password'] as string | undefined;
    await waitFor(async () => (await reveal()) !== undefined, 'the first backup');
    const first = (await reveal())!;

    expect((await call(srv.url, 'POST', `/beta/deviceManagement/managedDevices/${managedDeviceId}/rotateLocalAdminPassword`)).status).toBe(204);
    const state1 = async (): Promise<unknown> => ((await call(srv.url, 'GET', `/beta/deviceManagement/managedDevices/${managedDeviceId}`)).json['deviceActionResults'] as Json[])[0]?.['actionState'];
    await waitFor(async () => (await state1()) === 'done', 'the rotation to be done');
    const second = (await reveal())!;
    expect(second).not.toBe(first);
    expect(second).toHaveLength(18);
    expect(lapsim(['logon', 'Administrator', '--password', second, '--state', state]).code).toBe(0);
    expect(lapsim(['logon', 'Administrator', '--password', first, '--state', state]).code).toBe(1);

    expect(await stop(srv.proc)).toBe(0);
    procs.splice(procs.indexOf(srv.proc), 1);
    srv = await server(join(dir, 'server'), srv.port);
    await waitFor(async () => ((await call(srv.url, 'GET', `/lapsim/intune/devices/${managedDeviceId}`)).json['online']) === true, 'the agent to reconnect');
    expect(await status()).toBe('Succeeded');
    expect((await call(srv.url, 'PUT', `/beta/deviceManagement/configurationPolicies/${policy}`, entraPolicy('CLI LAPS', { length: 24 }))).status).toBe(200);
    await waitFor(async () => (await status()) === 'Succeeded', 'the changed policy to succeed after the restart');
    const shown = lapsim(['status', '--state', state, '--json']);
    expect(shown.code).toBe(0);
    expect((await call(srv.url, 'GET', `/lapsim/intune/reports/devices/${managedDeviceId}/settings`)).json['value']).toContainEqual(
      expect.objectContaining({ CspNode: 'PasswordLength', ValueOnDevice: '24', SettingStatus: 'Succeeded' }));
  });

  it('device init --server registers the device; lapsim agent --state alone connects with the stored registration', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const srv = await server(join(dir, 'server'));
    const state = join(dir, 'device.db');
    expect(lapsim(['device', 'init', '--state', join(dir, 'x.db'), '--server', srv.url]).code).toBe(2);
    const init = lapsim(['device', 'init', '--state', state, '--name', 'PC-REG-1', '--server', srv.url, '--admin-token', TOKEN, '--json']);
    expect(init.code, init.stderr).toBe(0);
    const created = JSON.parse(init.stdout) as { managedDeviceId: string; directory: string };
    expect(created.directory).toBe('entra');
    run(['agent', '--state', state, '--reconnect-initial', '50ms', '--log-level', 'warn']);
    await waitFor(async () => ((await call(srv.url, 'GET', `/lapsim/intune/devices/${created.managedDeviceId}`)).json['online']) === true, 'the agent to connect');
    const policy = (await call(srv.url, 'POST', '/beta/deviceManagement/configurationPolicies', entraPolicy('REG LAPS', {}))).json['id'] as string;
    await call(srv.url, 'POST', `/beta/deviceManagement/configurationPolicies/${policy}/assign`, {
      assignments: [{ target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } }] });
    const reveal = async (): Promise<string | undefined> =>
      (await call(srv.url, 'GET', `/lapsim/intune/managedDevices/${created.managedDeviceId}/localAdminPassword/reveal`)).json['password'] as string | undefined;
    await waitFor(async () => (await reveal()) !== undefined, 'the first backup');
    expect(lapsim(['logon', 'Administrator', '--password', (await reveal())!, '--state', state]).code).toBe(0);
  });
});
