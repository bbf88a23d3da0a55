/**
 * Shared CLI plumbing: turning errors into one-line messages and exit codes, parsing common
 * option values. Commands stay thin: parse, call a build*() function, print.
 */
import { InvalidArgumentError } from 'commander';
import { isLapsError, LapsError, UsageError } from '../core/errors.js';

/** Exit codes: 0 ok, 1 the operation failed (e.g. a logon refused), 2 bad input or usage. */
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

/** Thrown by commands that finished but must exit non-zero without a message. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const USAGE_CODES = new Set<string>([
  'LAPS_ERR_INVALID_ARGUMENT', 'LAPS_ERR_CONFIG', 'LAPS_ERR_MALFORMED_SYNCML', 'LAPS_ERR_SYNCML_TOO_LARGE',
  'LAPS_ERR_SYNCML_TOO_DEEP', 'LAPS_ERR_SYNCML_DOCTYPE', 'LAPS_ERR_SYNCML_NOT_SYNCML', 'LAPS_ERR_STORE_FOREIGN',
  'LAPS_ERR_STORE_CORRUPT', 'LAPS_ERR_STORE_OPEN', 'LAPS_ERR_STORE_NO_DEVICE', 'LAPS_ERR_UNKNOWN_ACCOUNT',
  'LAPS_ERR_ACCOUNT_EXISTS', 'LAPS_ERR_DEVICE_EXISTS', 'LAPS_ERR_STORE_NEWER_SCHEMA', 'LAPS_ERR_FLEET_SCENARIO', 'LAPS_ERR_FLEET_SHARD',
  'LAPS_ERR_FLEET_REPORT',
]);

/** Maps an error to its one-line message and exit code. */
export function describeFailure(e: unknown): { message: string; code: number } {
  if (e instanceof ExitCode) return { message: '', code: e.code };
  if (isLapsError(e)) {
    return { message: oneLine(e.message), code: USAGE_CODES.has(e.code) ? EXIT_USAGE : EXIT_FAILURE };
  }
  const err = e as Error;
  return { message: `internal error: ${oneLine(err?.message ?? String(e))}`, code: EXIT_FAILURE };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Wraps a command action so that any failure prints one line and sets the exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      const { message, code } = describeFailure(e);
      if (message) process.stderr.write(`lapsim: ${message}\n`);
      process.exitCode = code;
    }
  };
}

/** Parses an ISO 8601 instant (the --now and --since options) into epoch ms. */
export function parseInstant(value: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const ms = ok ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`not an ISO 8601 time: ${value}`);
  return ms;
}

/** Parses a positive integer option. */
export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`not a positive integer: ${value}`);
  return Number(value);
}

export function usage(message: string): LapsError {
  return new UsageError(message);
}

/** Writes a value as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
