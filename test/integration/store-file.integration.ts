import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Secret } from '../../core/secret.js';
import { openDatabase } from '../../store/database.js';
import { MIGRATIONS } from '../../store/migrations/index.js';
import { insertDevice } from '../../store/devices.js';
import { loadStoreKey, SecretBox } from '../../store/secret-box.js';
import { SqliteDevicePorts } from '../../store/sqlite-device-ports.js';
import { SqliteLocalDirectory } from '../../store/sqlite-local-directory.js';
import { statePortsContract, sampleIntent } from '../contract/state-ports.contract.js';
import { directoryContract } from '../contract/directory.contract.js';
import { testDevice } from '../contract/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lapsim-store-'));
let n = 0;

function freshFile(): { path: string; ports: SqliteDevicePorts; box: SecretBox } {
  const path = join(dir, `s${n++}.db`);
  const db = openDatabase(path);
  for (const id of ['d-1', 'd-2', 'd-a', 'd-b', 'never']) insertDevice(db, testDevice(id));
  const box = new SecretBox(loadStoreKey(path));
  return { path, ports: new SqliteDevicePorts(db, box), box };
}

statePortsContract('sqlite file', () => {
  const { ports } = freshFile();
  return {
    state: ports.state('d-1'), journal: ports.journal('d-1'), events: ports.events('d-1'), activity: ports.activity('d-1'), roots: ports.policyRoots('d-1'),
    other: { state: ports.state('d-2'), journal: ports.journal('d-2'), events: ports.events('d-2') },
  };
});

directoryContract('local (sqlite file)', () => {
  const { ports, box } = freshFile();
  return new SqliteLocalDirectory(ports.db, box);
}, { history: 3 });

describe('SQLite store on disk', () => {
  it('uses WAL and records its migrations', () => {
    const { path, ports } = freshFile();
    expect(ports.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = ports.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    ports.db.close();
    const again = openDatabase(path);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    again.close();
  });

  it('never writes a journaled password in clear text, and the key file is private', () => {
    const { path, ports } = freshFile();
    ports.journal('d-1').begin(sampleIntent, new Secret('VeryRecognisablePassword-123'));
    ports.db.pragma('wal_checkpoint(TRUNCATE)');
    ports.db.close();
    const bytes = readFileSync(path);
    expect(bytes.includes(Buffer.from('VeryRecognisablePassword-123'))).toBe(false);
    expect(statSync(`${path}.key`).mode & 0o077).toBe(0);
    const reopened = new SqliteDevicePorts(openDatabase(path), new SecretBox(loadStoreKey(path)));
    expect(reopened.journal('d-1').current()?.password.reveal()).toBe('VeryRecognisablePassword-123');
  });

  it('a wrong key is a clear error, not garbage', () => {
    const { path, ports } = freshFile();
    ports.journal('d-1').begin(sampleIntent, new Secret('pw-1'));
    const wrong = new SqliteDevicePorts(ports.db, new SecretBox(new Uint8Array(32)));
    expect(() => wrong.journal('d-1').current()).toThrow(expect.objectContaining({ code: 'LAPS_ERR_STORE_KEY' }));
    expect(path).toBeTruthy();
  });

  it('refuses a SQLite file that is not lapsim\'s, and a file that is not SQLite, changing nothing', () => {
    const foreign = join(dir, 'foreign.db');
    const other = new Database(foreign);
    other.exec('CREATE TABLE t (x)');
    other.close();
    const before = readFileSync(foreign);
    expect(() => openDatabase(foreign)).toThrow(expect.objectContaining({ code: 'LAPS_ERR_STORE_FOREIGN' }));
    expect(readFileSync(foreign).equals(before)).toBe(true);

    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database at all, just some text '.repeat(100));
    const junkBefore = readFileSync(junk);
    expect(() => openDatabase(junk)).toThrow(expect.objectContaining({ code: 'LAPS_ERR_STORE_CORRUPT' }));
    expect(readFileSync(junk).equals(junkBefore)).toBe(true);
  });

  it('refuses a database from a newer lapsim', () => {
    const { path, ports } = freshFile();
    ports.db.pragma('user_version = 99');
    ports.db.close();
    expect(() => openDatabase(path)).toThrow(expect.objectContaining({ code: 'LAPS_ERR_STORE_NEWER_SCHEMA' }));
  });
});
