/**
 * The fleet's invariants, their check counts and their breaches. A device that breaks an
 * invariant is reported once per episode: the breach opens when a check fails and closes when a
 * later check of the same device passes, so a password tampered with for a month is one breach,
 * not seven hundred. Every breach names the device, the time and what was seen; the event trail
 * of the device is added when the run ends.
 */

/** The invariants, with what each promises. */
export const INVARIANTS = {
  'password-opens': "every device's managed account opens with a password the directory holds (the current one or one in its history)",
  expiry: 'no device stays past its password expiry by more than one cycle while it is online and its directory reachable',
  conflicts: 'devices under conflicting policies keep the values last applied or get none, as the Intune rules say; other devices converge to their policies',
  'no-password-leak': 'no password appears in any log line, device event or report',
} as const;

/** An invariant's id. */
export type InvariantId = keyof typeof INVARIANTS;
/** Every invariant id, in report order. */
export const INVARIANT_IDS = Object.keys(INVARIANTS) as InvariantId[];

/** One event of a breach's trail. */
export interface TrailEvent {
  readonly time: string;
  readonly id: number;
  readonly level: string;
  /** The first line of the event's message. */
  readonly message: string;
}

/** One breach. */
export interface Breach {
  readonly invariant: InvariantId;
  /** Fleet time of the failed check, ISO 8601. */
  readonly time: string;
  readonly deviceId: string | undefined;
  readonly deviceName: string | undefined;
  readonly detail: string;
  trail?: TrailEvent[];
}

/** Breaches kept in full (the count goes on). */
export const MAX_BREACHES_KEPT = 100;

/** The device a check concerns. */
export interface CheckedDevice {
  readonly index: number;
  readonly deviceId: string;
  readonly name: string;
}

/** Check counts and breaches of one shard. */
export class InvariantBook {
  readonly checks: Record<InvariantId, number> = { 'password-opens': 0, expiry: 0, conflicts: 0, 'no-password-leak': 0 };
  readonly breachCount: Record<InvariantId, number> = { 'password-opens': 0, expiry: 0, conflicts: 0, 'no-password-leak': 0 };
  readonly breaches: Breach[] = [];
  readonly #open: Uint8Array;

  constructor(devices: number) {
    this.#open = new Uint8Array(devices);
  }

  #bit(id: InvariantId): number {
    return 1 << INVARIANT_IDS.indexOf(id);
  }

  /** Counts a check of `id` on a device; a failed one opens a breach unless one is open. */
  check(id: InvariantId, ok: boolean, device: CheckedDevice | undefined, time: number, detail: () => string): boolean {
    this.checks[id]++;
    if (device === undefined) {
      if (!ok) this.#record(id, undefined, time, detail());
      return ok;
    }
    const bit = this.#bit(id);
    const open = (this.#open[device.index]! & bit) !== 0;
    if (ok) {
      if (open) this.#open[device.index]! &= ~bit;
      return true;
    }
    if (!open) {
      this.#open[device.index]! |= bit;
      this.#record(id, device, time, detail());
    }
    return false;
  }

  /** Counts `n` checks of `id` that passed without a device (texts searched for passwords). */
  count(id: InvariantId, n: number): void {
    this.checks[id] += n;
  }

  /** True while a breach of `id` is open on the device. */
  isOpen(id: InvariantId, index: number): boolean {
    return (this.#open[index]! & this.#bit(id)) !== 0;
  }

  #record(id: InvariantId, device: CheckedDevice | undefined, time: number, detail: string): void {
    this.breachCount[id]++;
    if (this.breaches.length < MAX_BREACHES_KEPT) {
      this.breaches.push({ invariant: id, time: new Date(time).toISOString(), deviceId: device?.deviceId, deviceName: device?.name, detail });
    }
  }

  get total(): number {
    return Object.values(this.breachCount).reduce((a, b) => a + b, 0);
  }
}
