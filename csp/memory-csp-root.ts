/** A CSP root kept in memory: for unit tests, the fleet simulator's compact devices and benchmarks. */
import { type CspChangeSet, type CspRoot, type CspRootSnapshot, INITIAL_RESET_STATE } from './csp-root.js';

export class MemoryCspRoot implements CspRoot {
  #snapshot: CspRootSnapshot;

  /** Starts empty, or from the given snapshot. */
  constructor(initial: CspRootSnapshot = { values: new Map(), reset: INITIAL_RESET_STATE }) {
    this.#snapshot = { values: new Map(initial.values), reset: { ...initial.reset } };
  }

  load(): CspRootSnapshot {
    // Snapshots are replaced, never mutated, so handing out the current one is safe.
    return this.#snapshot;
  }

  commit(change: CspChangeSet): void {
    let values = this.#snapshot.values;
    if (change.values !== undefined && change.values.size > 0) {
      const next = new Map(values);
      for (const [name, value] of change.values) {
        if (value === null) next.delete(name);
        else next.set(name, value);
      }
      values = next;
    }
    const reset = change.reset === undefined ? this.#snapshot.reset : { ...change.reset };
    this.#snapshot = { values, reset };
  }
}
