/**
 * The Entra emulator's behaviour, apart from HTTP: tenants and their LAPS switch, device objects
 * and their credentials, tokens, the device password update (with the Device Registration
 * Service's answers for every failure) and the audit entries it writes. The HTTP routes are thin
 * translations of these methods.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Rng } from '../../core/rng.js';
import { Secret } from '../../core/secret.js';
import { guidFromBytes } from '../../core/ids.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import type { EntraDeviceRecord, EntraStore, TenantRecord, TokenGrant, TokenPrincipal } from './entra-store.js';
import { updateAudit, type AuditIds } from './graph-format.js';
import { DEFAULT_THROTTLE, SlidingWindowThrottle, type ThrottleRule } from './throttle.js';

/** Graph permissions the emulator knows, as Microsoft names them. */
export const PERMISSIONS = {
  readBasic: 'DeviceLocalCredential.ReadBasic.All',
  read: 'DeviceLocalCredential.Read.All',
  auditRead: 'AuditLog.Read.All',
  policyRead: 'Policy.Read.DeviceConfiguration',
  policyReadWrite: 'Policy.ReadWrite.DeviceConfiguration',
} as const;

/** Every permission; the master admin token holds them all. */
export const ALL_PERMISSIONS: readonly string[] = Object.values(PERMISSIONS);

/** The admin token when neither --admin-token nor LAPSIM_ENTRA_ADMIN_TOKEN names one (printed at start). */
export const DEFAULT_ADMIN_TOKEN = 'lapsim-entra-admin';

/** The message of the tenant-switch refusal (laps-behaviour.md 8.2), word for word. */
export const LAPS_DISABLED_MESSAGE = 'Local admin password solution is not enabled for this tenant.';

const SID = /^S-1-\d{1,3}(-\d{1,10}){1,15}$/;
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** The JSON body of lapsim's device password update (docs/entra-api.md). */
export const DevicePasswordUpdate = z.object({
  deviceName: z.string().min(1).max(256).optional(),
  accountName: z.string().min(1).max(256),
  accountSid: z.string().max(184).regex(SID),
  password: z.string().min(1).max(512),
  passwordUpdateTime: z.iso.datetime({ offset: true }),
  passwordExpiryTime: z.iso.datetime({ offset: true }),
});

/** The request body as the route read it, or why it could not. */
export type DeviceBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: number; readonly subcode: string; readonly message: string };

/** An answer of the device endpoint. */
export interface DeviceAnswer {
  readonly status: number;
  readonly body: object;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the emulator runs on: its store, clock, randomness (ids, tokens) and throttle. */
export interface EntraEmulatorOptions {
  readonly store: EntraStore;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly throttle?: ThrottleRule;
  readonly logger?: Logger;
  /**
   * Resolves bearer tokens the host issued (a management server mounting the emulator maps its
   * own admin tokens to Graph grants here); consulted before the emulator's own tokens.
   */
  readonly authenticate?: (token: string) => TokenGrant | undefined;
}

/** A device object to register; the id is generated when not given. */
export interface NewDevice {
  readonly deviceId?: string;
  readonly displayName: string;
  readonly joinType?: 'entra' | 'hybrid';
  readonly osVersion?: string;
}

const THROTTLE_LIMIT_KEY = 'throttle.limit';
const THROTTLE_WINDOW_KEY = 'throttle.windowMs';

/** The Entra emulator: one store, any number of tenants. */
export class EntraEmulator {
  readonly store: EntraStore;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: Logger;
  readonly #throttle: SlidingWindowThrottle;
  readonly #hostAuth: ((token: string) => TokenGrant | undefined) | undefined;

  constructor(o: EntraEmulatorOptions) {
    this.#hostAuth = o.authenticate;
    this.store = o.store;
    this.clock = o.clock;
    this.rng = o.rng;
    this.log = o.logger ?? noopLogger;
    const limit = Number(o.store.setting(THROTTLE_LIMIT_KEY));
    const windowMs = Number(o.store.setting(THROTTLE_WINDOW_KEY));
    const saved = limit > 0 && windowMs > 0 ? { limit, windowMs } : undefined;
    this.#throttle = new SlidingWindowThrottle(o.throttle ?? saved ?? DEFAULT_THROTTLE);
  }

  /** A new random GUID (lower case). */
  guid(): string {
    return guidFromBytes(this.rng.bytes(16));
  }

