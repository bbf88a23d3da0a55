/**
 * The NT hash, as Windows keeps a local account's password: MD4 (RFC 1320) of the password's
 * UTF-16LE code units, with no salt. Written here because Node's OpenSSL 3 no longer offers MD4.
 * MD4 is broken as a cryptographic hash; it is used only because the simulated account database
 * must hold what Windows holds, and because a fleet hashes every rotation (a slow KDF would not do).
 *
 * `ntHash` reads the string's code units straight into MD4's 32-bit words (two code units a word,
 * little-endian, exactly the UTF-16LE byte order), so it never builds the encoded byte string.
 * Lone surrogates are hashed as the code units they are, as Windows does with its WCHAR strings.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Secret } from '../../core/secret.js';

/** Bytes in an MD4 digest and an NT hash. */
export const NT_HASH_BYTES = 16;

/** Per-call scratch, reused: one 64-byte block as 16 little-endian words, and the chaining state. */
const X = new Int32Array(16);
const STATE = new Int32Array(4);

function rotl(x: number, s: number): number {
  return (x << s) | (x >>> (32 - s));
}

/** One MD4 compression of the block in X into STATE (RFC 1320 section 3.4). */
function compress(): void {
  let a = STATE[0]!, b = STATE[1]!, c = STATE[2]!, d = STATE[3]!;
  const x0 = X[0]!, x1 = X[1]!, x2 = X[2]!, x3 = X[3]!, x4 = X[4]!, x5 = X[5]!, x6 = X[6]!, x7 = X[7]!;
  const x8 = X[8]!, x9 = X[9]!, x10 = X[10]!, x11 = X[11]!, x12 = X[12]!, x13 = X[13]!, x14 = X[14]!, x15 = X[15]!;

  // Round 1: F(x, y, z) = (x & y) | (~x & z), shifts 3 7 11 19.
  a = rotl((a + ((b & c) | (~b & d)) + x0) | 0, 3); d = rotl((d + ((a & b) | (~a & c)) + x1) | 0, 7);
  c = rotl((c + ((d & a) | (~d & b)) + x2) | 0, 11); b = rotl((b + ((c & d) | (~c & a)) + x3) | 0, 19);
  a = rotl((a + ((b & c) | (~b & d)) + x4) | 0, 3); d = rotl((d + ((a & b) | (~a & c)) + x5) | 0, 7);
  c = rotl((c + ((d & a) | (~d & b)) + x6) | 0, 11); b = rotl((b + ((c & d) | (~c & a)) + x7) | 0, 19);
  a = rotl((a + ((b & c) | (~b & d)) + x8) | 0, 3); d = rotl((d + ((a & b) | (~a & c)) + x9) | 0, 7);
  c = rotl((c + ((d & a) | (~d & b)) + x10) | 0, 11); b = rotl((b + ((c & d) | (~c & a)) + x11) | 0, 19);
  a = rotl((a + ((b & c) | (~b & d)) + x12) | 0, 3); d = rotl((d + ((a & b) | (~a & c)) + x13) | 0, 7);
  c = rotl((c + ((d & a) | (~d & b)) + x14) | 0, 11); b = rotl((b + ((c & d) | (~c & a)) + x15) | 0, 19);

  // Round 2: G(x, y, z) = majority, constant 0x5a827999, shifts 3 5 9 13, columns.
  const k2 = 0x5a827999;
  a = rotl((a + ((b & c) | (b & d) | (c & d)) + x0 + k2) | 0, 3); d = rotl((d + ((a & b) | (a & c) | (b & c)) + x4 + k2) | 0, 5);
  c = rotl((c + ((d & a) | (d & b) | (a & b)) + x8 + k2) | 0, 9); b = rotl((b + ((c & d) | (c & a) | (d & a)) + x12 + k2) | 0, 13);
  a = rotl((a + ((b & c) | (b & d) | (c & d)) + x1 + k2) | 0, 3); d = rotl((d + ((a & b) | (a & c) | (b & c)) + x5 + k2) | 0, 5);
  c = rotl((c + ((d & a) | (d & b) | (a & b)) + x9 + k2) | 0, 9); b = rotl((b + ((c & d) | (c & a) | (d & a)) + x13 + k2) | 0, 13);
  a = rotl((a + ((b & c) | (b & d) | (c & d)) + x2 + k2) | 0, 3); d = rotl((d + ((a & b) | (a & c) | (b & c)) + x6 + k2) | 0, 5);
  c = rotl((c + ((d & a) | (d & b) | (a & b)) + x10 + k2) | 0, 9); b = rotl((b + ((c & d) | (c & a) | (d & a)) + x14 + k2) | 0, 13);
  a = rotl((a + ((b & c) | (b & d) | (c & d)) + x3 + k2) | 0, 3); d = rotl((d + ((a & b) | (a & c) | (b & c)) + x7 + k2) | 0, 5);
  c = rotl((c + ((d & a) | (d & b) | (a & b)) + x11 + k2) | 0, 9); b = rotl((b + ((c & d) | (c & a) | (d & a)) + x15 + k2) | 0, 13);

  // Round 3: H(x, y, z) = x ^ y ^ z, constant 0x6ed9eba1, shifts 3 9 11 15, bit-reversed order.
  const k3 = 0x6ed9eba1;
  a = rotl((a + (b ^ c ^ d) + x0 + k3) | 0, 3); d = rotl((d + (a ^ b ^ c) + x8 + k3) | 0, 9);
  c = rotl((c + (d ^ a ^ b) + x4 + k3) | 0, 11); b = rotl((b + (c ^ d ^ a) + x12 + k3) | 0, 15);
  a = rotl((a + (b ^ c ^ d) + x2 + k3) | 0, 3); d = rotl((d + (a ^ b ^ c) + x10 + k3) | 0, 9);
  c = rotl((c + (d ^ a ^ b) + x6 + k3) | 0, 11); b = rotl((b + (c ^ d ^ a) + x14 + k3) | 0, 15);
  a = rotl((a + (b ^ c ^ d) + x1 + k3) | 0, 3); d = rotl((d + (a ^ b ^ c) + x9 + k3) | 0, 9);
  c = rotl((c + (d ^ a ^ b) + x5 + k3) | 0, 11); b = rotl((b + (c ^ d ^ a) + x13 + k3) | 0, 15);
  a = rotl((a + (b ^ c ^ d) + x3 + k3) | 0, 3); d = rotl((d + (a ^ b ^ c) + x11 + k3) | 0, 9);
  c = rotl((c + (d ^ a ^ b) + x7 + k3) | 0, 11); b = rotl((b + (c ^ d ^ a) + x15 + k3) | 0, 15);

  STATE[0] = (STATE[0]! + a) | 0;
  STATE[1] = (STATE[1]! + b) | 0;
  STATE[2] = (STATE[2]! + c) | 0;
  STATE[3] = (STATE[3]! + d) | 0;
}

