/**
 * The `entra` directory provider: `lapsim device init --join entra|hybrid --directory entra=<url>`
 * registers the device in the emulator's tenant (the default one, or `<url>/<tenantId>`) with the
 * admin token (LAPSIM_ENTRA_ADMIN_TOKEN, `--admin-token`, else the emulator's default), and keeps
 * the device credential and a Graph reader token sealed in the device database. An HTTPS
 * emulator's certificate is read from LAPSIM_ENTRA_CA_FILE at join and kept with the settings.
 */
import { readFileSync } from 'node:fs';
import { LapsError, UsageError } from '../../core/errors.js';
import { isGuid } from '../../core/ids.js';
import { Secret } from '../../core/secret.js';
import { EntraDirectory, type EntraDeviceAuth } from '../../agent/escrow/entra-directory.js';
import { httpCall, TransportError, type HttpAnswer } from '../../agent/escrow/http-client.js';
import { registerDirectoryProvider, type DirectoryJoinContext, type DirectoryOpenContext } from '../directories.js';
import { DEFAULT_ADMIN_TOKEN } from './entra-emulator.js';

/** Environment variables the provider reads. */
export const ENTRA_ENV = { adminToken: 'LAPSIM_ENTRA_ADMIN_TOKEN', caFile: 'LAPSIM_ENTRA_CA_FILE' } as const;

interface EntraSettings {
  readonly url: string;
  readonly tenantId: string;
  readonly objectId: string;
  /** PEM of the emulator's certificate (HTTPS with a self-signed certificate). */
  readonly ca?: string;
}

interface EntraSecrets {
  readonly deviceToken: string;
  readonly readerToken?: string;
}

/** Splits `http(s)://host:port[/tenantId]`. */
export function parseEntraTarget(target: string | undefined): { origin: string; tenant: string } {
  if (target === undefined) throw new UsageError('--directory entra=<url> needs the emulator\'s URL, e.g. entra=http://127.0.0.1:8443');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`--directory entra=${target}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--directory entra=${target}: use http:// or https://`);
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  if (path !== '' && !isGuid(path)) throw new UsageError(`--directory entra=${target}: the path may only name a tenant id`);
  return { origin: url.origin, tenant: path === '' ? 'default' : path.toLowerCase() };
}

function joinFailure(message: string, cause?: unknown): LapsError {
  return new LapsError('LAPS_ERR_DIRECTORY_JOIN', message, cause === undefined ? {} : { cause });
}

function graphMessage(a: HttpAnswer): string {
  try {
    const m = (JSON.parse(a.text) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === 'string') return m.slice(0, 200);
  } catch {
    // not JSON
  }
  return `HTTP ${a.status}`;
}

async function join(ctx: DirectoryJoinContext, target: string | undefined): Promise<{ settings: EntraSettings & Record<string, unknown>; secret: Secret }> {
  const { origin, tenant } = parseEntraTarget(target);
  const joinType = ctx.record.joinType;
  if (joinType !== 'entra' && joinType !== 'hybrid') {
    throw new UsageError(`an Entra directory needs an Entra-joined or hybrid-joined device (--join entra or hybrid), not ${joinType}`);
  }
  const caFile = ctx.env[ENTRA_ENV.caFile];
  let ca: string | undefined;
  if (caFile !== undefined && caFile !== '') {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new UsageError(`${ENTRA_ENV.caFile}=${caFile}: cannot read the certificate (${(e as Error).message})`);
    }
  }
  const adminToken = ctx.env[ENTRA_ENV.adminToken] || DEFAULT_ADMIN_TOKEN;
  let answer: HttpAnswer;
  try {
    answer = await httpCall({
      method: 'POST', url: `${origin}/lapsim/entra/tenants/${encodeURIComponent(tenant)}/devices`,
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json', 'User-Agent': 'lapsim' },
      body: JSON.stringify({ deviceId: ctx.record.deviceId, displayName: ctx.record.name, joinType, osVersion: ctx.record.osBuild, readerToken: true }),
      ...(ca !== undefined ? { ca } : {}), timeoutMs: 15_000,
    });
  } catch (e) {
    const code = e instanceof TransportError ? e.code : 'EUNKNOWN';
    throw joinFailure(`cannot reach the Entra emulator at ${origin} (${code})`, e);
  }
  if (answer.status === 401 || answer.status === 403) {
    throw joinFailure(`the Entra emulator refused the admin token (${graphMessage(answer)}); pass --admin-token or set ${ENTRA_ENV.adminToken}`);
  }
  if (answer.status !== 201) throw joinFailure(`the Entra emulator did not register the device: ${graphMessage(answer)}`);
  let r: { tenantId?: unknown; objectId?: unknown; deviceToken?: unknown; readerToken?: unknown };
  try {
    r = JSON.parse(answer.text) as typeof r;
  } catch (e) {
    throw joinFailure('the Entra emulator answered the registration with a body that is not JSON', e);
  }
  if (typeof r.tenantId !== 'string' || typeof r.objectId !== 'string' || typeof r.deviceToken !== 'string') {
    throw joinFailure('the Entra emulator answered the registration without a device credential');
  }
  const secrets: EntraSecrets = { deviceToken: r.deviceToken, ...(typeof r.readerToken === 'string' ? { readerToken: r.readerToken } : {}) };
  return {
    settings: { url: origin, tenantId: r.tenantId, objectId: r.objectId, ...(ca !== undefined ? { ca } : {}) },
    secret: new Secret(JSON.stringify(secrets)),
  };
}

function open(ctx: DirectoryOpenContext): EntraDirectory {
  const s = (ctx.config?.settings ?? {}) as Partial<EntraSettings>;
  let auth: EntraDeviceAuth | undefined;
  if (typeof s.tenantId === 'string' && ctx.config?.secret) {
    try {
      const secrets = JSON.parse(ctx.config.secret.reveal()) as Partial<EntraSecrets>;
      if (typeof secrets.deviceToken === 'string') {
        auth = {
          tenantId: s.tenantId, deviceToken: new Secret(secrets.deviceToken),
          ...(typeof secrets.readerToken === 'string' ? { readerToken: new Secret(secrets.readerToken) } : {}),
        };
      }
    } catch {
      ctx.logger.warn({ deviceId: ctx.record.deviceId }, 'the stored Entra credential is damaged; the device cannot back up');
    }
  }
  const deviceId = ctx.record.deviceId;
  return new EntraDirectory({
    baseUrl: typeof s.url === 'string' ? s.url : 'http://127.0.0.1:0', rng: ctx.rng, clock: ctx.clock,
    auth: (id) => (id === deviceId ? auth : undefined),
    ...(typeof s.ca === 'string' ? { ca: s.ca } : {}),
  });
}

registerDirectoryProvider({
  kind: 'entra',
  targetHelp: "the Entra emulator's URL, e.g. entra=http://127.0.0.1:8443 (or entra=<url>/<tenantId>)",
  join,
  open,
});
