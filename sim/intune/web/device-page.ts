/**
 * One device (laps-behaviour.md 11.3 and 11.5): its overview, the Device actions status (action,
 * time, Pending / Complete / Failed), the Local admin password pane, its LAPS configuration with
 * the conflicting profiles, and "Rotate local admin password" behind a confirmation. The pane
 * shows the account name, security ID, last and next rotation (UTC) to a role that may read the
 * password's metadata, and the password itself (masked, Show and Copy) only to a role that may
 * read passwords and only for a Microsoft Entra backup. Revealing goes through the same
 * ActionEngine.passwordView as the Graph route, so it is audited in Intune and in Entra exactly
 * as the API audits it; the rotation goes through ActionEngine.rotate, audited the same way.
 */
import { ActionRefused, type PasswordView } from '../device-actions.js';
import { headerText } from '../http/graph-io.js';
import type { DeviceRecord } from '../policy-types.js';
import { deviceConfiguration, settingsTable, statusPill } from './device-settings.js';
import { devicePill, nextRotation } from './device-list-page.js';
import { summarizeDevice } from './fleet-snapshot.js';
import { html, urlOf, utcText, type SafeHtml } from './html.js';
import { fragment } from './live-stream.js';
import { can, messageCard, redirect, sendHtml, sendWebJson, type WebRequest } from './web-context.js';
import { page } from './web-layout.js';
import { ACTION_STATE_TEXT, actionText, joinTypeText, statusClass } from './setting-labels.js';

const MASK = '••••••••••••';

/** Notices a redirect may ask the device page to show (fixed texts: nothing from the URL is printed). */
const NOTICES: Readonly<Record<string, readonly [string, string]>> = {
  'rotate-requested': ['info', 'Rotate local admin password was requested. The device rotates its password at its next check-in; the Device actions status follows it.'],
  'rotate-failed': ['bad', 'Rotate local admin password failed at once; the Device actions status says why.'],
  'rotate-already-pending': ['bad', 'A rotation of the local admin password is already pending for this device.'],
};

/** The device of the route, or undefined (the 404 page is written). */
export function routeDevice(w: WebRequest): DeviceRecord | undefined {
  const d = w.deps.db.directory.device(w.params[0] ?? '');
  if (!d) {
    sendHtml(w.res, 404, page(w, { title: 'Device not found', section: 'devices', body: messageCard('Device not found', 'No managed device has this id.', { href: '/ui/devices', label: 'All devices' }) }));
  }
  return d;
}

function overview(w: WebRequest, d: DeviceRecord): SafeHtml {
  const s = summarizeDevice(w.deps.service, w.deps.entra, d, w.deps.service.config.policySet());
  const user = (id: string | undefined): string => (id === undefined ? '—' : w.deps.db.directory.user(id)?.userPrincipalName ?? id);
  return html`<dl class="props"><dt>Device name</dt><dd>${d.deviceName}</dd><dt>Managed device id</dt><dd class="id">${d.managedDeviceId}</dd>
<dt>Microsoft Entra device id</dt><dd class="id">${d.deviceId}</dd><dt>Join type</dt><dd>${joinTypeText(d.joinType)}</dd><dt>OS version</dt><dd>${d.osVersion}</dd>
<dt>Primary user</dt><dd>${user(d.primaryUserId)}</dd><dt>Signed-in user</dt><dd>${user(d.signedInUserId)}</dd>
<dt>LAPS status</dt><dd>${devicePill(s.status)}</dd><dt>Device channel</dt><dd>${s.online ? 'Online' : 'Offline'}</dd>
<dt>Last check-in</dt><dd>${utcText(d.lastSyncAt)}</dd><dt>Enrolled</dt><dd>${utcText(d.enrolledAt)}</dd></dl>`;
}

function actionsTable(w: WebRequest, d: DeviceRecord): SafeHtml {
  const actions = w.deps.service.actions.actionResults(d);
  if (actions.length === 0) return html`<p class="empty">No device action yet.</p>`;
  return html`<div class="scroll"><table class="stack"><thead><tr><th>Action</th><th>Status</th><th>Date and time (UTC)</th><th class="opt">Last updated (UTC)</th><th class="opt">Detail</th></tr></thead><tbody>
${actions.map((a) => html`<tr data-action="${a.actionName}"><td data-label="Action">${actionText(a.actionName)}</td>
<td data-label="Status"><span class="pill ${statusClass(a.state)}" data-state="${a.state}">${ACTION_STATE_TEXT[a.state]}</span></td><td data-label="Date and time">${utcText(a.startedAt)}</td>
<td class="opt" data-label="Last updated">${utcText(a.updatedAt)}</td><td class="opt" data-label="Detail">${a.detail || '—'}</td></tr>`)}
</tbody></table></div>`;
}

