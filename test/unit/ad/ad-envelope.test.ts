/** lapsim's CMS envelope (the DPAPI-NG stand-in): round trip, principal, wrong key, tampering. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/seeded-rng.js';
import { decryptorKeyId, envelopePrincipal, openEnvelope, sealEnvelope } from '../../../agent/escrow/ad-envelope.js';
import { oidText, parseDer } from '../../../agent/escrow/der.js';

const pair = (): { publicKey: string; privateKey: string } =>
  generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const keys = pair();
const SID = 'S-1-5-21-1004336348-1177238915-682003330-512';

describe('CMS envelope', () => {
  it('is a CMS AuthEnvelopedData that opens with the decryptor key and names the authorized SID', () => {
    const payload = Buffer.from('{"n":"Administrator"}\0', 'utf16le');
    const blob = sealEnvelope(payload, keys.publicKey, SID, new SeededRng(1));
    const top = parseDer(blob);
    expect(oidText(top.children[0]!)).toBe('1.2.840.113549.1.9.16.1.23');
    expect(envelopePrincipal(blob)).toBe(SID);
    expect(openEnvelope(blob, keys.privateKey, keys.publicKey)).toEqual({ payload, principalSid: SID });
    expect(blob.includes(payload)).toBe(false);
  });

  it('names the recipient by the SHA-1 of its public key and refuses another key', () => {
    const blob = sealEnvelope(Buffer.from('x'), keys.publicKey, SID, new SeededRng(2));
    expect(blob.includes(decryptorKeyId(keys.publicKey))).toBe(true);
    const other = pair();
    expect(() => openEnvelope(blob, other.privateKey, other.publicKey)).toThrow(/another decryptor key/);
  });

  it('refuses a damaged blob, and a changed authorized decryptor (the descriptor is authenticated)', () => {
    const blob = sealEnvelope(Buffer.from('secret payload'), keys.publicKey, SID, new SeededRng(3));
    expect(() => envelopePrincipal(blob.subarray(0, blob.length - 5))).toThrow(RangeError);
    const otherSid = Buffer.from(blob);
    const at = otherSid.indexOf(Buffer.from('-512'));
    otherSid.write('-513', at);
    expect(envelopePrincipal(otherSid)).toBe(SID.replace(/-512$/, '-513'));
    expect(() => openEnvelope(otherSid, keys.privateKey, keys.publicKey)).toThrow(RangeError);
    const body = Buffer.from(blob);
    body[body.length - 120] ^= 0xff;
    expect(() => openEnvelope(body, keys.privateKey, keys.publicKey)).toThrow(RangeError);
  });
});
