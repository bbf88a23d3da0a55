/**
 * The conflict engine (laps-behaviour.md 11.2, intune-graph.md 3.3), pure:
 * - the LAPS policies that reach a device are merged node by node at the CSP level, so two
 *   settings that write the same node with the same value agree (passwordagedays_aad 30 and
 *   passwordagedays 30), and different values on one node conflict (different account names,
 *   BackupDirectory 1 against 2);
 * - while any node conflicts, nothing is delivered: a device already configured keeps the values
 *   last applied, a device with none gets nothing; every policy that sets a conflicting node
 *   reports Conflict on it;
 * - once the conflict is gone (assignments removed or values aligned) the merged values are
 *   delivered and the device converges.
 * Per-setting and per-policy statuses come from the merged values, what the device confirmed,
 * what is on its way, and the last result the device reported for each node.
 */
import { hasLapsCsp } from '../../csp/laps/nodes.js';
import type { SettingValue } from '../../csp/laps/settings.js';
import { nodeOnBuild, sameValue, type CspSetting, type CspValues } from './csp-translate.js';

/** One policy's part in a device's configuration. */
export interface Contribution {
  readonly policyId: string;
  readonly settings: readonly CspSetting[];
}

/** One value proposed for a conflicting node, and the policies proposing it. */
export interface ProposedValue {
  readonly value: SettingValue;
  readonly policyIds: readonly string[];
}

/** The policies of one device merged node by node. */
export interface MergeResult {
  /** Nodes on which every policy agrees, with that value. */
  readonly agreed: ReadonlyMap<string, SettingValue>;
  /** Nodes with two or more different values. */
  readonly conflicts: ReadonlyMap<string, readonly ProposedValue[]>;
  /** Every policy that sets each node. */
  readonly sources: ReadonlyMap<string, readonly string[]>;
}

/** Merges the policies that reach one device, node by node. */
export function mergePolicies(contributions: readonly Contribution[]): MergeResult {
  const proposals = new Map<string, ProposedValue[]>();
  const sources = new Map<string, string[]>();
  for (const c of contributions) {
    for (const s of c.settings) {
      const list = proposals.get(s.node) ?? [];
      const same = list.find((p) => sameValue(p.value, s.value));
      if (same) (same.policyIds as string[]).push(c.policyId);
      else list.push({ value: s.value, policyIds: [c.policyId] });
      proposals.set(s.node, list);
      const src = sources.get(s.node) ?? [];
      if (!src.includes(c.policyId)) src.push(c.policyId);
      sources.set(s.node, src);
    }
  }
  const agreed = new Map<string, SettingValue>();
  const conflicts = new Map<string, readonly ProposedValue[]>();
  for (const [node, list] of proposals) {
    if (list.length === 1) agreed.set(node, list[0]!.value);
    else conflicts.set(node, list);
  }
  return { agreed, conflicts, sources };
}

/**
 * The values the device should hold, or undefined while a conflict freezes it. Nodes the device's
 * OS does not have are left out (they are reported Not applicable); a device without the LAPS
 * CSP gets nothing.
 */
export function desiredValues(merge: MergeResult, osVersion: string): Map<string, SettingValue> | undefined {
  if (merge.conflicts.size > 0) return undefined;
  const out = new Map<string, SettingValue>();
  if (!hasLapsCsp(osVersion)) return out;
  for (const [node, value] of merge.agreed) if (nodeOnBuild(node, osVersion)) out.set(node, value);
  return out;
}

/** Status words of the reports (intune-graph.md 10). */
export type SettingStatus = 'succeeded' | 'error' | 'conflict' | 'pending' | 'notApplicable';

/** The last result the device reported for a node. */
export interface NodeResult {
  readonly status: 'succeeded' | 'error';
  /** The SyncML status code. */
  readonly code: number;
  /** The value the command carried (Replace), undefined for a Delete. */
  readonly value: SettingValue | undefined;
  readonly at: number;
}

/** What the server knows of a device's LAPS configuration. */
export interface DeviceConfigState {
  readonly osVersion: string;
  /** Values the device confirmed (status 200). */
  readonly applied: CspValues;
  /** Values of the policy delivery waiting for the device's statuses. */
  readonly inFlight: CspValues;
  readonly results: ReadonlyMap<string, NodeResult>;
}

/** One setting of one policy on one device. */
export interface SettingState {
  readonly node: string;
  readonly definitionId: string;
  readonly value: SettingValue;
  readonly status: SettingStatus;
  /** SyncML status of the failing command (error). */
  readonly code?: number;
  /** The other policies that set a different value on the node (conflict). */
  readonly conflictingPolicyIds: readonly string[];
}

/** The status of each setting of `policy` on the device. */
export function settingStates(policy: Contribution, merge: MergeResult, state: DeviceConfigState): SettingState[] {
  return policy.settings.map((s) => {
    const base = { node: s.node, definitionId: s.definitionId, value: s.value, conflictingPolicyIds: [] as string[] };
    if (!nodeOnBuild(s.node, state.osVersion)) return { ...base, status: 'notApplicable' };
    const proposals = merge.conflicts.get(s.node);
    if (proposals) {
      const others = proposals.filter((p) => !sameValue(p.value, s.value)).flatMap((p) => p.policyIds);
      return { ...base, status: 'conflict', conflictingPolicyIds: [...new Set(others)] };
    }
    if (sameValue(state.inFlight.get(s.node), s.value)) return { ...base, status: 'pending' };
    const r = state.results.get(s.node);
    if (r?.status === 'error' && sameValue(r.value, s.value)) return { ...base, status: 'error', code: r.code };
    if (sameValue(state.applied.get(s.node), s.value)) return { ...base, status: 'succeeded' };
    return { ...base, status: 'pending' };
  });
}

const RANK: Record<SettingStatus, number> = { conflict: 4, error: 3, pending: 2, succeeded: 1, notApplicable: 0 };

/** The status that wins: Conflict, then Error, Pending, Succeeded; Not applicable when all are (or none is given). */
export function worstStatus(statuses: Iterable<SettingStatus>): SettingStatus {
  let worst: SettingStatus = 'notApplicable';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

/** A policy's status on a device from its settings' statuses; Not applicable without the LAPS CSP. */
export function policyStatus(settings: readonly SettingState[], osVersion: string): SettingStatus {
  if (!hasLapsCsp(osVersion)) return 'notApplicable';
  return worstStatus(settings.map((s) => s.status));
}

/** The Intune complianceStatus number of a status (2 = Succeeded, 5 error, 6 conflict, 1 not applicable; pending is 0, unknown). */
export const STATUS_NUMBER: Record<SettingStatus, number> = { pending: 0, notApplicable: 1, succeeded: 2, error: 5, conflict: 6 };
/** The display word of a status, as the portal and reports show it. */
export const STATUS_TEXT: Record<SettingStatus, string> = {
  pending: 'Pending', notApplicable: 'Not applicable', succeeded: 'Succeeded', error: 'Error', conflict: 'Conflict',
};
