/**
 * The compact state of a shard's devices: one typed array per field, indexed by the device's
 * local index. With the device rows in SQLite and a Device object built only when needed, this is
 * what an idle device costs in memory (about 100 bytes, its id and tokens aside).
 */
import type { CycleTrigger } from '../../agent/cycle.js';

/** Cycle triggers by weight: the strongest waiting one is what the next cycle runs with. */
export const TRIGGERS: readonly CycleTrigger[] = ['background', 'startup', 'manual-processing', 'policy-change', 'post-auth', 'admin'];

/** What is due for a device, in the heap code `index * 3 + kind`. */
export const KIND = { cycle: 0, session: 1, logon: 2 } as const;

/** The typed arrays of a shard's devices. */
export class ShardState {
  readonly n: number;
  /** Index in the whole fleet. */
  readonly global: Int32Array;
  /** ONLINE_PATTERNS index. */
  readonly pattern: Uint8Array;
  readonly retiredAt: Float64Array;
  /** Index into the population's OS builds. */
  readonly build: Uint8Array;
  /** FLEET_JOIN_TYPES index. */
  readonly join: Uint8Array;
  /** Offset of the device's hourly task within the hour, ms. */
  readonly phase: Int32Array;
  readonly dueCycle: Float64Array;
  readonly dueSession: Float64Array;
  readonly dueLogon: Float64Array;
  /** TRIGGERS index of the next cycle. */
  readonly trigger: Uint8Array;
  /** Device clock minus fleet clock, ms. */
  readonly skew: Float64Array;
  /** Password expiry the device last recorded (device time); NaN when it manages none. */
  readonly expiry: Float64Array;
  /** Latest fleet time that excuses a device from the expiry invariant (offline, fault, clock jump ...). */
  readonly excuse: Float64Array;
  /** Builds of the device (a seeded Rng's stream number). */
  readonly builds: Uint32Array;
  readonly logonRound: Uint32Array;
  /** Armed fault: 0 none, else 1 + point index * 2 + (fail ? 1 : 0). */
  readonly fault: Uint8Array;
  /** Scenario groups holding the device (bit per group). */
  readonly groups: Uint32Array;
  /** Scenario user signed in (index), -1 when none. */
  readonly user: Int16Array;
  /** BackupDirectory of the last backup: 1 Entra, 2 AD, 0 none yet. */
  readonly directory: Uint8Array;
  readonly deviceIds: string[];
  readonly names: string[];
  /** Intune managedDeviceId ('' for devices Intune does not manage). */
  readonly managed: string[];
  /** Entra device credential. */
  readonly tokens: (string | undefined)[];
  readonly #byId = new Map<string, number>();

  constructor(n: number) {
    this.n = n;
    this.global = new Int32Array(n);
    this.pattern = new Uint8Array(n);
    this.retiredAt = new Float64Array(n);
    this.build = new Uint8Array(n);
    this.join = new Uint8Array(n);
    this.phase = new Int32Array(n);
    this.dueCycle = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.dueSession = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.dueLogon = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.trigger = new Uint8Array(n);
    this.skew = new Float64Array(n);
    this.expiry = new Float64Array(n).fill(Number.NaN);
    this.excuse = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.builds = new Uint32Array(n);
    this.logonRound = new Uint32Array(n);
    this.fault = new Uint8Array(n);
    this.groups = new Uint32Array(n);
    this.user = new Int16Array(n).fill(-1);
    this.directory = new Uint8Array(n);
    this.deviceIds = new Array<string>(n).fill('');
    this.names = new Array<string>(n).fill('');
    this.managed = new Array<string>(n).fill('');
    this.tokens = new Array<string | undefined>(n).fill(undefined);
  }

  /** Records the device's id (for lookups by deviceId). */
  setId(i: number, deviceId: string, name: string): void {
    this.deviceIds[i] = deviceId;
    this.names[i] = name;
    this.#byId.set(deviceId, i);
  }

  indexOf(deviceId: string): number | undefined {
    return this.#byId.get(deviceId.toLowerCase());
  }

  /** Raises the device's pending trigger to `t` when `t` is stronger. */
  raiseTrigger(i: number, t: CycleTrigger): void {
    const w = TRIGGERS.indexOf(t);
    if (w > this.trigger[i]!) this.trigger[i] = w;
  }
}
