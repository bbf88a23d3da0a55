/**
 * The invariant checks of a shard, run as things happen: after a device's cycle, session,
 * logon or admin action, when the server hands a device a batch, every simulated day, and once
 * more for every device at the end. Each check goes through the InvariantBook, which counts it
 * and opens a breach when it fails.
 */
import { Secret } from '../../core/secret.js';
import { LAPS_ROOT_URI } from '../../csp/laps/nodes.js';
import type { BodyElement } from '../../csp/syncml/types.js';
import type { StoredCredential } from '../../agent/ports.js';
import type { OutboundBatch } from '../intune/delivery.js';
import { sameCspValues, type Expectation } from './conflict-oracle.js';
import { entraCredentials } from './fleet-escrow.js';
import { cspTextValues } from './fleet-policies.js';
import type { CheckedDevice } from './invariants.js';
import { HOUR, type Shard } from './shard.js';

const POLICIES_PREFIX = `${LAPS_ROOT_URI}/Policies/`;

/** The device as breaches name it. */
export function checked(sh: Shard, i: number): CheckedDevice {
  return { index: i, deviceId: sh.state.deviceIds[i]!, name: sh.state.names[i]! };
}

function touchesPolicy(e: BodyElement): boolean {
  if (e.kind === 'Atomic' || e.kind === 'Sequence') return e.children.some(touchesPolicy);
  if (e.kind !== 'Replace' && e.kind !== 'Add' && e.kind !== 'Delete') return false;
  return e.items.some((it) => it.target?.locUri.startsWith(POLICIES_PREFIX) === true);
}

/** What the rules say the device should get now. */
export function expectation(sh: Shard, i: number): Expectation {
  const st = sh.state;
  const u = st.user[i]!;
  return sh.oracle.expect(st.groups[i]!, u < 0 ? undefined : sh.s.users[u]!.name, sh.population.builds[st.build[i]!]!);
}

/** Conflicts: a device whose policies conflict must not be sent new LAPS values. */
export function checkBatch(sh: Shard, i: number, batch: OutboundBatch): void {
  if (sh.seenBatches.has(batch.batchId)) return;
  sh.seenBatches.add(batch.batchId);
  if (!batch.commands.some(touchesPolicy)) return;
  const e = expectation(sh, i);
  sh.book.check('conflicts', !e.conflict, checked(sh, i), sh.clock.now(),
    () => `the server sent LAPS values to a device whose policies conflict (${e.conflicting.join(', ')}); it must keep the values last applied or get none`);
}

/**
 * Conflicts: with nothing left to deliver, a device without conflict holds exactly its merged
 * policy values; a device under a conflict holds what it last applied (the values it confirmed
 * to the server), or nothing when it never applied any.
 */
export function checkConverged(sh: Shard, i: number): void {
  const e = expectation(sh, i);
  if (e.desired === undefined) {
    const rec = sh.server.service.directory.device(sh.state.managed[i]!);
    const applied = cspTextValues(sh.server.service.config.view(rec).state.applied);
    const held = sh.devices.cspValues(sh.state.deviceIds[i]!);
    sh.book.check('conflicts', sameCspValues(held, applied), checked(sh, i), sh.clock.now(),
      () => `under conflicting policies (${e.conflicting.join(', ')}) the device holds ${describe(held)}, not the values it last applied (${describe(applied)})`);
    return;
  }
  const values = sh.devices.cspValues(sh.state.deviceIds[i]!);
  sh.book.check('conflicts', sameCspValues(values, e.desired), checked(sh, i), sh.clock.now(),
    () => `after its last session the device holds ${describe(values)}; its policies (${e.policies.join(', ') || 'none'}) give ${describe(e.desired!)}`);
}

function describe(values: ReadonlyMap<string, string>): string {
  return [...values].map(([k, v]) => `${k}=${v}`).join(', ') || 'nothing';
}

/** The passwords the device's directory holds, newest first (read by the fleet, past any fault). */
export async function directoryPasswords(sh: Shard, i: number, backupDirectory: number | undefined): Promise<StoredCredential[]> {
  const id = sh.state.deviceIds[i]!;
  if (backupDirectory === 2) return sh.ad ? sh.ad.credentials(i, id) : [];
  return entraCredentials(sh.server.entra, id);
}

