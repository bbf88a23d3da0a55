/**
 * The admin web pages in a real browser: Debian's chromium driven by playwright-core (no browser
 * download), against `lapsim server`'s composition (startManagementServer) with real agents
 * connected over the WebSocket device channel and backing up to its Entra emulator. An admin
 * signs in, opens a device, reveals and copies its password (which logs on to the device, and is
 * audited once), rotates an offline hybrid device and watches the action go from Pending to
 * Complete when it comes back, sees a rotation fail while the tenant's LAPS switch is off and the
 * overview chart the failure events live, and opens a conflicting policy's report. A read-only
 * operator sees no password and no rotate button, and a form posted from another origin is
 * refused. Screenshots of the main pages, at desktop and phone widths, go to
 * test-output/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../core/clock.js';
import { Secret } from '../../core/secret.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { EntraDirectory } from '../../agent/escrow/entra-directory.js';
import type { AgentService } from '../../agent/service/agent-service.js';
import { WsConnector } from '../../agent/transport/ws-connector.js';
import { startManagementServer, type ManagementServer } from '../../sim/intune/management-server.js';
import { memoryAgent, memoryManagedDevice, type MemoryManagedDevice } from '../../sim/memory-agent.js';
import { entraPolicy } from '../helpers/intune-policies.js';

const ADMIN = 'web-e2e-admin-token';
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-output', 'screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
type Json = Record<string, unknown>;

interface Agent {
  readonly name: string;
  readonly managedDeviceId: string;
  readonly deviceId: string;
  readonly objectId: string;
  readonly managed: MemoryManagedDevice;
  service: AgentService;
  readonly start: () => Promise<void>;
}

let s: ManagementServer;
let dataDir = '';
const agents: Agent[] = [];
const contexts: BrowserContext[] = [];
const profiles: string[] = [];
let evil: Server | undefined;
let rival = '';

async function api(method: string, path: string, body?: unknown, token = ADMIN): Promise<Json> {
  const r = await fetch(`${s.url}${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return text === '' ? {} : (JSON.parse(text) as Json);
}

async function waitFor(pred: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Registers a device and runs its agent over the device channel. */
async function agent(name: string, joinType: 'entra' | 'hybrid'): Promise<Agent> {
  const reg = await api('POST', '/lapsim/intune/devices', { deviceName: name, joinType, osVersion: '10.0.26100.4349' });
  const entra = reg['entra'] as { tenantId: string; deviceToken: string };
  const deviceId = reg['deviceId'] as string;
  const clock = new SystemClock();
  const rng = new SeededRng(name);
  const directory = new EntraDirectory({ baseUrl: s.url, rng, clock, auth: (id) => (id === deviceId ? { tenantId: entra.tenantId, deviceToken: new Secret(entra.deviceToken) } : undefined) });
  const managed = memoryManagedDevice({
    identity: { deviceId, name, osBuild: '10.0.26100.4349', joinType, isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1004336348-1177238915-682003330' },
    clock, rng, directory,
  });
  const make = (): AgentService => memoryAgent({
    managed, connector: new WsConnector({ server: s.url.replace(/^http/, 'ws'), deviceId, token: reg['channelToken'] as string }),
    clock, realClock: clock, rng, hourly: 'clock', sessionTimeoutMs: 5_000, backoff: { initialMs: 50, maxMs: 300 }, shutdownGraceMs: 2_000,
  });
  const a: Agent = {
    name, managedDeviceId: reg['managedDeviceId'] as string, deviceId, objectId: reg['objectId'] as string, managed, service: make(),
    start: async () => {
      a.service = make();
      await a.service.start();
    },
  };
  agents.push(a);
  await a.service.start();
  return a;
}

/** Reports the LAPS events the agents logged to the server, as a fleet runner does. */
const forwarded = new Map<string, number>();
async function forwardEvents(): Promise<void> {
  const events = agents.flatMap((a) => {
    const all = a.managed.events.events;
    const from = forwarded.get(a.deviceId) ?? 0;
    forwarded.set(a.deviceId, all.length);
    return all.slice(from).map((e) => ({ deviceId: a.deviceId, id: e.id, level: e.level, time: e.time }));
  });
  if (events.length > 0) await api('POST', '/lapsim/fleet/events', { events });
}

async function statuses(policyId: string): Promise<Json> {
  const j = await api('GET', `/lapsim/intune/reports/policies/${policyId}/deviceStatus`);
  return Object.fromEntries((j['value'] as Json[]).map((r) => [r['DeviceName'], r['ReportStatus']]));
}

async function group(name: string, members: Agent[]): Promise<string> {
  return (await api('POST', '/v1.0/groups', {
    displayName: name, mailEnabled: false, mailNickname: name.replace(/\W/g, ''), securityEnabled: true,
    'members@odata.bind': members.map((m) => `https://graph.microsoft.com/v1.0/devices/${m.objectId}`),
  }))['id'] as string;
}

async function assigned(body: Json, groupId: string): Promise<string> {
  const id = (await api('POST', '/beta/deviceManagement/configurationPolicies', body))['id'] as string;
  await api('POST', `/beta/deviceManagement/configurationPolicies/${id}/assign`, { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId } }] });
  return id;
}

