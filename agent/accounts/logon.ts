/**
 * A local interactive logon against the simulated SAM, answering as LogonUser does: an unknown
 * name and a wrong password both fail with ERROR_LOGON_FAILURE (Windows does not tell them apart),
 * and a disabled account fails with ERROR_ACCOUNT_DISABLED only once the password is right. The
 * caller (Device.logon) starts post-authentication on success of the managed account.
 */
import type { Secret } from '../../core/secret.js';
import type { AccountDatabase, LocalAccount } from '../ports.js';

/** ERROR_LOGON_FAILURE: "The user name or password is incorrect." */
export const ERROR_LOGON_FAILURE = 1326;
/** ERROR_ACCOUNT_DISABLED: "This user can't sign in because this account is currently disabled." */
export const ERROR_ACCOUNT_DISABLED = 1331;

export type LogonCheck =
  | { readonly ok: true; readonly account: LocalAccount }
  | {
      readonly ok: false;
      readonly reason: 'unknown-account' | 'wrong-password' | 'account-disabled';
      /** The account the name resolved to, when there is one. */
      readonly account: LocalAccount | undefined;
      /** The Win32 error LogonUser would give. */
      readonly win32Error: number;
    };

/** Checks a local logon of `name` (Windows' case-insensitive lookup) with `password`. */
export function checkLogon(db: AccountDatabase, name: string, password: Secret): LogonCheck {
  const account = db.byName(name);
  if (!account) return { ok: false, reason: 'unknown-account', account: undefined, win32Error: ERROR_LOGON_FAILURE };
  if (!db.verifyPassword(account.rid, password)) return { ok: false, reason: 'wrong-password', account, win32Error: ERROR_LOGON_FAILURE };
  if (!account.enabled) return { ok: false, reason: 'account-disabled', account, win32Error: ERROR_ACCOUNT_DISABLED };
  return { ok: true, account };
}
