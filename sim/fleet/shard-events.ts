/**
 * What happens when something is due for one device: a processing cycle (with its crash, its
 * fault and its excuses), a management session (and the cycle it asks for), a logon with the
 * managed account (and the post-authentication reset it starts). Each handler reschedules the
 * device for the next thing it has to do and runs the checks the event calls for.
 */
import { CrashSignal } from '../../agent/rotation/faults.js';
import { RETRY_AFTER_MAX_JITTER_MS } from '../../agent/device.js';
import type { CycleOutcome } from '../../agent/cycle.js';
import { HRESULT } from '../../agent/rotation/engine.js';
import { checkConverged, checkCycleExpiry, checkPasswordOpens, directoryPasswords } from './shard-checks.js';
import { HOUR, type Shard } from './shard.js';
import { KIND, TRIGGERS } from './shard-state.js';

/** Failures that come from the policy or the device's setup, not from the system under test. */
const SETUP_FAILURES = new Set([10013, 10027]);
/** A crashed device comes back after this long (fleet ms). */
export const RESTART_DELAY_MS = 5 * 60_000;

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Postpones a device event to when the device is on again; true when it was off. */
function postponedWhileOff(sh: Shard, i: number, kind: number): boolean {
  const t = sh.clock.now();
  if (sh.availability.online(i, t)) return false;
  const back = sh.availability.nextOnline(i, t);
  if (Number.isFinite(back)) {
    sh.state.excuse[i] = Math.max(sh.state.excuse[i]!, back);
    sh.want(i, kind, kind === KIND.cycle ? sh.tick(i, back) : back + 60_000);
  }
  return true;
}

/** The next cycle after an outcome: when the device says it is due, on its hourly tick. */
function scheduleNext(sh: Shard, i: number, o: CycleOutcome | undefined): void {
  const st = sh.state;
  const t = sh.clock.now();
  let due = sh.device(i).nextDueAt();
  if (o?.retryAfterMs !== undefined && o.retryAfterMs > 0 && o.hresult !== 0) {
    // The device adds a jitter from its own Rng; wait for its upper bound, so the run stays reproducible.
    due = o.time + o.retryAfterMs + Math.min(Math.floor(o.retryAfterMs / 10), RETRY_AFTER_MAX_JITTER_MS);
  }
  if (due === Number.POSITIVE_INFINITY) return;
  const fleetDue = due === Number.NEGATIVE_INFINITY ? t + 1 : Math.max(t + 1, due - st.skew[i]!);
  sh.want(i, KIND.cycle, sh.tick(i, fleetDue));
}

/** A processing cycle of device `i`. */
export async function runCycle(sh: Shard, i: number): Promise<void> {
  const st = sh.state;
  st.dueCycle[i] = Number.POSITIVE_INFINITY;
  if (postponedWhileOff(sh, i, KIND.cycle)) return;
  const trigger = TRIGGERS[st.trigger[i]!]!;
  st.trigger[i] = 0;
  const t = sh.clock.now();
  const device = sh.device(i);
  if (sh.crashed.delete(i)) {
    const r = await device.recover();
    sh.stats.recovery(r, sh.clock.now());
    const s = device.state();
    if (s.passwordExpiry !== undefined) st.expiry[i] = s.passwordExpiry;
  }
  const armed = st.fault[i]! > 0;
  const expiry = st.expiry[i]!;
  const expiredSince = !Number.isNaN(expiry) && sh.deviceNow(i) >= expiry ? expiry : undefined;
  let outcome: CycleOutcome | undefined;
  try {
    outcome = await device.processCycle(trigger);
  } catch (e) {
    if (!(e instanceof CrashSignal)) throw e;
    // The device died at a fault point: its memory is gone; it restarts a little later and
    // resolves the journal before anything else.
    sh.stats.counts.crashes++;
    sh.stats.counts.faults.injected++;
    st.fault[i] = 0;
    st.excuse[i] = t + RESTART_DELAY_MS;
    sh.devices.forget(i);
    sh.crashed.add(i);
    sh.logger.warn({ deviceId: st.deviceIds[i], point: e.point }, 'simulated crash; the device restarts');
    sh.wantCycle(i, t + RESTART_DELAY_MS, 'startup');
    return;
  }
  const fired = armed && (device.ctx.faults?.armed ?? 0) === 0;
  if (fired) {
    sh.stats.counts.faults.injected++;
    st.fault[i] = 0;
    sh.devices.forget(i);
  }
  if (outcome !== undefined) {
    const managed = device.policy().managed;
    const s = device.state();
    const expiredFor = expiredSince !== undefined && outcome.rotated ? outcome.time - expiredSince : undefined;
    sh.stats.cycle(outcome, t, expiredFor);
    const setup = outcome.hresult !== 0 && (SETUP_FAILURES.has(outcome.eventId) || outcome.hresult === HRESULT.NOT_SUPPORTED);
    const excused = fired || sh.gate.opOutage || sh.gate.opRetryAfterMs > 0 || setup;
    if (excused) st.excuse[i] = Math.max(st.excuse[i]!, t + (outcome.retryAfterMs ?? sh.gate.opRetryAfterMs));
    checkCycleExpiry(sh, i, managed ? expiredSince : undefined, outcome.rotated, excused,
      `${outcome.trigger} cycle, event ${outcome.eventId}, ${hex(outcome.hresult)}`);
    st.expiry[i] = managed && s.passwordExpiry !== undefined ? s.passwordExpiry : Number.NaN;
    if (s.lastBackupDirectory !== undefined) st.directory[i] = s.lastBackupDirectory;
    if (outcome.rotated || outcome.hresult !== 0 || trigger === 'startup') await checkPasswordOpens(sh, i);
  }
  scheduleNext(sh, i, outcome);
}

