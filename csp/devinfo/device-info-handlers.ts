/**
 * The DevInfo and DevDetail CSPs, read-only: what a management server reads about the device
 * itself (`./DevInfo/DevId`, `Man`, `Mod`, `DmV`, `Lang`; `./DevDetail/SwV` and a few more).
 * Values come from the device's `CspDevice.info` and `osBuild`, so one stateless handler serves a
 * whole fleet. Get on a leaf answers 200 and Results; Get on an interior node answers its
 * children's names (`Format node`); any other command on an existing node answers 405; an unknown
 * node 404.
 * https://learn.microsoft.com/windows/client-management/mdm/devinfo-csp
 * https://learn.microsoft.com/windows/client-management/mdm/devdetail-csp
 */
import type { CspCommitSummary, CspDevice, CspHandler, CspRequest, CspResponse, CspSession } from '../handler.js';
import { SyncmlStatus } from '../syncml/status.js';

/** What the device says about itself in package 1 and in the DevInfo/DevDetail CSPs. */
export interface DeviceInfo {
  /** `./DevInfo/DevId`: the DM client's id of the enrollment; also the SyncHdr Source. */
  readonly devId: string;
  /** `./DevInfo/Man`: SMBIOS SystemManufacturer (e.g. `Microsoft Corporation`). */
  readonly manufacturer: string;
  /** `./DevInfo/Mod`: SMBIOS SystemProductName (e.g. `Virtual Machine`). */
  readonly model: string;
  /** `./DevInfo/DmV`: the DM client version; Windows says `1.3`. */
  readonly dmVersion: string;
  /** `./DevInfo/Lang`: UI language, RFC 1766 (e.g. `en-US`). */
  readonly language: string;
  /** `./DevDetail/Ext/Microsoft/DeviceName`: the computer name. */
  readonly deviceName: string;
}

/** The DevInfo root URI. */
export const DEVINFO_ROOT = './DevInfo';
/** The DevDetail root URI. */
export const DEVDETAIL_ROOT = './DevDetail';

interface Leaf {
  readonly format: 'chr' | 'bool' | 'int';
  readonly data: string;
}

type Tree = ReadonlyMap<string, Leaf>;

const NOTHING: CspCommitSummary = { changed: false, resetRequested: false };
const NOT_FOUND: CspResponse = { status: SyncmlStatus.NOT_FOUND };
const NOT_ALLOWED: CspResponse = { status: SyncmlStatus.COMMAND_NOT_ALLOWED };

/** A read-only tree of leaves by path below the root; interior nodes are implied by the paths. */
class ReadOnlyTreeSession implements CspSession {
  constructor(private readonly tree: Tree) {}

  execute(req: CspRequest): CspResponse {
    const leaf = this.tree.get(req.path);
    if (leaf !== undefined) {
      return req.command === 'Get' ? { status: SyncmlStatus.OK, result: { format: leaf.format, data: leaf.data } } : NOT_ALLOWED;
    }
    const children = childrenOf(this.tree, req.path);
    if (children.length === 0) return NOT_FOUND;
    return req.command === 'Get' ? { status: SyncmlStatus.OK, result: { format: 'node', data: children.join('/') } } : NOT_ALLOWED;
  }

  savepoint(): number {
    return 0;
  }

  rollbackTo(): void {
    // Nothing is ever staged: the tree is read-only.
  }

  commit(): CspCommitSummary {
    return NOTHING;
  }
}

/** Names of the direct children of an interior node, in table order, without duplicates. */
function childrenOf(tree: Tree, path: string): string[] {
  const prefix = path === '' ? '' : `${path}/`;
  const out: string[] = [];
  for (const p of tree.keys()) {
    if (!p.startsWith(prefix)) continue;
    const name = p.slice(prefix.length).split('/')[0]!;
    if (name !== '' && !out.includes(name)) out.push(name);
  }
  return out;
}

const EMPTY: Tree = new Map();

/** `./DevInfo`: DevId, Man, Mod, DmV, Lang. */
export class DevInfoHandler implements CspHandler {
  readonly root = DEVINFO_ROOT;

  open(device: CspDevice): CspSession {
    const i = device.info;
    if (i === undefined) return new ReadOnlyTreeSession(EMPTY);
    return new ReadOnlyTreeSession(new Map<string, Leaf>([
      ['DevId', { format: 'chr', data: i.devId }],
      ['Man', { format: 'chr', data: i.manufacturer }],
      ['Mod', { format: 'chr', data: i.model }],
      ['DmV', { format: 'chr', data: i.dmVersion }],
      ['Lang', { format: 'chr', data: i.language }],
    ]));
  }
}

/** `./DevDetail`: SwV (the OS build), OEM, DevTyp, LrgObj and the computer name. */
export class DevDetailHandler implements CspHandler {
  readonly root = DEVDETAIL_ROOT;

  open(device: CspDevice): CspSession {
    const i = device.info;
    if (i === undefined) return new ReadOnlyTreeSession(EMPTY);
    return new ReadOnlyTreeSession(new Map<string, Leaf>([
      ['DevTyp', { format: 'chr', data: i.model }],
      ['OEM', { format: 'chr', data: i.manufacturer }],
      ['SwV', { format: 'chr', data: device.osBuild }],
      ['LrgObj', { format: 'bool', data: 'true' }],
      ['Ext/Microsoft/DeviceName', { format: 'chr', data: i.deviceName }],
      ['Ext/Microsoft/DNSComputerName', { format: 'chr', data: i.deviceName }],
    ]));
  }
}
