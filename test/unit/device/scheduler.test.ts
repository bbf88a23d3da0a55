import { describe, expect, it } from 'vitest';
import { DueHeap, VirtualScheduler } from '../../../agent/scheduler/virtual-scheduler.js';
import { CycleRunner } from '../../../agent/scheduler/cycle-runner.js';
import type { CycleTrigger } from '../../../agent/cycle.js';
import { deviceHarness, DAY, ENTRA_POLICY, HOUR, MARCH_1 } from '../../helpers/device-harness.js';

describe('virtual scheduler', () => {
  it('pops entries in due order, ties by index', () => {
    const h = new DueHeap();
    for (const [due, index] of [[5, 1], [3, 2], [5, 0], [1, 3], [9, 4]] as const) h.push({ due, index });
    const out: number[] = [];
    while (h.size) out.push(h.pop()!.index);
    expect(out).toEqual([3, 2, 0, 1, 4]);
  });

  it('runs a device hourly on virtual time and it rotates every PasswordAgeDays', async () => {
    const h = deviceHarness({ csp: { ...ENTRA_POLICY, PasswordAgeDays: '30' } });
    const rotations: number[] = [];
    const sched = new VirtualScheduler({
      setTime: (ms) => h.clock.advanceTo(ms),
      runCycle: async () => {
        const o = await h.device.processCycle('background');
        if (o?.rotated) rotations.push(o.time);
      },
    });
    sched.add(0, MARCH_1);
    await sched.runUntil(MARCH_1 + 91 * DAY);
    expect(sched.cyclesRun).toBe(91 * 24 + 1);
    expect(rotations.map((t) => (t - MARCH_1) / DAY)).toEqual([0, 30, 60, 90]);
  });
});

describe('cycle runner', () => {
  it('never overlaps cycles and merges triggers into the strongest follow-up', async () => {
    const seen: CycleTrigger[] = [];
    let active = 0;
    let maxActive = 0;
    const runner = new CycleRunner({
      processCycle: async (t) => {
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(t);
        await new Promise((r) => setImmediate(r));
        active--;
        return undefined;
      },
    });
    await Promise.all([runner.trigger('background'), runner.trigger('policy-change'), runner.trigger('admin'), runner.trigger('background')]);
    await runner.idle();
    expect(maxActive).toBe(1);
    expect(seen).toEqual(['background', 'admin']);
    expect(HOUR).toBe(3_600_000);
  });
});
