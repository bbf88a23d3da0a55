import { describe, expect, it } from 'vitest';
import { parsePolicyAssignment } from '../../../agent/policy/policy-assignment.js';

describe('parsePolicyAssignment (lapsim policy set)', () => {
  const accepted: ['gpo' | 'local' | 'legacy', string, string, string][] = [
    ['gpo', 'BackupDirectory=2', 'BackupDirectory', '2'],
    ['gpo', 'backupdirectory=1', 'BackupDirectory', '1'],
    ['local', ' PasswordAgeDays = 30 ', 'PasswordAgeDays', '30'],
    ['gpo', 'PasswordLength=+08', 'PasswordLength', '8'],
    ['gpo', 'ADPasswordEncryptionEnabled=True', 'ADPasswordEncryptionEnabled', '1'],
    ['gpo', 'adpasswordencryptionenabled=false', 'ADPasswordEncryptionEnabled', '0'],
    ['local', 'ADBackupDSRMPassword=1', 'ADBackupDSRMPassword', '1'],
    ['gpo', 'AdministratorAccountName=Lab Admin', 'AdministratorAccountName', 'Lab Admin'],
    ['gpo', 'AdministratorAccountName=', 'AdministratorAccountName', ''],
    ['gpo', 'ADPasswordEncryptionPrincipal=contoso\\LAPS=Admins', 'ADPasswordEncryptionPrincipal', 'contoso\\LAPS=Admins'],
    ['gpo', 'PasswordComplexity=8', 'PasswordComplexity', '8'],
    ['legacy', 'admpwdenabled=1', 'AdmPwdEnabled', '1'],
    ['legacy', 'AdminAccountName=LocalAdmin', 'AdminAccountName', 'LocalAdmin'],
    ['legacy', 'PwdExpirationProtectionEnabled=true', 'PwdExpirationProtectionEnabled', '1'],
  ];
  it.each(accepted)('%s %s', (root, text, name, value) => {
    expect(parsePolicyAssignment(root, text)).toEqual({ ok: true, name, value });
  });

  const refused: ['gpo' | 'local' | 'legacy', string, RegExp][] = [
    ['gpo', 'BackupDirectory', /expected Name=Value/],
    ['gpo', '=2', /expected Name=Value/],
    ['gpo', 'Backup=2', /unknown setting 'Backup' for the gpo root; known settings: BackupDirectory, PasswordAgeDays/],
    ['legacy', 'BackupDirectory=2', /unknown setting 'BackupDirectory' for the legacy root; known settings: AdmPwdEnabled, AdminAccountName/],
    ['gpo', 'PasswordLength=abc', /^PasswordLength must be an integer from 8 to 64, got 'abc'$/],
    ['gpo', 'PasswordLength=65', /^PasswordLength must be an integer from 8 to 64, got 65$/],
    ['gpo', 'PasswordAgeDays=', /PasswordAgeDays must be an integer from 1 to 365/],
    ['gpo', 'PostAuthenticationActions=2', /^PostAuthenticationActions must be one of 1, 3, 5, 11, got 2$/],
    ['gpo', 'ADPasswordEncryptionEnabled=yes', /ADPasswordEncryptionEnabled must be true\/false or 1\/0, got 'yes'/],
    ['legacy', 'PasswordComplexity=5', /PasswordComplexity must be one of 1, 2, 3, 4, got 5/],
    ['local', `AdministratorAccountName=${'a'.repeat(1025)}`, /AdministratorAccountName must be text of at most 1024 characters/],
  ];
  it.each(refused)('refuses %s %s', (root, text, error) => {
    const r = parsePolicyAssignment(root, text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it('stores a well-formed out-of-range value on request, with a warning', () => {
    expect(parsePolicyAssignment('gpo', 'PasswordLength=65', { allowOutOfRange: true })).toEqual({
      ok: true, name: 'PasswordLength', value: '65',
      warning: 'PasswordLength must be an integer from 8 to 64, got 65; stored anyway, processing will use the default',
    });
    expect(parsePolicyAssignment('gpo', 'PasswordLength=abc', { allowOutOfRange: true }).ok).toBe(false);
  });

  it('keeps error messages short for huge input', () => {
    const r = parsePolicyAssignment('gpo', `${'N'.repeat(5000)}=1`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.length).toBeLessThan(1000);
  });
});
