/**
 * The legacy Microsoft LAPS (AdmPwd) policy values that Windows LAPS honours in emulation mode,
 * under HKLM\Software\Policies\Microsoft Services\AdmPwd (laps-behaviour.md 3.1, 3.2).
 * See https://learn.microsoft.com/windows-server/identity/laps/laps-scenarios-legacy
 */
import type { SettingSpec } from '../../csp/laps/settings.js';

/** One AdmPwd value (shaped as a SettingSpec) and the Windows LAPS setting it stands for. */
export interface LegacySettingSpec extends SettingSpec {
  /** The Windows LAPS setting it maps onto (AdmPwdEnabled=1 means BackupDirectory 2). */
  readonly setting: string;
}

const LEGACY = { appliesTo: [2], cspVersion: '1.0', inCsp: false } as const;

/** Every AdmPwd value Windows LAPS reads. AdmPwdEnabled is a DWORD that must be 1. */
export const LEGACY_SETTINGS: readonly LegacySettingSpec[] = [
  { ...LEGACY, name: 'AdmPwdEnabled', format: 'bool', default: false, allowed: { kind: 'bool' }, setting: 'BackupDirectory' },
  {
    ...LEGACY, name: 'AdminAccountName', format: 'chr', default: undefined, allowed: { kind: 'string', maxLength: 1024 },
    setting: 'AdministratorAccountName',
  },
  { ...LEGACY, name: 'PasswordComplexity', format: 'int', default: 4, allowed: { kind: 'enum', values: [1, 2, 3, 4] }, setting: 'PasswordComplexity' },
  { ...LEGACY, name: 'PasswordLength', format: 'int', default: 14, allowed: { kind: 'range', min: 8, max: 64 }, setting: 'PasswordLength' },
  { ...LEGACY, name: 'PasswordAgeDays', format: 'int', default: 30, allowed: { kind: 'range', min: 1, max: 365 }, setting: 'PasswordAgeDays' },
  {
    ...LEGACY, name: 'PwdExpirationProtectionEnabled', format: 'bool', default: false, allowed: { kind: 'bool' },
    setting: 'PasswordExpirationProtectionEnabled',
  },
];

const BY_NAME = new Map(LEGACY_SETTINGS.map((s) => [s.name.toLowerCase(), s]));

/** The AdmPwd value with this name (case-insensitive). */
export function legacySettingByName(name: string): LegacySettingSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** The AdmPwd name that stands for a Windows LAPS setting, if any. */
export function legacyNameFor(setting: string): string | undefined {
  return LEGACY_SETTINGS.find((s) => s.setting === setting)?.name;
}

/**
 * Values Windows LAPS uses in emulation mode for the knobs legacy LAPS lacks: "disabled or
 * default" per Microsoft. Encryption off (clear text), expiration protection off, and
 * post-authentication off (lapsim reads "disabled" there; docs/decisions.md).
 */
export const LEGACY_EMULATION_FIXED = {
  adPasswordEncryptionEnabled: false,
  adEncryptedPasswordHistorySize: 0,
  adBackupDsrmPassword: false,
  postAuthenticationResetDelay: 0,
} as const;
