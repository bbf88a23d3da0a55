/**
 * Small fleets through each directory and device fault: throttling (HTTP 429 with Retry-After),
 * a crash at every rotation fault point, a failure after the directory took the password. The
 * counts say the fault struck, and every invariant holds through it.
 */
import { describe, expect, it } from 'vitest';
import { expectHeld, fleet, line } from '../helpers/fleet.js';

/** PasswordAgeDays 7 (Entra's least): a rotation a week. */
const WEEKLY = {
  devices: 60, days: 16,
  policies: [{ name: 'Windows LAPS', settings: { BackupDirectory: 1, PasswordAgeDays: 7 } }],
};

describe('fleet faults', () => {
  it('throttling: devices answered 429 wait for Retry-After (plus their jitter) and rotate then', async () => {
    const r = (await fleet({ ...WEEKLY, faults: { directoryOutages: [], throttling: [{ day: 6.9, hours: 30, fraction: 0.5, retryAfterSeconds: 10_800 }] } })).report;
    expectHeld(r);
    const c = r.counts;
    expect(c.faults.throttled).toBeGreaterThan(10);
    expect(c.failedCycles).toBe(c.faults.throttled);
    expect(c.failuresByEvent).toEqual({ 10028: c.faults.throttled });
    // Each refusal logs the HTTP answer (10059) before the Entra failure (10028).
    expect(c.eventsById['10059']).toBe(c.faults.throttled);
    // A throttled device waits at least the three hours it was told before it tries again.
    expect(c.faults.throttled).toBeLessThanOrEqual(30 * 30 / 3 + 30);
    expect(c.expiryToRotation[2]! + c.expiryToRotation[3]! + c.expiryToRotation[4]!).toBeGreaterThan(0);
    expect(c.rotations).toBe(60 * 3);
  });

  for (const [point, recovery] of [['before-escrow', 'discarded'], ['after-escrow', 'completed'], ['after-local-set', 'completed'], ['before-commit', 'completed']] as const) {
    it(`a crash at ${point}: the device restarts, resolves its journal (${recovery}) and every password still opens the account`, async () => {
      const r = (await fleet({ ...WEEKLY, devices: 40, faults: { directoryOutages: [], crashes: [{ day: 1, fraction: 0.5, point, mode: 'crash' }] } })).report;
      expectHeld(r);
      const c = r.counts;
      expect(c.crashes).toBeGreaterThan(10);
      expect(c.crashes).toBeLessThan(30);
      expect(c.faults.injected).toBe(c.crashes);
      expect(c.recoveries).toEqual({ [recovery]: c.crashes });
      // The crashed rotation is done again after the restart (discarded), or committed by the
      // recovery itself (completed); no week is missed.
      expect(c.rotations).toBe(40 * 3);
      expect(c.rotationsByTrigger['recovery'] ?? 0).toBe(recovery === 'completed' ? c.crashes : 0);
      expect(line(r, 'password-opens').checks).toBeGreaterThan(c.rotations);
    });
  }

  it('a failure after the directory took the password: the local set fails (10019) and the next cycle rotates again', async () => {
    const r = (await fleet({ ...WEEKLY, devices: 40, faults: { directoryOutages: [], crashes: [{ day: 1, fraction: 0.5, point: 'after-escrow', mode: 'fail' }] } })).report;
    expectHeld(r);
    const c = r.counts;
    expect(c.faults.injected).toBeGreaterThan(10);
    expect(c.crashes).toBe(0);
    expect(c.failuresByEvent).toEqual({ 10019: c.faults.injected });
    expect(c.rotations).toBe(40 * 3);
  });
});
