/**
 * What admins do to devices in AD: no SELF permission (10017 / 10065, nothing changes), `lapsim ad
 * expire` (rotation at the next cycle), expiration protection, a reverted VM (rollback detection),
 * read permission for a non-admin reader, and a device pointed at the DC by ldaps:// URL.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { cryptoRng } from '../../../core/rng.js';
import { Secret } from '../../../core/secret.js';
import { text } from '../../../agent/escrow/ad-ldap.js';
import { AdPasswordReader } from '../../../agent/escrow/ad-password-reader.js';
import { createComputer, machinePassword } from '../../../sim/ad/ad-computers.js';
import { toAttributes } from '../../../sim/ad/ad-admin.js';
import { lapsim, tempDir } from '../../helpers/cli.js';
import { DAY, HOUR, type AdLab, type TestDevice } from './ad-lab.js';

const CLEAR = { BackupDirectory: '2', ADPasswordEncryptionEnabled: '0', PasswordAgeDays: '30' };

function snapshot(dev: TestDevice): string {
  const to = join(tempDir('lapsim-ad-snap-'), 'device.db');
  for (const ext of ['', '-wal', '-shm']) if (existsSync(dev.db + ext)) copyFileSync(dev.db + ext, to + ext);
  return to;
}

function revert(dev: TestDevice, from: string): void {
  for (const ext of ['', '-wal', '-shm']) {
    rmSync(dev.db + ext, { force: true });
    if (existsSync(from + ext)) copyFileSync(from + ext, dev.db + ext);
  }
}

export function adminScenarios(lab: AdLab): void {
  describe('admin actions', () => {
    it('without SELF permission the device gets insufficient rights (10017; legacy 10065) and changes nothing', async () => {
      const computers = `CN=Computers,${lab.connection.json.baseDn}`;
      const dev = await lab.device('NOS', CLEAR, { ou: computers });
      const r = await lab.cycle(dev, Date.now());
      expect(r.outcome).toMatchObject({ rotated: false, eventId: 10017, hresult: 0x80072098 });
      expect(r.events).toEqual([10003, 10021, 10009, 10052, 10055, 10015, 10017, 10005]);
      expect(r.state.lastPasswordUpdateTime).toBeUndefined();
      lab.setPolicy(dev, 'legacy', { AdmPwdEnabled: '1' });
      const legacy = await lab.cycle(dev, Date.now());
      expect(legacy.events.slice(-3)).toEqual([10065, 10017, 10005]);
      expect(lab.events(dev).find((e) => e.id === 10065)?.fields).toEqual({ container: computers });
      const raw = await lab.raw(dev);
      expect([text(raw, 'msLAPS-Password'), text(raw, 'ms-Mcs-AdmPwd'), text(raw, 'msLAPS-PasswordExpirationTime')]).toEqual(['', '', '']);
      const none = lapsim(['ad', 'get-password', '--device', dev.name, '--directory', lab.spec]);
      expect([none.code, none.stderr.trim()]).toEqual([1, `lapsim: ${dev.name} holds no LAPS password yet`]);
      expect(lapsim(['ad', 'grant-self', '--ou', computers, '--directory', lab.spec, '--legacy']).code).toBe(0);
      expect((await lab.cycle(dev, Date.now())).outcome.rotated).toBe(true);
      expect(lab.logon(dev, lab.getPassword(dev)[0]!.Password!)).toBe(0);
    });

    it('a refused bind (the machine password no longer matches) is 10057 naming the DC', async () => {
      const dev = await lab.device('BND', CLEAR);
      // Reset twice: like Windows, Samba still accepts the previous password for a while.
      for (const pw of ['Reset!Machine-Pw-41', 'Reset!Machine-Pw-42']) {
        await lab.admin((s) => s.client.modify(`CN=${dev.name},${lab.connection.json.computersOu}`, new Change({
          operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${pw}"`, 'utf16le')] }),
        })));
      }
      const r = await lab.cycle(dev, Date.now());
      expect(r.outcome).toMatchObject({ rotated: false, eventId: 10057, hresult: 0x8007052e });
      expect(lab.events(dev).find((e) => e.id === 10057)?.fields).toEqual({ dcName: lab.connection.json.tlsServerName, errorCode: 0x8007052e });
      expect(r.state.lastPasswordUpdateTime).toBeUndefined();
    });

    it('lapsim ad expire makes the device rotate at its next cycle', async () => {
      const t0 = Date.now();
      const dev = await lab.device('EXP', CLEAR);
      await lab.cycle(dev, t0);
      const old = lab.getPassword(dev)[0]!.Password!;
      expect((await lab.cycle(dev, t0 + HOUR)).events).toContain(10016);
      const r = lapsim(['ad', 'expire', '--device', dev.name, '--directory', lab.spec]);
      expect(r.stdout).toMatch(new RegExp(`^CN=${dev.name},OU=LAPS Devices,.*: password expires \\d{4}-`));
      const next = await lab.cycle(dev, t0 + HOUR);
      expect(next.outcome).toMatchObject({ rotated: true, reasons: 0x1 });
      const [row] = lab.getPassword(dev);
      expect(row!.ExpirationTimestamp).toBe(new Date(t0 + HOUR + 30 * DAY).toISOString());
      expect(lab.logon(dev, old)).toBe(1);
      expect(lab.logon(dev, row!.Password!)).toBe(0);
    });

    it('expiration protection rotates when the expiry is pushed beyond PasswordAgeDays (0x100), unless disabled', async () => {
      const t0 = Date.now();
      const dev = await lab.device('PROT', CLEAR);
      await lab.cycle(dev, t0);
      const far = new Date(t0 + 60 * DAY).toISOString();
      expect(lapsim(['ad', 'expire', '--device', dev.name, '--directory', lab.spec, '--at', far]).code).toBe(0);
      expect((await lab.cycle(dev, t0 + HOUR)).outcome).toMatchObject({ rotated: true, reasons: 0x100 });
      lab.setPolicy(dev, 'gpo', { ...CLEAR, PasswordExpirationProtectionEnabled: '0' });
      expect(lapsim(['ad', 'expire', '--device', dev.name, '--directory', lab.spec, '--at', far]).code).toBe(0);
      const kept = await lab.cycle(dev, t0 + 2 * HOUR);
      expect(kept.outcome).toMatchObject({ rotated: false, reasons: 0 });
      expect(kept.events).toContain(10016);
      const [row] = lab.getPassword(dev);
      expect(row!.ExpirationTimestamp).toBe(far);
      expect(lab.logon(dev, row!.Password!)).toBe(0);
    });

    it('a reverted snapshot is caught by msLAPS-CurrentPasswordVersion (0x4000) and rotates', async () => {
      const t0 = Date.now();
      const dev = await lab.device('ROLL', CLEAR);
      await lab.cycle(dev, t0);
      const snap = snapshot(dev);
      await lab.cycle(dev, t0 + 60_000, 'admin');
      revert(dev, snap);
      const r = await lab.cycle(dev, t0 + HOUR);
      expect(r.outcome).toMatchObject({ rotated: true, reasons: 0x4000 });
      expect(lab.logon(dev, lab.getPassword(dev)[0]!.Password!)).toBe(0);
    });

    it('lapsim ad grant-read lets a non-admin read the clear-text password', async () => {
      const dev = await lab.device('RD', CLEAR);
      await lab.cycle(dev, Date.now());
      const base = lab.connection.json.baseDn;
      await lab.admin((s) => s.client.add(`CN=reader1,CN=Users,${base}`, toAttributes({
        objectClass: 'user', sAMAccountName: 'reader1', userAccountControl: '512', unicodePwd: Buffer.from('"Rd3r!pass-1234"', 'utf16le'),
      })));
      const reader = new AdPasswordReader({ endpoint: lab.connection.endpoint, reader: { bindName: 'reader1@LAPSIM.TEST', password: new Secret('Rd3r!pass-1234') } });
      expect(await reader.read(dev.name, { history: false })).toEqual([]);
      expect(lapsim(['ad', 'grant-read', '--ou', 'LAPS Devices', '--principal', 'reader1@lapsim.test', '--directory', lab.spec]).code).toBe(0);
      const [row] = await reader.read(dev.name, { history: false });
      expect(row?.source).toBe('CleartextPassword');
      expect(row?.password?.reveal()).toBe(lab.getPassword(dev)[0]!.Password);
      expect(lapsim(['ad', 'grant-read', '--ou', 'LAPS Devices', '--principal', 'reader1', '--directory', lab.spec]).stderr).toMatch(/isolated name/);
    });

    it('a device joined by ldaps:// URL with an existing computer account', async () => {
      const c = lab.connection.json;
      const name = lab.name('URL');
      const password = machinePassword(cryptoRng());
      await lab.admin((s) => createComputer(s, { name, container: c.computersOu, password, domainController: false, dnsDomain: c.realm }));
      const db = join(tempDir('lapsim-ad-url-'), 'device.db');
      const env = { LAPSIM_AD_COMPUTER_PASSWORD: password.reveal(), LAPSIM_AD_REALM: c.realm, LAPSIM_AD_CA_FILE: c.caFile, LAPSIM_AD_TLS_NAME: c.tlsServerName };
      const init = lapsim(['device', 'init', '--state', db, '--name', name, '--join', 'ad', '--directory', `ad=${c.url}`], { env });
      expect(init.code, init.stderr).toBe(0);
      const set = lapsim(['policy', 'set', '--state', db, '--root', 'gpo', ...Object.entries(CLEAR).map(([k, v]) => `${k}=${v}`)]);
      expect(set.stdout).toMatch(/password rotated/);
      const dev = { db, deviceId: '', name };
      expect(lab.logon(dev, lab.getPassword(dev)[0]!.Password!)).toBe(0);
      const wrong = lapsim(['device', 'init', '--state', join(tempDir(), 'x.db'), '--name', name, '--join', 'ad', '--directory', `ad=${c.url}`], { env: { ...env, LAPSIM_AD_COMPUTER_PASSWORD: 'nope' } });
      expect(wrong.stderr).toMatch(/cannot join ldaps:\/\/127\.0\.0\.1:636/);
    });
  });
}
