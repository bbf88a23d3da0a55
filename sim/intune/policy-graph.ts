/**
 * Writes policies, settings and assignments in Graph's JSON (intune-graph.md sections 1, 5 and 6):
 * every nested object with its `@odata.type`, template references filled in from the template's
 * constants on top-level settings (children carry null), settingCount counting top-level
 * settings, times with seven fractional digits. Reads assignment targets from /assign bodies.
 */
import { isGuid } from '../../core/ids.js';
import { badRequest } from './graph-failure.js';
import { graphTime } from './graph-time.js';
import {
  LAPS_TEMPLATE_DISPLAY_NAME, LAPS_TEMPLATE_DISPLAY_VERSION, LAPS_TEMPLATE_FAMILY, LAPS_TEMPLATE_ID, settingDefinition,
} from './laps-template.js';
import type { AssignmentFilter, AssignmentRecord, AssignmentTarget, PolicyRecord, SettingNode } from './policy-types.js';

const T = '#microsoft.graph.';

/** templateReference as Graph returns it. */
export const TEMPLATE_REFERENCE = {
  templateId: LAPS_TEMPLATE_ID, templateFamily: LAPS_TEMPLATE_FAMILY,
  templateDisplayName: LAPS_TEMPLATE_DISPLAY_NAME, templateDisplayVersion: LAPS_TEMPLATE_DISPLAY_VERSION,
} as const;

/** One setting instance (and its children), template references filled in at the top level. */
export function settingInstanceJson(n: SettingNode, topLevel: boolean): Record<string, unknown> {
  const def = settingDefinition(n.definitionId);
  const tmpl = topLevel ? def?.template : undefined;
  const instanceRef = tmpl ? { '@odata.type': `${T}deviceManagementConfigurationSettingInstanceTemplateReference`, settingInstanceTemplateId: tmpl.instance } : null;
  const valueRef = tmpl
    ? { '@odata.type': `${T}deviceManagementConfigurationSettingValueTemplateReference`, settingValueTemplateId: tmpl.value, useTemplateDefault: false }
    : null;
  if (n.kind === 'choice') {
    return {
      '@odata.type': `${T}deviceManagementConfigurationChoiceSettingInstance`,
      settingDefinitionId: n.definitionId,
      settingInstanceTemplateReference: instanceRef,
      choiceSettingValue: {
        '@odata.type': `${T}deviceManagementConfigurationChoiceSettingValue`,
        settingValueTemplateReference: valueRef,
        value: n.option,
        children: n.children.map((c) => settingInstanceJson(c, false)),
      },
    };
  }
  return {
    '@odata.type': `${T}deviceManagementConfigurationSimpleSettingInstance`,
    settingDefinitionId: n.definitionId,
    settingInstanceTemplateReference: instanceRef,
    simpleSettingValue: {
      '@odata.type': `${T}deviceManagementConfiguration${typeof n.value === 'number' ? 'Integer' : 'String'}SettingValue`,
      settingValueTemplateReference: valueRef,
      value: n.value,
    },
  };
}

/** The settings collection of a policy: `{ @odata.type, id: "0", settingInstance }` entries. */
export function settingsJson(p: PolicyRecord): Record<string, unknown>[] {
  return p.settings.map((n, i) => ({ '@odata.type': `${T}deviceManagementConfigurationSetting`, id: String(i), settingInstance: settingInstanceJson(n, true) }));
}

/** A policy as GET returns it; `settings` and `assignments` only when expanded. */
export function policyJson(
  p: PolicyRecord, o: { readonly isAssigned: boolean; readonly settings?: boolean; readonly assignments?: readonly AssignmentRecord[] },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    '@odata.type': `${T}deviceManagementConfigurationPolicy`,
    id: p.id,
    name: p.name,
    description: p.description,
    platforms: 'windows10',
    technologies: 'mdm',
    roleScopeTagIds: [...p.roleScopeTagIds],
    settingCount: p.settings.length,
    creationSource: null,
    priorityMetaData: null,
    isAssigned: o.isAssigned,
    createdDateTime: graphTime(p.createdAt),
    lastModifiedDateTime: graphTime(p.modifiedAt),
    templateReference: { ...TEMPLATE_REFERENCE },
  };
  if (o.settings) out['settings'] = settingsJson(p);
  if (o.assignments) out['assignments'] = o.assignments.map(assignmentJson);
  return out;
}

