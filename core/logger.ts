/**
 * The Logger port: a tiny interface that pino satisfies. Domain code logs objects, never
 * passwords (Secret prints as [redacted]). The default is silent.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(obj: LogFields, msg?: string): void;
  info(obj: LogFields, msg?: string): void;
  warn(obj: LogFields, msg?: string): void;
  error(obj: LogFields, msg?: string): void;
  child(bindings: LogFields): Logger;
}

const noop = (): void => undefined;

export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string | undefined;
  fields: LogFields;
}

/** A logger that keeps records in memory, for tests that assert on log objects. */
export class MemoryLogger implements Logger {
  constructor(
    readonly records: LogRecord[] = [],
    private readonly bindings: LogFields = {},
  ) {}

  debug(obj: LogFields, msg?: string): void {
    this.#push('debug', obj, msg);
  }
  info(obj: LogFields, msg?: string): void {
    this.#push('info', obj, msg);
  }
  warn(obj: LogFields, msg?: string): void {
    this.#push('warn', obj, msg);
  }
  error(obj: LogFields, msg?: string): void {
    this.#push('error', obj, msg);
  }
  child(bindings: LogFields): Logger {
    return new MemoryLogger(this.records, { ...this.bindings, ...bindings });
  }

  /** Everything logged, serialised as a log sink would write it. */
  text(): string {
    return this.records.map((r) => JSON.stringify({ level: r.level, msg: r.msg, ...r.fields })).join('\n');
  }

  #push(level: LogRecord['level'], obj: LogFields, msg: string | undefined): void {
    this.records.push({ level, msg, fields: { ...this.bindings, ...obj } });
  }
}

/** Field names that pino redacts at the edge, wherever they appear. */
export const REDACT_PATHS = [
  'password',
  'newPassword',
  'oldPassword',
  'secret',
  'token',
  'authorization',
  '*.password',
  '*.newPassword',
  '*.secret',
  '*.token',
  '*.authorization',
  'headers.authorization',
];
