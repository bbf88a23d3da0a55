/**
 * LAPS configurationPolicy bodies for tests, written the way scripts POST them (only `target`,
 * no ids), and the realistic exported fixtures of test/fixtures/intune.
 */
import { readFileSync } from 'node:fs';

const P = 'device_vendor_msft_laps_policies_';
const T = '#microsoft.graph.';

export type Instance = Record<string, unknown>;

/** A choice setting `<id>` with option `<id>_<suffix>` and children. */
export function choice(id: string, suffix: string, children: Instance[] = []): Instance {
  return {
    '@odata.type': `${T}deviceManagementConfigurationChoiceSettingInstance`,
    settingDefinitionId: P + id,
    choiceSettingValue: { '@odata.type': `${T}deviceManagementConfigurationChoiceSettingValue`, value: `${P}${id}_${suffix}`, children },
  };
}

/** An integer setting. */
export function int(id: string, value: number): Instance {
  return {
    '@odata.type': `${T}deviceManagementConfigurationSimpleSettingInstance`,
    settingDefinitionId: P + id,
    simpleSettingValue: { '@odata.type': `${T}deviceManagementConfigurationIntegerSettingValue`, value },
  };
}

/** A string setting. */
export function str(id: string, value: string): Instance {
  return {
    '@odata.type': `${T}deviceManagementConfigurationSimpleSettingInstance`,
    settingDefinitionId: P + id,
    simpleSettingValue: { '@odata.type': `${T}deviceManagementConfigurationStringSettingValue`, value },
  };
}

/** A policy body of the LAPS template with these top-level settings. */
export function policyBody(name: string, settings: Instance[]): Record<string, unknown> {
  return {
    name, description: '', platforms: 'windows10', technologies: 'mdm', roleScopeTagIds: ['0'],
    templateReference: { templateId: 'adc46e5a-f4aa-4ff6-aeff-4f27bc525796_1' },
    settings: settings.map((settingInstance) => ({ '@odata.type': `${T}deviceManagementConfigurationSetting`, settingInstance })),
  };
}

/** Backup to Entra with an account name and a password length (the common case). */
export function entraPolicy(name: string, o: { account?: string; length?: number; ageDays?: number } = {}): Record<string, unknown> {
  const settings: Instance[] = [choice('backupdirectory', '1', o.ageDays === undefined ? [] : [int('passwordagedays_aad', o.ageDays)])];
  if (o.account !== undefined) settings.push(str('administratoraccountname', o.account));
  if (o.length !== undefined) settings.push(int('passwordlength', o.length));
  return policyBody(name, settings);
}

/** The text of a fixture under test/fixtures/intune. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/intune/${name}`, import.meta.url), 'utf8');
}

/** A fixture as JSON. */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name)) as Record<string, unknown>;
}
