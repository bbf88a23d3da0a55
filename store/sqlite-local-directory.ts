/**
 * The `local` directory: an Entra-like escrow kept in the device's own SQLite file, for
 * standalone use. Keeps the last three passwords per device (Entra's FIFO), sealed at rest, in
 * slots seq % 3 (migration 6): a backup overwrites the oldest slot in one statement.
 */
import { EscrowError } from '../core/errors.js';
import type { BackupRequest, DirectoryBackend, DirectoryView, StoredCredential } from '../agent/ports.js';
import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';
import { writeLocked } from './atomic.js';

/** Entra keeps the last three passwords of a device. */
export const LOCAL_DIRECTORY_HISTORY = 3;

interface Row { seq: number; account_name: string; account_sid: string; sealed_password: Buffer; backup_time: number; expiry: number }

export class SqliteLocalDirectory implements DirectoryBackend {
  readonly kind = 'local' as const;
  /** Recovery reads this file's own rows: no 'escrowed' mark needed (agent/ports.ts). */
  readonly inStore = true;
  readonly #lastSeq;
  readonly #put;
  readonly #list;

  constructor(private readonly db: Db, private readonly box: SecretBox) {
    this.#lastSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM local_directory WHERE device_id = ?').pluck();
    this.#put = db.prepare(`INSERT INTO local_directory (device_id, slot, seq, account_name, account_sid, sealed_password, backup_time, expiry)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, slot) DO UPDATE SET seq = excluded.seq, account_name = excluded.account_name,
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
      // Read the sequence and write its slot under the write lock, so that two writers never
      // take the same slot (one write: no savepoint needed inside a caller's transaction).
      writeLocked(this.db, () => {
        const seq = (this.#lastSeq.get(req.deviceId) as number) + 1;
        this.#put.run(req.deviceId, seq % LOCAL_DIRECTORY_HISTORY, seq, req.accountName, req.accountSid, sealed, req.backupTime, req.expiry);
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
