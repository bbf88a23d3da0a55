/**
 * The LAPS events devices report to the server's fleet overview. Windows devices keep their LAPS
 * events locally (Microsoft-Windows-LAPS/Operational) and Intune never receives them, so the
 * emulator cannot see them either: a fleet runner that owns the devices (in process: `record`;
 * another process: POST /lapsim/fleet/events with the admin token) reports them here, and the
 * overview charts the failures (level Error) by event ID. Memory stays bounded: counts per event
 * ID and UTC day (about 400 days), and the newest failures.
 */
import type { EventLevel } from '../../../agent/ports.js';

/** One event a device logged. */
export interface ReportedEvent {
  /** The device's Entra deviceId (its channel id). */
  readonly deviceId: string;
  /** LAPS event ID (10004, 10028, ...). */
  readonly id: number;
  readonly level: EventLevel;
  /** When the device logged it, epoch ms. */
  readonly time: number;
}

/** A failure kept for the overview's table of recent failures. */
export interface RecentFailure {
  readonly deviceId: string;
  readonly id: number;
  readonly time: number;
}

const DAY_MS = 86_400_000;
/** Days of per-day counts kept. */
const KEEP_DAYS = 400;
/** Failures kept for the recent list. */
const KEEP_RECENT = 50;

/** Failure counts by event ID and day, and the newest failures. */
export class FleetEvents {
  /** `${day}:${id}` -> count of Error events. */
  readonly #failures = new Map<string, number>();
  readonly #recent: RecentFailure[] = [];
  #total = 0;

  /** Records events; events of any level count in `total`, Errors are charted. */
  record(events: readonly ReportedEvent[]): void {
    for (const e of events) {
      if (!Number.isInteger(e.id) || !Number.isFinite(e.time)) continue;
      this.#total++;
      if (e.level !== 'Error') continue;
      const key = `${Math.floor(e.time / DAY_MS)}:${e.id}`;
      this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
      this.#recent.push({ deviceId: e.deviceId, id: e.id, time: e.time });
      if (this.#recent.length > KEEP_RECENT * 2) this.#recent.splice(0, this.#recent.length - KEEP_RECENT);
    }
    if (this.#failures.size > KEEP_DAYS * 64) this.#trim();
  }

  #trim(): void {
    const days = [...this.#failures.keys()].map((k) => Number(k.split(':')[0]));
    const newest = Math.max(...days);
    for (const k of [...this.#failures.keys()]) if (Number(k.split(':')[0]) < newest - KEEP_DAYS) this.#failures.delete(k);
  }

  /** Error events per event ID logged at or after `since` (epoch ms), most frequent first. */
  failuresByEvent(since: number): { id: number; count: number }[] {
    const fromDay = Math.floor(since / DAY_MS);
    const out = new Map<number, number>();
    for (const [k, n] of this.#failures) {
      const [day, id] = k.split(':').map(Number) as [number, number];
      if (day >= fromDay) out.set(id, (out.get(id) ?? 0) + n);
    }
    return [...out].map(([id, count]) => ({ id, count })).sort((a, b) => b.count - a.count || a.id - b.id);
  }

  /** The newest failures, newest first. */
  recentFailures(limit = 10): RecentFailure[] {
    return this.#recent.slice(-limit).reverse();
  }

  /** Events recorded so far, of any level. */
  get total(): number {
    return this.#total;
  }
}
