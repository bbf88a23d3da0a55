/**
 * A lab domain controller in one folder: provisioned on first start (realm LAPSIM.TEST, NetBIOS
 * LAPSIM, host DC1, 2016 functional level, a random Administrator password), started, given an OU
 * for devices, and described by its connection file (sim/ad/connection-file.ts). Later starts
 * reuse the folder. What `lapsim directory ad --data DIR` and the AD tests run.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { Rng } from '../../core/rng.js';
import { addIfMissing, withAdmin } from './ad-admin.js';
import { machinePassword } from './ad-computers.js';
import { connectionFilePath, readConnection, writeConnection, type AdConnection, type AdConnectionJson } from './connection-file.js';
import {
  baseDnOf, caFilePath, dcDnsName, LDAPS_PORT, provisionSambaDc, SambaDc, setFunctionalLevel, type FunctionalLevel, type SambaDcSettings,
} from './samba-dc.js';

/** The OU devices join by default. */
export const DEVICES_OU_NAME = 'LAPS Devices';

export interface LabDcOptions {
  readonly dir: string;
  readonly clock: Clock;
  /** The Administrator password of a new domain. */
  readonly rng: Rng;
  /** Realm of a new domain (default LAPSIM.TEST). */
  readonly realm?: string;
  /** NetBIOS name of a new domain (default LAPSIM). */
  readonly netbiosDomain?: string;
  /** Host name of a new DC (default DC1). */
  readonly hostName?: string;
  /** Functional level to set before starting; default: 2016 for a new domain, unchanged otherwise. */
  readonly functionalLevel?: FunctionalLevel;
}

/** A running lab DC. */
export interface LabDc {
  readonly dc: SambaDc;
  readonly connection: AdConnection;
  /** This start provisioned the domain. */
  readonly provisioned: boolean;
  stop(): Promise<void>;
}

/** Provisions (once) and starts the lab DC in `o.dir`, and writes its connection file. */
export async function startLabDc(o: LabDcOptions): Promise<LabDc> {
  const dir = resolve(o.dir);
  mkdirSync(dir, { recursive: true });
  const known = existsSync(connectionFilePath(dir)) ? readConnection(dir).json : undefined;
  const settings: SambaDcSettings = known
    ? { dir, realm: known.realm, netbiosDomain: known.netbiosDomain, hostName: known.hostName, adminPassword: known.admin.password }
    : { dir, realm: o.realm ?? 'LAPSIM.TEST', netbiosDomain: o.netbiosDomain ?? 'LAPSIM', hostName: o.hostName ?? 'DC1', adminPassword: machinePassword(o.rng).reveal() };
  const provisioned = await provisionSambaDc(settings, o.functionalLevel ?? '2016');
  if (!provisioned && o.functionalLevel !== undefined) await setFunctionalLevel(dir, o.functionalLevel);
  if (!known || provisioned) writeConnection(dir, connectionJson(settings));
  const dc = await SambaDc.start(settings, { clock: o.clock });
  try {
    const connection = readConnection(dir);
    await withAdmin(connection, (s) => addIfMissing(s, connection.json.computersOu, { objectClass: 'organizationalUnit', description: 'lapsim: devices joined with --directory ad=<DIR>' }));
    return { dc, connection, provisioned, stop: () => dc.stop() };
  } catch (e) {
    await dc.stop();
    throw e;
  }
}

function connectionJson(s: SambaDcSettings): AdConnectionJson {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const baseDn = baseDnOf(s.realm);
  return {
    version: 1,
    url: `ldaps://127.0.0.1:${LDAPS_PORT}`,
    tlsServerName: dcDnsName(s),
    caFile: caFilePath(s.dir),
    realm: s.realm,
    netbiosDomain: s.netbiosDomain,
    hostName: s.hostName,
    baseDn,
    computersOu: `OU=${DEVICES_OU_NAME},${baseDn}`,
    admin: { bindName: `Administrator@${s.realm}`, password: s.adminPassword },
    decryptor: { publicKey: keys.publicKey, privateKey: keys.privateKey },
  };
}
