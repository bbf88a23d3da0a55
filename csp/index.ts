/** The LAPS CSP processor's public API. */
export { CspProcessor, type CspProcessorOptions, type ProcessOptions, type ProcessResult } from './processor.js';
export { type CspChangeSet, type CspRoot, type CspRootSnapshot, E_PENDING, INITIAL_RESET_STATE, type ResetState } from './csp-root.js';
export { MemoryCspRoot } from './memory-csp-root.js';
export {
  type CspCommitSummary, type CspDevice, type CspHandler, type CspRequest, type CspResponse, type CspSession, CspRegistry, resolveLocUri,
} from './handler.js';
export { LapsCspHandler } from './laps/laps-handler.js';
export { DEVDETAIL_ROOT, DEVINFO_ROOT, DevDetailHandler, DevInfoHandler, type DeviceInfo } from './devinfo/device-info-handlers.js';
export { hasLapsCsp, LAPS_BUILD_FAMILIES, LAPS_NODES, LAPS_ROOT_URI, type LapsNode, lapsNode, nodeExistsOnBuild, parseOsBuild } from './laps/nodes.js';
export { parseSyncml, serializeSyncml, type SerializeOptions } from './syncml/codec.js';
export { MAX_DEPTH, MAX_MESSAGE_BYTES } from './syncml/guards.js';
export { SyncmlStatus, type SyncmlStatusCode } from './syncml/status.js';
export { SyncmlAlert, type SyncmlAlertCode } from './syncml/alerts.js';
export type * from './syncml/types.js';
