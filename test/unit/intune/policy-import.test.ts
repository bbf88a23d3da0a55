import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeIssues, importPolicy, type PolicyIssue } from '../../../sim/intune/policy-import.js';
import type { PolicyContent, SettingNode } from '../../../sim/intune/policy-types.js';
import { choice, entraPolicy, fixture, int, policyBody, str } from '../../helpers/intune-policies.js';

const P = 'device_vendor_msft_laps_policies_';

function ok(raw: unknown, mode: 'create' | 'replace' | 'patch' = 'create'): Partial<PolicyContent> {
  const r = importPolicy(raw, mode);
  if (!r.ok) throw new Error(describeIssues(r.issues));
  return r.content;
}

function issues(raw: unknown, mode: 'create' | 'replace' | 'patch' = 'create'): readonly PolicyIssue[] {
  const r = importPolicy(raw, mode);
  if (r.ok) throw new Error('expected the body to be refused');
  return r.issues;
}

function ids(nodes: readonly SettingNode[]): string[] {
  return nodes.flatMap((n) => [n.definitionId.replace(P, ''), ...(n.kind === 'choice' ? ids(n.children) : [])]);
}

describe('importing LAPS policies as tenants export them', () => {
  it('reads an export with every @odata annotation, action descriptors and expanded assignments', () => {
    const c = ok(fixture('laps-entra-export.json'));
    expect(c.name).toBe('Win - OIB - ES - Windows LAPS - D - LAPS Configuration - v3.1');
    expect(c.description).toBe('Windows LAPS, backup to Microsoft Entra ID');
    expect(c.roleScopeTagIds).toEqual(['0']);
    expect(ids(c.settings!)).toEqual(['backupdirectory', 'passwordagedays_aad', 'administratoraccountname', 'passwordcomplexity', 'passwordlength',
      'postauthenticationactions', 'postauthenticationresetdelay']);
    expect(c.settings![0]).toEqual({
      kind: 'choice', definitionId: `${P}backupdirectory`, option: `${P}backupdirectory_1`,
      children: [{ kind: 'simple', definitionId: `${P}passwordagedays_aad`, value: 30 }],
    });
    expect(c.settings![1]).toEqual({ kind: 'simple', definitionId: `${P}administratoraccountname`, value: 'ContosoLocalLapsAdmin' });
  });

  it('reads the 24H2 export: missing children, entries without id, vendor keys, a child carrying its parent\'s value template, an empty prefix', () => {
    const c = ok(fixture('laps-24h2-export.json'));
    expect(ids(c.settings!)).toEqual(['backupdirectory', 'passwordcomplexity', 'passphraselength', 'passwordlength', 'postauthenticationactions',
      'postauthenticationresetdelay', 'automaticaccountmanagementenabled', 'automaticaccountmanagementtarget', 'automaticaccountmanagementnameorprefix',
      'automaticaccountmanagementenableaccount', 'automaticaccountmanagementrandomizename']);
    const aam = c.settings!.find((n) => n.definitionId.endsWith('enabled'))!;
    expect(aam.kind === 'choice' && aam.children.find((x) => x.definitionId.endsWith('nameorprefix'))).toEqual({
      kind: 'simple', definitionId: `${P}automaticaccountmanagementnameorprefix`, value: '',
    });
    expect(c.description).toBe('');
  });

  it('reads the Active Directory shape built from the definitions', () => {
    const c = ok(fixture('laps-ad-post.json'));
    const bd = c.settings![0]!;
    expect(bd.kind === 'choice' && bd.option).toBe(`${P}backupdirectory_2`);
    expect(bd.kind === 'choice' && bd.children.map((x) => x.definitionId.replace(P, ''))).toEqual([
      'passwordagedays', 'passwordexpirationprotectionenabled', 'adpasswordencryptionenabled', 'adpasswordencryptionprincipal', 'adencryptedpasswordhistorysize',
    ]);
  });

  it('accepts ids in any case, null template references, a PowerShell placeholder and integers written as strings', () => {
    const body = policyBody('x', [
      { ...choice('backupdirectory', '1'), settingDefinitionId: `${P.toUpperCase()}BACKUPDIRECTORY`, settingInstanceTemplateReference: null },
      str('administratoraccountname', '$accountname'),
      { ...int('passwordlength', 0), simpleSettingValue: { value: '16' } },
    ]);
    const c = ok(body);
    expect(c.settings).toEqual([
      { kind: 'choice', definitionId: `${P}backupdirectory`, option: `${P}backupdirectory_1`, children: [] },
      { kind: 'simple', definitionId: `${P}administratoraccountname`, value: '$accountname' },
      { kind: 'simple', definitionId: `${P}passwordlength`, value: 16 },
    ]);
  });

  it('fills defaults on create and reads only the given fields on patch', () => {
    const created = ok({ name: 'n', templateReference: { templateId: 'ADC46E5A-F4AA-4FF6-AEFF-4F27BC525796_1' } });
    expect(created).toEqual({ name: 'n', description: '', roleScopeTagIds: ['0'], settings: [] });
    expect(ok({ description: 'changed' }, 'patch')).toEqual({ description: 'changed' });
  });
});

