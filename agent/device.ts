/**
 * A simulated Windows device running LAPS: composition of its ports, the processing cycle, the
 * rotation engine, post-authentication and Reset-LapsPassword. One instance per device; a fleet
 * holds many, so idle cycles are answered from memory without touching the store.
 */
import type { Clock } from '../core/clock.js';
import { noopLogger, type Logger } from '../core/logger.js';
import type { Rng } from '../core/rng.js';
import type { Secret } from '../core/secret.js';
import { ImplementationError } from '../core/errors.js';
import { accountSid } from './accounts/sid.js';
import { checkLogon } from './accounts/logon.js';
import type { DeviceContext, DeviceIdentity, DeviceOptions, DevicePorts } from './device-context.js';
import { makeEvent } from './events/make-event.js';
import type { LapsEventId } from './events/catalogue.js';
import { sharedPolicy, sharedPolicyDump } from './policy/shared-policy.js';
import type { EffectivePolicy } from './policy/types.js';
import type { EventFieldValue, LapsEvent, LapsState, LocalAccount } from './ports.js';
import { runCycle, type CycleOutcome, type CycleTrigger } from './cycle.js';
import { RotationEngine } from './rotation/engine.js';
import type { FaultInjector } from './rotation/faults.js';
import { afterAuthentication } from './rotation/post-auth.js';

/** The fields of events emitted without any. */
const NO_FIELDS: Readonly<Record<string, EventFieldValue>> = Object.freeze({});

/** Largest jitter added to a directory's Retry-After before the next background attempt. */
export const RETRY_AFTER_MAX_JITTER_MS = 60_000;

export interface DeviceDeps extends DevicePorts {
  readonly identity: DeviceIdentity;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger?: Logger;
  readonly faults?: FaultInjector;
  readonly options?: DeviceOptions;
  /**
   * A token that changes when someone else wrote the device's store (another process beside a
   * running agent: `lapsim policy set`, `lapsim account add`); a change drops the cached policy
   * and the idle plan, as a Group Policy change notification would.
   */
  readonly externalVersion?: () => number;
}

export interface LogonResult {
  readonly ok: boolean;
  readonly account: LocalAccount | undefined;
  /** Why a logon failed, as LogonUser reports it (1326 bad name or password, 1331 disabled). */
  readonly win32Error?: number;
  /** Set when this logon started a post-authentication deadline. */
  readonly postAuthDeadline?: number;
}

export class Device {
  readonly ctx: DeviceContext;
  readonly engine: RotationEngine;
  #policy: EffectivePolicy | undefined;
  readonly #sids = new Map<number, string>();
  readonly #externalVersion: (() => number) | undefined;
  #seenVersion: number | undefined;
  /** Events of the cycle in progress, written in one go when it ends. */
  #cycleEvents: LapsEvent[] | undefined;
  /** False until the journal was checked, and again after a failed cycle. */
  #recovered = false;
  /** Background cycles before this time have nothing to do (see `#planIdle`). */
  #idleUntil = Number.NEGATIVE_INFINITY;
  /**
   * True while the store is known to hold no pending ResetPassword: read once, then kept until a
   * request arrives (`resetRequested`, `resetPassword`) or someone else writes the store.
   */
  #noResetPending = false;

