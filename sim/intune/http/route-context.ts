/**
 * What every route of the Intune emulator gets (the request, its caller and permissions, the
 * service), Graph's answers (request-id headers, @odata.context, collections with OData query
 * options and paging) and the route table's shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { option, pageOf, parseQuery, project, QueryError, skipToken, type QueryOptions } from '../../entra/odata-query.js';
import type { Actor } from '../audit.js';
import { GraphFailure } from '../graph-failure.js';
import type { IntuneService } from '../intune-service.js';
import type { Requirement } from '../rbac.js';
import { MAX_BODY_BYTES, readJsonBody, requestOrigin, sendJson } from './graph-io.js';

/** HTTP methods the routes serve. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route gets for one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The route pattern's groups, decoded. */
  readonly params: readonly string[];
  readonly service: IntuneService;
  readonly actor: Actor;
  readonly requestId: string;
  readonly clientRequestId: string;
}

/** One endpoint: method, path, the permissions it needs, and what it does. */
export interface Route {
  /** Stable name (docs and the RBAC matrix test). */
  readonly name: string;
  readonly method: Method;
  readonly pattern: RegExp;
  readonly need: Requirement;
  run(ctx: RequestContext): Promise<void> | void;
}

/** request-id and client-request-id, as Graph sends them on every answer. */
export function idHeaders(ctx: Pick<RequestContext, 'requestId' | 'clientRequestId'>): Record<string, string> {
  return { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId };
}

/** Answers with Graph's headers. */
export function send(ctx: RequestContext, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  sendJson(ctx.res, status, body, { ...idHeaders(ctx), ...headers });
}

/** `/beta` or `/v1.0`, as the request named it. */
export function apiVersion(ctx: RequestContext): string {
  return ctx.url.pathname.startsWith('/v1.0/') ? 'v1.0' : 'beta';
}

/** `@odata.context` for a fragment such as `deviceManagement/configurationPolicies/$entity`. */
export function odataContext(ctx: RequestContext, fragment: string): string {
  return `${requestOrigin(ctx.req)}/${apiVersion(ctx)}/$metadata#${fragment}`;
}

/** The JSON object body. @throws GraphFailure 400/413 */
export function body(ctx: RequestContext, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  return readJsonBody(ctx.req, limit);
}

/** A query parameter as `$name` or `name`. */
export function queryOption(ctx: RequestContext, name: string): string | null {
  return option(ctx.url.searchParams, name);
}

/** The `$expand` list, lower case (`settings`, `assignments`). @throws GraphFailure 400 on anything else */
export function expandOf(ctx: RequestContext, allowed: readonly string[]): Set<string> {
  const raw = queryOption(ctx, 'expand');
  const out = new Set<string>();
  if (raw === null) return out;
  for (const part of raw.split(',')) {
    const name = part.trim().replace(/\(.*\)$/, '').toLowerCase();
    if (name === '') continue;
    if (!allowed.includes(name)) throw new GraphFailure(400, 'BadRequest', `Could not find a navigation property named '${part.trim().slice(0, 80)}' to expand.`);
    out.add(name);
  }
  return out;
}

/** How a collection answers OData options. */
export interface CollectionRules {
  /** Every property of the resource, in Graph's order ($select and $orderby check against it). */
  readonly properties: readonly string[];
  readonly type: string;
  readonly defaultTop?: number;
}

/** Parses $filter, $select, $top, $skiptoken, $orderby, $count ($expand is the route's). @throws GraphFailure 400 */
export function collectionQuery(ctx: RequestContext, rules: CollectionRules): QueryOptions {
  const params = new URLSearchParams(ctx.url.searchParams);
  params.delete('$expand');
  params.delete('expand');
  try {
    return parseQuery(params, { properties: rules.properties, defaultTop: rules.defaultTop ?? 100, maxTop: 1000 }, rules.type);
  } catch (e) {
    if (e instanceof QueryError) throw new GraphFailure(400, 'BadRequest', e.message);
    throw e;
  }
}

/** A page of a collection with @odata.context, @odata.count and @odata.nextLink as Graph writes them. */
export function sendCollection(ctx: RequestContext, fragment: string, all: readonly object[], q: QueryOptions): void {
  const page = pageOf(all, q);
  const out: Record<string, unknown> = { '@odata.context': odataContext(ctx, fragment) };
  if (q.count) out['@odata.count'] = page.total;
  if (page.nextSkip !== undefined) {
    const next = new URL(`${requestOrigin(ctx.req)}${ctx.url.pathname}`);
    for (const [k, v] of ctx.url.searchParams) if (k.replace(/^\$/, '') !== 'skiptoken') next.searchParams.set(k, v);
    next.searchParams.set('$skiptoken', skipToken(page.nextSkip));
    out['@odata.nextLink'] = next.toString();
  }
  out['value'] = page.items.map((x) => project(x as Record<string, unknown>, q.select, ['id']));
  send(ctx, 200, out);
}
