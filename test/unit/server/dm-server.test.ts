/**
 * The scriptable server on its own, driven by hand-written device frames over a memory channel:
 * what it answers, what it records, when it requeues, and its "nothing pending" check.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { parseSyncml } from '../../../csp/syncml/codec.js';
import type { ContainerCommand, SyncMessage } from '../../../csp/syncml/types.js';
import type { FrameConnection } from '../../../agent/transport/channel.js';
import { memoryChannelPair } from '../../../agent/transport/memory-channel.js';
import { DmServer } from '../../../sim/server/dm-server.js';
import { atomic, commandsFromXml, get, lapsPolicy, replace } from '../../../sim/server/syncml-commands.js';
import { bearerToken, deviceIdFromPath } from '../../../sim/server/ws-endpoint.js';
import { flush } from '../../helpers/managed-device.js';

const ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

function open(server: DmServer): { device: FrameConnection; got: SyncMessage[]; send(sid: string, msgId: number, body: string): void } {
  const [device, serverEnd] = memoryChannelPair();
  const got: SyncMessage[] = [];
  device.onFrame((f) => got.push(parseSyncml(f)));
  device.onClose(() => undefined);
  server.accept(ID, serverEnd);
  return {
    device, got,
    send: (sid, msgId, body) => device.send(`<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>${sid}</SessionID><MsgID>${msgId}</MsgID><Target><LocURI>https://srv</LocURI></Target><Source><LocURI>DEV1</LocURI></Source></SyncHdr><SyncBody>${body}<Final/></SyncBody></SyncML>`),
  };
}

const PKG1 = '<Alert><CmdID>2</CmdID><Data>1201</Data></Alert><Replace><CmdID>3</CmdID><Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Acme</Data></Item></Replace>';
const status = (msgRef: number, cmdRef: string, cmd: string, code: number, targetRef?: string): string =>
  `<Status><CmdID>9</CmdID><MsgRef>${msgRef}</MsgRef><CmdRef>${cmdRef}</CmdRef><Cmd>${cmd}</Cmd>${targetRef ? `<TargetRef>${targetRef}</TargetRef>` : ''}<Data>${code}</Data></Status>`;

describe('DmServer', () => {
  it('answers package 1 with the SyncHdr status, a status per device command, then the queued commands numbered after them', async () => {
    const server = new DmServer({ clock: new ManualClock(0) });
    const [policy] = server.enqueue(ID, lapsPolicy({ BackupDirectory: 1, PasswordAgeDays: 30 }));
    const d = open(server);
    d.send('7', 1, PKG1);
    await flush();
    const reply = d.got[0]!;
    expect(reply.header).toMatchObject({ sessionId: '7', msgId: '1', target: { locUri: 'DEV1' } });
    expect(reply.body.map((e) => [e.kind, e.cmdId, e.kind === 'Status' ? `${e.cmdRef}:${e.data}` : ''])).toEqual([
      ['Status', '1', '0:200'], ['Status', '2', '2:200'], ['Status', '3', '3:200'], ['Atomic', '4', ''],
    ]);
    const at = reply.body[3] as ContainerCommand;
    expect(at.children.map((c) => c.cmdId)).toEqual(['5', '6']);
    expect(policy!.state).toBe('sent');
    d.send('7', 2, `${status(1, '0', 'SyncHdr', 200)}${status(1, '4', 'Atomic', 507)}${status(1, '5', 'Replace', 216)}${status(1, '6', 'Replace', 400)}`);
    await flush();
    expect(policy).toMatchObject({ state: 'answered', status: 507 });
    expect(policy!.statuses.map((s) => [s.cmd, s.uri, s.code])).toEqual([
      ['Atomic', undefined, 507], ['Replace', './Device/Vendor/MSFT/LAPS/Policies/BackupDirectory', 216], ['Replace', './Device/Vendor/MSFT/LAPS/Policies/PasswordAgeDays', 400],
    ]);
    expect(d.got[1]!.body.map((e) => e.kind)).toEqual(['Status']);
    expect(server.sessions(ID)[0]).toMatchObject({ result: 'complete', devInfo: { Man: 'Acme' }, commandIds: [policy!.id] });
  });

  it('records Results by the Get they answer; statuses of another message are ignored', async () => {
    const server = new DmServer({ clock: new ManualClock(0) });
    const [g] = server.enqueue(ID, get('./DevInfo/Lang', './DevDetail/SwV'));
    const d = open(server);
    d.send('1', 1, PKG1);
    await flush();
    d.send('1', 2, `${status(1, '0', 'SyncHdr', 200)}${status(9, '4', 'Get', 500)}${status(1, '4', 'Get', 200, './DevInfo/Lang')}${status(1, '4', 'Get', 404, './DevDetail/SwV')}`
      + '<Results><CmdID>5</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>en-US</Data></Item></Results>');
    await flush();
    expect(g).toMatchObject({ state: 'answered', status: 200, results: [{ uri: './DevInfo/Lang', format: 'chr', data: 'en-US' }] });
    expect(g!.statuses.map((s) => [s.targetRef, s.code])).toEqual([['./DevInfo/Lang', 200], ['./DevDetail/SwV', 404]]);
  });

  it('a session dropped (close, device abort, timeout) puts unanswered commands back at the front of the queue', async () => {
    const clock = new ManualClock(0);
    const server = new DmServer({ clock, sessionTimeoutMs: 1000 });
    const [a, b] = server.enqueue(ID, replace('./Vendor/MSFT/X', 1), replace('./Vendor/MSFT/Y', 2));
    const d = open(server);
    d.send('1', 1, PKG1);
    await flush();
    clock.advance(1000);
    expect(server.sessions(ID)[0]!.result).toBe('timeout');
    expect([a!.state, b!.state, a!.attempts]).toEqual(['queued', 'queued', 1]);
    d.send('2', 1, PKG1);
    await flush();
    d.send('2', 2, '<Alert><CmdID>1</CmdID><Data>1223</Data></Alert>');
    await flush();
    expect(server.sessions(ID)[1]!.result).toBe('aborted');
    expect(d.got.at(-1)!.body.map((e) => e.kind)).toEqual(['Status', 'Status']);
    expect(server.commands(ID).map((r) => [r.state, r.attempts])).toEqual([['queued', 2], ['queued', 2]]);
    d.send('3', 1, PKG1);
    await flush();
    d.device.close();
    await flush();
    expect(server.sessions(ID)[2]!.result).toBe('dropped');
    expect(server.isConnected(ID)).toBe(false);
    expect(() => server.assertNothingPending(ID)).toThrow(/command #1 Replace is queued\n.*command #2 Replace is queued/);
  });

  it('asks for a session with a trigger frame; while a session runs, it asks again when that one ends', async () => {
    const server = new DmServer({ clock: new ManualClock(0) });
    expect(() => server.requestSession(ID)).toThrow(expect.objectContaining({ code: 'LAPS_ERR_SERVER_NOT_CONNECTED' }));
    const d = open(server);
    const sid = server.requestSession(ID)!;
    await flush();
    expect(d.got[0]!.body).toEqual([expect.objectContaining({ kind: 'Alert', data: '1200', cmdId: '1' })]);
    expect(d.got[0]!.header).toMatchObject({ sessionId: sid, msgId: '1' });
    server.enqueue(ID, get('./DevInfo/Man'));
    d.send(sid, 1, PKG1.replace('1201', '1200'));
    await flush();
    expect(d.got[1]!.header.msgId).toBe('2');
    expect(server.requestSession(ID)).toBeUndefined();
    d.send(sid, 2, status(2, '0', 'SyncHdr', 200));
    await flush();
    expect(d.got.at(-1)!.body).toEqual([expect.objectContaining({ kind: 'Alert', data: '1200' })]);
    server.assertNothingPending();
  });

  it('a newer channel of the same device replaces the older one (4409)', async () => {
    const server = new DmServer({ clock: new ManualClock(0) });
    const first = open(server);
    let code = 0;
    first.device.onClose((c) => { code = c; });
    open(server);
    await flush();
    expect(code).toBe(4409);
    expect(server.isConnected(ID)).toBe(true);
  });

  it('commands written as XML, and what cannot be queued', () => {
    const cmds = commandsFromXml('<Get><Item><Target><LocURI>./DevInfo/Man</LocURI></Target></Item></Get><Atomic><Delete><Item><Target><LocURI>./X</LocURI></Target></Item></Delete></Atomic>');
    expect(cmds.map((c) => c.kind)).toEqual(['Get', 'Atomic']);
    expect(() => commandsFromXml('<Status><CmdRef>1</CmdRef></Status>')).toThrow(/cannot queue <Status>/);
    expect(() => lapsPolicy({ Nope: 1 })).toThrow(/not a LAPS policy setting/);
    expect(atomic().children).toEqual([]);
  });

  it('channel paths and bearer tokens', () => {
    expect(deviceIdFromPath(`/devices/${ID}/dm`)).toBe(ID);
    expect(deviceIdFromPath(`/devices/${ID}/dm?x=1`)).toBe(ID);
    expect([deviceIdFromPath('/devices//dm'), deviceIdFromPath('/devices/a%2Fb/dm'), deviceIdFromPath('/dm'), deviceIdFromPath(undefined)]).toEqual([undefined, undefined, undefined, undefined]);
    expect([bearerToken('Bearer abc'), bearerToken('bearer  abc '), bearerToken('Basic abc'), bearerToken(undefined)]).toEqual(['abc', 'abc', undefined, undefined]);
  });
});
