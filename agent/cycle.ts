/**
 * One LAPS processing cycle (laps-behaviour.md 6.2): resolve the policy, choose the account,
 * decide whether and why to rotate, generate, escrow directory-first, set locally, record state
 * and the event sequence. Never throws for a LAPS failure: the outcome is events and a result.
 */
import type { Rng } from '../core/rng.js';
import { EscrowError, isLapsError } from '../core/errors.js';
import type { Secret } from '../core/secret.js';
import { guidFromBytes } from '../core/ids.js';
import type { CycleResult, DirectoryView, LapsState, LocalAccount, RotationTrigger } from './ports.js';
import type { EffectivePolicy } from './policy/types.js';
import { generatePassword } from './password/generator.js';
import { expiryFor, rotationReasons } from './rotation/decision.js';
import { adBackupOptions, detectsRollback, directoryQuery } from './rotation/ad-options.js';
import { escrowHresult, HRESULT, type Emit, type RotationEngine } from './rotation/engine.js';
import { activitiesFor, POST_AUTH_MAX_RETRIES, postAuthDue, rotatedSinceAuthentication } from './rotation/post-auth.js';
import { CrashSignal } from './rotation/faults.js';
import type { DeviceContext } from './device-context.js';
import { prepareManagedAccount, type AccountPreparation } from './accounts/managed-account.js';
import { checkLocalPasswordPolicy } from './password/local-policy.js';

/** Why a cycle runs; decides the event that says so and whether a rotation is forced. */
export type CycleTrigger = RotationTrigger;

const TRIGGER_EVENT: Partial<Record<CycleTrigger, number>> = {
  background: 10052,
  'policy-change': 10054,
  'post-auth': 10051,
  admin: 10014,
};

export interface CycleOutcome extends CycleResult {
  readonly reasons: number;
  readonly trigger: CycleTrigger;
  /** The directory asked the device to wait this long before its next attempt (HTTP 429 Retry-After), in ms. */
  readonly retryAfterMs?: number;
}

