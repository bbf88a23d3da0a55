/**
 * lapsim's stand-in for DPAPI-NG (docs/active-directory.md, "The encryption stand-in").
 *
 * Windows encrypts msLAPS-EncryptedPassword with DPAPI-NG to a principal's SID: a CMS envelope
 * whose key-encryption key comes from the domain's Key Distribution Service. No KDS runs on a lab
 * DC, so lapsim keeps CMS and replaces the KDS with one RSA key pair, the domain's "decryptor"
 * (kept in the DC's connection file):
 *
 *   ContentInfo(id-ct-authEnvelopedData 1.2.840.113549.1.9.16.1.23) {
 *     AuthEnvelopedData v0 {
 *       KeyTransRecipientInfo v2 { rid [0] SHA-1 of the decryptor's RSAPublicKey,
 *                                  RSAES-OAEP (SHA-256, MGF1-SHA-256), wrapped AES key }
 *       EncryptedContentInfo { id-data, aes256-GCM { 12-byte nonce, 16-byte tag }, [0] ciphertext }
 *       authAttrs [1] { content-type id-data,
 *                       1.3.6.1.4.1.311.74.1: the DPAPI-NG protection descriptor "SID=<sid>" }
 *       mac: the GCM tag
 *     }
 *   }
 *
 * It is standard CMS (RFC 5083): `openssl cms -decrypt -inform DER -inkey decryptor.pem` opens
 * it. The protection descriptor names the authorized decryptor (the policy's
 * ADPasswordEncryptionPrincipal) in the DER shape DPAPI-NG uses; being an authenticated
 * attribute, it cannot be changed without breaking the tag. Readers enforce it as DPAPI-NG
 * would (Get-LapsADPassword's DecryptionStatus). See RFC 5652, RFC 5083, RFC 5084, RFC 8017.
 */
