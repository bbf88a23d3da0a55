/**
 * Whole fleets on virtual time, in process: the default policy reaches every device that has the
 * LAPS CSP, each rotates when it arrives and every 30 days after, an outage fails cycles that
 * succeed once it is over, admin actions and logons happen, every invariant holds; the same seed
 * gives the same report, and the shards of a fleet add up to the whole fleet.
 */
import { describe, expect, it } from 'vitest';
import { mergeReports, reproducible, type FleetReport } from '../../sim/fleet/report.js';
import { cspValues, expectHeld, expectNoBreach, fleet } from '../helpers/fleet.js';

const LIVELY = {
  devices: 120, days: 45,
  population: { osBuilds: { '10.0.26100.4349': 0.6, '10.0.22631.4460': 0.3, '10.0.19045.2486': 0.1 }, renamedAdministrator: 0.2 },
  online: { always: 0.6, officeHours: 0.3, intermittent: 0.1 },
  logons: { perDevicePerMonth: 1 }, admin: { rotate: 8, reveal: 8, logonAfterReveal: true },
  faults: { directoryOutages: [{ day: 30, hours: 6, directory: 'all' }] },
};

function comparable(r: FleetReport): unknown {
  const { shards: _s, ...rest } = reproducible(r);
  return { ...rest, invariants: rest.invariants.map((i) => ({ id: i.id, breaches: i.breaches })) };
}

describe('lapsim fleet in process', () => {
  it('runs a lively fleet: policy delivered, scheduled and triggered rotations, an outage recovered, every invariant held', async () => {
    const run = await fleet(LIVELY);
    const r = run.report;
    expectHeld(r);
    const c = r.counts;
    const withCsp = r.devices.total - (r.devices.byOsBuild['10.0.19045.2486'] ?? 0);
    expect(r.devices.total).toBe(120);
    expect(r.policyStatus['Windows LAPS']).toEqual({ Succeeded: withCsp, 'Not applicable': r.devices.total - withCsp });
    // Each device with the CSP applies the policy once and rotates then; 30 days later it rotates
    // again, unless a logon with the account made it rotate since (post-authentication resets
    // the schedule) or it is off at the end of the run.
    expect(c.rotationsByTrigger['policy-change']).toBe(withCsp);
    expect(c.rotationsByTrigger['background']! + c.rotationsByTrigger['post-auth']!).toBeGreaterThanOrEqual(withCsp * 0.8);
    expect(c.rotationsPerDay.reduce((a, b) => a + b, 0)).toBe(c.rotations);
    expect(c.rotationsPerDay).toHaveLength(45);
    // The outage on day 30 failed cycles (Entra unreachable, event 10028), one per refusal.
    expect(c.faults.outageRefusals).toBeGreaterThan(0);
    expect(c.failedCycles).toBe(c.faults.outageRefusals);
    expect(Object.keys(c.failuresByEvent)).toEqual(['10028']);
    expect(c.failuresPerDay[30]).toBe(c.failedCycles);
    // ... and those devices rotated once it was over: hours late, not days.
    expect(c.expiryToRotation.slice(2, 4).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(c.admin.rotateRequested).toBe(8);
    expect(c.admin.rotateDone + c.admin.rotateRefused + c.admin.rotatePending).toBe(8);
    expect(c.admin.rotateFailed).toBe(0);
    expect(c.admin.reveals).toBe(8);
    expect(c.admin.revealedDoesNotOpen).toBe(0);
    expect(c.logons.ok).toBeGreaterThan(50);
    expect(c.logons.refused).toBe(0);
    expect(c.rotationsByTrigger['post-auth']).toBeGreaterThan(0);
    expect(r.devices.backedUp).toBe(withCsp);
    // The devices' CSP roots hold the policy.
    const values = cspValues(run);
    expect([...values.values()].filter((v) => v['BackupDirectory'] === '1' && v['PasswordAgeDays'] === '30')).toHaveLength(withCsp);
    expect(r.notes[0]).toContain('node:crypto');
  });

  it('gives the same report for the same seed, another for another seed', async () => {
    const a = await fleet({ ...LIVELY, devices: 60, days: 35 });
    const b = await fleet({ ...LIVELY, devices: 60, days: 35 });
    const c = await fleet({ ...LIVELY, devices: 60, days: 35, seed: 2 });
    expect(reproducible(b.report)).toEqual(reproducible(a.report));
    expect(JSON.stringify(reproducible(b.report))).toBe(JSON.stringify(reproducible(a.report)));
    expect(reproducible(c.report)).not.toEqual(reproducible(a.report));
    expect(a.report.run?.wallSeconds).toBeGreaterThan(0);
  });

  it('cuts a fleet into shards whose reports add up to the whole fleet', async () => {
    const raw = { ...LIVELY, devices: 70, days: 35 };
    const whole = await fleet(raw);
    const parts = await Promise.all([0, 1, 2].map((index) => fleet(raw, { shard: { index, count: 3 } })));
    expect(parts.map((p) => p.report.devices.total)).toEqual([24, 23, 23]);
    const merged = mergeReports(parts.map((p) => p.report));
    expect(merged.shards).toEqual({ count: 3, included: [0, 1, 2] });
    expect(comparable(merged)).toEqual(comparable(whole.report));
  });

  it('runs a mixed estate: Group Policy, legacy LAPS, a named account missing on some devices, an OS without the CSP', async () => {
    const r = (await fleet({
      devices: 150, days: 20,
      population: {
        osBuilds: { '10.0.26100.4349': 0.7, '10.0.19045.2486': 0.3 }, renamedAdministrator: 0.3,
        namedAccount: { name: 'LapsAdmin', present: 0.8 }, groupPolicy: { fraction: 0.2, settings: { BackupDirectory: 1, PasswordAgeDays: 10 } },
        legacy: { fraction: 0.2 },
      },
      policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 30, AdministratorAccountName: 'LapsAdmin' } }],
    })).report;
    expectNoBreach(r);
    const c = r.counts;
    // Devices without the named account fail every hour (10013); a hybrid device left with a
    // legacy policy (no CSP to replace it) would back up to an AD this fleet does not have (10056).
    expect(Object.keys(c.failuresByEvent).every((id) => id === '10013' || id === '10056')).toBe(true);
    expect(c.failuresByEvent['10013']).toBeGreaterThan(20 * 24 * 10);
    // Group Policy devices on the old build rotate on their own every 10 days.
    expect(c.rotationsByTrigger['background']).toBeGreaterThan(0);
    expect(r.policyStatus['Windows LAPS']!['Not applicable']).toBe(r.devices.byOsBuild['10.0.19045.2486']);
    // Hybrid devices with a legacy policy and no CSP: those in emulation look for a DC there is
    // none of (10056) and manage nothing; those with the legacy CSE leave it to legacy LAPS.
    const legacy = (await fleet({ devices: 20, days: 3, population: { joinTypes: { hybrid: 1 }, osBuilds: { '10.0.19045.2486': 1 }, legacy: { fraction: 1 } } })).report;
    expectNoBreach(legacy);
    expect(legacy.counts.rotations).toBe(0);
    expect(Object.keys(legacy.counts.failuresByEvent)).toEqual(['10056']);
    expect(legacy.counts.failedCycles).toBeGreaterThan(5 * 24 * 3);
  });
});
