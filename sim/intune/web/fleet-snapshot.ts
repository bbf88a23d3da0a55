/**
 * One pass over every managed device for the pages that look at the whole fleet: each device's
 * LAPS status (the worst status of the policies that reach it, or not configured), its Entra
 * backup times, whether it is online and its last rotation action; each policy's device rows,
 * status counts and per-setting counts (what getConfigurationPolicyDevicesReport and
 * getConfigurationPolicySettingsDeviceSummaryReport answer, computed with the same functions of
 * conflicts.ts); the Entra password backups per day. One pass over 10,000 devices takes a few
 * hundred ms, so a snapshot is reused until it is older than max(minAgeMs, 10 x the time it took):
 * pages that need the whole fleet are at most that stale (they say "as of"), and the server
 * never spends more than about a tenth of its time on them. Single devices are always read fresh.
 */
import type { Clock } from '../../../core/clock.js';
import type { EntraEmulator } from '../../entra/entra-emulator.js';
import { UPDATE_ACTIVITY } from '../../entra/graph-format.js';
import { policyStatus, settingStates, worstStatus, type SettingStatus } from '../conflicts.js';
import { ROTATE_ACTION } from '../device-actions.js';
import type { IntuneService } from '../intune-service.js';
import type { PolicySet } from '../device-config.js';
import type { DeviceRecord, JoinType } from '../policy-types.js';
import type { ActionState } from '../state-store.js';
import type { TargetedVia } from '../targeting.js';

/** A device's LAPS status in the lists: a policy status, or no LAPS policy at all. */
export type DeviceLapsStatus = SettingStatus | 'notConfigured';

/** Every device status, in the order the pages list them. */
export const DEVICE_STATUSES: readonly DeviceLapsStatus[] = ['succeeded', 'error', 'conflict', 'pending', 'notApplicable', 'notConfigured'];
/** Every policy status, in the order the pages list them. */
export const POLICY_STATUSES: readonly SettingStatus[] = ['succeeded', 'error', 'conflict', 'pending', 'notApplicable'];

/** One device in the snapshot. */
export interface DeviceSummary {
  readonly managedDeviceId: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly joinType: JoinType;
  readonly status: DeviceLapsStatus;
  readonly online: boolean;
  /** BackupDirectory the device confirmed; undefined without one. */
  readonly backupDirectory: number | undefined;
  /** Newest Entra backup, epoch ms. */
  readonly lastBackupAt: number | undefined;
  /** When the Entra password expires (the device's next rotation), epoch ms. */
  readonly refreshAt: number | undefined;
  readonly rotation: ActionState | undefined;
}

/** One device a policy reaches. */
export interface PolicyDeviceRow {
  readonly managedDeviceId: string;
  readonly deviceName: string;
  /** UPN of the signed-in (else primary) user. */
  readonly user: string | null;
  readonly status: SettingStatus;
  readonly via: TargetedVia;
  /** Newest result the device reported for the policy's settings, epoch ms. */
  readonly lastReportAt: number | undefined;
}

/** A policy's reports. */
export interface PolicyReport {
  /** Device rows, by device name. */
  readonly rows: readonly PolicyDeviceRow[];
  readonly counts: Readonly<Record<SettingStatus, number>>;
  /** Device counts per status for each settingDefinitionId. */
  readonly settings: ReadonlyMap<string, Readonly<Record<SettingStatus, number>>>;
}

/** The whole fleet at one instant. */
export interface FleetSnapshot {
  /** When it was taken, epoch ms (server clock). */
  readonly at: number;
  /** How long it took, ms. */
  readonly tookMs: number;
  /** Every device, by name. */
  readonly devices: readonly DeviceSummary[];
  readonly statusCounts: Readonly<Record<DeviceLapsStatus, number>>;
  readonly policies: ReadonlyMap<string, PolicyReport>;
  /** Times of the Entra password backups of the last `ROTATION_DAYS` days, oldest first. */
  readonly backupTimes: readonly number[];
}

/** Days of backups the snapshot keeps for the rotations chart. */
export const ROTATION_DAYS = 30;
const DAY_MS = 86_400_000;

/** Orders as the device list's SQL does: name without case (ASCII), then id. */
export function byName(a: { deviceName: string; managedDeviceId: string }, b: { deviceName: string; managedDeviceId: string }): number {
  const [x, y] = [a.deviceName.toLowerCase(), b.deviceName.toLowerCase()];
  if (x !== y) return x < y ? -1 : 1;
  return a.managedDeviceId < b.managedDeviceId ? -1 : a.managedDeviceId > b.managedDeviceId ? 1 : 0;
}

function zero(): Record<SettingStatus, number> {
  return { succeeded: 0, error: 0, conflict: 0, pending: 0, notApplicable: 0 };
}

