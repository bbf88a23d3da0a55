/**
 * The LAPS reports (laps-behaviour.md 11.5, intune-graph.md 10), as tables of named columns:
 * - per policy, each targeted device's assignment status (Succeeded, Error, Conflict, Pending,
 *   Not applicable) with the counts, and each setting's counts;
 * - per device, each setting with its value, status and the profiles that set it or conflict on it;
 *   and each policy reaching it with its status;
 * - the LAPS device list: account, last and next rotation, backup directory, last result.
 * The HTTP layer writes a table as Graph's report JSON, as plain JSON objects, or as CSV.
 */
import { formatSettingValue } from '../../csp/laps/settings.js';
import { policyStatus, settingStates, STATUS_NUMBER, STATUS_TEXT, worstStatus, type SettingState, type SettingStatus } from './conflicts.js';
import { inNodeOrder } from './csp-translate.js';
import { BACKUP_DIRECTORY_NAMES, ROTATE_ACTION, type ActionEngine } from './device-actions.js';
import type { ConfigEngine, DeviceView, PolicySet } from './device-config.js';
import { graphTimeOrNull } from './graph-time.js';
import type { DeviceRecord } from './policy-types.js';
import type { ServiceContext } from './service-context.js';

/** A report column's type, as the reporting service names it. */
export type ColumnType = 'String' | 'Int32' | 'DateTime' | 'Boolean';

/** A report: named, typed columns and rows of values. */
export interface ReportTable {
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
}

function table(columns: readonly [string, ColumnType][], rows: (string | number | boolean | null)[][]): ReportTable {
  return { columns: columns.map(([name, type]) => ({ name, type })), rows };
}

const STATUSES: readonly SettingStatus[] = ['succeeded', 'error', 'conflict', 'pending', 'notApplicable'];

/** Builds the report tables from the devices' views. */
export class ReportService {
  readonly #ctx: ServiceContext;
  readonly #config: ConfigEngine;
  readonly #actions: ActionEngine;

  constructor(ctx: ServiceContext, config: ConfigEngine, actions: ActionEngine) {
    this.#ctx = ctx;
    this.#config = config;
    this.#actions = actions;
  }

