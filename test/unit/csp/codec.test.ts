import { describe, expect, it } from 'vitest';
import type { CmdId, LocUri } from '../../../core/ids.js';
import { escapeXml, parseSyncml, serializeSyncml } from '../../../csp/syncml/codec.js';
import type { SyncMessage } from '../../../csp/syncml/types.js';
import { cmd, item, L, msg } from './helpers.js';

describe('parseSyncml', () => {
  it('reads the SyncHdr', () => {
    const m = parseSyncml(
      '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1C</SessionID><MsgID>7</MsgID>' +
        '<Target><LocURI>DEV</LocURI></Target><Source><LocURI>SRV</LocURI><LocName>admin</LocName></Source><RespURI>https://x</RespURI>' +
        '<Meta><MaxMsgSize xmlns="syncml:metinf">524288</MaxMsgSize></Meta></SyncHdr><SyncBody/></SyncML>',
    );
    expect(m.header).toEqual({
      verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1C', msgId: '7', target: { locUri: 'DEV', locName: undefined },
      source: { locUri: 'SRV', locName: 'admin' }, respUri: 'https://x',
      meta: { format: undefined, type: undefined, size: undefined, nextNonce: undefined, maxMsgSize: '524288', maxObjSize: undefined },
    });
    expect(m.body).toEqual([]);
    expect(m.final).toBe(false);
  });

  it('keeps document order across different command names, at every level', () => {
    const m = parseSyncml(msg(
      cmd('Add', 1, item(`${L}/Policies/A`)) + cmd('Replace', 2, item(`${L}/Policies/B`)) + cmd('Add', 3, item(`${L}/Policies/C`)) +
      cmd('Atomic', 4, cmd('Delete', 5, item('x')), cmd('Replace', 6, item('y')), cmd('Delete', 7, item('z')), cmd('Sequence', 8, cmd('Get', 9, item('g')), cmd('Exec', 10, item('e')), cmd('Get', 11, item('h')))) +
      cmd('Get', 12, item('q')) + cmd('Add', 13, item('r')),
    ));
    expect(m.body.map((e) => `${e.kind}${e.cmdId}`)).toEqual(['Add1', 'Replace2', 'Add3', 'Atomic4', 'Get12', 'Add13']);
    const atomic = m.body[3]!;
    if (atomic.kind !== 'Atomic') throw new Error('not atomic');
    expect(atomic.children.map((e) => `${e.kind}${e.cmdId}`)).toEqual(['Delete5', 'Replace6', 'Delete7', 'Sequence8']);
    const seq = atomic.children[3]!;
    if (seq.kind !== 'Sequence') throw new Error('not sequence');
    expect(seq.children.map((e) => `${e.kind}${e.cmdId}`)).toEqual(['Get9', 'Exec10', 'Get11']);
    expect(m.final).toBe(true);
  });

  it('keeps every Item of a command in order, with item and command Meta', () => {
    const m = parseSyncml(msg(
      '<Replace><CmdID>1</CmdID><Meta><Format xmlns="syncml:metinf">int</Format></Meta>' +
      item(`${L}/Policies/PasswordLength`, '20') + item(`${L}/Policies/AdministratorAccountName`, 'x', 'chr') + item(`${L}/Policies/PasswordAgeDays`, '30') +
      '</Replace>',
    ));
    const r = m.body[0]!;
    if (r.kind !== 'Replace') throw new Error('not replace');
    expect(r.meta?.format).toBe('int');
    expect(r.items.map((i) => [i.target?.locUri, i.meta?.format, i.data])).toEqual([
      [`${L}/Policies/PasswordLength`, undefined, '20'],
      [`${L}/Policies/AdministratorAccountName`, 'chr', 'x'],
      [`${L}/Policies/PasswordAgeDays`, undefined, '30'],
    ]);
  });

  it('decodes the five predefined entities, numeric references and CDATA, and keeps whitespace in Data', () => {
    const m = parseSyncml(msg(
      cmd('Replace', 1, item('a', '&lt;&gt;&amp;&quot;&apos;&#65;&#x42;')) + cmd('Replace', 2, '<Item><Target><LocURI>b</LocURI></Target><Data><![CDATA[<x>&amp;]]></Data></Item>') +
      cmd('Replace', 3, item('c', '  two  spaces ')),
    ));
    const data = m.body.map((e) => (e.kind === 'Replace' ? e.items[0]?.data : undefined));
    expect(data).toEqual(['<>&"\'AB', '<x>&amp;', '  two  spaces ']);
  });

  it('treats a missing, empty or blank CmdID as absent', () => {
    const m = parseSyncml(msg(cmd('Get', undefined, item('a')) + '<Get><CmdID></CmdID></Get><Get><CmdID> </CmdID></Get><Get><CmdID/></Get>'));
    expect(m.body.map((e) => e.cmdId)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('keeps non-command elements as Unknown, with their CmdID', () => {
    const m = parseSyncml(msg('<Copy><CmdID>4</CmdID></Copy><Foo/>'));
    expect(m.body).toEqual([{ kind: 'Unknown', name: 'Copy', cmdId: '4' }, { kind: 'Unknown', name: 'Foo', cmdId: undefined }]);
  });

  it('reads Alert, Status and Results from the server', () => {
    const m = parseSyncml(msg(
      '<Alert><CmdID>1</CmdID><Data>1222</Data></Alert>' +
      '<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><TargetRef>a</TargetRef><SourceRef>b</SourceRef><Data>200</Data></Status>' +
      `<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>9</CmdRef><Item><Source><LocURI>./DevDetail/SwV</LocURI></Source><Data>10.0</Data></Item></Results>`,
    ));
    expect(m.body[0]).toEqual({ kind: 'Alert', cmdId: '1', data: '1222', items: [] });
    expect(m.body[1]).toEqual({ kind: 'Status', cmdId: '2', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', targetRefs: ['a'], sourceRefs: ['b'], items: [], data: '200' });
    expect(m.body[2]).toMatchObject({ kind: 'Results', cmdId: '3', msgRef: '1', cmdRef: '9', items: [{ source: { locUri: './DevDetail/SwV' }, data: '10.0' }] });
  });

  it('ignores attributes, comments, processing instructions and a byte-order mark', () => {
    const m = parseSyncml(`\uFEFF<?xml version="1.0" encoding="UTF-8"?><!-- hello -->${msg(`<!-- c -->${cmd('Get', 1, item(L))}`)}`);
    expect(m.body).toHaveLength(1);
  });
});

describe('serializeSyncml', () => {
  const model: SyncMessage = {
    header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: 'A&B', msgId: '2', target: { locUri: 'SRV' as LocUri }, source: { locUri: 'DEV' as LocUri } },
    body: [
      { kind: 'Status', cmdId: '1' as CmdId, msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', targetRefs: ['DEV'], sourceRefs: ['SRV'], items: [], data: '200' },
      { kind: 'Status', cmdId: '2' as CmdId, msgRef: '1', cmdRef: '', cmd: 'Add', targetRefs: [], sourceRefs: [], items: [], data: '400' },
      {
        kind: 'Results', cmdId: '3' as CmdId, msgRef: '1', cmdRef: '7',
        items: [{ source: { locUri: `${L}/Policies/AdministratorAccountName` as LocUri }, meta: { format: 'chr' }, data: '<Admin> & "co"\r\n' }],
      },
      {
        kind: 'Atomic', cmdId: '4' as CmdId, children: [
          { kind: 'Replace', cmdId: '5' as CmdId, items: [{ target: { locUri: `${L}/Policies/PasswordAgeDays` as LocUri }, meta: { format: 'int', type: 'text/plain' }, data: '30' }] },
          { kind: 'Sequence', cmdId: '6' as CmdId, children: [{ kind: 'Exec', cmdId: '7' as CmdId, items: [{ target: { locUri: `${L}/Actions/ResetPassword` as LocUri } }] }] },
        ],
      },
      { kind: 'Alert', cmdId: '8' as CmdId, data: '1222', items: [] },
      { kind: 'Unknown', name: 'Copy', cmdId: '9' as CmdId },
    ],
    final: true,
  };

  it('writes the OMA DTD element order', () => {
    const text = serializeSyncml(model);
    expect(text.startsWith('<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>A&amp;B</SessionID><MsgID>2</MsgID>')).toBe(true);
    expect(text).toContain('<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef></CmdRef><Cmd>Add</Cmd><Data>400</Data></Status>');
    expect(text).toContain('<Meta><Format xmlns="syncml:metinf">int</Format><Type xmlns="syncml:metinf">text/plain</Type></Meta>');
    expect(text).toContain('<Data>&lt;Admin&gt; &amp; "co"&#13;\n</Data>');
    expect(text.endsWith('<Final/></SyncBody></SyncML>')).toBe(true);
  });

  it('round-trips through the parser, on one line and in the line layout', () => {
    for (const indent of [0, 2]) {
      const back = parseSyncml(serializeSyncml(model, { indent }));
      expect(serializeSyncml(back)).toBe(serializeSyncml(model));
    }
  });

  it('puts each command on its own line in the line layout', () => {
    const lines = serializeSyncml(model, { indent: 2 }).split('\n');
    expect(lines[0]).toBe('<SyncML xmlns="SYNCML:SYNCML1.2">');
    expect(lines.filter((l) => l.trimStart().startsWith('<Status>'))).toHaveLength(2);
    expect(lines).toContain('      <Replace><CmdID>5</CmdID><Item><Target><LocURI>./Device/Vendor/MSFT/LAPS/Policies/PasswordAgeDays</LocURI></Target><Meta><Format xmlns="syncml:metinf">int</Format><Type xmlns="syncml:metinf">text/plain</Type></Meta><Data>30</Data></Item></Replace>');
    expect(lines.at(-1)).toBe('');
  });
});

describe('escapeXml', () => {
  it('escapes markup characters and replaces characters XML 1.0 cannot carry', () => {
    expect(escapeXml('plain text')).toBe('plain text');
    expect(escapeXml('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(escapeXml('x\u0000y\u001Fz\tw\n')).toBe('x\uFFFDy\uFFFDz\tw\n');
  });
});
