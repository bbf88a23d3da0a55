import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../../agent/events/make-event.js';
import { RotationReason, formatReasonMask, renderRotationReasons, rotationReasonNames } from '../../../agent/events/rotation-reason.js';

describe('rotation reasons (event 10015)', () => {
  it('keeps the bits decoded from Windows samples', () => {
    expect(RotationReason.PasswordExpired).toBe(0x1);
    expect(RotationReason.PolicyAuthorityChanged).toBe(0x2);
    expect(RotationReason.ManagedAccountChanged).toBe(0x4);
    expect(RotationReason.LocalStateInconsistent).toBe(0x10);
    expect(RotationReason.PasswordVersionMismatch).toBe(0x4000);
  });

  it('gives every flag its own single bit and its own text', () => {
    const bits = Object.values(RotationReason);
    expect(new Set(bits).size).toBe(bits.length);
    for (const b of bits) {
      expect(b & (b - 1), `0x${b.toString(16)} is one bit`).toBe(0);
      expect(renderRotationReasons(b)[0]).not.toMatch(/^Unknown/);
    }
    expect(new Set(bits.map((b) => renderRotationReasons(b)[0])).size).toBe(bits.length);
  });

  it('renders the GA sample 0x13 exactly, lowest bit first', () => {
    const mask = RotationReason.PasswordExpired | RotationReason.PolicyAuthorityChanged | RotationReason.LocalStateInconsistent;
    expect(formatReasonMask(mask)).toBe('0x13');
    expect(makeEvent(10015, { reasons: mask }, 0).message).toBe(
      'The managed account password needs to be updated due to one or more reasons (0x13):\n\n' +
        'The current password has expired\nThe policy authority has changed\nLocal state is missing and/or inconsistent with directory state',
    );
  });

  it('renders 0x14 and 0x4000 as the support samples do', () => {
    expect(renderRotationReasons(0x14)).toEqual(['The local account being managed has changed', 'Local state is missing and/or inconsistent with directory state']);
    expect(renderRotationReasons(0x4000)).toEqual(['The password version identifier stored in Active Directory does not match the locally stored version']);
    expect(makeEvent(10015, { reasons: 0x4000 }, 0).message).toContain('(0x4000):');
  });

  it('lists the AD-only reasons', () => {
    const mask = RotationReason.NoExpirationAttribute | RotationReason.EncryptedPasswordMissing | RotationReason.EncryptionTargetChanged;
    expect(renderRotationReasons(mask)).toEqual([
      'The computer account does not have a password expiration attribute',
      'The policy is configured for password encryption but the encrypted password attribute was not found',
      'The policy was changed to specify a different password encryption target',
    ]);
  });

  it('shows an unknown bit instead of dropping it, and nothing for 0', () => {
    expect(renderRotationReasons(0x8 | 0x1)).toEqual(['The current password has expired', 'Unknown reason (0x8)']);
    expect(renderRotationReasons(0x80000000)).toEqual(['Unknown reason (0x80000000)']);
    expect(renderRotationReasons(0)).toEqual([]);
  });

  it('names the flags of a mask', () => {
    expect(rotationReasonNames(0x13)).toEqual(['PasswordExpired', 'PolicyAuthorityChanged', 'LocalStateInconsistent']);
  });
});
