/**
 * What the emulator knows of each device's LAPS configuration (values confirmed, last result
 * per node), the deliveries waiting for the device's answer, device actions
 * (deviceActionResults) and the audit log, in the emulator's SQLite file.
 */
import type { SettingValue } from '../../csp/laps/settings.js';
import type { BodyElement } from '../../csp/syncml/types.js';
import type { Db } from '../../store/database.js';
import type { NodeResult } from './conflicts.js';
import type { SentCommand } from './csp-translate.js';

/** Kinds of delivery: policy values, the Exec of a reset, the Get of its status. */
export type DeliveryKind = 'policy' | 'reset' | 'reset-status';

/** A batch sent to a device and not answered yet. */
export interface DeliveryRecord {
  readonly batchId: string;
  readonly managedDeviceId: string;
  readonly kind: DeliveryKind;
  readonly body: readonly BodyElement[];
  readonly sent: readonly SentCommand[];
  readonly actionId: string | undefined;
  /** Send in a session that starts after the current one. */
  readonly nextSession: boolean;
  readonly createdAt: number;
}

/** deviceActionResult states (Graph's actionState). */
export type ActionState = 'none' | 'pending' | 'canceled' | 'active' | 'done' | 'failed' | 'notSupported';

/** One device action (a deviceActionResult). */
export interface ActionRecord {
  readonly actionId: string;
  readonly managedDeviceId: string;
  readonly actionName: string;
  readonly state: ActionState;
  readonly startedAt: number;
  readonly updatedAt: number;
  /** Why it failed, or the device's HRESULT. */
  readonly detail: string;
}

interface DeliveryRow {
  batch_id: string; managed_device_id: string; kind: string; body: string; sent: string; action_id: string | null; next_session: number; created_at: number;
}
interface ActionRow { action_id: string; managed_device_id: string; action_name: string; state: string; started_at: number; updated_at: number; detail: string }
interface ResultRow { node: string; status: string; code: number; value: string | null; at: number }

const deliveryOf = (r: DeliveryRow): DeliveryRecord => ({
  batchId: r.batch_id, managedDeviceId: r.managed_device_id, kind: r.kind as DeliveryKind, body: JSON.parse(r.body) as BodyElement[],
  sent: JSON.parse(r.sent) as SentCommand[], actionId: r.action_id ?? undefined, nextSession: r.next_session === 1, createdAt: r.created_at,
});
const actionOf = (r: ActionRow): ActionRecord => ({
  actionId: r.action_id, managedDeviceId: r.managed_device_id, actionName: r.action_name, state: r.state as ActionState,
  startedAt: r.started_at, updatedAt: r.updated_at, detail: r.detail,
});

/** Applied values, results, deliveries, actions and audit in SQLite. */
export class StateStore {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      applied: db.prepare<[string], { node: string; value: string }>('SELECT node, value FROM intune_applied WHERE managed_device_id = ?'),
      setApplied: db.prepare(`INSERT INTO intune_applied (managed_device_id, node, value, at) VALUES (?, ?, ?, ?)
        ON CONFLICT (managed_device_id, node) DO UPDATE SET value = excluded.value, at = excluded.at`),
      removeApplied: db.prepare('DELETE FROM intune_applied WHERE managed_device_id = ? AND node = ?'),
      results: db.prepare<[string], ResultRow>('SELECT node, status, code, value, at FROM intune_results WHERE managed_device_id = ?'),
      setResult: db.prepare(`INSERT INTO intune_results (managed_device_id, node, status, code, value, at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (managed_device_id, node) DO UPDATE SET status = excluded.status, code = excluded.code, value = excluded.value, at = excluded.at`),
      putDelivery: db.prepare(`INSERT INTO intune_deliveries (batch_id, managed_device_id, kind, body, sent, action_id, next_session, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      delivery: db.prepare<[string], DeliveryRow>('SELECT * FROM intune_deliveries WHERE batch_id = ?'),
      deliveriesOf: db.prepare<[string], DeliveryRow>('SELECT * FROM intune_deliveries WHERE managed_device_id = ? ORDER BY created_at, batch_id'),
      allDeliveries: db.prepare<[], DeliveryRow>('SELECT * FROM intune_deliveries ORDER BY created_at, batch_id'),
      deleteDelivery: db.prepare('DELETE FROM intune_deliveries WHERE batch_id = ?'),
      putAction: db.prepare(`INSERT INTO intune_actions (action_id, managed_device_id, action_name, state, started_at, updated_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      setAction: db.prepare('UPDATE intune_actions SET state = ?, updated_at = ?, detail = ? WHERE action_id = ?'),
      action: db.prepare<[string], ActionRow>('SELECT * FROM intune_actions WHERE action_id = ?'),
      actionsOf: db.prepare<[string], ActionRow>('SELECT * FROM intune_actions WHERE managed_device_id = ? ORDER BY started_at, rowid'),
      putAudit: db.prepare('INSERT INTO intune_audit (id, at, event) VALUES (?, ?, ?)'),
      audit: db.prepare<[], { event: string }>('SELECT event FROM intune_audit ORDER BY seq'),
    };
  }

