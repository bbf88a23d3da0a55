/**
 * Every Windows LAPS policy setting, declared once as data: the value name (identical in the CSP,
 * Group Policy and local configuration roots), its format, default, allowed values, which
 * BackupDirectory values it applies to, and the OS build that honours it.
 * Source: LAPS CSP https://learn.microsoft.com/windows/client-management/mdm/laps-csp and
 * "Configure policy settings for Windows LAPS" (defaults table, supported roots).
 */

export type SettingFormat = 'int' | 'chr' | 'bool';

/** Allowed values of a setting. */
export type Allowed =
  | { readonly kind: 'range'; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly values: readonly number[] }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string'; readonly maxLength: number };

/** A value honoured only from an OS build on (older builds treat it as the default). */
export interface BuildGate {
  readonly values: readonly number[];
  readonly minBuild: number;
}

export type SettingValue = number | boolean | string;

export interface SettingSpec {
  /** Registry value name and CSP leaf name. */
  readonly name: string;
  readonly format: SettingFormat;
  /** Default when absent or unsupported; undefined = unset (e.g. RID 500 account). */
  readonly default: SettingValue | undefined;
  readonly allowed: Allowed;
  /** BackupDirectory values under which the setting is used (empty = always). */
  readonly appliesTo: readonly (1 | 2)[];
  /** CSP version that added the node (1.1 = build 26100 and later). */
  readonly cspVersion: '1.0' | '1.1';
  /** Exposed as a CSP node (ADBackupDSRMPassword is GPO/local only). */
  readonly inCsp: boolean;
  /** Values that only newer builds honour. */
  readonly buildGate?: BuildGate;
  /** Range that replaces `allowed` for a given BackupDirectory (DDF DependencyChangedAllowedValues). */
  readonly rangeByDirectory?: Readonly<Partial<Record<1 | 2, { readonly min: number; readonly max: number }>>>;
}

/** First OS build of CSP 1.1 (Windows 11 24H2, Windows Server 2025). */
export const CSP_1_1_MIN_BUILD = 26100;

const MAX_CHR = 1024;

/** Every Windows LAPS setting in CSP node order, then the GPO/local-only ones. */
export const SETTINGS: readonly SettingSpec[] = [
  { name: 'BackupDirectory', format: 'int', default: 0, allowed: { kind: 'enum', values: [0, 1, 2] }, appliesTo: [], cspVersion: '1.0', inCsp: true },
  {
    name: 'PasswordAgeDays', format: 'int', default: 30, allowed: { kind: 'range', min: 1, max: 365 }, appliesTo: [1, 2], cspVersion: '1.0', inCsp: true,
    rangeByDirectory: { 1: { min: 7, max: 365 }, 2: { min: 1, max: 365 } },
  },
  {
    name: 'PasswordComplexity', format: 'int', default: 4, allowed: { kind: 'enum', values: [1, 2, 3, 4, 5, 6, 7, 8] }, appliesTo: [1, 2], cspVersion: '1.0', inCsp: true,
    buildGate: { values: [5, 6, 7, 8], minBuild: CSP_1_1_MIN_BUILD },
  },
  { name: 'PasswordLength', format: 'int', default: 14, allowed: { kind: 'range', min: 8, max: 64 }, appliesTo: [1, 2], cspVersion: '1.0', inCsp: true },
  { name: 'PassphraseLength', format: 'int', default: 6, allowed: { kind: 'range', min: 3, max: 10 }, appliesTo: [1, 2], cspVersion: '1.1', inCsp: true },
  { name: 'AdministratorAccountName', format: 'chr', default: undefined, allowed: { kind: 'string', maxLength: MAX_CHR }, appliesTo: [1, 2], cspVersion: '1.0', inCsp: true },
  { name: 'PasswordExpirationProtectionEnabled', format: 'bool', default: true, allowed: { kind: 'bool' }, appliesTo: [2], cspVersion: '1.0', inCsp: true },
  { name: 'ADPasswordEncryptionEnabled', format: 'bool', default: true, allowed: { kind: 'bool' }, appliesTo: [2], cspVersion: '1.0', inCsp: true },
  { name: 'ADPasswordEncryptionPrincipal', format: 'chr', default: undefined, allowed: { kind: 'string', maxLength: MAX_CHR }, appliesTo: [2], cspVersion: '1.0', inCsp: true },
  { name: 'ADEncryptedPasswordHistorySize', format: 'int', default: 0, allowed: { kind: 'range', min: 0, max: 12 }, appliesTo: [2], cspVersion: '1.0', inCsp: true },
  { name: 'PostAuthenticationResetDelay', format: 'int', default: 24, allowed: { kind: 'range', min: 0, max: 24 }, appliesTo: [1, 2], cspVersion: '1.0', inCsp: true },
  {
    name: 'PostAuthenticationActions', format: 'int', default: 3, allowed: { kind: 'enum', values: [1, 3, 5, 11] }, appliesTo: [1, 2], cspVersion: '1.0', inCsp: true,
    buildGate: { values: [11], minBuild: CSP_1_1_MIN_BUILD },
  },
  { name: 'AutomaticAccountManagementEnabled', format: 'bool', default: false, allowed: { kind: 'bool' }, appliesTo: [1, 2], cspVersion: '1.1', inCsp: true },
  { name: 'AutomaticAccountManagementTarget', format: 'int', default: 1, allowed: { kind: 'enum', values: [0, 1] }, appliesTo: [1, 2], cspVersion: '1.1', inCsp: true },
  { name: 'AutomaticAccountManagementNameOrPrefix', format: 'chr', default: 'WLapsAdmin', allowed: { kind: 'string', maxLength: MAX_CHR }, appliesTo: [1, 2], cspVersion: '1.1', inCsp: true },
  { name: 'AutomaticAccountManagementEnableAccount', format: 'bool', default: false, allowed: { kind: 'bool' }, appliesTo: [1, 2], cspVersion: '1.1', inCsp: true },
  { name: 'AutomaticAccountManagementRandomizeName', format: 'bool', default: false, allowed: { kind: 'bool' }, appliesTo: [1, 2], cspVersion: '1.1', inCsp: true },
  { name: 'ADBackupDSRMPassword', format: 'bool', default: false, allowed: { kind: 'bool' }, appliesTo: [2], cspVersion: '1.0', inCsp: false },
];

