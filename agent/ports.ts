/**
 * The device's ports: small capabilities owned by the agent, implemented by store/ (SQLite) and
 * by in-memory adapters in agent/. Each port has one contract suite in test/contract/ that
 * every implementation runs. All times are epoch milliseconds.
 */
import type { Secret } from '../core/secret.js';

/** One account of the simulated local account database (SAM). Never holds the password. */
export interface LocalAccount {
  readonly rid: number;
  readonly name: string;
  readonly enabled: boolean;
  /** Member of the local Administrators group. */
  readonly admin: boolean;
  readonly description: string;
  /** Owned by LAPS automatic account management (tamper protection extends to everything). */
  readonly lapsManaged: boolean;
  /** When the password was last set; undefined = never. */
  readonly passwordSetAt: number | undefined;
}

export interface NewAccount {
  readonly name: string;
  readonly enabled: boolean;
  readonly admin: boolean;
  readonly description?: string;
  /** A fixed RID (500 Administrator, 501 Guest); default: the next free RID from 1000. */
  readonly rid?: number;
  readonly lapsManaged?: boolean;
}

export type AccountPatch = Partial<Pick<LocalAccount, 'name' | 'enabled' | 'admin' | 'description' | 'lapsManaged'>>;

/** The raw local account database of one device. Policy (tamper protection) lives above it. */
export interface AccountDatabase {
  list(): LocalAccount[];
  byRid(rid: number): LocalAccount | undefined;
  /** Case-insensitive, as Windows account names are. */
  byName(name: string): LocalAccount | undefined;
  /** @throws LapsError LAPS_ERR_ACCOUNT_EXISTS when the name is taken. */
  create(account: NewAccount): LocalAccount;
  update(rid: number, patch: AccountPatch): LocalAccount;
  delete(rid: number): void;
  /** Stores the NT hash of `password`, never the password. */
  setPassword(rid: number, password: Secret, at: number): void;
  /** True when `password` opens the account (NT hash comparison). */
  verifyPassword(rid: number, password: Secret): boolean;
}

/** A pending post-authentication reset (State key equivalents). */
export interface PostAuthState {
  readonly authTime: number;
  readonly deadline: number;
  readonly rid: number;
  readonly sid: string;
  readonly actions: number;
  readonly retries: number;
}

export type PolicySourceName = 'CSP' | 'GPO' | 'LocalConfig' | 'LegacyLaps' | 'None';

/** The outcome of the last processing cycle. */
export interface CycleResult {
  readonly time: number;
  /** 0 = success; otherwise the failure HRESULT as unsigned 32-bit. */
  readonly hresult: number;
  /** The event that explains the outcome (10004 success, 10013, 10028...). */
  readonly eventId: number;
  readonly rotated: boolean;
}

/** LAPS local state: HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\LAPS\State equivalents. */
export interface LapsState {
  readonly lastPasswordUpdateTime?: number;
  /** Scheduled expiry of the current password (AzurePasswordExpiryTime in Entra mode). */
  readonly passwordExpiry?: number;
  readonly lastAccountRid?: number;
  readonly lastAccountName?: string;
  readonly lastPolicySource?: PolicySourceName;
  readonly lastBackupDirectory?: number;
  readonly lastEncryptionTarget?: string;
  readonly lastPasswordVersion?: string;
  readonly postAuth?: PostAuthState;
  readonly lastResult?: CycleResult;
  /** The directory took a password that could not be set locally: rotate again. */
  readonly localSetFailed?: boolean;
  /** Consecutive failed cycles (drives retry jitter and fleet reports). */
  readonly failures?: number;
}

export interface LapsStateStore {
  load(): LapsState;
  save(state: LapsState): void;
}

/**
 * How far a rotation got: 'intent' (sealed, directory not yet known to hold it), 'escrowed' (the
 * directory took it). Whether the local account was set is read from the account on recovery;
 * 'local-set' is only found in journals written by earlier versions.
 */
