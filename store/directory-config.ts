/**
 * Each device's directory connection: non-secret settings as JSON, the device's credential (an
 * Entra device token, an AD machine password) sealed at rest.
 */
import { Secret } from '../core/secret.js';
import { StoreError } from '../core/errors.js';
import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';

export interface DirectoryConfig {
  readonly kind: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly secret: Secret | undefined;
}

export function saveDirectoryConfig(db: Db, box: SecretBox, deviceId: string, c: DirectoryConfig): void {
  db.prepare(`INSERT INTO directory_config (device_id, kind, settings, sealed_secret) VALUES (?, ?, ?, ?)
              ON CONFLICT(device_id) DO UPDATE SET kind = excluded.kind, settings = excluded.settings, sealed_secret = excluded.sealed_secret`)
    .run(deviceId, c.kind, JSON.stringify(c.settings), c.secret ? box.seal(c.secret, `directory:${deviceId}`) : null);
}

export function loadDirectoryConfig(db: Db, box: SecretBox, deviceId: string): DirectoryConfig | undefined {
  const row = db.prepare('SELECT kind, settings, sealed_secret FROM directory_config WHERE device_id = ?').get(deviceId) as
    { kind: string; settings: string; sealed_secret: Buffer | null } | undefined;
  if (!row) return undefined;
  let settings: Record<string, unknown>;
  try {
    settings = JSON.parse(row.settings) as Record<string, unknown>;
  } catch (e) {
    throw new StoreError('LAPS_ERR_STORE_CORRUPT', `directory settings of device ${deviceId} are damaged`, { cause: e });
  }
  return { kind: row.kind, settings, secret: row.sealed_secret ? box.open(row.sealed_secret, `directory:${deviceId}`) : undefined };
}
