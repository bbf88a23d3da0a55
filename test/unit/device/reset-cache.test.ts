import { describe, expect, it } from 'vitest';
import { deviceHarness } from '../../helpers/device-harness.js';

describe('a device remembers that no reset is pending', () => {
  it('reads the store once, then again only after a request reaches it', async () => {
    const h = deviceHarness({ csp: { BackupDirectory: '1', PasswordAgeDays: '30' } });
    let reads = 0;
    const pending = h.resets.pending.bind(h.resets);
    h.resets.pending = () => {
      reads++;
      return pending();
    };
    await h.device.processCycle('manual-processing');
    await h.device.processCycle('manual-processing');
    expect(reads).toBe(1);

    // The CSP processor writes the request beside the device, then tells it (agent, fleet).
    h.resets.request();
    expect((await h.device.processCycle('background'))).toBeUndefined();
    h.device.resetRequested();
    const out = await h.device.processCycle('background');
    expect(out).toMatchObject({ trigger: 'admin', rotated: true });
    expect(h.resets.status()).toBe(0);
    expect(reads).toBe(2);
    // Completing the request leaves the device knowing that none is pending.
    await h.device.processCycle('manual-processing');
    expect(reads).toBe(2);
  });

  it('reads the store again after someone else wrote it (a policy change or an outside write)', async () => {
    const h = deviceHarness({ csp: { BackupDirectory: '1', PasswordAgeDays: '30' } });
    await h.device.processCycle('manual-processing');
    h.resets.request();
    h.device.policyChanged();
    expect(await h.device.processCycle('background')).toMatchObject({ trigger: 'admin', rotated: true });
  });
});
