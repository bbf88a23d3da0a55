/** Branded identifiers that must not be mixed up. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A device's id (a GUID string, lower case). */
export type DeviceId = Brand<string, 'DeviceId'>;
/** A SyncML command id. */
export type CmdId = Brand<string, 'CmdId'>;
/** An OMA-DM URI (LocURI). */
export type LocUri = Brand<string, 'LocUri'>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(s: string): boolean {
  return GUID.test(s);
}

export function asDeviceId(s: string): DeviceId {
  return s.toLowerCase() as DeviceId;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A random version-4 GUID from the given bytes source (so that tests and sims stay seeded). */
export function guidFromBytes(b: Uint8Array): string {
  if (b.length < 16) throw new RangeError('guid needs 16 bytes');
  const h = (i: number): string => HEX[i === 6 ? (b[6]! & 0x0f) | 0x40 : i === 8 ? (b[8]! & 0x3f) | 0x80 : b[i]!]!;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}
