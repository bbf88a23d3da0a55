/**
 * Validates one `Name=Value` for `lapsim policy set --root gpo|local|legacy`: the name is
 * matched case-insensitively and returned in its canonical spelling, the value is checked
 * against the setting's format and allowed values and returned as registry-like text (DWORDs in
 * decimal, booleans as 1/0, strings as given).
 */
import { SETTINGS, isAllowed, parseSettingValue, settingByName, type SettingSpec } from '../../csp/laps/settings.js';
import type { WritableRoot } from '../ports.js';
import { LEGACY_SETTINGS, legacySettingByName } from './legacy-settings.js';
import { clip, describeAllowed } from './read-setting.js';

export interface AssignmentOptions {
  /**
   * Accept a well-formed value outside the allowed range or enum (Windows stores anything in the
   * registry and falls back to the default when processing), to simulate a misconfiguration.
   * Default false.
   */
  readonly allowOutOfRange?: boolean;
}

export type AssignmentResult =
  | { readonly ok: true; readonly name: string; readonly value: string; readonly warning?: string }
  | { readonly ok: false; readonly error: string };

/** Parses `Name=Value` for `root`; never throws. */
export function parsePolicyAssignment(root: WritableRoot, text: string, options: AssignmentOptions = {}): AssignmentResult {
  const eq = text.indexOf('=');
  const name = (eq < 0 ? text : text.slice(0, eq)).trim();
  if (eq < 0 || name === '') return { ok: false, error: `expected Name=Value, got '${clip(text)}'` };
  const raw = text.slice(eq + 1);
  const spec = lookup(root, name);
  if (!spec) {
    const known = (root === 'legacy' ? LEGACY_SETTINGS : SETTINGS).map((s) => s.name).join(', ');
    return { ok: false, error: `unknown setting '${clip(name)}' for the ${root} root; known settings: ${known}` };
  }
  const parsed = parseSettingValue(spec, raw);
  if (parsed === undefined) return { ok: false, error: `${spec.name} must be ${describeAllowed(spec)}, got '${clip(raw)}'` };
  const value = typeof parsed === 'boolean' ? (parsed ? '1' : '0') : String(parsed);
  if (isAllowed(spec, parsed)) return { ok: true, name: spec.name, value };
  const problem = `${spec.name} must be ${describeAllowed(spec)}, got ${clip(raw.trim())}`;
  if (!options.allowOutOfRange) return { ok: false, error: problem };
  return { ok: true, name: spec.name, value, warning: `${problem}; stored anyway, processing will use the default` };
}

function lookup(root: WritableRoot, name: string): SettingSpec | undefined {
  return root === 'legacy' ? legacySettingByName(name) : settingByName(name);
}
