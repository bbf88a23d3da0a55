/** The CspRoot contract on a SQLite file, and what only a file can show: persistence across opens. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../core/errors.js';
import { E_PENDING } from '../../csp/csp-root.js';
import { openDatabase } from '../../store/database.js';
import { SqliteCspRoots } from '../../store/sqlite-csp-root.js';
import { cspRootContract } from './csp-root.contract.js';
import { deviceIdFor, ensureDevice, sqliteFactory } from './csp-root-sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'lapsim-csp-root-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

cspRootContract('sqlite file', () => sqliteFactory(openDatabase(join(dir, `contract-${n++}.db`)), (db) => new SqliteCspRoots(db)));

describe('SqliteCspRoots on a file', () => {
  it('keeps values and reset state across closing and reopening, in canonical text', () => {
    const path = join(dir, 'persist.db');
    const id = deviceIdFor('p');
    let db = openDatabase(path);
    ensureDevice(db, id);
    new SqliteCspRoots(db).forDevice(id).commit({
      values: new Map([['ADPasswordEncryptionEnabled', 'true'], ['PasswordAgeDays', '30']]), reset: { status: E_PENDING, pending: true, requestedAt: 42 },
    });
    db.close();
    db = openDatabase(path, { readonly: true });
    const s = new SqliteCspRoots(db).forDevice(id).load();
    expect(Object.fromEntries(s.values)).toEqual({ ADPasswordEncryptionEnabled: 'true', PasswordAgeDays: '30' });
    expect(s.reset).toEqual({ status: -2147483638, pending: true, requestedAt: 42 });
    const rows = db.prepare('SELECT name, value FROM csp_values WHERE device_id = ? ORDER BY name').all(id);
    expect(rows).toEqual([{ name: 'ADPasswordEncryptionEnabled', value: 'true' }, { name: 'PasswordAgeDays', value: '30' }]);
    expect(db.prepare('SELECT reset_status, reset_pending, reset_requested_at FROM csp_actions WHERE device_id = ?').get(id))
      .toEqual({ reset_status: -2147483638, reset_pending: 1, reset_requested_at: 42 });
    db.close();
  });

  it('a commit that fails half-way leaves nothing behind (one transaction)', () => {
    const db = openDatabase(join(dir, 'rollback.db'));
    const id = deviceIdFor('r');
    ensureDevice(db, id);
    const root = new SqliteCspRoots(db).forDevice(id);
    root.commit({ values: new Map([['PasswordLength', '20']]) });
    // A TEXT NOT NULL column refuses a number-less object: the second row fails after the first was written.
    const bad = new Map<string, string | null>([['PasswordAgeDays', '7'], ['PasswordComplexity', {} as unknown as string]]);
    expect(() => root.commit({ values: bad })).toThrow();
    expect(Object.fromEntries(root.load().values)).toEqual({ PasswordLength: '20' });
    db.close();
  });

  it('refuses a device the database does not hold', () => {
    const db = openDatabase(join(dir, 'nodevice.db'));
    expect(() => new SqliteCspRoots(db).forDevice(deviceIdFor('zz'))).toThrow(StoreError);
    db.close();
  });
});