function banner(w: WebRequest, d: DeviceRecord): SafeHtml {
  const pending = w.deps.service.actions.actionResults(d).some((a) => a.state === 'pending');
  return pending ? html`<div class="banner info" role="status"><b>Rotate local admin password: Pending.</b> The device rotates at its next check-in.</div>` : html``;
}

/** The pane's content (always with the password masked; `revealed` shows it). */
function passwordPane(w: WebRequest, d: DeviceRecord, revealed?: string): SafeHtml {
  if (!can(w, 'localAdminPassword.get')) {
    return html`<p class="empty">Your role cannot view the local admin password of devices (it needs microsoft.directory/deviceLocalCredentials/password/read or its metadata permission).</p>`;
  }
  const v: PasswordView = w.deps.service.actions.passwordView(d, w.actor, false, '');
  const now = w.deps.clock.now();
  const last = v.lastPasswordRotationDateTime === null ? undefined : Date.parse(v.lastPasswordRotationDateTime);
  const next = v.nextPasswordRotationDateTime === null ? undefined : Date.parse(v.nextPasswordRotationDateTime);
  const meta = html`<dt>Account name</dt><dd data-field="accountName">${v.accountName ?? '—'}</dd><dt>Security ID</dt><dd data-field="accountSid">${v.accountSid ?? '—'}</dd>`;
  let secret: SafeHtml;
  if (v.backupDirectory === 'activeDirectory') {
    secret = html`<dd class="muted">This device backs up its password to Active Directory; Intune never shows Active Directory passwords.</dd>`;
  } else if (v.accountName === null) {
    secret = html`<dd class="muted">No password of this device is backed up to Microsoft Entra ID yet.</dd>`;
  } else if (!can(w, 'localAdminPassword.reveal')) {
    secret = html`<dd class="muted">Your role can see the password's details but not the password.</dd>`;
  } else {
    secret = html`<dd><div class="pw-row"><span class="secret" data-secret>${revealed ?? MASK}</span>
${revealed === undefined ? html`<form method="post" action="${urlOf(['ui', 'devices', d.managedDeviceId, 'password'])}"><input type="hidden" name="_csrf" value="${w.session.csrf}"><button class="btn" type="submit" data-show>Show</button></form>`
    : html`<a class="btn" href="${urlOf(['ui', 'devices', d.managedDeviceId])}">Hide</a>`}
<button class="btn" type="button" data-copy>Copy</button></div><div class="muted" data-pw-status aria-live="polite"></div></dd>`;
  }
  return html`<dl class="props">${meta}<dt>Local admin password</dt>${secret}
<dt>Last password rotation (UTC)</dt><dd data-field="lastRotation">${utcText(last)}</dd><dt>Next password rotation (UTC)</dt><dd data-field="nextRotation">${nextRotation(next, now)}</dd></dl>`;
}

function configuration(w: WebRequest, d: DeviceRecord): SafeHtml {
  const c = deviceConfiguration(w.deps.service, d);
  const link = (id: string, name: string): SafeHtml => (can(w, 'policies.get') ? html`<a href="${urlOf(['ui', 'policies', id, 'devices', d.managedDeviceId])}">${name}</a>` : html`${name}`);
  const policies = c.policies.length === 0 ? html`<p class="empty">No LAPS policy is assigned to this device or its user.</p>` : html`<div class="scroll"><table>
<thead><tr><th>Policy</th><th>Assigned via</th><th>Status</th></tr></thead><tbody>${c.policies.map((p) => html`<tr data-policy="${p.name}"><td>${link(p.policyId, p.name)}</td>
<td>${p.via === 'device' ? 'Device' : 'User'}</td><td>${statusPill(p.status)}</td></tr>`)}</tbody></table></div>`;
  return html`${policies}<h2 class="sub">Settings</h2>${settingsTable(c.settings, link)}`;
}

/** The live fragments of a device page. */
export function deviceFragments(w: WebRequest, d: DeviceRecord): Record<string, SafeHtml> {
  return {
    'device-banner': banner(w, d), 'device-overview': overview(w, d), 'device-actions': actionsTable(w, d),
    password: passwordPane(w, d), 'device-config': configuration(w, d),
  };
}

