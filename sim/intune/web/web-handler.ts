/**
 * The admin web pages as a mountable node:http handler (`lapsim server` mounts it beside the
 * Graph API on the same port): `handle(req, res)` answers `/`, `/ui` and `/ui/...` (and the fleet
 * event intake, POST /lapsim/fleet/events) and resolves false for any other path. Every page
 * checks, in order: a signed-in session (else the sign-in page), that its admin token is still
 * valid, for a POST the session's CSRF token and the request's origin, then the permissions of
 * the Graph routes it stands for (rbac.ts, the same check as the API), and only then reads or acts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../core/clock.js';
import type { Rng } from '../../../core/rng.js';
import type { EntraEmulator } from '../../entra/entra-emulator.js';
import { headerText, requestOrigin } from '../http/graph-io.js';
import type { IntuneDb } from '../intune-db.js';
import type { IntuneService } from '../intune-service.js';
import { allows } from '../rbac.js';
import { deviceFragments, devicePage, revealPassword, rotate, rotateConfirmPage, routeDevice } from './device-page.js';
import { deviceListPage } from './device-list-page.js';
import { FleetEvents } from './fleet-events.js';
import { intakeEvents } from './fleet-intake.js';
import { FleetSnapshots } from './fleet-snapshot.js';
import { html } from './html.js';
import { LiveStreams } from './live-stream.js';
import { login, loginPage, logout } from './login-page.js';
import { currentOverview, overviewFragments, overviewJson, overviewPage } from './overview-page.js';
import { policyDevicePage, policyFragments, policyListPage, policyPage, routePolicy } from './policy-pages.js';
import { can, lacking, messageCard, needOf, readForm, redirect, sendHtml, sendWebJson, type WebDeps, type WebRequest } from './web-context.js';
import { barePage, page } from './web-layout.js';
import { SessionStore, type SessionLimits } from './web-session.js';

/** What the pages are built from. */
export interface WebHandlerOptions {
  readonly service: IntuneService;
  readonly entra: EntraEmulator;
  readonly db: IntuneDb;
  readonly clock: Clock;
  /** Session ids and CSRF tokens (cryptoRng in `lapsim server`). */
  readonly rng: Rng;
  /** A fleet snapshot younger than this is reused, in ms (default 2,000). */
  readonly snapshotMinAgeMs?: number;
  /** How often live pages check for changes, in ms (default 1,000). */
  readonly liveIntervalMs?: number;
  readonly sessions?: SessionLimits;
}

/** The mounted pages. */
export interface WebHandler {
  /** Answers the request when its path is the pages'; resolves false (nothing written) otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Where a fleet runner in the same process reports its devices' LAPS events. */
  readonly events: FleetEvents;
  readonly snapshots: FleetSnapshots;
  /** Ends the live streams (the server is closing). */
  close(): void;
}

interface Page {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  /** Graph routes whose permissions the page needs, all of them. */
  readonly needs: readonly string[];
  run(w: WebRequest): void;
}

const ID = '([^/]+)';

function withDevice(fn: (w: WebRequest, d: NonNullable<ReturnType<typeof routeDevice>>) => void): (w: WebRequest) => void {
  return (w) => {
    const d = routeDevice(w);
    if (d) fn(w, d);
  };
}

function live(w: WebRequest, streams: LiveStreams): void {
  const topic = w.url.searchParams.get('topic');
  const id = w.url.searchParams.get('id') ?? '';
  const allowed = (routes: readonly string[]): boolean => {
    const grant = w.session.token === undefined ? undefined : w.deps.service.authenticate(w.session.token);
    return grant !== undefined && routes.every((r) => allows(new Set(grant.permissions), needOf(r)));
  };
  const refuse = (routes: readonly string[]): boolean => {
    if (allowed(routes)) return false;
    sendWebJson(w.res, 403, { error: 'Forbidden', message: `Missing: ${routes.flatMap((r) => lacking(w, r)).join(', ')}` });
    return true;
  };
  if (topic === 'overview') {
    const routes = ['lapsimReports.lapsDevices'];
    if (!refuse(routes)) streams.open(w, () => overviewFragments(currentOverview(w)), () => allowed(routes));
  } else if (topic === 'device') {
    const routes = ['managedDevices.get'];
    if (refuse(routes)) return;
    streams.open(w, () => {
      const d = w.deps.db.directory.device(id);
      return d ? deviceFragments(w, d) : undefined;
    }, () => allowed(routes));
  } else if (topic === 'policy') {
    const routes = ['policies.get', 'lapsimReports.policyDeviceStatus'];
    if (refuse(routes)) return;
    streams.open(w, () => {
      const p = w.deps.service.policies.list().find((x) => x.id === id.toLowerCase());
      return p ? policyFragments(w, p) : undefined;
    }, () => allowed(routes));
  } else {
    sendWebJson(w.res, 400, { error: 'BadRequest', message: 'topic must be overview, device or policy.' });
  }
}

