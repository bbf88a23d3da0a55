/**
 * The layout is the architecture: every source file's imports are checked against the allowed
 * direction (docs/architecture.md), and clock/randomness reads outside core/ fail the build.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const LAYERS = ['core', 'csp', 'agent', 'store', 'sim', 'bin'] as const;
type Layer = (typeof LAYERS)[number];

/** Which of our layers each layer may import. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  core: [],
  csp: ['core'],
  agent: ['csp', 'core'],
  store: ['agent', 'core', 'csp'],
  sim: ['agent', 'store', 'csp', 'core'],
  bin: ['sim', 'agent', 'store', 'csp', 'core'],
};

/** Outside packages a layer may import (node: built-ins included); null = any. */
const OUTSIDE: Record<Layer, RegExp | null> = {
  core: /^node:(crypto|util)$/,
  csp: /^xml2js$/,
  agent: /^node:(crypto|util|buffer)$/,
  store: /^(better-sqlite3|node:.*)$/,
  sim: null,
  bin: null,
};
/** agent/ folders where I/O libraries are allowed. */
const AGENT_IO_DIRS = ['agent/escrow/', 'agent/transport/', 'agent/scheduler/', 'agent/service/'];

/** Direct time and randomness reads, allowed only in core/ and the real-time scheduler. */
const BANNED = [/Date\.now\(/, /new Date\(\)/, /Math\.random\(/, /\bsetTimeout\(/, /\bsetInterval\(/, /\brandom(Bytes|FillSync|UUID|Int)\(/];
const CLOCK_FREE_EXEMPT = ['core/', 'agent/scheduler/'];

function sources(dir: string): string[] {
  const out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(src: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) {
    const spec = m[3] ?? m[4];
    if (spec) out.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return out;
}

function layerOf(file: string): Layer | undefined {
  const top = relative(ROOT, file).split(sep)[0];
  return (LAYERS as readonly string[]).includes(top ?? '') ? (top as Layer) : undefined;
}

function violations(): string[] {
  const found: string[] = [];
  for (const layer of LAYERS) {
    for (const file of sources(join(ROOT, layer))) {
      const rel = relative(ROOT, file).split(sep).join('/');
      const text = readFileSync(file, 'utf8');
      for (const { spec, typeOnly } of imports(text)) {
        if (spec.startsWith('.')) {
          const target = layerOf(resolve(dirname(file), spec));
          if (!target || target === layer) continue;
          if (!MAY_IMPORT[layer].includes(target)) found.push(`${rel}: ${layer} may not import ${target} (${spec})`);
          else if (layer === 'store' && target === 'agent' && !typeOnly) found.push(`${rel}: store may import only types from agent (${spec})`);
          continue;
        }
        const allowed = OUTSIDE[layer];
        const ioOk = layer === 'agent' && AGENT_IO_DIRS.some((d) => rel.startsWith(d));
        if (allowed && !allowed.test(spec) && !ioOk) found.push(`${rel}: ${layer} may not import '${spec}'`);
      }
      if (!CLOCK_FREE_EXEMPT.some((d) => rel.startsWith(d))) {
        const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
        for (const re of BANNED) if (re.test(code)) found.push(`${rel}: reads time or randomness directly (${re.source}); inject Clock/Rng`);
      }
    }
  }
  return found;
}

describe('architecture', () => {
  it('imports point inward and time/randomness come from core', () => {
    expect(violations()).toEqual([]);
  });

  it('the checker catches a forbidden edge', () => {
    expect(imports("import { x } from '../store/database.js';")[0]?.spec).toBe('../store/database.js');
    expect(imports("import type { T } from '../agent/ports.js';")[0]?.typeOnly).toBe(true);
    expect(BANNED.some((re) => re.test('const t = Date.now();'))).toBe(true);
  });
});
