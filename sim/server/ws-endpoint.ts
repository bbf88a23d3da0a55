/**
 * The device channel's WebSocket endpoint: `GET /devices/<deviceId>/dm` upgraded with
 * `Authorization: Bearer <token>`, attached to an HTTP(S) server that may serve other routes.
 * Refusals happen before the upgrade, as plain HTTP: 404 for another path, 401 for a missing or
 * wrong token. Text frames only, each bounded. docs/protocol.md "Connection".
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { BufferedConnection, CloseCode } from '../../agent/transport/channel.js';
import { DEFAULT_MAX_FRAME_BYTES, frameText } from '../../agent/transport/ws-connector.js';
import type { DmServer } from './dm-server.js';

/** `/devices/<deviceId>/dm`, device id URL-decoded; undefined for any other path. */
export function deviceIdFromPath(url: string | undefined): string | undefined {
  const path = (url ?? '').split('?')[0]!;
  const m = /^\/devices\/([^/]{1,128})\/dm$/.exec(path);
  if (!m) return undefined;
  try {
    const id = decodeURIComponent(m[1]!);
    return /^[A-Za-z0-9._-]+$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

class WsServerConnection extends BufferedConnection {
  constructor(private readonly ws: WebSocket) {
    super();
    ws.on('message', (data, isBinary) => {
      if (isBinary) ws.close(CloseCode.UNSUPPORTED_DATA, 'text frames only');
      else this.deliver(frameText(data));
    });
    ws.on('close', (code, reason) => this.closed(code, reason.toString('utf8')));
    ws.on('error', () => undefined);
  }

  send(frame: string): void {
    if (this.open && this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    this.closed(code, reason);
  }
}

export interface WsEndpointOptions {
  /** Largest frame accepted from a device, in bytes (default 1 MiB). */
  readonly maxFrameBytes?: number;
}

/** Serves device channels for `dm` on an HTTP server's upgrade requests. */
export class WsEndpoint {
  readonly #wss: WebSocketServer;

  constructor(private readonly dm: DmServer, opts: WsEndpointOptions = {}) {
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
  }

  /** Handles the server's upgrade requests (other upgrade paths get 404). */
  attach(server: HttpServer): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
  }

  /** Handles one upgrade request: refuses it with an HTTP status, or accepts the device's channel. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const deviceId = deviceIdFromPath(req.url);
    if (deviceId === undefined) return refuse(socket, 404, 'Not Found');
    if (!this.dm.authorize(deviceId, bearerToken(req.headers.authorization))) return refuse(socket, 401, 'Unauthorized', 'WWW-Authenticate: Bearer\r\n');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.dm.accept(deviceId, new WsServerConnection(ws)));
  }

  close(): void {
    this.#wss.close();
  }
}

function refuse(socket: Duplex, status: number, text: string, extra = ''): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
}
