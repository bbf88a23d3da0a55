/**
 * The device as a background service: resolves a rotation left in flight before anything else,
 * runs the hourly LAPS task and the cycles that sessions trigger, and keeps its management link
 * open. CSP messages and cycles of the device go through one queue, so a session's commit and a
 * rotation never interleave. `stop` finishes the rotation in flight (or leaves it journaled after
 * the grace period); `runOnce` is one session and one cycle.
 */
import type { Clock } from '../../core/clock.js';
import { isLapsError, type LapsError } from '../../core/errors.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import type { SyncMessage } from '../../csp/syncml/types.js';
import type { CycleOutcome, CycleTrigger } from '../cycle.js';
import type { Device } from '../device.js';
import { CrashSignal } from '../rotation/faults.js';
import { CycleRunner } from '../scheduler/cycle-runner.js';
import { RealTimeScheduler } from '../scheduler/real-time-scheduler.js';
import { SerialQueue } from '../serial-queue.js';
import type { BackoffOptions } from '../transport/backoff.js';
import type { Connector } from '../transport/channel.js';
import type { SessionIdentity } from '../transport/dm-messages.js';
import type { EndpointResult, SessionEndpoint, SessionOutcome } from '../transport/dm-session.js';
import { ManagementLink } from '../transport/management-link.js';

export interface AgentServiceOptions {
  readonly device: Device;
  /** Applies one server message to the device's CSP root, all or nothing (synchronous). */
  readonly applyMessage: (message: SyncMessage, msgId: string) => EndpointResult;
  readonly connector: Connector;
  readonly identity: SessionIdentity;
  /** Device time, the device's own clock (scaled by --time-scale). */
  readonly clock: Clock;
  /** Real time: sessions, reconnects, polls, the shutdown grace. */
  readonly realClock: Clock;
  readonly rng: Rng;
  readonly logger?: Logger;
  /** Between client-initiated sessions, in ms of real time (default 8 hours). */
  readonly pollIntervalMs?: number;
  /** Wait for each server message, in ms (default 60 s). */
  readonly sessionTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /** What drives the hourly task: `cron` (wall clock, the default) or `clock` (a scaled clock). */
  readonly hourly?: 'cron' | 'clock';
  /** How long `stop` waits for a rotation in flight, in ms (default 30 s). */
  readonly shutdownGraceMs?: number;
  /** A cycle hit a simulated crash (CrashSignal): the process must die as a killed one would. */
  readonly onCrash?: (e: CrashSignal) => void;
}

export interface OnceOutcome {
  /** The session, when the channel could be opened. */
  readonly session: SessionOutcome | undefined;
  /** Why no session ran. */
  readonly sessionError: LapsError | undefined;
  /** The cycle that followed (undefined: nothing to do). */
  readonly cycle: CycleOutcome | undefined;
}

/** The cycle a session asks for when it ends: a reset, a change, or none. */
export function sessionTrigger(o: Pick<SessionOutcome, 'changed' | 'resetRequested'>): CycleTrigger | undefined {
  return o.resetRequested ? 'admin' : o.changed ? 'policy-change' : undefined;
}

export class AgentService {
  readonly queue = new SerialQueue();
  readonly runner: CycleRunner;
  readonly scheduler: RealTimeScheduler;
  readonly link: ManagementLink;
  readonly #o: AgentServiceOptions;
  readonly #log: Logger;
  #running = false;

