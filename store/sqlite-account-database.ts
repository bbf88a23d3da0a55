/**
 * The local account database (SAM) of one device in a lapsim SQLite file (table `accounts`,
 * migration 2). Statements are prepared once per database and shared by every device of it, so a
 * fleet of 100,000 devices in one file prepares them once. New accounts take their RID from
 * `devices.next_rid` (1000 upwards, never reused); fixed RIDs (500, 501...) are given by the
 * caller. The NT hash is stored, never the password.
 *
 * Names are unique per device under Windows' comparison. The `accounts_by_name` index compares
 * with SQLite's NOCASE, which folds ASCII only: it serves the common lookup, and a miss falls back
 * to comparing the device's few names with the injected rules' fold (non-ASCII names).
 */
import { LapsError, StoreError, UsageError } from '../core/errors.js';
import type { Secret } from '../core/secret.js';
import type { AccountDatabase, AccountPatch, LocalAccount, NewAccount } from '../agent/ports.js';
import type { AccountRules } from '../agent/accounts/account-rules.js';
import type { Db } from './database.js';
import { atomic } from './atomic.js';
import { dataVersion } from './data-version.js';
import { perDatabase } from './per-database.js';

interface Row {
  rid: number;
  name: string;
  enabled: number;
  admin: number;
  description: string;
  password_set_at: number | null;
  laps_managed: number;
}

const COLUMNS = 'rid, name, enabled, admin, description, password_set_at, laps_managed';

function prepareAll(db: Db) {
  const s = {
    list: db.prepare(`SELECT ${COLUMNS} FROM accounts WHERE device_id = ? ORDER BY rid`),
    byRid: db.prepare(`SELECT ${COLUMNS} FROM accounts WHERE device_id = ? AND rid = ?`),
    byNameNocase: db.prepare(`SELECT ${COLUMNS} FROM accounts WHERE device_id = ? AND name = ? COLLATE NOCASE`),
    insert: db.prepare(`INSERT INTO accounts (device_id, rid, name, enabled, admin, description, laps_managed)
                        VALUES (?, ?, ?, ?, ?, ?, ?)`),
    allocRid: db.prepare('UPDATE devices SET next_rid = next_rid + 1 WHERE device_id = ? RETURNING next_rid - 1 AS rid'),
    raiseNextRid: db.prepare('UPDATE devices SET next_rid = max(next_rid, ?) WHERE device_id = ? RETURNING next_rid'),
    update: db.prepare(`UPDATE accounts SET name = ?, enabled = ?, admin = ?, description = ?, laps_managed = ?
                        WHERE device_id = ? AND rid = ?`),
    delete: db.prepare('DELETE FROM accounts WHERE device_id = ? AND rid = ?'),
    setHash: db.prepare('UPDATE accounts SET nt_hash = ?, password_set_at = ? WHERE device_id = ? AND rid = ?'),
    getHash: db.prepare('SELECT nt_hash FROM accounts WHERE device_id = ? AND rid = ?'),
  };
  return { ...s, db };
}

type Statements = ReturnType<typeof prepareAll>;

/** One set of prepared statements per database, shared by every device's view of it. */
const statementsFor = perDatabase(prepareAll);

/** The AccountDatabase of device `deviceId` in `db`. Cheap to construct (no query, no prepare). */
export class SqliteAccountDatabase implements AccountDatabase {
  readonly #s: Statements;
  /**
   * The device's accounts as last read. Each cycle lists them to plan the managed account; this
   * view is the device's only writer, so the list is served from memory until it writes.
   */
  #cache: LocalAccount[] | undefined;
  #version = -1;

  /**
   * @param db an open lapsim database (openDatabase)
   * @param deviceId the device whose accounts this is; its `devices` row must exist
   * @param rules hashing and naming rules; pass `windowsAccountRules` from agent/accounts/account-rules.ts
   */
  constructor(db: Db, readonly deviceId: string, private readonly rules: AccountRules) {
    this.#s = statementsFor(db);
  }

