/**
 * `lapsim fleet --server <url>`: N agents connected over WebSocket (docs/protocol.md) to a
 * management server, each a memory device running the agent service on a device clock `timeScale`
 * times faster than the wall clock. With an admin token the server is taken for a lapsim server:
 * the devices are registered through its API (their channel tokens and Entra credentials), the
 * scenario's groups, policies and assignments are created through Graph, passwords are escrowed
 * to its Entra emulator over HTTP and the policy report is read back. Without one, any server
 * speaking the protocol can be driven: every device presents the same token and escrows to a
 * directory kept by the fleet. Timeline, admin actions and faults belong to in-process runs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ScaledClock, SystemClock, type Clock } from '../../core/clock.js';
import { LapsError } from '../../core/errors.js';
import { cryptoRng } from '../../core/rng.js';
import { Secret } from '../../core/secret.js';
import { EntraDirectory } from '../../agent/escrow/entra-directory.js';
import { MemoryDirectory } from '../../agent/escrow/memory-directory.js';
import type { DirectoryBackend } from '../../agent/ports.js';
import type { AgentService } from '../../agent/service/agent-service.js';
import { WsConnector } from '../../agent/transport/ws-connector.js';
import { managedDeviceProcessor, memoryAgent, memoryManagedDevice, type MemoryManagedDevice } from '../memory-agent.js';
import { FleetLog, type LogLevel } from './fleet-log.js';
import { policyBody } from './fleet-policies.js';
import { FleetStats } from './fleet-stats.js';
import { InvariantBook } from './invariants.js';
import { LeakWatch } from './leak-watch.js';
import { Population } from './population.js';
import type { FleetProgress } from './progress.js';
import { invariantLines, REPORT_FORMAT, type FleetReport } from './report.js';
import { writeReports, runName } from './run-fleet.js';
import { Sampler } from './sampling.js';
import type { Scenario } from './scenario.js';
import { RemoteBook } from './remote-checks.js';
import { FleetEventReporter } from '../intune/web/fleet-event-reporter.js';

/** `lapsim fleet --server`'s options. */
export interface RemoteFleetOptions {
  readonly scenario: Scenario;
  /** The server: http(s):// (a lapsim server) or ws(s)://. */
  readonly server: string;
  /** The server's admin token: registers the devices and the scenario through lapsim server's API. */
  readonly adminToken: string | undefined;
  /** Device ms per wall ms. */
  readonly timeScale: number;
  readonly dataDir: string;
  readonly wallClock: Clock;
  readonly logLevel: LogLevel;
  readonly onProgress?: (p: FleetProgress) => void;
  /** The token every device presents when the server is not a lapsim server (default lapsim-fleet). */
  readonly deviceToken?: string;
}

interface Registered {
  readonly deviceId: string;
  readonly channelToken: string;
  readonly entra: { readonly tenantId: string; readonly deviceToken?: string } | undefined;
}

