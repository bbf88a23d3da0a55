/**
 * LDAPS sessions with an Active Directory domain controller (ldapts), and how their failures
 * become LAPS events: a DC that cannot be reached is "no writable DC" (10056), a bind or TLS
 * failure is 10057, missing rights are LDAP_INSUFFICIENT_RIGHTS, a missing attribute is 10012.
 * An AD DC refuses simple binds without TLS, so only ldaps:// URLs are used.
 */
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Client, InsufficientAccessError, InvalidCredentialsError, NoSuchAttributeError, ObjectClassViolationError, UndefinedTypeError, type Entry } from 'ldapts';
import { EscrowError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';

/** How to reach a DC. */
export interface AdEndpoint {
  /** `ldaps://host[:port]` */
  readonly url: string;
  /** PEM of the CA that issued the DC's certificate; default: the system's trust store. */
  readonly caPem?: string | undefined;
  /** DNS name the DC's certificate must carry (a DC's certificate names it, not 127.0.0.1); default: the URL's host. */
  readonly tlsServerName?: string | undefined;
  /** Operation and connect timeout, ms; default 10 000. */
  readonly timeoutMs?: number | undefined;
}

/** Who binds: `NAME$@REALM` for a computer, `user@REALM` for an admin. */
export interface AdCredentials {
  readonly bindName: string;
  readonly password: Secret;
}

/** HRESULTs of AD failures (unsigned 32-bit). */
export const AD_HRESULT = {
  /** HRESULT_FROM_WIN32(ERROR_NO_SUCH_DOMAIN 1355): no DC could be located. */
  NO_DC: 0x8007054b,
  /** HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE 1326): the bind was refused. */
  LOGON_FAILURE: 0x8007052e,
  /** SEC_E_UNTRUSTED_ROOT: the DC's certificate is not trusted. */
  UNTRUSTED_ROOT: 0x80090325,
  /** HRESULT_FROM_WIN32(ERROR_DS_SERVER_DOWN 8250): the connection dropped. */
  SERVER_DOWN: 0x8007203a,
  /** HRESULT_FROM_WIN32(ERROR_DS_INSUFF_ACCESS_RIGHTS 8344). */
  INSUFFICIENT_RIGHTS: 0x80072098,
  /** HRESULT_FROM_WIN32(ERROR_DS_ATT_NOT_DEF_IN_SCHEMA 8371 / 0x20B3): schema lacks the attribute. */
  SCHEMA: 0x800720b3,
  /** HRESULT_FROM_WIN32(ERROR_NONE_MAPPED 1332): the principal maps to no account. */
  NONE_MAPPED: 0x80070534,
  /** HRESULT_FROM_WIN32(ERROR_DS_OBJ_NOT_FOUND 8333): the computer object was not found. */
  OBJECT_NOT_FOUND: 0x8007208d,
  /** HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED): the domain functional level is too low. */
  NOT_SUPPORTED: 0x80070032,
  /** E_FAIL */
  E_FAIL: 0x80004005,
} as const;

const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : undefined;
}

/** The host part of an ldaps URL. */
export function hostOf(url: string): string {
  return new URL(url).hostname;
}

/** A failure before any operation: the DC could not be located (10056) or the bind failed (10057). */
export function connectFailure(e: unknown, endpoint: AdEndpoint): EscrowError {
  const dcName = endpoint.tlsServerName ?? hostOf(endpoint.url);
  const code = errCode(e);
  const message = (e as Error).message ?? String(e);
  if ((code !== undefined && UNREACHABLE.has(code)) || /Connection timeout|Socket error|socket hang up/i.test(message)) {
    return new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', `no domain controller answered at ${endpoint.url} (${code ?? message.split('\n')[0]})`, {
      retryable: true, hresult: AD_HRESULT.NO_DC, cause: e, events: [{ id: 10056, fields: { errorCode: AD_HRESULT.NO_DC } }],
    });
  }
  const hresult = e instanceof InvalidCredentialsError ? AD_HRESULT.LOGON_FAILURE : code?.startsWith('ERR_TLS') || /certificate|self.signed|altname/i.test(message) ? AD_HRESULT.UNTRUSTED_ROOT : AD_HRESULT.SERVER_DOWN;
  return new EscrowError('LAPS_ERR_ESCROW_AD_BIND', `LDAP bind to ${dcName} failed: ${message.split('\n')[0]}`, {
    retryable: true, hresult, cause: e, events: [{ id: 10057, fields: { dcName, errorCode: hresult } }],
  });
}

/** A failed read or write after the bind. `legacyContainer` set: the write was to the legacy attribute (10065). */
export function operationFailure(e: unknown, endpoint: AdEndpoint, what: string, legacyContainer?: string): EscrowError {
  if (e instanceof EscrowError) return e;
  const message = (e as Error).message?.split('\n')[0] ?? String(e);
  if (e instanceof InsufficientAccessError) {
    return new EscrowError('LAPS_ERR_ESCROW_AD_ACCESS', `${what}: insufficient access rights (LDAP_INSUFFICIENT_RIGHTS); grant the computer SELF permission on its OU`, {
      retryable: false, hresult: AD_HRESULT.INSUFFICIENT_RIGHTS, cause: e,
      events: legacyContainer !== undefined ? [{ id: 10065, fields: { container: legacyContainer } }] : [],
    });
  }
  if (e instanceof UndefinedTypeError || e instanceof NoSuchAttributeError || e instanceof ObjectClassViolationError) {
    return schemaMissing(`${what}: ${message}`, e);
  }
  const code = errCode(e);
  if ((code !== undefined && UNREACHABLE.has(code)) || /Socket error|Connection timeout|socket hang up/i.test(message)) {
    return new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', `${what}: the connection to ${endpoint.url} dropped (${message})`, {
      retryable: true, hresult: AD_HRESULT.SERVER_DOWN, cause: e,
    });
  }
  return new EscrowError('LAPS_ERR_ESCROW', `${what}: ${message}`, { retryable: true, hresult: AD_HRESULT.E_FAIL, cause: e });
}

