import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { atomic, writeLocked } from '../../store/atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'lapsim-atomic-'));
let n = 0;

function fresh(): { path: string; db: Database.Database } {
  const path = join(dir, `a${n++}.db`);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
  return { path, db };
}

const count = (db: Database.Database): number => (db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c;

describe('store/atomic', () => {
  it('atomic commits, rolls back on a throw, and nests as a savepoint', () => {
    const { db } = fresh();
    atomic(db, () => db.exec('INSERT INTO t VALUES (1, 1)'));
    expect(() => atomic(db, () => {
      db.exec('INSERT INTO t VALUES (2, 2)');
      throw new Error('boom');
    })).toThrow('boom');
    expect(count(db)).toBe(1);
    atomic(db, () => {
      db.exec('INSERT INTO t VALUES (3, 3)');
      expect(() => atomic(db, () => {
        db.exec('INSERT INTO t VALUES (4, 4)');
        throw new Error('inner');
      })).toThrow('inner');
    });
    expect(db.prepare('SELECT k FROM t ORDER BY k').pluck().all()).toEqual([1, 3]);
  });

  it('writeLocked holds the write lock from its first read, so another writer waits or fails, never interleaves', () => {
    const { path, db } = fresh();
    const other = new Database(path, { timeout: 0 });
    writeLocked(db, () => {
      const next = (db.prepare('SELECT coalesce(max(v), 0) + 1 FROM t').pluck().get() as number);
      // Another process cannot write between this read and the write below.
      expect(() => other.exec('INSERT INTO t VALUES (100, 100)')).toThrow(/locked|busy/i);
      db.prepare('INSERT INTO t VALUES (?, ?)').run(next, next);
    });
    expect(() => writeLocked(db, () => {
      db.exec('INSERT INTO t VALUES (50, 50)');
      throw new Error('no');
    })).toThrow('no');
    expect(db.prepare('SELECT v FROM t').pluck().all()).toEqual([1]);
    // Inside the caller's transaction it is part of it.
    db.exec('BEGIN');
    writeLocked(db, () => db.exec('INSERT INTO t VALUES (7, 7)'));
    db.exec('ROLLBACK');
    expect(count(db)).toBe(1);
    other.close();
  });
});
