/**
 * `lapsim csp apply` and `lapsim csp show`: the LAPS CSP processor on a device stored in a lapsim
 * database. Wiring only: the processing is csp/processor.ts, the storage store/sqlite-csp-root.ts.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { MalformedSyncmlError, UsageError } from '../../core/errors.js';
import { isGuid } from '../../core/ids.js';
import { cryptoRng } from '../../core/rng.js';
import type { CspRootSnapshot } from '../../csp/csp-root.js';
import { CspProcessor } from '../../csp/processor.js';
import { parseSyncml, serializeSyncml } from '../../csp/syncml/codec.js';
import { MAX_MESSAGE_BYTES } from '../../csp/syncml/guards.js';
import { hasLapsCsp, LAPS_NODES, LAPS_ROOT_URI } from '../../csp/laps/nodes.js';
import { parseSettingValue } from '../../csp/laps/settings.js';
import { initSqliteDevice, openSqliteDevice } from '../../sim/sqlite-device.js';
import { applyCspMessage } from '../../store/csp-apply.js';
import { openDatabase } from '../../store/database.js';
import { countDevices, resolveDevice, updateDevice, type DeviceRecord } from '../../store/devices.js';
import { SqliteCspRoots } from '../../store/sqlite-csp-root.js';
import { action, parseInstant, printJson } from '../cli-support.js';
import { clockFor, iso } from '../device-options.js';

interface ApplyOptions {
  state: string; osBuild?: string; strict?: boolean; device?: string; now?: number; pretty?: boolean; process: boolean;
}
interface ShowOptions {
  state: string; device?: string; json?: boolean;
}

const OS_BUILD = /^\d+\.\d+\.\d+(\.\d+)?$/;

export function registerCsp(program: Command): void {
  const csp = program.command('csp').description('the LAPS CSP processor: apply SyncML to a device, show what it stored');
  csp
    .command('apply')
    .description('apply one SyncML message to the device in --state and print the reply (exit 0 whatever the statuses)')
    .argument('<file>', 'the SyncML message, or - for standard input')
    .requiredOption('--state <db>', 'the lapsim SQLite database (created, with a device, on first use)')
    .option('--os-build <build>', "set the device's OS version, e.g. 10.0.26100.4349 (decides which nodes exist)")
    .option('--strict', 'refuse out-of-range values with 400 from now on (stored on the device)')
    .option('--no-strict', 'accept out-of-range values with 200, as Windows does (the default)')
    .option('--device <id>', 'device id or name, when the database holds several')
    .addOption(new Option('--now <iso>', 'processing time (ISO 8601), stamps reset requests').argParser(parseInstant))
    .option('--pretty', 'write the reply one command per line')
    .option('--no-process', 'do not run the processing cycle that a change or a ResetPassword triggers at the end of the session')
    .action(action(async (file: string, o: ApplyOptions) => {
      if (o.osBuild !== undefined && !OS_BUILD.test(o.osBuild)) throw new UsageError(`--os-build must look like 10.0.26100.4349, got ${o.osBuild}`);
      // Parse before touching the database: unusable input leaves the state as it was.
      const message = parseSyncml(await readMessage(file));
      const clock = clockFor(o);
      let deviceId: string | undefined;
      let trigger: 'admin' | 'policy-change' | undefined;
      let db = openDatabase(o.state);
      if (countDevices(db) === 0) {
        db.close();
        const named = o.device === undefined ? {} : isGuid(o.device) ? { deviceId: o.device } : { name: o.device };
        await initSqliteDevice(o.state, o.osBuild !== undefined ? { ...named, osBuild: o.osBuild } : named, clock, cryptoRng(), process.env);
        db = openDatabase(o.state);
      }
      try {
        const device = resolveDevice(db, o.device);
        if (o.osBuild !== undefined || o.strict !== undefined) {
          updateDevice(db, device.deviceId, { ...(o.osBuild !== undefined ? { osBuild: o.osBuild } : {}), ...(o.strict !== undefined ? { cspStrict: o.strict } : {}) });
        }
        const result = applyCspMessage(db, device.deviceId, message, { processor: new CspProcessor({ clock }) });
        process.stdout.write(o.pretty ? serializeSyncml(result.reply, { indent: 2 }) : `${result.replyText}\n`);
        deviceId = device.deviceId;
        trigger = result.resetRequested ? 'admin' : result.changed ? 'policy-change' : undefined;
      } finally {
        db.close();
      }
      // As at the end of a management session: a change or a reset request runs a cycle.
      if (trigger !== undefined && o.process) {
        const d = openSqliteDevice({ path: o.state, deviceId, clock, rng: cryptoRng(), env: process.env });
        try {
          await d.device.processCycle(trigger);
        } finally {
          d.close();
        }
      }
    }));
  csp
    .command('show')
    .description("show the device's stored LAPS CSP values and ResetPasswordStatus")
    .requiredOption('--state <db>', 'the lapsim SQLite database')
    .option('--device <id>', 'device id or name, when the database holds several')
    .option('--json', 'print as JSON')
    .action(action((o: ShowOptions) => {
      const db = openDatabase(o.state, { readonly: true });
      try {
        const device = resolveDevice(db, o.device);
        const view = cspView(device, new SqliteCspRoots(db).forDevice(device.deviceId).load());
        if (o.json) printJson(view);
        else process.stdout.write(formatView(view));
      } finally {
        db.close();
      }
    }));
}

async function readMessage(file: string): Promise<string> {
  let bytes: Buffer;
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > MAX_MESSAGE_BYTES) break;
      chunks.push(b);
    }
    bytes = Buffer.concat(chunks);
    if (size > MAX_MESSAGE_BYTES) bytes = Buffer.alloc(MAX_MESSAGE_BYTES + 1);
  } else {
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
  }
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new MalformedSyncmlError('LAPS_ERR_SYNCML_TOO_LARGE', `SyncML message is larger than ${MAX_MESSAGE_BYTES} bytes`, '');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new MalformedSyncmlError('LAPS_ERR_MALFORMED_SYNCML', 'SyncML message is not UTF-8 text', '', { cause: e });
  }
}

interface CspView {
  deviceId: string;
  name: string;
  osBuild: string;
  strict: boolean;
  /** False when the OS build has no LAPS CSP (every LAPS URI answers 404). */
  lapsCsp: boolean;
  /** Stored Policies values by node name, typed by the node's format. */
  policies: Record<string, number | boolean | string>;
  actions: { resetPasswordStatus: number; resetPending: boolean; resetRequestedAt: string | null };
}

