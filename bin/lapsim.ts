#!/usr/bin/env node
/** lapsim: the one CLI. Wiring only: each command group lives in bin/commands/. */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { EXIT_USAGE } from './cli-support.js';

const program = new Command('lapsim')
  .description('Windows LAPS device simulator and LAPS CSP processor')
  .version('0.1.0')
  .showSuggestionAfterError()
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(`lapsim: ${str.replace(/^error: /, '').trim()}\n`) });

for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  } else {
    process.stderr.write(`lapsim: internal error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
