/**
 * The domain as an admin prepares it: a device before the schema has the LAPS attributes (10012,
 * nothing changes), `lapsim ad update-schema` (idempotent), `lapsim ad grant-self`; then the
 * directory contract suite on the real DC, clear text and encrypted with history 3.
 */
import { describe, expect, it } from 'vitest';
import { cryptoRng } from '../../../core/rng.js';
import type { DirectoryBackend } from '../../../agent/ports.js';
import { AdDirectory } from '../../../agent/escrow/ad-directory.js';
import { AdPasswordReader } from '../../../agent/escrow/ad-password-reader.js';
import { domainFacts } from '../../../agent/escrow/ad-principal.js';
import { text } from '../../../agent/escrow/ad-ldap.js';
import { createComputer, machinePassword } from '../../../sim/ad/ad-computers.js';
import { directoryContract } from '../../contract/directory.contract.js';
import { lapsim, lapsimJson } from '../../helpers/cli.js';
import type { AdLab } from './ad-lab.js';

/** Computer accounts for the contract's device ids, each with its own AdDirectory, behind one port. */
async function contractBackend(lab: AdLab): Promise<DirectoryBackend> {
  const c = lab.connection;
  const byId = new Map<string, AdDirectory>();
  const reader = new AdPasswordReader({ endpoint: c.endpoint, reader: c.admin, decryptor: c.decryptor });
  for (const id of ['never', 'd-1', 'd-a', 'd-b']) {
    const name = lab.name('CT');
    const password = machinePassword(cryptoRng());
    await lab.admin((s) => createComputer(s, { name, container: c.json.computersOu, password, domainController: false, dnsDomain: c.json.realm }));
    byId.set(id, new AdDirectory({
      deviceId: id, endpoint: c.endpoint, computer: { bindName: `${name}$@${c.json.realm}`, password }, samAccountName: `${name}$`,
      encryptionKeyPem: c.decryptor.publicKeyPem, reader, rng: cryptoRng(),
    }));
  }
  const of = (id: string): AdDirectory => byId.get(id)!;
  return { kind: 'ad', view: (id, q) => of(id).view(id, q), backup: (r) => of(r.deviceId).backup(r), credentials: (id) => of(id).credentials(id) };
}

export function setupScenarios(lab: AdLab): void {
  describe('preparing the domain', () => {
    it('before Update-LapsADSchema a device fails with 10012 and changes nothing', async () => {
      const dev = await lab.device('PRE', { BackupDirectory: '2', ADPasswordEncryptionEnabled: '0' });
      const { outcome, events, state } = await lab.cycle(dev, Date.now());
      expect(outcome).toMatchObject({ rotated: false, eventId: 10012, hresult: 0x800720b3 });
      expect(events).toEqual([10003, 10021, 10009, 10052, 10055, 10012, 10005]);
      expect(state.lastPasswordUpdateTime).toBeUndefined();
      expect(text(await lab.raw(dev), 'msLAPS-Password')).toBe('');
    });

    it('lapsim ad update-schema adds the attributes with their OIDs, once', async () => {
      const first = lapsimJson<{ operation: string; status: string; distinguishedName: string }[]>(['ad', 'update-schema', '--directory', lab.spec, '--legacy']);
      expect(first.filter((s) => s.operation === 'AddSchemaAttribute').map((s) => s.distinguishedName.split(',')[0])).toEqual([
        'CN=ms-LAPS-PasswordExpirationTime', 'CN=ms-LAPS-Password', 'CN=ms-LAPS-EncryptedPassword', 'CN=ms-LAPS-EncryptedPasswordHistory',
        'CN=ms-LAPS-EncryptedDSRMPassword', 'CN=ms-LAPS-EncryptedDSRMPasswordHistory', 'CN=ms-LAPS-CurrentPasswordVersion',
        'CN=ms-Mcs-AdmPwdExpirationTime', 'CN=ms-Mcs-AdmPwd',
      ]);
      expect(first.every((s) => s.status === 'Success')).toBe(true);
      const again = lapsimJson<{ status: string }[]>(['ad', 'update-schema', '--directory', lab.spec, '--legacy']);
      expect(again.every((s) => s.status === 'AlreadyExists')).toBe(true);
      const attrs = await lab.admin(async (s, root) => s.find(root.schemaNamingContext, '(|(lDAPDisplayName=msLAPS-*)(lDAPDisplayName=ms-Mcs-AdmPwd*))',
        ['lDAPDisplayName', 'attributeID', 'attributeSyntax', 'searchFlags', 'isSingleValued'], { scope: 'one' }));
      const byName = Object.fromEntries(attrs.map((e) => [e['lDAPDisplayName'], e]));
      expect(byName['msLAPS-EncryptedPasswordHistory']).toMatchObject({ attributeID: '1.2.840.113556.1.6.44.1.4', attributeSyntax: '2.5.5.10', searchFlags: '904', isSingleValued: 'FALSE' });
      expect(byName['msLAPS-PasswordExpirationTime']).toMatchObject({ attributeID: '1.2.840.113556.1.6.44.1.1', attributeSyntax: '2.5.5.16', searchFlags: '0' });
      expect(byName['ms-Mcs-AdmPwd']).toMatchObject({ attributeID: '1.2.840.113556.1.8000.2554.50051.45980.28112.18903.35903.6685103.1224907.2.1', searchFlags: '904' });
    });

    it('lapsim ad grant-self lets the computers of an OU write their own attributes', async () => {
      const ou = lab.connection.json.computersOu;
      for (const extra of [[], ['--legacy']]) {
        const r = lapsimJson<{ acesAdded: number }>(['ad', 'grant-self', '--ou', 'LAPS Devices', '--directory', lab.spec, ...extra]);
        expect(r.acesAdded).toBe(extra.length === 0 ? 3 : 2);
      }
      expect(lapsimJson<{ distinguishedName: string; acesAdded: number }>(['ad', 'grant-self', '--ou', ou, '--directory', lab.spec])).toEqual({ distinguishedName: ou, acesAdded: 0 });
      const dcOu = `OU=Domain Controllers,${lab.connection.json.baseDn}`;
      expect(lapsim(['ad', 'grant-self', '--ou', dcOu, '--directory', lab.spec]).code).toBe(0);
      const missing = lapsim(['ad', 'grant-self', '--ou', 'No Such OU', '--directory', lab.spec]);
      expect(missing.stderr).toMatch(/no OU named No Such OU/);
    });

    it('the device that failed rotates once the schema and permissions exist', async () => {
      const dev = await lab.device('PRE', { BackupDirectory: '2', ADPasswordEncryptionEnabled: '0' });
      expect((await lab.cycle(dev, Date.now())).outcome).toMatchObject({ rotated: true, hresult: 0 });
    });
  });

  describe('directory contract on Active Directory', () => {
    directoryContract('ad (clear text)', () => contractBackend(lab), { history: 1, viewDetails: true, storesAccountSid: false });
    let domainAdmins = '';
    directoryContract('ad (encrypted, history 3)', async () => {
      domainAdmins ||= `${(await lab.admin((s, root) => domainFacts(s, root))).sid}-512`;
      return contractBackend(lab);
    }, {
      history: 4, viewDetails: true, storesAccountSid: false,
      request: (r) => ({ ...r, ad: { format: 'encrypted', dsrm: false, historySize: 3, encryptionTarget: domainAdmins } }),
    });
  });
}
