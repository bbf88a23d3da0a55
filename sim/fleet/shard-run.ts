/**
 * Runs one shard from start to finish: creates its devices in SQLite, sets up the Intune side
 * (users, groups, policies, assignments) and registers the devices, runs the loop over the heap of
 * device events and the global events, then checks every device once more and writes the shard's
 * report. Writes to the device and Entra files are batched in transactions of many operations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { policyStatus as intunePolicyStatus, settingStates, STATUS_TEXT } from '../intune/conflicts.js';
import { policyCspValues } from '../intune/csp-translate.js';
import type { Breach, TrailEvent } from './invariants.js';
import { FLEET_JOIN_TYPES, ONLINE_PATTERNS } from './population.js';
import { invariantLines, REPORT_FORMAT, sortBreaches, type FleetReport } from './report.js';
import { globalEvents } from './shard-actions.js';
import { checkConverged, checkPasswordOpens, expectation, expirySweep, settle } from './shard-checks.js';
import { findPasswords } from './leak-watch.js';
import { renderHtml } from './report-html.js';
import { summaryLines } from './report-text.js';
import { runCycle, runLogon, runSession } from './shard-events.js';
import { KIND } from './shard-state.js';
import { DAY, HOUR, Shard, type ShardOptions } from './shard.js';

/** Operations between commits of the batched transactions. */
const BATCH_OPS = 2000;
/** Devices registered with Intune per call. */
const REGISTER_CHUNK = 5000;
/** Wall ms between progress reports. */
const PROGRESS_MS = 250;

function begin(sh: Shard): void {
  sh.devices.db.exec('BEGIN');
  sh.server.entraDb.exec('BEGIN');
  const intune = sh.server.intuneConnection;
  if (intune && !intune.inTransaction) intune.exec('BEGIN');
}

function commit(sh: Shard): void {
  // The directory first: a crash between the commits leaves passwords the devices never used in
  // the directory's history, never a device password the directory lacks.
  if (sh.server.entraDb.inTransaction) sh.server.entraDb.exec('COMMIT');
  const intune = sh.server.intuneConnection;
  if (intune?.inTransaction) intune.exec('COMMIT');
  if (sh.devices.db.inTransaction) sh.devices.db.exec('COMMIT');
}

async function setUp(sh: Shard): Promise<void> {
  const s = sh.s;
  const st = sh.state;
  for (let c = 0; c < st.n; c += REGISTER_CHUNK) {
    sh.devices.create(Array.from({ length: Math.min(REGISTER_CHUNK, st.n - c) }, (_, j) => sh.profile(c + j)), s.population.namedAccount?.name, sh.start);
  }
  sh.server.start(sh.channel);
  sh.channel.sink = sh.server.service;
  sh.server.setUp(s);
  s.policies.forEach((p) => sh.oracle.setPolicy(p.name, policyCspValues(sh.server.service.policies.get(sh.server.policies.get(p.name)!).settings)));
  for (const a of s.assignments) sh.oracle.assign(a.policy, a.include, a.exclude);
  const ad: string[] = [];
  const enrolling = new Map<number, number[]>();
  const rate = s.logons.perDevicePerMonth;
  const tenant = sh.server.entra.ensureDefaultTenant(true);
  sh.server.entraDb.exec('BEGIN');
  for (let i = 0; i < st.n; i++) {
    const p = sh.profile(i);
    // With a domain, hybrid devices are domain-joined too (a computer account on the DC).
    if (p.joinType === 'ad' || (p.joinType === 'hybrid' && sh.ad)) ad.push(p.deviceId);
    if (p.joinType !== 'ad') {
      // Joined to Entra from the start (its device credential); enrolling with Intune links it.
      const joined = sh.server.entra.registerDevice(tenant, { deviceId: p.deviceId, displayName: p.name, joinType: p.joinType, osVersion: p.osBuild });
      if ('error' in joined) throw new Error(`the Entra emulator refused ${p.name}: ${joined.error}`);
      st.tokens[i] = joined.deviceToken;
      // Intune devices enroll at seeded times during the first hours, a minute's worth at a time.
      const minute = Math.floor(sh.sampler.unit('enroll', p.global) * s.enrollmentHours * 60);
      enrolling.set(minute, [...(enrolling.get(minute) ?? []), i]);
    }
    // Devices with a policy of their own (Group Policy, legacy, AD) start with an hourly cycle;
    // Intune devices start when their policy arrives; a device with no policy has nothing to do.
    if (p.groupPolicy !== undefined || p.legacy || p.joinType === 'ad') sh.wantCycle(i, sh.tick(i, sh.start), 'background');
    if (rate > 0) sh.want(i, KIND.logon, sh.start + sh.sampler.exponential('logon', p.global, (30 * DAY) / rate, 0));
  }
  sh.server.entraDb.exec('COMMIT');
  if (ad.length > 0) await sh.ad!.join(ad);
  let seq = -1;
  for (const [minute, list] of [...enrolling].sort((a, b) => a[0] - b[0])) {
    sh.globals.push({ time: sh.start + minute * 60_000, seq: seq--, run: () => enroll(sh, list) });
  }
  sh.globals.push(...globalEvents(sh));
  sh.globals.sort((a, b) => a.time - b.time || a.seq - b.seq);
}

