/**
 * The hourly LAPS background task on real time: node-cron fires every hour (at the minute the
 * service started, as Windows' task runs an hour after the last one), and a Clock timer fires
 * at the next post-authentication deadline or expiry. Other triggers (a session that changed
 * LAPS values, a reset request) call `trigger` directly.
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
}

export class RealTimeScheduler {
  #task: ScheduledTask | undefined;
  #timer: Timer | undefined;

  constructor(private readonly o: RealTimeSchedulerOptions) {}

  start(): void {
    const minute = this.o.minute ?? new Date(this.o.clock.now()).getUTCMinutes();
    this.#task = cron.schedule(`${minute} * * * *`, () => void this.trigger('background'), { timezone: 'Etc/UTC' });
    this.#armDeadline();
  }

  /** Runs a cycle now (merged with one in flight) and re-arms the deadline timer after it. */
  async trigger(trigger: CycleTrigger): Promise<void> {
    await this.o.runner.trigger(trigger);
    this.#armDeadline();
  }

  stop(): void {
    void this.#task?.stop();
    this.#task = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #armDeadline(): void {
    this.#timer?.cancel();
    const due = this.o.nextDueAt();
    if (!Number.isFinite(due)) return;
    this.#timer = this.o.clock.setTimer('laps-next-due', Math.max(0, due - this.o.clock.now()), () => void this.trigger('background'));
  }
}
