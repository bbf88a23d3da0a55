/**
 * The directory through Graph's own paths: users, security groups and their members
 * (`members/$ref` with the `@odata.id` of a device or a user), and Entra device objects.
 * See https://learn.microsoft.com/graph/api/group-post-members and .../resources/device
 */
import { badRequest } from '../graph-failure.js';
import { graphTime, graphTimeOrNull } from '../graph-time.js';
import type { DeviceRecord, GroupRecord, MemberRef, UserRecord } from '../policy-types.js';
import { PERMISSIONS as P } from '../rbac.js';
import { sendNoContent } from './graph-io.js';
import { body, collectionQuery, idHeaders, odataContext, send, sendCollection, type RequestContext, type Route } from './route-context.js';

const V = '^/(?:v1\\.0|beta)';
const SEG = '([^/]+)';

/** A user as Graph returns it. */
export function userJson(u: UserRecord): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.user', id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName,
    mail: null, accountEnabled: true, createdDateTime: graphTime(u.createdAt),
  };
}

/** An Entra device object as Graph returns it (trustType AzureAd for Entra join, ServerAd for hybrid). */
export function deviceObjectJson(d: DeviceRecord): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.device', id: d.objectId, deviceId: d.deviceId, displayName: d.deviceName, accountEnabled: true,
    operatingSystem: 'Windows', operatingSystemVersion: d.osVersion, trustType: d.joinType === 'entra' ? 'AzureAd' : 'ServerAd',
    isManaged: true, isCompliant: null, managementType: 'MDM', registrationDateTime: graphTime(d.enrolledAt),
    approximateLastSignInDateTime: graphTimeOrNull(d.lastSignInAt ?? d.lastSyncAt),
  };
}

function groupJson(g: GroupRecord): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.group', id: g.id, displayName: g.displayName, description: g.description, mailEnabled: false,
    mailNickname: g.mailNickname, securityEnabled: true, groupTypes: [], membershipRule: null, createdDateTime: graphTime(g.createdAt),
  };
}

function memberJson(ctx: RequestContext, m: MemberRef): Record<string, unknown> | undefined {
  const dir = ctx.service.directory;
  if (m.kind === 'user') return userJson(dir.user(m.id));
  const d = ctx.service.directory.devices().find((x) => x.objectId === m.id);
  return d ? deviceObjectJson(d) : undefined;
}

function text(b: Record<string, unknown>, key: string, max: number, required: boolean): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) {
    if (required) throw badRequest(`${key} is required.`);
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw badRequest(`${key} must be a non-empty string of at most ${max} characters.`);
  return v;
}

const USER_PROPS = ['id', 'displayName', 'userPrincipalName', 'mail', 'accountEnabled', 'createdDateTime'];
const GROUP_PROPS = ['id', 'displayName', 'description', 'mailEnabled', 'mailNickname', 'securityEnabled', 'groupTypes', 'membershipRule', 'createdDateTime'];
const DEVICE_PROPS = ['id', 'deviceId', 'displayName', 'accountEnabled', 'operatingSystem', 'operatingSystemVersion', 'trustType', 'isManaged',
  'isCompliant', 'managementType', 'registrationDateTime', 'approximateLastSignInDateTime'];

async function createUser(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  const upn = text(b, 'userPrincipalName', 256, true)!;
  if (!/^[^@\s]+@[^@\s]+$/.test(upn)) throw badRequest('userPrincipalName must look like name@domain.');
  const u = ctx.service.directory.createUser({ displayName: text(b, 'displayName', 256, true)!, userPrincipalName: upn });
  send(ctx, 201, { '@odata.context': odataContext(ctx, 'users/$entity'), ...userJson(u) });
}

function listUsers(ctx: RequestContext): void {
  const q = collectionQuery(ctx, { properties: USER_PROPS, type: 'microsoft.graph.user' });
  sendCollection(ctx, 'users', ctx.service.directory.users().map(userJson), q);
}

function getUser(ctx: RequestContext): void {
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'users/$entity'), ...userJson(ctx.service.directory.user(ctx.params[0]!)) });
}

async function createGroup(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  if (b['securityEnabled'] === false || b['mailEnabled'] === true) throw badRequest('lapsim serves security groups only: securityEnabled true, mailEnabled false.');
  const types = b['groupTypes'];
  if (types !== undefined && !(Array.isArray(types) && types.length === 0)) throw badRequest('Only assigned security groups are supported: groupTypes must be [].');
  const binds = b['members@odata.bind'];
  if (binds !== undefined && !(Array.isArray(binds) && binds.length <= 20 && binds.every((x) => typeof x === 'string'))) {
    throw badRequest('members@odata.bind must be an array of at most 20 @odata.id strings.');
  }
  const dir = ctx.service.directory;
  const members = ((binds ?? []) as string[]).map((x) => dir.resolveMember(x));
  const displayName = text(b, 'displayName', 256, true)!;
  const g = dir.createGroup({
    displayName, description: text(b, 'description', 1024, false) ?? null, mailNickname: text(b, 'mailNickname', 64, false) ?? (displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 64) || 'group'),
  });
  for (const m of members) dir.addMember(g.id, m);
  send(ctx, 201, { '@odata.context': odataContext(ctx, 'groups/$entity'), ...groupJson(g) });
}

