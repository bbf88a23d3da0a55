/**
 * The endpoint-security "Local admin password solution (Windows LAPS)" template as data: every
 * `device_vendor_msft_laps_policies_*` setting definition with its kind, options, range, where it
 * sits in the tree (top level, or a child of which options), its template references and the LAPS
 * CSP node it writes. The importer, the Graph writer and the CSP translator walk this table; none
 * of them branches on a setting id. Source: intune-graph.md sections 2 and 3 (setting definitions,
 * real exports, the LAPS CSP DDF).
 */
import { settingByName, type SettingSpec } from '../../csp/laps/settings.js';

/** The template's id, as Graph writes it in templateReference.templateId. */
export const LAPS_TEMPLATE_ID = 'adc46e5a-f4aa-4ff6-aeff-4f27bc525796_1';
/** The template's family. */
export const LAPS_TEMPLATE_FAMILY = 'endpointSecurityAccountProtection';
/** The template's display name. */
export const LAPS_TEMPLATE_DISPLAY_NAME = 'Local admin password solution (Windows LAPS)';
/** The template's display version. */
export const LAPS_TEMPLATE_DISPLAY_VERSION = 'Version 1';

/** Prefix of every LAPS setting definition id. */
export const LAPS_SETTING_PREFIX = 'device_vendor_msft_laps_policies_';

/** Template references of a top-level setting (intune-graph.md section 2). */
export interface TemplateIds {
  readonly instance: string;
  readonly value: string;
}

interface Common {
  /** The settingDefinitionId. */
  readonly id: string;
  /** Option ids under which this setting is a child; undefined for a top-level setting. */
  readonly parents: readonly string[] | undefined;
  /** Template references (top-level settings only; children carry null). */
  readonly template: TemplateIds | undefined;
  /** The LAPS CSP node (leaf name under ./Device/Vendor/MSFT/LAPS/Policies). */
  readonly cspNode: string;
  /** The CSP node's declaration (format, CSP version). */
  readonly csp: SettingSpec;
}

/** A choice setting: the value is an option id, `<id>_<suffix>`; the suffix gives the CSP value. */
export interface ChoiceDefinition extends Common {
  readonly kind: 'choice';
  /** Option suffixes, in the definition's order. */
  readonly options: readonly string[];
}

/** A simple integer setting with an inclusive range. */
export interface IntegerDefinition extends Common {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
}

/** A simple string setting with a length limit. */
export interface StringDefinition extends Common {
  readonly kind: 'string';
  readonly maxLength: number;
}

/** Any setting of the template. */
export type SettingDefinition = ChoiceDefinition | IntegerDefinition | StringDefinition;

const P = LAPS_SETTING_PREFIX;
const BOOL = ['false', 'true'] as const;
/** Longest string lapsim accepts where the definition sets no limit (far above Windows' 20-character names). */
const NAME_MAX = 1024;

function csp(node: string): SettingSpec {
  const spec = settingByName(node);
  if (!spec?.inCsp) throw new Error(`csp/laps/settings.ts declares no CSP node ${node}`);
  return spec;
}

function choice(id: string, node: string, options: readonly string[], parents?: readonly string[], template?: TemplateIds): ChoiceDefinition {
  return { kind: 'choice', id: P + id, cspNode: node, csp: csp(node), options, parents: parents?.map((x) => P + x), template };
}

function integer(id: string, node: string, min: number, max: number, parents?: readonly string[], template?: TemplateIds): IntegerDefinition {
  return { kind: 'integer', id: P + id, cspNode: node, csp: csp(node), min, max, parents: parents?.map((x) => P + x), template };
}

function text(id: string, node: string, maxLength: number, parents?: readonly string[], template?: TemplateIds): StringDefinition {
  return { kind: 'string', id: P + id, cspNode: node, csp: csp(node), maxLength, parents: parents?.map((x) => P + x), template };
}

const AAM_TRUE = ['automaticaccountmanagementenabled_true'];
const AD = ['backupdirectory_2'];

