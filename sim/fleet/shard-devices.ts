/**
 * The devices of a fleet shard in one SQLite file (devices.db of the run folder, the schema every
 * lapsim device uses, so `lapsim status --state devices.db --device <id>` reads any of them), and
 * their Device objects, built only while a device has something to do and kept in a small
 * most-recently-used cache: an idle device is a few numbers in typed arrays and its rows on disk.
 */
import type { Clock, Timer } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import { seedBuiltinAccounts } from '../../agent/accounts/builtin.js';
import { windowsAccountRules } from '../../agent/accounts/account-rules.js';
import { Device } from '../../agent/device.js';
import type { DirectoryBackend, EventLog, LapsEvent } from '../../agent/ports.js';
import type { FaultInjector } from '../../agent/rotation/faults.js';
import { openDatabase, type Db } from '../../store/database.js';
import { insertDevice } from '../../store/devices.js';
import { loadStoreKey, SecretBox } from '../../store/secret-box.js';
import { SqliteAccountDatabase } from '../../store/sqlite-account-database.js';
import { SqliteCspRoots } from '../../store/sqlite-csp-root.js';
import { SqliteDevicePorts } from '../../store/sqlite-device-ports.js';
import { LEGACY_ROOT_VALUES, type DeviceProfile } from './population.js';
import { catalogueEventText } from '../../agent/events/make-event.js';

/** Device objects kept built at once. */
export const DEVICE_CACHE_SIZE = 256;

/** A device's clock: the fleet's time plus the device's skew (ms), read on every call. */
export class SkewedClock implements Clock {
  constructor(private readonly base: Clock, private readonly skew: () => number) {}
  now(): number {
    return this.base.now() + this.skew();
  }
  setTimer(name: string, delayMs: number, fn: () => void): Timer {
    return this.base.setTimer(name, delayMs, fn);
  }
}

/** What building a device needs besides its profile. */
export interface DeviceParts {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly directory: DirectoryBackend;
  readonly faults: FaultInjector | undefined;
  /** Sees every event the device writes (counts, leak watch). */
  readonly onEvents: (events: readonly LapsEvent[]) => void;
}

/** The SQLite store of a shard's devices. */
export class ShardDevices {
  readonly db: Db;
  readonly ports: SqliteDevicePorts;
  readonly cspRoots: SqliteCspRoots;
  readonly #cache = new Map<number, Device>();

  constructor(path: string, env: Readonly<Record<string, string | undefined>>) {
    this.db = openDatabase(path);
    // A run's scratch data: a power cut loses the run, which is run again; no fsync.
    this.db.pragma('synchronous = OFF');
    this.ports = new SqliteDevicePorts(this.db, new SecretBox(loadStoreKey(path, env)), catalogueEventText);
    this.cspRoots = new SqliteCspRoots(this.db);
  }

  /**
   * Writes the devices: identity, built-in accounts (RID 500 under its possibly renamed name,
   * enabled), the scenario's named account where present, Group Policy and legacy roots.
   */
  create(profiles: readonly DeviceProfile[], namedAccount: string | undefined, createdAt: number): void {
    this.db.transaction(() => {
      for (const p of profiles) {
        insertDevice(this.db, {
          deviceId: p.deviceId, name: p.name, osBuild: p.osBuild, cspStrict: false, createdAt, joinType: p.joinType,
          isDomainController: p.isDomainController, legacyCseInstalled: p.legacyCseInstalled, domainSid: p.domainSid,
          directory: p.joinType === 'ad' ? 'ad' : 'entra',
        });
        const accounts = new SqliteAccountDatabase(this.db, p.deviceId, windowsAccountRules);
        seedBuiltinAccounts(accounts, { administratorEnabled: true, administratorName: p.administratorName });
        if (namedAccount !== undefined && p.namedAccountPresent) {
          accounts.create({ name: namedAccount, enabled: true, admin: true, description: 'Local administrator managed by Windows LAPS' });
        }
        const roots = this.ports.policyRoots(p.deviceId);
        if (p.groupPolicy) roots.set('gpo', p.groupPolicy);
        if (p.legacy) roots.set('legacy', LEGACY_ROOT_VALUES);
      }
    })();
  }

  /** The account database of a device (the fleet's own checks and the tamper action). */
  accounts(deviceId: string): SqliteAccountDatabase {
    return new SqliteAccountDatabase(this.db, deviceId, windowsAccountRules);
  }

  /** The built device of `index`, if cached. */
  cached(index: number): Device | undefined {
    return this.#cache.get(index);
  }

  /** Drops a built device (a crash: its memory is gone; a policy change: rebuilt on next use). */
  forget(index: number): void {
    this.#cache.delete(index);
  }

  /** The device of `index`, built from its profile and parts when not cached. */
  device(index: number, profile: () => DeviceProfile, parts: () => DeviceParts): Device {
    let d = this.#cache.get(index);
    if (d) {
      this.#cache.delete(index);
      this.#cache.set(index, d);
      return d;
    }
    const p = profile();
    const x = parts();
    const ports = this.ports;
    const inner = ports.events(p.deviceId);
    const events: EventLog = {
      append: (e) => {
        inner.append(e);
        x.onEvents([e]);
      },
      appendMany: (es) => {
        inner.appendMany(es);
        x.onEvents(es);
      },
      list: (opts) => inner.list(opts),
    };
    d = new Device({
      identity: {
        deviceId: p.deviceId, name: p.name, osBuild: p.osBuild, joinType: p.joinType, isDomainController: p.isDomainController,
        legacyCseInstalled: p.legacyCseInstalled, domainSid: p.domainSid,
      },
      clock: x.clock, rng: x.rng, logger: x.logger, ...(x.faults ? { faults: x.faults } : {}), options: { recordIdleCycles: false },
      accounts: this.accounts(p.deviceId), state: ports.state(p.deviceId), journal: ports.journal(p.deviceId), events,
      activity: ports.activity(p.deviceId), roots: ports.policyRoots(p.deviceId), resets: ports.resetRequests(p.deviceId),
      directory: x.directory, transaction: (fn) => ports.transaction(fn),
    });
    this.#cache.set(index, d);
    if (this.#cache.size > DEVICE_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return d;
  }

  /** The LAPS values in the device's CSP root. */
  cspValues(deviceId: string): Map<string, string> {
    return this.cspRoots.forDevice(deviceId).load().values as Map<string, string>;
  }

  close(): void {
    this.#cache.clear();
    if (this.db.open) this.db.close();
  }
}