const TARGET_TYPES: Readonly<Record<AssignmentTarget['kind'], string>> = {
  group: 'groupAssignmentTarget',
  exclusionGroup: 'exclusionGroupAssignmentTarget',
  allDevices: 'allDevicesAssignmentTarget',
  allLicensedUsers: 'allLicensedUsersAssignmentTarget',
};

/** An assignment as Graph lists it (intune-graph.md 6.2). */
export function assignmentJson(a: AssignmentRecord): Record<string, unknown> {
  const t = a.target;
  const target: Record<string, unknown> = {
    '@odata.type': `${T}${TARGET_TYPES[t.kind]}`,
    deviceAndAppManagementAssignmentFilterId: t.filterId,
    deviceAndAppManagementAssignmentFilterType: t.filterType,
  };
  if (t.kind === 'group' || t.kind === 'exclusionGroup') target['groupId'] = t.groupId;
  return { '@odata.type': `${T}deviceManagementConfigurationPolicyAssignment`, id: a.id, source: 'direct', sourceId: a.policyId, target };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one assignment (`{target: {...}}`) of an /assign or /assignments body. @throws GraphFailure 400 */
export function readAssignment(raw: unknown, path: string): AssignmentTarget {
  if (!isObject(raw) || !isObject(raw['target'])) throw badRequest(`${path}.target is required.`);
  const t = raw['target'];
  const type = typeof t['@odata.type'] === 'string' ? t['@odata.type'].replace(/^#?(microsoft\.graph\.)?/i, '') : '';
  const kind = (Object.keys(TARGET_TYPES) as AssignmentTarget['kind'][]).find((k) => TARGET_TYPES[k].toLowerCase() === type.toLowerCase());
  if (!kind) {
    throw badRequest(`${path}.target.@odata.type must be one of ${Object.values(TARGET_TYPES).map((x) => `#microsoft.graph.${x}`).join(', ')}.`);
  }
  const rawFilterId = t['deviceAndAppManagementAssignmentFilterId'] ?? null;
  if (rawFilterId !== null && !(typeof rawFilterId === 'string' && isGuid(rawFilterId))) {
    throw badRequest(`${path}.target.deviceAndAppManagementAssignmentFilterId must be a GUID or null.`);
  }
  const rawType = t['deviceAndAppManagementAssignmentFilterType'] ?? 'none';
  if (rawType !== 'none' && rawType !== 'include' && rawType !== 'exclude') {
    throw badRequest(`${path}.target.deviceAndAppManagementAssignmentFilterType must be none, include or exclude.`);
  }
  const filter: AssignmentFilter = { filterId: rawFilterId === null ? null : rawFilterId.toLowerCase(), filterType: rawType };
  if (kind === 'group' || kind === 'exclusionGroup') {
    const g = t['groupId'];
    if (typeof g !== 'string' || !isGuid(g)) throw badRequest(`${path}.target.groupId must be a group id (GUID).`);
    return { kind, groupId: g.toLowerCase(), ...filter };
  }
  return { kind, ...filter };
}

/** Reads an /assign body: `{ "assignments": [ {target}, ... ] }`. @throws GraphFailure 400 */
export function readAssignBody(body: Record<string, unknown>): AssignmentTarget[] {
  const list = body['assignments'];
  if (!Array.isArray(list)) throw badRequest('assignments must be an array (send [] to remove every assignment).');
  return list.map((a, i) => readAssignment(a, `assignments[${i}]`));
}
