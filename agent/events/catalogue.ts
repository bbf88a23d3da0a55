/**
 * The Microsoft-Windows-LAPS/Operational events lapsim emits (laps-behaviour.md section 10), each
 * with its level and a message template. Where Microsoft publishes the text (Learn "Use Windows LAPS
 * event logs", the LAPS troubleshooting guidance and support event samples) the template follows it
 * word for word; elsewhere the wording is lapsim's and keeps Windows' style.
 * See https://learn.microsoft.com/windows-server/identity/laps/laps-management-event-log
 *
 * Template syntax: `{field}` or `{field:format}`. Formats: `hex` (0x3E8), `hex8` (0x80072EE7),
 * `hresult` (80070032, as 10005 prints it), `bit` (booleans as 1/0), `iso` (epoch ms as UTC ISO
 * 8601), `reasons` (a 10015 reason mask, one line per reason).
 */
import type { EventLevel } from '../ports.js';

export type EventFieldType = 'string' | 'number' | 'boolean';

/** One catalogue entry. */
export interface EventSpec {
  readonly level: EventLevel;
  readonly template: string;
  /** Every field the template uses, with its type. */
  readonly fields: Readonly<Record<string, EventFieldType>>;
  /** `windows` = an event of the real LAPS manifest; `lapsim` = the simulator's own. */
  readonly origin: 'windows' | 'lapsim';
}

const ACCOUNT = '\n\nAccount name: {accountName}\nAccount RID: {rid:hex}';
const ACCOUNT_FIELDS = { accountName: 'string', rid: 'number' } as const;
const ERROR_CODE = '\n\nError code: {errorCode:hex8}';
const ERROR_FIELDS = { errorCode: 'number' } as const;
const NONE = {} as const;

const POLICY_HEAD =
  'The current LAPS policy is configured as follows:\n\nPolicy source: {policySource}\nBackup directory: {backupDirectory}\n' +
  'Local administrator account name: {accountName}\nPassword age in days: {passwordAgeDays}\n' +
  'Password complexity: {passwordComplexity}\nPassword length: {passwordLength}';
const POLICY_HEAD_FIELDS = {
  policySource: 'string',
  backupDirectory: 'string',
  accountName: 'string',
  passwordAgeDays: 'number',
  passwordComplexity: 'number',
  passwordLength: 'number',
} as const;
const POST_AUTH = '\nPost authentication grace period (hours): {postAuthResetDelay}\nPost authentication actions: {postAuthActions:hex}';
const POST_AUTH_FIELDS = { postAuthResetDelay: 'number', postAuthActions: 'number' } as const;

const BLOCKED = 'LAPS blocked an external request that tried to ';

/** lapsim's own event for a policy value that was not used (Windows documents none); see docs/decisions.md. */
export const POLICY_VALUE_IGNORED_EVENT = 10900;

