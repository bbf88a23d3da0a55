/** ScaledClock: device time K times faster than its base clock, timers scaled down. */
import { describe, expect, it } from 'vitest';
import { ManualClock, ScaledClock } from '../../../core/clock.js';

describe('ScaledClock', () => {
  it('moves K device ms per base ms, from the given start', () => {
    const base = new ManualClock(1_000_000);
    const c = new ScaledClock(base, 86_400, 5_000_000);
    expect(c.now()).toBe(5_000_000);
    base.advance(1000);
    expect(c.now()).toBe(5_000_000 + 86_400_000);
  });

  it('a device-time timer fires after delay / K of base time, never early', () => {
    const base = new ManualClock(0);
    const c = new ScaledClock(base, 1000);
    let fired = 0;
    const t = c.setTimer('expiry', 30 * 86_400_000, () => { fired = c.now(); });
    expect(t.dueAt).toBe(30 * 86_400_000);
    base.advance(2_591_999);
    expect(fired).toBe(0);
    base.advance(1);
    expect(fired).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(base.pendingTimers()).toEqual([]);
  });

  it('cancels through to the base clock and refuses a scale that is not > 0', () => {
    const base = new ManualClock(0);
    const c = new ScaledClock(base, 10);
    c.setTimer('x', 100, () => undefined).cancel();
    expect(base.pendingTimers()).toEqual([]);
    expect(() => new ScaledClock(base, 0)).toThrow(RangeError);
    expect(() => new ScaledClock(base, Number.NaN)).toThrow(RangeError);
  });
});