  #views(set: PolicySet): DeviceView[] {
    return this.#ctx.db.directory.devices().map((d) => this.#config.view(d, set));
  }

  #user(d: DeviceRecord): string | null {
    const id = d.signedInUserId ?? d.primaryUserId;
    return id === undefined ? null : this.#ctx.db.directory.user(id)?.userPrincipalName ?? null;
  }

  #states(v: DeviceView, policyId: string): SettingState[] {
    const c = v.contributions.find((x) => x.policyId === policyId);
    return c ? settingStates(c, v.merge, v.state) : [];
  }

  #lastModified(v: DeviceView, states: readonly SettingState[]): string | null {
    let at: number | undefined;
    for (const s of states) {
      const r = v.state.results.get(s.node);
      if (r && (at === undefined || r.at > at)) at = r.at;
    }
    return graphTimeOrNull(at);
  }

  /** Each device the policy reaches, with its status (getConfigurationPolicyDevicesReport). */
  policyDevices(policyId: string): ReportTable {
    const set = this.#config.policySet();
    const policy = set.policies.get(policyId);
    const rows: (string | number | boolean | null)[][] = [];
    for (const v of this.#views(set)) {
      if (!policy || !v.targeted.has(policy.id)) continue;
      const states = this.#states(v, policy.id);
      const status = policyStatus(states, v.device.osVersion);
      rows.push([policy.id, policy.name, v.device.managedDeviceId, v.device.deviceName, this.#user(v.device), v.device.signedInUserId ?? v.device.primaryUserId ?? null,
        STATUS_NUMBER[status], STATUS_TEXT[status], v.targeted.get(policy.id) ?? null, this.#lastModified(v, states)]);
    }
    return table([['PolicyId', 'String'], ['PolicyName', 'String'], ['IntuneDeviceId', 'String'], ['DeviceName', 'String'], ['UPN', 'String'],
      ['UserId', 'String'], ['PolicyStatus', 'Int32'], ['ReportStatus', 'String'], ['AssignedVia', 'String'], ['PspdpuLastModifiedTimeUtc', 'DateTime']], rows);
  }

  /** Device counts per status for one policy (Succeeded, Error, Conflict, Pending, Not applicable). */
  policySummary(policyId: string): Record<string, number> {
    const counts: Record<string, number> = { Succeeded: 0, Error: 0, Conflict: 0, Pending: 0, 'Not applicable': 0 };
    const t = this.policyDevices(policyId);
    const col = t.columns.findIndex((c) => c.name === 'ReportStatus');
    for (const r of t.rows) counts[r[col] as string] = (counts[r[col] as string] ?? 0) + 1;
    return counts;
  }

  /** Each setting of the policy with its device counts (getConfigurationPolicySettingsDeviceSummaryReport). */
  policySettings(policyId: string): ReportTable {
    const set = this.#config.policySet();
    const policy = set.policies.get(policyId);
    const contribution = policy ? set.contributions.get(policy.id) : undefined;
    const counts = new Map<string, Record<SettingStatus, number>>();
    for (const s of contribution?.settings ?? []) counts.set(s.definitionId, { succeeded: 0, error: 0, conflict: 0, pending: 0, notApplicable: 0 });
    for (const v of policy ? this.#views(set) : []) {
      if (!v.targeted.has(policy!.id)) continue;
      for (const s of this.#states(v, policy!.id)) counts.get(s.definitionId)![s.status]++;
    }
    const rows = (contribution?.settings ?? []).map((s) => {
      const c = counts.get(s.definitionId)!;
      return [policy!.id, s.definitionId, s.node, formatSettingValue(s.value), ...STATUSES.map((st) => c[st])];
    });
    return table([['PolicyId', 'String'], ['SettingName', 'String'], ['CspNode', 'String'], ['Value', 'String'], ['NumberOfSucceededDevices', 'Int32'],
      ['NumberOfErrorDevices', 'Int32'], ['NumberOfConflictDevices', 'Int32'], ['NumberOfPendingDevices', 'Int32'], ['NumberOfNotApplicableDevices', 'Int32']], rows);
  }

  /** Each policy reaching the device with its status (getConfigurationPoliciesReportForDevice). */
  devicePolicies(device: DeviceRecord): ReportTable {
    const set = this.#config.policySet();
    const v = this.#config.view(device, set);
    const rows = [...v.targeted].map(([policyId, via]) => {
      const status = policyStatus(this.#states(v, policyId), device.osVersion);
      return [device.managedDeviceId, policyId, set.policies.get(policyId)?.name ?? '', via, STATUS_NUMBER[status], STATUS_TEXT[status]];
    });
    return table([['IntuneDeviceId', 'String'], ['PolicyId', 'String'], ['PolicyName', 'String'], ['AssignedVia', 'String'],
      ['PolicyStatus', 'Int32'], ['PolicyStatus_loc', 'String']], rows);
  }

  /**
   * Each LAPS CSP node any policy sets on the device: the value in force on the device, its
   * status, the profiles that set it and those that conflict on it (getConfigurationSettingsReport).
   */
  deviceSettings(device: DeviceRecord): ReportTable {
    const set = this.#config.policySet();
    const v = this.#config.view(device, set);
    const byNode = new Map<string, { states: SettingState[]; policyIds: string[] }>();
    for (const c of v.contributions) {
      for (const s of settingStates(c, v.merge, v.state)) {
        const e = byNode.get(s.node) ?? { states: [], policyIds: [] };
        e.states.push(s);
        e.policyIds.push(c.policyId);
        byNode.set(s.node, e);
      }
    }
    const name = (id: string): string => set.policies.get(id)?.name ?? id;
    const rows = inNodeOrder(byNode.keys()).map((node) => {
      const e = byNode.get(node)!;
      const status = worstStatus(e.states.map((s) => s.status));
      const onDevice = v.state.applied.get(node);
      const conflicting = v.merge.conflicts.get(node)?.flatMap((p) => p.policyIds.map((id) => `${name(id)} (${formatSettingValue(p.value)})`)) ?? [];
      const code = e.states.find((s) => s.code !== undefined)?.code ?? null;
      return [device.managedDeviceId, [...new Set(e.states.map((s) => s.definitionId))].join(';'), node,
        onDevice === undefined ? null : formatSettingValue(onDevice), STATUS_TEXT[status], code,
        e.policyIds.map(name).join(';'), conflicting.join(';')];
    });
    return table([['IntuneDeviceId', 'String'], ['SettingName', 'String'], ['CspNode', 'String'], ['ValueOnDevice', 'String'], ['SettingStatus', 'String'],
      ['ErrorCode', 'Int32'], ['SourceProfiles', 'String'], ['ConflictingProfiles', 'String']], rows);
  }

  /** The LAPS device list: account, last and next rotation, backup directory, last result. */
  lapsDevices(): ReportTable {
    const set = this.#config.policySet();
    const rows = this.#views(set).map((v) => {
      const d = v.device;
      const dir = this.#actions.backupDirectory(d);
      const entra = dir === 1 ? this.#ctx.entra.backups(d.deviceId) : undefined;
      const newest = entra?.credentials[0];
      const statuses = v.contributions.map((c) => policyStatus(settingStates(c, v.merge, v.state), d.osVersion));
      const overall = statuses.length === 0 ? null : STATUS_TEXT[worstStatus(statuses)];
      const rotation = this.#actions.actionResults(d).find((a) => a.actionName === ROTATE_ACTION);
      return [d.managedDeviceId, d.deviceName, d.deviceId, d.joinType, d.osVersion, newest?.accountName ?? null, newest?.accountSid ?? null,
        graphTimeOrNull(newest?.backupTime), graphTimeOrNull(entra?.refreshAt), dir === undefined ? 'notConfigured' : BACKUP_DIRECTORY_NAMES[dir] ?? 'notConfigured',
        overall, rotation?.state ?? null, graphTimeOrNull(rotation?.updatedAt), this.#ctx.delivery.isOnline(d.deviceId), graphTimeOrNull(d.lastSyncAt)];
    });
    return table([['IntuneDeviceId', 'String'], ['DeviceName', 'String'], ['AzureADDeviceId', 'String'], ['JoinType', 'String'], ['OSVersion', 'String'],
      ['AccountName', 'String'], ['AccountSid', 'String'], ['LastPasswordRotationDateTime', 'DateTime'], ['NextPasswordRotationDateTime', 'DateTime'],
      ['BackupDirectory', 'String'], ['PolicyStatus', 'String'], ['LastRotationResult', 'String'], ['LastRotationResultDateTime', 'DateTime'],
      ['Online', 'Boolean'], ['LastSyncDateTime', 'DateTime']], rows);
  }
}
