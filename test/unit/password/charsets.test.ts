/** The character sets of PasswordComplexity 1-5, exactly as laps-behaviour.md 5.1. */
import { describe, expect, it } from 'vitest';
import { CHARACTER_SETS, alphabetOf, isCharacterComplexity } from '../../../agent/password/charsets.js';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

describe('character sets', () => {
  it('have the documented sizes 26 / 52 / 62 / 80 / 64', () => {
    expect([1, 2, 3, 4, 5].map((c) => alphabetOf(c as 1 | 2 | 3 | 4 | 5).union.length)).toEqual([26, 52, 62, 80, 64]);
    expect(CHARACTER_SETS[5].map((s) => s.length)).toEqual([23, 24, 8, 9]);
  });

  it('are exactly the documented characters', () => {
    expect(CHARACTER_SETS[1]).toEqual([UPPER]);
    expect(CHARACTER_SETS[2]).toEqual([UPPER, LOWER]);
    expect(CHARACTER_SETS[3]).toEqual([UPPER, LOWER, '0123456789']);
    expect(CHARACTER_SETS[4]).toEqual([UPPER, LOWER, '0123456789', ',.-+;!#&@{}[]$/()%']);
    expect(CHARACTER_SETS[5]).toEqual(['ABCDEFGHJKLMNPRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '!#%+@:=?*']);
  });

  it('complexity 5 drops the look-alikes and swaps specials as documented', () => {
    const u4 = alphabetOf(4).union;
    const u5 = alphabetOf(5).union;
    expect([...u4].filter((c) => !u5.includes(c)).sort().join('')).toBe([...'IOQlo01,.&{}[]();$/-'].sort().join(''));
    expect([...u5].filter((c) => !u4.includes(c)).sort().join('')).toBe([...':=?*'].sort().join(''));
  });

  it('prepared alphabets: codes, set bits and no overlap', () => {
    for (const c of [1, 2, 3, 4, 5] as const) {
      const a = alphabetOf(c);
      expect(new Set(a.union).size).toBe(a.union.length);
      expect(String.fromCharCode(...a.codes)).toBe(a.union);
      expect(a.allSets).toBe((1 << a.sets.length) - 1);
      a.sets.forEach((set, s) => {
        for (const ch of set) expect(a.setBit[a.union.indexOf(ch)]).toBe(1 << s);
      });
    }
  });

  it('isCharacterComplexity accepts 1-5 only', () => {
    expect([0, 1, 5, 6, 4.5, Number.NaN].map(isCharacterComplexity)).toEqual([false, true, true, false, false, false]);
  });
});