export async function runCycle(ctx: DeviceContext, engine: RotationEngine, requested: CycleTrigger): Promise<CycleOutcome> {
  const now = ctx.clock.now();
  const emit = ctx.emit;
  const resetPending = ctx.resets.pending();
  let trigger: CycleTrigger = resetPending ? 'admin' : requested;
  const state = ctx.state.load();
  const policy = ctx.policy();
  // The support sample logs the grace-period expiry (10042) before the cycle starts.
  const postAuth = policy.managed && postAuthDue(state, now);
  if (postAuth && !resetPending) {
    emit(10042, { accountName: ctx.accounts.byRid(state.postAuth!.rid)?.name ?? state.lastAccountName ?? '', rid: state.postAuth!.rid });
    trigger = 'post-auth';
  }
  emit(10003);

  if (!policy.managed) {
    // A policy that exists but cannot be used (legacy CSE installed, DC, join mismatch) is still
    // dumped (Windows' sample: 10023, 10033, 10004); a disabled one logs 10024.
    const dump = ctx.policyDump(policy);
    if (dump.id !== 10024 && policy.source !== 'None') emit(dump.id, dump.fields);
    for (const w of policy.warnings) emit(w.eventId, w.fields);
    if (policy.backupDirectory === 0 || policy.source === 'None') emit(10024);
    else ctx.log.warn({ reason: policy.notManagedReason ?? policy.notManagedCode ?? 'unknown' }, 'LAPS policy present but not managed on this device');
    if (resetPending) ctx.resets.complete(HRESULT.NOT_SUPPORTED);
    return finish(ctx, { trigger, reasons: 0, rotated: false, hresult: 0, eventId: 10004 });
  }
  for (const w of policy.warnings) emit(w.eventId, w.fields);
  const bd = policy.backupDirectory as 1 | 2;
  const dump = ctx.policyDump(policy);
  emit(dump.id, dump.fields);
  emit(bd === 2 ? 10009 : 10010);

  const triggerEvent = TRIGGER_EVENT[trigger];
  if (triggerEvent !== undefined) emit(triggerEvent);

  const fail = (eventId: number, hresult: number, reasons = 0, retryAfterMs?: number): CycleOutcome => {
    emit(10005, { errorCode: hresult });
    if (resetPending) ctx.resets.complete(hresult);
    if (postAuth) postAuthFailed(ctx, hresult);
    return finish(ctx, { trigger, reasons, rotated: false, hresult, eventId, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  };

  const prep: AccountPreparation = prepareManagedAccount(ctx, policy);
  if (!prep.ok) {
    emit(prep.eventId, prep.fields);
    return fail(prep.eventId, prep.hresult);
  }
  const account: LocalAccount = prep.account;
  const sid = ctx.sidOf(account.rid);

  // AD: expiry (and version) are read from the directory every cycle. Entra: the device never
  // asks; it trusts its local expiry (laps-behaviour.md 6.4).
  let view: DirectoryView = {};
  if (bd === 2) {
    try {
      view = await ctx.directory.view(ctx.identity.deviceId, directoryQuery(policy, ctx.identity.osBuild));
    } catch (e) {
      if (e instanceof CrashSignal) throw e;
      const hresult = escrowHresult(e as Error);
      if (e instanceof EscrowError && e.events.length > 0) {
        for (const ev of e.events) emit(ev.id, { ...ev.fields });
        return fail(e.events.at(-1)!.id, hresult);
      }
      emit(10011, { errorCode: hresult });
      return fail(10011, hresult);
    }
    for (const ev of view.events ?? []) emit(ev.id, { ...ev.fields });
  }
  // Rollback detection (24H2, AD): a version GUID per rotation, compared every cycle.
  const rollback = bd === 2 && view.passwordVersionSupported === true && detectsRollback(ctx.identity.osBuild);

  const reasons = rotationReasons({
    now, source: policy.source, backupDirectory: bd, passwordAgeDays: policy.passwordAgeDays,
    expirationProtection: policy.passwordExpirationProtectionEnabled, account: { rid: account.rid, name: prep.expectedName },
    state, directory: view, encryptionTarget: view.encryptionTarget, checkPasswordVersion: rollback,
  });
  const forced = trigger === 'admin' || (trigger === 'post-auth' && !rotatedSinceAuthentication(state));
  if (reasons === 0 && !forced) {
    if (postAuth) postAuthSucceeded(ctx, state, account, now);
    emit(10016);
    return finish(ctx, { trigger, reasons, rotated: false, hresult: 0, eventId: 10004 });
  }
  if (reasons !== 0) emit(10015, { reasons });

  let password: Secret;
  try {
    password = generatePassword({ complexity: policy.passwordComplexity, length: policy.passwordLength, passphraseLength: policy.passphraseLength }, ctx.rng);
    const check = ctx.localPasswordPolicy ? checkLocalPasswordPolicy(password, { ...ctx.localPasswordPolicy, accountName: prep.renameTo ?? account.name }) : undefined;
    if (check && !check.ok) throw new Error(`password refused by the local password policy (${check.violations.join(', ')})`);
  } catch (e) {
    ctx.log.error({ reason: isLapsError(e) ? e.message : (e as Error).message }, 'password generation failed');
    emit(10027);
    return fail(10027, HRESULT.PASSWORD_RESTRICTION, reasons);
  }

  const intent = {
    rotationId: newId(ctx.rng), accountRid: account.rid, accountName: account.name, accountSid: sid,
    ...(prep.renameTo !== undefined ? { renameTo: prep.renameTo } : {}),
    reasons, trigger, startedAt: now, expiry: expiryFor(now, policy.passwordAgeDays), backupDirectory: bd, policySource: policy.source,
    ...(rollback ? { passwordVersion: newId(ctx.rng) } : {}),
    ...(view.encryptionTarget !== undefined ? { encryptionTarget: view.encryptionTarget } : {}),
    ...(bd === 2 ? { ad: adBackupOptions(policy, view) } : {}),
  };
  // The result of this cycle goes into the rotation's final commit (one state write).
  const outcome = await engine.rotate(intent, password, { time: ctx.clock.now(), hresult: 0, eventId: 10004, rotated: true });
  if (!outcome.ok) {
    const eventId = outcome.stage === 'escrow' ? (bd === 1 ? 10028 : 10017) : outcome.stage === 'local' ? 10019 : 10005;
    const retryAfterMs = outcome.stage === 'escrow' && outcome.error instanceof EscrowError ? outcome.error.retryAfterMs : undefined;
    return fail(eventId, outcome.hresult, reasons, retryAfterMs);
  }
  if (resetPending) ctx.resets.complete(HRESULT.S_OK);
  if (postAuth) postAuthSucceeded(ctx, ctx.state.load(), account, now);
  return finish(ctx, { trigger, reasons, rotated: true, hresult: 0, eventId: 10004 });
}

/**
 * Ends the cycle: 10004 on success and the result in LAPS state (a rotation already committed its
 * result together with its new state).
 */
function finish(ctx: DeviceContext, o: Omit<CycleOutcome, 'time'>): CycleOutcome {
  const time = ctx.clock.now();
  if (o.hresult === 0) ctx.emit(10004);
  if (!o.rotated) ctx.state.save(withResult(ctx.state.load(), time, o));
  return { ...o, time };
}

function withResult(s: LapsState, time: number, o: { hresult: number; eventId: number; rotated: boolean }): LapsState {
  const failures = o.hresult === 0 ? 0 : (s.failures ?? 0) + 1;
  return { ...s, lastResult: { time, hresult: o.hresult, eventId: o.eventId, rotated: o.rotated }, failures };
}

function postAuthSucceeded(ctx: DeviceContext, state: LapsState, account: LocalAccount, now: number): void {
  const p = state.postAuth;
  if (!p) return;
  const name = ctx.accounts.byRid(p.rid)?.name ?? account.name;
  for (const a of activitiesFor(p.actions, name, now)) ctx.activity.append(a);
  ctx.emit(10044, { accountName: name, rid: p.rid });
  const { postAuth: _done, ...rest } = ctx.state.load();
  ctx.state.save(rest);
}

function postAuthFailed(ctx: DeviceContext, hresult: number): void {
  const s = ctx.state.load();
  const p = s.postAuth;
  if (!p) return;
  const retries = p.retries + 1;
  const name = ctx.accounts.byRid(p.rid)?.name ?? '';
  if (retries >= POST_AUTH_MAX_RETRIES) {
    ctx.emit(10048, { retryCount: retries });
    const { postAuth: _gone, ...rest } = s;
    ctx.state.save(rest);
    return;
  }
  ctx.emit(10043, { accountName: name, rid: p.rid, retryCount: retries, errorCode: hresult });
  ctx.state.save({ ...s, postAuth: { ...p, retries } });
}

function newId(rng: Rng): string {
  return guidFromBytes(rng.bytes(16));
}

export type { EffectivePolicy, Emit };
