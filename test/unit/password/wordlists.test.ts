/**
 * The generated module agent/password/eff-wordlists.ts equals the data files it was made from
 * (regenerate with `node scripts/gen-wordlists.mjs`), and the prepared passphrase lists are right.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EFF_LARGE_WORDLIST, EFF_SHORT_WORDLIST_1, EFF_SHORT_WORDLIST_2_0, EFF_WORDLIST_SHA256 } from '../../../agent/password/eff-wordlists.js';
import { isPassphraseComplexity, passphraseListOf } from '../../../agent/password/wordlists.js';

const DATA = new URL('../../../data/wordlists/', import.meta.url);

const FILES = [
  { file: 'eff_large_wordlist.txt', words: EFF_LARGE_WORDLIST, count: 7776, first: 'abacus', last: 'zoom' },
  { file: 'eff_short_wordlist_1.txt', words: EFF_SHORT_WORDLIST_1, count: 1296, first: 'acid', last: 'zoom' },
  { file: 'eff_short_wordlist_2_0.txt', words: EFF_SHORT_WORDLIST_2_0, count: 1296, first: 'aardvark', last: 'zucchini' },
] as const;

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('generated EFF word lists', () => {
  for (const { file, words, count, first, last } of FILES) {
    it(`${file}: same words, count, first/last and hash as the data file`, () => {
      const raw = readFileSync(new URL(file, DATA));
      const fromFile = raw.toString('ascii').trimEnd().split('\n').map((line) => line.split('\t')[1]);
      expect(words).toHaveLength(count);
      expect([words[0], words.at(-1)]).toEqual([first, last]);
      expect(sha256(words.join('\n'))).toBe(sha256(fromFile.join('\n')));
      expect(words).toEqual(fromFile);
      // The module records the hash of the file it came from, and the README records the same.
      expect(EFF_WORDLIST_SHA256[file]).toBe(sha256(raw));
      expect(readFileSync(new URL('README.md', DATA), 'utf8')).toContain(`${sha256(raw)}  ${file}`);
    });
  }

  it('is frozen', () => {
    expect(Object.isFrozen(EFF_LARGE_WORDLIST)).toBe(true);
    expect(() => (EFF_SHORT_WORDLIST_1 as string[]).push('x')).toThrow(TypeError);
  });
});

describe('passphrase lists', () => {
  it('6, 7 and 8 use the large, short 1 and short 2.0 lists', () => {
    expect(passphraseListOf(6).source).toBe(EFF_LARGE_WORDLIST);
    expect(passphraseListOf(7).source).toBe(EFF_SHORT_WORDLIST_1);
    expect(passphraseListOf(8).source).toBe(EFF_SHORT_WORDLIST_2_0);
    expect([5, 6, 7, 8, 9].map(isPassphraseComplexity)).toEqual([false, true, true, true, false]);
  });

  it('leave out exactly the hyphenated words and capitalise the rest', () => {
    expect(passphraseListOf(6).excluded).toEqual(['drop-down', 'felt-tip', 't-shirt', 'yo-yo']);
    expect(passphraseListOf(7).excluded).toEqual(['yo-yo']);
    expect(passphraseListOf(8).excluded).toEqual(['yo-yo']);
    for (const c of [6, 7, 8] as const) {
      const { words, source, excluded } = passphraseListOf(c);
      expect(words).toHaveLength(source.length - excluded.length);
      expect(words.every((w) => /^[A-Z][a-z]+$/.test(w))).toBe(true);
      expect(words.map((w) => w.toLowerCase())).toEqual(source.filter((w) => !excluded.includes(w)));
    }
    expect(passphraseListOf(6).words.slice(0, 2)).toEqual(['Abacus', 'Abdomen']);
  });

  it('list 2.0 keeps unique three-letter prefixes', () => {
    const prefixes = new Set(passphraseListOf(8).words.map((w) => w.slice(0, 3)));
    expect(prefixes.size).toBe(passphraseListOf(8).words.length);
  });
});
