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

/** A random version-4 GUID from the given bytes source (so that tests and sims stay seeded). */
export function guidFromBytes(b: Uint8Array): string {
  if (b.length < 16) throw new RangeError('guid needs 16 bytes');
  const x = Uint8Array.from(b.subarray(0, 16));
  x[6] = (x[6]! & 0x0f) | 0x40;
  x[8] = (x[8]! & 0x3f) | 0x80;
  const h = Array.from(x, (v) => v.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
