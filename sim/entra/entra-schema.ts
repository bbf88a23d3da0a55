/**
 * The Entra emulator's own schema, in its own SQLite file (DIR/entra.db), with its own numbered
 * migrations: a device database and an emulator database never share a migration list.
 */
import type { Migration } from '../../store/migrations/index.js';

/** File name of the emulator's database inside its --data folder. */
export const ENTRA_DB_FILE = 'entra.db';

export const ENTRA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'entra emulator: tenants, devices, tokens, credentials, audit, settings',
    sql: `
      CREATE TABLE entra_tenants (
        tenant_id     TEXT PRIMARY KEY,
        display_name  TEXT NOT NULL,
        domain        TEXT NOT NULL,
        laps_enabled  INTEGER NOT NULL,
        is_default    INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL
      ) STRICT;

      -- Entra device objects; device_id is the Entra deviceId (what LAPS and Graph use),
      -- object_id the directory object id (what audit targetResources name).
      CREATE TABLE entra_devices (
        device_id      TEXT PRIMARY KEY,
        tenant_id      TEXT NOT NULL REFERENCES entra_tenants(tenant_id),
        object_id      TEXT NOT NULL UNIQUE,
        display_name   TEXT NOT NULL,
        join_type      TEXT NOT NULL CHECK (join_type IN ('entra', 'hybrid')),
        os_version     TEXT NOT NULL,
        enabled        INTEGER NOT NULL DEFAULT 1,
        registered_at  INTEGER NOT NULL,
        last_backup_at INTEGER,
        refresh_at     INTEGER
      ) STRICT;

      -- Bearer tokens, stored as SHA-256 hashes. kind 'device' is bound to one device (it
      -- outlives a deleted device: its posts then get error_missing_device).
      CREATE TABLE entra_tokens (
        token_hash    TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('master', 'admin', 'device')),
        tenant_id     TEXT,
        device_id     TEXT,
        permissions   TEXT NOT NULL,
        principal     TEXT NOT NULL,
        created_at    INTEGER NOT NULL
      ) STRICT;

      -- The last three passwords per device (FIFO), sealed with the emulator's at-rest key.
      CREATE TABLE entra_credentials (
        device_id        TEXT NOT NULL REFERENCES entra_devices(device_id) ON DELETE CASCADE,
        seq              INTEGER NOT NULL,
        account_name     TEXT NOT NULL,
        account_sid      TEXT NOT NULL,
        sealed_password  BLOB NOT NULL,
        backup_time      INTEGER NOT NULL,
        PRIMARY KEY (device_id, seq)
      ) STRICT;

      CREATE TABLE entra_audits (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT NOT NULL UNIQUE,
        tenant_id      TEXT NOT NULL,
        activity_time  INTEGER NOT NULL,
        entry          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX entra_audits_by_tenant ON entra_audits (tenant_id, activity_time);

      CREATE TABLE entra_settings (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'entra emulator: audit log without a random unique index, credentials as a ring of three slots',
    sql: `
      -- Audit entries are appended in time order; their random Graph ids were a UNIQUE index whose
      -- every insert landed on a random page (a fleet's year writes a million entries). Ids are
      -- GUID-based and looked up by scanning the tenant's log; the rowid keeps insertion order.
      CREATE TABLE entra_audits_v2 (
        seq            INTEGER PRIMARY KEY,
        id             TEXT NOT NULL,
        tenant_id      TEXT NOT NULL,
        activity_time  INTEGER NOT NULL,
        entry          TEXT NOT NULL
      ) STRICT;
      INSERT INTO entra_audits_v2 (seq, id, tenant_id, activity_time, entry) SELECT seq, id, tenant_id, activity_time, entry FROM entra_audits ORDER BY seq;
      DROP TABLE entra_audits;
      ALTER TABLE entra_audits_v2 RENAME TO entra_audits;
      CREATE INDEX entra_audits_by_tenant ON entra_audits (tenant_id, activity_time);

      -- The last three passwords per device in slots seq % 3: a backup overwrites the oldest slot.
      CREATE TABLE entra_credentials_ring (
        device_id        TEXT NOT NULL REFERENCES entra_devices(device_id) ON DELETE CASCADE,
        slot             INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 2),
        seq              INTEGER NOT NULL,
        account_name     TEXT NOT NULL,
        account_sid      TEXT NOT NULL,
        sealed_password  BLOB NOT NULL,
        backup_time      INTEGER NOT NULL,
        PRIMARY KEY (device_id, slot)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO entra_credentials_ring (device_id, slot, seq, account_name, account_sid, sealed_password, backup_time)
        SELECT device_id, seq % 3, seq, account_name, account_sid, sealed_password, backup_time FROM entra_credentials AS c
        WHERE seq > (SELECT max(seq) FROM entra_credentials AS m WHERE m.device_id = c.device_id) - 3;
      DROP TABLE entra_credentials;
      ALTER TABLE entra_credentials_ring RENAME TO entra_credentials;
    `,
  },
];
