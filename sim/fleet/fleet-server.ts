/**
 * The management server of an in-process fleet: the Intune emulator (sim/intune) and the Entra
 * emulator (sim/entra) on their SQLite files in the run folder, on the fleet's virtual clock, with
 * the fleet's channel as the Intune side's delivery port. Scenario names of policies, groups and
 * users are mapped to the ids the emulator gives them. The Intune side can be stopped and started
 * again (a server restart); the Entra emulator, the directory, stays up. The files are a run's
 * scratch data, so they are written without fsync (synchronous = OFF).
 */
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { SeededRng } from '../../core/seeded-rng.js';
import { openDatabase, type Db } from '../../store/database.js';
import { loadStoreKey, SecretBox } from '../../store/secret-box.js';
import { EntraEmulator } from '../entra/entra-emulator.js';
import { ENTRA_DB_FILE, ENTRA_MIGRATIONS } from '../entra/entra-schema.js';
import { EntraStore } from '../entra/entra-store.js';
import type { Actor } from '../intune/audit.js';
import type { DeliveryPort } from '../intune/delivery.js';
import { EmulatorEntraLink } from '../intune/entra-link.js';
import { IntuneDb } from '../intune/intune-db.js';
import { ADMIN_PRINCIPAL, IntuneService } from '../intune/intune-service.js';
import type { AssignmentTarget, DeviceRecord } from '../intune/policy-types.js';
import { ALL_PERMISSIONS } from '../intune/rbac.js';
import { policyContent } from './fleet-policies.js';
import type { Scenario } from './scenario.js';

/** The administrator the fleet acts as (Intune's master token principal). */
export const FLEET_ACTOR: Actor = { principal: ADMIN_PRINCIPAL, permissions: ALL_PERMISSIONS, ipAddress: '127.0.0.1' };

/** A group name that stands for Graph's virtual targets. */
export const VIRTUAL_TARGETS: Readonly<Record<string, AssignmentTarget['kind']>> = { 'all devices': 'allDevices', 'all users': 'allLicensedUsers' };

/** Where and on what the fleet's server runs. */
export interface FleetServerOptions {
  /** The run folder (intune.db, entra.db). */
  readonly dir: string;
  readonly clock: Clock;
  readonly rng: SeededRng;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What registering a device gave it. */
export interface FleetRegistration {
  readonly managedDeviceId: string;
  readonly entraDeviceToken: string | undefined;
}

/** Intune + Entra emulators of one fleet shard. */
export class FleetServer {
  readonly entraDb: Db;
  readonly entra: EntraEmulator;
  readonly tenantId: string;
  readonly policies = new Map<string, string>();
  readonly groups = new Map<string, string>();
  readonly users = new Map<string, string>();
  readonly #o: FleetServerOptions;
  readonly #intuneRng: SeededRng;
  #intuneDb: IntuneDb | undefined;
  #service: IntuneService | undefined;

  constructor(o: FleetServerOptions) {
    this.#o = o;
    const path = join(o.dir, ENTRA_DB_FILE);
    this.entraDb = openDatabase(path, { migrations: ENTRA_MIGRATIONS });
    this.entraDb.pragma('synchronous = OFF');
    const store = new EntraStore(this.entraDb, new SecretBox(loadStoreKey(path, o.env)));
    this.entra = new EntraEmulator({ store, clock: o.clock, rng: o.rng.fork('entra'), logger: o.logger.child({ component: 'entra' }) });
    this.tenantId = this.entra.ensureDefaultTenant(true).tenantId;
    this.#intuneRng = o.rng.fork('intune');
  }

  /** The Intune service; it must be up. */
  get service(): IntuneService {
    if (!this.#service) throw new Error('the management server is down');
    return this.#service;
  }

  get up(): boolean {
    return this.#service !== undefined;
  }

  /** Opens the Intune side on its database and connects the channel. */
  start(delivery: DeliveryPort): void {
    this.#intuneDb = IntuneDb.open(this.#o.dir);
    this.#intuneDb.connection.pragma('synchronous = OFF');
    this.#service = new IntuneService({
      db: this.#intuneDb, clock: this.#o.clock, rng: this.#intuneRng, entra: new EmulatorEntraLink(this.entra), logger: this.#o.logger.child({ component: 'intune' }),
    });
    this.#service.attachDelivery(delivery);
  }

