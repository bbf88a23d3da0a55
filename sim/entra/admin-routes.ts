/**
 * lapsim's own admin API of the Entra emulator, under /lapsim/entra (docs/entra-api.md): tenants
 * and their LAPS switch, device registration (the device credential), disabling and deleting
 * device objects, Graph tokens with chosen permissions, the device throttle. Every call needs
 * the master admin token. Errors use Graph's error body.
 */
import { z } from 'zod';
import type { EntraDeviceRecord, TenantRecord } from './entra-store.js';
import { ALL_PERMISSIONS, PERMISSIONS } from './entra-emulator.js';
import { bearerToken } from './http-io.js';
import { graphFailure, methodNotAllowed, readGraphBody, sendGraph, type RouteContext } from './route-context.js';

function requireMaster(ctx: RouteContext): void {
  const token = bearerToken(ctx.req);
  if (token === undefined) throw graphFailure(ctx, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
  const grant = ctx.emulator.authenticate(token);
  if (!grant) throw graphFailure(ctx, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
  if (grant.kind !== 'master') throw graphFailure(ctx, 403, 'Authorization_RequestDenied', 'The emulator admin API needs the master admin token.');
}

async function body<T>(ctx: RouteContext, schema: z.ZodType<T>): Promise<T> {
  const raw = await readGraphBody(ctx);
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw graphFailure(ctx, 400, 'BadRequest', r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return r.data;
}

function tenantJson(t: TenantRecord): object {
  return { tenantId: t.tenantId, displayName: t.displayName, domain: t.domain, lapsEnabled: t.lapsEnabled, isDefault: t.isDefault };
}

function deviceJson(d: EntraDeviceRecord): object {
  return {
    deviceId: d.deviceId, objectId: d.objectId, tenantId: d.tenantId, displayName: d.displayName, joinType: d.joinType, osVersion: d.osVersion,
    accountEnabled: d.enabled, registrationDateTime: new Date(d.registeredAt).toISOString(),
    lastBackupDateTime: d.lastBackupAt === undefined ? null : new Date(d.lastBackupAt).toISOString(),
  };
}

function tenantParam(ctx: RouteContext): TenantRecord {
  const t = ctx.emulator.tenant(ctx.params[0]!);
  if (!t) throw graphFailure(ctx, 404, 'Request_ResourceNotFound', `Tenant '${ctx.params[0]!.slice(0, 100)}' does not exist.`);
  return t;
}

function deviceParam(ctx: RouteContext): EntraDeviceRecord {
  const d = ctx.emulator.store.device(ctx.params[0]!);
  if (!d) throw graphFailure(ctx, 404, 'Request_ResourceNotFound', `Device '${ctx.params[0]!.slice(0, 100)}' does not exist.`);
  return d;
}

const NewTenant = z.object({ displayName: z.string().min(1).max(256).optional(), lapsEnabled: z.boolean().optional() });
const TenantPatch = z.object({ lapsEnabled: z.boolean() });
const NewDeviceBody = z.object({
  deviceId: z.string().min(1).max(64).optional(),
  displayName: z.string().min(1).max(256),
  joinType: z.enum(['entra', 'hybrid']).optional(),
  osVersion: z.string().min(1).max(64).optional(),
  /** Also issue a Graph token with DeviceLocalCredential.Read.All (what `lapsim password` reads with). */
  readerToken: z.boolean().optional(),
});
const DevicePatch = z.object({ accountEnabled: z.boolean() });
const NewToken = z.object({
  tenantId: z.string().min(1).max(64).optional(),
  permissions: z.array(z.enum(ALL_PERMISSIONS as [string, ...string[]])).max(16),
  type: z.enum(['user', 'app']).optional(),
  displayName: z.string().min(1).max(256).optional(),
  userPrincipalName: z.string().min(3).max(256).optional(),
});
const Throttle = z.object({ limit: z.number().int().min(1).max(1_000_000), windowSeconds: z.number().int().min(1).max(31 * 86_400) });

/** GET /lapsim/entra: the emulator's tenants and throttle. */
export async function adminRoot(ctx: RouteContext): Promise<void> {
  requireMaster(ctx);
  if (ctx.req.method !== 'GET') throw methodNotAllowed(ctx);
  const e = ctx.emulator;
  sendGraph(ctx, 200, {
    defaultTenantId: e.store.defaultTenant()?.tenantId ?? null, tenants: e.store.tenants().map(tenantJson),
    throttle: { limit: e.throttleRule.limit, windowSeconds: e.throttleRule.windowMs / 1000 },
  });
}

/** GET|POST /lapsim/entra/tenants */
export async function adminTenants(ctx: RouteContext): Promise<void> {
  requireMaster(ctx);
  if (ctx.req.method === 'GET') return sendGraph(ctx, 200, { value: ctx.emulator.store.tenants().map(tenantJson) });
  if (ctx.req.method !== 'POST') throw methodNotAllowed(ctx);
  const b = await body(ctx, NewTenant);
  const t = ctx.emulator.createTenant({ ...(b.displayName !== undefined ? { displayName: b.displayName } : {}), lapsEnabled: b.lapsEnabled ?? true });
  sendGraph(ctx, 201, tenantJson(t));
}

/** GET|PATCH /lapsim/entra/tenants/{tenantId|default}: `{"lapsEnabled": false}` flips the switch. */
export async function adminTenant(ctx: RouteContext): Promise<void> {
  requireMaster(ctx);
  const t = tenantParam(ctx);
  if (ctx.req.method === 'GET') return sendGraph(ctx, 200, tenantJson(t));
  if (ctx.req.method !== 'PATCH') throw methodNotAllowed(ctx);
  const b = await body(ctx, TenantPatch);
  ctx.emulator.store.setLapsEnabled(t.tenantId, b.lapsEnabled);
  ctx.emulator.log.info({ tenantId: t.tenantId, lapsEnabled: b.lapsEnabled }, 'tenant LAPS switch changed');
  sendGraph(ctx, 200, tenantJson({ ...t, lapsEnabled: b.lapsEnabled }));
}

/** GET|POST /lapsim/entra/tenants/{tenantId|default}/devices: list, or register a device. */
export async function adminTenantDevices(ctx: RouteContext): Promise<void> {
  requireMaster(ctx);
  const t = tenantParam(ctx);
  if (ctx.req.method === 'GET') return sendGraph(ctx, 200, { value: ctx.emulator.store.devices(t.tenantId).map(deviceJson) });
  if (ctx.req.method !== 'POST') throw methodNotAllowed(ctx);
  const b = await body(ctx, NewDeviceBody);
  const r = ctx.emulator.registerDevice(t, {
    displayName: b.displayName, ...(b.deviceId !== undefined ? { deviceId: b.deviceId } : {}),
    ...(b.joinType !== undefined ? { joinType: b.joinType } : {}), ...(b.osVersion !== undefined ? { osVersion: b.osVersion } : {}),
  });
  if ('error' in r) throw graphFailure(ctx, 400, 'BadRequest', r.error);
  const reader = b.readerToken
    ? ctx.emulator.issueToken(t, [PERMISSIONS.read], { type: 'app', displayName: `lapsim password reader (${b.displayName})` }).token
    : undefined;
  ctx.emulator.log.info({ tenantId: t.tenantId, deviceId: r.device.deviceId, joinType: r.device.joinType }, 'device registered');
  sendGraph(ctx, 201, { ...deviceJson(r.device), deviceToken: r.deviceToken, ...(reader !== undefined ? { readerToken: reader } : {}) });
}

/** GET|PATCH|DELETE /lapsim/entra/devices/{deviceId}: `{"accountEnabled": false}` disables it. */
export async function adminDevice(ctx: RouteContext): Promise<void> {
  requireMaster(ctx);
  const d = deviceParam(ctx);
  const e = ctx.emulator;
  if (ctx.req.method === 'GET') return sendGraph(ctx, 200, deviceJson(d));
  if (ctx.req.method === 'DELETE') {
    e.store.deleteDevice(d.deviceId);
    e.forgetDevice(d.deviceId);
    e.log.info({ deviceId: d.deviceId }, 'device object deleted with its passwords');
    ctx.res.writeHead(204, { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId });
    ctx.res.end();
    return;
  }
  if (ctx.req.method !== 'PATCH') throw methodNotAllowed(ctx);
  const b = await body(ctx, DevicePatch);
  e.store.setDeviceEnabled(d.deviceId, b.accountEnabled);
  sendGraph(ctx, 200, deviceJson({ ...d, enabled: b.accountEnabled }));
}

/** POST /lapsim/entra/tokens: a Graph token in a tenant with the permissions asked for. */
export async function adminTokens(ctx: RouteContext): Promise<void> {
  requireMaster(ctx);
  if (ctx.req.method !== 'POST') throw methodNotAllowed(ctx);
  const b = await body(ctx, NewToken);
  const t = ctx.emulator.tenant(b.tenantId ?? 'default');
  if (!t) throw graphFailure(ctx, 404, 'Request_ResourceNotFound', `Tenant '${(b.tenantId ?? 'default').slice(0, 100)}' does not exist.`);
  const { token, grant } = ctx.emulator.issueToken(t, b.permissions, {
    ...(b.type !== undefined ? { type: b.type } : {}), ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
    ...(b.userPrincipalName !== undefined ? { userPrincipalName: b.userPrincipalName } : {}),
  });
  sendGraph(ctx, 201, { token, tenantId: t.tenantId, permissions: grant.permissions, principal: grant.principal });
}

/** GET|PUT /lapsim/entra/throttle: `{"limit": 5, "windowSeconds": 60}`. */
export async function adminThrottle(ctx: RouteContext): Promise<void> {
  requireMaster(ctx);
  const e = ctx.emulator;
  if (ctx.req.method === 'PUT') {
    const b = await body(ctx, Throttle);
    e.configureThrottle({ limit: b.limit, windowMs: b.windowSeconds * 1000 });
  } else if (ctx.req.method !== 'GET') {
    throw methodNotAllowed(ctx);
  }
  sendGraph(ctx, 200, { limit: e.throttleRule.limit, windowSeconds: e.throttleRule.windowMs / 1000 });
}
