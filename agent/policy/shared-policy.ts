/**
 * Effective policies shared between devices: a fleet's devices mostly hold the same roots, and a
 * fleet rebuilds a device from its rows at nearly every rotation. The same roots, device facts
 * and options give the same policy (resolvePolicy is pure), so it is resolved once, deeply frozen
 * and handed to every device that asks; its policy dump (event 10021-10024) is made once with it.
 */
import type { EffectivePolicy, DeviceFacts, PolicyRootValues, ResolveOptions } from './types.js';
import { resolvePolicy } from './resolve-policy.js';
import { policyDumpEvent, type PolicyDump } from './policy-dump.js';

/** Policies kept; the cache starts over beyond (a fleet holds a handful of distinct ones). */
const SIZE = 4096;
const POLICIES = new Map<string, EffectivePolicy>();
const DUMPS = new WeakMap<EffectivePolicy, PolicyDump>();

/** resolvePolicy, shared: the returned policy is deeply frozen and may be the one of another device. */
export function sharedPolicy(roots: PolicyRootValues, facts: DeviceFacts, options: ResolveOptions = {}): EffectivePolicy {
  const key = JSON.stringify([roots.csp, roots.gpo, roots.local, roots.legacy, facts.osBuild, facts.joinType, facts.isDomainController,
    facts.legacyCseInstalled, options.entraMinAgeMode ?? null]);
  let policy = POLICIES.get(key);
  if (!policy) {
    policy = deepFreeze(resolvePolicy(roots, facts, options));
    if (POLICIES.size >= SIZE) POLICIES.clear();
    POLICIES.set(key, policy);
  }
  return policy;
}

/** The policy's dump event and fields, made once per policy object. */
export function sharedPolicyDump(policy: EffectivePolicy): PolicyDump {
  let dump = DUMPS.get(policy);
  if (!dump) DUMPS.set(policy, (dump = policyDumpEvent(policy)));
  return dump;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