  /** Stops the Intune side (a restart's first half); what it stored stays in its file. */
  stop(): void {
    this.#service = undefined;
    const db = this.#intuneDb?.connection;
    if (db?.inTransaction) db.exec('COMMIT');
    this.#intuneDb?.close();
    this.#intuneDb = undefined;
  }

  /** The Intune side's connection while it is up (the shard batches its writes). */
  get intuneConnection(): Db | undefined {
    return this.#intuneDb?.connection;
  }

  /** Closes everything. */
  close(): void {
    this.stop();
    if (this.entraDb.open) this.entraDb.close();
  }

  /** Creates the scenario's users, groups (users only; devices join at registration) and policies, and assigns them. */
  setUp(s: Scenario): void {
    const svc = this.service;
    for (const u of s.users) this.users.set(u.name, svc.directory.createUser({ displayName: u.name, userPrincipalName: `${u.name}@lapsim.onmicrosoft.com` }).id);
    svc.config.deferReconcile(() => {
      for (const g of s.groups) {
        const rec = svc.directory.createGroup({ displayName: g.name, description: null, mailNickname: g.name.replace(/[^A-Za-z0-9]/g, '') || 'group' });
        this.groups.set(g.name, rec.id);
        for (const u of g.users ?? []) svc.directory.addMember(rec.id, { kind: 'user', id: this.users.get(u)! });
      }
      s.policies.forEach((p, i) => {
        const rec = svc.policies.create(policyContent(p.name, p.description, p.settings, `policies[${i}]`), FLEET_ACTOR);
        this.policies.set(p.name, rec.id);
      });
      for (const a of s.assignments) this.assign(a.policy, a.include, a.exclude);
    });
  }

  /** Replaces a policy's assignments (Graph's /assign). */
  assign(policy: string, include: readonly string[], exclude: readonly string[]): void {
    const filter = { filterId: null, filterType: 'none' } as const;
    const targets: AssignmentTarget[] = [
      ...include.map((g): AssignmentTarget => {
        const kind = VIRTUAL_TARGETS[g];
        if (kind === 'allDevices' || kind === 'allLicensedUsers') return { kind, ...filter };
        return { kind: 'group', groupId: this.groups.get(g)!, ...filter };
      }),
      ...exclude.map((g): AssignmentTarget => ({ kind: 'exclusionGroup', groupId: this.groups.get(g)!, ...filter })),
    ];
    this.service.policies.assign(this.policies.get(policy)!, targets, FLEET_ACTOR);
  }

  /**
   * Registers devices with Intune (and their Entra device objects), adding each to the groups
   * named for it; the new devices are reconciled once at the end (no other device is concerned).
   */
  register(devices: readonly { deviceId: string; name: string; joinType: 'entra' | 'hybrid'; osBuild: string; groups: readonly string[] }[]): FleetRegistration[] {
    const svc = this.service;
    const records: DeviceRecord[] = [];
    return this.#intuneDb!.transaction(() => svc.config.deferReconcile(() => this.entra.store.transaction(() => devices.map((d) => {
      const r = svc.directory.registerDevice({ deviceId: d.deviceId, deviceName: d.name, joinType: d.joinType, osVersion: d.osBuild });
      for (const g of d.groups) svc.directory.addMember(this.groups.get(g)!, { kind: 'device', id: r.device.objectId });
      records.push(r.device);
      return { managedDeviceId: r.device.managedDeviceId, entraDeviceToken: r.entra.deviceToken };
    })), () => records.map((r) => svc.directory.device(r.managedDeviceId))));
  }

  /** A device action (deviceActionResult) by id. */
  action(actionId: string): { readonly state: string } | undefined {
    return this.#intuneDb?.state.action(actionId);
  }

  /** The Intune record of a device by its Entra deviceId. */
  device(deviceId: string): DeviceRecord | undefined {
    return this.#intuneDb?.directory.deviceByDeviceId(deviceId);
  }
}
