/**
 * Contract suite of the AccountDatabase port (the simulated SAM). Every implementation (memory,
 * SQLite in memory, SQLite on a file) runs it.
 */
import { describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import type { AccountDatabase, LocalAccount } from '../../agent/ports.js';

export interface AccountDatabaseFixture {
  /** A fresh, empty account database of one device. */
  accounts: AccountDatabase;
  /** A second device's database in the same store (isolation). */
  other: AccountDatabase;
  /** The stored rows as the store holds them, when it keeps rows (SQLite). */
  rawRows?: () => Record<string, unknown>[];
}

/** NT hash of `password` (a published test vector). */
export const NT_HASH_OF_PASSWORD = '8846f7eaee8fb117ad06bdd830b7586c';

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
}

function hexOf(v: unknown): string {
  return v instanceof Uint8Array ? Buffer.from(v).toString('hex') : '';
}

export function accountDatabaseContract(name: string, make: () => AccountDatabaseFixture): void {
  describe(`account database contract: ${name}`, () => {
    it('starts empty; a created account reads back the same by RID, by name and in the list', () => {
      const { accounts } = make();
      expect(accounts.list()).toEqual([]);
      const a = accounts.create({ name: 'Alice', enabled: true, admin: false });
      const want: LocalAccount = { rid: 1000, name: 'Alice', enabled: true, admin: false, description: '', lapsManaged: false, passwordSetAt: undefined };
      expect(a).toEqual(want);
      expect(accounts.byRid(1000)).toEqual(want);
      expect(accounts.byName('Alice')).toEqual(want);
      expect(accounts.list()).toEqual([want]);
      expect(accounts.byRid(1001)).toBeUndefined();
      expect(accounts.byName('Bob')).toBeUndefined();
    });

    it('keeps every field given at creation', () => {
      const { accounts } = make();
      const a = accounts.create({ name: 'Ops', enabled: false, admin: true, description: 'operations', lapsManaged: true, rid: 500 });
      expect(a).toEqual({ rid: 500, name: 'Ops', enabled: false, admin: true, description: 'operations', lapsManaged: true, passwordSetAt: undefined });
      expect(accounts.byRid(500)).toEqual(a);
    });

    it('finds names case-insensitively as Windows does, without trimming', () => {
      const { accounts } = make();
      accounts.create({ name: 'Administrateur', enabled: true, admin: true });
      accounts.create({ name: 'Järjestelmänvalvoja', enabled: true, admin: true });
      accounts.create({ name: 'Straße', enabled: true, admin: false });
      expect(accounts.byName('ADMINISTRATEUR')?.name).toBe('Administrateur');
      expect(accounts.byName('administrateur')?.rid).toBe(1000);
      expect(accounts.byName('JÄRJESTELMÄNVALVOJA')?.rid).toBe(1001);
      expect(accounts.byName('STRASSE')).toBeUndefined();
      expect(accounts.byName('STRAßE')?.rid).toBe(1002);
      expect(accounts.byName('Administrateur ')).toBeUndefined();
      expect(accounts.byName(' Administrateur')).toBeUndefined();
    });

    it('allocates RIDs from 1000, around fixed ones, and never reuses them', () => {
      const { accounts } = make();
      expect(accounts.create({ name: 'Administrator', enabled: false, admin: true, rid: 500 }).rid).toBe(500);
      expect(accounts.create({ name: 'Guest', enabled: false, admin: false, rid: 501 }).rid).toBe(501);
      expect(accounts.create({ name: 'a', enabled: true, admin: false }).rid).toBe(1000);
      expect(accounts.create({ name: 'b', enabled: true, admin: false }).rid).toBe(1001);
      accounts.delete(1001);
      expect(accounts.create({ name: 'c', enabled: true, admin: false }).rid).toBe(1002);
      expect(accounts.create({ name: 'd', enabled: true, admin: false, rid: 1010 }).rid).toBe(1010);
      expect(accounts.create({ name: 'e', enabled: true, admin: false }).rid).toBe(1011);
      expect(accounts.list().map((x) => x.rid)).toEqual([500, 501, 1000, 1002, 1010, 1011]);
    });

    it('refuses a name that exists in any case, and a RID in use, consuming no RID', async () => {
      const { accounts } = make();
      accounts.create({ name: 'Admin', enabled: true, admin: true });
      accounts.create({ name: 'Järjestelmänvalvoja', enabled: true, admin: true });
      expect(await codeOf(() => accounts.create({ name: 'Admin', enabled: true, admin: false }))).toBe('LAPS_ERR_ACCOUNT_EXISTS');
      expect(await codeOf(() => accounts.create({ name: 'aDMIN', enabled: true, admin: false }))).toBe('LAPS_ERR_ACCOUNT_EXISTS');
      expect(await codeOf(() => accounts.create({ name: 'JÄRJESTELMÄNVALVOJA', enabled: true, admin: false }))).toBe('LAPS_ERR_ACCOUNT_EXISTS');
      expect(await codeOf(() => accounts.create({ name: 'Other', enabled: true, admin: false, rid: 1000 }))).toBe('LAPS_ERR_ACCOUNT_EXISTS');
      expect(accounts.list()).toHaveLength(2);
      expect(accounts.create({ name: 'Admin ', enabled: true, admin: false }).rid).toBe(1002);
    });

    it('refuses names Windows refuses, and accepts 20 characters', async () => {
      const { accounts } = make();
      for (const bad of ['', 'x'.repeat(21), 'a/b', 'a\\b', 'a@b', 'a:b', 'a*b', 'a"b', 'tab\there', '...', ' . ']) {
        expect(await codeOf(() => accounts.create({ name: bad, enabled: true, admin: false })), JSON.stringify(bad)).toBe('LAPS_ERR_INVALID_ARGUMENT');
      }
      expect(accounts.list()).toEqual([]);
      expect(accounts.create({ name: 'x'.repeat(20), enabled: true, admin: false }).name).toHaveLength(20);
    });

    it('updates each field and renames, keeping RID and password', () => {
      const { accounts } = make();
      const a = accounts.create({ name: 'Temp', enabled: false, admin: false });
      accounts.setPassword(a.rid, new Secret('Correct-Horse-1'), 111);
      const u = accounts.update(a.rid, { name: 'Renamed', enabled: true, admin: true, description: 'd', lapsManaged: true });
      const want: LocalAccount = { rid: a.rid, name: 'Renamed', enabled: true, admin: true, description: 'd', lapsManaged: true, passwordSetAt: 111 };
      expect(u).toEqual(want);
      expect(accounts.byRid(a.rid)).toEqual(want);
      expect(accounts.byName('renamed')).toEqual(want);
      expect(accounts.byName('Temp')).toBeUndefined();
      expect(accounts.verifyPassword(a.rid, new Secret('Correct-Horse-1'))).toBe(true);
      expect(accounts.update(a.rid, {})).toEqual(want);
      expect(accounts.update(a.rid, { enabled: false }).enabled).toBe(false);
      expect(accounts.byRid(a.rid)?.name).toBe('Renamed');
    });

    it('lets an account change the case of its own name, not take another one', async () => {
      const { accounts } = make();
      const a = accounts.create({ name: 'alpha', enabled: true, admin: false });
      accounts.create({ name: 'Beta', enabled: true, admin: false });
      expect(accounts.update(a.rid, { name: 'ALPHA' }).name).toBe('ALPHA');
      expect(await codeOf(() => accounts.update(a.rid, { name: 'beta', enabled: false }))).toBe('LAPS_ERR_ACCOUNT_EXISTS');
      expect(await codeOf(() => accounts.update(a.rid, { name: 'bad/name' }))).toBe('LAPS_ERR_INVALID_ARGUMENT');
      expect(accounts.byRid(a.rid)).toMatchObject({ name: 'ALPHA', enabled: true });
      expect(await codeOf(() => accounts.update(4242, { enabled: false }))).toBe('LAPS_ERR_UNKNOWN_ACCOUNT');
    });

    it('deletes an account, freeing its name', async () => {
      const { accounts } = make();
      const a = accounts.create({ name: 'Gone', enabled: true, admin: false });
      accounts.create({ name: 'Stays', enabled: true, admin: false });
      accounts.delete(a.rid);
      expect(accounts.byRid(a.rid)).toBeUndefined();
      expect(accounts.byName('gone')).toBeUndefined();
      expect(accounts.list().map((x) => x.name)).toEqual(['Stays']);
      expect(await codeOf(() => accounts.delete(a.rid))).toBe('LAPS_ERR_UNKNOWN_ACCOUNT');
      expect(accounts.create({ name: 'GONE', enabled: true, admin: false }).rid).toBe(1002);
    });

    it('verifies the password set, and no other', () => {
      const { accounts } = make();
      const a = accounts.create({ name: 'User', enabled: true, admin: false });
      accounts.setPassword(a.rid, new Secret('password'), 1_772_323_200_000);
      expect(accounts.byRid(a.rid)?.passwordSetAt).toBe(1_772_323_200_000);
      expect(accounts.verifyPassword(a.rid, new Secret('password'))).toBe(true);
      expect(accounts.verifyPassword(a.rid, new Secret('Password'))).toBe(false);
      expect(accounts.verifyPassword(a.rid, new Secret('password '))).toBe(false);
      expect(accounts.verifyPassword(a.rid, new Secret(''))).toBe(false);
      accounts.setPassword(a.rid, new Secret('Ünïcødé-🔑-pass'), 2);
      expect(accounts.verifyPassword(a.rid, new Secret('password'))).toBe(false);
      expect(accounts.verifyPassword(a.rid, new Secret('Ünïcødé-🔑-pass'))).toBe(true);
      expect(accounts.byRid(a.rid)?.passwordSetAt).toBe(2);
    });

    it('an empty password opens only with the empty password; a never-set one opens with nothing', () => {
      const { accounts } = make();
      const a = accounts.create({ name: 'Blank', enabled: true, admin: false });
      const b = accounts.create({ name: 'NeverSet', enabled: true, admin: false });
      accounts.setPassword(a.rid, new Secret(''), 5);
      expect(accounts.verifyPassword(a.rid, new Secret(''))).toBe(true);
      expect(accounts.verifyPassword(a.rid, new Secret(' '))).toBe(false);
      expect(accounts.verifyPassword(b.rid, new Secret(''))).toBe(false);
      expect(accounts.verifyPassword(b.rid, new Secret('anything'))).toBe(false);
      expect(accounts.byRid(b.rid)?.passwordSetAt).toBeUndefined();
    });

    it('refuses password operations on an unknown RID', async () => {
      const { accounts } = make();
      expect(await codeOf(() => accounts.setPassword(1234, new Secret('x'), 1))).toBe('LAPS_ERR_UNKNOWN_ACCOUNT');
      expect(await codeOf(() => accounts.verifyPassword(1234, new Secret('x')))).toBe('LAPS_ERR_UNKNOWN_ACCOUNT');
    });

    it('keeps devices apart: same names, own RIDs, own passwords', () => {
      const { accounts, other } = make();
      accounts.create({ name: 'Shared', enabled: true, admin: false });
      accounts.create({ name: 'Mine', enabled: true, admin: false });
      expect(other.list()).toEqual([]);
      const o = other.create({ name: 'Shared', enabled: false, admin: true });
      expect(o.rid).toBe(1000);
      accounts.setPassword(1000, new Secret('first-device'), 1);
      other.setPassword(1000, new Secret('second-device'), 2);
      expect(accounts.verifyPassword(1000, new Secret('first-device'))).toBe(true);
      expect(other.verifyPassword(1000, new Secret('first-device'))).toBe(false);
      other.delete(1000);
      expect(accounts.byName('shared')?.rid).toBe(1000);
      expect(other.byName('Mine')).toBeUndefined();
    });

    it('stores the NT hash and never the password text', ({ skip }) => {
      const f = make();
      if (!f.rawRows) skip('this implementation keeps no rows to inspect');
      const a = f.accounts.create({ name: 'Hashed', enabled: true, admin: true });
      f.accounts.setPassword(a.rid, new Secret('password'), 9);
      const secret = 'S3cr3t-Pa$$phrase-XYZ';
      const b = f.accounts.create({ name: 'Other', enabled: true, admin: true });
      f.accounts.setPassword(b.rid, new Secret(secret), 10);
      const rows = f.rawRows!();
      const dump = JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret, 'utf8').toString('base64'));
      expect(dump).not.toContain(Buffer.from(secret, 'utf16le').toString('base64'));
      const hashes = rows.map((r) => Object.values(r).map(hexOf).join('')).join('|');
      expect(hashes).toContain(NT_HASH_OF_PASSWORD);
      expect(hashes).not.toContain(Buffer.from(secret, 'utf16le').toString('hex'));
      expect(hashes).not.toContain(Buffer.from(secret, 'utf8').toString('hex'));
    });
  });
}
