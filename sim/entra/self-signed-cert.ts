/**
 * A self-signed TLS certificate for the emulator's HTTPS, built with node:crypto and a few lines
 * of DER (RFC 5280): an ECDSA P-256 key, CN "lapsim Entra emulator", subjectAltName localhost,
 * 127.0.0.1 and ::1, serverAuth, valid for a year from the Clock's now. Kept in DIR/tls/ so that
 * clients that trust it keep trusting it across restarts; renewed when expired.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { Rng } from '../../core/rng.js';

export interface TlsMaterial {
  /** PEM certificate (also what clients pass as their CA). */
  readonly cert: string;
  /** PEM PKCS#8 private key. */
  readonly key: string;
  /** Where the certificate lives; undefined for an in-memory emulator. */
  readonly certPath: string | undefined;
}

const DAY = 86_400_000;
/** Validity of a new certificate. */
export const CERT_VALIDITY_DAYS = 365;

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.of(n);
  else if (n < 0x100) len = Buffer.of(0x81, n);
  else len = Buffer.of(0x82, n >> 8, n & 0xff);
  return Buffer.concat([Buffer.of(tag), len, content]);
}

const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);
const octets = (content: Buffer): Buffer => tlv(0x04, content);
const bits = (content: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.of(unused), content]));
const TRUE = Buffer.of(0x01, 0x01, 0xff);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const stack = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) stack.unshift((v & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

function positiveInteger(bytes: Uint8Array): Buffer {
  let b = Buffer.from(bytes);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.of(0), b]);
  return tlv(0x02, b);
}

/** UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return Number(iso.slice(0, 4)) < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), TRUE, octets(value)) : seq(oid(id), octets(value));
}

/** Builds a new self-signed certificate and key, valid from a day before `now`. */
export function createSelfSignedCertificate(now: number, rng: Rng, commonName = 'lapsim Entra emulator'): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const serial = rng.bytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  // The subject key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1).
  const keyBits = spki.subarray(spki.length - 65);
  const san = seq(
    tlv(0x82, Buffer.from('localhost', 'ascii')),
    tlv(0x87, Buffer.of(127, 0, 0, 1)),
    tlv(0x87, Buffer.from('00000000000000000000000000000001', 'hex')),
  );
  const extensions = seq(
    extension('2.5.29.19', true, seq(TRUE)),
    extension('2.5.29.15', true, bits(Buffer.of(0x84), 2)),
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
    extension('2.5.29.17', false, san),
    extension('2.5.29.14', false, octets(createHash('sha1').update(keyBits).digest())),
  );
  const tbs = seq(
    explicit(0, positiveInteger(Buffer.of(2))),
    positiveInteger(serial),
    ecdsaSha256,
    name,
    seq(time(now - DAY), time(now + CERT_VALIDITY_DAYS * DAY)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, ecdsaSha256, bits(signature));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return { cert: `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * The certificate in `dir` (cert.pem, key.pem), created on first use and renewed once expired.
 * `dir` undefined: a fresh in-memory certificate.
 */
export function ensureCertificate(dir: string | undefined, clock: Clock, rng: Rng): TlsMaterial {
  if (dir === undefined) return { ...createSelfSignedCertificate(clock.now(), rng), certPath: undefined };
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    const key = readFileSync(keyPath, 'utf8');
    const x = new X509Certificate(cert);
    if (Date.parse(x.validTo) > clock.now() + DAY && x.checkPrivateKey(createPrivateKey(key))) return { cert, key, certPath };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = createSelfSignedCertificate(clock.now(), rng);
  writeFileSync(keyPath, made.key, { mode: 0o600 });
  writeFileSync(certPath, made.cert, { mode: 0o644 });
  return { ...made, certPath };
}
