/** Runs the built `lapsim` CLI (dist/bin/lapsim.js) as a user would. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const CLI = join(ROOT, 'dist/bin/lapsim.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function lapsim(args: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): CliResult {
  if (!existsSync(CLI)) throw new Error('dist/bin/lapsim.js is missing: run `npm run build` (npm test does)');
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: opts.input ?? '', encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** JSON from a successful command. */
export function lapsimJson<T = Record<string, unknown>>(args: readonly string[]): T {
  const r = lapsim([...args, '--json']);
  if (r.code !== 0) throw new Error(`lapsim ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export function tempDir(prefix = 'lapsim-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
