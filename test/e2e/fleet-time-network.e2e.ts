/**
 * Small fleets through clock faults (skew, jumps forward and back), network partitions between
 * devices and the management server, and a management server restart: what the devices do is
 * moved in time as it should be, and every invariant holds.
 */
import { describe, expect, it } from 'vitest';
import { cspValues, expectHeld, fleet } from '../helpers/fleet.js';

const WEEKLY = {
  devices: 50, days: 16,
  policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 7 } }],
};

/** A policy change that makes every device rotate when it gets it: another managed account. */
const NAMED = {
  population: { osBuilds: { '10.0.26100.4349': 1 }, namedAccount: { name: 'LapsAdmin', present: 1 } },
};
const TO_NAMED = { do: 'update-policy', policy: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 7, AdministratorAccountName: 'LapsAdmin' } };

describe('fleet time and network faults', () => {
  it('clock skew and jumps: devices ahead rotate early, devices set back rotate late, nothing breaks', async () => {
    const steady = (await fleet(WEEKLY)).report;
    const r = (await fleet({
      ...WEEKLY, faults: { directoryOutages: [], clockSkew: { fraction: 1, maxMinutes: 90 }, clockJumps: [{ day: 3, fraction: 0.5, hours: 48 }, { day: 9, fraction: 0.3, hours: -30 }] },
    })).report;
    expectHeld(r);
    expect(r.counts.faults.clockJumps).toBeGreaterThan(30);
    // Devices two days ahead rotate on day 5 instead of day 7.
    expect(steady.counts.rotationsPerDay[5]).toBe(0);
    expect(r.counts.rotationsPerDay[5]).toBeGreaterThan(15);
    expect(r.counts.rotations).toBeGreaterThanOrEqual(steady.counts.rotations);
  });

  it('a partition holds a policy change back until the devices reach the server again', async () => {
    const run = await fleet({ ...WEEKLY, ...NAMED, timeline: [TO_NAMED].map((t) => ({ ...t, day: 3 })), faults: { directoryOutages: [], partitions: [{ day: 2, hours: 72, fraction: 1 }] } });
    const r = run.report;
    expectHeld(r);
    expect(r.counts.faults.partitions).toBe(50);
    // Changed on day 3, delivered when the partition ended on day 5: the managed account changed, so each rotated then.
    expect(r.counts.rotationsPerDay[3]).toBe(0);
    expect(r.counts.rotationsPerDay[4]).toBe(0);
    expect(r.counts.rotationsPerDay[5]).toBe(50);
    expect(r.counts.rotationsByTrigger['policy-change']).toBe(100);
    expect([...cspValues(run).values()].every((v) => v['AdministratorAccountName'] === 'LapsAdmin')).toBe(true);
  });

  it('a management server restart: changes made while it is down reach the devices once it is back', async () => {
    const run = await fleet({
      ...WEEKLY, ...NAMED, admin: { rotate: 6, reveal: 0 }, timeline: [{ ...TO_NAMED, day: 3.01 }], faults: { directoryOutages: [], serverRestarts: [{ day: 3, downMinutes: 180 }] },
    });
    const r = run.report;
    expectHeld(r);
    expect(r.counts.faults.serverRestarts).toBe(1);
    expect(r.counts.rotationsByTrigger['policy-change']).toBe(100);
    expect(r.counts.rotationsPerDay[3]).toBeGreaterThanOrEqual(50);
    expect(r.counts.admin.rotateRequested + r.counts.admin.skippedServerDown).toBe(6);
    expect(r.policyStatus['Windows LAPS']).toEqual({ Succeeded: 50 });
  });
});
