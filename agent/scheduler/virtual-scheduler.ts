/**
 * Cycles on simulated time for many devices: a binary min-heap of next-due times, no timer per
 * device. Each device is due every hour (the LAPS background task); `runUntil` pops due entries in
 * time order, moves the virtual clock, runs the cycle and pushes the device back an hour later.
 */
export interface VirtualEntry {
  /** Epoch ms at which the device's next hourly cycle runs. */
  due: number;
  /** Index of the device in the caller's table. */
  readonly index: number;
}

export class DueHeap {
  readonly #heap: VirtualEntry[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(e: VirtualEntry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  peek(): VirtualEntry | undefined {
    return this.#heap[0];
  }

  pop(): VirtualEntry | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: VirtualEntry, b: VirtualEntry): boolean {
  return a.due < b.due || (a.due === b.due && a.index < b.index);
}

export interface VirtualSchedulerOptions {
  /** Sets the virtual time (ManualClock.set / advanceTo). */
  readonly setTime: (ms: number) => void;
  /** Runs the hourly cycle of device `index`. */
  readonly runCycle: (index: number) => Promise<void> | void;
  /** Interval between cycles of one device. Default one hour. */
  readonly intervalMs?: number;
}

export class VirtualScheduler {
  readonly heap = new DueHeap();
  readonly #interval: number;
  cyclesRun = 0;

  constructor(private readonly o: VirtualSchedulerOptions) {
    this.#interval = o.intervalMs ?? 3_600_000;
  }

  add(index: number, firstDue: number): void {
    this.heap.push({ index, due: firstDue });
  }

  /** Runs every cycle due up to and including `until`, in time order. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.due > until) break;
      this.heap.pop();
      this.o.setTime(top.due);
      await this.o.runCycle(top.index);
      this.cyclesRun++;
      top.due += this.#interval;
      this.heap.push(top);
    }
    this.o.setTime(until);
  }
}
