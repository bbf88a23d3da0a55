/**
 * The event that dumps the policy in force at the start of a cycle: 10021 (Active Directory),
 * 10022 (Microsoft Entra ID), 10023 (legacy Microsoft LAPS emulation) or 10024 (disabled), with
 * the lines Windows prints. See "Use Windows LAPS event logs", "Policy configuration details":
 * https://learn.microsoft.com/windows-server/identity/laps/laps-management-event-log
 */
import type { EventFieldValue, LapsEvent } from '../ports.js';
import { makeEvent } from '../events/make-event.js';
import type { EffectivePolicy } from './types.js';

export type PolicyDumpId = 10021 | 10022 | 10023 | 10024;

/** An event ID and its fields, ready for `makeEvent`. */
export interface PolicyDump {
  readonly id: PolicyDumpId;
  readonly fields: Readonly<Record<string, EventFieldValue>>;
}

/** The directory as the dump names it (Windows still says "Azure Active Directory"). */
const DIRECTORY_NAME = { 1: 'Azure Active Directory', 2: 'Active Directory' } as const;

/**
 * Which dump event describes `policy`, and its fields (frozen: a device emits the same dump every
 * cycle, and makeEvent reuses its checked fields and message).
 */
export function policyDumpEvent(policy: EffectivePolicy): PolicyDump {
  const dump = dumpOf(policy);
  return { id: dump.id, fields: Object.freeze(dump.fields) };
}

function dumpOf(policy: EffectivePolicy): PolicyDump {
  if (policy.source === 'None' || policy.backupDirectory === 0) return { id: 10024, fields: {} };
  const head = {
    policySource: policy.source,
    backupDirectory: DIRECTORY_NAME[policy.backupDirectory],
    accountName: policy.administratorAccountName ?? '',
    passwordAgeDays: policy.passwordAgeDays,
    passwordComplexity: policy.passwordComplexity,
    passwordLength: policy.passwordLength,
  };
  if (policy.source === 'LegacyLaps') {
    return { id: 10023, fields: { ...head, passwordExpirationProtection: policy.passwordExpirationProtectionEnabled } };
  }
  const postAuth = { postAuthResetDelay: policy.postAuthenticationResetDelay, postAuthActions: policy.postAuthenticationActions };
  if (policy.backupDirectory === 1) return { id: 10022, fields: { ...head, ...postAuth } };
  return {
    id: 10021,
    fields: {
      ...head,
      passwordExpirationProtection: policy.passwordExpirationProtectionEnabled,
      encryptionEnabled: policy.adPasswordEncryptionEnabled,
      encryptionPrincipal: policy.adPasswordEncryptionPrincipal ?? '',
      encryptedHistorySize: policy.adEncryptedPasswordHistorySize,
      backupDsrm: policy.adBackupDsrmPassword,
      ...postAuth,
    },
  };
}

/**
 * The dump as a LapsEvent.
 * @param time epoch milliseconds
 */
export function makePolicyDumpEvent(policy: EffectivePolicy, time: number): LapsEvent {
  const dump = policyDumpEvent(policy);
  return makeEvent(dump.id, dump.fields, time);
}

/** The policy's warnings (10008, 10033, 10058, 10900) as LapsEvents, in order. */
export function policyWarningEvents(policy: EffectivePolicy, time: number): LapsEvent[] {
  return policy.warnings.map((w) => makeEvent(w.eventId, w.fields, time));
}
