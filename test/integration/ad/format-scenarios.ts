/**
 * Whole device cycles against the real DC, one per storage format: clear text, encrypted with
 * history 3 (and the encryption principal's failures), legacy emulation, DSRM on a device flagged
 * as a domain controller. Each ends with `lapsim logon` using what `lapsim ad get-password` read.
 */
import { describe, expect, it } from 'vitest';
import { Attribute, Change } from 'ldapts';
import { buffers, text } from '../../../agent/escrow/ad-ldap.js';
import { decodeEncryptedPasswordValue, guidToBytes } from '../../../agent/escrow/ad-formats.js';
import { msToFiletime } from '../../../core/filetime.js';
import { toAttributes } from '../../../sim/ad/ad-admin.js';
import { lapsim } from '../../helpers/cli.js';
import { DAY, HOUR, type AdLab } from './ad-lab.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function formatScenarios(lab: AdLab): void {
  describe('the device cycle against the DC', () => {
    it('clear text: msLAPS-Password JSON, expiry and version in one modify; get-password opens the account', async () => {
      const t0 = Date.now();
      const dev = await lab.device('CLR', { BackupDirectory: '2', ADPasswordEncryptionEnabled: '0', PasswordAgeDays: '30' });
      const first = await lab.cycle(dev, t0);
      expect(first.outcome).toMatchObject({ rotated: true, reasons: 0x10, hresult: 0 });
      expect(first.events).toEqual([10003, 10021, 10009, 10052, 10055, 10015, 10018, 10020, 10004]);
      const [row] = lab.getPassword(dev);
      expect(row).toMatchObject({
        ComputerName: dev.name, Account: 'Administrator', PasswordUpdateTime: iso(t0), ExpirationTimestamp: iso(t0 + 30 * DAY),
        Source: 'CleartextPassword', DecryptionStatus: 'NotApplicable', AuthorizedDecryptor: null,
      });
      const password = row!.Password!;
      const raw = await lab.raw(dev);
      expect(text(raw, 'msLAPS-Password')).toBe(`{"n":"Administrator","t":"${msToFiletime(t0).toString(16)}","p":${JSON.stringify(password)}}`);
      expect(text(raw, 'msLAPS-PasswordExpirationTime')).toBe(msToFiletime(t0 + 30 * DAY).toString());
      expect(buffers(raw, 'msLAPS-CurrentPasswordVersion')[0]).toEqual(guidToBytes(first.state.lastPasswordVersion!));
      expect(buffers(raw, 'msLAPS-EncryptedPassword')).toEqual([]);
      const again = await lab.cycle(dev, t0 + HOUR);
      expect(again.events).toContain(10016);
      expect(lab.logon(dev, password)).toBe(0);
      expect(lab.logon(dev, `${password}x`)).toBe(1);
      const viaDevice = lapsim(['password', '--state', dev.db, '--json']);
      expect(JSON.parse(viaDevice.stdout)).toMatchObject({ accountName: 'Administrator', password, backupDateTime: iso(t0) });
      const everything = JSON.stringify(lab.events(dev));
      expect(everything).not.toContain(password);
    });

    it('encrypted with history 3: header, CMS blob, history trimmed, every value decrypts', async () => {
      const t0 = Date.now();
      const dev = await lab.device('ENC', { BackupDirectory: '2', ADEncryptedPasswordHistorySize: '3' });
      await lab.cycle(dev, t0);
      for (let k = 1; k <= 4; k++) expect((await lab.cycle(dev, t0 + k * 60_000, 'admin')).outcome.rotated).toBe(true);
      const rows = lab.getPassword(dev, true);
      expect(rows.map((r) => r.Source)).toEqual(['EncryptedPassword', 'EncryptedPasswordHistory', 'EncryptedPasswordHistory', 'EncryptedPasswordHistory']);
      expect(rows.map((r) => r.PasswordUpdateTime)).toEqual([4, 3, 2, 1].map((k) => iso(t0 + k * 60_000)));
      expect(rows.every((r) => r.DecryptionStatus === 'Success' && r.AuthorizedDecryptor === 'LAPSIM\\Domain Admins' && r.Account === 'Administrator')).toBe(true);
      expect(new Set(rows.map((r) => r.Password)).size).toBe(4);
      const raw = await lab.raw(dev);
      const value = buffers(raw, 'msLAPS-EncryptedPassword')[0]!;
      const ft = msToFiletime(t0 + 4 * 60_000);
      expect(value.readUInt32LE(0)).toBe(Number(ft >> 32n));
      expect(value.readUInt32LE(4)).toBe(Number(ft & 0xffffffffn));
      expect(value.readUInt32LE(8)).toBe(value.length - 16);
      expect(value.readUInt32LE(12)).toBe(0);
      expect(decodeEncryptedPasswordValue(value).blob[0]).toBe(0x30);
      expect(buffers(raw, 'msLAPS-EncryptedPasswordHistory')).toHaveLength(3);
      expect(text(raw, 'msLAPS-Password')).toBe('');
      expect(lab.logon(dev, rows[0]!.Password!)).toBe(0);
      expect(lab.logon(dev, rows[1]!.Password!)).toBe(1);
    });

    it('an encryption principal that maps to nothing (10035) or is an isolated name (10034) writes nothing', async () => {
      const t0 = Date.now();
      const dev = await lab.device('PRN', { BackupDirectory: '2' });
      await lab.cycle(dev, t0);
      const before = buffers(await lab.raw(dev), 'msLAPS-EncryptedPassword')[0];
      const password = lab.getPassword(dev)[0]!.Password!;
      for (const [principal, event] of [['nobody@lapsim.test', 10035], ['LAPS Readers', 10034], ['OTHERDOM\\Domain Admins', 10035]] as const) {
        lab.setPolicy(dev, 'gpo', { BackupDirectory: '2', ADPasswordEncryptionPrincipal: principal });
        const r = await lab.cycle(dev, t0 + HOUR, 'admin');
        expect(r.outcome).toMatchObject({ rotated: false, eventId: event, hresult: 0x80070534 });
        expect(r.events.slice(-2)).toEqual([event, 10005]);
        expect(buffers(await lab.raw(dev), 'msLAPS-EncryptedPassword')[0]).toEqual(before);
        expect(lab.opens(dev, password)).toBe(true);
      }
    });

    it('a new encryption target rotates (0x80); the admin decrypts only once in the target group', async () => {
      const t0 = Date.now();
      const dev = await lab.device('GRP', { BackupDirectory: '2' });
      await lab.cycle(dev, t0);
      const base = lab.connection.json.baseDn;
      await lab.admin((s) => s.client.add(`CN=LAPS Readers,CN=Users,${base}`, toAttributes({ objectClass: 'group', sAMAccountName: 'LAPS Readers' })));
      lab.setPolicy(dev, 'gpo', { BackupDirectory: '2', ADPasswordEncryptionPrincipal: 'LAPSIM\\LAPS Readers' });
      const r = await lab.cycle(dev, t0 + HOUR);
      expect(r.outcome).toMatchObject({ rotated: true, reasons: 0x80 });
      expect(lab.getPassword(dev)[0]).toMatchObject({ Password: null, DecryptionStatus: 'Unauthorized', AuthorizedDecryptor: 'LAPSIM\\LAPS Readers' });
      await lab.admin((s) => s.client.modify(`CN=LAPS Readers,CN=Users,${base}`,
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`CN=Administrator,CN=Users,${base}`] }) })));
      const [row] = lab.getPassword(dev);
      expect(row).toMatchObject({ DecryptionStatus: 'Success', AuthorizedDecryptor: 'LAPSIM\\LAPS Readers' });
      expect(lab.logon(dev, row!.Password!)).toBe(0);
    });

    it('legacy Microsoft LAPS emulation writes ms-Mcs-AdmPwd in clear text', async () => {
      const t0 = Date.now();
      const dev = await lab.device('LEG', { AdmPwdEnabled: '1', PasswordAgeDays: '20' }, { root: 'legacy' });
      const r = await lab.cycle(dev, t0);
      expect(r.outcome).toMatchObject({ rotated: true, hresult: 0 });
      expect(r.events).toContain(10023);
      const [row] = lab.getPassword(dev);
      expect(row).toMatchObject({ Account: null, PasswordUpdateTime: null, ExpirationTimestamp: iso(t0 + 20 * DAY), Source: 'LegacyLapsCleartextPassword' });
      const raw = await lab.raw(dev);
      expect(text(raw, 'ms-Mcs-AdmPwd')).toBe(row!.Password);
      expect(text(raw, 'ms-Mcs-AdmPwdExpirationTime')).toBe(msToFiletime(t0 + 20 * DAY).toString());
      expect(text(raw, 'msLAPS-PasswordExpirationTime')).toBe('');
      expect(lab.logon(dev, row!.Password!)).toBe(0);
    });

    it('DSRM on a device flagged as domain controller: msLAPS-EncryptedDSRMPassword(History) on its own object', async () => {
      const t0 = Date.now();
      const dev = await lab.device('DSRM', { BackupDirectory: '2', ADPasswordEncryptionEnabled: '1', ADBackupDSRMPassword: '1', ADEncryptedPasswordHistorySize: '2' }, { dc: true });
      const raw0 = await lab.raw(dev);
      expect(raw0.dn).toBe(`CN=${dev.name},OU=Domain Controllers,${lab.connection.json.baseDn}`);
      expect(text(raw0, 'userAccountControl')).toBe('8192');
      expect((await lab.cycle(dev, t0)).outcome.rotated).toBe(true);
      expect((await lab.cycle(dev, t0 + 60_000, 'admin')).outcome.rotated).toBe(true);
      const rows = lab.getPassword(dev, true);
      expect(rows.map((r) => [r.Source, r.DecryptionStatus, r.AuthorizedDecryptor])).toEqual([
        ['EncryptedDSRMPassword', 'Success', 'LAPSIM\\Domain Admins'], ['EncryptedDSRMPasswordHistory', 'Success', 'LAPSIM\\Domain Admins'],
      ]);
      const raw = await lab.raw(dev);
      expect(buffers(raw, 'msLAPS-EncryptedPassword')).toEqual([]);
      expect(text(raw, 'msLAPS-Password')).toBe('');
      expect(lab.logon(dev, rows[0]!.Password!)).toBe(0);
      expect(lab.logon(dev, rows[1]!.Password!)).toBe(1);
    });
  });
}
