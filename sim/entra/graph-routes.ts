/**
 * The Microsoft Graph subset of the Entra emulator, same paths and JSON as Microsoft's:
 * deviceLocalCredentials (list and one, `$select=credentials` for passwords), directoryAudits,
 * and the tenant's LAPS switch as deviceRegistrationPolicy.localAdminPassword.isEnabled (beta).
 * See https://learn.microsoft.com/graph/api/directory-list-devicelocalcredentials and
 * https://learn.microsoft.com/graph/api/devicelocalcredentialinfo-get
 */
import type { EntraDeviceRecord, TenantRecord, TokenGrant } from './entra-store.js';
import { PERMISSIONS } from './entra-emulator.js';
import {
  CREDENTIAL_INFO_PROPERTIES, graphDateTime, passwordBase64, recoverAudit, type DeviceLocalCredentialInfo, type DirectoryAudit,
} from './graph-format.js';
import { headerText, requestOrigin } from './http-io.js';
import { option, pageOf, parseQuery, parseSelect, project, QueryError, skipToken, type QueryOptions } from './odata-query.js';
import { graphFailure, methodNotAllowed, readGraphBody, requireGraph, sendGraph, type RouteContext } from './route-context.js';

const READ_METADATA = [PERMISSIONS.readBasic, PERMISSIONS.read];
const INFO_TYPE = 'microsoft.graph.deviceLocalCredentialInfo';
const AUDIT_TYPE = 'microsoft.graph.directoryAudit';
const AUDIT_PROPERTIES = [
  'id', 'category', 'correlationId', 'result', 'resultReason', 'activityDisplayName', 'activityDateTime', 'loggedByService',
  'operationType', 'initiatedBy', 'targetResources', 'additionalDetails',
] as const;

/** `/v1.0` or `/beta`, as the request named it. */
function version(ctx: RouteContext): string {
  return ctx.url.pathname.startsWith('/beta/') ? 'beta' : 'v1.0';
}

function metadata(ctx: RouteContext, fragment: string): string {
  return `${requestOrigin(ctx.req)}/${version(ctx)}/$metadata#${fragment}`;
}

function query<T>(ctx: RouteContext, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof QueryError) throw graphFailure(ctx, 400, 'BadRequest', e.message);
    throw e;
  }
}

function info(d: EntraDeviceRecord): DeviceLocalCredentialInfo {
  return {
    id: d.deviceId, deviceName: d.displayName,
    lastBackupDateTime: d.lastBackupAt === undefined ? null : graphDateTime(d.lastBackupAt),
    refreshDateTime: d.refreshAt === undefined ? null : graphDateTime(d.refreshAt),
  };
}

/** A page of a collection with @odata.context, @odata.count and @odata.nextLink as Graph writes them. */
function sendCollection(ctx: RouteContext, fragment: string, all: readonly object[], q: QueryOptions): void {
  const page = pageOf(all, q);
  const body: Record<string, unknown> = { '@odata.context': metadata(ctx, q.select ? `${fragment}(${q.select.join(',')})` : fragment) };
  if (q.count) body['@odata.count'] = page.total;
  if (page.nextSkip !== undefined) {
    const next = new URL(`${requestOrigin(ctx.req)}${ctx.url.pathname}`);
    for (const [k, v] of ctx.url.searchParams) if (k.replace(/^\$/, '') !== 'skiptoken') next.searchParams.set(k, v);
    next.searchParams.set('$skiptoken', skipToken(page.nextSkip));
    body['@odata.nextLink'] = next.toString();
  }
  body['value'] = page.items.map((x) => project(x as Record<string, unknown>, q.select));
  sendGraph(ctx, 200, body);
}

/** GET /v1.0/directory/deviceLocalCredentials: metadata of every device with a backup, never passwords. */
export async function listDeviceLocalCredentials(ctx: RouteContext): Promise<void> {
  if (ctx.req.method !== 'GET') throw methodNotAllowed(ctx);
  const { tenant } = requireGraph(ctx, READ_METADATA);
  const q = query(ctx, () => parseQuery(ctx.url.searchParams, { properties: CREDENTIAL_INFO_PROPERTIES, defaultTop: 100, maxTop: 999 }, INFO_TYPE));
  if (q.select?.includes('credentials')) {
    throw graphFailure(ctx, 400, 'BadRequest', "The property 'credentials' can only be selected on a single deviceLocalCredentialInfo.");
  }
  sendCollection(ctx, 'directory/deviceLocalCredentials', ctx.emulator.store.devicesWithBackups(tenant.tenantId).map(info), q);
}

/**
 * GET /v1.0/directory/deviceLocalCredentials/{deviceId}[?$select=credentials]: one device;
 * with credentials (DeviceLocalCredential.Read.All) the object plus its passwords, newest first,
 * and a "Recover device local administrator password" audit entry.
 */
