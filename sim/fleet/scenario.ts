/**
 * A fleet scenario: who the devices are, how they live, which policies reach them and when, what
 * administrators do and which faults strike. One zod schema with the defaults of `lapsim fleet`
 * run with no arguments (docs/fleet.md); `parseScenario` reports every problem at once, each with
 * its JSON path, and checks the names that entries refer to.
 */
import { z } from 'zod';
import { LapsError } from '../../core/errors.js';
import { settingByName } from '../../csp/laps/settings.js';
import { FAULT_POINTS } from '../../agent/rotation/faults.js';

const fraction = z.number().min(0).max(1);
const day = z.number().min(0).max(3650);
const hours = z.number().positive().max(24 * 3650);
const weights = z.record(z.string(), z.number().min(0));
const OS_BUILD = /^\d+\.\d+\.\d+(\.\d+)?$/;
const NAME = z.string().min(1).max(256);

/** LAPS settings by their CSP node names: `{ "BackupDirectory": 1, "PasswordAgeDays": 30 }`. */
const settings = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).superRefine((s, ctx) => {
  for (const key of Object.keys(s)) {
    const spec = settingByName(key);
    if (!spec?.inCsp) ctx.addIssue({ code: 'custom', path: [key], message: `not a LAPS CSP setting (e.g. BackupDirectory, PasswordAgeDays, AdministratorAccountName)` });
  }
});

const policy = z.object({ name: NAME, description: z.string().max(1000).default(''), settings }).strict();

const target = z.array(NAME).min(1);

const timelineEntry = z.discriminatedUnion('do', [
  z.object({ do: z.literal('assign'), day, policy: NAME, include: z.array(NAME).default([]), exclude: z.array(NAME).default([]) }).strict(),
  z.object({ do: z.literal('update-policy'), day, policy: NAME, settings }).strict(),
  z.object({ do: z.literal('delete-policy'), day, policy: NAME }).strict(),
  z.object({ do: z.literal('add-devices'), day, group: NAME, fraction }).strict(),
  z.object({ do: z.literal('remove-devices'), day, group: NAME, fraction: fraction.default(1) }).strict(),
  z.object({ do: z.literal('sign-in'), day, user: NAME, fraction }).strict(),
  z.object({ do: z.literal('sign-out'), day, user: NAME }).strict(),
  z.object({ do: z.literal('tenant-laps'), day, enabled: z.boolean() }).strict(),
  z.object({ do: z.literal('tamper'), day, fraction }).strict(),
]);

const DEFAULT_POLICY = {
  BackupDirectory: 1, PasswordAgeDays: 30, PasswordComplexity: 4, PasswordLength: 14, PostAuthenticationActions: 3, PostAuthenticationResetDelay: 24,
};

