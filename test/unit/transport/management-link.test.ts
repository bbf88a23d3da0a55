/**
 * The management link against the scriptable server over memory channels, on a manual clock:
 * sessions on connect, on poll and on the server's request; reconnection with jittered backoff;
 * a server that sends garbage, falls silent or asks the device to wait.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { ChannelError } from '../../../core/errors.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { parseSyncml } from '../../../csp/syncml/codec.js';
import type { Connector, FrameConnection } from '../../../agent/transport/channel.js';
import { ManagementLink } from '../../../agent/transport/management-link.js';
import type { SessionOutcome } from '../../../agent/transport/dm-session.js';
import { DmServer } from '../../../sim/server/dm-server.js';
import { get } from '../../../sim/server/syncml-commands.js';
import { DEVICE_ID, flush, managedDevice, MARCH_1, TOKEN } from '../../helpers/managed-device.js';

interface Rig {
  clock: ManualClock;
  server: DmServer;
  link: ManagementLink;
  outcomes: SessionOutcome[];
  connects: number[];
}

function rig(opts: { failFirst?: number; pollIntervalMs?: number; slowApply?: boolean } = {}): Rig {
  const clock = new ManualClock(MARCH_1);
  const { managed } = managedDevice(clock);
  const server = new DmServer({ clock, keepTranscripts: true });
  server.addDevice(DEVICE_ID, TOKEN);
  const inner = server.memoryConnector(DEVICE_ID, TOKEN);
  const connects: number[] = [];
  let failures = opts.failFirst ?? 0;
  const connector: Connector = {
    url: inner.url,
    connect: async (): Promise<FrameConnection> => {
      connects.push(clock.now());
      if (failures-- > 0) throw new ChannelError('LAPS_ERR_CHANNEL_CONNECT', 'connection refused');
      return inner.connect();
    },
  };
  const outcomes: SessionOutcome[] = [];
  const link = new ManagementLink({
    connector, identity: { info: managed.info, serverUrl: inner.url },
    endpoint: { apply: async (m, id) => { if (opts.slowApply) await flush(3); return managed.applyMessage(m, id); } },
    clock, rng: new SeededRng(3), pollIntervalMs: opts.pollIntervalMs ?? 8 * 3_600_000, sessionTimeoutMs: 60_000,
    backoff: { initialMs: 1000, maxMs: 8000 }, onSessionEnd: (o) => outcomes.push(o),
  });
  return { clock, server, link, outcomes, connects };
}

describe('management link', () => {
  it('opens a session on connect; the server sees Alert 1201, DevInfo and LoginStatus', async () => {
    const r = rig();
    r.link.start();
    const s = await r.server.waitForSessions(DEVICE_ID, 1);
    expect(s).toMatchObject({ alert: 1201, result: 'complete', loginStatus: 'none', devInfo: { Man: 'Microsoft Corporation', Mod: 'Virtual Machine', DmV: '1.3', Lang: 'en-US' } });
    expect(r.outcomes.map((o) => [o.result, o.origin])).toEqual([['complete', 'connect']]);
    expect(r.link.state).toBe('open');
    await r.link.stop();
  });

  it('a server-requested session: the device answers the trigger with Alert 1200 and its SessionID, and no Status for the trigger', async () => {
    const r = rig();
    r.link.start();
    await r.server.waitForSessions(DEVICE_ID, 1);
    const [record] = r.server.enqueue(DEVICE_ID, get('./DevDetail/SwV'));
    const sid = r.server.requestSession(DEVICE_ID);
    const s = await r.server.waitForSessions(DEVICE_ID, 2);
    expect(s).toMatchObject({ alert: 1200, sessionId: sid, result: 'complete' });
    const [p1, reply] = [parseSyncml(s.frames[0]!.text), parseSyncml(s.frames[1]!.text)];
    expect(p1.header.msgId).toBe('1');
    expect(p1.body.some((e) => e.kind === 'Status')).toBe(false);
    expect(reply.header.msgId).toBe('2');
    expect(record).toMatchObject({ state: 'answered', status: 200, results: [{ uri: './DevDetail/SwV', data: '10.0.26100.4349' }] });
    expect(r.outcomes.at(-1)).toMatchObject({ origin: 'server', serverRequested: true, result: 'complete' });
    r.server.assertNothingPending();
    await r.link.stop();
  });

  it('a trigger sent right behind the last message of a session starts the next session', async () => {
    const r = rig({ slowApply: true });
    let asked = false;
    r.server.on((e) => {
      if (e.type === 'session-end' && !asked) {
        asked = true;
        r.server.requestSession(DEVICE_ID);
      }
    });
    r.link.start();
    const second = await r.server.waitForSessions(DEVICE_ID, 2);
    expect(second).toMatchObject({ alert: 1200, result: 'complete' });
    await r.link.stop();
  });

  it('polls every poll interval', async () => {
    const r = rig({ pollIntervalMs: 3_600_000 });
    r.link.start();
    await r.server.waitForSessions(DEVICE_ID, 1);
    r.clock.advance(3_600_000);
    await r.server.waitForSessions(DEVICE_ID, 2);
    r.clock.advance(3_600_000);
    await r.server.waitForSessions(DEVICE_ID, 3);
    expect(r.outcomes.map((o) => o.origin)).toEqual(['connect', 'poll', 'poll']);
    await r.link.stop();
  });

  it('reconnects with jittered exponential backoff, within [d/2, d] of 1 s, 2 s, 4 s', async () => {
    const r = rig({ failFirst: 3 });
    r.link.start();
    await flush();
    for (let i = 0; i < 3; i++) {
      expect(r.link.state).toBe('waiting');
      const before = r.connects.length;
      while (r.connects.length === before) {
        r.clock.advance(50);
        await flush(2);
      }
    }
    await r.server.waitForSessions(DEVICE_ID, 1);
    const gaps = r.connects.slice(1).map((t, i) => t - r.connects[i]!);
    expect(gaps).toHaveLength(3);
    [1000, 2000, 4000].forEach((d, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(d / 2);
      expect(gaps[i]).toBeLessThanOrEqual(d + 50);
    });
    await r.link.stop();
  });

  it('after the server closes the channel it reconnects and opens a new session; backoff starts over after a good session', async () => {
    const r = rig();
    r.link.start();
    await r.server.waitForSessions(DEVICE_ID, 1);
    r.server.closeAll();
    await flush();
    expect(r.link.state).toBe('waiting');
    r.clock.advance(1000);
    await r.server.waitForSessions(DEVICE_ID, 2);
    expect(r.outcomes.map((o) => o.origin)).toEqual(['connect', 'connect']);
    r.server.closeAll();
    await flush();
    r.clock.advance(1000);
    await r.server.waitForSessions(DEVICE_ID, 3);
    await r.link.stop();
  });

  it('garbage from the server: abort, close 1002, reconnect later; the queued command arrives in the next session', async () => {
    const r = rig();
    const [record] = r.server.enqueue(DEVICE_ID, get('./DevInfo/DevId'));
    r.server.scriptNextReply(DEVICE_ID, { kind: 'raw', frame: '<<<this is not SyncML' });
    r.link.start();
    const first = await r.server.waitForSessions(DEVICE_ID, 1);
    expect(first.result).toBe('aborted');
    await flush();
    expect(r.outcomes[0]).toMatchObject({ result: 'malformed' });
    expect(r.link.state).toBe('waiting');
    expect(record!.state).toBe('queued');
    r.clock.advance(1000);
    const second = await r.server.waitForSessions(DEVICE_ID, 2);
    expect(second.result).toBe('complete');
    expect(record).toMatchObject({ state: 'answered', status: 200, attempts: 1 });
    r.server.assertNothingPending();
    await r.link.stop();
  });

  it('a silent server: the session times out, the channel is closed 4408, the command is sent again after reconnecting', async () => {
    const r = rig();
    r.link.start();
    await r.server.waitForSessions(DEVICE_ID, 1);
    const [record] = r.server.enqueue(DEVICE_ID, get('./DevInfo/Lang'));
    r.server.scriptNextReply(DEVICE_ID, { kind: 'silence' });
    r.link.requestSession();
    await flush();
    r.clock.advance(60_000);
    await flush();
    expect(r.outcomes.at(-1)).toMatchObject({ result: 'timeout' });
    expect(r.link.state).toBe('waiting');
    r.clock.advance(1000);
    await r.server.waitUntil(() => record!.state === 'answered');
    expect(record!.results[0]).toMatchObject({ uri: './DevInfo/Lang', data: 'en-US' });
    await r.link.stop();
  });

  it('a close 1013 with retry-after waits at least that long', async () => {
    const r = rig();
    r.link.start();
    await r.server.waitForSessions(DEVICE_ID, 1);
    r.server.scriptNextReply(DEVICE_ID, { kind: 'close', code: 1013, reason: 'retry-after=30' });
    r.link.requestSession();
    await flush();
    r.clock.advance(29_999);
    await flush();
    expect(r.connects).toHaveLength(1);
    r.clock.advance(1);
    await r.server.waitForSessions(DEVICE_ID, 3);
    expect(r.connects).toHaveLength(2);
    await r.link.stop();
  });

  it('a device with a wrong token is refused and keeps retrying', async () => {
    const clock = new ManualClock(MARCH_1);
    const { managed } = managedDevice(clock);
    const server = new DmServer({ clock });
    server.addDevice(DEVICE_ID, TOKEN);
    const link = new ManagementLink({
      connector: server.memoryConnector(DEVICE_ID, 'wrong'), endpoint: { apply: async (m, id) => managed.applyMessage(m, id) },
      identity: { info: managed.info, serverUrl: 'memory://x' }, clock, rng: new SeededRng(1), backoff: { initialMs: 1000, maxMs: 1000 },
    });
    link.start();
    await flush();
    expect(server.isConnected(DEVICE_ID)).toBe(false);
    expect(link.state).toBe('waiting');
    await link.stop();
  });

  it('stop closes the channel and cancels every timer', async () => {
    const r = rig();
    r.link.start();
    await r.server.waitForSessions(DEVICE_ID, 1);
    await r.link.stop();
    await flush();
    expect(r.link.state).toBe('stopped');
    expect(r.server.isConnected(DEVICE_ID)).toBe(false);
    expect(r.clock.pendingTimers().filter((n) => n.startsWith('dm-'))).toEqual([]);
  });
});
