/**
 * The Entra emulator as a mountable node:http request handler: `handle(req, res)` answers the
 * requests whose path is the emulator's (the device endpoint, its Graph subset, /lapsim/entra)
 * and returns false for any other path, so that a host server (the management server emulator)
 * can serve both on one port. Every failure is a JSON answer; the handler never throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { guidFromBytes } from '../../core/ids.js';
import type { EntraEmulator, DeviceBody } from './entra-emulator.js';
import { adminDevice, adminRoot, adminTenant, adminTenantDevices, adminTenants, adminThrottle, adminTokens } from './admin-routes.js';
import { deviceRegistrationPolicy, directoryAudits, getDeviceLocalCredential, listDeviceLocalCredentials } from './graph-routes.js';
import { bearerToken, headerText, HttpFailure, readJsonObject, sendJson } from './http-io.js';
import type { RouteContext } from './route-context.js';

type Route = { readonly pattern: RegExp; readonly run: (ctx: RouteContext) => Promise<void> };

const SEG = "([^/]+)";
const GRAPH = '/(?:v1\\.0|beta)';
const CREDS = `${GRAPH}/(?:directory/)?deviceLocalCredentials`;

/** The routes, tried in order; a pattern's groups become `params`. */
const ROUTES: readonly Route[] = [
  { pattern: new RegExp(`^/manage/${SEG}/lapsdevicepasswordupdate/${SEG}$`, 'i'), run: devicePasswordUpdate },
  { pattern: new RegExp(`^${CREDS}$`), run: listDeviceLocalCredentials },
  { pattern: new RegExp(`^${CREDS}\\('([^'/]+)'\\)$`), run: getDeviceLocalCredential },
  { pattern: new RegExp(`^${CREDS}/${SEG}$`), run: getDeviceLocalCredential },
  { pattern: new RegExp(`^${GRAPH}/auditLogs/directoryAudits$`), run: directoryAudits },
  { pattern: new RegExp(`^${GRAPH}/auditLogs/directoryAudits/${SEG}$`), run: directoryAudits },
  { pattern: /^\/beta\/policies\/deviceRegistrationPolicy$/, run: deviceRegistrationPolicy },
  { pattern: /^\/lapsim\/entra\/?$/, run: adminRoot },
  { pattern: /^\/lapsim\/entra\/tenants$/, run: adminTenants },
  { pattern: new RegExp(`^/lapsim/entra/tenants/${SEG}$`), run: adminTenant },
  { pattern: new RegExp(`^/lapsim/entra/tenants/${SEG}/devices$`), run: adminTenantDevices },
  { pattern: new RegExp(`^/lapsim/entra/devices/${SEG}$`), run: adminDevice },
  { pattern: /^\/lapsim\/entra\/tokens$/, run: adminTokens },
  { pattern: /^\/lapsim\/entra\/throttle$/, run: adminThrottle },
];

/** The emulator's request handler. */
export interface EntraHandler {
  readonly emulator: EntraEmulator;
  /** Answers the request when its path is the emulator's; resolves false (nothing written) otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

function route(pathname: string): { route: Route; params: string[] } | undefined {
  for (const r of ROUTES) {
    const m = r.pattern.exec(pathname);
    if (m) return { route: r, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}

/** Builds the handler over an emulator. */
export function createEntraHandler(emulator: EntraEmulator): EntraHandler {
  return {
    emulator,
    async handle(req, res) {
      let url: URL;
      let found: ReturnType<typeof route>;
      try {
        url = new URL(req.url ?? '/', 'http://lapsim.invalid');
        found = route(url.pathname);
      } catch {
        return false;
      }
      if (!found) return false;
      const requestId = guidFromBytes(emulator.rng.bytes(16));
      const clientRequestId = headerText(req, 'client-request-id', 100) ?? url.searchParams.get('client-request-id')?.slice(0, 100) ?? requestId;
      const ctx: RouteContext = { req, res, url, params: found.params, emulator, requestId, clientRequestId };
      try {
        await found.route.run(ctx);
      } catch (e) {
        if (e instanceof HttpFailure) {
          if (!res.headersSent) sendJson(res, e.status, e.body, e.headers);
        } else {
          emulator.log.error({ path: url.pathname, reason: (e as Error).message }, 'request failed');
          if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalServerError', message: 'The emulator failed to answer this request.' } });
        }
      }
      return true;
    },
  };
}

/** POST /manage/{tenantId}/lapsdevicepasswordupdate/{deviceId}?api-version=1.0 (docs/entra-api.md). */
async function devicePasswordUpdate(ctx: RouteContext): Promise<void> {
  const e = ctx.emulator;
  if (ctx.req.method !== 'POST') {
    ctx.req.resume();
    sendJson(ctx.res, 405, e.adrsError('invalid_request', 'error_method_not_allowed', 'Only POST is served here.', ctx.requestId), { Allow: 'POST' });
    return;
  }
  if (ctx.url.searchParams.get('api-version') !== '1.0') {
    ctx.req.resume();
    sendJson(ctx.res, 400, e.adrsError('invalid_request', 'error_unsupported_api_version', 'The api-version query parameter must be 1.0.', ctx.requestId));
    return;
  }
  let body: DeviceBody;
  try {
    body = { ok: true, value: await readJsonObject(ctx.req, (kind, message) => new HttpFailure(kind === 'too-large' ? 413 : 400, { kind, message })) };
  } catch (err) {
    const f = err as HttpFailure;
    const detail = f.body as { kind: string; message: string };
    body = { ok: false, status: f.status, subcode: detail.kind === 'too-large' ? 'error_request_too_large' : 'error_invalid_body', message: detail.message };
  }
  const [tenantId, deviceId] = ctx.params as [string, string];
  const answer = e.devicePasswordUpdate(tenantId, deviceId, bearerToken(ctx.req), body, headerText(ctx.req, 'user-agent', 512) ?? '', ctx.requestId);
  sendJson(ctx.res, answer.status, answer.body, { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId, ...answer.headers });
}
