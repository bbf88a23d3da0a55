/**
 * Windows local account names: what the SAM accepts, and how it compares them.
 *
 * Rules from "Local Users and Groups" (net user / lusrmgr): at most 20 characters, none of
 * `" / \ [ ] : ; | = , + * ? < > @`, no control characters, and not made only of periods and
 * spaces. Names compare case-insensitively with Windows' simple per-character upper-casing
 * (RtlUpcaseUnicodeChar): one UTF-16 code unit maps to one, so `ß` stays `ß` (JavaScript's
 * full mapping would turn it into `SS`). Nothing is trimmed: `Admin ` and `Admin` differ.
 */
import { UsageError } from '../../core/errors.js';

/** Longest local account name Windows accepts, in UTF-16 code units. */
export const MAX_ACCOUNT_NAME_LENGTH = 20;

/** Characters Windows refuses in a local account name. */
const FORBIDDEN = /["/\\[\]:;|=,+*?<>@\u0000-\u001f\u007f]/;
const ONLY_DOTS_AND_SPACES = /^[. ]+$/;

/**
 * The key under which Windows compares account names: each UTF-16 code unit upper-cased on its
 * own (a unit whose upper case is longer than one unit stays as it is).
 */
export function foldAccountName(name: string): string {
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return name.toUpperCase();
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    const up = ch.toUpperCase();
    out += up.length === 1 ? up : ch;
  }
  return out;
}

/** True when Windows would take `a` and `b` for the same account name. */
export function sameAccountName(a: string, b: string): boolean {
  return a.length === b.length && foldAccountName(a) === foldAccountName(b);
}

/** Why Windows would refuse `name` as a local account name, or undefined when it is acceptable. */
export function accountNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an account name cannot be empty';
  if (name.length > MAX_ACCOUNT_NAME_LENGTH) {
    return `an account name has at most ${MAX_ACCOUNT_NAME_LENGTH} characters ("${name}" has ${name.length})`;
  }
  if (FORBIDDEN.test(name)) return `"${name}" contains a character Windows refuses in account names (" / \\ [ ] : ; | = , + * ? < > @ or a control character)`;
  if (ONLY_DOTS_AND_SPACES.test(name)) return 'an account name cannot consist only of periods and spaces';
  return undefined;
}

/**
 * Throws when Windows would refuse `name` (NERR_BadUsername).
 * @throws UsageError LAPS_ERR_INVALID_ARGUMENT
 */
export function assertAccountName(name: string): void {
  const problem = accountNameProblem(name);
  if (problem !== undefined) throw new UsageError(problem);
}
