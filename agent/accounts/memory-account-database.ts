/**
 * The local account database (SAM) of one device, in memory: a real component of the fleet
 * simulator, held to the same contract suite as the SQLite one. A device has a handful of
 * accounts, so rows live in one small array kept in RID order; each row keeps its folded name so
 * that lookups by name cost no allocation. The NT hash is kept, never the password.
 */
import { LapsError, UsageError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import type { AccountDatabase, AccountPatch, LocalAccount, NewAccount } from '../ports.js';
import { windowsAccountRules, type AccountRules } from './account-rules.js';

/** First RID handed to an account created without a fixed one (Windows starts user RIDs at 1000). */
export const FIRST_USER_RID = 1000;

interface Row {
  rid: number;
  name: string;
  key: string;
  enabled: boolean;
  admin: boolean;
  description: string;
  lapsManaged: boolean;
  passwordSetAt: number | undefined;
  ntHash: Uint8Array | undefined;
}

export interface MemoryAccountDatabaseOptions {
  /** Next RID to allocate. Default 1000. */
  readonly nextRid?: number;
}

/** An in-memory AccountDatabase for one device. */
export class MemoryAccountDatabase implements AccountDatabase {
  readonly #rows: Row[] = [];
  #nextRid: number;

  /**
   * @param rules hashing and naming rules; default Windows' (windowsAccountRules)
   * @param opts where RID allocation starts
   */
  constructor(private readonly rules: AccountRules = windowsAccountRules, opts: MemoryAccountDatabaseOptions = {}) {
    this.#nextRid = opts.nextRid ?? FIRST_USER_RID;
  }

  list(): LocalAccount[] {
    return this.#rows.map(toAccount);
  }

  byRid(rid: number): LocalAccount | undefined {
    const row = this.#find(rid);
    return row ? toAccount(row) : undefined;
  }

  byName(name: string): LocalAccount | undefined {
    const row = this.#findByKey(this.rules.foldName(name));
    return row ? toAccount(row) : undefined;
  }

  create(account: NewAccount): LocalAccount {
    this.rules.checkName(account.name);
    const key = this.rules.foldName(account.name);
    const taken = this.#findByKey(key);
    if (taken) throw nameTaken(account.name, taken.name);
    let rid: number;
    if (account.rid !== undefined) {
      checkRid(account.rid);
      if (this.#find(account.rid)) throw new LapsError('LAPS_ERR_ACCOUNT_EXISTS', `an account with RID ${account.rid} already exists`);
      rid = account.rid;
      if (rid >= this.#nextRid) this.#nextRid = rid + 1;
    } else {
      rid = this.#nextRid++;
    }
    const row: Row = {
      rid, name: account.name, key, enabled: account.enabled, admin: account.admin, description: account.description ?? '',
      lapsManaged: account.lapsManaged ?? false, passwordSetAt: undefined, ntHash: undefined,
    };
    let i = this.#rows.length;
    while (i > 0 && this.#rows[i - 1]!.rid > rid) i--;
    this.#rows.splice(i, 0, row);
    return toAccount(row);
  }

  update(rid: number, patch: AccountPatch): LocalAccount {
    const row = this.#get(rid);
    let key = row.key;
    if (patch.name !== undefined) {
      this.rules.checkName(patch.name);
      key = this.rules.foldName(patch.name);
      const taken = this.#findByKey(key);
      if (taken && taken !== row) throw nameTaken(patch.name, taken.name);
    }
    if (patch.name !== undefined) {
      row.name = patch.name;
      row.key = key;
    }
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (patch.admin !== undefined) row.admin = patch.admin;
    if (patch.description !== undefined) row.description = patch.description;
    if (patch.lapsManaged !== undefined) row.lapsManaged = patch.lapsManaged;
    return toAccount(row);
  }

  delete(rid: number): void {
    const i = this.#rows.findIndex((r) => r.rid === rid);
    if (i < 0) throw unknownRid(rid);
    this.#rows.splice(i, 1);
  }

  setPassword(rid: number, password: Secret, at: number): void {
    const row = this.#get(rid);
    row.ntHash = this.rules.ntHash(password);
    row.passwordSetAt = at;
  }

  verifyPassword(rid: number, password: Secret): boolean {
    const row = this.#get(rid);
    // An account whose password was never set has no credential: nothing opens it.
    return row.ntHash !== undefined && this.rules.verifyHash(password, row.ntHash);
  }

  #find(rid: number): Row | undefined {
    for (const r of this.#rows) if (r.rid === rid) return r;
    return undefined;
  }

  #findByKey(key: string): Row | undefined {
    for (const r of this.#rows) if (r.key === key) return r;
    return undefined;
  }

  #get(rid: number): Row {
    const row = this.#find(rid);
    if (!row) throw unknownRid(rid);
    return row;
  }
}

function toAccount(r: Row): LocalAccount {
  return {
    rid: r.rid, name: r.name, enabled: r.enabled, admin: r.admin, description: r.description, lapsManaged: r.lapsManaged,
    passwordSetAt: r.passwordSetAt,
  };
}

function checkRid(rid: number): void {
  if (!Number.isInteger(rid) || rid <= 0 || rid > 0xffffffff) {
    throw new UsageError(`not a RID: ${rid}`);
  }
}

function nameTaken(wanted: string, existing: string): LapsError {
  const same = wanted === existing ? '' : ` (as "${existing}")`;
  return new LapsError('LAPS_ERR_ACCOUNT_EXISTS', `the account "${wanted}" already exists${same}`);
}

function unknownRid(rid: number): LapsError {
  return new LapsError('LAPS_ERR_UNKNOWN_ACCOUNT', `no local account has RID ${rid}`);
}
