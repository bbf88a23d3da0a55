/**
 * Directory providers: how `--directory kind[=target]` joins a device to a directory and how an
 * opened device reaches it. `none` and `local` live here; `entra` and `ad` register themselves in
 * their own modules (sim/entra/, sim/ad/).
 */
import { UsageError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Rng } from '../core/rng.js';
import type { Secret } from '../core/secret.js';
import type { DirectoryBackend } from '../agent/ports.js';
import { NoDirectory } from '../agent/escrow/no-directory.js';
import type { Db } from '../store/database.js';
import type { DeviceRecord } from '../store/devices.js';
import type { SecretBox } from '../store/secret-box.js';
import type { DirectoryConfig } from '../store/directory-config.js';
import { SqliteLocalDirectory } from '../store/sqlite-local-directory.js';

export interface DirectoryJoinContext {
  readonly db: Db;
  readonly box: SecretBox;
  readonly record: DeviceRecord;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface DirectoryOpenContext extends DirectoryJoinContext {
  readonly config: DirectoryConfig | undefined;
  readonly logger: Logger;
}

export interface DirectoryJoin {
  readonly settings: Readonly<Record<string, unknown>>;
  readonly secret?: Secret;
}

export interface DirectoryProvider {
  readonly kind: string;
  /** What `--directory kind=<target>` expects, for messages. */
  readonly targetHelp: string;
  /** Joins a new device (registration, computer account); returns what to store. */
  join(ctx: DirectoryJoinContext, target: string | undefined): Promise<DirectoryJoin>;
  /** The directory backend of an opened device. */
  open(ctx: DirectoryOpenContext): DirectoryBackend;
}

const PROVIDERS = new Map<string, DirectoryProvider>();

export function registerDirectoryProvider(p: DirectoryProvider): void {
  PROVIDERS.set(p.kind, p);
}

export function directoryProvider(kind: string): DirectoryProvider {
  const p = PROVIDERS.get(kind);
  if (!p) throw new UsageError(`unknown directory '${kind}'; known: ${[...PROVIDERS.keys()].join(', ')}`);
  return p;
}

export function directoryKinds(): string[] {
  return [...PROVIDERS.keys()];
}

/** Splits `kind[=target]` (the --directory option). */
export function parseDirectorySpec(spec: string): { kind: string; target: string | undefined } {
  const eq = spec.indexOf('=');
  const kind = (eq < 0 ? spec : spec.slice(0, eq)).trim().toLowerCase();
  const target = eq < 0 ? undefined : spec.slice(eq + 1).trim();
  const p = directoryProvider(kind);
  if (target === '') throw new UsageError(`--directory ${kind}= needs ${p.targetHelp}`);
  return { kind, target };
}

registerDirectoryProvider({
  kind: 'none',
  targetHelp: 'nothing',
  join: async () => ({ settings: {} }),
  open: () => new NoDirectory(),
});

registerDirectoryProvider({
  kind: 'local',
  targetHelp: 'nothing (the directory lives in the device database)',
  join: async () => ({ settings: {} }),
  open: (ctx) => new SqliteLocalDirectory(ctx.db, ctx.box),
});
