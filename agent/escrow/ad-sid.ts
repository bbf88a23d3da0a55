/**
 * Security identifiers as AD stores them (objectSid, tokenGroups): the binary SID of MS-DTYP
 * 2.4.2.2 and its `S-1-5-21-…` text. See
 * https://learn.microsoft.com/openspecs/windows_protocols/ms-dtyp/f992ad60-0fe4-4b87-9fed-beb478836861
 */

/** `S-R-I-S…` text of a binary SID. @throws RangeError when malformed */
export function sidToString(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 8) throw new RangeError('SID shorter than 8 bytes');
  const count = b[1]!;
  if (b.length !== 8 + 4 * count) throw new RangeError('SID length does not match its sub-authority count');
  const authority = b.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(b.readUInt32LE(8 + 4 * i));
  return ['S', b[0]!, authority, ...subs].join('-');
}

const SID_TEXT = /^S-1-(\d+)((?:-\d+){0,15})$/i;

/** True when `s` reads as a SID (`S-1-5-21-…`). */
export function isSidString(s: string): boolean {
  return SID_TEXT.test(s.trim());
}

/** Binary SID of `S-1-…` text. @throws RangeError when malformed */
export function sidToBytes(text: string): Buffer {
  const m = SID_TEXT.exec(text.trim());
  if (!m) throw new RangeError(`not a SID: ${text.slice(0, 80)}`);
  const subs = m[2] ? m[2].slice(1).split('-').map(Number) : [];
  const authority = Number(m[1]);
  if (!Number.isSafeInteger(authority) || authority >= 2 ** 48 || subs.some((s) => s > 0xffffffff)) throw new RangeError(`SID value out of range: ${text.slice(0, 80)}`);
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = 1;
  b[1] = subs.length;
  b.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => b.writeUInt32LE(s, 8 + 4 * i));
  return b;
}

/** Escapes text for an LDAP filter value, RFC 4515 section 3. */
export function filterText(s: string): string {
  return s.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
