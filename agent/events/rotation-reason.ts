/**
 * Why a password must be rotated: the reason bitmask that event 10015 prints in hex, followed by
 * one line per reason. Bits 0x1, 0x2, 0x4, 0x10 and 0x4000 are decoded from Windows samples
 * (laps-behaviour.md 6.3); the AD-only reasons and expiration protection have no published bit,
 * so lapsim picks unused ones (docs/decisions.md, "10015 reason bits").
 */

/** Rotation reason flags, combined with `|`. */
export const RotationReason = {
  /** 0x1: the password is at or past its expiry. [SUPPORT: GA samples 0x13] */
  PasswordExpired: 0x1,
  /** 0x2: the policy root or BackupDirectory changed since the last rotation. [SUPPORT] */
  PolicyAuthorityChanged: 0x2,
  /** 0x4: the managed account (RID or name) changed. [SUPPORT: GA sample 0x14] */
  ManagedAccountChanged: 0x4,
  /** 0x10: no local state, or it disagrees with the directory. [SUPPORT] */
  LocalStateInconsistent: 0x10,
  /** 0x20 (lapsim choice): AD computer object has no msLAPS-PasswordExpirationTime. */
  NoExpirationAttribute: 0x20,
  /** 0x40 (lapsim choice): encryption is on but msLAPS-EncryptedPassword is absent. */
  EncryptedPasswordMissing: 0x40,
  /** 0x80 (lapsim choice): ADPasswordEncryptionPrincipal resolves to a different target. */
  EncryptionTargetChanged: 0x80,
  /** 0x100 (lapsim choice): AD expiry lies further out than now + PasswordAgeDays (protection on). */
  ExpirationTooFarAway: 0x100,
  /** 0x4000: msLAPS-CurrentPasswordVersion differs from the local copy (24H2 rollback detection). */
  PasswordVersionMismatch: 0x4000,
} as const;

export type RotationReasonName = keyof typeof RotationReason;

/** The line Windows prints for each reason (lapsim wording where Windows' is unknown). */
const REASON_TEXT: Readonly<Record<number, string>> = {
  [RotationReason.PasswordExpired]: 'The current password has expired',
  [RotationReason.PolicyAuthorityChanged]: 'The policy authority has changed',
  [RotationReason.ManagedAccountChanged]: 'The local account being managed has changed',
  [RotationReason.LocalStateInconsistent]: 'Local state is missing and/or inconsistent with directory state',
  [RotationReason.NoExpirationAttribute]: 'The computer account does not have a password expiration attribute',
  [RotationReason.EncryptedPasswordMissing]:
    'The policy is configured for password encryption but the encrypted password attribute was not found',
  [RotationReason.EncryptionTargetChanged]: 'The policy was changed to specify a different password encryption target',
  [RotationReason.ExpirationTooFarAway]: 'The password expiration time is later than the configured password age allows',
  [RotationReason.PasswordVersionMismatch]:
    'The password version identifier stored in Active Directory does not match the locally stored version',
};

/** The mask as Windows prints it: `0x` and upper-case hex (`0x13`, `0x4000`). */
export function formatReasonMask(mask: number): string {
  return `0x${(mask >>> 0).toString(16).toUpperCase()}`;
}

/**
 * One line per set bit, lowest bit first (the order of the Windows samples). A bit lapsim does not
 * know renders as `Unknown reason (0x...)` rather than being dropped.
 */
export function renderRotationReasons(mask: number): string[] {
  const lines: string[] = [];
  let rest = mask >>> 0;
  for (let bit = 1; rest !== 0; bit = (bit << 1) >>> 0) {
    if ((rest & bit) === 0) continue;
    rest = (rest & ~bit) >>> 0;
    lines.push(REASON_TEXT[bit] ?? `Unknown reason (${formatReasonMask(bit)})`);
  }
  return lines;
}

/** The names of the flags set in `mask` (for logs and JSON output). */
export function rotationReasonNames(mask: number): RotationReasonName[] {
  return (Object.keys(RotationReason) as RotationReasonName[]).filter((k) => (mask & RotationReason[k]) !== 0);
}
