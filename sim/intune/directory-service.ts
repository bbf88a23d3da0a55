/**
 * Users, security groups and their members, and managed devices: registration (an Intune managed
 * device, its Entra device object and its channel token), sign-ins (the signed-in user is whom
 * user-group assignments follow; the first one becomes the primary user). Changes that can change
 * who gets which policy reconcile every device.
 */
import { isGuid } from '../../core/ids.js';
import type { ConfigEngine } from './device-config.js';
import type { EntraRegistration } from './entra-link.js';
import { badRequest, GraphFailure, notFound } from './graph-failure.js';
import type { DeviceRecord, GroupRecord, JoinType, MemberRef, UserRecord } from './policy-types.js';
import type { ServiceContext } from './service-context.js';

/** What registering a device returns: the records and the secrets the device needs. */
export interface Registration {
  readonly device: DeviceRecord;
  /** Bearer token of the device channel (ws /devices/{deviceId}/dm). */
  readonly channelToken: string;
  readonly entra: EntraRegistration;
}

/** A device to register. */
export interface NewDevice {
  /** Entra deviceId (the device's own id); a new GUID when absent. */
  readonly deviceId?: string;
  readonly deviceName: string;
  readonly joinType: JoinType;
  readonly osVersion: string;
}

/** Users, groups, members, devices and sign-ins; changes reconcile the devices they concern. */
export class DirectoryService {
  readonly #ctx: ServiceContext;
  readonly #config: ConfigEngine;

  constructor(ctx: ServiceContext, config: ConfigEngine) {
    this.#ctx = ctx;
    this.#config = config;
  }

  createUser(u: { displayName: string; userPrincipalName: string }): UserRecord {
    const ctx = this.#ctx;
    if (ctx.db.directory.userByUpn(u.userPrincipalName)) {
      throw badRequest(`Another object with the same value for property userPrincipalName already exists.`);
    }
    const rec: UserRecord = { id: ctx.guid(), displayName: u.displayName, userPrincipalName: u.userPrincipalName, createdAt: ctx.clock.now() };
    ctx.write(() => ctx.db.directory.putUser(rec));
    return rec;
  }

  users(): UserRecord[] {
    return this.#ctx.db.directory.users();
  }

  /** A user by id or user principal name. @throws GraphFailure 404 */
  user(idOrUpn: string): UserRecord {
    const d = this.#ctx.db.directory;
    const u = isGuid(idOrUpn) ? d.user(idOrUpn) : d.userByUpn(idOrUpn);
    if (!u) throw notFound('User', idOrUpn);
    return u;
  }

  createGroup(g: { displayName: string; description: string | null; mailNickname: string }): GroupRecord {
    const ctx = this.#ctx;
    const rec: GroupRecord = { id: ctx.guid(), ...g, createdAt: ctx.clock.now() };
    ctx.write(() => ctx.db.directory.putGroup(rec));
    return rec;
  }

  groups(): GroupRecord[] {
    return this.#ctx.db.directory.groups();
  }

  /** @throws GraphFailure 404 */
  group(id: string): GroupRecord {
    const g = this.#ctx.db.directory.group(id);
    if (!g) throw notFound('Group', id);
    return g;
  }

  deleteGroup(id: string): void {
    const g = this.group(id);
    this.#ctx.write(() => this.#ctx.db.directory.deleteGroup(g.id));
    this.#config.reconcileAll();
  }

