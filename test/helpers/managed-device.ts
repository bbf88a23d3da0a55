/** Memory devices and a memory-connected test server for the session and service unit tests. */
import { ManualClock } from '../../core/clock.js';
import { SeededRng } from '../../core/seeded-rng.js';
import type { DeviceIdentity } from '../../agent/device-context.js';
import { memoryManagedDevice, type MemoryManagedDevice } from '../../sim/memory-agent.js';

export const DEVICE_ID = '6f1c8e2a-0b7d-4c1e-9a57-3d2f4b6a8c90';
export const TOKEN = 'device-token-1';
export const MARCH_1 = Date.UTC(2026, 2, 1, 9, 0, 0);

export function identity(over: Partial<DeviceIdentity> = {}): DeviceIdentity {
  return {
    deviceId: DEVICE_ID, name: 'DESKTOP-TEST001', osBuild: '10.0.26100.4349', joinType: 'entra', isDomainController: false,
    legacyCseInstalled: false, domainSid: 'S-1-5-21-1004336348-1177238915-682003330', ...over,
  };
}

export function managedDevice(clock = new ManualClock(MARCH_1), over: Partial<DeviceIdentity> = {}): { clock: ManualClock; rng: SeededRng; managed: MemoryManagedDevice } {
  const rng = new SeededRng(7);
  return { clock, rng, managed: memoryManagedDevice({ identity: identity(over), clock, rng }) };
}

/** Lets queued microtasks and I/O callbacks run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Lets callbacks run until `pred` holds; fails after `rounds` rounds. */
export async function until(pred: () => boolean, what = 'a condition', rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (pred()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error(`never happened: ${what}`);
}
