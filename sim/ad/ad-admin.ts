/**
 * An AD administrator's LDAPS session (the `lapsim ad` verbs, joining devices): binds with the
 * connection file's admin identity and turns LDAP failures into one-line LapsErrors.
 */
import { AlreadyExistsError, Attribute, InsufficientAccessError, NoSuchObjectError } from 'ldapts';
import { isLapsError, LapsError } from '../../core/errors.js';
import { openAdSession, type AdCredentials, type AdEndpoint, type AdSession, type RootDse } from '../../agent/escrow/ad-ldap.js';
import { filterText } from '../../agent/escrow/ad-sid.js';

/** Who administers: an endpoint and an admin identity. */
export interface AdAdminTarget {
  readonly endpoint: AdEndpoint;
  readonly admin: AdCredentials;
}

/** Runs `fn` in an admin session with the rootDSE read; always closes the session. */
export async function withAdmin<T>(t: AdAdminTarget, fn: (s: AdSession, root: RootDse) => Promise<T>): Promise<T> {
  let s: AdSession;
  try {
    s = await openAdSession(t.endpoint, t.admin);
  } catch (e) {
    throw new LapsError('LAPS_ERR_AD_ADMIN', `cannot bind to the DC as ${t.admin.bindName}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return await fn(s, await s.rootDse());
  } catch (e) {
    throw adminFailure(e);
  } finally {
    await s.close();
  }
}

/** A one-line LapsError for a failed admin step. */
export function adminFailure(e: unknown, what?: string): LapsError {
  if (isLapsError(e)) return e;
  const prefix = what ? `${what}: ` : '';
  const message = (e as Error).message?.split('\n')[0] ?? String(e);
  if (e instanceof NoSuchObjectError) return new LapsError('LAPS_ERR_AD_NOT_FOUND', `${prefix}no such object (${message})`, { cause: e });
  if (e instanceof InsufficientAccessError) return new LapsError('LAPS_ERR_AD_ADMIN', `${prefix}access denied (${message})`, { cause: e });
  return new LapsError('LAPS_ERR_AD_ADMIN', `${prefix}${message}`, { cause: e });
}

/** An entry's attributes for an LDAP add; Buffers travel as binary values. */
export type EntryValues = Record<string, string | Buffer | readonly string[]>;

/** ldapts Attributes of `values`. */
export function toAttributes(values: EntryValues): Attribute[] {
  return Object.entries(values).map(([type, v]) => new Attribute({ type, values: Buffer.isBuffer(v) ? [v] : typeof v === 'string' ? [v] : [...v] }));
}

/** Adds an entry; an existing one is fine. @returns whether it was added */
export async function addIfMissing(s: AdSession, dn: string, attributes: EntryValues): Promise<boolean> {
  try {
    await s.client.add(dn, toAttributes(attributes));
    return true;
  } catch (e) {
    if (e instanceof AlreadyExistsError) return false;
    throw adminFailure(e, `adding ${dn}`);
  }
}

/** The DN of computer `name` (`NAME` or `NAME$`). @throws LapsError LAPS_ERR_AD_NOT_FOUND */
export async function computerDn(s: AdSession, root: RootDse, name: string): Promise<string> {
  const sam = name.endsWith('$') ? name : `${name}$`;
  const e = (await s.find(root.defaultNamingContext, `(&(objectCategory=computer)(sAMAccountName=${filterText(sam)}))`, ['1.1']))[0];
  if (!e) throw new LapsError('LAPS_ERR_AD_NOT_FOUND', `no computer ${sam.slice(0, -1)} in ${root.defaultNamingContext}`);
  return e.dn;
}

/** Checks that `dn` exists. @throws LapsError LAPS_ERR_AD_NOT_FOUND */
export async function mustExist(s: AdSession, dn: string): Promise<void> {
  try {
    await s.find(dn, '(objectClass=*)', ['1.1'], { scope: 'base' });
  } catch (e) {
    if (e instanceof NoSuchObjectError) throw new LapsError('LAPS_ERR_AD_NOT_FOUND', `no object ${dn} in the domain`);
    throw e;
  }
}
