/**
 * SIMULATION ONLY. NOT FOR PRODUCTION. A seeded, reproducible generator (sfc32) for the fleet
 * simulator and tests, so that the same seed gives the same run. Its output is predictable:
 * never use it to make a password that protects anything real.
 */
import type { Rng } from './rng.js';

export class SeededRng implements Rng {
  readonly cryptographic = false;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number | string) {
    const s = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = s;
    for (let i = 0; i < 15; i++) this.#next();
  }

  #next(): number {
    let a = this.#a, b = this.#b, c = this.#c, d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.#a = a; this.#b = b; this.#c = c; this.#d = d;
    return t >>> 0;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#next() & 0xff;
    return out;
  }

  int(maxExclusive: number): number {
    if (!(maxExclusive >= 1 && maxExclusive <= 2 ** 32) || !Number.isInteger(maxExclusive)) {
      throw new RangeError(`int(maxExclusive) needs an integer in [1, 2^32], got ${maxExclusive}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % maxExclusive);
    for (;;) {
      const v = this.#next();
      if (v < limit) return v % maxExclusive;
    }
  }

  /** A float in [0, 1), for simulation choices (jitter, fault probabilities). */
  float(): number {
    return this.#next() / 2 ** 32;
  }

  /** An independent generator derived from this one (per-device streams in a fleet). */
  fork(label: string | number): SeededRng {
    return new SeededRng(`${this.#next()}:${label}`);
  }
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** SIMULATION ONLY: a reproducible generator for the given seed. */
export function seededRng(seed: number | string): SeededRng {
  return new SeededRng(seed);
}
