/**
 * The Entra emulator's state in SQLite: tenants (with the "Enable Microsoft Entra LAPS" switch),
 * device objects, bearer tokens (hashed), the last three passwords per device (sealed at rest with
 * AES-256-GCM, as Entra encrypts them), the directory audit log and settings. Synchronous, one
 * short transaction per change, statements prepared once.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Secret } from '../../core/secret.js';
import { openDatabase, type Db } from '../../store/database.js';
import { loadStoreKey, SecretBox } from '../../store/secret-box.js';
import { atomic } from '../../store/atomic.js';
import { dataVersion } from '../../store/data-version.js';
import { ENTRA_DB_FILE, ENTRA_MIGRATIONS } from './entra-schema.js';
import type { DirectoryAudit } from './graph-format.js';

/** Entra keeps the last three passwords of a device (laps-behaviour.md 8.2). */
export const ENTRA_CREDENTIAL_HISTORY = 3;

/** A tenant of the emulator. */
export interface TenantRecord {
  readonly tenantId: string;
  readonly displayName: string;
  /** The tenant's initial domain, e.g. lapsim1a2b3c4d.onmicrosoft.com. */
  readonly domain: string;
  /** "Enable Microsoft Entra Local Administrator Password Solution (LAPS)". */
  readonly lapsEnabled: boolean;
  readonly isDefault: boolean;
  readonly createdAt: number;
}

/** An Entra device object. */
export interface EntraDeviceRecord {
  readonly deviceId: string;
  readonly tenantId: string;
  readonly objectId: string;
  readonly displayName: string;
  readonly joinType: 'entra' | 'hybrid';
  readonly osVersion: string;
  readonly enabled: boolean;
  readonly registeredAt: number;
  readonly lastBackupAt: number | undefined;
  /** When the device said its password expires (Graph refreshDateTime). */
  readonly refreshAt: number | undefined;
}

/** Who a token speaks for: a user (an admin) or an app. */
export interface TokenPrincipal {
  readonly type: 'user' | 'app';
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName?: string;
}

/** What a bearer token grants. */
export interface TokenGrant {
  /** master: the emulator's admin token (every permission, every tenant); admin: a Graph token; device: a device credential. */
  readonly kind: 'master' | 'admin' | 'device';
  /** The tenant the token acts in (the master token: the default tenant for Graph). */
  readonly tenantId: string | undefined;
  readonly deviceId: string | undefined;
  readonly permissions: readonly string[];
  readonly principal: TokenPrincipal;
}

/** One kept password of a device. */
export interface EntraCredential {
  readonly accountName: string;
  readonly accountSid: string;
  readonly password: Secret;
  readonly backupTime: number;
}

interface TenantRow { tenant_id: string; display_name: string; domain: string; laps_enabled: number; is_default: number; created_at: number }
interface DeviceRow {
  device_id: string; tenant_id: string; object_id: string; display_name: string; join_type: string; os_version: string; enabled: number;
  registered_at: number; last_backup_at: number | null; refresh_at: number | null;
}
interface TokenRow { kind: string; tenant_id: string | null; device_id: string | null; permissions: string; principal: string }
interface CredentialRow { seq: number; account_name: string; account_sid: string; sealed_password: Buffer; backup_time: number }

const tenantOf = (r: TenantRow): TenantRecord => ({
  tenantId: r.tenant_id, displayName: r.display_name, domain: r.domain, lapsEnabled: r.laps_enabled === 1, isDefault: r.is_default === 1, createdAt: r.created_at,
});

const deviceOf = (r: DeviceRow): EntraDeviceRecord => ({
  deviceId: r.device_id, tenantId: r.tenant_id, objectId: r.object_id, displayName: r.display_name, joinType: r.join_type as 'entra' | 'hybrid',
  osVersion: r.os_version, enabled: r.enabled === 1, registeredAt: r.registered_at,
  lastBackupAt: r.last_backup_at ?? undefined, refreshAt: r.refresh_at ?? undefined,
});

/** Grants kept in memory at most (about 300 bytes each); the cache starts over beyond. */
const GRANT_CACHE_SIZE = 250_000;

