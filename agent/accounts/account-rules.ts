/**
 * The rules every AccountDatabase applies, gathered in one value so that adapters outside agent/
 * (store/ may import only types from agent/) receive them by injection rather than copying them:
 * how a password is hashed and checked, how names compare, which names are acceptable.
 */
import type { Secret } from '../../core/secret.js';
import { assertAccountName, foldAccountName } from './account-name.js';
import { ntHash, verifyNtHash } from '../password/nt-hash.js';

export interface AccountRules {
  /** The NT hash of `password` (16 bytes). The only place a password is revealed. */
  ntHash(password: Secret): Uint8Array;
  /** True when `password` has the NT hash `stored`, compared in constant time. */
  verifyHash(password: Secret, stored: Uint8Array): boolean;
  /** Windows' case-insensitive comparison key of an account name. */
  foldName(name: string): string;
  /** Throws UsageError (LAPS_ERR_INVALID_ARGUMENT) for a name Windows refuses. */
  checkName(name: string): void;
}

/** Windows' rules: NT hash (MD4 of UTF-16LE), per-character upper-case compare, SAM name rules. */
export const windowsAccountRules: AccountRules = Object.freeze({
  ntHash: (password: Secret) => ntHash(password),
  verifyHash: (password: Secret, stored: Uint8Array) => verifyNtHash(password, stored),
  foldName: foldAccountName,
  checkName: assertAccountName,
});
