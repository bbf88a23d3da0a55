/** nTSecurityDescriptor editing: object ACE bytes, canonical insertion, idempotence, round trip. */
import { describe, expect, it } from 'vitest';
import { addAces, objectAce, parseSecurityDescriptor, RIGHT, serializeSecurityDescriptor } from '../../../sim/ad/security-descriptor.js';
import { sidToBytes } from '../../../agent/escrow/ad-sid.js';

const COMPUTER = 'bf967a86-0de6-11d0-a285-00aa003049e2';
const PROPERTY_SET = 'f3531ec6-6330-4f8e-8d39-7a671fbac605';

/** A plain ACCESS_ALLOWED_ACE for `sid`, optionally marked inherited. */
function allowAce(sid: string, mask: number, inherited: boolean): Buffer {
  const s = sidToBytes(sid);
  const ace = Buffer.alloc(8 + s.length);
  ace[0] = 0;
  ace[1] = inherited ? 0x10 : 0;
  ace.writeUInt16LE(ace.length, 2);
  ace.writeUInt32LE(mask, 4);
  s.copy(ace, 8);
  return ace;
}

describe('security descriptors', () => {
  it('builds ACCESS_ALLOWED_OBJECT_ACE: CI|IO, both GUIDs, the trustee', () => {
    const ace = objectAce('S-1-5-10', RIGHT.READ_PROPERTY | RIGHT.WRITE_PROPERTY | RIGHT.CONTROL_ACCESS, PROPERTY_SET, COMPUTER);
    expect(ace.toString('hex')).toBe(
      '050a3800' + '30010000' + '03000000' + 'c61e53f330638e4f8d397a671fbac605' + '867a96bfe60dd011a28500aa003049e2' + '01010000000000050a000000',
    );
  });

  it('adds ACEs after the explicit ones and before the inherited ones, once', () => {
    const sd = parseSecurityDescriptor(serializeSecurityDescriptor({
      control: 0x0004, owner: sidToBytes('S-1-5-32-544'), group: sidToBytes('S-1-5-18'), sacl: undefined,
      dacl: { revision: 4, aces: [allowAce('S-1-5-18', 0xf01ff, false), allowAce('S-1-5-11', 0x20094, true)] },
    }));
    const ace = objectAce('S-1-5-10', RIGHT.WRITE_PROPERTY, PROPERTY_SET, COMPUTER);
    expect(addAces(sd, [ace])).toBe(1);
    expect(sd.dacl!.aces.map((a) => a[0])).toEqual([0, 5, 0]);
    expect(addAces(sd, [ace])).toBe(0);
    const again = parseSecurityDescriptor(serializeSecurityDescriptor(sd));
    expect(again.dacl!.aces).toEqual(sd.dacl!.aces);
    expect(again.owner).toEqual(sidToBytes('S-1-5-32-544'));
    expect(serializeSecurityDescriptor(again)).toEqual(serializeSecurityDescriptor(sd));
  });

  it('reads a DACL-only descriptor (what the SD flags control returns)', () => {
    const bytes = serializeSecurityDescriptor({ control: 0x0004, owner: undefined, group: undefined, sacl: undefined, dacl: { revision: 2, aces: [] } });
    const sd = parseSecurityDescriptor(bytes);
    expect(sd.owner).toBeUndefined();
    expect(addAces(sd, [objectAce('S-1-5-10', RIGHT.READ_PROPERTY, PROPERTY_SET, COMPUTER)])).toBe(1);
    expect(sd.dacl!.revision).toBe(4);
    expect(() => parseSecurityDescriptor(Buffer.alloc(10))).toThrow(RangeError);
  });
});
