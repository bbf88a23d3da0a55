/**
 * The AD integration tests' world: one real Samba DC per test run (sim/ad/lab-dc.ts), devices in
 * SQLite files driven in-process on fixed clocks, and the `lapsim` CLI for what an admin or a user
 * does (get-password, expire, logon). No LDAP mock anywhere.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FixedClock, SystemClock } from '../../../core/clock.js';
import { cryptoRng } from '../../../core/rng.js';
import { Secret } from '../../../core/secret.js';
import type { Entry } from 'ldapts';
import type { CycleOutcome, CycleTrigger } from '../../../agent/cycle.js';
import type { LapsState } from '../../../agent/ports.js';
import { BINARY_ATTRIBUTES } from '../../../agent/escrow/ad-attributes.js';
import type { AdSession, RootDse } from '../../../agent/escrow/ad-ldap.js';
import { withAdmin } from '../../../sim/ad/ad-admin.js';
import { startLabDc, type LabDc } from '../../../sim/ad/lab-dc.js';
import { initSqliteDevice, openSqliteDevice } from '../../../sim/sqlite-device.js';
import '../../../sim/directory-registry.js';
import { CLI, lapsim, tempDir } from '../../helpers/cli.js';

export const HOUR = 3_600_000;

/** One AD test run per machine at a time: a DC listens on fixed ports (another checkout's `npm test` waits here). */
const LOCK = join(tmpdir(), 'lapsim-ad-tests.lock');