async function browser(): Promise<BrowserContext> {
  const dir = mkdtempSync(join(tmpdir(), 'lapsim-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 860 }, permissions: ['clipboard-read', 'clipboard-write'],
  });
  contexts.push(ctx);
  profiles.push(dir);
  return ctx;
}

async function signIn(page: Page, token: string, path = '/ui/'): Promise<void> {
  await page.goto(`${s.url}${path}`);
  await page.waitForURL(/\/ui\/login\?next=/);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === path);
}

/** Full-page screenshots at desktop width and at a phone's width. */
async function shots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, `${name}-narrow.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 860 });
}

function actionState(page: Page): Promise<string | null> {
  return page.locator('[data-action="rotateLocalAdminPassword"] [data-state]').getAttribute('data-state', { timeout: 2_000 }).catch(() => null);
}

async function intuneAudits(): Promise<string[]> {
  return ((await api('GET', '/beta/deviceManagement/auditEvents'))['value'] as { activity: string; actor: { userPrincipalName: string } }[])
    .map((e) => `${e.activity} by ${e.actor.userPrincipalName}`);
}

let a: Agent, b: Agent, c: Agent, hy: Agent;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); these tests never download a browser`);
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'lapsim-web-e2e-'));
  s = await startManagementServer({ dataDir, port: 0, adminToken: ADMIN, clock: new SystemClock(), rng: new SeededRng(81), sessionTimeoutMs: 5_000 });
  [a, b, c, hy] = [await agent('PC-E2E-A', 'entra'), await agent('PC-E2E-B', 'entra'), await agent('PC-E2E-C', 'entra'), await agent('PC-E2E-H', 'hybrid')];
  const base = await assigned(entraPolicy('LAPS Entra', { length: 16, ageDays: 30 }), await group('LAPS devices', [a, b, c, hy]));
  await waitFor(async () => Object.values(await statuses(base)).filter((x) => x === 'Succeeded').length === 4, 'the policy on four devices');
  await waitFor(() => agents.every((x) => s.entra.store.device(x.deviceId)?.lastBackupAt !== undefined), 'four backups');
  rival = await assigned(entraPolicy('LAPS Rival', { length: 24 }), await group('Rival devices', [c]));
  await waitFor(async () => (await statuses(rival))['PC-E2E-C'] === 'Conflict', 'the conflict on PC-E2E-C');
  await forwardEvents();
}, 60_000);

