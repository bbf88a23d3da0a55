/**
 * CSP figures: a realistic 9-setting LAPS Atomic policy (hybrid device to AD, as Intune sends it:
 * Meta Format and Type on every Item) parsed, applied to the CSP root and answered, in messages
 * per second, beside the raw xml2js parse rate of the same messages measured in the same run.
 * Two variants of the policy alternate, so every message really changes all nine stored values.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'xml2js';
import { FixedClock } from '../core/clock.js';
import type { CspRoot } from '../csp/csp-root.js';
import { MemoryCspRoot } from '../csp/memory-csp-root.js';
import { CspProcessor } from '../csp/processor.js';
import { openDatabase } from '../store/database.js';
import { DEFAULT_OS_BUILD, insertDevice } from '../store/devices.js';
import { SqliteCspRoots } from '../store/sqlite-csp-root.js';
import { opsPerSecond, type Report } from './report.js';

const L = './Device/Vendor/MSFT/LAPS/Policies';
const DEVICE = '5a0c3c5a-8b7e-4a5f-9f1d-2e3c4b5a6978';

type Setting = readonly [name: string, format: 'int' | 'chr' | 'bool', a: string, b: string];
const POLICY: readonly Setting[] = [
  ['BackupDirectory', 'int', '2', '1'],
  ['PasswordAgeDays', 'int', '20', '30'],
  ['PasswordComplexity', 'int', '4', '3'],
  ['PasswordLength', 'int', '14', '20'],
  ['AdministratorAccountName', 'chr', 'ContosoLocalLapsAdmin', 'ContosoLapsAdmin2'],
  ['PasswordExpirationProtectionEnabled', 'bool', 'True', 'False'],
  ['ADPasswordEncryptionEnabled', 'bool', 'True', 'False'],
  ['ADPasswordEncryptionPrincipal', 'chr', 'LAPSAdmins@contoso.com', 'CONTOSO\\LAPSAdmins'],
  ['PostAuthenticationActions', 'int', '5', '3'],
];

/** The policy as one Atomic of nine Replaces, variant 0 or 1. */
export function policyMessage(variant: 0 | 1, msgId: number): string {
  let cmds = '';
  let id = 3;
  for (const [name, format, a, b] of POLICY) {
    cmds += `<Replace><CmdID>${id++}</CmdID><Item><Target><LocURI>${L}/${name}</LocURI></Target>` +
      `<Meta><Format xmlns="syncml:metinf">${format}</Format><Type xmlns="syncml:metinf">text/plain</Type></Meta>` +
      `<Data>${variant === 0 ? a : b}</Data></Item></Replace>`;
  }
  return '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1C</SessionID>' +
    `<MsgID>${msgId}</MsgID><Target><LocURI>5A0C3C5A8B7E4A5F9F1D2E3C4B5A6978</LocURI></Target>` +
    '<Source><LocURI>https://mdm.example.test/ManagementServer/MDM.svc</LocURI></Source>' +
    '<Meta><MaxMsgSize xmlns="syncml:metinf">524288</MaxMsgSize></Meta></SyncHdr>' +
    `<SyncBody><Atomic><CmdID>2</CmdID>${cmds}</Atomic><Final/></SyncBody></SyncML>`;
}

const ROUNDS = 5;
const MS = 400;

export async function run(report: Report): Promise<void> {
  const messages = [policyMessage(0, 2), policyMessage(1, 3)] as const;
  let i = 0;
  const next = (): string => messages[i++ & 1]!;
  const rawParse = (): void => {
    new Parser({ async: false }).parseString(next(), (err: Error | null) => {
      if (err) throw err;
    });
  };
  const processor = new CspProcessor({ clock: new FixedClock(Date.UTC(2026, 2, 1)) });
  const processWith = (root: CspRoot) => (): void => {
    const r = processor.process(next(), { root, osBuild: DEFAULT_OS_BUILD, strict: false });
    if (!r.changed) throw new Error('the bench policy must change the stored values every time');
  };

  const dir = mkdtempSync(join(tmpdir(), 'lapsim-csp-bench-'));
  const db = openDatabase(join(dir, 'csp.db'));
  try {
    insertDevice(db, {
      deviceId: DEVICE, name: 'DESKTOP-BENCH01', osBuild: DEFAULT_OS_BUILD, cspStrict: false, createdAt: 0, joinType: 'hybrid',
      isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1-2-3', directory: 'none',
    });
    const memory = processWith(new MemoryCspRoot());
    const sqlite = processWith(new SqliteCspRoots(db).forDevice(DEVICE));
    // Interleaved rounds, so that a slower moment of the machine weighs on every figure alike.
    const sum = { raw: 0, memory: 0, sqlite: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      sum.raw += opsPerSecond(rawParse, MS);
      sum.memory += opsPerSecond(memory, MS);
      sum.raw += opsPerSecond(rawParse, MS);
      sum.sqlite += opsPerSecond(sqlite, MS);
    }
    const raw = sum.raw / (2 * ROUNDS);
    const mem = sum.memory / ROUNDS;
    const sql = sum.sqlite / ROUNDS;
    report({ name: 'xml2js parse of the 9-setting Atomic (default options)', value: raw, unit: 'msg/s' });
    report({ name: 'CSP process, in-memory root (parse, apply, answer)', value: mem, unit: 'msg/s' });
    report({ name: 'CSP process / xml2js parse, in-memory root', value: mem / raw, unit: 'ratio', goal: { op: '>=', value: 0.75 } });
    report({ name: 'CSP process, SQLite root on a file (WAL, one commit each)', value: sql, unit: 'msg/s' });
    report({ name: 'CSP process / xml2js parse, SQLite root', value: sql / raw, unit: 'ratio', goal: { op: '>=', value: 0.6 } });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
