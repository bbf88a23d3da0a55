/**
 * The device side of Microsoft Entra LAPS over HTTP(S), against lapsim's Entra emulator (or any
 * server that speaks its documented device endpoint, docs/entra-api.md). A backup is one POST to
 * `/manage/{tenantId}/lapsdevicepasswordupdate/{deviceId}?api-version=1.0&client-request-id=...`
 * with the device credential, logged first as event 10030 (the URL, never the password). Every
 * failure becomes an EscrowError carrying what the device logs: the HTTP status and body for
 * 10059, an HRESULT for 10028 (HTTP 400 gives 0x80070190 as Reset-LapsPassword shows), 10032 for
 * a refused credential, and Retry-After for a throttled device. Entra devices never read their
 * expiry from the directory (laps-behaviour.md 6.4): `view` answers without the network.
 * `credentials` reads back through Graph (`$select=credentials`) with a reader token stored at join.
 */
import type { Clock } from '../../core/clock.js';
import { EscrowError } from '../../core/errors.js';
import { guidFromBytes } from '../../core/ids.js';
import type { Rng } from '../../core/rng.js';
import { Secret } from '../../core/secret.js';
import type { BackupRequest, DirectoryBackend, DirectoryView, StoredCredential } from '../ports.js';
import { httpCall, TransportError, type HttpAnswer } from './http-client.js';

/** What a device holds to talk to its tenant. */
export interface EntraDeviceAuth {
  readonly tenantId: string;
  /** The device credential issued at registration. */
  readonly deviceToken: Secret;
  /** A Graph token with DeviceLocalCredential.Read.All, for reading passwords back. */
  readonly readerToken?: Secret;
}

export interface EntraDirectoryOptions {
  /** Base URL of the service, e.g. https://127.0.0.1:8443 */
  readonly baseUrl: string;
  /** The credentials of a device; undefined for a device that is not registered. */
  readonly auth: (deviceId: string) => EntraDeviceAuth | undefined;
  /** client-request-id values. */
  readonly rng: Rng;
  /** Resolves an HTTP-date Retry-After. */
  readonly clock: Clock;
  /** PEM certificate to trust for HTTPS (the emulator's self-signed one). */
  readonly ca?: string;
  /** Socket inactivity limit in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** User-Agent of the device's posts (default "Windows LAPS", as Entra's audit shows it). */
  readonly userAgent?: string;
}

/** HRESULT_FROM_WIN32 of the WinHTTP errors a transport failure maps to. */
export const WINHTTP_HRESULT = {
  /** ERROR_WINHTTP_TIMEOUT (12002) */
  TIMEOUT: 0x80072ee2,
  /** ERROR_WINHTTP_NAME_NOT_RESOLVED (12007) */
  NAME_NOT_RESOLVED: 0x80072ee7,
  /** ERROR_WINHTTP_CANNOT_CONNECT (12029) */
  CANNOT_CONNECT: 0x80072efd,
  /** ERROR_WINHTTP_CONNECTION_ERROR (12030) */
  CONNECTION_ERROR: 0x80072efe,
  /** ERROR_WINHTTP_SECURE_FAILURE (12175) */
  SECURE_FAILURE: 0x80072f8f,
} as const;

/** Longest response text kept for event 10059. */
const MAX_EVENT_BODY = 4000;
/** Longest Retry-After honoured (a day): a bogus header must not park a device for months. */
const MAX_RETRY_AFTER_MS = 86_400_000;

function transportHresult(code: string): number {
  if (code === 'ETIMEDOUT') return WINHTTP_HRESULT.TIMEOUT;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return WINHTTP_HRESULT.NAME_NOT_RESOLVED;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERESPONSETOOLARGE') return WINHTTP_HRESULT.CONNECTION_ERROR;
  if (/CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_VERIFY|ALTNAME/.test(code)) return WINHTTP_HRESULT.SECURE_FAILURE;
  return WINHTTP_HRESULT.CANNOT_CONNECT;
}

/** The Entra directory backend of a device (or of several, for tests and fleets). */
export class EntraDirectory implements DirectoryBackend {
  readonly kind = 'entra' as const;
  readonly #o: EntraDirectoryOptions;
  readonly #base: string;

  constructor(o: EntraDirectoryOptions) {
    this.#o = o;
    this.#base = o.baseUrl.replace(/\/+$/, '');
  }

  /** Entra mode keeps the expiry on the device: nothing to read. */
  async view(): Promise<DirectoryView> {
    return {};
  }

