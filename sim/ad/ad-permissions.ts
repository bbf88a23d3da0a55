/**
 * OU permissions as the LAPS cmdlets set them, by editing the OU's DACL over LDAP. Every ACE is
 * container-inherit, inherit-only, and applies to computer objects only:
 *
 * - Set-LapsADComputerSelfPermission: SELF (S-1-5-10) gets read+write on
 *   msLAPS-PasswordExpirationTime, write on msLAPS-Password, and read+write+control access on the
 *   ms-LAPS-Encrypted-Password-Attributes property set (encrypted password, history, DSRM,
 *   version): the device reads its own encrypted value to keep history; confidential attributes
 *   need control access to be read.
 * - Set-LapsADReadPasswordPermission: each principal gets read on the expiry and read+control
 *   access on msLAPS-Password and the property set.
 * - Legacy (Set-AdmPwdComputerSelfPermission / Set-AdmPwdReadPasswordPermission): the same on
 *   ms-Mcs-AdmPwdExpirationTime and ms-Mcs-AdmPwd.
 */
import { Attribute, Change } from 'ldapts';
import { A, COMPUTER_CLASS_GUID, LAPS_ENCRYPTED_PROPERTY_SET } from '../../agent/escrow/ad-attributes.js';
import { guidFromWindowsBytes } from '../../agent/escrow/ad-formats.js';
import { buffers, type AdSession, type RootDse } from '../../agent/escrow/ad-ldap.js';
import { domainFacts, resolvePrincipal } from '../../agent/escrow/ad-principal.js';
import { LapsError } from '../../core/errors.js';
import { adminFailure, mustExist } from './ad-admin.js';
import {
  addAces, DACL_SECURITY_INFORMATION, objectAce, parseSecurityDescriptor, RIGHT, SdFlagsControl, serializeSecurityDescriptor,
} from './security-descriptor.js';

/** The SELF principal (PRINCIPAL_SELF). */
export const SELF_SID = 'S-1-5-10';

const { READ_PROPERTY: RP, WRITE_PROPERTY: WP, CONTROL_ACCESS: CR } = RIGHT;

/** schemaIDGUID of an attribute. @throws LapsError LAPS_ERR_AD_NOT_FOUND when the schema lacks it */
async function schemaGuid(s: AdSession, root: RootDse, name: string): Promise<string> {
  const e = (await s.find(root.schemaNamingContext, `(lDAPDisplayName=${name})`, ['schemaIDGUID'], { scope: 'one', binary: ['schemaIDGUID'] }))[0];
  const g = e ? buffers(e, 'schemaIDGUID')[0] : undefined;
  if (!g) throw new LapsError('LAPS_ERR_AD_NOT_FOUND', `the schema lacks ${name}: run \`lapsim ad update-schema\` first`);
  return guidFromWindowsBytes(g);
}

/** Adds ACEs to `dn`'s DACL. @returns how many were new */
async function addToDacl(s: AdSession, dn: string, aces: readonly Buffer[]): Promise<number> {
  await mustExist(s, dn);
  const sdFlags = new SdFlagsControl(DACL_SECURITY_INFORMATION);
  try {
    const { searchEntries } = await s.client.search(dn, { scope: 'base', attributes: ['nTSecurityDescriptor'], explicitBufferAttributes: ['nTSecurityDescriptor'] }, sdFlags);
    const raw = searchEntries[0] ? buffers(searchEntries[0], 'nTSecurityDescriptor')[0] : undefined;
    if (!raw) throw new LapsError('LAPS_ERR_AD_ADMIN', `cannot read the security descriptor of ${dn}`);
    const sd = parseSecurityDescriptor(raw);
    const added = addAces(sd, aces);
    if (added > 0) {
      await s.client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'nTSecurityDescriptor', values: [serializeSecurityDescriptor(sd)] }) }), sdFlags);
    }
    return added;
  } catch (e) {
    throw adminFailure(e, `updating the permissions of ${dn}`);
  }
}

/** What a permission verb did (the cmdlets print the OU). */
export interface PermissionResult {
  readonly distinguishedName: string;
  /** ACEs added (0: everything was in place already). */
  readonly acesAdded: number;
}

/** Set-LapsADComputerSelfPermission (or, with `legacy`, Set-AdmPwdComputerSelfPermission) on `ou`. */
export async function grantComputerSelf(s: AdSession, root: RootDse, ou: string, legacy: boolean): Promise<PermissionResult> {
  const ace = (mask: number, objectType: string): Buffer => objectAce(SELF_SID, mask, objectType, COMPUTER_CLASS_GUID);
  const aces = legacy
    ? [ace(RP | WP, await schemaGuid(s, root, A.legacyExpiry)), ace(WP, await schemaGuid(s, root, A.legacyPassword))]
    : [ace(RP | WP, await schemaGuid(s, root, A.expiry)), ace(WP, await schemaGuid(s, root, A.password)), ace(RP | WP | CR, LAPS_ENCRYPTED_PROPERTY_SET)];
  return { distinguishedName: ou, acesAdded: await addToDacl(s, ou, aces) };
}

/** Set-LapsADReadPasswordPermission (or Set-AdmPwdReadPasswordPermission) on `ou` for `principals`. */
export async function grantReadPassword(s: AdSession, root: RootDse, ou: string, principals: readonly string[], legacy: boolean): Promise<PermissionResult> {
  const domain = await domainFacts(s, root);
  const aces: Buffer[] = [];
  const [expiry, password] = legacy ? [A.legacyExpiry, A.legacyPassword] : [A.expiry, A.password];
  const expiryGuid = await schemaGuid(s, root, expiry);
  const passwordGuid = await schemaGuid(s, root, password);
  for (const name of principals) {
    const r = await resolvePrincipal(s, root, domain, name);
    if (!r.ok) {
      throw new LapsError('LAPS_ERR_AD_NOT_FOUND', r.reason === 'ambiguous'
        ? `'${name}' is an isolated name: use DOMAIN\\name or name@domain`
        : `'${name}' maps to no account in the domain`);
    }
    const sid = r.principal.sid;
    aces.push(objectAce(sid, RP, expiryGuid, COMPUTER_CLASS_GUID), objectAce(sid, RP | CR, passwordGuid, COMPUTER_CLASS_GUID));
    if (!legacy) aces.push(objectAce(sid, RP | CR, LAPS_ENCRYPTED_PROPERTY_SET, COMPUTER_CLASS_GUID));
  }
  return { distinguishedName: ou, acesAdded: await addToDacl(s, ou, aces) };
}
