/** Atomic, Sequence, alerts, server statuses, Final, and when the CSP root is committed. */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../core/clock.js';
import { ImplementationError } from '../../../core/errors.js';
import { INITIAL_RESET_STATE } from '../../../csp/csp-root.js';
import type { CspHandler, CspRequest } from '../../../csp/handler.js';
import { LapsCspHandler } from '../../../csp/laps/laps-handler.js';
import { MemoryCspRoot } from '../../../csp/memory-csp-root.js';
import { CspProcessor } from '../../../csp/processor.js';
import { BUILD_24H2, cmd, item, L, msg, NOW, resultLines, run, SpyRoot, statusLines, values } from './helpers.js';

const P = `${L}/Policies`;
const replace = (id: number, name: string, data: string, format = 'int'): string => cmd('Replace', id, item(`${P}/${name}`, data, format));
const start = { PasswordAgeDays: '30', AdministratorAccountName: 'LapsAdmin' };

describe('Atomic', () => {
  it('applies every child when all succeed', () => {
    const r = run(msg(cmd('Atomic', 1, replace(2, 'BackupDirectory', '2'), replace(3, 'ADPasswordEncryptionEnabled', 'true', 'bool'), cmd('Exec', 4, item(`${L}/Actions/ResetPassword`)))));
    expect(r.statuses).toEqual(['1 Atomic -> 200', '2 Replace -> 200', '3 Replace -> 200', '4 Exec -> 200']);
    expect(values(r.root)).toEqual({ BackupDirectory: '2', ADPasswordEncryptionEnabled: 'true' });
    expect(r.result.resetRequested).toBe(true);
    expect(r.root.commits).toHaveLength(1);
  });

  it('a failing child: 507 for the Atomic, its own code for the offender, 216 for every other child; nothing applied', () => {
    const r = run(msg(cmd('Atomic', 5,
      replace(6, 'PasswordAgeDays', '14'),
      cmd('Add', 7, item(`${P}/AdministratorAccountName`, 'ContosoLapsAdmin', 'chr')),
      replace(8, 'PostAuthenticationActions', '3'),
      cmd('Exec', 9, item(`${L}/Actions/ResetPassword`)),
    )), { values: start });
    expect(r.statuses).toEqual(['5 Atomic -> 507', '6 Replace -> 216', '7 Add -> 418', '8 Replace -> 216', '9 Exec -> 216']);
    expect(values(r.root)).toEqual(start);
    expect(r.root.load().reset).toEqual(INITIAL_RESET_STATE);
    expect(r.root.commits).toEqual([]);
    expect(r.result.changed).toBe(false);
    expect(r.result.resetRequested).toBe(false);
  });

  it('rolls back only the Atomic: commands around it stay applied', () => {
    const r = run(msg(replace(1, 'PasswordLength', '20') + cmd('Atomic', 2, replace(3, 'PasswordAgeDays', '7'), get(4)) + replace(5, 'PasswordComplexity', '5')));
    expect(r.statuses).toEqual(['1 Replace -> 200', '2 Atomic -> 507', '3 Replace -> 216', '4 Get -> 500', '5 Replace -> 200']);
    expect(values(r.root)).toEqual({ PasswordLength: '20', PasswordComplexity: '5' });
  });

  it('a Get inside: 500 for the Get, 216 for the others, and nothing runs', () => {
    const r = run(msg(cmd('Atomic', 1, replace(2, 'PasswordAgeDays', '7'), get(3), replace(4, 'PasswordLength', '20'))), { values: start });
    expect(r.statuses).toEqual(['1 Atomic -> 507', '2 Replace -> 216', '3 Get -> 500', '4 Replace -> 216']);
    expect(r.result.reply.body.some((e) => e.kind === 'Results')).toBe(false);
    expect(r.root.loads).toBe(0);
    expect(values(r.root)).toEqual(start);
  });

  it('a nested Atomic: 500 for it, 216 for its children and the siblings, 507 for the parent', () => {
    const r = run(msg(cmd('Atomic', 1, replace(2, 'PasswordAgeDays', '7'), cmd('Atomic', 3, replace(4, 'PasswordLength', '20')), replace(5, 'PasswordComplexity', '4'))));
    expect(r.statuses).toEqual(['1 Atomic -> 507', '2 Replace -> 216', '3 Atomic -> 500', '4 Replace -> 216', '5 Replace -> 216']);
    expect(values(r.root)).toEqual({});
  });

  it('a Sequence inside: its children are checked too (a Get deep inside is the offender)', () => {
    const r = run(msg(cmd('Atomic', 1, cmd('Sequence', 2, replace(3, 'PasswordAgeDays', '7'), get(4)), replace(5, 'PasswordLength', '20'))));
    expect(r.statuses).toEqual(['1 Atomic -> 507', '2 Sequence -> 216', '3 Replace -> 216', '4 Get -> 500', '5 Replace -> 216']);
    const ok = run(msg(cmd('Atomic', 1, cmd('Sequence', 2, replace(3, 'PasswordAgeDays', '7'), replace(4, 'PasswordLength', '21')))));
    expect(ok.statuses).toEqual(['1 Atomic -> 200', '2 Sequence -> 200', '3 Replace -> 200', '4 Replace -> 200']);
    expect(values(ok.root)).toEqual({ PasswordAgeDays: '7', PasswordLength: '21' });
  });

  it('a child without CmdID or a non-command element inside: 400 for it, 216 for the others', () => {
    const r = run(msg(cmd('Atomic', 1, replace(2, 'PasswordAgeDays', '7'), cmd('Replace', undefined, item(`${P}/PasswordLength`, '20', 'int')), '<Copy><CmdID>4</CmdID></Copy>', '<Final/>')));
    expect(r.statuses).toEqual(['1 Atomic -> 507', '2 Replace -> 216', ' Replace -> 400', '4 Copy -> 400', ' Final -> 400']);
    expect(values(r.root)).toEqual({});
  });

  it('a multi-Item child with one failing Item: the other Items and children answer 216', () => {
    const r = run(msg(cmd('Atomic', 1, replace(2, 'PasswordAgeDays', '7'), cmd('Replace', 3, item(`${P}/PasswordLength`, '20', 'int'), item(`${P}/Nope`, '1', 'int')), replace(4, 'PasswordComplexity', '4'))));
    expect(r.statuses).toEqual(['1 Atomic -> 507', '2 Replace -> 216', `3 Replace ${P}/PasswordLength -> 216`, `3 Replace ${P}/Nope -> 404`, '4 Replace -> 216']);
    expect(values(r.root)).toEqual({});
  });

  it('later changes of the same node inside a failed Atomic are rolled back to the value before it', () => {
    const r = run(msg(cmd('Atomic', 1, replace(2, 'PasswordAgeDays', '7'), cmd('Delete', 3, item(`${P}/PasswordAgeDays`)), replace(4, 'PasswordAgeDays', '9'), cmd('Delete', 5, item(`${P}/AdministratorAccountName`)), cmd('Delete', 6, item(`${P}/AdministratorAccountName`)))), { values: start });
    expect(r.statuses).toEqual(['1 Atomic -> 507', '2 Replace -> 216', '3 Delete -> 216', '4 Replace -> 216', '5 Delete -> 216', '6 Delete -> 404']);
    expect(values(r.root)).toEqual(start);
  });

  it('an Atomic without CmdID: 400, its children are neither run nor answered', () => {
    const r = run(msg(cmd('Atomic', undefined, replace(2, 'PasswordAgeDays', '7'))));
    expect(r.statuses).toEqual([' Atomic -> 400']);
    expect(values(r.root)).toEqual({});
  });
});