  /** A new bearer token: 32 random bytes, base64url. */
  newToken(): string {
    return Buffer.from(this.rng.bytes(32)).toString('base64url');
  }

  /** The default tenant, created on first start. */
  ensureDefaultTenant(lapsEnabled: boolean): TenantRecord {
    return this.store.defaultTenant() ?? this.createTenant({ displayName: 'lapsim', lapsEnabled, isDefault: true });
  }

  createTenant(o: { displayName?: string; lapsEnabled?: boolean; isDefault?: boolean }): TenantRecord {
    const tenantId = this.guid();
    return this.store.createTenant({
      tenantId, displayName: o.displayName ?? 'lapsim tenant', domain: `lapsim${tenantId.slice(0, 8)}.onmicrosoft.com`,
      lapsEnabled: o.lapsEnabled ?? true, isDefault: o.isDefault ?? false, createdAt: this.clock.now(),
    });
  }

  /** A tenant by id, or the default one for 'default'. */
  tenant(tenantIdOrDefault: string): TenantRecord | undefined {
    return tenantIdOrDefault.toLowerCase() === 'default' ? this.store.defaultTenant() : this.store.tenant(tenantIdOrDefault);
  }

  /** The tenant's admin user, as the master token's Graph calls are audited. */
  adminPrincipal(tenant: TenantRecord): TokenPrincipal {
    return { type: 'user', id: guidFromBytes(Buffer.from(tenant.tenantId.replace(/-/g, ''), 'hex').reverse()), displayName: 'lapsim admin', userPrincipalName: `admin@${tenant.domain}` };
  }

  /** Makes `token` the master token of this run (every permission; the admin API). */
  setMasterToken(token: string): void {
    const tenant = this.ensureDefaultTenant(true);
    this.store.replaceMasterToken(token, { tenantId: tenant.tenantId, deviceId: undefined, permissions: ALL_PERMISSIONS, principal: this.adminPrincipal(tenant) }, this.clock.now());
  }

  /** Issues a Graph token in a tenant with the given permissions. */
  issueToken(tenant: TenantRecord, permissions: readonly string[], principal?: Partial<TokenPrincipal>): { token: string; grant: TokenGrant } {
    const token = this.newToken();
    const id = this.guid();
    const grant: TokenGrant = {
      kind: 'admin', tenantId: tenant.tenantId, deviceId: undefined, permissions: [...permissions],
      principal: {
        type: principal?.type ?? 'user', id: principal?.id ?? id, displayName: principal?.displayName ?? 'lapsim operator',
        ...(principal?.type === 'app' ? {} : { userPrincipalName: principal?.userPrincipalName ?? `operator-${id.slice(0, 8)}@${tenant.domain}` }),
      },
    };
    this.store.putToken(token, grant, this.clock.now());
    return { token, grant };
  }

  /** The grant of a bearer token: the host's first, then the emulator's own. */
  authenticate(token: string | undefined): TokenGrant | undefined {
    if (token === undefined) return undefined;
    return this.#hostAuth?.(token) ?? this.store.grant(token);
  }

  /** Registers a device object and issues its device credential. */
  registerDevice(tenant: TenantRecord, d: NewDevice): { device: EntraDeviceRecord; deviceToken: string } | { error: string } {
    const deviceId = (d.deviceId ?? this.guid()).toLowerCase();
    if (!DEVICE_ID.test(deviceId)) return { error: 'deviceId must be 1 to 64 letters, digits and dashes' };
    if (this.store.device(deviceId)) return { error: `a device with id ${deviceId} already exists` };
    const deviceToken = this.newToken();
    const device = this.store.transaction(() => {
      const rec = this.store.registerDevice({
        deviceId, tenantId: tenant.tenantId, objectId: this.guid(), displayName: d.displayName, joinType: d.joinType ?? 'entra',
        osVersion: d.osVersion ?? '10.0.26100.4349', registeredAt: this.clock.now(),
      });
      this.store.putToken(deviceToken, {
        kind: 'device', tenantId: tenant.tenantId, deviceId, permissions: [],
        principal: { type: 'app', id: rec.objectId, displayName: d.displayName },
      }, this.clock.now());
      return rec;
    });
    return { device, deviceToken };
  }

  get throttleRule(): ThrottleRule {
    return this.#throttle.rule;
  }