/** Every setting of the template, top-level ones in the portal's order, children after their parent. */
export const LAPS_SETTINGS: readonly SettingDefinition[] = [
  choice('backupdirectory', 'BackupDirectory', ['0', '1', '2'], undefined,
    { instance: 'a3270f64-e493-499d-8900-90290f61ed8a', value: '4d90f03d-e14c-43c4-86da-681da96a2f92' }),
  integer('passwordagedays_aad', 'PasswordAgeDays', 7, 365, ['backupdirectory_1']),
  integer('passwordagedays', 'PasswordAgeDays', 1, 365, AD),
  choice('passwordexpirationprotectionenabled', 'PasswordExpirationProtectionEnabled', BOOL, AD),
  choice('adpasswordencryptionenabled', 'ADPasswordEncryptionEnabled', BOOL, AD),
  text('adpasswordencryptionprincipal', 'ADPasswordEncryptionPrincipal', 87516, AD),
  integer('adencryptedpasswordhistorysize', 'ADEncryptedPasswordHistorySize', 0, 12, AD),
  text('administratoraccountname', 'AdministratorAccountName', NAME_MAX, undefined,
    { instance: 'd3d7d492-0019-4f56-96f8-1967f7deabeb', value: '992c7fce-f9e4-46ab-ac11-e167398859ea' }),
  choice('passwordcomplexity', 'PasswordComplexity', ['1', '2', '3', '4', '5', '6', '7', '8'], undefined,
    { instance: '8a7459e8-1d1c-458a-8906-7b27d216de52', value: 'aa883ab5-625e-4e3b-b830-a37a4bb8ce01' }),
  integer('passphraselength', 'PassphraseLength', 3, 10, ['passwordcomplexity_6', 'passwordcomplexity_7', 'passwordcomplexity_8']),
  integer('passwordlength', 'PasswordLength', 8, 64, undefined,
    { instance: 'da7a1dbd-caf7-4341-ab63-ece6f994ff02', value: 'd08f1266-5345-4f53-8ae1-4c20e6cb5ec9' }),
  choice('postauthenticationactions', 'PostAuthenticationActions', ['1', '3', '5', '11'], undefined,
    { instance: 'd9282eb1-d187-42ae-b366-7081f32dcfff', value: '68ff4f78-baa8-4b32-bf3d-5ad5566d8142' }),
  integer('postauthenticationresetdelay', 'PostAuthenticationResetDelay', 0, 24, undefined,
    { instance: 'a9e21166-4055-4042-9372-efaf3ef41868', value: '0deb6aee-8dac-40c4-a9dd-c3718e5c1d52' }),
  choice('automaticaccountmanagementenabled', 'AutomaticAccountManagementEnabled', BOOL, undefined,
    { instance: '0d70f6fb-8f35-4fba-8ada-494b8a478703', value: '5db30960-1e02-4100-9e2c-a2212596b054' }),
  choice('automaticaccountmanagementtarget', 'AutomaticAccountManagementTarget', ['0', '1'], AAM_TRUE),
  text('automaticaccountmanagementnameorprefix', 'AutomaticAccountManagementNameOrPrefix', NAME_MAX, AAM_TRUE),
  choice('automaticaccountmanagementenableaccount', 'AutomaticAccountManagementEnableAccount', BOOL, AAM_TRUE),
  choice('automaticaccountmanagementrandomizename', 'AutomaticAccountManagementRandomizeName', BOOL, AAM_TRUE),
];

const BY_ID: ReadonlyMap<string, SettingDefinition> = new Map(LAPS_SETTINGS.map((d) => [d.id, d]));

/** The definition with this id (Graph compares ids case-insensitively). */
export function settingDefinition(id: string): SettingDefinition | undefined {
  return BY_ID.get(id.toLowerCase());
}

/** The option id of a choice definition for a suffix (`..._backupdirectory` + `1`). */
export function optionId(def: ChoiceDefinition, suffix: string): string {
  return `${def.id}_${suffix}`;
}

/** The suffix of an option id when it is one of the definition's options, else undefined. */
export function optionSuffix(def: ChoiceDefinition, option: string): string | undefined {
  const o = option.toLowerCase();
  if (!o.startsWith(`${def.id}_`)) return undefined;
  const suffix = o.slice(def.id.length + 1);
  return def.options.includes(suffix) ? suffix : undefined;
}

/** The CSP value an option stands for: `true`/`false` give booleans, digits give integers. */
export function optionCspValue(suffix: string): number | boolean {
  if (suffix === 'true') return true;
  if (suffix === 'false') return false;
  return Number(suffix);
}