export async function getDeviceLocalCredential(ctx: RouteContext): Promise<void> {
  if (ctx.req.method !== 'GET') throw methodNotAllowed(ctx);
  const { grant, tenant } = requireGraph(ctx, READ_METADATA);
  const select = query(ctx, () => parseSelect(option(ctx.url.searchParams, 'select'), CREDENTIAL_INFO_PROPERTIES, INFO_TYPE));
  const withCredentials = select?.includes('credentials') ?? false;
  if (withCredentials && !grant.permissions.includes(PERMISSIONS.read)) {
    throw graphFailure(ctx, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
  const id = ctx.params[0]!;
  const device = ctx.emulator.store.device(id);
  if (!device || device.tenantId !== tenant.tenantId || device.lastBackupAt === undefined) {
    throw graphFailure(ctx, 404, 'Request_ResourceNotFound',
      `Resource '${id.slice(0, 100)}' does not exist or one of its queried reference-property objects are not present.`);
  }
  const base = info(device);
  if (!withCredentials) {
    const fragment = select ? `directory/deviceLocalCredentials(${select.join(',')})/$entity` : 'directory/deviceLocalCredentials/$entity';
    sendGraph(ctx, 200, { '@odata.context': metadata(ctx, fragment), ...project({ ...base }, select, ['id']) });
    return;
  }
  const credentials = ctx.emulator.store.credentials(device.deviceId).map((c) => ({
    accountName: c.accountName, accountSid: c.accountSid, backupDateTime: graphDateTime(c.backupTime), passwordBase64: passwordBase64(c.password.reveal()),
  }));
  recordRecover(ctx, tenant, device, grant);
  sendGraph(ctx, 200, { '@odata.context': metadata(ctx, 'directory/deviceLocalCredentials(credentials)/$entity'), ...base, credentials });
}

function recordRecover(ctx: RouteContext, tenant: TenantRecord, device: EntraDeviceRecord, grant: TokenGrant): void {
  const p = grant.principal;
  const ip = ctx.req.socket.remoteAddress ?? null;
  const initiatedBy: DirectoryAudit['initiatedBy'] = p.type === 'app'
    ? { app: { appId: p.id, displayName: p.displayName, servicePrincipalId: p.id, servicePrincipalName: p.displayName }, user: null }
    : { app: null, user: { id: p.id, displayName: p.displayName, userPrincipalName: p.userPrincipalName ?? null, ipAddress: ip } };
  const now = ctx.emulator.clock.now();
  ctx.emulator.store.addAudit(tenant.tenantId, now, recoverAudit(ctx.emulator.auditIds(), now,
    { objectId: device.objectId, deviceName: device.displayName, deviceId: device.deviceId }, initiatedBy, headerText(ctx.req, 'user-agent', 512) ?? ''));
}

/** GET /v1.0/auditLogs/directoryAudits[/{id}] (AuditLog.Read.All), newest first. */
export async function directoryAudits(ctx: RouteContext): Promise<void> {
  if (ctx.req.method !== 'GET') throw methodNotAllowed(ctx);
  const { tenant } = requireGraph(ctx, [PERMISSIONS.auditRead]);
  const all = ctx.emulator.store.audits(tenant.tenantId);
  const id = ctx.params[0];
  if (id !== undefined) {
    const one = all.find((a) => a.id === id);
    if (!one) throw graphFailure(ctx, 404, 'Request_ResourceNotFound', `Resource '${id.slice(0, 100)}' does not exist.`);
    sendGraph(ctx, 200, { '@odata.context': metadata(ctx, 'auditLogs/directoryAudits/$entity'), ...one });
    return;
  }
  const q = query(ctx, () => parseQuery(ctx.url.searchParams, { properties: AUDIT_PROPERTIES, defaultTop: 1000, maxTop: 1000 }, AUDIT_TYPE));
  sendCollection(ctx, 'auditLogs/directoryAudits', all, q);
}

function registrationPolicy(ctx: RouteContext, tenant: TenantRecord): object {
  return {
    '@odata.context': metadata(ctx, 'policies/deviceRegistrationPolicy/$entity'),
    id: 'deviceRegistrationPolicy', displayName: 'Device Registration Policy',
    description: 'Tenant-wide policy that manages initial provisioning controls using quota restrictions, additional authentication and authorization checks',
    userDeviceQuota: 50, multiFactorAuthConfiguration: 'notRequired',
    localAdminPassword: { isEnabled: tenant.lapsEnabled },
  };
}

/**
 * GET/PUT/PATCH /beta/policies/deviceRegistrationPolicy: the "Enable Microsoft Entra LAPS"
 * switch as Graph exposes it (localAdminPassword.isEnabled); other properties are read-only here.
 */
export async function deviceRegistrationPolicy(ctx: RouteContext): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  if (method === 'GET') {
    const { tenant } = requireGraph(ctx, [PERMISSIONS.policyRead, PERMISSIONS.policyReadWrite]);
    sendGraph(ctx, 200, registrationPolicy(ctx, tenant));
    return;
  }
  if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed(ctx);
  const { tenant } = requireGraph(ctx, [PERMISSIONS.policyReadWrite]);
  const body = await readGraphBody(ctx);
  const lap = body['localAdminPassword'];
  const enabled = lap !== null && typeof lap === 'object' ? (lap as Record<string, unknown>)['isEnabled'] : undefined;
  if (typeof enabled !== 'boolean') {
    throw graphFailure(ctx, 400, 'BadRequest', 'localAdminPassword.isEnabled must be a boolean (the only property lapsim changes).');
  }
  ctx.emulator.store.setLapsEnabled(tenant.tenantId, enabled);
  sendGraph(ctx, 200, registrationPolicy(ctx, { ...tenant, lapsEnabled: enabled }));
}
