/**
 * `lapsim agent` as a process (dist/bin/lapsim.js) against the test server on port 0: kill -9 in
 * the middle of a rotation, restart, and log on with the password the directory holds; a
 * simulated crash at a fault point; `lapsim status` beside the running service; SIGTERM; --once;
 * configuration from a file and LAPSIM_* variables, and bad configuration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDmServer, type RunningDmServer } from '../../sim/server/start-dm-server.js';
import { lapsPolicy } from '../../sim/server/syncml-commands.js';
import { CLI, lapsim, lapsimJson, tempDir } from '../helpers/cli.js';

const TOKEN = 'process-token';
const POLICY = { BackupDirectory: 1, PasswordAgeDays: 30 };

interface Agent {
  proc: ChildProcess;
  /** Parsed JSON log lines so far. */
  logs: Record<string, unknown>[];
  /** Everything written to stdout and stderr. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(pred: (l: Record<string, unknown>) => boolean, what: string, ms?: number): Promise<Record<string, unknown>>;
}

const running: ChildProcess[] = [];
const servers: RunningDmServer[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

function agent(args: string[], env: Record<string, string> = {}): Agent {
  const proc = spawn(process.execPath, [CLI, 'agent', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(proc);
  const logs: Record<string, unknown>[] = [];
  let text = '';
  let partial = '';
  const waiters = new Set<() => void>();
  proc.stdout!.on('data', (b: Buffer) => {
    text += b.toString();
    partial += b.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      try {
        logs.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    for (const w of [...waiters]) w();
  });
  proc.stderr!.on('data', (b: Buffer) => { text += b.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const waitForLog = (pred: (l: Record<string, unknown>) => boolean, what: string, ms = 15_000): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = logs.find(pred);
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no log line for ${what} within ${ms} ms; output:\n${text}`));
      }, ms);
      waiters.add(check);
      void exited.then(() => setTimeout(check, 0));
      check();
    });
  return { proc, logs, output: () => text, exited, waitForLog };
}

async function deviceWithServer(): Promise<{ db: string; deviceId: string; server: RunningDmServer }> {
  const db = join(tempDir('lapsim-agent-proc-'), 'device.db');
  const init = lapsimJson<{ deviceId: string }>(['device', 'init', '--state', db, '--name', 'PC-AGENT']);
  const server = await startDmServer();
  servers.push(server);
  server.dm.addDevice(init.deviceId, TOKEN);
  return { db, deviceId: init.deviceId, server };
}

const baseArgs = (db: string, server: RunningDmServer): string[] =>
  ['--state', db, '--server', server.url, '--token', TOKEN, '--reconnect-initial', '50ms', '--reconnect-max', '500ms', '--shutdown-grace', '5s'];

interface Status { rotationInFlight: boolean; lastRotation: string | null; lastResult: { success: boolean } | null }

describe('lapsim agent process', () => {
  it('kill -9 in the middle of a rotation, restart, then logon with the password the directory holds', async () => {
    const { db, deviceId, server } = await deviceWithServer();
    server.dm.enqueue(deviceId, lapsPolicy(POLICY));
    const first = agent(baseArgs(db, server), { LAPSIM_TEST_HOLD_AFTER_BACKUP_MS: '60000' });
    await first.waitForLog((l) => l['msg'] === 'test hook: holding the rotation after the directory took the password', 'the rotation to reach the hold');
    const during = lapsimJson<Status>(['status', '--state', db]);
    expect(during.rotationInFlight).toBe(true);
    const escrowed = lapsimJson<{ password: string }>(['password', '--state', db]).password;
    first.proc.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(lapsimJson<Status>(['status', '--state', db]).rotationInFlight).toBe(true);
    expect(lapsim(['logon', 'Administrator', '--password', escrowed, '--state', db]).code).toBe(1);

    const second = agent(baseArgs(db, server));
    const recovered = await second.waitForLog((l) => l['msg'] === 'rotation journal checked', 'the journal check');
    expect(recovered['recovery']).toBe('completed');
    const beside = lapsim(['status', '--json', '--state', db]);
    expect(beside.code, beside.stderr).toBe(0);
    expect(JSON.parse(beside.stdout)).toMatchObject({ rotationInFlight: false, lastResult: { success: true } });
    await second.waitForLog((l) => l['msg'] === 'session ended', 'the session on connect');
    second.proc.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.logs.some((l) => l['msg'] === 'agent stopped')).toBe(true);

    const held = lapsimJson<{ password: string }>(['password', '--state', db]).password;
    expect(held).toBe(escrowed);
    const logon = lapsim(['logon', 'Administrator', '--password', held, '--state', db]);
    expect(logon.code, logon.stderr).toBe(0);
    expect(first.output() + second.output()).not.toContain(held);
    expect(first.output()).not.toContain(TOKEN);
  });

  it('a simulated crash at a fault point kills the process; --once after it resolves the journal, runs a session and a cycle', async () => {
    const { db, deviceId, server } = await deviceWithServer();
    server.dm.enqueue(deviceId, lapsPolicy(POLICY));
    const crashed = agent(baseArgs(db, server), { LAPSIM_TEST_CRASH_AT: 'after-escrow' });
    expect((await crashed.exited).signal).toBe('SIGKILL');
    expect(crashed.logs.some((l) => l['msg'] === 'simulated crash' && l['point'] === 'after-escrow')).toBe(true);
    const once = agent([...baseArgs(db, server), '--once']);
    expect(await once.exited).toEqual({ code: 0, signal: null });
    expect(once.logs.find((l) => l['msg'] === 'rotation journal checked')?.['recovery']).toBe('completed');
    expect(once.logs.some((l) => l['msg'] === 'session ended' && l['result'] === 'complete')).toBe(true);
    const pw = lapsimJson<{ password: string }>(['password', '--state', db]).password;
    expect(lapsim(['logon', 'Administrator', '--password', pw, '--state', db]).code).toBe(0);
  });

  it('reads a JSON config file and LAPSIM_* variables; --once exits 1 when the server refuses the token', async () => {
    const { db, server } = await deviceWithServer();
    const file = join(tempDir('lapsim-agent-cfg-'), 'agent.json');
    writeFileSync(file, JSON.stringify({ state: db, server: server.url, token: 'wrong', logLevel: 'debug' }));
    const once = agent(['--config', file, '--once'], { LAPSIM_CONNECT_TIMEOUT: '2s' });
    expect((await once.exited).code).toBe(1);
    const config = once.logs.find((l) => l['msg'] === 'configuration')?.['config'] as Record<string, unknown>;
    expect(config).toMatchObject({ state: db, connectTimeoutMs: 2000, logLevel: 'debug', token: '[redacted]' });
    expect(once.logs.some((l) => l['code'] === 'LAPS_ERR_CHANNEL_AUTH')).toBe(true);
    expect(once.output()).not.toContain('"wrong"');
  });

  it('refuses a bad configuration with every problem, exit 2, before touching anything', async () => {
    const bad = agent(['--state', join(tempDir(), 'never.db'), '--server', 'http://x', '--poll-interval', 'often'], { LAPSIM_TIME_SCALE: 'fast' });
    expect((await bad.exited).code).toBe(2);
    const out = bad.output();
    expect(out).toContain('lapsim: invalid agent configuration:');
    expect(out).toMatch(/server \(from --server\)/);
    expect(out).toMatch(/pollInterval \(from --poll-interval\)/);
    expect(out).toMatch(/timeScale \(from LAPSIM_TIME_SCALE\)/);
  });
});
