/**
 * MD4 against RFC 1320 appendix A.5, and the NT hash against known hashes and against vectors made
 * with OpenSSL's legacy MD4 (`openssl dgst -md4 -provider legacy` on the UTF-16LE bytes).
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/secret.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { NT_HASH_BYTES, constantTimeEqual, md4, ntHash, toHex, verifyNtHash } from '../../../agent/password/nt-hash.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** RFC 1320, A.5 "Test suite". */
const RFC1320: readonly [string, string][] = [
  ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
  ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
  ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
  ['message digest', 'd9130a8164549fe818874806e1c7014b'],
  ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
  ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
];

/** MD4 of bytes (i * 37 + 11) & 255, i < n, around the block and padding boundaries (OpenSSL). */
const BOUNDARIES: readonly [number, string][] = [
  [55, '6cca0c744e9bc4fa913169558377fbba'], [56, 'd922db7b12a3e5c5b2ba42888e683018'], [57, 'b0ab24b68ca2884a4ceab0263ff90623'],
  [63, '3b957b68471313efde691f4a3b052567'], [64, '9f0d5ce97f5342937c8971e6da28dd46'], [65, '552a1758bfae36468d7bdde13f589620'],
  [119, 'da03f1576623c8df9ff9a2a34f178c64'], [120, 'ba9a90900afde8b28a962aae2bcab45e'], [128, '30d7ef884bca324048651888e3d5fc58'],
  [1000, '70a108b44ef443983cb9a1678aa71e60'],
];

/** NT hashes (OpenSSL MD4 of the UTF-16LE bytes; the first five are also widely published). */
const NT: readonly [string, string][] = [
  ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
  ['password', '8846f7eaee8fb117ad06bdd830b7586c'],
  ['admin', '209c6174da490caeb422f3fa5a7ae634'],
  ['123456', '32ed87bdb5fdc5e9cba88547376818d4'],
  ['Password1', '64f12cddaa88057e06a81b54e73b949b'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZa', '1aad298633693d1ad19441e6454b515c'], // 54 bytes: one block
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZab', '561ad0690375e0433915df3e3c0391d8'], // 56 bytes: two blocks
  ['Pässwörd€', '04e9d4087e1303bea8e5239aa5ddd064'],
  ['🔑Key', '8cc40b2ac6141f1bd1db89ac18e703ef'],
  ['x{2W$k9]qP,.-+;!', '8879f9215744f2bff4d6011d6d4f5ace'],
  ['SkiingProduceIdentifyStarlitOctaneDistress', '06941a02edfe19291c4ba3a241162d78'],
  ['A'.repeat(64), '0fe4039e01ee751fceba236f57ced9fe'],
  ['a\ud800b', 'bf21dc6154fadf3c9cf354e3d7ba2409'], // a lone surrogate is hashed as its code unit
];

describe('md4', () => {
  it.each(RFC1320)('RFC 1320: MD4(%j)', (input, hex) => {
    expect(toHex(md4(ascii(input)))).toBe(hex);
  });

  it.each(BOUNDARIES)('%i bytes across block boundaries', (n, hex) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
    expect(toHex(md4(bytes))).toBe(hex);
  });
});

describe('ntHash', () => {
  it.each(NT)('NT hash of %j', (password, hex) => {
    expect(toHex(ntHash(password))).toBe(hex);
    expect(toHex(ntHash(new Secret(password)))).toBe(hex);
  });

  it('returns 16 fresh bytes each call', () => {
    const a = ntHash('password');
    const b = ntHash('password');
    expect(a).toHaveLength(NT_HASH_BYTES);
    expect(a).not.toBe(b);
    a[0] = 0;
    expect(toHex(b)).toBe('8846f7eaee8fb117ad06bdd830b7586c');
  });

  it('equals md4 of the UTF-16LE bytes for every length 0-140 (one to five blocks)', () => {
    const rng = new SeededRng('nt-lengths');
    for (let n = 0; n <= 140; n++) {
      const s = String.fromCharCode(...Array.from({ length: n }, () => rng.int(0x10000)));
      expect(toHex(ntHash(s)), `length ${n}`).toBe(toHex(md4(Buffer.from(s, 'utf16le'))));
    }
  });
});

describe('constant-time comparison', () => {
  it('compares bytes and refuses different lengths', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('verifyNtHash opens with the right password only', () => {
    const stored = ntHash(new Secret('Tr0ub4dor&3'));
    expect(verifyNtHash(new Secret('Tr0ub4dor&3'), stored)).toBe(true);
    expect(verifyNtHash('Tr0ub4dor&3', stored)).toBe(true);
    expect(verifyNtHash('tr0ub4dor&3', stored)).toBe(false);
    expect(verifyNtHash('Tr0ub4dor&3', stored.subarray(0, 15))).toBe(false);
  });
});
