/**
 * The word lists of PasswordComplexity 6-8 (passphrases, Windows 11 24H2 / Server 2025), prepared
 * for generation: capitalised once at load, so that making a passphrase only picks and joins.
 *
 * Microsoft uses the EFF 2016 lists "slightly modified" (its short lists have 1276 words, EFF's
 * 1296) and does not publish its variants. We use the EFF files as shipped (eff-wordlists.ts, from
 * data/wordlists/), so 7 and 8 draw from 1295 words instead of 1276 (see docs/decisions.md).
 *
 * Hyphenated entries (`drop-down`, `felt-tip`, `t-shirt`, `yo-yo`) are excluded: Microsoft documents
 * passphrases as letters only ("no separators, digits, or punctuation"), and a hyphen is a special
 * character, so keeping those words would let a passphrase pass a device's "3 of 4 categories"
 * complexity check by chance (1 six-word passphrase in 324 from the long list, 1 in 216 from a short
 * one), making event 10027 random.
 * Without them every passphrase is upper + lower case only and the check answers the same every time.
 */
import { EFF_LARGE_WORDLIST, EFF_SHORT_WORDLIST_1, EFF_SHORT_WORDLIST_2_0 } from './eff-wordlists.js';

/** PasswordComplexity values that make passphrases. */
export type PassphraseComplexity = 6 | 7 | 8;

/** One passphrase list, ready for generation. */
export interface PassphraseList {
  readonly complexity: PassphraseComplexity;
  /** Which EFF list, as Microsoft names the setting's value. */
  readonly name: string;
  /** The EFF list as published (7776 or 1296 lower-case words). */
  readonly source: readonly string[];
  /** The words drawn from: `source` without hyphenated entries, first letter upper case. */
  readonly words: readonly string[];
  /** The source entries left out (the hyphenated ones). */
  readonly excluded: readonly string[];
}

function prepare(complexity: PassphraseComplexity, name: string, source: readonly string[]): PassphraseList {
  const kept = source.filter((w) => /^[a-z]+$/.test(w));
  const excluded = source.filter((w) => !/^[a-z]+$/.test(w));
  const words = kept.map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return Object.freeze({ complexity, name, source, words: Object.freeze(words), excluded: Object.freeze(excluded) });
}

const LISTS: readonly PassphraseList[] = [
  prepare(6, 'EFF large word list', EFF_LARGE_WORDLIST),
  prepare(7, 'EFF short word list 1', EFF_SHORT_WORDLIST_1),
  prepare(8, 'EFF short word list 2.0 (unique prefixes)', EFF_SHORT_WORDLIST_2_0),
];

/** The prepared list of a passphrase complexity (6-8). Built once at module load. */
export function passphraseListOf(complexity: PassphraseComplexity): PassphraseList {
  return LISTS[complexity - 6]!;
}

/** True for 6-8, the PasswordComplexity values that make passphrases. */
export function isPassphraseComplexity(complexity: number): complexity is PassphraseComplexity {
  return complexity === 6 || complexity === 7 || complexity === 8;
}
