/**
 * The fleet report: what ran (the resolved scenario), the devices, every count, the Intune policy
 * statuses, the invariants with their checks and breaches. Everything but `run` (wall time,
 * memory, paths) is a pure function of the scenario and its seed: two runs with the same seed give
 * the same report, and the reports of a fleet's shards merge into the report of the whole fleet.
 */
import { LapsError } from '../../core/errors.js';
import { addCounts, type FleetCounts } from './fleet-stats.js';
import { INVARIANT_IDS, INVARIANTS, MAX_BREACHES_KEPT, type Breach, type InvariantId } from './invariants.js';
import type { Scenario } from './scenario.js';

/** The `format` of a report file. */
export const REPORT_FORMAT = 'lapsim-fleet-report';

/** Device counts by kind. */
export interface DeviceSummary {
  total: number;
  /** Registered with the Intune emulator. */
  intune: number;
  /** Managing a password with an expiry at the end. */
  managed: number;
  /** Backed up at least one password. */
  backedUp: number;
  byJoinType: Record<string, number>;
  byOsBuild: Record<string, number>;
  byOnlinePattern: Record<string, number>;
}

/** One invariant's line. */
export interface InvariantLine {
  readonly id: InvariantId;
  readonly description: string;
  checks: number;
  breaches: number;
}

/** How a run went on this machine (not part of the reproducible report). */
export interface RunInfo {
  readonly wallSeconds: number;
  readonly peakRssBytes: number;
  readonly bytesPerDevice: number;
  readonly workers: number;
  readonly startedAt: string;
  readonly folder: string;
  readonly node: string;
}

/** A fleet report (or one shard's part of it). */
export interface FleetReport {
  readonly format: typeof REPORT_FORMAT;
  readonly version: 1;
  readonly scenario: Scenario;
  /** How many shards the fleet was cut into, and which this report holds. */
  readonly shards: { readonly count: number; readonly included: number[] };
  readonly devices: DeviceSummary;
  readonly counts: FleetCounts;
  /** Per policy (scenario name), devices by Intune report status (Succeeded, Error, Conflict, Pending, Not applicable). */
  readonly policyStatus: Record<string, Record<string, number>>;
  readonly invariants: InvariantLine[];
  readonly breaches: Breach[];
  /** Facts a reader must know (where passwords came from, what is not simulated). */
  readonly notes: string[];
  run?: RunInfo;
}

/** True when any invariant broke. */
export function hasBreaches(r: FleetReport): boolean {
  return r.invariants.some((i) => i.breaches > 0);
}

/** The report without `run`: what two runs with the same seed share. */
export function reproducible(r: FleetReport): Omit<FleetReport, 'run'> {
  const { run: _run, ...rest } = r;
  return rest;
}

/** Invariant lines from check and breach counts. */
export function invariantLines(checks: Record<InvariantId, number>, breaches: Record<InvariantId, number>): InvariantLine[] {
  return INVARIANT_IDS.map((id) => ({ id, description: INVARIANTS[id], checks: checks[id], breaches: breaches[id] }));
}

function addRecords(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Orders breaches by time, then device, then invariant: the same order however the fleet was cut. */
export function sortBreaches(list: Breach[]): Breach[] {
  return list.sort((a, b) => a.time.localeCompare(b.time) || (a.deviceName ?? '').localeCompare(b.deviceName ?? '') || a.invariant.localeCompare(b.invariant) || a.detail.localeCompare(b.detail));
}

/**
 * Merges shard reports of one fleet into one report. `workers`: the parts are the worker threads
 * of one shard (they all name it).
 * @throws LapsError LAPS_ERR_FLEET_REPORT for reports of different runs or a shard given twice
 */
export function mergeReports(parts: readonly FleetReport[], opts: { readonly workers?: boolean } = {}): FleetReport {
  if (parts.length === 0) throw new LapsError('LAPS_ERR_FLEET_REPORT', 'no report to merge');
  const first = parts[0]!;
  const key = JSON.stringify(first.scenario);
  const seen = new Set<number>();
  for (const p of parts) {
    if (p.format !== REPORT_FORMAT || p.version !== 1) throw new LapsError('LAPS_ERR_FLEET_REPORT', 'not a lapsim fleet report (version 1)');
    if (JSON.stringify(p.scenario) !== key || p.shards.count !== first.shards.count) {
      throw new LapsError('LAPS_ERR_FLEET_REPORT', 'these reports come from different scenarios, seeds or shard counts');
    }
    for (const s of p.shards.included) {
      if (seen.has(s) && !opts.workers) throw new LapsError('LAPS_ERR_FLEET_REPORT', `shard ${s} of ${p.shards.count} is given twice`);
      seen.add(s);
    }
  }
  const devices = parts.slice(1).reduce<DeviceSummary>((a, p) => ({
    total: a.total + p.devices.total, intune: a.intune + p.devices.intune, managed: a.managed + p.devices.managed, backedUp: a.backedUp + p.devices.backedUp,
    byJoinType: addRecords(a.byJoinType, p.devices.byJoinType), byOsBuild: addRecords(a.byOsBuild, p.devices.byOsBuild),
    byOnlinePattern: addRecords(a.byOnlinePattern, p.devices.byOnlinePattern),
  }), structuredClone(first.devices));
  const policyStatus: Record<string, Record<string, number>> = {};
  for (const p of parts) for (const [name, st] of Object.entries(p.policyStatus)) policyStatus[name] = addRecords(policyStatus[name] ?? {}, st);
  const invariants = first.invariants.map((line) => ({
    ...line,
    checks: parts.reduce((n, p) => n + (p.invariants.find((x) => x.id === line.id)?.checks ?? 0), 0),
    breaches: parts.reduce((n, p) => n + (p.invariants.find((x) => x.id === line.id)?.breaches ?? 0), 0),
  }));
  return {
    format: REPORT_FORMAT, version: 1, scenario: first.scenario,
    shards: { count: first.shards.count, included: [...seen].sort((a, b) => a - b) },
    devices, counts: parts.slice(1).reduce<FleetCounts>((a, p) => addCounts(a, p.counts), first.counts), policyStatus, invariants,
    breaches: sortBreaches(parts.flatMap((p) => p.breaches)).slice(0, MAX_BREACHES_KEPT),
    notes: first.notes,
  };
}
