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
];