afterAll(async () => {
  for (const ctx of contexts.splice(0)) await ctx.close();
  for (const dir of profiles.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  for (const x of agents.splice(0)) await x.service.stop();
  if (evil) await new Promise<void>((resolve) => evil!.close(() => resolve()));
  await s?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('admin web pages in chromium', () => {
  it('signs in, reveals and copies a password (audited once), rotates an offline device and watches Pending become Complete', async () => {
    const ctx = await browser();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const admin = (await api('POST', '/lapsim/intune/tokens', { roles: ['Intune Administrator', 'LAPS Rotation Operator'], userPrincipalName: 'helpdesk@contoso.com' }))['token'] as string;
    await page.goto(`${s.url}/ui/devices`);
    await page.waitForURL(/\/ui\/login/);
    await shots(page, 'sign-in');
    await signIn(page, admin, '/ui/devices');
    await page.fill('input[name=q]', 'PC-E2E-A');
    await page.click('form.filters button[type=submit]');
    await expect.poll(() => page.locator('tr[data-device]').count()).toBe(1);
    await page.click('tr[data-device="PC-E2E-A"] a');
    await page.waitForURL(new RegExp(`/ui/devices/${a.managedDeviceId}$`));
    await page.click('[data-password] [data-show]');
    await expect.poll(() => page.locator('[data-secret]').textContent()).toMatch(/^[^•]{16}$/);
    const shown = (await page.locator('[data-secret]').textContent())!;
    expect(a.managed.device.logon('Administrator', new Secret(shown)).ok).toBe(true);
    await page.click('[data-password] [data-copy]');
    await expect.poll(() => page.locator('[data-pw-status]').textContent()).toBe('Copied to the clipboard.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(shown);
    await page.click('[data-password] [data-show]');
    await expect.poll(() => page.locator('[data-secret]').textContent()).toMatch(/^•+$/);
    expect((await intuneAudits()).filter((x) => x === 'Read local admin password ManagedDevice by helpdesk@contoso.com')).toHaveLength(1);
    await shots(page, 'device');

    await hy.service.stop();
    await waitFor(() => !s.dm.isConnected(hy.deviceId), 'PC-E2E-H offline');
    const before = s.entra.store.device(hy.deviceId)!.lastBackupAt!;
    await page.goto(`${s.url}/ui/devices/${hy.managedDeviceId}`);
    await page.click('a[data-dialog="rotate-dialog"]');
    await expect.poll(() => page.locator('#rotate-dialog').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'rotate-confirmation-desktop.png') });
    await page.click('#rotate-dialog [data-confirm-rotate]');
    await page.waitForURL(/notice=rotate-requested/);
    expect(await actionState(page)).toBe('pending');
    await expect.poll(() => page.locator('[data-action="rotateLocalAdminPassword"] [data-state]').textContent()).toBe('Pending');
    await shots(page, 'device-rotation-pending');
    await hy.start();
    await expect.poll(() => actionState(page), { timeout: 20_000 }).toBe('done');
    expect(await page.locator('[data-action="rotateLocalAdminPassword"] [data-state]').textContent()).toBe('Complete');
    expect(s.entra.store.device(hy.deviceId)!.lastBackupAt!).toBeGreaterThan(before);
    await expect.poll(() => page.locator('[data-field="lastRotation"]').textContent()).not.toBe(new Date(before).toISOString().slice(0, 19).replace('T', ' ') + ' UTC');
    await page.click('[data-password] [data-show]');
    await expect.poll(() => page.locator('[data-secret]').textContent()).toMatch(/^[^•]{16}$/);
    expect(hy.managed.device.logon('Administrator', new Secret((await page.locator('[data-secret]').textContent())!)).ok).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows a rotation that fails while the tenant\'s LAPS switch is off, and the overview charts the failure events live', async () => {
    const ctx = await browser();
    const overview = await ctx.newPage();
    await signIn(overview, ADMIN, '/ui/');
    await expect.poll(() => overview.locator('[data-live-status]').getAttribute('class')).toBe('live on');
    const devices = Number(await overview.locator('[data-kpi="devices"] b').textContent());
    const device = await ctx.newPage();
    await device.goto(`${s.url}/ui/devices/${b.managedDeviceId}`);
    const tenant = s.entra.store.defaultTenant()!.tenantId;
    s.entra.store.setLapsEnabled(tenant, false);
    try {
      await device.click('a[data-dialog="rotate-dialog"]');
      await device.click('#rotate-dialog [data-confirm-rotate]');
      await device.waitForURL(/notice=rotate-requested/);
      await expect.poll(() => actionState(device), { timeout: 20_000 }).toBe('failed');
      expect(await device.locator('[data-action="rotateLocalAdminPassword"] [data-state]').textContent()).toBe('Failed');
    } finally {
      s.entra.store.setLapsEnabled(tenant, true);
    }
    await forwardEvents();
    await expect.poll(() => overview.locator('[data-fragment="failures"]').textContent(), { timeout: 10_000 }).toContain('Event 10059');
    expect(await overview.locator('[data-fragment="failures"] table').textContent()).toContain('PC-E2E-B');
    await expect.poll(() => overview.locator('[data-kpi="failed"] b').textContent(), { timeout: 10_000 }).toBe('1');
    await api('POST', '/lapsim/intune/devices', { deviceName: 'PC-E2E-LATE', joinType: 'entra' });
    await expect.poll(() => overview.locator('[data-kpi="devices"] b').textContent(), { timeout: 10_000 }).toBe(String(devices + 1));
    expect(overview.url()).toBe(`${s.url}/ui/`);
    await shots(overview, 'overview');
  });

  it('opens a conflicting policy\'s report and the conflicting profiles of the device', async () => {
    const ctx = await browser();
    const page = await ctx.newPage();
    await signIn(page, ADMIN, '/ui/policies');
    await shots(page, 'policies');
    await page.click('tr[data-policy="LAPS Rival"] a');
    await page.waitForURL(new RegExp(`/ui/policies/${rival}$`));
    expect(await page.locator('tr[data-device="PC-E2E-C"] .pill').textContent()).toBe('Conflict');
    await shots(page, 'policy');
    await page.click('tr[data-device="PC-E2E-C"] a');
    await page.waitForURL(new RegExp(`/ui/policies/${rival}/devices/${c.managedDeviceId}$`));
    const row = page.locator('tr[data-setting="PasswordLength"]');
    expect(await row.locator('.pill').first().textContent()).toBe('Conflict');
    expect((await row.locator('ul.conflicts li').allTextContents()).sort()).toEqual(['LAPS Entra: 16', 'LAPS Rival: 24']);
    await shots(page, 'policy-device-conflict');
    await page.goto(`${s.url}/ui/devices`);
    await shots(page, 'devices');
  });

  it('gives a read-only operator no password and no rotate button, and refuses forged posts', async () => {
    const ctx = await browser();
    const page = await ctx.newPage();
    const ro = (await api('POST', '/lapsim/intune/tokens', { roles: ['Read Only Operator'] }))['token'] as string;
    await signIn(page, ro, `/ui/devices/${a.managedDeviceId}`);
    expect(await page.locator('[data-password] [data-show], [data-password] [data-copy], [data-secret]').count()).toBe(0);
    expect(await page.locator('a[data-dialog="rotate-dialog"]').count()).toBe(0);
    expect(await page.locator('[data-password]').textContent()).toContain('Your role cannot view the local admin password');
    // The operator's own page, its own CSRF token: refused for the permission, not the token.
    const refused = await page.evaluate(`(async () => {
      const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
      const post = (path) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: '_csrf=' + encodeURIComponent(csrf) }).then((r) => r.status);
      return [await post('/ui/devices/${a.managedDeviceId}/password'), await post('/ui/devices/${a.managedDeviceId}/rotate')];
    })()`);
    expect(refused).toEqual([403, 403]);
    await shots(page, 'device-read-only');

    const admin = await (await browser()).newPage();
    await signIn(admin, ADMIN, '/ui/devices');
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<form id="f" method="post" action="${s.url}/ui/devices/${a.managedDeviceId}/rotate"><input name="confirm" value="1"><button>win a prize</button></form>`);
    });
    await new Promise<void>((resolve) => evil!.listen(0, '127.0.0.1', resolve));
    const actions = (): number => s.service.actions.actionResults(s.service.directory.device(a.managedDeviceId)).length;
    const count = actions();
    await admin.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const [answer] = await Promise.all([admin.waitForResponse((r) => r.url().includes('/rotate')), admin.click('#f button')]);
    expect(answer.status()).toBe(403);
    expect(await admin.locator('main, body').first().textContent()).toContain('The request was refused');
    expect(actions()).toBe(count);
  });
});
