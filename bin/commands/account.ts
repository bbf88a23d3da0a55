/**
 * `lapsim account ...`: the simulated local account database. Changes made here come from
 * "outside LAPS" and go through tamper protection (error 8654, events 10031 and 10101-10104).
 */
import type { Command } from 'commander';
import { LapsError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import { ProtectedAccountDatabase } from '../../agent/accounts/protection.js';
import type { LocalAccount } from '../../agent/ports.js';
import type { SqliteDevice } from '../../sim/sqlite-device.js';
import { action, printJson } from '../cli-support.js';
import { clockFor, deviceOptions, withDevice, type DeviceCommandOptions } from '../device-options.js';

function protectedAccounts(d: SqliteDevice, o: DeviceCommandOptions): ProtectedAccountDatabase {
  return new ProtectedAccountDatabase({
    accounts: d.accounts, events: d.ports.events(d.record.deviceId), clock: clockFor(o), managedRid: () => d.device.state().lastAccountRid,
  });
}

function find(d: SqliteDevice, name: string): LocalAccount {
  const a = d.accounts.byName(name);
  if (!a) throw new LapsError('LAPS_ERR_UNKNOWN_ACCOUNT', `no local account named '${name}'`);
  return a;
}

type Opts = DeviceCommandOptions & { json?: boolean };

export function registerAccount(program: Command): void {
  const account = program.command('account').description('the simulated local account database');

  deviceOptions(account.command('add <name>'))
    .description('create a local account')
    .option('--admin', 'member of the local Administrators group')
    .option('--disabled', 'create it disabled')
    .option('--password <password>', 'initial password')
    .action(action(async (name: string, o: Opts & { admin?: boolean; disabled?: boolean; password?: string }) => {
      await withDevice(o, (d) => {
        const db = protectedAccounts(d, o);
        const a = d.ports.transaction(() => {
          const created = db.create({ name, enabled: !o.disabled, admin: o.admin ?? false });
          if (o.password !== undefined) db.setPassword(created.rid, new Secret(o.password));
          return created;
        });
        process.stdout.write(`created ${a.name} (RID ${a.rid}, ${d.device.ctx.sidOf(a.rid)})\n`);
      });
    }));

  deviceOptions(account.command('list'))
    .description('list local accounts')
    .option('--json', 'print as JSON')
    .action(action(async (o: Opts) => {
      const rows = await withDevice(o, (d) => {
        const managed = d.device.state().lastAccountRid;
        return d.accounts.list().map((a) => ({
          name: a.name, rid: a.rid, sid: d.device.ctx.sidOf(a.rid), enabled: a.enabled, admin: a.admin, description: a.description,
          lapsManaged: a.lapsManaged || a.rid === managed, passwordSetAt: a.passwordSetAt === undefined ? null : new Date(a.passwordSetAt).toISOString(),
        }));
      });
      if (o.json) return printJson(rows);
      for (const r of rows) {
        process.stdout.write(`${r.name.padEnd(22)} RID ${String(r.rid).padEnd(6)} ${r.enabled ? 'enabled ' : 'disabled'} ${r.admin ? 'admin' : '     '} ${r.lapsManaged ? 'LAPS-managed' : ''}\n`);
      }
    }));

  const change = (verb: string, description: string, run: (db: ProtectedAccountDatabase, a: LocalAccount, extra: string | undefined) => void, arg?: string): void => {
    deviceOptions(account.command(arg ? `${verb} <name> <${arg}>` : `${verb} <name>`))
      .description(description)
      .action(action(async (name: string, extraOrOpts: string | Opts, maybeOpts?: Opts) => {
        const o = (arg ? maybeOpts : extraOrOpts) as Opts;
        const extra = arg ? (extraOrOpts as string) : undefined;
        await withDevice(o, (d) => run(protectedAccounts(d, o), find(d, name), extra));
        process.stdout.write(`${verb}: ${name}: done\n`);
      }));
  };
  change('set-password', 'set an account\'s password from outside LAPS (refused for the managed account)', (db, a, pw) => db.setPassword(a.rid, new Secret(pw!)), 'password');
  change('enable', 'enable an account', (db, a) => void db.update(a.rid, { enabled: true }));
  change('disable', 'disable an account', (db, a) => void db.update(a.rid, { enabled: false }));
  change('rename', 'rename an account', (db, a, to) => void db.update(a.rid, { name: to! }), 'new-name');
  change('remove-admin', 'remove an account from the local Administrators group', (db, a) => void db.removeFromAdministrators(a.rid));
  change('delete', 'delete an account', (db, a) => db.delete(a.rid));
}
