import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../../agent/policy/resolve-policy.js';
import type { PolicyRootValues } from '../../../agent/policy/types.js';
import { BUILD_22H2, BUILD_24H2, facts, roots } from './helpers.js';

const AD = { BackupDirectory: '2' };
const ENTRA = { BackupDirectory: '1' };

describe('root precedence: CSP > GPO > local config > legacy, first non-empty root wins whole', () => {
  const table: [string, Partial<PolicyRootValues>, string, number][] = [
    ['nothing configured', {}, 'None', 0],
    ['CSP only', { csp: AD }, 'CSP', 2],
    ['GPO only', { gpo: ENTRA }, 'GPO', 1],
    ['local only', { local: AD }, 'LocalConfig', 2],
    ['CSP beats GPO', { csp: ENTRA, gpo: AD }, 'CSP', 1],
    ['GPO beats local', { gpo: ENTRA, local: AD }, 'GPO', 1],
    ['local beats legacy', { local: ENTRA, legacy: { AdmPwdEnabled: '1' } }, 'LocalConfig', 1],
    ['a CSP root with only PasswordLength wins and is disabled: nothing merges', { csp: { PasswordLength: '20' }, gpo: AD }, 'CSP', 0],
    ['a root holding only unknown names is skipped', { csp: { Foo: '1' }, gpo: AD }, 'GPO', 2],
    ['ADBackupDSRMPassword cannot make the CSP root active', { csp: { ADBackupDSRMPassword: 'true' }, gpo: AD }, 'GPO', 2],
    ['an unparsable value still makes its root active', { csp: { BackupDirectory: 'abc' }, gpo: AD }, 'CSP', 0],
    ['a 24H2-only setting on an older build still makes its root active', { gpo: { AutomaticAccountManagementEnabled: '1' }, local: AD }, 'GPO', 0],
  ];
  it.each(table)('%s', (_name, r, source, backupDirectory) => {
    const p = resolvePolicy(roots(r), facts({ osBuild: BUILD_22H2 }));
    expect(p.source).toBe(source);
    expect(p.backupDirectory).toBe(backupDirectory);
  });

  it('takes nothing from a lower root: missing settings get defaults, not GPO values', () => {
    const p = resolvePolicy(roots({ csp: { BackupDirectory: '2', PasswordLength: '20' }, gpo: { PasswordAgeDays: '5', PasswordComplexity: '2' } }), facts());
    expect(p).toMatchObject({ source: 'CSP', passwordLength: 20, passwordAgeDays: 30, passwordComplexity: 4, explicit: ['BackupDirectory', 'PasswordLength'] });
  });

  it('fills every missing setting with its documented default (laps-behaviour.md 1.3)', () => {
    const p = resolvePolicy(roots({ gpo: AD }), facts());
    expect(p).toMatchObject({
      passwordAgeDays: 30, passwordComplexity: 4, passwordLength: 14, passphraseLength: 6, administratorAccountName: undefined,
      passwordExpirationProtectionEnabled: true, adPasswordEncryptionEnabled: true, adPasswordEncryptionPrincipal: undefined,
      adEncryptedPasswordHistorySize: 0, adBackupDsrmPassword: false, postAuthenticationResetDelay: 24, postAuthenticationActions: 3,
      automaticAccountManagement: { enabled: false, target: 1, nameOrPrefix: 'WLapsAdmin', enableAccount: false, randomizeName: false },
      legacyEmulation: false, dsrm: false, managed: true, ignored: [], warnings: [], notApplicable: [],
    });
  });

  it('matches names case-insensitively and reports them canonically', () => {
    const p = resolvePolicy(roots({ gpo: { backupdirectory: '2', PASSWORDLENGTH: '30', administratoraccountname: 'Admin2' } }), facts());
    expect(p.explicit).toEqual(['BackupDirectory', 'PasswordLength', 'AdministratorAccountName']);
    expect(p).toMatchObject({ passwordLength: 30, administratorAccountName: 'Admin2' });
  });

  it('uses the first of two names that differ only in case and records the second', () => {
    const p = resolvePolicy(roots({ gpo: { BackupDirectory: '2', PasswordLength: '20', passwordlength: '30' } }), facts());
    expect(p.passwordLength).toBe(20);
    expect(p.ignored).toEqual([expect.objectContaining({ name: 'PasswordLength', value: '30', reason: 'duplicate-name' })]);
    expect(p.warnings).toEqual([]);
  });

  it('records unknown names in the winning root without logging them', () => {
    const p = resolvePolicy(roots({ gpo: { ...AD, Color: 'blue' } }), facts());
    expect(p.ignored).toEqual([expect.objectContaining({ root: 'gpo', name: 'Color', reason: 'unknown-name' })]);
    expect(p.warnings).toEqual([]);
  });

  it('does not mutate its input', () => {
    const r = roots({ gpo: Object.freeze({ ...AD, PasswordLength: '99' }) });
    Object.freeze(r);
    expect(() => resolvePolicy(r, facts())).not.toThrow();
  });
});

