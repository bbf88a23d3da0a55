/**
 * Who each device of a fleet is: identity, join type, OS build, built-in account name, named
 * account, Group Policy and legacy configuration, domain controller, online pattern. Everything is
 * derived from (seed, global device index) by the Sampler, so a device is the same in every shard
 * and worker, and nothing about it has to be stored to be known again.
 */
import { guidFromBytes } from '../../core/ids.js';
import type { JoinType } from '../../agent/device-context.js';
import type { Sampler } from './sampling.js';
import type { Scenario } from './scenario.js';

/** Join types a fleet device can have (workgroup devices have no LAPS directory). */
export const FLEET_JOIN_TYPES = ['entra', 'hybrid', 'ad'] as const satisfies readonly JoinType[];
/** A fleet device's join type. */
export type FleetJoinType = (typeof FLEET_JOIN_TYPES)[number];

/** Online patterns. */
export const ONLINE_PATTERNS = ['always', 'officeHours', 'intermittent'] as const;
/** When a device is on. */
export type OnlinePattern = (typeof ONLINE_PATTERNS)[number];

/** Localised or renamed names given to the built-in Administrator (RID 500). */
const RENAMED_ADMINS = ['Admin', 'Administrateur', 'Administrador', 'LocalAdmin', 'ITSupport'];

/** One device as the scenario makes it. */
export interface DeviceProfile {
  /** Index in the whole fleet (0 .. devices-1). */
  readonly global: number;
  readonly deviceId: string;
  readonly name: string;
  readonly joinType: FleetJoinType;
  readonly osBuild: string;
  readonly domainSid: string;
  readonly isDomainController: boolean;
  /** The legacy Microsoft LAPS client-side extension is installed (half of the legacy devices). */
  readonly legacyCseInstalled: boolean;
  /** Name of the built-in Administrator (renamed on some devices). */
  readonly administratorName: string;
  /** The scenario's named account exists on this device (undefined: the scenario names none). */
  readonly namedAccountPresent: boolean | undefined;
  /** Group Policy settings this device holds (its GPO root). */
  readonly groupPolicy: Readonly<Record<string, string>> | undefined;
  /** Holds a legacy Microsoft LAPS (AdmPwd) policy. */
  readonly legacy: boolean;
  readonly pattern: OnlinePattern;
  /** Retired (offline for good) from this time on, epoch ms; Infinity when never. */
  readonly retiredAt: number;
}

/** Legacy Microsoft LAPS (AdmPwd) policy values of the legacy root. */
export const LEGACY_ROOT_VALUES: Readonly<Record<string, string>> = { AdmPwdEnabled: '1', PasswordAgeDays: '30', PasswordLength: '14', PasswordComplexity: '4' };

function canonical(settings: Readonly<Record<string, number | string | boolean>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) out[k] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return out;
}

/** Builds device profiles for a scenario (cheap: call it whenever a device is needed). */
export class Population {
  readonly #s: Scenario;
  readonly #sampler: Sampler;
  readonly #joins: readonly (readonly [FleetJoinType, number])[];
  readonly #builds: readonly (readonly [string, number])[];
  readonly #patterns: readonly (readonly [OnlinePattern, number])[];
  readonly #gpo: Record<string, string> | undefined;
  readonly #adGpo: Record<string, string> | undefined;
  readonly #start: number;

  constructor(s: Scenario, sampler: Sampler, start: number) {
    this.#s = s;
    this.#sampler = sampler;
    this.#start = start;
    this.#joins = FLEET_JOIN_TYPES.map((j) => [j, s.population.joinTypes[j] ?? 0] as const).filter(([, w]) => w > 0);
    this.#builds = Object.entries(s.population.osBuilds).filter(([, w]) => w > 0);
    this.#patterns = ONLINE_PATTERNS.map((p) => [p, s.online[p]] as const).filter(([, w]) => w > 0);
    this.#gpo = s.population.groupPolicy ? canonical(s.population.groupPolicy.settings) : undefined;
    this.#adGpo = s.activeDirectory ? canonical(s.activeDirectory.settings) : undefined;
  }

  /** The OS builds the scenario uses, in a fixed order (report rows). */
  get builds(): readonly string[] {
    return this.#builds.map(([b]) => b);
  }

  /** The device with this global index. */
  profile(k: number): DeviceProfile {
    const s = this.#s;
    const p = this.#sampler;
    const joinType = p.weighted('join', k, this.#joins);
    const isDomainController = joinType === 'ad' && p.chance('dc', k, s.population.domainControllers);
    const legacy = s.population.legacy !== undefined && p.chance('legacy', k, s.population.legacy.fraction);
    const named = s.population.namedAccount;
    let groupPolicy: Record<string, string> | undefined;
    // The domain's Group Policy reaches every domain-joined device: AD-joined and, with a domain, hybrid.
    if (joinType === 'ad' || (joinType === 'hybrid' && this.#adGpo)) groupPolicy = this.#adGpo;
    else if (this.#gpo && p.chance('gpo', k, s.population.groupPolicy!.fraction)) groupPolicy = this.#gpo;
    const retired = s.online.retired;
    return {
      global: k,
      deviceId: guidFromBytes(p.bytes16('device-id', k)),
      name: `FLEET-${String(k).padStart(6, '0')}`,
      joinType,
      osBuild: p.weighted('os', k, this.#builds),
      domainSid: `S-1-5-21-${p.bits('sid', k, 0)}-${p.bits('sid', k, 1)}-${p.bits('sid', k, 2)}`,
      isDomainController,
      legacyCseInstalled: legacy && p.chance('legacy-cse', k, 0.5),
      administratorName: p.chance('renamed', k, s.population.renamedAdministrator) ? RENAMED_ADMINS[p.int('renamed-name', k, RENAMED_ADMINS.length)]! : 'Administrator',
      namedAccountPresent: named === undefined ? undefined : p.chance('named', k, named.present),
      groupPolicy,
      legacy,
      pattern: isDomainController ? 'always' : p.weighted('online', k, this.#patterns),
      retiredAt: retired !== undefined && !isDomainController && p.chance('retired', k, retired.fraction) ? this.#start + retired.day * 86_400_000 : Number.POSITIVE_INFINITY,
    };
  }
}
