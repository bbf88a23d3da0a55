/**
 * The devices table: identity of each simulated device. One file may hold one device (the CLI's
 * default) or a fleet; commands that act on "the device" resolve it here.
 */
import { StoreError } from '../core/errors.js';
import type { Db } from './database.js';

export type JoinType = 'entra' | 'ad' | 'hybrid' | 'workgroup';
export type DirectoryKind = 'none' | 'local' | 'entra' | 'ad';

export interface DeviceRecord {
  readonly deviceId: string;
  readonly name: string;
  readonly osBuild: string;
  readonly cspStrict: boolean;
  readonly createdAt: number;
  readonly joinType: JoinType;
  readonly isDomainController: boolean;
  readonly legacyCseInstalled: boolean;
  /** S-1-5-21-x-y-z of the local account domain. */
  readonly domainSid: string;
  readonly directory: DirectoryKind;
}

/** Default OS build of a new device: Windows 11 24H2 (CSP 1.1). */
export const DEFAULT_OS_BUILD = '10.0.26100.4349';

interface Row {
  device_id: string; name: string; os_build: string; csp_strict: number; created_at: number; join_type: string;
  is_dc: number; legacy_cse: number; domain_sid: string; directory: string;
}

function fromRow(r: Row): DeviceRecord {
  return {
    deviceId: r.device_id, name: r.name, osBuild: r.os_build, cspStrict: r.csp_strict === 1, createdAt: r.created_at,
    joinType: r.join_type as JoinType, isDomainController: r.is_dc === 1, legacyCseInstalled: r.legacy_cse === 1,
    domainSid: r.domain_sid, directory: r.directory as DirectoryKind,
  };
}

export function insertDevice(db: Db, d: DeviceRecord): void {
  db.prepare(`INSERT INTO devices (device_id, name, os_build, csp_strict, created_at, join_type, is_dc, legacy_cse, domain_sid, directory)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(d.deviceId, d.name, d.osBuild, d.cspStrict ? 1 : 0, d.createdAt, d.joinType, d.isDomainController ? 1 : 0,
      d.legacyCseInstalled ? 1 : 0, d.domainSid, d.directory);
  db.prepare('INSERT INTO csp_actions (device_id) VALUES (?)').run(d.deviceId);
}

export function getDevice(db: Db, deviceId: string): DeviceRecord | undefined {
  const r = db.prepare('SELECT * FROM devices WHERE device_id = ?').get(deviceId) as Row | undefined;
  return r ? fromRow(r) : undefined;
}

export function listDevices(db: Db): DeviceRecord[] {
  return (db.prepare('SELECT * FROM devices ORDER BY created_at, device_id').all() as Row[]).map(fromRow);
}

export function countDevices(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;
}

/**
 * The device a CLI command acts on: the one named, or the only one in the file.
 * @throws StoreError LAPS_ERR_STORE_NO_DEVICE when there is none, several, or no such id.
 */
export function resolveDevice(db: Db, deviceId?: string): DeviceRecord {
  if (deviceId !== undefined) {
    const d = getDevice(db, deviceId.toLowerCase()) ?? listDevices(db).find((x) => x.name.toLowerCase() === deviceId.toLowerCase());
    if (!d) throw new StoreError('LAPS_ERR_STORE_NO_DEVICE', `no device ${deviceId} in this database`);
    return d;
  }
  const all = db.prepare('SELECT * FROM devices LIMIT 2').all() as Row[];
  if (all.length === 0) throw new StoreError('LAPS_ERR_STORE_NO_DEVICE', 'this database holds no device yet: run `lapsim device init` first');
  if (all.length > 1) throw new StoreError('LAPS_ERR_STORE_NO_DEVICE', 'this database holds several devices: choose one with --device <id>');
  return fromRow(all[0]!);
}

export function updateDevice(db: Db, deviceId: string, patch: Partial<Pick<DeviceRecord, 'osBuild' | 'cspStrict' | 'name' | 'directory'>>): void {
  const cur = getDevice(db, deviceId);
  if (!cur) throw new StoreError('LAPS_ERR_STORE_NO_DEVICE', `no device ${deviceId} in this database`);
  const next = { ...cur, ...patch };
  db.prepare('UPDATE devices SET os_build = ?, csp_strict = ?, name = ?, directory = ? WHERE device_id = ?')
    .run(next.osBuild, next.cspStrict ? 1 : 0, next.name, next.directory, deviceId);
}