  constructor(o: AgentServiceOptions) {
    this.#o = o;
    this.#log = (o.logger ?? noopLogger).child({ component: 'agent' });
    const device = o.device;
    this.runner = new CycleRunner(
      { processCycle: (t) => this.queue.run(() => device.processCycle(t)) },
      (outcome, trigger) => this.#cycleDone(outcome, trigger),
      (e) => this.#cycleFailed(e),
    );
    this.scheduler = new RealTimeScheduler({ runner: this.runner, clock: o.clock, nextDueAt: () => device.nextDueAt(), hourly: o.hourly ?? 'cron' });
    const endpoint: SessionEndpoint = {
      apply: (message, msgId) => this.queue.run(() => {
        const r = o.applyMessage(message, msgId);
        if (r.changed) device.policyChanged();
        if (r.resetRequested) device.resetRequested();
        return r;
      }),
    };
    this.link = new ManagementLink({
      connector: o.connector, endpoint, identity: o.identity, clock: o.realClock, rng: o.rng, logger: o.logger ?? noopLogger,
      ...(o.pollIntervalMs !== undefined ? { pollIntervalMs: o.pollIntervalMs } : {}),
      ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}),
      ...(o.backoff !== undefined ? { backoff: o.backoff } : {}),
      onSessionEnd: (s) => this.#sessionEnded(s),
    });
  }

  /** Resolves a rotation left in flight (before anything else), then starts the schedule and the link. */
  async start(): Promise<void> {
    await this.#recover();
    this.#running = true;
    this.scheduler.start();
    void this.scheduler.trigger('startup');
    this.link.start();
    this.#log.info({ server: this.#o.connector.url }, 'agent started');
  }

  /** One session, then one cycle (the one the session asks for, else a processing cycle). */
  async runOnce(): Promise<OnceOutcome> {
    await this.#recover();
    let session: SessionOutcome | undefined;
    let sessionError: LapsError | undefined;
    try {
      session = await this.link.runOnce();
    } catch (e) {
      if (!isLapsError(e)) throw e;
      sessionError = e;
      this.#log.warn({ code: e.code, reason: e.message }, 'no session: the management channel could not be opened');
    }
    const trigger = (session && sessionTrigger(session)) ?? 'manual-processing';
    let cycle: CycleOutcome | undefined;
    try {
      cycle = await this.queue.run(() => this.#o.device.processCycle(trigger));
    } catch (e) {
      this.#cycleFailed(e);
      throw e;
    }
    this.#cycleDone(cycle, trigger);
    return { session, sessionError, cycle };
  }

  /**
   * Closes the link, stops the schedule and waits for the cycle in flight, at most the grace
   * period; a rotation still running then is in the journal and resolved at the next start.
   * @returns whether every piece of work finished
   */
  async stop(): Promise<boolean> {
    this.#running = false;
    this.scheduler.stop();
    const grace = this.#o.shutdownGraceMs ?? 30_000;
    const finished = await new Promise<boolean>((resolve) => {
      const timer = this.#o.realClock.setTimer('agent-shutdown-grace', grace, () => resolve(false));
      void Promise.all([this.link.stop(), this.runner.idle(), this.queue.idle()]).then(() => {
        timer.cancel();
        resolve(true);
      });
    });
    this.#log.info({ finished }, finished ? 'agent stopped' : 'agent stopped with a rotation in flight (journaled; resolved at the next start)');
    return finished;
  }

  async #recover(): Promise<void> {
    const r = await this.queue.run(() => this.#o.device.recover());
    if (r === 'failed') this.#log.error({ recovery: r }, 'a rotation left in flight could not be resolved yet; retried before the next cycle');
    else this.#log.info({ recovery: r }, 'rotation journal checked');
  }

  #sessionEnded(s: SessionOutcome): void {
    const trigger = sessionTrigger(s);
    if (trigger === undefined || !this.#running) return;
    void this.scheduler.trigger(trigger);
  }

  #cycleDone(o: CycleOutcome | undefined, trigger: CycleTrigger): void {
    if (!o) {
      this.#log.debug({ trigger }, 'processing cycle: nothing due');
      return;
    }
    const fields = { trigger: o.trigger, rotated: o.rotated, hresult: `0x${(o.hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`, eventId: o.eventId };
    if (o.hresult === 0) this.#log.info(fields, 'processing cycle done');
    else this.#log.warn(fields, 'processing cycle failed');
  }

  #cycleFailed(e: unknown): void {
    if (e instanceof CrashSignal) {
      this.#log.error({ point: e.point }, 'simulated crash');
      this.#o.onCrash?.(e);
      return;
    }
    this.#log.error({ code: isLapsError(e) ? e.code : undefined, reason: (e as Error).message }, 'processing cycle threw');
  }
}
