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

export interface SystemClockOptions {
  /**
   * Unreference timers so that they alone do not keep the process alive (default true). A
   * background service passes false: its poll and reconnect timers are what keeps it running.
   */
  readonly unref?: boolean;
}

/** The real clock. */
export class SystemClock implements Clock {
  readonly #unref: boolean;

  constructor(opts: SystemClockOptions = {}) {
    this.#unref = opts.unref ?? true;
  }

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
      if (this.#unref) handle.unref?.();
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

/**
 * Device time that runs `scale` times faster than a base clock (`lapsim agent --time-scale K`):
 * a 30-day LAPS schedule passes in 30/K days of base time. Device time starts at `start` (default:
 * the base clock's now) and moves `scale` ms for every base ms; a timer of `delayMs` device ms
 * fires after `delayMs / scale` base ms. Timer names are kept.
 */
export class ScaledClock implements Clock {
  readonly #base: Clock;
  readonly #scale: number;
  readonly #baseStart: number;
  readonly #start: number;

  /**
   * @param base the clock that really passes (SystemClock in a service)
   * @param scale device ms per base ms; a finite number > 0 (1 = real time)
   * @param start device time at creation, epoch ms (default `base.now()`)
   */
  constructor(base: Clock, scale: number, start?: number) {
    if (!(Number.isFinite(scale) && scale > 0)) throw new RangeError(`time scale must be a finite number > 0, got ${scale}`);
    this.#base = base;
    this.#scale = scale;
    this.#baseStart = base.now();
    this.#start = start ?? this.#baseStart;
  }

  /** Device ms per base ms. */
  get scale(): number {
    return this.#scale;
  }

  now(): number {
    return this.#start + Math.floor((this.#base.now() - this.#baseStart) * this.#scale);
  }

  setTimer(name: string, delayMs: number, fn: () => void): Timer {
    const deviceDue = this.now() + Math.max(0, delayMs);
    const inner = this.#base.setTimer(name, Math.ceil(Math.max(0, delayMs) / this.#scale), fn);
    return { name, dueAt: deviceDue, cancel: () => inner.cancel() };
  }
}
