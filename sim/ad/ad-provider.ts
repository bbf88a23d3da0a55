/**
 * The `ad` directory provider: `--directory ad=<DIR>` joins a device to the lab DC whose
 * connection file is in DIR (the computer account is created with a machine password, in the
 * lab's device OU, OU=Domain Controllers for a DC, or the OU given as `ad=<DIR>?ou=<DN>`);
 * `--directory ad=ldaps://host[:port]` points a device at any AD with an existing computer
 * account given by LAPSIM_AD_* variables (docs/active-directory.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { LapsError, UsageError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import { AdDirectory } from '../../agent/escrow/ad-directory.js';
import { filterText } from '../../agent/escrow/ad-sid.js';
import { withAdSession, type AdEndpoint } from '../../agent/escrow/ad-ldap.js';
import { AdPasswordReader } from '../../agent/escrow/ad-password-reader.js';
import { registerDirectoryProvider, type DirectoryJoin, type DirectoryJoinContext, type DirectoryOpenContext } from '../directories.js';
import { withAdmin } from './ad-admin.js';
import { createComputer, domainControllersOu, machinePassword } from './ad-computers.js';
import { readConnection } from './connection-file.js';

/** What a device keeps about its AD connection (non-secret; the machine password is sealed apart). */
export interface AdDeviceSettings {
  readonly url: string;
  readonly tlsServerName?: string;
  readonly caPem?: string;
  /** `NAME$@REALM` */
  readonly bindName: string;
  /** `NAME$` */
  readonly samAccountName: string;
  /** The decryptor public key (lapsim's DPAPI-NG stand-in). */
  readonly encryptionKey?: string;
  /** The lab DC's connection file: its admin identity reads passwords back (`lapsim password`). */
  readonly connectionFile?: string;
}

async function joinLab(ctx: DirectoryJoinContext, dir: string, ou: string | undefined): Promise<DirectoryJoin> {
  const conn = readConnection(dir);
  const name = ctx.record.name.toUpperCase();
  const password = machinePassword(ctx.rng);
  await withAdmin(conn, async (s, root) => {
    const container = ou ?? (ctx.record.isDomainController ? domainControllersOu(root) : conn.json.computersOu);
    return createComputer(s, { name, container, password, domainController: ctx.record.isDomainController, dnsDomain: conn.json.realm });
  });
  const settings: AdDeviceSettings = {
    url: conn.json.url, tlsServerName: conn.json.tlsServerName, ...(conn.endpoint.caPem !== undefined ? { caPem: conn.endpoint.caPem } : {}),
    bindName: `${name}$@${conn.json.realm}`, samAccountName: `${name}$`, encryptionKey: conn.json.decryptor.publicKey, connectionFile: conn.file,
  };
  return { settings: { ...settings }, secret: password };
}

function envFile(env: DirectoryJoinContext['env'], name: string): string | undefined {
  const path = env[name];
  if (path === undefined || path === '') return undefined;
  if (!existsSync(path)) throw new UsageError(`${name}: no file ${path}`);
  return readFileSync(path, 'utf8');
}

/** Any AD over LDAPS, with an existing computer account: LAPSIM_AD_COMPUTER_PASSWORD and LAPSIM_AD_REALM (or LAPSIM_AD_ACCOUNT). */
async function joinUrl(ctx: DirectoryJoinContext, url: string): Promise<DirectoryJoin> {
  const password = ctx.env['LAPSIM_AD_COMPUTER_PASSWORD'];
  const realm = ctx.env['LAPSIM_AD_REALM'];
  const name = ctx.record.name.toUpperCase();
  const bindName = ctx.env['LAPSIM_AD_ACCOUNT'] ?? (realm ? `${name}$@${realm.toUpperCase()}` : undefined);
  if (!password || !bindName) throw new UsageError('--directory ad=ldaps://… needs LAPSIM_AD_COMPUTER_PASSWORD and LAPSIM_AD_REALM (or LAPSIM_AD_ACCOUNT=NAME$@REALM)');
  const caPem = envFile(ctx.env, 'LAPSIM_AD_CA_FILE');
  const encryptionKey = envFile(ctx.env, 'LAPSIM_AD_ENCRYPTION_KEY_FILE');
  const tlsServerName = ctx.env['LAPSIM_AD_TLS_NAME'] || undefined;
  const endpoint: AdEndpoint = { url, caPem, tlsServerName };
  const sam = bindName.split('@')[0]!;
  try {
    await withAdSession(endpoint, { bindName, password: new Secret(password) }, async (s) => {
      const root = await s.rootDse();
      const me = await s.find(root.defaultNamingContext, `(&(objectCategory=computer)(sAMAccountName=${filterText(sam)}))`, ['1.1']);
      if (me.length !== 1) throw new LapsError('LAPS_ERR_DIRECTORY_JOIN', `no computer account ${sam} in ${root.defaultNamingContext}`);
    });
  } catch (e) {
    throw new LapsError('LAPS_ERR_DIRECTORY_JOIN', `cannot join ${url} as ${bindName}: ${(e as Error).message}`, { cause: e });
  }
  const settings: AdDeviceSettings = {
    url, bindName, samAccountName: sam, ...(tlsServerName ? { tlsServerName } : {}), ...(caPem ? { caPem } : {}), ...(encryptionKey ? { encryptionKey } : {}),
  };
  return { settings: { ...settings }, secret: new Secret(password) };
}

function open(ctx: DirectoryOpenContext): AdDirectory {
  const s = ctx.config?.settings as AdDeviceSettings | undefined;
  const secret = ctx.config?.secret;
  if (!s || typeof s.url !== 'string' || !secret) throw new LapsError('LAPS_ERR_CONFIG', `device ${ctx.record.deviceId} has no AD connection: create it with --directory ad=<DIR>`);
  const endpoint: AdEndpoint = { url: s.url, caPem: s.caPem, tlsServerName: s.tlsServerName };
  let reader: AdPasswordReader | undefined;
  if (s.connectionFile !== undefined && existsSync(s.connectionFile)) {
    const conn = readConnection(s.connectionFile);
    reader = new AdPasswordReader({ endpoint: conn.endpoint, reader: conn.admin, decryptor: conn.decryptor });
  }
  return new AdDirectory({
    deviceId: ctx.record.deviceId, endpoint, computer: { bindName: s.bindName, password: secret }, samAccountName: s.samAccountName,
    encryptionKeyPem: s.encryptionKey, reader, rng: ctx.rng,
  });
}

registerDirectoryProvider({
  kind: 'ad',
  targetHelp: 'a lab DC folder (lapsim directory ad --data <DIR>), <DIR>?ou=<OU DN>, or ldaps://host[:port] with LAPSIM_AD_* variables',
  join: async (ctx, target) => {
    if (target === undefined) throw new UsageError('--directory ad needs a target: ad=<DIR> (a lab DC folder) or ad=ldaps://host');
    if (/^ldaps?:\/\//i.test(target)) return joinUrl(ctx, target);
    const q = target.indexOf('?ou=');
    return q < 0 ? joinLab(ctx, target, undefined) : joinLab(ctx, target.slice(0, q), target.slice(q + 4));
  },
  open,
});
