import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../../agent/policy/resolve-policy.js';
import { facts, roots } from './helpers.js';

const LEGACY = { AdmPwdEnabled: '1', AdminAccountName: 'LocalAdmin', PasswordComplexity: '3', PasswordLength: '20', PasswordAgeDays: '2' };

describe('legacy Microsoft LAPS emulation (laps-behaviour.md 3.2)', () => {
  it('emulates a legacy policy: AD only, clear text, legacy names mapped', () => {
    const p = resolvePolicy(roots({ legacy: LEGACY }), facts({ joinType: 'ad' }));
    expect(p).toMatchObject({
      source: 'LegacyLaps', legacyEmulation: true, managed: true, backupDirectory: 2, administratorAccountName: 'LocalAdmin',
      passwordComplexity: 3, passwordLength: 20, passwordAgeDays: 2,
      adPasswordEncryptionEnabled: false, passwordExpirationProtectionEnabled: false, adEncryptedPasswordHistorySize: 0,
      postAuthenticationResetDelay: 0, adBackupDsrmPassword: false, dsrm: false,
      explicit: ['AdmPwdEnabled', 'AdminAccountName', 'PasswordComplexity', 'PasswordLength', 'PasswordAgeDays'],
      ignored: [], warnings: [],
    });
    expect(p.automaticAccountManagement.enabled).toBe(false);
  });

  it('honours PwdExpirationProtectionEnabled, which defaults to off', () => {
    expect(resolvePolicy(roots({ legacy: { ...LEGACY, PwdExpirationProtectionEnabled: '1' } }), facts()).passwordExpirationProtectionEnabled).toBe(true);
  });

  it('needs AdmPwdEnabled = 1', () => {
    for (const legacy of [{ AdmPwdEnabled: '0', PasswordLength: '20' }, { PasswordLength: '20' }]) {
      const p = resolvePolicy(roots({ legacy }), facts());
      expect(p).toMatchObject({ source: 'LegacyLaps', backupDirectory: 0, managed: false, notManagedCode: 'legacy-disabled' });
    }
  });

  it('is never used when any Windows LAPS root has a value', () => {
    for (const r of [{ csp: { PasswordLength: '9' } }, { gpo: { BackupDirectory: '2' } }, { local: { PostAuthenticationActions: '1' } }]) {
      const p = resolvePolicy(roots({ ...r, legacy: LEGACY }), facts());
      expect(p.source).not.toBe('LegacyLaps');
      expect(p.legacyEmulation).toBe(false);
    }
  });

  it('stays hands-off with warning 10033 when the legacy CSE is installed', () => {
    const p = resolvePolicy(roots({ legacy: LEGACY }), facts({ legacyCseInstalled: true }));
    expect(p).toMatchObject({ source: 'LegacyLaps', legacyEmulation: false, managed: false, notManagedCode: 'legacy-cse-installed', backupDirectory: 2 });
    expect(p.warnings).toEqual([{ eventId: 10033, fields: {} }]);
  });

  it('does not warn about the legacy CSE when there is no legacy policy', () => {
    const p = resolvePolicy(roots(), facts({ legacyCseInstalled: true }));
    expect(p).toMatchObject({ source: 'None', managed: false, notManagedCode: 'no-policy', warnings: [] });
  });

  it('is always ignored on a domain controller', () => {
    const p = resolvePolicy(roots({ legacy: LEGACY }), facts({ isDomainController: true, joinType: 'ad' }));
    expect(p).toMatchObject({ source: 'None', managed: false, notManagedCode: 'legacy-on-dc', legacyEmulation: false, warnings: [] });
  });

  it('allows only complexity 1-4 and falls back to defaults with event 10900', () => {
    const p = resolvePolicy(roots({ legacy: { ...LEGACY, PasswordComplexity: '5', PasswordLength: '65' } }), facts());
    expect([p.passwordComplexity, p.passwordLength]).toEqual([4, 14]);
    expect(p.ignored.map((i) => [i.root, i.name, i.reason])).toEqual([
      ['legacy', 'PasswordComplexity', 'out-of-range'],
      ['legacy', 'PasswordLength', 'out-of-range'],
    ]);
    expect(p.warnings.map((w) => [w.eventId, w.fields.policySource])).toEqual([[10900, 'LegacyLaps'], [10900, 'LegacyLaps']]);
  });

  it('ignores Windows LAPS names in the legacy root', () => {
    const p = resolvePolicy(roots({ legacy: { BackupDirectory: '2', ADPasswordEncryptionEnabled: '1' } }), facts());
    expect(p.source).toBe('None');
  });

  it('cannot back up from a device that is not AD-joined', () => {
    expect(resolvePolicy(roots({ legacy: LEGACY }), facts({ joinType: 'entra' }))).toMatchObject({ managed: false, notManagedCode: 'join-mismatch' });
  });
});

