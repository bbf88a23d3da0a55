/**
 * Effective policy: a pure function of the four policy roots and a few device facts. No I/O, no
 * clock. Windows LAPS queries CSP, then Group Policy, then local configuration; the first root
 * holding at least one LAPS value is the whole policy, missing settings take their defaults and
 * nothing is inherited across roots. Only when none holds a value may the legacy AdmPwd policy be
 * emulated. See "Configure policy settings for Windows LAPS", section "Supported policy roots":
 * https://learn.microsoft.com/windows-server/identity/laps/laps-management-policy-settings
 * and laps-behaviour.md 1.3, 3.1, 3.2 and 8.4.
 */
import { SETTINGS, buildNumber, settingByName, type SettingSpec, type SettingValue } from '../../csp/laps/settings.js';
import { POLICY_VALUE_IGNORED_EVENT } from '../events/catalogue.js';
import { inapplicability } from './applicability.js';
import { LEGACY_EMULATION_FIXED, LEGACY_SETTINGS, legacySettingByName } from './legacy-settings.js';
import { clip, readSetting, showValue, type ReadContext } from './read-setting.js';
import type {
  DeviceFacts,
  EffectivePolicy,
  IgnoredReason,
  IgnoredValue,
  NotApplicableValue,
  NotManagedCode,
  PasswordComplexity,
  PolicyRootName,
  PolicyRootValues,
  PolicySourceName,
  PolicyWarning,
  PostAuthenticationActions,
  ResolveOptions,
} from './types.js';

const WINDOWS_ROOTS: readonly (readonly [PolicyRootName, PolicySourceName])[] = [
  ['csp', 'CSP'],
  ['gpo', 'GPO'],
  ['local', 'LocalConfig'],
];

/** Microsoft Entra ID's minimum PasswordAgeDays (DDF DependencyChangedAllowedValues 7-365). */
export const ENTRA_MIN_PASSWORD_AGE_DAYS = 7;

const BACKUP_DIRECTORY = settingByName('BackupDirectory') as SettingSpec;

type Values = ReadonlyMap<string, SettingValue | undefined>;

interface Collected {
  /** Canonical name -> raw text, first occurrence. */
  readonly raw: Map<string, string>;
  readonly ignored: IgnoredValue[];
}

/**
 * The policy in force on a device.
 * @param roots raw values per root (value name -> text as stored)
 * @param options `entraMinAgeMode` defaults to `clamp`
 * Never throws for any string maps.
 */
export function resolvePolicy(roots: PolicyRootValues, facts: DeviceFacts, options: ResolveOptions = {}): EffectivePolicy {
  const build = buildNumber(String(facts.osBuild));
  for (const [root, source] of WINDOWS_ROOTS) {
    const collected = collect(root, roots[root], (name) => {
      const spec = settingByName(name);
      return spec && (root !== 'csp' || spec.inCsp) ? spec : undefined;
    });
    if (collected.raw.size > 0) return resolveWindowsRoot(root, source, collected, facts, build, options);
  }
  return resolveLegacyRoot(roots.legacy, facts);
}

function collect(root: PolicyRootName, values: Readonly<Record<string, string>> | undefined, lookup: (name: string) => SettingSpec | undefined): Collected {
  const raw = new Map<string, string>();
  const ignored: IgnoredValue[] = [];
  for (const [name, value] of Object.entries(values ?? {})) {
    const text = typeof value === 'string' ? value : String(value);
    const spec = lookup(name);
    if (!spec) {
      const real = root === 'csp' ? settingByName(name) : undefined;
      if (real) ignored.push(ignoredValue(root, real.name, text, 'not-valid-in-root', `${real.name} cannot be set through the CSP (Group Policy and local configuration only)`, real.default));
      else ignored.push(ignoredValue(root, name, text, 'unknown-name', `${name} is not a LAPS policy value in this root`, undefined));
    } else if (raw.has(spec.name)) {
      ignored.push(ignoredValue(root, spec.name, text, 'duplicate-name', `${spec.name} is set twice (value names are case-insensitive); the first value is used`, undefined));
    } else {
      raw.set(spec.name, text);
    }
  }
  return { raw, ignored };
}

function ignoredValue(root: PolicyRootName, name: string, value: string, reason: IgnoredReason, detail: string, used: SettingValue | undefined): IgnoredValue {
  return { root, name, value, reason, detail, used };
}

/** Collects replaced values and the events that report them. */
class Findings {
  readonly ignored: IgnoredValue[];
  readonly warnings: PolicyWarning[] = [];

  constructor(private readonly root: PolicyRootName, private readonly source: PolicySourceName, initial: IgnoredValue[]) {
    this.ignored = initial;
    // A value that is not a setting of this root (CSP ADBackupDSRMPassword) is still logged.
    for (const i of initial) if (i.reason === 'not-valid-in-root') this.warn(i.name, i.value, i.detail, i.used);
  }

  read(spec: SettingSpec, raw: string | undefined, ctx: ReadContext): SettingValue | undefined {
    const r = readSetting(spec, raw, ctx);
    if (r.ignored && raw !== undefined) this.replace(spec.name, raw, r.ignored.reason, r.ignored.why, r.value);
    return r.value;
  }

