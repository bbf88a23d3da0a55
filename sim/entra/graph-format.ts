/**
 * Microsoft Graph shapes the Entra emulator answers with: deviceLocalCredentialInfo,
 * deviceLocalCredential, directoryAudit, and Graph's error body. Property names and order follow
 * Microsoft's resource pages (intune-graph.md sections 8 and 9).
 * See https://learn.microsoft.com/graph/api/resources/devicelocalcredentialinfo and
 * https://learn.microsoft.com/graph/api/resources/directoryaudit
 */

/** A Graph DateTimeOffset as Graph prints it: UTC with seven fractional digits. */
export function graphDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** The `date` of an innerError: UTC, whole seconds, no zone letter (as Graph sends it). */
export function innerErrorDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** Graph deviceLocalCredential: one password of a device. */
export interface DeviceLocalCredential {
  readonly accountName: string;
  readonly accountSid: string;
  readonly backupDateTime: string;
  readonly passwordBase64: string;
}

/** Graph deviceLocalCredentialInfo: a device and, when selected, its passwords. */
export interface DeviceLocalCredentialInfo {
  readonly id: string;
  readonly deviceName: string;
  readonly lastBackupDateTime: string | null;
  readonly refreshDateTime: string | null;
  readonly credentials?: readonly DeviceLocalCredential[];
}

/** The properties of deviceLocalCredentialInfo, as Graph names them. */
export const CREDENTIAL_INFO_PROPERTIES = ['id', 'deviceName', 'lastBackupDateTime', 'refreshDateTime', 'credentials'] as const;

/** passwordBase64: the password's UTF-8 bytes in base64 (laps-behaviour.md 8.2; UTF-8 by decision). */
export function passwordBase64(password: string): string {
  return Buffer.from(password, 'utf8').toString('base64');
}

/** directoryAudit initiatedBy.user. */
export interface AuditUser {
  readonly id: string;
  readonly displayName: string | null;
  readonly userPrincipalName: string | null;
  readonly ipAddress: string | null;
}

/** directoryAudit initiatedBy.app. */
export interface AuditApp {
  readonly appId: string | null;
  readonly displayName: string | null;
  readonly servicePrincipalId: string | null;
  readonly servicePrincipalName: string | null;
}

/** Graph directoryAudit, properties in Graph order. */
export interface DirectoryAudit {
  readonly id: string;
  readonly category: 'Device';
  readonly correlationId: string;
  readonly result: 'success' | 'failure';
  readonly resultReason: string;
  readonly activityDisplayName: string;
  readonly activityDateTime: string;
  readonly loggedByService: 'Device Registration Service';
  readonly operationType: string;
  readonly initiatedBy: { readonly app: AuditApp | null; readonly user: AuditUser | null };
  readonly targetResources: readonly {
    readonly id: string; readonly displayName: string; readonly type: 'Device'; readonly userPrincipalName: null;
    readonly groupType: null; readonly modifiedProperties: readonly never[];
  }[];
  readonly additionalDetails: readonly { readonly key: string; readonly value: string }[];
}

/** The activity a device backup records. */
export const UPDATE_ACTIVITY = 'Update device local administrator password';
/** The activity a password read ($select=credentials) records. */
export const RECOVER_ACTIVITY = 'Recover device local administrator password';

export interface AuditTarget {
  /** The device's directory object id. */
  readonly objectId: string;
  readonly deviceName: string;
  /** The Entra deviceId. */
  readonly deviceId: string;
}

/** An audit entry's id and correlation id. */
export interface AuditIds {
  readonly id: string;
  readonly correlationId: string;
}

function entry(
  ids: AuditIds, at: number, activity: string, operationType: string, initiatedBy: DirectoryAudit['initiatedBy'], target: AuditTarget,
  details: readonly { key: string; value: string }[],
): DirectoryAudit {
  return {
    id: ids.id, category: 'Device', correlationId: ids.correlationId, result: 'success', resultReason: '',
    activityDisplayName: activity, activityDateTime: graphDateTime(at), loggedByService: 'Device Registration Service', operationType,
    initiatedBy,
    targetResources: [{ id: target.objectId, displayName: target.deviceName, type: 'Device', userPrincipalName: null, groupType: null, modifiedProperties: [] }],
    additionalDetails: details,
  };
}

/**
 * "Update device local administrator password": a device backed up a password. Who initiates it
 * is not documented (intune-graph.md 11.2); lapsim names the Device Registration Service as an app.
 */
export function updateAudit(ids: AuditIds, at: number, target: AuditTarget, userAgent: string): DirectoryAudit {
  return entry(ids, at, UPDATE_ACTIVITY, 'Update', {
    app: { appId: null, displayName: 'Device Registration Service', servicePrincipalId: null, servicePrincipalName: null }, user: null,
  }, target, [
    { key: 'AdditionalInfo', value: 'Successfully updated password on the device' },
    { key: 'Device Id', value: target.deviceId },
    { key: 'User-Agent', value: userAgent },
  ]);
}

/** "Recover device local administrator password": someone read the passwords through Graph. */
export function recoverAudit(
  ids: AuditIds, at: number, target: AuditTarget, initiatedBy: DirectoryAudit['initiatedBy'], userAgent: string,
): DirectoryAudit {
  return entry(ids, at, RECOVER_ACTIVITY, 'Read', initiatedBy, target, [
    { key: 'AdditionalInfo', value: 'Successfully recovered local credential by device id' },
    { key: 'Device Id', value: target.deviceId },
    { key: 'User-Agent', value: userAgent },
  ]);
}

/** Graph's error body: `{"error":{"code","message","innerError":{date, request-id, client-request-id}}}`. */
export function graphError(code: string, message: string, at: number, requestId: string, clientRequestId: string): object {
  return { error: { code, message, innerError: { date: innerErrorDate(at), 'request-id': requestId, 'client-request-id': clientRequestId } } };
}