async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  let r: Response;
  try {
    r = await fetch(`${base}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new LapsError('LAPS_ERR_FLEET_DATA', `cannot reach ${base}: ${(e as Error).message}`, { cause: e });
  }
  const text = await r.text();
  if (r.status >= 300) throw new LapsError('LAPS_ERR_FLEET_DATA', `${method} ${path} answered ${r.status}: ${text.slice(0, 300)}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** Creates the scenario's users, groups, policies and assignments on a lapsim server; returns policy ids by name. */
async function setUpServer(base: string, token: string, s: Scenario, members: Map<string, string[]>): Promise<Map<string, string>> {
  const groups = new Map<string, string>();
  for (const g of s.groups) {
    const id = (await api(base, token, 'POST', '/v1.0/groups', { displayName: g.name, mailEnabled: false, mailNickname: g.name.replace(/\W/g, '') || 'g', securityEnabled: true }))['id'] as string;
    groups.set(g.name, id);
    for (const objectId of members.get(g.name) ?? []) {
      await api(base, token, 'POST', `/v1.0/groups/${id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${objectId}` });
    }
  }
  const policies = new Map<string, string>();
  for (const [i, p] of s.policies.entries()) {
    policies.set(p.name, (await api(base, token, 'POST', '/beta/deviceManagement/configurationPolicies', policyBody(p.name, p.description, p.settings, `policies[${i}]`)))['id'] as string);
  }
  for (const a of s.assignments) {
    const target = (g: string, exclude: boolean): Record<string, unknown> => g === 'all devices' ? { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' }
      : g === 'all users' ? { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' }
        : { '@odata.type': `#microsoft.graph.${exclude ? 'exclusionGroup' : 'group'}AssignmentTarget`, groupId: groups.get(g) };
    await api(base, token, 'POST', `/beta/deviceManagement/configurationPolicies/${policies.get(a.policy)}/assign`, {
      assignments: [...a.include.map((g) => ({ target: target(g, false) })), ...a.exclude.map((g) => ({ target: target(g, true) }))],
    });
  }
  return policies;
}

/** Runs the agents for the scenario's days (scaled) and reports. */
export async function runRemoteFleet(o: RemoteFleetOptions): Promise<{ report: FleetReport; files: string[] }> {
  const s = o.scenario;
  if (!(o.timeScale > 0)) throw new LapsError('LAPS_ERR_FLEET_SCENARIO', '--time-scale must be above 0');
  const base = o.server.replace(/^ws/, 'http').replace(/\/+$/, '');
  const wsBase = base.replace(/^http/, 'ws');
  const folder = join(o.dataDir, 'fleet', `${runName(s, { index: 0, count: 1 })}-remote`);
  mkdirSync(folder, { recursive: true });
  const sampler = new Sampler(s.seed);
  const population = new Population(s, sampler, Date.parse(s.start));
  const realClock = new SystemClock({ unref: false });
  const deviceClock = new ScaledClock(realClock, o.timeScale, Date.parse(s.start));
  const watch = new LeakWatch();
  const log = new FleetLog(join(folder, 'fleet.log'), o.logLevel, deviceClock, watch);
  const logger = log.logger({ mode: 'remote' });
  const rng = cryptoRng();
  const processor = managedDeviceProcessor(deviceClock);
  const profiles = Array.from({ length: s.devices }, (_, k) => population.profile(k)).map((p) => ({ ...p, joinType: p.joinType === 'ad' ? 'entra' as const : p.joinType }));
  const registered: Registered[] = [];
  const members = new Map<string, string[]>();
  for (const p of profiles) {
    if (o.adminToken === undefined) {
      registered.push({ deviceId: p.deviceId, channelToken: o.deviceToken ?? 'lapsim-fleet', entra: undefined });
      continue;
    }
    const r = await api(base, o.adminToken, 'POST', '/lapsim/intune/devices', { deviceId: p.deviceId, deviceName: p.name, joinType: p.joinType, osVersion: p.osBuild });
    registered.push({ deviceId: p.deviceId, channelToken: r['channelToken'] as string, entra: r['entra'] as Registered['entra'] });
    s.groups.forEach((g) => {
      if (g.fraction !== undefined && sampler.chance(`group:${g.name}`, p.global, g.fraction)) members.set(g.name, [...(members.get(g.name) ?? []), r['objectId'] as string]);
    });
  }
  const policies = o.adminToken !== undefined ? await setUpServer(base, o.adminToken, s, members) : new Map<string, string>();
  const shared = new MemoryDirectory();
  const devices: MemoryManagedDevice[] = [];
  const agents: AgentService[] = [];
  profiles.forEach((p, k) => {
    const reg = registered[k]!;
    const directory: DirectoryBackend = reg.entra?.deviceToken !== undefined && o.adminToken !== undefined
      ? new EntraDirectory({ baseUrl: base, rng, clock: deviceClock, auth: () => ({ tenantId: reg.entra!.tenantId, deviceToken: new Secret(reg.entra!.deviceToken!), readerToken: new Secret(o.adminToken!) }) })
      : shared;
    const managed = memoryManagedDevice({
      identity: { deviceId: p.deviceId, name: p.name, osBuild: p.osBuild, joinType: p.joinType, isDomainController: false, legacyCseInstalled: false, domainSid: p.domainSid },
      clock: deviceClock, rng, directory, processor, logger,
    });
    devices.push(managed);
    agents.push(memoryAgent({
      managed, connector: new WsConnector({ server: wsBase, deviceId: p.deviceId, token: reg.channelToken }), clock: deviceClock, realClock, rng, logger,
      hourly: 'clock', pollIntervalMs: 8 * 3_600_000, backoff: { initialMs: 200, maxMs: 5000 },
    }));
  });
  const stats = new FleetStats(Date.parse(s.start), s.days);
  const book = new InvariantBook(s.devices);
  const checks = new RemoteBook({ devices, stats, book, watch, log, clock: deviceClock, start: Date.parse(s.start), lagMs: Math.max(60_000, o.timeScale * 500) });
  // A lapsim server's fleet overview charts the devices' failure events while the fleet runs (sent before each sweep drains them).
  const reporter = o.adminToken === undefined ? undefined
    : new FleetEventReporter({ server: base, adminToken: o.adminToken, devices: profiles.map((p, k) => ({ deviceId: p.deviceId, log: devices[k]!.events })), logger });
  const started = o.wallClock.now();
  await Promise.all(agents.map((a) => a.start()));
  const end = Date.parse(s.start) + s.days * 86_400_000;
  try {
    while (deviceClock.now() < end) {
      await new Promise<void>((r) => void realClock.setTimer('fleet-remote-check', 250, r));
      await reporter?.flush();
      await checks.sweep();
      o.onProgress?.({ day: Math.min(s.days, (deviceClock.now() - Date.parse(s.start)) / 86_400_000), rotations: stats.counts.rotations, cycles: stats.counts.cycles, breaches: book.total });
    }
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
  }
  await reporter?.flush();
  await checks.sweep(true);
  log.close();
  const policyStatus: Record<string, Record<string, number>> = {};
  for (const [name, id] of policies) {
    const rows = (await api(base, o.adminToken!, 'GET', `/lapsim/intune/reports/policies/${id}/deviceStatus`))['value'] as { ReportStatus: string }[];
    policyStatus[name] = {};
    for (const r of rows) policyStatus[name][r.ReportStatus] = (policyStatus[name][r.ReportStatus] ?? 0) + 1;
  }
  const report: FleetReport = {
    format: REPORT_FORMAT, version: 1, scenario: s, shards: { count: 1, included: [0] },
    devices: { total: s.devices, intune: o.adminToken !== undefined ? s.devices : 0, managed: checks.managed(), backedUp: checks.backedUp(), byJoinType: {}, byOsBuild: {}, byOnlinePattern: { always: s.devices } },
    counts: stats.counts, policyStatus, invariants: invariantLines(book.checks, book.breachCount), breaches: book.breaches,
    notes: [
      `Agents over WebSocket against ${o.server}, device time ${o.timeScale} times faster than the wall clock.`,
      'Device passwords came from node:crypto. The timeline, admin actions and faults of the scenario run only in process; conflicts are not checked against a remote server.',
    ],
  };
  const peak = process.resourceUsage().maxRSS * 1024;
  report.run = {
    wallSeconds: (o.wallClock.now() - started) / 1000, peakRssBytes: peak, bytesPerDevice: peak / s.devices, workers: 1,
    startedAt: new Date(started).toISOString(), folder, node: process.version,
  };
  for (const p of profiles) {
    report.devices.byJoinType[p.joinType] = (report.devices.byJoinType[p.joinType] ?? 0) + 1;
    report.devices.byOsBuild[p.osBuild] = (report.devices.byOsBuild[p.osBuild] ?? 0) + 1;
  }
  return { report, files: writeReports(report, folder) };
}