describe('local configuration opt-out', () => {
  it('BackupDirectory=0 in the local root makes it the active, disabled policy: legacy is never reached', () => {
    const p = resolvePolicy(roots({ local: { BackupDirectory: '0' }, legacy: LEGACY }), facts());
    expect(p).toMatchObject({ source: 'LocalConfig', backupDirectory: 0, managed: false, notManagedCode: 'backup-disabled', legacyEmulation: false, warnings: [] });
  });

  it('a GPO policy still takes precedence over the opt-out', () => {
    expect(resolvePolicy(roots({ gpo: { BackupDirectory: '2' }, local: { BackupDirectory: '0' } }), facts())).toMatchObject({ source: 'GPO', managed: true });
  });
});

describe('domain controllers (laps-behaviour.md 8.4)', () => {
  const dc = facts({ isDomainController: true, joinType: 'ad' });
  const DSRM = { BackupDirectory: '2', ADBackupDSRMPassword: '1' };

  it('manage only the DSRM account, from GPO or local configuration', () => {
    for (const root of ['gpo', 'local'] as const) {
      const p = resolvePolicy(roots({ [root]: { ...DSRM, AdministratorAccountName: 'x', ADPasswordEncryptionPrincipal: 'C\\G', ADEncryptedPasswordHistorySize: '4' } }), dc);
      expect(p).toMatchObject({ dsrm: true, managed: true, adBackupDsrmPassword: true, adPasswordEncryptionEnabled: true, adEncryptedPasswordHistorySize: 4 });
      expect(p).toMatchObject({ administratorAccountName: undefined, adPasswordEncryptionPrincipal: undefined, postAuthenticationResetDelay: 0 });
      expect(p.notApplicable.map((n) => n.name)).toEqual(['AdministratorAccountName', 'ADPasswordEncryptionPrincipal']);
      expect(p.warnings).toEqual([]);
    }
  });

  it('turn automatic account management off in DSRM mode', () => {
    const p = resolvePolicy(roots({ gpo: { ...DSRM, AutomaticAccountManagementEnabled: '1' } }), dc);
    expect(p.automaticAccountManagement.enabled).toBe(false);
    expect(p.notApplicable.map((n) => n.name)).toEqual(['AutomaticAccountManagementEnabled']);
  });

  it('log 10008 and manage nothing under a non-DSRM policy', () => {
    const cases = [{ BackupDirectory: '2' }, { BackupDirectory: '1' }, { ...DSRM, ADPasswordEncryptionEnabled: '0' }];
    for (const values of cases) {
      const p = resolvePolicy(roots({ gpo: values }), dc);
      expect(p).toMatchObject({ dsrm: false, managed: false, notManagedCode: 'unsupported-on-dc' });
      expect(p.warnings).toEqual([{ eventId: 10008, fields: {} }]);
    }
  });

  it('log nothing extra when the policy is disabled', () => {
    expect(resolvePolicy(roots({ gpo: { BackupDirectory: '0' } }), dc)).toMatchObject({ managed: false, notManagedCode: 'backup-disabled', warnings: [] });
  });

  it('cannot get ADBackupDSRMPassword through the CSP: it is recorded and logged', () => {
    const p = resolvePolicy(roots({ csp: { ...DSRM } }), dc);
    expect(p).toMatchObject({ source: 'CSP', dsrm: false, managed: false });
    expect(p.ignored).toEqual([expect.objectContaining({ root: 'csp', name: 'ADBackupDSRMPassword', reason: 'not-valid-in-root' })]);
    expect(p.warnings.map((w) => w.eventId)).toEqual([10900, 10008]);
  });

  it('member servers never enter DSRM mode', () => {
    expect(resolvePolicy(roots({ gpo: DSRM }), facts()).dsrm).toBe(false);
  });
});
