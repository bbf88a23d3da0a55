/**
 * The hourly LAPS background task on real time: node-cron fires every hour (at the minute the
 * service started, as Windows' task runs an hour after the last one), and a Clock timer fires
 * at the next post-authentication deadline or expiry. Other triggers (a session that changed
 * LAPS values, a reset request) call `trigger` directly. On a scaled clock (`--time-scale K`)
 * cron cannot follow device time, so the hourly task is a Clock timer too (`hourly: 'clock'`).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock, Timer } from '../../core/clock.js';
import type { CycleTrigger } from '../cycle.js';
import type { CycleRunner } from './cycle-runner.js';

export interface RealTimeSchedulerOptions {
  readonly runner: CycleRunner;
  readonly clock: Clock;
  /** When the next cycle has something to do (Device.nextDueAt). */
  readonly nextDueAt: () => number;
  /** Minute past the hour for the hourly task (default: the current minute). */
  readonly minute?: number;
  /**
   * What drives the hourly task: node-cron on the wall clock (default), or a timer of `clock`
   * every hour of its time (a scaled or virtual clock).
   */
  readonly hourly?: 'cron' | 'clock';
}

/** One hour, in ms of the scheduler's clock. */
export const HOUR_MS = 3_600_000;

export class RealTimeScheduler {
  #task: ScheduledTask | undefined;
  #timer: Timer | undefined;
  #hourlyTimer: Timer | undefined;
  #stopped = false;

  constructor(private readonly o: RealTimeSchedulerOptions) {}

  start(): void {
    this.#stopped = false;
    if ((this.o.hourly ?? 'cron') === 'cron') {
      const minute = this.o.minute ?? new Date(this.o.clock.now()).getUTCMinutes();
      this.#task = cron.schedule(`${minute} * * * *`, () => void this.trigger('background'), { timezone: 'Etc/UTC' });
    } else {
      this.#armHourly();
    }
    this.#armDeadline();
  }

  /** Runs a cycle now (merged with one in flight) and re-arms the deadline timer after it. */
  async trigger(trigger: CycleTrigger): Promise<void> {
    await this.o.runner.trigger(trigger);
    this.#armDeadline();
  }

  stop(): void {
    this.#stopped = true;
    void this.#task?.stop();
    this.#task = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#hourlyTimer?.cancel();
    this.#hourlyTimer = undefined;
  }

  #armHourly(): void {
    this.#hourlyTimer = this.o.clock.setTimer('laps-hourly', HOUR_MS, () => {
      if (this.#stopped) return;
      this.#armHourly();
      void this.trigger('background');
    });
  }

  #armDeadline(): void {
    this.#timer?.cancel();
    if (this.#stopped) return;
    const due = this.o.nextDueAt();
    if (!Number.isFinite(due)) return;
    this.#timer = this.o.clock.setTimer('laps-next-due', Math.max(0, due - this.o.clock.now()), () => void this.trigger('background'));
  }
}
