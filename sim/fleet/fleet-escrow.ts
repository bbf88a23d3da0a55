/**
 * How fleet devices reach their directory. Entra devices post to the Entra emulator in process,
 * through its own device endpoint logic (`devicePasswordUpdate`: credential, throttle, tenant
 * switch, device object, body, audit), and its answers become the EscrowErrors the HTTP client
 * would raise for them. AD devices use the real AdDirectory against the Samba DC. In front of
 * both stands the fleet's fault gate: a directory outage answers as an unreachable service, a
 * throttling window answers HTTP 429 with Retry-After, as Entra's Device Registration Service does.
 */
import { EscrowError } from '../../core/errors.js';
import { AD_HRESULT } from '../../agent/escrow/ad-ldap.js';
import { WINHTTP_HRESULT } from '../../agent/escrow/entra-directory.js';
import type { Secret } from '../../core/secret.js';
import type { BackupRequest, DirectoryBackend, DirectoryQuery, DirectoryView, RotationIntent, StoredCredential } from '../../agent/ports.js';
import type { DeviceAnswer, EntraEmulator } from '../entra/entra-emulator.js';

/** Which directory a refusal concerns. */
export type DirectoryName = 'entra' | 'ad';

/** Decides whether the fleet's faults refuse a directory call; undefined lets it through. */
export interface EscrowGate {
  refusal(deviceId: string, directory: DirectoryName): EscrowError | undefined;
}

/** The error a Windows device gets when the directory cannot be reached at all. */
export function unreachable(directory: DirectoryName): EscrowError {
  return directory === 'entra'
    ? new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', 'the Entra service cannot be reached (ECONNREFUSED, fleet directory outage)', {
      retryable: true, hresult: WINHTTP_HRESULT.CANNOT_CONNECT,
    })
    : new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', 'no domain controller answered (ECONNREFUSED, fleet directory outage)', {
      retryable: true, hresult: AD_HRESULT.NO_DC, events: [{ id: 10056, fields: { errorCode: AD_HRESULT.NO_DC } }],
    });
}

/** A device told to back up to Active Directory in a fleet (or for a device) without a DC. */
export function noDomainController(): EscrowError {
  return new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', 'no domain controller could be found (the fleet has no Active Directory for this device)', {
    retryable: true, hresult: AD_HRESULT.NO_DC, events: [{ id: 10056, fields: { errorCode: AD_HRESULT.NO_DC } }],
  });
}

/** Turns a non-2xx answer of the device endpoint into what the device sees (as EntraDirectory does over HTTP). */
export function entraRefusal(a: DeviceAnswer): EscrowError {
  const body = JSON.stringify(a.body);
  const b = a.body as { code?: string; subcode?: string; message?: string };
  const what = `${b.code ?? ''}/${b.subcode ?? ''}: ${b.message ?? `HTTP ${a.status}`}`;
  if (a.status === 429) {
    const seconds = Number(a.headers?.['Retry-After']);
    return new EscrowError('LAPS_ERR_ESCROW_THROTTLED', `Entra throttled the device (${what})`, {
      httpStatus: 429, body, retryable: true, ...(seconds > 0 ? { retryAfterMs: seconds * 1000 } : {}),
    });
  }
  if (a.status === 401) {
    const hresult = (0x80070000 | 401) >>> 0;
    return new EscrowError('LAPS_ERR_ESCROW_AUTH', `Entra refused the device credential (${what})`, {
      httpStatus: 401, body, retryable: false, events: [{ id: 10032, fields: { errorCode: hresult } }],
    });
  }
  if (a.status >= 500) return new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', `Entra failed (${what})`, { httpStatus: a.status, body, retryable: true });
  return new EscrowError('LAPS_ERR_ESCROW_REJECTED', `Entra refused the password (${what})`, {
    httpStatus: a.status, body, retryable: b.subcode !== 'error_missing_device',
  });
}

/** What a FleetEntraDirectory reaches the emulator through. */
export interface FleetEntraOptions {
  readonly entra: () => EntraEmulator;
  readonly tenantId: () => string;
  /** The device credential issued at registration. */
  readonly deviceToken: (deviceId: string) => string | undefined;
  readonly gate: EscrowGate;
  /** Told of every password the directory took (the fleet's leak watch). */
  readonly onStored?: (deviceId: string, password: string) => void;
}

/** A device's Entra directory: the emulator's device endpoint, called in process. */
export class FleetEntraDirectory implements DirectoryBackend {
  readonly kind = 'entra' as const;
  readonly #o: FleetEntraOptions;
  #requests = 0;

  constructor(o: FleetEntraOptions) {
    this.#o = o;
  }

  /**
   * Entra devices keep their expiry themselves (laps-behaviour.md 6.4). A view is asked only of
   * Active Directory: this device has no domain controller to find.
   */
  async view(): Promise<DirectoryView> {
    throw noDomainController();
  }

