/**
 * Runs a synchronous function atomically: a transaction, or a savepoint when the caller already
 * holds one (a batch). Uses statements prepared once per database: better-sqlite3's
 * `db.transaction()` wrapper costs more than the few writes a rotation step makes.
 */
import type { Db } from './database.js';
import { perDatabase } from './per-database.js';

interface Runnable {
  run(): unknown;
}

interface Control {
  readonly begin: Runnable;
  readonly beginImmediate: Runnable;
  readonly commit: Runnable;
  readonly rollback: Runnable;
  readonly savepoint: Runnable;
  readonly release: Runnable;
  readonly rollbackTo: Runnable;
}

/** The control statements of a database, prepared once. */
const control = perDatabase((db): Control => ({
  begin: db.prepare('BEGIN'),
  beginImmediate: db.prepare('BEGIN IMMEDIATE'),
  commit: db.prepare('COMMIT'),
  rollback: db.prepare('ROLLBACK'),
  savepoint: db.prepare('SAVEPOINT lapsim_atomic'),
  release: db.prepare('RELEASE lapsim_atomic'),
  rollbackTo: db.prepare('ROLLBACK TO lapsim_atomic'),
}));

export function atomic<T>(db: Db, fn: () => T): T {
  const c = control(db);
  if (db.inTransaction) {
    c.savepoint.run();
    try {
      const out = fn();
      c.release.run();
      return out;
    } catch (e) {
      if (db.inTransaction) {
        c.rollbackTo.run();
        c.release.run();
      }
      throw e;
    }
  }
  return transaction(db, c.begin, fn);
}

/** Runs `fn` in a transaction opened by `begin`: committed when it returns, rolled back when it throws. */
function transaction<T>(db: Db, begin: Runnable, fn: () => T): T {
  begin.run();
  try {
    const out = fn();
    control(db).commit.run();
    return out;
  } catch (e) {
    if (db.inTransaction) control(db).rollback.run();
    throw e;
  }
}

/**
 * Runs `fn` (reads, then one write) holding the write lock: inside the caller's transaction, or in
 * a BEGIN IMMEDIATE transaction of its own. A caller's deferred transaction that has not written
 * yet gets SQLITE_BUSY_SNAPSHOT when another process wrote in between, never a lost update.
 */
export function writeLocked<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return fn();
  return transaction(db, control(db).beginImmediate, fn);
}
