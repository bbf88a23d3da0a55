/**
 * From a policy's settings to LAPS CSP values, and from values to the SyncML commands a device
 * receives (intune-graph.md 3.3): one Replace per configured node, all inside one Atomic (the
 * Policies node is AtomicRequired in the DDF), in CSP node order so that BackupDirectory comes
 * before the PasswordAgeDays range it governs; a Delete per node that was applied before and is no
 * longer configured, after the Atomic and outside it, so that a node already gone (404) cannot roll
 * back the values being set. Pure: no clock, no I/O.
 */
import type { CmdId, LocUri } from '../../core/ids.js';
import { LAPS_ROOT_URI, hasLapsCsp, parseOsBuild } from '../../csp/laps/nodes.js';
import { CSP_1_1_MIN_BUILD, SETTINGS, formatSettingValue, type SettingValue } from '../../csp/laps/settings.js';
import type { BodyElement, ItemCommand, Meta } from '../../csp/syncml/types.js';
import { optionCspValue, optionSuffix, settingDefinition, type ChoiceDefinition } from './laps-template.js';
import type { SettingNode } from './policy-types.js';

/** LAPS CSP node name to value. */
export type CspValues = ReadonlyMap<string, SettingValue>;

/** One configured CSP value and the setting it came from. */
export interface CspSetting {
  readonly node: string;
  readonly value: SettingValue;
  readonly definitionId: string;
}

/** `./Device/Vendor/MSFT/LAPS/Policies/<node>`. */
export function policyNodeUri(node: string): LocUri {
  return `${LAPS_ROOT_URI}/Policies/${node}` as LocUri;
}

/** `./Device/Vendor/MSFT/LAPS/Actions/ResetPassword` (Exec). */
export const RESET_PASSWORD_URI = `${LAPS_ROOT_URI}/Actions/ResetPassword` as LocUri;
/** `./Device/Vendor/MSFT/LAPS/Actions/ResetPasswordStatus` (Get; the last reset's HRESULT). */
export const RESET_PASSWORD_STATUS_URI = `${LAPS_ROOT_URI}/Actions/ResetPasswordStatus` as LocUri;

/** Every configured setting of a policy tree, with the CSP value it writes (children included). */
export function policyCspSettings(settings: readonly SettingNode[]): CspSetting[] {
  const out: CspSetting[] = [];
  const walk = (n: SettingNode): void => {
    const def = settingDefinition(n.definitionId);
    if (!def) return;
    if (n.kind === 'choice') {
      const suffix = def.kind === 'choice' ? optionSuffix(def as ChoiceDefinition, n.option) : undefined;
      if (suffix !== undefined) out.push({ node: def.cspNode, value: optionCspValue(suffix), definitionId: def.id });
      n.children.forEach(walk);
    } else {
      out.push({ node: def.cspNode, value: n.value, definitionId: def.id });
    }
  };
  settings.forEach(walk);
  return out;
}

/** The CSP values of a policy tree (one value per node: the template never writes a node twice). */
export function policyCspValues(settings: readonly SettingNode[]): Map<string, SettingValue> {
  return new Map(policyCspSettings(settings).map((s) => [s.node, s.value]));
}

const NODE_ORDER = new Map(SETTINGS.map((s, i) => [s.name, i]));

/** Node names in CSP declaration order. */
export function inNodeOrder(nodes: Iterable<string>): string[] {
  return [...nodes].sort((a, b) => (NODE_ORDER.get(a) ?? 99) - (NODE_ORDER.get(b) ?? 99));
}

/** True when the device's OS has this node (CSP 1.1 nodes need build 26100; laps-behaviour.md 1.1). */
export function nodeOnBuild(node: string, osVersion: string): boolean {
  const spec = SETTINGS.find((s) => s.name === node);
  if (!spec || !hasLapsCsp(osVersion)) return false;
  if (spec.cspVersion === '1.0') return true;
  return (parseOsBuild(osVersion)?.build ?? 0) >= CSP_1_1_MIN_BUILD;
}

/** Values equal as the CSP stores them (booleans and numbers by their canonical text). */
export function sameValue(a: SettingValue | undefined, b: SettingValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return formatSettingValue(a) === formatSettingValue(b) && typeof a === typeof b;
}

/** True when two value maps hold the same nodes with the same values. */
export function sameValues(a: CspValues, b: CspValues): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!sameValue(v, b.get(k))) return false;
  return true;
}

function meta(node: string): Meta {
  const spec = SETTINGS.find((s) => s.name === node);
  return { format: spec?.format ?? 'chr', type: 'text/plain' };
}

/** `<Replace>` of one Policies node. */
export function replaceCommand(cmdId: CmdId, node: string, value: SettingValue): ItemCommand {
  return { kind: 'Replace', cmdId, items: [{ target: { locUri: policyNodeUri(node) }, meta: meta(node), data: formatSettingValue(value) }] };
}

/** `<Delete>` of one Policies node. */
export function deleteCommand(cmdId: CmdId, node: string): ItemCommand {
  return { kind: 'Delete', cmdId, items: [{ target: { locUri: policyNodeUri(node) } }] };
}

/** `<Exec>` of Actions/ResetPassword. */
export function resetPasswordCommand(cmdId: CmdId): ItemCommand {
  return { kind: 'Exec', cmdId, items: [{ target: { locUri: RESET_PASSWORD_URI } }] };
}

/** `<Get>` of Actions/ResetPasswordStatus. */
export function resetPasswordStatusCommand(cmdId: CmdId): ItemCommand {
  return { kind: 'Get', cmdId, items: [{ target: { locUri: RESET_PASSWORD_STATUS_URI } }] };
}

/** What one command of a delivery does, so that its Status can be read back per setting. */
export interface SentCommand {
  readonly cmdId: string;
  readonly op: 'Atomic' | 'Replace' | 'Delete' | 'Exec' | 'Get';
  /** The Policies node (Replace, Delete). */
  readonly node?: string;
  /** The value written (Replace). */
  readonly value?: SettingValue;
}

/** The commands of a policy delivery and what each one does. */
export interface PolicyCommands {
  readonly body: readonly BodyElement[];
  readonly sent: readonly SentCommand[];
}

/**
 * The commands that take a device from `applied` to `desired`: the whole desired set as Replace
 * in one Atomic (when it is not empty), then a Delete for every applied node that is no longer
 * desired. `nextCmdId` numbers them (the session owns CmdID numbering).
 */
export function policyCommands(desired: CspValues, applied: CspValues, nextCmdId: () => CmdId): PolicyCommands {
  const body: BodyElement[] = [];
  const sent: SentCommand[] = [];
  if (desired.size > 0) {
    const atomicId = nextCmdId();
    sent.push({ cmdId: atomicId, op: 'Atomic' });
    const children = inNodeOrder(desired.keys()).map((node) => {
      const value = desired.get(node)!;
      const cmdId = nextCmdId();
      sent.push({ cmdId, op: 'Replace', node, value });
      return replaceCommand(cmdId, node, value);
    });
    body.push({ kind: 'Atomic', cmdId: atomicId, children });
  }
  for (const node of inNodeOrder([...applied.keys()].filter((n) => !desired.has(n)))) {
    const cmdId = nextCmdId();
    sent.push({ cmdId, op: 'Delete', node });
    body.push(deleteCommand(cmdId, node));
  }
  return { body, sent };
}

/** A counter for CmdIDs starting at `from` (default 1). */
export function cmdIdCounter(from = 1): () => CmdId {
  let n = from;
  return () => String(n++) as CmdId;
}
