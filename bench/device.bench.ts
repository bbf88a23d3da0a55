/**
 * Device figures: rotations per second for 10,000 devices in one SQLite file with the local
 * directory (journal, escrow, local set, events; commits batched per 2,000 devices, as the fleet batches its writes), and the cost
 * of an idle hourly cycle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../core/clock.js';
import { cryptoRng } from '../core/rng.js';
import { Device } from '../agent/device.js';
import { seedBuiltinAccounts } from '../agent/accounts/builtin.js';
import { windowsAccountRules } from '../agent/accounts/account-rules.js';
import { openDatabase } from '../store/database.js';
import { insertDevice } from '../store/devices.js';
import { loadStoreKey, SecretBox } from '../store/secret-box.js';
import { SqliteAccountDatabase } from '../store/sqlite-account-database.js';
import { SqliteDevicePorts } from '../store/sqlite-device-ports.js';
import { SqliteLocalDirectory } from '../store/sqlite-local-directory.js';
import { inBatch } from '../store/batch.js';
import type { Report } from './report.js';
import { MemoryAccountDatabase } from '../agent/accounts/memory-account-database.js';
import { MemoryDirectory } from '../agent/escrow/memory-directory.js';
import { MemoryActivityLog, MemoryEventLog, MemoryJournal, MemoryPolicyRoots, MemoryStateStore } from '../agent/memory-ports.js';
import { MemoryResetRequests } from '../agent/reset-requests.js';
import { catalogueEventText } from '../agent/events/make-event.js';

const DEVICES = 10_000;
const BATCH = 2000;
const EXPIRY_ROUNDS = 5;

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lapsim-bench-'));
  try {
    const path = join(dir, 'fleet.db');
    const db = openDatabase(path);
    const box = new SecretBox(loadStoreKey(path));
    const ports = new SqliteDevicePorts(db, box, catalogueEventText);
    const directory = new SqliteLocalDirectory(db, box);
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    const rng = cryptoRng();
    const setCsp = db.prepare('INSERT INTO csp_values (device_id, name, value) VALUES (?, ?, ?)');
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < DEVICES; i++) {
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        ids.push(id);
        insertDevice(db, { deviceId: id, name: `PC${i}`, osBuild: '10.0.26100.4349', cspStrict: false, createdAt: 0, joinType: 'entra', isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1-2-3', directory: 'local' });
        seedBuiltinAccounts(new SqliteAccountDatabase(db, id, windowsAccountRules));
        setCsp.run(id, 'BackupDirectory', '1');
        setCsp.run(id, 'PasswordAgeDays', '30');
      }
    })();
    const devices = ids.map((id) => new Device({
      identity: { deviceId: id, name: id, osBuild: '10.0.26100.4349', joinType: 'entra', isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1-2-3' },
      clock, rng, accounts: new SqliteAccountDatabase(db, id, windowsAccountRules), state: ports.state(id), journal: ports.journal(id),
      events: ports.events(id), activity: ports.activity(id), roots: ports.policyRoots(id), resets: ports.resetRequests(id), directory,
      transaction: (fn) => ports.transaction(fn), options: { recordIdleCycles: false }, externalVersion: () => ports.externalVersion(),
    }));

    const rotateAll = async (): Promise<number> => {
      const start = process.hrtime.bigint();
      let rotated = 0;
      for (let b = 0; b < devices.length; b += BATCH) {
        await inBatch(db, async () => {
          for (const d of devices.slice(b, b + BATCH)) if ((await d.processCycle('manual-processing'))?.rotated) rotated++;
        });
      }
      const s = Number(process.hrtime.bigint() - start) / 1e9;
      if (rotated !== devices.length) throw new Error(`only ${rotated} of ${devices.length} rotated`);
      return rotated / s;
    };
    // The first rotation also loads each device (policy roots, accounts, state rows created).
    const first = await rotateAll();
    report({ name: `first rotation, ${DEVICES} devices, SQLite + local directory (batches of ${BATCH}; includes loading each device)`, value: first, unit: 'rotations/s' });
    // Expiry rotations, 31 days apart: from the fourth on, each backup overwrites the oldest of
    // the local directory's three slots (steady state). The median of the rounds is the figure.
    const rounds: number[] = [];
    for (let r = 0; r < EXPIRY_ROUNDS; r++) {
      clock.advance(31 * 86_400_000);
      rounds.push(await rotateAll());
    }
    const sorted = [...rounds].sort((a, b) => a - b);
    report({ name: `expiry rotation, ${DEVICES} devices, SQLite + local directory (median of ${EXPIRY_ROUNDS} rounds: ${rounds.map((x) => Math.round(x).toLocaleString('en-US')).join(', ')})`, value: sorted[Math.floor(sorted.length / 2)]!, unit: 'rotations/s', goal: { op: '>=', value: 20_000 } });

    clock.advance(3_600_000);
    const d0 = devices[0]!;
    await d0.processCycle('background');
    const N = 2_000_000;
    let start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await d0.processCycle('background');
    const idleNs = Number(process.hrtime.bigint() - start) / N;
    report({ name: 'idle hourly cycle (awaited processCycle, nothing due, external-write check)', value: idleNs / 1000, unit: 'µs/cycle', goal: { op: '<=', value: 2 } });
    start = process.hrtime.bigint();
    let due = 0;
    for (let i = 0; i < N; i++) if (clock.now() >= d0.nextDueAt()) due++;
    const checkNs = Number(process.hrtime.bigint() - start) / N;
    report({ name: 'idle check (nextDueAt comparison, as the fleet scheduler does)', value: checkNs / 1000, unit: 'µs/cycle' });
    if (due !== 0) throw new Error('device unexpectedly due');
    db.close();
    report({ name: `expiry rotation, ${DEVICES} devices, memory ports + memory directory (engine cost)`, value: await memoryRotations(), unit: 'rotations/s' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same rotations on the in-memory ports the fleet simulator uses: the engine's own cost. */
async function memoryRotations(): Promise<number> {
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  const rng = cryptoRng();
  const directory = new MemoryDirectory();
  const devices = Array.from({ length: DEVICES }, (_, i) => {
    const accounts = new MemoryAccountDatabase(windowsAccountRules);
    seedBuiltinAccounts(accounts);
    return new Device({
      identity: { deviceId: `m${i}`, name: `M${i}`, osBuild: '10.0.26100.4349', joinType: 'entra', isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1-2-3' },
      clock, rng, accounts, directory, events: new MemoryEventLog(), activity: new MemoryActivityLog(), state: new MemoryStateStore(),
      journal: new MemoryJournal(), roots: new MemoryPolicyRoots(() => ({ BackupDirectory: '1', PasswordAgeDays: '30' })), resets: new MemoryResetRequests(),
    });
  });
  for (const d of devices) await d.processCycle('manual-processing');
  clock.advance(31 * 86_400_000);
  const start = process.hrtime.bigint();
  for (const d of devices) await d.processCycle('manual-processing');
  return devices.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

