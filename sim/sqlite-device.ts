/**
 * A device whose state lives in a lapsim SQLite file: the composition the CLI and the agent
 * service use. One file may hold a fleet; this opens one device of it.
 */
import type { Clock } from '../core/clock.js';
import { existsSync } from 'node:fs';
import { StoreError, UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Rng } from '../core/rng.js';
import { guidFromBytes } from '../core/ids.js';
import { Device } from '../agent/device.js';
import type { DeviceOptions, JoinType } from '../agent/device-context.js';
import type { DirectoryBackend } from '../agent/ports.js';
import type { FaultInjector } from '../agent/rotation/faults.js';
import { randomMachineDomainSid } from '../agent/accounts/sid.js';
import { windowsAccountRules } from '../agent/accounts/account-rules.js';
import { seedBuiltinAccounts } from '../agent/accounts/builtin.js';
import { openDatabase, type Db } from '../store/database.js';
import { DEFAULT_OS_BUILD, insertDevice, resolveDevice, type DeviceRecord, type DirectoryKind } from '../store/devices.js';
import { loadStoreKey, SecretBox } from '../store/secret-box.js';
import { SqliteAccountDatabase } from '../store/sqlite-account-database.js';
import { SqliteDevicePorts } from '../store/sqlite-device-ports.js';
import { loadDirectoryConfig, saveDirectoryConfig } from '../store/directory-config.js';
import { noopLogger } from '../core/logger.js';
import { directoryProvider } from './directory-registry.js';
import { catalogueEventText } from '../agent/events/make-event.js';

export interface DeviceInit {
  readonly name?: string;
  readonly joinType?: JoinType;
  readonly osBuild?: string;
  readonly isDomainController?: boolean;
  readonly legacyCseInstalled?: boolean;
  readonly builtinAdminName?: string;
  /** Keep the built-in Administrator disabled, as Windows client ships it (default: enabled). */
  readonly builtinAdminDisabled?: boolean;
  readonly directory?: DirectoryKind;
  /** The part after `=` in `--directory kind=target` (a URL, a folder). */
  readonly directoryTarget?: string;
  readonly deviceId?: string;
}

export interface OpenSqliteDeviceOptions {
  readonly path: string;
  readonly deviceId?: string | undefined;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger?: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides the directory the device record names (tests, the fleet). */
  readonly directory?: DirectoryBackend;
  readonly faults?: FaultInjector;
  readonly options?: DeviceOptions;
  /** Wraps the device's directory (test hooks: a slow directory). */
  readonly wrapDirectory?: (directory: DirectoryBackend) => DirectoryBackend;
  /** Open the database read-only (status readers beside a running agent). */
  readonly readonly?: boolean;
}

export interface SqliteDevice {
  readonly db: Db;
  readonly record: DeviceRecord;
  readonly device: Device;
  readonly ports: SqliteDevicePorts;
  readonly accounts: SqliteAccountDatabase;
  readonly directory: DirectoryBackend;
  close(): void;
}

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A Windows-like computer name: DESKTOP- and seven random characters. */
export function randomDeviceName(rng: Rng): string {
  let s = 'DESKTOP-';
  for (let i = 0; i < 7; i++) s += NAME_CHARS[rng.int(NAME_CHARS.length)];
  return s;
}

/**
 * Creates a device in the database at `path` (created on first use), seeds its accounts and joins
 * it to its directory (registration in an Entra tenant, a computer account in AD).
 */
export async function initSqliteDevice(
  path: string, init: DeviceInit, clock: Clock, rng: Rng, env: Readonly<Record<string, string | undefined>> = {},
): Promise<DeviceRecord> {
  const provider = directoryProvider(init.directory ?? 'local');
  const db = openDatabase(path);
  try {
    const deviceId = (init.deviceId ?? guidFromBytes(rng.bytes(16))).toLowerCase();
    const record: DeviceRecord = {
      deviceId,
      name: init.name ?? randomDeviceName(rng),
      osBuild: init.osBuild ?? DEFAULT_OS_BUILD,
      cspStrict: false,
      createdAt: clock.now(),
      joinType: init.joinType ?? 'entra',
      isDomainController: init.isDomainController ?? false,
      legacyCseInstalled: init.legacyCseInstalled ?? false,
      domainSid: randomMachineDomainSid(rng),
      directory: (init.directory ?? 'local') as DirectoryKind,
    };
    if (!/^\d+\.\d+\.\d+(\.\d+)?$/.test(record.osBuild)) throw new UsageError(`--os-build must look like 10.0.26100.4349, got ${record.osBuild}`);
    const box = new SecretBox(loadStoreKey(path, env));
    const joined = await provider.join({ db, box, record, clock, rng, env }, init.directoryTarget);
    db.transaction(() => {
      insertDevice(db, record);
      seedBuiltinAccounts(new SqliteAccountDatabase(db, deviceId, windowsAccountRules), {
        administratorEnabled: !(init.builtinAdminDisabled ?? false),
        ...(init.builtinAdminName !== undefined ? { administratorName: init.builtinAdminName } : {}),
      });
      saveDirectoryConfig(db, box, deviceId, { kind: provider.kind, settings: joined.settings, secret: joined.secret });
    })();
    return record;
  } finally {
    db.close();
  }
}

/** Opens one device of the database at `path` with all its ports. */
export function openSqliteDevice(o: OpenSqliteDeviceOptions): SqliteDevice {
  if (o.path !== ':memory:' && !existsSync(o.path)) {
    throw new StoreError('LAPS_ERR_STORE_OPEN', `no lapsim database at ${o.path}: create a device with \`lapsim device init --state ${o.path}\``);
  }
  const db = openDatabase(o.path, o.readonly ? { readonly: true } : {});
  try {
    const record = resolveDevice(db, o.deviceId);
    const box = new SecretBox(loadStoreKey(o.path, o.env ?? {}));
    const ports = new SqliteDevicePorts(db, box, catalogueEventText);
    const accounts = new SqliteAccountDatabase(db, record.deviceId, windowsAccountRules);
    const env = o.env ?? {};
    const opened = o.directory ?? directoryProvider(record.directory).open({
      db, box, record, clock: o.clock, rng: o.rng, env, logger: o.logger ?? noopLogger, config: loadDirectoryConfig(db, box, record.deviceId),
    });
    const directory = o.wrapDirectory ? o.wrapDirectory(opened) : opened;
    const device = new Device({
      identity: record, clock: o.clock, rng: o.rng, ...(o.logger ? { logger: o.logger } : {}),
      ...(o.faults ? { faults: o.faults } : {}), ...(o.options ? { options: o.options } : {}),
      accounts, state: ports.state(record.deviceId), journal: ports.journal(record.deviceId), events: ports.events(record.deviceId),
      activity: ports.activity(record.deviceId), roots: ports.policyRoots(record.deviceId), resets: ports.resetRequests(record.deviceId),
      directory, transaction: (fn) => ports.transaction(fn), externalVersion: () => ports.externalVersion(),
    });
    return { db, record, device, ports, accounts, directory, close: () => db.close() };
  } catch (e) {
    db.close();
    throw e;
  }
}
