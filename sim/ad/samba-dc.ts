/**
 * A real Active Directory domain controller: Samba's, from Debian's `samba` package, provisioned
 * into a folder and run as a child process on the loopback interface only (docs/architecture.md,
 * "Real components"). LDAPS answers on 127.0.0.1:636 with the certificate Samba generates under
 * DIR/private/tls (its CA signs it; the certificate names the DC, e.g. dc1.lapsim.test).
 *
 * A DC listens on fixed ports, so one runs per machine at a time. `samba -i` stops when its stdin
 * closes, so a DC never outlives the process that started it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, checkServerIdentity } from 'node:tls';
import type { Clock } from '../../core/clock.js';
import { LapsError } from '../../core/errors.js';

/** The ports of one DC: LDAPS. */
export const LDAPS_PORT = 636;

export type FunctionalLevel = '2008_R2' | '2016';

/** msDS-Behavior-Version of each level. */
const LEVEL_VERSION: Readonly<Record<FunctionalLevel, number>> = { '2008_R2': 4, '2016': 7 };

export interface SambaDcSettings {
  /** Folder of the DC (`--targetdir`). */
  readonly dir: string;
  /** Kerberos realm / DNS domain in upper case, e.g. LAPSIM.TEST. */
  readonly realm: string;
  /** NetBIOS domain name, e.g. LAPSIM. */
  readonly netbiosDomain: string;
  /** The DC's host name, e.g. DC1. */
  readonly hostName: string;
  /** The domain Administrator's password (meets the default complexity rules). */
  readonly adminPassword: string;
}

/** The DC's DNS name, which its certificate carries. */
export function dcDnsName(s: Pick<SambaDcSettings, 'hostName' | 'realm'>): string {
  return `${s.hostName}.${s.realm}`.toLowerCase();
}

/** `DC=lapsim,DC=test` of a realm. */
export function baseDnOf(realm: string): string {
  return realm.toLowerCase().split('.').map((p) => `DC=${p}`).join(',');
}

export function smbConfPath(dir: string): string {
  return join(dir, 'etc', 'smb.conf');
}

export function caFilePath(dir: string): string {
  return join(dir, 'private', 'tls', 'ca.pem');
}

/** Where Debian installs Samba's programs. */
const BIN_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

function findExecutable(name: string): string {
  for (const d of BIN_DIRS) {
    if (existsSync(join(d, name))) return join(d, name);
  }
  throw new LapsError('LAPS_ERR_SAMBA', `${name} is not installed (apt-get install -y samba ldap-utils)`);
}

/** True when Samba's tools are installed. */
export function sambaInstalled(): boolean {
  try {
    findExecutable('samba');
    findExecutable('samba-tool');
    return true;
  } catch {
    return false;
  }
}

function run(file: string, args: readonly string[], what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new LapsError('LAPS_ERR_SAMBA', `${what} failed: ${`${stderr}`.trim().split('\n').slice(-3).join(' | ') || err.message}`, { cause: err }));
      else resolve(`${stdout}`);
    });
  });
}

/**
 * Provisions the DC into `settings.dir` unless it already holds one (about 4-7 s), restricts it to
 * the loopback interface and LDAP, allows schema updates, and sets the functional level.
 * @returns whether a new domain was provisioned
 */
export async function provisionSambaDc(settings: SambaDcSettings, level: FunctionalLevel = '2016'): Promise<boolean> {
  if (existsSync(smbConfPath(settings.dir))) return false;
  await run(findExecutable('samba-tool'), [
    'domain', 'provision', `--targetdir=${settings.dir}`, `--realm=${settings.realm}`, `--domain=${settings.netbiosDomain}`,
    '--server-role=dc', '--dns-backend=NONE', `--host-name=${settings.hostName}`, `--adminpass=${settings.adminPassword}`,
  ], 'samba-tool domain provision');
  const conf = smbConfPath(settings.dir);
  const lines = readFileSync(conf, 'utf8').split('\n').filter((l) => !/^\s*(server services|log file)\s*=/.test(l));
  const global = lines.findIndex((l) => l.trim() === '[global]');
  lines.splice(global + 1, 0,
    '\tdsdb:schema update allowed = true', '\tinterfaces = lo', '\tbind interfaces only = yes',
    '\tserver services = ldap', `\tlog file = ${join(settings.dir, 'log.%m')}`);
  writeFileSync(conf, lines.join('\n'));
  await setFunctionalLevel(settings.dir, level);
  return true;
}

/**
 * Sets the domain and forest functional level of a stopped DC. Samba 4.17's samba-tool stops at
 * 2012_R2, and encryption needs 2016, so this writes msDS-Behavior-Version on the domain head, the
 * Partitions container, the domain's crossRef and the DC's NTDS Settings directly, as the system,
 * with Samba's own Python bindings (what `ad dc functional level = 2016` does in Samba 4.19+).
 */