function get(id: number): string {
  return cmd('Get', id, item(`${P}/PasswordAgeDays`));
}

describe('Sequence', () => {
  it('runs its children in order, each with its own code', () => {
    const r = run(msg(cmd('Sequence', 1, replace(2, 'PasswordAgeDays', '7'), get(3), cmd('Delete', 4, item(`${P}/PasswordAgeDays`)), get(5), replace(6, 'PasswordLength', 'x'))));
    expect(r.statuses).toEqual(['1 Sequence -> 200', '2 Replace -> 200', '3 Get -> 200', '4 Delete -> 200', '5 Get -> 404', '6 Replace -> 400']);
    expect(resultLines(r.result.reply)).toEqual([`${P}/PasswordAgeDays (int) = 7`]);
    expect(r.result.reply.body.map((e) => e.kind)).toEqual(['Status', 'Status', 'Status', 'Status', 'Results', 'Status', 'Status', 'Status']);
  });

  it('holds an Atomic; Status, Results and non-commands inside it answer 400', () => {
    const r = run(msg(cmd('Sequence', 1, cmd('Atomic', 2, replace(3, 'PasswordAgeDays', '7')), '<Status><CmdID>4</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>', '<Sync><CmdID>5</CmdID></Sync>')));
    expect(r.statuses).toEqual(['1 Sequence -> 200', '2 Atomic -> 200', '3 Replace -> 200', '4 Status -> 400', '5 Sync -> 400']);
  });

  it('a Sequence without CmdID: 400, children not run', () => {
    const r = run(msg(cmd('Sequence', undefined, replace(2, 'PasswordAgeDays', '7'))));
    expect(r.statuses).toEqual([' Sequence -> 400']);
    expect(values(r.root)).toEqual({});
  });
});

