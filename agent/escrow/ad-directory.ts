/**
 * The Active Directory backend of one device, over LDAPS with ldapts. The device binds as its own
 * computer account (`NAME$@REALM`), finds its computer object, reads the expiry (and
 * msLAPS-CurrentPasswordVersion) every cycle, and writes the new password attribute(s), the
 * expiry, the version GUID and the trimmed history in ONE modify: either all of it lands or none
 * (laps-behaviour.md 8.1, 8.3, 8.4, 3.2). Failures are EscrowErrors carrying their LAPS events.
 */
import { Attribute, Change, type Entry } from 'ldapts';
import { EscrowError, ImplementationError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { AdBackupOptions, BackupRequest, DirectoryBackend, DirectoryQuery, DirectoryView, RotationIntent, StoredCredential } from '../ports.js';
import { A, BINARY_ATTRIBUTES, LEGACY_LAPS_ATTRIBUTES, MAX_ENCRYPTED_HISTORY, WINDOWS_LAPS_ATTRIBUTES } from './ad-attributes.js';
import { sealEnvelope } from './ad-envelope.js';
import {
  decodeEncryptedPasswordValue, decodeFiletimeAttribute, encodeEncryptedPasswordValue, encodeFiletimeAttribute, encodeLapsPasswordJson,
  encryptedPayload, guidFromWindowsBytes, guidToBytes,
} from './ad-formats.js';
import { AD_HRESULT, buffers, DFL_2016, openAdSession, operationFailure, schemaMissing, text, withLeadingEvent, type AdCredentials, type AdEndpoint, type AdSession, type RootDse } from './ad-ldap.js';
import type { AdPasswordReader } from './ad-password-reader.js';
import { domainFacts, principalFailure, resolvePrincipal } from './ad-principal.js';
import { filterText } from './ad-sid.js';

export interface AdDirectoryOptions {
  /** The device this backend serves. */
  readonly deviceId: string;
  readonly endpoint: AdEndpoint;
  /** The computer account: `NAME$@REALM` and the machine password. */
  readonly computer: AdCredentials;
  /** sAMAccountName of the computer account (`NAME$`). */
  readonly samAccountName: string;
  /** The domain decryptor's public key (PEM): lapsim's stand-in for the KDS; needed for encryption. */
  readonly encryptionKeyPem?: string | undefined;
  /** Reads passwords back for `credentials()` (an admin identity holding the decryptor's private key). */
  readonly reader?: AdPasswordReader | undefined;
  /** Content keys of the encryption envelope. */
  readonly rng: Rng;
}

const DEFAULT_QUERY: DirectoryQuery = { legacy: false, dsrm: false, rollbackDetection: false };

export class AdDirectory implements DirectoryBackend {
  readonly kind = 'ad' as const;

  constructor(private readonly o: AdDirectoryOptions) {}

  async view(deviceId: string, query: DirectoryQuery = DEFAULT_QUERY): Promise<DirectoryView> {
    this.#own(deviceId);
    return this.#session(async (s) => {
      const root = await this.#step('reading the rootDSE', () => s.rootDse());
      const dcInUse = { id: 10055, fields: { dcName: root.dnsHostName } };
      try {
        return await this.#view(s, root, query, [dcInUse]);
      } catch (e) {
        // The DC was found: its event comes before the failure's, as in Windows' sequence.
        throw e instanceof EscrowError ? withLeadingEvent(e, dcInUse) : e;
      }
    });
  }

  async #view(s: AdSession, root: RootDse, query: DirectoryQuery, events: { id: number; fields: Record<string, string | number> }[]): Promise<DirectoryView> {
    const schema = await this.#step('reading the schema', () => schemaAttributes(s, root));
    const needed = query.legacy ? LEGACY_LAPS_ATTRIBUTES.map((a) => a.name) : [A.expiry, A.password, A.encrypted, A.encryptedHistory, ...(query.dsrm ? [A.dsrm, A.dsrmHistory] : [])];
    const missing = needed.filter((n) => !schema.has(n.toLowerCase()));
    if (missing.length > 0) throw schemaMissing(`the AD schema lacks ${missing.join(', ')} (run Update-LapsADSchema: lapsim ad update-schema${query.legacy ? ' --legacy' : ''})`);
    const versionSupported = !query.legacy && schema.has(A.version.toLowerCase());
    if (query.rollbackDetection && !query.legacy && !versionSupported) events.push({ id: 10108, fields: {} });
    const encrypting = !query.legacy && (query.dsrm || query.encryption !== undefined);
    if (encrypting && root.domainFunctionality < DFL_2016) {
      throw new EscrowError('LAPS_ERR_ESCROW_AD_LEVEL', `password encryption needs the 2016 domain functional level; the domain is at level ${root.domainFunctionality}`, {
        retryable: false, hresult: AD_HRESULT.NOT_SUPPORTED, events: [{ id: 10006, fields: {} }],
      });
    }
    const expiryAttr = query.legacy ? A.legacyExpiry : A.expiry;
    const current = query.dsrm ? A.dsrm : A.encrypted;
    const me = await this.#computer(s, root, [expiryAttr, A.version, ...(encrypting ? [current] : [])]);
    const expiryText = text(me, expiryAttr);
    const version = versionSupported ? buffers(me, A.version)[0] : undefined;
    let encryption: Pick<DirectoryView, 'encryptionTarget' | 'encryptedPasswordPresent'> = {};
    if (encrypting) {
      const principal = query.dsrm ? undefined : query.encryption?.principal;
      const domain = await this.#step('reading the domain', () => domainFacts(s, root));
      const r = await this.#step('resolving the encryption principal', () => resolvePrincipal(s, root, domain, principal));
      if (!r.ok) throw principalFailure(principal ?? 'Domain Admins', r.reason);
      encryption = { encryptionTarget: r.principal.sid, encryptedPasswordPresent: buffers(me, current).length > 0 };
    }
    return {
      events,
      ...(expiryText !== '' ? { expiry: decodeFiletimeAttribute(expiryText) } : {}),
      ...(version?.length === 16 ? { passwordVersion: guidFromWindowsBytes(version) } : {}),
      ...(query.legacy ? {} : { passwordVersionSupported: versionSupported }),
      ...encryption,
    };
  }

  async backup(req: BackupRequest): Promise<void> {
    this.#own(req.deviceId);
    const ad: AdBackupOptions = req.ad ?? { format: 'cleartext', dsrm: false, historySize: 0 };
    if (ad.historySize < 0 || ad.historySize > MAX_ENCRYPTED_HISTORY) throw new ImplementationError(`history size ${ad.historySize} outside 0-${MAX_ENCRYPTED_HISTORY}`);
    const legacy = ad.format === 'legacy';
    await this.#session(async (s) => {
      const root = await this.#step('reading the rootDSE', () => s.rootDse());
      const [current, history] = ad.dsrm ? [A.dsrm, A.dsrmHistory] : [A.encrypted, A.encryptedHistory];
      const encrypted = ad.format === 'encrypted' || ad.dsrm;
      const me = await this.#computer(s, root, encrypted && ad.historySize > 0 ? [current, history] : []);
      const changes: Change[] = [];
      const put = (name: string, ...vals: (string | Buffer)[]): void => {
        changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: name, values: vals as string[] | Buffer[] }) }));
      };
      if (legacy) {
        put(A.legacyPassword, req.password.reveal());
        put(A.legacyExpiry, encodeFiletimeAttribute(req.expiry));
      } else {
        put(A.expiry, encodeFiletimeAttribute(req.expiry));
        const json = { accountName: req.accountName, updateTime: req.backupTime, password: req.password.reveal() };
        if (encrypted) {
          const target = ad.encryptionTarget;
          const key = this.o.encryptionKeyPem;
          if (target === undefined) throw new ImplementationError('an encrypted backup without a resolved encryption target');
          if (key === undefined) {
            throw new EscrowError('LAPS_ERR_ESCROW', 'encryption is on but this device has no decryptor public key (lapsim\'s DPAPI-NG stand-in); rejoin it with --directory ad=<DIR>', { retryable: false, hresult: AD_HRESULT.E_FAIL });
          }
          put(current, encodeEncryptedPasswordValue(req.backupTime, sealEnvelope(encryptedPayload(json), key, target, this.o.rng)));
          put(history, ...trimHistory([...buffers(me, current), ...buffers(me, history)], ad.historySize));
          if (!ad.dsrm) put(A.password);
        } else {
          put(A.password, encodeLapsPasswordJson(json));
          put(A.encrypted);
        }
        if (req.passwordVersion !== undefined) put(A.version, guidToBytes(req.passwordVersion));
      }
      try {
        await s.client.modify(me.dn, changes);
      } catch (e) {
        throw operationFailure(e, this.o.endpoint, `updating ${me.dn}`, legacy ? parentOf(me.dn) : undefined);
      }
    });
  }

  /**
   * Whether the computer object carries `intent`'s rotation: its version GUID, or (legacy
   * emulation, older schema) its expiry, which is the rotation time plus the age to the
   * millisecond. SELF reads both, so no reader identity is needed.
   */
  async holds(deviceId: string, intent: RotationIntent): Promise<boolean> {
    this.#own(deviceId);
    const legacy = intent.ad?.format === 'legacy';
    const expiryAttr = legacy ? A.legacyExpiry : A.expiry;
    return this.#session(async (s) => {
      const root = await this.#step('reading the rootDSE', () => s.rootDse());
      const me = await this.#computer(s, root, [expiryAttr, ...(legacy ? [] : [A.version])]);
      const version = buffers(me, A.version)[0];
      if (intent.passwordVersion !== undefined && version?.length === 16) return guidFromWindowsBytes(version) === intent.passwordVersion;
      return text(me, expiryAttr) === encodeFiletimeAttribute(intent.expiry);
    });
  }

  async credentials(deviceId: string): Promise<StoredCredential[]> {
    this.#own(deviceId);
    if (!this.o.reader) {
      throw new EscrowError('LAPS_ERR_ESCROW', 'reading AD passwords back needs a reader identity (join the device with --directory ad=<DIR>)', { retryable: false });
    }
    const rows = await this.o.reader.read(this.o.samAccountName, { history: true });
    return rows.flatMap((r) => (r.password === undefined ? [] : [{
      accountName: r.account ?? '', accountSid: '', password: r.password, backupTime: r.passwordUpdateTime ?? Number.NaN, expiry: r.expirationTimestamp,
    }]));
  }

  #own(deviceId: string): void {
    if (deviceId !== this.o.deviceId) throw new ImplementationError(`the AD backend of device ${this.o.deviceId} was asked about ${deviceId}`);
  }

  async #session<T>(fn: (s: AdSession) => Promise<T>): Promise<T> {
    const s = await openAdSession(this.o.endpoint, this.o.computer);
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  async #step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw operationFailure(e, this.o.endpoint, what);
    }
  }

  /** The device's own computer object with `attributes`. @throws EscrowError when it is gone (10011) */
  async #computer(s: AdSession, root: RootDse, attributes: string[]): Promise<Entry> {
    const found = await this.#step('finding the computer object', () => s.find(root.defaultNamingContext,
      `(&(objectCategory=computer)(sAMAccountName=${filterText(this.o.samAccountName)}))`, attributes.length ? attributes : ['1.1'], { binary: [...BINARY_ATTRIBUTES] }));
    const me = found[0];
    if (!me) {
      throw new EscrowError('LAPS_ERR_ESCROW_AD_NO_COMPUTER', `no computer object ${this.o.samAccountName} in ${root.defaultNamingContext}`, {
        retryable: true, hresult: AD_HRESULT.OBJECT_NOT_FOUND, events: [{ id: 10011, fields: { errorCode: AD_HRESULT.OBJECT_NOT_FOUND } }],
      });
    }
    return me;
  }
}

