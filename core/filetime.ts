/**
 * Windows FILETIME: 100-ns ticks since 1601-01-01T00:00:00Z, the time encoding of AD attributes,
 * the msLAPS-Password JSON `t` field and the LAPS State registry values.
 * See https://learn.microsoft.com/windows/win32/api/minwinbase/ns-minwinbase-filetime
 */

/** Milliseconds between 1601-01-01 and 1970-01-01. */
export const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;
const TICKS_PER_MS = 10_000n;

/** Epoch milliseconds to FILETIME ticks. */
export function msToFiletime(ms: number): bigint {
  return (BigInt(Math.trunc(ms)) + FILETIME_EPOCH_OFFSET_MS) * TICKS_PER_MS;
}

/** FILETIME ticks to epoch milliseconds (sub-millisecond ticks are dropped). */
export function filetimeToMs(ft: bigint): number {
  return Number(ft / TICKS_PER_MS - FILETIME_EPOCH_OFFSET_MS);
}

/** FILETIME as lower-case hex without prefix, as in the msLAPS-Password JSON `t` field. */
export function filetimeToHex(ft: bigint): string {
  return ft.toString(16);
}

export function filetimeFromHex(hex: string): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw new RangeError(`not a FILETIME hex string: ${hex.slice(0, 32)}`);
  return BigInt(`0x${hex}`);
}

/** FILETIME split into the high and low DWORDs (the encrypted-password header order). */
export function filetimeToDwords(ft: bigint): { high: number; low: number } {
  return { high: Number((ft >> 32n) & 0xffffffffn), low: Number(ft & 0xffffffffn) };
}
