/**
 * The Intune emulator apart from HTTP: policies and assignments, the directory and managed
 * devices, per-device configuration and delivery, the rotate action and password view, reports,
 * audit and admin tokens. It is the device channel's sink: the channel reports each device's
 * answers, sessions and connection here.
 */
import type { Clock } from '../../core/clock.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import { ActionEngine } from './device-actions.js';
import { ConfigEngine } from './device-config.js';
import { NO_DELIVERY, type CommandReply, type DeliveryPort, type DeliverySink } from './delivery.js';
import { DirectoryService } from './directory-service.js';
import type { EntraLink } from './entra-link.js';
import { badRequest } from './graph-failure.js';
import type { IntuneDb } from './intune-db.js';
import { PolicyService } from './policy-service.js';
import type { Principal, TokenGrant } from './policy-store.js';
import { ALL_PERMISSIONS, permissionsOf, ROLE_NAMES } from './rbac.js';
import { ReportService } from './reports.js';
import { ServiceContext } from './service-context.js';

/** What the service is built from. */
export interface IntuneServiceOptions {
  readonly db: IntuneDb;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly entra: EntraLink;
  /** The device channel; default: none (every device offline, nothing sent) until attachDelivery. */
  readonly delivery?: DeliveryPort;
  readonly logger?: Logger;
}

/** A token request: built-in roles and, for a custom role, extra permissions. */
export interface TokenRequest {
  readonly roles: readonly string[];
  readonly permissions?: readonly string[];
  readonly displayName?: string;
  readonly userPrincipalName?: string;
}

/** The principal of the master admin token. */
export const ADMIN_PRINCIPAL: Principal = { id: '00000000-0000-4000-8000-00000000a11a', displayName: 'lapsim admin', userPrincipalName: 'admin@lapsim.onmicrosoft.com' };

/** The Intune emulator's domain, and the device channel's sink. */
export class IntuneService implements DeliverySink {
  readonly policies: PolicyService;
  readonly directory: DirectoryService;
  readonly config: ConfigEngine;
  readonly actions: ActionEngine;
  readonly reports: ReportService;
  readonly #ctx: ServiceContext;

  constructor(o: IntuneServiceOptions) {
    this.#ctx = new ServiceContext(o.db, o.clock, o.rng, o.delivery ?? NO_DELIVERY, o.entra, o.logger ?? noopLogger);
    this.config = new ConfigEngine(this.#ctx);
    this.actions = new ActionEngine(this.#ctx);
    this.policies = new PolicyService(this.#ctx, this.config);
    this.directory = new DirectoryService(this.#ctx, this.config);
    this.reports = new ReportService(this.#ctx, this.config, this.actions);
  }

  get clock(): Clock {
    return this.#ctx.clock;
  }

  get log(): Logger {
    return this.#ctx.log;
  }

  get delivery(): DeliveryPort {
    return this.#ctx.delivery;
  }

  /** A new random GUID. */
  guid(): string {
    return this.#ctx.guid();
  }

  /**
   * Connects the device channel and hands it every batch still waiting for an answer (after a
   * restart the channel has forgotten them), then reconciles every device.
   */
  attachDelivery(port: DeliveryPort): void {
    this.#ctx.delivery = port;
    for (const d of this.#ctx.db.state.allDeliveries()) {
      const device = this.#ctx.db.directory.device(d.managedDeviceId);
      if (device) port.send(device.deviceId, { batchId: d.batchId, commands: d.body, nextSession: d.nextSession });
    }
    this.config.reconcileAll();
  }

  /** Makes `token` the master admin token (every permission, lapsim's admin API). */
  setMasterToken(token: string): void {
    this.#ctx.write(() => this.#ctx.db.policies.putToken(token, { kind: 'master', roles: [], permissions: ALL_PERMISSIONS, principal: ADMIN_PRINCIPAL }, this.#ctx.clock.now()));
  }

  /** Issues an admin token with roles (and extra permissions). */
  issueToken(r: TokenRequest): { token: string; grant: TokenGrant } {
    const unknown = r.roles.filter((x) => !ROLE_NAMES.includes(x));
    if (unknown.length > 0) throw badRequest(`Unknown role '${unknown[0]}'; roles: ${ROLE_NAMES.join(', ')}.`);
    const badPermission = (r.permissions ?? []).find((p) => !(ALL_PERMISSIONS as readonly string[]).includes(p) || p === 'lapsim.Admin');
    if (badPermission !== undefined) throw badRequest(`Unknown permission '${badPermission}'.`);
    const ctx = this.#ctx;
    const id = ctx.guid();
    const grant: TokenGrant = {
      kind: 'admin', roles: [...r.roles], permissions: permissionsOf(r.roles, r.permissions ?? []),
      principal: { id, displayName: r.displayName ?? 'lapsim operator', userPrincipalName: r.userPrincipalName ?? `operator-${id.slice(0, 8)}@lapsim.onmicrosoft.com` },
    };
    const token = ctx.token();
    ctx.write(() => ctx.db.policies.putToken(token, grant, ctx.clock.now()));
    return { token, grant };
  }

  authenticate(token: string): TokenGrant | undefined {
    return this.#ctx.db.policies.token(token);
  }

  /** True when `token` is the channel token of the device with this Entra deviceId. */
  authenticateDevice(deviceId: string, token: string): boolean {
    return this.#ctx.db.directory.checkChannelToken(deviceId, token);
  }

  /** The audit log, oldest first. */
  auditEvents(): object[] {
    return this.#ctx.db.state.audit();
  }

  batchReplies(deviceId: string, batchId: string, replies: readonly CommandReply[]): void {
    const ctx = this.#ctx;
    ctx.write(() => {
      const device = ctx.db.directory.deviceByDeviceId(deviceId);
      const d = ctx.db.state.delivery(batchId);
      if (!device || !d || d.managedDeviceId !== device.managedDeviceId) {
        ctx.log.warn({ deviceId, batchId }, 'replies for a batch this server does not know; ignored');
        return;
      }
      const byCmd = new Map(replies.map((r) => [r.cmdId, r]));
      if (d.kind === 'policy') this.config.policyReplies(device, d, byCmd);
      else this.actions.resetReplies(device, d, byCmd);
    });
  }

  sessionStarted(deviceId: string): void {
    const ctx = this.#ctx;
    ctx.write(() => {
      const device = ctx.db.directory.deviceByDeviceId(deviceId);
      if (!device) return;
      ctx.db.directory.synced(device.managedDeviceId, ctx.clock.now());
      this.config.reconcile(device, this.config.policySet(), true);
    });
  }

  connectionChanged(deviceId: string, online: boolean): void {
    this.#ctx.log.info({ deviceId, online }, online ? 'device channel open' : 'device channel closed');
  }
}
