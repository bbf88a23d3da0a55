/**
 * The agent service on a memory device and the scriptable server over memory channels: policy
 * over a session then a rotation, ResetPassword and its status, CSP messages and cycles never
 * interleaving, --once, graceful stop with a rotation in flight, a simulated crash.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { ChannelError } from '../../../core/errors.js';
import { Secret } from '../../../core/secret.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { MemoryDirectory } from '../../../agent/escrow/memory-directory.js';
import type { BackupRequest } from '../../../agent/ports.js';
import { CrashSignal, FaultInjector } from '../../../agent/rotation/faults.js';
import type { AgentService } from '../../../agent/service/agent-service.js';
import { memoryAgent, memoryManagedDevice, type MemoryManagedDevice } from '../../../sim/memory-agent.js';
import { DmServer } from '../../../sim/server/dm-server.js';
import { exec, get, lapsPolicy, RESET_PASSWORD_STATUS_URI, RESET_PASSWORD_URI, sequence } from '../../../sim/server/syncml-commands.js';
import { DEVICE_ID, flush, identity, MARCH_1, TOKEN, until } from '../../helpers/managed-device.js';

/** A directory whose backups wait until released. */
class GatedDirectory extends MemoryDirectory {
  #gate: Promise<void> | undefined;
  #release: (() => void) | undefined;
  entered = 0;
  close(): void {
    this.#gate = new Promise((r) => { this.#release = r; });
  }
  open(): void {
    this.#release?.();
    this.#gate = undefined;
  }
  override async backup(req: BackupRequest): Promise<void> {
    this.entered++;
    if (this.#gate) await this.#gate;
    return super.backup(req);
  }
}

interface Rig {
  clock: ManualClock;
  server: DmServer;
  managed: MemoryManagedDevice;
  directory: GatedDirectory;
  agent: AgentService;
  crashes: CrashSignal[];
  faults: FaultInjector;
}

function rig(opts: { shutdownGraceMs?: number } = {}): Rig {
  const clock = new ManualClock(MARCH_1);
  const rng = new SeededRng(11);
  const directory = new GatedDirectory();
  const faults = new FaultInjector();
  const managed = memoryManagedDevice({ identity: identity(), clock, rng, directory, faults });
  const server = new DmServer({ clock });
  server.addDevice(DEVICE_ID, TOKEN);
  const crashes: CrashSignal[] = [];
  const agent = memoryAgent({
    managed, connector: server.memoryConnector(DEVICE_ID, TOKEN), clock, realClock: clock, rng, hourly: 'clock',
    shutdownGraceMs: opts.shutdownGraceMs ?? 30_000, onCrash: (e) => crashes.push(e),
  });
  return { clock, server, managed, directory, agent, crashes, faults };
}

const POLICY = { BackupDirectory: 1, PasswordAgeDays: 30, PasswordComplexity: 4, PasswordLength: 16 };

/** The device has seen the end of its n-th session and the cycles it asked for have run. */
async function settled(r: Rig, sessions: number): Promise<void> {
  await r.server.waitForSessions(DEVICE_ID, sessions);
  await until(() => !r.agent.link.inSession, 'the device session to end');
  await r.agent.runner.idle();
}

async function newestPassword(r: Rig): Promise<Secret | undefined> {
  return (await r.directory.credentials(DEVICE_ID))[0]?.password;
}

describe('agent service', () => {
  it('a policy applied in the session on connect reaches the device, and the cycle at session end escrows a password that opens the account', async () => {
    const r = rig();
    const [policy] = r.server.enqueue(DEVICE_ID, lapsPolicy(POLICY));
    await r.agent.start();
    await settled(r, 1);
    expect(policy).toMatchObject({ state: 'answered', status: 200 });
    expect(policy!.statuses.map((s) => s.code)).toEqual([200, 200, 200, 200, 200]);
    const pw = await newestPassword(r);
    expect(pw?.length).toBe(16);
    expect(r.managed.device.logon('Administrator', pw!).ok).toBe(true);
    expect(r.managed.device.state().lastResult).toMatchObject({ hresult: 0, rotated: true });
    r.server.assertNothingPending();
    await r.agent.stop();
  });

  it('Exec ResetPassword then Get ResetPasswordStatus: E_PENDING in the same package, 0 in a later session, and a new password', async () => {
    const r = rig();
    r.server.enqueue(DEVICE_ID, lapsPolicy(POLICY));
    await r.agent.start();
    await settled(r, 1);
    const before = await newestPassword(r);
    const [reset] = r.server.send(DEVICE_ID, sequence(exec(RESET_PASSWORD_URI), get(RESET_PASSWORD_STATUS_URI)));
    await settled(r, 2);
    expect(reset!.statuses.map((s) => [s.cmd, s.code])).toEqual([['Sequence', 200], ['Exec', 200], ['Get', 200]]);
    expect(reset!.results).toEqual([{ uri: RESET_PASSWORD_STATUS_URI, format: 'int', data: '-2147483638' }]);
    const [status] = r.server.send(DEVICE_ID, get(RESET_PASSWORD_STATUS_URI));
    await settled(r, 3);
    expect(status!.results[0]?.data).toBe('0');
    const after = await newestPassword(r);
    expect(after!.equals(before!)).toBe(false);
    expect(r.managed.device.logon('Administrator', after!).ok).toBe(true);
    await r.agent.stop();
  });

  it('a session message waits for the cycle in flight: ResetPasswordStatus is read after the rotation, never torn', async () => {
    const r = rig();
    r.server.enqueue(DEVICE_ID, lapsPolicy(POLICY));
    await r.agent.start();
    await settled(r, 1);
    r.directory.close();
    r.server.send(DEVICE_ID, exec(RESET_PASSWORD_URI));
    await r.server.waitForSessions(DEVICE_ID, 2);
    await until(() => r.directory.entered === 2, 'the reset rotation to reach the directory');
    const [status] = r.server.send(DEVICE_ID, get(RESET_PASSWORD_STATUS_URI));
    await flush(10);
    expect(status!.state).toBe('sent');
    expect(r.agent.queue.pending).toBe(2);
    r.directory.open();
    await until(() => status!.state === 'answered', 'the status Get to be answered');
    expect(status!.results[0]?.data).toBe('0');
    expect(r.managed.root.load().reset).toMatchObject({ status: 0, pending: false });
    await r.agent.stop();
  });

  it('runOnce: one session, then the cycle it asked for', async () => {
    const r = rig();
    r.server.enqueue(DEVICE_ID, lapsPolicy(POLICY));
    const out = await r.agent.runOnce();
    expect(out.session).toMatchObject({ result: 'complete', changed: true, origin: 'once' });
    expect(out.cycle).toMatchObject({ trigger: 'policy-change', rotated: true, hresult: 0 });
    await flush();
    expect(r.server.isConnected(DEVICE_ID)).toBe(false);
  });

  it('runOnce without a server still runs a processing cycle and reports the channel error', async () => {
    const clock = new ManualClock(MARCH_1);
    const managed = memoryManagedDevice({ identity: identity(), clock, rng: new SeededRng(2) });
    const refused = new ChannelError('LAPS_ERR_CHANNEL_CONNECT', 'connect ECONNREFUSED 127.0.0.1:9');
    const agent = memoryAgent({ managed, connector: { url: 'ws://127.0.0.1:9', connect: () => Promise.reject(refused) }, clock, realClock: clock, rng: new SeededRng(2) });
    const out = await agent.runOnce();
    expect(out).toMatchObject({ session: undefined, sessionError: { code: 'LAPS_ERR_CHANNEL_CONNECT' }, cycle: { trigger: 'manual-processing', hresult: 0 } });
  });

  it('stop waits for the rotation in flight, and gives up after the grace period leaving it journaled', async () => {
    const r = rig({ shutdownGraceMs: 5000 });
    r.directory.close();
    r.server.enqueue(DEVICE_ID, lapsPolicy(POLICY));
    await r.agent.start();
    await until(() => r.directory.entered === 1, 'the rotation to reach the directory');
    const stopped = r.agent.stop();
    await flush();
    r.clock.advance(5000);
    expect(await stopped).toBe(false);
    expect(r.managed.device.ctx.journal.current()?.phase).toBe('intent');
    r.directory.open();
    await flush();
  });

  it('stop returns true once the rotation in flight finished', async () => {
    const r = rig();
    r.directory.close();
    r.server.enqueue(DEVICE_ID, lapsPolicy(POLICY));
    await r.agent.start();
    await until(() => r.directory.entered === 1, 'the rotation to reach the directory');
    const stopped = r.agent.stop();
    await flush();
    r.directory.open();
    expect(await stopped).toBe(true);
    expect(r.managed.device.ctx.journal.current()).toBeUndefined();
    expect(r.managed.device.state().lastResult).toMatchObject({ rotated: true });
  });

  it('a simulated crash in a rotation reaches onCrash; a restarted device resolves the journal first', async () => {
    const r = rig();
    r.faults.arm({ point: 'after-escrow', mode: 'crash' });
    r.server.enqueue(DEVICE_ID, lapsPolicy(POLICY));
    await r.agent.start();
    await until(() => r.crashes.length === 1, 'the crash');
    expect(r.crashes[0]!.point).toBe('after-escrow');
    expect(r.managed.device.ctx.journal.current()?.phase).toBe('escrowed');
    await r.agent.stop();
    expect(await r.managed.device.recover()).toBe('completed');
    expect(r.managed.device.logon('Administrator', (await newestPassword(r))!).ok).toBe(true);
  });
});
