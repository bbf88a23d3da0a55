/**
 * SQLite implementations of the device's state ports (LAPS state, rotation journal, event log,
 * activity log, policy roots). Statements are prepared once per database and shared by every
 * device in it; each port is a thin view bound to one device id.
 */
import { StoreError } from '../core/errors.js';
import type {
  ActivityLog, DeviceActivity, EventLog, EventText, JournalEntry, LapsEvent, LapsState, LapsStateStore, PolicyRootStore,
  PolicyRootValues, RotationIntent, RotationJournal, RotationPhase, WritableRoot,
} from '../agent/ports.js';
import type { ResetRequests } from '../agent/reset-requests.js';
import type { Db } from './database.js';
import { atomic } from './atomic.js';
import { dataVersion } from './data-version.js';
import { listEventsOf, sqliteEventLog } from './sqlite-event-log.js';
import type { SecretBox } from './secret-box.js';

function prepareAll(db: Db) {
  return {
    stateGet: db.prepare('SELECT state FROM laps_state WHERE device_id = ?'),
    stateUpdate: db.prepare('UPDATE laps_state SET state = ? WHERE device_id = ?'),
    stateInsert: db.prepare('INSERT INTO laps_state (device_id, state) VALUES (?, ?)'),
    journalGet: db.prepare('SELECT rotation_id, phase, intent, sealed_password FROM rotation_journal WHERE device_id = ?'),
    journalBegin: db.prepare('INSERT INTO rotation_journal (device_id, rotation_id, phase, intent, sealed_password, started_at) VALUES (?, ?, ?, ?, ?, ?)'),
    journalPhase: db.prepare('UPDATE rotation_journal SET phase = ? WHERE device_id = ?'),
    journalClear: db.prepare('DELETE FROM rotation_journal WHERE device_id = ?'),
    activityAdd: db.prepare('INSERT INTO device_activity (device_id, time, kind, detail) VALUES (?, ?, ?, ?)'),
    activityList: db.prepare('SELECT time, kind, detail FROM device_activity WHERE device_id = ? ORDER BY seq'),
    cspValues: db.prepare('SELECT name, value FROM csp_values WHERE device_id = ?'),
    rootValues: db.prepare('SELECT root, name, value FROM policy_values WHERE device_id = ?'),
    rootClear: db.prepare('DELETE FROM policy_values WHERE device_id = ? AND root = ?'),
    resetGet: db.prepare('SELECT reset_status, reset_pending FROM csp_actions WHERE device_id = ?'),
    resetRequest: db.prepare('INSERT INTO csp_actions (device_id, reset_status, reset_pending, reset_requested_at) VALUES (?, -2147483638, 1, ?) ON CONFLICT(device_id) DO UPDATE SET reset_status = -2147483638, reset_pending = 1, reset_requested_at = excluded.reset_requested_at'),
    resetComplete: db.prepare('UPDATE csp_actions SET reset_status = ?, reset_pending = 0 WHERE device_id = ?'),
    rootSet: db.prepare('INSERT INTO policy_values (device_id, root, name, value) VALUES (?, ?, ?, ?) ON CONFLICT(device_id, root, name) DO UPDATE SET value = excluded.value'),
  };
}

type Statements = ReturnType<typeof prepareAll>;

/** The device state ports of one SQLite database. */
export class SqliteDevicePorts {
  readonly #s: Statements;

  /**
   * @param eventText the catalogue (agent/events/make-event.ts `catalogueEventText`): the event
   *   log then keeps catalogue events as ID and fields; without it, messages are kept as given
   */
  constructor(readonly db: Db, private readonly box: SecretBox, private readonly eventText?: EventText) {
    this.#s = prepareAll(db);
  }

