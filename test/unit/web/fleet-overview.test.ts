/**
 * The fleet overview's numbers and charts from a snapshot: backups per UTC day of the last 30
 * days, password age buckets (Entra backups only), expired passwords, statuses; failures by event
 * ID from the events devices reported; the reported-event validation; and the charts' escaping.
 */
import { describe, expect, it } from 'vitest';
import { FleetEvents } from '../../../sim/intune/web/fleet-events.js';
import { readEvents } from '../../../sim/intune/web/fleet-intake.js';
import type { DeviceSummary, FleetSnapshot } from '../../../sim/intune/web/fleet-snapshot.js';
import { fleetOverview, overviewFragments } from '../../../sim/intune/web/overview-page.js';
import { barList, columnChart, niceMax } from '../../../sim/intune/web/svg-charts.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 3, 30, 12, 0, 0);

function device(name: string, o: Partial<DeviceSummary>): DeviceSummary {
  return {
    managedDeviceId: name, deviceId: name, deviceName: name, joinType: 'entra', status: 'succeeded', online: true,
    backupDirectory: 1, lastBackupAt: undefined, refreshAt: undefined, rotation: undefined, ...o,
  };
}

function snapshot(devices: DeviceSummary[], backupTimes: number[]): FleetSnapshot {
  const statusCounts = { succeeded: 0, error: 0, conflict: 0, pending: 0, notApplicable: 0, notConfigured: 0 };
  for (const d of devices) statusCounts[d.status]++;
  return { at: NOW, tookMs: 1, devices, statusCounts, policies: new Map(), backupTimes };
}

describe('fleetOverview', () => {
  it('counts backups per UTC day over the last 30 days, today included', () => {
    const today = Math.floor(NOW / DAY) * DAY;
    const o = fleetOverview(snapshot([], [today - 29 * DAY, today - 29 * DAY + 5, today - 30 * DAY, today + 1, NOW]), new FleetEvents());
    expect(o.rotationsPerDay).toHaveLength(30);
    expect(o.rotationsPerDay[0]).toEqual({ day: '2026-04-01', count: 2 });
    expect(o.rotationsPerDay[29]).toEqual({ day: '2026-04-30', count: 2 });
    expect(o.rotationsPerDay.reduce((n, d) => n + d.count, 0)).toBe(4);
  });

  it('buckets the age of Entra passwords, counts the expired ones, and leaves Active Directory devices out', () => {
    const o = fleetOverview(snapshot([
      device('a', { lastBackupAt: NOW - 0.5 * DAY, refreshAt: NOW + 29 * DAY }),
      device('b', { lastBackupAt: NOW - 7 * DAY, refreshAt: NOW - 1 }),
      device('c', { lastBackupAt: NOW - 45 * DAY, refreshAt: NOW - 15 * DAY, rotation: 'pending' }),
      device('d', { lastBackupAt: NOW - 400 * DAY, backupDirectory: 2 }),
      device('e', { status: 'notConfigured', backupDirectory: undefined, online: false, rotation: 'failed' }),
    ], []), new FleetEvents());
    expect(Object.fromEntries(o.passwordAges.map((a) => [a.bucket, a.count]))).toEqual({ '< 1 day': 1, '1-6': 0, '7-13': 1, '14-29': 0, '30-59': 1, '60-89': 0, '90+': 0 });
    expect(o.expired).toBe(2);
    expect([o.devices, o.online, o.pendingRotations, o.failedRotations]).toEqual([5, 4, 1, 1]);
    expect(o.byStatus.notConfigured).toBe(1);
  });

  it('charts the Error events devices reported, by event ID, most frequent first', () => {
    const events = new FleetEvents();
    events.record([
      { deviceId: 'a', id: 10028, level: 'Error', time: NOW - DAY }, { deviceId: 'b', id: 10028, level: 'Error', time: NOW },
      { deviceId: 'a', id: 10059, level: 'Error', time: NOW }, { deviceId: 'a', id: 10004, level: 'Information', time: NOW },
      { deviceId: 'a', id: 10017, level: 'Error', time: NOW - 45 * DAY },
    ]);
    const o = fleetOverview(snapshot([], []), events);
    expect(o.failuresByEvent).toEqual([{ id: 10028, count: 2 }, { id: 10059, count: 1 }]);
    expect(o.eventsReported).toBe(5);
    expect(events.recentFailures(2).map((f) => f.id)).toEqual([10017, 10059]);
    expect(o.recentFailures.map((f) => [f.id, f.deviceId, f.deviceName])).toEqual([[10017, 'a', null], [10059, 'a', null], [10028, 'b', null], [10028, 'a', null]]);
    const failures = overviewFragments(o)['failures']!.toString();
    expect(failures).toContain('Event 10028');
    expect(failures).toContain('<td data-label="Device">b</td>');
    expect(overviewFragments(fleetOverview(snapshot([], []), new FleetEvents()))['failures']!.toString()).toContain('No device has reported events');
  });
});

describe('reported events', () => {
  it('accepts ids, levels and times as epoch ms or ISO 8601, and refuses the rest naming the entry', () => {
    expect(readEvents({ events: [{ deviceId: 'ABC-1', id: 10028, level: 'Error', time: '2026-03-01T09:00:00Z' }, { deviceId: 'x', id: 1, level: 'Warning', time: 5 }] }))
      .toEqual([{ deviceId: 'abc-1', id: 10028, level: 'Error', time: Date.UTC(2026, 2, 1, 9) }, { deviceId: 'x', id: 1, level: 'Warning', time: 5 }]);
    const bad: [unknown, string][] = [
      [{}, 'events must be an array'], [{ events: [{ deviceId: 'a b', id: 1, level: 'Error', time: 1 }] }, 'events[0].deviceId'],
      [{ events: [{ deviceId: 'a', id: 1.5, level: 'Error', time: 1 }] }, 'events[0].id'], [{ events: [{ deviceId: 'a', id: 1, level: 'Fatal', time: 1 }] }, 'events[0].level'],
      [{ events: [{ deviceId: 'a', id: 1, level: 'Error', time: 'yesterday' }] }, 'events[0].time'], [{ events: new Array(1001).fill({}) }, 'at most 1000'],
    ];
    for (const [body, message] of bad) expect(() => readEvents(body as Record<string, unknown>)).toThrow(message);
  });
});

describe('charts', () => {
  it('escape labels and notes, scale to a nice maximum, and say when there is nothing', () => {
    expect([niceMax(0), niceMax(1), niceMax(3), niceMax(7), niceMax(11), niceMax(2000)]).toEqual([1, 1, 5, 10, 20, 2000]);
    const svg = columnChart('t<1>', [{ label: '<script>', value: 3, note: '"n"' }]).toString();
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('aria-label="t&lt;1&gt;: 3 in all"');
    expect(barList('x', [], 'nothing <here>').toString()).toBe('<p class="empty">nothing &lt;here&gt;</p>');
  });
});
