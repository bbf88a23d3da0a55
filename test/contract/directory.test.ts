import { MemoryDirectory } from '../../agent/escrow/memory-directory.js';
import { openDatabase } from '../../store/database.js';
import { insertDevice } from '../../store/devices.js';
import { SecretBox } from '../../store/secret-box.js';
import { SqliteLocalDirectory } from '../../store/sqlite-local-directory.js';
import { directoryContract } from './directory.contract.js';
import { testDevice } from './fixtures.js';

directoryContract('memory', () => new MemoryDirectory(), { history: 3 });

directoryContract('local (sqlite)', () => {
  const db = openDatabase(':memory:');
  for (const id of ['d-1', 'd-a', 'd-b', 'never']) insertDevice(db, testDevice(id));
  return new SqliteLocalDirectory(db, new SecretBox(new Uint8Array(32).fill(3)));
}, { history: 3 });