  async backup(req: BackupRequest): Promise<void> {
    const auth = this.#o.auth(req.deviceId);
    if (!auth) {
      throw new EscrowError('LAPS_ERR_ESCROW_AUTH', `device ${req.deviceId} holds no Entra device credential (join it with lapsim device init --directory entra=<url>)`, {
        retryable: false, events: [{ id: 10026, fields: { errorCode: 0x80070005 } }], hresult: 0x80070005,
      });
    }
    const requestId = guidFromBytes(this.#o.rng.bytes(16));
    const url = `${this.#base}/manage/${encodeURIComponent(auth.tenantId)}/lapsdevicepasswordupdate/${encodeURIComponent(req.deviceId)}` +
      `?api-version=1.0&client-request-id=${requestId}`;
    req.onEvent?.(10030, { url });
    const body = JSON.stringify({
      deviceName: req.deviceName, accountName: req.accountName, accountSid: req.accountSid, password: req.password.reveal(),
      passwordUpdateTime: new Date(req.backupTime).toISOString(), passwordExpiryTime: new Date(req.expiry).toISOString(),
    });
    const answer = await this.#send({
      method: 'POST', url, body,
      headers: {
        Authorization: `Bearer ${auth.deviceToken.reveal()}`, 'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': this.#o.userAgent ?? 'Windows LAPS', 'client-request-id': requestId,
      },
    });
    if (answer.status >= 200 && answer.status < 300) return;
    throw this.#refusal(answer);
  }

  async credentials(deviceId: string): Promise<StoredCredential[]> {
    const auth = this.#o.auth(deviceId);
    if (!auth?.readerToken) {
      throw new EscrowError('LAPS_ERR_ESCROW_AUTH', `no Graph reader token is stored for device ${deviceId}`, { retryable: false });
    }
    const answer = await this.#send({
      method: 'GET', url: `${this.#base}/v1.0/directory/deviceLocalCredentials/${encodeURIComponent(deviceId)}?$select=credentials`,
      headers: { Authorization: `Bearer ${auth.readerToken.reveal()}`, 'User-Agent': 'lapsim', 'client-request-id': guidFromBytes(this.#o.rng.bytes(16)) },
    });
    if (answer.status === 404) return [];
    if (answer.status !== 200) {
      throw new EscrowError('LAPS_ERR_ESCROW', `Graph answered ${answer.status} reading the device's passwords`, {
        retryable: answer.status >= 500 || answer.status === 429, httpStatus: answer.status, body: answer.text.slice(0, MAX_EVENT_BODY),
      });
    }
    return parseCredentials(answer.text);
  }

  async #send(call: { method: 'GET' | 'POST'; url: string; body?: string; headers: Record<string, string> }): Promise<HttpAnswer> {
    try {
      return await httpCall({
        ...call, ...(this.#o.ca !== undefined ? { ca: this.#o.ca } : {}), ...(this.#o.timeoutMs !== undefined ? { timeoutMs: this.#o.timeoutMs } : {}),
      });
    } catch (e) {
      const code = e instanceof TransportError ? e.code : 'EUNKNOWN';
      throw new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', `the Entra service at ${this.#base} cannot be reached (${code})`, {
        retryable: true, hresult: transportHresult(code), cause: e,
      });
    }
  }

  #refusal(a: HttpAnswer): EscrowError {
    const body = a.text.slice(0, MAX_EVENT_BODY);
    const parsed = parseAdrs(a.text);
    const what = parsed ? `${parsed.code}/${parsed.subcode}: ${parsed.message}` : `HTTP ${a.status}`;
    const base = { httpStatus: a.status, body };
    if (a.status === 429) {
      const retryAfterMs = this.#retryAfter(a.headers['retry-after']);
      return new EscrowError('LAPS_ERR_ESCROW_THROTTLED', `Entra throttled the device (${what})`, {
        ...base, retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    if (a.status === 401) {
      const hresult = (0x80070000 | 401) >>> 0;
      return new EscrowError('LAPS_ERR_ESCROW_AUTH', `Entra refused the device credential (${what})`, {
        ...base, retryable: false, events: [{ id: 10032, fields: { errorCode: hresult } }],
      });
    }
    if (a.status >= 500) return new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', `Entra failed (${what})`, { ...base, retryable: true });
    // 400 tenant switch off / missing device / bad body, 403 disabled device: the directory said no.
    // The device retries each cycle; only a deleted device can never succeed.
    return new EscrowError('LAPS_ERR_ESCROW_REJECTED', `Entra refused the password (${what})`, {
      ...base, retryable: parsed?.subcode !== 'error_missing_device',
    });
  }

  #retryAfter(h: string | string[] | undefined): number | undefined {
    const v = Array.isArray(h) ? h[0] : h;
    if (v === undefined) return undefined;
    let ms: number;
    if (/^\s*\d{1,9}\s*$/.test(v)) ms = Number(v) * 1000;
    else {
      const at = Date.parse(v);
      if (Number.isNaN(at)) return undefined;
      ms = at - this.#o.clock.now();
    }
    return ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
  }
}

function parseAdrs(text: string): { code: string; subcode: string; message: string } | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v['code'] === 'string') {
      return { code: v['code'], subcode: typeof v['subcode'] === 'string' ? v['subcode'] : '', message: typeof v['message'] === 'string' ? v['message'].slice(0, 300) : '' };
    }
  } catch {
    // not JSON: the status says it all
  }
  return undefined;
}

function parseCredentials(text: string): StoredCredential[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new EscrowError('LAPS_ERR_ESCROW', 'Graph answered with a body that is not JSON', { retryable: true });
  }
  const o = v as { refreshDateTime?: unknown; credentials?: unknown };
  if (!Array.isArray(o.credentials)) throw new EscrowError('LAPS_ERR_ESCROW', 'Graph answered without credentials', { retryable: true });
  const refresh = typeof o.refreshDateTime === 'string' ? Date.parse(o.refreshDateTime) : Number.NaN;
  return o.credentials.map((c: unknown, i: number) => {
    const r = c as Record<string, unknown>;
    const backupTime = typeof r['backupDateTime'] === 'string' ? Date.parse(r['backupDateTime']) : Number.NaN;
    if (typeof r['accountName'] !== 'string' || typeof r['accountSid'] !== 'string' || typeof r['passwordBase64'] !== 'string' || Number.isNaN(backupTime)) {
      throw new EscrowError('LAPS_ERR_ESCROW', `Graph credential ${i} is malformed`, { retryable: false });
    }
    return {
      accountName: r['accountName'], accountSid: r['accountSid'], backupTime,
      // passwordBase64 is UTF-8 (laps-behaviour.md 8.2; docs/decisions.md).
      password: new Secret(Buffer.from(r['passwordBase64'], 'base64').toString('utf8')),
      // Only the newest password has an expiry: the device's refreshDateTime.
      expiry: i === 0 && !Number.isNaN(refresh) ? refresh : undefined,
    };
  });
}
