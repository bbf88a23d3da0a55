/**
 * A small DER (X.690) writer and reader: just what the CMS envelope of lapsim's encrypted AD
 * passwords needs (SEQUENCE, SET, INTEGER, OBJECT IDENTIFIER, OCTET STRING, UTF8String, context
 * tags). Lengths are definite; the reader refuses anything else.
 * See https://www.itu.int/rec/T-REC-X.690
 */

/** Universal and context tags used here. */
export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with the given tag byte. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.of(tag), lengthBytes(body.length), body]);
}

export const seq = (...items: Uint8Array[]): Buffer => tlv(TAG.SEQUENCE, ...items);
export const octets = (b: Uint8Array): Buffer => tlv(TAG.OCTET_STRING, b);
export const utf8 = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const derNull = (): Buffer => tlv(TAG.NULL);

/** SET OF: members sorted by their encodings, as DER requires. */
export function setOf(...items: Buffer[]): Buffer {
  return tlv(TAG.SET, ...[...items].sort(Buffer.compare));
}

/** A non-negative INTEGER (small values only). */
export function int(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError(`DER int out of range: ${n}`);
  const bytes: number[] = [];
  for (let v = n; ; v = Math.floor(v / 256)) {
    bytes.unshift(v & 0xff);
    if (v < 256) break;
  }
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => Number(a));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const group: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      group.unshift((v & 0x7f) | (group.length > 0 ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...group);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** A constructed context tag [n]: EXPLICIT around a value, or IMPLICIT on a SET OF / SEQUENCE. */
export const context = (n: number, ...items: Uint8Array[]): Buffer => tlv(0xa0 | n, ...items);
/** [n] IMPLICIT on a primitive type (OCTET STRING). */
export const contextPrimitive = (n: number, content: Uint8Array): Buffer => tlv(0x80 | n, content);

/** One parsed TLV. `children` is filled for constructed encodings. */
export interface DerNode {
  readonly tag: number;
  readonly content: Buffer;
  readonly children: readonly DerNode[];
}

/** Parses one DER value that must fill `buf` exactly. @throws RangeError on malformed input */
export function parseDer(buf: Uint8Array): DerNode {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const [node, end] = readNode(b, 0, 0);
  if (end !== b.length) throw new RangeError('trailing bytes after the DER value');
  return node;
}

function readNode(b: Buffer, at: number, depth: number): [DerNode, number] {
  if (depth > 32) throw new RangeError('DER nesting too deep');
  if (at + 2 > b.length) throw new RangeError('truncated DER value');
  const tag = b[at]!;
  if ((tag & 0x1f) === 0x1f) throw new RangeError('multi-byte DER tags are not supported');
  let len = b[at + 1]!;
  let pos = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > b.length) throw new RangeError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[pos + i]!;
    pos += n;
  }
  const end = pos + len;
  if (end > b.length) throw new RangeError('DER length runs past the buffer');
  const content = b.subarray(pos, end);
  const children: DerNode[] = [];
  if (tag & 0x20) {
    for (let p = pos; p < end;) {
      const [child, next] = readNode(b, p, depth + 1);
      children.push(child);
      p = next;
    }
  }
  return [{ tag, content, children }, end];
}

/** Dotted text of an OBJECT IDENTIFIER node. */
export function oidText(node: DerNode): string {
  if (node.tag !== TAG.OID || node.content.length === 0) throw new RangeError('not an OBJECT IDENTIFIER');
  const c = node.content;
  const arcs = [Math.floor(c[0]! / 40), c[0]! % 40];
  let v = 0;
  for (const byte of c.subarray(1)) {
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

/** The `i`th child, checked for its tag. @throws RangeError when absent or of another tag */
export function child(node: DerNode, i: number, tag: number): DerNode {
  const c = node.children[i];
  if (!c || c.tag !== tag) throw new RangeError(`expected DER tag 0x${tag.toString(16)} at position ${i}`);
  return c;
}