/** The scenario file's schema, with `lapsim fleet`'s defaults. */
export const SCENARIO_SCHEMA = z.object({
  name: NAME.default('default'),
  description: z.string().max(2000).default(''),
  seed: z.union([z.number().int().min(0).max(2 ** 53), z.string().min(1).max(100)]).default(1),
  devices: z.number().int().min(1).max(10_000_000).default(1000),
  days: z.number().positive().max(3650).default(90),
  start: z.iso.datetime({ offset: true }).default('2026-03-01T00:00:00Z'),
  /** Devices enroll with Intune at seeded times over this many hours from the start (default 1). */
  enrollmentHours: z.number().min(0).max(24 * 365).default(1),
  /** Where device passwords come from: node:crypto (default) or the seeded Rng (simulation only, reproducible). */
  passwords: z.enum(['crypto', 'seeded']).default('crypto'),
  population: z.object({
    joinTypes: weights.default({ entra: 0.85, hybrid: 0.15 }),
    osBuilds: weights.default({ '10.0.26100.4349': 0.55, '10.0.22631.4460': 0.35, '10.0.19045.5131': 0.08, '10.0.19045.2486': 0.02 }),
    renamedAdministrator: fraction.default(0.1),
    namedAccount: z.object({ name: z.string().min(1).max(20), present: fraction }).strict().optional(),
    groupPolicy: z.object({ fraction, settings }).strict().optional(),
    legacy: z.object({ fraction }).strict().optional(),
    domainControllers: fraction.default(0),
  }).strict().prefault({}),
  online: z.object({
    always: z.number().min(0).default(0.7),
    officeHours: z.number().min(0).default(0.25),
    intermittent: z.number().min(0).default(0.05),
    intermittentOnlineDays: z.number().positive().max(365).default(4),
    intermittentOfflineHours: z.number().positive().max(24 * 365).default(48),
    retired: z.object({ fraction, day }).strict().optional(),
  }).strict().prefault({}),
  logons: z.object({ perDevicePerMonth: z.number().min(0).max(1000).default(0.05) }).strict().prefault({}),
  users: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore') }).strict()).default([]),
  groups: z.array(z.object({ name: NAME, fraction: fraction.optional(), users: z.array(NAME).optional() }).strict()).max(30)
    .default([{ name: 'LAPS devices', fraction: 1 }]),
  policies: z.array(policy).default([{ name: 'Windows LAPS', description: '', settings: DEFAULT_POLICY }]),
  assignments: z.array(z.object({ policy: NAME, include: target, exclude: z.array(NAME).default([]) }).strict())
    .default([{ policy: 'Windows LAPS', include: ['LAPS devices'], exclude: [] }]),
  timeline: z.array(timelineEntry).default([]),
  admin: z.object({
    rotate: z.number().int().min(0).max(1_000_000).default(10),
    reveal: z.number().int().min(0).max(1_000_000).default(10),
    logonAfterReveal: z.boolean().default(true),
  }).strict().prefault({}),
  faults: z.object({
    /** Default: one 6-hour outage of every directory on day 30 (half-way through a shorter run). */
    directoryOutages: z.array(z.object({ day, hours, directory: z.enum(['entra', 'ad', 'all']).default('all') }).strict()).optional(),
    throttling: z.array(z.object({ day, hours, fraction, retryAfterSeconds: z.number().int().min(1).max(86_400).default(3600) }).strict()).default([]),
    crashes: z.array(z.object({ day, fraction, point: z.enum(FAULT_POINTS), mode: z.enum(['crash', 'fail']).default('crash') }).strict()).default([]),
    clockSkew: z.object({ fraction, maxMinutes: z.number().positive().max(7 * 24 * 60) }).strict().optional(),
    clockJumps: z.array(z.object({ day, fraction, hours: z.number().min(-24 * 365).max(24 * 365) }).strict()).default([]),
    partitions: z.array(z.object({ day, hours, fraction }).strict()).default([]),
    serverRestarts: z.array(z.object({ day, downMinutes: z.number().positive().max(7 * 24 * 60).default(10) }).strict()).default([]),
  }).strict().prefault({}),
  activeDirectory: z.object({
    /** A lab DC folder (`lapsim directory ad --data DIR`), started by the fleet when not running. */
    dc: z.string().min(1),
    /** The Group Policy of AD-joined devices. */
    settings: settings.default({ BackupDirectory: 2, PasswordAgeDays: 30, ADPasswordEncryptionEnabled: false }),
  }).strict().optional(),
}).strict().transform((s) => ({
  ...s,
  faults: { ...s.faults, directoryOutages: s.faults.directoryOutages ?? [{ day: Math.min(30, Math.floor(s.days / 2)), hours: 6, directory: 'all' as const }] },
}));

/** A scenario with every default filled in. */
export type Scenario = z.output<typeof SCENARIO_SCHEMA>;
/** One entry of the scenario's timeline. */
export type TimelineEntry = Scenario['timeline'][number];
/** A policy of the scenario. */
export type ScenarioPolicy = Scenario['policies'][number];

type Issue = { path: string; message: string };

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? String(p) : `${s}.${String(p)}`), '');
}