/** SHA-256 of a bearer token: tokens are never stored in clear. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The emulator's SQLite repository. */
export class EntraStore {
  readonly #db: Db;
  readonly #box: SecretBox;
  readonly #q;
  /**
   * Grants by token and tenants by id, as last read: every device post authenticates and reads
   * its tenant. Dropped on this store's own writes to them and when another process committed to
   * the file (PRAGMA data_version), so `lapsim entra` commands beside a server are seen.
   */
  readonly #grants = new Map<string, TokenGrant>();
  readonly #tenants = new Map<string, TenantRecord>();
  #cachedAt = -1;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
    this.#q = {
      tenant: db.prepare('SELECT * FROM entra_tenants WHERE tenant_id = ?'),
      defaultTenant: db.prepare('SELECT * FROM entra_tenants WHERE is_default = 1'),
      tenants: db.prepare('SELECT * FROM entra_tenants ORDER BY created_at, tenant_id'),
      insertTenant: db.prepare(`INSERT INTO entra_tenants (tenant_id, display_name, domain, laps_enabled, is_default, created_at)
        VALUES (@tenantId, @displayName, @domain, @lapsEnabled, @isDefault, @createdAt)`),
      setLaps: db.prepare('UPDATE entra_tenants SET laps_enabled = ? WHERE tenant_id = ?'),
      device: db.prepare('SELECT * FROM entra_devices WHERE device_id = ?'),
      devices: db.prepare('SELECT * FROM entra_devices WHERE tenant_id = ? ORDER BY registered_at, device_id'),
      backedUp: db.prepare('SELECT * FROM entra_devices WHERE tenant_id = ? AND last_backup_at IS NOT NULL ORDER BY display_name COLLATE NOCASE, device_id'),
      insertDevice: db.prepare(`INSERT INTO entra_devices (device_id, tenant_id, object_id, display_name, join_type, os_version, enabled, registered_at)
        VALUES (@deviceId, @tenantId, @objectId, @displayName, @joinType, @osVersion, 1, @registeredAt)`),
      setEnabled: db.prepare('UPDATE entra_devices SET enabled = ? WHERE device_id = ?'),
      deleteDevice: db.prepare('DELETE FROM entra_devices WHERE device_id = ?'),
      backupDone: db.prepare('UPDATE entra_devices SET last_backup_at = ?, refresh_at = ?, display_name = coalesce(?, display_name) WHERE device_id = ?'),
      token: db.prepare('SELECT kind, tenant_id, device_id, permissions, principal FROM entra_tokens WHERE token_hash = ?'),
      insertToken: db.prepare(`INSERT OR REPLACE INTO entra_tokens (token_hash, kind, tenant_id, device_id, permissions, principal, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      dropMaster: db.prepare("DELETE FROM entra_tokens WHERE kind = 'master'"),
      lastSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM entra_credentials WHERE device_id = ?').pluck(),
      putCredential: db.prepare(`INSERT INTO entra_credentials (device_id, slot, seq, account_name, account_sid, sealed_password, backup_time)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, slot) DO UPDATE SET seq = excluded.seq, account_name = excluded.account_name,
        account_sid = excluded.account_sid, sealed_password = excluded.sealed_password, backup_time = excluded.backup_time`),
      credentials: db.prepare('SELECT seq, account_name, account_sid, sealed_password, backup_time FROM entra_credentials WHERE device_id = ? ORDER BY seq DESC'),
      insertAudit: db.prepare('INSERT INTO entra_audits (id, tenant_id, activity_time, entry) VALUES (?, ?, ?, ?)'),
      audits: db.prepare('SELECT entry FROM entra_audits WHERE tenant_id = ? ORDER BY seq DESC'),
      auditTimes: db.prepare(`SELECT activity_time AS at FROM entra_audits WHERE tenant_id = ? AND activity_time >= ?
        AND json_extract(entry, '$.activityDisplayName') = ? ORDER BY activity_time`),
      setting: db.prepare('SELECT value FROM entra_settings WHERE key = ?'),
      putSetting: db.prepare('INSERT INTO entra_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  /**
   * Opens (creating on first use) the emulator database in `dataDir`. The at-rest key is
   * LAPSIM_STORE_KEY when set, else `entra.db.key` beside the database (store/secret-box.ts).
   */
  static open(dataDir: string, env: Readonly<Record<string, string | undefined>> = {}): EntraStore {
    let path = ':memory:';
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true });
      path = join(dataDir, ENTRA_DB_FILE);
    }
    const db = openDatabase(path, { migrations: ENTRA_MIGRATIONS });
    try {
      return new EntraStore(db, new SecretBox(loadStoreKey(path, env)));
    } catch (e) {
      db.close();
      throw e;
    }
  }

  close(): void {
    this.#db.close();
  }

  /** Runs `fn` atomically (a savepoint inside the caller's transaction: a fleet's batch). */
  transaction<T>(fn: () => T): T {
    return atomic(this.#db, fn);
  }

  createTenant(t: TenantRecord): TenantRecord {
    this.#tenants.clear();
    this.#q.insertTenant.run({ ...t, lapsEnabled: t.lapsEnabled ? 1 : 0, isDefault: t.isDefault ? 1 : 0 });
    return t;
  }

  tenant(tenantId: string): TenantRecord | undefined {
    const id = tenantId.toLowerCase();
    this.#fresh();
    const cached = this.#tenants.get(id);
    if (cached) return cached;
    const r = this.#q.tenant.get(id) as TenantRow | undefined;
    if (!r) return undefined;
    const t = tenantOf(r);
    this.#tenants.set(id, t);
    return t;
  }

  /** Drops the caches when another process committed to the file. */
  #fresh(): void {
    const v = dataVersion(this.#db);
    if (v === this.#cachedAt) return;
    this.#cachedAt = v;
    this.#grants.clear();
    this.#tenants.clear();
  }

  defaultTenant(): TenantRecord | undefined {
    const r = this.#q.defaultTenant.get() as TenantRow | undefined;
    return r ? tenantOf(r) : undefined;
  }

  tenants(): TenantRecord[] {
    return (this.#q.tenants.all() as TenantRow[]).map(tenantOf);
  }

  setLapsEnabled(tenantId: string, enabled: boolean): void {
    this.#tenants.clear();
    this.#q.setLaps.run(enabled ? 1 : 0, tenantId);
  }

  registerDevice(d: Omit<EntraDeviceRecord, 'enabled' | 'lastBackupAt' | 'refreshAt'>): EntraDeviceRecord {
    this.#q.insertDevice.run({ ...d });
    return { ...d, enabled: true, lastBackupAt: undefined, refreshAt: undefined };
  }

  device(deviceId: string): EntraDeviceRecord | undefined {
    const r = this.#q.device.get(deviceId.toLowerCase()) as DeviceRow | undefined;
    return r ? deviceOf(r) : undefined;
  }

  devices(tenantId: string): EntraDeviceRecord[] {
    return (this.#q.devices.all(tenantId) as DeviceRow[]).map(deviceOf);
  }

  /** Devices of the tenant that hold at least one password (what Graph lists). */
  devicesWithBackups(tenantId: string): EntraDeviceRecord[] {
    return (this.#q.backedUp.all(tenantId) as DeviceRow[]).map(deviceOf);
  }

  setDeviceEnabled(deviceId: string, enabled: boolean): void {
    this.#q.setEnabled.run(enabled ? 1 : 0, deviceId);
  }

  /** Deletes the device object and, with it, its passwords for good. */
  deleteDevice(deviceId: string): boolean {
    return this.#q.deleteDevice.run(deviceId).changes > 0;
  }

  putToken(token: string, grant: TokenGrant, at: number): void {
    this.#grants.clear();
    this.#q.insertToken.run(tokenHash(token), grant.kind, grant.tenantId ?? null, grant.deviceId ?? null,
      JSON.stringify(grant.permissions), JSON.stringify(grant.principal), at);
  }

  /** Makes `token` the one master token (the --admin-token of this run). */
  replaceMasterToken(token: string, grant: Omit<TokenGrant, 'kind'>, at: number): void {
    this.#grants.clear();
    this.transaction(() => {
      this.#q.dropMaster.run();
      this.putToken(token, { ...grant, kind: 'master' }, at);
    });
  }

  grant(token: string): TokenGrant | undefined {
    this.#fresh();
    const cached = this.#grants.get(token);
    if (cached) return cached;
    const r = this.#q.token.get(tokenHash(token)) as TokenRow | undefined;
    if (!r) return undefined;
    const grant: TokenGrant = Object.freeze({
      kind: r.kind as TokenGrant['kind'], tenantId: r.tenant_id ?? undefined, deviceId: r.device_id ?? undefined,
      permissions: Object.freeze(JSON.parse(r.permissions) as string[]), principal: Object.freeze(JSON.parse(r.principal) as TokenPrincipal),
    });
    if (this.#grants.size >= GRANT_CACHE_SIZE) this.#grants.clear();
    this.#grants.set(token, grant);
    return grant;
  }

  /** Stores a backed-up password, keeps the newest three, and records the device's backup times. */
  addCredential(deviceId: string, c: EntraCredential, refreshAt: number, deviceName: string | undefined): void {
    const sealed = this.#box.seal(c.password, `entra:${deviceId}`);
    this.transaction(() => {
      const seq = (this.#q.lastSeq.get(deviceId) as number) + 1;
      this.#q.putCredential.run(deviceId, seq % ENTRA_CREDENTIAL_HISTORY, seq, c.accountName, c.accountSid, sealed, c.backupTime);
      this.#q.backupDone.run(c.backupTime, refreshAt, deviceName ?? null, deviceId);
    });
  }

  /** The device's passwords, newest first. */
  credentials(deviceId: string): EntraCredential[] {
    return (this.#q.credentials.all(deviceId) as CredentialRow[]).map((r) => ({
      accountName: r.account_name, accountSid: r.account_sid, password: this.#box.open(r.sealed_password, `entra:${deviceId}`), backupTime: r.backup_time,
    }));
  }

  addAudit(tenantId: string, at: number, audit: DirectoryAudit): void {
    this.#q.insertAudit.run(audit.id, tenantId, at, JSON.stringify(audit));
  }

  /** The tenant's directory audit log, newest first. */
  audits(tenantId: string): DirectoryAudit[] {
    return (this.#q.audits.all(tenantId) as { entry: string }[]).map((r) => JSON.parse(r.entry) as DirectoryAudit);
  }

  /** When the tenant's audit entries of one activity happened, from `since` (epoch ms) on, oldest first. */
  auditTimes(tenantId: string, activityDisplayName: string, since: number): number[] {
    return (this.#q.auditTimes.all(tenantId, since, activityDisplayName) as { at: number }[]).map((r) => r.at);
  }

  setting(key: string): string | undefined {
    return (this.#q.setting.get(key) as { value: string } | undefined)?.value;
  }

  putSetting(key: string, value: string): void {
    this.#q.putSetting.run(key, value);
  }
}
