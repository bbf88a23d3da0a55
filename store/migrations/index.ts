/**
 * Numbered schema migrations. Each runs once, in order, inside a transaction, and is recorded in
 * the `schema_migrations` table and in PRAGMA user_version. Never edit a released migration: add
 * the next number. Every row is keyed by device id, so that one file holds one device or a fleet.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices and the LAPS CSP root',
    sql: `
      CREATE TABLE devices (
        device_id   TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        os_build    TEXT NOT NULL,
        csp_strict  INTEGER NOT NULL DEFAULT 0,
        created_at  INTEGER NOT NULL
      ) STRICT;

      -- The CSP root: ./Device/Vendor/MSFT/LAPS/Policies/* values as the CSP stored them
      -- (HKLM\\Software\\Microsoft\\Policies\\LAPS), text in the node's canonical form.
      CREATE TABLE csp_values (
        device_id  TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        value      TEXT NOT NULL,
        PRIMARY KEY (device_id, name)
      ) STRICT, WITHOUT ROWID;

      -- Actions/ResetPassword requests and Actions/ResetPasswordStatus.
      CREATE TABLE csp_actions (
        device_id       TEXT PRIMARY KEY REFERENCES devices(device_id) ON DELETE CASCADE,
        reset_status    INTEGER NOT NULL DEFAULT 0,
        reset_pending   INTEGER NOT NULL DEFAULT 0,
        reset_requested_at INTEGER
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'device identity, policy roots, accounts, LAPS state, journal, events, local directory',
    sql: `
      ALTER TABLE devices ADD COLUMN join_type TEXT NOT NULL DEFAULT 'entra';
      ALTER TABLE devices ADD COLUMN is_dc INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN legacy_cse INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN domain_sid TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN directory TEXT NOT NULL DEFAULT 'none';
      ALTER TABLE devices ADD COLUMN next_rid INTEGER NOT NULL DEFAULT 1000;

      -- Group Policy, local configuration and legacy AdmPwd roots, value names as Windows has them.
      CREATE TABLE policy_values (
        device_id  TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        root       TEXT NOT NULL CHECK (root IN ('gpo', 'local', 'legacy')),
        name       TEXT NOT NULL,
        value      TEXT NOT NULL,
        PRIMARY KEY (device_id, root, name)
      ) STRICT, WITHOUT ROWID;

      -- The simulated local account database (SAM). The NT hash, never the password.
      CREATE TABLE accounts (
        device_id    TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        rid          INTEGER NOT NULL,
        name         TEXT NOT NULL,
        enabled      INTEGER NOT NULL,
        admin        INTEGER NOT NULL,
        description  TEXT NOT NULL DEFAULT '',
        nt_hash      BLOB,
        password_set_at INTEGER,
        laps_managed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (device_id, rid)
      ) STRICT, WITHOUT ROWID;
      CREATE UNIQUE INDEX accounts_by_name ON accounts (device_id, name COLLATE NOCASE);

      -- LAPS local state (HKLM\\...\\LAPS\\State equivalents) as one JSON document per device.
      CREATE TABLE laps_state (
        device_id  TEXT PRIMARY KEY REFERENCES devices(device_id) ON DELETE CASCADE,
        state      TEXT NOT NULL
      ) STRICT;

      -- The rotation journal: at most one rotation in flight per device.
      CREATE TABLE rotation_journal (
        device_id   TEXT PRIMARY KEY REFERENCES devices(device_id) ON DELETE CASCADE,
        rotation_id TEXT NOT NULL,
        phase       TEXT NOT NULL,
        intent      TEXT NOT NULL,
        sealed_password BLOB NOT NULL,
        started_at  INTEGER NOT NULL
      ) STRICT;

      -- Microsoft-Windows-LAPS/Operational, simulated. Never holds a password. Append-only in
      -- rowid order with no secondary index: a fleet writes millions of rows.
      CREATE TABLE events (
        seq        INTEGER PRIMARY KEY,
        device_id  TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        time       INTEGER NOT NULL,
        event_id   INTEGER NOT NULL,
        level      TEXT NOT NULL,
        message    TEXT NOT NULL,
        fields     TEXT NOT NULL
      ) STRICT;

      -- Things the device did that Windows would do to sessions (post-authentication actions).
      CREATE TABLE device_activity (
        seq        INTEGER PRIMARY KEY,
        device_id  TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        time       INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        detail     TEXT NOT NULL
      ) STRICT;

      -- The local directory: an Entra-like escrow kept in the same file, three passwords per device.
      CREATE TABLE local_directory (
        device_id     TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        seq           INTEGER NOT NULL,
        account_name  TEXT NOT NULL,
        account_sid   TEXT NOT NULL,
        sealed_password BLOB NOT NULL,
        backup_time   INTEGER NOT NULL,
        expiry        INTEGER NOT NULL,
        PRIMARY KEY (device_id, seq)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'directory connection of each device',
    sql: `
      -- How a device reaches its directory (Entra emulator URL and tenant, AD connection file or
      -- ldaps URL and computer account), with the device's credential sealed at rest.
      CREATE TABLE directory_config (
        device_id     TEXT PRIMARY KEY REFERENCES devices(device_id) ON DELETE CASCADE,
        kind          TEXT NOT NULL,
        settings      TEXT NOT NULL,
        sealed_secret BLOB
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'management server registration of each device',
    sql: `
      -- The management server a device was registered with (lapsim device init --server): the
      -- channel base URL, the server's id for the device and the channel token, sealed at rest.
      CREATE TABLE management_config (
        device_id          TEXT PRIMARY KEY REFERENCES devices(device_id) ON DELETE CASCADE,
        server             TEXT NOT NULL,
        managed_device_id  TEXT NOT NULL,
        sealed_token       BLOB NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'event log in blocks, one per cycle',
    sql: `
      -- The events of one processing cycle in one row: a JSON array of entries
      -- [ms after first_time, event id, fields] for events made from the catalogue (level and
      -- message follow from those and are rendered on reading), or
      -- [ms after first_time, event id, fields, level, message] for events kept as given.
      -- A cycle's eight events cost one insert instead of eight, and no message text.
      CREATE TABLE event_blocks (
        seq        INTEGER PRIMARY KEY,
        device_id  TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        first_time INTEGER NOT NULL,
        last_time  INTEGER NOT NULL,
        events     TEXT NOT NULL
      ) STRICT;
      INSERT INTO event_blocks (device_id, first_time, last_time, events)
        SELECT device_id, time, time, json_array(json_array(0, event_id, json(fields), level, message)) FROM events ORDER BY seq;
      DROP TABLE events;
    `,
  },
  {
    version: 6,
    name: 'local directory as a ring of three slots per device',
    sql: `
      -- The local directory keeps a device's last three passwords in slots seq % 3: a backup
      -- overwrites the oldest slot in one statement instead of an insert and a trim.
      CREATE TABLE local_directory_ring (
        device_id     TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        slot          INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 2),
        seq           INTEGER NOT NULL,
        account_name  TEXT NOT NULL,
        account_sid   TEXT NOT NULL,
        sealed_password BLOB NOT NULL,
        backup_time   INTEGER NOT NULL,
        expiry        INTEGER NOT NULL,
        PRIMARY KEY (device_id, slot)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO local_directory_ring (device_id, slot, seq, account_name, account_sid, sealed_password, backup_time, expiry)
        SELECT device_id, seq % 3, seq, account_name, account_sid, sealed_password, backup_time, expiry FROM local_directory AS l
        WHERE seq > (SELECT max(seq) FROM local_directory AS m WHERE m.device_id = l.device_id) - 3;
      DROP TABLE local_directory;
      ALTER TABLE local_directory_ring RENAME TO local_directory;
    `,
  },
];
