/**
 * Agent figures over real WebSockets on loopback: sessions per second for 1,000 agents connected
 * to one server in one process; the time from a policy change to all 1,000 devices having applied
 * it (CSP committed and the rotation it triggers done); memory per connected device with 10,000
 * agents in one process (the server in a child process, so that each process holds one end of
 * each socket). Figures are printed, never asserted.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SystemClock } from '../core/clock.js';
import { cryptoRng } from '../core/rng.js';
import { MemoryDirectory } from '../agent/escrow/memory-directory.js';
import type { AgentService } from '../agent/service/agent-service.js';
import { WsConnector } from '../agent/transport/ws-connector.js';
import { managedDeviceProcessor, memoryAgent, memoryManagedDevice, type MemoryManagedDevice } from '../sim/memory-agent.js';
import { startDmServer } from '../sim/server/start-dm-server.js';
import { lapsPolicy } from '../sim/server/syncml-commands.js';
import type { Report } from './report.js';

const AGENTS = 1000;
const ROUNDS = 5;
const HELD = 10_000;
const DAY = 86_400_000;

interface Fleet {
  readonly devices: MemoryManagedDevice[];
  readonly agents: AgentService[];
}

const id = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function fleet(n: number, server: string): Fleet {
  const clock = new SystemClock({ unref: false });
  const rng = cryptoRng();
  const processor = managedDeviceProcessor(clock);
  const directory = new MemoryDirectory();
  const devices: MemoryManagedDevice[] = [];
  const agents: AgentService[] = [];
  for (let i = 0; i < n; i++) {
    const managed = memoryManagedDevice({
      identity: { deviceId: id(i), name: `PC${i}`, osBuild: '10.0.26100.4349', joinType: 'entra', isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1-2-3' },
      clock, rng, directory, processor,
    });
    devices.push(managed);
    agents.push(memoryAgent({
      managed, connector: new WsConnector({ server, deviceId: id(i), token: 'bench' }), clock, realClock: clock, rng, hourly: 'clock',
      pollIntervalMs: DAY, sessionTimeoutMs: 60_000, backoff: { initialMs: 200, maxMs: 2000 },
    }));
  }
  return { devices, agents };
}

async function until(pred: () => boolean, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Starts the agents in batches; each batch is connected and through its first session before the next. */
async function startAll(f: Fleet, batch: number): Promise<void> {
  for (let b = 0; b < f.agents.length; b += batch) {
    const slice = f.agents.slice(b, b + batch);
    await Promise.all(slice.map((a) => a.start()));
    await until(() => slice.every((a) => a.link.state === 'open' && !a.link.inSession), `agents ${b}-${b + slice.length - 1} connected`);
  }
}

async function sessionsAndPolicy(report: Report): Promise<void> {
  const server = await startDmServer({ authorize: () => true, keepTranscripts: false, sessionHistory: 2 });
  let complete = 0;
  server.dm.on((e) => { if (e.type === 'session-end' && e.session.result === 'complete') complete++; });
  const f = fleet(AGENTS, server.url);
  try {
    await startAll(f, 250);
    await until(() => complete >= AGENTS && f.agents.every((a) => !a.link.inSession), 'the sessions on connect');
    const start = process.hrtime.bigint();
    for (let r = 0; r < ROUNDS; r++) {
      const target = complete + AGENTS;
      for (let i = 0; i < AGENTS; i++) server.dm.requestSession(id(i));
      await until(() => complete >= target && f.agents.every((a) => !a.link.inSession), `session round ${r + 1}`);
    }
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    report({ name: `sessions/s, ${AGENTS} agents on one server, one process (trigger + 2 round trips)`, value: (ROUNDS * AGENTS) / secs, unit: 'sessions/s' });

    const t0 = process.hrtime.bigint();
    for (let i = 0; i < AGENTS; i++) server.dm.send(id(i), lapsPolicy({ BackupDirectory: 1, PasswordAgeDays: 30, PasswordLength: 16 }));
    await until(() => f.devices.every((d) => d.device.state().lastPolicySource === 'CSP' && d.device.state().lastResult?.rotated === true), 'every device to apply the policy');
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    report({ name: `policy change to all ${AGENTS} devices applied (CSP commit + rotation + escrow)`, value: ms, unit: 'ms' });
  } finally {
    await Promise.all(f.agents.map((a) => a.stop()));
    await server.close();
  }
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function heldMemory(report: Report): Promise<void> {
  const gc = gcFunction();
  const child = spawn(process.execPath, [fileURLToPath(new URL('./dm-server-process.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server process exited (${code})`)));
      child.stdout!.on('data', (b: Buffer) => {
        const m = /PORT (\d+)/.exec(b.toString());
        if (m) resolve(Number(m[1]));
      });
    });
    for (let i = 0; i < 3; i++) gc();
    const before = process.memoryUsage();
    const f = fleet(HELD, `ws://127.0.0.1:${port}`);
    const startAt = process.hrtime.bigint();
    await startAll(f, 500);
    const connectSecs = Number(process.hrtime.bigint() - startAt) / 1e9;
    for (let i = 0; i < 3; i++) gc();
    const after = process.memoryUsage();
    const perRss = (after.rss - before.rss) / HELD / 1024;
    const perHeap = (after.heapUsed + after.external - before.heapUsed - before.external) / HELD / 1024;
    report({ name: `memory per connected device, ${HELD.toLocaleString('en-US')} agents in one process (RSS)`, value: perRss, unit: 'KiB', goal: { op: '<=', value: 64 } });
    report({ name: `memory per connected device, ${HELD.toLocaleString('en-US')} agents (JS heap + external)`, value: perHeap, unit: 'KiB', goal: { op: '<=', value: 64 } });
    report({ name: `connect + first session, ${HELD.toLocaleString('en-US')} agents (batches of 500)`, value: HELD / connectSecs, unit: 'agents/s' });
    await Promise.all(f.agents.map((a) => a.stop()));
  } finally {
    child.stdin!.end();
    child.kill();
  }
}

export async function run(report: Report): Promise<void> {
  await sessionsAndPolicy(report);
  await heldMemory(report);
}