  /** Changes the device throttle, and keeps it for the next start. */
  configureThrottle(rule: ThrottleRule): void {
    this.#throttle.configure(rule);
    this.store.putSetting(THROTTLE_LIMIT_KEY, String(rule.limit));
    this.store.putSetting(THROTTLE_WINDOW_KEY, String(rule.windowMs));
  }

  /** ADRS's error body (laps-behaviour.md 8.2): code, subcode, operation, requestid, time, message. */
  adrsError(code: string, subcode: string, message: string, requestId: string): object {
    const t = new Date(this.clock.now()).toISOString();
    const time = `${t.slice(5, 7)}-${t.slice(8, 10)}-${t.slice(0, 4)} ${t.slice(11, 19)}Z`;
    return { code, subcode, operation: 'LapsDevicePasswordUpdate', requestid: requestId, time, message };
  }

  /**
   * `POST /manage/{tenantId}/lapsdevicepasswordupdate/{deviceId}`: checks, in order, the device
   * credential (401), the throttle (429), the tenant switch (400 error_fail), the device object
   * (400 error_missing_device, 403 when disabled) and the body (400); then keeps the password.
   */
  devicePasswordUpdate(tenantId: string, deviceId: string, token: string | undefined, body: DeviceBody, userAgent: string, requestId: string): DeviceAnswer {
    const grant = this.authenticate(token);
    if (!grant || grant.kind !== 'device' || grant.deviceId !== deviceId.toLowerCase() || grant.tenantId !== tenantId.toLowerCase()) {
      return { status: 401, body: this.adrsError('authorization_error', 'error_invalid_token', 'The device credential is missing or not valid for this device.', requestId) };
    }
    const verdict = this.#throttle.hit(grant.deviceId, this.clock.now());
    if (!verdict.ok) {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000);
      return {
        status: 429, headers: { 'Retry-After': String(seconds) },
        body: this.adrsError('throttled', 'error_too_many_requests', `Too many requests from this device. Retry after ${seconds} seconds.`, requestId),
      };
    }
    const tenant = this.store.tenant(grant.tenantId);
    if (!tenant?.lapsEnabled) return { status: 400, body: this.adrsError('invalid_request', 'error_fail', LAPS_DISABLED_MESSAGE, requestId) };
    const device = this.store.device(grant.deviceId);
    if (!device) {
      return { status: 400, body: this.adrsError('invalid_request', 'error_missing_device', `The device object by ID '${grant.deviceId}' is not found.`, requestId) };
    }
    if (!device.enabled) {
      return { status: 403, body: this.adrsError('authorization_error', 'error_authorization_request_denied', 'The device is disabled.', requestId) };
    }
    if (!body.ok) return { status: body.status, body: this.adrsError('invalid_request', body.subcode, body.message, requestId) };
    const parsed = DevicePasswordUpdate.safeParse(body.value);
    if (!parsed.success) {
      const detail = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return { status: 400, body: this.adrsError('invalid_request', 'error_invalid_body', `The password update is not valid (${detail}).`, requestId) };
    }
    const u = parsed.data;
    const backupTime = Date.parse(u.passwordUpdateTime);
    this.store.transaction(() => {
      this.store.addCredential(device.deviceId, { accountName: u.accountName, accountSid: u.accountSid, password: new Secret(u.password), backupTime },
        Date.parse(u.passwordExpiryTime), u.deviceName);
      this.store.addAudit(tenant.tenantId, this.clock.now(), updateAudit(this.auditIds(), this.clock.now(), {
        objectId: device.objectId, deviceName: u.deviceName ?? device.displayName, deviceId: device.deviceId,
      }, userAgent));
    });
    this.log.info({ tenantId: tenant.tenantId, deviceId: device.deviceId, accountName: u.accountName }, 'device backed up its local administrator password');
    return { status: 200, body: { deviceId: device.deviceId, backupDateTime: new Date(backupTime).toISOString() } };
  }

  /** An audit entry's id (Graph's `Directory_<guid>_<5 letters>_<8 digits>` shape) and correlation id. */
  auditIds(): AuditIds {
    const letters = Array.from({ length: 5 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[this.rng.int(26)]).join('');
    const digits = String(this.rng.int(100_000_000)).padStart(8, '0');
    return { id: `Directory_${this.guid()}_${letters}_${digits}`, correlationId: this.guid() };
  }

  /** Forgets a deleted device's throttle counts. */
  forgetDevice(deviceId: string): void {
    this.#throttle.forget(deviceId);
  }
}
