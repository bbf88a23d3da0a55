/**
 * The `local` directory: an Entra-like escrow kept in the device's own SQLite file, for
 * standalone use. Keeps the last three passwords per device (Entra's FIFO), sealed at rest.
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
  readonly #insert;
  readonly #list;
  readonly #trim;
  readonly #latest;

  constructor(private readonly db: Db, private readonly box: SecretBox) {
    this.#insert = db.prepare('INSERT INTO local_directory (device_id, seq, account_name, account_sid, sealed_password, backup_time, expiry) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#list = db.prepare('SELECT * FROM local_directory WHERE device_id = ? ORDER BY seq DESC');
    this.#trim = db.prepare('DELETE FROM local_directory WHERE device_id = ? AND seq <= ?');
    this.#latest = db.prepare('SELECT max(seq) AS seq FROM local_directory WHERE device_id = ?');
  }

  async view(deviceId: string): Promise<DirectoryView> {
    const newest = this.#list.get(deviceId) as Row | undefined;
    return newest ? { expiry: newest.expiry } : {};
  }

  async backup(req: BackupRequest): Promise<void> {
    try {
      this.db.transaction(() => {
        const last = (this.#latest.get(req.deviceId) as { seq: number | null }).seq ?? 0;
        const seq = last + 1;
        this.#insert.run(req.deviceId, seq, req.accountName, req.accountSid, this.box.seal(req.password, this.#context(req.deviceId)), req.backupTime, req.expiry);
        this.#trim.run(req.deviceId, seq - LOCAL_DIRECTORY_HISTORY);
      })();
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
    return `local-directory:${deviceId}`;
  }
}
