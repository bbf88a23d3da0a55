/**
 * What the pages print for LAPS settings and statuses: the setting names and option texts as the
 * Intune admin center shows them for the Windows LAPS profile, the status words of the reports,
 * the device action states ("Pending", "Complete", "Failed", laps-behaviour.md 11.3) and the join
 * types. Display text only: which settings exist and what they mean stays in laps-template.ts and
 * csp/laps/settings.ts.
 */
import { formatSettingValue, type SettingValue } from '../../../csp/laps/settings.js';
import { STATUS_TEXT, type SettingStatus } from '../conflicts.js';
import type { SettingNode } from '../policy-types.js';
import { optionCspValue, optionSuffix, settingDefinition } from '../laps-template.js';
import type { ActionState } from '../state-store.js';
import type { DeviceLapsStatus } from './fleet-snapshot.js';

/** Portal names of the LAPS settings, by CSP node. */
const NAMES: Readonly<Record<string, string>> = {
  BackupDirectory: 'Backup Directory',
  PasswordAgeDays: 'Password Age Days',
  PasswordExpirationProtectionEnabled: 'Password Expiration Protection Enabled',
  ADPasswordEncryptionEnabled: 'AD Password Encryption Enabled',
  ADPasswordEncryptionPrincipal: 'AD Password Encryption Principal',
  ADEncryptedPasswordHistorySize: 'AD Encrypted Password History Size',
  AdministratorAccountName: 'Administrator Account Name',
  PasswordComplexity: 'Password Complexity',
  PassphraseLength: 'Passphrase Length',
  PasswordLength: 'Password Length',
  PostAuthenticationActions: 'Post Authentication Actions',
  PostAuthenticationResetDelay: 'Post Authentication Reset Delay',
  AutomaticAccountManagementEnabled: 'Automatic Account Management Enabled',
  AutomaticAccountManagementTarget: 'Automatic Account Management Target',
  AutomaticAccountManagementNameOrPrefix: 'Automatic Account Management Name Or Prefix',
  AutomaticAccountManagementEnableAccount: 'Automatic Account Management Enable Account',
  AutomaticAccountManagementRandomizeName: 'Automatic Account Management Randomize Name',
};

/** Option texts of the choice settings, by CSP node and value. */
const OPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  BackupDirectory: {
    0: 'Disabled (password will not be backed up)', 1: 'Backup the password to Microsoft Entra ID only', 2: 'Backup the password to Active Directory only',
  },
  PasswordComplexity: {
    1: 'Large letters', 2: 'Large letters + small letters', 3: 'Large letters + small letters + numbers',
    4: 'Large letters + small letters + numbers + special characters', 5: 'Large letters + small letters + numbers + special characters (improved readability)',
    6: 'Passphrase (long words)', 7: 'Passphrase (short words)', 8: 'Passphrase (short words with unique prefixes)',
  },
  PostAuthenticationActions: {
    1: 'Reset password: upon expiry of the grace period, the managed account password will be reset.',
    3: 'Reset the password and logoff the managed account',
    5: 'Reset the password and reboot: upon expiry of the grace period, the managed account password will be reset and the managed device will be immediately rebooted.',
    11: 'Reset the password, logoff the managed account, and terminate any remaining processes',
  },
  AutomaticAccountManagementTarget: { 0: 'Manage the built-in administrator account', 1: 'Create and manage a new custom administrator account' },
};

/** The portal name of a CSP node. */
export function settingName(node: string): string {
  return NAMES[node] ?? node;
}

/** The portal text of a value of a CSP node. */
export function valueText(node: string, value: SettingValue | undefined): string {
  if (value === undefined) return 'Not configured';
  if (typeof value === 'boolean') return value ? 'Enabled' : 'Disabled';
  return OPTIONS[node]?.[String(value)] ?? formatSettingValue(value);
}

/** A configured setting of a policy, flattened: its depth in the tree, name and value text. */
export interface SettingLine {
  readonly depth: number;
  readonly definitionId: string;
  readonly name: string;
  readonly value: string;
}

/** The policy's setting tree as lines, children under their option. */
export function settingLines(nodes: readonly SettingNode[], depth = 0): SettingLine[] {
  const out: SettingLine[] = [];
  for (const n of nodes) {
    const def = settingDefinition(n.definitionId);
    const node = def?.cspNode ?? n.definitionId;
    let value: string;
    if (n.kind === 'choice') {
      const suffix = def?.kind === 'choice' ? optionSuffix(def, n.option) : undefined;
      value = suffix === undefined ? n.option : valueText(node, optionCspValue(suffix));
    } else {
      value = valueText(node, n.value);
    }
    out.push({ depth, definitionId: n.definitionId, name: settingName(node), value });
    if (n.kind === 'choice') out.push(...settingLines(n.children, depth + 1));
  }
  return out;
}

/** The name of a setting definition id (`device_vendor_msft_laps_policies_passwordagedays_aad`). */
export function definitionName(definitionId: string): string {
  const def = settingDefinition(definitionId);
  return def ? settingName(def.cspNode) : definitionId;
}

/** Report words of a device's LAPS status. */
export function statusText(s: DeviceLapsStatus): string {
  return s === 'notConfigured' ? 'Not configured' : STATUS_TEXT[s];
}

/** The CSS class of a status pill. */
export function statusClass(s: DeviceLapsStatus | ActionState): string {
  switch (s) {
    case 'succeeded':
    case 'done':
      return 'ok';
    case 'error':
    case 'failed':
      return 'bad';
    case 'conflict':
      return 'warn';
    case 'pending':
    case 'active':
      return 'busy';
    case 'notConfigured':
      return 'none';
    default:
      return 'idle';
  }
}

/** The portal's words for a device action state (laps-behaviour.md 11.3: pending, done, failed). */
export const ACTION_STATE_TEXT: Readonly<Record<ActionState, string>> = {
  none: 'None', pending: 'Pending', canceled: 'Canceled', active: 'Active', done: 'Complete', failed: 'Failed', notSupported: 'Not supported',
};

/** The portal's name of a device action. */
export function actionText(actionName: string): string {
  return actionName.toLowerCase() === 'rotatelocaladminpassword' ? 'Rotate local admin password' : actionName;
}

/** The portal's words for a join type. */
export function joinTypeText(j: string): string {
  return j === 'entra' ? 'Microsoft Entra joined' : j === 'hybrid' ? 'Microsoft Entra hybrid joined' : j;
}

/** The words for a confirmed BackupDirectory. */
export function backupText(dir: number | undefined): string {
  return dir === 1 ? 'Microsoft Entra ID' : dir === 2 ? 'Active Directory' : dir === 0 ? 'Disabled' : 'Not configured';
}

/** The status words of the policy reports, by status. */
export function policyStatusText(s: SettingStatus): string {
  return STATUS_TEXT[s];
}
