/**
 * The fleet's directory faults as windows of fleet time: outages (every call to the directory
 * fails as unreachable) and throttling (a fraction of the devices is answered HTTP 429 with a
 * Retry-After). The gate answers each call and remembers, for the operation in progress, whether
 * it refused one, so that the invariants can tell an excused failure from a real one.
 */
import type { EscrowError } from '../../core/errors.js';
import type { EntraEmulator } from '../entra/entra-emulator.js';
import { entraRefusal, unreachable, type DirectoryName, type EscrowGate } from './fleet-escrow.js';
import type { Sampler } from './sampling.js';
import type { Scenario } from './scenario.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Window {
  readonly from: number;
  readonly to: number;
}

/** The gate of one shard. */
export class FaultGate implements EscrowGate {
  readonly #outages: (Window & { readonly directory: 'entra' | 'ad' | 'all' })[];
  readonly #throttles: (Window & { readonly fraction: number; readonly retryAfterMs: number; readonly salt: string })[];
  readonly #now: () => number;
  readonly #sampler: Sampler;
  readonly #global: (deviceId: string) => number | undefined;
  readonly #entra: () => EntraEmulator;
  /** Refusals in the current operation: unreachable and the longest Retry-After given. */
  opOutage = false;
  opRetryAfterMs = 0;
  outageRefusals = 0;
  throttled = 0;

  constructor(s: Scenario, start: number, now: () => number, sampler: Sampler, global: (deviceId: string) => number | undefined, entra: () => EntraEmulator) {
    this.#outages = s.faults.directoryOutages.map((o) => ({ from: start + o.day * DAY, to: start + o.day * DAY + o.hours * HOUR, directory: o.directory }));
    this.#throttles = s.faults.throttling.map((t, i) => ({
      from: start + t.day * DAY, to: start + t.day * DAY + t.hours * HOUR, fraction: t.fraction, retryAfterMs: t.retryAfterSeconds * 1000, salt: `throttle:${i}`,
    }));
    this.#now = now;
    this.#sampler = sampler;
    this.#global = global;
    this.#entra = entra;
  }

  /** Starts a new operation's bookkeeping. */
  beginOp(): void {
    this.opOutage = false;
    this.opRetryAfterMs = 0;
  }

  /** True while an outage of the directory is on. */
  outage(directory: DirectoryName, t: number): boolean {
    return this.#outages.some((o) => (o.directory === 'all' || o.directory === directory) && t >= o.from && t < o.to);
  }

  /** The end of the latest outage of the directory that began at or before `t` (-Infinity: none). */
  outageEnd(directory: DirectoryName, t: number): number {
    let end = Number.NEGATIVE_INFINITY;
    for (const o of this.#outages) if ((o.directory === 'all' || o.directory === directory) && o.from <= t) end = Math.max(end, Math.min(o.to, t));
    return end;
  }

  refusal(deviceId: string, directory: DirectoryName): EscrowError | undefined {
    const t = this.#now();
    if (this.outage(directory, t)) {
      this.opOutage = true;
      this.outageRefusals++;
      return unreachable(directory);
    }
    if (directory !== 'entra') return undefined;
    const g = this.#global(deviceId);
    for (const w of this.#throttles) {
      if (t < w.from || t >= w.to || g === undefined || !this.#sampler.chance(w.salt, g, w.fraction)) continue;
      this.throttled++;
      this.opRetryAfterMs = Math.max(this.opRetryAfterMs, w.retryAfterMs);
      const seconds = Math.ceil(w.retryAfterMs / 1000);
      const body = this.#entra().adrsError('throttled', 'error_too_many_requests', `Too many requests from this tenant. Retry after ${seconds} seconds.`, 'fleet-throttle');
      return entraRefusal({ status: 429, headers: { 'Retry-After': String(seconds) }, body });
    }
    return undefined;
  }
}
