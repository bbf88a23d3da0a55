/**
 * Failure injection by stopping the DC: mid-cycle (after the view, before the write), and between
 * cycles. The device logs the failure, keeps its password, and rotates once the DC is back; the
 * DC comes back through `lapsim directory ad`, first at the 2008 R2 functional level (encryption:
 * 10006), then at 2016.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../core/clock.js';
import { cryptoRng } from '../../../core/rng.js';
import type { DirectoryBackend } from '../../../agent/ports.js';
import { CrashSignal } from '../../../agent/rotation/faults.js';
import { openSqliteDevice } from '../../../sim/sqlite-device.js';
import { DAY, HOUR, type AdLab, type TestDevice } from './ad-lab.js';

/** A background cycle whose directory stops the DC after the view and before the modify. */
async function cycleStoppingTheDc(lab: AdLab, dev: TestDevice, at: number): Promise<number[]> {
  const d = openSqliteDevice({ path: dev.db, clock: new FixedClock(at), rng: cryptoRng() });
  const real = d.directory;
  const directory: DirectoryBackend = {
    kind: 'ad',
    view: (id, q) => real.view(id, q),
    backup: async (r) => {
      await lab.stop();
      return real.backup(r);
    },
    credentials: (id) => real.credentials(id),
  };
  d.close();
  const dd = openSqliteDevice({ path: dev.db, clock: new FixedClock(at), rng: cryptoRng(), directory });
  try {
    const log = dd.ports.events(dev.deviceId);
    const before = log.list().length;
    await dd.device.processCycle('background');
    return log.list().slice(before).map((e) => e.id);
  } finally {
    dd.close();
  }
}

/** A cycle that dies (as a killed process) right after the DC took the password, or right before. */
async function crashAroundTheWrite(dev: TestDevice, at: number, afterWrite: boolean): Promise<void> {
  const first = openSqliteDevice({ path: dev.db, clock: new FixedClock(at), rng: cryptoRng() });
  const real = first.directory;
  first.close();
  const directory: DirectoryBackend = {
    kind: 'ad', view: (id, q) => real.view(id, q), credentials: (id) => real.credentials(id),
    backup: async (r) => {
      if (afterWrite) await real.backup(r);
      throw new CrashSignal('after-escrow');
    },
  };
  const d = openSqliteDevice({ path: dev.db, clock: new FixedClock(at), rng: cryptoRng(), directory });
  try {
    await expect(d.device.resetPassword()).rejects.toBeInstanceOf(CrashSignal);
  } finally {
    d.close();
  }
}

export function failureScenarios(lab: AdLab): void {
  describe('a device that dies mid-rotation', () => {
    it('recovers from its own computer object: completes what the DC took, discards what it did not', async () => {
      const t0 = Date.now();
      const dev = await lab.device('CRASH', { BackupDirectory: '2', ADPasswordEncryptionEnabled: '0' });
      await lab.cycle(dev, t0);
      const before = lab.getPassword(dev)[0]!.Password!;
      await crashAroundTheWrite(dev, t0 + 60_000, false);
      const d1 = openSqliteDevice({ path: dev.db, clock: new FixedClock(t0 + 120_000), rng: cryptoRng() });
      try {
        expect(await d1.device.recover()).toBe('discarded');
      } finally {
        d1.close();
      }
      expect(lab.opens(dev, before)).toBe(true);
      await crashAroundTheWrite(dev, t0 + 180_000, true);
      const taken = lab.getPassword(dev)[0]!.Password!;
      expect(taken).not.toBe(before);
      expect(lab.opens(dev, taken)).toBe(false);
      const d2 = openSqliteDevice({ path: dev.db, clock: new FixedClock(t0 + 240_000), rng: cryptoRng() });
      try {
        expect(await d2.device.recover()).toBe('completed');
      } finally {
        d2.close();
      }
      expect(lab.logon(dev, taken)).toBe(0);
    });
  });

  describe('the DC goes away', () => {
    it('stopped mid-cycle and between cycles: events and retries, the local password unchanged, rotation once it is back', async () => {
      const t0 = Date.now();
      const clear = await lab.device('DOWN', { BackupDirectory: '2', ADPasswordEncryptionEnabled: '0' });
      const encrypted = await lab.device('DFL', { BackupDirectory: '2' });
      await lab.cycle(clear, t0);
      await lab.cycle(encrypted, t0);
      const password = lab.getPassword(clear)[0]!.Password!;

      // Past the expiry, every cycle wants to rotate until one succeeds.
      const expired = t0 + 31 * DAY;
      const midCycle = await cycleStoppingTheDc(lab, clear, expired);
      expect(midCycle).toEqual([10003, 10021, 10009, 10052, 10055, 10015, 10056, 10017, 10005]);
      expect(lab.opens(clear, password)).toBe(true);

      const down = await lab.cycle(clear, expired + HOUR);
      expect(down.outcome).toMatchObject({ rotated: false, eventId: 10056, hresult: 0x8007054b });
      expect(down.events.slice(-2)).toEqual([10056, 10005]);
      expect(lab.opens(clear, password)).toBe(true);

      const started = await lab.startCli('2008_R2');
      expect(started).toMatchObject({ provisioned: false, url: 'ldaps://127.0.0.1:636' });
      const level = await lab.cycle(encrypted, t0 + 2 * HOUR, 'admin');
      expect(level.outcome).toMatchObject({ rotated: false, eventId: 10006, hresult: 0x80070032 });
      const back = await lab.cycle(clear, expired + 2 * HOUR);
      expect(back.outcome).toMatchObject({ rotated: true, reasons: 0x1, hresult: 0 });
      const row = lab.getPassword(clear)[0]!;
      expect(row.Password).not.toBe(password);
      expect(lab.logon(clear, row.Password!)).toBe(0);
      expect(await lab.stopCli()).toBe(0);

      await lab.start('2016');
      expect((await lab.cycle(encrypted, t0 + 3 * HOUR, 'admin')).outcome).toMatchObject({ rotated: true, hresult: 0 });
      expect(lab.logon(encrypted, lab.getPassword(encrypted)[0]!.Password!)).toBe(0);
    });
  });
}
