/**
 * The agent service's configuration: one zod schema, parsed once at the edge. `loadAgentConfig`
 * is a pure function of its inputs: built-in defaults, then the JSON configuration file, then
 * `LAPSIM_*` environment variables, then command-line flags (each later source wins). Every
 * problem is reported at once, naming where the value came from, and the result is deeply frozen.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { LapsError } from '../../core/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/**
 * A duration such as `8h`, `90s`, `1500ms`, `1h30m` or `2d`, in ms.
 * @returns undefined when the text is not a duration
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!DURATION.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

const duration = (min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a duration (like 8h, 90s, 1500ms, 1h30m): ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${min} ms and ${max} ms, got ${text}` });
      return z.NEVER;
    }
    return ms;
  });

const BOOL_TEXT: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/** A boolean, or its text from the environment (`true`/`false`, `1`/`0`, `yes`/`no`). */
const bool = z.preprocess((v) => (typeof v === 'string' && v.trim().toLowerCase() in BOOL_TEXT ? BOOL_TEXT[v.trim().toLowerCase()] : v), z.boolean());

/** A number, or its text from a flag or the environment. */
const number = (schema: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v), schema);

const DAY = 86_400_000;

/** Every setting, with its default. Keys are the configuration file's keys. */
export const AGENT_CONFIG_SCHEMA = z.object({
  state: z.string().min(1),
  server: z.string().regex(/^wss?:\/\/[^\s/]+/i, 'must be a ws:// or wss:// URL'),
  token: z.string().min(1).optional(),
  device: z.string().min(1).optional(),
  directory: z.string().min(1).optional(),
  timeScale: number(z.number().positive().max(1e7)).default(1),
  pollInterval: duration(1000, 365 * DAY).prefault('8h'),
  sessionTimeout: duration(100, DAY).prefault('60s'),
  connectTimeout: duration(100, 10 * 60_000).prefault('10s'),
  reconnectInitial: duration(10, DAY).prefault('1s'),
  reconnectMax: duration(10, 7 * DAY).prefault('5m'),
  caFile: z.string().min(1).optional(),
  maxFrameBytes: number(z.number().int().min(4096).max(64 * 1024 * 1024)).default(1024 * 1024),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  loginStatus: z.enum(['user', 'others', 'none']).default('none'),
  manufacturer: z.string().min(1).default('Microsoft Corporation'),
  model: z.string().min(1).default('Virtual Machine'),
  language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en-US').default('en-US'),
  shutdownGrace: duration(0, 10 * 60_000).prefault('30s'),
  once: bool.default(false),
}).strict();

/** One line of help per setting (flags, docs). */
export const AGENT_CONFIG_HELP: Readonly<Record<keyof typeof AGENT_CONFIG_SCHEMA.shape, string>> = {
  state: 'the lapsim SQLite database of the device (created, with a device, on first use)',
  server: 'the management server, ws://host:port or wss://host:port; the channel is <server>/devices/<deviceId>/dm',
  token: "the device's bearer token (Authorization: Bearer <token> on the upgrade)",
  device: 'device id or name, when the database holds several (or the id or name of the device to create)',
  directory: 'kind[=target] of the directory, used when the agent creates the device',
  timeScale: 'run the LAPS schedule K times faster than real time (default 1)',
  pollInterval: 'time between client-initiated sessions, real time (default 8h)',
  sessionTimeout: 'wait for each server message before the session is dropped (default 60s)',
  connectTimeout: 'time allowed to open the channel (default 10s)',
  reconnectInitial: 'first reconnection delay bound; doubles with each failure, jittered (default 1s)',
  reconnectMax: 'largest reconnection delay (default 5m)',
  caFile: "PEM file of the CA the wss:// server's certificate must chain to",
  maxFrameBytes: 'largest frame accepted from the server, bytes (default 1048576)',
  logLevel: 'debug, info (default), warn, error or silent',
  loginStatus: 'LoginStatus alert of package 1: user, others or none (default)',
  manufacturer: './DevInfo/Man (default Microsoft Corporation)',
  model: './DevInfo/Mod (default Virtual Machine)',
  language: './DevInfo/Lang (default en-US)',
  shutdownGrace: 'on SIGTERM/SIGINT, how long to wait for a rotation in flight (default 30s)',
  once: 'run one session and one cycle, then exit (exit 1 if either failed)',
};

/** The keys of the configuration file (and, in kebab-case, the flags). */
export type AgentConfigKey = keyof z.input<typeof AGENT_CONFIG_SCHEMA>;
export const AGENT_CONFIG_KEYS = Object.keys(AGENT_CONFIG_SCHEMA.shape) as AgentConfigKey[];

type Parsed = z.output<typeof AGENT_CONFIG_SCHEMA>;

