/**
 * Password and passphrase generation for Windows LAPS PasswordComplexity 1-8
 * (laps-behaviour.md section 5). Every random choice goes through the injected `Rng`; only
 * `cryptoRng()` may make passwords that protect anything real.
 *
 * Character passwords (1-5) are drawn uniformly from the set of *acceptable* passwords: each of the
 * `length` characters is drawn uniformly from the union of the sets, and a draw that misses a set is
 * thrown away and drawn again. Every string of the right length holding each set at least once is
 * then equally likely, so the password has the most entropy the rule allows and there is no order to
 * undo with a shuffle. (The often-described "one from each set, the rest from the union, then
 * shuffle" is not uniform: it weights each string by the product of its per-set counts, so at
 * complexity 2, length 8, `AAAAbbbb` (4 x 4) comes 16/7 times as often as `AAAAAAAb` (7 x 1).
 * See docs/decisions.md.) At length 14 a draw is kept 74% (complexity 5) to 100% (complexity 1) of
 * the time; the worst case, complexity 5 at length 8, keeps 41%.
 */
import { LapsError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Secret } from '../../core/secret.js';
import { type Alphabet, type CharacterComplexity, alphabetOf, isCharacterComplexity } from './charsets.js';
import { type PassphraseComplexity, isPassphraseComplexity, passphraseListOf } from './wordlists.js';

/** Shortest PasswordLength, in characters. */
export const PASSWORD_LENGTH_MIN = 8;
/** Longest PasswordLength, in characters. */
export const PASSWORD_LENGTH_MAX = 64;
/** PasswordLength when the policy sets none, in characters. */
export const PASSWORD_LENGTH_DEFAULT = 14;
/** Fewest PassphraseLength words. */
export const PASSPHRASE_WORDS_MIN = 3;
/** Most PassphraseLength words. */
export const PASSPHRASE_WORDS_MAX = 10;
/** PassphraseLength when the policy sets none, in words. */
export const PASSPHRASE_WORDS_DEFAULT = 6;

/** What to generate: the effective policy's PasswordComplexity, PasswordLength and PassphraseLength. */
export interface PasswordSpec {
  /** PasswordComplexity 1-8: 1-5 character sets (laps-behaviour.md 5.1), 6-8 passphrases (5.2). */
  readonly complexity: number;
  /** PasswordLength in characters, 8-64, default 14. Used for complexity 1-5 only (Windows ignores it for 6-8). */
  readonly length?: number;
  /** PassphraseLength in words, 3-10, default 6. Used for complexity 6-8 only. */
  readonly passphraseLength?: number;
}

/**
 * Draws that miss a set before we conclude the Rng is broken (a constant Rng would loop forever).
 * A sound Rng misses at most 60% of the time, so 1,000 misses in a row has probability below 1e-220.
 */
const MAX_DRAWS = 1000;

/** One scratch buffer per length, so that a password allocates only its string and its Secret. */
const SCRATCH: readonly Uint16Array[] = Array.from({ length: PASSWORD_LENGTH_MAX + 1 }, (_, n) => new Uint16Array(n));

/** A `PasswordSpec` checked and with its defaults filled in. */
export type ResolvedPasswordSpec =
  | { readonly kind: 'characters'; readonly complexity: CharacterComplexity; readonly length: number }
  | { readonly kind: 'passphrase'; readonly complexity: PassphraseComplexity; readonly words: number };

/**
 * Checks `spec` and fills in the defaults (length 14, 6 words); the value that the complexity
 * does not use is ignored, as Windows ignores it.
 * @throws LapsError LAPS_ERR_PASSWORD_GENERATION when a used value is not an integer in its range.
 */
export function resolvePasswordSpec(spec: PasswordSpec): ResolvedPasswordSpec {
  const { complexity } = spec;
  if (isCharacterComplexity(complexity)) {
    const length = spec.length ?? PASSWORD_LENGTH_DEFAULT;
    checkRange('PasswordLength', length, PASSWORD_LENGTH_MIN, PASSWORD_LENGTH_MAX);
    return { kind: 'characters', complexity, length };
  }
  if (isPassphraseComplexity(complexity)) {
    const words = spec.passphraseLength ?? PASSPHRASE_WORDS_DEFAULT;
    checkRange('PassphraseLength', words, PASSPHRASE_WORDS_MIN, PASSPHRASE_WORDS_MAX);
    return { kind: 'passphrase', complexity, words };
  }
  throw new LapsError('LAPS_ERR_PASSWORD_GENERATION', `PasswordComplexity must be an integer 1-8, got ${String(complexity)}`);
}

/**
 * A new password or passphrase for `spec`, drawn with `rng`.
 * Complexity 1-5: `length` characters holding at least one character of each set of the complexity,
 * uniform over all such strings. Complexity 6-8: `passphraseLength` words from the EFF long (6),
 * short (7) or short unique-prefix (8) list, each capitalised, joined without separators.
 * @throws LapsError LAPS_ERR_PASSWORD_GENERATION when a value is outside its range, or when `rng`
 *   cannot produce an acceptable password (it is broken).
 */
export function generatePassword(spec: PasswordSpec, rng: Rng): Secret {
  const r = resolvePasswordSpec(spec);
  if (r.kind === 'characters') return new Secret(drawCharacters(alphabetOf(r.complexity), r.length, rng));
  const list = passphraseListOf(r.complexity).words;
  const n = list.length;
  let out = '';
  for (let i = 0; i < r.words; i++) out += list[rng.int(n)]!;
  return new Secret(out);
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LapsError('LAPS_ERR_PASSWORD_GENERATION', `${name} must be an integer ${min}-${max}, got ${String(value)}`);
  }
}

function drawCharacters(alphabet: Alphabet, length: number, rng: Rng): string {
  const { codes, setBit, allSets } = alphabet;
  const n = codes.length;
  const buf = SCRATCH[length]!;
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    let seen = 0;
    for (let i = 0; i < length; i++) {
      const k = rng.int(n);
      buf[i] = codes[k]!;
      seen |= setBit[k]!;
    }
    if (seen === allSets) {
      const password = String.fromCharCode.apply(null, buf as unknown as number[]);
      buf.fill(0);
      return password;
    }
  }
  buf.fill(0);
  throw new LapsError(
    'LAPS_ERR_PASSWORD_GENERATION',
    `no password holding every character set after ${MAX_DRAWS} draws: the random number generator is broken`,
  );
}
