/**
 * The Intune emulator's database: its own file (DIR/intune.db, or :memory: for tests) with its
 * own migrations, and the three repositories over it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../store/database.js';
import { DirectoryStore } from './directory-store.js';
import { INTUNE_DB_FILE, INTUNE_MIGRATIONS } from './intune-schema.js';
import { PolicyStore } from './policy-store.js';
import { StateStore } from './state-store.js';

/** The emulator's SQLite file and its repositories. */
export class IntuneDb {
  readonly policies: PolicyStore;
  readonly directory: DirectoryStore;
  readonly state: StateStore;
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
    this.policies = new PolicyStore(db);
    this.directory = new DirectoryStore(db);
    this.state = new StateStore(db);
  }

  /** Opens (creating and migrating) DIR/intune.db; `:memory:` keeps everything in memory. */
  static open(dataDir: string): IntuneDb {
    if (dataDir === ':memory:') return new IntuneDb(openDatabase(':memory:', { migrations: INTUNE_MIGRATIONS }));
    mkdirSync(dataDir, { recursive: true });
    return new IntuneDb(openDatabase(join(dataDir, INTUNE_DB_FILE), { migrations: INTUNE_MIGRATIONS }));
  }

  /**
   * The SQLite connection, for a host that batches many of the service's changes in one
   * transaction of its own (the fleet simulator: the service's transactions become savepoints).
   */
  get connection(): Db {
    return this.#db;
  }

  /** Runs `fn` in one transaction (synchronous, as better-sqlite3 requires). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
