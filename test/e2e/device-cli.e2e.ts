/** The device driven from the `lapsim` CLI, as issue 3 describes it. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lapsim, lapsimJson, tempDir } from '../helpers/cli.js';

const MARCH_1 = '2026-03-01T09:00:00Z';

function newDevice(extra: string[] = []): string {
  const db = join(tempDir(), 'device.db');
  const r = lapsim(['device', 'init', '--state', db, '--name', 'PC-E2E', '--now', MARCH_1, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return db;
}

interface Status {
  account: { name: string; sid: string } | null;
  lastRotation: string | null;
  nextRotation: string | null;
  backupDirectory: string;
  policySource: string;
  lastResult: { success: boolean; eventId: number } | null;
}
interface Password { accountName: string; accountSid: string; password: string; backupDateTime: string }

describe('lapsim device life from the CLI', () => {
  it('a GPO policy rotates RID 500, escrows first, and the escrowed password opens the account', () => {
    const db = newDevice();
    const set = lapsim(['policy', 'set', '--state', db, '--root', 'gpo', 'BackupDirectory=1', 'PasswordAgeDays=10', '--now', MARCH_1]);
    expect(set.code, set.stderr).toBe(0);
    const status = lapsimJson<Status>(['status', '--state', db, '--now', '2026-03-01T10:00:00Z']);
    expect(status).toMatchObject({
      account: { name: 'Administrator' }, lastRotation: '2026-03-01T09:00:00.000Z', nextRotation: '2026-03-11T09:00:00.000Z',
      backupDirectory: 'entra', policySource: 'GPO', lastResult: { success: true, eventId: 10004 },
    });
    expect(status.account?.sid).toMatch(/^S-1-5-21-\d+-\d+-\d+-500$/);
    const pw = lapsimJson<Password>(['password', '--state', db]);
    expect(pw).toMatchObject({ accountName: 'Administrator', accountSid: status.account?.sid, backupDateTime: '2026-03-01T09:00:00.000Z' });
    expect(pw.password).toHaveLength(14);
    expect(lapsim(['logon', 'Administrator', '--password', pw.password, '--state', db]).code).toBe(0);
    expect(lapsim(['logon', 'Administrator', '--password', `${pw.password}x`, '--state', db]).code).toBe(1);
  });

  it('a manual rotation on March 5 moves the next one from March 11 to March 15', () => {
    const db = newDevice();
    lapsim(['policy', 'set', '--state', db, '--root', 'local', 'BackupDirectory=1', 'PasswordAgeDays=10', '--now', MARCH_1]);
    const before = lapsimJson<Password>(['password', '--state', db]).password;
    expect(lapsim(['rotate', '--state', db, '--now', '2026-03-05T09:00:00Z']).code).toBe(0);
    expect(lapsimJson<Status>(['status', '--state', db, '--now', '2026-03-05T09:00:00Z']).nextRotation).toBe('2026-03-15T09:00:00.000Z');
    const after = lapsimJson<Password>(['password', '--state', db]).password;
    expect(after).not.toBe(before);
    expect(lapsim(['logon', 'Administrator', '--password', before, '--state', db]).code).toBe(1);
    const processed = lapsimJson<{ rotated: boolean }>(['process', '--state', db, '--now', '2026-03-11T09:00:00Z']);
    expect(processed.rotated).toBe(false);
    expect(lapsimJson<{ rotated: boolean }>(['process', '--state', db, '--now', '2026-03-15T09:00:00Z']).rotated).toBe(true);
  });

  it('post-authentication: a logon schedules the reset, the deadline rotates', () => {
    const db = newDevice();
    lapsim(['policy', 'set', '--state', db, '--root', 'gpo', 'BackupDirectory=1', 'PostAuthenticationResetDelay=2', 'PostAuthenticationActions=3', '--now', MARCH_1]);
    const pw = lapsimJson<Password>(['password', '--state', db]).password;
    const logon = lapsim(['logon', 'administrator', '--password', pw, '--state', db, '--now', '2026-03-02T08:00:00Z']);
    expect(logon.stdout).toContain('2026-03-02T10:00:00.000Z');
    expect(lapsimJson<{ rotated: boolean }>(['process', '--state', db, '--now', '2026-03-02T09:59:00Z']).rotated).toBe(false);
    expect(lapsimJson<{ rotated: boolean }>(['process', '--state', db, '--now', '2026-03-02T10:00:00Z']).rotated).toBe(true);
    expect(lapsim(['logon', 'Administrator', '--password', pw, '--state', db]).code).toBe(1);
    const ids = lapsimJson<{ id: number }[]>(['events', '--state', db, '--since', '2026-03-02T00:00:00Z']).map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining([10041, 10042, 10051, 10044]));
  });

  it('a named account that does not exist: 10013, nothing escrowed; adding it fixes the next cycle', () => {
    const db = newDevice();
    lapsim(['policy', 'set', '--state', db, '--root', 'gpo', 'BackupDirectory=1', 'AdministratorAccountName=LapsAdmin', '--now', MARCH_1]);
    expect(lapsimJson<{ id: number }[]>(['events', '--state', db]).map((e) => e.id)).toContain(10013);
    expect(lapsim(['password', '--state', db]).code).toBe(1);
    expect(lapsim(['account', 'add', 'LapsAdmin', '--admin', '--state', db]).code).toBe(0);
    expect(lapsimJson<{ rotated: boolean }>(['process', '--state', db]).rotated).toBe(true);
    expect(lapsimJson<Password>(['password', '--state', db]).accountName).toBe('LapsAdmin');
    const accounts = lapsimJson<{ name: string; lapsManaged: boolean }[]>(['account', 'list', '--state', db]);
    expect(accounts.find((a) => a.name === 'LapsAdmin')?.lapsManaged).toBe(true);
  });

  it('tamper protection refuses an outside password change with 8654 and event 10031', () => {
    const db = newDevice();
    lapsim(['policy', 'set', '--state', db, '--root', 'gpo', 'BackupDirectory=1', '--now', MARCH_1]);
    const r = lapsim(['account', 'set-password', 'Administrator', 'Hunter2!', '--state', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/8654/);
    expect(lapsimJson<{ id: number }[]>(['events', '--state', db]).map((e) => e.id)).toContain(10031);
  });

  it('policy show names the root in force and values ignored and why', () => {
    const db = newDevice(['--os-build', '10.0.22631.4317']);
    lapsim(['policy', 'set', '--state', db, '--root', 'gpo', 'BackupDirectory=1', 'PasswordComplexity=6', '--now', MARCH_1]);
    const show = lapsimJson<{ source: string; settings: { name: string; value: unknown; origin: string }[]; ignored: { name: string }[] }>(['policy', 'show', '--state', db]);
    expect(show.source).toBe('GPO');
    expect(show.settings.find((s) => s.name === 'PasswordComplexity')).toMatchObject({ value: 4, origin: 'fallback' });
    expect(show.ignored.map((i) => i.name)).toContain('PasswordComplexity');
  });

  it('wrong arguments, unknown accounts and foreign files: one line, non-zero, nothing changed', () => {
    const db = newDevice();
    lapsim(['policy', 'set', '--state', db, '--root', 'gpo', 'BackupDirectory=1', '--now', MARCH_1]);
    const before = readFileSync(db);
    const cases: [string[], number][] = [
      [['bogus'], 2],
      [['status', '--state', db, '--now', 'yesterday'], 2],
      [['policy', 'set', '--state', db, '--root', 'gpo', 'PasswordLength=99'], 2],
      [['policy', 'set', '--state', db, '--root', 'nowhere', 'PasswordLength=20'], 2],
      [['account', 'enable', 'Nobody', '--state', db], 2],
      [['status', '--state', join(tempDir(), 'missing.db')], 2],
      [['status', '--state', '/etc/hostname'], 2],
      [['device', 'init', '--state', db], 2],
    ];
    for (const [args, code] of cases) {
      const r = lapsim(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr.trim().split('\n').length, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/^lapsim: /);
    }
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('no password ever appears in events, status, policy or errors', () => {
    const db = newDevice();
    lapsim(['policy', 'set', '--state', db, '--root', 'gpo', 'BackupDirectory=1', '--now', MARCH_1]);
    const passwords = new Set<string>();
    for (let day = 2; day < 6; day++) {
      lapsim(['rotate', '--state', db, '--now', `2026-03-0${day}T09:00:00Z`]);
      passwords.add(lapsimJson<Password>(['password', '--state', db]).password);
    }
    const outputs = [
      lapsim(['events', '--state', db, '--json']).stdout, lapsim(['events', '--state', db]).stdout,
      lapsim(['status', '--state', db, '--json']).stdout, lapsim(['policy', 'show', '--state', db]).stdout,
      lapsim(['account', 'list', '--state', db, '--json']).stdout,
      lapsim(['logon', 'Administrator', '--password', 'wrong-one', '--state', db]).stderr,
      readFileSync(db).toString('latin1'),
      existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`).toString('latin1') : '',
    ].join('\n');
    expect(passwords.size).toBe(4);
    for (const p of passwords) expect(outputs.includes(p), 'a password leaked').toBe(false);
  });

  it('the demo tours one device and leaves a database the other commands read', () => {
    const dir = tempDir();
    const r = lapsim(['demo', '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('password rotated, escrowed to the directory first');
    expect(r.stdout).toContain('ResetPasswordStatus = 0');
    const db = /device database: (.+)$/m.exec(r.stdout)?.[1];
    expect(db).toBeDefined();
    expect(lapsimJson<{ password: string }[]>(['password', '--state', db!, '--history'])).toHaveLength(3);
  });
});
