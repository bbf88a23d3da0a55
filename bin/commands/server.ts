/**
 * `lapsim server`: the management server emulator (Intune's Graph API for Windows LAPS, the Entra
 * emulator, the device channel) on one loopback port until SIGINT or SIGTERM. Wiring only:
 * options, logger, startManagementServer, what it prints, signal handling.
 */
import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { SystemClock } from '../../core/clock.js';
import { REDACT_PATHS } from '../../core/logger.js';
import { cryptoRng } from '../../core/rng.js';
import { DEFAULT_SERVER_ADMIN_TOKEN, startManagementServer } from '../../sim/intune/management-server.js';
import { action } from '../cli-support.js';

interface ServerOptions {
  port: number; data: string; adminToken?: string; json?: boolean; logLevel: string;
}

function parsePort(v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError(`not a TCP port: ${v}`);
  return Number(v);
}

/** Registers `lapsim server`. */
export function registerServer(program: Command): void {
  program
    .command('server')
    .description('run the management server emulator: Intune\'s Graph API for Windows LAPS, the Entra emulator, the device channel and the admin web pages on one port (docs/intune-api.md)')
    .requiredOption('--port <port>', 'TCP port on 127.0.0.1 (0 picks a free one)', parsePort)
    .requiredOption('--data <dir>', 'folder of its SQLite databases (intune.db, entra.db); created on first use, kept across restarts')
    .option('--admin-token <token>', `master admin token of the Graph API and the admin APIs (default: $LAPSIM_ADMIN_TOKEN, else ${DEFAULT_SERVER_ADMIN_TOKEN})`)
    .option('--json', 'print the URLs as one JSON line')
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error, silent)', 'info')
    .action(action(async (o: ServerOptions) => {
      const logger = pino({ level: o.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination({ dest: 2, sync: true }));
      const adminToken = o.adminToken ?? process.env['LAPSIM_ADMIN_TOKEN'] ?? DEFAULT_SERVER_ADMIN_TOKEN;
      const server = await startManagementServer({ dataDir: o.data, port: o.port, adminToken, clock: new SystemClock(), rng: cryptoRng(), logger, env: process.env });
      // Signal handlers first: a caller may stop the server as soon as it read where it listens.
      const stop = (signal: string): void => {
        logger.info({ signal }, 'stopping lapsim server');
        void server.close().then(() => {
          process.exitCode = 0;
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const ws = server.url.replace(/^http/, 'ws');
      const shownToken = adminToken === DEFAULT_SERVER_ADMIN_TOKEN ? adminToken : undefined;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ url: server.url, channel: `${ws}/devices/{deviceId}/dm`, web: `${server.url}/ui/`, tenantId: server.entra.store.defaultTenant()?.tenantId ?? null,
          ...(shownToken ? { adminToken: shownToken } : {}) })}\n`);
      } else {
        process.stdout.write([
          `lapsim server listening on ${server.url}`,
          `Graph (Intune):  ${server.url}/beta/deviceManagement/configurationPolicies, .../managedDevices, ${server.url}/v1.0/groups`,
          `Graph (Entra):   ${server.url}/v1.0/directory/deviceLocalCredentials, ${server.url}/v1.0/auditLogs/directoryAudits`,
          `Device channel:  ${ws}/devices/<deviceId>/dm (Authorization: Bearer <the device's channel token>)`,
          `Admin token:     ${shownToken ?? 'the one given with --admin-token or LAPSIM_ADMIN_TOKEN'}`,
          '                 send "Authorization: Bearer <token>"; POST /lapsim/intune/tokens issues tokens with roles',
          `Register a device: POST ${server.url}/lapsim/intune/devices {"deviceName": "PC-0001"}`,
          `Web pages:       ${server.url}/ui/ (sign in with an admin token)`,
          'Stop with Ctrl+C.',
        ].join('\n') + '\n');
      }
    }));
}
