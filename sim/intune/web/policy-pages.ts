/**
 * Endpoint security > Account protection (laps-behaviour.md 11.5): the LAPS policies with their
 * type and status counts, and one policy's page: its basics, settings and assignments, the
 * "Device and user check-in status" summary, the "Device assignment status" report (filter by
 * status, paged, drill-down to a device), the "Per setting status" counts, and "Generate again".
 * The drill-down lists the device's settings of that policy and, for a conflicting setting, the
 * source profiles with their values. Fleet-wide numbers come from the fleet snapshot (stated as
 * of when); the drill-down is read fresh.
 */
import type { SettingStatus } from '../conflicts.js';
import { LAPS_TEMPLATE_DISPLAY_NAME } from '../laps-template.js';
import type { AssignmentRecord, PolicyRecord } from '../policy-types.js';
import { deviceConfiguration, settingsTable, statusPill } from './device-settings.js';
import { POLICY_STATUSES, type PolicyReport } from './fleet-snapshot.js';
import { html, urlOf, utcText, type SafeHtml } from './html.js';
import { fragment } from './live-stream.js';
import { barList } from './svg-charts.js';
import { can, messageCard, sendHtml, type WebRequest } from './web-context.js';
import { page } from './web-layout.js';
import { definitionName, policyStatusText, settingLines, statusClass } from './setting-labels.js';

const ROWS_PER_PAGE = 50;
const EMPTY: PolicyReport = { rows: [], counts: { succeeded: 0, error: 0, conflict: 0, pending: 0, notApplicable: 0 }, settings: new Map() };

/** The policy of the route, or undefined (the 404 page is written). */
export function routePolicy(w: WebRequest): PolicyRecord | undefined {
  const p = w.deps.service.policies.list().find((x) => x.id === (w.params[0] ?? '').toLowerCase());
  if (!p) {
    sendHtml(w.res, 404, page(w, { title: 'Policy not found', section: 'policies', body: messageCard('Policy not found', 'No LAPS policy has this id.', { href: '/ui/policies', label: 'All policies' }) }));
  }
  return p;
}

function counts(r: PolicyReport): SafeHtml {
  return html`${POLICY_STATUSES.filter((s) => r.counts[s] > 0).map((s) => html`<span class="pill ${statusClass(s)}">${policyStatusText(s)} ${r.counts[s]}</span> `)}`;
}

/** GET /ui/policies */
export function policyListPage(w: WebRequest): void {
  const snap = w.deps.snapshots.current();
  const policies = w.deps.service.policies.list();
  const rows = policies.map((p) => html`<tr data-policy="${p.name}"><td data-label="Policy"><a href="${urlOf(['ui', 'policies', p.id])}">${p.name}</a></td>
<td class="opt" data-label="Policy type">${LAPS_TEMPLATE_DISPLAY_NAME}</td><td class="opt" data-label="Platform">Windows</td>
<td data-label="Assigned">${w.deps.service.policies.isAssigned(p.id) ? 'Yes' : 'No'}</td><td data-label="Device status">${counts(snap.policies.get(p.id) ?? EMPTY)}</td>
<td class="opt" data-label="Last modified">${utcText(p.modifiedAt)}</td></tr>`);
  const body = policies.length === 0 ? html`<p class="empty">No LAPS policy yet (POST /beta/deviceManagement/configurationPolicies creates one).</p>`
    : html`<div class="scroll"><table class="stack"><thead><tr><th>Policy name</th><th class="opt">Policy type</th><th class="opt">Platform</th><th>Assigned</th><th>Device status</th>
<th class="opt">Last modified (UTC)</th></tr></thead><tbody>${rows}</tbody></table></div><p class="muted">Device status as of ${utcText(snap.at)}.</p>`;
  sendHtml(w.res, 200, page(w, { title: 'Account protection: Windows LAPS', section: 'policies', body: html`<div class="card">${body}</div>` }));
}

