/**
 * The effective LAPS policy of one device: which root is in force, every setting's value, and
 * what was ignored on the way (laps-behaviour.md 1.3, 3.1, 3.2, 8.4).
 */
import type { EventFieldValue, PolicyRootValues, PolicySourceName } from '../ports.js';
import type { LapsEventId } from '../events/catalogue.js';

export type { PolicyRootValues, PolicySourceName };

/** The policy roots, in precedence order. */
export type PolicyRootName = keyof PolicyRootValues;

export type JoinType = 'entra' | 'ad' | 'hybrid' | 'workgroup';

/** What the device is, as far as policy resolution cares. */
export interface DeviceFacts {
  /** Full OS version such as `10.0.26100.4349`; an unparsable one behaves as the oldest build. */
  readonly osBuild: string;
  readonly isDomainController: boolean;
  /** Legacy Microsoft LAPS (AdmPwd) client-side extension installed. */
  readonly legacyCseInstalled: boolean;
  readonly joinType: JoinType;
}

export interface ResolveOptions {
  /**
   * PasswordAgeDays below 7 with BackupDirectory 1: `clamp` uses 7 (Microsoft support), `default`
   * uses the default 30 (the generic invalid-value rule). Both log event 10058. Default `clamp`.
   */
  readonly entraMinAgeMode?: 'clamp' | 'default';
}

export type PasswordComplexity = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
export type PostAuthenticationActions = 1 | 3 | 5 | 11;

/** Why a configured value was not used. */
export type IgnoredReason =
  /** The text cannot be read as the setting's format (`abc` for an int). */
  | 'unparsable'
  /** Outside the setting's range or enum. */
  | 'out-of-range'
  /** The setting itself needs a newer OS build (CSP 1.1 settings before 26100). */
  | 'setting-needs-newer-build'
  /** This value needs a newer OS build (complexity 5-8, post-auth action 11 before 26100). */
  | 'value-needs-newer-build'
  /** PasswordAgeDays below 7 while backing up to Entra (event 10058). */
  | 'entra-minimum-age'
  /** A real setting that this root cannot hold (ADBackupDSRMPassword under CSP). */
  | 'not-valid-in-root'
  /** Not a LAPS value name at all; never logged, as Windows reads only the names it knows. */
  | 'unknown-name'
  /** The same name twice in one root, differing in case (registry names are case-insensitive). */
  | 'duplicate-name';

/** A value in the winning root that was replaced by a default (or clamped). */
export interface IgnoredValue {
  readonly root: PolicyRootName;
  /** Canonical value name in that root (AdmPwd names for the legacy root; as stored when unknown). */
  readonly name: string;
  /** The raw text as stored. */
  readonly value: string;
  readonly reason: IgnoredReason;
  /** One sentence for people (`lapsim policy show`). */
  readonly detail: string;
  /** The value used instead (undefined = unset). */
  readonly used: number | boolean | string | undefined;
}

/** An event the cycle should log about the policy (10008, 10033, 10058, 10900). */
export interface PolicyWarning {
  readonly eventId: LapsEventId;
  readonly fields: Readonly<Record<string, EventFieldValue>>;
}

/** A configured setting that has no effect under the resolved policy. It is not an error. */
export interface NotApplicableValue {
  /** Canonical value name in the winning root (AdmPwd names for the legacy root). */
  readonly name: string;
  readonly reason: string;
}

/** Automatic account management (24H2+). */
export interface AutomaticAccountManagement {
  readonly enabled: boolean;
  /** 0 = the built-in Administrator (RID 500), 1 = a new account LAPS creates. */
  readonly target: 0 | 1;
  /** Account name, or prefix when randomizeName is on. Default `WLapsAdmin`. */
  readonly nameOrPrefix: string;
  readonly enableAccount: boolean;
  readonly randomizeName: boolean;
}

/** Why the device manages no password under this policy. */
export type NotManagedCode =
  | 'no-policy'
  | 'backup-disabled'
  | 'legacy-cse-installed'
  | 'legacy-disabled'
  | 'legacy-on-dc'
  | 'unsupported-on-dc'
  | 'join-mismatch';

/**
 * The policy in force. Setting fields hold the resolved value (explicit, default, or fallback);
 * settings that do not apply (AD-only ones under Entra, AAM sub-settings with AAM off) keep their
 * value and are listed in `notApplicable`: act on them only where they apply. Two overrides are
 * made so that no consumer can act on an ignored value: `administratorAccountName` is undefined
 * under automatic account management and in DSRM mode, and DSRM mode also forces AAM off,
 * post-authentication off and the Domain Admins principal.
 */
export interface EffectivePolicy {
  readonly source: PolicySourceName;
  /** 0 disabled, 1 Entra ID, 2 Active Directory. */
  readonly backupDirectory: 0 | 1 | 2;
  readonly passwordAgeDays: number;
  readonly passwordComplexity: PasswordComplexity;
  /** Characters, for complexity 1-5. */
  readonly passwordLength: number;
  /** Words, for complexity 6-8. */
  readonly passphraseLength: number;
  /** Undefined = the built-in RID-500 account (manual mode). */
  readonly administratorAccountName: string | undefined;
  readonly passwordExpirationProtectionEnabled: boolean;
  readonly adPasswordEncryptionEnabled: boolean;
  /** Raw as configured (validated later by the device: events 10034/10035). Undefined = Domain Admins. */
  readonly adPasswordEncryptionPrincipal: string | undefined;
  readonly adEncryptedPasswordHistorySize: number;
  readonly adBackupDsrmPassword: boolean;
  /** Hours; 0 disables post-authentication actions. */
  readonly postAuthenticationResetDelay: number;
  readonly postAuthenticationActions: PostAuthenticationActions;
  readonly automaticAccountManagement: AutomaticAccountManagement;
  /** Legacy Microsoft LAPS emulation: AD only, clear text, legacy attributes. */
  readonly legacyEmulation: boolean;
  /** Domain controller managing its DSRM account. */
  readonly dsrm: boolean;
  /** False when the policy is disabled or cannot be used on this device. */
  readonly managed: boolean;
  readonly notManagedCode?: NotManagedCode;
  /** One sentence for people. */
  readonly notManagedReason?: string;
  readonly ignored: readonly IgnoredValue[];
  readonly warnings: readonly PolicyWarning[];
  /** Value names explicitly set in the winning root (canonical spelling). */
  readonly explicit: readonly string[];
  readonly notApplicable: readonly NotApplicableValue[];
}

/** Where a setting's value in force came from. */
export type SettingOrigin = 'explicit' | 'default' | 'fallback';

/** One row of `lapsim policy show`. */
export interface PolicySettingView {
  /** Windows LAPS setting name. */
  readonly name: string;
  /** The value in force (undefined = unset). */
  readonly value: number | boolean | string | undefined;
  /** explicit = as configured; default = not configured; fallback = configured but replaced. */
  readonly origin: SettingOrigin;
  readonly applicable: boolean;
  /** Raw text in the winning root, when configured there. */
  readonly configured?: string;
  /** Why the value was replaced or does not apply. */
  readonly note?: string;
}
