/**
 * What every route of the Entra emulator gets, and the Graph-style answers and failures the Graph
 * and admin routes share (request-id / client-request-id headers, Graph's error body).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntraEmulator } from './entra-emulator.js';
import type { TenantRecord, TokenGrant } from './entra-store.js';
import { graphError } from './graph-format.js';
import { bearerToken, HttpFailure, readJsonObject, sendJson } from './http-io.js';

/** One request as a route sees it. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Path segments after the route's prefix, decoded. */
  readonly params: readonly string[];
  readonly emulator: EntraEmulator;
  readonly requestId: string;
  /** The caller's client-request-id, else the request id. */
  readonly clientRequestId: string;
}

/** Graph's JSON content type. */
export const GRAPH_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

function ids(ctx: RouteContext): Record<string, string> {
  return { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId };
}

/** A Graph-style failure: `{"error":{"code","message","innerError":{...}}}`. */
export function graphFailure(ctx: RouteContext, status: number, code: string, message: string): HttpFailure {
  return new HttpFailure(status, graphError(code, message, ctx.emulator.clock.now(), ctx.requestId, ctx.clientRequestId), ids(ctx));
}

/** Answers with Graph's headers. */
export function sendGraph(ctx: RouteContext, status: number, body: unknown): void {
  sendJson(ctx.res, status, body, { ...ids(ctx), 'OData-Version': '4.0' }, GRAPH_CONTENT_TYPE);
}

/** Graph's 405 for a method the route does not serve. */
export function methodNotAllowed(ctx: RouteContext): HttpFailure {
  return graphFailure(ctx, 405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
}

/**
 * The caller's Graph grant when it holds one of `anyOf`: 401 without a valid admin token, 403
 * without the permission (Graph's Authorization_RequestDenied).
 */
export function requireGraph(ctx: RouteContext, anyOf: readonly string[]): { grant: TokenGrant; tenant: TenantRecord } {
  const token = bearerToken(ctx.req);
  if (token === undefined) throw graphFailure(ctx, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
  const grant = ctx.emulator.authenticate(token);
  const tenant = grant?.tenantId !== undefined ? ctx.emulator.store.tenant(grant.tenantId) : undefined;
  if (!grant || grant.kind === 'device' || !tenant) throw graphFailure(ctx, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
  if (!anyOf.some((p) => grant.permissions.includes(p))) {
    throw graphFailure(ctx, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
  return { grant, tenant };
}

/** The JSON object body of a Graph or admin request; 400/413 Graph-style when it is not one. */
export function readGraphBody(ctx: RouteContext): Promise<Record<string, unknown>> {
  return readJsonObject(ctx.req, (kind, message) =>
    graphFailure(ctx, kind === 'too-large' ? 413 : 400, kind === 'too-large' ? 'Request_EntityTooLarge' : 'BadRequest', message));
}
