/**
 * The admin web pages over real HTTP on port 0 for integration tests, composed as `lapsim server`
 * composes them (Entra emulator, Intune Graph API, the pages) but on a ManualClock, a seeded Rng
 * and the simulated device channel, so that sessions, times and statuses are exact. WebClient is
 * a browser without a browser: a cookie jar, redirects not followed, forms posted with the
 * page's CSRF token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../core/clock.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { EntraEmulator } from '../../sim/entra/entra-emulator.js';
import { createEntraHandler } from '../../sim/entra/entra-handler.js';
import { EntraStore } from '../../sim/entra/entra-store.js';
import { EmulatorEntraLink, entraGrantOf } from '../../sim/intune/entra-link.js';
import { createIntuneHandler } from '../../sim/intune/http/intune-handler.js';
import { IntuneDb } from '../../sim/intune/intune-db.js';
import { IntuneService } from '../../sim/intune/intune-service.js';
import { createWebHandler, type WebHandler } from '../../sim/intune/web/web-handler.js';
import { SimulatedDevices } from './simulated-devices.js';

export const WEB_ADMIN = 'web-test-admin-token';
export const WEB_EPOCH = Date.UTC(2026, 2, 1, 9, 0, 0);

/** One answer, its body read. */
export interface WebAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** A cookie jar over fetch; redirects are returned, not followed. */
export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<WebAnswer> {
    const r = await fetch(`${this.base}${path}`, {
      method, redirect: 'manual',
      headers: { ...(this.cookies.size > 0 ? { cookie: this.cookieHeader } : {}), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, eq), pair!.slice(eq + 1)];
      if (/Max-Age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: r.status, headers: r.headers, text: await r.text() };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<WebAnswer> {
    return this.request('GET', path, undefined, headers);
  }

  /** Posts a form; `_csrf` is added from the page's token unless given. */
  async post(path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<WebAnswer> {
    const fields = { _csrf: this.csrf, ...form };
    return this.request('POST', path, new URLSearchParams(fields).toString(), headers);
  }

  /** The CSRF token of the last page read with `page`. */
  csrf = '';

  /** GET a page and remember its CSRF token. */
  async page(path: string): Promise<WebAnswer> {
    const a = await this.get(path);
    const m = /name="(?:csrf-token|_csrf)"\s+(?:content|value)="([^"]+)"/.exec(a.text) ?? /name="_csrf" value="([^"]+)"/.exec(a.text);
    if (m) this.csrf = m[1]!;
    return a;
  }

  /** Signs in with a token; throws unless it worked. */
  async signIn(token: string): Promise<void> {
    await this.page('/ui/login');
    const a = await this.post('/ui/login', { token, next: '/ui/' });
    if (a.status !== 303) throw new Error(`sign-in failed: ${a.status} ${a.text.slice(0, 300)}`);
    await this.page('/ui/');
  }
}

/** The composed server. */
export class WebHarness {
  readonly clock = new ManualClock(WEB_EPOCH);
  readonly devices = new SimulatedDevices(this.clock);
  readonly entraStore = EntraStore.open(':memory:');
  readonly db = IntuneDb.open(':memory:');
  readonly entra: EntraEmulator;
  readonly service: IntuneService;
  readonly web: WebHandler;
  url = '';
  #http: Server | undefined;

  private constructor() {
    const rng = new SeededRng(8);
    let service: IntuneService | undefined;
    this.entra = new EntraEmulator({
      store: this.entraStore, clock: this.clock, rng: rng.fork('entra'),
      authenticate: (token) => {
        const grant = service?.authenticate(token);
        return grant ? entraGrantOf(grant, tenantId) : undefined;
      },
    });
    const tenantId = this.entra.ensureDefaultTenant(true).tenantId;
    this.entra.setMasterToken(WEB_ADMIN);
    service = new IntuneService({ db: this.db, clock: this.clock, rng, entra: new EmulatorEntraLink(this.entra) });
    this.service = service;
    service.setMasterToken(WEB_ADMIN);
    this.devices.sink = service;
    service.attachDelivery(this.devices);
    this.web = createWebHandler({ service, entra: this.entra, db: this.db, clock: this.clock, rng: rng.fork('web'), snapshotMinAgeMs: 0 });
  }

  static async start(): Promise<WebHarness> {
    const h = new WebHarness();
    const entra = createEntraHandler(h.entra);
    const intune = createIntuneHandler(h.service);
    const server = createServer((req, res) => {
      void (async () => {
        if (await entra.handle(req, res)) return;
        if (await intune.handle(req, res)) return;
        if (await h.web.handle(req, res)) return;
        res.writeHead(404).end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    h.#http = server;
    h.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return h;
  }

  async close(): Promise<void> {
    this.web.close();
    const s = this.#http;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    this.db.close();
    this.entraStore.close();
  }

  /** A Graph API call with a bearer token; returns status and JSON. */
  async api(method: string, path: string, body?: unknown, token = WEB_ADMIN): Promise<{ status: number; json: Record<string, unknown> }> {
    const r = await fetch(`${this.url}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  /** A token with roles. */
  async token(roles: string[], permissions: string[] = []): Promise<string> {
    const r = await this.api('POST', '/lapsim/intune/tokens', { roles, permissions });
    if (r.status !== 201) throw new Error(`token: ${r.status}`);
    return r.json['token'] as string;
  }

  /** Registers a device on the simulated channel; returns its ids and Entra credential. */
  async register(deviceName: string, joinType: 'entra' | 'hybrid' = 'entra'): Promise<{ managedDeviceId: string; deviceId: string; objectId: string; entra: { tenantId: string; deviceToken: string } }> {
    const r = await this.api('POST', '/lapsim/intune/devices', { deviceName, joinType, osVersion: '10.0.26100.4349' });
    if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.json)}`);
    const d = r.json as unknown as { managedDeviceId: string; deviceId: string; objectId: string; entra: { tenantId: string; deviceToken: string } };
    this.devices.add(d.deviceId);
    return d;
  }

  /** The device backs up a password to Entra now. */
  async backup(d: { deviceId: string; entra: { tenantId: string; deviceToken: string } }, password: string, ageDays = 30): Promise<void> {
    const now = this.clock.now();
    const r = await fetch(`${this.url}/manage/${d.entra.tenantId}/lapsdevicepasswordupdate/${d.deviceId}?api-version=1.0`, {
      method: 'POST', headers: { Authorization: `Bearer ${d.entra.deviceToken}`, 'Content-Type': 'application/json', 'User-Agent': 'Windows LAPS' },
      body: JSON.stringify({
        accountName: 'WLapsAdmin', accountSid: 'S-1-5-21-1004336348-1177238915-682003330-1004', password,
        passwordUpdateTime: new Date(now).toISOString(), passwordExpiryTime: new Date(now + ageDays * 86_400_000).toISOString(),
      }),
    });
    if (r.status !== 200) throw new Error(`backup: ${r.status} ${await r.text()}`);
  }
}
