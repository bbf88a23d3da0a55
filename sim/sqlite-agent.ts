/**
 * The agent service of a device stored in a lapsim SQLite file: what `lapsim agent` runs. It
 * creates the device on first use, opens it with the device's clock (scaled by --time-scale),
 * answers the LAPS, DevInfo and DevDetail CSPs, and connects over WebSocket.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ScaledClock, SystemClock, type Clock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { isGuid } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { cryptoRng, type Rng } from '../core/rng.js';
import { CspProcessor } from '../csp/processor.js';
import { DevDetailHandler, DevInfoHandler, type DeviceInfo } from '../csp/devinfo/device-info-handlers.js';
import { LapsCspHandler } from '../csp/laps/laps-handler.js';
import type { BackupRequest, DirectoryBackend, DirectoryView, StoredCredential } from '../agent/ports.js';
import { type CrashSignal, FaultInjector, type FaultPoint } from '../agent/rotation/faults.js';
import { AgentService } from '../agent/service/agent-service.js';
import type { AgentConfig } from '../agent/service/config.js';
import { devIdFor } from '../agent/transport/dm-messages.js';
import { WsConnector } from '../agent/transport/ws-connector.js';
import { applyCspMessage } from '../store/csp-apply.js';
import { openDatabase } from '../store/database.js';
import { countDevices, resolveDevice, type DirectoryKind } from '../store/devices.js';
import { SqliteCspRoots } from '../store/sqlite-csp-root.js';
import { parseDirectorySpec } from './directory-registry.js';
import { initSqliteDevice, openSqliteDevice, type SqliteDevice } from './sqlite-device.js';

/**
 * Test-only hooks (hidden environment variables of `lapsim agent`, see docs/cli.md): they put a
 * crash or a pause inside a rotation so that tests can kill the process there.
 */
export interface AgentTestHooks {
  /** Crash (CrashSignal) once at this rotation fault point. */
  readonly crashAt?: FaultPoint;
  /** After the directory took a password, wait this long (ms) before the rotation goes on. */
  readonly holdAfterBackupMs?: number;
}

export interface SqliteAgentOptions {
  readonly config: AgentConfig;
  /** LAPSIM_STORE_KEY and the directories' variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** Real time (default: a system clock whose timers keep the process alive). */
  readonly realClock?: Clock;
  readonly rng?: Rng;
  readonly testHooks?: AgentTestHooks;
  /** What to do at a simulated crash (the CLI kills its own process). */
  readonly onCrash?: (e: CrashSignal) => void;
}

export interface SqliteAgent {
  readonly service: AgentService;
  readonly device: SqliteDevice;
  /** The device clock (scaled with --time-scale). */
  readonly clock: Clock;
  /** Closes the database. */
  close(): void;
}

/**
 * Builds the agent: the device is created first when the database holds none (with
 * `config.directory`); an existing device must not name another directory kind.
 * @throws UsageError, StoreError, ChannelError (a bad server URL)
 */