export type RotationPhase = 'intent' | 'escrowed' | 'local-set';
export type RotationTrigger = 'background' | 'policy-change' | 'admin' | 'post-auth' | 'manual-processing' | 'startup';

/** What a rotation in flight is doing; written before the directory is touched. */
export interface RotationIntent {
  readonly rotationId: string;
  readonly accountRid: number;
  readonly accountName: string;
  readonly accountSid: string;
  /** Name to give the account once the password is set (automatic management renames). */
  readonly renameTo?: string;
  readonly reasons: number;
  readonly trigger: RotationTrigger;
  readonly startedAt: number;
  readonly expiry: number;
  readonly backupDirectory: 1 | 2;
  readonly policySource: PolicySourceName;
  readonly passwordVersion?: string;
  readonly encryptionTarget?: string;
  /** Active Directory: which attributes the password goes to (the backend's part of the policy). */
  readonly ad?: AdBackupOptions;
}

export interface JournalEntry {
  readonly intent: RotationIntent;
  readonly phase: RotationPhase;
  readonly password: Secret;
}

/** The rotation journal: at most one rotation in flight per device. Passwords sealed at rest. */
export interface RotationJournal {
  current(): JournalEntry | undefined;
  begin(intent: RotationIntent, password: Secret): void;
  advance(phase: RotationPhase): void;
  clear(): void;
}

export type EventLevel = 'Information' | 'Warning' | 'Error';
export type EventFieldValue = string | number | boolean;

/** One entry of Microsoft-Windows-LAPS/Operational. */
export interface LapsEvent {
  readonly id: number;
  readonly level: EventLevel;
  readonly time: number;
  readonly message: string;
  readonly fields: Readonly<Record<string, EventFieldValue>>;
}

/**
 * Derives an event's level and message from its ID and fields (the catalogue), so that an event
 * log may keep only those. Stores are given one by the composition; without it they keep messages.
 */
export interface EventText {
  /** Whether `e` was made from the catalogue (its level and message follow from ID and fields). */
  derived(e: LapsEvent): boolean;
  /** The catalogue's level and message; throws for an ID or fields the catalogue refuses. */
  render(id: number, fields: Readonly<Record<string, EventFieldValue>>): { readonly level: EventLevel; readonly message: string };
}

export interface EventLog {
  append(event: LapsEvent): void;
  /** Appends several events in order, in one write (a cycle's events). */
  appendMany(events: readonly LapsEvent[]): void;
  list(opts?: { since?: number; limit?: number }): LapsEvent[];
}

/** Something the device did to sessions or processes (post-authentication actions). */
export interface DeviceActivity {
  readonly time: number;
  readonly kind: 'sign-out' | 'reboot' | 'terminate-processes' | 'smb-sessions-closed';
  readonly detail: string;
}

export interface ActivityLog {
  append(a: DeviceActivity): void;
  list(): DeviceActivity[];
}

/** A password as the directory holds it. */
export interface StoredCredential {
  readonly accountName: string;
  readonly accountSid: string;
  readonly password: Secret;
  readonly backupTime: number;
  /** Expiry the device reported with it (AD: msLAPS-PasswordExpirationTime). */
  readonly expiry: number | undefined;
}

export interface BackupRequest {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly accountName: string;
  readonly accountSid: string;
  readonly password: Secret;
  readonly backupTime: number;
  readonly expiry: number;
  readonly backupDirectory: 1 | 2;
  readonly passwordVersion?: string;
  /**
   * Records a LAPS event the backend logs on the way (10030 "sending a message to endpoint"),
   * in order with the device's own events. Never given a password.
   */
  readonly onEvent?: (id: number, fields: Readonly<Record<string, EventFieldValue>>) => void;
  /** Active Directory only: where and how the password is written; absent = clear text, no history. */
  readonly ad?: AdBackupOptions;
}

