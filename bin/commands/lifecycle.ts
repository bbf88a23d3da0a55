/**
 * The device's LAPS life from the command line: `process` (Invoke-LapsPolicyProcessing),
 * `rotate` (Reset-LapsPassword), `logon`, `status`, `password` (Get-LapsAADPassword) and `events`.
 */
import { Option, type Command } from 'commander';
import { Secret } from '../../core/secret.js';
import { deviceStatus } from '../../agent/status.js';
import type { CycleOutcome } from '../../agent/cycle.js';
import { action, ExitCode, EXIT_FAILURE, parseInstant, printJson } from '../cli-support.js';
import { deviceOptions, iso, withDevice, type DeviceCommandOptions } from '../device-options.js';

type Json = { json?: boolean };

function printOutcome(o: CycleOutcome, json: boolean | undefined): void {
  const hresult = `0x${(o.hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
  if (json) printJson({ success: o.hresult === 0, rotated: o.rotated, reasons: o.reasons, hresult, eventId: o.eventId, trigger: o.trigger, time: iso(o.time) });
  else process.stdout.write(o.hresult === 0 ? `${o.rotated ? 'password rotated' : 'no rotation needed'}\n` : `processing failed: event ${o.eventId}, ${hresult} (see lapsim events)\n`);
  if (o.hresult !== 0) throw new ExitCode(EXIT_FAILURE);
}

export function registerLifecycle(program: Command): void {
  deviceOptions(program.command('process'))
    .description('run one LAPS processing cycle now (as Invoke-LapsPolicyProcessing)')
    .option('--json', 'print the outcome as JSON')
    .action(action(async (o: DeviceCommandOptions & Json) => {
      await withDevice(o, async (d) => printOutcome((await d.device.processCycle('manual-processing'))!, o.json));
    }));

  deviceOptions(program.command('rotate'))
    .description('rotate the managed password now, whatever its expiry (as Reset-LapsPassword)')
    .option('--json', 'print the outcome as JSON')
    .action(action(async (o: DeviceCommandOptions & Json) => {
      await withDevice(o, async (d) => printOutcome(await d.device.resetPassword(), o.json));
    }));

  deviceOptions(program.command('logon <account>'))
    .description('log on with a local account; exit 0 when the password opens it, 1 when not')
    .requiredOption('--password <password>', 'the password to try')
    .action(action(async (account: string, o: DeviceCommandOptions & { password: string }) => {
      const r = await withDevice(o, (d) => d.device.logon(account, new Secret(o.password)));
      if (!r.ok) {
        const why = r.win32Error === 1331 ? 'the account is disabled (1331)' : 'unknown user name or bad password (1326)';
        process.stderr.write(`lapsim: logon failed for ${account}: ${why}\n`);
        throw new ExitCode(EXIT_FAILURE);
      }
      process.stdout.write(`logon succeeded for ${r.account!.name}${r.postAuthDeadline !== undefined ? `; password reset scheduled at ${iso(r.postAuthDeadline)}` : ''}\n`);
    }));

  deviceOptions(program.command('status'))
    .description('the managed account, last and next rotation, directory, policy source and last result')
    .option('--json', 'print as JSON')
    .action(action(async (o: DeviceCommandOptions & Json) => {
      const s = await withDevice(o, (d) => deviceStatus(d.device), { readonly: true });
      if (o.json) return printJson(s);
      const lines = [
        ['Device', `${s.deviceName} (${s.deviceId})`], ['Join', s.joinType], ['OS build', s.osBuild],
        ['Policy source', s.policySource], ['Backup directory', s.backupDirectory], ['Directory', s.directory],
        ['Managed', s.managed ? 'yes' : `no${s.notManagedReason ? ` (${s.notManagedReason})` : ''}`],
        ['Account', s.account ? `${s.account.name} (${s.account.sid})` : '-'],
        ['Last rotation', s.lastRotation ?? '-'], ['Next rotation', s.nextRotation ?? '-'],
        ['Last result', s.lastResult ? `${s.lastResult.success ? 'success' : 'failure'} (event ${s.lastResult.eventId}, ${s.lastResult.hresult}) at ${s.lastResult.time}` : '-'],
      ];
      if (s.postAuthenticationDeadline) lines.push(['Post-auth reset at', s.postAuthenticationDeadline]);
      process.stdout.write(lines.map(([k, v]) => `${k!.padEnd(18)} ${v}`).join('\n') + '\n');
    }));

  deviceOptions(program.command('password'))
    .description('the password the device\'s directory holds (as Get-LapsAADPassword)')
    .option('--history', 'all passwords the directory keeps, newest first')
    .option('--json', 'print as JSON')
    .action(action(async (o: DeviceCommandOptions & Json & { history?: boolean }) => {
      const creds = await withDevice(o, (d) => d.directory.credentials(d.record.deviceId), { readonly: true });
      const rows = (o.history ? creds : creds.slice(0, 1)).map((c) => ({
        accountName: c.accountName, accountSid: c.accountSid, password: c.password.reveal(),
        backupDateTime: iso(c.backupTime), passwordExpirationTime: iso(c.expiry),
      }));
      if (rows.length === 0) {
        process.stderr.write('lapsim: the directory holds no password for this device yet\n');
        throw new ExitCode(EXIT_FAILURE);
      }
      if (o.json) return printJson(o.history ? rows : rows[0]);
      for (const r of rows) {
        process.stdout.write(`DeviceName/Account  ${r.accountName} (${r.accountSid})\nPassword            ${r.password}\nPasswordUpdateTime  ${r.backupDateTime}\nPasswordExpires     ${r.passwordExpirationTime ?? '-'}\n\n`);
      }
    }));

  deviceOptions(program.command('events'))
    .description('the device\'s Microsoft-Windows-LAPS/Operational log')
    .addOption(new Option('--since <iso>', 'only events at or after this time').argParser(parseInstant))
    .option('--json', 'print as JSON')
    .action(action(async (o: DeviceCommandOptions & Json & { since?: number }) => {
      const events = await withDevice(o, (d) => d.ports.events(d.record.deviceId).list(o.since !== undefined ? { since: o.since } : {}), { readonly: true });
      if (o.json) return printJson(events.map((e) => ({ ...e, time: iso(e.time) })));
      for (const e of events) {
        process.stdout.write(`${iso(e.time)}  ${e.id}  ${e.level.padEnd(11)}  ${e.message.replace(/\n+/g, ' | ')}\n`);
      }
    }));
}
