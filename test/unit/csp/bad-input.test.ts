/**
 * Bad input never crashes and never changes state: an unusable envelope throws
 * MalformedSyncmlError before the CSP root is even read; a bad command inside a usable envelope
 * is answered with a Status and leaves the root as it was.
 */
import { describe, expect, it } from 'vitest';
import { MalformedSyncmlError } from '../../../core/errors.js';
import { parseSyncml } from '../../../csp/syncml/codec.js';
import { MAX_DEPTH, MAX_MESSAGE_BYTES } from '../../../csp/syncml/guards.js';
import { cmd, header, item, L, msg, run, SpyRoot, values } from './helpers.js';

function codeOf(text: string): string {
  try {
    parseSyncml(text);
  } catch (e) {
    if (e instanceof MalformedSyncmlError) return e.code;
    throw e;
  }
  return 'parsed';
}

/** Processes `text` on a root that already holds a value; returns the error code, asserting nothing was read or written. */
function refused(text: string): string {
  const root = new SpyRoot({ values: new Map([['PasswordAgeDays', '30']]), reset: { status: 0, pending: false, requestedAt: null } });
  let code = 'processed';
  try {
    run(text, { root });
  } catch (e) {
    if (!(e instanceof MalformedSyncmlError)) throw e;
    code = e.code;
    expect(e.excerpt.length).toBeLessThanOrEqual(200);
  }
  expect(root.loads).toBe(0);
  expect(root.commits).toEqual([]);
  expect(values(root)).toEqual({ PasswordAgeDays: '30' });
  return code;
}

const setAge = cmd('Replace', 1, item(`${L}/Policies/PasswordAgeDays`, '7', 'int'));

function nested(depth: number): string {
  // SyncML (1) > SyncBody (2) > Foo ... : depth - 2 Foo elements.
  const foos = depth - 2;
  return `<SyncML xmlns="SYNCML:SYNCML1.2">${header()}<SyncBody>${'<Foo>'.repeat(foos)}${'</Foo>'.repeat(foos)}</SyncBody></SyncML>`;
}

