import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import { openDatabase } from '../../store/database.js';
import { insertDevice } from '../../store/devices.js';
import { MIGRATIONS } from '../../store/migrations/index.js';
import { SecretBox } from '../../store/secret-box.js';
import { SqliteLocalDirectory } from '../../store/sqlite-local-directory.js';
import { testDevice } from '../contract/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lapsim-ring-'));
const box = new SecretBox(new Uint8Array(32).fill(3));

describe('local directory ring (migration 6)', () => {
  it('moves the newest three rows of each device into slots and goes on overwriting the oldest', async () => {
    const path = join(dir, 'ring.db');
    const old = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version < 6) });
    for (const id of ['d-1', 'd-2']) insertDevice(old, testDevice(id));
    const put = old.prepare('INSERT INTO local_directory (device_id, seq, account_name, account_sid, sealed_password, backup_time, expiry) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let seq = 1; seq <= 5; seq++) put.run('d-1', seq, 'Administrator', 'S-1-5-21-1-2-3-500', box.seal(new Secret(`pw-${seq}`), 'device:d-1'), seq * 10, seq * 100);
    put.run('d-2', 1, 'admin2', 'S-1-5-21-1-2-3-1000', box.seal(new Secret('other'), 'device:d-2'), 7, 8);
    old.close();

    const db = openDatabase(path);
    const dirs = new SqliteLocalDirectory(db, box);
    const reveal = async (id: string) => (await dirs.credentials(id)).map((c) => c.password.reveal());
    expect(await reveal('d-1')).toEqual(['pw-5', 'pw-4', 'pw-3']);
    expect(await reveal('d-2')).toEqual(['other']);
    expect(await dirs.view('d-1')).toEqual({ expiry: 500 });
    await dirs.backup({ deviceId: 'd-1', deviceName: 'D1', accountName: 'Administrator', accountSid: 'S-1-5-21-1-2-3-500', password: new Secret('pw-6'), backupTime: 60, expiry: 600, backupDirectory: 1 });
    expect(await reveal('d-1')).toEqual(['pw-6', 'pw-5', 'pw-4']);
    expect(db.prepare("SELECT slot, seq FROM local_directory WHERE device_id = 'd-1' ORDER BY slot").all()).toEqual([
      { slot: 0, seq: 6 }, { slot: 1, seq: 4 }, { slot: 2, seq: 5 },
    ]);
    expect(await reveal('d-2')).toEqual(['other']);
  });
});
