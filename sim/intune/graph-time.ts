/** Times as Graph writes them: ISO 8601 UTC with seven fractional digits (intune-graph.md 1.2). */

/** `2025-03-02T09:15:27.1230000Z` for an epoch ms. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** Like graphTime, or null when the time is unknown. */
export function graphTimeOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : graphTime(ms);
}
