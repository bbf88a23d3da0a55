/**
 * The guided tour (`lapsim demo`): one simulated device in a SQLite file, driven on virtual time
 * through the LAPS life an Intune-managed Windows 11 device goes through. Everything happens
 * through the same components the CLI and the agent use; the story is printed as it goes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import { Secret } from '../core/secret.js';
import { CspProcessor } from '../csp/processor.js';
import { applyCspMessage } from '../store/csp-apply.js';
import { deviceStatus } from '../agent/status.js';
import { initSqliteDevice, openSqliteDevice } from './sqlite-device.js';

export interface DemoOptions {
  readonly dataDir: string;
  readonly rng: Rng;
  readonly out: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const START = Date.UTC(2026, 2, 1, 9, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The LAPS CSP payload an Intune Windows LAPS profile (backup to Entra, 30 days) delivers. */
function policyPayload(): string {
  const item = (id: number, node: string, format: string, data: string): string =>
    `<Replace><CmdID>${id}</CmdID><Item><Target><LocURI>./Device/Vendor/MSFT/LAPS/Policies/${node}</LocURI></Target>` +
    `<Meta><Format xmlns="syncml:metinf">${format}</Format></Meta><Data>${data}</Data></Item></Replace>`;
  return '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>' +
    '<Target><LocURI>demo-device</LocURI></Target><Source><LocURI>https://intune.example/dm</LocURI></Source></SyncHdr><SyncBody>' +
    '<Atomic><CmdID>1</CmdID>' + item(2, 'BackupDirectory', 'int', '1') + item(3, 'PasswordAgeDays', 'int', '30') +
    item(4, 'PasswordComplexity', 'int', '4') + item(5, 'PasswordLength', 'int', '14') +
    item(6, 'PostAuthenticationResetDelay', 'int', '8') + item(7, 'PostAuthenticationActions', 'int', '3') + '</Atomic><Final/></SyncBody></SyncML>';
}

function resetPayload(): string {
  return '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>2</SessionID><MsgID>2</MsgID>' +
    '<Target><LocURI>demo-device</LocURI></Target><Source><LocURI>https://intune.example/dm</LocURI></Source></SyncHdr><SyncBody>' +
    '<Exec><CmdID>1</CmdID><Item><Target><LocURI>./Device/Vendor/MSFT/LAPS/Actions/ResetPassword</LocURI></Target></Item></Exec><Final/></SyncBody></SyncML>';
}

/** Runs the tour; returns the path of the device database it leaves behind. */
export async function runDemo(o: DemoOptions): Promise<string> {
  mkdirSync(o.dataDir, { recursive: true });
  const path = join(o.dataDir, `demo-${START}-${o.rng.int(1e9)}.db`);
  const clock = new ManualClock(START);
  const say = (text: string): void => o.out(`[${new Date(clock.now()).toISOString().slice(0, 16).replace('T', ' ')}] ${text}`);
  const rec = await initSqliteDevice(path, { name: 'DEMO-PC01', joinType: 'entra' }, clock, o.rng, o.env ?? {});
  const d = openSqliteDevice({ path, deviceId: rec.deviceId, clock, rng: o.rng, env: o.env ?? {} });
  try {
    const dirPassword = async (): Promise<Secret> => (await d.directory.credentials(rec.deviceId))[0]!.password;
    say(`created ${rec.name}, Entra-joined Windows 11 24H2 (${rec.osBuild}), escrowing to the local Entra-like directory`);
    const processor = new CspProcessor({ clock });
    const applied = applyCspMessage(d.db, rec.deviceId, policyPayload(), { processor });
    const codes = applied.reply.body.filter((c) => c.kind === 'Status').map((c) => (c as { data: string }).data);
    say(`management session: the LAPS policy as one Atomic of 6 Replace commands; statuses for the header, the Atomic and each command: ${codes.join(' ')}`);
    let out = await d.device.processCycle('policy-change');
    say(`processing after the session: ${out?.rotated ? 'password rotated, escrowed to the directory first, then set locally' : 'no rotation'}`);
    const first = await dirPassword();
    say(`Get-LapsAADPassword: account Administrator, a ${first.length}-character password (not printed here; \`lapsim password\` shows it)`);
    say(`logon with the escrowed password: ${d.device.logon('Administrator', first).ok ? 'accepted' : 'refused'}; post-authentication reset scheduled in 8 hours`);
    clock.advanceTo(START + 8 * HOUR);
    out = await d.device.processCycle('background');
    say(`grace period over: ${out?.rotated ? 'password reset, interactive sessions signed out' : 'nothing done'}; the old password ${d.device.logon('Administrator', first).ok ? 'still works' : 'no longer works'}`);
    let rotations = 0;
    for (let t = START + 9 * HOUR; t <= START + 45 * DAY; t += HOUR) {
      clock.advanceTo(t);
      if ((await d.device.processCycle('background'))?.rotated) {
        rotations++;
        say('hourly background cycle: the password expired (30 days) and was rotated');
      }
    }
    say(`${45 * 24} hourly cycles simulated, ${rotations} scheduled rotation(s)`);
    const reset = applyCspMessage(d.db, rec.deviceId, resetPayload(), { processor });
    d.device.resetRequested();
    out = await d.device.processCycle(reset.resetRequested ? 'admin' : 'background');
    say(`Intune "Rotate local admin password" (Exec Actions/ResetPassword): ${out?.rotated ? 'rotated' : 'failed'}; ResetPasswordStatus = ${d.device.ctx.resets.status()}`);
    const s = await deviceStatus(d.device);
    say(`status: policy source ${s.policySource}, last rotation ${s.lastRotation}, next rotation ${s.nextRotation}`);
    const third = await dirPassword();
    say(`the directory keeps the last 3 passwords; the current one opens the account: ${d.device.logon('Administrator', third).ok}`);
    o.out('');
    o.out(`device database: ${path}`);
    o.out(`look around:  npx lapsim events --state ${path}`);
    o.out(`              npx lapsim password --state ${path} --history`);
    return path;
  } finally {
    d.close();
  }
}
