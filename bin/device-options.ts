/**
 * Options shared by the device commands (--state, --device, --now) and the one place that turns
 * them into an open device.
 */
import { Option, type Command } from 'commander';
import { FixedClock, SystemClock, type Clock } from '../core/clock.js';
import { cryptoRng } from '../core/rng.js';
import { openSqliteDevice, type SqliteDevice } from '../sim/sqlite-device.js';
import { parseInstant } from './cli-support.js';

export interface DeviceCommandOptions {
  state: string;
  device?: string;
  now?: number;
}

/** Adds --state (required), --device and --now to a command. */
export function deviceOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--state <db>', 'the lapsim SQLite database of the device')
    .option('--device <id>', 'device id or name, when the database holds several')
    .addOption(new Option('--now <iso>', 'fix the device clock at this instant (ISO 8601) for this command').argParser(parseInstant));
}

export function clockFor(o: { now?: number }): Clock {
  return o.now === undefined ? new SystemClock() : new FixedClock(o.now);
}

/**
 * Opens the device, runs `fn`, and closes the database whatever happens. Readers pass
 * `readonly` so that they never take a write lock beside a running `lapsim agent`.
 */
export async function withDevice<T>(o: DeviceCommandOptions, fn: (d: SqliteDevice) => Promise<T> | T, access: { readonly?: boolean } = {}): Promise<T> {
  const d = openSqliteDevice({ path: o.state, deviceId: o.device, clock: clockFor(o), rng: cryptoRng(), env: process.env, readonly: access.readonly ?? false });
  try {
    return await fn(d);
  } finally {
    d.close();
  }
}

/** ISO 8601 UTC, or null. */
export function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