  replace(name: string, raw: string, reason: IgnoredReason, why: string, used: SettingValue | undefined): void {
    const detail = `${why}; ${reason === 'entra-minimum-age' ? '' : 'the default '}${showValue(used)} is used`;
    this.ignored.push(ignoredValue(this.root, name, raw, reason, detail, used));
    if (reason !== 'entra-minimum-age') this.warn(name, raw, why, used);
  }

  private warn(name: string, raw: string, why: string, used: SettingValue | undefined): void {
    this.warnings.push({
      eventId: POLICY_VALUE_IGNORED_EVENT,
      fields: { policySource: this.source, name, value: clip(raw), reason: why, used: showValue(used) },
    });
  }
}

function resolveWindowsRoot(
  root: PolicyRootName,
  source: PolicySourceName,
  collected: Collected,
  facts: DeviceFacts,
  build: number,
  options: ResolveOptions,
): EffectivePolicy {
  const f = new Findings(root, source, collected.ignored);
  const values = new Map<string, SettingValue | undefined>();
  const bdSpec = BACKUP_DIRECTORY;
  const bd = f.read(bdSpec, collected.raw.get(bdSpec.name), { build, buildGates: true }) as 0 | 1 | 2;
  values.set(bdSpec.name, bd);
  for (const spec of SETTINGS) {
    if (spec === bdSpec) continue;
    const raw = collected.raw.get(spec.name);
    const ctx: ReadContext = { build, backupDirectory: bd, buildGates: true };
    if (spec.name === 'PasswordAgeDays' && bd === 1 && raw !== undefined) {
      // Below the Entra minimum but valid for AD: clamp (support) or default (generic rule), event 10058.
      const asAd = readSetting(spec, raw, { ...ctx, backupDirectory: 2 });
      if (!asAd.ignored && typeof asAd.value === 'number' && asAd.value < ENTRA_MIN_PASSWORD_AGE_DAYS) {
        const used = options.entraMinAgeMode === 'default' ? (spec.default as number) : ENTRA_MIN_PASSWORD_AGE_DAYS;
        f.replace(spec.name, raw, 'entra-minimum-age', `PasswordAgeDays ${asAd.value} is below the Microsoft Entra minimum of ${ENTRA_MIN_PASSWORD_AGE_DAYS}`, used);
        f.warnings.push({ eventId: 10058, fields: { configuredDays: asAd.value, usedDays: used } });
        values.set(spec.name, used);
        continue;
      }
    }
    values.set(spec.name, f.read(spec, raw, ctx));
  }

  const settings = settingsFrom(values);
  const aam = settings.automaticAccountManagement;
  const dsrm = facts.isDomainController && bd === 2 && settings.adBackupDsrmPassword && settings.adPasswordEncryptionEnabled;
  let status: Status = { managed: true };
  if (bd === 0) status = notManaged('backup-disabled', `BackupDirectory is 0 in the ${source} root: passwords are not managed`);
  else if (facts.isDomainController && !dsrm) {
    status = notManaged('unsupported-on-dc', 'a domain controller manages only its DSRM account (BackupDirectory 2, ADBackupDSRMPassword and encryption on)');
    f.warnings.push({ eventId: 10008, fields: {} });
  } else if (!facts.isDomainController) status = joinCheck(bd, facts);

  const policy: EffectivePolicy = {
    source,
    ...settings,
    administratorAccountName: aam.enabled || dsrm ? undefined : settings.administratorAccountName,
    ...(dsrm
      ? {
          adPasswordEncryptionPrincipal: undefined,
          postAuthenticationResetDelay: 0,
          automaticAccountManagement: { ...aam, enabled: false },
        }
      : {}),
    legacyEmulation: false,
    dsrm,
    ...status,
    ignored: f.ignored,
    warnings: f.warnings,
    explicit: SETTINGS.filter((s) => collected.raw.has(s.name)).map((s) => s.name),
    notApplicable: [],
  };
  return { ...policy, notApplicable: notApplicableOf(policy.explicit, (n) => n, policy) };
}

