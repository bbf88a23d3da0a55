/**
 * The byte formats of the Windows LAPS attributes on an AD computer object (laps-behaviour.md
 * 8.3; Windows LAPS schema extensions reference; MS-ADA2 2.66; DSInternals LapsEncryptedPassword):
 *
 * - msLAPS-PasswordExpirationTime and ms-Mcs-AdmPwdExpirationTime: a FILETIME as a decimal
 *   Integer8 (`133870000000000000`).
 * - msLAPS-Password: JSON `{"n":"<account>","t":"<update FILETIME, lower-case hex>","p":"<password>"}`.
 * - msLAPS-EncryptedPassword(History) and msLAPS-EncryptedDSRMPassword(History): a 16-byte header
 *   (update FILETIME high DWORD, then low DWORD, then the blob size, then 4 reserved zero bytes, each
 *   little-endian) followed by the encrypted blob, whose clear text is the same JSON in UTF-16LE with
 *   a terminating NUL.
 * - msLAPS-CurrentPasswordVersion: a GUID in its 16-byte Windows layout.
 */
import { filetimeFromHex, filetimeToDwords, filetimeToHex, filetimeToMs, msToFiletime } from '../../core/filetime.js';

/** The decoded msLAPS-Password JSON (and the clear text of an encrypted value). */
export interface LapsPasswordJson {
  /** `n`: the managed account's name. */
  readonly accountName: string;
  /** `t`: when the password was set, epoch ms (from FILETIME; sub-millisecond ticks dropped). */
  readonly updateTime: number;
  /** `p`: the password. */
  readonly password: string;
}

/** msLAPS-Password: `{"n":…,"t":…,"p":…}`, keys in that order, `t` in lower-case hex. */
export function encodeLapsPasswordJson(v: LapsPasswordJson): string {
  return JSON.stringify({ n: v.accountName, t: filetimeToHex(msToFiletime(v.updateTime)), p: v.password });
}

/** Reads the JSON; @throws RangeError when it is not LAPS password JSON. */
export function decodeLapsPasswordJson(text: string): LapsPasswordJson {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new RangeError('the LAPS password value is not JSON');
  }
  const r = o as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || typeof r['n'] !== 'string' || typeof r['t'] !== 'string' || typeof r['p'] !== 'string') {
    throw new RangeError('the LAPS password JSON lacks n, t or p');
  }
  return { accountName: r['n'], updateTime: filetimeToMs(filetimeFromHex(r['t'])), password: r['p'] };
}

/** An Integer8 FILETIME attribute value (msLAPS-PasswordExpirationTime) from epoch ms. */
export function encodeFiletimeAttribute(ms: number): string {
  return msToFiletime(ms).toString(10);
}

/** Epoch ms from an Integer8 FILETIME attribute value. @throws RangeError when not an integer */
export function decodeFiletimeAttribute(value: string): number {
  if (!/^\d{1,20}$/.test(value)) throw new RangeError(`not a FILETIME integer: ${value.slice(0, 32)}`);
  return filetimeToMs(BigInt(value));
}

/** Size of the header in front of an encrypted password blob. */
export const ENCRYPTED_HEADER_SIZE = 16;

/** An encrypted LAPS value split into its header and blob. */
export interface EncryptedPasswordValue {
  /** From the header: when the password was set, epoch ms. */
  readonly updateTime: number;
  /** The encrypted blob (the CMS envelope). */
  readonly blob: Buffer;
}

/** Header + blob, as msLAPS-EncryptedPassword holds it. */
export function encodeEncryptedPasswordValue(updateTime: number, blob: Uint8Array): Buffer {
  const header = Buffer.alloc(ENCRYPTED_HEADER_SIZE);
  const { high, low } = filetimeToDwords(msToFiletime(updateTime));
  header.writeUInt32LE(high, 0);
  header.writeUInt32LE(low, 4);
  header.writeUInt32LE(blob.length, 8);
  header.writeUInt32LE(0, 12);
  return Buffer.concat([header, blob]);
}

/** Splits a stored encrypted value. @throws RangeError when the header does not match the value */
export function decodeEncryptedPasswordValue(value: Uint8Array): EncryptedPasswordValue {
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (b.length < ENCRYPTED_HEADER_SIZE) throw new RangeError('encrypted LAPS value shorter than its header');
  const high = BigInt(b.readUInt32LE(0));
  const low = BigInt(b.readUInt32LE(4));
  const size = b.readUInt32LE(8);
  if (size !== b.length - ENCRYPTED_HEADER_SIZE) throw new RangeError(`encrypted LAPS value: header says ${size} bytes, ${b.length - ENCRYPTED_HEADER_SIZE} follow`);
  return { updateTime: filetimeToMs((high << 32n) | low), blob: Buffer.from(b.subarray(ENCRYPTED_HEADER_SIZE)) };
}

/** The clear text that gets encrypted: the JSON as UTF-16LE with a terminating NUL. */
export function encryptedPayload(v: LapsPasswordJson): Buffer {
  return Buffer.from(`${encodeLapsPasswordJson(v)}\0`, 'utf16le');
}

/** Reads a decrypted payload (UTF-16LE JSON, trailing NULs ignored). */
export function decodeEncryptedPayload(clear: Uint8Array): LapsPasswordJson {
  if (clear.length % 2 !== 0) throw new RangeError('decrypted LAPS payload is not UTF-16');
  return decodeLapsPasswordJson(Buffer.from(clear).toString('utf16le').replace(/\0+$/, ''));
}

/** A GUID string in its 16-byte Windows layout (Data1-3 little-endian), for msLAPS-CurrentPasswordVersion. */
export function guidToBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a GUID: ${guid.slice(0, 40)}`);
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

/** The lower-case GUID string of a 16-byte Windows GUID. */
export function guidFromWindowsBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError('a GUID is 16 bytes');
  const b = Buffer.from(bytes);
  const h = Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