function reset(): void {
  STATE[0] = 0x67452301;
  STATE[1] = 0xefcdab89 | 0;
  STATE[2] = 0x98badcfe | 0;
  STATE[3] = 0x10325476;
}

/** Writes the message length (in bits, 64-bit little-endian) into words 14-15 and compresses. */
function finish(byteLength: number): Uint8Array {
  X[14] = (byteLength * 8) | 0;
  X[15] = Math.floor(byteLength / 0x20000000) | 0;
  compress();
  const out = new Uint8Array(NT_HASH_BYTES);
  for (let i = 0; i < 4; i++) {
    const w = STATE[i]!;
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
  X.fill(0);
  return out;
}

/** MD4 (RFC 1320) of `bytes`, 16 bytes. For test vectors and for callers that already hold bytes. */
export function md4(bytes: Uint8Array): Uint8Array {
  reset();
  X.fill(0);
  const n = bytes.length;
  // Byte n is the 0x80 pad; blocks run until the last one has room for the 8 length bytes.
  const blocks = Math.floor((n + 8) / 64) + 1;
  for (let blk = 0; blk < blocks; blk++) {
    const base = blk * 64;
    for (let w = 0; w < 16; w++) {
      let word = 0;
      for (let j = 0; j < 4; j++) {
        const p = base + 4 * w + j;
        const byte = p < n ? bytes[p]! : p === n ? 0x80 : 0;
        word |= byte << (8 * j);
      }
      X[w] = word;
    }
    if (blk < blocks - 1) compress();
  }
  return finish(n);
}

/**
 * The NT hash of a password: MD4 of its UTF-16LE encoding, 16 bytes
 * (e.g. `password` gives 8846f7eaee8fb117ad06bdd830b7586c, the empty string 31d6cfe0d16ae931b73c59d7e0c089c0).
 * Takes a `Secret` (revealed only inside this function) or a plain string.
 */
export function ntHash(password: Secret | string): Uint8Array {
  const s = typeof password === 'string' ? password : password.reveal();
  const units = s.length;
  const byteLength = 2 * units;
  // Code unit i fills bytes 2i..2i+1; the 0x80 pad sits in the low byte of virtual unit `units`.
  const blocks = Math.floor((byteLength + 8) / 64) + 1;
  reset();
  for (let blk = 0; blk < blocks; blk++) {
    const base = blk * 32;
    for (let w = 0; w < 16; w++) {
      const u = base + 2 * w;
      const lo = u < units ? s.charCodeAt(u) : u === units ? 0x80 : 0;
      const hi = u + 1 < units ? s.charCodeAt(u + 1) : u + 1 === units ? 0x80 : 0;
      X[w] = lo | (hi << 16);
    }
    if (blk < blocks - 1) compress();
  }
  return finish(byteLength);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of bytes (an NT hash gives 32 characters). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!;
  return out;
}

/**
 * Compares two byte strings in time that depends only on their lengths (node:crypto
 * timingSafeEqual), for logon checks against a stored NT hash. Different lengths give false.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** True when `password` has the NT hash `stored` (16 bytes), compared in constant time. */
export function verifyNtHash(password: Secret | string, stored: Uint8Array): boolean {
  return constantTimeEqual(ntHash(password), stored);
}
