import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../csp/laps/settings.js';
import { describePolicy } from '../../../agent/policy/describe-policy.js';
import { makePolicyDumpEvent, policyDumpEvent, policyWarningEvents } from '../../../agent/policy/policy-dump.js';
import { resolvePolicy } from '../../../agent/policy/resolve-policy.js';
import type { PolicySettingView } from '../../../agent/policy/types.js';
import { BUILD_22H2, facts, roots } from './helpers.js';

const row = (rows: PolicySettingView[], name: string): PolicySettingView | undefined => rows.find((r) => r.name === name);

describe('describePolicy (lapsim policy show)', () => {
  it('has one row per setting, in table order', () => {
    expect(describePolicy(resolvePolicy(roots(), facts())).map((r) => r.name)).toEqual(SETTINGS.map((s) => s.name));
  });

  it('tells explicit, default and fallback values apart', () => {
    const p = resolvePolicy(roots({ gpo: { BackupDirectory: '2', PasswordLength: '20', PasswordAgeDays: '999' } }), facts());
    const rows = describePolicy(p);
    expect(row(rows, 'PasswordLength')).toEqual({ name: 'PasswordLength', value: 20, origin: 'explicit', applicable: true });
    expect(row(rows, 'PasswordComplexity')).toEqual({ name: 'PasswordComplexity', value: 4, origin: 'default', applicable: true });
    expect(row(rows, 'PasswordAgeDays')).toMatchObject({ value: 30, origin: 'fallback', configured: '999', note: expect.stringMatching(/from 1 to 365.*default 30/) });
  });

  it('shows a clamped Entra age as a fallback', () => {
    const rows = describePolicy(resolvePolicy(roots({ csp: { BackupDirectory: '1', PasswordAgeDays: '2' } }), facts({ joinType: 'entra' })));
    expect(row(rows, 'PasswordAgeDays')).toMatchObject({ value: 7, origin: 'fallback', configured: '2' });
  });

  it('marks settings that do not apply, with the reason', () => {
    const rows = describePolicy(resolvePolicy(roots({ gpo: { BackupDirectory: '1', ADPasswordEncryptionEnabled: '0' } }), facts()));
    expect(row(rows, 'ADPasswordEncryptionEnabled')).toMatchObject({ value: false, origin: 'explicit', applicable: false, note: 'used only when BackupDirectory is 2 (Active Directory)' });
  });

  it('shows AdministratorAccountName as a fallback under automatic account management', () => {
    const p = resolvePolicy(roots({ csp: { BackupDirectory: '2', AdministratorAccountName: 'A', AutomaticAccountManagementEnabled: 'true' } }), facts());
    expect(row(describePolicy(p), 'AdministratorAccountName')).toMatchObject({ value: undefined, origin: 'fallback', applicable: false });
  });

  it('maps legacy AdmPwd names onto the Windows LAPS settings', () => {
    const rows = describePolicy(resolvePolicy(roots({ legacy: { AdmPwdEnabled: '1', AdminAccountName: 'L', PasswordLength: '70' } }), facts()));
    expect(row(rows, 'BackupDirectory')).toMatchObject({ value: 2, origin: 'explicit' });
    expect(row(rows, 'AdministratorAccountName')).toMatchObject({ value: 'L', origin: 'explicit' });
    expect(row(rows, 'PasswordLength')).toMatchObject({ value: 14, origin: 'fallback', configured: '70' });
    expect(row(rows, 'ADPasswordEncryptionEnabled')).toMatchObject({ value: false, origin: 'default', note: expect.stringContaining('legacy') });
  });
});

/** Event text as the Learn and support samples show it, compared line by line without trailing spaces. */
const lines = (text: string): string[] => text.split('\n').map((l) => l.trimEnd());

describe('policy dump events', () => {
  it('10021 matches the Windows sample for a GPO Active Directory policy', () => {
    const p = resolvePolicy(roots({ gpo: { BackupDirectory: '2', AdministratorAccountName: 'raviks' } }), facts({ joinType: 'ad' }));
    expect(lines(makePolicyDumpEvent(p, 0).message)).toEqual(lines(`The current LAPS policy is configured as follows:

Policy source: GPO
Backup directory: Active Directory
Local administrator account name: raviks
Password age in days: 30
Password complexity: 4
Password length: 14
Password expiration protection enabled: 1
Password encryption enabled: 1
Password encryption target principal:
Password encrypted history size: 0
Backup DSRM password on domain controllers: 0
Post authentication grace period (hours): 24
Post authentication actions: 0x3`));
  });

  it('10022 matches the Windows sample for a CSP Entra policy', () => {
    const p = resolvePolicy(
      roots({ csp: { BackupDirectory: '1', PasswordAgeDays: '7', PasswordLength: '8', PostAuthenticationResetDelay: '1', PostAuthenticationActions: '1' } }),
      facts({ joinType: 'entra' }),
    );
    expect(policyDumpEvent(p).id).toBe(10022);
    expect(lines(makePolicyDumpEvent(p, 0).message)).toEqual(lines(`The current LAPS policy is configured as follows:

Policy source: CSP
Backup directory: Azure Active Directory
Local administrator account name:
Password age in days: 7
Password complexity: 4
Password length: 8
Post authentication grace period (hours): 1
Post authentication actions: 0x1`));
  });

  it('10023 matches the Windows sample for a legacy policy', () => {
    const p = resolvePolicy(roots({ legacy: { AdmPwdEnabled: '1', AdminAccountName: 'raviks', PasswordAgeDays: '2' } }), facts({ joinType: 'ad' }));
    expect(lines(makePolicyDumpEvent(p, 0).message)).toEqual(lines(`The current LAPS policy is configured as follows:

Policy source: LegacyLaps
Backup directory: Active Directory
Local administrator account name: raviks
Password age in days: 2
Password complexity: 4
Password length: 14
Password expiration protection enabled: 0`));
  });

  it('10023 is still the dump when the legacy CSE keeps Windows LAPS hands-off (then 10033)', () => {
    const p = resolvePolicy(roots({ legacy: { AdmPwdEnabled: '1' } }), facts({ legacyCseInstalled: true }));
    expect(policyDumpEvent(p).id).toBe(10023);
    expect(policyWarningEvents(p, 0).map((e) => [e.id, e.level])).toEqual([[10033, 'Warning']]);
  });

  it('10024 for a disabled policy, no policy, or a legacy policy without AdmPwdEnabled', () => {
    for (const r of [roots(), roots({ local: { BackupDirectory: '0' } }), roots({ legacy: { AdmPwdEnabled: '0' } })]) {
      const e = makePolicyDumpEvent(resolvePolicy(r, facts()), 0);
      expect([e.id, e.message]).toEqual([10024, 'LAPS policy is configured as disabled.']);
    }
  });

  it('turns every policy warning into an event', () => {
    const p = resolvePolicy(roots({ gpo: { BackupDirectory: '1', PasswordAgeDays: '2', PasswordComplexity: '7' } }), facts({ osBuild: BUILD_22H2 }));
    const events = policyWarningEvents(p, 42);
    expect(events.map((e) => [e.id, e.time])).toEqual([[10058, 42], [10900, 42]]);
    expect(events[1]?.message).toContain('Setting: PasswordComplexity\nConfigured value: 7\nReason: PasswordComplexity 7 needs OS build 26100 or later\nValue used: 4');
  });
});