function rotateForm(w: WebRequest, d: DeviceRecord): SafeHtml {
  return html`<form method="post" action="${urlOf(['ui', 'devices', d.managedDeviceId, 'rotate'])}"><input type="hidden" name="_csrf" value="${w.session.csrf}">
<p>Rotate the local admin password of <b>${d.deviceName}</b>? The device sets a new password at its next check-in and backs it up; the current password stops working.</p>
<div class="actions"><button class="btn danger" type="submit" data-confirm-rotate>Rotate</button> <a class="btn" href="${urlOf(['ui', 'devices', d.managedDeviceId])}" data-close>Cancel</a></div></form>`;
}

/** GET /ui/devices/{id}; `revealed` after a Show without script. */
export function devicePage(w: WebRequest, d: DeviceRecord, revealed?: string): void {
  const f = deviceFragments(w, d);
  const notice = NOTICES[w.url.searchParams.get('notice') ?? ''];
  const rotate = can(w, 'managedDevices.rotateLocalAdminPassword')
    ? html`<div class="actions"><a class="btn primary" href="${urlOf(['ui', 'devices', d.managedDeviceId, 'rotate'])}" data-dialog="rotate-dialog">Rotate local admin password</a></div>
<dialog id="rotate-dialog" aria-label="Rotate local admin password"><h2>Rotate local admin password</h2>${rotateForm(w, d)}</dialog>` : html``;
  const body = html`${notice ? html`<div class="banner ${notice[0]}" role="status" data-notice>${notice[1]}</div>` : ''}${fragment('device-banner', f['device-banner']!)}${rotate}
<div class="cards"><section class="card"><h2>Overview</h2>${fragment('device-overview', f['device-overview']!)}</section>
<section class="card"><h2>Device actions status</h2>${fragment('device-actions', f['device-actions']!)}</section></div>
<section class="card" data-password data-reveal-url="${urlOf(['ui', 'devices', d.managedDeviceId, 'password'])}"><h2>Local admin password</h2>
${fragment('password', f['password']!, revealed === undefined ? f['password']! : passwordPane(w, d, revealed))}</section>
<section class="card"><h2>Windows LAPS configuration</h2>${fragment('device-config', f['device-config']!)}</section>`;
  sendHtml(w.res, 200, page(w, {
    title: d.deviceName, section: 'devices', crumbs: [['Devices', '/ui/devices']], body, live: urlOf(['ui', 'live'], { topic: 'device', id: d.managedDeviceId }),
  }));
}

/** POST /ui/devices/{id}/password: reveals (audited); JSON for the script, else the page with the password. */
export function revealPassword(w: WebRequest, d: DeviceRecord): void {
  const v = w.deps.service.actions.passwordView(d, w.actor, true, headerText(w.req, 'user-agent', 512) ?? '');
  const json = (w.req.headers.accept ?? '').includes('application/json');
  if (v.password === undefined) {
    const message = 'No local admin password of this device is backed up to Microsoft Entra ID (Active Directory passwords are never shown here).';
    if (json) sendWebJson(w.res, 404, { error: 'ResourceNotFound', message });
    else sendHtml(w.res, 404, page(w, { title: d.deviceName, section: 'devices', crumbs: [['Devices', '/ui/devices']], body: messageCard('No password to show', message) }));
    return;
  }
  if (json) sendWebJson(w.res, 200, { accountName: v.accountName, accountSid: v.accountSid, password: v.password, lastPasswordRotationDateTime: v.lastPasswordRotationDateTime });
  else devicePage(w, d, v.password);
}

/** GET /ui/devices/{id}/rotate: the confirmation (the page's dialog does the same with script). */
export function rotateConfirmPage(w: WebRequest, d: DeviceRecord): void {
  sendHtml(w.res, 200, page(w, {
    title: 'Rotate local admin password', section: 'devices', crumbs: [['Devices', '/ui/devices'], [d.deviceName, urlOf(['ui', 'devices', d.managedDeviceId])]],
    body: html`<div class="card">${rotateForm(w, d)}</div>`,
  }));
}

/** POST /ui/devices/{id}/rotate: requests the rotation, then shows the device. */
export function rotate(w: WebRequest, d: DeviceRecord): void {
  let notice: string;
  try {
    notice = w.deps.service.actions.rotate(d, w.actor).state === 'pending' ? 'rotate-requested' : 'rotate-failed';
  } catch (e) {
    if (!(e instanceof ActionRefused)) throw e;
    notice = 'rotate-already-pending';
  }
  redirect(w.res, urlOf(['ui', 'devices', d.managedDeviceId], { notice }));
}
