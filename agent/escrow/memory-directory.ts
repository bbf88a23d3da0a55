/**
 * An in-memory Entra-like directory (last three passwords per device), used by the fleet
 * simulator and tests. It can be told to fail, to model outages and throttling.
 */
import { EscrowError } from '../../core/errors.js';
import type { BackupRequest, DirectoryBackend, DirectoryView, StoredCredential } from '../ports.js';

export interface MemoryDirectoryOptions {
  /** Passwords kept per device (Entra: 3). */
  readonly history?: number;
}

export class MemoryDirectory implements DirectoryBackend {
  readonly kind = 'local' as const;
  readonly #byDevice = new Map<string, StoredCredential[]>();
  readonly #history: number;
  /** When set, every backup fails with this error (outage / throttling simulation). */
  failure: EscrowError | undefined;

  constructor(opts: MemoryDirectoryOptions = {}) {
    this.#history = opts.history ?? 3;
  }

  async view(deviceId: string): Promise<DirectoryView> {
    const newest = this.#byDevice.get(deviceId)?.[0];
    return newest?.expiry === undefined ? {} : { expiry: newest.expiry };
  }

  async backup(req: BackupRequest): Promise<void> {
    if (this.failure) throw this.failure;
    const list = this.#byDevice.get(req.deviceId) ?? [];
    list.unshift({ accountName: req.accountName, accountSid: req.accountSid, password: req.password, backupTime: req.backupTime, expiry: req.expiry });
    list.length = Math.min(list.length, this.#history);
    this.#byDevice.set(req.deviceId, list);
  }

  async credentials(deviceId: string): Promise<StoredCredential[]> {
    return [...(this.#byDevice.get(deviceId) ?? [])];
  }

  /** Sets the expiry of the newest credential (AD's Set-LapsADPasswordExpirationTime). */
  setExpiry(deviceId: string, expiry: number): void {
    const list = this.#byDevice.get(deviceId);
    if (list?.[0]) list[0] = { ...list[0], expiry };
  }

  unavailable(message = 'directory unavailable'): EscrowError {
    return new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', message, { retryable: true });
  }
}
