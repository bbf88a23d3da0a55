/**
 * Resolving a principal name the way Windows LAPS does for ADPasswordEncryptionPrincipal and the
 * Set-LapsAD*Permission cmdlets: a SID (`S-1-5-21-…`), `DOMAIN\name`, `name@domain`, or an isolated
 * name that maps to a built-in group (`Domain Admins`). Any other isolated name is ambiguous
 * (event 10034); a name that maps to nothing is event 10035. Unset means Domain Admins.
 */
import { EscrowError } from '../../core/errors.js';
import { AD_HRESULT, buffers, text, type AdSession, type RootDse } from './ad-ldap.js';
import { filterText, isSidString, sidToBytes, sidToString } from './ad-sid.js';

/** Well-known groups an isolated name may name: relative to the domain SID, or absolute. */
const BUILTIN_NAMES: Readonly<Record<string, { rid?: number; sid?: string }>> = {
  'domain admins': { rid: 512 },
  'enterprise admins': { rid: 519 },
  'schema admins': { rid: 518 },
  administrators: { sid: 'S-1-5-32-544' },
};

/** The domain a DC serves: its SID and names. */
export interface DomainFacts {
  /** S-1-5-21-… of the domain. */
  readonly sid: string;
  /** NetBIOS name (`LAPSIM`). */
  readonly netbiosName: string;
  /** DNS name (`lapsim.test`). */
  readonly dnsName: string;
}

/** Reads the domain's SID (domain head) and names (its crossRef in the Partitions container). */
export async function domainFacts(s: AdSession, root: RootDse): Promise<DomainFacts> {
  const head = (await s.find(root.defaultNamingContext, '(objectClass=*)', ['objectSid'], { scope: 'base', binary: ['objectSid'] }))[0];
  const sidBytes = head ? buffers(head, 'objectSid')[0] : undefined;
  if (!sidBytes) throw new Error('the domain head carries no objectSid');
  const xref = (await s.find(`CN=Partitions,${root.configurationNamingContext}`, `(&(objectClass=crossRef)(nCName=${filterText(root.defaultNamingContext)}))`, ['nETBIOSName', 'dnsRoot'], { scope: 'one' }))[0];
  const dnsFromDn = root.defaultNamingContext.split(',').map((p) => p.replace(/^DC=/i, '')).join('.');
  return { sid: sidToString(sidBytes), netbiosName: xref ? text(xref, 'nETBIOSName') : '', dnsName: (xref ? text(xref, 'dnsRoot') : '') || dnsFromDn };
}

/**
 * An objectSid filter. AD and Samba accept the `S-1-…` text form in filters; it also avoids
 * escaping raw bytes, which the LDAP client would re-encode as UTF-8.
 */
export function sidFilter(sid: string): string {
  return `(objectSid=${filterText(sidToString(sidToBytes(sid)))})`;
}

/** A resolved principal. */
export interface ResolvedPrincipal {
  readonly sid: string;
  /** Its object, when it lives in the domain partition. */
  readonly dn: string | undefined;
  /** `DOMAIN\sAMAccountName` when known. */
  readonly displayName: string | undefined;
}

export type PrincipalResult =
  | { readonly ok: true; readonly principal: ResolvedPrincipal }
  | { readonly ok: false; readonly reason: 'not-found' | 'ambiguous' };

async function bySid(s: AdSession, root: RootDse, domain: DomainFacts, sid: string): Promise<ResolvedPrincipal | undefined> {
  const e = (await s.find(root.defaultNamingContext, sidFilter(sid), ['sAMAccountName']))[0];
  return e ? { sid, dn: e.dn, displayName: `${domain.netbiosName}\\${text(e, 'sAMAccountName')}` } : undefined;
}

async function byFilter(s: AdSession, root: RootDse, domain: DomainFacts, filter: string): Promise<ResolvedPrincipal | undefined> {
  const found = await s.find(root.defaultNamingContext, filter, ['objectSid', 'sAMAccountName'], { binary: ['objectSid'] });
  const e = found.length === 1 ? found[0] : undefined;
  const sid = e ? buffers(e, 'objectSid')[0] : undefined;
  return e && sid ? { sid: sidToString(sid), dn: e.dn, displayName: `${domain.netbiosName}\\${text(e, 'sAMAccountName')}` } : undefined;
}

/** Resolves `name` (undefined or empty = Domain Admins) in the DC's domain. */
export async function resolvePrincipal(s: AdSession, root: RootDse, domain: DomainFacts, name: string | undefined): Promise<PrincipalResult> {
  const n = (name ?? '').trim();
  let found: ResolvedPrincipal | undefined;
  if (n === '') {
    found = await bySid(s, root, domain, `${domain.sid}-512`);
  } else if (isSidString(n)) {
    found = await bySid(s, root, domain, n.toUpperCase());
  } else if (n.includes('\\')) {
    const [dom, user] = [n.slice(0, n.indexOf('\\')), n.slice(n.indexOf('\\') + 1)];
    const ours = [domain.netbiosName, domain.dnsName].some((d) => d.toLowerCase() === dom.toLowerCase());
    found = ours && user ? await byFilter(s, root, domain, `(sAMAccountName=${filterText(user)})`) : undefined;
  } else if (n.includes('@')) {
    const at = n.lastIndexOf('@');
    const [user, dom] = [n.slice(0, at), n.slice(at + 1)];
    const implicit = dom.toLowerCase() === domain.dnsName.toLowerCase() ? `(sAMAccountName=${filterText(user)})` : '';
    found = user ? await byFilter(s, root, domain, `(|(userPrincipalName=${filterText(n)})${implicit})`) : undefined;
  } else {
    const builtin = BUILTIN_NAMES[n.toLowerCase()];
    if (!builtin) return { ok: false, reason: 'ambiguous' };
    found = await bySid(s, root, domain, builtin.sid ?? `${domain.sid}-${builtin.rid}`);
  }
  return found ? { ok: true, principal: found } : { ok: false, reason: 'not-found' };
}

/** The escrow failure for an unusable encryption principal: 10034 (ambiguous) or 10035 (unmapped). */
export function principalFailure(principal: string, reason: 'not-found' | 'ambiguous'): EscrowError {
  const ambiguous = reason === 'ambiguous';
  return new EscrowError('LAPS_ERR_ESCROW_AD_PRINCIPAL',
    ambiguous ? `the encryption principal '${principal}' is an isolated name; use DOMAIN\\name or name@domain` : `the encryption principal '${principal}' maps to no account in the domain`,
    { retryable: false, hresult: AD_HRESULT.NONE_MAPPED, events: [{ id: ambiguous ? 10034 : 10035, fields: { principal } }] });
}
