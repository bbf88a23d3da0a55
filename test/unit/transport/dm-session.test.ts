/**
 * The device's OMA-DM session state machine over an in-memory channel, against a hand-scripted
 * server: package 1, header and status rules, the end of a session, and every way a session
 * breaks (garbage, another session, silence, a close, an abort, a refused header).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { parseSyncml, serializeSyncml } from '../../../csp/syncml/codec.js';
import type { BodyElement, ItemCommand, SyncMessage } from '../../../csp/syncml/types.js';
import type { FrameConnection } from '../../../agent/transport/channel.js';
import { memoryChannelPair } from '../../../agent/transport/memory-channel.js';
import { ClientSession, type SessionOutcome } from '../../../agent/transport/dm-session.js';
import { devIdFor } from '../../../agent/transport/dm-messages.js';
import { DEVICE_ID, flush, managedDevice, MARCH_1 } from '../../helpers/managed-device.js';

const SERVER = 'ws://mdm.test/devices/x/dm';
const L = './Device/Vendor/MSFT/LAPS';
const DEVID = devIdFor(DEVICE_ID);

interface Rig {
  clock: ManualClock;
  session: ClientSession;
  server: FrameConnection;
  /** Frames the device sent, parsed. */
  got: SyncMessage[];
  /** Sends a server message with the given body (header filled in). */
  send(body: string, opts?: { sessionId?: string; msgId?: number; final?: boolean }): void;
  outcome: Promise<SessionOutcome>;
}

