/**
 * /beta/deviceManagement/managedDevices: the device list and one device with its
 * deviceActionResults, the rotateLocalAdminPassword action (one device per request: the bulk
 * executeAction refuses it), the primary user; and lapsim's "Local admin password" view.
 * See https://learn.microsoft.com/graph/api/intune-devices-manageddevice-rotatelocaladminpassword
 */
import { ActionRefused } from '../device-actions.js';
import { badRequest } from '../graph-failure.js';
import { graphTime, graphTimeOrNull } from '../graph-time.js';
import type { DeviceRecord } from '../policy-types.js';
import { PERMISSIONS as P } from '../rbac.js';
import { userJson } from './directory-routes.js';
import { headerText, sendNoContent } from './graph-io.js';
import { body, collectionQuery, idHeaders, odataContext, send, sendCollection, type RequestContext, type Route } from './route-context.js';

const BASE = '^/(?:beta|v1\\.0)/deviceManagement/(?:managedDevices|comanagedDevices)';
const ID = "(?:/([^/()']+)|\\('([^/()']+)'\\))";

const DEVICE_PROPS = [
  'id', 'deviceName', 'managedDeviceOwnerType', 'enrolledDateTime', 'lastSyncDateTime', 'operatingSystem', 'osVersion', 'complianceState',
  'managementAgent', 'azureADRegistered', 'azureADDeviceId', 'deviceEnrollmentType', 'joinType', 'deviceRegistrationState', 'userId',
  'userPrincipalName', 'userDisplayName', 'emailAddress', 'usersLoggedOn', 'deviceActionResults',
];

function managedDeviceJson(ctx: RequestContext, d: DeviceRecord): Record<string, unknown> {
  const dir = ctx.service.directory;
  const primary = d.primaryUserId === undefined ? undefined : dir.users().find((u) => u.id === d.primaryUserId);
  return {
    '@odata.type': '#microsoft.graph.managedDevice',
    id: d.managedDeviceId, deviceName: d.deviceName, managedDeviceOwnerType: 'company', enrolledDateTime: graphTime(d.enrolledAt),
    lastSyncDateTime: graphTimeOrNull(d.lastSyncAt) ?? '0001-01-01T00:00:00Z', operatingSystem: 'Windows', osVersion: d.osVersion,
    complianceState: 'unknown', managementAgent: 'mdm', azureADRegistered: true, azureADDeviceId: d.deviceId,
    deviceEnrollmentType: d.joinType === 'entra' ? 'windowsAzureADJoin' : 'windowsAutoEnrollment',
    joinType: d.joinType === 'entra' ? 'azureADJoined' : 'hybridAzureADJoined', deviceRegistrationState: 'registered',
    userId: primary?.id ?? null, userPrincipalName: primary?.userPrincipalName ?? null, userDisplayName: primary?.displayName ?? null,
    emailAddress: primary?.userPrincipalName ?? null,
    usersLoggedOn: d.signedInUserId === undefined ? [] : [{ userId: d.signedInUserId, lastLogOnDateTime: graphTimeOrNull(d.lastSignInAt) }],
    deviceActionResults: ctx.service.actions.actionResults(d).map((a) => ({
      actionName: a.actionName, actionState: a.state, startDateTime: graphTime(a.startedAt), lastUpdatedDateTime: graphTime(a.updatedAt),
    })),
  };
}

function device(ctx: RequestContext): DeviceRecord {
  return ctx.service.directory.device((ctx.params[0] ?? ctx.params[1])!);
}

function list(ctx: RequestContext): void {
  const q = collectionQuery(ctx, { properties: DEVICE_PROPS, type: 'microsoft.graph.managedDevice' });
  sendCollection(ctx, 'deviceManagement/managedDevices', ctx.service.directory.devices().map((d) => managedDeviceJson(ctx, d)), q);
}

function get(ctx: RequestContext): void {
  const q = collectionQuery(ctx, { properties: DEVICE_PROPS, type: 'microsoft.graph.managedDevice' });
  const all = managedDeviceJson(ctx, device(ctx));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (q.select === undefined || q.select.includes(k) || k === 'id') out[k] = v;
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'deviceManagement/managedDevices/$entity'), ...out });
}

function rotate(ctx: RequestContext): void {
  const d = device(ctx);
  ctx.req.resume();
  try {
    ctx.service.actions.rotate(d, ctx.actor);
  } catch (e) {
    if (e instanceof ActionRefused) throw badRequest(e.message);
    throw e;
  }
  sendNoContent(ctx.res, idHeaders(ctx));
}

/** POST .../managedDevices/executeAction: bulk actions; the LAPS rotation is per device only. */
async function executeAction(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  const name = typeof b['actionName'] === 'string' ? b['actionName'] : '';
  if (name.toLowerCase() === 'rotatelocaladminpassword') {
    throw badRequest('rotateLocalAdminPassword is a per-device action: POST /deviceManagement/managedDevices/{id}/rotateLocalAdminPassword for each device.');
  }
  throw badRequest(`The bulk action '${name.slice(0, 60)}' is not supported by lapsim.`);
}

function users(ctx: RequestContext): void {
  const d = device(ctx);
  const u = d.primaryUserId === undefined ? [] : [userJson(ctx.service.directory.user(d.primaryUserId))];
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'users'), value: u });
}

function passwordView(ctx: RequestContext, reveal: boolean): void {
  const d = ctx.service.directory.device(ctx.params[0]!);
  const view = ctx.service.actions.passwordView(d, ctx.actor, reveal, headerText(ctx.req, 'user-agent', 512) ?? '');
  if (reveal && view.password === undefined) {
    send(ctx, 404, { error: { code: 'ResourceNotFound', message: 'No local admin password of this device is backed up to Microsoft Entra ID (Active Directory passwords are never shown here).' } });
    return;
  }
  send(ctx, 200, view);
}

const LAPSIM = '^/lapsim/intune/managedDevices/([^/]+)/localAdminPassword';

/** The managed device routes. */
export const DEVICE_ROUTES: readonly Route[] = [
  { name: 'managedDevices.list', method: 'GET', pattern: new RegExp(`${BASE}$`), need: { allOf: [P.devicesRead] }, run: list },
  { name: 'managedDevices.executeAction', method: 'POST', pattern: new RegExp(`${BASE}/executeAction$`), need: { allOf: [P.devicesRead] }, run: executeAction },
  { name: 'managedDevices.get', method: 'GET', pattern: new RegExp(`${BASE}${ID}$`), need: { allOf: [P.devicesRead] }, run: get },
  { name: 'managedDevices.users', method: 'GET', pattern: new RegExp(`${BASE}${ID}/users$`), need: { allOf: [P.devicesRead] }, run: users },
  {
    name: 'managedDevices.rotateLocalAdminPassword', method: 'POST', pattern: new RegExp(`${BASE}${ID}/(?:microsoft\\.graph\\.)?rotateLocalAdminPassword$`),
    need: { allOf: [P.devicesRead, P.organizationRead, P.rotate] }, run: rotate,
  },
  {
    name: 'localAdminPassword.get', method: 'GET', pattern: new RegExp(`${LAPSIM}$`),
    need: { allOf: [], anyOf: [P.passwordRead, P.passwordMetadataRead] }, run: (ctx) => passwordView(ctx, false),
  },
  { name: 'localAdminPassword.reveal', method: 'GET', pattern: new RegExp(`${LAPSIM}/reveal$`), need: { allOf: [P.passwordRead] }, run: (ctx) => passwordView(ctx, true) },
];
