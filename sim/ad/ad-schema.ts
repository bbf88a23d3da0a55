/**
 * Extending the schema over LDAP as Update-LapsADSchema does (and, with `legacy`, as the legacy
 * Update-AdmPwdADSchema does): attributeSchema objects with the real names, OIDs, syntaxes and
 * search flags, the ms-LAPS-Encrypted-Password-Attributes property set, the attributes added to
 * the computer class's mayContain, and schemaUpdateNow after each phase. Idempotent: what exists
 * is left alone and reported as such.
 */
import { Attribute, Change } from 'ldapts';
import {
  COMPUTER_CLASS_GUID, LAPS_ENCRYPTED_PROPERTY_SET, LEGACY_LAPS_ATTRIBUTES, WINDOWS_LAPS_ATTRIBUTES, type LapsAttributeDef,
} from '../../agent/escrow/ad-attributes.js';
import { guidToBytes } from '../../agent/escrow/ad-formats.js';
import { text, values, type AdSession, type RootDse } from '../../agent/escrow/ad-ldap.js';
import { addIfMissing, adminFailure, type EntryValues } from './ad-admin.js';

/** One line of the cmdlet's output. */
export interface SchemaStep {
  readonly operation: 'AddSchemaAttribute' | 'AddExtendedRight' | 'ModifySchemaClass';
  readonly distinguishedName: string;
  readonly status: 'Success' | 'AlreadyExists';
}

function attributeEntry(a: LapsAttributeDef): EntryValues {
  return {
    objectClass: 'attributeSchema',
    lDAPDisplayName: a.name,
    adminDisplayName: a.name,
    attributeID: a.oid,
    attributeSyntax: a.syntax,
    oMSyntax: String(a.omSyntax),
    isSingleValued: a.singleValued ? 'TRUE' : 'FALSE',
    systemOnly: 'FALSE',
    isMemberOfPartialAttributeSet: 'FALSE',
    searchFlags: String(a.searchFlags),
    showInAdvancedViewOnly: 'FALSE',
    ...(a.inPropertySet ? { attributeSecurityGUID: guidToBytes(LAPS_ENCRYPTED_PROPERTY_SET) } : {}),
    ...(a.range !== undefined ? { rangeLower: String(a.range), rangeUpper: String(a.range) } : {}),
  };
}

/** Asks the schema master to reload the schema cache (the rootDSE's schemaUpdateNow). */
async function schemaUpdateNow(s: AdSession): Promise<void> {
  try {
    await s.client.modify('', new Change({ operation: 'add', modification: new Attribute({ type: 'schemaUpdateNow', values: ['1'] }) }));
  } catch (e) {
    throw adminFailure(e, 'schemaUpdateNow');
  }
}

/** Adds `names` to the computer class's mayContain (those it lacks). */
async function addToComputerClass(s: AdSession, root: RootDse, names: readonly string[]): Promise<SchemaStep> {
  const dn = `CN=Computer,${root.schemaNamingContext}`;
  const cls = (await s.find(dn, '(objectClass=classSchema)', ['mayContain', 'systemMayContain'], { scope: 'base' }))[0];
  const have = new Set([...(cls ? values(cls, 'mayContain') : []), ...(cls ? values(cls, 'systemMayContain') : [])].map((v) => v.toString().toLowerCase()));
  const missing = names.filter((n) => !have.has(n.toLowerCase()));
  if (missing.length === 0) return { operation: 'ModifySchemaClass', distinguishedName: dn, status: 'AlreadyExists' };
  try {
    await s.client.modify(dn, new Change({ operation: 'add', modification: new Attribute({ type: 'mayContain', values: missing }) }));
  } catch (e) {
    throw adminFailure(e, `adding the LAPS attributes to ${dn}`);
  }
  return { operation: 'ModifySchemaClass', distinguishedName: dn, status: 'Success' };
}

async function addAttributes(s: AdSession, root: RootDse, defs: readonly LapsAttributeDef[]): Promise<SchemaStep[]> {
  const steps: SchemaStep[] = [];
  for (const a of defs) {
    const dn = `CN=${a.cn},${root.schemaNamingContext}`;
    const existing = (await s.find(root.schemaNamingContext, `(lDAPDisplayName=${a.name})`, ['attributeID'], { scope: 'one' }))[0];
    if (existing && text(existing, 'attributeID') !== a.oid) throw adminFailure(new Error(`${a.name} exists with OID ${text(existing, 'attributeID')}, not ${a.oid}`));
    const added = existing ? false : await addIfMissing(s, dn, attributeEntry(a));
    steps.push({ operation: 'AddSchemaAttribute', distinguishedName: existing?.dn ?? dn, status: added ? 'Success' : 'AlreadyExists' });
  }
  return steps;
}

/** Update-LapsADSchema: the Windows LAPS attributes, their property set and the computer class. */
export async function updateLapsSchema(s: AdSession, root: RootDse): Promise<SchemaStep[]> {
  const steps = await addAttributes(s, root, WINDOWS_LAPS_ATTRIBUTES);
  const rightDn = `CN=ms-LAPS-Encrypted-Password-Attributes,CN=Extended-Rights,${root.configurationNamingContext}`;
  const added = await addIfMissing(s, rightDn, {
    objectClass: 'controlAccessRight', displayName: 'ms-LAPS-Encrypted-Password-Attributes', rightsGuid: LAPS_ENCRYPTED_PROPERTY_SET,
    validAccesses: '48', appliesTo: COMPUTER_CLASS_GUID,
  });
  steps.push({ operation: 'AddExtendedRight', distinguishedName: rightDn, status: added ? 'Success' : 'AlreadyExists' });
  await schemaUpdateNow(s);
  steps.push(await addToComputerClass(s, root, WINDOWS_LAPS_ATTRIBUTES.map((a) => a.name)));
  await schemaUpdateNow(s);
  return steps;
}

/** Update-AdmPwdADSchema: ms-Mcs-AdmPwdExpirationTime and ms-Mcs-AdmPwd on the computer class. */
export async function updateLegacySchema(s: AdSession, root: RootDse): Promise<SchemaStep[]> {
  const steps = await addAttributes(s, root, LEGACY_LAPS_ATTRIBUTES);
  await schemaUpdateNow(s);
  steps.push(await addToComputerClass(s, root, LEGACY_LAPS_ATTRIBUTES.map((a) => a.name)));
  await schemaUpdateNow(s);
  return steps;
}
