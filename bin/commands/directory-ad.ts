/**
 * `lapsim directory ad --data DIR`: provisions (once) and runs a Samba AD domain controller on
 * 127.0.0.1 until SIGINT or SIGTERM, and writes DIR/lapsim-ad.json for devices and `lapsim ad`.
 * Wiring only: sim/ad/lab-dc.ts does the work.
 */
import { Option, type Command } from 'commander';
import { SystemClock } from '../../core/clock.js';
import { cryptoRng } from '../../core/rng.js';
import { startLabDc } from '../../sim/ad/lab-dc.js';
import type { FunctionalLevel } from '../../sim/ad/samba-dc.js';
import { action } from '../cli-support.js';

interface AdOptions { data: string; functionalLevel?: FunctionalLevel; json?: boolean }

/** The `directory` group, shared with the other directory kinds (created by whichever registers first). */
function directoryGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'directory')
    ?? program.command('directory').description('run a directory for simulated devices to escrow their passwords to');
}

export function registerDirectoryAd(program: Command): void {
  directoryGroup(program)
    .command('ad')
    .description('run a Samba Active Directory domain controller on 127.0.0.1 (LDAPS 636); provisioned in --data on first start (docs/active-directory.md)')
    .requiredOption('--data <dir>', 'folder of the DC and its connection file lapsim-ad.json; created on first use, kept across restarts')
    .addOption(new Option('--functional-level <level>', 'set the domain and forest functional level before starting (new domains: 2016)').choices(['2008_R2', '2016']))
    .option('--json', 'print the connection as one JSON line once the DC answers')
    .action(action(async (o: AdOptions) => {
      const clock = new SystemClock();
      const lab = await startLabDc({ dir: o.data, clock, rng: cryptoRng(), ...(o.functionalLevel ? { functionalLevel: o.functionalLevel } : {}) });
      const c = lab.connection.json;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ url: c.url, connectionFile: lab.connection.file, realm: c.realm, baseDn: c.baseDn, computersOu: c.computersOu, admin: c.admin.bindName, provisioned: lab.provisioned, pid: lab.dc.pid ?? null })}\n`);
      } else {
        process.stdout.write([
          `lapsim AD domain controller ${c.tlsServerName} ${lab.provisioned ? '(provisioned now) ' : ''}answering on ${c.url}`,
          `Domain:          ${c.realm} (${c.netbiosDomain}), ${c.baseDn}`,
          `Connection file: ${lab.connection.file} (admin identity ${c.admin.bindName}, decryptor key pair: keep it private)`,
          `Devices join:    ${c.computersOu}`,
          `Next:            lapsim ad update-schema --directory ad=${o.data}`,
          `                 lapsim ad grant-self --ou "${c.computersOu}" --directory ad=${o.data}`,
          `                 lapsim device init --state device.db --join ad --directory ad=${o.data}`,
          'Stop with Ctrl+C.',
        ].join('\n') + '\n');
      }
      let stopping = false;
      const stop = (): void => {
        stopping = true;
        void lab.stop().then(() => {
          process.exitCode = 0;
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const code = await lab.dc.exited();
      if (!stopping) {
        process.stderr.write(`lapsim: samba exited unexpectedly (code ${code}); see ${o.data}/samba.log\n`);
        process.exitCode = 1;
      }
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }));
}
