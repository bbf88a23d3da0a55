/**
 * HTTP plumbing of the Entra emulator on node:http: bounded JSON bodies, JSON answers, bearer
 * tokens. A body that is too large, not JSON or not an object is an HttpFailure that the routes
 * turn into a 4xx JSON answer; nothing a client sends can crash the server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body the emulator reads (every legitimate body is well under 4 KiB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** A request failure with the status and body to answer with. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: object,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** Why a request body could not be used. */
export type BodyError = 'too-large' | 'not-json' | 'not-object' | 'aborted';

/** Reads the request body as a JSON object; throws an HttpFailure made by `fail`. */
export async function readJsonObject(
  req: IncomingMessage, fail: (kind: BodyError, message: string) => HttpFailure, limit = MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw fail('too-large', `The request body is larger than ${limit} bytes.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk as Buffer);
    }
  } catch {
    throw fail('aborted', 'The request body could not be read.');
  }
  if (tooLarge) throw fail('too-large', `The request body is larger than ${limit} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw fail('not-json', 'The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('not-object', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** Writes `body` as JSON with `status`. */
export function sendJson(
  res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}, contentType = 'application/json; charset=utf-8',
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** The bearer token of the request, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S{1,4096})\s*$/i.exec(h);
  return m?.[1];
}

/** The header's value when it is a short, plain string; else undefined. */
export function headerText(req: IncomingMessage, name: string, max = 256): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

/** `http(s)://host` the client used, for @odata.context and nextLink. */
export function requestOrigin(req: IncomingMessage): string {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const given = headerText(req, 'host', 300);
  const host = given !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(given) ? given : `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
  return `${encrypted ? 'https' : 'http'}://${host}`;
}
