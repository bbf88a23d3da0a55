/**
 * Progress of a fleet run: a bar redrawn in place on a terminal, plain lines every tenth of the
 * run otherwise (CI logs, pipes). Wall time comes from the Clock it is given.
 */
import type { Clock } from '../../core/clock.js';

/** Where a whole run is (summed over its shards). */
export interface FleetProgress {
  /** Simulated days done (the slowest shard's). */
  readonly day: number;
  readonly rotations: number;
  readonly cycles: number;
  readonly breaches: number;
}

const WIDTH = 30;

/** Prints progress to a stream. */
export class ProgressPrinter {
  readonly #write: (s: string) => void;
  readonly #tty: boolean;
  readonly #clock: Clock;
  readonly #days: number;
  readonly #started: number;
  #nextTenth = 1;
  #drawn = false;

  constructor(write: (s: string) => void, tty: boolean, clock: Clock, days: number) {
    this.#write = write;
    this.#tty = tty;
    this.#clock = clock;
    this.#days = days;
    this.#started = clock.now();
  }

  #text(p: FleetProgress): string {
    const secs = ((this.#clock.now() - this.#started) / 1000).toFixed(1);
    return `day ${Math.floor(p.day)}/${this.#days}, ${p.rotations.toLocaleString('en-US')} rotations, ${p.cycles.toLocaleString('en-US')} cycles, ` +
      `${p.breaches} breach(es), ${secs} s`;
  }

  update(p: FleetProgress): void {
    const frac = Math.min(1, p.day / this.#days);
    if (this.#tty) {
      const full = Math.round(frac * WIDTH);
      this.#write(`\r[${'#'.repeat(full)}${'.'.repeat(WIDTH - full)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${this.#text(p)}\x1b[K`);
      this.#drawn = true;
      return;
    }
    const tenth = Math.floor(frac * 10);
    if (tenth >= this.#nextTenth) {
      this.#write(`progress: ${tenth * 10}%, ${this.#text(p)}\n`);
      this.#nextTenth = tenth + 1;
    }
  }

  /** Ends the bar's line. */
  finish(p: FleetProgress): void {
    this.update(p);
    if (this.#tty && this.#drawn) this.#write('\n');
  }
}
