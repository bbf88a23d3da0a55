/**
 * The fleet overview: counts and four charts, refreshed live while a fleet runs against the
 * server: password rotations per day (the Entra emulator's "Update device local administrator
 * password" audit entries of the last 30 days: Active Directory rotations are invisible to
 * Intune), devices by LAPS status, failures by event ID (the Error events devices reported, see
 * fleet-events.ts; with nothing reported the chart says so), and the age of the passwords backed
 * up to Microsoft Entra ID. The same numbers are served as JSON (GET /ui/overview.json).
 */
import type { Clock } from '../../../core/clock.js';
import { eventSpec } from '../../../agent/events/catalogue.js';
import type { FleetEvents } from './fleet-events.js';
import { DEVICE_STATUSES, ROTATION_DAYS, type DeviceLapsStatus, type FleetSnapshot } from './fleet-snapshot.js';
import { html, urlOf, utcText, type SafeHtml } from './html.js';
import { fragment } from './live-stream.js';
import { barList, columnChart, donutChart } from './svg-charts.js';
import { sendHtml, sendWebJson, type WebRequest } from './web-context.js';
import { page } from './web-layout.js';
import { statusClass, statusText } from './setting-labels.js';

const DAY_MS = 86_400_000;
/** Age buckets of the passwords chart: label and upper bound in days (exclusive). */
const AGE_BUCKETS: readonly (readonly [string, number])[] = [
  ['< 1 day', 1], ['1-6', 7], ['7-13', 14], ['14-29', 30], ['30-59', 60], ['60-89', 90], ['90+', Number.POSITIVE_INFINITY],
];

/** The overview's numbers. */
export interface FleetOverview {
  readonly at: number;
  readonly devices: number;
  readonly online: number;
  readonly byStatus: Readonly<Record<DeviceLapsStatus, number>>;
  /** Entra backups per UTC day, oldest first (`day` is YYYY-MM-DD). */
  readonly rotationsPerDay: readonly { readonly day: string; readonly count: number }[];
  readonly failuresByEvent: readonly { readonly id: number; readonly count: number }[];
  /** The newest failures reported, newest first, with the device when the server knows it. */
  readonly recentFailures: readonly { readonly id: number; readonly time: number; readonly deviceId: string; readonly managedDeviceId: string | null; readonly deviceName: string | null }[];
  readonly eventsReported: number;
  /** Devices per password age bucket (Entra backups only). */
  readonly passwordAges: readonly { readonly bucket: string; readonly count: number }[];
  /** Entra passwords past their expiry. */
  readonly expired: number;
  readonly pendingRotations: number;
  readonly failedRotations: number;
}

/** Computes the overview from a snapshot and the reported events. */
export function fleetOverview(snap: FleetSnapshot, events: FleetEvents): FleetOverview {
  const firstDay = Math.floor(snap.at / DAY_MS) - (ROTATION_DAYS - 1);
  const perDay = new Array<number>(ROTATION_DAYS).fill(0);
  for (const t of snap.backupTimes) {
    const i = Math.floor(t / DAY_MS) - firstDay;
    if (i >= 0 && i < ROTATION_DAYS) perDay[i]!++;
  }
  const ages = new Array<number>(AGE_BUCKETS.length).fill(0);
  let expired = 0;
  for (const d of snap.devices) {
    if (d.lastBackupAt === undefined || d.backupDirectory === 2) continue;
    const days = Math.max(0, snap.at - d.lastBackupAt) / DAY_MS;
    ages[AGE_BUCKETS.findIndex(([, upTo]) => days < upTo)]!++;
    if (d.refreshAt !== undefined && d.refreshAt <= snap.at) expired++;
  }
  return {
    at: snap.at, devices: snap.devices.length, online: snap.devices.filter((d) => d.online).length, byStatus: snap.statusCounts,
    rotationsPerDay: perDay.map((count, i) => ({ day: new Date((firstDay + i) * DAY_MS).toISOString().slice(0, 10), count })),
    failuresByEvent: events.failuresByEvent(snap.at - ROTATION_DAYS * DAY_MS), eventsReported: events.total,
    recentFailures: events.recentFailures(5).map((f) => {
      const d = snap.devices.find((x) => x.deviceId === f.deviceId);
      return { ...f, managedDeviceId: d?.managedDeviceId ?? null, deviceName: d?.deviceName ?? null };
    }),
    passwordAges: AGE_BUCKETS.map(([bucket], i) => ({ bucket, count: ages[i]! })), expired,
    pendingRotations: snap.devices.filter((d) => d.rotation === 'pending').length,
    failedRotations: snap.devices.filter((d) => d.rotation === 'failed').length,
  };
}

