/**
 * Tamper protection (laps-behaviour.md 4.2, 4.3): the account database as everyone but LAPS sees
 * it. The CLI's `account` commands and the fleet's simulated administrators go through it; LAPS's
 * own changes go to the AccountDatabase directly (Windows lets LAPS's own thread through).
 *
 * - Any password change on the managed account is refused with ERROR_POLICY_CONTROLLED_ACCOUNT
 *   (8654, 0x21CE) and logged as event 10031 (account name and RID), in every mode.
 * - An automatically managed account (lapsManaged) is also protected against modification (name,
 *   enabled state, description: 10101), security descriptor changes (10102), deletion (10103) and
 *   removal from Administrators (10104).
 * Every other account, and the manual-mode managed account apart from its password, changes
 * normally. A refused operation changes nothing.
 */
import type { Clock } from '../../core/clock.js';
import { LapsError, UsageError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import type { AccountDatabase, AccountPatch, EventLog, LocalAccount, NewAccount } from '../ports.js';
import { makeEvent } from '../events/make-event.js';

/** ERROR_POLICY_CONTROLLED_ACCOUNT: what `net user` reports ("System error 8654 has occurred."). */
export const ERROR_POLICY_CONTROLLED_ACCOUNT = 8654;
/** STATUS_POLICY_CONTROLLED_ACCOUNT: the NTSTATUS SAM returns for the same refusal. */
export const STATUS_POLICY_CONTROLLED_ACCOUNT = 0xc000a08b;

/** What an outside caller tried to do to an account. */
export type ProtectedOperation = 'password' | 'modify' | 'security-descriptor' | 'delete' | 'remove-from-administrators';

/** The event Windows LAPS logs when it blocks each operation. */
export const BLOCKED_EVENT = {
  password: 10031,
  modify: 10101,
  'security-descriptor': 10102,
  delete: 10103,
  'remove-from-administrators': 10104,
} as const satisfies Record<ProtectedOperation, number>;

const WHAT: Record<ProtectedOperation, string> = {
  password: 'changing the password of',
  modify: 'modifying',
  'security-descriptor': 'changing the security descriptor of',
  delete: 'deleting',
  'remove-from-administrators': 'removing from Administrators',
};

export interface AccountProtectionDeps {
  /** The raw account database of the device. */
  readonly accounts: AccountDatabase;
  /** Where blocked attempts are logged. */
  readonly events: EventLog;
  readonly clock: Clock;
  /**
   * RID of the account LAPS manages now (LAPS state's last managed account), undefined when none.
   * Accounts flagged lapsManaged are protected whatever this says.
   */
  readonly managedRid: () => number | undefined;
}

/**
 * The account database behind tamper protection. Implements AccountDatabase so that callers can
 * use it in place of the raw one; `lapsManaged` can only be set by LAPS and is refused here.
 * A refusal appends its event before throwing: do not run a refused call inside a store
 * transaction that the error rolls back, or the event goes with it.
 */
export class ProtectedAccountDatabase implements AccountDatabase {
  constructor(private readonly d: AccountProtectionDeps) {}

  list(): LocalAccount[] {
    return this.d.accounts.list();
  }

  byRid(rid: number): LocalAccount | undefined {
    return this.d.accounts.byRid(rid);
  }

  byName(name: string): LocalAccount | undefined {
    return this.d.accounts.byName(name);
  }

  verifyPassword(rid: number, password: Secret): boolean {
    return this.d.accounts.verifyPassword(rid, password);
  }

  /** Creates an account (`net user <name> /add`); never a LAPS-managed one. */
  create(account: NewAccount): LocalAccount {
    if (account.lapsManaged === true) throw new UsageError('only LAPS creates LAPS-managed accounts');
    return this.d.accounts.create(account);
  }

  /**
   * Changes an account. On an automatically managed account: `admin: false` is refused as removal
   * from Administrators (10104), any other field as a modification (10101).
   * @throws LapsError LAPS_ERR_POLICY_CONTROLLED_ACCOUNT
   */
  update(rid: number, patch: AccountPatch): LocalAccount {
    if (patch.lapsManaged !== undefined) throw new UsageError('only LAPS marks accounts as LAPS-managed');
    const account = this.#get(rid);
    if (account.lapsManaged) {
      if (patch.admin === false) throw this.#refuse('remove-from-administrators', account);
      const changes = patch.name !== undefined || patch.enabled !== undefined || patch.description !== undefined;
      if (changes || (patch.admin === true && !account.admin)) throw this.#refuse('modify', account);
    }
    return this.d.accounts.update(rid, patch);
  }

  /** Removes an account from the local Administrators group. */
  removeFromAdministrators(rid: number): LocalAccount {
    return this.update(rid, { admin: false });
  }

  /**
   * Deletes an account; refused (10103) for an automatically managed one.
   * @throws LapsError LAPS_ERR_POLICY_CONTROLLED_ACCOUNT
   */
  delete(rid: number): void {
    const account = this.#get(rid);
    if (account.lapsManaged) throw this.#refuse('delete', account);
    this.d.accounts.delete(rid);
  }

  /**
   * Sets a password from outside LAPS (`net user <name> <password>`); refused (10031) for the
   * managed account in every mode.
   * @param at epoch ms; default the clock's now
   * @throws LapsError LAPS_ERR_POLICY_CONTROLLED_ACCOUNT
   */
  setPassword(rid: number, password: Secret, at: number = this.d.clock.now()): void {
    const account = this.#get(rid);
    if (account.lapsManaged || account.rid === this.d.managedRid()) throw this.#refuse('password', account);
    this.d.accounts.setPassword(rid, password, at);
  }

  /**
   * Writes an account's security descriptor. Security descriptors are not modelled, so on any
   * other account this only checks that the account exists; on an automatically managed one it is
   * refused (10102), which is what the fleet's simulated administrators exercise.
   * @throws LapsError LAPS_ERR_POLICY_CONTROLLED_ACCOUNT
   */
  changeSecurityDescriptor(rid: number): void {
    const account = this.#get(rid);
    if (account.lapsManaged) throw this.#refuse('security-descriptor', account);
  }

  #get(rid: number): LocalAccount {
    const account = this.d.accounts.byRid(rid);
    if (!account) throw new LapsError('LAPS_ERR_UNKNOWN_ACCOUNT', `no local account has RID ${rid}`);
    return account;
  }

  #refuse(op: ProtectedOperation, account: LocalAccount): LapsError {
    const fields = { accountName: account.name, rid: account.rid };
    this.d.events.append(makeEvent(BLOCKED_EVENT[op], fields, this.d.clock.now()));
    const rid = `0x${account.rid.toString(16).toUpperCase()}`;
    const what = WHAT[op].charAt(0).toUpperCase() + WHAT[op].slice(1);
    return new LapsError(
      'LAPS_ERR_POLICY_CONTROLLED_ACCOUNT',
      `${what} "${account.name}" (RID ${rid}) was refused: the account is controlled by Windows LAPS ` +
        `(ERROR_POLICY_CONTROLLED_ACCOUNT, error ${ERROR_POLICY_CONTROLLED_ACCOUNT} / 0x21CE)`,
    );
  }
}
