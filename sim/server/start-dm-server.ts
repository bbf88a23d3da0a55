/**
 * Starts a DmServer on an HTTP port (port 0 picks a free one): the programmatic entry that tests,
 * benchmarks and `lapsim` scripts use until the management server emulator wraps it.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { LapsError } from '../../core/errors.js';
import { DmServer, type DmServerOptions } from './dm-server.js';
import { WsEndpoint, type WsEndpointOptions } from './ws-endpoint.js';

export interface StartDmServerOptions extends DmServerOptions, WsEndpointOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  /** PEM certificate and key: serve wss:// instead of ws://. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface RunningDmServer {
  readonly dm: DmServer;
  readonly http: Server;
  readonly port: number;
  /** `ws://host:port` (`wss://` with TLS), what `lapsim agent --server` takes. */
  readonly url: string;
  /** Closes every device channel and stops listening. */
  close(): Promise<void>;
}

/**
 * Listens and serves the device channel.
 * @throws LapsError LAPS_ERR_LISTEN when the port cannot be used.
 */
export async function startDmServer(o: StartDmServerOptions = {}): Promise<RunningDmServer> {
  const host = o.host ?? '127.0.0.1';
  const dm = new DmServer(o);
  const notFound = (_req: unknown, res: ServerResponse): void => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: devices connect with a WebSocket to /devices/<deviceId>/dm\n');
  };
  const http: Server = o.tls ? createTlsServer({ cert: o.tls.cert, key: o.tls.key }, notFound) : createServer(notFound);
  const endpoint = new WsEndpoint(dm, o);
  endpoint.attach(http);
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e) => reject(new LapsError('LAPS_ERR_LISTEN', `cannot listen on ${host}:${o.port ?? 0}: ${e.message}`, { cause: e })));
    http.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    dm, http, port, url: `${o.tls ? 'wss' : 'ws'}://${host}:${port}`,
    close: async () => {
      dm.closeAll();
      endpoint.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
