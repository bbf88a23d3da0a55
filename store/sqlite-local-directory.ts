/**
 * The `local` directory: an Entra-like escrow kept in the device's own SQLite file, for
 * standalone use. Keeps the last three passwords per device (Entra's FIFO), sealed at rest, in
 * slots seq % 3 (migration 6): a backup overwrites the oldest slot in one statement.
 */
import { EscrowError } from '../core/errors.js';
import type { BackupRequest, DirectoryBackend, DirectoryView, StoredCredential } from '../agent/ports.js';
import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';

/** Entra keeps the last three passwords of a device. */
export const LOCAL_DIRECTORY_HISTORY = 3;

interface Row { seq: number; account_name: string; account_sid: string; sealed_password: Buffer; backup_time: number; expiry: number }

export class SqliteLocalDirectory implements DirectoryBackend {
  readonly kind = 'local' as const;
  readonly #put;
  readonly #list;

  constructor(db: Db, private readonly box: SecretBox) {
    // One statement: the next sequence number is read and its slot written atomically.
    this.#put = db.prepare(`INSERT INTO local_directory (device_id, slot, seq, account_name, account_sid, sealed_password, backup_time, expiry)
      SELECT ?, (coalesce(max(seq), 0) + 1) % ${LOCAL_DIRECTORY_HISTORY}, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?
      FROM local_directory WHERE device_id = ? ON CONFLICT (device_id, slot) DO UPDATE SET seq = excluded.seq, account_name = excluded.account_name,
      account_sid = excluded.account_sid, sealed_password = excluded.sealed_password, backup_time = excluded.backup_time, expiry = excluded.expiry`);
    this.#list = db.prepare('SELECT seq, account_name, account_sid, sealed_password, backup_time, expiry FROM local_directory WHERE device_id = ? ORDER BY seq DESC');
  }

  async view(deviceId: string): Promise<DirectoryView> {
    const newest = this.#list.get(deviceId) as Row | undefined;
    return newest ? { expiry: newest.expiry } : {};
  }

  async backup(req: BackupRequest): Promise<void> {
    try {
      const sealed = this.box.seal(req.password, this.#context(req.deviceId));
      this.#put.run(req.deviceId, req.accountName, req.accountSid, sealed, req.backupTime, req.expiry, req.deviceId);
    } catch (e) {
      throw new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', `local directory write failed: ${(e as Error).message}`, { retryable: true, cause: e });
    }
  }

  async credentials(deviceId: string): Promise<StoredCredential[]> {
    return (this.#list.all(deviceId) as Row[]).map((r) => ({
      accountName: r.account_name,
      accountSid: r.account_sid,
      password: this.box.open(r.sealed_password, this.#context(deviceId)),
      backupTime: r.backup_time,
      expiry: r.expiry,
    }));
  }

  #context(deviceId: string): string {
    return `device:${deviceId}`;
  }
}
