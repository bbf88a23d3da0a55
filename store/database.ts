/**
 * Opens a lapsim SQLite database: WAL, foreign keys, numbered migrations recorded in the file,
 * and a check that the file is lapsim's (PRAGMA application_id) before anything is written.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { StoreError } from '../core/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type Db = Database.Database;

/** 'LAPS' in ASCII: marks a SQLite file as lapsim's. */
export const APPLICATION_ID = 0x4c415053;

export interface OpenOptions {
  /** Open without creating or migrating (readers such as `lapsim status`). */
  readonly readonly?: boolean;
  /** Milliseconds to wait for a writer's lock. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Migrations to apply (tests pass their own). Default: all of lapsim's. */
  readonly migrations?: readonly Migration[];
}

/** Opens (and creates, unless readonly) the database at `path` (`:memory:` for unit tests). */
export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  const fresh = path === ':memory:' || !existsSync(path) || statSync(path).size === 0;
  if (opts.readonly && fresh) {
    throw new StoreError('LAPS_ERR_STORE_OPEN', `no lapsim database at ${path}`);
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (e) {
    throw new StoreError('LAPS_ERR_STORE_OPEN', `cannot open ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    checkOwnership(db, path, opts.readonly ?? false);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // 64 MiB of page cache: a fleet's batch touches pages all over the file.
      db.pragma('cache_size = -65536');
    }
    db.pragma('foreign_keys = ON');
    if (!opts.readonly) migrate(db, opts.migrations ?? MIGRATIONS);
    else checkSchemaVersion(db, opts.migrations ?? MIGRATIONS);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError('LAPS_ERR_STORE_CORRUPT', `${path} is not a usable lapsim database: ${(e as Error).message}`, { cause: e });
  }
}

function checkOwnership(db: Db, path: string, readonly: boolean): void {
  let appId: number;
  let tables: number;
  try {
    appId = db.pragma('application_id', { simple: true }) as number;
    tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n;
  } catch (e) {
    throw new StoreError('LAPS_ERR_STORE_CORRUPT', `${path} is not a SQLite database (${(e as Error).message})`, { cause: e });
  }
  if (appId === APPLICATION_ID) return;
  if (appId === 0 && tables === 0 && !readonly) {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    return;
  }
  throw new StoreError('LAPS_ERR_STORE_FOREIGN', `${path} is a SQLite database but not lapsim's`);
}

function checkSchemaVersion(db: Db, migrations: readonly Migration[]): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (version > latest) {
    throw new StoreError('LAPS_ERR_STORE_NEWER_SCHEMA', `database schema ${version} is newer than this lapsim (${latest}); upgrade lapsim`);
  }
}

/** Applies every migration newer than the file's user_version, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  checkSchemaVersion(db, migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  ) STRICT`);
  const current = db.pragma('user_version', { simple: true }) as number;
  let applied = 0;
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied++;
  }
  return applied;
}
