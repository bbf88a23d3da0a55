/**
 * In-memory implementations of the device's state ports: real components used by the fleet
 * simulator and by tests, held to the same contract suites as the SQLite ones.
 */
import type {
  ActivityLog, DeviceActivity, EventLog, JournalEntry, LapsEvent, LapsState, LapsStateStore, PolicyRootStore,
  PolicyRootValues, RotationIntent, RotationJournal, RotationPhase, WritableRoot,
} from './ports.js';
import type { Secret } from '../core/secret.js';
import { ImplementationError } from '../core/errors.js';

export class MemoryStateStore implements LapsStateStore {
  #state: LapsState = {};
  load(): LapsState {
    return this.#state;
  }
  save(state: LapsState): void {
    this.#state = state;
  }
}

export class MemoryJournal implements RotationJournal {
  #entry: JournalEntry | undefined;
  current(): JournalEntry | undefined {
    return this.#entry;
  }
  begin(intent: RotationIntent, password: Secret): void {
    if (this.#entry) throw new ImplementationError('a rotation is already in flight');
    this.#entry = { intent, phase: 'intent', password };
  }
  advance(phase: RotationPhase): void {
    if (this.#entry) this.#entry = { ...this.#entry, phase };
  }
  clear(): void {
    this.#entry = undefined;
  }
}

export class MemoryEventLog implements EventLog {
  readonly events: LapsEvent[] = [];
  append(event: LapsEvent): void {
    this.events.push(event);
  }
  appendMany(events: readonly LapsEvent[]): void {
    this.events.push(...events);
  }
  list(opts: { since?: number; limit?: number } = {}): LapsEvent[] {
    const since = opts.since;
    const out = since === undefined ? [...this.events] : this.events.filter((e) => e.time >= since);
    return opts.limit === undefined ? out : out.slice(0, opts.limit);
  }
}

export class MemoryActivityLog implements ActivityLog {
  readonly entries: DeviceActivity[] = [];
  append(a: DeviceActivity): void {
    this.entries.push(a);
  }
  list(): DeviceActivity[] {
    return [...this.entries];
  }
}

/** Policy roots in memory; the CSP root is read through the given function (the CSP store). */
export class MemoryPolicyRoots implements PolicyRootStore {
  readonly #roots: Record<WritableRoot, Record<string, string>> = { gpo: {}, local: {}, legacy: {} };

  constructor(private readonly csp: () => Readonly<Record<string, string>> = () => ({})) {}

  load(): PolicyRootValues {
    return { csp: { ...this.csp() }, gpo: { ...this.#roots.gpo }, local: { ...this.#roots.local }, legacy: { ...this.#roots.legacy } };
  }
  set(root: WritableRoot, values: Readonly<Record<string, string>>): void {
    Object.assign(this.#roots[root], values);
  }
  clear(root: WritableRoot): void {
    this.#roots[root] = {};
  }
}
