/**
 * `lapsim fleet --server`: agents over real WebSockets against a lapsim server started here, on a
 * device clock two days per wall second. The fleet registers the devices and creates the
 * scenario's group, policy and assignment through the server's API; the devices get the policy,
 * back up to the server's Entra emulator over HTTP and rotate on schedule; the policy report is
 * read back from the server.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../core/clock.js';
import { cryptoRng } from '../../core/rng.js';
import { runRemoteFleet } from '../../sim/fleet/remote-fleet.js';
import { parseScenario } from '../../sim/fleet/scenario.js';
import { startManagementServer, type ManagementServer } from '../../sim/intune/management-server.js';
import { Population } from '../../sim/fleet/population.js';
import { Sampler } from '../../sim/fleet/sampling.js';
import { startDmServer } from '../../sim/server/start-dm-server.js';
import { lapsPolicy } from '../../sim/server/syncml-commands.js';
import { tempDir } from '../helpers/cli.js';
import { line } from '../helpers/fleet.js';

const TOKEN = 'fleet-remote-admin';
let server: ManagementServer;
const dir = tempDir('lapsim-fleet-remote-');

beforeAll(async () => {
  server = await startManagementServer({ dataDir: join(dir, 'server'), port: 0, adminToken: TOKEN, clock: new SystemClock(), rng: cryptoRng() });
});

afterAll(async () => {
  await server.close();
});

describe('lapsim fleet --server', () => {
  it('drives ws agents against a lapsim server: policy delivered, passwords escrowed over HTTP, weekly rotations, invariants held', async () => {
    const scenario = parseScenario({
      devices: 20, days: 10, population: { osBuilds: { '10.0.26100.4349': 1 } },
      policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 7 } }],
    }, 'test');
    const { report: r, files } = await runRemoteFleet({ scenario, server: server.url, adminToken: TOKEN, timeScale: 172_800, dataDir: dir, wallClock: new SystemClock(), logLevel: 'warn' });
    expect(r.breaches).toEqual([]);
    expect(r.counts.rotations).toBe(40);
    expect(r.counts.rotationsPerDay[7]! + r.counts.rotationsPerDay[8]!).toBe(20);
    expect(r.counts.failedCycles).toBe(0);
    expect(r.policyStatus).toEqual({ 'Windows LAPS': { Succeeded: 20 } });
    expect(line(r, 'password-opens').checks).toBeGreaterThanOrEqual(40);
    expect(line(r, 'expiry').checks).toBeGreaterThan(100);
    expect(line(r, 'no-password-leak').checks).toBeGreaterThan(100);
    expect(r.devices.backedUp).toBe(20);
    expect(server.entra.store.devicesWithBackups(server.entra.store.defaultTenant()!.tenantId)).toHaveLength(20);
    expect(r.notes[0]).toContain(`against ${server.url}`);
    expect(files[0]).toMatch(/report\.html$/);
  });

  it('drives agents against any server speaking the protocol: one token for all, a directory kept by the fleet', async () => {
    const dm = await startDmServer({ authorize: (_id, token) => token === 'lapsim-fleet', keepTranscripts: false });
    try {
      const scenario = parseScenario({ devices: 5, days: 9, population: { osBuilds: { '10.0.26100.4349': 1 } } }, 'test');
      const ids = Array.from({ length: 5 }, (_, k) => new Population(scenario, new Sampler(scenario.seed), Date.parse(scenario.start)).profile(k).deviceId);
      const running = runRemoteFleet({ scenario, server: dm.url, adminToken: undefined, timeScale: 172_800, dataDir: dir, wallClock: new SystemClock(), logLevel: 'warn' });
      // The server pushes a LAPS policy to each device once it is connected.
      const pushed = new Set<string>();
      while (pushed.size < ids.length) {
        for (const id of ids) if (!pushed.has(id) && dm.dm.isConnected(id)) {
          dm.dm.send(id, lapsPolicy({ BackupDirectory: 1, PasswordAgeDays: 7 }));
          pushed.add(id);
        }
        await new Promise((r) => setImmediate(r));
      }
      const { report: r } = await running;
      expect(r.breaches).toEqual([]);
      expect(r.counts.rotations).toBe(10);
      expect(r.devices.intune).toBe(0);
      expect(r.policyStatus).toEqual({});
      expect(line(r, 'password-opens').checks).toBeGreaterThanOrEqual(10);
    } finally {
      await dm.close();
    }
  });
});
