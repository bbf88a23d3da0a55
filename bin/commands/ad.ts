/**
 * `lapsim ad …`: what a domain admin does with the LAPS PowerShell module, against the lab DC of
 * `--directory ad=<DIR>`. Wiring only; the verbs live in sim/ad/ad-verbs.ts.
 */
import { Option, type Command } from 'commander';
import { SystemClock } from '../../core/clock.js';
import {
  adConnectionOf, adExpire, adGetPassword, adGrantRead, adGrantSelf, adUpdateSchema, getPasswordRow,
} from '../../sim/ad/ad-verbs.js';
import { action, ExitCode, EXIT_FAILURE, parseInstant, printJson } from '../cli-support.js';

interface Common { directory: string; json?: boolean }

const DIRECTORY = ['--directory <ad=DIR>', 'the lab DC: ad=<the folder of `lapsim directory ad --data DIR`>'] as const;

function printPermission(r: { distinguishedName: string; acesAdded: number }, json: boolean | undefined): void {
  if (json) printJson(r);
  else process.stdout.write(`${r.distinguishedName}: ${r.acesAdded === 0 ? 'permissions already in place' : `${r.acesAdded} ACE(s) added`}\n`);
}

export function registerAd(program: Command): void {
  const ad = program.command('ad').description('administer the LAPS side of an Active Directory domain (the LAPS PowerShell cmdlets)');

  ad.command('update-schema')
    .description('extend the schema with the Windows LAPS attributes (Update-LapsADSchema); --legacy adds ms-Mcs-AdmPwd* too (Update-AdmPwdADSchema)')
    .requiredOption(...DIRECTORY)
    .option('--legacy', 'also add the legacy Microsoft LAPS attributes, for legacy emulation')
    .option('--json', 'print the steps as JSON')
    .action(action(async (o: Common & { legacy?: boolean }) => {
      const steps = await adUpdateSchema(adConnectionOf(o.directory), o.legacy ?? false);
      if (o.json) return printJson(steps);
      for (const s of steps) process.stdout.write(`${s.operation.padEnd(19)} ${s.status.padEnd(13)} ${s.distinguishedName}\n`);
    }));

  ad.command('grant-self')
    .description('let the computers of an OU write their own LAPS attributes (Set-LapsADComputerSelfPermission)')
    .requiredOption(...DIRECTORY)
    .requiredOption('--ou <dn or name>', 'the OU (distinguished name, or a unique OU name)')
    .option('--legacy', 'the legacy attributes instead (Set-AdmPwdComputerSelfPermission)')
    .option('--json', 'print the result as JSON')
    .action(action(async (o: Common & { ou: string; legacy?: boolean }) => {
      printPermission(await adGrantSelf(adConnectionOf(o.directory), o.ou, o.legacy ?? false), o.json);
    }));

  ad.command('grant-read')
    .description('let principals read the LAPS passwords of an OU\'s computers (Set-LapsADReadPasswordPermission)')
    .requiredOption(...DIRECTORY)
    .requiredOption('--ou <dn or name>', 'the OU (distinguished name, or a unique OU name)')
    .requiredOption('--principal <name...>', 'SID, DOMAIN\\name, name@domain, or a built-in group such as "Domain Admins"')
    .option('--legacy', 'the legacy attributes instead (Set-AdmPwdReadPasswordPermission)')
    .option('--json', 'print the result as JSON')
    .action(action(async (o: Common & { ou: string; principal: string[]; legacy?: boolean }) => {
      printPermission(await adGrantRead(adConnectionOf(o.directory), o.ou, o.principal, o.legacy ?? false), o.json);
    }));

  ad.command('expire')
    .description('move a computer\'s msLAPS-PasswordExpirationTime; it rotates at its next cycle (Set-LapsADPasswordExpirationTime)')
    .requiredOption(...DIRECTORY)
    .requiredOption('--device <name>', 'the computer name')
    .addOption(new Option('--at <iso>', 'the new expiration time (ISO 8601; default now)').argParser(parseInstant))
    .option('--json', 'print the result as JSON')
    .action(action(async (o: Common & { device: string; at?: number }) => {
      const at = o.at ?? new SystemClock().now();
      const dn = await adExpire(adConnectionOf(o.directory), o.device, at);
      if (o.json) printJson({ distinguishedName: dn, expirationTimestamp: new Date(at).toISOString() });
      else process.stdout.write(`${dn}: password expires ${new Date(at).toISOString()}\n`);
    }));

  ad.command('get-password')
    .description('read a computer\'s LAPS password, decrypting it (Get-LapsADPassword -AsPlainText)')
    .requiredOption(...DIRECTORY)
    .requiredOption('--device <name>', 'the computer name')
    .option('--history', 'the encrypted history too, newest first')
    .option('--json', 'print as JSON (an array with --history)')
    .action(action(async (o: Common & { device: string; history?: boolean }) => {
      const rows = (await adGetPassword(adConnectionOf(o.directory), o.device, o.history ?? false)).map(getPasswordRow);
      if (rows.length === 0) {
        process.stderr.write(`lapsim: ${o.device} holds no LAPS password yet\n`);
        throw new ExitCode(EXIT_FAILURE);
      }
      const shown = o.history ? rows : rows.slice(0, 1);
      if (o.json) return printJson(o.history ? shown : shown[0]);
      for (const r of shown) {
        process.stdout.write(`${Object.entries(r).map(([k, v]) => `${k.padEnd(19)} : ${v ?? ''}`).join('\n')}\n\n`);
      }
    }));
}
