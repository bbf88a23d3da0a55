/**
 * The character sets of Windows LAPS PasswordComplexity 1-5, exactly as Microsoft documents them
 * ("Windows LAPS passwords and passphrases",
 * https://learn.microsoft.com/windows-server/identity/laps/laps-concepts-passwords-passphrases).
 * LAPS guarantees at least one character of each set; the sets of one complexity are disjoint.
 */

/** PasswordComplexity values that make character passwords (6-8 make passphrases). */
export type CharacterComplexity = 1 | 2 | 3 | 4 | 5;

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
/** The 18 specials of complexity 4. */
const SPECIALS = ',.-+;!#&@{}[]$/()%';
/** Complexity 5 ("improved readability", 24H2+): no I O Q, l o, 0 1, and its own specials. */
const UPPER_READABLE = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const LOWER_READABLE = 'abcdefghijkmnpqrstuvwxyz';
const DIGITS_READABLE = '23456789';
const SPECIALS_READABLE = '!#%+@:=?*';

/** The sets of each complexity, in the order Microsoft lists them. */
export const CHARACTER_SETS: Readonly<Record<CharacterComplexity, readonly string[]>> = Object.freeze({
  1: Object.freeze([UPPER]),
  2: Object.freeze([UPPER, LOWER]),
  3: Object.freeze([UPPER, LOWER, DIGITS]),
  4: Object.freeze([UPPER, LOWER, DIGITS, SPECIALS]),
  5: Object.freeze([UPPER_READABLE, LOWER_READABLE, DIGITS_READABLE, SPECIALS_READABLE]),
});

/**
 * One complexity's sets prepared for generation: the union as a string and as UTF-16 codes, and for
 * each union position the bit of the set it belongs to.
 */
export interface Alphabet {
  readonly complexity: CharacterComplexity;
  readonly sets: readonly string[];
  /** The union of the sets, in set order (26, 52, 62, 80 or 64 characters). */
  readonly union: string;
  /** `union` as UTF-16 code units. */
  readonly codes: Uint16Array;
  /** For union position i, `1 << set index` of the set holding union[i]. */
  readonly setBit: Uint8Array;
  /** All set bits together: a password holds every set when its bits OR to this. */
  readonly allSets: number;
}

function buildAlphabet(complexity: CharacterComplexity): Alphabet {
  const sets = CHARACTER_SETS[complexity];
  const union = sets.join('');
  const codes = new Uint16Array(union.length);
  const setBit = new Uint8Array(union.length);
  let i = 0;
  sets.forEach((set, s) => {
    for (let j = 0; j < set.length; j++, i++) {
      codes[i] = set.charCodeAt(j);
      setBit[i] = 1 << s;
    }
  });
  if (new Set(union).size !== union.length) throw new Error(`complexity ${complexity}: sets overlap`);
  return Object.freeze({ complexity, sets, union, codes, setBit, allSets: (1 << sets.length) - 1 });
}

const ALPHABETS: readonly Alphabet[] = [1, 2, 3, 4, 5].map((c) => buildAlphabet(c as CharacterComplexity));

/** The prepared alphabet of a character complexity (1-5). Built once at module load. */
export function alphabetOf(complexity: CharacterComplexity): Alphabet {
  return ALPHABETS[complexity - 1]!;
}

/** True for 1-5, the PasswordComplexity values that make character passwords. */
export function isCharacterComplexity(complexity: number): complexity is CharacterComplexity {
  return Number.isInteger(complexity) && complexity >= 1 && complexity <= 5;
}