function listGroups(ctx: RequestContext): void {
  const q = collectionQuery(ctx, { properties: GROUP_PROPS, type: 'microsoft.graph.group' });
  sendCollection(ctx, 'groups', ctx.service.directory.groups().map(groupJson), q);
}

function getGroup(ctx: RequestContext): void {
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'groups/$entity'), ...groupJson(ctx.service.directory.group(ctx.params[0]!)) });
}

function deleteGroup(ctx: RequestContext): void {
  ctx.service.directory.deleteGroup(ctx.params[0]!);
  sendNoContent(ctx.res, idHeaders(ctx));
}

function listMembers(ctx: RequestContext): void {
  const q = collectionQuery(ctx, { properties: ['id', ...new Set([...USER_PROPS, ...DEVICE_PROPS])], type: 'microsoft.graph.directoryObject' });
  const members = ctx.service.directory.members(ctx.params[0]!).map((m) => memberJson(ctx, m)).filter((m): m is Record<string, unknown> => m !== undefined);
  sendCollection(ctx, 'directoryObjects', members, q);
}

async function addMember(ctx: RequestContext): Promise<void> {
  const group = ctx.service.directory.group(ctx.params[0]!);
  const b = await body(ctx);
  const ref = b['@odata.id'];
  if (typeof ref !== 'string' || ref.length > 512) throw badRequest('@odata.id is required: the URL of the device or user to add.');
  ctx.service.directory.addMember(group.id, ctx.service.directory.resolveMember(ref));
  sendNoContent(ctx.res, idHeaders(ctx));
}

function removeMember(ctx: RequestContext): void {
  ctx.service.directory.removeMember(ctx.params[0]!, ctx.params[1]!);
  sendNoContent(ctx.res, idHeaders(ctx));
}

function listDevices(ctx: RequestContext): void {
  const q = collectionQuery(ctx, { properties: DEVICE_PROPS, type: 'microsoft.graph.device' });
  sendCollection(ctx, 'devices', ctx.service.directory.devices().map(deviceObjectJson), q);
}

function getDevice(ctx: RequestContext): void {
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'devices/$entity'), ...deviceObjectJson(ctx.service.directory.deviceByObjectId(ctx.params[0]!)) });
}

/** The directory routes. */
export const DIRECTORY_ROUTES: readonly Route[] = [
  { name: 'users.list', method: 'GET', pattern: new RegExp(`${V}/users$`), need: { allOf: [P.usersRead] }, run: listUsers },
  { name: 'users.create', method: 'POST', pattern: new RegExp(`${V}/users$`), need: { allOf: [P.usersCreate] }, run: createUser },
  { name: 'users.get', method: 'GET', pattern: new RegExp(`${V}/users/${SEG}$`), need: { allOf: [P.usersRead] }, run: getUser },
  { name: 'groups.list', method: 'GET', pattern: new RegExp(`${V}/groups$`), need: { allOf: [P.groupsRead] }, run: listGroups },
  { name: 'groups.create', method: 'POST', pattern: new RegExp(`${V}/groups$`), need: { allOf: [P.groupsCreate] }, run: createGroup },
  { name: 'groups.get', method: 'GET', pattern: new RegExp(`${V}/groups/${SEG}$`), need: { allOf: [P.groupsRead] }, run: getGroup },
  { name: 'groups.delete', method: 'DELETE', pattern: new RegExp(`${V}/groups/${SEG}$`), need: { allOf: [P.groupsDelete] }, run: deleteGroup },
  { name: 'groups.members.list', method: 'GET', pattern: new RegExp(`${V}/groups/${SEG}/members$`), need: { allOf: [P.groupsRead] }, run: listMembers },
  { name: 'groups.members.add', method: 'POST', pattern: new RegExp(`${V}/groups/${SEG}/members/\\$ref$`), need: { allOf: [P.groupMembersUpdate] }, run: addMember },
  {
    name: 'groups.members.remove', method: 'DELETE', pattern: new RegExp(`${V}/groups/${SEG}/members/${SEG}/\\$ref$`),
    need: { allOf: [P.groupMembersUpdate] }, run: removeMember,
  },
  { name: 'devices.list', method: 'GET', pattern: new RegExp(`${V}/devices$`), need: { allOf: [P.directoryDevicesRead] }, run: listDevices },
  { name: 'devices.get', method: 'GET', pattern: new RegExp(`${V}/devices/${SEG}$`), need: { allOf: [P.directoryDevicesRead] }, run: getDevice },
];