  /**
   * The device's LAPS state. The last state read or written is served from memory until another
   * process commits to the database (PRAGMA data_version), so a cycle costs no JSON parsing while
   * `lapsim logon` beside a running agent is still seen; `reload` drops it (after a rolled-back batch).
   */
  state(deviceId: string): LapsStateStore & { reload(): void } {
    const s = this.#s;
    const db = this.db;
    let cached: LapsState | undefined;
    let version = -1;
    return {
      load: () => {
        const v = dataVersion(db);
        if (cached && v === version) return cached;
        version = v;
        const row = s.stateGet.get(deviceId) as { state: string } | undefined;
        if (!row) return (cached = {});
        try {
          return (cached = JSON.parse(row.state) as LapsState);
        } catch (e) {
          throw new StoreError('LAPS_ERR_STORE_CORRUPT', `LAPS state of device ${deviceId} is damaged`, { cause: e });
        }
      },
      save: (state) => {
        // The row exists after the first save: an UPDATE costs less than an upsert's failed insert.
        const json = JSON.stringify(state);
        if (s.stateUpdate.run(json, deviceId).changes === 0) s.stateInsert.run(deviceId, json);
        cached = state;
        version = dataVersion(db);
      },
      reload: () => {
        cached = undefined;
      },
    };
  }

  /** A token that changes when another process wrote to the database (see store/data-version.ts). */
  externalVersion(): number {
    return dataVersion(this.db);
  }

  journal(deviceId: string): RotationJournal {
    const s = this.#s;
    const box = this.box;
    const context = `device:${deviceId}`;
    return {
      current: (): JournalEntry | undefined => {
        const row = s.journalGet.get(deviceId) as { phase: string; intent: string; sealed_password: Buffer } | undefined;
        if (!row) return undefined;
        let intent: RotationIntent;
        try {
          intent = JSON.parse(row.intent) as RotationIntent;
        } catch (e) {
          throw new StoreError('LAPS_ERR_STORE_CORRUPT', `rotation journal of device ${deviceId} is damaged`, { cause: e });
        }
        return { intent, phase: row.phase as RotationPhase, password: box.open(row.sealed_password, context) };
      },
      begin: (intent, password) => {
        s.journalBegin.run(deviceId, intent.rotationId, 'intent', JSON.stringify(intent), box.seal(password, context), intent.startedAt);
      },
      advance: (phase) => void s.journalPhase.run(phase, deviceId),
      clear: () => void s.journalClear.run(deviceId),
    };
  }

  events(deviceId: string): EventLog {
    return sqliteEventLog(this.db, deviceId, this.eventText);
  }

  /** The event logs of several devices, read in one pass (see sqlite-event-log.ts). */
  eventsOf(deviceIds: readonly string[]): Map<string, LapsEvent[]> {
    return listEventsOf(this.db, deviceIds, this.eventText);
  }

  activity(deviceId: string): ActivityLog {
    const s = this.#s;
    return {
      append: (a: DeviceActivity) => void s.activityAdd.run(deviceId, a.time, a.kind, a.detail),
      list: () => (s.activityList.all(deviceId) as { time: number; kind: DeviceActivity['kind']; detail: string }[]).map((r) => ({ ...r })),
    };
  }

  policyRoots(deviceId: string): PolicyRootStore {
    const s = this.#s;
    const db = this.db;
    return {
      load: (): PolicyRootValues => {
        const csp: Record<string, string> = {};
        for (const r of s.cspValues.all(deviceId) as { name: string; value: string }[]) csp[r.name] = r.value;
        const roots: Record<WritableRoot, Record<string, string>> = { gpo: {}, local: {}, legacy: {} };
        for (const r of s.rootValues.all(deviceId) as { root: WritableRoot; name: string; value: string }[]) roots[r.root][r.name] = r.value;
        return { csp, ...roots };
      },
      set: (root, values) => {
        atomic(db, () => {
          for (const [name, value] of Object.entries(values)) s.rootSet.run(deviceId, root, name, value);
        });
      },
      clear: (root) => void s.rootClear.run(deviceId, root),
    };
  }

  resetRequests(deviceId: string): ResetRequests {
    const s = this.#s;
    const row = (): { reset_status: number; reset_pending: number } | undefined =>
      s.resetGet.get(deviceId) as { reset_status: number; reset_pending: number } | undefined;
    return {
      pending: () => row()?.reset_pending === 1,
      request: (at) => void s.resetRequest.run(deviceId, at),
      complete: (hresult) => void s.resetComplete.run(hresult | 0, deviceId),
      status: () => row()?.reset_status ?? 0,
    };
  }

  /** Runs `fn` in one transaction (batches a fleet's writes; nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    return atomic(this.db, fn);
  }
}

