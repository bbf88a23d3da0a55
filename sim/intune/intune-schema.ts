/**
 * The Intune emulator's own schema, in its own SQLite file (DIR/intune.db) with its own numbered
 * migrations (store/database.ts openDatabase({ migrations })). Never edit a released migration:
 * add the next number.
 */
import type { Migration } from '../../store/migrations/index.js';

/** File name of the emulator's database inside the server's --data folder. */
export const INTUNE_DB_FILE = 'intune.db';

/** The emulator's migrations, for openDatabase({ migrations }). */
export const INTUNE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'intune emulator: policies, assignments, directory, devices, tokens, delivery state, actions, audit',
    sql: `
      -- configurationPolicies of the Windows LAPS template; settings as the normalised tree (JSON).
      CREATE TABLE intune_policies (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        description   TEXT NOT NULL,
        scope_tags    TEXT NOT NULL,
        settings      TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        modified_at   INTEGER NOT NULL
      ) STRICT;

      -- One row per target; group_id is the virtual id for all devices / all users.
      CREATE TABLE intune_assignments (
        policy_id  TEXT NOT NULL REFERENCES intune_policies(id) ON DELETE CASCADE,
        group_id   TEXT NOT NULL,
        target     TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        PRIMARY KEY (policy_id, group_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE intune_users (
        id            TEXT PRIMARY KEY,
        display_name  TEXT NOT NULL,
        upn           TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at    INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE intune_groups (
        id             TEXT PRIMARY KEY,
        display_name   TEXT NOT NULL,
        description    TEXT,
        mail_nickname  TEXT NOT NULL,
        created_at     INTEGER NOT NULL
      ) STRICT;

      -- member_id: a device's Entra object id or a user's id.
      CREATE TABLE intune_group_members (
        group_id     TEXT NOT NULL REFERENCES intune_groups(id) ON DELETE CASCADE,
        member_id    TEXT NOT NULL,
        member_kind  TEXT NOT NULL CHECK (member_kind IN ('device', 'user')),
        added_at     INTEGER NOT NULL,
        PRIMARY KEY (group_id, member_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX intune_members_by_member ON intune_group_members (member_id);

      CREATE TABLE intune_devices (
        managed_device_id  TEXT PRIMARY KEY,
        device_id          TEXT NOT NULL UNIQUE,
        object_id          TEXT NOT NULL UNIQUE,
        device_name        TEXT NOT NULL,
        join_type          TEXT NOT NULL CHECK (join_type IN ('entra', 'hybrid')),
        os_version         TEXT NOT NULL,
        enrolled_at        INTEGER NOT NULL,
        primary_user_id    TEXT,
        signed_in_user_id  TEXT,
        last_sign_in_at    INTEGER,
        last_sync_at       INTEGER,
        channel_token_hash TEXT NOT NULL,
        next_cmd_id        INTEGER NOT NULL DEFAULT 1
      ) STRICT;

      -- Admin tokens (SHA-256 of the token), their roles and extra permissions.
      CREATE TABLE intune_tokens (
        token_hash   TEXT PRIMARY KEY,
        kind         TEXT NOT NULL CHECK (kind IN ('master', 'admin')),
        roles        TEXT NOT NULL,
        permissions  TEXT NOT NULL,
        principal    TEXT NOT NULL,
        created_at   INTEGER NOT NULL
      ) STRICT;

      -- LAPS CSP values each device confirmed (value as JSON: number, boolean or string).
      CREATE TABLE intune_applied (
        managed_device_id  TEXT NOT NULL REFERENCES intune_devices(managed_device_id) ON DELETE CASCADE,
        node               TEXT NOT NULL,
        value              TEXT NOT NULL,
        at                 INTEGER NOT NULL,
        PRIMARY KEY (managed_device_id, node)
      ) STRICT, WITHOUT ROWID;

      -- The last result the device reported per node.
      CREATE TABLE intune_results (
        managed_device_id  TEXT NOT NULL REFERENCES intune_devices(managed_device_id) ON DELETE CASCADE,
        node               TEXT NOT NULL,
        status             TEXT NOT NULL CHECK (status IN ('succeeded', 'error')),
        code               INTEGER NOT NULL,
        value              TEXT,
        at                 INTEGER NOT NULL,
        PRIMARY KEY (managed_device_id, node)
      ) STRICT, WITHOUT ROWID;

      -- Batches of commands sent to a device and not answered yet (re-sent after a restart).
      CREATE TABLE intune_deliveries (
        batch_id           TEXT PRIMARY KEY,
        managed_device_id  TEXT NOT NULL REFERENCES intune_devices(managed_device_id) ON DELETE CASCADE,
        kind               TEXT NOT NULL CHECK (kind IN ('policy', 'reset', 'reset-status')),
        body               TEXT NOT NULL,
        sent               TEXT NOT NULL,
        action_id          TEXT,
        next_session       INTEGER NOT NULL,
        created_at         INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX intune_deliveries_by_device ON intune_deliveries (managed_device_id);

      -- deviceActionResults.
      CREATE TABLE intune_actions (
        action_id          TEXT PRIMARY KEY,
        managed_device_id  TEXT NOT NULL REFERENCES intune_devices(managed_device_id) ON DELETE CASCADE,
        action_name        TEXT NOT NULL,
        state              TEXT NOT NULL,
        started_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL,
        detail             TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX intune_actions_by_device ON intune_actions (managed_device_id, started_at);

      -- Intune auditEvents, as Graph returns them (JSON), in order.
      CREATE TABLE intune_audit (
        seq    INTEGER PRIMARY KEY,
        id     TEXT NOT NULL UNIQUE,
        at     INTEGER NOT NULL,
        event  TEXT NOT NULL
      ) STRICT;
    `,
  },
];
