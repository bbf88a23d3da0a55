/** Generation rules: ranges, defaults, lengths, reproducibility, refusal of bad input. */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LapsError } from '../../../core/errors.js';
import { CryptoRng, type Rng } from '../../../core/rng.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { alphabetOf } from '../../../agent/password/charsets.js';
import { type PasswordSpec, generatePassword, resolvePasswordSpec } from '../../../agent/password/generator.js';

function generationError(spec: PasswordSpec, rng: Rng = new SeededRng(1)): LapsError {
  try {
    generatePassword(spec, rng);
  } catch (e) {
    if (e instanceof LapsError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(spec)}`);
}

/** Always answers 0: never reaches a second set. */
const constantRng: Rng = { cryptographic: false, bytes: (n) => new Uint8Array(n), int: () => 0 };

describe('generatePassword', () => {
  it('makes passwords of every length 8-64 holding every set, for every complexity', () => {
    const rng = new SeededRng('lengths');
    for (const complexity of [1, 2, 3, 4, 5] as const) {
      const a = alphabetOf(complexity);
      for (let length = 8; length <= 64; length++) {
        const p = generatePassword({ complexity, length }, rng).reveal();
        expect(p).toHaveLength(length);
        for (const set of a.sets) expect([...p].some((c) => set.includes(c))).toBe(true);
        expect([...p].every((c) => a.union.includes(c))).toBe(true);
      }
    }
  });

  it('defaults to 14 characters and 6 words', () => {
    const rng = new SeededRng('defaults');
    expect(generatePassword({ complexity: 4 }, rng).length).toBe(14);
    expect(generatePassword({ complexity: 6 }, rng).reveal().match(/[A-Z]/g)).toHaveLength(6);
    expect(resolvePasswordSpec({ complexity: 4 })).toEqual({ kind: 'characters', complexity: 4, length: 14 });
    expect(resolvePasswordSpec({ complexity: 8 })).toEqual({ kind: 'passphrase', complexity: 8, words: 6 });
  });

  it('ignores the length the complexity does not use, as Windows does', () => {
    const rng = new SeededRng('ignored');
    expect(generatePassword({ complexity: 6, length: 200, passphraseLength: 3 }, rng).reveal().match(/[A-Z]/g)).toHaveLength(3);
    expect(generatePassword({ complexity: 4, length: 20, passphraseLength: 99 }, rng)).toHaveLength(20);
  });

  it('refuses out-of-range input with LAPS_ERR_PASSWORD_GENERATION', () => {
    const bad: PasswordSpec[] = [
      { complexity: 0 }, { complexity: 9 }, { complexity: -1 }, { complexity: 4.5 }, { complexity: Number.NaN },
      { complexity: 4, length: 7 }, { complexity: 4, length: 65 }, { complexity: 1, length: 14.5 }, { complexity: 5, length: Number.NaN },
      { complexity: 6, passphraseLength: 2 }, { complexity: 7, passphraseLength: 11 }, { complexity: 8, passphraseLength: 6.5 },
    ];
    for (const spec of bad) {
      const e = generationError(spec);
      expect(e.code, JSON.stringify(spec)).toBe('LAPS_ERR_PASSWORD_GENERATION');
    }
    expect(generationError({ complexity: 4, length: 7 }).message).toMatch(/PasswordLength must be an integer 8-64, got 7/);
  });

  it('gives up on a broken Rng instead of looping forever', () => {
    expect(generationError({ complexity: 2, length: 8 }, constantRng).message).toMatch(/random number generator is broken/);
    // Complexity 1 has one set, so even a constant Rng makes an acceptable (if terrible) password.
    expect(generatePassword({ complexity: 1, length: 8 }, constantRng).reveal()).toBe('AAAAAAAA');
  });

  it('a seeded Rng gives reproducible output; different seeds differ', () => {
    const run = (seed: string): string[] => {
      const rng = new SeededRng(seed);
      return [1, 2, 3, 4, 5, 6, 7, 8].map((complexity) => generatePassword({ complexity, length: 20 }, rng).reveal());
    };
    expect(run('device-42')).toEqual(run('device-42'));
    expect(run('device-42')).not.toEqual(run('device-43'));
  });

  it('CryptoRng passwords do not repeat', () => {
    const rng = new CryptoRng();
    const seen = new Set(Array.from({ length: 10_000 }, () => generatePassword({ complexity: 4, length: 8 }, rng).reveal()));
    expect(seen.size).toBe(10_000);
  });

  it('returns a Secret that never prints', () => {
    const s = generatePassword({ complexity: 4 }, new SeededRng('secret'));
    expect(String(s)).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect(s)).not.toContain(s.reveal());
  });
});
