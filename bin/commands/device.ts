/** `lapsim device init`: creates a simulated device in a state database. */
import { Option, type Command } from 'commander';
import { cryptoRng } from '../../core/rng.js';
import { initSqliteDevice } from '../../sim/sqlite-device.js';
import { parseDirectorySpec } from '../../sim/directory-registry.js';
import type { DirectoryKind } from '../../store/devices.js';
import { openDatabase } from '../../store/database.js';
import { countDevices } from '../../store/devices.js';
import { LapsError, UsageError } from '../../core/errors.js';
import { registerWithServer, storeRegistration } from '../../sim/management-registration.js';
import { action, parseInstant, printJson } from '../cli-support.js';
import { clockFor } from '../device-options.js';

interface InitOptions {
  state: string; name?: string; join: 'entra' | 'ad' | 'hybrid' | 'workgroup'; osBuild?: string; dc?: boolean; legacyCse?: boolean;
  builtinAdminName?: string; builtinAdminDisabled?: boolean; directory: string; adminToken?: string; server?: string; caFile?: string; now?: number; json?: boolean;
}

export function registerDevice(program: Command): void {
  const device = program.command('device').description('create and inspect simulated devices');
  device
    .command('init')
    .description('create a simulated Windows device in --state (the database is created on first use)')
    .requiredOption('--state <db>', 'the lapsim SQLite database to create the device in')
    .option('--name <name>', 'computer name (default: DESKTOP- and 7 random characters)')
    .addOption(new Option('--join <type>', 'join state').choices(['entra', 'ad', 'hybrid', 'workgroup']).default('entra'))
    .option('--os-build <build>', 'OS version, e.g. 10.0.26100.4349 (24H2) or 10.0.22631.4317 (23H2)')
    .option('--dc', 'the device is a domain controller')
    .option('--legacy-cse', 'the legacy Microsoft LAPS (AdmPwd) client-side extension is installed')
    .option('--builtin-admin-name <name>', 'name of the built-in RID 500 account (renamed or localized)')
    .option('--builtin-admin-disabled', 'keep the built-in Administrator disabled, as Windows client ships it (default: enabled)')
    .option('--directory <kind[=target]>', 'where passwords are escrowed: none, local (in the database), entra=<url>, ad=<folder or ldaps URL>', 'local')
    .option('--admin-token <token>', 'admin token to register the device with (management server or Entra emulator; default $LAPSIM_ADMIN_TOKEN / $LAPSIM_ENTRA_ADMIN_TOKEN)')
    .option('--server <url>', 'register the device with a lapsim management server (http(s)://host:port): escrow to its Entra emulator, and `lapsim agent --state` connects to it')
    .option('--ca-file <pem>', 'CA certificate of an https:// server')
    .addOption(new Option('--now <iso>', 'creation time (ISO 8601)').argParser(parseInstant))
    .option('--json', 'print the device as JSON')
    .action(action(async (o: InitOptions) => {
      const db = openDatabase(o.state);
      const existing = countDevices(db);
      db.close();
      if (existing > 0) throw new LapsError('LAPS_ERR_DEVICE_EXISTS', `${o.state} already holds a device; use another --state file`);
      const adminToken = o.adminToken ?? process.env['LAPSIM_ADMIN_TOKEN'];
      if (o.server !== undefined && adminToken === undefined) throw new UsageError('--server needs --admin-token (or LAPSIM_ADMIN_TOKEN): the server\'s admin token');
      // A device registered with a server escrows to the Entra emulator the server mounts.
      const dir = parseDirectorySpec(o.server !== undefined && o.directory === 'local' ? `entra=${o.server}` : o.directory);
      const env = { ...process.env, ...(adminToken !== undefined ? { LAPSIM_ENTRA_ADMIN_TOKEN: adminToken } : {}), ...(o.caFile !== undefined ? { LAPSIM_ENTRA_CA_FILE: o.caFile } : {}) };
      const rec = await initSqliteDevice(o.state, {
        joinType: o.join, directory: dir.kind as DirectoryKind, ...(dir.target !== undefined ? { directoryTarget: dir.target } : {}),
        ...(o.name !== undefined ? { name: o.name } : {}), ...(o.osBuild !== undefined ? { osBuild: o.osBuild } : {}),
        ...(o.dc ? { isDomainController: true } : {}), ...(o.legacyCse ? { legacyCseInstalled: true } : {}),
        ...(o.builtinAdminName !== undefined ? { builtinAdminName: o.builtinAdminName } : {}),
        ...(o.builtinAdminDisabled ? { builtinAdminDisabled: true } : {}),
      }, clockFor(o), cryptoRng(), env);
      let managedDeviceId: string | undefined;
      if (o.server !== undefined) {
        const reg = await registerWithServer(rec, { serverUrl: o.server, adminToken: adminToken!, caFile: o.caFile });
        storeRegistration(o.state, rec.deviceId, reg, process.env);
        managedDeviceId = reg.managedDeviceId;
      }
      if (o.json) printJson({ ...rec, ...(managedDeviceId !== undefined ? { managedDeviceId, server: o.server } : {}) });
      else {
        process.stdout.write(`created device ${rec.name} (${rec.deviceId}), ${rec.joinType}-joined, OS ${rec.osBuild}, directory ${rec.directory}\n`);
        if (managedDeviceId !== undefined) process.stdout.write(`registered with ${o.server} as managed device ${managedDeviceId}; run: lapsim agent --state ${o.state}\n`);
      }
    }));
}