describe('refusing invalid policies with the setting and the reason', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['an unknown setting id', policyBody('x', [int('passwordlenght', 14)]), `${P}passwordlenght`, 'is not a setting of the Windows LAPS template'],
    ['a choice value that is not an option', policyBody('x', [choice('backupdirectory', '3')]), `${P}backupdirectory`, 'is not an option of this setting'],
    ['an integer out of range', policyBody('x', [int('passwordlength', 65)]), `${P}passwordlength`, '65 is out of range 8-64'],
    ['an Entra password age below 7', policyBody('x', [choice('backupdirectory', '1', [int('passwordagedays_aad', 3)])]), `${P}passwordagedays_aad`, '3 is out of range 7-365'],
    ['a string where an integer is expected', policyBody('x', [{ ...int('passwordlength', 1), simpleSettingValue: { value: 'long' } }]), `${P}passwordlength`, 'is not an integer'],
    ['a child under another option', policyBody('x', [choice('passwordcomplexity', '4', [int('passphraselength', 5)])]), `${P}passphraselength`,
      `does not belong under option ${P}passwordcomplexity_4`],
    ['an AD child under the Entra option', policyBody('x', [choice('backupdirectory', '1', [int('passwordagedays', 5)])]), `${P}passwordagedays`,
      `does not belong under option ${P}backupdirectory_1`],
    ['a child at the top level', policyBody('x', [int('passwordagedays_aad', 30)]), `${P}passwordagedays_aad`, 'is not a top-level setting'],
    ['a setting configured twice', policyBody('x', [int('passwordlength', 14), int('passwordlength', 16)]), `${P}passwordlength`, 'is configured more than once'],
    ['a simple instance type on a choice setting', policyBody('x', [{ ...choice('backupdirectory', '1'), '@odata.type': '#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance' }]),
      `${P}backupdirectory`, 'must be #microsoft.graph.deviceManagementConfigurationChoiceSettingInstance'],
    ['a string value type on an integer setting', policyBody('x', [{ ...int('passwordlength', 14), simpleSettingValue: {
      '@odata.type': '#microsoft.graph.deviceManagementConfigurationStringSettingValue', value: 14 } }]), `${P}passwordlength`, 'IntegerSettingValue'],
  ];
  it.each(cases)('%s', (_name, body, settingId, reason) => {
    const found = issues(body);
    expect(found[0]!.settingId).toBe(settingId);
    expect(found[0]!.reason).toContain(reason);
    const message = describeIssues(found);
    expect(message).toContain(`Setting '${settingId}'`);
    expect(message).toContain(reason);
  });

  it('refuses another template, a missing name, settings that are not an array, another platform', () => {
    expect(issues({ ...entraPolicy('x'), templateReference: { templateId: 'd02f2fa0-04a3-4f1b-9f5f-4e8e7e0f4a3b_1' } })[0]!.path).toBe('templateReference.templateId');
    expect(issues({ ...entraPolicy('x'), name: undefined })[0]).toEqual({ path: 'name', reason: 'is required' });
    expect(issues({ ...entraPolicy('x'), settings: {} })[0]!.path).toBe('settings');
    expect(issues({ ...entraPolicy('x'), platforms: 'macOS' })[0]!.path).toBe('platforms');
    expect(issues({ ...entraPolicy('x'), templateReference: null })[0]!.path).toBe('templateReference.templateId');
    expect(issues([1, 2])[0]!.reason).toContain('JSON object');
  });

  it('reports every problem of a body, and at most five in the message', () => {
    const body = policyBody('x', Array.from({ length: 7 }, (_, i) => int(`nosuch${i}`, 1)));
    const found = issues(body);
    expect(found).toHaveLength(7);
    expect(describeIssues(found)).toContain('(and 2 more)');
  });

  it('never throws, whatever the body', () => {
    fc.assert(fc.property(fc.anything(), (v) => {
      const r = importPolicy(v, 'create');
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 300 });
    const deep = policyBody('x', [choice('backupdirectory', '1', [choice('backupdirectory', '1', [choice('backupdirectory', '1')])])]);
    expect(issues(deep)[0]!.reason).toContain('does not belong under option');
  });
});
