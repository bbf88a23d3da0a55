/** What the cycle asks of an AD directory and hands it, per policy; reason 0x40. */
import { describe, expect, it } from 'vitest';
import { adBackupOptions, detectsRollback, directoryQuery } from '../../../agent/rotation/ad-options.js';
import { resolvePolicy } from '../../../agent/policy/resolve-policy.js';
import { DAY_MS, rotationReasons } from '../../../agent/rotation/decision.js';
import { RotationReason } from '../../../agent/events/rotation-reason.js';
import { BUILD_22H2, BUILD_24H2, facts, roots } from '../policy/helpers.js';

const SID = 'S-1-5-21-1-2-3-512';

describe('AD options from the policy', () => {
  it('clear text: no encryption query, no history', () => {
    const p = resolvePolicy(roots({ gpo: { BackupDirectory: '2', ADPasswordEncryptionEnabled: '0', ADEncryptedPasswordHistorySize: '5' } }), facts({ joinType: 'ad' }));
    expect(directoryQuery(p, BUILD_24H2)).toEqual({ legacy: false, dsrm: false, rollbackDetection: true });
    expect(adBackupOptions(p, {})).toEqual({ format: 'cleartext', dsrm: false, historySize: 0 });
  });

  it('encryption (the default) resolves the configured principal and keeps the history size', () => {
    const p = resolvePolicy(roots({ gpo: { BackupDirectory: '2', ADPasswordEncryptionPrincipal: 'LAPSIM\\LAPS Readers', ADEncryptedPasswordHistorySize: '3' } }), facts({ joinType: 'ad' }));
    expect(directoryQuery(p, BUILD_22H2)).toEqual({ legacy: false, dsrm: false, encryption: { principal: 'LAPSIM\\LAPS Readers' }, rollbackDetection: false });
    expect(adBackupOptions(p, { encryptionTarget: SID })).toEqual({ format: 'encrypted', dsrm: false, encryptionTarget: SID, historySize: 3 });
  });

  it('DSRM encrypts to Domain Admins whatever the principal; legacy emulation writes clear text', () => {
    const dsrm = resolvePolicy(roots({ gpo: { BackupDirectory: '2', ADBackupDSRMPassword: '1', ADPasswordEncryptionPrincipal: 'x@y', ADEncryptedPasswordHistorySize: '2' } }), facts({ joinType: 'ad', isDomainController: true }));
    expect(directoryQuery(dsrm, BUILD_24H2).encryption).toEqual({ principal: undefined });
    expect(adBackupOptions(dsrm, { encryptionTarget: SID })).toEqual({ format: 'encrypted', dsrm: true, encryptionTarget: SID, historySize: 2 });
    const legacy = resolvePolicy(roots({ legacy: { AdmPwdEnabled: '1' } }), facts({ joinType: 'ad' }));
    expect(directoryQuery(legacy, BUILD_24H2)).toEqual({ legacy: true, dsrm: false, rollbackDetection: false });
    expect(adBackupOptions(legacy, {})).toEqual({ format: 'legacy', dsrm: false, historySize: 0 });
  });

  it('rollback detection comes with build 26100', () => {
    expect([detectsRollback('10.0.26100.1'), detectsRollback('10.0.22631.4317'), detectsRollback('garbage')]).toEqual([true, false, false]);
  });

  it('encryption on but the encrypted attribute missing is reason 0x40', () => {
    const now = Date.UTC(2026, 2, 10);
    const state = { lastPasswordUpdateTime: now - DAY_MS, passwordExpiry: now + DAY_MS, lastAccountRid: 500, lastPolicySource: 'GPO' as const, lastBackupDirectory: 2 };
    const input = {
      now, source: 'GPO' as const, backupDirectory: 2 as const, passwordAgeDays: 30, expirationProtection: true, account: { rid: 500, name: 'Administrator' },
      state, encryptionTarget: SID,
    };
    expect(rotationReasons({ ...input, directory: { expiry: now + DAY_MS, encryptedPasswordPresent: false } })).toBe(RotationReason.EncryptedPasswordMissing);
    expect(rotationReasons({ ...input, directory: { expiry: now + DAY_MS, encryptedPasswordPresent: true } })).toBe(0);
  });
});