function cspView(device: DeviceRecord, snap: CspRootSnapshot): CspView {
  const policies: Record<string, number | boolean | string> = {};
  const known = new Set<string>();
  for (const node of LAPS_NODES) {
    if (node.behaviour.kind !== 'setting') continue;
    known.add(node.behaviour.valueName);
    const raw = snap.values.get(node.behaviour.valueName);
    if (raw !== undefined) policies[node.name] = parseSettingValue(node.behaviour.spec, raw) ?? raw;
  }
  for (const [name, raw] of snap.values) if (!known.has(name)) policies[name] = raw;
  return {
    deviceId: device.deviceId, name: device.name, osBuild: device.osBuild, strict: device.cspStrict, lapsCsp: hasLapsCsp(device.osBuild),
    policies,
    actions: { resetPasswordStatus: snap.reset.status, resetPending: snap.reset.pending, resetRequestedAt: iso(snap.reset.requestedAt ?? undefined) },
  };
}

function formatView(v: CspView): string {
  const lines = [
    `device ${v.name} (${v.deviceId}), OS ${v.osBuild}${v.lapsCsp ? '' : ' (no LAPS CSP on this build)'}, strict ${v.strict ? 'on' : 'off'}`,
  ];
  const names = Object.keys(v.policies);
  if (names.length === 0) lines.push(`${LAPS_ROOT_URI}/Policies: no values stored`);
  for (const name of names) lines.push(`${LAPS_ROOT_URI}/Policies/${name} = ${String(v.policies[name])}`);
  const a = v.actions;
  const pending = a.resetPending ? ` (reset pending since ${a.resetRequestedAt ?? 'an unknown time'})` : '';
  lines.push(`${LAPS_ROOT_URI}/Actions/ResetPasswordStatus = ${a.resetPasswordStatus}${pending}`);
  return `${lines.join('\n')}\n`;
}
