/**
 * `lapsim directory entra`: runs the Entra ID emulator (sim/entra/) until SIGINT or SIGTERM.
 * Wiring only: options, logger, startEntraServer, what it prints, signal handling.
 */
import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { SystemClock } from '../../core/clock.js';
import { REDACT_PATHS } from '../../core/logger.js';
import { cryptoRng } from '../../core/rng.js';
import { DEFAULT_ADMIN_TOKEN } from '../../sim/entra/entra-emulator.js';
import { startEntraServer } from '../../sim/entra/entra-server.js';
import { action } from '../cli-support.js';
import { directoryGroup } from './directory.js';

interface EntraOptions {
  port: number; data: string; adminToken?: string; lapsDisabled?: boolean; tls?: boolean; throttle?: { limit: number; windowMs: number };
  json?: boolean; logLevel: string;
}

function parsePort(v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError(`not a TCP port: ${v}`);
  return Number(v);
}

function parseThrottle(v: string): { limit: number; windowMs: number } {
  const m = /^(\d{1,7})\/(\d{1,7})$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError(`expected <posts>/<seconds>, e.g. 20/3600, got ${v}`);
  return { limit: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

export function registerDirectoryEntra(program: Command): void {
  directoryGroup(program)
    .command('entra')
    .description('run the Entra ID emulator: device password updates, Graph deviceLocalCredentials and directoryAudits (docs/entra-api.md)')
    .requiredOption('--port <port>', 'TCP port on 127.0.0.1 (0 picks a free one)', parsePort)
    .requiredOption('--data <dir>', 'folder of its SQLite database (and TLS certificate); created on first use, kept across restarts')
    .option('--admin-token <token>', `master admin token (default: $LAPSIM_ENTRA_ADMIN_TOKEN, else ${DEFAULT_ADMIN_TOKEN})`)
    .option('--laps-disabled', 'switch "Enable Microsoft Entra LAPS" off in the default tenant at start')
    .option('--tls', 'serve HTTPS with a self-signed certificate kept in <dir>/tls')
    .option('--throttle <posts/seconds>', 'device posts allowed per window (default 20/3600, or as last set)', parseThrottle)
    .option('--json', 'print the URL, tenant and certificate as one JSON line')
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error, silent)', 'info')
    .action(action(async (o: EntraOptions) => {
      const logger = pino({ level: o.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination({ dest: 2, sync: true }));
      const adminToken = o.adminToken ?? process.env['LAPSIM_ENTRA_ADMIN_TOKEN'] ?? DEFAULT_ADMIN_TOKEN;
      const server = await startEntraServer({
        dataDir: o.data, port: o.port, adminToken, clock: new SystemClock(), rng: cryptoRng(), logger: logger.child({ component: 'entra' }), env: process.env,
        ...(o.lapsDisabled ? { lapsDisabled: true } : {}), ...(o.tls ? { tls: true } : {}), ...(o.throttle ? { throttle: o.throttle } : {}),
      });
      const tenant = server.emulator.store.tenant(server.tenantId)!;
      const shownToken = adminToken === DEFAULT_ADMIN_TOKEN ? adminToken : undefined;
      if (o.json) {
        const info = { url: server.url, tenantId: server.tenantId, lapsEnabled: tenant.lapsEnabled, certificate: server.certificatePath ?? null, ...(shownToken ? { adminToken: shownToken } : {}) };
        process.stdout.write(`${JSON.stringify(info)}\n`);
      } else {
        const lines = [
          `lapsim Entra emulator listening on ${server.url}`,
          `Tenant:       ${server.tenantId} (Microsoft Entra LAPS ${tenant.lapsEnabled ? 'enabled' : 'disabled'})`,
          `Admin token:  ${shownToken ?? 'the one given with --admin-token or LAPSIM_ENTRA_ADMIN_TOKEN'}`,
          '              send "Authorization: Bearer <token>"; it holds every Graph permission and the /lapsim/entra admin API',
        ];
        if (server.certificatePath) {
          lines.push(`Certificate:  ${server.certificatePath}`,
            `              trust it: LAPSIM_ENTRA_CA_FILE=${server.certificatePath} for lapsim devices, NODE_EXTRA_CA_CERTS=${server.certificatePath} for Node Graph clients`);
        }
        lines.push(`Join a device: lapsim device init --state device.db --directory entra=${server.url}`, 'Stop with Ctrl+C.');
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      const stop = (signal: string): void => {
        logger.info({ signal }, 'stopping the Entra emulator');
        void server.close().then(() => {
          process.exitCode = 0;
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }));
}