/** One device's summary, read now (the device list's rows, the device page). */
export function summarizeDevice(service: IntuneService, entra: EntraEmulator, d: DeviceRecord, set: PolicySet): DeviceSummary {
  const v = service.config.view(d, set);
  const statuses = v.contributions.map((c) => policyStatus(settingStates(c, v.merge, v.state), d.osVersion));
  const dir = v.state.applied.get('BackupDirectory');
  const e = entra.store.device(d.deviceId);
  return {
    managedDeviceId: d.managedDeviceId, deviceId: d.deviceId, deviceName: d.deviceName, joinType: d.joinType,
    status: statuses.length === 0 ? 'notConfigured' : worstStatus(statuses), online: service.delivery.isOnline(d.deviceId),
    backupDirectory: typeof dir === 'number' ? dir : undefined, lastBackupAt: e?.lastBackupAt, refreshAt: e?.refreshAt,
    rotation: service.actions.actionResults(d).find((a) => a.actionName === ROTATE_ACTION)?.state,
  };
}

/** What snapshots are built from. */
export interface FleetSnapshotOptions {
  readonly service: IntuneService;
  readonly entra: EntraEmulator;
  readonly clock: Clock;
  /** A snapshot younger than this is reused, in ms (default 2,000). */
  readonly minAgeMs?: number;
}

/** Takes snapshots and reuses a recent one. */
export class FleetSnapshots {
  readonly #o: FleetSnapshotOptions;
  #last: FleetSnapshot | undefined;

  constructor(o: FleetSnapshotOptions) {
    this.#o = o;
  }

  /** The last snapshot while it is recent enough, else a new one. */
  current(): FleetSnapshot {
    const now = this.#o.clock.now();
    const last = this.#last;
    if (last && now - last.at < Math.max(this.#o.minAgeMs ?? 2_000, 10 * last.tookMs) && now >= last.at) return last;
    return this.fresh();
  }

  /** A new snapshot ("Generate again"). */
  fresh(): FleetSnapshot {
    const started = this.#o.clock.now();
    const snap = this.#take(started);
    this.#last = { ...snap, tookMs: Math.max(0, this.#o.clock.now() - started) };
    return this.#last;
  }

  #take(at: number): Omit<FleetSnapshot, 'tookMs'> {
    const { service, entra } = this.#o;
    const set = service.config.policySet();
    const tenant = entra.store.defaultTenant();
    const backups = new Map((tenant ? entra.store.devices(tenant.tenantId) : []).map((d) => [d.deviceId, d]));
    const upn = new Map(service.directory.users().map((u) => [u.id, u.userPrincipalName]));
    const rows = new Map<string, PolicyDeviceRow[]>();
    const counts = new Map<string, Record<SettingStatus, number>>();
    const settingCounts = new Map<string, Map<string, Record<SettingStatus, number>>>();
    for (const id of set.policies.keys()) {
      rows.set(id, []);
      counts.set(id, zero());
      settingCounts.set(id, new Map((set.contributions.get(id)?.settings ?? []).map((s) => [s.definitionId, zero()])));
    }
    const statusCounts: Record<DeviceLapsStatus, number> = { ...zero(), notConfigured: 0 };
    const devices: DeviceSummary[] = [];
    for (const d of service.directory.devices()) {
      const v = service.config.view(d, set);
      const statuses: SettingStatus[] = [];
      const userId = d.signedInUserId ?? d.primaryUserId;
      for (const c of v.contributions) {
        const states = settingStates(c, v.merge, v.state);
        const status = policyStatus(states, d.osVersion);
        statuses.push(status);
        counts.get(c.policyId)![status]++;
        const perSetting = settingCounts.get(c.policyId)!;
        for (const s of states) perSetting.get(s.definitionId)![s.status]++;
        let lastReportAt: number | undefined;
        for (const s of states) {
          const r = v.state.results.get(s.node);
          if (r && (lastReportAt === undefined || r.at > lastReportAt)) lastReportAt = r.at;
        }
        rows.get(c.policyId)!.push({
          managedDeviceId: d.managedDeviceId, deviceName: d.deviceName, user: userId === undefined ? null : upn.get(userId) ?? null,
          status, via: v.targeted.get(c.policyId)!, lastReportAt,
        });
      }
      const status: DeviceLapsStatus = statuses.length === 0 ? 'notConfigured' : worstStatus(statuses);
      statusCounts[status]++;
      const dir = v.state.applied.get('BackupDirectory');
      const entraDevice = backups.get(d.deviceId);
      devices.push({
        managedDeviceId: d.managedDeviceId, deviceId: d.deviceId, deviceName: d.deviceName, joinType: d.joinType, status,
        online: service.delivery.isOnline(d.deviceId), backupDirectory: typeof dir === 'number' ? dir : undefined,
        lastBackupAt: entraDevice?.lastBackupAt, refreshAt: entraDevice?.refreshAt,
        rotation: service.actions.actionResults(d).find((a) => a.actionName === ROTATE_ACTION)?.state,
      });
    }
    devices.sort(byName);
    const policies = new Map<string, PolicyReport>();
    for (const id of set.policies.keys()) {
      policies.set(id, { rows: rows.get(id)!.sort(byName), counts: counts.get(id)!, settings: settingCounts.get(id)! });
    }
    const since = (Math.floor(at / DAY_MS) - (ROTATION_DAYS - 1)) * DAY_MS;
    const backupTimes = tenant ? entra.store.auditTimes(tenant.tenantId, UPDATE_ACTIVITY, since) : [];
    return { at, devices, statusCounts, policies, backupTimes };
  }
}
