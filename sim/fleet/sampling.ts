/**
 * Stateless, seeded choices for a fleet: every device attribute and every "does this device take
 * part" decision is a hash of (run seed, what is being decided, device index), never a draw from a
 * shared stream. A device therefore behaves the same whether the fleet runs in one thread, in
 * worker threads or in shards on several hosts, and the merged report equals the whole one.
 * SIMULATION ONLY: these numbers are predictable and never make a password.
 */

/** 32-bit FNV-1a of a string. */
export function hashText(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: a good 32-bit mix. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Decisions of one run: `unit(salt, index)` is a reproducible number in [0, 1). */
export class Sampler {
  readonly #seed: number;
  readonly #salts = new Map<string, number>();

  /** @param seed the scenario's seed (a number or any text) */
  constructor(seed: number | string) {
    this.#seed = hashText(`lapsim-fleet:${String(seed)}`);
  }

  #salt(salt: string): number {
    let s = this.#salts.get(salt);
    if (s === undefined) this.#salts.set(salt, (s = mix(hashText(salt) ^ this.#seed)));
    return s;
  }

  /** A 32-bit hash of (seed, salt, index, round). */
  bits(salt: string, index: number, round = 0): number {
    return mix(this.#salt(salt) ^ mix(index + 0x9e3779b9 * (round + 1)));
  }

  /** A number in [0, 1) for (salt, index, round). */
  unit(salt: string, index: number, round = 0): number {
    return this.bits(salt, index, round) / 4294967296;
  }

  /** True for about `fraction` of indexes. */
  chance(salt: string, index: number, fraction: number, round = 0): boolean {
    return fraction > 0 && this.unit(salt, index, round) < fraction;
  }

  /** An integer in [0, n). */
  int(salt: string, index: number, n: number, round = 0): number {
    return Math.floor(this.unit(salt, index, round) * n);
  }

  /** An exponentially distributed value with this mean (durations between events). */
  exponential(salt: string, index: number, mean: number, round = 0): number {
    return -Math.log(1 - this.unit(salt, index, round)) * mean;
  }

  /** One of the keys, in proportion to its weight (weights need not sum to 1). */
  weighted<K extends string>(salt: string, index: number, weights: readonly (readonly [K, number])[]): K {
    const total = weights.reduce((a, [, w]) => a + w, 0);
    let u = this.unit(salt, index) * total;
    for (const [k, w] of weights) {
      if (u < w) return k;
      u -= w;
    }
    return weights[weights.length - 1]![0];
  }

  /** 16 reproducible bytes (device GUIDs, SIDs). */
  bytes16(salt: string, index: number): Uint8Array {
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 4; i++) view.setUint32(i * 4, this.bits(salt, index, i));
    return out;
  }
}
