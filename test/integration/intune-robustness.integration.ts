/**
 * Nothing a client sends crashes the Intune emulator: a seeded stream of requests on every route
 * (every method, ids that exist or not, odd encodings, bodies that are random JSON, not JSON,
 * nested deep or the wrong type, odd query options) gets a Graph answer below 500, and the server
 * keeps serving afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntuneHarness, type RegisteredDevice } from '../helpers/intune-harness.js';
import { entraPolicy, fixture } from '../helpers/intune-policies.js';

let h: IntuneHarness;
let device: RegisteredDevice;
let policyId = '';
let groupId = '';

beforeAll(async () => {
  h = await IntuneHarness.start();
  device = await h.register('PC-FUZZ');
  policyId = await h.policy(entraPolicy('Fuzz', { account: 'A' }));
  groupId = await h.group('Fuzz', [device.objectId]);
});
afterAll(async () => {
  await h.close();
});

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function paths(): string[] {
  const P = '/beta/deviceManagement/configurationPolicies';
  const M = '/beta/deviceManagement/managedDevices';
  const ids = [policyId, device.managedDeviceId, groupId, 'x', '%E0%A4%A', "')('", '..', ''];
  const out: string[] = [];
  for (const id of ids) {
    out.push(`${P}/${id}`, `${P}('${id}')`, `${P}/${id}/settings`, `${P}/${id}/assign`, `${P}/${id}/assignments`, `${P}/${id}/assignments/${id}_${groupId}`,
      `${M}/${id}`, `${M}/${id}/rotateLocalAdminPassword`, `${M}/${id}/users`, `/v1.0/groups/${id}`, `/v1.0/groups/${id}/members`,
      `/v1.0/groups/${id}/members/$ref`, `/v1.0/groups/${id}/members/${id}/$ref`, `/v1.0/users/${id}`, `/v1.0/devices/${id}`,
      `/lapsim/intune/devices/${id}`, `/lapsim/intune/devices/${id}/signIn`, `/lapsim/intune/managedDevices/${id}/localAdminPassword/reveal`,
      `/lapsim/intune/reports/policies/${id}/deviceStatus`, `/lapsim/intune/reports/devices/${id}/settings`, `/lapsim/intune/configurationPolicies/${id}/syncml`);
  }
  out.push(P, M, `${M}/executeAction`, '/v1.0/groups', '/v1.0/users', '/v1.0/devices', '/lapsim/intune/devices', '/lapsim/intune/tokens',
    '/beta/deviceManagement/auditEvents', '/beta/deviceManagement/reports/getConfigurationPolicyDevicesReport', '/lapsim/intune/reports/lapsDevices');
  return out;
}

const QUERIES = ['', '?$top=0', '?$top=-1', '?$top=99999999999', '?$skiptoken=abc', '?$filter=%28', '?$select=nosuch', '?$expand=settings,assignments',
  '?$orderby=name%20desc', '?$count=maybe', '?$format=csv', "?$filter=name%20eq%20'x'%20and%20(", '?$search=x'];

const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{"settings":[{"settingInstance":{"settingDefinitionId":"device_vendor_msft_laps_policies_backupdirectory","choiceSettingValue":{"children":{}}}}]}',
    '{"assignments":[{"target":null}]}', '{"@odata.id":42}', '{"roles":["x"]}', '{"deviceName":"' + 'x'.repeat(70) + '"}', `${'['.repeat(5000)}${']'.repeat(5000)}`,
    '{"name":"n","templateReference":{"templateId":"adc46e5a-f4aa-4ff6-aeff-4f27bc525796_1"},"settings":[null,1,"x",[]]}', '{"user":{}}', '{"filter":7,"top":"x"}'),
);

describe('robustness of the Intune emulator', () => {
  it('answers a seeded stream of odd requests below 500', async () => {
    const all = paths();
    await fc.assert(fc.asyncProperty(fc.constantFrom(...METHODS), fc.constantFrom(...all), fc.constantFrom(...QUERIES), fc.option(body, { nil: undefined }),
      async (method, path, query, raw) => {
        const a = await h.call(method, `${path}${query}`, 'intune-test-admin', method === 'GET' ? undefined : raw);
        expect(a.status, `${method} ${path}${query} ${String(raw).slice(0, 80)} -> ${a.text.slice(0, 200)}`).toBeLessThan(500);
      }), { numRuns: 600, seed: 20260301 });
    const stillThere = await h.ok('GET', `/beta/deviceManagement/configurationPolicies?$top=1`, 200);
    expect(stillThere['value']).toBeDefined();
    expect((await h.call('POST', '/beta/deviceManagement/configurationPolicies', 'intune-test-admin', fixture('laps-24h2-export.json'))).status).toBe(201);
  });
});
