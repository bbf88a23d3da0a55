/**
 * Devices: the managed devices with their LAPS state, searched by name (or an exact id), filtered
 * by join type and LAPS status, 50 to a page. Without a status filter the page is one SQL query
 * (LIMIT/OFFSET) and each of its rows is read fresh; a status filter needs every device's status,
 * so it selects from the fleet snapshot (at most a few seconds old) and then reads the page's rows
 * fresh. Either way a page of 10,000 devices costs one page of rows.
 */
import type { JoinType } from '../policy-types.js';
import { byName, DEVICE_STATUSES, summarizeDevice, type DeviceLapsStatus, type DeviceSummary } from './fleet-snapshot.js';
import { html, urlOf, utcText, type SafeHtml } from './html.js';
import { sendHtml, type WebRequest } from './web-context.js';
import { page } from './web-layout.js';
import { ACTION_STATE_TEXT, backupText, joinTypeText, statusClass, statusText } from './setting-labels.js';

/** Devices per page. */
export const DEVICES_PER_PAGE = 50;
const MAX_PAGE = 100_000;

/** The list's query, read from the URL (anything odd is ignored). */
export interface DeviceListQuery {
  readonly search: string;
  readonly joinType: JoinType | undefined;
  readonly status: DeviceLapsStatus | undefined;
  /** 1-based. */
  readonly page: number;
}

/** Reads the query of /ui/devices. */
export function deviceListQuery(url: URL): DeviceListQuery {
  const q = url.searchParams;
  const search = (q.get('q') ?? '').trim().slice(0, 100);
  const join = q.get('join');
  const status = q.get('status');
  const n = Number(q.get('page') ?? '1');
  return {
    search, joinType: join === 'entra' || join === 'hybrid' ? join : undefined,
    status: (DEVICE_STATUSES as readonly string[]).includes(status ?? '') ? status as DeviceLapsStatus : undefined,
    page: Number.isInteger(n) && n >= 1 && n <= MAX_PAGE ? n : 1,
  };
}

/** One page of the list and how many devices match. */
export function devicePage(w: WebRequest, q: DeviceListQuery): { total: number; rows: DeviceSummary[]; asOf: number | undefined } {
  const { service, entra, db, snapshots } = w.deps;
  const offset = (q.page - 1) * DEVICES_PER_PAGE;
  const set = service.config.policySet();
  if (q.status === undefined) {
    const { total, devices } = db.directory.devicePage({ search: q.search, joinType: q.joinType, offset, limit: DEVICES_PER_PAGE });
    return { total, rows: devices.map((d) => summarizeDevice(service, entra, d, set)), asOf: undefined };
  }
  const snap = snapshots.current();
  const needle = q.search.toLowerCase();
  const matching = snap.devices.filter((d) => d.status === q.status && (q.joinType === undefined || d.joinType === q.joinType)
    && (needle === '' || d.deviceName.toLowerCase().includes(needle) || d.managedDeviceId === needle || d.deviceId === needle));
  const rows = matching.slice(offset, offset + DEVICES_PER_PAGE).flatMap((s) => {
    const d = db.directory.device(s.managedDeviceId);
    return d ? [summarizeDevice(service, entra, d, set)] : [];
  });
  return { total: matching.length, rows: rows.sort(byName), asOf: snap.at };
}

/** The status pill of a device. */
export function devicePill(s: DeviceLapsStatus): SafeHtml {
  return html`<span class="pill ${statusClass(s)}">${statusText(s)}</span>`;
}

/** The next rotation, marked when it is past (the password expired). */
export function nextRotation(at: number | undefined, now: number): SafeHtml {
  if (at === undefined) return html`—`;
  return at <= now ? html`<span class="pill bad" title="The password expired">${utcText(at)}</span>` : html`${utcText(at)}`;
}

function option(value: string, label: string, current: string | undefined): SafeHtml {
  return html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;
}

/** GET /ui/devices */
export function deviceListPage(w: WebRequest): void {
  const q = deviceListQuery(w.url);
  const { total, rows, asOf } = devicePage(w, q);
  const now = w.deps.clock.now();
  const pages = Math.max(1, Math.ceil(total / DEVICES_PER_PAGE));
  const link = (n: number): string => urlOf(['ui', 'devices'], { q: q.search, join: q.joinType, status: q.status, page: n > 1 ? n : undefined });
  const body = rows.map((d) => html`<tr data-device="${d.deviceName}">
<td data-label="Device"><a href="${urlOf(['ui', 'devices', d.managedDeviceId])}">${d.deviceName}</a></td><td class="opt" data-label="Join type">${joinTypeText(d.joinType)}</td>
<td data-label="LAPS status">${devicePill(d.status)}</td><td class="opt" data-label="Backup">${backupText(d.backupDirectory)}</td>
<td data-label="Last rotation">${utcText(d.lastBackupAt)}</td><td data-label="Next rotation">${nextRotation(d.refreshAt, now)}</td>
<td class="opt" data-label="Rotate action">${d.rotation === undefined ? '—' : ACTION_STATE_TEXT[d.rotation]}</td><td class="opt" data-label="Channel">${d.online ? 'Online' : 'Offline'}</td></tr>`);
  const filters = html`<form class="filters" method="get" action="/ui/devices" role="search">
<label>Search<input type="search" name="q" value="${q.search}" placeholder="Device name or id" maxlength="100"></label>
<label>Join type<select name="join" data-autosubmit>${option('', 'All', q.joinType)}${option('entra', 'Microsoft Entra joined', q.joinType)}${option('hybrid', 'Microsoft Entra hybrid joined', q.joinType)}</select></label>
<label>LAPS status<select name="status" data-autosubmit>${option('', 'All', q.status)}${DEVICE_STATUSES.map((s) => option(s, statusText(s), q.status))}</select></label>
<button class="btn primary" type="submit">Search</button></form>`;
  const table = rows.length === 0 ? html`<p class="empty">No device matches.</p>` : html`<div class="scroll"><table class="stack"><thead><tr><th>Device name</th>
<th class="opt">Join type</th><th>LAPS status</th><th class="opt">Backup directory</th><th>Last password rotation (UTC)</th><th>Next password rotation (UTC)</th>
<th class="opt">Rotate action</th><th class="opt">Channel</th></tr></thead><tbody>${body}</tbody></table></div>`;
  const pager = html`<div class="pager"><span data-total="${total}">${total.toLocaleString('en-US')} device${total === 1 ? '' : 's'} · page ${q.page} of ${pages}</span>
${q.page > 1 ? html`<a class="btn" href="${link(q.page - 1)}" rel="prev">Previous</a>` : ''}${q.page < pages ? html`<a class="btn" href="${link(q.page + 1)}" rel="next">Next</a>` : ''}
${asOf !== undefined ? html`<span class="muted">Statuses as of ${utcText(asOf)}</span>` : ''}</div>`;
  sendHtml(w.res, 200, page(w, { title: 'Devices', section: 'devices', body: html`<div class="card">${filters}${table}${pager}</div>` }));
}
