/**
 * PRAGMA data_version: changes when another connection (another process: `lapsim logon`,
 * `lapsim policy set` beside a running agent) commits to the database, never for this
 * connection's own writes. Caches that this process keeps check it before trusting themselves.
 */
import type { Db } from './database.js';

const STATEMENTS = new WeakMap<Db, { get(): unknown }>();

export function dataVersion(db: Db): number {
  let st = STATEMENTS.get(db);
  if (!st) {
    st = db.prepare('PRAGMA data_version').pluck();
    STATEMENTS.set(db, st);
  }
  return st.get() as number;
}
