/** Seeded, stateless choices and the devices' online patterns, partitions and server restarts. */
import { describe, expect, it } from 'vitest';
import { Availability } from '../../../sim/fleet/availability.js';
import { ONLINE_PATTERNS, Population } from '../../../sim/fleet/population.js';
import { Sampler } from '../../../sim/fleet/sampling.js';
import { parseScenario } from '../../../sim/fleet/scenario.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2026-03-02 is a Monday. */
const MONDAY = Date.UTC(2026, 2, 2);

describe('Sampler', () => {
  it('gives the same answer for the same seed, salt and index, and another for another seed', () => {
    const a = new Sampler(7);
    expect(a.unit('x', 3)).toBe(new Sampler(7).unit('x', 3));
    expect(a.unit('x', 3)).not.toBe(new Sampler(8).unit('x', 3));
    expect(a.unit('x', 3)).not.toBe(a.unit('y', 3));
    expect(a.unit('x', 3, 1)).not.toBe(a.unit('x', 3, 0));
  });

  it('picks about the fraction asked for, and weights proportionally', () => {
    const s = new Sampler('fleet');
    let hits = 0;
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 20_000; i++) {
      if (s.chance('c', i, 0.25)) hits++;
      counts[s.weighted('w', i, [['a', 3], ['b', 1]])]++;
    }
    expect(hits / 20_000).toBeGreaterThan(0.23);
    expect(hits / 20_000).toBeLessThan(0.27);
    expect(counts.a / counts.b).toBeGreaterThan(2.7);
    expect(counts.a / counts.b).toBeLessThan(3.3);
    expect(s.chance('c', 1, 0)).toBe(false);
  });

  it('makes the same device profile whatever else is asked', () => {
    const scenario = parseScenario({ population: { renamedAdministrator: 0.5, legacy: { fraction: 0.5 } } }, 't');
    const p1 = new Population(scenario, new Sampler(1), 0).profile(42);
    const p2 = new Population(scenario, new Sampler(1), 0).profile(42);
    expect(p1).toEqual(p2);
    expect(p1.deviceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p1.name).toBe('FLEET-000042');
  });
});

function availability(pattern: (typeof ONLINE_PATTERNS)[number], extra: Partial<ConstructorParameters<typeof Availability>[0]> = {}): Availability {
  return new Availability({
    sampler: new Sampler(3), start: MONDAY, devices: { global: [5], pattern: [ONLINE_PATTERNS.indexOf(pattern)], retiredAt: [Number.POSITIVE_INFINITY] },
    intermittentOnlineMs: 2 * DAY, intermittentOfflineMs: 10 * HOUR, partitions: [], serverDown: [], ...extra,
  });
}

describe('Availability', () => {
  it('keeps office-hours devices on for ten hours on weekdays only', () => {
    const a = availability('officeHours');
    expect(a.online(0, MONDAY + 3 * HOUR)).toBe(false);
    expect(a.online(0, MONDAY + 12 * HOUR)).toBe(true);
    const open = a.nextOnline(0, MONDAY + 3 * HOUR);
    expect(open).toBeGreaterThanOrEqual(MONDAY + 7 * HOUR);
    expect(open).toBeLessThan(MONDAY + 9 * HOUR);
    expect(a.onlineSince(0, MONDAY + 12 * HOUR)).toBe(open);
    const saturday = MONDAY + 5 * DAY + 12 * HOUR;
    expect(a.online(0, saturday)).toBe(false);
    expect(a.nextOnline(0, saturday)).toBe(open + 7 * DAY);
  });

  it('alternates intermittent devices between on and off spans, and retires devices for good', () => {
    const a = availability('intermittent');
    let flips = 0;
    let last = true;
    for (let t = MONDAY; t < MONDAY + 60 * DAY; t += HOUR) {
      const on = a.online(0, t);
      if (on !== last) flips++;
      last = on;
    }
    expect(flips).toBeGreaterThan(20);
    const retired = new Availability({
      sampler: new Sampler(3), start: MONDAY, devices: { global: [5], pattern: [0], retiredAt: [MONDAY + DAY] },
      intermittentOnlineMs: DAY, intermittentOfflineMs: HOUR, partitions: [], serverDown: [],
    });
    expect(retired.online(0, MONDAY + HOUR)).toBe(true);
    expect(retired.online(0, MONDAY + 2 * DAY)).toBe(false);
    expect(retired.nextOnline(0, MONDAY + 2 * DAY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('cuts partitioned devices and everything during a server restart off the server, and says when they are back', () => {
    const a = availability('always', {
      partitions: [{ from: MONDAY + HOUR, to: MONDAY + 5 * HOUR, fraction: 1, salt: 'p' }],
      serverDown: [{ from: MONDAY + 5 * HOUR, to: MONDAY + 6 * HOUR }],
    });
    expect(a.reachable(0, MONDAY)).toBe(true);
    expect(a.partitioned(0, MONDAY + 2 * HOUR)).toBe(true);
    expect(a.online(0, MONDAY + 2 * HOUR)).toBe(true);
    expect(a.reachable(0, MONDAY + 2 * HOUR)).toBe(false);
    expect(a.nextReachable(0, MONDAY + 2 * HOUR)).toBe(MONDAY + 6 * HOUR);
    const none = availability('always', { partitions: [{ from: MONDAY, to: MONDAY + DAY, fraction: 0, salt: 'p' }] });
    expect(none.reachable(0, MONDAY + HOUR)).toBe(true);
  });
});
