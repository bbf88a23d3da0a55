/**
 * The whole role x endpoint matrix over real HTTP: every route of the Intune emulator is called
 * with a token of every role (and the master token); the expected outcome is written here by hand
 * from laps-behaviour.md 11.3-11.4 (rotation only for the custom LAPS Rotation Operator role,
 * passwords for Cloud Device Administrator and Intune Administrator, audit for the read-only
 * operator, policies for the Endpoint Security Manager), independently of the route table. A
 * refused call is 403 Forbidden naming the missing permission; an allowed one is never 401/403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTUNE_ROUTES } from '../../sim/intune/http/intune-handler.js';
import { ROLE_NAMES } from '../../sim/intune/rbac.js';
import { ADMIN, IntuneHarness, type RegisteredDevice } from '../helpers/intune-harness.js';
import { entraPolicy } from '../helpers/intune-policies.js';

type Role = 'Intune Administrator' | 'Endpoint Security Manager' | 'Read Only Operator' | 'Help Desk Operator' | 'Cloud Device Administrator' | 'LAPS Rotation Operator';
const IA: Role = 'Intune Administrator';
const ESM: Role = 'Endpoint Security Manager';
const ROO: Role = 'Read Only Operator';
const HDO: Role = 'Help Desk Operator';
const CDA: Role = 'Cloud Device Administrator';
const LRO: Role = 'LAPS Rotation Operator';
const ALL: Role[] = [IA, ESM, ROO, HDO, CDA, LRO];
const POLICY_READERS: Role[] = [IA, ESM, ROO, HDO];
const POLICY_WRITERS: Role[] = [IA, ESM];
const DEVICE_READERS: Role[] = [IA, ESM, ROO, HDO, LRO];
const DIRECTORY_READERS: Role[] = [IA, ESM, ROO, HDO];

/** Who may call each route, by hand. */
const EXPECTED: Record<string, Role[]> = {
  'policies.list': POLICY_READERS, 'policies.get': POLICY_READERS, 'policies.settings': POLICY_READERS, 'policies.assignments.list': POLICY_READERS,
  'policies.assignments.get': POLICY_READERS, 'policies.syncml': POLICY_READERS,
  'policies.create': POLICY_WRITERS, 'policies.replace': POLICY_WRITERS, 'policies.patch': POLICY_WRITERS, 'policies.delete': POLICY_WRITERS,
  'policies.assign': POLICY_WRITERS, 'policies.assignments.create': POLICY_WRITERS, 'policies.assignments.delete': POLICY_WRITERS,
  'users.list': DIRECTORY_READERS, 'users.get': DIRECTORY_READERS, 'users.create': [IA],
  'groups.list': DIRECTORY_READERS, 'groups.get': DIRECTORY_READERS, 'groups.members.list': DIRECTORY_READERS,
  'groups.create': [IA], 'groups.delete': [IA], 'groups.members.add': [IA], 'groups.members.remove': [IA],
  'devices.list': [...DIRECTORY_READERS, CDA], 'devices.get': [...DIRECTORY_READERS, CDA],
  'managedDevices.list': DEVICE_READERS, 'managedDevices.get': DEVICE_READERS, 'managedDevices.users': DEVICE_READERS,
  'managedDevices.executeAction': DEVICE_READERS, 'managedDevices.rotateLocalAdminPassword': [LRO],
  'localAdminPassword.get': [IA, CDA], 'localAdminPassword.reveal': [IA, CDA],
  'reports.policyDevices': POLICY_READERS, 'reports.policySettings': POLICY_READERS, 'lapsimReports.policyDeviceStatus': POLICY_READERS,
  'lapsimReports.policySettingStatus': POLICY_READERS,
  'reports.devicePolicies': DEVICE_READERS, 'reports.deviceSettings': DEVICE_READERS, 'lapsimReports.deviceSettings': DEVICE_READERS,
  'lapsimReports.devicePolicies': DEVICE_READERS, 'lapsimReports.lapsDevices': DEVICE_READERS,
  'auditEvents.list': [IA, ESM, ROO], 'auditEvents.get': [IA, ESM, ROO],
  'admin.devices.register': [], 'admin.devices.signIn': [], 'admin.devices.signOut': [], 'admin.tokens.create': [],
  'admin.devices.get': DEVICE_READERS, 'admin.roles': ALL, 'admin.me': ALL,
};

let h: IntuneHarness;
let device: RegisteredDevice;
let policyId = '';
let groupId = '';
let userId = '';
let auditId = '';
const tokens = new Map<Role, string>();

