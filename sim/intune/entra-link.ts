/**
 * What the Intune side needs from Entra, as a port, and its implementation over lapsim's Entra
 * emulator (sim/entra, mounted on the same server): registering a device object (so that the
 * device can back up its password), reading a device's backups for the "Local admin password"
 * view (Entra only: Intune never shows an Active Directory password), recording a password read
 * in Entra's directory audit. `entraGrantOf` maps an Intune admin token to the Graph grant the
 * mounted Entra emulator honours (its authenticate hook), so that one token also reads
 * deviceLocalCredentials and directoryAudits as its roles allow.
 */
import type { Secret } from '../../core/secret.js';
import type { EntraEmulator } from '../entra/entra-emulator.js';
import type { TokenGrant as EntraGrant } from '../entra/entra-store.js';
import { recoverAudit } from '../entra/graph-format.js';
import type { Principal, TokenGrant } from './policy-store.js';
import { entraPermissionsOf } from './rbac.js';
import type { JoinType } from './policy-types.js';

/** A device registered in Entra. */
export interface EntraRegistration {
  readonly tenantId: string;
  readonly objectId: string;
  /**
   * The device's credential for the password update endpoint; undefined when the device object
   * already existed (the device joined Entra itself and holds its credential).
   */
  readonly deviceToken: string | undefined;
}

/** One backed-up password, newest first. */
export interface EntraBackup {
  readonly accountName: string;
  readonly accountSid: string;
  readonly backupTime: number;
  readonly password: Secret;
}

/** A device's backups and times; undefined when it never backed up. */
export interface EntraBackups {
  readonly lastBackupAt: number;
  /** When the device said its password expires (refreshDateTime). */
  readonly refreshAt: number | undefined;
  readonly credentials: readonly EntraBackup[];
}

/** The Intune side's view of Entra. */
export interface EntraLink {
  /** Registers the device object (or links the one that exists with this deviceId). */
  registerDevice(d: { deviceId: string; displayName: string; joinType: JoinType; osVersion: string }): EntraRegistration | { error: string };
  /** The device's Entra backups; undefined when it never backed up. */
  backups(deviceId: string): EntraBackups | undefined;
  /** Records "Recover device local administrator password" in Entra's directory audit. */
  auditPasswordRead(deviceId: string, actor: Principal, ipAddress: string | null, userAgent: string): void;
}

/**
 * The Entra Graph grant of an Intune admin token in `tenantId`: its Graph permissions as its
 * roles give them (possibly none: Entra then answers 403); undefined for the master token (the
 * Entra emulator holds the same master token itself).
 */
export function entraGrantOf(grant: TokenGrant, tenantId: string): EntraGrant | undefined {
  if (grant.kind === 'master') return undefined;
  const permissions = entraPermissionsOf(grant.permissions);
  const p = grant.principal;
  return { kind: 'admin', tenantId, deviceId: undefined, permissions, principal: { type: 'user', id: p.id, displayName: p.displayName, userPrincipalName: p.userPrincipalName } };
}

/** The link over lapsim's Entra emulator, acting in its default tenant. */
export class EmulatorEntraLink implements EntraLink {
  readonly #e: EntraEmulator;

  constructor(emulator: EntraEmulator) {
    this.#e = emulator;
  }

  registerDevice(d: { deviceId: string; displayName: string; joinType: JoinType; osVersion: string }): EntraRegistration | { error: string } {
    const existing = this.#e.store.device(d.deviceId);
    if (existing) return { tenantId: existing.tenantId, objectId: existing.objectId, deviceToken: undefined };
    const tenant = this.#e.ensureDefaultTenant(true);
    const r = this.#e.registerDevice(tenant, d);
    if ('error' in r) return r;
    return { tenantId: tenant.tenantId, objectId: r.device.objectId, deviceToken: r.deviceToken };
  }

  backups(deviceId: string): EntraBackups | undefined {
    const d = this.#e.store.device(deviceId);
    if (!d || d.lastBackupAt === undefined) return undefined;
    return { lastBackupAt: d.lastBackupAt, refreshAt: d.refreshAt, credentials: this.#e.store.credentials(deviceId) };
  }

  auditPasswordRead(deviceId: string, actor: Principal, ipAddress: string | null, userAgent: string): void {
    const d = this.#e.store.device(deviceId);
    if (!d) return;
    const now = this.#e.clock.now();
    this.#e.store.addAudit(d.tenantId, now, recoverAudit(this.#e.auditIds(), now, { objectId: d.objectId, deviceName: d.displayName, deviceId: d.deviceId }, {
      app: null, user: { id: actor.id, displayName: actor.displayName, userPrincipalName: actor.userPrincipalName, ipAddress },
    }, userAgent));
  }
}
