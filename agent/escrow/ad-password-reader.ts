/**
 * Reading LAPS passwords back from a computer object as Get-LapsADPassword does: the encrypted
 * password (and history), the clear-text msLAPS-Password, or the legacy ms-Mcs-AdmPwd, with
 * Account, PasswordUpdateTime, ExpirationTimestamp, Source, DecryptionStatus and
 * AuthorizedDecryptor. Encrypted values are opened with the domain decryptor's private key
 * (lapsim's DPAPI-NG stand-in) only when the reading identity is the authorized decryptor or a
 * member of it (its tokenGroups), as DPAPI-NG would allow.
 */
import type { Entry } from 'ldapts';
import { LapsError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import { A, BINARY_ATTRIBUTES } from './ad-attributes.js';
import { envelopePrincipal, openEnvelope } from './ad-envelope.js';
import { decodeEncryptedPasswordValue, decodeEncryptedPayload, decodeFiletimeAttribute, decodeLapsPasswordJson } from './ad-formats.js';
import { buffers, text, withAdSession, type AdCredentials, type AdEndpoint, type AdSession } from './ad-ldap.js';
import { domainFacts, sidFilter } from './ad-principal.js';
import { filterText, sidToString } from './ad-sid.js';

/** Get-LapsADPassword's Source. */
export type LapsPasswordSource =
  | 'EncryptedPassword' | 'EncryptedPasswordHistory' | 'EncryptedDSRMPassword' | 'EncryptedDSRMPasswordHistory'
  | 'CleartextPassword' | 'LegacyLapsCleartextPassword';

/** Get-LapsADPassword's DecryptionStatus. */
export type DecryptionStatus = 'NotApplicable' | 'Success' | 'Unauthorized' | 'Error';

/** One row of Get-LapsADPassword. */
export interface LapsAdPassword {
  readonly computerName: string;
  readonly distinguishedName: string;
  /** Blank for the legacy attribute, which does not record it. */
  readonly account: string | undefined;
  /** Undefined when it could not be decrypted. */
  readonly password: Secret | undefined;
  /** Epoch ms; undefined for the legacy attribute. */
  readonly passwordUpdateTime: number | undefined;
  /** Epoch ms; only the current password has one. */
  readonly expirationTimestamp: number | undefined;
  readonly source: LapsPasswordSource;
  readonly decryptionStatus: DecryptionStatus;
  /** `DOMAIN\name` (or the SID when it no longer resolves) of the principal the value was encrypted to. */
  readonly authorizedDecryptor: string | undefined;
}

/** The domain decryptor's key pair (PEM). */
export interface DecryptorKeys {
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

export interface AdPasswordReaderOptions {
  readonly endpoint: AdEndpoint;
  /** The reading identity (an admin). */
  readonly reader: AdCredentials;
  /** Without it, encrypted values come back with DecryptionStatus Error. */
  readonly decryptor?: DecryptorKeys | undefined;
}

const READ_ATTRIBUTES = [A.expiry, A.password, A.encrypted, A.encryptedHistory, A.dsrm, A.dsrmHistory, A.legacyPassword, A.legacyExpiry, 'sAMAccountName', 'cn'];

export class AdPasswordReader {
  constructor(private readonly o: AdPasswordReaderOptions) {}

  /**
   * The passwords of computer `name` (`NAME` or `NAME$`), current first; with `history`, the
   * encrypted history too, newest first. Empty when it holds none.
   * @throws EscrowError when the DC cannot be reached; LapsError LAPS_ERR_AD_NOT_FOUND when the computer does not exist
   */
  async read(name: string, opts: { history: boolean }): Promise<LapsAdPassword[]> {
    return withAdSession(this.o.endpoint, this.o.reader, async (s) => {
      const root = await s.rootDse();
      const sam = name.endsWith('$') ? name : `${name}$`;
      const me = (await s.find(root.defaultNamingContext, `(&(objectCategory=computer)(sAMAccountName=${filterText(sam)}))`, READ_ATTRIBUTES, { binary: [...BINARY_ATTRIBUTES] }))[0];
      if (!me) throw new LapsError('LAPS_ERR_AD_NOT_FOUND', `no computer ${sam.slice(0, -1)} in ${root.defaultNamingContext}`);
      const groups = await tokenSids(s, root.defaultNamingContext, this.o.reader.bindName);
      const netbios = (await domainFacts(s, root)).netbiosName;
      const names = new Map<string, string | undefined>();
      const rows: LapsAdPassword[] = [];
      const base = { computerName: text(me, 'cn'), distinguishedName: me.dn };
      const expiryText = text(me, A.expiry);
      const expiry = expiryText ? decodeFiletimeAttribute(expiryText) : undefined;
      const encrypted = async (v: Buffer, source: LapsPasswordSource, current: boolean): Promise<LapsAdPassword> => {
        const row = await this.#decrypt(v, groups, (sid) => displayName(s, root.defaultNamingContext, netbios, sid, names));
        return { ...base, ...row, source, expirationTimestamp: current ? expiry : undefined };
      };
      const encryptedSet = (cur: string, hist: string, curSource: LapsPasswordSource, histSource: LapsPasswordSource): Promise<LapsAdPassword>[] => [
        ...buffers(me, cur).map((v) => encrypted(v, curSource, true)),
        ...(opts.history ? sortNewestFirst(buffers(me, hist)).map((v) => encrypted(v, histSource, false)) : []),
      ];
      rows.push(...(await Promise.all(encryptedSet(A.encrypted, A.encryptedHistory, 'EncryptedPassword', 'EncryptedPasswordHistory'))));
      if (rows.length === 0 && text(me, A.password) !== '') rows.push({ ...base, ...clearText(text(me, A.password)), expirationTimestamp: expiry });
      if (rows.length === 0 && text(me, A.legacyPassword) !== '') {
        const legacyExpiry = text(me, A.legacyExpiry);
        rows.push({
          ...base, account: undefined, password: new Secret(text(me, A.legacyPassword)), passwordUpdateTime: undefined,
          expirationTimestamp: legacyExpiry ? decodeFiletimeAttribute(legacyExpiry) : undefined,
          source: 'LegacyLapsCleartextPassword', decryptionStatus: 'NotApplicable', authorizedDecryptor: undefined,
        });
      }
      rows.push(...(await Promise.all(encryptedSet(A.dsrm, A.dsrmHistory, 'EncryptedDSRMPassword', 'EncryptedDSRMPasswordHistory'))));
      return rows;
    });
  }

  async #decrypt(value: Buffer, groups: Set<string>, nameOf: (sid: string) => Promise<string>):
  Promise<Pick<LapsAdPassword, 'account' | 'password' | 'passwordUpdateTime' | 'decryptionStatus' | 'authorizedDecryptor'>> {
    let updateTime: number | undefined;
    let sid: string | undefined;
    try {
      const v = decodeEncryptedPasswordValue(value);
      updateTime = v.updateTime;
      sid = envelopePrincipal(v.blob);
      const decryptor = sid === undefined ? undefined : await nameOf(sid);
      const fail = { account: undefined, password: undefined, passwordUpdateTime: updateTime, authorizedDecryptor: decryptor };
      if (sid === undefined || !groups.has(sid)) return { ...fail, decryptionStatus: 'Unauthorized' };
      if (!this.o.decryptor) return { ...fail, decryptionStatus: 'Error' };
      const clear = decodeEncryptedPayload(openEnvelope(v.blob, this.o.decryptor.privateKeyPem, this.o.decryptor.publicKeyPem).payload);
      return { account: clear.accountName, password: new Secret(clear.password), passwordUpdateTime: clear.updateTime, decryptionStatus: 'Success', authorizedDecryptor: decryptor };
    } catch {
      return { account: undefined, password: undefined, passwordUpdateTime: updateTime, decryptionStatus: 'Error', authorizedDecryptor: sid };
    }
  }
}

function clearText(json: string): Pick<LapsAdPassword, 'account' | 'password' | 'passwordUpdateTime' | 'source' | 'decryptionStatus' | 'authorizedDecryptor'> {
  const v = decodeLapsPasswordJson(json);
  return { account: v.accountName, password: new Secret(v.password), passwordUpdateTime: v.updateTime, source: 'CleartextPassword', decryptionStatus: 'NotApplicable', authorizedDecryptor: undefined };
}

function sortNewestFirst(values: Buffer[]): Buffer[] {
  const t = (v: Buffer): number => {
    try {
      return decodeEncryptedPasswordValue(v).updateTime;
    } catch {
      return Number.NEGATIVE_INFINITY;
    }
  };
  return [...values].sort((a, b) => t(b) - t(a));
}

/** The reading identity's SID and its groups' SIDs (tokenGroups, transitive). */
async function tokenSids(s: AdSession, base: string, bindName: string): Promise<Set<string>> {
  const sam = bindName.includes('\\') ? bindName.slice(bindName.indexOf('\\') + 1) : bindName.split('@')[0]!;
  const who = (await s.find(base, `(|(sAMAccountName=${filterText(sam)})(userPrincipalName=${filterText(bindName)}))`, ['objectSid'], { binary: ['objectSid'] }))[0];
  if (!who) return new Set();
  const token: Entry | undefined = (await s.find(who.dn, '(objectClass=*)', ['tokenGroups'], { scope: 'base', binary: ['tokenGroups'] }))[0];
  return new Set([...buffers(who, 'objectSid'), ...(token ? buffers(token, 'tokenGroups') : [])].map(sidToString));
}

async function displayName(s: AdSession, base: string, netbios: string, sid: string, cache: Map<string, string | undefined>): Promise<string> {
  if (!cache.has(sid)) {
    const e = (await s.find(base, sidFilter(sid), ['sAMAccountName']))[0];
    cache.set(sid, e ? `${netbios}\\${text(e, 'sAMAccountName')}` : undefined);
  }
  return cache.get(sid) ?? sid;
}
