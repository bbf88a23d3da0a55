/**
 * The Entra emulator's throttle at fleet scale: tens of thousands of devices posting within one
 * window must not sweep the whole table at every post (it did: a 100,000-device fleet's first
 * rotations took hours).
 */
import { describe, expect, it } from 'vitest';
import { SlidingWindowThrottle } from '../../../sim/entra/throttle.js';

describe('SlidingWindowThrottle with a fleet', () => {
  it('takes 60,000 devices posting in one window in well under a second, and still refuses the 21st post', () => {
    const t = new SlidingWindowThrottle({ limit: 20, windowMs: 3_600_000 });
    const started = performance.now();
    for (let i = 0; i < 60_000; i++) expect(t.hit(`device-${i}`, 1000 + i).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(1500);
    for (let i = 0; i < 20; i++) t.hit('busy', 70_000 + i);
    expect(t.hit('busy', 70_100).ok).toBe(false);
    // Later, stale devices are swept and new ones are still counted.
    expect(t.hit('device-1', 1000 + 3_600_001 + 60_000).ok).toBe(true);
  });
});