beforeAll(async () => {
  h = await IntuneHarness.start();
  device = await h.register('PC-RBAC');
  policyId = await h.policy(entraPolicy('RBAC'));
  groupId = await h.group('RBAC group', [device.objectId]);
  userId = (await h.ok('POST', '/v1.0/users', 201, { displayName: 'U', userPrincipalName: 'u@contoso.com' }))['id'] as string;
  await h.assign(policyId, [groupId]);
  auditId = ((await h.ok('GET', '/beta/deviceManagement/auditEvents', 200))['value'] as { id: string }[])[0]!.id;
  for (const r of ALL) tokens.set(r, await h.token([r], [], `${r.replace(/ /g, '.').toLowerCase()}@contoso.com`));
});
afterAll(async () => {
  await h.close();
});

/** One request per route, with ids of objects that exist (the body matters only when allowed). */
function sample(name: string): { method: string; path: string; body?: unknown } {
  const P = `/beta/deviceManagement/configurationPolicies/${policyId}`;
  const M = `/beta/deviceManagement/managedDevices/${device.managedDeviceId}`;
  const A = `${policyId}_${groupId}`;
  const assignBody = { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId } }] };
  const report = (subject: string, id: string) => ({ filter: `(${subject} eq '${id}')` });
  const table: Record<string, { method: string; path: string; body?: unknown }> = {
    'policies.list': { method: 'GET', path: '/beta/deviceManagement/configurationPolicies' },
    'policies.create': { method: 'POST', path: '/beta/deviceManagement/configurationPolicies', body: entraPolicy('new') },
    'policies.get': { method: 'GET', path: P },
    'policies.replace': { method: 'PUT', path: P, body: entraPolicy('RBAC') },
    'policies.patch': { method: 'PATCH', path: P, body: { description: 'x' } },
    'policies.delete': { method: 'DELETE', path: '/beta/deviceManagement/configurationPolicies/00000000-0000-4000-8000-000000000001' },
    'policies.settings': { method: 'GET', path: `${P}/settings` },
    'policies.assign': { method: 'POST', path: `${P}/assign`, body: assignBody },
    'policies.assignments.list': { method: 'GET', path: `${P}/assignments` },
    'policies.assignments.create': { method: 'POST', path: `${P}/assignments`, body: assignBody.assignments[0] },
    'policies.assignments.get': { method: 'GET', path: `${P}/assignments/${A}` },
    'policies.assignments.delete': { method: 'DELETE', path: `${P}/assignments/${policyId}_00000000-0000-4000-8000-000000000002` },
    'policies.syncml': { method: 'GET', path: `/lapsim/intune/configurationPolicies/${policyId}/syncml` },
    'users.list': { method: 'GET', path: '/v1.0/users' },
    'users.create': { method: 'POST', path: '/v1.0/users', body: { displayName: 'X', userPrincipalName: `x${Math.floor(tokens.size)}@contoso.com` } },
    'users.get': { method: 'GET', path: `/v1.0/users/${userId}` },
    'groups.list': { method: 'GET', path: '/v1.0/groups' },
    'groups.create': { method: 'POST', path: '/v1.0/groups', body: { displayName: 'G', mailEnabled: false, mailNickname: 'g', securityEnabled: true } },
    'groups.get': { method: 'GET', path: `/v1.0/groups/${groupId}` },
    'groups.delete': { method: 'DELETE', path: '/v1.0/groups/00000000-0000-4000-8000-000000000003' },
    'groups.members.list': { method: 'GET', path: `/v1.0/groups/${groupId}/members` },
    'groups.members.add': { method: 'POST', path: `/v1.0/groups/${groupId}/members/$ref`, body: { '@odata.id': `https://graph.microsoft.com/v1.0/users/${userId}` } },
    'groups.members.remove': { method: 'DELETE', path: `/v1.0/groups/${groupId}/members/${userId}/$ref` },
    'devices.list': { method: 'GET', path: '/v1.0/devices' },
    'devices.get': { method: 'GET', path: `/v1.0/devices/${device.objectId}` },
    'managedDevices.list': { method: 'GET', path: '/beta/deviceManagement/managedDevices' },
    'managedDevices.executeAction': { method: 'POST', path: '/beta/deviceManagement/managedDevices/executeAction', body: { actionName: 'syncDevice' } },
    'managedDevices.get': { method: 'GET', path: M },
    'managedDevices.users': { method: 'GET', path: `${M}/users` },
    'managedDevices.rotateLocalAdminPassword': { method: 'POST', path: `${M}/rotateLocalAdminPassword` },
    'localAdminPassword.get': { method: 'GET', path: `/lapsim/intune/managedDevices/${device.managedDeviceId}/localAdminPassword` },
    'localAdminPassword.reveal': { method: 'GET', path: `/lapsim/intune/managedDevices/${device.managedDeviceId}/localAdminPassword/reveal` },
    'reports.policyDevices': { method: 'POST', path: '/beta/deviceManagement/reports/getConfigurationPolicyDevicesReport', body: report('PolicyId', policyId) },
    'reports.policySettings': { method: 'POST', path: '/beta/deviceManagement/reports/getConfigurationPolicySettingsDeviceSummaryReport', body: report('PolicyId', policyId) },
    'reports.devicePolicies': { method: 'POST', path: '/beta/deviceManagement/reports/getConfigurationPoliciesReportForDevice', body: report('IntuneDeviceId', device.managedDeviceId) },
    'reports.deviceSettings': { method: 'POST', path: '/beta/deviceManagement/reports/getConfigurationSettingsReport', body: report('IntuneDeviceId', device.managedDeviceId) },
    'lapsimReports.policyDeviceStatus': { method: 'GET', path: `/lapsim/intune/reports/policies/${policyId}/deviceStatus` },
    'lapsimReports.policySettingStatus': { method: 'GET', path: `/lapsim/intune/reports/policies/${policyId}/settingStatus` },
    'lapsimReports.deviceSettings': { method: 'GET', path: `/lapsim/intune/reports/devices/${device.managedDeviceId}/settings` },
    'lapsimReports.devicePolicies': { method: 'GET', path: `/lapsim/intune/reports/devices/${device.managedDeviceId}/policies` },
    'lapsimReports.lapsDevices': { method: 'GET', path: '/lapsim/intune/reports/lapsDevices' },
    'auditEvents.list': { method: 'GET', path: '/beta/deviceManagement/auditEvents' },
    'auditEvents.get': { method: 'GET', path: `/beta/deviceManagement/auditEvents/${auditId}` },
    'admin.devices.register': { method: 'POST', path: '/lapsim/intune/devices', body: { deviceName: 'PC-NEW' } },
    'admin.devices.get': { method: 'GET', path: `/lapsim/intune/devices/${device.managedDeviceId}` },
    'admin.devices.signIn': { method: 'POST', path: `/lapsim/intune/devices/${device.managedDeviceId}/signIn`, body: { user: userId } },
    'admin.devices.signOut': { method: 'POST', path: `/lapsim/intune/devices/${device.managedDeviceId}/signOut` },
    'admin.tokens.create': { method: 'POST', path: '/lapsim/intune/tokens', body: { roles: ['Read Only Operator'] } },
    'admin.roles': { method: 'GET', path: '/lapsim/intune/roles' },
    'admin.me': { method: 'GET', path: '/lapsim/intune/me' },
  };
  const s = table[name];
  if (!s) throw new Error(`no sample request for route ${name}`);
  return s;
}

