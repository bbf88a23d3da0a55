/**
 * Fleet figures: `lapsim fleet` in a child process of its own (so that its peak memory is its
 * own), 100,000 devices over 365 days with PasswordAgeDays 30 (about 1.2 million rotations), the
 * Intune and Entra emulators in process, worker threads on every core, always-online devices and
 * no faults. Smaller runs: LAPSIM_BENCH_FLEET_DEVICES, LAPSIM_BENCH_FLEET_DAYS and
 * LAPSIM_BENCH_FLEET_WORKERS (default: the machine's parallelism).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FleetReport } from '../sim/fleet/report.js';
import type { Report } from './report.js';

const CLI = fileURLToPath(new URL('../bin/lapsim.js', import.meta.url));

function env(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Runs the fleet bench and reports its figures. */
export function run(report: Report): void {
  const devices = env('LAPSIM_BENCH_FLEET_DEVICES', 100_000);
  const days = env('LAPSIM_BENCH_FLEET_DAYS', 365);
  const workers = env('LAPSIM_BENCH_FLEET_WORKERS', availableParallelism());
  const dir = mkdtempSync(join(tmpdir(), 'lapsim-bench-fleet-'));
  try {
    const scenario = join(dir, 'scenario.json');
    writeFileSync(scenario, JSON.stringify({
      name: 'bench', devices, days, online: { always: 1, officeHours: 0, intermittent: 0 }, logons: { perDevicePerMonth: 0 },
      faults: { directoryOutages: [] }, policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 30 } }],
    }));
    const r = spawnSync(process.execPath, [CLI, 'fleet', '--scenario', scenario, '--data', dir, '--workers', String(workers), '--no-progress', '--json'], {
      encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`lapsim fleet exited with ${r.status}: ${r.stderr.slice(-2000)}`);
    const out = JSON.parse(r.stdout) as FleetReport;
    const run = out.run!;
    const label = `${devices.toLocaleString('en-US')} devices, ${days} days, ${workers} worker(s)`;
    report({ name: `fleet: devices`, value: out.devices.total, unit: 'devices' });
    report({ name: `fleet: simulated days`, value: days, unit: 'days' });
    report({ name: `fleet: rotations (${label})`, value: out.counts.rotations, unit: 'rotations' });
    report({ name: `fleet: wall time (${label})`, value: run.wallSeconds, unit: 's', goal: { op: '<=', value: 300 } });
    report({ name: `fleet: rotations per second (${label})`, value: out.counts.rotations / run.wallSeconds, unit: 'rotations/s' });
    report({ name: `fleet: peak RSS (${label})`, value: run.peakRssBytes / 1048576, unit: 'MiB', goal: { op: '<=', value: 2048 } });
    report({ name: `fleet: bytes per device (peak RSS / devices)`, value: run.bytesPerDevice, unit: 'bytes', goal: { op: '<=', value: 20 * 1024 } });
    const broken = out.invariants.filter((i) => i.breaches > 0).map((i) => i.id);
    if (broken.length > 0) throw new Error(`fleet bench: invariants broke: ${broken.join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
