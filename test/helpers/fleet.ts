/** Small fleets for the end-to-end tests: run in process on a temp data folder, read the report and the devices' files. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { SystemClock } from '../../core/clock.js';
import { runFleet, type FleetRun } from '../../sim/fleet/run-fleet.js';
import type { FleetReport, InvariantLine } from '../../sim/fleet/report.js';
import { parseScenario, type Scenario } from '../../sim/fleet/scenario.js';
import { Population } from '../../sim/fleet/population.js';
import { Sampler } from '../../sim/fleet/sampling.js';
import { tempDir } from './cli.js';

/** Base of the test scenarios: 100 devices, 40 days, always online, no default outage, no admin actions. */
export const BASE = {
  devices: 100, days: 40, online: { always: 1, officeHours: 0, intermittent: 0 }, logons: { perDevicePerMonth: 0 },
  admin: { rotate: 0, reveal: 0 }, faults: { directoryOutages: [] },
  population: { osBuilds: { '10.0.26100.4349': 1 }, renamedAdministrator: 0.2 },
};

/** Runs a fleet in process; `raw` is laid over BASE (one level deep). */
export async function fleet(raw: Record<string, unknown>, o: { shard?: { index: number; count: number } } = {}): Promise<FleetRun> {
  const merged: Record<string, unknown> = { ...BASE };
  for (const [k, v] of Object.entries(raw)) {
    const base = (BASE as Record<string, unknown>)[k];
    merged[k] = base && typeof base === 'object' && !Array.isArray(base) && v && typeof v === 'object' && !Array.isArray(v) ? { ...base, ...v } : v;
  }
  const scenario = parseScenario(merged, 'test');
  return runFleet({ scenario, dataDir: tempDir('lapsim-fleet-'), env: {}, logLevel: 'warn', wallClock: new SystemClock(), ...(o.shard ? { shard: o.shard } : {}) });
}

export function line(r: FleetReport, id: InvariantLine['id']): InvariantLine {
  return r.invariants.find((i) => i.id === id)!;
}

/** No invariant broke. */
export function expectNoBreach(r: FleetReport): void {
  expect(r.breaches).toEqual([]);
  for (const i of r.invariants) expect(i.breaches, i.id).toBe(0);
}

/** Every invariant was checked and none broke. */
export function expectHeld(r: FleetReport): void {
  expectNoBreach(r);
  for (const i of r.invariants) expect(i.checks, i.id).toBeGreaterThan(0);
}

/** The LAPS CSP values of every device in the run's devices.db, by device name. */
export function cspValues(run: FleetRun): Map<string, Record<string, string>> {
  const db = new Database(join(run.folder, 'devices.db'), { readonly: true });
  try {
    const out = new Map<string, Record<string, string>>();
    for (const d of db.prepare('SELECT device_id, name FROM devices').all() as { device_id: string; name: string }[]) out.set(d.name, {});
    const names = new Map((db.prepare('SELECT device_id, name FROM devices').all() as { device_id: string; name: string }[]).map((d) => [d.device_id, d.name]));
    for (const r of db.prepare('SELECT device_id, name, value FROM csp_values').all() as { device_id: string; name: string; value: string }[]) out.get(names.get(r.device_id)!)![r.name] = r.value;
    return out;
  } finally {
    db.close();
  }
}

/** Names of the devices a scenario group holds (its fraction, as the fleet draws it). */
export function groupMembers(s: Scenario, group: string): Set<string> {
  const g = s.groups.find((x) => x.name === group)!;
  const sampler = new Sampler(s.seed);
  const pop = new Population(s, sampler, Date.parse(s.start));
  const out = new Set<string>();
  for (let k = 0; k < s.devices; k++) if (g.fraction !== undefined && sampler.chance(`group:${g.name}`, k, g.fraction)) out.add(pop.profile(k).name);
  return out;
}