  constructor(deps: DeviceDeps) {
    const log = (deps.logger ?? noopLogger).child({ deviceId: deps.identity.deviceId });
    this.#externalVersion = deps.externalVersion;
    const transaction = deps.transaction ?? (<T>(fn: () => T): T => fn());
    const emit = (id: number, fields: Readonly<Record<string, EventFieldValue>> = NO_FIELDS): void => {
      const event = makeEvent(id as LapsEventId, fields as never, deps.clock.now());
      if (this.#cycleEvents) this.#cycleEvents.push(event);
      else deps.events.append(event);
    };
    this.ctx = {
      identity: deps.identity, clock: deps.clock, rng: deps.rng, log, transaction, faults: deps.faults, options: deps.options ?? {},
      localPasswordPolicy: deps.options?.localPasswordPolicy, emit,
      accounts: deps.accounts, state: deps.state, journal: deps.journal, events: deps.events, activity: deps.activity,
      roots: deps.roots, directory: deps.directory, resets: this.#knownResets(deps.resets),
      policy: () => this.policy(),
      policyDump: sharedPolicyDump,
      sidOf: (rid) => {
        let sid = this.#sids.get(rid);
        if (sid === undefined) this.#sids.set(rid, (sid = accountSid(deps.identity.domainSid, rid)));
        return sid;
      },
    };
    this.engine = new RotationEngine({
      deviceId: deps.identity.deviceId, deviceName: deps.identity.name, accounts: deps.accounts, journal: deps.journal,
      state: deps.state, directory: deps.directory, transaction, emit, faults: deps.faults,
      log: (fields) => log.warn(fields, 'rotation step failed'),
    });
  }

  /** The reset requests, with "none pending" remembered between cycles (one query less per cycle). */
  #knownResets(store: DeviceDeps['resets']): DeviceDeps['resets'] {
    return {
      pending: () => {
        if (this.#noResetPending) return false;
        const pending = store.pending();
        this.#noResetPending = !pending;
        return pending;
      },
      request: (at) => {
        this.#noResetPending = false;
        store.request(at);
      },
      complete: (hresult) => {
        store.complete(hresult);
        this.#noResetPending = true;
      },
      status: () => store.status(),
    };
  }

  get identity(): DeviceIdentity {
    return this.ctx.identity;
  }

  /** The effective policy, resolved from the four roots (cached until `policyChanged`). */
  policy(): EffectivePolicy {
    if (!this.#policy) {
      const opts = this.ctx.options.entraMinAgeMode ? { entraMinAgeMode: this.ctx.options.entraMinAgeMode } : {};
      this.#policy = sharedPolicy(this.ctx.roots.load(), this.ctx.identity, opts);
    }
    return this.#policy;
  }

  /** A policy root changed (CSP session, Group Policy refresh, `lapsim policy set`). */
  policyChanged(): void {
    this.#policy = undefined;
    this.#idleUntil = Number.NEGATIVE_INFINITY;
    this.#noResetPending = false;
  }

  /**
   * Resolves a rotation left in flight by a crash; runs once, before anything else.
   * @returns what the journal held and what was done with it
   */
  async recover(): Promise<'none' | 'completed' | 'discarded' | 'failed'> {
    const r = await this.engine.recover();
    this.#recovered = r !== 'failed';
    if (r !== 'none') this.ctx.log.info({ recovery: r }, 'resolved a rotation left in flight');
    return r;
  }

  /**
   * One processing cycle. A background cycle with nothing to do returns `undefined` at once
   * (no store access, no events): a fleet runs millions of them.
   */
  async processCycle(trigger: CycleTrigger = 'background'): Promise<CycleOutcome | undefined> {
    if (this.#externalVersion) {
      const v = this.#externalVersion();
      if (v !== this.#seenVersion) {
        this.#seenVersion = v;
        this.policyChanged();
      }
    }
    if (trigger === 'background' && this.ctx.clock.now() < this.#idleUntil) return undefined;
    if (!this.#recovered) await this.recover();
    this.#cycleEvents = [];
    let outcome: CycleOutcome;
    try {
      outcome = await runCycle(this.ctx, this.engine, trigger);
    } finally {
      const events = this.#cycleEvents;
      this.#cycleEvents = undefined;
      if (events.length > 0) this.ctx.events.appendMany(events);
    }
    // A failed cycle may have left a rotation in the journal (a failed final commit): check again.
    if (outcome.hresult !== 0) this.#recovered = false;
    this.#planIdle(outcome);
    return outcome;
  }

  /** Reset-LapsPassword / CSP Exec Actions/ResetPassword: rotate now whatever the expiry. */
  async resetPassword(): Promise<CycleOutcome> {
    this.ctx.resets.request(this.ctx.clock.now());
    this.#idleUntil = Number.NEGATIVE_INFINITY;
    const out = await this.processCycle('admin');
    if (!out) throw new ImplementationError('an admin cycle always runs');
    return out;
  }

  /** A reset was requested through the CSP: the next cycle must run. */
  resetRequested(): void {
    this.#idleUntil = Number.NEGATIVE_INFINITY;
    this.#noResetPending = false;
  }

  /**
   * A local logon. Returns whether the password opens the account; a successful logon with the
   * managed account starts post-authentication (event 10041).
   */
  logon(name: string, password: Secret): LogonResult {
    const check = checkLogon(this.ctx.accounts, name, password);
    if (!check.ok) return { ok: false, account: check.account, win32Error: check.win32Error };
    const account = check.account;
    const policy = this.policy();
    const state = this.ctx.state.load();
    const managedRid = policy.managed ? state.lastAccountRid : undefined;
    const now = this.ctx.clock.now();
    const next = afterAuthentication(state, {
      now, rid: account.rid, sid: this.ctx.sidOf(account.rid), managedRid,
      delayHours: policy.postAuthenticationResetDelay, actions: policy.postAuthenticationActions,
    });
    if (!next) return { ok: true, account };
    this.ctx.state.save({ ...state, postAuth: next });
    this.ctx.emit(10041, { accountName: account.name, rid: account.rid, deadline: next.deadline });
    this.#idleUntil = Math.min(this.#idleUntil, next.deadline);
    return { ok: true, account, postAuthDeadline: next.deadline };
  }

  /** When the next cycle has something to do (expiry, post-auth deadline); -Infinity = now. */
  nextDueAt(): number {
    return this.#idleUntil;
  }

  state(): LapsState {
    return this.ctx.state.load();
  }

  /**
   * After a cycle, background cycles until the next due time are idle, as long as nothing else
   * changes (policy, reset request, logon reset this). AD devices read their expiry from the
   * directory every cycle, so they are never idle. A directory that answered Retry-After is not
   * called again before that time, plus a jitter of up to a tenth of it (at most a minute) from
   * the device's Rng, so that a throttled fleet does not come back all at once.
   */
  #planIdle(o: CycleOutcome): void {
    const policy = this.policy();
    const s = this.ctx.state.load();
    if (o.hresult !== 0 && o.retryAfterMs !== undefined && o.retryAfterMs > 0) {
      const span = Math.min(Math.floor(o.retryAfterMs / 10), RETRY_AFTER_MAX_JITTER_MS);
      this.#idleUntil = o.time + o.retryAfterMs + (span > 0 ? this.ctx.rng.int(span + 1) : 0);
      return;
    }
    if (o.hresult !== 0 || (policy.managed && policy.backupDirectory === 2)) {
      this.#idleUntil = Number.NEGATIVE_INFINITY;
      return;
    }
    let until = policy.managed ? (s.passwordExpiry ?? Number.NEGATIVE_INFINITY) : Number.POSITIVE_INFINITY;
    if (s.postAuth) until = Math.min(until, s.postAuth.deadline);
    this.#idleUntil = until;
  }
}
