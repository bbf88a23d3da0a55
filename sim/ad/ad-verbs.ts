/**
 * The `lapsim ad` verbs, each the equivalent of a LAPS PowerShell cmdlet run by a domain admin
 * against the lab DC of a connection file: Update-LapsADSchema (and the legacy
 * Update-AdmPwdADSchema), Set-LapsADComputerSelfPermission, Set-LapsADReadPasswordPermission,
 * Set-LapsADPasswordExpirationTime and Get-LapsADPassword.
 */
import { LapsError, UsageError } from '../../core/errors.js';
import { AdPasswordReader, type LapsAdPassword } from '../../agent/escrow/ad-password-reader.js';
import { filterText } from '../../agent/escrow/ad-sid.js';
import type { AdSession, RootDse } from '../../agent/escrow/ad-ldap.js';
import { withAdmin } from './ad-admin.js';
import { setPasswordExpiration } from './ad-computers.js';
import { grantComputerSelf, grantReadPassword, type PermissionResult } from './ad-permissions.js';
import { updateLapsSchema, updateLegacySchema, type SchemaStep } from './ad-schema.js';
import { readConnection, type AdConnection } from './connection-file.js';

/** The connection of `--directory ad=<DIR>`. */
export function adConnectionOf(spec: string): AdConnection {
  const m = /^ad=(.+)$/i.exec(spec.trim());
  if (!m) throw new UsageError(`--directory must be ad=<DIR> (the folder of \`lapsim directory ad --data <DIR>\`), got ${spec}`);
  return readConnection(m[1]!);
}

/** An OU given by DN, or by name when exactly one OU has it (as the cmdlets' -Identity). */
export async function resolveOu(s: AdSession, root: RootDse, identity: string): Promise<string> {
  if (/=/.test(identity)) return identity;
  const found = await s.find(root.defaultNamingContext, `(&(objectClass=organizationalUnit)(ou=${filterText(identity)}))`, ['1.1']);
  if (found.length === 1) return found[0]!.dn;
  throw new LapsError('LAPS_ERR_AD_NOT_FOUND', found.length === 0 ? `no OU named ${identity}` : `several OUs are named ${identity}: give its distinguished name`);
}

/** Update-LapsADSchema; with `legacy`, Update-AdmPwdADSchema too. */
export function adUpdateSchema(c: AdConnection, legacy: boolean): Promise<SchemaStep[]> {
  return withAdmin(c, async (s, root) => [...(await updateLapsSchema(s, root)), ...(legacy ? await updateLegacySchema(s, root) : [])]);
}

/** Set-LapsADComputerSelfPermission (Set-AdmPwdComputerSelfPermission with `legacy`). */
export function adGrantSelf(c: AdConnection, ou: string, legacy: boolean): Promise<PermissionResult> {
  return withAdmin(c, async (s, root) => grantComputerSelf(s, root, await resolveOu(s, root, ou), legacy));
}

/** Set-LapsADReadPasswordPermission (Set-AdmPwdReadPasswordPermission with `legacy`). */
export function adGrantRead(c: AdConnection, ou: string, principals: readonly string[], legacy: boolean): Promise<PermissionResult> {
  return withAdmin(c, async (s, root) => grantReadPassword(s, root, await resolveOu(s, root, ou), principals, legacy));
}

/** Set-LapsADPasswordExpirationTime: the device rotates at its next cycle once `at` has passed. */
export function adExpire(c: AdConnection, computer: string, at: number): Promise<string> {
  return withAdmin(c, (s, root) => setPasswordExpiration(s, root, computer, at));
}

/** Get-LapsADPassword as the connection's admin, decrypting with the domain decryptor's key. */
export async function adGetPassword(c: AdConnection, computer: string, history: boolean): Promise<LapsAdPassword[]> {
  return new AdPasswordReader({ endpoint: c.endpoint, reader: c.admin, decryptor: c.decryptor }).read(computer, { history });
}

/** A Get-LapsADPassword row with PowerShell's property names; times as ISO 8601 UTC. */
export function getPasswordRow(p: LapsAdPassword): Record<string, string | null> {
  const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
  return {
    ComputerName: p.computerName,
    DistinguishedName: p.distinguishedName,
    Account: p.account ?? null,
    Password: p.password?.reveal() ?? null,
    PasswordUpdateTime: iso(p.passwordUpdateTime),
    ExpirationTimestamp: iso(p.expirationTimestamp),
    Source: p.source,
    DecryptionStatus: p.decryptionStatus,
    AuthorizedDecryptor: p.authorizedDecryptor ?? null,
  };
}
