/** The fleet scenario: defaults, every problem reported with its path, flags over the file, --shard. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LapsError } from '../../../core/errors.js';
import { loadScenario, parseShard } from '../../../sim/fleet/fleet-command.js';
import { parseScenario } from '../../../sim/fleet/scenario.js';

function problems(raw: unknown): string {
  try {
    parseScenario(raw, 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(LapsError);
    expect((e as LapsError).code).toBe('LAPS_ERR_FLEET_SCENARIO');
    return (e as LapsError).message;
  }
  throw new Error('the scenario was accepted');
}

describe('fleet scenario', () => {
  it('defaults to 1,000 devices over 90 days with one Entra policy assigned to a device group, and an outage on day 30', () => {
    const s = parseScenario(undefined, 'defaults');
    expect(s.devices).toBe(1000);
    expect(s.days).toBe(90);
    expect(s.policies).toEqual([{ name: 'Windows LAPS', description: '', settings: expect.objectContaining({ BackupDirectory: 1, PasswordAgeDays: 30 }) }]);
    expect(s.groups).toEqual([{ name: 'LAPS devices', fraction: 1 }]);
    expect(s.assignments).toEqual([{ policy: 'Windows LAPS', include: ['LAPS devices'], exclude: [] }]);
    expect(s.faults.directoryOutages).toEqual([{ day: 30, hours: 6, directory: 'all' }]);
    expect(s.passwords).toBe('crypto');
    expect(parseScenario({ days: 20 }, 'x').faults.directoryOutages).toEqual([{ day: 10, hours: 6, directory: 'all' }]);
    expect(parseScenario({ faults: { directoryOutages: [] } }, 'x').faults.directoryOutages).toEqual([]);
  });

  it('lists every problem with its JSON path', () => {
    const m = problems({
      devices: 0, colour: 'blue', population: { renamedAdministrator: 2, osBuilds: { 'windows 11': 1 } },
      faults: { crashes: [{ day: 1, fraction: 0.1, point: 'mid-air' }] },
    });
    expect(m).toContain('scenario test.json is not valid');
    expect(m).toMatch(/devices: .*>=1/);
    expect(m).toMatch(/\(top\): .*colour/);
    expect(m).toMatch(/population\.renamedAdministrator: .*<=1/);
    expect(m).toMatch(/faults\.crashes\[0\]\.point: /);
  });

  it('checks the names entries refer to, the days and the AD directory', () => {
    const m = problems({
      days: 10,
      groups: [{ name: 'Pilot', fraction: 0.1 }, { name: 'Pilot', fraction: 0.2 }, { name: 'Nobody' }],
      assignments: [{ policy: 'Missing', include: ['Pilot', 'Ghosts'] }],
      timeline: [{ do: 'sign-in', day: 12, user: 'alice', fraction: 0.1 }],
      population: { joinTypes: { ad: 1 }, osBuilds: { '10.0.x': 1 } },
      faults: { partitions: [{ day: 11, hours: 1, fraction: 0.5 }] },
    });
    expect(m).toContain('groups[1].name: another group is named "Pilot"');
    expect(m).toContain('groups[2]: give the devices (fraction) or the users of the group');
    expect(m).toContain('assignments[0].policy: no policy named "Missing" (known: "Windows LAPS")');
    expect(m).toContain('assignments[0].include[1]: no group named "Ghosts"');
    expect(m).toContain('timeline[0].day: day 12 is after the end of the run (days: 10)');
    expect(m).toContain('timeline[0].user: no user named "alice" (known: none)');
    expect(m).toContain('population.joinTypes.ad: AD-joined devices need "activeDirectory"');
    expect(m).toContain('faults.partitions[0].day: day 11 is after the end of the run');
  });

  it('refuses settings that are not LAPS CSP nodes', () => {
    expect(problems({ policies: [{ name: 'p', settings: { BackupDirectory: 1, Colour: 3 } }] })).toContain('policies[0].settings.Colour: not a LAPS CSP setting');
  });

  it('takes the file, then the flags on top; a file that is not JSON says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapsim-scenario-'));
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify({ name: 'mine', devices: 50, days: 12, seed: 'abc' }));
    const s = loadScenario(file, { days: 7, seed: '42' });
    expect([s.name, s.devices, s.days, s.seed]).toEqual(['mine', 50, 7, 42]);
    expect(loadScenario(file, { seed: 'blue' }).seed).toBe('blue');
    writeFileSync(file, '{ "devices": 5,');
    expect(() => loadScenario(file, {})).toThrow(/is not JSON/);
    expect(() => loadScenario(join(dir, 'none.json'), {})).toThrow(/cannot read the scenario .*ENOENT/);
  });

  it('reads --shard i/n', () => {
    expect(parseShard(undefined)).toEqual({ index: 0, count: 1 });
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['4/4', '1', 'a/b', '-1/2', '1/0']) expect(() => parseShard(bad)).toThrow(/--shard must be i\/n/);
  });
});
