/**
 * The Intune emulator over real HTTP on port 0 for integration tests: its service with the Entra
 * emulator mounted beside it (as `lapsim server` does), SQLite in memory or in a folder (so that
 * a test can restart it), a ManualClock, a seeded Rng, and the simulated device channel. Small
 * helpers call the API, issue role tokens, register devices and back up passwords to Entra.
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
import { SimulatedDevices } from './simulated-devices.js';

export const ADMIN = 'intune-test-admin';
export const MARCH_1 = Date.UTC(2026, 2, 1, 9, 0, 0);

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

export interface RegisteredDevice {
  readonly managedDeviceId: string;
  readonly deviceId: string;
  readonly objectId: string;
  readonly channelToken: string;
  readonly entra: { readonly tenantId: string; readonly deviceToken: string };
}

export class IntuneHarness {
  readonly devices: SimulatedDevices;
  service!: IntuneService;
  url = '';
  #http: Server | undefined;
  #db: IntuneDb | undefined;
  #entraStore: EntraStore | undefined;
  #seed = 1;

  private constructor(readonly dataDir: string, readonly clock: ManualClock) {
    this.devices = new SimulatedDevices(clock);
  }

  /** Starts the emulator; `dataDir` ':memory:' (default) or a folder that survives `restart`. */
  static async start(dataDir = ':memory:'): Promise<IntuneHarness> {
    const h = new IntuneHarness(dataDir, new ManualClock(MARCH_1));
    await h.#open();
    return h;
  }

  async #open(): Promise<void> {
    const rng = new SeededRng(this.#seed++);
    this.#entraStore = EntraStore.open(this.dataDir);
    const entra = new EntraEmulator({
      store: this.#entraStore, clock: this.clock, rng: rng.fork('entra'),
      authenticate: (token) => {
        const grant = this.service.authenticate(token);
        return grant ? entraGrantOf(grant, tenantId) : undefined;
      },
    });
    const tenantId = entra.ensureDefaultTenant(true).tenantId;
    entra.setMasterToken(ADMIN);
    this.#db = IntuneDb.open(this.dataDir);
    this.service = new IntuneService({ db: this.#db, clock: this.clock, rng, entra: new EmulatorEntraLink(entra) });
    this.service.setMasterToken(ADMIN);
    this.devices.sink = this.service;
    this.service.attachDelivery(this.devices);
    const entraHandler = createEntraHandler(entra);
    const intuneHandler = createIntuneHandler(this.service);
    const server = createServer((req, res) => {
      void (async () => {
        if (await entraHandler.handle(req, res)) return;
        if (await intuneHandler.handle(req, res)) return;
        res.writeHead(404).end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#http = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops the server and closes the databases. */
  async close(): Promise<void> {
    const s = this.#http;
    this.#http = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    this.#db?.close();
    this.#entraStore?.close();
  }

  /** Closes and reopens everything on the same data folder; the channel forgets its queues. */
  async restart(): Promise<void> {
    await this.close();
    this.devices.dropQueues();
    await this.#open();
  }

  /** One request; the body is JSON unless it is a Buffer or a string. */
  async call(method: string, path: string, token: string | null = ADMIN, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = {
      method,
      headers: { ...(token !== null ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    };
    if (body !== undefined) init.body = Buffer.isBuffer(body) ? new Uint8Array(body) : typeof body === 'string' ? body : JSON.stringify(body);
    const r = await fetch(`${this.url}${path}`, init);
    const text = await r.text();
    let json: Record<string, unknown> = {};
    try {
      json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      json = {};
    }
    return { status: r.status, text, headers: r.headers, json };
  }

  /** A call that must answer `status`; returns its JSON. */
  async ok(method: string, path: string, status: number, body?: unknown, token: string = ADMIN): Promise<Record<string, unknown>> {
    const a = await this.call(method, path, token, body);
    if (a.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${a.status} ${a.text.slice(0, 500)}`);
    return a.json;
  }

  /** An admin token with these roles (and extra permissions). */
  async token(roles: string[], permissions: string[] = [], userPrincipalName?: string): Promise<string> {
    const j = await this.ok('POST', '/lapsim/intune/tokens', 201, { roles, permissions, ...(userPrincipalName ? { userPrincipalName } : {}) });
    return j['token'] as string;
  }

  /** Registers a device with the emulator and adds it to the simulated channel. */
  async register(deviceName: string, o: { joinType?: 'entra' | 'hybrid'; osVersion?: string; online?: boolean; strict?: boolean } = {}): Promise<RegisteredDevice> {
    const osVersion = o.osVersion ?? '10.0.26100.4349';
    const j = await this.ok('POST', '/lapsim/intune/devices', 201, { deviceName, joinType: o.joinType ?? 'entra', osVersion });
    const d = j as unknown as RegisteredDevice;
    this.devices.add(d.deviceId, osVersion, o.online ?? true, o.strict ?? false);
    return d;
  }

  /** The device backs up a password to Entra (the device endpoint, with its credential). */
  async backup(d: RegisteredDevice, password: string, accountName = 'WLapsAdmin', ageDays = 30): Promise<void> {
    const now = this.clock.now();
    const a = await this.call('POST', `/manage/${d.entra.tenantId}/lapsdevicepasswordupdate/${d.deviceId}?api-version=1.0`, d.entra.deviceToken, {
      accountName, accountSid: 'S-1-5-21-1004336348-1177238915-682003330-1004', password,
      passwordUpdateTime: new Date(now).toISOString(), passwordExpiryTime: new Date(now + ageDays * 86_400_000).toISOString(),
    }, { 'User-Agent': 'Windows LAPS' });
    if (a.status !== 200) throw new Error(`backup failed: ${a.status} ${a.text}`);
  }

  /** Creates a policy from a body; returns its id. */
  async policy(body: Record<string, unknown>): Promise<string> {
    return (await this.ok('POST', '/beta/deviceManagement/configurationPolicies', 201, body))['id'] as string;
  }

  /** Creates a group (with members by object id); returns its id. */
  async group(displayName: string, memberObjectIds: string[] = []): Promise<string> {
    const id = (await this.ok('POST', '/v1.0/groups', 201, { displayName, mailEnabled: false, mailNickname: displayName.replace(/\W/g, ''), securityEnabled: true }))['id'] as string;
    for (const m of memberObjectIds) await this.ok('POST', `/v1.0/groups/${id}/members/$ref`, 204, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${m}` });
    return id;
  }

  /** Assigns a policy to groups (include), all devices with 'all'. */
  async assign(policyId: string, groups: (string | 'all' | { exclude: string })[]): Promise<void> {
    const assignments = groups.map((g) => ({
      target: g === 'all' ? { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' }
        : typeof g === 'string' ? { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: g }
          : { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', groupId: g.exclude },
    }));
    await this.ok('POST', `/beta/deviceManagement/configurationPolicies/${policyId}/assign`, 200, { assignments });
  }

  /** A policy's status on each device, by device name (lapsim's report). */
  async statuses(policyId: string): Promise<Record<string, string>> {
    const j = await this.ok('GET', `/lapsim/intune/reports/policies/${policyId}/deviceStatus`, 200);
    return Object.fromEntries((j['value'] as { DeviceName: string; ReportStatus: string }[]).map((r) => [r.DeviceName, r.ReportStatus]));
  }
}
