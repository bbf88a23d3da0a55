/**
 * One shard of a fleet in one thread: its devices (every global index k with k % count = index),
 * an in-process Intune and Entra emulator, and the virtual clock. The run is a loop over a heap
 * of next-due times (cycles, sessions, logons of each device) merged with the scenario's global
 * events (timeline, admin actions, faults, daily sweeps): time jumps straight to the next thing
 * that happens, so a device that is idle for thirty days costs nothing for thirty days.
 */
import { ManualClock, type Clock } from '../../core/clock.js';
import { noopLogger } from '../../core/logger.js';
import { cryptoRng, type Rng } from '../../core/rng.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { CspProcessor } from '../../csp/processor.js';
import type { CycleTrigger } from '../../agent/cycle.js';
import { FaultInjector, FAULT_POINTS } from '../../agent/rotation/faults.js';
import { DueHeap } from '../../agent/scheduler/virtual-scheduler.js';
import { Availability } from './availability.js';
import { ConflictOracle } from './conflict-oracle.js';
import { FaultGate } from './fault-gate.js';
import { FleetEntraDirectory } from './fleet-escrow.js';
import { FleetLog, type LogLevel } from './fleet-log.js';
import { FleetServer } from './fleet-server.js';
import { FleetStats } from './fleet-stats.js';
import { InProcessChannel } from './in-process-channel.js';
import { InvariantBook } from './invariants.js';
import { eventText, LeakWatch } from './leak-watch.js';
import { FLEET_JOIN_TYPES, ONLINE_PATTERNS, Population, type DeviceProfile } from './population.js';
import { Sampler } from './sampling.js';
import { scenarioStart, type Scenario } from './scenario.js';
import { ShardDevices, SkewedClock, type DeviceParts } from './shard-devices.js';
import { KIND, ShardState } from './shard-state.js';
import { AdFleet } from './ad-fleet.js';
import { loadStoreKey, SecretBox } from '../../store/secret-box.js';
import type { OutboundBatch } from '../intune/delivery.js';
import { checkBatch } from './shard-checks.js';

/** An hour and a day, in ms. */
export const HOUR = 3_600_000;
/** A day, in ms. */
export const DAY = 24 * HOUR;

/**
 * Which part of the fleet a shard runs: the devices k with k % count = index (a process or host
 * of `--shard index/count`), and of those every `workers`-th, from `worker` (a worker thread).
 */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
  readonly worker: number;
  readonly workers: number;
}

/** The global index of a shard's local device `i`. */
export function globalIndex(spec: ShardSpec, i: number): number {
  return spec.index + spec.count * (spec.worker + spec.workers * i);
}

/** The local index of global device `k` in the shard, or undefined when another shard holds it. */
export function localIndex(spec: ShardSpec, k: number): number | undefined {
  if (k % spec.count !== spec.index) return undefined;
  const p = Math.floor(k / spec.count);
  return p % spec.workers === spec.worker ? Math.floor(p / spec.workers) : undefined;
}

/** How many devices of a fleet of `devices` the shard holds. */
export function shardSize(spec: ShardSpec, devices: number): number {
  const inProcess = Math.max(0, Math.ceil((devices - spec.index) / spec.count));
  return Math.max(0, Math.ceil((inProcess - spec.worker) / spec.workers));
}

/** What a shard runs and where it reports. */
export interface ShardOptions {
  readonly scenario: Scenario;
  readonly shard: ShardSpec;
  /** Folder of this shard's files (devices.db, intune.db, entra.db, fleet.log). */
  readonly dir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logLevel: LogLevel;
  /** The wall clock that paces progress reports. */
  readonly wallClock: Clock;
  readonly onProgress?: (p: ShardProgress) => void;
  /** The lab DC folder, when the scenario has AD-joined devices (openFleetDc). */
  readonly adDir?: string;
}

/** Where a running shard is. */
export interface ShardProgress {
  readonly day: number;
  readonly rotations: number;
  readonly cycles: number;
  readonly breaches: number;
}

/** A scenario event that concerns the whole shard. */
export interface GlobalEvent {
  readonly time: number;
  readonly seq: number;
  readonly run: () => Promise<void> | void;
}