describe('invalid values fall back to defaults, recorded and logged (event 10900)', () => {
  const table: [string, Record<string, string>, string, string, unknown][] = [
    ['PasswordLength above 64', { PasswordLength: '65' }, 'out-of-range', 'passwordLength', 14],
    ['PasswordLength below 8', { PasswordLength: '7' }, 'out-of-range', 'passwordLength', 14],
    ['PasswordAgeDays 0', { PasswordAgeDays: '0' }, 'out-of-range', 'passwordAgeDays', 30],
    ['PasswordAgeDays 366', { PasswordAgeDays: '366' }, 'out-of-range', 'passwordAgeDays', 30],
    ['PasswordComplexity 9', { PasswordComplexity: '9' }, 'out-of-range', 'passwordComplexity', 4],
    ['PostAuthenticationActions 2', { PostAuthenticationActions: '2' }, 'out-of-range', 'postAuthenticationActions', 3],
    ['PostAuthenticationResetDelay 25', { PostAuthenticationResetDelay: '25' }, 'out-of-range', 'postAuthenticationResetDelay', 24],
    ['ADEncryptedPasswordHistorySize 13', { ADEncryptedPasswordHistorySize: '13' }, 'out-of-range', 'adEncryptedPasswordHistorySize', 0],
    ['PassphraseLength 11', { PassphraseLength: '11' }, 'out-of-range', 'passphraseLength', 6],
    ['a name longer than 1024 characters', { AdministratorAccountName: 'x'.repeat(1025) }, 'out-of-range', 'administratorAccountName', undefined],
    ['PasswordLength abc', { PasswordLength: 'abc' }, 'unparsable', 'passwordLength', 14],
    ['PasswordLength 1e2', { PasswordLength: '1e2' }, 'unparsable', 'passwordLength', 14],
    ['a bool of 2', { ADPasswordEncryptionEnabled: '2' }, 'unparsable', 'adPasswordEncryptionEnabled', true],
    ['a bool of yes', { PasswordExpirationProtectionEnabled: 'yes' }, 'unparsable', 'passwordExpirationProtectionEnabled', true],
  ];
  it.each(table)('%s', (_name, values, reason, field, used) => {
    const [name, value] = Object.entries(values)[0] as [string, string];
    const p = resolvePolicy(roots({ gpo: { ...AD, ...values } }), facts());
    expect((p as unknown as Record<string, unknown>)[field]).toEqual(used);
    expect(p.ignored).toEqual([expect.objectContaining({ root: 'gpo', name, value, reason, used })]);
    expect(p.warnings).toEqual([{ eventId: 10900, fields: expect.objectContaining({ policySource: 'GPO', name, used: used === undefined ? '(unset)' : String(used) }) }]);
    expect(p.managed).toBe(true);
  });

  it('an unparsable BackupDirectory leaves the root in force but disabled', () => {
    const p = resolvePolicy(roots({ csp: { BackupDirectory: '3' }, gpo: AD }), facts());
    expect(p).toMatchObject({ source: 'CSP', backupDirectory: 0, managed: false, notManagedCode: 'backup-disabled' });
    expect(p.ignored[0]).toMatchObject({ name: 'BackupDirectory', reason: 'out-of-range' });
  });

  it('accepts any case of true/false and 1/0 for booleans', () => {
    for (const [text, want] of [['True', true], ['FALSE', false], ['1', true], ['0', false], [' true ', true]] as const) {
      expect(resolvePolicy(roots({ gpo: { ...AD, ADPasswordEncryptionEnabled: text } }), facts()).adPasswordEncryptionEnabled).toBe(want);
    }
  });

  it('keeps an ADPasswordEncryptionPrincipal as configured: the device validates it later (10034/10035)', () => {
    for (const principal of ['LapsAdmins', 'not a principal!', 'S-1-5-21-1-2-3-512']) {
      const p = resolvePolicy(roots({ gpo: { ...AD, ADPasswordEncryptionPrincipal: principal } }), facts());
      expect(p.adPasswordEncryptionPrincipal).toBe(principal);
      expect(p.ignored).toEqual([]);
    }
  });

  it('an empty AdministratorAccountName means the built-in account; spaces are kept', () => {
    expect(resolvePolicy(roots({ gpo: { ...AD, AdministratorAccountName: '' } }), facts()).administratorAccountName).toBeUndefined();
    expect(resolvePolicy(roots({ gpo: { ...AD, AdministratorAccountName: 'Admin ' } }), facts()).administratorAccountName).toBe('Admin ');
  });
});

