/** `lapsim policy set|clear|show`: the Group Policy, local configuration and legacy roots. */
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parsePolicyAssignment } from '../../agent/policy/policy-assignment.js';
import { describePolicy } from '../../agent/policy/describe-policy.js';
import type { WritableRoot } from '../../agent/ports.js';
import { action, printJson } from '../cli-support.js';
import { deviceOptions, withDevice, type DeviceCommandOptions } from '../device-options.js';

const rootOption = (): Option => new Option('--root <root>', 'policy root: gpo, local (LAPS\\Config) or legacy (AdmPwd)').choices(['gpo', 'local', 'legacy']).makeOptionMandatory();

type SetOptions = DeviceCommandOptions & { root: WritableRoot; process: boolean; allowOutOfRange?: boolean };

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('policy roots and the effective LAPS policy');

  deviceOptions(policy.command('set <assignments...>'))
    .description('set values in a root, e.g. `policy set --root gpo BackupDirectory=1 PasswordAgeDays=30`; then process as a policy change notification')
    .addOption(rootOption())
    .option('--allow-out-of-range', 'store values outside the allowed range (Windows falls back to the default)')
    .option('--no-process', 'only store the values; do not run the processing cycle a policy change triggers')
    .action(action(async (assignments: string[], o: SetOptions) => {
      const parsed = assignments.map((a) => parsePolicyAssignment(o.root, a, { allowOutOfRange: o.allowOutOfRange ?? false }));
      const errors = parsed.flatMap((p) => (p.ok ? [] : [p.error]));
      if (errors.length > 0) throw new UsageError(errors.join('; '));
      const values: Record<string, string> = {};
      for (const p of parsed) if (p.ok) values[p.name] = p.value;
      await withDevice(o, async (d) => {
        d.ports.policyRoots(d.record.deviceId).set(o.root, values);
        d.device.policyChanged();
        for (const p of parsed) if (p.ok && p.warning) process.stderr.write(`lapsim: warning: ${p.warning}\n`);
        process.stdout.write(`${o.root}: ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
        if (o.process) await reportCycle(d.device.processCycle('policy-change'));
      });
    }));

  deviceOptions(policy.command('clear'))
    .description('remove every value of a root')
    .addOption(rootOption())
    .option('--no-process', 'do not run the processing cycle a policy change triggers')
    .action(action(async (o: SetOptions) => {
      await withDevice(o, async (d) => {
        d.ports.policyRoots(d.record.deviceId).clear(o.root);
        d.device.policyChanged();
        process.stdout.write(`${o.root}: cleared\n`);
        if (o.process) await reportCycle(d.device.processCycle('policy-change'));
      });
    }));

  deviceOptions(policy.command('show'))
    .description('the effective policy: the root in force, every value and where it comes from, values ignored and why')
    .option('--json', 'print as JSON')
    .action(action(async (o: DeviceCommandOptions & { json?: boolean }) => {
      const view = await withDevice(o, (d) => {
        const p = d.device.policy();
        return {
          source: p.source, backupDirectory: p.backupDirectory, managed: p.managed, notManagedReason: p.notManagedReason ?? null,
          legacyEmulation: p.legacyEmulation, settings: describePolicy(p), ignored: p.ignored, notApplicable: p.notApplicable,
        };
      });
      if (o.json) return printJson(view);
      const out = [`Policy source: ${view.source}${view.managed ? '' : `  (not managed: ${view.notManagedReason})`}`, ''];
      for (const s of view.settings) {
        const v = s.value === undefined ? '(unset)' : String(s.value);
        out.push(`${s.name.padEnd(42)} ${v.padEnd(12)} ${s.origin}${s.applicable ? '' : ', not applicable'}${s.note ? ` - ${s.note}` : ''}`);
      }
      for (const i of view.ignored) out.push(`ignored: ${i.root} ${i.name}=${i.value}: ${i.detail}`);
      process.stdout.write(`${out.join('\n')}\n`);
    }));
}

async function reportCycle(p: Promise<{ hresult: number; rotated: boolean } | undefined>): Promise<void> {
  const o = await p;
  if (!o) return;
  process.stdout.write(o.hresult === 0 ? (o.rotated ? 'processed: password rotated\n' : 'processed: no rotation needed\n') : `processed: failed (0x${(o.hresult >>> 0).toString(16).toUpperCase()}), see lapsim events\n`);
}
