/**
 * Computer accounts and their LAPS expiry, as an admin manages them: joining a device creates its
 * account with a machine password (workstations: WORKSTATION_TRUST_ACCOUNT in the lab OU; domain
 * controllers: SERVER_TRUST_ACCOUNT in OU=Domain Controllers), and Set-LapsADPasswordExpirationTime
 * moves msLAPS-PasswordExpirationTime (never the legacy attribute).
 */
import { AlreadyExistsError, Attribute, Change } from 'ldapts';
import { LapsError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Secret } from '../../core/secret.js';
import { A } from '../../agent/escrow/ad-attributes.js';
import { encodeFiletimeAttribute } from '../../agent/escrow/ad-formats.js';
import type { AdSession, RootDse } from '../../agent/escrow/ad-ldap.js';
import { adminFailure, computerDn, mustExist, toAttributes } from './ad-admin.js';

/** userAccountControl: WORKSTATION_TRUST_ACCOUNT (0x1000) or SERVER_TRUST_ACCOUNT (0x2000). */
const UAC_WORKSTATION = 0x1000;
const UAC_SERVER = 0x2000;

const MACHINE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-.:=?@_';

/** A 40-character machine password holding upper, lower, digit and symbol (Windows uses 120 random characters). */
export function machinePassword(rng: Rng): Secret {
  for (;;) {
    let p = '';
    for (let i = 0; i < 40; i++) p += MACHINE_CHARS[rng.int(MACHINE_CHARS.length)];
    if (/[A-Z]/.test(p) && /[a-z]/.test(p) && /\d/.test(p) && /[^A-Za-z\d]/.test(p)) return new Secret(p);
  }
}

/** The OU domain controllers live in. */
export function domainControllersOu(root: RootDse): string {
  return `OU=Domain Controllers,${root.defaultNamingContext}`;
}

export interface NewComputer {
  /** Computer name (NetBIOS, at most 15 characters). */
  readonly name: string;
  /** OU or container DN. */
  readonly container: string;
  readonly password: Secret;
  readonly domainController: boolean;
  /** DNS domain for dNSHostName. */
  readonly dnsDomain: string;
}

/** Creates the computer account. @throws LapsError LAPS_ERR_DIRECTORY_JOIN when it exists already */
export async function createComputer(s: AdSession, c: NewComputer): Promise<string> {
  if (!/^[A-Za-z0-9-]{1,15}$/.test(c.name)) throw new LapsError('LAPS_ERR_DIRECTORY_JOIN', `'${c.name}' is not a computer name AD accepts (1-15 letters, digits, hyphens)`);
  await mustExist(s, c.container);
  const dn = `CN=${c.name},${c.container}`;
  try {
    await s.client.add(dn, toAttributes({
      objectClass: 'computer',
      sAMAccountName: `${c.name.toUpperCase()}$`,
      userAccountControl: String(c.domainController ? UAC_SERVER : UAC_WORKSTATION),
      dNSHostName: `${c.name}.${c.dnsDomain}`.toLowerCase(),
      unicodePwd: Buffer.from(`"${c.password.reveal()}"`, 'utf16le'),
    }));
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw new LapsError('LAPS_ERR_DIRECTORY_JOIN', `a computer account ${c.name} exists already in ${c.container}`);
    throw adminFailure(e, `creating the computer account ${dn}`);
  }
  return dn;
}

/** Set-LapsADPasswordExpirationTime: moves the computer's msLAPS-PasswordExpirationTime to `at` (epoch ms). */
export async function setPasswordExpiration(s: AdSession, root: RootDse, name: string, at: number): Promise<string> {
  const dn = await computerDn(s, root, name);
  try {
    await s.client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: A.expiry, values: [encodeFiletimeAttribute(at)] }) }));
  } catch (e) {
    throw adminFailure(e, `setting ${A.expiry} on ${dn}`);
  }
  return dn;
}
