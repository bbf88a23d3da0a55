/**
 * Counts and invariants of agents run against a remote server, read from what each device does:
 * its events (a cycle runs from 10003 to 10004 or 10005; 10020 is a rotation; the trigger event
 * says why), its state and its directory. Swept a few times per wall second; the events read are
 * dropped from memory.
 */
import type { Clock } from '../../core/clock.js';
import { WINHTTP_HRESULT } from '../../agent/escrow/entra-directory.js';
import type { CycleOutcome, CycleTrigger } from '../../agent/cycle.js';
import type { LapsEvent } from '../../agent/ports.js';
import type { MemoryManagedDevice } from '../memory-agent.js';
import type { FleetLog } from './fleet-log.js';
import type { FleetStats } from './fleet-stats.js';
import type { InvariantBook } from './invariants.js';
import { eventText, type LeakWatch } from './leak-watch.js';

const HOUR = 3_600_000;
/** HRESULTs of a directory that cannot be reached (WinHTTP transport errors, 429). */
const UNREACHABLE = new Set([...Object.values(WINHTTP_HRESULT), 0x800701ad]);
const TRIGGER_OF: Readonly<Record<number, CycleTrigger>> = { 10052: 'background', 10054: 'policy-change', 10051: 'post-auth', 10014: 'admin' };

interface CycleParse {
  trigger: CycleTrigger;
  rotated: boolean;
  failure: number | undefined;
  errorCode: number;
}

/** What RemoteBook sweeps and where it counts. */
export interface RemoteBookOptions {
  readonly devices: readonly MemoryManagedDevice[];
  readonly stats: FleetStats;
  readonly book: InvariantBook;
  readonly watch: LeakWatch;
  readonly log: FleetLog;
  /** Device time. */
  readonly clock: Clock;
  readonly start: number;
  /** Device ms a late wall-clock timer may add to a cycle (the time scale times half a second). */
  readonly lagMs: number;
}

/** Sweeps the agents of a remote run. */
export class RemoteBook {
  readonly #o: RemoteBookOptions;
  readonly #cycles: (CycleParse | undefined)[];
  readonly #expiry: Float64Array;

  constructor(o: RemoteBookOptions) {
    this.#o = o;
    this.#cycles = new Array<CycleParse | undefined>(o.devices.length).fill(undefined);
    this.#expiry = new Float64Array(o.devices.length).fill(Number.NaN);
  }

  /** Reads every device's new events and checks the invariants; `final` checks every device's password. */
  async sweep(final = false): Promise<void> {
    const o = this.#o;
    for (let i = 0; i < o.devices.length; i++) {
      const d = o.devices[i]!;
      const events = d.events.events.splice(0);
      let rotated = false;
      for (const e of events) {
        o.watch.text(`event ${e.id}`, eventText(e));
        rotated = this.#event(i, e) || rotated;
      }
      o.stats.events(events.map((e) => e.id));
      if (rotated || final) await this.#passwordOpens(i);
      this.#expiryCheck(i);
    }
    const texts = o.watch.pendingTexts;
    const leaks = o.watch.settle();
    o.book.count('no-password-leak', texts - leaks.length);
    const withheld = new Set<string>();
    for (const l of leaks) {
      withheld.add(l.text);
      const i = o.devices.findIndex((d) => d.device.identity.deviceId === l.deviceId);
      o.book.check('no-password-leak', false, i < 0 ? undefined : this.#checked(i), o.clock.now(), () => `a ${l.where} holds a password of the device`);
    }
    o.log.release(withheld);
  }

  #checked(i: number): { index: number; deviceId: string; name: string } {
    const id = this.#o.devices[i]!.device.identity;
    return { index: i, deviceId: id.deviceId, name: id.name };
  }

  /** Follows the cycle the event belongs to; true when it ends a cycle that rotated. */
  #event(i: number, e: LapsEvent): boolean {
    if (e.id === 10003) {
      // A cycle without a trigger event is one the agent ran on its own (at start, on demand).
      this.#cycles[i] = { trigger: 'startup', rotated: false, failure: undefined, errorCode: 0 };
      return false;
    }
    const c = this.#cycles[i];
    if (!c) return false;
    const trigger = TRIGGER_OF[e.id];
    if (trigger !== undefined) c.trigger = trigger;
    if (e.id === 10020) c.rotated = true;
    if (e.id === 10004 || e.id === 10005) {
      const hresult = e.id === 10005 ? Number(e.fields['errorCode'] ?? 0x80004005) >>> 0 : 0;
      const outcome: CycleOutcome = { time: e.time, hresult, eventId: e.id === 10005 ? c.failure ?? 10005 : 10004, rotated: c.rotated && e.id === 10004, trigger: c.trigger, reasons: 0 };
      const expiry = this.#expiry[i]!;
      this.#o.stats.cycle(outcome, e.time, outcome.rotated && !Number.isNaN(expiry) && e.time >= expiry ? e.time - expiry : undefined);
      this.#cycles[i] = undefined;
      return outcome.rotated;
    }
    if (e.level !== 'Information') c.failure = e.id;
    return false;
  }

  async #passwordOpens(i: number): Promise<void> {
    const d = this.#o.devices[i]!;
    const state = d.device.state();
    if (state.lastAccountRid === undefined) return;
    let creds;
    try {
      creds = await d.directory.credentials(d.device.identity.deviceId);
    } catch {
      return;
    }
    for (const c of creds) this.#o.watch.remember(c.password.reveal(), d.device.identity.deviceId);
    const ok = creds.some((c) => d.accounts.verifyPassword(state.lastAccountRid!, c.password));
    this.#o.book.check('password-opens', ok, this.#checked(i), this.#o.clock.now(), () => `account ${state.lastAccountName ?? ''} opens with none of the ${creds.length} password(s) the directory holds`);
  }

  #expiryCheck(i: number): void {
    const d = this.#o.devices[i]!;
    const s = d.device.state();
    const managed = d.device.policy().managed;
    this.#expiry[i] = managed && s.passwordExpiry !== undefined ? s.passwordExpiry : Number.NaN;
    if (!managed || s.passwordExpiry === undefined) return;
    const now = this.#o.clock.now();
    // An unreachable directory excuses the device until its next cycle.
    const unreachable = s.lastResult !== undefined && UNREACHABLE.has(s.lastResult.hresult >>> 0);
    const slack = HOUR + this.#o.lagMs;
    const ok = now - s.passwordExpiry <= slack || (unreachable && now - s.lastResult!.time <= slack);
    this.#o.book.check('expiry', ok, this.#checked(i), now, () => `the password expired at ${new Date(s.passwordExpiry!).toISOString()} and no cycle rotated it within one cycle`);
  }

  managed(): number {
    return this.#expiry.filter((x) => !Number.isNaN(x)).length;
  }

  backedUp(): number {
    return this.#o.devices.filter((d) => d.device.state().lastBackupDirectory !== undefined).length;
  }
}