function assignmentList(w: WebRequest, list: readonly AssignmentRecord[]): SafeHtml {
  if (list.length === 0) return html`<p class="empty">Not assigned.</p>`;
  const groupName = (id: string): string => {
    if (!can(w, 'groups.get')) return id;
    return w.deps.db.directory.group(id)?.displayName ?? `${id} (deleted group)`;
  };
  const rows = list.map((a) => {
    const t = a.target;
    const [kind, target] = t.kind === 'allDevices' ? ['Included', 'All devices'] : t.kind === 'allLicensedUsers' ? ['Included', 'All users']
      : [t.kind === 'group' ? 'Included' : 'Excluded', groupName(t.groupId)];
    const filter = t.filterId === null || t.filterType === 'none' ? 'None' : `${t.filterType} ${t.filterId}`;
    return html`<tr><td>${kind}</td><td>${target}</td><td class="opt">${filter}</td></tr>`;
  });
  return html`<div class="scroll"><table><thead><tr><th>Assignment</th><th>Group</th><th class="opt">Filter</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

interface ReportQuery {
  readonly status: SettingStatus | undefined;
  readonly page: number;
}

function reportQuery(url: URL): ReportQuery {
  const s = url.searchParams.get('status') ?? '';
  const n = Number(url.searchParams.get('page') ?? '1');
  return { status: (POLICY_STATUSES as readonly string[]).includes(s) ? s as SettingStatus : undefined, page: Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1 };
}

function summary(r: PolicyReport): SafeHtml {
  const total = POLICY_STATUSES.reduce((n, s) => n + r.counts[s], 0);
  return html`<p><b data-targeted="${total}">${total.toLocaleString('en-US')}</b> targeted devices</p>
${barList('Device and user check-in status', POLICY_STATUSES.map((s) => ({ label: policyStatusText(s), value: r.counts[s], tone: statusClass(s) })), 'No device is targeted.')}`;
}

function deviceStatus(p: PolicyRecord, r: PolicyReport, q: ReportQuery): SafeHtml {
  const rows = q.status === undefined ? r.rows : r.rows.filter((x) => x.status === q.status);
  const pages = Math.max(1, Math.ceil(rows.length / ROWS_PER_PAGE));
  const shown = rows.slice((q.page - 1) * ROWS_PER_PAGE, q.page * ROWS_PER_PAGE);
  const link = (n: number): string => urlOf(['ui', 'policies', p.id], { status: q.status, page: n > 1 ? n : undefined });
  const body = shown.map((x) => html`<tr data-device="${x.deviceName}"><td data-label="Device"><a href="${urlOf(['ui', 'policies', p.id, 'devices', x.managedDeviceId])}">${x.deviceName}</a></td>
<td class="opt" data-label="Logged in user">${x.user ?? '—'}</td><td data-label="Check-in status">${statusPill(x.status)}</td><td class="opt" data-label="Assigned via">${x.via === 'device' ? 'Device' : 'User'}</td>
<td class="opt" data-label="Last report">${utcText(x.lastReportAt)}</td></tr>`);
  const table = shown.length === 0 ? html`<p class="empty">No device${q.status ? ` with status ${policyStatusText(q.status)}` : ''}.</p>`
    : html`<div class="scroll"><table class="stack"><thead><tr><th>Device name</th><th class="opt">Logged in user</th><th>Check-in status</th><th class="opt">Assigned via</th>
<th class="opt">Last report modification time (UTC)</th></tr></thead><tbody>${body}</tbody></table></div>`;
  return html`${table}<div class="pager"><span>${rows.length.toLocaleString('en-US')} device${rows.length === 1 ? '' : 's'} · page ${q.page} of ${pages}</span>
${q.page > 1 ? html`<a class="btn" href="${link(q.page - 1)}" rel="prev">Previous</a>` : ''}${q.page < pages ? html`<a class="btn" href="${link(q.page + 1)}" rel="next">Next</a>` : ''}</div>`;
}

function perSetting(r: PolicyReport): SafeHtml {
  if (r.settings.size === 0) return html`<p class="empty">The policy configures no setting.</p>`;
  const rows = [...r.settings].map(([id, c]) => html`<tr data-setting="${id}"><td>${definitionName(id)}</td>${POLICY_STATUSES.map((s) => html`<td class="num">${c[s]}</td>`)}</tr>`);
  return html`<div class="scroll"><table><thead><tr><th>Setting</th>${POLICY_STATUSES.map((s) => html`<th class="num">${policyStatusText(s)}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The live fragments of a policy page. */
export function policyFragments(w: WebRequest, p: PolicyRecord): Record<string, SafeHtml> {
  const snap = w.deps.snapshots.current();
  const r = snap.policies.get(p.id) ?? EMPTY;
  return {
    'policy-summary': summary(r), 'policy-devices': deviceStatus(p, r, reportQuery(w.url)), 'policy-settings': perSetting(r),
    'policy-asof': html`Reports as of ${utcText(snap.at)}`,
  };
}

/** GET /ui/policies/{id} (`?refresh=1` generates the reports again). */
export function policyPage(w: WebRequest, p: PolicyRecord): void {
  if (w.url.searchParams.get('refresh') === '1') w.deps.snapshots.fresh();
  const q = reportQuery(w.url);
  const f = policyFragments(w, p);
  const filter = html`<form class="filters" method="get" action="${urlOf(['ui', 'policies', p.id])}"><label>Check-in status<select name="status" data-autosubmit>
<option value="">All</option>${POLICY_STATUSES.map((s) => html`<option value="${s}"${q.status === s ? html` selected` : ''}>${policyStatusText(s)}</option>`)}</select></label>
<button class="btn" type="submit">Filter</button></form>`;
  const lines = settingLines(p.settings);
  const settings = lines.length === 0 ? html`<p class="empty">No setting.</p>` : html`<div class="scroll"><table><tbody>${lines.map((l) => html`<tr><td class="depth-${Math.min(l.depth, 3)}">${l.name}</td><td>${l.value}</td></tr>`)}</tbody></table></div>`;
  const body = html`<div class="actions"><a class="btn" href="${urlOf(['ui', 'policies', p.id], { refresh: 1 })}">Generate again</a><span class="muted">${fragment('policy-asof', f['policy-asof']!)}</span></div>
<div class="cards"><section class="card"><h2>Basics</h2><dl class="props"><dt>Name</dt><dd>${p.name}</dd><dt>Description</dt><dd>${p.description || '—'}</dd>
<dt>Platform</dt><dd>Windows</dd><dt>Profile type</dt><dd>${LAPS_TEMPLATE_DISPLAY_NAME}</dd><dt>Scope tags</dt><dd>${p.roleScopeTagIds.join(', ')}</dd>
<dt>Created (UTC)</dt><dd>${utcText(p.createdAt)}</dd><dt>Last modified (UTC)</dt><dd>${utcText(p.modifiedAt)}</dd></dl></section>
<section class="card"><h2>Device and user check-in status</h2>${fragment('policy-summary', f['policy-summary']!)}<p><a href="#device-status">View report</a></p></section></div>
<section class="card" id="device-status"><h2>Device assignment status</h2>${filter}${fragment('policy-devices', f['policy-devices']!)}</section>
<section class="card"><h2>Per setting status</h2>${fragment('policy-settings', f['policy-settings']!)}</section>
<div class="cards"><section class="card"><h2>Settings</h2>${settings}</section><section class="card"><h2>Assignments</h2>${assignmentList(w, w.deps.service.policies.assignments(p.id))}</section></div>`;
  sendHtml(w.res, 200, page(w, {
    title: p.name, section: 'policies', crumbs: [['Account protection', '/ui/policies']], body,
    live: urlOf(['ui', 'live'], { topic: 'policy', id: p.id, status: q.status, page: q.page > 1 ? q.page : undefined }),
  }));
}

/** GET /ui/policies/{id}/devices/{managedDeviceId}: the device's settings of this policy, with the conflicting profiles. */
export function policyDevicePage(w: WebRequest, p: PolicyRecord): void {
  const d = w.deps.db.directory.device(w.params[1] ?? '');
  const crumbs: [string, string][] = [['Account protection', '/ui/policies'], [p.name, urlOf(['ui', 'policies', p.id])]];
  if (!d) {
    sendHtml(w.res, 404, page(w, { title: 'Device not found', section: 'policies', crumbs, body: messageCard('Device not found', 'No managed device has this id.') }));
    return;
  }
  const c = deviceConfiguration(w.deps.service, d);
  const mine = c.policies.find((x) => x.policyId === p.id);
  const nodes = new Set(c.settings.filter((s) => s.sources.some((x) => x.policyId === p.id)).map((s) => s.node));
  const link = (id: string, name: string): SafeHtml => html`<a href="${urlOf(['ui', 'policies', id, 'devices', d.managedDeviceId])}">${name}</a>`;
  const user = d.signedInUserId ?? d.primaryUserId;
  const head = html`<dl class="props"><dt>Device</dt><dd>${can(w, 'managedDevices.get') ? html`<a href="${urlOf(['ui', 'devices', d.managedDeviceId])}">${d.deviceName}</a>` : d.deviceName}</dd>
<dt>Logged in user</dt><dd>${user === undefined ? '—' : w.deps.db.directory.user(user)?.userPrincipalName ?? user}</dd>
<dt>Check-in status</dt><dd>${mine ? statusPill(mine.status) : html`<span class="pill idle">Not assigned</span>`}</dd>
<dt>Assigned via</dt><dd>${mine ? (mine.via === 'device' ? 'Device' : 'User') : '—'}</dd></dl>`;
  const body = html`<section class="card">${head}</section><section class="card"><h2>Settings</h2>
${mine ? settingsTable(c.settings.filter((s) => nodes.has(s.node)), link) : html`<p class="empty">This policy does not reach this device.</p>`}</section>`;
  sendHtml(w.res, 200, page(w, { title: d.deviceName, section: 'policies', crumbs, body }));
}
