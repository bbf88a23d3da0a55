/** Entropy matches Microsoft's table once rounded. */
import { describe, expect, it } from 'vitest';
import { passwordEntropyBits } from '../../../agent/password/entropy.js';

describe('passwordEntropyBits', () => {
  it('length 14 gives 66 / 80 / 83 / 89 / 84 bits for complexity 1-5', () => {
    expect([1, 2, 3, 4, 5].map((complexity) => Math.round(passwordEntropyBits({ complexity, length: 14 })))).toEqual([66, 80, 83, 89, 84]);
  });

  it('six words give 78 bits (long list) and 62 (short lists)', () => {
    expect([6, 7, 8].map((complexity) => Math.round(passwordEntropyBits({ complexity, passphraseLength: 6 })))).toEqual([78, 62, 62]);
  });

  it('scales with length and words, with the generator defaults', () => {
    expect(passwordEntropyBits({ complexity: 5, length: 64 })).toBe(384);
    expect(passwordEntropyBits({ complexity: 4 })).toBeCloseTo(14 * Math.log2(80), 12);
    expect(passwordEntropyBits({ complexity: 7, passphraseLength: 10 })).toBeCloseTo(10 * Math.log2(1295), 12);
    expect(passwordEntropyBits({ complexity: 6 })).toBeCloseTo(6 * Math.log2(7772), 12);
  });

  it('refuses out-of-range specs like the generator', () => {
    expect(() => passwordEntropyBits({ complexity: 9 })).toThrow(/PasswordComplexity/);
    expect(() => passwordEntropyBits({ complexity: 4, length: 100 })).toThrow(/PasswordLength/);
  });
});