/** The validated configuration; durations in ms. */
export interface AgentConfig {
  readonly state: string;
  readonly server: string;
  readonly token: string | undefined;
  readonly device: string | undefined;
  readonly directory: string | undefined;
  readonly timeScale: number;
  readonly pollIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly caFile: string | undefined;
  readonly maxFrameBytes: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly loginStatus: 'user' | 'others' | 'none';
  readonly manufacturer: string;
  readonly model: string;
  readonly language: string;
  readonly shutdownGraceMs: number;
  readonly once: boolean;
}

/** `pollInterval` -> `LAPSIM_POLL_INTERVAL`. */
export function envName(key: string): string {
  return `LAPSIM_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** `pollInterval` -> `--poll-interval`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export interface ConfigSources {
  /** Command-line flags by configuration key (undefined = not given). */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** The environment (only `LAPSIM_*` names of known keys are read). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The JSON configuration file, already read. */
  readonly file?: { readonly path: string; readonly text: string } | undefined;
  /**
   * The registration `lapsim device init --server` stored in the state database (lowest layer):
   * used when no other source names the server.
   */
  readonly registered?: (state: string) => { readonly server: string; readonly token: string } | undefined;
}

/**
 * Merges and validates the sources: defaults < file < environment < flags. Relative paths in the
 * file (`state`, `caFile`) are relative to the file.
 * @throws LapsError LAPS_ERR_CONFIG listing every problem, one per line.
 */
export function loadAgentConfig(sources: ConfigSources): AgentConfig {
  const problems: string[] = [];
  const merged: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  if (sources.file) {
    const where = `config file ${sources.file.path}`;
    let data: unknown;
    try {
      data = JSON.parse(sources.file.text);
    } catch (e) {
      problems.push(`${where}: not valid JSON (${(e as Error).message})`);
    }
    if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) problems.push(`${where}: must hold a JSON object`);
    else if (data !== undefined) {
      const base = dirname(sources.file.path);
      for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
        merged[k] = (k === 'state' || k === 'caFile') && typeof v === 'string' && !isAbsolute(v) ? resolve(base, v) : v;
        origin[k] = where;
      }
    }
  }
  for (const key of AGENT_CONFIG_KEYS) {
    const v = sources.env?.[envName(key)];
    if (v !== undefined && v !== '') {
      merged[key] = v;
      origin[key] = envName(key);
    }
  }
  for (const [key, v] of Object.entries(sources.flags ?? {})) {
    if (v === undefined) continue;
    merged[key] = v;
    origin[key] = flagName(key);
  }
  if (merged['server'] === undefined && typeof merged['state'] === 'string' && sources.registered) {
    const reg = sources.registered(merged['state']);
    if (reg) {
      merged['server'] = reg.server;
      origin['server'] = `the registration stored in ${merged['state']}`;
      if (merged['token'] === undefined) {
        merged['token'] = reg.token;
        origin['token'] = origin['server'];
      }
    }
  }
  const r = AGENT_CONFIG_SCHEMA.safeParse(merged);
  if (!r.success) {
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) problems.push(`${k} (${origin[k] ?? 'unknown source'}): not a setting of lapsim agent`);
        continue;
      }
      const key = String(issue.path[0] ?? '');
      const from = origin[key] ? ` (from ${origin[key]})` : merged[key] === undefined ? ` (set ${flagName(key)}, ${envName(key)} or "${key}" in the config file)` : '';
      problems.push(`${key}${from}: ${merged[key] === undefined ? 'required' : issue.message}`);
    }
  } else {
    const p = r.data;
    if (p.reconnectInitial > p.reconnectMax) problems.push(`reconnectInitial (${origin['reconnectInitial'] ?? 'default'}) must not exceed reconnectMax (${origin['reconnectMax'] ?? 'default'})`);
    if (p.caFile !== undefined && !/^wss:/i.test(p.server)) problems.push(`caFile (${origin['caFile']}): only used with a wss:// server, and server is ${p.server}`);
  }
  if (problems.length > 0) {
    throw new LapsError('LAPS_ERR_CONFIG', `invalid agent configuration:\n  ${problems.join('\n  ')}`);
  }
  return deepFreeze(toConfig((r as { data: Parsed }).data));
}

function toConfig(p: Parsed): AgentConfig {
  return {
    state: p.state, server: p.server.replace(/\/+$/, ''), token: p.token, device: p.device, directory: p.directory, timeScale: p.timeScale,
    pollIntervalMs: p.pollInterval, sessionTimeoutMs: p.sessionTimeout, connectTimeoutMs: p.connectTimeout,
    reconnectInitialMs: p.reconnectInitial, reconnectMaxMs: p.reconnectMax, caFile: p.caFile, maxFrameBytes: p.maxFrameBytes,
    logLevel: p.logLevel, loginStatus: p.loginStatus, manufacturer: p.manufacturer, model: p.model, language: p.language,
    shutdownGraceMs: p.shutdownGrace, once: p.once,
  };
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

/** The configuration as logs show it: the token replaced. */
export function redactedConfig(c: AgentConfig): Record<string, unknown> {
  return { ...c, token: c.token === undefined ? undefined : '[redacted]' };
}