function rig(opts: { serverRequested?: boolean; timeoutMs?: number } = {}): Rig {
  const { clock, managed } = managedDevice();
  const [device, server] = memoryChannelPair();
  const got: SyncMessage[] = [];
  server.onFrame((f) => got.push(parseSyncml(f)));
  server.onClose(() => undefined);
  const session = new ClientSession({
    connection: device, endpoint: { apply: async (m, id) => managed.applyMessage(m, id) },
    identity: { info: managed.info, serverUrl: SERVER, loginStatus: 'user' }, clock, timeoutMs: opts.timeoutMs ?? 60_000,
    sessionId: '1C', origin: 'connect', serverRequested: opts.serverRequested ?? false,
  });
  device.onFrame((f) => session.onFrame(f));
  device.onClose((code, reason) => session.onClosed(code, reason));
  let serverMsgId = 1;
  const send = (body: string, o: { sessionId?: string; msgId?: number; final?: boolean } = {}): void => {
    const msgId = o.msgId ?? serverMsgId++;
    server.send(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>${o.sessionId ?? '1C'}</SessionID><MsgID>${msgId}</MsgID><Target><LocURI>${DEVID}</LocURI></Target><Source><LocURI>https://mdm.test</LocURI></Source></SyncHdr><SyncBody>${body}${o.final === false ? '' : '<Final/>'}</SyncBody></SyncML>`);
  };
  session.start();
  return { clock, session, server, got, send, outcome: session.done };
}

const hdrStatus = (msgRef: number): string => `<Status><CmdID>1</CmdID><MsgRef>${msgRef}</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`;

function statuses(msg: SyncMessage): { cmdRef: string; cmd: string; code: string; msgRef: string }[] {
  return msg.body.filter((e): e is Extract<BodyElement, { kind: 'Status' }> => e.kind === 'Status').map((s) => ({ cmdRef: s.cmdRef, cmd: s.cmd, code: s.data, msgRef: s.msgRef }));
}

describe('device session: package 1', () => {
  it('opens with Alert 1201, Alert 1224 LoginStatus and a Replace of the five DevInfo nodes, CmdIDs from 2, Final', async () => {
    const r = rig();
    await flush();
    expect(r.got).toHaveLength(1);
    const p1 = r.got[0]!;
    expect(p1.header).toMatchObject({ verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1C', msgId: '1', target: { locUri: SERVER }, source: { locUri: DEVID } });
    expect(p1.final).toBe(true);
    expect(p1.body.map((e) => [e.kind, e.cmdId])).toEqual([['Alert', '2'], ['Alert', '3'], ['Replace', '4']]);
    const [a1201, login, replace] = p1.body as [Extract<BodyElement, { kind: 'Alert' }>, Extract<BodyElement, { kind: 'Alert' }>, ItemCommand];
    expect(a1201.data).toBe('1201');
    expect(login.data).toBe('1224');
    expect(login.items[0]).toMatchObject({ meta: { type: 'com.microsoft/MDM/LoginStatus' }, data: 'user' });
    expect(replace.items.map((i) => [i.source?.locUri, i.data])).toEqual([
      ['./DevInfo/DevId', DEVID], ['./DevInfo/Man', 'Microsoft Corporation'], ['./DevInfo/Mod', 'Virtual Machine'], ['./DevInfo/DmV', '1.3'], ['./DevInfo/Lang', 'en-US'],
    ]);
    expect(replace.items.every((i) => i.target === undefined)).toBe(true);
    expect(DEVID).toMatch(/^[0-9A-F]{32}$/);
  });

  it('answers a server request with Alert 1200', async () => {
    const r = rig({ serverRequested: true });
    await flush();
    expect((r.got[0]!.body[0] as { data?: string }).data).toBe('1200');
  });
});

describe('device session: server packages', () => {
  it('answers commands with the SyncHdr Status first, one Status per command and Results; a status-only message ends it and is not answered', async () => {
    const r = rig();
    await flush();
    r.send(`${hdrStatus(1)}<Get><CmdID>2</CmdID><Item><Target><LocURI>./DevInfo/Man</LocURI></Target></Item></Get>`
      + '<Get><CmdID>3</CmdID><Item><Target><LocURI>./DevDetail/SwV</LocURI></Target></Item></Get>'
      + '<Get><CmdID>4</CmdID><Item><Target><LocURI>./Vendor/MSFT/Unknown/Node</LocURI></Target></Item></Get>'
      + `<Replace><CmdID>5</CmdID><Item><Target><LocURI>./DevInfo/Man</LocURI></Target><Data>x</Data></Item></Replace>`);
    await flush();
    expect(r.got).toHaveLength(2);
    const reply = r.got[1]!;
    expect(reply.header).toMatchObject({ sessionId: '1C', msgId: '2', target: { locUri: 'https://mdm.test' }, source: { locUri: DEVID } });
    expect(statuses(reply)).toEqual([
      { cmdRef: '0', cmd: 'SyncHdr', code: '200', msgRef: '1' }, { cmdRef: '2', cmd: 'Get', code: '200', msgRef: '1' },
      { cmdRef: '3', cmd: 'Get', code: '200', msgRef: '1' }, { cmdRef: '4', cmd: 'Get', code: '404', msgRef: '1' },
      { cmdRef: '5', cmd: 'Replace', code: '405', msgRef: '1' },
    ]);
    const results = reply.body.filter((e) => e.kind === 'Results') as Extract<BodyElement, { kind: 'Results' }>[];
    expect(results.map((x) => [x.cmdRef, x.items[0]?.source?.locUri, x.items[0]?.data])).toEqual([
      ['2', './DevInfo/Man', 'Microsoft Corporation'], ['3', './DevDetail/SwV', '10.0.26100.4349'],
    ]);
    expect(reply.body.map((e) => e.cmdId)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    r.send(hdrStatus(2));
    const outcome = await r.outcome;
    await flush();
    expect(r.got).toHaveLength(2);
    expect(outcome).toMatchObject({ result: 'complete', sent: 2, applied: 2, changed: false, resetRequested: false });
  });

  it('reports a committed LAPS change and a reset request; ResetPasswordStatus reads E_PENDING in the same package', async () => {
    const r = rig();
    await flush();
    r.send(`${hdrStatus(1)}<Atomic><CmdID>2</CmdID><Replace><CmdID>3</CmdID><Item><Target><LocURI>${L}/Policies/BackupDirectory</LocURI></Target><Meta><Format xmlns="syncml:metinf">int</Format></Meta><Data>1</Data></Item></Replace></Atomic>`
      + `<Sequence><CmdID>4</CmdID><Exec><CmdID>5</CmdID><Item><Target><LocURI>${L}/Actions/ResetPassword</LocURI></Target></Item></Exec><Get><CmdID>6</CmdID><Item><Target><LocURI>${L}/Actions/ResetPasswordStatus</LocURI></Target></Item></Get></Sequence>`);
    await flush();
    const reply = r.got[1]!;
    expect(statuses(reply).map((s) => s.code)).toEqual(['200', '200', '200', '200', '200', '200']);
    const res = reply.body.find((e) => e.kind === 'Results') as Extract<BodyElement, { kind: 'Results' }>;
    expect(res.items[0]?.data).toBe('-2147483638');
    r.send(hdrStatus(2));
    expect(await r.outcome).toMatchObject({ result: 'complete', changed: true, resetRequested: true });
  });

  it('a server message without Final gets statuses and Alert 1222, and no Final', async () => {
    const r = rig();
    await flush();
    r.send(`${hdrStatus(1)}<Get><CmdID>2</CmdID><Item><Target><LocURI>./DevInfo/Lang</LocURI></Target></Item></Get>`, { final: false });
    await flush();
    const reply = r.got[1]!;
    expect(reply.final).toBe(false);
    expect(reply.body.at(-1)).toMatchObject({ kind: 'Alert', data: '1222' });
    r.send(hdrStatus(2));
    expect((await r.outcome).result).toBe('complete');
  });

  it('a trigger that arrives during the session is folded into it', async () => {
    const r = rig();
    await flush();
    r.send('<Alert><CmdID>1</CmdID><Data>1200</Data></Alert>', { sessionId: '2A', msgId: 1 });
    await flush();
    expect(r.got).toHaveLength(1);
    r.send(hdrStatus(1));
    expect((await r.outcome).result).toBe('complete');
  });
});

describe('device session: what ends it early', () => {
  it('garbage: the session is aborted with Alert 1223 and nothing is applied', async () => {
    const r = rig();
    await flush();
    r.server.send('<SyncML><SyncHdr>not closed');
    const o = await r.outcome;
    await flush();
    expect(o).toMatchObject({ result: 'malformed', applied: 0, error: { code: 'LAPS_ERR_MALFORMED_SYNCML' } });
    expect(r.got[1]!.body).toEqual([expect.objectContaining({ kind: 'Alert', data: '1223' })]);
    expect(r.got[1]!.header).toMatchObject({ sessionId: '1C', msgId: '2' });
  });

  it('a message of another session: protocol error, aborted after the header status', async () => {
    const r = rig();
    await flush();
    r.send(hdrStatus(1), { sessionId: '99' });
    const o = await r.outcome;
    await flush();
    expect(o).toMatchObject({ result: 'protocol', error: { code: 'LAPS_ERR_SESSION_PROTOCOL' } });
    expect(r.got[1]!.body.map((e) => e.kind)).toEqual(['Status', 'Alert']);
  });

  it('silence: the session times out after the session timeout, not before', async () => {
    const r = rig({ timeoutMs: 60_000 });
    await flush();
    r.clock.advance(59_999);
    await flush();
    expect(r.session.ended).toBe(false);
    r.clock.advance(1);
    expect(await r.outcome).toMatchObject({ result: 'timeout', error: { code: 'LAPS_ERR_SESSION_TIMEOUT' } });
    expect(r.clock.now()).toBe(MARCH_1 + 60_000);
  });

  it('a close in the middle ends the session as closed', async () => {
    const r = rig();
    await flush();
    r.server.close(1011, 'server error');
    expect(await r.outcome).toMatchObject({ result: 'closed', error: { code: 'LAPS_ERR_CHANNEL_CLOSED', closeCode: 1011 } });
  });

  it('Alert 1223 from the server: aborted, nothing committed, no reply', async () => {
    const r = rig();
    await flush();
    r.send(`${hdrStatus(1)}<Replace><CmdID>2</CmdID><Item><Target><LocURI>${L}/Policies/BackupDirectory</LocURI></Target><Data>1</Data></Item></Replace><Alert><CmdID>3</CmdID><Data>1223</Data></Alert>`);
    const o = await r.outcome;
    await flush();
    expect(o).toMatchObject({ result: 'aborted', changed: false });
    expect(r.got).toHaveLength(1);
  });

  it('a SyncHdr status other than 2xx (a 407 challenge) ends the session as refused, unanswered', async () => {
    const r = rig();
    await flush();
    r.send('<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>407</Data></Status>');
    const o = await r.outcome;
    await flush();
    expect(o).toMatchObject({ result: 'refused', error: { code: 'LAPS_ERR_SESSION_PROTOCOL' } });
    expect(o.error?.message).toMatch(/407/);
    expect(r.got).toHaveLength(1);
  });

  it('stopping while a message is applied ends after the commit, which still counts', async () => {
    const { clock, managed } = managedDevice();
    const [device, server] = memoryChannelPair();
    server.onFrame(() => undefined);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const session = new ClientSession({
      connection: device, clock, timeoutMs: 60_000, sessionId: '5', origin: 'poll', serverRequested: false,
      identity: { info: managed.info, serverUrl: SERVER },
      endpoint: { apply: async (m, id) => { await gate; return managed.applyMessage(m, id); } },
    });
    device.onFrame((f) => session.onFrame(f));
    session.start();
    await flush();
    server.send(serializeSyncml({
      header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: '5', msgId: '1' },
      body: [{ kind: 'Replace', cmdId: '2' as never, items: [{ target: { locUri: `${L}/Policies/PasswordAgeDays` as never }, data: '20' }] }],
      final: true,
    }));
    await flush();
    session.stop();
    expect(session.ended).toBe(true);
    release();
    expect(await session.done).toMatchObject({ result: 'stopped', changed: true, applied: 1 });
  });
});
