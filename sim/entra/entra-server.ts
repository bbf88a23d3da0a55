/**
 * The Entra emulator as a standalone server (`lapsim directory entra`): SQLite under the data
 * folder, HTTP or HTTPS (self-signed certificate in DIR/tls) on a loopback address, the master
 * admin token of this run, and a clean close. Requests outside the emulator's paths get a JSON 404.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { LapsError, UsageError } from '../../core/errors.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import { DEFAULT_ADMIN_TOKEN, EntraEmulator } from './entra-emulator.js';
import { createEntraHandler, type EntraHandler } from './entra-handler.js';
import { EntraStore } from './entra-store.js';
import { sendJson } from './http-io.js';
import { ensureCertificate } from './self-signed-cert.js';
import type { ThrottleRule } from './throttle.js';

/** Hosts the emulator may listen on: loopback only. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

/** Options of a standalone emulator. */
export interface EntraServerOptions {
  /** Folder of the emulator's database (and certificate); ':memory:' for tests. */
  readonly dataDir: string;
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Loopback address to listen on (default 127.0.0.1). */
  readonly host?: (typeof LOOPBACK_HOSTS)[number];
  /** The master admin token of this run (default: DEFAULT_ADMIN_TOKEN). */
  readonly adminToken?: string;
  /** Switch the default tenant's "Enable Microsoft Entra LAPS" off at start (default: leave it as stored; on for a new tenant). */
  readonly lapsDisabled?: boolean;
  /** Serve HTTPS with the certificate in DIR/tls (created on first use). */
  readonly tls?: boolean;
  /** Device post throttle; default: the stored one, else DEFAULT_THROTTLE. */
  readonly throttle?: ThrottleRule;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger?: Logger;
  /** LAPSIM_STORE_KEY and friends. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A running emulator. */
export interface EntraServer {
  /** Base URL, e.g. http://127.0.0.1:43117 */
  readonly url: string;
  readonly port: number;
  /** The default tenant's id. */
  readonly tenantId: string;
  readonly adminToken: string;
  /** PEM certificate clients must trust (HTTPS only). */
  readonly certificate: string | undefined;
  readonly certificatePath: string | undefined;
  readonly emulator: EntraEmulator;
  readonly handler: EntraHandler;
  /** Stops listening, ends open connections and closes the database. */
  close(): Promise<void>;
}

/** Opens the store, prepares the default tenant and master token, and listens. */
export async function startEntraServer(o: EntraServerOptions): Promise<EntraServer> {
  const host = o.host ?? '127.0.0.1';
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(host)) throw new UsageError(`the Entra emulator listens on loopback only, not ${host}`);
  const adminToken = o.adminToken ?? DEFAULT_ADMIN_TOKEN;
  if (!/^[\x21-\x7e]{8,256}$/.test(adminToken)) throw new UsageError('--admin-token must be 8 to 256 printable characters without spaces');
  const log = o.logger ?? noopLogger;
  const store = EntraStore.open(o.dataDir, o.env ?? {});
  let server: Server | undefined;
  try {
    const emulator = new EntraEmulator({ store, clock: o.clock, rng: o.rng, logger: log, ...(o.throttle ? { throttle: o.throttle } : {}) });
    if (o.throttle) emulator.configureThrottle(o.throttle);
    const tenant = emulator.ensureDefaultTenant(!(o.lapsDisabled ?? false));
    if (o.lapsDisabled) store.setLapsEnabled(tenant.tenantId, false);
    emulator.setMasterToken(adminToken);
    const handler = createEntraHandler(emulator);
    const tls = o.tls ? ensureCertificate(o.dataDir === ':memory:' ? undefined : resolve(o.dataDir, 'tls'), o.clock, o.rng) : undefined;
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      void handler.handle(req, res).then((handled) => {
        if (!handled) sendJson(res, 404, { error: { code: 'NotFound', message: `lapsim's Entra emulator serves no ${req.method ?? ''} ${(req.url ?? '').split('?')[0]!.slice(0, 200)}` } });
      });
    };
    server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener) : createHttpServer(listener);
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    const port = await listen(server, o.port ?? 0, host);
    const shown = host === '::1' ? '[::1]' : host;
    const url = `${tls ? 'https' : 'http'}://${shown}:${port}`;
    log.info({ url, tenantId: tenant.tenantId, tls: Boolean(tls) }, 'Entra emulator listening');
    const s = server;
    let closed: Promise<void> | undefined;
    return {
      url, port, tenantId: tenant.tenantId, adminToken, certificate: tls?.cert, certificatePath: tls?.certPath, emulator, handler,
      close: () => (closed ??= new Promise<void>((resolve) => {
        s.close(() => {
          store.close();
          resolve();
        });
        s.closeAllConnections();
      })),
    };
  } catch (e) {
    if (server?.listening) server.close();
    store.close();
    throw e;
  }
}

/** Listens on host:port (0 = any free port); resolves with the port, or LAPS_ERR_LISTEN. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(new LapsError('LAPS_ERR_LISTEN', `cannot listen on ${host}:${port}: ${e.code ?? e.message}`, { cause: e }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
