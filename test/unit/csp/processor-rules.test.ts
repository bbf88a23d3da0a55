/** The processor's answer for every command against every kind of node (architecture.md decisions). */
import { describe, expect, it } from 'vitest';
import { E_PENDING } from '../../../csp/csp-root.js';
import { BUILD_23H2, cmd, item, L, msg, NOW, resultLines, run, values } from './helpers.js';

const P = `${L}/Policies`;
const get = (id: number, uri: string): string => cmd('Get', id, item(uri));

describe('the reply envelope', () => {
  it('answers the SyncHdr first and numbers its own CmdIDs from 1', () => {
    const r = run(msg(get(5, `${L}/Actions/ResetPasswordStatus`) + get(9, `${P}/PasswordAgeDays`), { msgId: '3' }));
    const h = r.result.reply.header;
    expect(h).toEqual({ verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1C', msgId: '3', target: { locUri: 'https://mdm.example.test/MDM.svc' }, source: { locUri: '5A0C3C5A8B7E4A5F9F1D2E3C4B5A6978' } });
    const body = r.result.reply.body;
    expect(body[0]).toEqual({
      kind: 'Status', cmdId: '1', msgRef: '3', cmdRef: '0', cmd: 'SyncHdr', targetRefs: ['5A0C3C5A8B7E4A5F9F1D2E3C4B5A6978'],
      sourceRefs: ['https://mdm.example.test/MDM.svc'], items: [], data: '200',
    });
    expect(body.map((e) => e.cmdId)).toEqual(['1', '2', '3', '4']);
    expect(body.map((e) => e.kind)).toEqual(['Status', 'Status', 'Results', 'Status']);
    expect(body.every((e) => e.kind !== 'Status' || e.msgRef === '3')).toBe(true);
    expect(r.statuses).toEqual(['5 Get -> 200', '9 Get -> 404']);
    expect(r.result.reply.final).toBe(true);
    expect(r.result.replyRequired).toBe(true);
  });

  it('uses the MsgID the device layer passes', async () => {
    const { CspProcessor } = await import('../../../csp/processor.js');
    const { MemoryCspRoot } = await import('../../../csp/memory-csp-root.js');
    const { FixedClock } = await import('../../../core/clock.js');
    const p = new CspProcessor({ clock: new FixedClock(NOW) });
    const r = p.process(msg(get(1, L)), { root: new MemoryCspRoot(), osBuild: '10.0.26100.1', strict: false }, { msgId: '42' });
    expect(r.reply.header.msgId).toBe('42');
    expect(r.reply.body[0]?.kind === 'Status' ? r.reply.body[0].msgRef : '').toBe('1');
  });
});

describe('interior nodes', () => {
  it('Get returns the children that exist, joined by /, with Format node', () => {
    const r = run(msg(get(1, L) + get(2, P) + get(3, `${L}/Actions`)), { values: { PasswordAgeDays: '30', BackupDirectory: '2', AutomaticAccountManagementEnabled: 'true' } });
    expect(r.statuses).toEqual(['1 Get -> 200', '2 Get -> 200', '3 Get -> 200']);
    expect(resultLines(r.result.reply)).toEqual([
      `${L} (node) = Policies/Actions`,
      `${P} (node) = BackupDirectory/PasswordAgeDays/AutomaticAccountManagementEnabled`,
      `${L}/Actions (node) = ResetPassword/ResetPasswordStatus`,
    ]);
  });

  it('an empty Policies node lists nothing; CSP 1.1 leaves are not listed before build 26100', () => {
    expect(resultLines(run(msg(get(1, P))).result.reply)).toEqual([`${P} (node) = `]);
    const old = run(msg(get(1, P)), { osBuild: BUILD_23H2, values: { PasswordLength: '20', PassphraseLength: '5' } });
    expect(resultLines(old.result.reply)).toEqual([`${P} (node) = PasswordLength`]);
  });

  it('Add, Replace, Delete and Exec on the root, Policies and Actions: 405', () => {
    for (const uri of [L, P, `${L}/Actions`]) {
      const r = run(msg(cmd('Add', 1, item(uri, 'x')) + cmd('Replace', 2, item(uri, 'x')) + cmd('Delete', 3, item(uri)) + cmd('Exec', 4, item(uri))));
      expect(r.statuses).toEqual(['1 Add -> 405', '2 Replace -> 405', '3 Delete -> 405', '4 Exec -> 405']);
      expect(r.root.commits).toEqual([]);
    }
  });
});

describe('policy leaves', () => {
  it('Add stores int, chr and bool values in canonical text; Get returns them with the node format', () => {
    const r = run(msg(
      cmd('Add', 1, item(`${P}/PasswordAgeDays`, '+07', 'int')) + cmd('Add', 2, item(`${P}/AdministratorAccountName`, 'Contoso Admin', 'chr')) +
      cmd('Add', 3, item(`${P}/ADPasswordEncryptionEnabled`, 'TRUE', 'bool')) + cmd('Add', 4, item(`${P}/PasswordExpirationProtectionEnabled`, 'False', 'bool')) +
      get(5, `${P}/PasswordAgeDays`) + get(6, `${P}/AdministratorAccountName`) + get(7, `${P}/ADPasswordEncryptionEnabled`) + get(8, `${P}/PasswordExpirationProtectionEnabled`),
    ));
    expect(r.statuses.every((s) => s.endsWith('200'))).toBe(true);
    expect(values(r.root)).toEqual({ PasswordAgeDays: '7', AdministratorAccountName: 'Contoso Admin', ADPasswordEncryptionEnabled: 'true', PasswordExpirationProtectionEnabled: 'false' });
    expect(resultLines(r.result.reply)).toEqual([
      `${P}/PasswordAgeDays (int) = 7`, `${P}/AdministratorAccountName (chr) = Contoso Admin`,
      `${P}/ADPasswordEncryptionEnabled (bool) = true`, `${P}/PasswordExpirationProtectionEnabled (bool) = false`,
    ]);
    expect(r.result.changed).toBe(true);
  });

  it('bools are accepted in any case', () => {
    for (const [data, stored] of [['true', 'true'], ['True', 'true'], ['tRuE', 'true'], ['FALSE', 'false'], ['1', 'true'], ['0', 'false']] as const) {
      const r = run(msg(cmd('Replace', 1, item(`${P}/AutomaticAccountManagementEnabled`, data, 'bool'))));
      expect([data, r.statuses, values(r.root)]).toEqual([data, ['1 Replace -> 200'], { AutomaticAccountManagementEnabled: stored }]);
    }
  });

  it('Get and Delete of an unset leaf: 404 and no Results', () => {
    const r = run(msg(get(1, `${P}/PasswordAgeDays`) + cmd('Delete', 2, item(`${P}/PasswordAgeDays`))));
    expect(r.statuses).toEqual(['1 Get -> 404', '2 Delete -> 404']);
    expect(r.result.reply.body.some((e) => e.kind === 'Results')).toBe(false);
    expect(r.result.changed).toBe(false);
  });

  it('Delete removes a value', () => {
    const r = run(msg(cmd('Delete', 1, item(`${P}/PasswordAgeDays`)) + get(2, `${P}/PasswordAgeDays`)), { values: { PasswordAgeDays: '30', PasswordLength: '20' } });
    expect(r.statuses).toEqual(['1 Delete -> 200', '2 Get -> 404']);
    expect(values(r.root)).toEqual({ PasswordLength: '20' });
    expect(r.result.changed).toBe(true);
  });

  it('Add on a leaf that has a value: 418; Replace creates or overwrites', () => {
    const r = run(msg(
      cmd('Add', 1, item(`${P}/PasswordAgeDays`, '7', 'int')) + cmd('Replace', 2, item(`${P}/PasswordAgeDays`, '8', 'int')) +
      cmd('Replace', 3, item(`${P}/PasswordLength`, '20', 'int')),
    ), { values: { PasswordAgeDays: '30' } });
    expect(r.statuses).toEqual(['1 Add -> 418', '2 Replace -> 200', '3 Replace -> 200']);
    expect(values(r.root)).toEqual({ PasswordAgeDays: '8', PasswordLength: '20' });
  });

  it('a Replace with the value already stored changes nothing and commits nothing', () => {
    const r = run(msg(cmd('Replace', 1, item(`${P}/PasswordAgeDays`, '30', 'int'))), { values: { PasswordAgeDays: '30' } });
    expect(r.statuses).toEqual(['1 Replace -> 200']);
    expect(r.result.changed).toBe(false);
    expect(r.root.commits).toEqual([]);
  });

  it('out-of-range and out-of-enum values: 200 and stored (Windows), 400 in strict mode', () => {
    const body = cmd('Replace', 1, item(`${P}/PasswordLength`, '65', 'int')) + cmd('Replace', 2, item(`${P}/PostAuthenticationActions`, '2', 'int')) +
      cmd('Replace', 3, item(`${P}/PasswordAgeDays`, '0', 'int')) + cmd('Replace', 4, item(`${P}/BackupDirectory`, '3', 'int')) +
      cmd('Replace', 5, item(`${P}/AdministratorAccountName`, 'x'.repeat(1025), 'chr'));
    const windows = run(msg(body));
    expect(windows.statuses).toEqual(['1 Replace -> 200', '2 Replace -> 200', '3 Replace -> 200', '4 Replace -> 200', '5 Replace -> 200']);
    expect(values(windows.root)).toMatchObject({ PasswordLength: '65', PostAuthenticationActions: '2', PasswordAgeDays: '0', BackupDirectory: '3' });
    const strict = run(msg(body), { strict: true });
    expect(strict.statuses).toEqual(['1 Replace -> 400', '2 Replace -> 400', '3 Replace -> 400', '4 Replace -> 400', '5 Replace -> 400']);
    expect(values(strict.root)).toEqual({});
  });

  it('strict mode narrows PasswordAgeDays to 7-365 when BackupDirectory is 1 (DDF DependencyChangedAllowedValues)', () => {
    const age = (id: number, days: string): string => cmd('Replace', id, item(`${P}/PasswordAgeDays`, days, 'int'));
    expect(run(msg(age(1, '3')), { strict: true, values: { BackupDirectory: '1' } }).statuses).toEqual(['1 Replace -> 400']);
    expect(run(msg(age(1, '7')), { strict: true, values: { BackupDirectory: '1' } }).statuses).toEqual(['1 Replace -> 200']);
    expect(run(msg(age(1, '3')), { strict: true, values: { BackupDirectory: '2' } }).statuses).toEqual(['1 Replace -> 200']);
    // The dependency is read from the staged state: an earlier command of the same message counts.
    expect(run(msg(cmd('Replace', 1, item(`${P}/BackupDirectory`, '1', 'int')) + age(2, '3')), { strict: true }).statuses).toEqual(['1 Replace -> 200', '2 Replace -> 400']);
  });

  it('strict mode refuses values the OS build does not honour (PasswordComplexity 6 before 24H2)', () => {
    const c6 = msg(cmd('Replace', 1, item(`${P}/PasswordComplexity`, '6', 'int')));
    expect(run(c6, { osBuild: BUILD_23H2, strict: true }).statuses).toEqual(['1 Replace -> 400']);
    expect(run(c6, { osBuild: BUILD_23H2 }).statuses).toEqual(['1 Replace -> 200']);
    expect(run(c6, { strict: true }).statuses).toEqual(['1 Replace -> 200']);
  });

  it('data that cannot be read as the node format: 400', () => {
    const r = run(msg(
      cmd('Replace', 1, item(`${P}/PasswordAgeDays`, 'abc', 'int')) + cmd('Replace', 2, item(`${P}/PasswordAgeDays`, '', 'int')) +
      cmd('Replace', 3, item(`${P}/PasswordAgeDays`)) + cmd('Replace', 4, item(`${P}/PasswordAgeDays`, '1.5', 'int')) +
      cmd('Replace', 5, item(`${P}/ADPasswordEncryptionEnabled`, 'yes', 'bool')) + cmd('Replace', 6, item(`${P}/PasswordAgeDays`, '99999999999', 'int')),
    ));
    expect(r.statuses).toEqual(['1 Replace -> 400', '2 Replace -> 400', '3 Replace -> 400', '4 Replace -> 400', '5 Replace -> 400', '6 Replace -> 400']);
    expect(values(r.root)).toEqual({});
  });

  it('a Meta Format or Type that differs from the node: 415; Format letter case and a missing Meta are accepted', () => {
    const r = run(msg(
      cmd('Replace', 1, item(`${P}/PasswordAgeDays`, '30', 'chr')) + cmd('Replace', 2, item(`${P}/ADPasswordEncryptionEnabled`, 'true', 'int')) +
      cmd('Replace', 3, `<Item><Target><LocURI>${P}/PasswordLength</LocURI></Target><Meta><Type>application/json</Type></Meta><Data>20</Data></Item>`) +
      cmd('Replace', 4, item(`${P}/PasswordLength`, '21', 'Int')) + cmd('Replace', 5, item(`${P}/PasswordComplexity`, '4')) +
      `<Replace><CmdID>6</CmdID><Meta><Format xmlns="syncml:metinf">chr</Format></Meta>${item(`${P}/PostAuthenticationResetDelay`, '8')}</Replace>` +
      cmd('Replace', 7, `<Item><Target><LocURI>${P}/PostAuthenticationResetDelay</LocURI></Target><Meta><Type>text/plain; charset=utf-8</Type></Meta><Data>9</Data></Item>`),
    ));
    expect(r.statuses).toEqual(['1 Replace -> 415', '2 Replace -> 415', '3 Replace -> 415', '4 Replace -> 200', '5 Replace -> 200', '6 Replace -> 415', '7 Replace -> 200']);
    expect(values(r.root)).toEqual({ PasswordLength: '21', PasswordComplexity: '4', PostAuthenticationResetDelay: '9' });
  });

  it('Exec on a policy leaf: 405', () => {
    expect(run(msg(cmd('Exec', 1, item(`${P}/PasswordAgeDays`)))).statuses).toEqual(['1 Exec -> 405']);
  });

  it('CSP 1.1 leaves answer 404 for every command before build 26100, and work from it on', () => {
    const body = cmd('Add', 1, item(`${P}/PassphraseLength`, '5', 'int')) + get(2, `${P}/PassphraseLength`) + cmd('Replace', 3, item(`${P}/AutomaticAccountManagementEnabled`, 'true', 'bool')) +
      cmd('Delete', 4, item(`${P}/PassphraseLength`)) + cmd('Exec', 5, item(`${P}/AutomaticAccountManagementTarget`));
    expect(run(msg(body), { osBuild: BUILD_23H2 }).statuses).toEqual(['1 Add -> 404', '2 Get -> 404', '3 Replace -> 404', '4 Delete -> 404', '5 Exec -> 404']);
    expect(run(msg(body)).statuses).toEqual(['1 Add -> 200', '2 Get -> 200', '3 Replace -> 200', '4 Delete -> 200', '5 Exec -> 405']);
  });
});

describe('the action nodes', () => {
  it('Exec ResetPassword: 200, a pending request (E_PENDING) for the device layer; ResetPasswordStatus reads it', () => {
    const before = run(msg(get(1, `${L}/Actions/ResetPasswordStatus`)));
    expect(resultLines(before.result.reply)).toEqual([`${L}/Actions/ResetPasswordStatus (int) = 0`]);
    expect(before.result.resetRequested).toBe(false);
    const r = run(msg(cmd('Sequence', 1, cmd('Exec', 2, item(`${L}/Actions/ResetPassword`)), get(3, `${L}/Actions/ResetPasswordStatus`))));
    expect(r.statuses).toEqual(['1 Sequence -> 200', '2 Exec -> 200', '3 Get -> 200']);
    expect(resultLines(r.result.reply)).toEqual([`${L}/Actions/ResetPasswordStatus (int) = -2147483638`]);
    expect(r.root.load().reset).toEqual({ status: E_PENDING, pending: true, requestedAt: NOW });
    expect(r.result.resetRequested).toBe(true);
    expect(r.result.changed).toBe(false);
  });

  it('ResetPasswordStatus returns the stored HRESULT', () => {
    const r = run(msg(get(1, `${L}/Actions/ResetPasswordStatus`)));
    r.root.inner.commit({ reset: { status: -2147024891, pending: false, requestedAt: NOW } });
    const again = run(msg(get(1, `${L}/Actions/ResetPasswordStatus`)), { root: r.root });
    expect(resultLines(again.result.reply)).toEqual([`${L}/Actions/ResetPasswordStatus (int) = -2147024891`]);
  });

  it('Get, Add, Replace and Delete on ResetPassword; Add, Replace, Delete and Exec on ResetPasswordStatus: 405', () => {
    const rp = `${L}/Actions/ResetPassword`;
    const rs = `${L}/Actions/ResetPasswordStatus`;
    const r = run(msg(
      get(1, rp) + cmd('Add', 2, item(rp, '1')) + cmd('Replace', 3, item(rp, '1')) + cmd('Delete', 4, item(rp)) +
      cmd('Add', 5, item(rs, '0', 'int')) + cmd('Replace', 6, item(rs, '0', 'int')) + cmd('Delete', 7, item(rs)) + cmd('Exec', 8, item(rs)),
    ));
    expect(r.statuses.map((s) => s.slice(-3))).toEqual(Array(8).fill('405'));
    expect(r.root.commits).toEqual([]);
  });
});

describe('URIs', () => {
  it('./Vendor/MSFT/LAPS and a relative URI are the device-scoped CSP', () => {
    const r = run(msg(cmd('Replace', 1, item('./Vendor/MSFT/LAPS/Policies/PasswordAgeDays', '20', 'int')) + get(2, 'Vendor/MSFT/LAPS/Policies/PasswordAgeDays') + get(3, 'Device/Vendor/MSFT/LAPS/Policies/PasswordAgeDays')));
    expect(r.statuses).toEqual(['1 Replace -> 200', '2 Get -> 200', '3 Get -> 200']);
    expect(resultLines(r.result.reply)).toEqual(['Vendor/MSFT/LAPS/Policies/PasswordAgeDays (int) = 20', 'Device/Vendor/MSFT/LAPS/Policies/PasswordAgeDays (int) = 20']);
  });

  it('unknown nodes, ./User paths, other CSPs and wrong letter case: 404', () => {
    const r = run(msg(
      get(1, `${P}/PasswordAgeDay`) + get(2, `${L}/Foo`) + get(3, `${P}/PasswordAgeDays/Extra`) + get(4, './User/Vendor/MSFT/LAPS/Policies/PasswordAgeDays') +
      cmd('Replace', 5, item('./User/Vendor/MSFT/LAPS/Policies/PasswordAgeDays', '7', 'int')) + get(6, './DevDetail/SwV') + get(7, './Device/Vendor/MSFT/Policy/Config') +
      get(8, './Device/Vendor/MSFT/laps/Policies/PasswordAgeDays') + get(9, './Device/Vendor/MSFT/LAPSX') + get(10, `${P}/ADBackupDSRMPassword`),
    ), { values: { PasswordAgeDays: '30' } });
    expect(r.statuses.map((s) => s.slice(-3))).toEqual(Array(10).fill('404'));
  });

  it('a LocURI that starts with /, or has an empty, . or .. segment: 400; a ?query: 406', () => {
    const r = run(msg(
      get(1, `/${L.slice(2)}`) + get(2, `${P}/`) + get(3, `${L}//Policies`) + get(4, `${L}/./Policies`) + get(5, `${L}/../LAPS`) + get(6, `${P}/PasswordAgeDays?prop=Format`) + get(7, `${L}?list=Struct`),
    ));
    expect(r.statuses).toEqual(['1 Get -> 400', '2 Get -> 400', '3 Get -> 400', '4 Get -> 400', '5 Get -> 400', '6 Get -> 406', '7 Get -> 406']);
  });

  it('an Item without Target and a command without Item: 400', () => {
    const r = run(msg('<Get><CmdID>1</CmdID><Item><Data>x</Data></Item></Get><Replace><CmdID>2</CmdID></Replace>'));
    expect(r.statuses).toEqual(['1 Get -> 400', '2 Replace -> 400']);
  });
});

describe('OS builds without the LAPS CSP', () => {
  const body = msg(get(1, L) + cmd('Replace', 2, item(`${P}/PasswordAgeDays`, '7', 'int')) + cmd('Exec', 3, item(`${L}/Actions/ResetPassword`)));

  it('every LAPS URI answers 404 and the root is never read', () => {
    for (const osBuild of ['10.0.19045.2604', '10.0.17763.4131', '10.0.18363.2274', '10.0.22621.1413', '6.3.9600.0', 'not a build']) {
      const r = run(body, { osBuild });
      expect([osBuild, r.statuses]).toEqual([osBuild, ['1 Get -> 404', '2 Replace -> 404', '3 Exec -> 404']]);
      expect(r.root.loads).toBe(0);
    }
  });

  it('the documented builds and later ones of the same family have it', () => {
    for (const osBuild of ['10.0.17763.4244', '10.0.19041.2784', '10.0.19045.2846', '10.0.20348.1663', '10.0.22000.1754', '10.0.22621.1480', '10.0.22631.2428', '10.0.25145.1', '10.0.26100.1', '10.0.26200.8038', '10.0.22631']) {
      expect([osBuild, run(body, { osBuild }).statuses]).toEqual([osBuild, ['1 Get -> 200', '2 Replace -> 200', '3 Exec -> 200']]);
    }
  });
});

describe('several Items in one command', () => {
  it('each Item is applied and answered with its TargetRef; one Results holds the Gets that succeeded', () => {
    const r = run(msg(
      cmd('Replace', 1, item(`${P}/PasswordAgeDays`, '20', 'int'), item(`${P}/PasswordLength`, 'abc', 'int'), item(`${P}/AdministratorAccountName`, 'adm', 'chr')) +
      cmd('Get', 2, item(`${P}/PasswordAgeDays`), item(`${P}/PasswordLength`), item(`${P}/AdministratorAccountName`)),
    ));
    expect(r.statuses).toEqual([
      `1 Replace ${P}/PasswordAgeDays -> 200`, `1 Replace ${P}/PasswordLength -> 400`, `1 Replace ${P}/AdministratorAccountName -> 200`,
      `2 Get ${P}/PasswordAgeDays -> 200`, `2 Get ${P}/PasswordLength -> 404`, `2 Get ${P}/AdministratorAccountName -> 200`,
    ]);
    expect(resultLines(r.result.reply)).toEqual([`${P}/PasswordAgeDays (int) = 20`, `${P}/AdministratorAccountName (chr) = adm`]);
    expect(r.result.reply.body.filter((e) => e.kind === 'Results')).toHaveLength(1);
    expect(values(r.root)).toEqual({ PasswordAgeDays: '20', AdministratorAccountName: 'adm' });
  });
});
