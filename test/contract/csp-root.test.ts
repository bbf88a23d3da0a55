/** The CspRoot contract on the in-memory root and on SQLite in memory. */
import { MemoryCspRoot } from '../../csp/memory-csp-root.js';
import { openDatabase } from '../../store/database.js';
import { SqliteCspRoots } from '../../store/sqlite-csp-root.js';
import { cspRootContract } from './csp-root.contract.js';
import { sqliteFactory } from './csp-root-sqlite.js';

cspRootContract('memory', () => {
  const roots = new Map<string, MemoryCspRoot>();
  return {
    rootFor: (device) => {
      let r = roots.get(device);
      if (r === undefined) roots.set(device, (r = new MemoryCspRoot()));
      return r;
    },
    dispose: () => roots.clear(),
  };
});

cspRootContract('sqlite :memory:', () => sqliteFactory(openDatabase(':memory:'), (db) => new SqliteCspRoots(db)));