export async function buildSqliteAgent(o: SqliteAgentOptions): Promise<SqliteAgent> {
  const c = o.config;
  const realClock = o.realClock ?? new SystemClock({ unref: false });
  const rng = o.rng ?? cryptoRng();
  await ensureDevice(c, realClock, rng, o.env, o.logger);
  let deviceClock: Clock = realClock;
  // The device is opened before its clock is known: a scaled clock starts after its last cycle.
  const clock: Clock = { now: () => deviceClock.now(), setTimer: (name, ms, fn) => deviceClock.setTimer(name, ms, fn) };
  const faults = new FaultInjector();
  if (o.testHooks?.crashAt) faults.arm({ point: o.testHooks.crashAt, mode: 'crash' });
  const hold = o.testHooks?.holdAfterBackupMs;
  const d = openSqliteDevice({
    path: c.state, deviceId: c.device, clock, rng, env: o.env, logger: o.logger, faults,
    ...(hold !== undefined && hold > 0 ? { wrapDirectory: (inner: DirectoryBackend) => new HeldDirectory(inner, realClock, hold, o.logger) } : {}),
  });
  try {
    if (c.timeScale !== 1) {
      const last = d.device.state().lastResult?.time ?? Number.NEGATIVE_INFINITY;
      deviceClock = new ScaledClock(realClock, c.timeScale, Math.max(realClock.now(), last));
    }
    const deviceId = d.record.deviceId;
    const logger = o.logger.child({ deviceId });
    const info: DeviceInfo = {
      devId: devIdFor(deviceId), manufacturer: c.manufacturer, model: c.model, dmVersion: '1.3', language: c.language, deviceName: d.record.name,
    };
    const processor = new CspProcessor({ clock, handlers: [new LapsCspHandler(), new DevInfoHandler(), new DevDetailHandler()] });
    const roots = new SqliteCspRoots(d.db);
    const connector = new WsConnector({
      server: c.server, deviceId, token: c.token, maxFrameBytes: c.maxFrameBytes, connectTimeoutMs: c.connectTimeoutMs,
      ...(c.caFile !== undefined ? { ca: readCa(c.caFile) } : {}),
    });
    const service = new AgentService({
      device: d.device, applyMessage: (message, msgId) => applyCspMessage(d.db, deviceId, message, { processor, roots, msgId, info }),
      connector, identity: { info, serverUrl: connector.url, loginStatus: c.loginStatus }, clock, realClock, rng, logger,
      pollIntervalMs: c.pollIntervalMs, sessionTimeoutMs: c.sessionTimeoutMs, backoff: { initialMs: c.reconnectInitialMs, maxMs: c.reconnectMaxMs },
      hourly: c.timeScale === 1 ? 'cron' : 'clock', shutdownGraceMs: c.shutdownGraceMs, ...(o.onCrash ? { onCrash: o.onCrash } : {}),
    });
    return { service, device: d, clock, close: () => d.close() };
  } catch (e) {
    d.close();
    throw e;
  }
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read the CA file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

/** Creates the device on first use; refuses a --directory that contradicts the stored one. */
async function ensureDevice(c: AgentConfig, clock: Clock, rng: Rng, env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<void> {
  const spec = c.directory === undefined ? undefined : parseDirectorySpec(c.directory);
  let empty = !existsSync(c.state);
  if (!empty) {
    const db = openDatabase(c.state);
    try {
      empty = countDevices(db) === 0;
      if (!empty && spec !== undefined) {
        const record = resolveDevice(db, c.device);
        if (record.directory !== spec.kind) {
          throw new UsageError(`device ${record.name} already backs up to '${record.directory}'; --directory ${spec.kind} applies only when the agent creates the device`);
        }
      }
    } finally {
      db.close();
    }
  }
  if (!empty) return;
  const named = c.device === undefined ? {} : isGuid(c.device) ? { deviceId: c.device } : { name: c.device };
  const record = await initSqliteDevice(c.state, {
    ...named, ...(spec ? { directory: spec.kind as DirectoryKind, ...(spec.target !== undefined ? { directoryTarget: spec.target } : {}) } : {}),
  }, clock, rng, env);
  log.info({ deviceId: record.deviceId, name: record.name, directory: record.directory }, 'device created');
}

/** A directory that pauses after each backup it took (a test hook: a rotation to kill in the middle). */
class HeldDirectory implements DirectoryBackend {
  readonly kind: DirectoryBackend['kind'];

  constructor(private readonly inner: DirectoryBackend, private readonly clock: Clock, private readonly holdMs: number, private readonly log: Logger) {
    this.kind = inner.kind;
  }

  view(deviceId: string): Promise<DirectoryView> {
    return this.inner.view(deviceId);
  }

  async backup(request: BackupRequest): Promise<void> {
    await this.inner.backup(request);
    this.log.warn({ holdMs: this.holdMs }, 'test hook: holding the rotation after the directory took the password');
    await new Promise<void>((resolve) => void this.clock.setTimer('test-hold-after-backup', this.holdMs, resolve));
  }

  credentials(deviceId: string): Promise<StoredCredential[]> {
    return this.inner.credentials(deviceId);
  }
}
