/**
 * `lapsim directory <kind>`: the directories lapsim can run for devices (the Entra emulator; the
 * Active Directory domain controller). Each kind registers its subcommand on the one group.
 */
import type { Command } from 'commander';

/** The `directory` command group, created on first use. */
export function directoryGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'directory')
    ?? program.command('directory').description('run a directory for simulated devices to escrow their passwords to');
}
