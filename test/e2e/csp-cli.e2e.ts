/** `lapsim csp apply` and `lapsim csp show`, driven through the built CLI. */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lapsim, lapsimJson, ROOT, tempDir } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'test/fixtures/syncml');
const L = './Device/Vendor/MSFT/LAPS';

interface CspView {
  deviceId: string;
  osBuild: string;
  strict: boolean;
  lapsCsp: boolean;
  policies: Record<string, number | boolean | string>;
  actions: { resetPasswordStatus: number; resetPending: boolean; resetRequestedAt: string | null };
}

function message(body: string): string {
  return '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>7</SessionID><MsgID>1</MsgID>' +
    `<Target><LocURI>DEV</LocURI></Target><Source><LocURI>SRV</LocURI></Source></SyncHdr><SyncBody>${body}<Final/></SyncBody></SyncML>`;
}

function replace(id: number, name: string, data: string, format: string): string {
  return `<Replace><CmdID>${id}</CmdID><Item><Target><LocURI>${L}/Policies/${name}</LocURI></Target><Meta><Format xmlns="syncml:metinf">${format}</Format></Meta><Data>${data}</Data></Item></Replace>`;
}

function codes(stdout: string): string[] {
  return [...stdout.matchAll(/<Status>.*?<CmdRef>([^<]*)<\/CmdRef><Cmd>([^<]*)<\/Cmd>.*?<Data>(\d+)<\/Data><\/Status>/g)].slice(1).map((m) => `${m[1]} ${m[2]} ${m[3]}`);
}

