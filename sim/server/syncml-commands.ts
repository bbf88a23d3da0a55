/**
 * Building the commands a management server sends: Add, Replace, Delete, Get, Exec, Atomic and
 * Sequence as SyncML model objects without CmdIDs (the server numbers them per message), a LAPS
 * policy as Intune sends it (one Atomic of Replaces, formats from the LAPS node table), and
 * commands written as XML.
 */
import { UsageError } from '../../core/errors.js';
import type { LocUri } from '../../core/ids.js';
import { LAPS_ROOT_URI, lapsNode } from '../../csp/laps/nodes.js';
import { parseSyncml } from '../../csp/syncml/codec.js';
import type { AlertCommand, BodyElement, ContainerCommand, Item, ItemCommand } from '../../csp/syncml/types.js';

/** A command the server can queue for a device. */
export type ServerCommand = ItemCommand | ContainerCommand | AlertCommand;

/** `./Device/Vendor/MSFT/LAPS/Actions/ResetPassword`. */
export const RESET_PASSWORD_URI = `${LAPS_ROOT_URI}/Actions/ResetPassword`;
/** `./Device/Vendor/MSFT/LAPS/Actions/ResetPasswordStatus`. */
export const RESET_PASSWORD_STATUS_URI = `${LAPS_ROOT_URI}/Actions/ResetPasswordStatus`;

type Format = 'int' | 'chr' | 'bool' | 'b64' | 'xml' | 'null';

function target(uri: string, data?: string, format?: Format): Item {
  return {
    target: { locUri: uri as LocUri },
    ...(format !== undefined ? { meta: { format, type: 'text/plain' } } : {}),
    ...(data !== undefined ? { data } : {}),
  };
}

/** Replace of one node (creates or overwrites). */
export function replace(uri: string, data: string | number | boolean, format: Format = 'chr'): ItemCommand {
  return { kind: 'Replace', items: [target(uri, String(data), format)] };
}

/** Add of one node (418 when it already has a value). */
export function add(uri: string, data: string | number | boolean, format: Format = 'chr'): ItemCommand {
  return { kind: 'Add', items: [target(uri, String(data), format)] };
}

/** Delete of one node. */
export function del(uri: string): ItemCommand {
  return { kind: 'Delete', items: [target(uri)] };
}

/** Get of one or more nodes (one Item each). */
export function get(...uris: string[]): ItemCommand {
  return { kind: 'Get', items: uris.map((u) => target(u)) };
}

/** Exec of a node, with optional data. */
export function exec(uri: string, data?: string): ItemCommand {
  return { kind: 'Exec', items: [target(uri, data)] };
}

/** Atomic: all or nothing. */
export function atomic(...children: ServerCommand[]): ContainerCommand {
  return { kind: 'Atomic', children };
}

/** Sequence: in this order. */
export function sequence(...children: ServerCommand[]): ContainerCommand {
  return { kind: 'Sequence', children };
}

/**
 * A LAPS policy as Intune delivers it: one Atomic with a Replace per setting, each with the
 * node's format (`lapsPolicy({ BackupDirectory: 1, PasswordAgeDays: 30 })`).
 * @throws UsageError for a name that is not a LAPS Policies setting.
 */
export function lapsPolicy(settings: Readonly<Record<string, string | number | boolean>>): ContainerCommand {
  const replaces = Object.entries(settings).map(([name, value]) => {
    const node = lapsNode(`Policies/${name}`);
    if (!node || node.behaviour.kind !== 'setting') throw new UsageError(`${name} is not a LAPS policy setting`);
    return replace(`${LAPS_ROOT_URI}/Policies/${name}`, value, node.format as Format);
  });
  return atomic(...replaces);
}

/** Removes LAPS settings (Intune's unassignment): one Delete per setting, in an Atomic. */
export function lapsPolicyDelete(names: readonly string[]): ContainerCommand {
  return atomic(...names.map((n) => del(`${LAPS_ROOT_URI}/Policies/${n}`)));
}

/**
 * Commands written as SyncML XML (the elements that would sit in a SyncBody, CmdIDs optional:
 * the server renumbers them).
 * @throws MalformedSyncmlError when the fragment is not well-formed.
 */
export function commandsFromXml(fragment: string): ServerCommand[] {
  const msg = parseSyncml(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>0</SessionID><MsgID>0</MsgID></SyncHdr><SyncBody>${fragment}</SyncBody></SyncML>`);
  return msg.body.map((e) => {
    if (e.kind === 'Status' || e.kind === 'Results' || e.kind === 'Unknown') {
      throw new UsageError(`a server cannot queue <${e.kind === 'Unknown' ? e.name : e.kind}>`);
    }
    return e;
  });
}

/** Every element of a command tree, the command first, then its children depth first. */
export function flatten(cmd: BodyElement): BodyElement[] {
  if (cmd.kind === 'Atomic' || cmd.kind === 'Sequence') return [cmd, ...cmd.children.flatMap(flatten)];
  return [cmd];
}
