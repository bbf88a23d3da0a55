/**
 * Randomness as a port. `cryptoRng` (node:crypto) is the only source allowed for real passwords;
 * the seeded generator for simulation lives in seeded-rng.ts and says so.
 */
import { randomFillSync } from 'node:crypto';

export interface Rng {
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** A uniform integer in [0, maxExclusive), without modulo bias. maxExclusive <= 2^32. */
  int(maxExclusive: number): number;
  /** True only for node:crypto backed generators. */
  readonly cryptographic: boolean;
}

const POOL_SIZE = 64 * 1024;

/** node:crypto with a refilled pool, so that one password costs no system call. */
export class CryptoRng implements Rng {
  readonly cryptographic = true;
  #pool = new Uint8Array(POOL_SIZE);
  #view = new DataView(this.#pool.buffer);
  #pos = POOL_SIZE;

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    if (n > 256) {
      randomFillSync(out);
      return out;
    }
    if (this.#pos + n > POOL_SIZE) this.#refill();
    out.set(this.#pool.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return out;
  }

  int(maxExclusive: number): number {
    if (!(maxExclusive >= 1 && maxExclusive <= 2 ** 32) || !Number.isInteger(maxExclusive)) {
      throw new RangeError(`int(maxExclusive) needs an integer in [1, 2^32], got ${maxExclusive}`);
    }
    if (maxExclusive === 1) return 0;
    if (maxExclusive <= 256) {
      // Rejection sampling on one byte keeps the draw unbiased.
      const limit = 256 - (256 % maxExclusive);
      for (;;) {
        if (this.#pos >= POOL_SIZE) this.#refill();
        const b = this.#pool[this.#pos++]!;
        if (b < limit) return b % maxExclusive;
      }
    }
    const limit = 2 ** 32 - (2 ** 32 % maxExclusive);
    for (;;) {
      if (this.#pos + 4 > POOL_SIZE) this.#refill();
      const v = this.#view.getUint32(this.#pos);
      this.#pos += 4;
      if (v < limit) return v % maxExclusive;
    }
  }

  #refill(): void {
    randomFillSync(this.#pool);
    this.#pos = 0;
  }
}

/** A fresh node:crypto generator. */
export function cryptoRng(): Rng {
  return new CryptoRng();
}
