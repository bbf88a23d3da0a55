/**
 * nTSecurityDescriptor editing over LDAP: a self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6) read
 * and written with the LDAP_SERVER_SD_FLAGS control set to DACL only, and object ACEs
 * (ACCESS_ALLOWED_OBJECT_ACE, MS-DTYP 2.4.4.3) added in canonical order. Other ACEs are kept as
 * their bytes. See https://learn.microsoft.com/openspecs/windows_protocols/ms-dtyp/
 */
import { BerWriter, Control } from 'ldapts';
import { guidToBytes } from '../../agent/escrow/ad-formats.js';
import { sidToBytes } from '../../agent/escrow/ad-sid.js';

/** LDAP_SERVER_SD_FLAGS_OID; value SEQUENCE { INTEGER flags }. */
export class SdFlagsControl extends Control {
  static readonly OID = '1.2.840.113556.1.4.801';

  constructor(private readonly flags: number) {
    super(SdFlagsControl.OID, { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    const w = new BerWriter();
    w.startSequence();
    w.writeInt(this.flags);
    w.endSequence();
    writer.writeBuffer(w.buffer, 0x04);
  }
}

/** DACL_SECURITY_INFORMATION */
export const DACL_SECURITY_INFORMATION = 0x4;

/** Access rights of directory objects (MS-ADTS 5.1.3.2). */
export const RIGHT = { READ_PROPERTY: 0x10, WRITE_PROPERTY: 0x20, CONTROL_ACCESS: 0x100 } as const;

/** ACE flags: CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE ("CIIO"), and INHERITED_ACE. */
const CI_IO = 0x02 | 0x08;
const INHERITED_ACE = 0x10;
const ACCESS_ALLOWED_OBJECT_ACE_TYPE = 0x05;
const ACL_REVISION_DS = 4;

/** A parsed descriptor: the parts present, ACLs as raw ACE lists. */
export interface SecurityDescriptor {
  control: number;
  owner: Buffer | undefined;
  group: Buffer | undefined;
  sacl: { revision: number; aces: Buffer[] } | undefined;
  dacl: { revision: number; aces: Buffer[] } | undefined;
}

const SE_DACL_PRESENT = 0x0004;
const SE_SACL_PRESENT = 0x0010;
const SE_SELF_RELATIVE = 0x8000;

function sidLength(b: Buffer, at: number): number {
  return 8 + 4 * b[at + 1]!;
}

function parseAcl(b: Buffer, at: number): { revision: number; aces: Buffer[] } {
  const revision = b[at]!;
  const count = b.readUInt16LE(at + 4);
  const aces: Buffer[] = [];
  let p = at + 8;
  for (let i = 0; i < count; i++) {
    const size = b.readUInt16LE(p + 2);
    if (size < 4 || p + size > b.length) throw new RangeError('malformed ACE in the security descriptor');
    aces.push(Buffer.from(b.subarray(p, p + size)));
    p += size;
  }
  return { revision, aces };
}

/** Parses a self-relative security descriptor. @throws RangeError when malformed */
export function parseSecurityDescriptor(bytes: Uint8Array): SecurityDescriptor {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 20 || b[0] !== 1) throw new RangeError('not a self-relative security descriptor');
  const control = b.readUInt16LE(2);
  const [o, g, s, d] = [b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12), b.readUInt32LE(16)];
  return {
    control,
    owner: o ? Buffer.from(b.subarray(o, o + sidLength(b, o))) : undefined,
    group: g ? Buffer.from(b.subarray(g, g + sidLength(b, g))) : undefined,
    sacl: s && control & SE_SACL_PRESENT ? parseAcl(b, s) : undefined,
    dacl: d && control & SE_DACL_PRESENT ? parseAcl(b, d) : undefined,
  };
}

function aclBytes(acl: { revision: number; aces: Buffer[] }): Buffer {
  const body = Buffer.concat(acl.aces);
  const head = Buffer.alloc(8);
  head[0] = acl.revision;
  head.writeUInt16LE(8 + body.length, 2);
  head.writeUInt16LE(acl.aces.length, 4);
  return Buffer.concat([head, body]);
}

/** Serializes to the self-relative form (SACL, DACL, owner, group after the header). */
export function serializeSecurityDescriptor(sd: SecurityDescriptor): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(20);
  header[0] = 1;
  header.writeUInt16LE(sd.control | SE_SELF_RELATIVE, 2);
  let at = 20;
  const place = (b: Buffer | undefined, offsetAt: number): void => {
    if (!b) return;
    header.writeUInt32LE(at, offsetAt);
    parts.push(b);
    at += b.length;
  };
  place(sd.sacl ? aclBytes(sd.sacl) : undefined, 12);
  place(sd.dacl ? aclBytes(sd.dacl) : undefined, 16);
  place(sd.owner, 4);
  place(sd.group, 8);
  return Buffer.concat([header, ...parts]);
}

/** An allow ACE for `sid` on property (set) `objectType`, inherited by objects of class `inheritedObjectType` only. */
export function objectAce(sid: string, mask: number, objectType: string, inheritedObjectType: string): Buffer {
  const sidBytes = sidToBytes(sid);
  const ace = Buffer.alloc(4 + 4 + 4 + 16 + 16 + sidBytes.length);
  ace[0] = ACCESS_ALLOWED_OBJECT_ACE_TYPE;
  ace[1] = CI_IO;
  ace.writeUInt16LE(ace.length, 2);
  ace.writeUInt32LE(mask, 4);
  ace.writeUInt32LE(0x1 | 0x2, 8);
  guidToBytes(objectType).copy(ace, 12);
  guidToBytes(inheritedObjectType).copy(ace, 28);
  sidBytes.copy(ace, 44);
  return ace;
}

/**
 * Adds `aces` to the DACL that it lacks, after the explicit ACEs and before the inherited ones
 * (canonical order). @returns how many were added
 */
export function addAces(sd: SecurityDescriptor, aces: readonly Buffer[]): number {
  const dacl = sd.dacl ?? { revision: ACL_REVISION_DS, aces: [] };
  const fresh = aces.filter((a) => !dacl.aces.some((x) => x.equals(a)));
  if (fresh.length === 0) return 0;
  const firstInherited = dacl.aces.findIndex((a) => (a[1]! & INHERITED_ACE) !== 0);
  dacl.aces.splice(firstInherited < 0 ? dacl.aces.length : firstInherited, 0, ...fresh);
  dacl.revision = Math.max(dacl.revision, ACL_REVISION_DS);
  sd.dacl = dacl;
  sd.control |= SE_DACL_PRESENT;
  return fresh.length;
}
