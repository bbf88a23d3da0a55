/**
 * OData system query options on the emulator's Graph collections, as Graph SDKs send them:
 * `$filter`, `$select`, `$top`, `$orderby` (one property), `$count`, and the `$skiptoken` of the
 * `@odata.nextLink` it hands out. Graph accepts the options with or without the `$`; so does this.
 * An option it cannot honour is a QueryError (Graph answers 400).
 */
import { compileFilter, FilterError, type Filter } from './odata-filter.js';

/** A query option the emulator cannot honour (Graph answers 400). */
export class QueryError extends Error {}

/** Parsed system query options of a collection request. */
export interface QueryOptions {
  readonly filter: Filter | undefined;
  /** Properties to return (as the resource names them); undefined = all. */
  readonly select: readonly string[] | undefined;
  readonly top: number;
  readonly skip: number;
  readonly orderBy: { readonly property: string; readonly descending: boolean } | undefined;
  readonly count: boolean;
}

/** What a collection accepts. */
export interface QueryRules {
  /** Every property of the resource, in Graph's order. */
  readonly properties: readonly string[];
  /** Page size when no $top is given. */
  readonly defaultTop: number;
  /** Largest $top accepted. */
  readonly maxTop: number;
}

const UNSUPPORTED = ['expand', 'search', 'apply', 'compute', 'levels'];

/** A query option, `$name` or `name`. */
export function option(params: URLSearchParams, name: string): string | null {
  return params.get(`$${name}`) ?? params.get(name);
}

/** Canonical property names of `$select`, or a QueryError naming the unknown one. */
export function parseSelect(raw: string | null, properties: readonly string[], type: string): string[] | undefined {
  if (raw === null) return undefined;
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const want = part.trim();
    if (want === '') continue;
    const found = properties.find((p) => p.toLowerCase() === want.toLowerCase());
    if (!found) throw new QueryError(`Could not find a property named '${want.slice(0, 80)}' on type '${type}'.`);
    if (!out.includes(found)) out.push(found);
  }
  return out.length === 0 ? undefined : out;
}

/** Parses the options of a collection request. @throws QueryError */
export function parseQuery(params: URLSearchParams, rules: QueryRules, type: string): QueryOptions {
  for (const u of UNSUPPORTED) {
    if (option(params, u) !== null) throw new QueryError(`The query option '$${u}' is not supported on this resource.`);
  }
  let filter: Filter | undefined;
  const rawFilter = option(params, 'filter');
  if (rawFilter !== null && rawFilter.trim() !== '') {
    try {
      filter = compileFilter(rawFilter);
    } catch (e) {
      if (e instanceof FilterError) throw new QueryError(`Invalid filter clause: ${e.message}`);
      throw e;
    }
  }
  const select = parseSelect(option(params, 'select'), rules.properties, type);
  const top = parseCount(option(params, 'top'), '$top', rules.defaultTop, 1, rules.maxTop);
  const skip = parseSkipToken(option(params, 'skiptoken'));
  const rawCount = option(params, 'count');
  if (rawCount !== null && rawCount !== 'true' && rawCount !== 'false') throw new QueryError(`Invalid value '${rawCount.slice(0, 20)}' for $count.`);
  return { filter, select, top, skip, orderBy: parseOrderBy(option(params, 'orderby'), rules.properties), count: rawCount === 'true' };
}

function parseCount(raw: string | null, name: string, dflt: number, min: number, max: number): number {
  if (raw === null) return dflt;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new QueryError(`Invalid value '${raw.slice(0, 20)}' for ${name}: expected an integer from ${min} to ${max}.`);
  }
  return Number(raw);
}

function parseOrderBy(raw: string | null, properties: readonly string[]): QueryOptions['orderBy'] {
  if (raw === null || raw.trim() === '') return undefined;
  const m = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  const property = m ? properties.find((p) => p.toLowerCase() === m[1]!.toLowerCase()) : undefined;
  if (!m || !property) throw new QueryError(`Invalid $orderby '${raw.slice(0, 80)}': lapsim orders by one property of the resource, asc or desc.`);
  return { property, descending: m[2]?.toLowerCase() === 'desc' };
}

/** The opaque $skiptoken of a nextLink for `skip` items. */
export function skipToken(skip: number): string {
  return Buffer.from(`lapsim-skip:${skip}`, 'utf8').toString('base64url');
}

function parseSkipToken(raw: string | null): number {
  if (raw === null) return 0;
  const m = /^lapsim-skip:(\d{1,9})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) throw new QueryError('The $skiptoken is not one this service issued.');
  return Number(m[1]);
}

/** Selected properties of an object, in the resource's order. */
export function project(obj: Readonly<Record<string, unknown>>, select: readonly string[] | undefined, always: readonly string[] = []): Record<string, unknown> {
  if (!select) return { ...obj };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) if (select.includes(k) || always.includes(k)) out[k] = obj[k];
  return out;
}

/** One page of a collection. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  /** Skip of the next page; undefined on the last page. */
  readonly nextSkip: number | undefined;
}

/** Filters, orders and cuts one page of `all` (already in the default order). */
export function pageOf<T extends object>(all: readonly T[], q: QueryOptions): Page<T> {
  let items = q.filter ? all.filter((x) => q.filter!(x)) : [...all];
  if (q.orderBy) {
    const { property, descending } = q.orderBy;
    const key = (x: T): string | number => {
      const v = (x as Record<string, unknown>)[property];
      return typeof v === 'number' ? v : typeof v === 'string' ? v.toLowerCase() : '';
    };
    items = items
      .map((x, i) => ({ x, i }))
      .sort((a, b) => {
        const ka = key(a.x);
        const kb = key(b.x);
        const c = ka < kb ? -1 : ka > kb ? 1 : 0;
        return (descending ? -c : c) || a.i - b.i;
      })
      .map((e) => e.x);
  }
  const slice = items.slice(q.skip, q.skip + q.top);
  const next = q.skip + q.top;
  return { items: slice, total: items.length, nextSkip: next < items.length ? next : undefined };
}
