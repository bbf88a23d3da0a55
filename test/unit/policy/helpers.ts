/** Builders for policy tests. */
import type { DeviceFacts, PolicyRootValues } from '../../../agent/policy/types.js';

export const BUILD_24H2 = '10.0.26100.4349';
export const BUILD_22H2 = '10.0.22621.1480';

/** Four roots, empty unless given. */
export function roots(r: Partial<PolicyRootValues> = {}): PolicyRootValues {
  return { csp: {}, gpo: {}, local: {}, legacy: {}, ...r };
}

/** A hybrid-joined 24H2 member machine without the legacy CSE, unless overridden. */
export function facts(f: Partial<DeviceFacts> = {}): DeviceFacts {
  return { osBuild: BUILD_24H2, isDomainController: false, legacyCseInstalled: false, joinType: 'hybrid', ...f };
}