describe('build gates (24H2 / build 26100)', () => {
  const gated: [string, Record<string, string>, string, unknown, unknown][] = [
    ['PasswordComplexity 5', { PasswordComplexity: '5' }, 'passwordComplexity', 5, 4],
    ['PasswordComplexity 8 (passphrase)', { PasswordComplexity: '8' }, 'passwordComplexity', 8, 4],
    ['PostAuthenticationActions 11', { PostAuthenticationActions: '11' }, 'postAuthenticationActions', 11, 3],
    ['PassphraseLength (CSP 1.1)', { PassphraseLength: '8' }, 'passphraseLength', 8, 6],
  ];
  it.each(gated)('%s is honoured on 26100 and falls back before it', (_n, values, field, on24h2, before) => {
    const get = (build: string) => resolvePolicy(roots({ gpo: { ...AD, ...values } }), facts({ osBuild: build }));
    expect((get(BUILD_24H2) as unknown as Record<string, unknown>)[field]).toBe(on24h2);
    const old = get(BUILD_22H2);
    expect((old as unknown as Record<string, unknown>)[field]).toBe(before);
    expect(old.ignored[0]?.reason).toMatch(/needs-newer-build/);
    expect(old.warnings[0]?.eventId).toBe(10900);
  });

  it('automatic account management is a CSP 1.1 setting: ignored before 26100', () => {
    const values = { ...AD, AutomaticAccountManagementEnabled: 'true', AutomaticAccountManagementTarget: '0', AdministratorAccountName: 'Admin2' };
    const old = resolvePolicy(roots({ csp: values }), facts({ osBuild: BUILD_22H2 }));
    expect(old.automaticAccountManagement).toMatchObject({ enabled: false, target: 1 });
    expect(old.administratorAccountName).toBe('Admin2');
    expect(old.ignored.map((i) => [i.name, i.reason])).toEqual([
      ['AutomaticAccountManagementEnabled', 'setting-needs-newer-build'],
      ['AutomaticAccountManagementTarget', 'setting-needs-newer-build'],
    ]);
    expect(resolvePolicy(roots({ csp: values }), facts()).automaticAccountManagement).toMatchObject({ enabled: true, target: 0 });
  });

  it('an OS version it cannot read behaves as the oldest build', () => {
    expect(resolvePolicy(roots({ gpo: { ...AD, PasswordComplexity: '6' } }), facts({ osBuild: 'Windows' })).passwordComplexity).toBe(4);
  });
});

describe('PasswordAgeDays below 7 with BackupDirectory 1 (event 10058)', () => {
  it('is clamped to 7 by default', () => {
    const p = resolvePolicy(roots({ csp: { ...ENTRA, PasswordAgeDays: '3' } }), facts());
    expect(p.passwordAgeDays).toBe(7);
    expect(p.warnings).toEqual([{ eventId: 10058, fields: { configuredDays: 3, usedDays: 7 } }]);
    expect(p.ignored).toEqual([expect.objectContaining({ name: 'PasswordAgeDays', value: '3', reason: 'entra-minimum-age', used: 7 })]);
  });

  it("takes the default 30 with entraMinAgeMode 'default', still logging 10058", () => {
    const p = resolvePolicy(roots({ csp: { ...ENTRA, PasswordAgeDays: '1' } }), facts(), { entraMinAgeMode: 'default' });
    expect(p.passwordAgeDays).toBe(30);
    expect(p.warnings).toEqual([{ eventId: 10058, fields: { configuredDays: 1, usedDays: 30 } }]);
  });

  it('leaves 7 under Entra and 1 under AD alone, and treats 0 as out of range', () => {
    expect(resolvePolicy(roots({ csp: { ...ENTRA, PasswordAgeDays: '7' } }), facts()).warnings).toEqual([]);
    const ad = resolvePolicy(roots({ csp: { ...AD, PasswordAgeDays: '1' } }), facts());
    expect([ad.passwordAgeDays, ad.warnings.length]).toEqual([1, 0]);
    const zero = resolvePolicy(roots({ csp: { ...ENTRA, PasswordAgeDays: '0' } }), facts());
    expect([zero.passwordAgeDays, zero.warnings[0]?.eventId]).toEqual([30, 10900]);
  });
});

