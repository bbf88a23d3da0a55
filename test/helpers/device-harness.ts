/**
 * A device on memory ports, a ManualClock and a seeded Rng, for fast, exact tests. `restart()`
 * builds a new Device over the same ports, as a process restart after a crash would.
 */
import { ManualClock } from '../../core/clock.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { Device } from '../../agent/device.js';
import type { DeviceIdentity, DeviceOptions } from '../../agent/device-context.js';
import { MemoryAccountDatabase } from '../../agent/accounts/memory-account-database.js';
import { seedBuiltinAccounts } from '../../agent/accounts/builtin.js';
import { MemoryDirectory } from '../../agent/escrow/memory-directory.js';
import { MemoryActivityLog, MemoryEventLog, MemoryJournal, MemoryPolicyRoots, MemoryStateStore } from '../../agent/memory-ports.js';
import { MemoryResetRequests } from '../../agent/reset-requests.js';
import { FaultInjector } from '../../agent/rotation/faults.js';
import type { DirectoryBackend } from '../../agent/ports.js';
import { windowsAccountRules } from '../../agent/accounts/account-rules.js';
import { MemoryLogger } from '../../core/logger.js';

export const MARCH_1 = Date.UTC(2026, 2, 1, 9, 0, 0);
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export interface Harness {
  clock: ManualClock;
  rng: SeededRng;
  csp: Record<string, string>;
  accounts: MemoryAccountDatabase;
  directory: MemoryDirectory;
  events: MemoryEventLog;
  activity: MemoryActivityLog;
  state: MemoryStateStore;
  journal: MemoryJournal;
  roots: MemoryPolicyRoots;
  resets: MemoryResetRequests;
  faults: FaultInjector;
  logger: MemoryLogger;
  device: Device;
  /** A new Device over the same ports (a process restart). */
  restart(): Device;
  /** IDs of the events logged since the last call. */
  newEventIds(): number[];
}

export function deviceHarness(opts: { identity?: Partial<DeviceIdentity>; csp?: Record<string, string>; options?: DeviceOptions; directory?: DirectoryBackend; builtinAdminName?: string } = {}): Harness {
  const clock = new ManualClock(MARCH_1);
  const rng = new SeededRng(42);
  const csp: Record<string, string> = { ...(opts.csp ?? {}) };
  const accounts = new MemoryAccountDatabase(windowsAccountRules);
  seedBuiltinAccounts(accounts, opts.builtinAdminName !== undefined ? { administratorName: opts.builtinAdminName } : {});
  const directory = new MemoryDirectory();
  const events = new MemoryEventLog();
  const activity = new MemoryActivityLog();
  const state = new MemoryStateStore();
  const journal = new MemoryJournal();
  const roots = new MemoryPolicyRoots(() => csp);
  const resets = new MemoryResetRequests();
  const faults = new FaultInjector();
  const logger = new MemoryLogger();
  const identity: DeviceIdentity = {
    deviceId: '6f1c8e2a-0b7d-4c1e-9a57-3d2f4b6a8c90', name: 'DESKTOP-TEST001', osBuild: '10.0.26100.4349', joinType: 'entra',
    isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1004336348-1177238915-682003330', ...opts.identity,
  };
  const make = (): Device => new Device({
    identity, clock, rng, accounts, directory: opts.directory ?? directory, events, activity, state, journal, roots, resets, faults, logger,
    ...(opts.options ? { options: opts.options } : {}),
  });
  let seen = 0;
  const h: Harness = {
    clock, rng, csp, accounts, directory, events, activity, state, journal, roots, resets, faults, logger, device: make(),
    restart: () => (h.device = make()),
    newEventIds: () => {
      const ids = events.events.slice(seen).map((e) => e.id);
      seen = events.events.length;
      return ids;
    },
  };
  return h;
}

/** The Entra policy of Microsoft's example (a), without the named account. */
export const ENTRA_POLICY = { BackupDirectory: '1', PasswordAgeDays: '10', PasswordComplexity: '4', PasswordLength: '14' };
