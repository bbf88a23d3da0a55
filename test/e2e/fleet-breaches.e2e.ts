/**
 * Invariants that break, and how a breach is reported: a local password changed by hand (the
 * account no longer opens with anything the directory holds, until the next rotation), and a
 * tenant whose LAPS switch is turned off (devices stay past their expiry although the directory
 * answers). Each breach names the device and the time and carries the device's event trail.
 */
import { describe, expect, it } from 'vitest';
import { hasBreaches } from '../../sim/fleet/report.js';
import { fleet, line } from '../helpers/fleet.js';

const WEEKLY = {
  devices: 50, days: 12,
  policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 7 } }],
};

describe('fleet breaches', () => {
  it('a password set by hand breaks "password opens" on each such device, once, until the next rotation mends it', async () => {
    const r = (await fleet({ ...WEEKLY, timeline: [{ do: 'tamper', day: 3, fraction: 0.3 }] })).report;
    const tampered = r.counts.faults.tampered;
    expect(tampered).toBeGreaterThan(8);
    expect(line(r, 'password-opens').breaches).toBe(tampered);
    expect(line(r, 'expiry').breaches).toBe(0);
    expect(hasBreaches(r)).toBe(true);
    const b = r.breaches[0]!;
    expect(b).toMatchObject({ invariant: 'password-opens', deviceName: expect.stringMatching(/^FLEET-\d{6}$/), time: expect.stringMatching(/^2026-03-04T/) });
    expect(b.detail).toMatch(/opens with none of the 1 password\(s\) the Entra directory holds/);
    expect(b.trail!.map((e) => e.id)).toContain(10020);
    expect(b.trail!.every((e) => e.time <= b.time)).toBe(true);
    // The week's rotation set a password the directory holds again: the final check of every device passes.
    expect(r.counts.rotationsPerDay[7]).toBe(50);
  });

  it('a tenant with LAPS switched off keeps devices past their expiry: "expiry" breaks on each', async () => {
    const r = (await fleet({ ...WEEKLY, timeline: [{ do: 'tenant-laps', day: 5, enabled: false }] })).report;
    expect(line(r, 'expiry').breaches).toBe(50);
    expect(line(r, 'password-opens').breaches).toBe(0);
    expect(Object.keys(r.counts.failuresByEvent)).toEqual(['10028']);
    expect(r.counts.eventsById['10059']).toBe(r.counts.failedCycles);
    expect(r.breaches[0]!.detail).toMatch(/did not rotate it \(background cycle, event 10028, 0x80070190\)/);
    expect(r.breaches[0]!.trail!.map((e) => e.id)).toEqual(expect.arrayContaining([10059, 10028, 10005]));
  });
});
