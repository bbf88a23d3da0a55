/**
 * `lapsim fleet` and `lapsim fleet merge`: wiring only (options, the wall clock, stdout/stderr,
 * the exit code); the work is in sim/fleet/fleet-command.ts.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { SystemClock } from '../../core/clock.js';
import { mergeCommand, runFleetCommand, type FleetCommandOptions } from '../../sim/fleet/fleet-command.js';
import { LOG_LEVELS, type LogLevel } from '../../sim/fleet/fleet-log.js';
import { isLapsError } from '../../core/errors.js';
import { action, EXIT_USAGE, parsePositiveInt, usage } from '../cli-support.js';

function parseNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`not a positive number: ${v}`);
  return n;
}

function parseLevel(v: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new InvalidArgumentError(`log level is one of ${LOG_LEVELS.join(', ')}`);
  return v as LogLevel;
}

const io = () => ({
  out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s), tty: process.stderr.isTTY === true,
  env: process.env, clock: new SystemClock(),
});

/** Registers `lapsim fleet`. */
export function registerFleet(program: Command): void {
  const fleet = program
    .command('fleet')
    .description('simulate a fleet of devices for months on virtual time, with an in-process Intune and Entra, faults and invariants; writes an HTML and a JSON report (docs/fleet.md)')
    .option('--scenario <file>', 'scenario JSON (docs/fleet.md); flags below override it')
    .option('--devices <n>', 'number of devices (default 1000)', parsePositiveInt)
    .option('--days <n>', 'simulated days (default 90)', parseNumber)
    .option('--seed <seed>', 'seed of the run: the same seed gives the same report (default 1)')
    .option('--passwords <source>', 'where device passwords come from: crypto (default) or seeded (reproducible, simulation only)')
    .option('--data <dir>', 'data folder; the run goes to <dir>/fleet/<scenario>-seed-<seed>', 'lapsim-data')
    .option('--workers <n>', 'worker threads to split the fleet across', parsePositiveInt)
    .option('--shard <i/n>', 'run shard i of n of the fleet (merge the reports with lapsim fleet merge)')
    .option('--server <url>', 'drive agents over WebSocket against this management server instead (docs/protocol.md)')
    .option('--admin-token <token>', 'with --server: the lapsim server admin token that registers the agents (default $LAPSIM_ADMIN_TOKEN)')
    .option('--time-scale <k>', 'with --server: device time runs k times faster than the wall clock (default 86400: a day per second)', parseNumber)
    .option('--log-level <level>', 'fleet.log level (debug, info, warn, error, silent)', parseLevel, 'warn' as LogLevel)
    .option('--no-progress', 'no progress bar or progress lines')
    .option('--json', 'print the report as JSON instead of the summary')
    .action(action(async (o: Omit<FleetCommandOptions, 'passwords'> & { passwords?: string }) => {
      if (o.passwords !== undefined && o.passwords !== 'crypto' && o.passwords !== 'seeded') throw usage('--passwords is crypto or seeded');
      try {
        process.exitCode = await runFleetCommand(o as FleetCommandOptions, io());
      } catch (e) {
        // A scenario's problems are listed one per line.
        if (!isLapsError(e) || e.code !== 'LAPS_ERR_FLEET_SCENARIO') throw e;
        process.stderr.write(`lapsim: ${e.message}\n`);
        process.exitCode = EXIT_USAGE;
      }
    }));
  fleet
    .command('merge <reports...>')
    .description('merge the report.json files of a fleet\'s shards into one report (JSON and HTML)')
    .option('--out <dir>', 'where to write the merged report.json and report.html', 'lapsim-data/fleet/merged')
    .option('--json', 'print the merged report as JSON instead of the summary')
    .action(action((reports: string[], o: { out: string; json?: boolean }) => {
      process.exitCode = mergeCommand(reports, o.out, o.json === true, io());
    }));
}
