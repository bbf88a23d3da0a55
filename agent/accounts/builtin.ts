/**
 * The accounts a fresh Windows client installation has in its SAM, with their well-known RIDs
 * (MS-DTYP 2.4.2.4) and the descriptions Windows gives them:
 * - Administrator, RID 500: member of Administrators, disabled by default on Windows client
 *   (Windows 10/11 setup disables it; Windows Server keeps it enabled). May be renamed or
 *   localized (`--builtin-admin-name`, e.g. "Administrateur").
 * - Guest, RID 501: disabled, not an administrator.
 * - DefaultAccount, RID 503 (Windows 10 1607+): disabled, system managed.
 * - WDAGUtilityAccount, RID 504 (Windows 10 1709+): disabled, used by Application Guard.
 * None has a password: nothing opens them until one is set.
 */
import type { AccountDatabase, LocalAccount, NewAccount } from '../ports.js';
import { BUILTIN_ADMINISTRATOR_RID } from './targeting.js';

/** Well-known RIDs of the built-in local accounts. */
export const BUILTIN_RIDS = {
  administrator: BUILTIN_ADMINISTRATOR_RID,
  guest: 501,
  defaultAccount: 503,
  wdagUtilityAccount: 504,
} as const;

export interface BuiltinAccountOptions {
  /** Name of the RID 500 account (renamed or localized). Default `Administrator`. */
  readonly administratorName?: string;
  /** Whether RID 500 starts enabled. Default false, as on Windows client (true on Windows Server). */
  readonly administratorEnabled?: boolean;
  /** Name of the RID 501 account. Default `Guest`. */
  readonly guestName?: string;
}

/** The built-in accounts of a new device, in RID order. */
export function builtinAccounts(opts: BuiltinAccountOptions = {}): NewAccount[] {
  return [
    {
      rid: BUILTIN_RIDS.administrator, name: opts.administratorName ?? 'Administrator', enabled: opts.administratorEnabled ?? false,
      admin: true, description: 'Built-in account for administering the computer/domain',
    },
    {
      rid: BUILTIN_RIDS.guest, name: opts.guestName ?? 'Guest', enabled: false, admin: false,
      description: 'Built-in account for guest access to the computer/domain',
    },
    {
      rid: BUILTIN_RIDS.defaultAccount, name: 'DefaultAccount', enabled: false, admin: false,
      description: 'A user account managed by the system.',
    },
    {
      rid: BUILTIN_RIDS.wdagUtilityAccount, name: 'WDAGUtilityAccount', enabled: false, admin: false,
      description: 'A user account managed and used by the system for Windows Defender Application Guard scenarios.',
    },
  ];
}

/**
 * Creates the built-in accounts in a new device's account database.
 * @throws LapsError LAPS_ERR_ACCOUNT_EXISTS when the database already holds one of them
 * @throws UsageError when `administratorName` or `guestName` is not a valid account name
 */
export function seedBuiltinAccounts(db: AccountDatabase, opts: BuiltinAccountOptions = {}): LocalAccount[] {
  return builtinAccounts(opts).map((a) => db.create(a));
}
