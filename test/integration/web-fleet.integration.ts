/**
 * The fleet overview while a fleet runs against the server: `lapsim fleet --server` (runRemoteFleet)
 * drives 12 agents over the device channel of a lapsim server in this process for ten simulated
 * days; meanwhile a signed-in client reads the overview's JSON and its live stream. The overview
 * sees the devices arrive, their policy succeed, their backups per day and the events the fleet
 * reports, and the stream pushes new charts as they change, without a reload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../core/clock.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { runRemoteFleet } from '../../sim/fleet/remote-fleet.js';
import { parseScenario } from '../../sim/fleet/scenario.js';
import { startManagementServer, type ManagementServer } from '../../sim/intune/management-server.js';
import { WebClient } from '../helpers/web-harness.js';

const ADMIN = 'web-fleet-admin-token';
const DEVICES = 12;
let s: ManagementServer;
let dir = '';

interface Overview { devices: number; eventsReported: number; byStatus: Record<string, number>; rotationsPerDay: { count: number }[] }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lapsim-web-fleet-'));
  s = await startManagementServer({ dataDir: join(dir, 'server'), port: 0, adminToken: ADMIN, clock: new SystemClock(), rng: new SeededRng(12), sessionTimeoutMs: 5_000 });
});

afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the fleet overview during a fleet run against the server', () => {
  it('follows the devices, their status, backups and reported events while the fleet runs, and streams the changes', async () => {
    const w = new WebClient(s.url);
    await w.signIn(ADMIN);
    const seen: Overview[] = [];
    let running = true;
    const poll = (async () => {
      while (running) {
        seen.push(JSON.parse((await w.get('/ui/overview.json')).text) as Overview);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const ac = new AbortController();
    let updates = 0;
    const stream = (async () => {
      const r = await fetch(`${s.url}/ui/live?topic=overview`, { headers: { cookie: w.cookieHeader }, signal: ac.signal });
      const reader = r.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        updates += (new TextDecoder().decode(value).match(/^event: update$/gm) ?? []).length;
      }
    })().catch(() => undefined);
    const scenario = parseScenario({
      devices: DEVICES, days: 10, seed: 3, online: { always: 1, officeHours: 0, intermittent: 0 }, admin: { rotate: 0, reveal: 0 },
      population: { joinTypes: { entra: 1 }, osBuilds: { '10.0.26100.4349': 1 } },
      policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 7, PasswordLength: 16 } }],
    }, 'test');
    const { report } = await runRemoteFleet({
      scenario, server: s.url, adminToken: ADMIN, timeScale: 10 * 86_400 / 3, dataDir: join(dir, 'fleet'), wallClock: new SystemClock(), logLevel: 'silent',
    }).finally(() => {
      running = false;
    });
    await poll;
    const last = JSON.parse((await w.get('/ui/overview.json')).text) as Overview;
    ac.abort();
    await stream;
    expect(report.devices.total).toBe(DEVICES);
    expect(last.devices).toBe(DEVICES);
    expect(last.byStatus['succeeded']).toBe(DEVICES);
    expect(last.rotationsPerDay.reduce((n, d) => n + d.count, 0)).toBeGreaterThanOrEqual(DEVICES);
    expect(last.eventsReported).toBeGreaterThan(0);
    const reported = new Set(seen.map((o) => o.eventsReported));
    expect(reported.size, 'the reported events grew while the fleet ran').toBeGreaterThan(2);
    expect(seen.some((o) => o.byStatus['succeeded']! < DEVICES) && seen.some((o) => o.byStatus['succeeded'] === DEVICES)).toBe(true);
    expect(updates).toBeGreaterThan(2);
  });
});
