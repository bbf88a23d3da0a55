/**
 * The CSP root in SQLite: csp_values (one row per stored LAPS value, canonical text) and
 * csp_actions (ResetPassword state), every row keyed by device id. Statements are prepared once
 * per database; each commit is one transaction.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../core/errors.js';
import { type CspChangeSet, type CspRoot, type CspRootSnapshot, INITIAL_RESET_STATE, type ResetState } from '../csp/csp-root.js';
import type { Db } from './database.js';

type ValueRow = [name: string, value: string];
type ActionRow = [status: number, pending: number, requestedAt: number | null];

/** The CSP roots of every device in one database. */
export class SqliteCspRoots {
  readonly #deviceExists: Database.Statement<[string]>;
  readonly #selectValues: Database.Statement<[string]>;
  readonly #selectActions: Database.Statement<[string]>;
  readonly #commit: (deviceId: string, change: CspChangeSet) => void;

  constructor(db: Db) {
    this.#deviceExists = db.prepare('SELECT 1 FROM devices WHERE device_id = ?').pluck();
    this.#selectValues = db.prepare('SELECT name, value FROM csp_values WHERE device_id = ?').raw();
    this.#selectActions = db.prepare('SELECT reset_status, reset_pending, reset_requested_at FROM csp_actions WHERE device_id = ?').raw();
    const upsertValue = db.prepare(
      'INSERT INTO csp_values (device_id, name, value) VALUES (?, ?, ?) ON CONFLICT (device_id, name) DO UPDATE SET value = excluded.value',
    );
    const deleteValue = db.prepare('DELETE FROM csp_values WHERE device_id = ? AND name = ?');
    const upsertActions = db.prepare(`INSERT INTO csp_actions (device_id, reset_status, reset_pending, reset_requested_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (device_id) DO UPDATE SET reset_status = excluded.reset_status, reset_pending = excluded.reset_pending,
      reset_requested_at = excluded.reset_requested_at`);
    this.#commit = db.transaction((deviceId: string, change: CspChangeSet) => {
      if (change.values !== undefined) {
        for (const [name, value] of change.values) {
          if (value === null) deleteValue.run(deviceId, name);
          else upsertValue.run(deviceId, name, value);
        }
      }
      const r = change.reset;
      if (r !== undefined) upsertActions.run(deviceId, r.status, r.pending ? 1 : 0, r.requestedAt);
    });
  }

  /**
   * The CSP root of one device.
   * @throws StoreError LAPS_ERR_STORE_NO_DEVICE when the database has no such device.
   */
  forDevice(deviceId: string): CspRoot {
    if (this.#deviceExists.get(deviceId) === undefined) {
      throw new StoreError('LAPS_ERR_STORE_NO_DEVICE', `no device ${deviceId} in this database`);
    }
    return {
      load: () => this.#load(deviceId),
      commit: (change) => {
        if ((change.values === undefined || change.values.size === 0) && change.reset === undefined) return;
        this.#commit(deviceId, change);
      },
    };
  }

  #load(deviceId: string): CspRootSnapshot {
    const values = new Map<string, string>();
    for (const [name, value] of this.#selectValues.all(deviceId) as ValueRow[]) values.set(name, value);
    const a = this.#selectActions.get(deviceId) as ActionRow | undefined;
    const reset: ResetState = a === undefined ? INITIAL_RESET_STATE : { status: a[0], pending: a[1] === 1, requestedAt: a[2] };
    return { values, reset };
  }
}
