/**
 * CSP handlers and their dispatch. The processor routes each Item by its LocURI to the handler
 * registered for the longest matching root (`./Device/Vendor/MSFT/LAPS` today; `./DevInfo` and
 * `./DevDetail` can be registered the same way). A handler opens one session per message: the
 * session stages every change, can roll back to a savepoint (Atomic), and commits once.
 */
import type { CspRoot } from './csp-root.js';
import type { DeviceInfo } from './devinfo/device-info-handlers.js';
import type { ItemCommandName } from './syncml/types.js';

/** What the device offers to handlers for one message. */
export interface CspDevice {
  /** Where the LAPS CSP keeps its values and actions state. */
  readonly root: CspRoot;
  /** OS version, e.g. `10.0.26100.4349`: decides which nodes exist. */
  readonly osBuild: string;
  /** Refuse out-of-range values with 400 instead of storing them (Windows accepts them). */
  readonly strict: boolean;
  /** What the DevInfo and DevDetail CSPs answer; without it their nodes answer 404. */
  readonly info?: DeviceInfo | undefined;
}

/** One Item of an Add, Replace, Delete, Get or Exec, addressed to a handler. */
export interface CspRequest {
  readonly command: ItemCommandName;
  /** Path below the handler's root, `''` for the root itself. */
  readonly path: string;
  /** Meta Format of the Item, else of the command. */
  readonly format: string | undefined;
  /** Meta Type of the Item, else of the command. */
  readonly type: string | undefined;
  readonly data: string | undefined;
}

export interface CspResponse {
  /** SyncML status code (csp/syncml/status.ts). */
  readonly status: number;
  /** The value a successful Get returns. */
  readonly result?: { readonly format: string; readonly data: string } | undefined;
}

/** What a session's commit changed. */
export interface CspCommitSummary {
  /** A stored value was created, changed or deleted. */
  readonly changed: boolean;
  /** A password reset was requested (Exec on Actions/ResetPassword). */
  readonly resetRequested: boolean;
}

/** A handler's staged view of the device for one message. */
export interface CspSession {
  execute(request: CspRequest): CspResponse;
  /** A mark to roll back to. A fresh session's savepoint is 0. */
  savepoint(): number;
  /** Undoes everything staged after the savepoint. */
  rollbackTo(savepoint: number): void;
  /** Writes what is staged, all or nothing. Called once, after the whole message. */
  commit(): CspCommitSummary;
}

export interface CspHandler {
  /** Canonical root URI the handler serves, e.g. `./Device/Vendor/MSFT/LAPS`. */
  readonly root: string;
  /** Opens a session; `now` is the message's processing time in epoch ms. */
  open(device: CspDevice, now: number): CspSession;
}

/** A LocURI resolved to its canonical form, or the status it must be answered with. */
export type UriResolution = { readonly ok: true; readonly canonical: string } | { readonly ok: false; readonly status: 400 | 406 };

/**
 * Canonical form of a LocURI: relative URIs get `./`, `./Vendor/...` is device-targeted
 * (`./Device/Vendor/...`, MS-MDM "Device targeted configuration"). A URI that starts with `/`, has
 * an empty, `.` or `..` segment is malformed (400); a `?` query (`?prop=`, `?list=`) is an
 * optional feature the LAPS CSP does not support (406).
 */
export function resolveLocUri(locUri: string): UriResolution {
  if (locUri === '' || locUri.charCodeAt(0) === 0x2f) return { ok: false, status: 400 };
  if (locUri.includes('?')) return { ok: false, status: 406 };
  let uri = locUri.startsWith('./') ? locUri : locUri === '.' ? '.' : `./${locUri}`;
  if (uri !== '.') {
    const rest = uri.slice(2);
    for (const seg of rest.split('/')) {
      if (seg === '' || seg === '.' || seg === '..') return { ok: false, status: 400 };
    }
    if (rest === 'Vendor' || rest.startsWith('Vendor/')) uri = `./Device/${rest}`;
  }
  return { ok: true, canonical: uri };
}

/** Handlers by root URI. */
export class CspRegistry {
  readonly #handlers: readonly CspHandler[];

  constructor(handlers: readonly CspHandler[]) {
    // Longest root first, so that a nested root wins over its parent.
    this.#handlers = [...handlers].sort((a, b) => b.root.length - a.root.length);
  }

  /** The handler serving a canonical URI and the path below its root, or undefined (404). */
  route(canonical: string): { readonly handler: CspHandler; readonly path: string } | undefined {
    for (const h of this.#handlers) {
      if (canonical === h.root) return { handler: h, path: '' };
      if (canonical.length > h.root.length && canonical.charCodeAt(h.root.length) === 0x2f && canonical.startsWith(h.root)) {
        return { handler: h, path: canonical.slice(h.root.length + 1) };
      }
    }
    return undefined;
  }
}
