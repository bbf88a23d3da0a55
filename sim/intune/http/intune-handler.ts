/**
 * The Intune emulator as a mountable node:http request handler: `handle(req, res)` answers the
 * requests whose path is one of its routes and resolves false for any other path, so that one
 * server can also mount the Entra emulator and the device channel. For a route it checks the
 * method (405), the bearer token (401) and the route's permissions (403) before reading any body;
 * every failure is a Graph error body, and the handler never throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Actor } from '../audit.js';
import { GraphFailure } from '../graph-failure.js';
import { graphTime } from '../graph-time.js';
import type { IntuneService } from '../intune-service.js';
import { allows, missing } from '../rbac.js';
import { ADMIN_ROUTES } from './admin-routes.js';
import { DEVICE_ROUTES } from './device-routes.js';
import { DIRECTORY_ROUTES } from './directory-routes.js';
import { bearerToken, headerText, sendJson } from './graph-io.js';
import { POLICY_ROUTES } from './policy-routes.js';
import { REPORT_ROUTES } from './report-routes.js';
import type { RequestContext, Route } from './route-context.js';

/** Every route of the Intune emulator, tried in order. */
export const INTUNE_ROUTES: readonly Route[] = [...POLICY_ROUTES, ...DIRECTORY_ROUTES, ...DEVICE_ROUTES, ...REPORT_ROUTES, ...ADMIN_ROUTES];

/** The mountable handler. */
export interface IntuneHandler {
  readonly service: IntuneService;
  /** Answers the request when its path is the emulator's; resolves false (nothing written) otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

function graphError(code: string, message: string, at: number, requestId: string, clientRequestId: string): object {
  return { error: { code, message, innerError: { date: graphTime(at).slice(0, 19), 'request-id': requestId, 'client-request-id': clientRequestId } } };
}

/** Builds the handler over a service. */
export function createIntuneHandler(service: IntuneService): IntuneHandler {
  return {
    service,
    async handle(req, res) {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://lapsim.invalid');
      } catch {
        return false;
      }
      const matches: { route: Route; params: string[] }[] = [];
      for (const route of INTUNE_ROUTES) {
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        let params: string[];
        try {
          params = m.slice(1).map((p) => (p === undefined ? p : decodeURIComponent(p))) as string[];
        } catch {
          continue;
        }
        matches.push({ route, params });
      }
      if (matches.length === 0) return false;
      const requestId = service.guid();
      const clientRequestId = headerText(req, 'client-request-id', 100) ?? requestId;
      const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}): void => {
        if (res.headersSent) return;
        sendJson(res, status, graphError(code, message, service.clock.now(), requestId, clientRequestId),
          { 'request-id': requestId, 'client-request-id': clientRequestId, ...headers });
      };
      const found = matches.find((m) => m.route.method === req.method);
      if (!found) {
        req.resume();
        fail(405, 'BadRequest', 'Specified HTTP method is not allowed for the request target.', { Allow: [...new Set(matches.map((m) => m.route.method))].join(', ') });
        return true;
      }
      const token = bearerToken(req);
      const grant = token === undefined ? undefined : service.authenticate(token);
      if (!grant) {
        req.resume();
        fail(401, 'InvalidAuthenticationToken', token === undefined ? 'Access token is empty.' : 'Access token validation failure.',
          { 'WWW-Authenticate': 'Bearer realm="lapsim"' });
        return true;
      }
      const held = new Set(grant.permissions);
      if (!allows(held, found.route.need)) {
        req.resume();
        fail(403, 'Forbidden', `The caller lacks the permission this request needs: ${missing(held, found.route.need).join(', ')}.`);
        return true;
      }
      const actor: Actor = { principal: grant.principal, permissions: grant.permissions, ipAddress: req.socket.remoteAddress ?? null };
      const ctx: RequestContext = { req, res, url, params: found.params, service, actor, requestId, clientRequestId };
      try {
        await found.route.run(ctx);
      } catch (e) {
        req.resume();
        if (e instanceof GraphFailure) {
          fail(e.status, e.graphCode, e.message, e.headers);
        } else {
          service.log.error({ route: found.route.name, reason: (e as Error).message }, 'request failed');
          fail(500, 'InternalServerError', 'The emulator failed to answer this request.');
        }
      }
      return true;
    },
  };
}
