/**
 * The LAPS CSP node table, declared once as data: every node of ./Device/Vendor/MSFT/LAPS with its
 * format, access, occurrence, default, allowed values, the BackupDirectory values it applies to,
 * its CSP version and its behaviour. The handler walks this table; no code branches on node names.
 * Source: https://learn.microsoft.com/windows/client-management/mdm/laps-csp and its DDF
 * (https://learn.microsoft.com/windows/client-management/mdm/laps-ddf-file).
 */
import type { ItemCommandName } from '../syncml/types.js';
import { type Allowed, CSP_1_1_MIN_BUILD, SETTINGS, type SettingSpec, type SettingValue } from './settings.js';

/** `./Device/Vendor/MSFT/LAPS`: the CSP root (device scope only; there is no ./User path). */
export const LAPS_ROOT_URI = './Device/Vendor/MSFT/LAPS';

/** DDF `DFFormat` of a node. */
export type NodeFormat = 'node' | 'int' | 'chr' | 'bool' | 'null';

/**
 * What a node does, as the handler implements it:
 * - `interior`: lists its children (Get);
 * - `setting`: a stored policy value (Add/Delete/Get/Replace), named `valueName` in the CSP root;
 *   `allowedDependsOn` names the node whose value narrows the allowed range (DDF
 *   DependencyChangedAllowedValues);
 * - `reset-request`: Exec records a pending password reset for the device layer;
 * - `reset-status`: Get reads the HRESULT of the last reset (signed 32-bit decimal).
 */
export type NodeBehaviour =
  | { readonly kind: 'interior' }
  | { readonly kind: 'setting'; readonly valueName: string; readonly spec: SettingSpec; readonly allowedDependsOn?: string }
  | { readonly kind: 'reset-request' }
  | { readonly kind: 'reset-status' };

export interface LapsNode {
  /** Path below the root, `''` for the root itself, e.g. `Policies/PasswordAgeDays`. */
  readonly path: string;
  readonly name: string;
  readonly format: NodeFormat;
  /** DDF AccessType. */
  readonly access: ReadonlySet<ItemCommandName>;
  /** DDF Occurrence: `ZeroOrOne` leaves exist only while they hold a value. */
  readonly occurrence: 'One' | 'ZeroOrOne';
  /** DDF DFType for leaves (MIME), undefined for interior nodes. */
  readonly mimeType: string | undefined;
  readonly default: SettingValue | undefined;
  readonly allowed: Allowed | undefined;
  /** BackupDirectory values under which the node is used (empty: always). */
  readonly appliesTo: readonly (1 | 2)[];
  /** CSP version that added the node: 1.1 nodes exist only from build 26100 on. */
  readonly cspVersion: '1.0' | '1.1';
  readonly behaviour: NodeBehaviour;
  /** Names of the children (interior nodes), in DDF order. */
  readonly children: readonly string[];
}

const GET: ReadonlySet<ItemCommandName> = new Set(['Get']);
const EXEC: ReadonlySet<ItemCommandName> = new Set(['Exec']);
const LEAF: ReadonlySet<ItemCommandName> = new Set(['Add', 'Delete', 'Get', 'Replace']);
const TEXT_PLAIN = 'text/plain';

/** The node whose value selects PasswordAgeDays' allowed range (DDF DependencyChangedAllowedValues). */
const BACKUP_DIRECTORY = 'BackupDirectory';

function interior(path: string, children: readonly string[]): LapsNode {
  return {
    path, name: path.split('/').pop() ?? '', format: 'node', access: GET, occurrence: 'One', mimeType: undefined, default: undefined,
    allowed: undefined, appliesTo: [], cspVersion: '1.0', behaviour: { kind: 'interior' }, children,
  };
}

function policyLeaf(spec: SettingSpec): LapsNode {
  const behaviour: NodeBehaviour = spec.rangeByDirectory
    ? { kind: 'setting', valueName: spec.name, spec, allowedDependsOn: BACKUP_DIRECTORY }
    : { kind: 'setting', valueName: spec.name, spec };
  return {
    path: `Policies/${spec.name}`, name: spec.name, format: spec.format, access: LEAF, occurrence: 'ZeroOrOne', mimeType: TEXT_PLAIN,
    default: spec.default, allowed: spec.allowed, appliesTo: spec.appliesTo, cspVersion: spec.cspVersion, behaviour, children: [],
  };
}

const POLICY_SETTINGS = SETTINGS.filter((s) => s.inCsp);

