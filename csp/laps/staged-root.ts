/**
 * The LAPS CSP root as one message sees it: the loaded snapshot plus staged changes, with an undo
 * log so that an Atomic can roll back to a savepoint. Nothing reaches the CspRoot until the
 * change set is committed.
 */
import { type CspChangeSet, type CspRootSnapshot, E_PENDING, type ResetState } from '../csp-root.js';

type Undo =
  | { readonly kind: 'value'; readonly name: string; readonly had: boolean; readonly prev: string | null | undefined }
  | { readonly kind: 'reset'; readonly prev: ResetState; readonly prevRequested: boolean };

export class StagedRoot {
  readonly #base: CspRootSnapshot;
  readonly #overlay = new Map<string, string | null>();
  readonly #undo: Undo[] = [];
  #reset: ResetState;
  #resetRequested = false;

  constructor(base: CspRootSnapshot) {
    this.#base = base;
    this.#reset = base.reset;
  }

  /** The value's canonical text, or undefined when it is not set. */
  get(name: string): string | undefined {
    const staged = this.#overlay.get(name);
    if (staged !== undefined) return staged === null ? undefined : staged;
    return this.#base.values.get(name);
  }

  set(name: string, value: string): void {
    this.#record(name);
    this.#overlay.set(name, value);
  }

  delete(name: string): void {
    this.#record(name);
    this.#overlay.set(name, null);
  }

  get reset(): ResetState {
    return this.#reset;
  }

  /** Records a reset request: pending, E_PENDING, requested now (epoch ms). */
  requestReset(now: number): void {
    this.#undo.push({ kind: 'reset', prev: this.#reset, prevRequested: this.#resetRequested });
    this.#reset = { status: E_PENDING, pending: true, requestedAt: now };
    this.#resetRequested = true;
  }

  savepoint(): number {
    return this.#undo.length;
  }

  rollbackTo(savepoint: number): void {
    while (this.#undo.length > savepoint) {
      const u = this.#undo.pop()!;
      if (u.kind === 'reset') {
        this.#reset = u.prev;
        this.#resetRequested = u.prevRequested;
      } else if (!u.had) this.#overlay.delete(u.name);
      else this.#overlay.set(u.name, u.prev!);
    }
  }

  /** What differs from the loaded snapshot; undefined when nothing does. */
  changes(): { readonly set: CspChangeSet; readonly changed: boolean; readonly resetRequested: boolean } | undefined {
    let values: Map<string, string | null> | undefined;
    for (const [name, v] of this.#overlay) {
      const base = this.#base.values.get(name);
      if (v === null ? base === undefined : base === v) continue;
      (values ??= new Map()).set(name, v);
    }
    if (values === undefined && !this.#resetRequested) return undefined;
    const set: CspChangeSet = values === undefined ? { reset: this.#reset } : this.#resetRequested ? { values, reset: this.#reset } : { values };
    return { set, changed: values !== undefined, resetRequested: this.#resetRequested };
  }

  #record(name: string): void {
    const had = this.#overlay.has(name);
    this.#undo.push({ kind: 'value', name, had, prev: had ? this.#overlay.get(name) : undefined });
  }
}
