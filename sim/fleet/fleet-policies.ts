/**
 * A scenario's LAPS policies as Intune holds them: settings written by their CSP node names
 * (`{ "BackupDirectory": 1, "PasswordAgeDays": 30 }`) become a configurationPolicy body of the
 * Windows LAPS template, exactly as a script would POST it to Graph, and go through the Intune
 * emulator's own importer, so that a scenario's mistakes read like Graph's 400 answers.
 */
import { LapsError } from '../../core/errors.js';
import { formatSettingValue, type SettingValue } from '../../csp/laps/settings.js';
import { LAPS_SETTINGS, LAPS_TEMPLATE_ID, optionId, type ChoiceDefinition, type SettingDefinition } from '../intune/laps-template.js';
import { describeIssues, importPolicy } from '../intune/policy-import.js';
import type { PolicyContent } from '../intune/policy-types.js';

type Json = Record<string, unknown>;
type Settings = Readonly<Record<string, number | string | boolean>>;

const T = '#microsoft.graph.';

/** The definitions that write `node`; PasswordAgeDays has one per backup directory. */
function definitionsOf(node: string): SettingDefinition[] {
  return LAPS_SETTINGS.filter((d) => d.cspNode.toLowerCase() === node.toLowerCase());
}

function instance(def: SettingDefinition, value: number | string | boolean, children: Json[]): Json {
  if (def.kind === 'choice') {
    const suffix = typeof value === 'boolean' ? String(value) : String(value).toLowerCase();
    return {
      '@odata.type': `${T}deviceManagementConfigurationChoiceSettingInstance`, settingDefinitionId: def.id,
      choiceSettingValue: { '@odata.type': `${T}deviceManagementConfigurationChoiceSettingValue`, value: optionId(def, suffix), children },
    };
  }
  const integer = def.kind === 'integer';
  return {
    '@odata.type': `${T}deviceManagementConfigurationSimpleSettingInstance`, settingDefinitionId: def.id,
    simpleSettingValue: { '@odata.type': `${T}deviceManagementConfiguration${integer ? 'Integer' : 'String'}SettingValue`, value: integer ? Number(value) : String(value) },
  };
}

/**
 * The Graph body of a Windows LAPS policy with these settings. Children (PasswordAgeDays, the AD
 * options, PassphraseLength, the automatic account options) go under the option of their parent
 * that the settings choose.
 * @throws LapsError LAPS_ERR_FLEET_SCENARIO when a child's parent is not set to an option that holds it
 */
export function policyBody(name: string, description: string, settings: Settings, where: string): Json {
  const top: { def: SettingDefinition; value: number | string | boolean; children: Json[] }[] = [];
  const pending: [string, number | string | boolean][] = [];
  for (const [node, value] of Object.entries(settings)) {
    const defs = definitionsOf(node);
    const topDef = defs.find((d) => d.parents === undefined);
    if (topDef) top.push({ def: topDef, value, children: [] });
    else pending.push([node, value]);
  }
  for (const [node, value] of pending) {
    const parent = top.find((t) => t.def.kind === 'choice' && definitionsOf(node).some((d) => d.parents?.includes(optionId(t.def as ChoiceDefinition, String(t.value).toLowerCase()))));
    if (!parent) {
      const needs = [...new Set(definitionsOf(node).flatMap((d) => d.parents ?? []))].map((o) => o.replace('device_vendor_msft_laps_policies_', ''));
      throw new LapsError('LAPS_ERR_FLEET_SCENARIO', `${where}: ${node} applies only under ${needs.join(' or ')}; set that setting too`);
    }
    const def = definitionsOf(node).find((d) => d.parents?.includes(optionId(parent.def as ChoiceDefinition, String(parent.value).toLowerCase())))!;
    parent.children.push(instance(def, value, []));
  }
  return {
    name, description, platforms: 'windows10', technologies: 'mdm', roleScopeTagIds: ['0'],
    templateReference: { templateId: LAPS_TEMPLATE_ID },
    settings: top.map((t) => ({ '@odata.type': `${T}deviceManagementConfigurationSetting`, settingInstance: instance(t.def, t.value, t.children) })),
  };
}

/**
 * The policy content the Intune emulator stores for a scenario policy, read by its importer.
 * @throws LapsError LAPS_ERR_FLEET_SCENARIO with Graph's description of what is wrong
 */
export function policyContent(name: string, description: string, settings: Settings, where: string): PolicyContent {
  const r = importPolicy(policyBody(name, description, settings, where), 'create');
  if (!r.ok) throw new LapsError('LAPS_ERR_FLEET_SCENARIO', `${where}: ${describeIssues(r.issues)}`);
  return r.content as PolicyContent;
}

/** CSP node -> canonical CSP text of a policy's settings (what a device stores when it applies them). */
export function cspTextValues(values: ReadonlyMap<string, SettingValue>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [node, v] of values) out.set(node, formatSettingValue(v));
  return out;
}
