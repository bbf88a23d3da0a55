/**
 * Whether the managed password must change now, and why: the reason bitmask of event 10015
 * (laps-behaviour.md 6.3, 6.4). Pure: no clock, no I/O.
 */
import type { DirectoryView, LapsState, PolicySourceName } from '../ports.js';
import { RotationReason } from '../events/rotation-reason.js';

export interface DecisionInput {
  readonly now: number;
  readonly source: PolicySourceName;
  readonly backupDirectory: 1 | 2;
  readonly passwordAgeDays: number;
  /** AD only: PasswordExpirationProtectionEnabled. */
  readonly expirationProtection: boolean;
  readonly account: { readonly rid: number; readonly name: string };
  /** The name the account is expected to have (automatic management with a randomized name: the last name LAPS gave it). */
  readonly state: LapsState;
  /** What the directory says this cycle (AD: expiry and version). */
  readonly directory: DirectoryView;
  /** AD with encryption: the resolved encryption target; undefined otherwise. */
  readonly encryptionTarget?: string | undefined;
  /** Compare the AD password version (rollback detection). */
  readonly checkPasswordVersion?: boolean;
}

export const DAY_MS = 86_400_000;

/** The reasons a rotation is due now (0 = none). */
export function rotationReasons(i: DecisionInput): number {
  const s = i.state;
  let reasons = 0;
  if (s.lastPasswordUpdateTime === undefined || s.passwordExpiry === undefined || s.localSetFailed === true) {
    reasons |= RotationReason.LocalStateInconsistent;
  }
  if (s.lastPolicySource !== undefined && (s.lastPolicySource !== i.source || s.lastBackupDirectory !== i.backupDirectory)) {
    reasons |= RotationReason.PolicyAuthorityChanged;
  }
  if (s.lastAccountRid !== undefined && (s.lastAccountRid !== i.account.rid || (s.lastAccountName !== undefined && s.lastAccountName.toLowerCase() !== i.account.name.toLowerCase()))) {
    reasons |= RotationReason.ManagedAccountChanged;
  }
  if (i.backupDirectory === 1) {
    if (s.passwordExpiry !== undefined && i.now >= s.passwordExpiry) reasons |= RotationReason.PasswordExpired;
  } else {
    const adExpiry = i.directory.expiry;
    if (adExpiry === undefined) {
      if (s.lastPasswordUpdateTime !== undefined) reasons |= RotationReason.NoExpirationAttribute;
    } else {
      if (i.now >= adExpiry) reasons |= RotationReason.PasswordExpired;
      else if (i.expirationProtection && adExpiry > i.now + i.passwordAgeDays * DAY_MS) reasons |= RotationReason.ExpirationTooFarAway;
    }
    if (i.encryptionTarget !== undefined && s.lastEncryptionTarget !== undefined && s.lastEncryptionTarget !== i.encryptionTarget) {
      reasons |= RotationReason.EncryptionTargetChanged;
    }
    if (i.encryptionTarget !== undefined && i.directory.encryptedPasswordPresent === false && s.lastPasswordUpdateTime !== undefined) {
      reasons |= RotationReason.EncryptedPasswordMissing;
    }
    if (i.checkPasswordVersion && s.lastPasswordVersion !== undefined && i.directory.passwordVersion !== undefined && i.directory.passwordVersion !== s.lastPasswordVersion) {
      reasons |= RotationReason.PasswordVersionMismatch;
    }
  }
  return reasons;
}

/** Expiry of a password set at `rotationTime`: exactly rotation time + PasswordAgeDays. */
export function expiryFor(rotationTime: number, passwordAgeDays: number): number {
  return rotationTime + passwordAgeDays * DAY_MS;
}
