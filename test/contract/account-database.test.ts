import { describe, expect, it, vi } from 'vitest';
import { Secret } from '../../core/secret.js';
import { windowsAccountRules } from '../../agent/accounts/account-rules.js';
import { MemoryAccountDatabase } from '../../agent/accounts/memory-account-database.js';
import { openDatabase, type Db } from '../../store/database.js';
import { insertDevice } from '../../store/devices.js';
import { SqliteAccountDatabase } from '../../store/sqlite-account-database.js';
import { accountDatabaseContract } from './account-database.contract.js';
import { testDevice } from './fixtures.js';

accountDatabaseContract('memory', () => ({ accounts: new MemoryAccountDatabase(), other: new MemoryAccountDatabase(windowsAccountRules) }));

function sqliteWithDevices(...ids: string[]): Db {
  const db = openDatabase(':memory:');
  for (const id of ids) insertDevice(db, testDevice(id));
  return db;
}

accountDatabaseContract('sqlite :memory:', () => {
  const db = sqliteWithDevices('d-1', 'd-2');
  return {
    accounts: new SqliteAccountDatabase(db, 'd-1', windowsAccountRules),
    other: new SqliteAccountDatabase(db, 'd-2', windowsAccountRules),
    rawRows: () => db.prepare('SELECT * FROM accounts').all() as Record<string, unknown>[],
  };
});

describe('SqliteAccountDatabase specifics', () => {
  it('allocates RIDs from devices.next_rid and advances it past fixed RIDs', () => {
    const db = sqliteWithDevices('d-1');
    const nextRid = (): number => (db.prepare('SELECT next_rid FROM devices WHERE device_id = ?').get('d-1') as { next_rid: number }).next_rid;
    const accounts = new SqliteAccountDatabase(db, 'd-1', windowsAccountRules);
    expect(nextRid()).toBe(1000);
    accounts.create({ name: 'Administrator', enabled: false, admin: true, rid: 500 });
    expect(nextRid()).toBe(1000);
    accounts.create({ name: 'a', enabled: true, admin: false });
    expect(nextRid()).toBe(1001);
    accounts.create({ name: 'b', enabled: true, admin: false, rid: 2000 });
    expect(nextRid()).toBe(2001);
    expect(() => accounts.create({ name: 'A', enabled: true, admin: false })).toThrow(/already exists/);
    expect(nextRid()).toBe(2001);
  });

  it('reports a device that is not in the database', () => {
    const db = sqliteWithDevices('d-1');
    const ghost = new SqliteAccountDatabase(db, 'no-such-device', windowsAccountRules);
    expect(() => ghost.create({ name: 'x', enabled: true, admin: false })).toThrow(expect.objectContaining({ code: 'LAPS_ERR_STORE_NO_DEVICE' }));
    expect(() => ghost.create({ name: 'x', enabled: true, admin: false, rid: 500 })).toThrow(expect.objectContaining({ code: 'LAPS_ERR_STORE_NO_DEVICE' }));
    expect(db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 0 });
  });

  it('prepares its statements once per database, however many devices use it', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `d-${i}`);
    const db = sqliteWithDevices(...ids);
    const spy = vi.spyOn(db, 'prepare');
    const first = new SqliteAccountDatabase(db, ids[0]!, windowsAccountRules);
    first.create({ name: 'Administrator', enabled: false, admin: true, rid: 500 });
    const once = spy.mock.calls.length;
    expect(once).toBeGreaterThan(0);
    for (const id of ids.slice(1)) {
      const accounts = new SqliteAccountDatabase(db, id, windowsAccountRules);
      accounts.create({ name: 'Administrator', enabled: false, admin: true, rid: 500 });
      accounts.setPassword(500, new Secret(`pw-${id}`), 1);
      expect(accounts.verifyPassword(500, new Secret(`pw-${id}`))).toBe(true);
      expect(accounts.byName('ADMINISTRATOR')?.rid).toBe(500);
    }
    expect(spy.mock.calls.length).toBe(once);
    expect(db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 200 });
  });

  it('joins the caller\'s transaction: a rolled-back create leaves nothing, RID included', () => {
    const db = sqliteWithDevices('d-1');
    const accounts = new SqliteAccountDatabase(db, 'd-1', windowsAccountRules);
    expect(() => db.transaction(() => {
      accounts.create({ name: 'Doomed', enabled: true, admin: true });
      throw new Error('rollback');
    })()).toThrow('rollback');
    expect(accounts.list()).toEqual([]);
    expect(accounts.create({ name: 'Kept', enabled: true, admin: true }).rid).toBe(1000);
  });
});
