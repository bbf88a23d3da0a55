/**
 * Batches the writes of many devices into one SQLite transaction, awaiting async steps inside it.
 * Safe for directories that live in the same file (the `local` directory): the intents, the
 * escrowed passwords and the local changes of the batch commit together or not at all, so a crash
 * mid-batch leaves every device as it was before the batch. Nested `db.transaction()` calls
 * inside become savepoints. Never use it around a network directory: the journal's intent must be
 * committed before a remote escrow.
 */
import type { Db } from './database.js';

export async function inBatch<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = await fn();
    db.exec('COMMIT');
    return out;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}
