/**
 * The LAPS CSP handler: executes one Item against the node table (nodes.ts). The checks run in a
 * fixed order for every node: existence on this OS build (404), access (405), then the node's
 * behaviour: Meta Format/Type (415), data format (400), strict range (400), already exists (418).
 * Decisions: docs/architecture.md "Decisions where Windows is ambiguous".
 */
import type { CspChangeSet } from '../csp-root.js';
import type { CspCommitSummary, CspDevice, CspHandler, CspRequest, CspResponse, CspSession } from '../handler.js';
import { SyncmlStatus } from '../syncml/status.js';
import { hasLapsCsp, LAPS_ROOT_URI, type LapsNode, lapsNode, nodeExistsOnBuild, parseOsBuild } from './nodes.js';
import { formatSettingValue, isAllowed, isSupportedOnBuild, parseSettingValue, type SettingSpec } from './settings.js';
import { StagedRoot } from './staged-root.js';

const NOT_FOUND: CspResponse = { status: SyncmlStatus.NOT_FOUND };
const NOT_ALLOWED: CspResponse = { status: SyncmlStatus.COMMAND_NOT_ALLOWED };
const BAD_REQUEST: CspResponse = { status: SyncmlStatus.BAD_REQUEST };
const UNSUPPORTED_FORMAT: CspResponse = { status: SyncmlStatus.UNSUPPORTED_MEDIA_TYPE };
const ALREADY_EXISTS: CspResponse = { status: SyncmlStatus.ALREADY_EXISTS };
const OK: CspResponse = { status: SyncmlStatus.OK };
const NOTHING: CspCommitSummary = { changed: false, resetRequested: false };

/** Serves `./Device/Vendor/MSFT/LAPS`. Stateless: one instance serves every device. */
export class LapsCspHandler implements CspHandler {
  readonly root = LAPS_ROOT_URI;

  open(device: CspDevice, now: number): CspSession {
    return hasLapsCsp(device.osBuild) ? new LapsSession(device, now) : ABSENT_SESSION;
  }
}

/** The session of a device whose OS build has no LAPS CSP: every URI answers 404. */
const ABSENT_SESSION: CspSession = {
  execute: () => NOT_FOUND,
  savepoint: () => 0,
  rollbackTo: () => undefined,
  commit: () => NOTHING,
};

class LapsSession implements CspSession {
  readonly #device: CspDevice;
  readonly #now: number;
  readonly #build: number;
  readonly #staged: StagedRoot;

  constructor(device: CspDevice, now: number) {
    this.#device = device;
    this.#now = now;
    this.#build = parseOsBuild(device.osBuild)?.build ?? 0;
    this.#staged = new StagedRoot(device.root.load());
  }

  execute(req: CspRequest): CspResponse {
    const node = lapsNode(req.path);
    if (node === undefined || !nodeExistsOnBuild(node, this.#device.osBuild)) return NOT_FOUND;
    if (!node.access.has(req.command)) return NOT_ALLOWED;
    const b = node.behaviour;
    switch (b.kind) {
      case 'interior':
        return { status: SyncmlStatus.OK, result: { format: 'node', data: this.#children(node).join('/') } };
      case 'setting':
        return this.#setting(node, b.valueName, b.spec, b.allowedDependsOn, req);
      case 'reset-request':
        this.#staged.requestReset(this.#now);
        return OK;
      case 'reset-status':
        return { status: SyncmlStatus.OK, result: { format: node.format, data: String(this.#staged.reset.status) } };
    }
  }

  savepoint(): number {
    return this.#staged.savepoint();
  }

  rollbackTo(savepoint: number): void {
    this.#staged.rollbackTo(savepoint);
  }

  commit(): CspCommitSummary {
    const c = this.#staged.changes();
    if (c === undefined) return NOTHING;
    const set: CspChangeSet = c.set;
    this.#device.root.commit(set);
    return { changed: c.changed, resetRequested: c.resetRequested };
  }

  /** Children that exist now: `One` nodes always, `ZeroOrOne` leaves while they hold a value. */
  #children(node: LapsNode): string[] {
    const out: string[] = [];
    for (const name of node.children) {
      const child = lapsNode(node.path === '' ? name : `${node.path}/${name}`);
      if (child === undefined || !nodeExistsOnBuild(child, this.#device.osBuild)) continue;
      if (child.occurrence === 'ZeroOrOne' && (child.behaviour.kind !== 'setting' || this.#staged.get(child.behaviour.valueName) === undefined)) continue;
      out.push(name);
    }
    return out;
  }

  #setting(node: LapsNode, valueName: string, spec: SettingSpec, dependsOn: string | undefined, req: CspRequest): CspResponse {
    const current = this.#staged.get(valueName);
    switch (req.command) {
      case 'Get':
        return current === undefined ? NOT_FOUND : { status: SyncmlStatus.OK, result: { format: node.format, data: current } };
      case 'Delete':
        if (current === undefined) return NOT_FOUND;
        this.#staged.delete(valueName);
        return OK;
      case 'Add':
      case 'Replace': {
        if (req.format !== undefined && req.format.toLowerCase() !== node.format) return UNSUPPORTED_FORMAT;
        if (req.type !== undefined && node.mimeType !== undefined && !sameMimeType(req.type, node.mimeType)) return UNSUPPORTED_FORMAT;
        const value = parseSettingValue(spec, req.data ?? '');
        if (value === undefined) return BAD_REQUEST;
        if (this.#device.strict) {
          const dep = dependsOn === undefined ? undefined : this.#staged.get(dependsOn);
          const depValue = dep === undefined ? undefined : Number(dep);
          if (!isAllowed(spec, value, depValue) || !isSupportedOnBuild(spec, value, this.#build)) return BAD_REQUEST;
        }
        if (req.command === 'Add' && current !== undefined) return ALREADY_EXISTS;
        this.#staged.set(valueName, formatSettingValue(value));
        return OK;
      }
      case 'Exec':
        // Not reachable through the node table (policy leaves have no Exec access).
        return NOT_ALLOWED;
    }
  }
}

/** `text/plain` matches `text/plain; charset=utf-8` and any letter case. */
function sameMimeType(given: string, expected: string): boolean {
  const semi = given.indexOf(';');
  return (semi < 0 ? given : given.slice(0, semi)).trim().toLowerCase() === expected;
}
