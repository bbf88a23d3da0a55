import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/seeded-rng.js';
import { UsageError } from '../../../core/errors.js';
import { graphDateTime, innerErrorDate, passwordBase64 } from '../../../sim/entra/graph-format.js';
import { createSelfSignedCertificate, CERT_VALIDITY_DAYS } from '../../../sim/entra/self-signed-cert.js';
import { SlidingWindowThrottle } from '../../../sim/entra/throttle.js';
import { parseEntraTarget } from '../../../sim/entra/entra-provider.js';

describe('Graph formats', () => {
  it('DateTimeOffset with seven fractional digits; innerError date without zone', () => {
    expect(graphDateTime(Date.UTC(2025, 4, 6, 10, 7, 43, 120))).toBe('2025-05-06T10:07:43.1200000Z');
    expect(innerErrorDate(Date.UTC(2025, 4, 6, 10, 7, 43, 120))).toBe('2025-05-06T10:07:43');
  });

  it('passwordBase64 is the UTF-8 bytes, as Microsoft\'s cmdlet decodes them', () => {
    expect(passwordBase64('p4ssphrase-example-1')).toBe('cDRzc3BocmFzZS1leGFtcGxlLTE=');
    expect(Buffer.from(passwordBase64('Grüße€'), 'base64')).toEqual(Buffer.from([0x47, 0x72, 0xc3, 0xbc, 0xc3, 0x9f, 0x65, 0xe2, 0x82, 0xac]));
  });
});

describe('self-signed certificate', () => {
  it('is a valid X.509 v3 for localhost and 127.0.0.1, self-signed, valid a year from the clock', () => {
    const now = Date.UTC(2026, 2, 1);
    const { cert } = createSelfSignedCertificate(now, new SeededRng(1));
    const x = new X509Certificate(cert);
    expect(x.subject).toBe('CN=lapsim Entra emulator');
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(x.validFrom)).toBeLessThan(now);
    expect(Date.parse(x.validTo)).toBe(now + CERT_VALIDITY_DAYS * 86_400_000);
  });

  it('writes GeneralizedTime from 2050', () => {
    const x = new X509Certificate(createSelfSignedCertificate(Date.UTC(2049, 11, 1), new SeededRng(2)).cert);
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2050);
  });
});

describe('throttle', () => {
  it('allows `limit` posts per sliding window and says when the next one is allowed', () => {
    const t = new SlidingWindowThrottle({ limit: 2, windowMs: 1000 });
    expect(t.hit('d', 0).ok).toBe(true);
    expect(t.hit('d', 400).ok).toBe(true);
    expect(t.hit('d', 500)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(t.hit('other', 500).ok).toBe(true);
    expect(t.hit('d', 1000).ok).toBe(true);
    expect(t.hit('d', 1100)).toEqual({ ok: false, retryAfterMs: 300 });
    t.forget('d');
    expect(t.hit('d', 1100).ok).toBe(true);
  });
});

describe('--directory entra=<target>', () => {
  it('takes a base URL and an optional tenant id', () => {
    expect(parseEntraTarget('http://127.0.0.1:8443')).toEqual({ origin: 'http://127.0.0.1:8443', tenant: 'default' });
    expect(parseEntraTarget('https://localhost:9/6F794B7A-FBB8-4855-B0AC-82F941EFA2C0/')).toEqual({ origin: 'https://localhost:9', tenant: '6f794b7a-fbb8-4855-b0ac-82f941efa2c0' });
    for (const bad of [undefined, 'not a url', 'ftp://x', 'http://127.0.0.1:1/some/path']) expect(() => parseEntraTarget(bad)).toThrow(UsageError);
  });
});
