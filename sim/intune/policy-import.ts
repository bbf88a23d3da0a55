/**
 * Reads a LAPS configurationPolicy body as Graph accepts it, and as tenants export it: every
 * `@odata.*` annotation, action descriptor and vendor key is ignored, template references may be
 * present, partial, null or wrong for a child (the OIB 24H2 quirk), `children` may be missing,
 * setting entries may lack their `id` (intune-graph.md 1.4). What makes a policy invalid is
 * reported as issues naming the setting and the reason: an unknown setting id, a choice value
 * that is not an option, a value of the wrong type or out of range, a child under an option it
 * does not belong to, a setting configured twice, another template.
 */
import {
  LAPS_TEMPLATE_ID, optionId, optionSuffix, settingDefinition, type ChoiceDefinition, type SettingDefinition,
} from './laps-template.js';
import type { PolicyContent, SettingNode } from './policy-types.js';

/** One reason a body is refused. */
export interface PolicyIssue {
  /** JSON path of the offending value, e.g. `settings[2].settingInstance.simpleSettingValue.value`. */
  readonly path: string;
  /** The setting concerned, when there is one. */
  readonly settingId?: string;
  readonly reason: string;
}

/** POST (create), PUT (replace) or PATCH. */
export type ImportMode = 'create' | 'replace' | 'patch';

/** A readable body: complete content (create, replace) or the fields a PATCH changes. */
export type ImportResult =
  | { readonly ok: true; readonly content: Partial<PolicyContent> }
  | { readonly ok: false; readonly issues: readonly PolicyIssue[] };