function resolveLegacyRoot(values: Readonly<Record<string, string>> | undefined, facts: DeviceFacts): EffectivePolicy {
  const collected = collect('legacy', values, legacySettingByName);
  if (collected.raw.size === 0) return noPolicy('no-policy', 'no LAPS policy is configured in any root');
  if (facts.isDomainController) return noPolicy('legacy-on-dc', 'legacy Microsoft LAPS policy is always ignored on domain controllers');

  const f = new Findings('legacy', 'LegacyLaps', collected.ignored);
  const read = new Map<string, SettingValue | undefined>();
  for (const spec of LEGACY_SETTINGS) read.set(spec.setting, f.read(spec, collected.raw.get(spec.name), { build: Number.NaN, buildGates: false }));
  const enabled = read.get('BackupDirectory') === true;
  const cse = facts.legacyCseInstalled;
  const bd: 0 | 2 = enabled ? 2 : 0;
  const windowsValues = new Map<string, SettingValue | undefined>([...read, ['BackupDirectory', bd]]);
  const settings = { ...settingsFrom(windowsValues), ...LEGACY_EMULATION_FIXED };

  let status: Status;
  if (cse) {
    status = notManaged('legacy-cse-installed', 'a legacy LAPS policy is configured but the legacy LAPS client-side extension is installed');
    f.warnings.push({ eventId: 10033, fields: {} });
  } else if (!enabled) {
    status = notManaged('legacy-disabled', 'the legacy LAPS policy does not set AdmPwdEnabled to 1');
  } else {
    status = joinCheck(2, facts);
  }
  const policy: EffectivePolicy = {
    source: 'LegacyLaps',
    ...settings,
    legacyEmulation: !cse,
    dsrm: false,
    ...status,
    ignored: f.ignored,
    warnings: f.warnings,
    explicit: LEGACY_SETTINGS.filter((s) => collected.raw.has(s.name)).map((s) => s.name),
    notApplicable: [],
  };
  const windowsName = (n: string): string => legacySettingByName(n)?.setting ?? n;
  return { ...policy, notApplicable: notApplicableOf(policy.explicit, windowsName, policy) };
}

function notApplicableOf(names: readonly string[], toSetting: (name: string) => string, policy: EffectivePolicy): NotApplicableValue[] {
  const out: NotApplicableValue[] = [];
  for (const name of names) {
    const reason = inapplicability(toSetting(name), policy);
    if (reason !== undefined) out.push({ name, reason });
  }
  return out;
}

type Status = Pick<EffectivePolicy, 'managed' | 'notManagedCode' | 'notManagedReason'>;

function notManaged(code: NotManagedCode, reason: string): Status {
  return { managed: false, notManagedCode: code, notManagedReason: reason };
}

/** Entra-only devices back up to Entra, AD-only ones to AD, hybrid ones to either (laps-behaviour.md 0). */
function joinCheck(bd: 1 | 2, facts: DeviceFacts): Status {
  const ok = bd === 1 ? facts.joinType === 'entra' || facts.joinType === 'hybrid' : facts.joinType === 'ad' || facts.joinType === 'hybrid';
  if (ok) return { managed: true };
  const target = bd === 1 ? 'Microsoft Entra ID' : 'Active Directory';
  return notManaged('join-mismatch', `the policy backs up to ${target} but the device is ${facts.joinType === 'workgroup' ? 'not joined' : `${facts.joinType}-joined only`}`);
}

function noPolicy(code: NotManagedCode, reason: string): EffectivePolicy {
  return {
    source: 'None',
    ...settingsFrom(new Map()),
    legacyEmulation: false,
    dsrm: false,
    ...notManaged(code, reason),
    ignored: [],
    warnings: [],
    explicit: [],
    notApplicable: [],
  };
}

type SettingFields = Omit<
  EffectivePolicy,
  'source' | 'legacyEmulation' | 'dsrm' | 'managed' | 'notManagedCode' | 'notManagedReason' | 'ignored' | 'warnings' | 'explicit' | 'notApplicable'
>;

/** The setting fields of a policy from resolved values; absent names take the Windows LAPS default. */
function settingsFrom(values: Values): SettingFields {
  const get = (name: string): SettingValue | undefined => (values.has(name) ? values.get(name) : settingByName(name)?.default);
  const int = (name: string): number => {
    const v = get(name);
    return typeof v === 'number' ? v : (settingByName(name)?.default as number);
  };
  const bool = (name: string): boolean => get(name) === true;
  const str = (name: string): string | undefined => {
    const v = get(name);
    return typeof v === 'string' ? v : undefined;
  };
  return {
    backupDirectory: int('BackupDirectory') as 0 | 1 | 2,
    passwordAgeDays: int('PasswordAgeDays'),
    passwordComplexity: int('PasswordComplexity') as PasswordComplexity,
    passwordLength: int('PasswordLength'),
    passphraseLength: int('PassphraseLength'),
    administratorAccountName: str('AdministratorAccountName'),
    passwordExpirationProtectionEnabled: bool('PasswordExpirationProtectionEnabled'),
    adPasswordEncryptionEnabled: bool('ADPasswordEncryptionEnabled'),
    adPasswordEncryptionPrincipal: str('ADPasswordEncryptionPrincipal'),
    adEncryptedPasswordHistorySize: int('ADEncryptedPasswordHistorySize'),
    adBackupDsrmPassword: bool('ADBackupDSRMPassword'),
    postAuthenticationResetDelay: int('PostAuthenticationResetDelay'),
    postAuthenticationActions: int('PostAuthenticationActions') as PostAuthenticationActions,
    automaticAccountManagement: {
      enabled: bool('AutomaticAccountManagementEnabled'),
      target: int('AutomaticAccountManagementTarget') as 0 | 1,
      nameOrPrefix: str('AutomaticAccountManagementNameOrPrefix') ?? 'WLapsAdmin',
      enableAccount: bool('AutomaticAccountManagementEnableAccount'),
      randomizeName: bool('AutomaticAccountManagementRandomizeName'),
    },
  };
}