/**
 * Password opens: the managed account opens with a password the directory holds. After a
 * rotation the directory has just taken the new password (it is its newest): that one is tried
 * first, without reading the directory back. A device with a rotation in flight is checked when
 * it has resolved it.
 */
export async function checkPasswordOpens(sh: Shard, i: number): Promise<void> {
  const id = sh.state.deviceIds[i]!;
  const state = sh.devices.cached(i)?.state() ?? sh.devices.ports.state(id).load();
  const rid = state.lastAccountRid;
  if (rid === undefined) return;
  const accounts = sh.devices.accounts(id);
  const taken = sh.storedThisOp.get(id);
  if (taken !== undefined && accounts.verifyPassword(rid, new Secret(taken))) {
    sh.book.check('password-opens', true, checked(sh, i), sh.clock.now(), () => '');
    return;
  }
  // A rotation in flight (a crashed device, before it restarts and resolves its journal) is
  // judged once the journal is resolved: the journal holds the new password until then.
  if (sh.devices.ports.journal(id).current() !== undefined) return;
  const creds = await directoryPasswords(sh, i, state.lastBackupDirectory);
  for (const c of creds) {
    sh.watch.remember(c.password.reveal(), id);
    sh.finalPasswords?.add(c.password.reveal());
  }
  const ok = creds.some((c) => accounts.verifyPassword(rid, c.password));
  sh.book.check('password-opens', ok, checked(sh, i), sh.clock.now(), () =>
    `account ${state.lastAccountName ?? rid} opens with none of the ${creds.length} password(s) the ${state.lastBackupDirectory === 2 ? 'AD' : 'Entra'} directory holds`);
}

/**
 * Expiry, per cycle: a cycle that starts with the password expired must rotate it, unless the
 * device has an excuse (directory unreachable or throttled, an injected fault, a policy that
 * cannot be applied: see `excused`).
 */
export function checkCycleExpiry(sh: Shard, i: number, expiredSince: number | undefined, rotated: boolean, excused: boolean, detail: string): void {
  if (expiredSince === undefined) return;
  sh.book.check('expiry', rotated || excused, checked(sh, i), sh.clock.now(),
    () => `a cycle ran with the password expired since ${new Date(expiredSince).toISOString()} and did not rotate it (${detail})`);
}

/**
 * Expiry, every simulated day: no online device may be past its expiry by more than one cycle
 * (an hour) since the later of the expiry and its last excuse (offline, outage, fault, jump).
 */
export function expirySweep(sh: Shard): void {
  const st = sh.state;
  const t = sh.clock.now();
  const entraEnd = sh.gate.outageEnd('entra', t);
  const adEnd = sh.gate.outageEnd('ad', t);
  for (let i = 0; i < st.n; i++) {
    const expiry = st.expiry[i]!;
    if (Number.isNaN(expiry) || !sh.availability.online(i, t)) continue;
    const since = Math.max(expiry - st.skew[i]!, st.excuse[i]!, sh.availability.onlineSince(i, t), st.directory[i] === 2 ? adEnd : entraEnd);
    const ok = t - since <= HOUR + 60_000;
    sh.book.check('expiry', ok, checked(sh, i), t, () =>
      `the password expired at ${new Date(expiry).toISOString()} (device time) and no cycle rotated it within one cycle while the device was online and its directory reachable`);
  }
}

/** No password leak: searches the operation's log lines and events; withholds a leaking line. */
export function settle(sh: Shard): void {
  const n = sh.watch.pendingTexts;
  const leaks = sh.watch.settle();
  sh.book.count('no-password-leak', n - leaks.length);
  const withheld = new Set<string>();
  for (const l of leaks) {
    withheld.add(l.text);
    const i = l.deviceId === undefined ? undefined : sh.state.indexOf(l.deviceId);
    sh.book.check('no-password-leak', false, i === undefined ? undefined : checked(sh, i), sh.clock.now(), () => `a ${l.where} holds a password of the device`);
  }
  sh.log.release(withheld);
  sh.storedThisOp.clear();
}
