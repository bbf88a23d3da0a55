/**
 * Role-based access as Intune and Entra name it (laps-behaviour.md 11.3 and 11.4): LAPS policies
 * need the Security baselines permissions (built-in Endpoint Security Manager); the rotate action
 * needs Managed devices: Read, Organization: Read and Remote tasks: Rotate local admin password,
 * which no built-in role holds (a custom role, here "LAPS Rotation Operator"); reading a password
 * needs Entra's deviceLocalCredentials/password/read (metadata: .../standard/read), held by Cloud
 * Device Administrator and, per Intune's docs, Intune Administrator; audit and reports are read
 * by the Read Only Operator. Admin tokens carry roles and, for custom roles, extra permissions.
 */

/** Every permission a route may ask for. */
export const PERMISSIONS = {
  policyRead: 'Microsoft.Intune_SecurityBaselines_Read',
  policyCreate: 'Microsoft.Intune_SecurityBaselines_Create',
  policyUpdate: 'Microsoft.Intune_SecurityBaselines_Update',
  policyDelete: 'Microsoft.Intune_SecurityBaselines_Delete',
  policyAssign: 'Microsoft.Intune_SecurityBaselines_Assign',
  devicesRead: 'Microsoft.Intune_ManagedDevices_Read',
  organizationRead: 'Microsoft.Intune_Organization_Read',
  rotate: 'Microsoft.Intune_RemoteTasks_RotateLocalAdminPassword',
  auditRead: 'Microsoft.Intune_Audit_Read',
  passwordRead: 'microsoft.directory/deviceLocalCredentials/password/read',
  passwordMetadataRead: 'microsoft.directory/deviceLocalCredentials/standard/read',
  groupsRead: 'microsoft.directory/groups/standard/read',
  groupsCreate: 'microsoft.directory/groups/create',
  groupsDelete: 'microsoft.directory/groups/delete',
  groupMembersUpdate: 'microsoft.directory/groups/members/update',
  usersRead: 'microsoft.directory/users/standard/read',
  usersCreate: 'microsoft.directory/users/create',
  directoryDevicesRead: 'microsoft.directory/devices/standard/read',
  /** lapsim's own admin API (device registration, tokens, sign-ins): the master token only. */
  lapsimAdmin: 'lapsim.Admin',
} as const;

/** One permission name. */
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

/** Every permission; the master admin token holds them all. */
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS);

const P = PERMISSIONS;
const DIRECTORY_READ: readonly Permission[] = [P.groupsRead, P.usersRead, P.directoryDevicesRead];
const POLICY_ALL: readonly Permission[] = [P.policyRead, P.policyCreate, P.policyUpdate, P.policyDelete, P.policyAssign];

/** Built-in roles and the custom rotation role, with their permissions. */
export const ROLES: Readonly<Record<string, readonly Permission[]>> = {
  'Intune Administrator': [
    ...POLICY_ALL, P.devicesRead, P.organizationRead, P.auditRead, P.passwordRead, P.passwordMetadataRead,
    ...DIRECTORY_READ, P.groupsCreate, P.groupsDelete, P.groupMembersUpdate, P.usersCreate,
  ],
  'Endpoint Security Manager': [...POLICY_ALL, P.devicesRead, P.organizationRead, P.auditRead, ...DIRECTORY_READ],
  'Read Only Operator': [P.policyRead, P.devicesRead, P.organizationRead, P.auditRead, ...DIRECTORY_READ],
  'Help Desk Operator': [P.policyRead, P.devicesRead, P.organizationRead, ...DIRECTORY_READ],
  'Cloud Device Administrator': [P.passwordRead, P.passwordMetadataRead, P.directoryDevicesRead],
  'LAPS Rotation Operator': [P.devicesRead, P.organizationRead, P.rotate],
};

/** Names of the roles a token may carry. */
export const ROLE_NAMES: readonly string[] = Object.keys(ROLES);

/** The permissions a route needs: all of `allOf`, and one of `anyOf` when given. */
export interface Requirement {
  readonly allOf: readonly Permission[];
  readonly anyOf?: readonly Permission[];
}

/** The permissions of a set of roles plus extra permissions, deduplicated. */
export function permissionsOf(roles: readonly string[], extra: readonly string[] = []): Permission[] {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLES[r] ?? []) out.add(p);
  for (const p of extra) if ((ALL_PERMISSIONS as readonly string[]).includes(p)) out.add(p as Permission);
  return [...out];
}

/** True when the permissions meet the requirement. */
export function allows(held: ReadonlySet<string>, need: Requirement): boolean {
  if (!need.allOf.every((p) => held.has(p))) return false;
  return need.anyOf === undefined || need.anyOf.some((p) => held.has(p));
}

/** The permissions of a requirement that are missing, for the 403 message. */
export function missing(held: ReadonlySet<string>, need: Requirement): string[] {
  const out: string[] = need.allOf.filter((p) => !held.has(p));
  if (need.anyOf !== undefined && !need.anyOf.some((p) => held.has(p))) out.push(`one of ${need.anyOf.join(', ')}`);
  return out;
}

/**
 * Entra Graph permissions a token of these permissions also gets on the mounted Entra emulator,
 * so that one token reads deviceLocalCredentials and directoryAudits as the portal would.
 */
export function entraPermissionsOf(held: readonly string[]): string[] {
  const out: string[] = [];
  if (held.includes(P.passwordRead)) out.push('DeviceLocalCredential.Read.All');
  if (held.includes(P.passwordMetadataRead) || held.includes(P.passwordRead)) out.push('DeviceLocalCredential.ReadBasic.All');
  if (held.includes(P.auditRead)) out.push('AuditLog.Read.All');
  return out;
}