  async backup(req: BackupRequest): Promise<void> {
    if (req.backupDirectory === 2) throw noDomainController();
    const tenant = this.#o.tenantId();
    const requestId = `00000000-0000-4000-8000-${(++this.#requests).toString(16).padStart(12, '0')}`;
    req.onEvent?.(10030, { url: `https://enterpriseregistration.windows.net/manage/${tenant}/lapsdevicepasswordupdate/${req.deviceId}?api-version=1.0&client-request-id=${requestId}` });
    const refused = this.#o.gate.refusal(req.deviceId, 'entra');
    if (refused) throw refused;
    const password = req.password.reveal();
    const answer = this.#o.entra().devicePasswordUpdate(tenant, req.deviceId, this.#o.deviceToken(req.deviceId), {
      ok: true,
      value: {
        deviceName: req.deviceName, accountName: req.accountName, accountSid: req.accountSid, password,
        passwordUpdateTime: new Date(req.backupTime).toISOString(), passwordExpiryTime: new Date(req.expiry).toISOString(),
      },
    }, 'Windows LAPS', requestId);
    if (answer.status < 200 || answer.status >= 300) throw entraRefusal(answer);
    this.#o.onStored?.(req.deviceId, password);
  }

  /** What the device reads back (crash recovery); refused during an outage like a backup. */
  async credentials(deviceId: string): Promise<StoredCredential[]> {
    const refused = this.#o.gate.refusal(deviceId, 'entra');
    if (refused) throw refused;
    return entraCredentials(this.#o.entra(), deviceId);
  }
}

/** The passwords the Entra emulator holds for a device, newest first (the fleet's own reads, never gated). */
export function entraCredentials(entra: EntraEmulator, deviceId: string): StoredCredential[] {
  return entra.store.credentials(deviceId).map((c) => ({ ...c, expiry: undefined }));
}

/** A directory behind the fleet's fault gate (AD devices: outages answer as an unreachable DC). */
export class GatedDirectory implements DirectoryBackend {
  readonly kind: DirectoryBackend['kind'];
  /** The inner directory's crash-recovery question, behind the gate too (when it has one). */
  readonly holds?: (deviceId: string, intent: RotationIntent, password: Secret) => Promise<boolean>;

  constructor(private readonly inner: DirectoryBackend, private readonly gate: EscrowGate, private readonly directory: DirectoryName,
    private readonly onStored?: (deviceId: string, password: string) => void) {
    this.kind = inner.kind;
    const holds = inner.holds?.bind(inner);
    if (holds) {
      this.holds = (deviceId, intent, password) => {
        const refused = this.gate.refusal(deviceId, this.directory);
        return refused ? Promise.reject(refused) : holds(deviceId, intent, password);
      };
    }
  }

  view(deviceId: string, query?: DirectoryQuery): Promise<DirectoryView> {
    const refused = this.gate.refusal(deviceId, this.directory);
    if (refused) return Promise.reject(refused);
    return this.inner.view(deviceId, query);
  }

  async backup(req: BackupRequest): Promise<void> {
    const refused = this.gate.refusal(req.deviceId, this.directory);
    if (refused) throw refused;
    await this.inner.backup(req);
    this.onStored?.(req.deviceId, req.password.reveal());
  }

  credentials(deviceId: string): Promise<StoredCredential[]> {
    const refused = this.gate.refusal(deviceId, this.directory);
    if (refused) return Promise.reject(refused);
    return this.inner.credentials(deviceId);
  }
}

/**
 * The directories of a hybrid-joined device in a fleet with a domain: Windows backs up to the one
 * its policy in force names, Active Directory for BackupDirectory 2 (the domain's Group Policy,
 * when no CSP policy wins over it) and Entra for 1. Each call goes to the directory of its
 * request; a crash is resolved against the directory of the rotation in flight.
 */
export class HybridDirectory implements DirectoryBackend {
  #last: DirectoryBackend;

  constructor(private readonly ad: DirectoryBackend, private readonly entra: DirectoryBackend) {
    this.#last = entra;
  }

  /** The kind of the directory of the last backup (Entra until one went to AD). */
  get kind(): DirectoryBackend['kind'] {
    return this.#last.kind;
  }

  /** Asked only by cycles under an AD policy. */
  view(deviceId: string, query?: DirectoryQuery): Promise<DirectoryView> {
    return this.ad.view(deviceId, query);
  }

  async backup(req: BackupRequest): Promise<void> {
    const to = req.backupDirectory === 2 ? this.ad : this.entra;
    await to.backup(req);
    this.#last = to;
  }

  /** Both directories' passwords for the device, newest first. */
  async credentials(deviceId: string): Promise<StoredCredential[]> {
    const [entra, ad] = await Promise.all([this.entra.credentials(deviceId), this.ad.credentials(deviceId)]);
    return [...entra, ...ad].sort((a, b) => b.backupTime - a.backupTime);
  }

  async holds(deviceId: string, intent: RotationIntent, password: Secret): Promise<boolean> {
    const dir = intent.backupDirectory === 2 ? this.ad : this.entra;
    if (dir.holds) return dir.holds(deviceId, intent, password);
    const creds = await dir.credentials(deviceId);
    return creds.length > 0 && creds[0]!.password.equals(password);
  }
}
