import { describe, expect, it } from 'vitest';
import { DAY_MS, expiryFor, rotationReasons, type DecisionInput } from '../../../agent/rotation/decision.js';
import { RotationReason as R } from '../../../agent/events/rotation-reason.js';

const NOW = Date.UTC(2026, 2, 10);
const settled = {
  lastPasswordUpdateTime: NOW - 5 * DAY_MS, passwordExpiry: NOW + 25 * DAY_MS, lastAccountRid: 500, lastAccountName: 'Administrator',
  lastPolicySource: 'CSP' as const, lastBackupDirectory: 1,
};
const base: DecisionInput = {
  now: NOW, source: 'CSP', backupDirectory: 1, passwordAgeDays: 30, expirationProtection: true,
  account: { rid: 500, name: 'Administrator' }, state: settled, directory: {},
};

describe('rotation reasons (event 10015 bitmask)', () => {
  const cases: [string, Partial<DecisionInput>, number][] = [
    ['nothing due', {}, 0],
    ['no local state', { state: {} }, R.LocalStateInconsistent],
    ['local set failed earlier', { state: { ...settled, localSetFailed: true } }, R.LocalStateInconsistent],
    ['Entra expiry reached', { now: settled.passwordExpiry }, R.PasswordExpired],
    ['policy root changed', { source: 'GPO' }, R.PolicyAuthorityChanged],
    ['managed account RID changed', { account: { rid: 1001, name: 'LapsAdmin' } }, R.ManagedAccountChanged],
    ['managed account renamed (name compare is case-insensitive)', { account: { rid: 500, name: 'ADMINISTRATOR' } }, 0],
    ['AD: directory expiry reached', { backupDirectory: 2, state: { ...settled, lastBackupDirectory: 2 }, directory: { expiry: NOW } }, R.PasswordExpired],
    ['AD: no expiration attribute', { backupDirectory: 2, state: { ...settled, lastBackupDirectory: 2 }, directory: {} }, R.NoExpirationAttribute],
    ['AD: expiry pushed beyond the age, protection on', { backupDirectory: 2, state: { ...settled, lastBackupDirectory: 2 }, directory: { expiry: NOW + 31 * DAY_MS } }, R.ExpirationTooFarAway],
    ['AD: expiry pushed beyond the age, protection off', { backupDirectory: 2, expirationProtection: false, state: { ...settled, lastBackupDirectory: 2 }, directory: { expiry: NOW + 31 * DAY_MS } }, 0],
    ['AD: PasswordAgeDays lowered below the remaining lifetime', { backupDirectory: 2, passwordAgeDays: 10, state: { ...settled, lastBackupDirectory: 2 }, directory: { expiry: NOW + 25 * DAY_MS } }, R.ExpirationTooFarAway],
    ['AD: version mismatch (image rollback)', { backupDirectory: 2, checkPasswordVersion: true, state: { ...settled, lastBackupDirectory: 2, lastPasswordVersion: 'a' }, directory: { expiry: NOW + DAY_MS, passwordVersion: 'b' } }, R.PasswordVersionMismatch],
    ['directory switched Entra to AD', { backupDirectory: 2, directory: { expiry: NOW + DAY_MS } }, R.PolicyAuthorityChanged],
  ];
  for (const [name, patch, want] of cases) {
    it(name, () => expect(rotationReasons({ ...base, ...patch })).toBe(want));
  }

  it('expiry is rotation time plus PasswordAgeDays exactly', () => {
    expect(new Date(expiryFor(Date.UTC(2026, 6, 1, 13, 23, 19), 30)).toISOString()).toBe('2026-07-31T13:23:19.000Z');
  });
});