export async function setFunctionalLevel(dir: string, level: FunctionalLevel): Promise<void> {
  const shebang = readFileSync(findExecutable('samba-tool'), 'utf8').split('\n')[0] ?? '';
  const python = shebang.startsWith('#!') ? shebang.slice(2).trim().split(/\s+/) : ['python3'];
  const script = [
    'import sys, ldb',
    'from samba.samdb import SamDB', 'from samba.auth import system_session', 'from samba.param import LoadParm',
    'lp = LoadParm(); lp.load(sys.argv[1])',
    'db = SamDB(url=lp.private_path("sam.ldb"), session_info=system_session(), lp=lp)',
    'base = str(db.domain_dn())',
    'res = db.search(base=str(db.get_config_basedn()), expression="(|(objectClass=nTDSDSA)(objectClass=crossRefContainer)(&(objectClass=crossRef)(nCName=%s)))" % base, attrs=["dn"])',
    'for dn in [base] + [str(r.dn) for r in res]:',
    '    m = ldb.Message(); m.dn = ldb.Dn(db, dn)',
    '    m["v"] = ldb.MessageElement(sys.argv[2], ldb.FLAG_MOD_REPLACE, "msDS-Behavior-Version")',
    '    db.modify(m, controls=["relax:0"])',
  ].join('\n');
  await run(python[0]!, [...python.slice(1), '-c', script, smbConfPath(dir), String(LEVEL_VERSION[level])], 'setting the functional level');
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer('samba-dc-wait', ms, resolve));
}

/** Whether anything accepts TCP connections on 127.0.0.1:`port`. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = netConnect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

function tlsAnswers(caPem: string, name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = tlsConnect({ host: '127.0.0.1', port: LDAPS_PORT, ca: caPem, servername: name, checkServerIdentity: (_h, cert) => checkServerIdentity(name, cert) });
    sock.once('secureConnect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

export interface StartOptions {
  readonly clock: Clock;
  /** How long to wait for LDAPS, ms (default 60 000). */
  readonly readyTimeoutMs?: number;
}

/** A running DC. */
export class SambaDc {
  #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  private constructor(readonly settings: SambaDcSettings, private readonly child: ChildProcess, private readonly clock: Clock) {
    this.#exited = new Promise((resolve) => child.once('exit', (code) => {
      this.#exitCode = code;
      resolve(code);
    }));
  }

  /** The samba process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /**
   * Starts `samba -i -M single` on a provisioned folder and waits until LDAPS answers with the
   * DC's certificate. @throws LapsError LAPS_ERR_SAMBA when port 636 is taken or samba dies
   */
  static async start(settings: SambaDcSettings, o: StartOptions): Promise<SambaDc> {
    if (!existsSync(smbConfPath(settings.dir))) throw new LapsError('LAPS_ERR_SAMBA', `${settings.dir} holds no provisioned DC`);
    if (await portAnswers(LDAPS_PORT)) throw new LapsError('LAPS_ERR_SAMBA', `port ${LDAPS_PORT} is in use on 127.0.0.1: another domain controller is running`);
    const logPath = join(settings.dir, 'samba.log');
    const log = openSync(logPath, 'a');
    const child = spawn(findExecutable('samba'), ['-s', smbConfPath(settings.dir), '-i', '-M', 'single'], { stdio: ['pipe', log, log] });
    closeSync(log);
    const dc = new SambaDc(settings, child, o.clock);
    const deadline = o.clock.now() + (o.readyTimeoutMs ?? 60_000);
    const name = dcDnsName(settings);
    while (dc.running) {
      if (existsSync(caFilePath(settings.dir)) && (await tlsAnswers(readFileSync(caFilePath(settings.dir), 'utf8'), name))) return dc;
      if (o.clock.now() > deadline) {
        await dc.stop();
        throw new LapsError('LAPS_ERR_SAMBA', `samba did not answer on LDAPS within ${(o.readyTimeoutMs ?? 60_000) / 1000} s (see ${logPath})`);
      }
      await sleep(o.clock, 100);
    }
    const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-3).join(' | ');
    throw new LapsError('LAPS_ERR_SAMBA', `samba exited with code ${dc.#exitCode}: ${tail}`);
  }

  /** Stops the DC: closes its stdin and sends SIGTERM; SIGKILL after `graceMs` (default 10 s). */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const timer = this.clock.setTimer('samba-dc-kill', graceMs, () => this.child.kill('SIGKILL'));
    await this.#exited;
    timer.cancel();
    // The listening sockets close with the process; wait (at most 5 s) until the port is free for a restart.
    for (let i = 0; i < 100 && (await portAnswers(LDAPS_PORT)); i++) await sleep(this.clock, 50);
  }

  /** Resolves when the process ends (a DC run in the foreground). */
  exited(): Promise<number | null> {
    return this.#exited;
  }
}
