/**
 * One root error class with stable codes. Every code is listed in docs/errors.md (a test checks
 * both directions). Protocol failures are SyncML status data, not exceptions: only an unusable
 * envelope or a broken environment throws.
 */

/** Every stable error code, with the category of error that carries it. */
export const ERROR_CODES = {
  LAPS_ERR_INTERNAL: 'implementation',
  LAPS_ERR_INVALID_ARGUMENT: 'usage',
  LAPS_ERR_CONFIG: 'usage',
  LAPS_ERR_MALFORMED_SYNCML: 'syncml',
  LAPS_ERR_SYNCML_TOO_LARGE: 'syncml',
  LAPS_ERR_SYNCML_TOO_DEEP: 'syncml',
  LAPS_ERR_SYNCML_DOCTYPE: 'syncml',
  LAPS_ERR_SYNCML_NOT_SYNCML: 'syncml',
  LAPS_ERR_CSP_COMMAND: 'csp',
  LAPS_ERR_STORE_OPEN: 'store',
  LAPS_ERR_STORE_FOREIGN: 'store',
  LAPS_ERR_STORE_CORRUPT: 'store',
  LAPS_ERR_STORE_NEWER_SCHEMA: 'store',
  LAPS_ERR_STORE_NO_DEVICE: 'store',
  LAPS_ERR_STORE_KEY: 'store',
  LAPS_ERR_DEVICE_EXISTS: 'device',
  LAPS_ERR_UNKNOWN_ACCOUNT: 'device',
  LAPS_ERR_ACCOUNT_EXISTS: 'device',
  LAPS_ERR_POLICY_CONTROLLED_ACCOUNT: 'device',
  LAPS_ERR_PASSWORD_GENERATION: 'device',
  LAPS_ERR_ESCROW: 'escrow',
  LAPS_ERR_ESCROW_UNAVAILABLE: 'escrow',
  LAPS_ERR_ESCROW_REJECTED: 'escrow',
  LAPS_ERR_ESCROW_THROTTLED: 'escrow',
  LAPS_ERR_ESCROW_AUTH: 'escrow',
  LAPS_ERR_ESCROW_AD_BIND: 'escrow',
  LAPS_ERR_ESCROW_AD_SCHEMA: 'escrow',
  LAPS_ERR_ESCROW_AD_ACCESS: 'escrow',
  LAPS_ERR_ESCROW_AD_PRINCIPAL: 'escrow',
  LAPS_ERR_ESCROW_AD_LEVEL: 'escrow',
  LAPS_ERR_ESCROW_AD_NO_COMPUTER: 'escrow',
  LAPS_ERR_DIRECTORY_JOIN: 'directory',
  LAPS_ERR_AD_NOT_FOUND: 'directory',
  LAPS_ERR_AD_ADMIN: 'directory',
  LAPS_ERR_SAMBA: 'sim',
  LAPS_ERR_LISTEN: 'sim',
  LAPS_ERR_INJECTED_FAULT: 'device',
  LAPS_ERR_CHANNEL_CONNECT: 'channel',
  LAPS_ERR_CHANNEL_AUTH: 'channel',
  LAPS_ERR_CHANNEL_CLOSED: 'channel',
  LAPS_ERR_SESSION_TIMEOUT: 'channel',
  LAPS_ERR_SESSION_PROTOCOL: 'channel',
  LAPS_ERR_SERVER_NOT_CONNECTED: 'sim',
  LAPS_ERR_SERVER_PENDING: 'sim',
  LAPS_ERR_SERVER_WAIT_TIMEOUT: 'sim',
  LAPS_ERR_FLEET_SCENARIO: 'usage',
  LAPS_ERR_FLEET_SHARD: 'usage',
  LAPS_ERR_FLEET_REPORT: 'usage',
  LAPS_ERR_FLEET_WORKER: 'sim',
  LAPS_ERR_FLEET_DATA: 'sim',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface LapsErrorOptions {
  cause?: unknown;
}

/** The root of every error lapsim throws on purpose. */
export class LapsError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: LapsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad arguments or configuration from a person or a script. */
export class UsageError extends LapsError {
  constructor(message: string, options: LapsErrorOptions = {}) {
    super('LAPS_ERR_INVALID_ARGUMENT', message, options);
  }
}

/** The peer sent a SyncML message that cannot be processed at all. Keeps a bounded excerpt. */
export class MalformedSyncmlError extends LapsError {
  readonly excerpt: string;

  constructor(
    code: Extract<ErrorCode, `LAPS_ERR_SYNCML_${string}` | 'LAPS_ERR_MALFORMED_SYNCML'>,
    message: string,
    raw: string,
    options: LapsErrorOptions = {},
  ) {
    super(code, message, options);
    this.excerpt = raw.slice(0, 200);
  }
}

/** A CSP command failed; carries the SyncML status code to answer with. */
export class CspCommandError extends LapsError {
  constructor(readonly status: number, message: string) {
    super('LAPS_ERR_CSP_COMMAND', message);
  }
}

/** Escrow to a directory failed; `retryable` says whether the next cycle may succeed. */
export class EscrowError extends LapsError {
  readonly retryable: boolean;
  readonly httpStatus: number | undefined;
  readonly body: string | undefined;
  /**
   * LAPS events that explain the failure, logged by the device before its generic failure event
   * (e.g. 10057 bind failed, 10012 schema missing, 10065 insufficient rights, 10025 discovery).
   */
  readonly events: readonly { readonly id: number; readonly fields: Readonly<Record<string, string | number | boolean>> }[];
  /** HRESULT to report (unsigned 32-bit); derived from the HTTP status or retryability when unset. */
  readonly hresult: number | undefined;
  /** The directory asked not to be called again for this long (HTTP 429 Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: Extract<ErrorCode, `LAPS_ERR_ESCROW${string}`>,
    message: string,
    opts: LapsErrorOptions & {
      retryable: boolean; httpStatus?: number; body?: string; hresult?: number; retryAfterMs?: number;
      events?: readonly { readonly id: number; readonly fields: Readonly<Record<string, string | number | boolean>> }[];
    },
  ) {
    super(code, message, opts);
    this.retryable = opts.retryable;
    this.httpStatus = opts.httpStatus;
    this.body = opts.body;
    this.events = opts.events ?? [];
    this.hresult = opts.hresult;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** The database could not be opened, is not lapsim's, or is damaged. */
export class StoreError extends LapsError {
  constructor(code: Extract<ErrorCode, `LAPS_ERR_STORE_${string}`>, message: string, options: LapsErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * The management channel failed: it could not be opened, the server refused the device, it closed
 * during a session, or the server broke the session rules (docs/protocol.md).
 */
export class ChannelError extends LapsError {
  /** HTTP status of a refused WebSocket upgrade (401, 403, 404 ...). */
  readonly httpStatus: number | undefined;
  /** WebSocket close code, when the channel closed. */
  readonly closeCode: number | undefined;
  /** The server asked the device to wait this long before it reconnects (close 1013 `retry-after=<s>`), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: Extract<ErrorCode, `LAPS_ERR_CHANNEL_${string}` | `LAPS_ERR_SESSION_${string}`>,
    message: string,
    opts: LapsErrorOptions & { httpStatus?: number; closeCode?: number; retryAfterMs?: number } = {},
  ) {
    super(code, message, opts);
    this.httpStatus = opts.httpStatus;
    this.closeCode = opts.closeCode;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** A bug in lapsim. Never caught on purpose. */
export class ImplementationError extends LapsError {
  constructor(message: string, options: LapsErrorOptions = {}) {
    super('LAPS_ERR_INTERNAL', message, options);
  }
}

export function isLapsError(e: unknown): e is LapsError {
  return e instanceof LapsError;
}
