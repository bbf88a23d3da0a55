/**
 * The management channel over WebSocket (ws): `<server>/devices/<deviceId>/dm` with
 * `Authorization: Bearer <device token>`, `wss://` with an optional CA bundle, text frames only,
 * every frame bounded. docs/protocol.md "Connection" is the contract.
 */
import WebSocket from 'ws';
import { ChannelError } from '../../core/errors.js';
import { BufferedConnection, CloseCode, type Connector, type FrameConnection } from './channel.js';

/** Default bound of one frame: 1 MiB, the SyncML codec's own limit. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

export interface WsConnectorOptions {
  /** The server's base URL, `ws://host:port` or `wss://host:port[/prefix]`. */
  readonly server: string;
  readonly deviceId: string;
  /** The device's bearer token; without one no Authorization header is sent. */
  readonly token?: string | undefined;
  /** PEM certificates the server's TLS certificate must chain to (wss). Default: the system's. */
  readonly ca?: string | Buffer | undefined;
  /** Largest frame accepted, in bytes (default 1 MiB); a larger one closes the channel with 1009. */
  readonly maxFrameBytes?: number;
  /** Time allowed for the TCP, TLS and WebSocket handshakes, in ms (default 10 s). */
  readonly connectTimeoutMs?: number;
}

/** The channel URL of a device: `<server>/devices/<deviceId>/dm`. */
export function channelUrl(server: string, deviceId: string): string {
  return `${server.replace(/\/+$/, '')}/devices/${encodeURIComponent(deviceId)}/dm`;
}

/** The text of a ws message, whatever form ws hands it over in. */
export function frameText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

class WsConnection extends BufferedConnection {
  constructor(private readonly ws: WebSocket) {
    super();
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(CloseCode.UNSUPPORTED_DATA, 'text frames only');
        return;
      }
      this.deliver(frameText(data));
    });
    ws.on('close', (code, reason) => this.closed(code, reason.toString('utf8')));
    // Errors after the handshake (a reset, a frame over maxPayload) are followed by 'close'.
    ws.on('error', () => undefined);
  }

  send(frame: string): void {
    if (this.open && this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    // A peer that never answers the close handshake is cut after ws' own 30 s; the link moves on now.
    this.closed(code, reason);
  }
}

export class WsConnector implements Connector {
  readonly url: string;
  readonly #o: WsConnectorOptions;

  constructor(o: WsConnectorOptions) {
    if (!/^wss?:\/\//i.test(o.server)) throw new ChannelError('LAPS_ERR_CHANNEL_CONNECT', `the server URL must start with ws:// or wss://, got ${o.server}`);
    this.#o = o;
    this.url = channelUrl(o.server, o.deviceId);
  }

  connect(): Promise<FrameConnection> {
    const o = this.#o;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (o.token !== undefined) headers['Authorization'] = `Bearer ${o.token}`;
      const ws = new WebSocket(this.url, {
        headers,
        handshakeTimeout: o.connectTimeoutMs ?? 10_000,
        maxPayload: o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
        perMessageDeflate: false,
        followRedirects: false,
        ...(o.ca !== undefined ? { ca: o.ca } : {}),
      });
      let settled = false;
      const fail = (e: ChannelError): void => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(e);
      };
      ws.once('unexpected-response', (req, res) => {
        const status = res.statusCode ?? 0;
        const retry = Number(res.headers['retry-after']);
        req.destroy();
        const auth = status === 401 || status === 403;
        fail(new ChannelError(auth ? 'LAPS_ERR_CHANNEL_AUTH' : 'LAPS_ERR_CHANNEL_CONNECT',
          auth ? `the server refused the device's token (HTTP ${status})` : `the server answered the WebSocket upgrade with HTTP ${status}`,
          { httpStatus: status, ...(Number.isFinite(retry) && retry > 0 ? { retryAfterMs: retry * 1000 } : {}) }));
      });
      ws.once('error', (e) => fail(new ChannelError('LAPS_ERR_CHANNEL_CONNECT', `cannot open ${this.url}: ${e.message}`, { cause: e })));
      ws.once('close', (code) => fail(new ChannelError('LAPS_ERR_CHANNEL_CONNECT', `the channel closed during the handshake (${code})`, { closeCode: code })));
      ws.once('open', () => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners();
        resolve(new WsConnection(ws));
      });
    });
  }
}
