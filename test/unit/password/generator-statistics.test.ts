/**
 * Character passwords are uniform among acceptable passwords. Per complexity, 100,000 passwords:
 * every character is in the union, every set is in every password, characters are uniform within
 * each set (pooled over positions: given which set each position drew, the characters are
 * independent, so the pooled test is exact), and every position follows the exact per-character
 * probabilities (expectedCharProbabilities; characters of small sets are a little more frequent
 * than 1/N because every password must hold one). The negative controls prove each test can fail.
 */
import { describe, expect, it } from 'vitest';
import { CryptoRng, type Rng } from '../../../core/rng.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { type Alphabet, type CharacterComplexity, alphabetOf } from '../../../agent/password/charsets.js';
import { generatePassword } from '../../../agent/password/generator.js';
import { chiSquareSurvival, chiSquareTest, expectedCharProbabilities } from './stats.js';

/** Significance of each test; a fixed seed makes the outcome deterministic. */
const ALPHA = 1e-6;
const COUNT = 100_000;

interface Tally {
  readonly alphabet: Alphabet;
  readonly length: number;
  /** perPosition[p][i]: how often union character i was at position p. */
  readonly perPosition: Int32Array[];
  wrongLength: number;
  foreign: number;
  missingSet: number;
}

function tally(complexity: CharacterComplexity, length: number, count: number, make: () => string): Tally {
  const alphabet = alphabetOf(complexity);
  const index = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.union.length; i++) index[alphabet.union.charCodeAt(i)] = i;
  const t: Tally = { alphabet, length, perPosition: Array.from({ length }, () => new Int32Array(alphabet.union.length)), wrongLength: 0, foreign: 0, missingSet: 0 };
  for (let n = 0; n < count; n++) {
    const s = make();
    if (s.length !== length) {
      t.wrongLength++;
      continue;
    }
    let seen = 0;
    for (let p = 0; p < length; p++) {
      const c = s.charCodeAt(p);
      const i = c < 128 ? index[c]! : -1;
      if (i < 0) {
        t.foreign++;
        continue;
      }
      t.perPosition[p]![i]!++;
      seen |= alphabet.setBit[i]!;
    }
    if (seen !== alphabet.allSets) t.missingSet++;
  }
  return t;
}

/** p-value of "characters are uniform within each set", pooled over all positions. */
function withinSetP(t: Tally): number {
  let stat = 0;
  let df = 0;
  let offset = 0;
  for (const set of t.alphabet.sets) {
    const counts = new Array<number>(set.length).fill(0);
    for (const row of t.perPosition) for (let i = 0; i < set.length; i++) counts[i]! += row[offset + i]!;
    const r = chiSquareTest(counts, new Array<number>(set.length).fill(1 / set.length));
    if (set.length > 1) {
      stat += r.stat;
      df += r.df;
    }
    offset += set.length;
  }
  return chiSquareSurvival(stat, df);
}

/** The smallest p-value over positions of "this position follows the exact distribution". */
function worstPositionP(t: Tally): number {
  const expected = expectedCharProbabilities(t.alphabet.sets, t.length);
  return Math.min(...t.perPosition.map((row) => chiSquareTest(row, expected).p));
}

function expectSound(t: Tally): void {
  expect({ wrongLength: t.wrongLength, foreign: t.foreign, missingSet: t.missingSet }).toEqual({ wrongLength: 0, foreign: 0, missingSet: 0 });
  expect(withinSetP(t)).toBeGreaterThan(ALPHA);
  // Bonferroni over positions: each position's test is exact.
  expect(worstPositionP(t)).toBeGreaterThan(ALPHA / t.length);
}

const CASES: readonly { complexity: CharacterComplexity; length: number; count: number }[] = [
  { complexity: 1, length: 14, count: COUNT },
  { complexity: 2, length: 14, count: COUNT },
  { complexity: 3, length: 14, count: COUNT },
  { complexity: 4, length: 14, count: COUNT },
  { complexity: 5, length: 14, count: COUNT },
  { complexity: 5, length: 8, count: COUNT },
  { complexity: 4, length: 64, count: 20_000 },
];

describe('character passwords are uniform among acceptable passwords', () => {
  for (const { complexity, length, count } of CASES) {
    it(`complexity ${complexity}, length ${length}: ${count.toLocaleString('en-US')} passwords (seeded)`, () => {
      const rng = new SeededRng(`stats-${complexity}-${length}`);
      expectSound(tally(complexity, length, count, () => generatePassword({ complexity, length }, rng).reveal()));
    });
  }

  it('complexity 4, length 14: 100,000 passwords from CryptoRng', () => {
    const rng = new CryptoRng();
    expectSound(tally(4, 14, COUNT, () => generatePassword({ complexity: 4, length: 14 }, rng).reveal()));
  });

  it('the exact per-character probabilities sum to 1', () => {
    for (const { complexity, length } of CASES) {
      const sum = expectedCharProbabilities(alphabetOf(complexity).sets, length).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 12);
    }
  });
});

/** int() by modulo without rejection: the classic bias (low values too frequent). */
class ModuloBiasedRng implements Rng {
  readonly cryptographic = false;
  readonly #inner: SeededRng;
  constructor(seed: string) {
    this.#inner = new SeededRng(seed);
  }
  bytes(n: number): Uint8Array {
    return this.#inner.bytes(n);
  }
  int(maxExclusive: number): number {
    return this.#inner.int(maxExclusive <= 256 ? 256 : 65_536) % maxExclusive;
  }
}

/** One character of each set at positions 0..k-1, the rest from the union, never shuffled. */
function unshuffled(complexity: CharacterComplexity, length: number, rng: Rng): string {
  const { sets, union } = alphabetOf(complexity);
  let s = '';
  for (const set of sets) s += set[rng.int(set.length)]!;
  while (s.length < length) s += union[rng.int(union.length)]!;
  return s;
}

/** "One of each set, the rest from the union, then Fisher-Yates": shuffled, but not uniform. */
function forcedThenShuffled(complexity: CharacterComplexity, length: number, rng: Rng): string {
  const chars = [...unshuffled(complexity, length, rng)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

describe('negative controls: the tests above fail a biased generator', () => {
  it('modulo bias in the Rng fails within-set uniformity (complexity 1 and 4)', () => {
    for (const complexity of [1, 4] as const) {
      const rng = new ModuloBiasedRng(`modulo-${complexity}`);
      const t = tally(complexity, 14, COUNT, () => generatePassword({ complexity, length: 14 }, rng).reveal());
      expect(t.missingSet).toBe(0);
      expect(withinSetP(t)).toBeLessThan(ALPHA);
    }
  });

  it('a missing shuffle (position 0 always upper case) fails positional uniformity', () => {
    const rng = new SeededRng('unshuffled');
    const t = tally(4, 14, COUNT, () => unshuffled(4, 14, rng));
    expect(t.missingSet).toBe(0);
    expect(t.perPosition[0]!.slice(26).every((n) => n === 0)).toBe(true);
    expect(worstPositionP(t)).toBeLessThan(ALPHA / 14);
  });

  it('forced-then-shuffled passes within-set uniformity but fails the exact distribution', () => {
    const rng = new SeededRng('forced-then-shuffled');
    const t = tally(4, 14, COUNT, () => forcedThenShuffled(4, 14, rng));
    expect(t.missingSet).toBe(0);
    expect(withinSetP(t)).toBeGreaterThan(ALPHA);
    expect(worstPositionP(t)).toBeLessThan(ALPHA / 14);
  });
});
