/**
 * The counts a fleet run keeps while it runs: cycles, rotations by day and by trigger, failures by
 * the event that explains them, the time from expiry to rotation, sessions, logons, admin actions
 * and fault hits. Every figure is a sum or a histogram, so that the counts of shards add up to
 * the counts of the whole fleet.
 */
import type { CycleOutcome } from '../../agent/cycle.js';

/** Buckets of the time from a password's expiry to its rotation (upper bounds in hours). */
export const EXPIRY_BUCKETS: readonly { readonly label: string; readonly maxHours: number }[] = [
  { label: '< 1 h', maxHours: 1 },
  { label: '1-2 h', maxHours: 2 },
  { label: '2-6 h', maxHours: 6 },
  { label: '6-24 h', maxHours: 24 },
  { label: '1-3 days', maxHours: 72 },
  { label: '3-7 days', maxHours: 168 },
  { label: '> 7 days', maxHours: Number.POSITIVE_INFINITY },
];

/** Every count of a run (plain JSON). */
export interface FleetCounts {
  /** Processing cycles that ran (idle hourly cycles are skipped and not counted). */
  cycles: number;
  rotations: number;
  rotationsByTrigger: Record<string, number>;
  rotationsPerDay: number[];
  failedCycles: number;
  failuresPerDay: number[];
  /** Failed cycles by the event that explains them (10028, 10013, ...). */
  failuresByEvent: Record<string, number>;
  /** Device events written, by id. */
  eventsById: Record<string, number>;
  expiryToRotation: number[];
  crashes: number;
  recoveries: Record<string, number>;
  sessions: number;
  batchesDelivered: number;
  logons: { ok: number; refused: number };
  admin: {
    rotateRequested: number; rotateRefused: number; rotateDone: number; rotateFailed: number; rotatePending: number;
    reveals: number; revealedNothing: number; revealedOpens: number; revealedDoesNotOpen: number; skippedServerDown: number;
  };
  faults: {
    outageRefusals: number; throttled: number; injected: number; clockJumps: number; partitions: number; serverRestarts: number; tampered: number;
  };
}

/** Zeroed counts for a run of `days` days. */
export function emptyCounts(days: number): FleetCounts {
  const n = Math.ceil(days);
  return {
    cycles: 0, rotations: 0, rotationsByTrigger: {}, rotationsPerDay: new Array<number>(n).fill(0), failedCycles: 0,
    failuresPerDay: new Array<number>(n).fill(0), failuresByEvent: {}, eventsById: {}, expiryToRotation: new Array<number>(EXPIRY_BUCKETS.length).fill(0),
    crashes: 0, recoveries: {}, sessions: 0, batchesDelivered: 0, logons: { ok: 0, refused: 0 },
    admin: {
      rotateRequested: 0, rotateRefused: 0, rotateDone: 0, rotateFailed: 0, rotatePending: 0,
      reveals: 0, revealedNothing: 0, revealedOpens: 0, revealedDoesNotOpen: 0, skippedServerDown: 0,
    },
    faults: { outageRefusals: 0, throttled: 0, injected: 0, clockJumps: 0, partitions: 0, serverRestarts: 0, tampered: 0 },
  };
}

function bump(r: Record<string, number>, key: string | number, by = 1): void {
  r[key] = (r[key] ?? 0) + by;
}

/** Keeps the counts of one shard. */
export class FleetStats {
  readonly counts: FleetCounts;
  readonly #start: number;

  constructor(start: number, days: number) {
    this.#start = start;
    this.counts = emptyCounts(days);
  }

  #day(t: number): number {
    return Math.min(this.counts.rotationsPerDay.length - 1, Math.max(0, Math.floor((t - this.#start) / 86_400_000)));
  }

  /**
   * A cycle that ran. `expiredFor`: how long the password had been expired when the cycle
   * started (device time), for scheduled rotations.
   */
  cycle(o: CycleOutcome, fleetTime: number, expiredFor: number | undefined): void {
    const c = this.counts;
    c.cycles++;
    if (o.rotated) {
      c.rotations++;
      bump(c.rotationsByTrigger, o.trigger);
      c.rotationsPerDay[this.#day(fleetTime)]!++;
      if (expiredFor !== undefined && expiredFor >= 0) {
        const h = expiredFor / 3_600_000;
        const b = EXPIRY_BUCKETS.findIndex((x) => h < x.maxHours);
        c.expiryToRotation[b < 0 ? EXPIRY_BUCKETS.length - 1 : b]!++;
      }
    } else if (o.hresult !== 0) {
      c.failedCycles++;
      c.failuresPerDay[this.#day(fleetTime)]!++;
      bump(c.failuresByEvent, o.eventId);
    }
  }

  events(ids: readonly number[]): void {
    for (const id of ids) bump(this.counts.eventsById, id);
  }

  /** A journal resolved after a crash; a completed one is a rotation (trigger `recovery`). */
  recovery(r: string, fleetTime: number): void {
    if (r === 'none') return;
    bump(this.counts.recoveries, r);
    if (r !== 'completed') return;
    this.counts.rotations++;
    bump(this.counts.rotationsByTrigger, 'recovery');
    this.counts.rotationsPerDay[this.#day(fleetTime)]!++;
  }
}

/** Adds `b` into `a` (shard merge). */
export function addCounts(a: FleetCounts, b: FleetCounts): FleetCounts {
  const out = structuredClone(a);
  const addNum = (x: Record<string, unknown>, y: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(y)) {
      if (typeof v === 'number') x[k] = ((x[k] as number | undefined) ?? 0) + v;
      else if (Array.isArray(v)) {
        const arr = (x[k] as number[] | undefined) ?? [];
        v.forEach((n: number, i) => { arr[i] = (arr[i] ?? 0) + n; });
        x[k] = arr;
      } else if (v && typeof v === 'object') {
        x[k] ??= {};
        addNum(x[k] as Record<string, unknown>, v as Record<string, unknown>);
      }
    }
  };
  addNum(out as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>);
  return out;
}