/** Every node, root first, in DDF order. */
export const LAPS_NODES: readonly LapsNode[] = [
  interior('', ['Policies', 'Actions']),
  interior('Policies', POLICY_SETTINGS.map((s) => s.name)),
  ...POLICY_SETTINGS.map(policyLeaf),
  interior('Actions', ['ResetPassword', 'ResetPasswordStatus']),
  {
    path: 'Actions/ResetPassword', name: 'ResetPassword', format: 'null', access: EXEC, occurrence: 'One', mimeType: TEXT_PLAIN,
    default: undefined, allowed: undefined, appliesTo: [1, 2], cspVersion: '1.0', behaviour: { kind: 'reset-request' }, children: [],
  },
  {
    path: 'Actions/ResetPasswordStatus', name: 'ResetPasswordStatus', format: 'int', access: GET, occurrence: 'One', mimeType: TEXT_PLAIN,
    default: 0, allowed: undefined, appliesTo: [1, 2], cspVersion: '1.0', behaviour: { kind: 'reset-status' }, children: [],
  },
];

const BY_PATH: ReadonlyMap<string, LapsNode> = new Map(LAPS_NODES.map((n) => [n.path, n]));

/** The node at a path below the root (`''` is the root), or undefined. Case-sensitive, as OMA DM URIs are. */
export function lapsNode(path: string): LapsNode | undefined {
  return BY_PATH.get(path);
}

/** A family of OS builds that has the LAPS CSP from a given revision on. */
export interface BuildFamily {
  readonly label: string;
  readonly fromBuild: number;
  readonly toBuild: number;
  readonly minRevision: number;
}

/**
 * Where the LAPS CSP exists: the DDF root OsBuildVersion list (10.0.17763.4244, 10.0.19041.2784,
 * 10.0.20348.1663, 10.0.22000.1754, 10.0.22621.1480, 10.0.25145), extended to the later builds of
 * each family that share its servicing revisions (19042-19045 with 19041, 22631 with 22621).
 */
export const LAPS_BUILD_FAMILIES: readonly BuildFamily[] = [
  { label: 'Windows Server 2019 / Windows 10 1809', fromBuild: 17763, toBuild: 17763, minRevision: 4244 },
  { label: 'Windows 10 20H1 to 22H2', fromBuild: 19041, toBuild: 19045, minRevision: 2784 },
  { label: 'Windows Server 2022', fromBuild: 20348, toBuild: 20348, minRevision: 1663 },
  { label: 'Windows 11 21H2', fromBuild: 22000, toBuild: 22000, minRevision: 1754 },
  { label: 'Windows 11 22H2 and 23H2', fromBuild: 22621, toBuild: 22631, minRevision: 1480 },
  { label: 'Windows Insider Preview 25145 and later', fromBuild: 25145, toBuild: CSP_1_1_MIN_BUILD - 1, minRevision: 0 },
  { label: 'Windows 11 24H2 / Windows Server 2025 and later', fromBuild: CSP_1_1_MIN_BUILD, toBuild: Number.POSITIVE_INFINITY, minRevision: 0 },
];

export interface OsBuild {
  readonly build: number;
  /** The update revision (UBR); undefined when the version has only three parts. */
  readonly revision: number | undefined;
}

/** Reads `10.0.26100.4349` (or `10.0.26100`); undefined when it is not such a version. */
export function parseOsBuild(osBuild: string): OsBuild | undefined {
  const m = /^\d+\.\d+\.(\d+)(?:\.(\d+))?$/.exec(osBuild.trim());
  if (!m) return undefined;
  return { build: Number(m[1]), revision: m[2] === undefined ? undefined : Number(m[2]) };
}

/**
 * True when the device's OS build has the LAPS CSP. A version without a revision is taken as
 * fully serviced.
 */
export function hasLapsCsp(osBuild: string): boolean {
  const v = parseOsBuild(osBuild);
  if (!v) return false;
  return LAPS_BUILD_FAMILIES.some((f) => v.build >= f.fromBuild && v.build <= f.toBuild && (v.revision === undefined || v.revision >= f.minRevision));
}

/** True when the node exists on this OS build (CSP 1.1 nodes need build 26100 or later). */
export function nodeExistsOnBuild(node: LapsNode, osBuild: string): boolean {
  if (node.cspVersion === '1.0') return true;
  const v = parseOsBuild(osBuild);
  return v !== undefined && v.build >= CSP_1_1_MIN_BUILD;
}
