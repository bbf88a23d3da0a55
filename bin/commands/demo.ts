/** `lapsim demo`: the guided tour of one simulated device on virtual time. */
import type { Command } from 'commander';
import { cryptoRng } from '../../core/rng.js';
import { runDemo } from '../../sim/demo.js';
import { action } from '../cli-support.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('a guided tour: one device, an Intune LAPS policy, rotations, post-authentication and a reset, on virtual time')
    .option('--data <dir>', 'where to keep the device database', 'lapsim-data')
    .action(action(async (o: { data: string }) => {
      await runDemo({ dataDir: o.data, rng: cryptoRng(), out: (l) => process.stdout.write(`${l}\n`), env: process.env });
    }));
}
