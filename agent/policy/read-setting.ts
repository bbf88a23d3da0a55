/**
 * Reads one raw policy value as Windows LAPS does: a value that cannot be parsed, lies outside the
 * allowed values, or needs a newer OS build is replaced by the setting's default
 * (laps-behaviour.md 1.3). The one exception, PasswordAgeDays below 7 under Entra, is handled by
 * the resolver because its outcome is configurable.
 */
import {
  CSP_1_1_MIN_BUILD,
  formatSettingValue,
  isAllowed,
  isSupportedOnBuild,
  parseSettingValue,
  type SettingSpec,
  type SettingValue,
} from '../../csp/laps/settings.js';
import type { IgnoredReason } from './types.js';

/** The value a setting takes, and why the configured one was not used (when it was not). */
export interface SettingRead {
  readonly value: SettingValue | undefined;
  /** Set when a configured value was replaced; `why` says why, without the replacement. */
  readonly ignored?: { readonly reason: IgnoredReason; readonly why: string };
}

export interface ReadContext {
  /** OS build number (NaN when unknown: behaves as the oldest build). */
  readonly build: number;
  /** The resolved BackupDirectory, for ranges that depend on it. */
  readonly backupDirectory?: number;
  /** False for legacy AdmPwd values, which have no build gates. */
  readonly buildGates: boolean;
}

/** Text for a value in messages: `(unset)`, `true`, `30`. */
export function showValue(value: SettingValue | undefined): string {
  return value === undefined ? '(unset)' : formatSettingValue(value);
}

/** The allowed values of a setting, in words (`an integer from 1 to 365`). */
export function describeAllowed(spec: SettingSpec, backupDirectory?: number): string {
  const a = spec.allowed;
  switch (a.kind) {
    case 'range': {
      const r = (backupDirectory === 1 || backupDirectory === 2 ? spec.rangeByDirectory?.[backupDirectory] : undefined) ?? a;
      return `an integer from ${r.min} to ${r.max}`;
    }
    case 'enum':
      return `one of ${a.values.join(', ')}`;
    case 'bool':
      return 'true/false or 1/0';
    case 'string':
      return `text of at most ${a.maxLength} characters`;
  }
}

/** The value `raw` gives `spec` in this context; `raw` undefined = not configured. */
export function readSetting(spec: SettingSpec, raw: string | undefined, ctx: ReadContext): SettingRead {
  const fallback = spec.default;
  const replaced = (reason: IgnoredReason, why: string): SettingRead => ({ value: fallback, ignored: { reason, why } });
  if (raw === undefined) return { value: fallback };
  if (ctx.buildGates && spec.cspVersion === '1.1' && !(ctx.build >= CSP_1_1_MIN_BUILD)) {
    return replaced('setting-needs-newer-build', `${spec.name} needs OS build ${CSP_1_1_MIN_BUILD} or later`);
  }
  const parsed = parseSettingValue(spec, raw);
  if (parsed === undefined) return replaced('unparsable', `${spec.name} must be ${describeAllowed(spec)}, not '${clip(raw)}'`);
  // An empty string value is the same as no name: the built-in account, or the default prefix.
  if (parsed === '') return { value: fallback };
  if (!isAllowed(spec, parsed, ctx.backupDirectory)) {
    return replaced('out-of-range', `${spec.name} must be ${describeAllowed(spec, ctx.backupDirectory)}, not ${clip(raw)}`);
  }
  if (ctx.buildGates && !isSupportedOnBuild(spec, parsed, ctx.build)) {
    return replaced('value-needs-newer-build', `${spec.name} ${showValue(parsed)} needs OS build ${spec.buildGate?.minBuild ?? CSP_1_1_MIN_BUILD} or later`);
  }
  return { value: parsed };
}

/** At most 64 characters of a raw value, for messages. */
export function clip(raw: string): string {
  return raw.length > 64 ? `${raw.slice(0, 61)}...` : raw;
}