describe('lapsim csp apply', () => {
  it("creates the database and its device on first use, and prints the fixture's golden reply", () => {
    const db = join(tempDir(), 'csp.db');
    const r = lapsim(['csp', 'apply', join(FIXTURES, 'ms-example-entra.xml'), '--state', db, '--pretty']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(FIXTURES, 'ms-example-entra.expected.xml'), 'utf8'));
    const view = lapsimJson<CspView>(['csp', 'show', '--state', db]);
    expect(view.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(view).toMatchObject({
      osBuild: '10.0.26100.4349', strict: false, lapsCsp: true,
      policies: { BackupDirectory: 1, PasswordAgeDays: 7, PasswordComplexity: 4, PasswordLength: 32, AdministratorAccountName: 'ContosoLocalLapsAdmin', PostAuthenticationResetDelay: 8, PostAuthenticationActions: 3 },
      actions: { resetPasswordStatus: 0, resetPending: false, resetRequestedAt: null },
    });
  });

  it('reads standard input, writes one line, and exits 0 whatever the statuses', () => {
    const db = join(tempDir(), 'csp.db');
    const body = replace(1, 'PasswordAgeDays', 'abc', 'int') + `<Get><CmdID>2</CmdID><Item><Target><LocURI>${L}/Policies/PasswordAgeDays</LocURI></Target></Item></Get>` +
      `<Atomic><CmdID>3</CmdID><Get><CmdID>4</CmdID><Item><Target><LocURI>${L}</LocURI></Target></Item></Get></Atomic>`;
    const r = lapsim(['csp', 'apply', '-', '--state', db], { input: message(body) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(codes(r.stdout)).toEqual(['1 Replace 400', '2 Get 404', '3 Atomic 507', '4 Get 500']);
  });

  it('records a reset request stamped with --now; show reports it', () => {
    const db = join(tempDir(), 'csp.db');
    const exec = `<Exec><CmdID>1</CmdID><Item><Target><LocURI>${L}/Actions/ResetPassword</LocURI></Target></Item></Exec>`;
    const r = lapsim(['csp', 'apply', '-', '--state', db, '--now', '2026-03-01T10:00:00Z', '--no-process'], { input: message(exec) });
    expect(codes(r.stdout)).toEqual(['1 Exec 200']);
    expect(lapsimJson<CspView>(['csp', 'show', '--state', db]).actions).toEqual({ resetPasswordStatus: -2147483638, resetPending: true, resetRequestedAt: '2026-03-01T10:00:00.000Z' });
    const text = lapsim(['csp', 'show', '--state', db]);
    expect(text.stdout).toContain(`${L}/Actions/ResetPasswordStatus = -2147483638 (reset pending since 2026-03-01T10:00:00.000Z)`);
  });

  it('the end of the session performs the reset: 0 when it rotated, the failure HRESULT when it could not', () => {
    const db = join(tempDir(), 'csp.db');
    const exec = `<Exec><CmdID>1</CmdID><Item><Target><LocURI>${L}/Actions/ResetPassword</LocURI></Target></Item></Exec>`;
    lapsim(['csp', 'apply', '-', '--state', db, '--now', '2026-03-01T10:00:00Z'], { input: message(exec) });
    // No LAPS policy: nothing to rotate, ERROR_NOT_SUPPORTED (0x80070032) as a signed int.
    expect(lapsimJson<CspView>(['csp', 'show', '--state', db]).actions).toMatchObject({ resetPasswordStatus: -2147024846, resetPending: false });
    const policyAndReset = replace(2, 'BackupDirectory', '1', 'int') + exec.replace('<CmdID>1</CmdID>', '<CmdID>3</CmdID>');
    lapsim(['csp', 'apply', '-', '--state', db, '--now', '2026-03-01T11:00:00Z'], { input: message(policyAndReset) });
    expect(lapsimJson<CspView>(['csp', 'show', '--state', db]).actions).toMatchObject({ resetPasswordStatus: 0, resetPending: false });
    expect(lapsim(['password', '--state', db]).code).toBe(0);
  });

  it('--os-build and --strict are stored on the device and hold for later messages', () => {
    const db = join(tempDir(), 'csp.db');
    const pass = replace(1, 'PassphraseLength', '5', 'int');
    expect(codes(lapsim(['csp', 'apply', '-', '--state', db, '--os-build', '10.0.22631.4317'], { input: message(pass) }).stdout)).toEqual(['1 Replace 404']);
    expect(codes(lapsim(['csp', 'apply', '-', '--state', db], { input: message(pass) }).stdout)).toEqual(['1 Replace 404']);
    expect(codes(lapsim(['csp', 'apply', '-', '--state', db, '--os-build', '10.0.26100.4349'], { input: message(pass) }).stdout)).toEqual(['1 Replace 200']);
    const age = replace(1, 'PasswordAgeDays', '0', 'int');
    expect(codes(lapsim(['csp', 'apply', '-', '--state', db, '--strict'], { input: message(age) }).stdout)).toEqual(['1 Replace 400']);
    expect(codes(lapsim(['csp', 'apply', '-', '--state', db], { input: message(age) }).stdout)).toEqual(['1 Replace 400']);
    expect(lapsimJson<CspView>(['csp', 'show', '--state', db]).strict).toBe(true);
    expect(codes(lapsim(['csp', 'apply', '-', '--state', db, '--no-strict'], { input: message(age) }).stdout)).toEqual(['1 Replace 200']);
    expect(lapsimJson<CspView>(['csp', 'show', '--state', db])).toMatchObject({ strict: false, osBuild: '10.0.26100.4349', policies: { PassphraseLength: 5, PasswordAgeDays: 0 } });
  });

  it('refuses input that is not a usable SyncML message: one line on stderr, exit 2, state untouched', () => {
    const dir = tempDir();
    const fresh = join(dir, 'fresh.db');
    const db = join(dir, 'csp.db');
    lapsim(['csp', 'apply', '-', '--state', db], { input: message(replace(1, 'PasswordLength', '20', 'int')) });
    const before = lapsim(['csp', 'show', '--state', db, '--json']).stdout;
    const big = join(dir, 'big.xml');
    writeFileSync(big, message(replace(1, 'AdministratorAccountName', 'x'.repeat(1024 * 1024), 'chr')));
    const notUtf8 = join(dir, 'latin1.xml');
    writeFileSync(notUtf8, Buffer.concat([Buffer.from(message(replace(1, 'AdministratorAccountName', 'A', 'chr')).replace('>A<', '>')), Buffer.from([0xc4, 0x3c])]));
    const cases: [string[], string | undefined, RegExp][] = [
      [['-'], '<SyncML><SyncHdr>', /not well-formed/],
      [['-'], `<!DOCTYPE x [<!ENTITY a "b">]>${message('')}`, /DOCTYPE/],
      [['-'], '<html/>', /not a SyncML message/],
      [['-'], message('<Foo>'.repeat(40) + '</Foo>'.repeat(40)), /deeper than 32/],
      [[big], undefined, /larger than 1048576 bytes/],
      [[notUtf8], undefined, /not UTF-8|not well-formed/],
      [[join(dir, 'missing.xml')], undefined, /cannot read/],
    ];
    for (const [args, input, why] of cases) {
      for (const state of [fresh, db]) {
        const r = lapsim(['csp', 'apply', ...args, '--state', state], input === undefined ? {} : { input });
        expect([args, r.code]).toEqual([args, 2]);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(why);
        expect(r.stderr.startsWith('lapsim: ')).toBe(true);
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      }
      expect(existsSync(fresh)).toBe(false);
      expect(lapsim(['csp', 'show', '--state', db, '--json']).stdout).toBe(before);
    }
  });

  it('refuses a malformed --os-build before touching anything', () => {
    const db = join(tempDir(), 'csp.db');
    const r = lapsim(['csp', 'apply', '-', '--state', db, '--os-build', '26100'], { input: message('') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--os-build/);
    expect(existsSync(db)).toBe(false);
  });
});

describe('lapsim csp show', () => {
  it('prints the stored values in node order, and says when nothing is stored', () => {
    const db = join(tempDir(), 'csp.db');
    lapsim(['csp', 'apply', '-', '--state', db], { input: message('') });
    expect(lapsim(['csp', 'show', '--state', db]).stdout).toContain(`${L}/Policies: no values stored`);
    lapsim(['csp', 'apply', '-', '--state', db], { input: message(replace(1, 'ADPasswordEncryptionEnabled', 'TRUE', 'bool') + replace(2, 'BackupDirectory', '2', 'int')) });
    const lines = lapsim(['csp', 'show', '--state', db]).stdout.trimEnd().split('\n');
    expect(lines.slice(1)).toEqual([`${L}/Policies/BackupDirectory = 2`, `${L}/Policies/ADPasswordEncryptionEnabled = true`, `${L}/Actions/ResetPasswordStatus = 0`]);
  });

  it('a missing database: exit 2', () => {
    const r = lapsim(['csp', 'show', '--state', join(tempDir(), 'none.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lapsim: /);
  });
});
