/**
 * Time as a port. Everything outside core/ gets a Clock; nothing else reads the system time or
 * arms raw timers. Times are epoch milliseconds (UTC).
 */

/** A cancellable named timer. */
export interface Timer {
  readonly name: string;
  /** Epoch ms at which the timer fires. */
  readonly dueAt: number;
  cancel(): void;
}

export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /**
   * Arms a named one-shot timer `delayMs` from now. Delays beyond Node's 2^31-1 ms limit are
   * handled (the system clock re-arms in steps), so a 365-day schedule is a single call.
   */
  setTimer(name: string, delayMs: number, fn: () => void): Timer;
}

/** Largest delay Node's setTimeout accepts (about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 0x7fffffff;

/** The real clock. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(name: string, delayMs: number, fn: () => void): Timer {
    const dueAt = Date.now() + Math.max(0, delayMs);
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      const left = dueAt - Date.now();
      if (left <= 0) {
        handle = undefined;
        if (!cancelled) fn();
        return;
      }
      handle = setTimeout(arm, Math.min(left, MAX_TIMER_DELAY_MS));
      handle.unref?.();
    };
    arm();
    return {
      name,
      dueAt,
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }
}

interface ManualTimer {
  readonly name: string;
  readonly dueAt: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Default start of a ManualClock: 2026-03-01T00:00:00Z, a realistic epoch. */
export const MANUAL_CLOCK_EPOCH = Date.UTC(2026, 2, 1);

/**
 * A virtual clock for tests and simulation: time moves only when told to. Timers fire in due
 * order (ties in arming order) as `advance` or `advanceTo` passes them.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: ManualTimer[] = [];

  constructor(startMs: number = MANUAL_CLOCK_EPOCH) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(name: string, delayMs: number, fn: () => void): Timer {
    const timer: ManualTimer = { name, dueAt: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return { name, dueAt: timer.dueAt, cancel: () => { timer.cancelled = true; } };
  }

  /** Names of the timers still armed, in due order. */
  pendingTimers(): string[] {
    return this.#live().map((t) => t.name);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#now + Math.max(0, ms));
  }

  /** Moves time to `target` (never backwards), firing due timers in order. */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.#live()[0];
      if (!next || next.dueAt > target) break;
      this.#now = Math.max(this.#now, next.dueAt);
      next.cancelled = true;
      next.fn();
    }
    this.#now = Math.max(this.#now, target);
  }

  /** Sets the time outright, forwards or backwards (clock jumps), without firing timers. */
  set(ms: number): void {
    this.#now = ms;
  }

  #live(): ManualTimer[] {
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    return [...this.#timers].sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
  }
}

/** A clock frozen at one instant (the CLI's --now); timers never fire. */
export class FixedClock implements Clock {
  constructor(private readonly at: number) {}
  now(): number {
    return this.at;
  }
  setTimer(name: string, delayMs: number): Timer {
    return { name, dueAt: this.at + delayMs, cancel: () => undefined };
  }
}
