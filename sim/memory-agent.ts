/**
 * A managed device held in memory: a Device on memory ports whose CSP root (values and the
 * ResetPassword state) is a MemoryCspRoot, the CSP processor with the LAPS, DevInfo and DevDetail
 * handlers, and the agent service around it. The fleet simulator, the agent benchmarks and the
 * session tests use it; one process holds thousands.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Rng } from '../core/rng.js';
import { E_PENDING, type CspRoot } from '../csp/csp-root.js';
import { MemoryCspRoot } from '../csp/memory-csp-root.js';
import { CspProcessor, type ProcessResult } from '../csp/processor.js';
import { DevDetailHandler, DevInfoHandler, type DeviceInfo } from '../csp/devinfo/device-info-handlers.js';
import { LapsCspHandler } from '../csp/laps/laps-handler.js';
import type { SyncMessage } from '../csp/syncml/types.js';
import { seedBuiltinAccounts } from '../agent/accounts/builtin.js';
import { windowsAccountRules } from '../agent/accounts/account-rules.js';
import { MemoryAccountDatabase } from '../agent/accounts/memory-account-database.js';
import type { DeviceIdentity } from '../agent/device-context.js';
import { Device } from '../agent/device.js';
import { MemoryDirectory } from '../agent/escrow/memory-directory.js';
import { MemoryActivityLog, MemoryEventLog, MemoryJournal, MemoryPolicyRoots, MemoryStateStore } from '../agent/memory-ports.js';
import type { DirectoryBackend } from '../agent/ports.js';
import { signedHresult, type ResetRequests } from '../agent/reset-requests.js';
import type { FaultInjector } from '../agent/rotation/faults.js';
import { AgentService, type AgentServiceOptions } from '../agent/service/agent-service.js';
import type { Connector } from '../agent/transport/channel.js';
import { devIdFor, type LoginStatus } from '../agent/transport/dm-messages.js';

/** ResetPassword requests kept in a CSP root, where the processor writes them. */
export function cspResetRequests(root: CspRoot): ResetRequests {
  return {
    pending: () => root.load().reset.pending,
    request: (at) => root.commit({ reset: { status: E_PENDING, pending: true, requestedAt: at } }),
    complete: (hresult) => root.commit({ reset: { ...root.load().reset, status: signedHresult(hresult), pending: false } }),
    status: () => root.load().reset.status,
  };
}

/** The processor of a managed device: LAPS, DevInfo and DevDetail. One serves a whole fleet. */
export function managedDeviceProcessor(clock: Clock): CspProcessor {
  return new CspProcessor({ clock, handlers: [new LapsCspHandler(), new DevInfoHandler(), new DevDetailHandler()] });
}

export interface MemoryDeviceOptions {
  readonly identity: DeviceIdentity;
  readonly clock: Clock;
  readonly rng: Rng;
  /** Default: a MemoryDirectory of its own. */
  readonly directory?: DirectoryBackend;
  /** Default: a processor of its own (pass one to share it across a fleet). */
  readonly processor?: CspProcessor;
  readonly logger?: Logger;
  readonly faults?: FaultInjector;
  /** DevInfo Man and Mod (default `Microsoft Corporation`, `Virtual Machine`). */
  readonly manufacturer?: string;
  readonly model?: string;
}

export interface MemoryManagedDevice {
  readonly device: Device;
  readonly root: MemoryCspRoot;
  readonly accounts: MemoryAccountDatabase;
  readonly directory: DirectoryBackend;
  readonly events: MemoryEventLog;
  readonly info: DeviceInfo;
  /** Applies one server message to the CSP root (the session endpoint). */
  applyMessage(message: SyncMessage, msgId: string): ProcessResult;
}

/** A device on memory ports, its built-in accounts seeded (Administrator enabled). */
export function memoryManagedDevice(o: MemoryDeviceOptions): MemoryManagedDevice {
  const root = new MemoryCspRoot();
  const accounts = new MemoryAccountDatabase(windowsAccountRules);
  seedBuiltinAccounts(accounts, { administratorEnabled: true });
  const directory = o.directory ?? new MemoryDirectory();
  const events = new MemoryEventLog();
  const device = new Device({
    identity: o.identity, clock: o.clock, rng: o.rng, accounts, directory, events, activity: new MemoryActivityLog(),
    state: new MemoryStateStore(), journal: new MemoryJournal(), resets: cspResetRequests(root),
    roots: new MemoryPolicyRoots(() => Object.fromEntries(root.load().values)),
    ...(o.logger ? { logger: o.logger } : {}), ...(o.faults ? { faults: o.faults } : {}),
  });
  const info: DeviceInfo = {
    devId: devIdFor(o.identity.deviceId), manufacturer: o.manufacturer ?? 'Microsoft Corporation', model: o.model ?? 'Virtual Machine',
    dmVersion: '1.3', language: 'en-US', deviceName: o.identity.name,
  };
  const processor = o.processor ?? managedDeviceProcessor(o.clock);
  const cspDevice = { root, osBuild: o.identity.osBuild, strict: false, info };
  return {
    device, root, accounts, directory, events, info,
    applyMessage: (message, msgId) => processor.process(message, cspDevice, { msgId }),
  };
}

export interface MemoryAgentOptions extends Omit<AgentServiceOptions, 'device' | 'applyMessage' | 'identity' | 'connector'> {
  readonly managed: MemoryManagedDevice;
  readonly connector: Connector;
  readonly loginStatus?: LoginStatus;
}

/** The agent service of a memory device. */
export function memoryAgent(o: MemoryAgentOptions): AgentService {
  const { managed, loginStatus, ...rest } = o;
  return new AgentService({
    ...rest, device: managed.device, applyMessage: managed.applyMessage,
    identity: { info: managed.info, serverUrl: o.connector.url, ...(loginStatus !== undefined ? { loginStatus } : {}) },
  });
}