/** Names that entries refer to: policies, groups, users; days inside the run; join types and builds. */
function crossCheck(s: Scenario): Issue[] {
  const issues: Issue[] = [];
  const names = (list: { name: string }[], what: string, at: string): Set<string> => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.name)) issues.push({ path: `${at}[${i}].name`, message: `another ${what} is named "${x.name}"` });
      seen.add(x.name);
    });
    return seen;
  };
  const policies = names(s.policies, 'policy', 'policies');
  const groups = names(s.groups, 'group', 'groups');
  const users = names(s.users, 'user', 'users');
  const ref = (set: Set<string>, name: string, what: string, path: string, extra: readonly string[] = []): void => {
    if (!set.has(name) && !extra.includes(name)) {
      issues.push({ path, message: `no ${what} named "${name}" (known: ${[...set, ...extra].map((n) => `"${n}"`).join(', ') || 'none'})` });
    }
  };
  const TARGETS = ['all devices', 'all users'];
  s.groups.forEach((g, i) => {
    if (g.fraction === undefined && g.users === undefined) issues.push({ path: `groups[${i}]`, message: 'give the devices (fraction) or the users of the group' });
    g.users?.forEach((u, j) => ref(users, u, 'user', `groups[${i}].users[${j}]`));
  });
  s.assignments.forEach((a, i) => {
    ref(policies, a.policy, 'policy', `assignments[${i}].policy`);
    a.include.forEach((g, j) => ref(groups, g, 'group', `assignments[${i}].include[${j}]`, TARGETS));
    a.exclude.forEach((g, j) => ref(groups, g, 'group', `assignments[${i}].exclude[${j}]`));
  });
  s.timeline.forEach((t, i) => {
    const at = `timeline[${i}]`;
    if (t.day > s.days) issues.push({ path: `${at}.day`, message: `day ${t.day} is after the end of the run (days: ${s.days})` });
    if ('policy' in t) ref(policies, t.policy, 'policy', `${at}.policy`);
    if ('group' in t) ref(groups, t.group, 'group', `${at}.group`);
    if ('user' in t) ref(users, t.user, 'user', `${at}.user`);
    if (t.do === 'assign') {
      t.include.forEach((g, j) => ref(groups, g, 'group', `${at}.include[${j}]`, TARGETS));
      t.exclude.forEach((g, j) => ref(groups, g, 'group', `${at}.exclude[${j}]`));
    }
  });
  const joins = Object.entries(s.population.joinTypes);
  joins.forEach(([k]) => {
    if (!['entra', 'hybrid', 'ad'].includes(k)) issues.push({ path: `population.joinTypes.${k}`, message: 'join types are entra, hybrid and ad' });
  });
  if (!joins.some(([, w]) => w > 0)) issues.push({ path: 'population.joinTypes', message: 'at least one join type needs a weight above 0' });
  if ((s.population.joinTypes['ad'] ?? 0) > 0 && s.activeDirectory === undefined) {
    issues.push({ path: 'population.joinTypes.ad', message: 'AD-joined devices need "activeDirectory": { "dc": "<lab DC folder>" }' });
  }
  const builds = Object.entries(s.population.osBuilds);
  builds.forEach(([k]) => {
    if (!OS_BUILD.test(k)) issues.push({ path: `population.osBuilds.${k}`, message: 'an OS build looks like 10.0.26100.4349' });
  });
  if (!builds.some(([, w]) => w > 0)) issues.push({ path: 'population.osBuilds', message: 'at least one OS build needs a weight above 0' });
  if (s.online.always + s.online.officeHours + s.online.intermittent <= 0) issues.push({ path: 'online', message: 'at least one online pattern needs a weight above 0' });
  const checkDays = (list: readonly { day: number }[], at: string): void => list.forEach((x, i) => {
    if (x.day > s.days) issues.push({ path: `${at}[${i}].day`, message: `day ${x.day} is after the end of the run (days: ${s.days})` });
  });
  if (s.enrollmentHours > s.days * 24) issues.push({ path: 'enrollmentHours', message: `${s.enrollmentHours} hours is longer than the run (days: ${s.days})` });
  const f = s.faults;
  checkDays(f.directoryOutages, 'faults.directoryOutages');
  checkDays(f.throttling, 'faults.throttling');
  checkDays(f.crashes, 'faults.crashes');
  checkDays(f.clockJumps, 'faults.clockJumps');
  checkDays(f.partitions, 'faults.partitions');
  checkDays(f.serverRestarts, 'faults.serverRestarts');
  return issues;
}

/**
 * Validates a scenario (parsed JSON) and fills in the defaults.
 * @param source where it came from, for messages (a file name, `flags`)
 * @throws LapsError LAPS_ERR_FLEET_SCENARIO listing every problem with its path
 */
export function parseScenario(raw: unknown, source: string): Scenario {
  const r = SCENARIO_SCHEMA.safeParse(raw ?? {});
  const issues: Issue[] = r.success ? crossCheck(r.data) : r.error.issues.map((i) => ({ path: pathText(i.path), message: i.message }));
  if (issues.length > 0) {
    const lines = issues.slice(0, 20).map((i) => `  ${i.path || '(top)'}: ${i.message}`);
    if (issues.length > 20) lines.push(`  ... and ${issues.length - 20} more`);
    throw new LapsError('LAPS_ERR_FLEET_SCENARIO', `scenario ${source} is not valid:\n${lines.join('\n')}`);
  }
  return r.data!;
}

/** The start of the run, epoch ms. */
export function scenarioStart(s: Scenario): number {
  return Date.parse(s.start);
}
