/**
 * Password strength in bits, computed as Microsoft's table does ("Windows LAPS passwords and
 * passphrases"): log2(alphabet size) x length for characters, log2(list size) x words for
 * passphrases. Rounded, it gives Microsoft's figures: length 14 is 66 / 80 / 83 / 89 / 84 bits for
 * complexity 1-5; six words are 78 bits from the long list and 62 from a short one.
 */
import { alphabetOf } from './charsets.js';
import { type PasswordSpec, resolvePasswordSpec } from './generator.js';
import { passphraseListOf } from './wordlists.js';

/**
 * Entropy of a password made for `spec`, in bits, unrounded (Microsoft's table rounds to the nearest
 * bit). Uses the list sizes the generator draws from (7772 and 1295 words, hyphenated EFF entries
 * excluded). Like Microsoft's figure it ignores the at-least-one-of-each-set rule, which takes
 * log2(acceptance) off: 0.3 bits at complexity 4 length 14, at most 1.3 bits (complexity 5, length 8).
 * Defaults as `generatePassword`: length 14, 6 words.
 * @throws LapsError LAPS_ERR_PASSWORD_GENERATION when the spec is out of range.
 */
export function passwordEntropyBits(spec: PasswordSpec): number {
  const r = resolvePasswordSpec(spec);
  if (r.kind === 'characters') return r.length * Math.log2(alphabetOf(r.complexity).union.length);
  return r.words * Math.log2(passphraseListOf(r.complexity).words.length);
}
