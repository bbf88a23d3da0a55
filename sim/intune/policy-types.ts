/**
 * The Intune emulator's domain model: a LAPS policy reduced to what it means (its setting tree,
 * with option ids and values), its assignments, and the directory objects they target. Graph's
 * JSON is read into these types by policy-import.ts and written back by policy-graph.ts.
 */

/** One configured setting: a choice (an option id, with children under it) or a simple value. */
export type SettingNode =
  | { readonly kind: 'choice'; readonly definitionId: string; readonly option: string; readonly children: readonly SettingNode[] }
  | { readonly kind: 'simple'; readonly definitionId: string; readonly value: number | string };

/** What a client sets on a policy. */
export interface PolicyContent {
  readonly name: string;
  readonly description: string;
  readonly roleScopeTagIds: readonly string[];
  /** Top-level settings, in the order the client sent them. */
  readonly settings: readonly SettingNode[];
}

/** A stored policy. Times are epoch ms. */
export interface PolicyRecord extends PolicyContent {
  readonly id: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

/** The virtual group id Graph gives the all-devices target (intune-graph.md 6.2). */
export const ALL_DEVICES_GROUP_ID = 'adadadad-808e-44e2-905a-0b7873a8a531';
/** The virtual group id Graph gives the all-users target. */
export const ALL_USERS_GROUP_ID = 'acacacac-9df4-4c7d-9d50-4ef0226f57a9';

/** An assignment filter as Graph echoes it (stored and listed; lapsim does not evaluate filters). */
export interface AssignmentFilter {
  readonly filterId: string | null;
  readonly filterType: 'none' | 'include' | 'exclude';
}

/** Where a policy is assigned. */
export type AssignmentTarget =
  | ({ readonly kind: 'group'; readonly groupId: string } & AssignmentFilter)
  | ({ readonly kind: 'exclusionGroup'; readonly groupId: string } & AssignmentFilter)
  | ({ readonly kind: 'allDevices' } & AssignmentFilter)
  | ({ readonly kind: 'allLicensedUsers' } & AssignmentFilter);

/** A stored assignment: its Graph id is `{policyId}_{groupId}`. */
export interface AssignmentRecord {
  readonly id: string;
  readonly policyId: string;
  readonly target: AssignmentTarget;
}

/** The group id an assignment's id and Graph's listing use for a target. */
export function targetGroupId(t: AssignmentTarget): string {
  switch (t.kind) {
    case 'group':
    case 'exclusionGroup':
      return t.groupId;
    case 'allDevices':
      return ALL_DEVICES_GROUP_ID;
    case 'allLicensedUsers':
      return ALL_USERS_GROUP_ID;
  }
}

/** How a device is joined (Intune's LAPS supports these two; laps-behaviour.md 11.1). */
export type JoinType = 'entra' | 'hybrid';

/** A managed device as the emulator keeps it. */
export interface DeviceRecord {
  /** Intune's managed device id. */
  readonly managedDeviceId: string;
  /** Entra deviceId (managedDevice.azureADDeviceId); also the id on the device channel. */
  readonly deviceId: string;
  /** Entra directory object id (what groups/members/$ref names). */
  readonly objectId: string;
  readonly deviceName: string;
  readonly joinType: JoinType;
  readonly osVersion: string;
  readonly enrolledAt: number;
  /** Primary user's object id. */
  readonly primaryUserId: string | undefined;
  /** The user signed in now (user-group assignments follow this user). */
  readonly signedInUserId: string | undefined;
  readonly lastSignInAt: number | undefined;
  /** Last device session (check-in). */
  readonly lastSyncAt: number | undefined;
}

/** A user object. */
export interface UserRecord {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly createdAt: number;
}

/** A security group. */
export interface GroupRecord {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly mailNickname: string;
  readonly createdAt: number;
}

/** A group member: a device (by Entra object id) or a user. */
export interface MemberRef {
  readonly kind: 'device' | 'user';
  readonly id: string;
}
