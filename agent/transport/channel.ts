/**
 * The management channel as the device's session logic sees it: a connection that carries whole
 * text frames (one SyncML message each) both ways, and a connector that opens one. The WebSocket
 * client (ws-connector.ts) and the in-memory pair (memory-channel.ts) implement it; the test
 * server in sim/server/ accepts the same connections. docs/protocol.md is the wire contract.
 */

/** WebSocket close codes used on the channel (RFC 6455 section 7.4, and 4000-4999 for ours). */
export const CloseCode = {
  /** 1000: normal closure (the device or server is done with the connection). */
  NORMAL: 1000,
  /** 1001: going away (the agent or the server is shutting down). */
  GOING_AWAY: 1001,
  /** 1002: protocol error (the peer sent a frame that is not a usable SyncML message). */
  PROTOCOL_ERROR: 1002,
  /** 1003: unsupported data (a binary frame; the channel carries text only). */
  UNSUPPORTED_DATA: 1003,
  /** 1006: abnormal closure (no close frame: the process died, the network dropped). Never sent. */
  ABNORMAL: 1006,
  /** 1009: message too big (a frame over the bound). */
  MESSAGE_TOO_BIG: 1009,
  /** 1013: try again later (server overload; reason `retry-after=<seconds>`). */
  TRY_AGAIN_LATER: 1013,
  /** 4408: the peer did not answer within the session timeout. */
  SESSION_TIMEOUT: 4408,
  /** 4409: a newer connection of the same device replaced this one (server side). */
  REPLACED: 4409,
} as const;

/** One open connection carrying text frames. Frames that arrive before handlers are set are kept. */
export interface FrameConnection {
  /** True until the connection closed (either side). */
  readonly open: boolean;
  /** Sends one frame; ignored once the connection is closed. */
  send(frame: string): void;
  /** Closes the connection; the close handler runs once, with this code and reason. */
  close(code?: number, reason?: string): void;
  /** Sets the frame handler (one per connection). */
  onFrame(handler: (frame: string) => void): void;
  /** Sets the close handler (one per connection); it runs once, whichever side closed. */
  onClose(handler: (code: number, reason: string) => void): void;
}

/** Opens the device's connection to its management server. */
export interface Connector {
  /**
   * Opens a connection.
   * @throws ChannelError LAPS_ERR_CHANNEL_CONNECT (unreachable, timeout, TLS) or
   *   LAPS_ERR_CHANNEL_AUTH (the server refused the device's token).
   */
  connect(): Promise<FrameConnection>;
  /** Where it connects, for logs and the SyncHdr Target (never holds the token). */
  readonly url: string;
}

/**
 * Base of a connection: buffers frames until a handler is set and runs the close handler
 * exactly once. Implementations call `deliver` and `closed`.
 */
export abstract class BufferedConnection implements FrameConnection {
  #frameHandler: ((frame: string) => void) | undefined;
  #closeHandler: ((code: number, reason: string) => void) | undefined;
  #early: string[] | undefined;
  #closedWith: { code: number; reason: string } | undefined;
  #closeReported = false;

  get open(): boolean {
    return this.#closedWith === undefined;
  }

  abstract send(frame: string): void;
  abstract close(code?: number, reason?: string): void;

  onFrame(handler: (frame: string) => void): void {
    this.#frameHandler = handler;
    const early = this.#early;
    this.#early = undefined;
    if (early) for (const f of early) handler(f);
    this.#reportClose();
  }

  onClose(handler: (code: number, reason: string) => void): void {
    this.#closeHandler = handler;
    this.#reportClose();
  }

  /** A frame arrived. */
  protected deliver(frame: string): void {
    if (this.#closedWith) return;
    if (this.#frameHandler) this.#frameHandler(frame);
    else (this.#early ??= []).push(frame);
  }

  /** The connection closed; runs the close handler once, after any frames kept for the frame handler. */
  protected closed(code: number, reason: string): void {
    if (this.#closedWith) return;
    this.#closedWith = { code, reason };
    this.#reportClose();
  }

  #reportClose(): void {
    const c = this.#closedWith;
    if (!c || this.#closeReported || !this.#closeHandler || this.#early !== undefined) return;
    this.#closeReported = true;
    this.#closeHandler(c.code, c.reason);
  }
}

/** Parses the `retry-after=<seconds>` reason of a 1013 close; ms, or undefined. */
export function retryAfterFromReason(reason: string): number | undefined {
  const m = /^retry-after=(\d{1,7})$/.exec(reason.trim());
  return m ? Number(m[1]) * 1000 : undefined;
}
