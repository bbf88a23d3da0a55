/**
 * AD-joined fleet devices against the real Samba AD DC: the fleet provisions and starts a lab DC
 * in a temp folder, joins each device (a computer account with its machine password), and the
 * devices read their expiry from the DC every hour and back up over LDAPS; a DC outage fails
 * cycles (event 10056) that succeed once it is over. The DC's ports are fixed: AD runs on one
 * machine take turns through the AD tests' lock. LAPSIM_SKIP_AD=1 skips this file.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sambaInstalled } from '../../sim/ad/samba-dc.js';
import { acquireAdTestLock } from '../integration/ad/ad-lab.js';
import { tempDir } from '../helpers/cli.js';
import Database from 'better-sqlite3';
import { parseScenario } from '../../sim/fleet/scenario.js';
import { BASE, expectHeld, fleet, groupMembers, line } from '../helpers/fleet.js';

const skip = process.env['LAPSIM_SKIP_AD'] === '1';

describe.skipIf(skip)('fleet with AD-joined devices (Samba AD DC)', () => {
  let release: (() => void) | undefined;

  beforeAll(async () => {
    expect(sambaInstalled(), 'samba is not installed: apt-get install -y samba ldap-utils (or LAPSIM_SKIP_AD=1)').toBe(true);
    release = await acquireAdTestLock(300_000);
  }, 320_000);

  afterAll(() => release?.());

  it('rotates AD devices daily through the DC, survives a DC outage and a crash after the DC took a password, and every password opens its account', async () => {
    const dc = join(tempDir('lapsim-fleet-ad-'), 'dc');
    const r = (await fleet({
      devices: 4, days: 3,
      population: { joinTypes: { ad: 1 }, osBuilds: { '10.0.26100.4349': 1 } },
      activeDirectory: { dc, settings: { BackupDirectory: 2, PasswordAgeDays: 1, ADPasswordEncryptionEnabled: false } },
      faults: { directoryOutages: [{ day: 1.5, hours: 3, directory: 'ad' }], crashes: [{ day: 0.5, fraction: 1, point: 'after-escrow' }] },
    })).report;
    expectHeld(r);
    expect(r.devices.byJoinType).toEqual({ ad: 4 });
    expect(r.devices.intune).toBe(0);
    // An hourly cycle per device, each reading the DC: three days of them.
    expect(r.counts.cycles).toBeGreaterThanOrEqual(4 * 70);
    expect(r.counts.rotations).toBe(4 * 3);
    // Each device died once after the DC took its password; at restart the DC said it held that
    // rotation (its version GUID), so the journal was completed.
    expect(r.counts.crashes).toBe(4);
    expect(r.counts.recoveries).toEqual({ completed: 4 });
    expect(r.counts.rotationsByTrigger['recovery']).toBe(4);
    expect(r.counts.failuresByEvent).toEqual({ 10056: r.counts.failedCycles });
    expect(r.counts.failedCycles).toBeGreaterThanOrEqual(4 * 2);
    expect(line(r, 'password-opens').checks).toBeGreaterThanOrEqual(12);
  }, 240_000);

  it('joins hybrid devices to the domain too: each backs up where its policy in force says (the Intune CSP policy to Entra, the domain GPO alone to the DC)', async () => {
    const dc = join(tempDir('lapsim-fleet-hybrid-'), 'dc');
    const run = await fleet({
      devices: 6, days: 2,
      population: { joinTypes: { hybrid: 1 }, osBuilds: { '10.0.26100.4349': 1 } },
      groups: [{ name: 'LAPS devices', fraction: 0.5 }],
      policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 7 } }],
      activeDirectory: { dc, settings: { BackupDirectory: 2, PasswordAgeDays: 1, ADPasswordEncryptionEnabled: false } },
    });
    const r = run.report;
    expectHeld(r);
    expect(r.devices.byJoinType).toEqual({ hybrid: 6 });
    expect(r.devices.intune).toBe(6);
    const scenario = parseScenario({ ...BASE, devices: 6, population: { joinTypes: { hybrid: 1 } }, groups: [{ name: 'LAPS devices', fraction: 0.5 }] }, 'test');
    const inGroup = groupMembers(scenario, 'LAPS devices');
    expect(inGroup.size).toBeGreaterThan(0);
    expect(inGroup.size).toBeLessThan(6);
    const db = new Database(join(run.folder, 'devices.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT d.name, s.state FROM devices d JOIN laps_state s USING (device_id)').all() as { name: string; state: string }[];
      expect(rows).toHaveLength(6);
      for (const row of rows) {
        const state = JSON.parse(row.state) as { lastBackupDirectory?: number; lastPolicySource?: string };
        // A CSP policy wins over Group Policy; without one, the domain's GPO sends the password to the DC.
        expect(state, row.name).toMatchObject(inGroup.has(row.name) ? { lastBackupDirectory: 1, lastPolicySource: 'CSP' } : { lastBackupDirectory: 2, lastPolicySource: 'GPO' });
      }
    } finally {
      db.close();
    }
    expect(line(r, 'password-opens').checks).toBeGreaterThanOrEqual(6);
  }, 240_000);
});
