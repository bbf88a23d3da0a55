/**
 * When a fleet device is powered on and when it can reach the management server. Online patterns
 * are pure functions of time (office hours) or a per-device alternating sequence of exponential
 * spans advanced lazily (intermittent), so an idle device costs nothing until it is looked at.
 * Partitions cut chosen devices off the management server for a while; a server restart cuts off
 * every device. Times are fleet (true) time, epoch ms.
 */
import type { Sampler } from './sampling.js';
import { ONLINE_PATTERNS, type OnlinePattern } from './population.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** 0 = Sunday .. 6 = Saturday, in UTC (1970-01-01 was a Thursday). */
function weekdayOf(t: number): number {
  return (((Math.floor(t / DAY) + 4) % 7) + 7) % 7;
}

/** A span of fleet time [from, to) with the devices it touches (a fraction, by a salted hash). */
export interface DeviceWindow {
  readonly from: number;
  readonly to: number;
  readonly fraction: number;
  readonly salt: string;
}

/** What availability needs to know about the devices, by local index (compact arrays). */
export interface AvailabilityDevices {
  /** Index in the whole fleet. */
  readonly global: ArrayLike<number>;
  /** Index into ONLINE_PATTERNS. */
  readonly pattern: ArrayLike<number>;
  /** Retired (off for good) from this time; Infinity when never. */
  readonly retiredAt: ArrayLike<number>;
}

/** What Availability is built from. */
export interface AvailabilityOptions {
  readonly sampler: Sampler;
  readonly start: number;
  /** Devices of this shard. */
  readonly devices: AvailabilityDevices;
  readonly intermittentOnlineMs: number;
  readonly intermittentOfflineMs: number;
  readonly partitions: readonly DeviceWindow[];
  /** Spans when the management server is down (restarts). */
  readonly serverDown: readonly { readonly from: number; readonly to: number }[];
}

/** Online state and reachability of the devices of one shard. */
export class Availability {
  readonly #o: AvailabilityOptions;
  /** Intermittent devices: when the current span ends. */
  readonly #flipAt: Float64Array;
  /** Intermittent devices: when the current span began. */
  readonly #since: Float64Array;
  readonly #round: Uint32Array;
  readonly #online: Uint8Array;
  /** Office hours start of each device, ms after midnight (08:00 give or take an hour). */
  readonly #officeStart: Int32Array;

  constructor(o: AvailabilityOptions) {
    this.#o = o;
    const n = o.devices.global.length;
    this.#flipAt = new Float64Array(n);
    this.#since = new Float64Array(n).fill(o.start);
    this.#round = new Uint32Array(n);
    this.#online = new Uint8Array(n).fill(1);
    this.#officeStart = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const g = o.devices.global[i]!;
      this.#officeStart[i] = 7 * HOUR + Math.floor(o.sampler.unit('office', g) * 2 * HOUR);
      this.#flipAt[i] = this.#pattern(i) === 'intermittent' ? o.start + o.sampler.exponential('flip', g, o.intermittentOnlineMs, 0) : Number.POSITIVE_INFINITY;
    }
  }

  #pattern(i: number): OnlinePattern {
    return ONLINE_PATTERNS[this.#o.devices.pattern[i]!]!;
  }

  #advance(i: number, t: number): void {
    const o = this.#o;
    const g = o.devices.global[i]!;
    while (this.#flipAt[i]! <= t) {
      const on = this.#online[i] === 1;
      this.#since[i] = this.#flipAt[i]!;
      this.#online[i] = on ? 0 : 1;
      const r = ++this.#round[i]!;
      const mean = on ? o.intermittentOfflineMs : o.intermittentOnlineMs;
      this.#flipAt[i] = this.#flipAt[i]! + Math.max(60_000, o.sampler.exponential('flip', g, mean, r));
    }
  }

  #officeOpen(i: number, t: number): { open: boolean; since: number; next: number } {
    const dayStart = Math.floor(t / DAY) * DAY;
    const weekday = weekdayOf(dayStart);
    const from = dayStart + this.#officeStart[i]!;
    const to = from + 10 * HOUR;
    const workday = weekday >= 1 && weekday <= 5;
    if (workday && t >= from && t < to) return { open: true, since: from, next: to };
    // Next opening: today later, or the next weekday.
    let d = workday && t < from ? dayStart : dayStart + DAY;
    while (weekdayOf(d) === 0 || weekdayOf(d) === 6) d += DAY;
    return { open: false, since: Number.NaN, next: d + this.#officeStart[i]! };
  }

  /** True when the device is powered on at `t`. */
  online(i: number, t: number): boolean {
    if (t >= this.#o.devices.retiredAt[i]!) return false;
    switch (this.#pattern(i)) {
      case 'always':
        return true;
      case 'officeHours':
        return this.#officeOpen(i, t).open;
      case 'intermittent':
        this.#advance(i, t);
        return this.#online[i] === 1;
    }
  }

  /** The first time at or after `t` when the device is on; Infinity when never again. */
  nextOnline(i: number, t: number): number {
    const retiredAt = this.#o.devices.retiredAt[i]!;
    if (t >= retiredAt) return Number.POSITIVE_INFINITY;
    let at = t;
    const pattern = this.#pattern(i);
    if (pattern === 'officeHours') {
      const w = this.#officeOpen(i, t);
      at = w.open ? t : w.next;
    } else if (pattern === 'intermittent') {
      this.#advance(i, t);
      at = this.#online[i] === 1 ? t : this.#flipAt[i]!;
    }
    return at >= retiredAt ? Number.POSITIVE_INFINITY : at;
  }

  /** When the device's current online span began (it is online at `t`); the run's start at most. */
  onlineSince(i: number, t: number): number {
    const pattern = this.#pattern(i);
    if (pattern === 'officeHours') return this.#officeOpen(i, t).since;
    if (pattern === 'intermittent') {
      this.#advance(i, t);
      return this.#since[i]!;
    }
    return this.#o.start;
  }

  /** True while a partition cuts the device off the management server. */
  partitioned(i: number, t: number): boolean {
    const g = this.#o.devices.global[i]!;
    for (const w of this.#o.partitions) if (t >= w.from && t < w.to && this.#o.sampler.chance(w.salt, g, w.fraction)) return true;
    return false;
  }

  /** True while the management server is down. */
  serverDown(t: number): boolean {
    return this.#o.serverDown.some((w) => t >= w.from && t < w.to);
  }

  /** The device can hold a management session with the server at `t`. */
  reachable(i: number, t: number): boolean {
    return this.online(i, t) && !this.partitioned(i, t) && !this.serverDown(t);
  }

  /**
   * The first time at or after `t` when the device can reach the server (online, no partition,
   * server up), searched in steps of the windows that block it; Infinity when never.
   */
  nextReachable(i: number, t: number): number {
    let at = t;
    for (let guard = 0; guard < 10_000; guard++) {
      at = this.nextOnline(i, at);
      if (!Number.isFinite(at)) return at;
      let blockedUntil = at;
      for (const w of this.#o.serverDown) if (at >= w.from && at < w.to) blockedUntil = Math.max(blockedUntil, w.to);
      const g = this.#o.devices.global[i]!;
      for (const w of this.#o.partitions) if (at >= w.from && at < w.to && this.#o.sampler.chance(w.salt, g, w.fraction)) blockedUntil = Math.max(blockedUntil, w.to);
      if (blockedUntil === at) return at;
      at = blockedUntil;
    }
    return Number.POSITIVE_INFINITY;
  }
}