/** Registers devices with Intune (and Entra), in the groups the scenario gives them. */
function enroll(sh: Shard, list: readonly number[]): void {
  const st = sh.state;
  if (!sh.server.up) {
    sh.whileDown.push(() => enroll(sh, list));
    return;
  }
  const regs = sh.server.register(list.map((i) => {
    const p = sh.profile(i);
    return {
      deviceId: p.deviceId, name: p.name, joinType: p.joinType as 'entra' | 'hybrid', osBuild: p.osBuild,
      groups: sh.s.groups.filter((_, b) => (st.groups[i]! >> b) & 1).map((g) => g.name),
    };
  }));
  list.forEach((i, n) => {
    st.managed[i] = regs[n]!.managedDeviceId;
    st.tokens[i] = regs[n]!.entraDeviceToken ?? st.tokens[i];
  });
}

async function loop(sh: Shard): Promise<void> {
  let g = 0;
  let ops = 0;
  let lastProgress = sh.o.wallClock.now();
  begin(sh);
  for (;;) {
    const top = sh.heap.peek();
    const ge = sh.globals[g];
    const next = Math.min(top?.due ?? Number.POSITIVE_INFINITY, ge?.time ?? Number.POSITIVE_INFINITY);
    if (!(next <= sh.end)) break;
    sh.clock.advanceTo(next);
    sh.gate.beginOp();
    if (ge && ge.time <= (top?.due ?? Number.POSITIVE_INFINITY)) {
      g++;
      await ge.run();
    } else {
      sh.heap.pop();
      const i = Math.floor(top!.index / 3);
      const kind = top!.index % 3;
      const due = kind === KIND.cycle ? sh.state.dueCycle : kind === KIND.session ? sh.state.dueSession : sh.state.dueLogon;
      if (due[i] !== top!.due) continue;
      if (kind === KIND.cycle) await runCycle(sh, i);
      else if (kind === KIND.session) runSession(sh, i);
      else await runLogon(sh, i);
    }
    sh.stats.counts.faults.outageRefusals = sh.gate.outageRefusals;
    sh.stats.counts.faults.throttled = sh.gate.throttled;
    settle(sh);
    if (++ops % BATCH_OPS === 0) {
      commit(sh);
      begin(sh);
    }
    if (ops % 256 === 0 && sh.o.onProgress && sh.o.wallClock.now() - lastProgress >= PROGRESS_MS) {
      lastProgress = sh.o.wallClock.now();
      sh.o.onProgress(progressOf(sh));
    }
  }
  sh.clock.advanceTo(sh.end);
  commit(sh);
}

function progressOf(sh: Shard): { day: number; rotations: number; cycles: number; breaches: number } {
  const c = sh.stats.counts;
  return { day: Math.min(sh.s.days, (sh.clock.now() - sh.start) / DAY), rotations: c.rotations, cycles: c.cycles, breaches: sh.book.total };
}

/** Every device once more: expiry, the password it opens with, and its policy values. */
async function finalChecks(sh: Shard): Promise<void> {
  const st = sh.state;
  sh.finalPasswords = new Set();
  begin(sh);
  expirySweep(sh);
  if (!sh.server.up) {
    sh.server.start(sh.channel);
    sh.channel.sink = sh.server.service;
  }
  for (let i = 0; i < st.n; i++) {
    // The full check: what the directory holds is read back (and kept for the report's leak scan).
    sh.storedThisOp.clear();
    if (st.directory[i]! > 0) await checkPasswordOpens(sh, i);
    if (st.managed[i] !== '' && sh.channel.queued(i) === 0 && st.dueSession[i] === Number.POSITIVE_INFINITY) checkConverged(sh, i);
    settle(sh);
  }
  commit(sh);
}

/**
 * Each policy's devices by status, as the Intune report gives them (its view of each device and
 * its status rules), one device at a time; and the check that its Conflict count is what the
 * rules give.
 */
function policyStatus(sh: Shard): Record<string, Record<string, number>> {
  const svc = sh.server.service;
  const set = svc.config.policySet();
  const byId = new Map([...sh.server.policies].map(([name, id]) => [id, name]));
  const out: Record<string, Record<string, number>> = Object.fromEntries(sh.s.policies.map((p) => [p.name, {}]));
  const expected: Record<string, number> = {};
  for (let i = 0; i < sh.state.n; i++) {
    const rec = sh.state.managed[i] === '' ? undefined : svc.directory.device(sh.state.managed[i]!);
    if (!rec) continue;
    const v = svc.config.view(rec, set);
    for (const c of v.contributions) {
      const name = byId.get(c.policyId);
      if (name === undefined) continue;
      const text = STATUS_TEXT[intunePolicyStatus(settingStates(c, v.merge, v.state), rec.osVersion)];
      out[name]![text] = (out[name]![text] ?? 0) + 1;
    }
    for (const name of expectation(sh, i).reported) expected[name] = (expected[name] ?? 0) + 1;
  }
  for (const p of sh.s.policies) {
    const shown = out[p.name]![STATUS_TEXT.conflict] ?? 0;
    sh.book.check('conflicts', shown === (expected[p.name] ?? 0), undefined, sh.clock.now(),
      () => `the Intune report shows ${shown} device(s) in conflict for policy "${p.name}"; the rules give ${expected[p.name] ?? 0}`);
  }
  return out;
}

