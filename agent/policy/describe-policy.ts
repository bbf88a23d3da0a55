/**
 * Per-setting view of an effective policy for `lapsim policy show`: the value in force, where it
 * came from (explicit, default, or fallback when the configured value was replaced) and whether
 * it applies.
 */
import { SETTINGS } from '../../csp/laps/settings.js';
import { DSRM_OVERRIDDEN, inapplicability } from './applicability.js';
import { legacyNameFor, legacySettingByName } from './legacy-settings.js';
import type { EffectivePolicy, PolicySettingView } from './types.js';

type ViewValue = PolicySettingView['value'];

/** Reads a setting's value in force out of an EffectivePolicy. */
const VALUE_OF: Readonly<Record<string, (p: EffectivePolicy) => ViewValue>> = {
  BackupDirectory: (p) => p.backupDirectory,
  PasswordAgeDays: (p) => p.passwordAgeDays,
  PasswordComplexity: (p) => p.passwordComplexity,
  PasswordLength: (p) => p.passwordLength,
  PassphraseLength: (p) => p.passphraseLength,
  AdministratorAccountName: (p) => p.administratorAccountName,
  PasswordExpirationProtectionEnabled: (p) => p.passwordExpirationProtectionEnabled,
  ADPasswordEncryptionEnabled: (p) => p.adPasswordEncryptionEnabled,
  ADPasswordEncryptionPrincipal: (p) => p.adPasswordEncryptionPrincipal,
  ADEncryptedPasswordHistorySize: (p) => p.adEncryptedPasswordHistorySize,
  PostAuthenticationResetDelay: (p) => p.postAuthenticationResetDelay,
  PostAuthenticationActions: (p) => p.postAuthenticationActions,
  AutomaticAccountManagementEnabled: (p) => p.automaticAccountManagement.enabled,
  AutomaticAccountManagementTarget: (p) => p.automaticAccountManagement.target,
  AutomaticAccountManagementNameOrPrefix: (p) => p.automaticAccountManagement.nameOrPrefix,
  AutomaticAccountManagementEnableAccount: (p) => p.automaticAccountManagement.enableAccount,
  AutomaticAccountManagementRandomizeName: (p) => p.automaticAccountManagement.randomizeName,
  ADBackupDSRMPassword: (p) => p.adBackupDsrmPassword,
};

/** The value in force for Windows LAPS setting `name` (undefined for unknown names). */
export function settingValueInForce(policy: EffectivePolicy, name: string): ViewValue {
  return VALUE_OF[name]?.(policy);
}

/** One row per Windows LAPS setting, in CSP node order then ADBackupDSRMPassword. */
export function describePolicy(policy: EffectivePolicy): PolicySettingView[] {
  const legacy = policy.source === 'LegacyLaps';
  const rootName = (setting: string): string | undefined => (legacy ? legacyNameFor(setting) : setting);
  return SETTINGS.map((spec): PolicySettingView => {
    const name = spec.name;
    const value = settingValueInForce(policy, name);
    const inRoot = rootName(name);
    const notApplicable = inapplicability(name, policy);
    const applicability = notApplicable === undefined ? { applicable: true } : { applicable: false, note: notApplicable };
    const replaced = policy.ignored.find((i) => i.reason !== 'unknown-name' && i.reason !== 'duplicate-name' && settingOf(i.name, legacy) === name);
    if (replaced) {
      return { name, value, origin: 'fallback', applicable: applicability.applicable, configured: replaced.value, note: replaced.detail };
    }
    if (inRoot !== undefined && policy.explicit.includes(inRoot)) {
      const overridden = notApplicable !== undefined && isOverridden(name, policy);
      return overridden ? { name, value, origin: 'fallback', ...applicability } : { name, value, origin: 'explicit', ...applicability };
    }
    return legacy && inRoot === undefined
      ? { name, value, origin: 'default', applicable: applicability.applicable, note: legacyNote(notApplicable) }
      : { name, value, origin: 'default', ...applicability };
  });
}

function settingOf(rootName: string, legacy: boolean): string {
  return legacy ? (legacySettingByName(rootName)?.setting ?? rootName) : rootName;
}

/** Values the resolver replaced rather than merely marked as not applicable. */
function isOverridden(name: string, policy: EffectivePolicy): boolean {
  if (name === 'AdministratorAccountName') return policy.automaticAccountManagement.enabled || policy.dsrm;
  return policy.dsrm && DSRM_OVERRIDDEN.has(name);
}

function legacyNote(notApplicable: string | undefined): string {
  const fixed = 'legacy Microsoft LAPS emulation fixes this Windows LAPS setting at its disabled or default value';
  return notApplicable === undefined ? fixed : `${fixed}; ${notApplicable}`;
}
