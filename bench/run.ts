/**
 * `npm run bench`: runs every bench/*.bench.ts module (compiled to dist/bench) in name order and
 * prints its figures. Each module exports `run(report)`; figures are printed, never asserted.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { type BenchModule, printFigure } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.bench.js') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();

console.log(`lapsim bench (node ${process.version}, ${process.platform}/${process.arch})`);
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as BenchModule;
  console.log(`\n## ${f.replace('.bench.js', '')}`);
  await mod.run(printFigure);
}
