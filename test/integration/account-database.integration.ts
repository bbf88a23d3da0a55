import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import { windowsAccountRules } from '../../agent/accounts/account-rules.js';
import { seedBuiltinAccounts } from '../../agent/accounts/builtin.js';
import { openDatabase, type Db } from '../../store/database.js';
import { insertDevice } from '../../store/devices.js';
import { SqliteAccountDatabase } from '../../store/sqlite-account-database.js';
import { accountDatabaseContract, NT_HASH_OF_PASSWORD } from '../contract/account-database.contract.js';
import { testDevice } from '../contract/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lapsim-accounts-'));
let n = 0;

function freshFile(): { path: string; db: Db } {
  const path = join(dir, `a${n++}.db`);
  const db = openDatabase(path);
  insertDevice(db, testDevice('d-1'));
  insertDevice(db, testDevice('d-2'));
  return { path, db };
}

/** Every byte SQLite keeps for the file: the database, its WAL and shared memory. */
function fileBytes(path: string): Buffer {
  return Buffer.concat(['', '-wal', '-shm'].filter((s) => existsSync(path + s)).map((s) => readFileSync(path + s)));
}

accountDatabaseContract('sqlite file', () => {
  const { db } = freshFile();
  return {
    accounts: new SqliteAccountDatabase(db, 'd-1', windowsAccountRules),
    other: new SqliteAccountDatabase(db, 'd-2', windowsAccountRules),
    rawRows: () => db.prepare('SELECT * FROM accounts').all() as Record<string, unknown>[],
  };
});

describe('account database on disk', () => {
  it('keeps accounts, the RID counter and passwords across a reopen', () => {
    const { path, db } = freshFile();
    const accounts = new SqliteAccountDatabase(db, 'd-1', windowsAccountRules);
    seedBuiltinAccounts(accounts, { administratorName: 'Administrateur' });
    const ops = accounts.create({ name: 'Opérateur', enabled: true, admin: true, description: 'équipe' });
    accounts.setPassword(500, new Secret('Rotated-By-LAPS-1'), 1_772_323_200_000);
    accounts.delete(ops.rid);
    db.close();

    const again = openDatabase(path);
    const reopened = new SqliteAccountDatabase(again, 'd-1', windowsAccountRules);
    expect(reopened.list().map((a) => [a.rid, a.name])).toEqual([[500, 'Administrateur'], [501, 'Guest'], [503, 'DefaultAccount'], [504, 'WDAGUtilityAccount']]);
    expect(reopened.byName('ADMINISTRATEUR')?.passwordSetAt).toBe(1_772_323_200_000);
    expect(reopened.verifyPassword(500, new Secret('Rotated-By-LAPS-1'))).toBe(true);
    expect(reopened.verifyPassword(500, new Secret('rotated-by-laps-1'))).toBe(false);
    expect(reopened.create({ name: 'Opérateur', enabled: true, admin: false }).rid).toBe(ops.rid + 1);
    again.close();
  });

  it('never writes the password to the file, in any encoding', () => {
    const { path, db } = freshFile();
    const accounts = new SqliteAccountDatabase(db, 'd-1', windowsAccountRules);
    seedBuiltinAccounts(accounts);
    const secret = 'Unmistakable-Passw0rd-7Q!';
    accounts.setPassword(500, new Secret(secret), 1);
    accounts.setPassword(501, new Secret('password'), 1);
    const check = (bytes: Buffer): void => {
      expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
      expect(bytes.includes(Buffer.from(NT_HASH_OF_PASSWORD, 'hex'))).toBe(true);
    };
    check(fileBytes(path));
    db.close();
    check(fileBytes(path));
  });
});