/** lDAPDisplayNames (lower case) of the LAPS attributes the schema holds. */
async function schemaAttributes(s: AdSession, root: RootDse): Promise<Set<string>> {
  const names = [...WINDOWS_LAPS_ATTRIBUTES, ...LEGACY_LAPS_ATTRIBUTES].map((a) => `(lDAPDisplayName=${a.name})`).join('');
  const found = await s.find(root.schemaNamingContext, `(&(objectClass=attributeSchema)(|${names}))`, ['lDAPDisplayName'], { scope: 'one' });
  return new Set(found.map((e) => text(e, 'lDAPDisplayName').toLowerCase()));
}

/**
 * The history after this rotation: the current value and the older ones, newest first by the
 * header's update time, at most `size` of them (ADEncryptedPasswordHistorySize).
 */
export function trimHistory(values: readonly Buffer[], size: number): Buffer[] {
  const dated = values.map((v) => {
    try {
      return { v, t: decodeEncryptedPasswordValue(v).updateTime };
    } catch {
      return { v, t: Number.NEGATIVE_INFINITY };
    }
  });
  return dated.sort((a, b) => b.t - a.t).slice(0, size).map((d) => d.v);
}

function parentOf(dn: string): string {
  const i = dn.search(/(?<!\\),/);
  return i < 0 ? dn : dn.slice(i + 1);
}
