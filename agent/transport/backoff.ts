/**
 * Reconnection delays: exponential with jitter from the device's Rng, so that a fleet that lost
 * its server does not come back in one wave. Attempt n waits a uniform time in
 * [d/2, d], d = min(max, initial * 2^n) ("equal jitter": never zero, never above the cap).
 */
import type { Rng } from '../../core/rng.js';

export interface BackoffOptions {
  /** Delay bound of the first retry, in ms (default 1000). */
  readonly initialMs?: number;
  /** Largest delay, in ms (default 300000, five minutes). */
  readonly maxMs?: number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  #attempt = 0;

  constructor(private readonly rng: Rng, opts: BackoffOptions = {}) {
    this.#initial = Math.max(1, opts.initialMs ?? 1000);
    this.#max = Math.max(this.#initial, opts.maxMs ?? 300_000);
  }

  /** Failed attempts since the last success. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt, in ms; counts one more failure. */
  next(): number {
    const bound = Math.min(this.#max, this.#initial * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    const half = Math.floor(bound / 2);
    return bound - half + this.rng.int(half + 1);
  }

  /** A success: the next failure starts from the initial delay again. */
  reset(): void {
    this.#attempt = 0;
  }
}
