/**
 * Applies one SyncML message to a device stored in a lapsim database: the step `lapsim csp apply`
 * and the device's management session share. The result says whether LAPS values changed and
 * whether a password reset was requested, which is what decides a processing cycle.
 */
import { StoreError } from '../core/errors.js';
import type { DeviceInfo } from '../csp/devinfo/device-info-handlers.js';
import type { CspProcessor, ProcessOptions, ProcessResult } from '../csp/processor.js';
import type { SyncMessage } from '../csp/syncml/types.js';
import type { Db } from './database.js';
import { getDevice } from './devices.js';
import { SqliteCspRoots } from './sqlite-csp-root.js';

export interface ApplyCspOptions extends ProcessOptions {
  readonly processor: CspProcessor;
  /** Prepared CSP roots of this database (pass one to reuse its statements); default: prepared now. */
  readonly roots?: SqliteCspRoots;
  /** What the DevInfo and DevDetail CSPs answer (when the processor has their handlers). */
  readonly info?: DeviceInfo;
}

/**
 * Processes `message` for the device, with its stored OS build and strict setting, and commits
 * the changes in one transaction.
 * @throws StoreError LAPS_ERR_STORE_NO_DEVICE; MalformedSyncmlError for unusable text.
 */
export function applyCspMessage(db: Db, deviceId: string, message: string | SyncMessage, opts: ApplyCspOptions): ProcessResult {
  const device = getDevice(db, deviceId);
  if (device === undefined) throw new StoreError('LAPS_ERR_STORE_NO_DEVICE', `no device ${deviceId} in this database`);
  const root = (opts.roots ?? new SqliteCspRoots(db)).forDevice(deviceId);
  return opts.processor.process(message, { root, osBuild: device.osBuild, strict: device.cspStrict, info: opts.info }, opts.msgId === undefined ? {} : { msgId: opts.msgId });
}
