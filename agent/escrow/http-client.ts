/**
 * A small HTTP(S) client on node:http/node:https for the directory adapters: one request, a
 * bounded response read as text, a socket inactivity timeout, and an optional CA (PEM) for a
 * server with its own certificate. Any answer is a response, whatever its status; only the
 * transport failing (refused, reset, timeout, TLS) is a TransportError.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One HTTP request. */
export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** PEM certificate(s) to trust instead of the default CAs (HTTPS only). */
  readonly ca?: string;
  /** Socket inactivity limit in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Largest response body read, in bytes (default 1 MiB). */
  readonly maxResponseBytes?: number;
}

/** An HTTP answer, whatever its status. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** The request never got an HTTP answer; `code` is Node's (ECONNREFUSED, ETIMEDOUT, a TLS code...). */
export class TransportError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Socket inactivity limit when none is given, in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE = 1024 * 1024;

/** Sends one request. @throws TransportError */
export function httpCall(c: HttpCall): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(c.url);
    } catch {
      reject(new TransportError('EINVALIDURL', `not a URL: ${c.url.slice(0, 200)}`));
      return;
    }
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:') {
      reject(new TransportError('EPROTOCOL', `unsupported protocol ${url.protocol}`));
      return;
    }
    const limit = c.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
    const headers: Record<string, string> = { Accept: 'application/json', ...c.headers };
    if (c.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(c.body));
    // One connection per call (agent: false): a device posts once per rotation, and a pooled
    // socket to a server that has since gone would turn "refused" into "reset".
    const opts = { method: c.method, headers, agent: false, timeout: c.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(https && c.ca !== undefined ? { ca: c.ca } : {}) };
    const req = (https ? httpsRequest : httpRequest)(url, opts, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          res.destroy();
          req.destroy(new TransportError('ERESPONSETOOLARGE', `the response is larger than ${limit} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => reject(asTransport(e)));
    });
    req.on('timeout', () => req.destroy(new TransportError('ETIMEDOUT', `no answer within ${opts.timeout} ms`)));
    req.on('error', (e) => reject(asTransport(e)));
    req.end(c.body);
  });
}

function asTransport(e: Error): TransportError {
  if (e instanceof TransportError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  return new TransportError(code, `${code}: ${e.message}`.slice(0, 300));
}
