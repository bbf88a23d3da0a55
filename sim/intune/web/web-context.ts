/**
 * What every web page gets (the request, its session, its caller's grant and permissions, the
 * emulator's services) and what it answers with (HTML with the security headers, redirects, JSON,
 * error pages). Permissions are never listed here: a page names the Graph route whose
 * requirement it shares (`needOf('managedDevices.get')`), so the pages and the API check exactly
 * the same role table (rbac.ts) for the same thing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../core/clock.js';
import { ImplementationError } from '../../../core/errors.js';
import type { EntraEmulator } from '../../entra/entra-emulator.js';
import type { Actor } from '../audit.js';
import { INTUNE_ROUTES } from '../http/intune-handler.js';
import type { IntuneDb } from '../intune-db.js';
import type { IntuneService } from '../intune-service.js';
import type { TokenGrant } from '../policy-store.js';
import { allows, missing, type Requirement } from '../rbac.js';
import type { FleetEvents } from './fleet-events.js';
import type { FleetSnapshots } from './fleet-snapshot.js';
import { html, type SafeHtml } from './html.js';
import { SCRIPT_HASH } from './web-script.js';
import type { SessionStore, WebSession } from './web-session.js';
import { STYLE_HASH } from './web-style.js';

/** The services the pages read and act through. */
export interface WebDeps {
  readonly service: IntuneService;
  /** The emulator's database, for the paged device list (reads only). */
  readonly db: IntuneDb;
  readonly entra: EntraEmulator;
  readonly clock: Clock;
  readonly sessions: SessionStore;
  readonly snapshots: FleetSnapshots;
  readonly events: FleetEvents;
  /** How often a live page's stream checks for changes, in ms. */
  readonly liveIntervalMs: number;
}

/** One signed-in request. */
export interface WebRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The route pattern's groups, decoded. */
  readonly params: readonly string[];
  readonly session: WebSession;
  readonly grant: TokenGrant;
  readonly held: ReadonlySet<string>;
  /** The caller as the API's audit records it. */
  readonly actor: Actor;
  readonly deps: WebDeps;
  /** The urlencoded body of a POST (empty for GET). */
  readonly form: URLSearchParams;
}

/** The requirement of the Graph route with this name. @throws ImplementationError for an unknown name */
export function needOf(routeName: string): Requirement {
  const r = INTUNE_ROUTES.find((x) => x.name === routeName);
  if (!r) throw new ImplementationError(`no Intune route named ${routeName}`);
  return r.need;
}

/** True when the caller holds what the Graph route `routeName` needs. */
export function can(w: Pick<WebRequest, 'held'>, routeName: string): boolean {
  return allows(w.held, needOf(routeName));
}

/** The permissions the caller lacks for the route, for the 403 page. */
export function lacking(w: Pick<WebRequest, 'held'>, routeName: string): string[] {
  return missing(w.held, needOf(routeName));
}

/** Content-Security-Policy of every page: nothing but this server, the inline style and script by hash. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", `style-src ${STYLE_HASH}`, `script-src ${SCRIPT_HASH}`, "img-src 'self' data:", "connect-src 'self'",
  "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
].join('; ');

/** Headers of every web answer. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin', 'Cache-Control': 'no-store', 'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

/** Writes an HTML page. */
export function sendHtml(res: ServerResponse, status: number, page: SafeHtml, headers: Readonly<Record<string, string>> = {}): void {
  const text = `<!doctype html>\n${page.toString()}`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...securityHeaders(), ...headers });
  res.end(text);
}

/** Writes JSON (the pages' own endpoints). */
export function sendWebJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...securityHeaders(), ...headers });
  res.end(text);
}

/** 303 See Other to a path of this server. */
export function redirect(res: ServerResponse, location: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(303, { Location: location, 'Content-Length': 0, ...securityHeaders(), ...headers });
  res.end();
}

/** The `next` a sign-in may return to: a path of the pages, nothing else (no open redirect). */
export function safeNext(raw: string | null): string {
  if (raw === null || raw.length > 512 || !raw.startsWith('/ui/') || raw.startsWith('//') || /[\\\r\n\t]/.test(raw)) return '/ui/';
  return raw;
}

/** Largest form body the pages accept. */
export const MAX_FORM_BYTES = 16 * 1024;

/** Reads an urlencoded form body; undefined when it is too large or unreadable. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > MAX_FORM_BYTES) {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_FORM_BYTES) return undefined;
      chunks.push(chunk as Buffer);
    }
  } catch {
    return undefined;
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A short message card (errors, notices). */
export function messageCard(title: string, text: string | SafeHtml, link?: { href: string; label: string }): SafeHtml {
  return html`<div class="card"><h2>${title}</h2><p>${text}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}</div>`;
}