  applied(managedDeviceId: string): Map<string, SettingValue> {
    return new Map(this.#s.applied.all(managedDeviceId).map((r) => [r.node, JSON.parse(r.value) as SettingValue]));
  }

  setApplied(managedDeviceId: string, node: string, value: SettingValue, at: number): void {
    this.#s.setApplied.run(managedDeviceId, node, JSON.stringify(value), at);
  }

  removeApplied(managedDeviceId: string, node: string): void {
    this.#s.removeApplied.run(managedDeviceId, node);
  }

  results(managedDeviceId: string): Map<string, NodeResult> {
    return new Map(this.#s.results.all(managedDeviceId).map((r) => [r.node, {
      status: r.status === 'error' ? 'error' : 'succeeded', code: r.code, value: r.value === null ? undefined : (JSON.parse(r.value) as SettingValue), at: r.at,
    }]));
  }

  setResult(managedDeviceId: string, node: string, r: NodeResult): void {
    this.#s.setResult.run(managedDeviceId, node, r.status, r.code, r.value === undefined ? null : JSON.stringify(r.value), r.at);
  }

  putDelivery(d: DeliveryRecord): void {
    this.#s.putDelivery.run(d.batchId, d.managedDeviceId, d.kind, JSON.stringify(d.body), JSON.stringify(d.sent), d.actionId ?? null, d.nextSession ? 1 : 0, d.createdAt);
  }

  delivery(batchId: string): DeliveryRecord | undefined {
    const r = this.#s.delivery.get(batchId);
    return r ? deliveryOf(r) : undefined;
  }

  deliveriesOf(managedDeviceId: string): DeliveryRecord[] {
    return this.#s.deliveriesOf.all(managedDeviceId).map(deliveryOf);
  }

  allDeliveries(): DeliveryRecord[] {
    return this.#s.allDeliveries.all().map(deliveryOf);
  }

  deleteDelivery(batchId: string): void {
    this.#s.deleteDelivery.run(batchId);
  }

  putAction(a: ActionRecord): void {
    this.#s.putAction.run(a.actionId, a.managedDeviceId, a.actionName, a.state, a.startedAt, a.updatedAt, a.detail);
  }

  setAction(actionId: string, state: ActionState, at: number, detail: string): void {
    this.#s.setAction.run(state, at, detail, actionId);
  }

  action(actionId: string): ActionRecord | undefined {
    const r = this.#s.action.get(actionId);
    return r ? actionOf(r) : undefined;
  }

  actionsOf(managedDeviceId: string): ActionRecord[] {
    return this.#s.actionsOf.all(managedDeviceId).map(actionOf);
  }

  putAudit(id: string, at: number, event: object): void {
    this.#s.putAudit.run(id, at, JSON.stringify(event));
  }

  audit(): object[] {
    return this.#s.audit.all().map((r) => JSON.parse(r.event) as object);
  }
}
