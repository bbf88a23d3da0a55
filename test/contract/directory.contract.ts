/** Contract suite of the directory port; every backend runs it. */
import { describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import type { BackupRequest, DirectoryBackend } from '../../agent/ports.js';

export function backupRequest(i: number, deviceId = 'd-1'): BackupRequest {
  return {
    deviceId, deviceName: 'DESKTOP-1', accountName: 'Administrator', accountSid: 'S-1-5-21-1-2-3-500',
    password: new Secret(`Secret-${i}-pw!`), backupTime: 1_772_323_200_000 + i * 1000, expiry: 1_774_915_200_000 + i * 1000, backupDirectory: 1,
  };
}

export interface DirectoryContractOptions {
  /** How many passwords the backend keeps per device. */
  readonly history: number;
  /**
   * Whether `view` reports the newest password's expiry (AD: read every cycle). Entra devices
   * never read it (laps-behaviour.md 6.4): their `view` is always empty. Default true.
   */
  readonly viewsExpiry?: boolean;
  /**
   * Whether the view also reports details of the directory itself (AD: the DC in use, schema
   * support), so that a device that never backed up gets a view without expiry or version rather
   * than an empty one. Default false.
   */
  readonly viewDetails?: boolean;
  /** Whether the directory keeps the account's SID (AD does not: msLAPS-Password holds the name only). Default true. */
  readonly storesAccountSid?: boolean;
  /** Turns each backup request into the backend's (AD: the encrypted format, its target and history size). */
  readonly request?: (r: BackupRequest) => BackupRequest;
}

export function directoryContract(name: string, make: () => Promise<DirectoryBackend> | DirectoryBackend, opts: DirectoryContractOptions): void {
  const request = (i: number, deviceId?: string): BackupRequest => (opts.request ?? ((r) => r))(backupRequest(i, deviceId));
  describe(`directory contract: ${name}`, () => {
    it('holds nothing for a device that never backed up', async () => {
      const dir = await make();
      expect(await dir.credentials('never')).toEqual([]);
      const view = await dir.view('never');
      if (opts.viewDetails) expect([view.expiry, view.passwordVersion]).toEqual([undefined, undefined]);
      else expect(view).toEqual({});
    });

    it('returns the newest password first, with account, SID and times', async () => {
      const dir = await make();
      await dir.backup(request(1));
      await dir.backup(request(2));
      const creds = await dir.credentials('d-1');
      expect(creds[0]?.password.reveal()).toBe('Secret-2-pw!');
      expect(creds[0]?.accountName).toBe('Administrator');
      expect(creds[0]?.accountSid).toBe(opts.storesAccountSid === false ? '' : 'S-1-5-21-1-2-3-500');
      expect(creds[0]?.backupTime).toBe(request(2).backupTime);
      expect((await dir.view('d-1')).expiry).toBe(opts.viewsExpiry === false ? undefined : request(2).expiry);
    });

    it(`keeps the last ${opts.history} passwords per device`, async () => {
      const dir = await make();
      for (let i = 1; i <= opts.history + 2; i++) await dir.backup(request(i));
      const creds = await dir.credentials('d-1');
      expect(creds.map((c) => c.password.reveal())).toEqual(
        Array.from({ length: opts.history }, (_, k) => `Secret-${opts.history + 2 - k}-pw!`),
      );
    });

    it('keeps devices apart', async () => {
      const dir = await make();
      await dir.backup(request(1, 'd-a'));
      await dir.backup(request(2, 'd-b'));
      expect((await dir.credentials('d-a')).map((c) => c.password.reveal())).toEqual(['Secret-1-pw!']);
    });
  });
}