function pages(streams: LiveStreams): readonly Page[] {
  return [
    { method: 'GET', pattern: /^\/ui\/$/, needs: ['lapsimReports.lapsDevices'], run: overviewPage },
    { method: 'GET', pattern: /^\/ui\/overview\.json$/, needs: ['lapsimReports.lapsDevices'], run: (w) => overviewJson(w, w.deps.clock) },
    { method: 'GET', pattern: /^\/ui\/live$/, needs: [], run: (w) => live(w, streams) },
    { method: 'GET', pattern: /^\/ui\/devices$/, needs: ['managedDevices.list'], run: deviceListPage },
    { method: 'GET', pattern: new RegExp(`^/ui/devices/${ID}$`), needs: ['managedDevices.get'], run: withDevice((w, d) => devicePage(w, d)) },
    { method: 'POST', pattern: new RegExp(`^/ui/devices/${ID}/password$`), needs: ['managedDevices.get', 'localAdminPassword.reveal'], run: withDevice(revealPassword) },
    { method: 'GET', pattern: new RegExp(`^/ui/devices/${ID}/rotate$`), needs: ['managedDevices.get', 'managedDevices.rotateLocalAdminPassword'], run: withDevice(rotateConfirmPage) },
    { method: 'POST', pattern: new RegExp(`^/ui/devices/${ID}/rotate$`), needs: ['managedDevices.get', 'managedDevices.rotateLocalAdminPassword'], run: withDevice(rotate) },
    { method: 'GET', pattern: /^\/ui\/policies$/, needs: ['policies.list'], run: policyListPage },
    {
      method: 'GET', pattern: new RegExp(`^/ui/policies/${ID}$`), needs: ['policies.get', 'lapsimReports.policyDeviceStatus'],
      run: (w) => { const p = routePolicy(w); if (p) policyPage(w, p); },
    },
    {
      method: 'GET', pattern: new RegExp(`^/ui/policies/${ID}/devices/${ID}$`), needs: ['policies.get', 'lapsimReports.deviceSettings'],
      run: (w) => { const p = routePolicy(w); if (p) policyDevicePage(w, p); },
    },
  ];
}