/** The same failure with `event` logged before its own events. */
export function withLeadingEvent(e: EscrowError, event: { readonly id: number; readonly fields: Readonly<Record<string, string | number | boolean>> }): EscrowError {
  return new EscrowError(e.code as Extract<typeof e.code, `LAPS_ERR_ESCROW${string}`>, e.message, {
    retryable: e.retryable, cause: e, events: [event, ...e.events], ...(e.hresult !== undefined ? { hresult: e.hresult } : {}),
  });
}

/** The schema lacks the LAPS attributes (event 10012). */
export function schemaMissing(message: string, cause?: unknown): EscrowError {
  return new EscrowError('LAPS_ERR_ESCROW_AD_SCHEMA', message, {
    retryable: false, hresult: AD_HRESULT.SCHEMA, ...(cause !== undefined ? { cause } : {}), events: [{ id: 10012, fields: {} }],
  });
}

/** What a DC says about itself (rootDSE). */
export interface RootDse {
  readonly defaultNamingContext: string;
  readonly schemaNamingContext: string;
  readonly configurationNamingContext: string;
  readonly dnsHostName: string;
  /** msDS-Behavior-Version of the domain: 4 = 2008 R2, 7 = 2016. */
  readonly domainFunctionality: number;
}

/** 2016 domain functional level, required for encryption and DSRM (laps-behaviour.md 8.3, 8.4). */
export const DFL_2016 = 7;

/** A bound LDAPS connection. Always `close()` it (the caller's finally). */
export class AdSession {
  constructor(readonly client: Client, readonly endpoint: AdEndpoint) {}

  /** Reads the rootDSE. */
  async rootDse(): Promise<RootDse> {
    const { searchEntries } = await this.client.search('', {
      scope: 'base', filter: '(objectClass=*)',
      attributes: ['defaultNamingContext', 'schemaNamingContext', 'configurationNamingContext', 'dnsHostName', 'domainFunctionality'],
    });
    const e = searchEntries[0];
    if (!e) throw new Error('the DC returned no rootDSE');
    return {
      defaultNamingContext: text(e, 'defaultNamingContext'),
      schemaNamingContext: text(e, 'schemaNamingContext'),
      configurationNamingContext: text(e, 'configurationNamingContext'),
      dnsHostName: text(e, 'dnsHostName'),
      domainFunctionality: Number(text(e, 'domainFunctionality') || '0'),
    };
  }

  /** Entries matching `filter` under `base` (subtree unless told). Binary attributes come back as Buffers. */
  async find(base: string, filter: string, attributes: string[], opts: { scope?: 'base' | 'one' | 'sub'; binary?: string[] } = {}): Promise<Entry[]> {
    const { searchEntries } = await this.client.search(base, {
      scope: opts.scope ?? 'sub', filter, attributes, ...(opts.binary ? { explicitBufferAttributes: opts.binary } : {}),
    });
    return searchEntries;
  }

  async close(): Promise<void> {
    try {
      await this.client.unbind();
    } catch {
      // The connection is gone already; nothing to release.
    }
  }
}

/**
 * Connects over LDAPS and binds. @throws EscrowError with event 10056 (unreachable) or 10057
 * (bind or TLS failure)
 */
export async function openAdSession(endpoint: AdEndpoint, creds: AdCredentials): Promise<AdSession> {
  if (!endpoint.url.toLowerCase().startsWith('ldaps://')) {
    throw new EscrowError('LAPS_ERR_ESCROW_AD_BIND', `an AD DC refuses simple binds without TLS: use an ldaps:// URL, not ${endpoint.url}`, { retryable: false });
  }
  const name = endpoint.tlsServerName;
  const client = new Client({
    url: endpoint.url,
    timeout: endpoint.timeoutMs ?? 10_000,
    connectTimeout: endpoint.timeoutMs ?? 10_000,
    tlsOptions: {
      ...(endpoint.caPem !== undefined ? { ca: endpoint.caPem } : {}),
      ...(name !== undefined ? { servername: name, checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert) } : {}),
    },
  });
  try {
    await client.bind(creds.bindName, creds.password.reveal());
  } catch (e) {
    try {
      await client.unbind();
    } catch {
      // Never connected.
    }
    throw connectFailure(e, endpoint);
  }
  return new AdSession(client, endpoint);
}

/** Runs `fn` in a session and always closes it. */
export async function withAdSession<T>(endpoint: AdEndpoint, creds: AdCredentials, fn: (s: AdSession) => Promise<T>): Promise<T> {
  const s = await openAdSession(endpoint, creds);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** An attribute's values whatever case the server spelled its name in. */
export function values(e: Entry, name: string): (string | Buffer)[] {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(e)) {
    if (k.toLowerCase() !== lower) continue;
    return Array.isArray(v) ? v : [v];
  }
  return [];
}

/** The first value as text ('' when absent). */
export function text(e: Entry, name: string): string {
  const v = values(e, name)[0];
  return v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : v;
}

/** Every value as bytes. */
export function buffers(e: Entry, name: string): Buffer[] {
  return values(e, name).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')));
}
