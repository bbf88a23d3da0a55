/**
 * What `lapsim fleet` and `lapsim fleet merge` do, apart from parsing the command line: the
 * scenario from its file and the flags, the run (in process, or agents against a server), the
 * progress, the summary or the JSON report, the exit code (1 when an invariant broke).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { LapsError } from '../../core/errors.js';
import type { LogLevel } from './fleet-log.js';
import { ProgressPrinter } from './progress.js';
import { hasBreaches, mergeReports, type FleetReport } from './report.js';
import { summaryLines } from './report-text.js';
import { runRemoteFleet } from './remote-fleet.js';
import { MAX_WORKERS, runFleet, runName, writeReports } from './run-fleet.js';
import { parseScenario, type Scenario } from './scenario.js';

/** The command's options, as parsed from the command line. */
export interface FleetCommandOptions {
  readonly scenario?: string;
  readonly devices?: number;
  readonly days?: number;
  readonly seed?: string;
  readonly passwords?: 'crypto' | 'seeded';
  readonly data: string;
  readonly workers?: number;
  readonly shard?: string;
  readonly server?: string;
  readonly adminToken?: string;
  readonly timeScale?: number;
  readonly logLevel: LogLevel;
  readonly progress: boolean;
  readonly json: boolean;
}

/** Where the command writes and what it runs on. */
export interface FleetIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly tty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
}

/**
 * The scenario: the file's JSON (or the defaults), then the flags on top.
 * @throws LapsError LAPS_ERR_FLEET_SCENARIO
 */
export function loadScenario(file: string | undefined, flags: Pick<FleetCommandOptions, 'devices' | 'days' | 'seed' | 'passwords'>): Scenario {
  let raw: Record<string, unknown> = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new LapsError('LAPS_ERR_FLEET_SCENARIO', `cannot read the scenario ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new LapsError('LAPS_ERR_FLEET_SCENARIO', `scenario ${file} is not JSON: ${(e as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new LapsError('LAPS_ERR_FLEET_SCENARIO', `scenario ${file} must be a JSON object`);
  }
  const seed = flags.seed === undefined ? undefined : /^\d{1,15}$/.test(flags.seed) ? Number(flags.seed) : flags.seed;
  const merged = {
    ...raw, ...(flags.devices !== undefined ? { devices: flags.devices } : {}), ...(flags.days !== undefined ? { days: flags.days } : {}),
    ...(seed !== undefined ? { seed } : {}), ...(flags.passwords !== undefined ? { passwords: flags.passwords } : {}),
  };
  return parseScenario(merged, file ?? 'from the flags');
}

/** Reads `--shard i/n`. @throws LapsError LAPS_ERR_FLEET_SHARD */
export function parseShard(text: string | undefined): { index: number; count: number } {
  if (text === undefined) return { index: 0, count: 1 };
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) throw new LapsError('LAPS_ERR_FLEET_SHARD', `--shard must be i/n with 0 <= i < n (e.g. 0/4), not ${text}`);
  return { index, count };
}

function finish(report: FleetReport, files: readonly string[], o: FleetCommandOptions, io: FleetIo): number {
  if (o.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(`${summaryLines(report, files).join('\n')}\n${files.length > 0 ? `\nOpen ${files[0]} in a browser for the charts.\n` : ''}`);
  return hasBreaches(report) ? 1 : 0;
}

/** `lapsim fleet`: runs the fleet and prints the summary. @returns the exit code */
export async function runFleetCommand(o: FleetCommandOptions, io: FleetIo): Promise<number> {
  const scenario = loadScenario(o.scenario, o);
  const shard = parseShard(o.shard);
  if (o.workers !== undefined && !(o.workers >= 1 && o.workers <= MAX_WORKERS)) throw new LapsError('LAPS_ERR_FLEET_SHARD', `--workers must be 1 to ${MAX_WORKERS}`);
  if (o.server !== undefined && (o.workers !== undefined || o.shard !== undefined)) {
    throw new LapsError('LAPS_ERR_FLEET_SHARD', '--workers and --shard cut an in-process fleet; with --server the agents run in this process');
  }
  const printer = o.progress && !o.json ? new ProgressPrinter(io.err, io.tty, io.clock, scenario.days) : undefined;
  if (!o.json) {
    io.err(`lapsim fleet: ${scenario.devices.toLocaleString('en-US')} devices over ${scenario.days} simulated days (scenario "${scenario.name}", seed ${String(scenario.seed)})` +
      `${o.server !== undefined ? `, agents over WebSocket against ${o.server}` : `, Intune and Entra emulators in process, files in ${resolve(o.data, 'fleet', runName(scenario, shard))}`}\n`);
  }
  let last = { day: 0, rotations: 0, cycles: 0, breaches: 0 };
  const onProgress = printer ? (p: typeof last): void => { last = p; printer.update(p); } : undefined;
  if (o.server !== undefined) {
    const run = await runRemoteFleet({
      scenario, server: o.server, adminToken: o.adminToken ?? io.env['LAPSIM_ADMIN_TOKEN'], timeScale: o.timeScale ?? 86_400,
      dataDir: resolve(o.data), wallClock: io.clock, logLevel: o.logLevel, ...(onProgress ? { onProgress } : {}),
    });
    printer?.finish({ ...last, day: scenario.days });
    return finish(run.report, run.files, o, io);
  }
  const run = await runFleet({
    scenario, dataDir: o.data, shard, workers: o.workers ?? 1, env: io.env, logLevel: o.logLevel, wallClock: io.clock, ...(onProgress ? { onProgress } : {}),
  });
  printer?.finish({ ...last, day: scenario.days });
  return finish(run.report, run.files, o, io);
}

/** `lapsim fleet merge`: one report from the shards' reports. @returns the exit code */
export function mergeCommand(files: readonly string[], outDir: string, json: boolean, io: FleetIo): number {
  const parts = files.map((f) => {
    try {
      return JSON.parse(readFileSync(f, 'utf8')) as FleetReport;
    } catch (e) {
      throw new LapsError('LAPS_ERR_FLEET_REPORT', `cannot read the report ${f}: ${(e as Error).message}`);
    }
  });
  const report = mergeReports(parts);
  const written = writeReports(report, resolve(outDir));
  if (report.shards.included.length < report.shards.count) {
    io.err(`lapsim fleet merge: ${report.shards.included.length} of ${report.shards.count} shards merged (missing: ${[...Array(report.shards.count).keys()].filter((i) => !report.shards.included.includes(i)).join(', ')})\n`);
  }
  return finish(report, written, { json } as FleetCommandOptions, io);
}
