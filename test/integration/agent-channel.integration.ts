/**
 * The agent on a SQLite device and the test server, over real WebSockets on port 0: a policy
 * applied in a session rotates the password into the directory; ResetPassword and its status;
 * a server-requested session reading DevInfo and DevDetail; a server restart; a malformed
 * package; a refused token; a LAPS schedule K times faster than real time.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../core/clock.js';
import { MemoryLogger } from '../../core/logger.js';
import { Secret } from '../../core/secret.js';
import { cryptoRng } from '../../core/rng.js';
import { loadAgentConfig } from '../../agent/service/config.js';
import { buildSqliteAgent, type SqliteAgent } from '../../sim/sqlite-agent.js';
import { initSqliteDevice } from '../../sim/sqlite-device.js';
import { createSelfSignedCertificate } from '../../sim/entra/self-signed-cert.js';
import { startDmServer, type RunningDmServer, type StartDmServerOptions } from '../../sim/server/start-dm-server.js';
import { exec, get, lapsPolicy, RESET_PASSWORD_STATUS_URI, RESET_PASSWORD_URI, sequence } from '../../sim/server/syncml-commands.js';

const TOKEN = 'integration-token';
const POLICY = { BackupDirectory: 1, PasswordAgeDays: 30, PasswordComplexity: 4, PasswordLength: 18 };

interface Rig {
  server: RunningDmServer;
  agent: SqliteAgent;
  deviceId: string;
  logs: MemoryLogger;
}

const open: { agents: SqliteAgent[]; servers: RunningDmServer[] } = { agents: [], servers: [] };

afterEach(async () => {
  for (const a of open.agents.splice(0)) {
    await a.service.stop();
    a.close();
  }
  for (const s of open.servers.splice(0)) await s.close();
});

async function server(port = 0, extra: StartDmServerOptions = {}): Promise<RunningDmServer> {
  const s = await startDmServer({ port, ...extra });
  open.servers.push(s);
  return s;
}

async function rig(opts: { token?: string; flags?: Record<string, unknown>; srv?: RunningDmServer } = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'lapsim-agent-'));
  const state = join(dir, 'device.db');
  const record = await initSqliteDevice(state, { name: 'PC-CHANNEL', builtinAdminDisabled: false }, new SystemClock(), cryptoRng());
  const srv = opts.srv ?? await server();
  srv.dm.addDevice(record.deviceId, TOKEN);
  const logs = new MemoryLogger();
  const config = loadAgentConfig({
    flags: { state, server: srv.url, token: opts.token ?? TOKEN, reconnectInitial: '50ms', reconnectMax: '200ms', sessionTimeout: '5s', shutdownGrace: '5s', ...opts.flags },
  });
  const agent = await buildSqliteAgent({ config, env: {}, logger: logs, realClock: new SystemClock() });
  open.agents.push(agent);
  return { server: srv, agent, deviceId: record.deviceId, logs };
}

async function passwords(r: Rig): Promise<Secret[]> {
  return (await r.agent.device.directory.credentials(r.deviceId)).map((c) => c.password);
}

async function waitFor(pred: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('agent over a real WebSocket channel', () => {
  it('a policy applied over a session reaches the device and rotates its password into the directory', async () => {
    const r = await rig();
    const [policy] = r.server.dm.enqueue(r.deviceId, lapsPolicy(POLICY));
    await r.agent.service.start();
    await r.server.dm.waitForSessions(r.deviceId, 1);
    expect(policy).toMatchObject({ state: 'answered', status: 200 });
    await waitFor(async () => (await passwords(r)).length === 1, 'the first backup');
    const [pw] = await passwords(r);
    expect(pw!.length).toBe(18);
    expect(r.agent.device.device.logon('Administrator', pw!).ok).toBe(true);
    expect(r.agent.device.device.state()).toMatchObject({ lastPolicySource: 'CSP', lastResult: { hresult: 0, rotated: true } });
    r.server.dm.assertNothingPending();
    expect(r.logs.text()).not.toContain(pw!.reveal());
    expect(r.logs.text()).not.toContain(TOKEN);
  });

  it('Exec ResetPassword then Get ResetPasswordStatus: E_PENDING in the same package, 0 in a later session', async () => {
    const r = await rig();
    r.server.dm.enqueue(r.deviceId, lapsPolicy(POLICY));
    await r.agent.service.start();
    await waitFor(async () => (await passwords(r)).length === 1, 'the first backup');
    const [reset] = r.server.dm.send(r.deviceId, sequence(exec(RESET_PASSWORD_URI), get(RESET_PASSWORD_STATUS_URI)));
    await r.server.dm.waitUntil(() => reset!.state === 'answered', 'the reset');
    expect(reset!.statuses.map((s) => s.code)).toEqual([200, 200, 200]);
    expect(reset!.results[0]?.data).toBe('-2147483638');
    await waitFor(async () => (await passwords(r)).length === 2, 'the reset backup');
    const [status] = r.server.dm.send(r.deviceId, get(RESET_PASSWORD_STATUS_URI));
    await r.server.dm.waitUntil(() => status!.state === 'answered', 'the status Get');
    expect(status!.results[0]?.data).toBe('0');
    const [newest, older] = await passwords(r);
    expect(newest!.equals(older!)).toBe(false);
    expect(r.agent.device.device.logon('Administrator', newest!).ok).toBe(true);
  });

  it('a server-requested session: Alert 1200 with the trigger SessionID; DevInfo, DevDetail/SwV, and 404 for an unknown CSP', async () => {
    const r = await rig({ flags: { loginStatus: 'user', manufacturer: 'Dell Inc.', model: 'Latitude 7440' } });
    await r.agent.service.start();
    await r.server.dm.waitForSessions(r.deviceId, 1);
    const [info] = r.server.dm.enqueue(r.deviceId, get('./DevInfo/DevId', './DevInfo/Man', './DevInfo/Mod', './DevDetail/SwV', './Vendor/MSFT/Reboot/RebootNow'));
    const sid = r.server.dm.requestSession(r.deviceId);
    const s = await r.server.dm.waitForSessions(r.deviceId, 2);
    expect(s).toMatchObject({ alert: 1200, sessionId: sid, loginStatus: 'user', result: 'complete', devInfo: { Man: 'Dell Inc.', Mod: 'Latitude 7440', DmV: '1.3', Lang: 'en-US' } });
    expect(s.devInfo['DevId']).toBe(r.deviceId.replace(/-/g, '').toUpperCase());
    expect(info!.statuses.map((x) => [x.targetRef, x.code])).toEqual([
      ['./DevInfo/DevId', 200], ['./DevInfo/Man', 200], ['./DevInfo/Mod', 200], ['./DevDetail/SwV', 200], ['./Vendor/MSFT/Reboot/RebootNow', 404],
    ]);
    expect(info!.results.map((x) => x.data)).toEqual([s.devInfo['DevId'], 'Dell Inc.', 'Latitude 7440', '10.0.26100.4349']);
  });

  it('reconnects after the server restarts on the same port and opens a session', async () => {
    const first = await server();
    const r = await rig({ srv: first });
    await r.agent.service.start();
    await first.dm.waitForSessions(r.deviceId, 1);
    await first.close();
    open.servers.splice(open.servers.indexOf(first), 1);
    await waitFor(() => r.agent.service.link.state === 'waiting' || r.agent.service.link.state === 'connecting', 'the link to notice');
    const second = await server(first.port);
    second.dm.addDevice(r.deviceId, TOKEN);
    const [cmd] = second.dm.enqueue(r.deviceId, lapsPolicy(POLICY));
    await second.dm.waitForSessions(r.deviceId, 1, 15_000);
    expect(cmd).toMatchObject({ state: 'answered', status: 200 });
    expect(r.logs.records.some((x) => x.msg === 'management channel closed')).toBe(true);
  });

  it('a malformed package from the server is logged and retried; the device state is untouched by it', async () => {
    const r = await rig();
    const [policy] = r.server.dm.enqueue(r.deviceId, lapsPolicy(POLICY));
    r.server.dm.scriptNextReply(r.deviceId, { kind: 'raw', frame: '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><Replace>' });
    await r.agent.service.start();
    await r.server.dm.waitUntil(() => policy!.state === 'answered', 'the policy after the retry', 10_000);
    const malformed = r.logs.records.find((x) => x.msg === 'server sent a frame that is not a usable SyncML message');
    expect(malformed?.fields).toMatchObject({ code: 'LAPS_ERR_MALFORMED_SYNCML' });
    expect(r.server.dm.sessions(r.deviceId).map((s) => s.result)).toEqual(['aborted', 'complete']);
    await waitFor(async () => (await passwords(r)).length === 1, 'the backup');
    expect(r.agent.device.device.state().lastResult).toMatchObject({ hresult: 0 });
  });

  it('a refused token is logged as LAPS_ERR_CHANNEL_AUTH and retried with backoff', async () => {
    const r = await rig({ token: 'not-the-token' });
    await r.agent.service.start();
    await waitFor(() => r.logs.records.filter((x) => x.fields['code'] === 'LAPS_ERR_CHANNEL_AUTH').length >= 2, 'two refused attempts');
    expect(r.server.dm.isConnected(r.deviceId)).toBe(false);
    expect(r.logs.text()).not.toContain('not-the-token');
  });

  it('--time-scale K runs the LAPS schedule K times faster: a 7-day password rotates within a second', async () => {
    const r = await rig({ flags: { timeScale: 864_000 } });
    r.server.dm.enqueue(r.deviceId, lapsPolicy({ BackupDirectory: 1, PasswordAgeDays: 7 }));
    await r.agent.service.start();
    await waitFor(async () => (await passwords(r)).length >= 3, 'two scheduled rotations after the first', 6000);
    const creds = await r.agent.device.directory.credentials(r.deviceId);
    const gapDays = (creds[0]!.backupTime - creds[1]!.backupTime) / 86_400_000;
    expect(gapDays).toBeGreaterThanOrEqual(7);
    expect(gapDays).toBeLessThan(7.5);
  });

  it('wss: the server certificate must chain to --ca-file; without it the channel is refused', async () => {
    const tls = createSelfSignedCertificate(Date.now(), cryptoRng(), 'lapsim DM server');
    const ca = join(mkdtempSync(join(tmpdir(), 'lapsim-ca-')), 'ca.pem');
    writeFileSync(ca, tls.cert);
    const secure = await server(0, { tls });
    expect(secure.url).toMatch(/^wss:\/\//);
    const untrusted = await rig({ srv: secure });
    await untrusted.agent.service.start();
    await waitFor(() => untrusted.logs.records.some((x) => x.fields['code'] === 'LAPS_ERR_CHANNEL_CONNECT'), 'a refused TLS handshake');
    expect(secure.dm.isConnected(untrusted.deviceId)).toBe(false);
    const trusted = await rig({ srv: secure, flags: { caFile: ca } });
    const [cmd] = secure.dm.enqueue(trusted.deviceId, get('./DevDetail/SwV'));
    await trusted.agent.service.start();
    await secure.dm.waitUntil(() => cmd!.state === 'answered', 'a session over wss');
    expect(cmd!.results[0]?.data).toBe('10.0.26100.4349');
  });
});
