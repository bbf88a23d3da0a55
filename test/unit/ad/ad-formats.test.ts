/** Golden vectors for the AD attribute formats (laps-behaviour.md 8.3, MS-ADA2, DSInternals). */
import { describe, expect, it } from 'vitest';
import {
  decodeEncryptedPasswordValue, decodeEncryptedPayload, decodeFiletimeAttribute, decodeLapsPasswordJson, encodeEncryptedPasswordValue,
  encodeFiletimeAttribute, encodeLapsPasswordJson, encryptedPayload, guidFromWindowsBytes, guidToBytes,
} from '../../../agent/escrow/ad-formats.js';
import { trimHistory } from '../../../agent/escrow/ad-directory.js';
import { isSidString, sidToBytes, sidToString } from '../../../agent/escrow/ad-sid.js';
import { oid, parseDer, oidText } from '../../../agent/escrow/der.js';

/** 2026-03-01T09:00:00Z is FILETIME 134168292000000000 = 0x01DCA959_C8C7E800. */
const T = Date.UTC(2026, 2, 1, 9, 0, 0);

describe('msLAPS-Password JSON', () => {
  it('writes n, t, p in that order with t as lower-case hex FILETIME', () => {
    expect(encodeLapsPasswordJson({ accountName: 'Administrator', updateTime: T, password: 'x"y\\z' }))
      .toBe('{"n":"Administrator","t":"1dca959c8c7e800","p":"x\\"y\\\\z"}');
  });

  it("reads Microsoft's documented sample (t = 2022-01-30 20:52:13 UTC)", () => {
    const v = decodeLapsPasswordJson('{"n":"Administrator","t":"1d8161b41c41cde","p":"A6a3#7%eb!57be4a4B95Z43394ba956de69e5d8975#$8a6d)4f82da6ad500HGx"}');
    expect(v.accountName).toBe('Administrator');
    expect(new Date(v.updateTime).toISOString()).toBe('2022-01-30T20:52:13.072Z');
    expect(v.password).toBe('A6a3#7%eb!57be4a4B95Z43394ba956de69e5d8975#$8a6d)4f82da6ad500HGx');
  });

  it('refuses values that are not LAPS JSON', () => {
    expect(() => decodeLapsPasswordJson('not json')).toThrow(RangeError);
    expect(() => decodeLapsPasswordJson('{"n":"a","p":"b"}')).toThrow(/n, t or p/);
  });
});

describe('FILETIME integers (msLAPS-PasswordExpirationTime, ms-Mcs-AdmPwdExpirationTime)', () => {
  it('are decimal 100-ns ticks since 1601', () => {
    expect(encodeFiletimeAttribute(T)).toBe('134168292000000000');
    expect(encodeFiletimeAttribute(0)).toBe('116444736000000000');
    expect(decodeFiletimeAttribute('134168292000000000')).toBe(T);
    expect(() => decodeFiletimeAttribute('12x')).toThrow(RangeError);
  });
});

describe('encrypted value header (MS-ADA2 2.66)', () => {
  it('is high DWORD, low DWORD, blob size, 4 zero bytes, little-endian, then the blob', () => {
    const v = encodeEncryptedPasswordValue(T, Buffer.from([0xaa, 0xbb, 0xcc]));
    expect(v.toString('hex')).toBe('59a9dc01' + '00e8c7c8' + '03000000' + '00000000' + 'aabbcc');
    expect(decodeEncryptedPasswordValue(v)).toEqual({ updateTime: T, blob: Buffer.from([0xaa, 0xbb, 0xcc]) });
  });

  it('refuses a header whose size disagrees with the value', () => {
    const v = encodeEncryptedPasswordValue(T, Buffer.alloc(8));
    expect(() => decodeEncryptedPasswordValue(v.subarray(0, v.length - 1))).toThrow(/header says 8 bytes, 7 follow/);
    expect(() => decodeEncryptedPasswordValue(Buffer.alloc(15))).toThrow(/shorter than its header/);
  });

  it('encrypts the JSON as UTF-16LE with a terminating NUL', () => {
    const p = encryptedPayload({ accountName: 'A', updateTime: T, password: 'é' });
    expect(p.subarray(0, 4).toString('hex')).toBe('7b002200');
    expect(p.subarray(-2).toString('hex')).toBe('0000');
    expect(decodeEncryptedPayload(p)).toEqual({ accountName: 'A', updateTime: T, password: 'é' });
  });
});

describe('msLAPS-CurrentPasswordVersion GUID', () => {
  it('uses the Windows byte order (Data1-3 little-endian)', () => {
    const b = guidToBytes('6f1c8e2a-0b7d-4c1e-9a57-3d2f4b6a8c90');
    expect(b.toString('hex')).toBe('2a8e1c6f7d0b1e4c9a573d2f4b6a8c90');
    expect(guidFromWindowsBytes(b)).toBe('6f1c8e2a-0b7d-4c1e-9a57-3d2f4b6a8c90');
  });
});

describe('SIDs and DER', () => {
  it('converts SIDs both ways', () => {
    expect(sidToBytes('S-1-5-32-544').toString('hex')).toBe('01020000000000052000000020020000');
    const domainAdmins = 'S-1-5-21-1004336348-1177238915-682003330-512';
    expect(sidToString(sidToBytes(domainAdmins))).toBe(domainAdmins);
    expect(isSidString('Domain Admins')).toBe(false);
    expect(() => sidToString(Buffer.from('0105', 'hex'))).toThrow(RangeError);
  });

  it('encodes object identifiers as X.690 does', () => {
    expect(oid('1.2.840.113549.1.7.3').toString('hex')).toBe('06092a864886f70d010703');
    expect(oidText(parseDer(oid('1.3.6.1.4.1.311.74.1.1')))).toBe('1.3.6.1.4.1.311.74.1.1');
  });
});

describe('encrypted history trimming', () => {
  it('keeps the newest values by header time, at most the history size', () => {
    const v = (day: number): Buffer => encodeEncryptedPasswordValue(T + day * 86_400_000, Buffer.of(day));
    const trimmed = trimHistory([v(2), v(5), v(1), v(4), v(3)], 3);
    expect(trimmed.map((b) => b.at(-1))).toEqual([5, 4, 3]);
    expect(trimHistory([v(1)], 0)).toEqual([]);
  });
});