/** The Active Directory part of a backup (laps-behaviour.md 3.2, 8.3, 8.4); other directories ignore it. */
export interface AdBackupOptions {
  /** msLAPS-Password (clear text), msLAPS-EncryptedPassword, or legacy ms-Mcs-AdmPwd (emulation). */
  readonly format: 'cleartext' | 'encrypted' | 'legacy';
  /** A domain controller's DSRM account: msLAPS-EncryptedDSRMPassword(History), always encrypted. */
  readonly dsrm: boolean;
  /** SID the password is encrypted to (resolved by `view` this cycle); required when encrypting. */
  readonly encryptionTarget?: string;
  /** ADEncryptedPasswordHistorySize, 0-12: older encrypted passwords kept. */
  readonly historySize: number;
}

/** What the cycle asks of the directory view (Active Directory; other directories ignore it). */
export interface DirectoryQuery {
  /** Legacy Microsoft LAPS emulation: the ms-Mcs-AdmPwd attributes. */
  readonly legacy: boolean;
  /** A domain controller managing its DSRM account. */
  readonly dsrm: boolean;
  /** Encryption on: the principal to resolve (undefined = Domain Admins). */
  readonly encryption?: { readonly principal: string | undefined };
  /** The device detects image rollback (24H2+): read msLAPS-CurrentPasswordVersion. */
  readonly rollbackDetection: boolean;
}

/** What the device knows about its directory object at the start of a cycle. */
export interface DirectoryView {
  /** AD mode: the expiry stored in the directory (moved by an admin to force a rotation). */
  readonly expiry?: number;
  readonly passwordVersion?: string;
  /** AD with encryption: the SID the encryption principal resolved to this cycle. */
  readonly encryptionTarget?: string;
  /** AD with encryption: whether the encrypted password attribute is present. */
  readonly encryptedPasswordPresent?: boolean;
  /** AD: the schema holds msLAPS-CurrentPasswordVersion, so rollback detection can work. */
  readonly passwordVersionSupported?: boolean;
  /** Events the directory reports for the cycle to log, in order (10055 DC in use, 10108). */
  readonly events?: readonly { readonly id: number; readonly fields: Readonly<Record<string, EventFieldValue>> }[];
}

/**
 * Where passwords are escrowed. `backup` either succeeds or throws EscrowError; the device sets
 * the local password only after it succeeded.
 */
export interface DirectoryBackend {
  readonly kind: 'none' | 'local' | 'entra' | 'ad';
  /** Reads what the device needs each cycle (AD expiry); never the password. `query`: AD only. */
  view(deviceId: string, query?: DirectoryQuery): Promise<DirectoryView>;
  backup(request: BackupRequest): Promise<void>;
  /** Passwords held for the device, newest first (what Get-LapsAADPassword would show). */
  credentials(deviceId: string): Promise<StoredCredential[]>;
  /**
   * Crash recovery: whether the directory took the rotation `intent` (whose new password is
   * `password`), for directories that can tell without reading the password back (AD: the
   * computer's own version GUID and expiry). Without it, the newest stored password is compared.
   */
  holds?(deviceId: string, intent: RotationIntent, password: Secret): Promise<boolean>;
  /**
   * The directory lives in the device's own store (the local directory): recovery can always ask
   * it, so a rotation journals no 'escrowed' mark for it (one write less).
   */
  readonly inStore?: boolean;
}

/** The four policy roots' raw values (value name -> text). */
export interface PolicyRootValues {
  readonly csp: Readonly<Record<string, string>>;
  readonly gpo: Readonly<Record<string, string>>;
  readonly local: Readonly<Record<string, string>>;
  readonly legacy: Readonly<Record<string, string>>;
}

export type WritableRoot = 'gpo' | 'local' | 'legacy';

export interface PolicyRootStore {
  load(): PolicyRootValues;
  set(root: WritableRoot, values: Readonly<Record<string, string>>): void;
  clear(root: WritableRoot): void;
}