describe('what the server sends besides commands', () => {
  it('Alert 1222 gets 200; 1200 (a trigger) gets no Status; alerts the device does not handle get 406; a bad Alert 400', () => {
    const alert = (id: number | undefined, data?: string): string => cmd('Alert', id, data === undefined ? '' : `<Data>${data}</Data>`);
    const r = run(msg(alert(1, '1222') + alert(2, '1200') + alert(3, '1201') + alert(4, '1224') + alert(5, '1100') + alert(6, '9999') + alert(7) + alert(undefined, '1222') + alert(9, 'abc')));
    expect(r.statuses).toEqual(['1 Alert -> 200', '3 Alert -> 406', '4 Alert -> 406', '5 Alert -> 406', '6 Alert -> 406', '7 Alert -> 400', ' Alert -> 400', '9 Alert -> 400']);
    expect(r.root.loads).toBe(0);
  });

  it('Status and Results from the server get no Status; a message of only those needs no reply', () => {
    const r = run(msg('<Status><CmdID>1</CmdID><MsgRef>2</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status><Results><CmdID>2</CmdID><CmdRef>5</CmdRef></Results>'));
    expect(r.statuses).toEqual([]);
    expect(r.result.reply.body).toHaveLength(1);
    expect(r.result.replyRequired).toBe(false);
  });

  it('an empty package needs no reply', () => {
    const r = run(msg(''));
    expect(r.result.replyRequired).toBe(false);
    expect(r.result.reply.final).toBe(true);
  });

  it('Alert 1223 aborts the session: nothing is committed, not even earlier commands, and nothing is sent', () => {
    const r = run(msg(replace(1, 'PasswordAgeDays', '7') + cmd('Alert', 2, '<Data>1223</Data>') + replace(3, 'PasswordLength', '20')), { values: start });
    expect(r.result.sessionAborted).toBe(true);
    expect(r.result.replyRequired).toBe(false);
    expect(r.statuses).toEqual(['1 Replace -> 200']);
    expect(values(r.root)).toEqual(start);
    expect(r.root.commits).toEqual([]);
  });

  it('a message without Final: statuses, then Alert 1222, and no Final of our own', () => {
    const r = run(msg(replace(1, 'PasswordAgeDays', '7'), { final: false }));
    const body = r.result.reply.body;
    expect(body.at(-1)).toEqual({ kind: 'Alert', cmdId: '3', data: '1222', items: [] });
    expect(r.result.reply.final).toBe(false);
    expect(r.result.replyRequired).toBe(true);
    expect(r.result.replyText).not.toContain('<Final/>');
  });
});

describe('commit', () => {
  it('loads the root once and commits once per message, after every command', () => {
    const r = run(msg(replace(1, 'PasswordAgeDays', '7') + replace(2, 'PasswordLength', '20') + cmd('Delete', 3, item(`${P}/AdministratorAccountName`))), { values: start });
    expect(r.root.loads).toBe(1);
    expect(r.root.commits).toEqual([{ values: new Map([['PasswordAgeDays', '7'], ['PasswordLength', '20'], ['AdministratorAccountName', null]]) }]);
  });

  it('commits nothing when processing fails half-way (a bug in a handler)', () => {
    const throwing: CspHandler = {
      root: './DevDetail',
      open: () => ({
        execute: (_req: CspRequest) => {
          throw new ImplementationError('boom');
        },
        savepoint: () => 0,
        rollbackTo: () => undefined,
        commit: () => ({ changed: false, resetRequested: false }),
      }),
    };
    const root = new SpyRoot();
    const p = new CspProcessor({ clock: new FixedClock(NOW), handlers: [new LapsCspHandler(), throwing] });
    expect(() => p.process(msg(replace(1, 'PasswordAgeDays', '7') + cmd('Get', 2, item('./DevDetail/SwV'))), { root, osBuild: BUILD_24H2, strict: false })).toThrow(ImplementationError);
    expect(root.commits).toEqual([]);
    expect(values(root)).toEqual({});
  });
});

describe('handler registry', () => {
  it('routes by the longest root and hands the path below it to the handler', () => {
    const seen: string[] = [];
    const devDetail: CspHandler = {
      root: './DevDetail',
      open: () => ({
        execute: (req: CspRequest) => {
          seen.push(`${req.command} ${req.path}`);
          return { status: 200, result: { format: 'chr', data: '10.0.26100.4349' } };
        },
        savepoint: () => 0,
        rollbackTo: () => undefined,
        commit: () => ({ changed: false, resetRequested: false }),
      }),
    };
    const p = new CspProcessor({ clock: new FixedClock(NOW), handlers: [new LapsCspHandler(), devDetail] });
    const r = p.process(msg(cmd('Get', 1, item('./DevDetail/SwV')) + cmd('Get', 2, item('./DevDetail')) + cmd('Get', 3, item('./DevDetailX'))), { root: new MemoryCspRoot(), osBuild: BUILD_24H2, strict: false });
    expect(seen).toEqual(['Get SwV', 'Get ']);
    expect(statusLines(r.reply)).toEqual(['1 Get -> 200', '2 Get -> 200', '3 Get -> 404']);
  });
});
