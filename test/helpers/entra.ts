/**
 * The Entra emulator on port 0 for integration tests (in-memory SQLite unless a folder is given,
 * a ManualClock, a seeded Rng), with small Graph / admin / device HTTP helpers.
 */
import { ManualClock } from '../../core/clock.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { Secret } from '../../core/secret.js';
import { httpCall, type HttpAnswer } from '../../agent/escrow/http-client.js';
import { EntraDirectory } from '../../agent/escrow/entra-directory.js';
import { startEntraServer, type EntraServer, type EntraServerOptions } from '../../sim/entra/entra-server.js';

export const ADMIN = 'test-admin-token';
export const MARCH_1 = Date.UTC(2026, 2, 1, 9, 0, 0);

export interface TestEmulator {
  server: EntraServer;
  clock: ManualClock;
  /** JSON of a request with a bearer token (undefined: none). */
  call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, token?: string, body?: unknown, headers?: Record<string, string>): Promise<Json>;
  /** Registers a device; returns its id, credential and reader token. */
  register(displayName: string, extra?: Record<string, unknown>): Promise<{ deviceId: string; objectId: string; deviceToken: string; readerToken: string }>;
  /** A Graph token with these permissions. */
  token(permissions: string[], extra?: Record<string, unknown>): Promise<string>;
  /** The device backend for devices registered here. */
  directory(devices: Map<string, { deviceToken: string; readerToken: string }>): EntraDirectory;
}

export interface Json extends HttpAnswer {
  json: Record<string, unknown>;
}

export async function startTestEmulator(opts: Partial<EntraServerOptions> = {}): Promise<TestEmulator> {
  const clock = new ManualClock(MARCH_1);
  const server = await startEntraServer({ dataDir: ':memory:', adminToken: ADMIN, clock, rng: new SeededRng(7), ...opts });
  const call: TestEmulator['call'] = async (method, path, token, body, headers = {}) => {
    const a = await httpCall({
      method, url: `${server.url}${path}`,
      headers: { ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      ...(server.certificate !== undefined ? { ca: server.certificate } : {}),
    });
    let json: Record<string, unknown> = {};
    try {
      json = a.text === '' ? {} : (JSON.parse(a.text) as Record<string, unknown>);
    } catch {
      json = { notJson: a.text };
    }
    return { ...a, json };
  };
  return {
    server, clock, call,
    async register(displayName, extra = {}) {
      const r = await call('POST', '/lapsim/entra/tenants/default/devices', ADMIN, { displayName, readerToken: true, ...extra });
      if (r.status !== 201) throw new Error(`registration failed: ${r.status} ${r.text}`);
      return r.json as { deviceId: string; objectId: string; deviceToken: string; readerToken: string };
    },
    async token(permissions, extra = {}) {
      const r = await call('POST', '/lapsim/entra/tokens', ADMIN, { permissions, ...extra });
      if (r.status !== 201) throw new Error(`token failed: ${r.status} ${r.text}`);
      return r.json['token'] as string;
    },
    directory(devices) {
      return new EntraDirectory({
        baseUrl: server.url, rng: new SeededRng(11), clock,
        ...(server.certificate !== undefined ? { ca: server.certificate } : {}),
        auth: (id) => {
          const d = devices.get(id);
          return d ? { tenantId: server.tenantId, deviceToken: new Secret(d.deviceToken), readerToken: new Secret(d.readerToken) } : undefined;
        },
      });
    },
  };
}

/** The body of a device password update. */
export function updateBody(password: string, at = MARCH_1, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deviceName: 'PC-0142', accountName: 'WLapsAdmin', accountSid: 'S-1-5-21-1004336348-1177238915-682003330-1004', password,
    passwordUpdateTime: new Date(at).toISOString(), passwordExpiryTime: new Date(at + 30 * 86_400_000).toISOString(), ...patch,
  };
}
