/**
 * PRAGMA data_version: changes when another connection (another process: `lapsim logon`,
 * `lapsim policy set` beside a running agent) commits to the database, never for this
 * connection's own writes. Caches that this process keeps check it before trusting themselves.
 */
import type { Db } from './database.js';
import { perDatabase } from './per-database.js';

const statement = perDatabase((db) => db.prepare('PRAGMA data_version').pluck());

export function dataVersion(db: Db): number {
  return statement(db).get() as number;
}