describe('RBAC: every role against every endpoint', () => {
  it('covers every route and every role', () => {
    expect(INTUNE_ROUTES.map((r) => r.name).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect([...ROLE_NAMES].sort()).toEqual([...ALL].sort());
  });

  for (const route of INTUNE_ROUTES.map((r) => r.name)) {
    it(route, async () => {
      const s = sample(route);
      const allowed = EXPECTED[route] ?? [];
      for (const role of ALL) {
        const a = await h.call(s.method, s.path, tokens.get(role)!, s.body);
        if (allowed.includes(role)) {
          expect([401, 403], `${role} ${s.method} ${s.path}: ${a.text.slice(0, 200)}`).not.toContain(a.status);
          expect(a.status, `${role} ${s.method} ${s.path}: ${a.text.slice(0, 200)}`).toBeLessThan(500);
          if (process.env['LAPSIM_RBAC_TRACE']) process.stdout.write(`${route} ${role} ${a.status}\n`);
        } else {
          expect(a.status, `${role} ${s.method} ${s.path}`).toBe(403);
          const err = a.json['error'] as Record<string, string>;
          expect(err['code']).toBe('Forbidden');
          expect(err['message']).toMatch(/lacks the permission this request needs: \S/);
        }
      }
      const master = await h.call(s.method, s.path, ADMIN, s.body);
      expect([401, 403], `master ${s.method} ${s.path}`).not.toContain(master.status);
      expect((await h.call(s.method, s.path, null, s.body)).status).toBe(401);
    });
  }

  it('the same tokens on the mounted Entra emulator: passwords for their readers, audit for auditors', async () => {
    const expectations: [Role, number, number][] = [[IA, 200, 200], [ESM, 403, 200], [ROO, 403, 200], [HDO, 403, 403], [CDA, 200, 403], [LRO, 403, 403]];
    for (const [role, creds, audits] of expectations) {
      const t = tokens.get(role)!;
      expect((await h.call('GET', '/v1.0/directory/deviceLocalCredentials', t)).status, role).toBe(creds);
      expect((await h.call('GET', '/v1.0/auditLogs/directoryAudits', t)).status, role).toBe(audits);
    }
  });
});