/** Every event, keyed by ID. */
export const EVENT_CATALOGUE = {
  10000: { level: 'Information', origin: 'windows', fields: NONE, template: 'The Local Administrator Password feature was successfully loaded and initialized.' },
  10001: { level: 'Error', origin: 'windows', fields: ERROR_FIELDS, template: `The Local Administrator Password dll failed to initialize.${ERROR_CODE}` },
  10002: { level: 'Information', origin: 'windows', fields: NONE, template: 'The Local Administrator Password dll was unloaded.' },
  10003: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS policy processing is now starting.' },
  10004: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS policy processing succeeded.' },
  10005: {
    level: 'Error', origin: 'windows', fields: ERROR_FIELDS,
    template: 'LAPS policy processing failed with the error code below.\n\nError code: {errorCode:hresult}',
  },
  10006: {
    level: 'Error', origin: 'windows', fields: NONE,
    template:
      'LAPS password encryption is required but the Active Directory domain is not yet at 2016 domain functional level. ' +
      'The password was not updated and no changes will be made until this is corrected.',
  },
  10007: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS is not currently configured to manage any account.' },
  10008: { level: 'Warning', origin: 'windows', fields: NONE, template: 'LAPS policy is currently not supported on domain controllers.' },
  10009: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS is configured to backup passwords to Active Directory.' },
  10010: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS is configured to backup passwords to Azure Active Directory.' },
  10011: {
    level: 'Error', origin: 'windows', fields: ERROR_FIELDS,
    template: `LAPS failed when querying Active Directory for the current computer state.${ERROR_CODE}`,
  },
  10012: {
    level: 'Error', origin: 'windows', fields: NONE,
    template: 'The Active Directory schema has not been updated with the necessary LAPS attributes.',
  },
  10013: {
    level: 'Error', origin: 'windows', fields: { accountName: 'string' },
    template: 'LAPS failed to find the currently configured local administrator account.\n\nAccount name: {accountName}',
  },
  10014: {
    level: 'Information', origin: 'windows', fields: NONE,
    template: 'LAPS is updating the managed account password due to an Administrator-initiated request.',
  },
  10015: {
    level: 'Information', origin: 'windows', fields: { reasons: 'number' },
    template: 'The managed account password needs to be updated due to one or more reasons ({reasons:hex}):\n\n{reasons:reasons}',
  },
  10016: { level: 'Information', origin: 'windows', fields: NONE, template: 'The managed account password does not need to be updated at this time.' },
  10017: {
    level: 'Error', origin: 'windows', fields: ERROR_FIELDS,
    template: `LAPS failed to update Active Directory with the new password. The current password has not been modified.${ERROR_CODE}`,
  },
  10018: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS successfully updated Active Directory with the new password.' },
  10019: {
    level: 'Error', origin: 'windows', fields: { ...ACCOUNT_FIELDS, ...ERROR_FIELDS },
    template: `LAPS failed to update the local admin account with the new password.${ACCOUNT}\nError code: {errorCode:hex8}`,
  },
  10020: {
    level: 'Information', origin: 'windows', fields: ACCOUNT_FIELDS,
    template: `LAPS successfully updated the local admin account with the new password.${ACCOUNT}`,
  },
  10021: {
    level: 'Information', origin: 'windows',
    fields: {
      ...POLICY_HEAD_FIELDS, passwordExpirationProtection: 'boolean', encryptionEnabled: 'boolean', encryptionPrincipal: 'string',
      encryptedHistorySize: 'number', backupDsrm: 'boolean', ...POST_AUTH_FIELDS,
    },
    template:
      `${POLICY_HEAD}\nPassword expiration protection enabled: {passwordExpirationProtection:bit}\n` +
      'Password encryption enabled: {encryptionEnabled:bit}\nPassword encryption target principal: {encryptionPrincipal}\n' +
      'Password encrypted history size: {encryptedHistorySize}\nBackup DSRM password on domain controllers: {backupDsrm:bit}' +
      POST_AUTH,
  },
  10022: { level: 'Information', origin: 'windows', fields: { ...POLICY_HEAD_FIELDS, ...POST_AUTH_FIELDS }, template: `${POLICY_HEAD}${POST_AUTH}` },
  10023: {
    level: 'Information', origin: 'windows', fields: { ...POLICY_HEAD_FIELDS, passwordExpirationProtection: 'boolean' },
    template: `${POLICY_HEAD}\nPassword expiration protection enabled: {passwordExpirationProtection:bit}`,
  },
  10024: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS policy is configured as disabled.' },
  10025: { level: 'Error', origin: 'windows', fields: ERROR_FIELDS, template: `Azure discovery failed.${ERROR_CODE}` },
  10026: {
    level: 'Error', origin: 'windows', fields: ERROR_FIELDS,
    template: `LAPS was unable to authenticate to Azure using the device identity.${ERROR_CODE}`,
  },
  10027: {
    level: 'Error', origin: 'windows', fields: NONE,
    template:
      'LAPS was unable to create an acceptable new password. Please verify that the LAPS password length and complexity ' +
      'policy is compatible with the domain and local password policy settings.',
  },
  10028: {
    level: 'Error', origin: 'windows', fields: ERROR_FIELDS,
    template: `LAPS failed to update Azure Active Directory with the new password.${ERROR_CODE}`,
  },
  10029: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS successfully updated Azure Active Directory with the new password.' },
  10030: { level: 'Information', origin: 'windows', fields: { url: 'string' }, template: 'LAPS is sending a message to the following endpoint.\n\n{url}' },
  10031: { level: 'Warning', origin: 'windows', fields: ACCOUNT_FIELDS, template: `${BLOCKED}modify the password of the current managed account.${ACCOUNT}` },
  10032: {
    level: 'Error', origin: 'windows', fields: ERROR_FIELDS,
    template: `LAPS was unable to authenticate to Azure using the device identity.${ERROR_CODE}`,
  },
  10033: {
    level: 'Warning', origin: 'windows', fields: NONE,
    template:
      'The machine is configured with legacy LAPS policy settings but a legacy LAPS product appears to be installed. ' +
      "The configured account's password will not be managed by Windows until the legacy product is uninstalled. " +
      'Alternatively, you may consider configuring the newer LAPS policy settings.',
  },
  10034: {
    level: 'Error', origin: 'windows', fields: { principal: 'string' },
    template:
      "The configured encryption principal is an isolated (ambiguous) name. This must be corrected before the configured account's " +
      'password can be managed. Please specify the name in either user@domain.com or domain\\user format.\n\nPrincipal: {principal}',
  },
  10035: {
    level: 'Error', origin: 'windows', fields: { principal: 'string' },
    template:
      'The configured encryption principal name could not be mapped to a known account. This must be corrected before the ' +
      "configured account's password can be managed.\n\nPrincipal: {principal}",
  },
  10041: {
    level: 'Information', origin: 'windows', fields: { ...ACCOUNT_FIELDS, deadline: 'number' },
    template:
      'LAPS detected a successful authentication for the currently managed account. A background task has been scheduled to ' +
      `execute the configured post-authentication actions after the configured grace period has expired.${ACCOUNT}\n` +
      'Password reset timer deadline: {deadline:iso}',
  },
  10042: {
    level: 'Information', origin: 'windows', fields: ACCOUNT_FIELDS,
    template: `The post-authentication grace period has expired per policy. The configured post-authentication actions will now be executed.${ACCOUNT}`,
  },
  10043: {
    level: 'Error', origin: 'windows', fields: { ...ACCOUNT_FIELDS, retryCount: 'number', ...ERROR_FIELDS },
    template:
      'LAPS failed to reset the password for the currently managed account. The password is considered expired due to an ' +
      `authentication event. LAPS will continue retrying the password reset operation until it succeeds.${ACCOUNT}\n` +
      'Password reset retry count: {retryCount}\nError code: {errorCode:hresult}',
  },
  10044: {
    level: 'Information', origin: 'windows', fields: ACCOUNT_FIELDS,
    template: `LAPS successfully reset the password for the currently managed account and completed all configured post-authentication actions.${ACCOUNT}`,
  },
  10048: {
    level: 'Error', origin: 'windows', fields: { retryCount: 'number' },
    template:
      'The currently pending post-authentication reset timer has been retried the maximum allowed number attempts and will no ' +
      'longer be scheduled.\n\nPassword reset retry count: {retryCount}',
  },
  10049: {
    level: 'Error', origin: 'windows', fields: ERROR_FIELDS,
    template: `LAPS attempted to reboot the machine as a post-authentication action but the operation failed.${ERROR_CODE}`,
  },
  10051: {
    level: 'Information', origin: 'windows', fields: NONE,
    template: 'LAPS is updating the managed account password in response to a post-authentication action.',
  },
  10052: { level: 'Information', origin: 'windows', fields: NONE, template: 'LAPS is processing the current policy per normal background scheduling.' },
  10054: {
    level: 'Information', origin: 'windows', fields: NONE,
    template: 'LAPS is processing the current policy in response to a Group Policy change notification.',
  },
  10055: { level: 'Information', origin: 'windows', fields: { dcName: 'string' }, template: 'LAPS is using the following domain controller:\n\nDCName: {dcName}' },
  10056: { level: 'Error', origin: 'windows', fields: ERROR_FIELDS, template: `LAPS failed to locate a writable domain controller.${ERROR_CODE}` },
  10057: {
    level: 'Error', origin: 'windows', fields: { dcName: 'string', ...ERROR_FIELDS },
    template: 'LAPS was unable to bind over LDAP to the domain controller.\n\nDCName: {dcName}\nError code: {errorCode:hex8}',
  },
  10058: {
    level: 'Warning', origin: 'windows', fields: { configuredDays: 'number', usedDays: 'number' },
    template:
      'The configured password age ({configuredDays} days) is below the minimum of 7 days supported when backing up passwords ' +
      'to Azure Active Directory. A password age of {usedDays} days will be used instead.',
  },
  10059: {
    level: 'Error', origin: 'windows', fields: { httpStatus: 'number', body: 'string' },
    template: 'Azure returned a failure code.\n\nHTTP status code: {httpStatus}\n\nResponse text:\n{body}',
  },
  10065: {
    level: 'Error', origin: 'windows', fields: { container: 'string' },
    template:
      'LAPS received an LDAP_INSUFFICIENT_RIGHTS error trying to update the password using the legacy LAPS password attribute. ' +
      "You should update the permissions on this computer's container using the Update-AdmPwdComputerSelfPermission cmdlet, " +
      'for example:\n\nUpdate-AdmPwdComputerSelfPermission -OrgUnit {container}',
  },
  10101: { level: 'Warning', origin: 'windows', fields: ACCOUNT_FIELDS, template: `${BLOCKED}modify the currently managed account.${ACCOUNT}` },
  10102: {
    level: 'Warning', origin: 'windows', fields: ACCOUNT_FIELDS,
    template: `${BLOCKED}modify the security descriptor of the currently managed account.${ACCOUNT}`,
  },
  10103: { level: 'Warning', origin: 'windows', fields: ACCOUNT_FIELDS, template: `${BLOCKED}delete the currently managed account.${ACCOUNT}` },
  10104: {
    level: 'Warning', origin: 'windows', fields: ACCOUNT_FIELDS,
    template: `${BLOCKED}remove the currently managed account from the local Administrators group.${ACCOUNT}`,
  },
  10108: {
    level: 'Warning', origin: 'windows', fields: NONE,
    template:
      'The Active Directory schema has not been updated with the msLAPS-CurrentPasswordVersion attribute. ' +
      'Password rollback detection is not active until the schema is updated with Update-LapsADSchema.',
  },
  [POLICY_VALUE_IGNORED_EVENT]: {
    level: 'Warning', origin: 'lapsim', fields: { policySource: 'string', name: 'string', value: 'string', reason: 'string', used: 'string' },
    template:
      'A LAPS policy setting holds a value that cannot be used on this device; the value shown below is used instead.\n\n' +
      'Policy source: {policySource}\nSetting: {name}\nConfigured value: {value}\nReason: {reason}\nValue used: {used}',
  },
} as const satisfies Readonly<Record<number, EventSpec>>;

export type LapsEventId = keyof typeof EVENT_CATALOGUE;

type FieldTypeOf<T> = T extends 'string' ? string : T extends 'number' ? number : boolean;

/** The fields event `Id` takes, typed from the catalogue. */
export type EventFieldsOf<Id extends LapsEventId> = {
  readonly [K in keyof (typeof EVENT_CATALOGUE)[Id]['fields']]: FieldTypeOf<(typeof EVENT_CATALOGUE)[Id]['fields'][K]>;
};

/** The catalogue entry for `id`, or undefined when lapsim does not know the event. */
export function eventSpec(id: number): EventSpec | undefined {
  return Object.hasOwn(EVENT_CATALOGUE, id) ? (EVENT_CATALOGUE as Readonly<Record<number, EventSpec>>)[id] : undefined;
}

/** Every known event ID, ascending. */
export const EVENT_IDS: readonly LapsEventId[] = (Object.keys(EVENT_CATALOGUE).map(Number) as LapsEventId[]).sort((a, b) => a - b);