/** The shard's world; the loop lives in shard-run.ts, the handlers in shard-events.ts and shard-actions.ts. */
export class Shard {
  readonly o: ShardOptions;
  readonly s: Scenario;
  readonly sampler: Sampler;
  readonly population: Population;
  readonly start: number;
  readonly end: number;
  readonly clock: ManualClock;
  readonly state: ShardState;
  readonly watch = new LeakWatch();
  readonly log: FleetLog;
  readonly devices: ShardDevices;
  readonly server: FleetServer;
  readonly channel: InProcessChannel;
  readonly availability: Availability;
  readonly stats: FleetStats;
  readonly book: InvariantBook;
  readonly oracle: ConflictOracle;
  readonly gate: FaultGate;
  readonly heap = new DueHeap();
  readonly globals: GlobalEvent[] = [];
  readonly entraDirectory: FleetEntraDirectory;
  readonly cryptoRng: Rng = cryptoRng();
  readonly rotateActions: string[] = [];
  readonly ad: AdFleet | undefined;
  /** Policy batches already checked by the conflict invariant (a restarted server resends them). */
  readonly seenBatches = new Set<string>();
  /** Changes to the management server that wait for it to come back from a restart. */
  readonly whileDown: (() => void)[] = [];
  readonly logger;

  constructor(o: ShardOptions) {
    this.o = o;
    const s = (this.s = o.scenario);
    this.sampler = new Sampler(s.seed);
    this.start = scenarioStart(s);
    this.end = this.start + s.days * DAY;
    this.population = new Population(s, this.sampler, this.start);
    this.clock = new ManualClock(this.start);
    const n = shardSize(o.shard, s.devices);
    this.state = new ShardState(n);
    this.log = new FleetLog(`${o.dir}/fleet.log`, o.logLevel, this.clock, this.watch);
    this.logger = this.log.logger({ shard: o.shard.index, worker: o.shard.worker });
    this.devices = new ShardDevices(`${o.dir}/devices.db`, o.env);
    this.ad = o.adDir === undefined ? undefined : new AdFleet({
      dir: o.adDir, db: this.devices.db, box: new SecretBox(loadStoreKey(`${o.dir}/devices.db`, o.env)), clock: this.clock,
      rng: new SeededRng(`${String(s.seed)}:ad:${o.shard.index}:${o.shard.worker}`),
    });
    this.server = new FleetServer({ dir: o.dir, clock: this.clock, rng: new SeededRng(`${String(s.seed)}:server:${o.shard.index}:${o.shard.worker}`), logger: this.logger, env: o.env });
    this.stats = new FleetStats(this.start, s.days);
    this.book = new InvariantBook(n);
    const userGroups = new Map(s.users.map((u) => [u.name, s.groups.reduce((bits, g, b) => (g.users?.includes(u.name) ? bits | (1 << b) : bits), 0)]));
    this.oracle = new ConflictOracle(s.groups.map((g) => g.name), userGroups);
    this.gate = new FaultGate(s, this.start, () => this.clock.now(), this.sampler, (id) => {
      const i = this.state.indexOf(id);
      return i === undefined ? undefined : this.state.global[i];
    }, () => this.server.entra);
    this.entraDirectory = new FleetEntraDirectory({
      entra: () => this.server.entra, tenantId: () => this.server.tenantId, gate: this.gate,
      deviceToken: (id) => this.state.tokens[this.state.indexOf(id) ?? -1], onStored: (id, p) => this.stored(id, p),
    });
    const st = this.state;
    for (let i = 0; i < n; i++) {
      const k = globalIndex(o.shard, i);
      const p = this.population.profile(k);
      st.global[i] = k;
      st.setId(i, p.deviceId, p.name);
      st.pattern[i] = ONLINE_PATTERNS.indexOf(p.pattern);
      st.retiredAt[i] = p.retiredAt;
      st.build[i] = this.population.builds.indexOf(p.osBuild);
      st.join[i] = FLEET_JOIN_TYPES.indexOf(p.joinType);
      st.phase[i] = this.sampler.int('phase', k, HOUR);
      const skew = s.faults.clockSkew;
      if (skew && this.sampler.chance('skew', k, skew.fraction)) st.skew[i] = Math.round((this.sampler.unit('skew-size', k) * 2 - 1) * skew.maxMinutes * 60_000);
      st.groups[i] = s.groups.reduce((bits, g, b) => (g.fraction !== undefined && this.sampler.chance(`group:${g.name}`, k, g.fraction) ? bits | (1 << b) : bits), 0);
    }
    this.availability = new Availability({
      sampler: this.sampler, start: this.start, devices: st, intermittentOnlineMs: s.online.intermittentOnlineDays * DAY,
      intermittentOfflineMs: s.online.intermittentOfflineHours * HOUR,
      partitions: s.faults.partitions.map((p, i) => ({ from: this.start + p.day * DAY, to: this.start + p.day * DAY + p.hours * HOUR, fraction: p.fraction, salt: `partition:${i}` })),
      serverDown: s.faults.serverRestarts.map((r) => ({ from: this.start + r.day * DAY, to: this.start + r.day * DAY + r.downMinutes * 60_000 })),
    });
    const processor = new CspProcessor({ clock: this.clock });
    this.channel = new InProcessChannel({
      clock: this.clock, indexOf: (id) => st.indexOf(id), reachable: (i) => this.availability.reachable(i, this.clock.now()),
      wantSession: (i, at) => this.want(i, KIND.session, at), onBatch: (i, b) => this.onBatch(i, b),
    }, processor);
  }

