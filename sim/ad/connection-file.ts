/**
 * The connection file of a lab DC (`DIR/lapsim-ad.json`, mode 0600): where the DC answers, the CA
 * that signs its certificate, the domain, the admin identity, the OU new devices join, and the
 * domain decryptor's key pair (lapsim's stand-in for DPAPI-NG's key distribution service). It
 * holds secrets: it is for a lab DC on loopback, never for a production domain.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LapsError, UsageError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import type { AdCredentials, AdEndpoint } from '../../agent/escrow/ad-ldap.js';
import type { DecryptorKeys } from '../../agent/escrow/ad-password-reader.js';

export const CONNECTION_FILE = 'lapsim-ad.json';

/** The file's JSON. */
export interface AdConnectionJson {
  readonly version: 1;
  readonly url: string;
  readonly tlsServerName: string;
  readonly caFile: string;
  readonly realm: string;
  readonly netbiosDomain: string;
  readonly hostName: string;
  readonly baseDn: string;
  /** Where `lapsim device init --directory ad=<DIR>` creates computer accounts. */
  readonly computersOu: string;
  readonly admin: { readonly bindName: string; readonly password: string };
  readonly decryptor: { readonly publicKey: string; readonly privateKey: string };
}

/** A loaded connection: the JSON plus what it points at. */
export interface AdConnection {
  readonly file: string;
  readonly json: AdConnectionJson;
  readonly endpoint: AdEndpoint;
  readonly admin: AdCredentials;
  readonly decryptor: DecryptorKeys;
}

/** The connection file of `dirOrFile` (a DC folder or the file itself). */
export function connectionFilePath(dirOrFile: string): string {
  const p = resolve(dirOrFile);
  return existsSync(p) && statSync(p).isDirectory() ? join(p, CONNECTION_FILE) : p;
}

/** @throws UsageError when the file is missing; LapsError LAPS_ERR_CONFIG when it is not a connection file */
export function readConnection(dirOrFile: string): AdConnection {
  const file = connectionFilePath(dirOrFile);
  if (!existsSync(file)) throw new UsageError(`no AD connection file at ${file}: start a DC with \`lapsim directory ad --data <DIR>\``);
  let json: AdConnectionJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as AdConnectionJson;
  } catch (e) {
    throw new LapsError('LAPS_ERR_CONFIG', `${file} is not a lapsim AD connection file`, { cause: e });
  }
  if (json.version !== 1 || typeof json.url !== 'string' || !json.admin || !json.decryptor) throw new LapsError('LAPS_ERR_CONFIG', `${file} is not a lapsim AD connection file (version 1)`);
  const caPem = existsSync(json.caFile) ? readFileSync(json.caFile, 'utf8') : undefined;
  return {
    file, json,
    endpoint: { url: json.url, caPem, tlsServerName: json.tlsServerName },
    admin: { bindName: json.admin.bindName, password: new Secret(json.admin.password) },
    decryptor: { publicKeyPem: json.decryptor.publicKey, privateKeyPem: json.decryptor.privateKey },
  };
}

export function writeConnection(dir: string, json: AdConnectionJson): string {
  const file = join(dir, CONNECTION_FILE);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  return file;
}