function eventNote(id: number): string {
  const spec = eventSpec(id);
  return spec ? spec.template.split(/[.\n]/)[0]!.slice(0, 90) : 'not a LAPS event lapsim knows';
}

function kpi(name: string, value: number, label: string): SafeHtml {
  return html`<div class="kpi" data-kpi="${name}"><b>${value.toLocaleString('en-US')}</b><span>${label}</span></div>`;
}

function recent(o: FleetOverview): SafeHtml {
  if (o.recentFailures.length === 0) return html``;
  const rows = o.recentFailures.map((f) => html`<tr><td data-label="Event">${f.id}</td>
<td data-label="Device">${f.managedDeviceId === null ? f.deviceId : html`<a href="${urlOf(['ui', 'devices', f.managedDeviceId])}">${f.deviceName}</a>`}</td>
<td data-label="Time">${utcText(f.time)}</td></tr>`);
  return html`<h2 class="sub">Newest failures</h2><div class="scroll"><table class="stack"><thead><tr><th>Event ID</th><th>Device</th><th>Time (UTC)</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

/** The live fragments of the overview. */
export function overviewFragments(o: FleetOverview): Record<string, SafeHtml> {
  return {
    kpis: html`<div class="kpis">${kpi('devices', o.devices, 'Managed devices')}${kpi('online', o.online, 'Online now')}
${kpi('succeeded', o.byStatus.succeeded, 'LAPS policy succeeded')}${kpi('expired', o.expired, 'Entra passwords expired')}
${kpi('pending', o.pendingRotations, 'Rotations pending')}${kpi('failed', o.failedRotations, 'Rotations failed')}</div>`,
    rotations: columnChart(`Password rotations per day, last ${ROTATION_DAYS} days (UTC)`,
      o.rotationsPerDay.map((d) => ({ label: d.day.slice(5), value: d.count, note: d.day })), { labelEvery: 5, unit: 'backups' }),
    status: donutChart('Devices by LAPS status', DEVICE_STATUSES.map((s) => ({ label: statusText(s), value: o.byStatus[s], tone: statusClass(s) })), 'devices'),
    failures: html`${barList('Failures by event ID', o.failuresByEvent.slice(0, 10).map((f) => ({ label: `Event ${f.id}`, value: f.count, note: eventNote(f.id) })),
      o.eventsReported === 0 ? 'No device has reported events to this server (see docs/intune-api.md, "Fleet events").' : 'No failure in the last 30 days.')}
${recent(o)}`,
    ages: columnChart('Age of the passwords backed up to Microsoft Entra ID (days)', o.passwordAges.map((a) => ({ label: a.bucket, value: a.count, tone: 'ok' })), { unit: 'devices' }),
    asof: html`As of ${utcText(o.at)}`,
  };
}

/** The overview of the current snapshot. */
export function currentOverview(w: WebRequest): FleetOverview {
  return fleetOverview(w.deps.snapshots.current(), w.deps.events);
}

/** GET /ui/ */
export function overviewPage(w: WebRequest): void {
  const f = overviewFragments(currentOverview(w));
  const card = (title: string, name: string): SafeHtml => html`<section class="card"><h2>${title}</h2>${fragment(name, f[name]!)}</section>`;
  const body = html`<p class="muted">${fragment('asof', f['asof']!)}</p>${fragment('kpis', f['kpis']!)}
<div class="cards charts">${card('Rotations per day', 'rotations')}${card('Devices by status', 'status')}${card('Failures by event ID', 'failures')}${card('Age of passwords', 'ages')}</div>`;
  sendHtml(w.res, 200, page(w, { title: 'Fleet overview', section: 'overview', body, live: '/ui/live?topic=overview' }));
}

/** GET /ui/overview.json */
export function overviewJson(w: WebRequest, clock: Clock): void {
  sendWebJson(w.res, 200, { ...currentOverview(w), time: utcText(clock.now()) });
}