function trails(sh: Shard, breaches: Breach[]): void {
  const ids = [...new Set(breaches.map((b) => b.deviceId).filter((x): x is string => x !== undefined))];
  if (ids.length === 0) return;
  const logs = sh.devices.ports.eventsOf(ids);
  for (const b of breaches) {
    if (b.deviceId === undefined) continue;
    const until = Date.parse(b.time) + HOUR + Math.abs(sh.state.skew[sh.state.indexOf(b.deviceId) ?? 0]!);
    const mine: TrailEvent[] = (logs.get(b.deviceId) ?? []).filter((e) => e.time <= until)
      .map((e) => ({ time: new Date(e.time).toISOString(), id: e.id, level: e.level, message: e.message.split('\n')[0]! }));
    b.trail = mine.slice(-15);
  }
}

function summary(sh: Shard): FleetReport['devices'] {
  const st = sh.state;
  const d: FleetReport['devices'] = { total: st.n, intune: 0, managed: 0, backedUp: 0, byJoinType: {}, byOsBuild: {}, byOnlinePattern: {} };
  const bump = (r: Record<string, number>, k: string): void => void (r[k] = (r[k] ?? 0) + 1);
  for (let i = 0; i < st.n; i++) {
    if (st.managed[i] !== '') d.intune++;
    if (!Number.isNaN(st.expiry[i]!)) d.managed++;
    if (st.directory[i]! > 0) d.backedUp++;
    bump(d.byJoinType, FLEET_JOIN_TYPES[st.join[i]!]!);
    bump(d.byOsBuild, sh.population.builds[st.build[i]!]!);
    bump(d.byOnlinePattern, ONLINE_PATTERNS[st.pattern[i]!]!);
  }
  return d;
}

/**
 * No password leak, at the end: the shard's report (as JSON, HTML and summary) and its log file
 * are searched for every password the directories still hold. @returns whether one was found
 */
function reportLeaks(sh: Shard, report: FleetReport): boolean {
  const passwords = sh.finalPasswords ?? new Set<string>();
  sh.log.release();
  sh.log.flush();
  const logPath = `${sh.o.dir}/fleet.log`;
  const texts = [JSON.stringify(report), renderHtml(report), summaryLines(report, []).join('\n'), existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''];
  const found = texts.some((t) => findPasswords(t, passwords));
  sh.book.count('no-password-leak', found ? texts.length - 1 : texts.length);
  if (found) sh.book.check('no-password-leak', false, undefined, sh.end, () => 'the report or the fleet log holds a password a directory holds');
  return found;
}

/** The notes every report carries. */
export function reportNotes(s: ShardOptions['scenario']): string[] {
  return [
    s.passwords === 'seeded'
      ? 'Device passwords came from the seeded simulation Rng: they are predictable from the seed. Never use them for anything real.'
      : 'Device passwords came from node:crypto; everything else (who the devices are, when things happen) from the seed.',
    'Idle hourly cycles and idle management polls are not run: a device runs a cycle only when it has something to do, and a session only when the server has something for it.',
  ];
}

/** Runs a shard and returns its part of the report. */
export async function runShard(o: ShardOptions): Promise<FleetReport> {
  const sh = new Shard(o);
  try {
    await setUp(sh);
    settle(sh);
    await loop(sh);
    await finalChecks(sh);
    const policies = policyStatus(sh);
    const c = sh.stats.counts.admin;
    for (const id of sh.rotateActions) {
      const state = sh.server.action(id)?.state;
      if (state === 'done') c.rotateDone++;
      else if (state === 'failed') c.rotateFailed++;
      else c.rotatePending++;
    }
    const build = (): FleetReport => {
      const breaches = sortBreaches([...sh.book.breaches]);
      trails(sh, breaches);
      return {
        format: REPORT_FORMAT, version: 1, scenario: o.scenario, shards: { count: o.shard.count, included: [o.shard.index] },
        devices: summary(sh), counts: sh.stats.counts, policyStatus: policies,
        invariants: invariantLines(sh.book.checks, sh.book.breachCount), breaches, notes: reportNotes(o.scenario),
      };
    };
    const report = build();
    return reportLeaks(sh, report) ? build() : report;
  } finally {
    sh.close();
  }
}
