/**
 * The fleet's log: one JSON line per record (pino's shape: level, time, msg, bindings, fields),
 * from the devices, the Intune and Entra emulators and the fleet itself, in `fleet.log` of the run
 * folder. Lines are held until the operation that wrote them ends, so that the leak watch can
 * search them for the operation's passwords first; a line that holds one is never written (a
 * placeholder says so) and the breach is reported.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Clock } from '../../core/clock.js';
import type { LogFields, Logger } from '../../core/logger.js';
import type { LeakWatch } from './leak-watch.js';

/** Log levels, lowest first; `silent` writes nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const PINO_LEVEL: Record<Exclude<LogLevel, 'silent'>, number> = { debug: 20, info: 30, warn: 40, error: 50 };
const FLUSH_BYTES = 64 * 1024;

/** The log file of a run (or none) and its level. */
export class FleetLog {
  readonly #fd: number | undefined;
  readonly #min: number;
  readonly #clock: Clock;
  readonly #watch: LeakWatch;
  #held: string[] = [];
  #buffer = '';
  /** Lines written. */
  lines = 0;

  /** @param path the log file (created or truncated); undefined keeps no file */
  constructor(path: string | undefined, level: LogLevel, clock: Clock, watch: LeakWatch) {
    this.#fd = path === undefined || level === 'silent' ? undefined : openSync(path, 'w');
    this.#min = level === 'silent' ? Number.POSITIVE_INFINITY : PINO_LEVEL[level];
    this.#clock = clock;
    this.#watch = watch;
  }

  /** The root logger. */
  logger(bindings: LogFields = {}): Logger {
    const write = (level: Exclude<LogLevel, 'silent'>, obj: LogFields, msg: string | undefined, b: LogFields): void => {
      if (PINO_LEVEL[level] < this.#min) return;
      const line = JSON.stringify({ level: PINO_LEVEL[level], time: this.#clock.now(), ...b, ...obj, ...(msg !== undefined ? { msg } : {}) });
      this.#held.push(line);
      this.#watch.text('log', line);
    };
    const make = (b: LogFields): Logger => ({
      debug: (o, m) => write('debug', o, m, b),
      info: (o, m) => write('info', o, m, b),
      warn: (o, m) => write('warn', o, m, b),
      error: (o, m) => write('error', o, m, b),
      child: (more) => make({ ...b, ...more }),
    });
    return make(bindings);
  }

  /**
   * Writes the lines held since the last call. `withheld` lines (they held a password) are
   * replaced by a placeholder.
   */
  release(withheld: ReadonlySet<string> = new Set()): void {
    for (const line of this.#held) {
      this.#buffer += withheld.has(line) ? '{"level":50,"msg":"[a line that held a password was withheld by the fleet leak watch]"}\n' : `${line}\n`;
      this.lines++;
    }
    this.#held = [];
    if (this.#buffer.length >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.#fd !== undefined && this.#buffer.length > 0) writeSync(this.#fd, this.#buffer);
    this.#buffer = '';
  }

  close(): void {
    this.release();
    this.flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
  }
}