/** Most top-level setting entries a policy may hold (the template has 18 settings in all). */
export const MAX_SETTINGS = 100;
const MAX_DEPTH = 6;
const MAX_NAME = 1000;
const MAX_DESCRIPTION = 10_000;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when an `@odata.type` value names `type` (with or without `#` and namespace, any case). */
function namesType(v: unknown, type: string): boolean {
  return typeof v === 'string' && v.replace(/^#/, '').toLowerCase().replace(/^microsoft\.graph\./, '') === type.toLowerCase();
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

class Reader {
  readonly issues: PolicyIssue[] = [];
  readonly #seen = new Set<string>();

  issue(path: string, reason: string, settingId?: string): undefined {
    if (this.issues.length < 20) this.issues.push(settingId === undefined ? { path, reason } : { path, reason, settingId });
    return undefined;
  }

  /** A setting instance at `path`, placed under `parentOption` (undefined: top level). */
  instance(raw: unknown, path: string, parentOption: string | undefined, depth: number): SettingNode | undefined {
    if (!isObject(raw)) return this.issue(path, 'must be a setting instance object');
    const rawId = raw['settingDefinitionId'];
    if (typeof rawId !== 'string' || rawId === '') return this.issue(`${path}.settingDefinitionId`, 'is required');
    const def = settingDefinition(rawId);
    if (!def) return this.issue(`${path}.settingDefinitionId`, 'is not a setting of the Windows LAPS template', rawId.slice(0, 200));
    if (parentOption === undefined && def.parents !== undefined) {
      return this.issue(path, `is not a top-level setting: it belongs under ${def.parents.join(' or ')}`, def.id);
    }
    if (parentOption !== undefined && !def.parents?.includes(parentOption)) {
      return this.issue(path, `does not belong under option ${parentOption}`, def.id);
    }
    if (this.#seen.has(def.id)) return this.issue(path, 'is configured more than once', def.id);
    this.#seen.add(def.id);
    const type = raw['@odata.type'];
    const expected = def.kind === 'choice' ? 'deviceManagementConfigurationChoiceSettingInstance' : 'deviceManagementConfigurationSimpleSettingInstance';
    if (type !== undefined && type !== null && !namesType(type, expected)) {
      return this.issue(`${path}.@odata.type`, `must be #microsoft.graph.${expected} for this setting, not ${show(type)}`, def.id);
    }
    return def.kind === 'choice' ? this.choice(def, raw, path, depth) : this.simple(def, raw, path);
  }

  choice(def: ChoiceDefinition, raw: Json, path: string, depth: number): SettingNode | undefined {
    const value = raw['choiceSettingValue'];
    if (!isObject(value)) return this.issue(`${path}.choiceSettingValue`, 'is required for a choice setting', def.id);
    const option = value['value'];
    const suffix = typeof option === 'string' ? optionSuffix(def, option) : undefined;
    if (suffix === undefined) {
      return this.issue(`${path}.choiceSettingValue.value`,
        `${show(option)} is not an option of this setting (options: ${def.options.map((s) => optionId(def, s)).join(', ')})`, def.id);
    }
    const canonical = optionId(def, suffix);
    const rawChildren = value['children'] ?? [];
    if (!Array.isArray(rawChildren)) return this.issue(`${path}.choiceSettingValue.children`, 'must be an array', def.id);
    if (depth >= MAX_DEPTH) return this.issue(`${path}.choiceSettingValue.children`, 'nests too deeply', def.id);
    const children: SettingNode[] = [];
    rawChildren.forEach((c, i) => {
      const node = this.instance(c, `${path}.choiceSettingValue.children[${i}]`, canonical, depth + 1);
      if (node) children.push(node);
    });
    return { kind: 'choice', definitionId: def.id, option: canonical, children };
  }

  simple(def: Exclude<SettingDefinition, ChoiceDefinition>, raw: Json, path: string): SettingNode | undefined {
    const value = raw['simpleSettingValue'];
    const vpath = `${path}.simpleSettingValue`;
    if (!isObject(value)) return this.issue(vpath, 'is required for a simple setting', def.id);
    const type = value['@odata.type'];
    const expected = def.kind === 'integer' ? 'deviceManagementConfigurationIntegerSettingValue' : 'deviceManagementConfigurationStringSettingValue';
    if (type !== undefined && type !== null && !namesType(type, expected)) {
      return this.issue(`${vpath}.@odata.type`, `must be #microsoft.graph.${expected} for this setting, not ${show(type)}`, def.id);
    }
    const v = value['value'];
    if (def.kind === 'integer') {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d{1,10}\s*$/.test(v) ? Number(v) : Number.NaN;
      if (!Number.isInteger(n)) return this.issue(`${vpath}.value`, `${show(v)} is not an integer`, def.id);
      if (n < def.min || n > def.max) return this.issue(`${vpath}.value`, `${n} is out of range ${def.min}-${def.max}`, def.id);
      return { kind: 'simple', definitionId: def.id, value: n };
    }
    if (typeof v !== 'string') return this.issue(`${vpath}.value`, `${show(v)} is not a string`, def.id);
    if (v.length > def.maxLength) return this.issue(`${vpath}.value`, `is longer than ${def.maxLength} characters`, def.id);
    return { kind: 'simple', definitionId: def.id, value: v };
  }

  settings(raw: unknown): SettingNode[] | undefined {
    if (!Array.isArray(raw)) return this.issue('settings', 'must be an array');
    if (raw.length > MAX_SETTINGS) return this.issue('settings', `holds more than ${MAX_SETTINGS} entries`);
    const out: SettingNode[] = [];
    raw.forEach((entry, i) => {
      if (!isObject(entry)) return this.issue(`settings[${i}]`, 'must be a setting object');
      const type = entry['@odata.type'];
      if (type !== undefined && type !== null && !namesType(type, 'deviceManagementConfigurationSetting')) {
        return this.issue(`settings[${i}].@odata.type`, `must be #microsoft.graph.deviceManagementConfigurationSetting, not ${show(type)}`);
      }
      const node = this.instance(entry['settingInstance'], `settings[${i}].settingInstance`, undefined, 0);
      if (node) out.push(node);
      return undefined;
    });
    return out;
  }
}

function text(r: Reader, body: Json, key: string, max: number, required: boolean, nullable: boolean): string | undefined {
  const v = body[key];
  if (v === undefined || (v === null && nullable)) {
    if (required) r.issue(key, 'is required');
    return v === null ? '' : undefined;
  }
  if (typeof v !== 'string') return r.issue(key, 'must be a string');
  if (required && v.trim() === '') return r.issue(key, 'must not be empty');
  if (v.length > max) return r.issue(key, `is longer than ${max} characters`);
  return v;
}

/**
 * Reads a policy body. `create` and `replace` need a name and the LAPS template; `patch` reads
 * only the fields present. Read-only and unknown properties are ignored.
 */
export function importPolicy(raw: unknown, mode: ImportMode): ImportResult {
  const r = new Reader();
  if (!isObject(raw)) return { ok: false, issues: [{ path: '', reason: 'the body must be a JSON object' }] };
  const full = mode !== 'patch';
  const type = raw['@odata.type'];
  if (type !== undefined && type !== null && !namesType(type, 'deviceManagementConfigurationPolicy')) {
    r.issue('@odata.type', `must be #microsoft.graph.deviceManagementConfigurationPolicy, not ${show(type)}`);
  }
  const content: { -readonly [K in keyof PolicyContent]?: PolicyContent[K] } = {};
  const name = text(r, raw, 'name', MAX_NAME, full, false);
  if (name !== undefined) content.name = name;
  const description = text(r, raw, 'description', MAX_DESCRIPTION, false, true);
  if (description !== undefined) content.description = description;
  else if (full) content.description = '';
  const platforms = raw['platforms'];
  if (platforms !== undefined && platforms !== null && !(typeof platforms === 'string' && platforms.toLowerCase() === 'windows10')) {
    r.issue('platforms', `must be windows10 for the Windows LAPS template, not ${show(platforms)}`);
  }
  const technologies = raw['technologies'];
  if (technologies !== undefined && technologies !== null
    && !(typeof technologies === 'string' && technologies.toLowerCase().split(',').map((s) => s.trim()).includes('mdm'))) {
    r.issue('technologies', `must include mdm for the Windows LAPS template, not ${show(technologies)}`);
  }
  const tags = raw['roleScopeTagIds'];
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags) || tags.length > 100 || !tags.every((t) => typeof t === 'string' && /^\d{1,10}$/.test(t))) {
      r.issue('roleScopeTagIds', 'must be an array of scope tag ids such as "0"');
    } else {
      content.roleScopeTagIds = tags.length === 0 ? ['0'] : [...new Set(tags as string[])];
    }
  } else if (full) {
    content.roleScopeTagIds = ['0'];
  }
  const template = raw['templateReference'];
  if (template === undefined || template === null) {
    if (full) r.issue('templateReference.templateId', `is required; lapsim serves the Windows LAPS template ${LAPS_TEMPLATE_ID}`);
  } else if (!isObject(template) || typeof template['templateId'] !== 'string') {
    r.issue('templateReference.templateId', 'is required');
  } else if (template['templateId'].toLowerCase() !== LAPS_TEMPLATE_ID) {
    r.issue('templateReference.templateId', `${show(template['templateId'])} is not the Windows LAPS template (${LAPS_TEMPLATE_ID})`);
  }
  const settings = raw['settings'];
  if (settings !== undefined && settings !== null) {
    const parsed = r.settings(settings);
    if (parsed) content.settings = parsed;
  } else if (full) {
    content.settings = [];
  }
  if (r.issues.length > 0) return { ok: false, issues: r.issues };
  return { ok: true, content };
}

/** One line for Graph's error message: the first issues, each naming its setting and reason. */
export function describeIssues(issues: readonly PolicyIssue[]): string {
  const parts = issues.slice(0, 5).map((i) => (i.settingId !== undefined ? `Setting '${i.settingId}' (${i.path}) ${i.reason}` : `${i.path || 'body'} ${i.reason}`));
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return `The policy is not valid: ${parts.join('; ')}${more}.`;
}
