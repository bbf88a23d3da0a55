/**
 * Per-device request throttling: at most `limit` posts in any `windowMs` (a sliding window).
 * A refused post is not counted, and the answer says when the oldest counted post leaves the
 * window (Retry-After). Time comes from the emulator's Clock.
 */

/** How many posts a device may make in a window. */
export interface ThrottleRule {
  /** Posts a device may make in one window. */
  readonly limit: number;
  /** Length of the window, in ms. */
  readonly windowMs: number;
}

/** Default: 20 posts per device per hour, far above what LAPS sends (one per rotation). */
export const DEFAULT_THROTTLE: ThrottleRule = { limit: 20, windowMs: 3_600_000 };

/** Keys tracked before stale ones are first swept. */
const SWEEP_AT = 10_000;

/** Whether a post may go ahead, and if not, for how long to wait. */
export type ThrottleVerdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/** Sliding-window post counts per device. */
export class SlidingWindowThrottle {
  readonly #hits = new Map<string, number[]>();
  #rule: ThrottleRule;
  /** Size at which the next sweep runs: twice what the last sweep kept, so a fleet whose devices all post within one window is swept O(1) times per post, not at every post. */
  #sweepAt = SWEEP_AT;

  constructor(rule: ThrottleRule = DEFAULT_THROTTLE) {
    this.#rule = rule;
  }

  get rule(): ThrottleRule {
    return this.#rule;
  }

  /** Changes the rule; counts already made stay. */
  configure(rule: ThrottleRule): void {
    this.#rule = rule;
  }

  /** Counts a post by `key` at `now` unless it is over the limit. */
  hit(key: string, now: number): ThrottleVerdict {
    const from = now - this.#rule.windowMs;
    if (this.#hits.size >= this.#sweepAt) {
      this.#sweep(from);
      this.#sweepAt = Math.max(SWEEP_AT, 2 * this.#hits.size);
    }
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > from && t <= now);
    if (hits.length >= this.#rule.limit) {
      this.#hits.set(key, hits);
      const oldest = hits[hits.length - this.#rule.limit]!;
      return { ok: false, retryAfterMs: Math.max(1, oldest + this.#rule.windowMs - now) };
    }
    hits.push(now);
    this.#hits.set(key, hits);
    return { ok: true };
  }

  /** Drops keys with no post left in the window, so that a large fleet does not grow the map forever. */
  #sweep(from: number): void {
    for (const [key, hits] of this.#hits) if (hits.every((t) => t <= from)) this.#hits.delete(key);
  }

  /** Forgets a key (device deleted). */
  forget(key: string): void {
    this.#hits.delete(key);
  }
}
