/**
 * `lapsim fleet` as a user runs it (the built CLI): the summary and the reports, worker threads
 * and shards that give the same report as one thread, `lapsim fleet merge`, a scenario's problems
 * listed with their paths (exit 2), and exit 1 when an invariant broke.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reproducible, type FleetReport } from '../../sim/fleet/report.js';
import { lapsim, tempDir } from '../helpers/cli.js';

const SCENARIO = {
  name: 'cli test', devices: 60, days: 20, logons: { perDevicePerMonth: 2 }, admin: { rotate: 4, reveal: 4 },
  policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 7 } }],
};

function scenarioFile(dir: string, extra: Record<string, unknown> = {}): string {
  const f = join(dir, 'scenario.json');
  writeFileSync(f, JSON.stringify({ ...SCENARIO, ...extra }));
  return f;
}

function report(dir: string, run: string): FleetReport {
  return JSON.parse(readFileSync(join(dir, 'fleet', run, 'report.json'), 'utf8')) as FleetReport;
}

/** What must match whatever the fleet was cut into (fleet-level check counts are per part). */
function comparable(r: FleetReport): unknown {
  const { shards: _s, ...rest } = reproducible(r);
  return { ...rest, invariants: rest.invariants.map((i) => ({ id: i.id, breaches: i.breaches })) };
}

describe('lapsim fleet (CLI)', () => {
  it('runs, prints the summary and where the reports are, and writes a self-contained HTML report', () => {
    const dir = tempDir('lapsim-fleet-cli-');
    const r = lapsim(['fleet', '--scenario', scenarioFile(dir), '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('lapsim fleet: 60 devices over 20 simulated days (scenario "cli test", seed 1)');
    expect(r.stderr).toMatch(/progress: 100%, day 20\/20/);
    expect(r.stdout).toMatch(/rotations\s+\d+ \(/);
    expect(r.stdout).toMatch(/ok\s+password-opens/);
    const html = join(dir, 'fleet', 'cli-test-seed-1', 'report.html');
    expect(r.stdout).toContain(html);
    expect(r.stdout).toContain(`Open ${html} in a browser`);
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(4);
    expect(page).not.toMatch(/<script|src=|href="http/);
    expect(existsSync(join(dir, 'fleet', 'cli-test-seed-1', 'devices.db'))).toBe(true);
    expect(report(dir, 'cli-test-seed-1').counts.rotations).toBeGreaterThan(120);
    const json = lapsim(['fleet', '--scenario', scenarioFile(dir), '--data', dir, '--json']);
    expect(json.code).toBe(0);
    expect(reproducible(JSON.parse(json.stdout) as FleetReport)).toEqual(reproducible(report(dir, 'cli-test-seed-1')));
  });

  it('gives the same report with worker threads, and with shards merged by lapsim fleet merge', () => {
    const dir = tempDir('lapsim-fleet-cli-');
    const file = scenarioFile(dir);
    expect(lapsim(['fleet', '--scenario', file, '--data', join(dir, 'one'), '--no-progress']).code).toBe(0);
    const one = report(join(dir, 'one'), 'cli-test-seed-1');
    const two = lapsim(['fleet', '--scenario', file, '--data', join(dir, 'two'), '--workers', '2', '--no-progress']);
    expect(two.code, two.stderr).toBe(0);
    const threaded = report(join(dir, 'two'), 'cli-test-seed-1');
    expect(threaded.run?.workers).toBe(2);
    expect(existsSync(join(dir, 'two', 'fleet', 'cli-test-seed-1', 'worker-1', 'devices.db'))).toBe(true);
    expect(comparable(threaded)).toEqual(comparable(one));
    for (const i of [0, 1]) expect(lapsim(['fleet', '--scenario', file, '--data', join(dir, 'shards'), '--shard', `${i}/2`, '--no-progress']).code).toBe(0);
    const parts = [0, 1].map((i) => join(dir, 'shards', 'fleet', `cli-test-seed-1-shard-${i}-of-2`, 'report.json'));
    const merged = lapsim(['fleet', 'merge', ...parts, '--out', join(dir, 'merged')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain(join(dir, 'merged', 'report.html'));
    const m = JSON.parse(readFileSync(join(dir, 'merged', 'report.json'), 'utf8')) as FleetReport;
    expect(m.shards).toEqual({ count: 2, included: [0, 1] });
    expect(comparable(m)).toEqual(comparable(one));
    const half = lapsim(['fleet', 'merge', parts[0]!, '--out', join(dir, 'half')]);
    expect(half.stderr).toContain('1 of 2 shards merged (missing: 1)');
    expect(lapsim(['fleet', 'merge', parts[0]!, parts[0]!, '--out', join(dir, 'twice')]).stderr).toContain('shard 0 of 2 is given twice');
  });

  it('lists every problem of a scenario with its path (exit 2), and exits 1 when an invariant broke', () => {
    const dir = tempDir('lapsim-fleet-cli-');
    const bad = lapsim(['fleet', '--scenario', scenarioFile(dir, { days: 5, devices: -1, timeline: [{ do: 'tamper', day: 9, fraction: 2 }] }), '--data', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lapsim: scenario .*scenario\.json is not valid:\n {2}devices: /);
    expect(bad.stderr).toMatch(/\n {2}timeline\[0\]\.fraction: /);
    expect(lapsim(['fleet', '--shard', '3/3', '--data', dir]).stderr).toContain('--shard must be i/n');
    const both = lapsim(['fleet', '--server', 'ws://127.0.0.1:9', '--workers', '2', '--data', dir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--workers and --shard cut an in-process fleet');
    const broken = lapsim(['fleet', '--scenario', scenarioFile(dir, { timeline: [{ do: 'tamper', day: 3, fraction: 0.2 }] }), '--data', dir, '--no-progress']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN\s+password-opens/);
  });
});
