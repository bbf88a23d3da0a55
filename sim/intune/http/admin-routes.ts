/**
 * lapsim's own admin API of the Intune emulator, under /lapsim/intune (docs/intune-api.md):
 * device registration (what `lapsim device init --server` calls: the device's ids, its channel
 * token and its Entra credential), a device's simulated state, users signing in and out, admin
 * tokens with roles, the role table. Registration, sign-ins and tokens need the master token.
 */
import { isGuid } from '../../../core/ids.js';
import { badRequest } from '../graph-failure.js';
import { graphTimeOrNull } from '../graph-time.js';
import type { DeviceRecord, JoinType } from '../policy-types.js';
import { PERMISSIONS as P, ROLES } from '../rbac.js';
import { requestOrigin } from './graph-io.js';
import { body, send, type RequestContext, type Route } from './route-context.js';

const OS = /^\d{1,5}\.\d{1,5}\.\d{1,6}(\.\d{1,6})?$/;

function str(b: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw badRequest(`${key} must be a non-empty string of at most ${max} characters.`);
  return v;
}

function deviceState(ctx: RequestContext, d: DeviceRecord): Record<string, unknown> {
  const origin = requestOrigin(ctx.req);
  return {
    managedDeviceId: d.managedDeviceId, deviceId: d.deviceId, objectId: d.objectId, deviceName: d.deviceName, joinType: d.joinType, osVersion: d.osVersion,
    online: ctx.service.delivery.isOnline(d.deviceId), lastSyncDateTime: graphTimeOrNull(d.lastSyncAt),
    primaryUserId: d.primaryUserId ?? null, signedInUserId: d.signedInUserId ?? null, lastSignInDateTime: graphTimeOrNull(d.lastSignInAt),
    channelUrl: `${origin.replace(/^http/, 'ws')}/devices/${d.deviceId}/dm`,
  };
}

async function register(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  const deviceId = str(b, 'deviceId', 36);
  if (deviceId !== undefined && !isGuid(deviceId)) throw badRequest('deviceId must be a GUID (the device\'s own id).');
  const deviceName = str(b, 'deviceName', 63);
  if (deviceName === undefined) throw badRequest('deviceName is required.');
  const joinType = b['joinType'] ?? 'entra';
  if (joinType !== 'entra' && joinType !== 'hybrid') throw badRequest('joinType must be entra or hybrid (Intune LAPS supports Entra-joined and hybrid-joined devices).');
  const osVersion = str(b, 'osVersion', 32) ?? '10.0.26100.4349';
  if (!OS.test(osVersion)) throw badRequest('osVersion must look like 10.0.26100.4349.');
  const r = ctx.service.directory.registerDevice({ ...(deviceId !== undefined ? { deviceId } : {}), deviceName, joinType: joinType as JoinType, osVersion });
  const origin = requestOrigin(ctx.req);
  send(ctx, 201, {
    ...deviceState(ctx, r.device), channelToken: r.channelToken,
    entra: { url: origin, tenantId: r.entra.tenantId, objectId: r.entra.objectId, ...(r.entra.deviceToken !== undefined ? { deviceToken: r.entra.deviceToken } : {}) },
  });
}

function getDevice(ctx: RequestContext): void {
  send(ctx, 200, deviceState(ctx, ctx.service.directory.device(ctx.params[0]!)));
}

async function signIn(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  const user = str(b, 'user', 256);
  if (user === undefined) throw badRequest('user is required: the id or userPrincipalName of the user signing in.');
  send(ctx, 200, deviceState(ctx, ctx.service.directory.signIn(ctx.params[0]!, user)));
}

function signOut(ctx: RequestContext): void {
  ctx.req.resume();
  send(ctx, 200, deviceState(ctx, ctx.service.directory.signOut(ctx.params[0]!)));
}

async function issueToken(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  const roles = b['roles'] ?? [];
  const permissions = b['permissions'] ?? [];
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 32 && v.every((x) => typeof x === 'string' && x.length <= 128);
  if (!strings(roles) || !strings(permissions)) throw badRequest('roles and permissions must be arrays of names.');
  if (roles.length === 0 && permissions.length === 0) throw badRequest('A token needs at least one role or permission.');
  const displayName = str(b, 'displayName', 256);
  const upn = str(b, 'userPrincipalName', 256);
  const { token, grant } = ctx.service.issueToken({
    roles, permissions, ...(displayName !== undefined ? { displayName } : {}), ...(upn !== undefined ? { userPrincipalName: upn } : {}),
  });
  send(ctx, 201, { token, roles: grant.roles, permissions: grant.permissions, principal: grant.principal });
}

function roles(ctx: RequestContext): void {
  send(ctx, 200, { value: Object.entries(ROLES).map(([displayName, permissions]) => ({ displayName, permissions })) });
}

function whoami(ctx: RequestContext): void {
  send(ctx, 200, { principal: ctx.actor.principal, permissions: ctx.actor.permissions });
}

const DEVICE = '^/lapsim/intune/devices/([^/]+)';

/** The admin routes. */
export const ADMIN_ROUTES: readonly Route[] = [
  { name: 'admin.devices.register', method: 'POST', pattern: /^\/lapsim\/intune\/devices$/, need: { allOf: [P.lapsimAdmin] }, run: register },
  { name: 'admin.devices.get', method: 'GET', pattern: new RegExp(`${DEVICE}$`), need: { allOf: [P.devicesRead] }, run: getDevice },
  { name: 'admin.devices.signIn', method: 'POST', pattern: new RegExp(`${DEVICE}/signIn$`), need: { allOf: [P.lapsimAdmin] }, run: signIn },
  { name: 'admin.devices.signOut', method: 'POST', pattern: new RegExp(`${DEVICE}/signOut$`), need: { allOf: [P.lapsimAdmin] }, run: signOut },
  { name: 'admin.tokens.create', method: 'POST', pattern: /^\/lapsim\/intune\/tokens$/, need: { allOf: [P.lapsimAdmin] }, run: issueToken },
  { name: 'admin.roles', method: 'GET', pattern: /^\/lapsim\/intune\/roles$/, need: { allOf: [] }, run: roles },
  { name: 'admin.me', method: 'GET', pattern: /^\/lapsim\/intune\/me$/, need: { allOf: [] }, run: whoami },
];
