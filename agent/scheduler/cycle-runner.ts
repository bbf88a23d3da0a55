/**
 * Runs a device's cycles one at a time: triggers that arrive while a cycle runs are merged into
 * one follow-up cycle, so that a burst (a session that changed values, then a reset) never runs
 * two rotations side by side.
 */
import type { CycleOutcome, CycleTrigger } from '../cycle.js';

export interface CycleTarget {
  processCycle(trigger: CycleTrigger): Promise<CycleOutcome | undefined>;
}

/** Triggers ordered by weight: the strongest waiting trigger is the one the follow-up cycle runs with. */
const WEIGHT: Record<CycleTrigger, number> = {
  background: 0, startup: 1, 'manual-processing': 2, 'policy-change': 3, 'post-auth': 4, admin: 5,
};

export class CycleRunner {
  #running: Promise<void> | undefined;
  #queued: CycleTrigger | undefined;

  constructor(
    private readonly target: CycleTarget,
    private readonly onOutcome: (o: CycleOutcome | undefined, trigger: CycleTrigger) => void = () => undefined,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Asks for a cycle; resolves when a cycle that covers this request has finished. */
  trigger(trigger: CycleTrigger): Promise<void> {
    if (this.#running) {
      if (this.#queued === undefined || WEIGHT[trigger] > WEIGHT[this.#queued]) this.#queued = trigger;
      return this.#running.then(() => this.#drain());
    }
    this.#running = this.#run(trigger);
    return this.#running;
  }

  /** Resolves when no cycle is running or queued. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(trigger: CycleTrigger): Promise<void> {
    try {
      this.onOutcome(await this.target.processCycle(trigger), trigger);
    } catch (e) {
      this.onError(e);
    } finally {
      this.#running = undefined;
    }
  }

  #drain(): Promise<void> {
    if (this.#running) return this.#running.then(() => this.#drain());
    const next = this.#queued;
    if (next === undefined) return Promise.resolve();
    this.#queued = undefined;
    this.#running = this.#run(next);
    return this.#running;
  }
}
