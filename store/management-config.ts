/** The management server registration of a device: channel URL, server-side id, sealed token. */
import { Secret } from '../core/secret.js';
import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';

export interface ManagementRegistration {
  /** ws:// or wss:// base URL of the server's device channel. */
  readonly server: string;
  readonly managedDeviceId: string;
  readonly token: Secret;
}

export function saveRegistration(db: Db, box: SecretBox, deviceId: string, r: ManagementRegistration): void {
  db.prepare(`INSERT INTO management_config (device_id, server, managed_device_id, sealed_token) VALUES (?, ?, ?, ?)
              ON CONFLICT(device_id) DO UPDATE SET server = excluded.server, managed_device_id = excluded.managed_device_id, sealed_token = excluded.sealed_token`)
    .run(deviceId, r.server, r.managedDeviceId, box.seal(r.token, `management:${deviceId}`));
}

export function loadRegistration(db: Db, box: SecretBox, deviceId: string): ManagementRegistration | undefined {
  const row = db.prepare('SELECT server, managed_device_id, sealed_token FROM management_config WHERE device_id = ?').get(deviceId) as
    { server: string; managed_device_id: string; sealed_token: Buffer } | undefined;
  return row ? { server: row.server, managedDeviceId: row.managed_device_id, token: box.open(row.sealed_token, `management:${deviceId}`) } : undefined;
}