const BY_NAME = new Map(SETTINGS.map((s) => [s.name.toLowerCase(), s]));

/** The setting with this value name (case-insensitive, as the registry is). */
export function settingByName(name: string): SettingSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** The build number (third part) of a version such as `10.0.26100.4349`; NaN when unparsable. */
export function buildNumber(osBuild: string): number {
  const parts = osBuild.split('.');
  return parts.length >= 3 ? Number(parts[2]) : Number.NaN;
}

/** Parses text data as the setting's format; undefined when it cannot be read as that format. */
export function parseSettingValue(spec: Pick<SettingSpec, 'format'>, data: string): SettingValue | undefined {
  switch (spec.format) {
    case 'int': {
      const t = data.trim();
      if (!/^[+-]?\d{1,10}$/.test(t)) return undefined;
      const n = Number(t);
      return n >= -2147483648 && n <= 4294967295 ? n : undefined;
    }
    case 'bool': {
      const t = data.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return undefined;
    }
    case 'chr':
      return data;
  }
}

/** True when the value is inside the setting's allowed values (ignoring build gates). */
export function isAllowed(spec: SettingSpec, value: SettingValue, backupDirectory?: number): boolean {
  const a = spec.allowed;
  switch (a.kind) {
    case 'range': {
      if (typeof value !== 'number') return false;
      const r = (backupDirectory === 1 || backupDirectory === 2 ? spec.rangeByDirectory?.[backupDirectory] : undefined) ?? a;
      return Number.isInteger(value) && value >= r.min && value <= r.max;
    }
    case 'enum':
      return typeof value === 'number' && a.values.includes(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && value.length <= a.maxLength;
  }
}

/** True when the OS build honours this value. */
export function isSupportedOnBuild(spec: SettingSpec, value: SettingValue, build: number): boolean {
  if (spec.cspVersion === '1.1' && !(build >= CSP_1_1_MIN_BUILD)) return false;
  const gate = spec.buildGate;
  if (gate && typeof value === 'number' && gate.values.includes(value)) return build >= gate.minBuild;
  return true;
}

/** Canonical text of a value (bools as `true`/`false`). */
export function formatSettingValue(value: SettingValue): string {
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
}
