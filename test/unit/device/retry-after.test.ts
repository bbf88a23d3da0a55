import { describe, expect, it } from 'vitest';
import { EscrowError } from '../../../core/errors.js';
import type { BackupRequest } from '../../../agent/ports.js';
import { RETRY_AFTER_MAX_JITTER_MS } from '../../../agent/device.js';
import { deviceHarness, ENTRA_POLICY, HOUR } from '../../helpers/device-harness.js';

const throttled = (retryAfterMs: number): EscrowError =>
  new EscrowError('LAPS_ERR_ESCROW_THROTTLED', 'throttled', { retryable: true, httpStatus: 429, body: '{"code":"throttled"}', retryAfterMs });

describe('Retry-After from the directory', () => {
  it('background cycles do not call the directory before Retry-After, then retry with a bounded jitter', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    h.directory.failure = throttled(2 * HOUR);
    const out = await h.device.processCycle();
    expect(out).toMatchObject({ rotated: false, eventId: 10028, retryAfterMs: 2 * HOUR });
    const due = h.device.nextDueAt();
    expect(due).toBeGreaterThanOrEqual(out!.time + 2 * HOUR);
    expect(due).toBeLessThanOrEqual(out!.time + 2 * HOUR + Math.min(2 * HOUR / 10, RETRY_AFTER_MAX_JITTER_MS));
    h.directory.failure = undefined;
    h.clock.advance(HOUR);
    expect(await h.device.processCycle()).toBeUndefined();
    h.clock.advanceTo(due);
    expect(await h.device.processCycle()).toMatchObject({ rotated: true });
  });

  it('the jitter comes from the device Rng: two devices throttled alike come back at different times', async () => {
    const dues = new Set<number>();
    for (let seed = 0; seed < 8; seed++) {
      const h = deviceHarness({ csp: ENTRA_POLICY });
      for (let i = 0; i < seed; i++) h.rng.bytes(1);
      h.directory.failure = throttled(600_000);
      await h.device.processCycle();
      dues.add(h.device.nextDueAt());
    }
    expect(dues.size).toBeGreaterThan(1);
  });

  it('a failure without Retry-After retries at the next background cycle', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    h.directory.failure = h.directory.unavailable();
    await h.device.processCycle();
    expect(h.device.nextDueAt()).toBe(Number.NEGATIVE_INFINITY);
  });

  it('the engine hands the backend an event sink that logs in order (10030 before 10029)', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    const inner = h.directory;
    const directory = {
      kind: 'entra' as const,
      view: (id: string) => inner.view(id),
      credentials: (id: string) => inner.credentials(id),
      backup: async (req: BackupRequest) => {
        req.onEvent?.(10030, { url: 'https://enterpriseregistration.example/manage/t/lapsdevicepasswordupdate/d?api-version=1.0' });
        await inner.backup(req);
      },
    };
    const d = deviceHarness({ csp: ENTRA_POLICY, directory });
    await d.device.processCycle('manual-processing');
    expect(d.newEventIds()).toEqual([10003, 10022, 10010, 10015, 10030, 10029, 10020, 10004]);
  });
});