  list(): LocalAccount[] {
    return [...this.#cached()];
  }

  /** The account list, re-read when another process committed to the database. */
  #cached(): LocalAccount[] {
    const v = dataVersion(this.#s.db);
    if (!this.#cache || v !== this.#version) {
      this.#cache = (this.#s.list.all(this.deviceId) as Row[]).map(toAccount);
      this.#version = v;
    }
    return this.#cache;
  }

  byRid(rid: number): LocalAccount | undefined {
    if (this.#cache && dataVersion(this.#s.db) === this.#version) return this.#cache.find((a) => a.rid === rid);
    const row = this.#s.byRid.get(this.deviceId, rid) as Row | undefined;
    return row ? toAccount(row) : undefined;
  }

  byName(name: string): LocalAccount | undefined {
    const row = this.#rowByName(name);
    return row ? toAccount(row) : undefined;
  }

  create(account: NewAccount): LocalAccount {
    this.rules.checkName(account.name);
    if (account.rid !== undefined) checkRid(account.rid);
    return this.#write(() => {
      const taken = this.#rowByName(account.name);
      if (taken) throw nameTaken(account.name, taken.name);
      let rid: number;
      if (account.rid !== undefined) {
        if (this.#s.byRid.get(this.deviceId, account.rid)) {
          throw new LapsError('LAPS_ERR_ACCOUNT_EXISTS', `an account with RID ${account.rid} already exists`);
        }
        rid = account.rid;
        if (!this.#s.raiseNextRid.get(rid + 1, this.deviceId)) throw noDevice(this.deviceId);
      } else {
        const r = this.#s.allocRid.get(this.deviceId) as { rid: number } | undefined;
        if (!r) throw noDevice(this.deviceId);
        rid = r.rid;
      }
      const description = account.description ?? '';
      const lapsManaged = account.lapsManaged ?? false;
      this.#s.insert.run(this.deviceId, rid, account.name, bit(account.enabled), bit(account.admin), description, bit(lapsManaged));
      return { rid, name: account.name, enabled: account.enabled, admin: account.admin, description, lapsManaged, passwordSetAt: undefined };
    });
  }

  update(rid: number, patch: AccountPatch): LocalAccount {
    if (patch.name !== undefined) this.rules.checkName(patch.name);
    return this.#write(() => {
      const row = this.#s.byRid.get(this.deviceId, rid) as Row | undefined;
      if (!row) throw unknownRid(rid);
      const cur = toAccount(row);
      if (patch.name !== undefined) {
        const taken = this.#rowByName(patch.name);
        if (taken && taken.rid !== rid) throw nameTaken(patch.name, taken.name);
      }
      const next: LocalAccount = {
        ...cur,
        name: patch.name ?? cur.name,
        enabled: patch.enabled ?? cur.enabled,
        admin: patch.admin ?? cur.admin,
        description: patch.description ?? cur.description,
        lapsManaged: patch.lapsManaged ?? cur.lapsManaged,
      };
      this.#s.update.run(next.name, bit(next.enabled), bit(next.admin), next.description, bit(next.lapsManaged), this.deviceId, rid);
      return next;
    });
  }

  delete(rid: number): void {
    this.#cache = undefined;
    if (this.#s.delete.run(this.deviceId, rid).changes === 0) throw unknownRid(rid);
  }

  setPassword(rid: number, password: Secret, at: number): void {
    const hash = this.rules.ntHash(password);
    if (this.#s.setHash.run(hash, at, this.deviceId, rid).changes === 0) throw unknownRid(rid);
    if (this.#cache) this.#cache = this.#cache.map((a) => (a.rid === rid ? { ...a, passwordSetAt: at } : a));
  }

  verifyPassword(rid: number, password: Secret): boolean {
    const row = this.#s.getHash.get(this.deviceId, rid) as { nt_hash: Buffer | null } | undefined;
    if (!row) throw unknownRid(rid);
    // An account whose password was never set has no credential: nothing opens it.
    return row.nt_hash !== null && this.rules.verifyHash(password, row.nt_hash);
  }

  /** The row whose name Windows takes for `name`: the NOCASE index first, then the fold. */
  #rowByName(name: string): Row | undefined {
    const hit = this.#s.byNameNocase.get(this.deviceId, name) as Row | undefined;
    if (hit) return hit;
    const key = this.rules.foldName(name);
    for (const row of this.#s.list.all(this.deviceId) as Row[]) {
      if (this.rules.foldName(row.name) === key) return row;
    }
    return undefined;
  }

  /** Runs a read-then-write atomically (a savepoint when the caller already holds a transaction). */
  #write<T>(fn: () => T): T {
    this.#cache = undefined;
    try {
      return atomic(this.#s.db, fn);
    } catch (e) {
      if (e instanceof LapsError) throw e;
      const code = (e as { code?: unknown }).code;
      if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw noDevice(this.deviceId);
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new LapsError('LAPS_ERR_ACCOUNT_EXISTS', `the account already exists (${(e as Error).message})`, { cause: e });
      }
      throw e;
    }
  }
}

function toAccount(r: Row): LocalAccount {
  return {
    rid: r.rid, name: r.name, enabled: r.enabled === 1, admin: r.admin === 1, description: r.description,
    lapsManaged: r.laps_managed === 1, passwordSetAt: r.password_set_at ?? undefined,
  };
}

function bit(b: boolean): number {
  return b ? 1 : 0;
}

function checkRid(rid: number): void {
  if (!Number.isInteger(rid) || rid <= 0 || rid > 0xffffffff) throw new UsageError(`not a RID: ${rid}`);
}

function nameTaken(wanted: string, existing: string): LapsError {
  const same = wanted === existing ? '' : ` (as "${existing}")`;
  return new LapsError('LAPS_ERR_ACCOUNT_EXISTS', `the account "${wanted}" already exists${same}`);
}

function unknownRid(rid: number): LapsError {
  return new LapsError('LAPS_ERR_UNKNOWN_ACCOUNT', `no local account has RID ${rid}`);
}

function noDevice(deviceId: string): StoreError {
  return new StoreError('LAPS_ERR_STORE_NO_DEVICE', `no device ${deviceId} in this database`);
}
