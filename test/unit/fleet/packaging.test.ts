/**
 * What ships beside the fleet: the example scenarios of docs/scenarios parse, and the Kubernetes
 * Indexed Job runs one shard per completion index with flags `lapsim fleet` knows, and merges the
 * run folders the shards write.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerFleet } from '../../../bin/commands/fleet.js';
import { runName } from '../../../sim/fleet/run-fleet.js';
import { parseScenario } from '../../../sim/fleet/scenario.js';

const root = new URL('../../../', import.meta.url);

describe('fleet packaging and examples', () => {
  it('every example scenario in docs/scenarios is valid', () => {
    const files = readdirSync(new URL('docs/scenarios/', root)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const s = parseScenario(JSON.parse(readFileSync(new URL(`docs/scenarios/${f}`, root), 'utf8')), f);
      expect(s.description.length, f).toBeGreaterThan(20);
    }
  });

  it('the Indexed Job runs shard i of its completions with known flags, and merges what the shards write', () => {
    const yaml = readFileSync(new URL('packaging/fleet-indexed-job.yaml', root), 'utf8');
    expect(yaml).toContain('completionMode: Indexed');
    const completions = Number(/completions: (\d+)/.exec(yaml)![1]);
    expect(Number(/parallelism: (\d+)/.exec(yaml)![1])).toBe(completions);
    const shard = /- exec node \/app\/dist\/bin\/lapsim\.js fleet (--.*)/.exec(yaml)![1]!;
    expect(shard).toContain(`--shard "$JOB_COMPLETION_INDEX/${completions}"`);
    const program = new Command();
    registerFleet(program);
    const fleet = program.commands.find((c) => c.name() === 'fleet')!;
    const known = new Set(fleet.options.map((o) => o.long));
    for (const flag of shard.match(/--[a-z-]+/g)!) expect(known, flag).toContain(flag);
    expect(fleet.commands.map((c) => c.name())).toEqual(['merge']);
    const folder = runName(parseScenario({ name: 'My fleet', seed: 3 }, 't'), { index: 5, count: completions });
    const glob = /fleet merge \/data\/fleet\/(\S+)\/report\.json/.exec(yaml)![1]!;
    expect(new RegExp(`^${glob.replace(/\*/g, '.*')}$`).test(folder)).toBe(true);
  });
});