describe('unusable envelopes are refused before anything is read', () => {
  it('a message over 1 MiB (counted in UTF-8 bytes)', () => {
    const pad = (n: number, ch: string): string => msg(cmd('Replace', 1, item(`${L}/Policies/AdministratorAccountName`, ch.repeat(n), 'chr')));
    const base = pad(0, 'a').length;
    expect(refused(pad(MAX_MESSAGE_BYTES - base + 1, 'a'))).toBe('LAPS_ERR_SYNCML_TOO_LARGE');
    expect(codeOf(pad(MAX_MESSAGE_BYTES - base, 'a'))).toBe('parsed');
    // 3 bytes each in UTF-8: under 1 Mi characters, over 1 MiB.
    const euro = pad(Math.ceil(MAX_MESSAGE_BYTES / 3), '\u20AC');
    expect(euro.length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(refused(euro)).toBe('LAPS_ERR_SYNCML_TOO_LARGE');
  });

  it('any DOCTYPE or entity declaration, including the billion laughs', () => {
    const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>' + msg(cmd('Replace', 1, item(`${L}/Policies/AdministratorAccountName`, '&lol2;', 'chr')));
    expect(refused(laughs)).toBe('LAPS_ERR_SYNCML_DOCTYPE');
    expect(refused(`<!DOCTYPE SyncML SYSTEM "http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_RepPro_DTD-V1_2.dtd">${msg(setAge)}`)).toBe('LAPS_ERR_SYNCML_DOCTYPE');
    expect(refused(`<!doctype SyncML>${msg(setAge)}`)).toBe('LAPS_ERR_SYNCML_DOCTYPE');
    expect(refused(msg(setAge).replace('<SyncBody>', '<SyncBody><!ENTITY x "y">'))).toBe('LAPS_ERR_SYNCML_DOCTYPE');
    expect(refused(`<!ELEMENT SyncML ANY>${msg(setAge)}`)).toBe('LAPS_ERR_SYNCML_DOCTYPE');
    expect(refused(`<!-- <!DOCTYPE x> -->${msg(setAge)}`)).toBe('LAPS_ERR_SYNCML_DOCTYPE');
  });

  it(`nesting deeper than ${MAX_DEPTH} levels`, () => {
    expect(codeOf(nested(MAX_DEPTH))).toBe('parsed');
    expect(refused(nested(MAX_DEPTH + 1))).toBe('LAPS_ERR_SYNCML_TOO_DEEP');
    expect(refused(nested(10_000))).toBe('LAPS_ERR_SYNCML_TOO_DEEP');
  });

  it('a root that is not SyncML, or a SyncML without SyncHdr or SyncBody', () => {
    expect(refused('<SyncMLX><SyncHdr/><SyncBody/></SyncMLX>')).toBe('LAPS_ERR_SYNCML_NOT_SYNCML');
    expect(refused('<html><body>hi</body></html>')).toBe('LAPS_ERR_SYNCML_NOT_SYNCML');
    expect(refused('<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Final/></SyncBody></SyncML>')).toBe('LAPS_ERR_SYNCML_NOT_SYNCML');
    expect(refused(`<SyncML xmlns="SYNCML:SYNCML1.2">${header()}</SyncML>`)).toBe('LAPS_ERR_SYNCML_NOT_SYNCML');
    expect(refused('<SyncML/>')).toBe('LAPS_ERR_SYNCML_NOT_SYNCML');
    expect(refused(`<SyncML>${header()}${header()}<SyncBody/></SyncML>`)).toBe('LAPS_ERR_SYNCML_NOT_SYNCML');
  });

  it('a SyncHdr without MsgID or SessionID (the reply could not refer to it)', () => {
    expect(refused(msg(setAge).replace('<MsgID>1</MsgID>', ''))).toBe('LAPS_ERR_MALFORMED_SYNCML');
    expect(refused(msg(setAge).replace('<SessionID>1C</SessionID>', '<SessionID></SessionID>'))).toBe('LAPS_ERR_MALFORMED_SYNCML');
  });

  it('malformed XML', () => {
    const good = msg(setAge);
    const cases = [
      '', '   ', 'not xml at all', good.slice(0, -10), good.replace('</Replace>', '</Add>'), `${good}<SyncML/>`, `${good}trailing`,
      good.replace('<Data>7</Data>', '<Data>&unknown;</Data>'), good.replace('<Data>7</Data>', '<Data>a < b</Data>'),
      good.replace('<Data>7</Data>', '<Data>&#xD800;</Data>').replace('&#xD800;', '&#;'), '<SyncML><!-- unterminated', '<SyncML attr="x></SyncML>',
      good.replace('<SyncBody>', '<SyncBody><![CDATA[never closed'), '</SyncML>',
    ];
    for (const text of cases) expect([text, refused(text)]).toEqual([text, 'LAPS_ERR_MALFORMED_SYNCML']);
  });
});

describe('bad commands inside a usable message are answered and change nothing', () => {
  const start = { PasswordAgeDays: '30', AdministratorAccountName: 'LapsAdmin' };

  it('a command without CmdID: Status with an empty CmdRef and 400', () => {
    const r = run(msg(cmd('Replace', undefined, item(`${L}/Policies/PasswordAgeDays`, '7', 'int'))), { values: start });
    expect(r.statuses).toEqual([' Replace -> 400']);
    expect(values(r.root)).toEqual(start);
    expect(r.root.commits).toEqual([]);
  });

  it('a non-command element: 400', () => {
    const r = run(msg('<Copy><CmdID>2</CmdID></Copy><Foo/>'), { values: start });
    expect(r.statuses).toEqual(['2 Copy -> 400', ' Foo -> 400']);
    expect(values(r.root)).toEqual(start);
  });

  it('a LocURI that starts with /: 400', () => {
    const r = run(msg(cmd('Replace', 1, item('/Device/Vendor/MSFT/LAPS/Policies/PasswordAgeDays', '7', 'int'))), { values: start });
    expect(r.statuses).toEqual(['1 Replace -> 400']);
    expect(values(r.root)).toEqual(start);
  });

  it('values of 64 KiB: stored as Windows does, refused in strict mode, never a crash', () => {
    const big = 'x'.repeat(64 * 1024);
    const r = run(msg(cmd('Replace', 1, item(`${L}/Policies/AdministratorAccountName`, big, 'chr')) + cmd('Get', 2, item(`${L}/Policies/AdministratorAccountName`))));
    expect(r.statuses).toEqual(['1 Replace -> 200', '2 Get -> 200']);
    expect(r.root.load().values.get('AdministratorAccountName')).toBe(big);
    expect(r.result.replyText).toContain(big);
    const strict = run(msg(cmd('Replace', 1, item(`${L}/Policies/AdministratorAccountName`, big, 'chr'))), { strict: true, values: start });
    expect(strict.statuses).toEqual(['1 Replace -> 400']);
    expect(values(strict.root)).toEqual(start);
    const asInt = run(msg(cmd('Replace', 1, item(`${L}/Policies/PasswordAgeDays`, '9'.repeat(64 * 1024), 'int'))), { values: start });
    expect(asInt.statuses).toEqual(['1 Replace -> 400']);
    expect(values(asInt.root)).toEqual(start);
  });

  it('characters XML cannot carry come back as U+FFFD, and the reply stays well-formed', () => {
    // sax refuses a reference to such a character, but lets the raw character through.
    expect(refused(msg(cmd('Replace', 1, item(`${L}/Policies/AdministratorAccountName`, 'a&#x1;b', 'chr'))))).toBe('LAPS_ERR_MALFORMED_SYNCML');
    const r = run(msg(cmd('Replace', 1, item(`${L}/Policies/AdministratorAccountName`, 'a\u0001b', 'chr')) + cmd('Get', 2, item(`${L}/Policies/AdministratorAccountName`))));
    expect(r.statuses).toEqual(['1 Replace -> 200', '2 Get -> 200']);
    const back = parseSyncml(r.result.replyText);
    const res = back.body.find((e) => e.kind === 'Results');
    expect(res?.kind === 'Results' ? res.items[0]?.data : undefined).toBe('a\uFFFDb');
  });
});
