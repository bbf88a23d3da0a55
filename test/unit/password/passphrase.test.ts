/**
 * Passphrases (complexity 6-8): word count, capitalisation, no separators, words from the right list,
 * uniform word choice (100,000 passphrases per list, chi-square), and a negative control.
 */
import { describe, expect, it } from 'vitest';
import type { Rng } from '../../../core/rng.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { generatePassword } from '../../../agent/password/generator.js';
import { type PassphraseComplexity, passphraseListOf } from '../../../agent/password/wordlists.js';
import { chiSquareTest } from './stats.js';

const ALPHA = 1e-6;
const COUNT = 100_000;
const WORD = /[A-Z][a-z]*/g;

interface WordTally {
  /** Word index counts over all positions, and at position 0 only. */
  readonly all: Int32Array;
  readonly first: Int32Array;
  wrongCount: number;
  unknown: number;
  malformed: number;
}

function tallyWords(complexity: PassphraseComplexity, words: number, count: number, rng: Rng): WordTally {
  const list = passphraseListOf(complexity).words;
  const index = new Map(list.map((w, i) => [w, i]));
  const t: WordTally = { all: new Int32Array(list.length), first: new Int32Array(list.length), wrongCount: 0, unknown: 0, malformed: 0 };
  for (let n = 0; n < count; n++) {
    const p = generatePassword({ complexity, passphraseLength: words }, rng).reveal();
    if (!/^([A-Z][a-z]+)+$/.test(p)) t.malformed++;
    const parts = p.match(WORD) ?? [];
    if (parts.length !== words) t.wrongCount++;
    parts.forEach((w, pos) => {
      const i = index.get(w);
      if (i === undefined) t.unknown++;
      else {
        t.all[i]!++;
        if (pos === 0) t.first[i]!++;
      }
    });
  }
  return t;
}

function uniformP(counts: Int32Array): number {
  return chiSquareTest(counts, new Array<number>(counts.length).fill(1 / counts.length)).p;
}

/** int() by modulo of a 16-bit draw: the first 65536 mod n words are too frequent. */
class ModuloBiasedRng implements Rng {
  readonly cryptographic = false;
  readonly #inner = new SeededRng('passphrase-modulo');
  bytes(n: number): Uint8Array {
    return this.#inner.bytes(n);
  }
  int(maxExclusive: number): number {
    return this.#inner.int(65_536) % maxExclusive;
  }
}

describe('passphrases', () => {
  it('have 3-10 capitalised words, no separators, from the right list', () => {
    const rng = new SeededRng('passphrase-shape');
    for (const complexity of [6, 7, 8] as const) {
      for (let words = 3; words <= 10; words++) {
        const t = tallyWords(complexity, words, 200, rng);
        expect({ wrongCount: t.wrongCount, unknown: t.unknown, malformed: t.malformed }).toEqual({ wrongCount: 0, unknown: 0, malformed: 0 });
      }
    }
  });

  it('draw from the long list for 6 and the short lists for 7 and 8', () => {
    const rng = new SeededRng('which-list');
    // A 9-letter word exists only in the long list; short list 1 has words of at most 5 letters.
    const longest = (c: PassphraseComplexity): number =>
      Math.max(...Array.from({ length: 2000 }, () => Math.max(...(generatePassword({ complexity: c, passphraseLength: 10 }, rng).reveal().match(WORD) ?? []).map((w) => w.length))));
    expect(longest(7)).toBe(5);
    expect(longest(6)).toBe(9);
    expect(longest(8)).toBe(10);
  });

  for (const complexity of [6, 7, 8] as const) {
    it(`complexity ${complexity}: words are uniform over the list (${COUNT.toLocaleString('en-US')} six-word passphrases)`, () => {
      const t = tallyWords(complexity, 6, COUNT, new SeededRng(`passphrase-${complexity}`));
      expect(t.unknown + t.wrongCount + t.malformed).toBe(0);
      expect(uniformP(t.all)).toBeGreaterThan(ALPHA);
      expect(uniformP(t.first)).toBeGreaterThan(ALPHA);
    });
  }

  it('negative control: a modulo-biased Rng fails the uniformity test', () => {
    const t = tallyWords(6, 6, COUNT, new ModuloBiasedRng());
    expect(t.unknown).toBe(0);
    expect(uniformP(t.all)).toBeLessThan(ALPHA);
  });
});