  /** The password a directory took in the operation in progress, by deviceId. */
  readonly storedThisOp = new Map<string, string>();
  /** Set during the final checks: every password the directories hold, for the report's leak scan. */
  finalPasswords: Set<string> | undefined;
  /** Devices that crashed and have not restarted yet. */
  readonly crashed = new Set<number>();

  /** A directory took a password (leak watch; the password check after a rotation). */
  stored(deviceId: string, password: string): void {
    this.watch.remember(password, deviceId);
    this.storedThisOp.set(deviceId, password);
  }

  /** The profile of a local device. */
  profile(i: number): DeviceProfile {
    return this.population.profile(this.state.global[i]!);
  }

  /** The device's clock (fleet time plus its skew). */
  deviceNow(i: number): number {
    return this.clock.now() + this.state.skew[i]!;
  }

  /** The first hourly tick of the device at or after `t` (fleet time). */
  tick(i: number, t: number): number {
    const phase = this.start + this.state.phase[i]!;
    return t <= phase ? phase : phase + Math.ceil((t - phase) / HOUR) * HOUR;
  }

  /** Schedules something for the device at `at` (kept when something of that kind is due earlier). */
  want(i: number, kind: number, time: number): void {
    const at = Math.ceil(time);
    const due = kind === KIND.cycle ? this.state.dueCycle : kind === KIND.session ? this.state.dueSession : this.state.dueLogon;
    if (!(at < due[i]!)) return;
    due[i] = at;
    this.heap.push({ due: at, index: i * 3 + kind });
  }

  /** Asks for a cycle with `trigger` at `at`. */
  wantCycle(i: number, at: number, trigger: CycleTrigger): void {
    this.state.raiseTrigger(i, trigger);
    this.want(i, KIND.cycle, at);
  }

  /** The built device (with the fault armed for it, if any). */
  device(i: number) {
    const st = this.state;
    return this.devices.device(i, () => this.profile(i), (): DeviceParts => {
      const k = st.global[i]!;
      const build = st.builds[i]!++;
      const code = st.fault[i]!;
      let faults: FaultInjector | undefined;
      if (code > 0) {
        faults = new FaultInjector();
        faults.arm({ point: FAULT_POINTS[(code - 1) >> 1]!, mode: (code - 1) & 1 ? 'fail' : 'crash' });
      }
      return {
        clock: new SkewedClock(this.clock, () => st.skew[i]!),
        rng: this.s.passwords === 'seeded' ? new SeededRng(`${String(this.s.seed)}:device:${k}:${build}`) : this.cryptoRng,
        logger: this.o.logLevel === 'silent' ? noopLogger : this.logger,
        directory: this.ad?.directoryFor(i, st.deviceIds[i]!, FLEET_JOIN_TYPES[st.join[i]!]!, this.gate, (id, p) => this.stored(id, p), this.entraDirectory)
          ?? this.entraDirectory,
        faults,
        onEvents: (events) => {
          for (const e of events) this.watch.text(`event ${e.id}`, eventText(e));
          this.stats.events(events.map((e) => e.id));
        },
      };
    });
  }

  /** Sees a batch the Intune side hands the channel: the conflict invariant. */
  onBatch(i: number, batch: OutboundBatch): void {
    checkBatch(this, i, batch);
  }

  close(): void {
    this.log.close();
    this.server.close();
    this.devices.close();
  }
}