import { createCipheriv, createDecipheriv, createHash, createPublicKey, constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import type { Rng } from '../../core/rng.js';
import { child, context, contextPrimitive, derNull, int, octets, oid, oidText, parseDer, seq, setOf, TAG, tlv, utf8, type DerNode } from './der.js';

/** The name lapsim gives this envelope in docs and `lapsim ad get-password`. */
export const ENVELOPE_NAME = 'lapsim CMS envelope v1 (AuthEnvelopedData: RSAES-OAEP-SHA256 + AES-256-GCM)';

const OID = {
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  /** DPAPI-NG protection descriptor attribute, and its SID protector. */
  protectionInfo: '1.3.6.1.4.1.311.74.1',
  sidProtector: '1.3.6.1.4.1.311.74.1.1',
} as const;

const sha256Id = (): Buffer => seq(oid(OID.sha256), derNull());

/** SHA-1 of the RSAPublicKey: the subjectKeyIdentifier that names the decryptor (RFC 5280 4.2.1.2 method 1). */
export function decryptorKeyId(publicKeyPem: string): Buffer {
  const pkcs1 = createPublicKey(publicKeyPem).export({ type: 'pkcs1', format: 'der' });
  return createHash('sha1').update(pkcs1).digest();
}

/** The DPAPI-NG-shaped descriptor: SEQUENCE { sid-protector, SEQUENCE { SEQUENCE { SEQUENCE { "SID", sid } } } }. */
function protectionDescriptor(sid: string): Buffer {
  return seq(oid(OID.sidProtector), seq(seq(seq(utf8('SID'), utf8(sid)))));
}

/** authAttrs: content-type and the protection descriptor; their DER SET OF encoding is the GCM additional data (RFC 5083). */
function authAttributes(principalSid: string): Buffer[] {
  return [
    seq(oid(OID.contentType), setOf(oid(OID.data))),
    seq(oid(OID.protectionInfo), setOf(protectionDescriptor(principalSid))),
  ];
}

/**
 * Encrypts `payload` to the decryptor key, naming `principalSid` as the authorized decryptor.
 * The content key and nonce come from `rng` (the device's generator).
 */
export function sealEnvelope(payload: Uint8Array, publicKeyPem: string, principalSid: string, rng: Rng): Buffer {
  const key = Buffer.from(rng.bytes(32));
  const nonce = Buffer.from(rng.bytes(12));
  const attrs = authAttributes(principalSid).sort(Buffer.compare);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(tlv(TAG.SET, ...attrs));
  const encrypted = Buffer.concat([cipher.update(payload), cipher.final()]);
  const tag = cipher.getAuthTag();
  const wrapped = publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  key.fill(0);
  const ktri = seq(
    int(2),
    contextPrimitive(0, decryptorKeyId(publicKeyPem)),
    seq(oid(OID.rsaesOaep), seq(context(0, sha256Id()), context(1, seq(oid(OID.mgf1), sha256Id())))),
    octets(wrapped),
  );
  const eci = seq(oid(OID.data), seq(oid(OID.aes256Gcm), seq(octets(nonce), int(16))), contextPrimitive(0, encrypted));
  return seq(oid(OID.authEnvelopedData), context(0, seq(int(0), setOf(ktri), eci, context(1, ...attrs), octets(tag))));
}

interface ParsedEnvelope {
  readonly recipientKeyId: Buffer;
  readonly wrappedKey: Buffer;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  /** The authAttrs re-tagged as SET OF: the GCM additional data. */
  readonly aad: Buffer;
  readonly tag: Buffer;
  readonly principalSid: string | undefined;
}

function parseEnvelope(blob: Uint8Array): ParsedEnvelope {
  const ci = parseDer(blob);
  if (ci.tag !== TAG.SEQUENCE || oidText(child(ci, 0, TAG.OID)) !== OID.authEnvelopedData) throw new RangeError('not a CMS AuthEnvelopedData');
  const ed = child(child(ci, 1, 0xa0), 0, TAG.SEQUENCE);
  const ktri = child(child(ed, 1, TAG.SET), 0, TAG.SEQUENCE);
  const alg = child(ktri, 2, TAG.SEQUENCE);
  if (oidText(child(alg, 0, TAG.OID)) !== OID.rsaesOaep) throw new RangeError('the envelope does not use RSAES-OAEP');
  const eci = child(ed, 2, TAG.SEQUENCE);
  const cea = child(eci, 1, TAG.SEQUENCE);
  if (oidText(child(cea, 0, TAG.OID)) !== OID.aes256Gcm) throw new RangeError('the envelope does not use AES-256-GCM');
  const attrs = child(ed, 3, 0xa1);
  return {
    recipientKeyId: child(ktri, 1, 0x80).content,
    wrappedKey: child(ktri, 3, TAG.OCTET_STRING).content,
    nonce: child(child(cea, 1, TAG.SEQUENCE), 0, TAG.OCTET_STRING).content,
    ciphertext: child(eci, 2, 0x80).content,
    aad: tlv(TAG.SET, attrs.content),
    tag: child(ed, 4, TAG.OCTET_STRING).content,
    principalSid: descriptorSid(attrs),
  };
}

function descriptorSid(attrs: DerNode): string | undefined {
  for (const attr of attrs.children) {
    if (attr.tag !== TAG.SEQUENCE || oidText(child(attr, 0, TAG.OID)) !== OID.protectionInfo) continue;
    const desc = child(child(attr, 1, TAG.SET), 0, TAG.SEQUENCE);
    if (oidText(child(desc, 0, TAG.OID)) !== OID.sidProtector) continue;
    const pair = child(child(child(desc, 1, TAG.SEQUENCE), 0, TAG.SEQUENCE), 0, TAG.SEQUENCE);
    if (child(pair, 0, TAG.UTF8_STRING).content.toString('utf8') !== 'SID') continue;
    return child(pair, 1, TAG.UTF8_STRING).content.toString('utf8');
  }
  return undefined;
}

/** The SID the envelope names as authorized decryptor, without decrypting. @throws RangeError on a malformed blob */
export function envelopePrincipal(blob: Uint8Array): string | undefined {
  return parseEnvelope(blob).principalSid;
}

/**
 * Decrypts with the decryptor's private key.
 * @throws RangeError when the blob is malformed or was sealed to another key
 */
export function openEnvelope(blob: Uint8Array, privateKeyPem: string, publicKeyPem: string): { payload: Buffer; principalSid: string | undefined } {
  const env = parseEnvelope(blob);
  if (!env.recipientKeyId.equals(decryptorKeyId(publicKeyPem))) throw new RangeError('the envelope was sealed to another decryptor key');
  let key: Buffer;
  try {
    key = privateDecrypt({ key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, env.wrappedKey);
    const d = createDecipheriv('aes-256-gcm', key, env.nonce, { authTagLength: 16 });
    d.setAAD(env.aad);
    d.setAuthTag(env.tag);
    const payload = Buffer.concat([d.update(env.ciphertext), d.final()]);
    key.fill(0);
    return { payload, principalSid: env.principalSid };
  } catch {
    throw new RangeError('the envelope could not be decrypted with this key');
  }
}
