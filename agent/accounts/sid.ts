/**
 * Security identifiers in their string form (MS-DTYP 2.4.2.1): `S-1-<authority>-<sub>...`.
 * A local account's SID is its machine's account domain SID, `S-1-5-21-x-y-z`, followed by its
 * RID. The parser also validates ADPasswordEncryptionPrincipal when it is given as a SID.
 * See https://learn.microsoft.com/openspecs/windows_protocols/ms-dtyp/c92a27b1-c772-4fa7-a432-15df5f1b66a1
 */
import type { Rng } from '../../core/rng.js';

/** A parsed SID. */
export interface Sid {
  /** Always 1 (SID_REVISION). */
  readonly revision: 1;
  /** The 48-bit identifier authority (5 = NT AUTHORITY). */
  readonly authority: number;
  /** 0 to 15 sub-authorities, each an unsigned 32-bit value. */
  readonly subAuthorities: readonly number[];
}

/** SID_MAX_SUB_AUTHORITIES (MS-DTYP 2.4.2). */
export const MAX_SUB_AUTHORITIES = 15;

/** BUILTIN\Administrators, the local Administrators group (S-1-5-32-544), locale independent. */
export const BUILTIN_ADMINISTRATORS_SID = 'S-1-5-32-544';

const MAX_AUTHORITY = 2 ** 48 - 1;
const MAX_SUB = 2 ** 32 - 1;
const DECIMAL = /^\d{1,10}$/;
const AUTHORITY_DECIMAL = /^\d{1,15}$/;
const AUTHORITY_HEX = /^0[xX][0-9a-fA-F]{12}$/;

/**
 * Parses a SID string as ConvertStringSidToSid does for the `S-` form: `S` (either case), revision
 * 1, an authority in decimal or as 0x followed by 12 hex digits, and up to 15 decimal
 * sub-authorities. Returns undefined for anything else (SDDL aliases such as `BA` included).
 */
export function parseSid(text: string): Sid | undefined {
  const parts = text.split('-');
  if (parts.length < 3 || parts.length - 3 > MAX_SUB_AUTHORITIES) return undefined;
  if (parts[0] !== 'S' && parts[0] !== 's') return undefined;
  if (parts[1] !== '1') return undefined;
  const authText = parts[2]!;
  let authority: number;
  if (AUTHORITY_HEX.test(authText)) authority = Number.parseInt(authText.slice(2), 16);
  else if (AUTHORITY_DECIMAL.test(authText)) authority = Number(authText);
  else return undefined;
  if (authority > MAX_AUTHORITY) return undefined;
  const subAuthorities: number[] = [];
  for (let i = 3; i < parts.length; i++) {
    const p = parts[i]!;
    if (!DECIMAL.test(p)) return undefined;
    const v = Number(p);
    if (v > MAX_SUB) return undefined;
    subAuthorities.push(v);
  }
  return { revision: 1, authority, subAuthorities };
}

/** True when `text` is a well-formed SID string. */
export function isSid(text: string): boolean {
  return parseSid(text) !== undefined;
}

/** The canonical string form (ConvertSidToStringSid): authorities of 2^32 and more in hex. */
export function formatSid(sid: Sid): string {
  const auth = sid.authority < 2 ** 32 ? String(sid.authority) : `0x${sid.authority.toString(16).toUpperCase().padStart(12, '0')}`;
  return ['S', '1', auth, ...sid.subAuthorities.map(String)].join('-');
}

/** `text` in canonical form (upper-case `S`, no leading zeros), or undefined when it is not a SID. */
export function normalizeSid(text: string): string | undefined {
  const sid = parseSid(text);
  return sid === undefined ? undefined : formatSid(sid);
}

/** True when `text` is a machine (or domain) account domain SID: exactly `S-1-5-21-x-y-z`. */
export function isAccountDomainSid(text: string): boolean {
  const sid = parseSid(text);
  return sid !== undefined && sid.authority === 5 && sid.subAuthorities.length === 4 && sid.subAuthorities[0] === 21;
}

/**
 * The SID of the account with `rid` in the account domain `domainSid` (`S-1-5-21-x-y-z-RID`).
 * @throws RangeError when `domainSid` is not an account domain SID or `rid` is not a 32-bit value
 */
export function accountSid(domainSid: string, rid: number): string {
  if (!isAccountDomainSid(domainSid)) throw new RangeError(`not an account domain SID (S-1-5-21-x-y-z): ${domainSid}`);
  if (!Number.isInteger(rid) || rid < 0 || rid > MAX_SUB) throw new RangeError(`not a RID: ${rid}`);
  return `${normalizeSid(domainSid)!}-${rid}`;
}

/** The RID (last sub-authority) of an account SID, or undefined when `text` is not a SID with one. */
export function ridOf(text: string): number | undefined {
  const sid = parseSid(text);
  return sid === undefined || sid.subAuthorities.length === 0 ? undefined : sid.subAuthorities.at(-1);
}

/**
 * A new machine account domain SID, `S-1-5-21-x-y-z` with three random 32-bit sub-authorities, as
 * Windows setup (or sysprep) draws one. Pass a crypto Rng for a real device, a seeded one in sim.
 */
export function randomMachineDomainSid(rng: Rng): string {
  return `S-1-5-21-${rng.int(2 ** 32)}-${rng.int(2 ** 32)}-${rng.int(2 ** 32)}`;
}
