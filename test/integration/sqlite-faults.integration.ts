/**
 * Every rotation fault point, failing and crashing, on a device in a SQLite file with the local
 * directory (which journals no 'escrowed' mark and whose local set is read back from the account):
 * after a restart of the device on the same file, a password the directory holds opens the
 * account, the journal is resolved, and the next rotation works. Also inside a batch, as the bench and the fleet run them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { SeededRng } from '../../core/seeded-rng.js';
import { CrashSignal, FAULT_POINTS, FaultInjector, type FaultMode } from '../../agent/rotation/faults.js';
import { initSqliteDevice, openSqliteDevice, type SqliteDevice } from '../../sim/sqlite-device.js';

const dir = mkdtempSync(join(tmpdir(), 'lapsim-sqlite-faults-'));
const DAY = 86_400_000;
let n = 0;

async function newDevice(clock: ManualClock): Promise<string> {
  const path = join(dir, `f${n++}.db`);
  await initSqliteDevice(path, { name: 'PC-FAULT', directory: 'local' }, clock, new SeededRng(n));
  const d = openSqliteDevice({ path, clock, rng: new SeededRng(`${n}:policy`) });
  d.device.ctx.roots.set('gpo', { BackupDirectory: '1', PasswordAgeDays: '30' });
  d.close();
  return path;
}

/** Which of the passwords the directory holds (0 = newest) opens the managed account; -1 none. */
async function opening(d: SqliteDevice): Promise<number> {
  const rid = d.device.state().lastAccountRid ?? 500;
  const creds = await d.directory.credentials(d.record.deviceId);
  return creds.findIndex((c) => d.accounts.verifyPassword(rid, c.password));
}

describe('rotation faults on a SQLite file with the local directory', () => {
  for (const point of FAULT_POINTS) {
    for (const mode of ['fail', 'crash'] as FaultMode[]) {
      for (const batched of [false, true]) {
        it(`${mode} at ${point}${batched ? ', in a batch' : ''}: after a restart a password the directory holds opens the account`, async () => {
          const clock = new ManualClock(Date.UTC(2026, 2, 1, 9));
          const path = await newDevice(clock);
          const first = openSqliteDevice({ path, clock, rng: new SeededRng('first') });
          expect((await first.device.processCycle('manual-processing'))?.rotated).toBe(true);
          expect(await opening(first)).toBe(0);
          first.close();

          clock.advance(31 * DAY);
          const faults = new FaultInjector();
          faults.arm({ point, mode });
          const hurt = openSqliteDevice({ path, clock, rng: new SeededRng('hurt'), faults });
          if (batched) hurt.db.exec('BEGIN IMMEDIATE');
          let crashed = false;
          try {
            await hurt.device.processCycle('manual-processing');
          } catch (e) {
            if (!(e instanceof CrashSignal)) throw e;
            crashed = true;
          }
          expect(crashed).toBe(mode === 'crash');
          // A crash inside a batch loses the whole batch; a failure is committed with it.
          if (batched) hurt.db.exec(crashed ? 'ROLLBACK' : 'COMMIT');
          hurt.close();

          const restarted = openSqliteDevice({ path, clock, rng: new SeededRng('restarted') });
          expect(await restarted.device.recover()).not.toBe('failed');
          expect(restarted.ports.journal(restarted.record.deviceId).current()).toBeUndefined();
          // A failed local set after the escrow leaves the previous password in effect: it is the
          // directory's second newest (and the next cycle rotates again, reason 0x10).
          expect(await opening(restarted)).toBe(mode === 'fail' && point === 'after-escrow' ? 1 : 0);
          clock.advance(31 * DAY);
          expect((await restarted.device.processCycle('manual-processing'))?.rotated).toBe(true);
          expect(await opening(restarted)).toBe(0);
          restarted.close();
        });
      }
    }
  }
});
