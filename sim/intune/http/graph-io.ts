/**
 * HTTP plumbing of the Intune emulator on node:http: bounded bodies read as JSON whatever the
 * exporting tool wrote (UTF-8 with or without a BOM, UTF-16LE/BE with a BOM or without one, CRLF),
 * Graph's JSON answers and error body, CSV answers for lists. A body that is too large, not JSON
 * or not an object is a GraphFailure (413 or 400); nothing a client sends can crash the server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphFailure } from '../graph-failure.js';

/** Largest body of most requests. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Largest policy body (a full export with annotations is a few tens of KiB). */
export const MAX_POLICY_BODY_BYTES = 1024 * 1024;

/** Graph's JSON content type. */
export const GRAPH_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** Decodes a body as the tools that export policies write it. */
export function decodeBody(buf: Buffer): string {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  // UTF-16LE without a BOM: JSON starts with an ASCII character followed by a zero byte.
  if (buf.length >= 2 && buf.length % 2 === 0 && buf[0] !== 0 && buf[1] === 0) return buf.toString('utf16le');
  return buf.toString('utf8');
}

/** Reads the request body as a JSON object. @throws GraphFailure 400 or 413 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const tooLarge = (): GraphFailure => new GraphFailure(413, 'RequestEntityTooLarge', `The request body is larger than ${limit} bytes.`);
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) over = true;
      else chunks.push(chunk as Buffer);
    }
  } catch {
    throw new GraphFailure(400, 'BadRequest', 'The request body could not be read.');
  }
  if (over) throw tooLarge();
  const text = decodeBody(Buffer.concat(chunks));
  if (text.trim() === '') throw new GraphFailure(400, 'BadRequest', 'The request body is empty; a JSON object is expected.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GraphFailure(400, 'BadRequest', `The request body is not valid JSON (${(e as Error).message.slice(0, 120)}).`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new GraphFailure(400, 'BadRequest', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** Drains a body the route does not read (so that keep-alive connections stay usable). */
export function discardBody(req: IncomingMessage): void {
  req.resume();
}

/** Writes `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': GRAPH_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', 'OData-Version': '4.0', ...headers });
  res.end(text);
}

/** Answers 204 No Content. */
export function sendNoContent(res: ServerResponse, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(204, { 'Cache-Control': 'no-store', ...headers });
  res.end();
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document with a header line, CRLF line ends. */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [columns.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\r\n') + '\r\n';
}

/** Writes a CSV answer. */
export function sendCsv(res: ServerResponse, text: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** The bearer token of the request, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  return /^Bearer\s+(\S{1,4096})\s*$/i.exec(h)?.[1];
}

/** The header's value when it is a short, plain string. */
export function headerText(req: IncomingMessage, name: string, max = 256): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

/** `http://host:port` as the client addressed the server, for @odata.context and nextLink. */
export function requestOrigin(req: IncomingMessage): string {
  const given = headerText(req, 'host', 300);
  const host = given !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(given) ? given : `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
  return `http://${host}`;
}
