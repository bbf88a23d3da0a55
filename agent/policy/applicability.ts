/**
 * Whether a setting has any effect under a resolved policy. Settings that do not apply are kept
 * and reported, never rejected: the DDF's DependsOn rules are "ignored at processing time"
 * (laps-behaviour.md 1.1, 1.4, 4.2, 8.4).
 */
import { settingByName } from '../../csp/laps/settings.js';
import type { EffectivePolicy } from './types.js';

const AAM_SUB_SETTINGS = new Set([
  'AutomaticAccountManagementTarget',
  'AutomaticAccountManagementNameOrPrefix',
  'AutomaticAccountManagementEnableAccount',
  'AutomaticAccountManagementRandomizeName',
]);

/** Settings that DSRM mode replaces outright (the resolver stores the replacement). */
export const DSRM_OVERRIDDEN = new Set([
  'AdministratorAccountName',
  'ADPasswordEncryptionPrincipal',
  'AutomaticAccountManagementEnabled',
  'PostAuthenticationResetDelay',
]);

const DIRECTORY_WORDS: Readonly<Record<1 | 2, string>> = { 1: '1 (Microsoft Entra ID)', 2: '2 (Active Directory)' };

type PolicyShape = Pick<
  EffectivePolicy,
  'backupDirectory' | 'dsrm' | 'automaticAccountManagement' | 'passwordComplexity' | 'postAuthenticationResetDelay' | 'adPasswordEncryptionEnabled'
>;

/**
 * Why Windows LAPS setting `name` has no effect under `policy`; undefined when it applies.
 * Unknown names are reported as not applicable.
 */
export function inapplicability(name: string, policy: PolicyShape): string | undefined {
  const spec = settingByName(name);
  if (!spec) return `${name} is not a Windows LAPS setting`;
  if (spec.name === 'BackupDirectory') return undefined;
  if (policy.backupDirectory === 0) return 'BackupDirectory is 0 (disabled): no other setting is used';
  if (spec.appliesTo.length > 0 && !spec.appliesTo.includes(policy.backupDirectory)) {
    const only = spec.appliesTo.map((d) => DIRECTORY_WORDS[d]).join(' or ');
    return `used only when BackupDirectory is ${only}`;
  }
  if (policy.dsrm && DSRM_OVERRIDDEN.has(spec.name)) return dsrmReason(spec.name);
  if (policy.dsrm && (AAM_SUB_SETTINGS.has(spec.name) || spec.name === 'PostAuthenticationActions')) return dsrmReason(spec.name);
  switch (spec.name) {
    case 'ADBackupDSRMPassword':
      return policy.dsrm ? undefined : 'used only by a domain controller backing up its DSRM account';
    case 'AdministratorAccountName':
      return policy.automaticAccountManagement.enabled ? 'ignored because AutomaticAccountManagementEnabled is true' : undefined;
    case 'PasswordLength':
      return policy.passwordComplexity >= 6 ? 'ignored for passphrases (PasswordComplexity 6-8)' : undefined;
    case 'PassphraseLength':
      return policy.passwordComplexity <= 5 ? 'used only for passphrases (PasswordComplexity 6-8)' : undefined;
    case 'PostAuthenticationActions':
      return policy.postAuthenticationResetDelay === 0 ? 'PostAuthenticationResetDelay 0 disables post-authentication actions' : undefined;
    case 'ADPasswordEncryptionPrincipal':
    case 'ADEncryptedPasswordHistorySize':
      return policy.adPasswordEncryptionEnabled ? undefined : 'used only when ADPasswordEncryptionEnabled is true';
    default:
      if (AAM_SUB_SETTINGS.has(spec.name) && !policy.automaticAccountManagement.enabled) {
        return 'used only when AutomaticAccountManagementEnabled is true';
      }
      return undefined;
  }
}

function dsrmReason(name: string): string {
  switch (name) {
    case 'AdministratorAccountName':
      return 'DSRM mode manages the built-in DSRM account (RID 500)';
    case 'ADPasswordEncryptionPrincipal':
      return 'DSRM passwords are always encrypted to Domain Admins';
    default:
      return name.startsWith('PostAuthentication')
        ? 'post-authentication actions are not supported for the DSRM account'
        : 'automatic account management is not available in DSRM mode';
  }
}
