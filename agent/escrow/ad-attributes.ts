/**
 * The LAPS attributes of an AD computer object, with the definitions Update-LapsADSchema and the
 * legacy Update-AdmPwdADSchema give them (laps-behaviour.md 8.3; "Windows LAPS schema extensions
 * reference": https://learn.microsoft.com/windows-server/identity/laps/laps-technical-reference).
 */

/** SearchFlags 904 = fRODCFilteredAttribute | fNEVERVALUEAUDIT | fCONFIDENTIAL | fPRESERVEONDELETE. */
export const SEARCH_FLAGS_CONFIDENTIAL = 904;

/** rightsGuid of the ms-LAPS-Encrypted-Password-Attributes property set (valid accesses 48: read + write property). */
export const LAPS_ENCRYPTED_PROPERTY_SET = 'f3531ec6-6330-4f8e-8d39-7a671fbac605';

/** schemaIDGUID of the computer class (the same in every forest). */
export const COMPUTER_CLASS_GUID = 'bf967a86-0de6-11d0-a285-00aa003049e2';

/** One attributeSchema object. */
export interface LapsAttributeDef {
  /** lDAPDisplayName */
  readonly name: string;
  /** cn of the attributeSchema object */
  readonly cn: string;
  readonly oid: string;
  /** attributeSyntax */
  readonly syntax: string;
  readonly omSyntax: number;
  readonly singleValued: boolean;
  readonly searchFlags: number;
  /** attributeSecurityGUID: member of the encrypted-password property set. */
  readonly inPropertySet: boolean;
  /** rangeLower/rangeUpper, bytes (msLAPS-CurrentPasswordVersion: 16). */
  readonly range?: number;
}

const attr = (suffix: string, n: number, syntax: string, omSyntax: number, singleValued: boolean, searchFlags: number, range?: number): LapsAttributeDef => ({
  name: `msLAPS-${suffix}`, cn: `ms-LAPS-${suffix}`, oid: `1.2.840.113556.1.6.44.1.${n}`, syntax, omSyntax, singleValued, searchFlags,
  inPropertySet: n >= 3, ...(range !== undefined ? { range } : {}),
});

/** Windows LAPS attributes, OIDs 1.2.840.113556.1.6.44.1.1-7. */
export const WINDOWS_LAPS_ATTRIBUTES: readonly LapsAttributeDef[] = [
  attr('PasswordExpirationTime', 1, '2.5.5.16', 65, true, 0),
  attr('Password', 2, '2.5.5.5', 19, true, SEARCH_FLAGS_CONFIDENTIAL),
  attr('EncryptedPassword', 3, '2.5.5.10', 4, true, SEARCH_FLAGS_CONFIDENTIAL),
  attr('EncryptedPasswordHistory', 4, '2.5.5.10', 4, false, SEARCH_FLAGS_CONFIDENTIAL),
  attr('EncryptedDSRMPassword', 5, '2.5.5.10', 4, true, SEARCH_FLAGS_CONFIDENTIAL),
  attr('EncryptedDSRMPasswordHistory', 6, '2.5.5.10', 4, false, SEARCH_FLAGS_CONFIDENTIAL),
  attr('CurrentPasswordVersion', 7, '2.5.5.10', 4, true, SEARCH_FLAGS_CONFIDENTIAL, 16),
];

const LEGACY_BASE_OID = '1.2.840.113556.1.8000.2554.50051.45980.28112.18903.35903.6685103.1224907.2';

/** Legacy Microsoft LAPS attributes, as Update-AdmPwdADSchema adds them. */
export const LEGACY_LAPS_ATTRIBUTES: readonly LapsAttributeDef[] = [
  { name: 'ms-Mcs-AdmPwdExpirationTime', cn: 'ms-Mcs-AdmPwdExpirationTime', oid: `${LEGACY_BASE_OID}.2`, syntax: '2.5.5.16', omSyntax: 65, singleValued: true, searchFlags: 0, inPropertySet: false },
  { name: 'ms-Mcs-AdmPwd', cn: 'ms-Mcs-AdmPwd', oid: `${LEGACY_BASE_OID}.1`, syntax: '2.5.5.5', omSyntax: 19, singleValued: true, searchFlags: SEARCH_FLAGS_CONFIDENTIAL, inPropertySet: false },
];

/** lDAPDisplayNames, for LDAP operations. */
export const A = {
  expiry: 'msLAPS-PasswordExpirationTime',
  password: 'msLAPS-Password',
  encrypted: 'msLAPS-EncryptedPassword',
  encryptedHistory: 'msLAPS-EncryptedPasswordHistory',
  dsrm: 'msLAPS-EncryptedDSRMPassword',
  dsrmHistory: 'msLAPS-EncryptedDSRMPasswordHistory',
  version: 'msLAPS-CurrentPasswordVersion',
  legacyPassword: 'ms-Mcs-AdmPwd',
  legacyExpiry: 'ms-Mcs-AdmPwdExpirationTime',
} as const;

/** The attributes that carry binary values. */
export const BINARY_ATTRIBUTES: readonly string[] = [A.encrypted, A.encryptedHistory, A.dsrm, A.dsrmHistory, A.version];

/** The most passwords ADEncryptedPasswordHistorySize keeps. */
export const MAX_ENCRYPTED_HISTORY = 12;