describe('settings that do not apply are reported, never errors', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['AD-only settings under Entra', { ...ENTRA, ADPasswordEncryptionEnabled: 'false', ADEncryptedPasswordHistorySize: '3', PasswordExpirationProtectionEnabled: '0' }, 'ADPasswordEncryptionEnabled,ADEncryptedPasswordHistorySize,PasswordExpirationProtectionEnabled'],
    ['AAM sub-settings while AAM is off', { ...AD, AutomaticAccountManagementTarget: '0', AutomaticAccountManagementRandomizeName: 'true' }, 'AutomaticAccountManagementTarget,AutomaticAccountManagementRandomizeName'],
    ['PasswordLength for passphrases', { ...AD, PasswordComplexity: '6', PasswordLength: '20' }, 'PasswordLength'],
    ['PassphraseLength for passwords', { ...AD, PassphraseLength: '5' }, 'PassphraseLength'],
    ['PostAuthenticationActions with delay 0', { ...AD, PostAuthenticationResetDelay: '0', PostAuthenticationActions: '5' }, 'PostAuthenticationActions'],
    ['encryption settings with encryption off', { ...AD, ADPasswordEncryptionEnabled: '0', ADPasswordEncryptionPrincipal: 'C\\G' }, 'ADPasswordEncryptionPrincipal'],
    ['ADBackupDSRMPassword on a member', { ...AD, ADBackupDSRMPassword: '1' }, 'ADBackupDSRMPassword'],
    ['everything else when BackupDirectory is 0', { BackupDirectory: '0', PasswordLength: '20' }, 'PasswordLength'],
  ];
  it.each(cases)('%s', (_n, values, names) => {
    const p = resolvePolicy(roots({ gpo: values }), facts());
    expect(p.notApplicable.map((n) => n.name).sort()).toEqual(names.split(',').sort());
    expect(p.warnings).toEqual([]);
    expect(p.ignored).toEqual([]);
  });

  it('keeps the configured values of settings that do not apply', () => {
    const p = resolvePolicy(roots({ gpo: { ...ENTRA, ADPasswordEncryptionEnabled: 'false' } }), facts());
    expect(p.adPasswordEncryptionEnabled).toBe(false);
  });

  it('ignores AdministratorAccountName under automatic account management', () => {
    const p = resolvePolicy(roots({ csp: { ...ENTRA, AdministratorAccountName: 'Admin2', AutomaticAccountManagementEnabled: 'True', AutomaticAccountManagementNameOrPrefix: 'Lapsy' } }), facts());
    expect(p.administratorAccountName).toBeUndefined();
    expect(p.automaticAccountManagement).toMatchObject({ enabled: true, nameOrPrefix: 'Lapsy' });
    expect(p.notApplicable).toEqual([{ name: 'AdministratorAccountName', reason: 'ignored because AutomaticAccountManagementEnabled is true' }]);
    expect(p.managed).toBe(true);
  });
});

describe('join state', () => {
  const table: [string, 'entra' | 'ad' | 'hybrid' | 'workgroup', Record<string, string>, boolean][] = [
    ['Entra policy on an Entra-joined device', 'entra', ENTRA, true],
    ['Entra policy on an AD-only device', 'ad', ENTRA, false],
    ['AD policy on an Entra-only device', 'entra', AD, false],
    ['AD policy on an AD device', 'ad', AD, true],
    ['either on a hybrid device', 'hybrid', ENTRA, true],
    ['anything on a workgroup device', 'workgroup', AD, false],
  ];
  it.each(table)('%s', (_n, joinType, values, managed) => {
    const p = resolvePolicy(roots({ csp: values }), facts({ joinType }));
    expect(p.managed).toBe(managed);
    if (!managed) expect(p.notManagedCode).toBe('join-mismatch');
  });
});