function lockHolderAlive(): boolean {
  try {
    process.kill(Number(readFileSync(LOCK, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the machine-wide AD test lock, waiting up to `timeoutMs` for another run to finish. */
export async function acquireAdTestLock(timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return () => rmSync(LOCK, { force: true });
    } catch {
      if (!lockHolderAlive()) rmSync(LOCK, { force: true });
      else if (Date.now() > deadline) throw new Error(`another AD test run (pid ${readFileSync(LOCK, 'utf8')}) holds ${LOCK}`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}
export const DAY = 86_400_000;

/** A device of the tests: its database, id and name. */
export interface TestDevice {
  readonly db: string;
  readonly deviceId: string;
  readonly name: string;
}

/** A Get-LapsADPassword row as `lapsim ad get-password --json` prints it. */
export interface GetPasswordRow {
  ComputerName: string; DistinguishedName: string; Account: string | null; Password: string | null; PasswordUpdateTime: string | null;
  ExpirationTimestamp: string | null; Source: string; DecryptionStatus: string; AuthorizedDecryptor: string | null;
}

export class AdLab {
  readonly dir = tempDir('lapsim-ad-');
  lab: LabDc | undefined;
  #cli: ChildProcess | undefined;
  #names = 0;

  get spec(): string {
    return `ad=${this.dir}`;
  }

  get connection(): LabDc['connection'] {
    if (!this.lab) throw new Error('the lab DC is not running in-process');
    return this.lab.connection;
  }

  async start(level?: '2008_R2' | '2016'): Promise<void> {
    this.lab = await startLabDc({ dir: this.dir, clock: new SystemClock(), rng: cryptoRng(), ...(level ? { functionalLevel: level } : {}) });
  }

  async stop(): Promise<void> {
    await this.lab?.stop();
    this.lab = undefined;
    await this.stopCli();
  }

  /** Runs the same folder's DC through `lapsim directory ad` in a child process; resolves when it answers. */
  startCli(level?: '2008_R2' | '2016'): Promise<Record<string, unknown>> {
    const child = spawn(process.execPath, [CLI, 'directory', 'ad', '--data', this.dir, '--json', ...(level ? ['--functional-level', level] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#cli = child;
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as Record<string, unknown>);
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => reject(new Error(`lapsim directory ad exited with ${code}: ${err}`)));
    });
  }

  /** SIGINT to `lapsim directory ad`, as Ctrl+C; resolves when it has exited. */
  async stopCli(): Promise<number | null> {
    const child = this.#cli;
    this.#cli = undefined;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return exited;
  }

  /** A fresh computer name (≤ 15 characters). */
  name(prefix: string): string {
    return `${prefix}${++this.#names}`.toUpperCase();
  }

  admin<T>(fn: (s: AdSession, root: RootDse) => Promise<T>): Promise<T> {
    return withAdmin(this.connection, fn);
  }

  /** Joins a new device (`lapsim device init --join ad --directory ad=<DIR>[?ou=…]` in-process) and sets its GPO root. */
  async device(prefix: string, gpo: Record<string, string>, opts: { ou?: string; dc?: boolean; root?: 'gpo' | 'legacy'; at?: number } = {}): Promise<TestDevice> {
    const db = join(tempDir('lapsim-ad-dev-'), 'device.db');
    const name = this.name(prefix);
    const rec = await initSqliteDevice(db, {
      name, joinType: 'ad', directory: 'ad', directoryTarget: opts.ou ? `${this.dir}?ou=${opts.ou}` : this.dir, ...(opts.dc ? { isDomainController: true } : {}),
    }, new FixedClock(opts.at ?? Date.now()), cryptoRng());
    const d = openSqliteDevice({ path: db, clock: new SystemClock(), rng: cryptoRng() });
    try {
      d.ports.policyRoots(rec.deviceId).set(opts.root ?? 'gpo', gpo);
    } finally {
      d.close();
    }
    return { db, deviceId: rec.deviceId, name };
  }

  /** Replaces a policy root of the device. */
  setPolicy(dev: TestDevice, root: 'gpo' | 'legacy', values: Record<string, string>): void {
    const d = openSqliteDevice({ path: dev.db, clock: new SystemClock(), rng: cryptoRng() });
    try {
      d.ports.policyRoots(dev.deviceId).clear(root === 'gpo' ? 'legacy' : 'gpo');
      d.ports.policyRoots(dev.deviceId).set(root, values);
    } finally {
      d.close();
    }
  }

  /** One processing cycle at `at` (or a Reset-LapsPassword with trigger 'admin'); the events it logged. */
  async cycle(dev: TestDevice, at: number, trigger: CycleTrigger = 'background'): Promise<{ outcome: CycleOutcome; events: number[]; state: LapsState }> {
    const d = openSqliteDevice({ path: dev.db, clock: new FixedClock(at), rng: cryptoRng() });
    try {
      const log = d.ports.events(dev.deviceId);
      const before = log.list().length;
      const outcome = trigger === 'admin' ? await d.device.resetPassword() : (await d.device.processCycle(trigger))!;
      return { outcome, events: log.list().slice(before).map((e) => e.id), state: d.device.state() };
    } finally {
      d.close();
    }
  }

  /** Every event of the device, with fields, for content checks. */
  events(dev: TestDevice): { id: number; message: string; fields: Record<string, unknown> }[] {
    const d = openSqliteDevice({ path: dev.db, clock: new SystemClock(), rng: cryptoRng() });
    try {
      return d.ports.events(dev.deviceId).list().map((e) => ({ id: e.id, message: e.message, fields: { ...e.fields } }));
    } finally {
      d.close();
    }
  }

  /** Whether `password` opens the device's Administrator now (without post-authentication side effects). */
  opens(dev: TestDevice, password: string): boolean {
    const d = openSqliteDevice({ path: dev.db, clock: new SystemClock(), rng: cryptoRng() });
    try {
      return d.accounts.verifyPassword(500, new Secret(password));
    } finally {
      d.close();
    }
  }

  /** `lapsim ad get-password --json [--history]`. */
  getPassword(dev: TestDevice | string, history = false): GetPasswordRow[] {
    const name = typeof dev === 'string' ? dev : dev.name;
    const r = lapsim(['ad', 'get-password', '--device', name, '--directory', this.spec, '--json', ...(history ? ['--history'] : [])]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as GetPasswordRow | GetPasswordRow[];
    return Array.isArray(out) ? out : [out];
  }

  /** `lapsim logon Administrator --password <pw>`: the exit code. */
  logon(dev: TestDevice, password: string, account = 'Administrator'): number {
    return lapsim(['logon', account, '--password', password, '--state', dev.db]).code;
  }

  /** The computer object's LAPS attributes as the admin reads them (binary ones as Buffers). */
  async raw(dev: TestDevice | string): Promise<Entry> {
    const sam = `${typeof dev === 'string' ? dev : dev.name}$`;
    return this.admin(async (s, root) => {
      const e = (await s.find(root.defaultNamingContext, `(sAMAccountName=${sam})`, ['*', 'msLAPS-Password', 'ms-Mcs-AdmPwd', ...BINARY_ATTRIBUTES], { binary: [...BINARY_ATTRIBUTES] }))[0];
      if (!e) throw new Error(`no computer ${sam}`);
      return e;
    });
  }
}
