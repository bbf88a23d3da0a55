/**
 * pino at the edge: JSON lines, one per event, with the password-bearing field names of
 * REDACT_PATHS censored wherever they appear. Domain code only sees the Logger port.
 */
import pino from 'pino';
import { REDACT_PATHS, REDACTED, type Logger } from '../../core/index.js';

export interface PinoLoggerOptions {
  /** `debug`, `info` (default), `warn`, `error` or `silent`. */
  readonly level?: string;
  /** File descriptor to write to (default 1, standard output). */
  readonly fd?: number;
  /** Fields on every line (e.g. `{ service: 'lapsim-agent' }`). */
  readonly base?: Record<string, unknown>;
}

/** A pino logger writing synchronously (nothing is lost when the process exits right after). */
export function createPinoLogger(o: PinoLoggerOptions = {}): Logger {
  return pino(
    {
      level: o.level ?? 'info',
      base: { pid: process.pid, ...o.base },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: o.fd ?? 1, sync: true }),
  );
}
