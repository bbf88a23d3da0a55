/**
 * Which policies reach a device: a policy applies when one of its include targets matches (a
 * group holding the device or the user signed in to it, all devices, all users when someone is
 * signed in) and none of its exclusion groups holds the device or that user. Exclusion wins
 * over inclusion (intune-graph.md 6.2). User-group assignments follow the signed-in user, so the
 * device's policy changes as users sign in (laps-behaviour.md 11.1). Pure.
 */
import type { AssignmentTarget } from './policy-types.js';

/** What targeting needs to know about one device. */
export interface DeviceMembership {
  /** Groups the device is a member of. */
  readonly deviceGroups: ReadonlySet<string>;
  /** Groups the signed-in user is a member of (empty when nobody is signed in). */
  readonly userGroups: ReadonlySet<string>;
  /** Someone is signed in (the all-users target applies). */
  readonly userSignedIn: boolean;
}

/** A policy's assignment targets. */
export interface PolicyTargets {
  readonly policyId: string;
  readonly targets: readonly AssignmentTarget[];
}

/** Why a policy reaches the device. */
export type TargetedVia = 'device' | 'user';

/** The policy ids that reach the device, each with how (device wins when both match). */
export function targetedPolicies(device: DeviceMembership, policies: readonly PolicyTargets[]): Map<string, TargetedVia> {
  const out = new Map<string, TargetedVia>();
  for (const p of policies) {
    let via: TargetedVia | undefined;
    let excluded = false;
    for (const t of p.targets) {
      switch (t.kind) {
        case 'exclusionGroup':
          if (device.deviceGroups.has(t.groupId) || device.userGroups.has(t.groupId)) excluded = true;
          break;
        case 'allDevices':
          via = 'device';
          break;
        case 'allLicensedUsers':
          if (device.userSignedIn && via === undefined) via = 'user';
          break;
        case 'group':
          if (device.deviceGroups.has(t.groupId)) via = 'device';
          else if (device.userGroups.has(t.groupId) && via === undefined) via = 'user';
          break;
      }
    }
    if (via !== undefined && !excluded) out.set(p.policyId, via);
  }
  return out;
}
