import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/secret.js';
import { MemoryDirectory } from '../../../agent/escrow/memory-directory.js';
import type { BackupRequest, RotationIntent } from '../../../agent/ports.js';
import { HybridDirectory } from '../../../sim/fleet/fleet-escrow.js';

const req = (password: string, backupDirectory: 1 | 2, backupTime: number): BackupRequest => ({
  deviceId: 'd', deviceName: 'D', accountName: 'Administrator', accountSid: 'S-1-5-21-1-2-3-500', password: new Secret(password), backupTime, expiry: backupTime + 10, backupDirectory,
});
const intent = (backupDirectory: 1 | 2): RotationIntent => ({
  rotationId: 'r', accountRid: 500, accountName: 'Administrator', accountSid: 'S-1-5-21-1-2-3-500', reasons: 0, trigger: 'background', startedAt: 0, expiry: 1,
  backupDirectory, policySource: 'GPO',
});

describe('the directories of a hybrid device', () => {
  it('backs up to the directory its request names, reads both, and resolves a crash against the right one', async () => {
    const ad = new MemoryDirectory();
    const entra = new MemoryDirectory();
    const h = new HybridDirectory(ad, entra);
    await h.backup(req('to-entra', 1, 10));
    await h.backup(req('to-ad', 2, 20));
    expect((await entra.credentials('d')).map((c) => c.password.reveal())).toEqual(['to-entra']);
    expect((await ad.credentials('d')).map((c) => c.password.reveal())).toEqual(['to-ad']);
    expect((await h.credentials('d')).map((c) => c.password.reveal())).toEqual(['to-ad', 'to-entra']);
    expect(await h.holds('d', intent(2), new Secret('to-ad'))).toBe(true);
    expect(await h.holds('d', intent(1), new Secret('to-ad'))).toBe(false);
    expect(await h.holds('d', intent(1), new Secret('to-entra'))).toBe(true);
  });
});