/** True when a POST comes from this server's own pages (Origin, else Sec-Fetch-Site). */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = headerText(req, 'origin', 300);
  if (origin !== undefined) return origin === requestOrigin(req);
  const site = headerText(req, 'sec-fetch-site', 40);
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** Builds the pages over the emulator. */
export function createWebHandler(o: WebHandlerOptions): WebHandler {
  const sessions = new SessionStore(o.clock, o.rng, o.sessions ?? {});
  const events = new FleetEvents();
  const snapshots = new FleetSnapshots({ service: o.service, entra: o.entra, clock: o.clock, ...(o.snapshotMinAgeMs !== undefined ? { minAgeMs: o.snapshotMinAgeMs } : {}) });
  const deps: WebDeps = { service: o.service, entra: o.entra, db: o.db, clock: o.clock, sessions, snapshots, events, liveIntervalMs: o.liveIntervalMs ?? 1_000 };
  const streams = new LiveStreams();
  const table = pages(streams);
  const authenticate = (token: string): ReturnType<IntuneService['authenticate']> => o.service.authenticate(token);

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (path === '/' || path === '/ui') return redirect(res, '/ui/');
    if (path === '/ui/login') {
      if (req.method === 'GET') return loginPage(req, res, url, sessions, authenticate);
      if (req.method === 'POST') return login(req, res, sessions, authenticate);
    }
    const session = sessions.of(req);
    const grant = session?.token === undefined ? undefined : authenticate(session.token);
    if (!session || !grant) {
      req.resume();
      if (session) sessions.end(session);
      if (req.method === 'GET' && !path.startsWith('/ui/live') && !path.endsWith('.json')) return redirect(res, `/ui/login?next=${encodeURIComponent(`${path}${url.search}`.slice(0, 500))}`);
      if (req.method === 'GET') return sendWebJson(res, 401, { error: 'Unauthorized', message: 'Sign in at /ui/login.' });
      return sendHtml(res, 403, barePage('Signed out', messageCard('Signed out', 'Your session has ended, so this request was refused. Sign in and try again.', { href: '/ui/login', label: 'Sign in' })));
    }
    let form = new URLSearchParams();
    if (req.method === 'POST') {
      const body = await readForm(req);
      const token = body?.get('_csrf') ?? headerText(req, 'x-csrf-token', 100);
      if (!body || !sameOrigin(req) || !sessions.checkCsrf(session, token)) {
        const message = 'The request was refused: it did not come from a page of this server (missing or wrong CSRF token).';
        if ((req.headers.accept ?? '').includes('application/json')) return sendWebJson(res, 403, { error: 'Forbidden', message });
        return sendHtml(res, 403, barePage('Request refused', messageCard('Request refused', message, { href: '/ui/', label: 'Home' })));
      }
      form = body;
    }
    const base = {
      req, res, url, session, grant, held: new Set(grant.permissions), deps, form,
      actor: { principal: grant.principal, permissions: grant.permissions, ipAddress: req.socket.remoteAddress ?? null },
    };
    if (path === '/ui/logout' && req.method === 'POST') return logout(res, sessions, session);
    const matches = table.map((p) => ({ p, m: p.pattern.exec(path) })).filter((x) => x.m !== null);
    const found = matches.find((x) => x.p.method === req.method);
    if (!found) {
      req.resume();
      const w: WebRequest = { ...base, params: [] };
      const [status, title, text] = matches.length > 0 ? [405, 'Method not allowed', 'This page does not take that request.'] : [404, 'Page not found', 'There is no such page.'];
      return sendHtml(res, status, page(w, { title, body: messageCard(title, text, { href: '/ui/', label: 'Home' }) }), status === 405 ? { Allow: [...new Set(matches.map((x) => x.p.method))].join(', ') } : {});
    }
    let params: string[];
    try {
      params = found.m!.slice(1).map((p) => decodeURIComponent(p ?? ''));
    } catch {
      params = [];
    }
    const w: WebRequest = { ...base, params };
    const missing = found.p.needs.filter((r) => !can(w, r));
    if (missing.length > 0) {
      const text = html`Your role does not allow this. It needs: ${[...new Set(missing.flatMap((r) => lacking(w, r)))].join(', ')}.`;
      if (path.startsWith('/ui/live') || path.endsWith('.json') || (req.headers.accept ?? '').includes('application/json')) {
        return sendWebJson(res, 403, { error: 'Forbidden', message: text.toString() });
      }
      return sendHtml(res, 403, page(w, { title: 'Access denied', body: messageCard('Access denied', text, { href: '/ui/', label: 'Home' }) }));
    }
    found.p.run(w);
  }

  return {
    events,
    snapshots,
    close: () => streams.closeAll(),
    async handle(req, res) {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://lapsim.invalid');
      } catch {
        return false;
      }
      if (url.pathname === '/lapsim/fleet/events') {
        await intakeEvents(req, res, o.service, events);
        return true;
      }
      if (url.pathname !== '/' && url.pathname !== '/ui' && !url.pathname.startsWith('/ui/')) return false;
      try {
        await serve(req, res, url);
      } catch (e) {
        o.service.log.error({ path: url.pathname, reason: (e as Error).message }, 'web page failed');
        if (!res.headersSent) sendHtml(res, 500, barePage('Error', messageCard('Something went wrong', 'The server failed to render this page.')));
        else if (!res.writableEnded) res.end();
      }
      return true;
    },
  };
}
