/**
 * `lapsim server` end to end, in process: the management server (Intune Graph API, Entra
 * emulator, device channel) on port 0 and real agents (Device + AgentService) connected over
 * real WebSockets, backing up to the Entra emulator of the same server. A policy is imported and
 * assigned, devices apply it and back up; one device is rotated from the API and the revealed
 * password logs on; both conflict cases resolve; a user-group assignment flips with sign-ins;
 * unassignment empties the CSP; the server restarts in the middle and devices reconnect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../core/clock.js';
import { Secret } from '../../core/secret.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { EntraDirectory } from '../../agent/escrow/entra-directory.js';
import type { AgentService } from '../../agent/service/agent-service.js';
import { WsConnector } from '../../agent/transport/ws-connector.js';
import { startManagementServer, type ManagementServer } from '../../sim/intune/management-server.js';
import { memoryAgent, memoryManagedDevice, type MemoryManagedDevice } from '../../sim/memory-agent.js';
import { choice, entraPolicy, fixture, int, policyBody, str } from '../helpers/intune-policies.js';

const ADMIN = 'server-test-admin';
type Json = Record<string, unknown>;

interface Agent {
  readonly name: string;
  readonly managedDeviceId: string;
  readonly deviceId: string;
  readonly objectId: string;
  readonly managed: MemoryManagedDevice;
  readonly service: AgentService;
}

const open: { agents: Agent[]; servers: ManagementServer[]; dirs: string[] } = { agents: [], servers: [], dirs: [] };

afterEach(async () => {
  for (const a of open.agents.splice(0)) await a.service.stop();
  for (const s of open.servers.splice(0)) await s.close();
  for (const d of open.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function server(dataDir?: string, port = 0): Promise<ManagementServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'lapsim-server-'));
  if (!dataDir) open.dirs.push(dir);
  const s = await startManagementServer({ dataDir: dir, port, adminToken: ADMIN, clock: new SystemClock(), rng: new SeededRng(port + 11), sessionTimeoutMs: 5_000 });
  open.servers.push(s);
  return s;
}

async function call(s: ManagementServer, method: string, path: string, body?: unknown, token = ADMIN): Promise<{ status: number; json: Json }> {
  const r = await fetch(`${s.url}${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
}

async function ok(s: ManagementServer, method: string, path: string, status: number, body?: unknown): Promise<Json> {
  const r = await call(s, method, path, body);
  if (r.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${r.status} ${JSON.stringify(r.json).slice(0, 400)}`);
  return r.json;
}

async function waitFor(pred: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Registers a device with the server and starts its agent over ws. */
async function agent(s: ManagementServer, name: string, joinType: 'entra' | 'hybrid' = 'entra'): Promise<Agent> {
  const reg = await ok(s, 'POST', '/lapsim/intune/devices', 201, { deviceName: name, joinType, osVersion: '10.0.26100.4349' });
  const entra = reg['entra'] as { tenantId: string; deviceToken: string };
  const deviceId = reg['deviceId'] as string;
  const clock = new SystemClock();
  const rng = new SeededRng(name);
  const directory = new EntraDirectory({
    baseUrl: s.url, rng, clock, auth: (id) => (id === deviceId ? { tenantId: entra.tenantId, deviceToken: new Secret(entra.deviceToken) } : undefined),
  });
  const managed = memoryManagedDevice({
    identity: { deviceId, name, osBuild: '10.0.26100.4349', joinType, isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1004336348-1177238915-682003330' },
    clock, rng, directory,
  });
  const connector = new WsConnector({ server: s.url.replace(/^http/, 'ws'), deviceId, token: reg['channelToken'] as string });
  const service = memoryAgent({ managed, connector, clock, realClock: clock, rng, hourly: 'clock', sessionTimeoutMs: 5_000, backoff: { initialMs: 50, maxMs: 300 }, shutdownGraceMs: 5_000 });
  const a: Agent = { name, managedDeviceId: reg['managedDeviceId'] as string, deviceId, objectId: reg['objectId'] as string, managed, service };
  open.agents.push(a);
  await service.start();
  return a;
}

function values(a: Agent): Json {
  return Object.fromEntries(a.managed.root.load().values);
}

async function statuses(s: ManagementServer, policyId: string): Promise<Json> {
  const j = await ok(s, 'GET', `/lapsim/intune/reports/policies/${policyId}/deviceStatus`, 200);
  return Object.fromEntries((j['value'] as Json[]).map((r) => [r['DeviceName'], r['ReportStatus']]));
}

async function backedUp(s: ManagementServer, a: Agent): Promise<number> {
  return (s.entra.store.device(a.deviceId)?.lastBackupAt ?? 0);
}

describe('lapsim server with real agents over the device channel', () => {
  it('import, assign, apply, back up; rotate one device from the API and log on with the revealed password', async () => {
    const s = await server();
    const [a, b] = [await agent(s, 'PC-E2E-A'), await agent(s, 'PC-E2E-B')];
    const group = (await ok(s, 'POST', '/v1.0/groups', 201, { displayName: 'LAPS devices', mailEnabled: false, mailNickname: 'laps', securityEnabled: true }))['id'] as string;
    for (const d of [a, b]) await ok(s, 'POST', `/v1.0/groups/${group}/members/$ref`, 204, { '@odata.id': `https://graph.microsoft.com/v1.0/devices/${d.objectId}` });
    const exported = fixture('laps-entra-export.json');
    const settings = (exported['settings'] as Json[]).filter((x) => !JSON.stringify(x).includes('administratoraccountname'));
    const id = (await ok(s, 'POST', '/beta/deviceManagement/configurationPolicies', 201, { ...exported, settings }))['id'] as string;
    await ok(s, 'POST', `/beta/deviceManagement/configurationPolicies/${id}/assign`, 200, { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: group } }] });
    await waitFor(async () => JSON.stringify(await statuses(s, id)) === JSON.stringify({ 'PC-E2E-A': 'Succeeded', 'PC-E2E-B': 'Succeeded' }), 'both devices to succeed');
    expect(values(a)).toEqual({ BackupDirectory: '1', PasswordAgeDays: '30', PasswordComplexity: '4', PasswordLength: '20', PostAuthenticationActions: '3', PostAuthenticationResetDelay: '8' });
    await waitFor(async () => (await backedUp(s, a)) > 0 && (await backedUp(s, b)) > 0, 'both backups');
    const list = (await ok(s, 'GET', '/lapsim/intune/reports/lapsDevices', 200))['value'] as Json[];
    expect(list.map((r) => [r['DeviceName'], r['AccountName'], r['BackupDirectory'], r['Online']])).toEqual([
      ['PC-E2E-A', 'Administrator', 'azureActiveDirectory', true], ['PC-E2E-B', 'Administrator', 'azureActiveDirectory', true],
    ]);
    const first = (await ok(s, 'GET', `/lapsim/intune/managedDevices/${a.managedDeviceId}/localAdminPassword/reveal`, 200))['password'] as string;
    expect(first).toHaveLength(20);
    expect(a.managed.device.logon('Administrator', new Secret(first)).ok).toBe(true);
    const firstBackup = await backedUp(s, a);
    await ok(s, 'POST', `/beta/deviceManagement/managedDevices/${a.managedDeviceId}/rotateLocalAdminPassword`, 204);
    const results = async (): Promise<Json[]> => (await ok(s, 'GET', `/beta/deviceManagement/managedDevices/${a.managedDeviceId}`, 200))['deviceActionResults'] as Json[];
    await waitFor(async () => (await results())[0]?.['actionState'] === 'done', 'the rotation to be done');
    expect(await backedUp(s, a)).toBeGreaterThan(firstBackup);
    const second = (await ok(s, 'GET', `/lapsim/intune/managedDevices/${a.managedDeviceId}/localAdminPassword/reveal`, 200))['password'] as string;
    expect(second).not.toBe(first);
    expect(a.managed.device.logon('Administrator', new Secret(second)).ok).toBe(true);
    expect(a.managed.device.logon('Administrator', new Secret(first)).ok).toBe(false);
    const audit = ((await ok(s, 'GET', '/beta/deviceManagement/auditEvents', 200))['value'] as Json[]).map((e) => e['activity']);
    expect(audit).toEqual(['Create DeviceManagementConfigurationPolicy', 'Assign DeviceManagementConfigurationPolicy', 'Read local admin password ManagedDevice',
      'rotateLocalAdminPassword ManagedDevice', 'Read local admin password ManagedDevice']);
    s.dm.assertNothingPending();
  });

  it('both conflict cases and their resolution, a user-group flip with sign-ins, unassignment, and a server restart in the middle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapsim-server-'));
    open.dirs.push(dir);
    let s = await server(dir);
    const port = s.port;
    const [a, b] = [await agent(s, 'PC-E2E-C'), await agent(s, 'PC-E2E-D')];
    const base = (await ok(s, 'POST', '/beta/deviceManagement/configurationPolicies', 201, entraPolicy('Base', { length: 16 })))['id'] as string;
    const g = (await ok(s, 'POST', '/v1.0/groups', 201, { displayName: 'C', mailEnabled: false, mailNickname: 'c', securityEnabled: true, 'members@odata.bind': [
      `https://graph.microsoft.com/v1.0/directoryObjects/${a.objectId}`] }))['id'] as string;
    await ok(s, 'POST', `/beta/deviceManagement/configurationPolicies/${base}/assign`, 200, { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: g } }] });
    await waitFor(() => values(a)['PasswordLength'] === '16', 'device C configured');
    const rival = (await ok(s, 'POST', '/beta/deviceManagement/configurationPolicies', 201, entraPolicy('Rival', { length: 24 })))['id'] as string;
    await ok(s, 'POST', `/beta/deviceManagement/configurationPolicies/${rival}/assign`, 200, { assignments: [{ target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } }] });
    await waitFor(async () => (await statuses(s, rival))['PC-E2E-D'] === 'Succeeded', 'device D configured by Rival alone');
    expect(await statuses(s, base)).toEqual({ 'PC-E2E-C': 'Conflict' });
    expect((await statuses(s, rival))['PC-E2E-C']).toBe('Conflict');
    expect(values(a)['PasswordLength']).toBe('16');

    await s.close();
    open.servers.splice(open.servers.indexOf(s), 1);
    s = await server(dir, port);
    await waitFor(() => s.dm.isConnected(a.deviceId) && s.dm.isConnected(b.deviceId), 'agents to reconnect');
    expect(await statuses(s, base)).toEqual({ 'PC-E2E-C': 'Conflict' });
    await ok(s, 'PUT', `/beta/deviceManagement/configurationPolicies/${rival}`, 200, entraPolicy('Rival', { length: 16 }));
    await waitFor(async () => (await statuses(s, base))['PC-E2E-C'] === 'Succeeded' && (await statuses(s, rival))['PC-E2E-D'] === 'Succeeded', 'aligned values to converge');
    expect(values(b)['PasswordLength']).toBe('16');

    const fresh = await agent(s, 'PC-E2E-E');
    const clash = (await ok(s, 'POST', '/beta/deviceManagement/configurationPolicies', 201,
      policyBody('AD clash', [choice('backupdirectory', '2', [int('passwordagedays', 10)])])))['id'] as string;
    const late = (await ok(s, 'POST', '/v1.0/groups', 201, { displayName: 'Late', mailEnabled: false, mailNickname: 'late', securityEnabled: true }))['id'] as string;
    await ok(s, 'POST', `/beta/deviceManagement/configurationPolicies/${clash}/assign`, 200, { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: late } }] });
    await ok(s, 'POST', `/beta/deviceManagement/configurationPolicies/${rival}/assign`, 200, { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: late } }] });
    await ok(s, 'POST', `/v1.0/groups/${late}/members/$ref`, 204, { '@odata.id': `https://graph.microsoft.com/v1.0/devices/${fresh.objectId}` });
    await waitFor(async () => (await statuses(s, clash))['PC-E2E-E'] === 'Conflict', 'the new device to be in conflict');
    expect(values(fresh)).toEqual({});
    await ok(s, 'POST', `/beta/deviceManagement/configurationPolicies/${clash}/assign`, 200, { assignments: [] });
    await waitFor(() => values(fresh)['PasswordLength'] === '16', 'the new device to converge');

    const alice = (await ok(s, 'POST', '/v1.0/users', 201, { displayName: 'Alice', userPrincipalName: 'alice@contoso.com' }))['id'] as string;
    const ua = (await ok(s, 'POST', '/v1.0/groups', 201, { displayName: 'Alice', mailEnabled: false, mailNickname: 'a', securityEnabled: true,
      'members@odata.bind': [`https://graph.microsoft.com/v1.0/users/${alice}`] }))['id'] as string;
    const forAlice = (await ok(s, 'POST', '/beta/deviceManagement/configurationPolicies', 201, policyBody('Alice', [choice('backupdirectory', '1'),
      choice('automaticaccountmanagementenabled', 'true', [str('automaticaccountmanagementnameorprefix', 'AliceAdmin'), choice('automaticaccountmanagementtarget', '1')]),
    ])))['id'] as string;
    await ok(s, 'POST', `/beta/deviceManagement/configurationPolicies/${forAlice}/assign`, 200, { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: ua } }] });
    await ok(s, 'POST', `/lapsim/intune/devices/${b.managedDeviceId}/signIn`, 200, { user: 'alice@contoso.com' });
    await waitFor(() => values(b)['AutomaticAccountManagementNameOrPrefix'] === 'AliceAdmin', 'Alice\'s policy on device D');
    await waitFor(() => b.managed.accounts.list().some((x) => x.name === 'AliceAdmin'), 'the AliceAdmin account');
    await ok(s, 'POST', `/lapsim/intune/devices/${b.managedDeviceId}/signOut`, 200);
    await waitFor(() => values(b)['AutomaticAccountManagementNameOrPrefix'] === undefined, 'Alice\'s policy removed on sign-out');

    await ok(s, 'POST', `/beta/deviceManagement/configurationPolicies/${rival}/assign`, 200, { assignments: [] });
    await ok(s, 'DELETE', `/beta/deviceManagement/configurationPolicies/${base}`, 204);
    await waitFor(() => Object.keys(values(a)).length === 0 && Object.keys(values(b)).length === 0 && Object.keys(values(fresh)).length === 0, 'every device emptied');
    s.dm.assertNothingPending();
  });
});
