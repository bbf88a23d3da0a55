/**
 * configurationPolicies over real HTTP: a policy exported from a tenant imports unchanged (UTF-8,
 * BOM, CRLF, UTF-16LE), reads back with template references filled in, round-trips, is listed
 * with the filters LAPS tools use, replaced, merged, deleted and assigned; invalid input gets a
 * Graph error naming the setting and the reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntuneHarness } from '../helpers/intune-harness.js';
import { entraPolicy, fixture, fixtureText, int, policyBody } from '../helpers/intune-policies.js';

const BASE = '/beta/deviceManagement/configurationPolicies';
const P = 'device_vendor_msft_laps_policies_';
type Json = Record<string, unknown>;

let h: IntuneHarness;
beforeEach(async () => {
  h = await IntuneHarness.start();
});
afterEach(async () => {
  await h.close();
});

function settingIds(settings: Json[]): string[] {
  const walk = (i: Json): string[] => {
    const children = ((i['choiceSettingValue'] as Json | undefined)?.['children'] as Json[] | undefined) ?? [];
    return [String(i['settingDefinitionId']).replace(P, ''), ...children.flatMap(walk)];
  };
  return settings.flatMap((s) => walk(s['settingInstance'] as Json));
}

describe('importing and reading policies', () => {
  it('imports a tenant export unchanged and reads it back with template references filled in', async () => {
    const created = await h.ok('POST', BASE, 201, fixture('laps-entra-export.json'));
    expect(created['id']).not.toBe('5e1c2a8b-0d7f-4c55-9a43-1f6b2d9e7c10');
    expect(created['settings']).toBeUndefined();
    expect(created['isAssigned']).toBe(false);
    const id = created['id'] as string;
    const got = await h.ok('GET', `${BASE}/${id}?$expand=settings,assignments`, 200);
    expect(got['@odata.context']).toBe(`${h.url}/beta/$metadata#deviceManagement/configurationPolicies(settings(),assignments())/$entity`);
    expect(got['settingCount']).toBe(6);
    expect(got['templateReference']).toEqual({
      templateId: 'adc46e5a-f4aa-4ff6-aeff-4f27bc525796_1', templateFamily: 'endpointSecurityAccountProtection',
      templateDisplayName: 'Local admin password solution (Windows LAPS)', templateDisplayVersion: 'Version 1',
    });
    expect(got['createdDateTime']).toBe('2026-03-01T09:00:00.0000000Z');
    expect(got['assignments']).toEqual([]);
    const settings = got['settings'] as Json[];
    expect(settings.map((s) => s['id'])).toEqual(['0', '1', '2', '3', '4', '5']);
    const selected = await h.ok('GET', `${BASE}/${id}?$select=name,settingCount`, 200);
    expect(Object.keys(selected)).toEqual(['@odata.context', 'id', 'name', 'settingCount']);
    const bd = settings[0]!['settingInstance'] as Json;
    expect(bd['settingInstanceTemplateReference']).toEqual({
      '@odata.type': '#microsoft.graph.deviceManagementConfigurationSettingInstanceTemplateReference', settingInstanceTemplateId: 'a3270f64-e493-499d-8900-90290f61ed8a',
    });
    const value = bd['choiceSettingValue'] as Json;
    expect(value['settingValueTemplateReference']).toEqual({
      '@odata.type': '#microsoft.graph.deviceManagementConfigurationSettingValueTemplateReference', settingValueTemplateId: '4d90f03d-e14c-43c4-86da-681da96a2f92', useTemplateDefault: false,
    });
    const child = (value['children'] as Json[])[0]!;
    expect(child['settingInstanceTemplateReference']).toBeNull();
    expect(child['simpleSettingValue']).toEqual({ '@odata.type': '#microsoft.graph.deviceManagementConfigurationIntegerSettingValue', settingValueTemplateReference: null, value: 30 });
  });

  it('fills template references a POST left out, and a GET re-imports to the same policy', async () => {
    const id = await h.policy(fixture('laps-ad-post.json'));
    const first = await h.ok('GET', `${BASE}('${id}')?$expand=settings`, 200);
    const dir = (first['settings'] as Json[])[0]!['settingInstance'] as Json;
    expect((dir['choiceSettingValue'] as Json)['settingValueTemplateReference']).toMatchObject({ useTemplateDefault: false });
    const again = await h.policy(first);
    const second = await h.ok('GET', `${BASE}/${again}?$expand=settings`, 200);
    expect(second['settings']).toEqual(first['settings']);
    expect(settingIds(second['settings'] as Json[])).toEqual(['backupdirectory', 'passwordagedays', 'passwordexpirationprotectionenabled',
      'adpasswordencryptionenabled', 'adpasswordencryptionprincipal', 'adencryptedpasswordhistorysize', 'passwordlength']);
  });

  it('reads exports written with a UTF-8 BOM and CRLF, and as UTF-16LE', async () => {
    const text = fixtureText('laps-24h2-export.json').replace(/\n/g, '\r\n');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    expect((await h.call('POST', BASE, 'intune-test-admin', bom)).status).toBe(201);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const a = await h.call('POST', BASE, 'intune-test-admin', utf16);
    expect(a.status).toBe(201);
    const got = await h.ok('GET', `${BASE}/${a.json['id'] as string}?$expand=settings`, 200);
    expect(got['name']).toBe('Win - OIB - ES - Windows LAPS - D - LAPS Configuration (24H2) - v3.5');
    expect(settingIds(got['settings'] as Json[])).toContain('automaticaccountmanagementrandomizename');
  });

  it('lists policies with the filters LAPS tools use, pages with @odata.nextLink, and serves the settings collection', async () => {
    for (let i = 0; i < 3; i++) await h.policy(entraPolicy(`LAPS ${i}`, { length: 14 + i }));
    const family = await h.ok('GET', `${BASE}?$filter=${encodeURIComponent("templateReference/templateFamily eq 'endpointSecurityAccountProtection'")}`, 200);
    expect((family['value'] as Json[]).map((p) => p['name'])).toEqual(['LAPS 0', 'LAPS 1', 'LAPS 2']);
    const byName = await h.ok('GET', `${BASE}?$filter=${encodeURIComponent("templateReference/TemplateDisplayName eq 'Local admin password solution (Windows LAPS)'")}&$select=id,name`, 200);
    expect(byName['value']).toHaveLength(3);
    expect(Object.keys((byName['value'] as Json[])[0]!)).toEqual(['id', 'name']);
    const page1 = await h.ok('GET', `${BASE}?$top=2&$expand=settings`, 200);
    expect(page1['value']).toHaveLength(2);
    const next = String(page1['@odata.nextLink']);
    expect(next.startsWith(`${h.url}${BASE}?`)).toBe(true);
    const page2 = await h.ok('GET', next.slice(h.url.length), 200);
    expect((page2['value'] as Json[]).map((p) => p['name'])).toEqual(['LAPS 2']);
    expect((page2['value'] as Json[])[0]!['settings']).toHaveLength(2);
    expect(page2['@odata.nextLink']).toBeUndefined();
    const id = (page2['value'] as Json[])[0]!['id'] as string;
    const settings = await h.ok('GET', `${BASE}/${id}/settings`, 200);
    expect((settings['value'] as Json[]).map((s) => (s['settingInstance'] as Json)['settingDefinitionId'])).toEqual([`${P}backupdirectory`, `${P}passwordlength`]);
  });
});

describe('changing policies', () => {
  it('PUT replaces the settings, PATCH merges top-level fields, DELETE removes', async () => {
    const id = await h.policy(entraPolicy('Before', { account: 'LapsAdmin', length: 14 }));
    const put = await h.ok('PUT', `${BASE}/${id}`, 200, policyBody('After', [int('passwordlength', 30)]));
    expect(put['name']).toBe('After');
    expect(settingIds(put['settings'] as Json[])).toEqual(['passwordlength']);
    h.clock.advance(60_000);
    const patched = await h.ok('PATCH', `${BASE}/${id}`, 200, { description: 'new text', '@odata.type': '#microsoft.graph.deviceManagementConfigurationPolicy' });
    expect([patched['name'], patched['description'], patched['lastModifiedDateTime']]).toEqual(['After', 'new text', '2026-03-01T09:01:00.0000000Z']);
    expect((await h.ok('GET', `${BASE}/${id}?$expand=settings`, 200))['settingCount']).toBe(1);
    expect((await h.call('DELETE', `${BASE}/${id}`)).status).toBe(204);
    const gone = await h.call('GET', `${BASE}/${id}`);
    expect(gone.status).toBe(404);
    expect((gone.json['error'] as Json)['code']).toBe('ResourceNotFound');
  });

  it('answers an invalid policy with a Graph 400 naming the setting and the reason, and stores nothing', async () => {
    const a = await h.call('POST', BASE, 'intune-test-admin', policyBody('bad', [int('passwordlength', 100)]));
    expect(a.status).toBe(400);
    const err = a.json['error'] as Json;
    expect(err['code']).toBe('BadRequest');
    expect(err['message']).toContain(`Setting '${P}passwordlength'`);
    expect(err['message']).toContain('100 is out of range 8-64');
    expect((err['innerError'] as Json)['request-id']).toBe(a.headers.get('request-id'));
    expect((await h.ok('GET', BASE, 200))['value']).toEqual([]);
    const id = await h.policy(entraPolicy('ok'));
    const bad = await h.call('PUT', `${BASE}/${id}`, 'intune-test-admin', policyBody('x', [int('nosuch', 1)]));
    expect(bad.status).toBe(400);
    expect(String((bad.json['error'] as Json)['message'])).toContain('is not a setting of the Windows LAPS template');
  });

  it('refuses bodies that are not JSON objects or too large, unknown methods and options, and callers without a token', async () => {
    expect((await h.call('POST', BASE, 'intune-test-admin', '{"name":')).status).toBe(400);
    expect((await h.call('POST', BASE, 'intune-test-admin', '[]')).status).toBe(400);
    expect((await h.call('POST', BASE, 'intune-test-admin', '')).status).toBe(400);
    expect((await h.call('POST', BASE, 'intune-test-admin', `{"name":"${'x'.repeat(1_100_000)}"}`)).status).toBe(413);
    const m = await h.call('PATCH', BASE);
    expect([m.status, m.headers.get('allow')]).toEqual([405, 'GET, POST']);
    expect((await h.call('GET', `${BASE}?$expand=settingDefinitions`)).status).toBe(400);
    expect((await h.call('GET', `${BASE}?$filter=${encodeURIComponent('name eq')}`)).status).toBe(400);
    const anon = await h.call('GET', BASE, null);
    expect([anon.status, (anon.json['error'] as Json)['code']]).toEqual([401, 'InvalidAuthenticationToken']);
    expect((await h.call('GET', BASE, 'not-a-token')).status).toBe(401);
  });
});

describe('assignments', () => {
  it('/assign replaces the list, which Graph lists with ids policyId_groupId and filter fields filled in', async () => {
    const id = await h.policy(entraPolicy('Assigned'));
    const g1 = await h.group('LAPS devices');
    const g2 = await h.group('Excluded devices');
    const out = await h.ok('POST', `${BASE}/${id}/assign`, 200, { assignments: [
      { target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: g1, deviceAndAppManagementAssignmentFilterId: '8d2f4c5e-1b7a-4e63-b2c0-0f9e6a1d2b34',
        deviceAndAppManagementAssignmentFilterType: 'include' } },
      { target: { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', groupId: g2 } },
      { target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } },
    ] });
    expect((out['value'] as Json[]).map((a) => a['id'])).toEqual([`${id}_${g1}`, `${id}_${g2}`, `${id}_adadadad-808e-44e2-905a-0b7873a8a531`]);
    const listed = await h.ok('GET', `${BASE}/${id}/assignments`, 200);
    expect((listed['value'] as Json[])[1]).toEqual({
      '@odata.type': '#microsoft.graph.deviceManagementConfigurationPolicyAssignment', id: `${id}_${g2}`, source: 'direct', sourceId: id,
      target: { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', deviceAndAppManagementAssignmentFilterId: null,
        deviceAndAppManagementAssignmentFilterType: 'none', groupId: g2 },
    });
    expect((await h.ok('GET', `${BASE}/${id}`, 200))['isAssigned']).toBe(true);
    await h.ok('DELETE', `${BASE}/${id}/assignments/${id}_${g2}`, 204);
    const added = await h.ok('POST', `${BASE}/${id}/assignments`, 201, { target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' } });
    expect(added['id']).toBe(`${id}_acacacac-9df4-4c7d-9d50-4ef0226f57a9`);
    expect(((await h.ok('GET', `${BASE}/${id}?$expand=assignments`, 200))['assignments'] as Json[]).map((a) => (a['target'] as Json)['@odata.type'])).toEqual([
      '#microsoft.graph.groupAssignmentTarget', '#microsoft.graph.allDevicesAssignmentTarget', '#microsoft.graph.allLicensedUsersAssignmentTarget',
    ]);
    await h.ok('POST', `${BASE}/${id}/assign`, 200, { assignments: [] });
    expect((await h.ok('GET', `${BASE}/${id}`, 200))['isAssigned']).toBe(false);
  });

  it('refuses unknown groups, target types and malformed lists', async () => {
    const id = await h.policy(entraPolicy('x'));
    const unknown = await h.call('POST', `${BASE}/${id}/assign`, 'intune-test-admin', { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: '3f1c0b0e-7a43-4b8e-9a3e-5d0c3a3a9a11' } }] });
    expect([unknown.status, String((unknown.json['error'] as Json)['message'])]).toEqual([400, "The group '3f1c0b0e-7a43-4b8e-9a3e-5d0c3a3a9a11' does not exist."]);
    expect((await h.call('POST', `${BASE}/${id}/assign`, 'intune-test-admin', { assignments: [{ target: { '@odata.type': '#microsoft.graph.scopeTagGroupAssignmentTarget' } }] })).status).toBe(400);
    expect((await h.call('POST', `${BASE}/${id}/assign`, 'intune-test-admin', { assignments: {} })).status).toBe(400);
    expect((await h.call('POST', `${BASE}/${id}/assign`, 'intune-test-admin', { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: 'nope' } }] })).status).toBe(400);
  });

  it('previews the SyncML a device would receive for a policy', async () => {
    const id = await h.policy(fixture('laps-entra-export.json'));
    const a = await h.call('GET', `/lapsim/intune/configurationPolicies/${id}/syncml`);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toContain('application/vnd.syncml.dm+xml');
    expect(a.text).toContain('<Atomic>');
    expect(a.text).toContain('<LocURI>./Device/Vendor/MSFT/LAPS/Policies/AdministratorAccountName</LocURI>');
    expect(a.text).toContain('<Data>ContosoLocalLapsAdmin</Data>');
  });
});