/** A management session of device `i`. */
export function runSession(sh: Shard, i: number): void {
  const st = sh.state;
  st.dueSession[i] = Number.POSITIVE_INFINITY;
  const t = sh.clock.now();
  if (!sh.server.up || !sh.availability.reachable(i, t)) {
    const at = sh.availability.nextReachable(i, t);
    if (Number.isFinite(at)) sh.want(i, KIND.session, at + 60_000);
    return;
  }
  const id = st.deviceIds[i]!;
  const r = sh.channel.session(i, id, sh.devices.cspRoots.forDevice(id), sh.population.builds[st.build[i]!]!);
  sh.stats.counts.sessions++;
  sh.stats.counts.batchesDelivered += r.batches;
  for (const id of r.answered) sh.seenBatches.delete(id);
  const cached = sh.devices.cached(i);
  if (r.changed) {
    cached?.policyChanged();
    sh.wantCycle(i, t, 'policy-change');
  }
  if (r.resetRequested) {
    cached?.resetRequested();
    sh.wantCycle(i, t, 'admin');
  }
  if (!r.pending) checkConverged(sh, i);
}

/** Someone signs in with the managed account, using the password the directory holds. */
export async function runLogon(sh: Shard, i: number): Promise<void> {
  const st = sh.state;
  st.dueLogon[i] = Number.POSITIVE_INFINITY;
  if (postponedWhileOff(sh, i, KIND.logon)) return;
  const t = sh.clock.now();
  const rate = sh.s.logons.perDevicePerMonth;
  if (rate > 0) sh.want(i, KIND.logon, t + Math.max(60_000, sh.sampler.exponential('logon', st.global[i]!, (30 * 24 * HOUR) / rate, ++st.logonRound[i]!)));
  const device = sh.device(i);
  const s = device.state();
  if (s.lastAccountRid === undefined) return;
  const newest = (await directoryPasswords(sh, i, s.lastBackupDirectory))[0];
  if (!newest) return;
  sh.watch.remember(newest.password.reveal(), st.deviceIds[i]);
  logonWith(sh, i, newest.accountName, newest.password);
  await checkPasswordOpens(sh, i);
}

/** A logon on the device; a post-authentication deadline brings its next cycle forward. */
export function logonWith(sh: Shard, i: number, name: string, password: import('../../core/secret.js').Secret): boolean {
  const r = sh.device(i).logon(name, password);
  if (r.ok) sh.stats.counts.logons.ok++;
  else sh.stats.counts.logons.refused++;
  if (r.postAuthDeadline !== undefined) sh.wantCycle(i, sh.tick(i, Math.max(sh.clock.now() + 1, r.postAuthDeadline - sh.state.skew[i]!)), 'background');
  return r.ok;
}
