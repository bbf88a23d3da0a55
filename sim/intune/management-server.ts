/**
 * `lapsim server`: one loopback port serving the Intune emulator's Graph API, the Entra emulator
 * (mounted as it is: device password updates, deviceLocalCredentials, directoryAudits, its admin
 * API), the device channel (WebSocket /devices/<deviceId>/dm, sim/server's DmServer) and the
 * admin web pages (/ui/, sim/intune/web), with
 * both emulators' SQLite files under the data folder. One admin token is the master token of
 * both. Closing stops listening, ends device channels and closes the databases.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.js';
import { UsageError } from '../../core/errors.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import { EntraEmulator } from '../entra/entra-emulator.js';
import { createEntraHandler } from '../entra/entra-handler.js';
import { EntraStore } from '../entra/entra-store.js';
import { listen } from '../entra/entra-server.js';
import { DmServer } from '../server/dm-server.js';
import { WsEndpoint } from '../server/ws-endpoint.js';
import { DmDelivery } from './dm-delivery.js';
import { EmulatorEntraLink, entraGrantOf } from './entra-link.js';
import { createIntuneHandler } from './http/intune-handler.js';
import { sendJson } from './http/graph-io.js';
import { IntuneDb } from './intune-db.js';
import { IntuneService } from './intune-service.js';
import { createWebHandler, type WebHandler } from './web/web-handler.js';

/** Hosts the server may listen on: loopback only. */
export const SERVER_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

/** The admin token when none is given (printed at start). */
export const DEFAULT_SERVER_ADMIN_TOKEN = 'lapsim-admin';

/** Options of `lapsim server`. */
export interface ManagementServerOptions {
  /** Folder of the databases (intune.db, entra.db); ':memory:' for tests. */
  readonly dataDir: string;
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  readonly host?: (typeof SERVER_HOSTS)[number];
  /** Master admin token of the Intune and Entra emulators (default DEFAULT_SERVER_ADMIN_TOKEN). */
  readonly adminToken?: string;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger?: Logger;
  /** How long a device session waits for the device's next message, in ms (default 5 minutes). */
  readonly sessionTimeoutMs?: number;
  /** LAPSIM_STORE_KEY and friends (the Entra store seals passwords). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A running management server. */
export interface ManagementServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly adminToken: string;
  readonly service: IntuneService;
  readonly entra: EntraEmulator;
  readonly dm: DmServer;
  /** The admin web pages (/ui/) and the fleet event intake. */
  readonly web: WebHandler;
  close(): Promise<void>;
}

/** Opens both databases, wires the emulators and the channel, and listens. */
export async function startManagementServer(o: ManagementServerOptions): Promise<ManagementServer> {
  const host = o.host ?? '127.0.0.1';
  if (!(SERVER_HOSTS as readonly string[]).includes(host)) throw new UsageError(`lapsim server listens on loopback only, not ${host}`);
  const adminToken = o.adminToken ?? DEFAULT_SERVER_ADMIN_TOKEN;
  if (!/^[\x21-\x7e]{8,256}$/.test(adminToken)) throw new UsageError('--admin-token must be 8 to 256 printable characters without spaces');
  const log = o.logger ?? noopLogger;
  const entraStore = EntraStore.open(o.dataDir, o.env ?? {});
  let db: IntuneDb | undefined;
  let http: Server | undefined;
  try {
    db = IntuneDb.open(o.dataDir);
    // The Entra emulator honours the Intune admin tokens as their roles allow (its authenticate hook).
    let service: IntuneService | undefined;
    const entra = new EntraEmulator({
      store: entraStore, clock: o.clock, rng: o.rng, logger: log.child({ component: 'entra' }),
      authenticate: (token) => {
        const grant = service?.authenticate(token);
        return grant ? entraGrantOf(grant, tenantId) : undefined;
      },
    });
    const tenantId = entra.ensureDefaultTenant(true).tenantId;
    entra.setMasterToken(adminToken);
    service = new IntuneService({ db, clock: o.clock, rng: o.rng, entra: new EmulatorEntraLink(entra), logger: log.child({ component: 'intune' }) });
    service.setMasterToken(adminToken);
    const dm = new DmServer({
      clock: o.clock, logger: log, ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}), keepTranscripts: false,
      authorize: (deviceId, token) => token !== undefined && service.authenticateDevice(deviceId, token),
    });
    const delivery = new DmDelivery(dm, service);
    service.attachDelivery(delivery);
    const entraHandler = createEntraHandler(entra);
    const intuneHandler = createIntuneHandler(service);
    const web = createWebHandler({ service, entra, db, clock: o.clock, rng: o.rng });
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      void (async () => {
        if (await entraHandler.handle(req, res)) return;
        if (await intuneHandler.handle(req, res)) return;
        if (await web.handle(req, res)) return;
        req.resume();
        sendJson(res, 404, { error: { code: 'NotFound', message: `lapsim server serves no ${req.method ?? ''} ${(req.url ?? '').split('?')[0]!.slice(0, 200)}` } });
      })().catch((e: unknown) => {
        log.error({ reason: (e as Error).message }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalServerError', message: 'The server failed to answer this request.' } });
      });
    };
    const server = createServer(listener);
    http = server;
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    const endpoint = new WsEndpoint(dm);
    endpoint.attach(server);
    const port = await listen(server, o.port ?? 0, host);
    const url = `http://${host === '::1' ? '[::1]' : host}:${port}`;
    log.info({ url }, 'lapsim server listening');
    const openDb = db;
    let closed: Promise<void> | undefined;
    return {
      url, port, adminToken, service, entra, dm, web,
      close: () => (closed ??= new Promise<void>((resolve) => {
        web.close();
        delivery.detach();
        dm.closeAll();
        endpoint.close();
        server.close(() => {
          openDb.close();
          entraStore.close();
          resolve();
        });
        server.closeAllConnections();
      })),
    };
  } catch (e) {
    if (http?.listening) http.close();
    db?.close();
    entraStore.close();
    throw e;
  }
}
