/**
 * Everything one device's logic works with: its identity, ports, clock, randomness and options.
 * Built once per device by `Device`; the cycle and the account logic take it.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Rng } from '../core/rng.js';
import type {
  AccountDatabase, ActivityLog, DirectoryBackend, EventFieldValue, EventLog, LapsStateStore, PolicyRootStore, RotationJournal,
} from './ports.js';
import type { ResetRequests } from './reset-requests.js';
import type { EffectivePolicy } from './policy/types.js';
import type { FaultInjector } from './rotation/faults.js';
import type { Emit } from './rotation/engine.js';
import type { LocalPasswordPolicy } from './password/local-policy.js';

export type JoinType = 'entra' | 'ad' | 'hybrid' | 'workgroup';

export interface DeviceIdentity {
  readonly deviceId: string;
  readonly name: string;
  readonly osBuild: string;
  readonly joinType: JoinType;
  readonly isDomainController: boolean;
  readonly legacyCseInstalled: boolean;
  /** S-1-5-21-x-y-z of the local account domain. */
  readonly domainSid: string;
}

export interface DeviceOptions {
  /** Digits of the random suffix of automatically managed account names (ADMX text: 8). */
  readonly randomSuffixDigits?: number;
  /** Entra PasswordAgeDays below 7: clamp to 7 (support material, default) or use the default 30. */
  readonly entraMinAgeMode?: 'clamp' | 'default';
  /** The device's local password policy; passwords that fail it are refused (event 10027). */
  readonly localPasswordPolicy?: LocalPasswordPolicy;
  /** Record idle background cycles as events (a single device: yes; a fleet: no). Default true. */
  readonly recordIdleCycles?: boolean;
}

export interface DevicePorts {
  readonly accounts: AccountDatabase;
  readonly state: LapsStateStore;
  readonly journal: RotationJournal;
  readonly events: EventLog;
  readonly activity: ActivityLog;
  readonly roots: PolicyRootStore;
  readonly directory: DirectoryBackend;
  readonly resets: ResetRequests;
  /** Runs `fn` atomically against the store; default: a plain call. */
  readonly transaction?: <T>(fn: () => T) => T;
}

export interface DeviceContext extends Required<Omit<DevicePorts, 'transaction'>> {
  readonly identity: DeviceIdentity;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: Logger;
  readonly transaction: <T>(fn: () => T) => T;
  readonly faults: FaultInjector | undefined;
  readonly options: DeviceOptions;
  readonly localPasswordPolicy: LocalPasswordPolicy | undefined;
  readonly emit: Emit;
  /** The effective policy now (cached until a root changes). */
  policy(): EffectivePolicy;
  /** The policy-dump event (10021/10022/10023) for a policy. */
  policyDump(p: EffectivePolicy): { id: number; fields: Record<string, EventFieldValue> };
  /** The SID of a local account. */
  sidOf(rid: number): string;
}