  /** The object a `@odata.id` names: a device (by its object id) or a user. @throws GraphFailure 400/404 */
  resolveMember(odataId: string): MemberRef {
    const m = /(?:^|\/)(devices|users|directoryObjects)(?:\/|\(')([0-9a-fA-F-]{36})(?:'\))?\/?$/.exec(odataId.trim());
    if (!m || !isGuid(m[2]!)) {
      throw badRequest("Invalid @odata.id: expected https://graph.microsoft.com/v1.0/directoryObjects/{id} (or devices/{id}, users/{id}).");
    }
    const id = m[2]!.toLowerCase();
    const d = this.#ctx.db.directory;
    if (m[1] !== 'users' && d.deviceByObjectId(id)) return { kind: 'device', id };
    if (m[1] !== 'devices' && d.user(id)) return { kind: 'user', id };
    throw new GraphFailure(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  }

  addMember(groupId: string, member: MemberRef): void {
    const g = this.group(groupId);
    const ctx = this.#ctx;
    const added = ctx.write(() => ctx.db.directory.addMember(g.id, member, ctx.clock.now()));
    if (!added) throw badRequest('One or more added object references already exist for the following modified properties: \'members\'.');
    this.#config.reconcileAll();
  }

  removeMember(groupId: string, memberId: string): void {
    const g = this.group(groupId);
    const removed = this.#ctx.write(() => this.#ctx.db.directory.removeMember(g.id, memberId.toLowerCase()));
    if (!removed) throw new GraphFailure(404, 'Request_ResourceNotFound', `Resource '${memberId.slice(0, 100)}' is not a member of the group.`);
    this.#config.reconcileAll();
  }

  members(groupId: string): MemberRef[] {
    return this.#ctx.db.directory.members(this.group(groupId).id);
  }

  /** Registers a managed device, its Entra device object and its channel token. */
  registerDevice(n: NewDevice): Registration {
    const ctx = this.#ctx;
    const deviceId = (n.deviceId ?? ctx.guid()).toLowerCase();
    if (!isGuid(deviceId)) throw badRequest('deviceId must be a GUID.');
    if (ctx.db.directory.deviceByDeviceId(deviceId)) throw new GraphFailure(409, 'Conflict', `A device with deviceId '${deviceId}' is already registered.`);
    const entra = ctx.entra.registerDevice({ deviceId, displayName: n.deviceName, joinType: n.joinType, osVersion: n.osVersion });
    if ('error' in entra) throw badRequest(`Entra refused the device: ${entra.error}`);
    const channelToken = ctx.token();
    const device: DeviceRecord = {
      managedDeviceId: ctx.guid(), deviceId, objectId: entra.objectId, deviceName: n.deviceName, joinType: n.joinType, osVersion: n.osVersion,
      enrolledAt: ctx.clock.now(), primaryUserId: undefined, signedInUserId: undefined, lastSignInAt: undefined, lastSyncAt: undefined,
    };
    ctx.write(() => ctx.db.directory.putDevice(device, channelToken));
    ctx.log.info({ deviceId, managedDeviceId: device.managedDeviceId, joinType: n.joinType }, 'device enrolled');
    this.#config.reconcileAll();
    return { device, channelToken, entra };
  }

  devices(): DeviceRecord[] {
    return this.#ctx.db.directory.devices();
  }

  /** A managed device by its Intune id. @throws GraphFailure 404 */
  device(managedDeviceId: string): DeviceRecord {
    const d = this.#ctx.db.directory.device(managedDeviceId);
    if (!d) throw notFound('ManagedDevice', managedDeviceId);
    return d;
  }

  /** A device by its Entra object id (GET /v1.0/devices/{id}). @throws GraphFailure 404 */
  deviceByObjectId(objectId: string): DeviceRecord {
    const d = this.#ctx.db.directory.deviceByObjectId(objectId);
    if (!d) throw new GraphFailure(404, 'Request_ResourceNotFound', `Resource '${objectId.slice(0, 100)}' does not exist or one of its queried reference-property objects are not present.`);
    return d;
  }

  /** A user signs in to a device: user-group assignments now follow this user. */
  signIn(managedDeviceId: string, userIdOrUpn: string): DeviceRecord {
    const d = this.device(managedDeviceId);
    const u = this.user(userIdOrUpn);
    this.#ctx.write(() => this.#ctx.db.directory.signIn(d.managedDeviceId, u.id, this.#ctx.clock.now()));
    this.#config.reconcileAll();
    return this.device(d.managedDeviceId);
  }

  /** The signed-in user signs out: user-group assignments no longer reach the device. */
  signOut(managedDeviceId: string): DeviceRecord {
    const d = this.device(managedDeviceId);
    this.#ctx.write(() => this.#ctx.db.directory.signOut(d.managedDeviceId));
    this.#config.reconcileAll();
    return this.device(d.managedDeviceId);
  }
}
