/**
 * What the cycle hands an Active Directory backend: the view query (legacy emulation, DSRM, the
 * encryption principal, rollback detection) and the backup options (format, DSRM, encryption
 * target, history size). Pure: the policy and the view in, plain data out. Other directories
 * ignore both.
 */
import { buildNumber, CSP_1_1_MIN_BUILD } from '../../csp/laps/settings.js';
import type { AdBackupOptions, DirectoryQuery, DirectoryView } from '../ports.js';
import type { EffectivePolicy } from '../policy/types.js';

/** Image-rollback detection (msLAPS-CurrentPasswordVersion) came with 24H2 / Server 2025 (laps-behaviour.md 6.5). */
export function detectsRollback(osBuild: string): boolean {
  return buildNumber(osBuild) >= CSP_1_1_MIN_BUILD;
}

/** Encryption applies: Windows LAPS policy (not legacy emulation) with encryption on, or DSRM (always encrypted). */
function encrypts(policy: EffectivePolicy): boolean {
  return !policy.legacyEmulation && (policy.dsrm || policy.adPasswordEncryptionEnabled);
}

/** The AD view query for this cycle. */
export function directoryQuery(policy: EffectivePolicy, osBuild: string): DirectoryQuery {
  return {
    legacy: policy.legacyEmulation,
    dsrm: policy.dsrm,
    ...(encrypts(policy) ? { encryption: { principal: policy.dsrm ? undefined : policy.adPasswordEncryptionPrincipal } } : {}),
    rollbackDetection: !policy.legacyEmulation && detectsRollback(osBuild),
  };
}

/** The AD backup options for a rotation decided on `view`. */
export function adBackupOptions(policy: EffectivePolicy, view: DirectoryView): AdBackupOptions {
  if (policy.legacyEmulation) return { format: 'legacy', dsrm: false, historySize: 0 };
  const encrypted = encrypts(policy);
  return {
    format: encrypted ? 'encrypted' : 'cleartext',
    dsrm: policy.dsrm,
    ...(encrypted && view.encryptionTarget !== undefined ? { encryptionTarget: view.encryptionTarget } : {}),
    historySize: encrypted ? policy.adEncryptedPasswordHistorySize : 0,
  };
}
