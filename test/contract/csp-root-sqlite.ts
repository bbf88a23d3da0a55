/** The SQLite side of the CspRoot contract: devices are created on first use. */
import type { Db } from '../../store/database.js';
import { DEFAULT_OS_BUILD, getDevice, insertDevice } from '../../store/devices.js';
import type { SqliteCspRoots } from '../../store/sqlite-csp-root.js';
import type { CspRootFactory } from './csp-root.contract.js';

/** Device ids the contract's names map to. */
export function deviceIdFor(name: string): string {
  return `00000000-0000-4000-8000-${name.padStart(12, '0')}`.slice(0, 36);
}

export function ensureDevice(db: Db, deviceId: string): void {
  if (getDevice(db, deviceId) !== undefined) return;
  insertDevice(db, {
    deviceId, name: `DESKTOP-${deviceId.slice(-7).toUpperCase()}`, osBuild: DEFAULT_OS_BUILD, cspStrict: false, createdAt: 0, joinType: 'entra',
    isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1-2-3', directory: 'none',
  });
}

export function sqliteFactory(db: Db, makeRoots: (db: Db) => SqliteCspRoots, onDispose: () => void = () => undefined): CspRootFactory {
  const roots = makeRoots(db);
  return {
    rootFor: (name) => {
      const id = deviceIdFor(name);
      ensureDevice(db, id);
      return roots.forDevice(id);
    },
    dispose: () => {
      db.close();
      onDispose();
    },
  };
}
