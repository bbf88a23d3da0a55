/**
 * Does a new password satisfy the device's local password policy? Windows LAPS validates every
 * generated password against it and, when it does not, logs event 10027 and changes nothing
 * (laps-behaviour.md 5.3). The rules are Windows' "Minimum password length" and "Password must meet
 * complexity requirements"
 * (https://learn.microsoft.com/windows/security/threat-protection/security-policy-settings/password-must-meet-complexity-requirements):
 * characters from at least three of the categories upper case, lower case, base-10 digits,
 * non-alphanumeric (~!@#$%^&*_-+=`|\(){}[]:;"'<>,.?/), and alphabetic characters that are neither
 * upper nor lower case; and neither the account name nor a token of the full name in it.
 *
 * LAPS passphrases (complexity 6-8) hold upper and lower case only, and complexity 1 upper case
 * only, so they fail a policy with complexity enabled: whether Windows behaves so is not documented
 * (laps-behaviour.md 13, question 8); this check answers what the policy text says.
 */
import type { Secret } from '../../core/secret.js';

/** The device's local password policy, as far as a new password is concerned. */
export interface LocalPasswordPolicy {
  /** MinimumPasswordLength in characters (UTF-16 code units); 0 = no minimum. Default 0. */
  readonly minLength?: number;
  /** "Password must meet complexity requirements". Default false. */
  readonly complexityEnabled?: boolean;
  /** The account's name (sAMAccountName); with complexity on, the password may not contain it. */
  readonly accountName?: string;
  /** The account's full (display) name; with complexity on, no token of 3+ characters may appear. */
  readonly fullName?: string;
}

/** Why a password was refused. */
export type PolicyViolation = 'too-short' | 'too-few-categories' | 'contains-account-name' | 'contains-full-name';

/** The verdict, which never contains the password. */
export interface PolicyCheck {
  readonly ok: boolean;
  /** Empty when `ok`. */
  readonly violations: readonly PolicyViolation[];
  /** How many of the five complexity categories the password uses (0-5). */
  readonly categories: number;
}

/** Categories needed when complexity is enabled. */
export const COMPLEXITY_CATEGORIES_REQUIRED = 3;

const UPPER = 1;
const LOWER = 2;
const DIGIT = 4;
const SPECIAL = 8;
const OTHER_ALPHA = 16;

/** The non-alphanumeric characters Windows counts (currency symbols and spaces do not count). */
const SPECIALS = '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/';
const ASCII_CATEGORY = new Uint8Array(128);
for (let c = 65; c <= 90; c++) ASCII_CATEGORY[c] = UPPER;
for (let c = 97; c <= 122; c++) ASCII_CATEGORY[c] = LOWER;
for (let c = 48; c <= 57; c++) ASCII_CATEGORY[c] = DIGIT;
for (const ch of SPECIALS) ASCII_CATEGORY[ch.charCodeAt(0)] = SPECIAL;

const IS_UPPER = /^\p{Lu}$/u;
const IS_LOWER = /^\p{Ll}$/u;
const IS_LETTER = /^\p{L}$/u;

function categoryOf(ch: string): number {
  if (IS_UPPER.test(ch)) return UPPER;
  if (IS_LOWER.test(ch)) return LOWER;
  if (IS_LETTER.test(ch)) return OTHER_ALPHA;
  return 0;
}

/** Delimiters that split a full name into tokens (Windows' list). */
const FULL_NAME_DELIMITERS = /[,.\-_ #\t]/;
/** Names and tokens shorter than this are not checked. */
const MIN_NAME_CHECKED = 3;

/**
 * Checks `password` against `policy`. Every violation is listed, so event 10027 can say why.
 * Complexity counts categories per code point; non-ASCII letters are classified by Unicode category.
 */
export function checkLocalPasswordPolicy(password: Secret | string, policy: LocalPasswordPolicy): PolicyCheck {
  const s = typeof password === 'string' ? password : password.reveal();
  const violations: PolicyViolation[] = [];
  if (s.length < (policy.minLength ?? 0)) violations.push('too-short');

  let mask = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) mask |= ASCII_CATEGORY[c]!;
    else {
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      mask |= categoryOf(ch);
      i += ch.length - 1;
    }
  }
  let categories = 0;
  for (let m = mask; m !== 0; m &= m - 1) categories++;

  if (policy.complexityEnabled === true) {
    if (categories < COMPLEXITY_CATEGORIES_REQUIRED) violations.push('too-few-categories');
    const lower = s.toLowerCase();
    const account = policy.accountName;
    if (account !== undefined && account.length >= MIN_NAME_CHECKED && lower.includes(account.toLowerCase())) {
      violations.push('contains-account-name');
    }
    const tokens = (policy.fullName ?? '').split(FULL_NAME_DELIMITERS);
    if (tokens.some((t) => t.length >= MIN_NAME_CHECKED && lower.includes(t.toLowerCase()))) violations.push('contains-full-name');
  }
  return { ok: violations.length === 0, violations, categories };
}
