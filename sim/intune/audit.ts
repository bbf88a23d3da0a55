/**
 * Intune audit events in Graph's `auditEvent` shape (GET /beta/deviceManagement/auditEvents):
 * who (actor), when, what (activity, operation type, result) and on which resource, with the
 * properties that changed. The activity naming follows Intune's "<Operation> <ResourceType>"
 * pattern; the exact names for LAPS were not found (intune-graph.md 9) and are lapsim's.
 * See https://learn.microsoft.com/graph/api/resources/intune-auditing-auditevent
 */
import { graphTime } from './graph-time.js';
import type { Principal } from './policy-store.js';

/** Who did it, as the route saw the caller. */
export interface Actor {
  readonly principal: Principal;
  readonly permissions: readonly string[];
  readonly ipAddress: string | null;
}

/** A property an audited change modified, with its values before and after. */
export interface ModifiedProperty {
  readonly displayName: string;
  readonly oldValue: string | null;
  readonly newValue: string | null;
}

/** The object an audited activity acted on. */
export interface AuditResource {
  readonly displayName: string;
  readonly type: string;
  readonly resourceId: string;
  readonly modifiedProperties?: readonly ModifiedProperty[];
}

/** What happened. */
export interface AuditActivity {
  /** e.g. `Create DeviceManagementConfigurationPolicy`. */
  readonly activity: string;
  /** Create, Update, Patch, Delete, Action, Get. */
  readonly operationType: string;
  /** DeviceConfiguration, Device. */
  readonly category: string;
  readonly componentName: string;
  readonly result: 'Success' | 'Failure';
}

/** Activities the emulator records. */
export const ACTIVITIES = {
  policyCreate: { activity: 'Create DeviceManagementConfigurationPolicy', operationType: 'Create', category: 'DeviceConfiguration', componentName: 'DeviceConfiguration' },
  policyUpdate: { activity: 'Update DeviceManagementConfigurationPolicy', operationType: 'Update', category: 'DeviceConfiguration', componentName: 'DeviceConfiguration' },
  policyPatch: { activity: 'Patch DeviceManagementConfigurationPolicy', operationType: 'Patch', category: 'DeviceConfiguration', componentName: 'DeviceConfiguration' },
  policyDelete: { activity: 'Delete DeviceManagementConfigurationPolicy', operationType: 'Delete', category: 'DeviceConfiguration', componentName: 'DeviceConfiguration' },
  policyAssign: { activity: 'Assign DeviceManagementConfigurationPolicy', operationType: 'Action', category: 'DeviceConfiguration', componentName: 'DeviceConfiguration' },
  rotate: { activity: 'rotateLocalAdminPassword ManagedDevice', operationType: 'Action', category: 'Device', componentName: 'Devices' },
  passwordRead: { activity: 'Read local admin password ManagedDevice', operationType: 'Get', category: 'Device', componentName: 'Devices' },
} as const satisfies Record<string, Omit<AuditActivity, 'result'>>;

/** An auditEvent as Graph returns it. */
export function auditEvent(
  ids: { readonly id: string; readonly correlationId: string }, at: number, actor: Actor, what: AuditActivity, resources: readonly AuditResource[],
): Record<string, unknown> {
  return {
    id: ids.id,
    displayName: what.activity,
    componentName: what.componentName,
    actor: {
      type: 'ItPro', auditActorType: 'itPro', userPermissions: [...actor.permissions], applicationId: null, applicationDisplayName: null,
      userPrincipalName: actor.principal.userPrincipalName, servicePrincipalName: null, ipAddress: actor.ipAddress,
      userId: actor.principal.id, userRoleScopeTags: [], remoteTenantId: null, remoteUserId: null,
    },
    activity: what.activity,
    activityDateTime: graphTime(at),
    activityType: what.activity,
    activityOperationType: what.operationType,
    activityResult: what.result,
    correlationId: ids.correlationId,
    resources: resources.map((r) => ({
      displayName: r.displayName, type: r.type, auditResourceType: r.type, resourceId: r.resourceId, modifiedProperties: r.modifiedProperties ?? [],
    })),
    category: what.category,
  };
}
