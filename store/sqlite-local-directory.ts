/**
 * The `local` directory: an Entra-like escrow kept in the device's own SQLite file, for
 * standalone use. Keeps the last three passwords per device (Entra's FIFO), sealed at rest.
 */
import { EscrowError } from '../core/errors.js';
import type { BackupRequest, DirectoryBackend, DirectoryView, StoredCredential } from '../agent/ports.js';
import type { Db } from './database.js';
import { atomic } from './atomic.js';
import type { SecretBox } from './secret-box.js';

/** Entra keeps the last three passwords of a device. */
export const LOCAL_DIRECTORY_HISTORY = 3;

interface Row { seq: number; account_name: string; account_sid: string; sealed_password: Buffer; backup_time: number; expiry: number }

export class SqliteLocalDirectory implements DirectoryBackend {
  readonly kind = 'local' as const;
  readonly #insert;
  readonly #list;
  readonly #trim;

  constructor(private readonly db: Db, private readonly box: SecretBox) {
    this.#insert = db.prepare(`INSERT INTO local_directory (device_id, seq, account_name, account_sid, sealed_password, backup_time, expiry)
      SELECT @device, coalesce(max(seq), 0) + 1, @name, @sid, @sealed, @time, @expiry FROM local_directory WHERE device_id = @device RETURNING seq`);
    this.#list = db.prepare('SELECT * FROM local_directory WHERE device_id = ? ORDER BY seq DESC');
    this.#trim = db.prepare('DELETE FROM local_directory WHERE device_id = ? AND seq <= ?');
  }

  async view(deviceId: string): Promise<DirectoryView> {
    const newest = this.#list.get(deviceId) as Row | undefined;
    return newest ? { expiry: newest.expiry } : {};
  }

  async backup(req: BackupRequest): Promise<void> {
    try {
      atomic(this.db, () => {
        const { seq } = this.#insert.get({
          device: req.deviceId, name: req.accountName, sid: req.accountSid, sealed: this.box.seal(req.password, this.#context(req.deviceId)), time: req.backupTime, expiry: req.expiry,
        }) as { seq: number };
        if (seq > LOCAL_DIRECTORY_HISTORY) this.#trim.run(req.deviceId, seq - LOCAL_DIRECTORY_HISTORY);
      });
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
