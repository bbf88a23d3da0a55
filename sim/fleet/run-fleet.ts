/**
 * `lapsim fleet` in process: prepares the run folder under the data folder, starts the lab DC
 * when the scenario has AD devices, runs the shard (in this thread, or cut across worker threads,
 * each with its own files and its own Intune and Entra emulators), merges the parts, and writes
 * report.json and report.html. What it returns is printed by the CLI.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../core/clock.js';
import { LapsError } from '../../core/errors.js';
import { cryptoRng } from '../../core/rng.js';
import { openFleetDc } from './ad-fleet.js';
import type { LogLevel } from './fleet-log.js';
import type { FleetProgress } from './progress.js';
import { mergeReports, type FleetReport } from './report.js';
import { renderHtml } from './report-html.js';
import type { Scenario } from './scenario.js';
import { runShard } from './shard-run.js';
import type { ShardOptions, ShardProgress, ShardSpec } from './shard.js';

/** Most worker threads. */
export const MAX_WORKERS = 64;

/** What runFleet runs, and where. */
export interface FleetOptions {
  readonly scenario: Scenario;
  /** The data folder; the run folder is `<dataDir>/fleet/<run name>`. */
  readonly dataDir: string;
  /** This process's shard of the fleet (`--shard i/n`); default 0/1. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Worker threads (default 1: this thread). */
  readonly workers?: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logLevel: LogLevel;
  readonly wallClock: Clock;
  readonly onProgress?: (p: FleetProgress) => void;
}

/** A finished run. */
export interface FleetRun {
  readonly report: FleetReport;
  readonly folder: string;
  readonly files: readonly string[];
}

/** Files a run writes in its folder (and nothing else is removed there). */
const RUN_FILES = /^(devices|intune|entra)\.db(-wal|-shm|\.key)?$|^fleet\.log$|^report\.(json|html)$/;

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'fleet';
}

/** The run folder's name: scenario, seed and shard. */
export function runName(s: Scenario, shard: { index: number; count: number }): string {
  return `${slug(s.name)}-seed-${slug(String(s.seed))}${shard.count > 1 ? `-shard-${shard.index}-of-${shard.count}` : ''}`;
}

/** Empties the run folder of an earlier run's files (only lapsim's own; anything else stays). */
function prepareFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
    for (const name of readdirSync(folder)) {
      if (RUN_FILES.test(name)) rmSync(join(folder, name), { force: true });
      else if (/^worker-\d+$/.test(name)) {
        for (const f of readdirSync(join(folder, name))) if (RUN_FILES.test(f)) rmSync(join(folder, name, f), { force: true });
      }
    }
  } catch (e) {
    throw new LapsError('LAPS_ERR_FLEET_DATA', `cannot prepare the run folder ${folder}: ${(e as Error).message}`, { cause: e });
  }
}

type WorkerMessage = { type: 'progress'; progress: ShardProgress } | { type: 'done'; report: FleetReport } | { type: 'error'; message: string };

/** What a worker thread is given (plain data). */
export type WorkerInput = Omit<ShardOptions, 'wallClock' | 'onProgress'>;

function runWorker(input: WorkerInput, onProgress: (p: ShardProgress) => void): Promise<FleetReport> {
  return new Promise((resolvePromise, reject) => {
    const w = new Worker(new URL('./fleet-worker.js', import.meta.url), { workerData: input });
    let done = false;
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m.progress);
      else if (m.type === 'done') {
        done = true;
        resolvePromise(m.report);
      } else {
        done = true;
        reject(new LapsError('LAPS_ERR_FLEET_WORKER', `fleet worker ${input.shard.worker} failed: ${m.message}`));
      }
    });
    w.on('error', (e) => reject(new LapsError('LAPS_ERR_FLEET_WORKER', `fleet worker ${input.shard.worker} failed: ${e.message}`, { cause: e })));
    w.on('exit', (code) => {
      if (!done) reject(new LapsError('LAPS_ERR_FLEET_WORKER', `fleet worker ${input.shard.worker} exited with code ${code} before its report`));
    });
  });
}

/** Runs the fleet (this process's shard of it) and writes its reports. */
export async function runFleet(o: FleetOptions): Promise<FleetRun> {
  const s = o.scenario;
  const shard = o.shard ?? { index: 0, count: 1 };
  const workers = o.workers ?? 1;
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= MAX_WORKERS)) throw new LapsError('LAPS_ERR_FLEET_SHARD', `--workers must be 1 to ${MAX_WORKERS}`);
  const folder = resolve(o.dataDir, 'fleet', runName(s, shard));
  prepareFolder(folder);
  const started = o.wallClock.now();
  const dc = s.activeDirectory ? await openFleetDc(resolve(s.activeDirectory.dc), o.wallClock, cryptoRng()) : undefined;
  try {
    const latest: ShardProgress[] = [];
    const progress = (w: number, p: ShardProgress): void => {
      latest[w] = p;
      if (!o.onProgress) return;
      const all = [...Array(workers).keys()].map((i) => latest[i] ?? { day: 0, rotations: 0, cycles: 0, breaches: 0 });
      o.onProgress({
        day: Math.min(...all.map((x) => x.day)), rotations: all.reduce((a, x) => a + x.rotations, 0),
        cycles: all.reduce((a, x) => a + x.cycles, 0), breaches: all.reduce((a, x) => a + x.breaches, 0),
      });
    };
    const input = (w: number): WorkerInput => {
      const dir = workers === 1 ? folder : join(folder, `worker-${w}`);
      mkdirSync(dir, { recursive: true });
      const spec: ShardSpec = { index: shard.index, count: shard.count, worker: w, workers };
      return { scenario: s, shard: spec, dir, env: o.env, logLevel: o.logLevel, ...(dc ? { adDir: dc.dir } : {}) };
    };
    const parts = workers === 1
      ? [await runShard({ ...input(0), wallClock: o.wallClock, onProgress: (p) => progress(0, p) })]
      : await Promise.all([...Array(workers).keys()].map((w) => runWorker(input(w), (p) => progress(w, p))));
    const report = workers === 1 ? parts[0]! : mergeReports(parts, { workers: true });
    const peak = process.resourceUsage().maxRSS * 1024;
    report.run = {
      wallSeconds: (o.wallClock.now() - started) / 1000, peakRssBytes: peak, bytesPerDevice: report.devices.total > 0 ? peak / report.devices.total : 0,
      workers, startedAt: new Date(started).toISOString(), folder, node: process.version,
    };
    return { report, folder, files: writeReports(report, folder) };
  } finally {
    await dc?.stop();
  }
}

/** Writes report.json and report.html in `folder`; returns their paths. */
export function writeReports(report: FleetReport, folder: string): string[] {
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
  const json = join(folder, 'report.json');
  const html = join(folder, 'report.html');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderHtml(report));
  return [html, json];
}
