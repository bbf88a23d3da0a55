/**
 * The fleet report: shard reports merge into the whole (and refuse to mix runs), the HTML page is
 * self-contained with its four charts and escapes what it shows, the summary says what broke,
 * and scenario policies become Graph bodies the Intune importer accepts.
 */
import { describe, expect, it } from 'vitest';
import { LapsError } from '../../../core/errors.js';
import { importPolicy } from '../../../sim/intune/policy-import.js';
import { policyCspValues } from '../../../sim/intune/csp-translate.js';
import { policyBody, policyContent } from '../../../sim/fleet/fleet-policies.js';
import { emptyCounts } from '../../../sim/fleet/fleet-stats.js';
import { hasBreaches, invariantLines, mergeReports, REPORT_FORMAT, reproducible, type FleetReport } from '../../../sim/fleet/report.js';
import { renderHtml } from '../../../sim/fleet/report-html.js';
import { summaryLines } from '../../../sim/fleet/report-text.js';
import { parseScenario } from '../../../sim/fleet/scenario.js';

const scenario = parseScenario({ days: 3, devices: 4, name: 'unit <test>' }, 'test');

function part(index: number, rotations: number[], breaches = 0): FleetReport {
  const counts = emptyCounts(3);
  counts.rotationsPerDay = rotations;
  counts.rotations = rotations.reduce((a, b) => a + b, 0);
  counts.failuresByEvent = { 10028: index + 1 };
  counts.failedCycles = index + 1;
  const zero = { 'password-opens': 0, expiry: 0, conflicts: 0, 'no-password-leak': 0 };
  return {
    format: REPORT_FORMAT, version: 1, scenario, shards: { count: 2, included: [index] },
    devices: { total: 2, intune: 2, managed: 2, backedUp: 2, byJoinType: { entra: 2 }, byOsBuild: { [`10.0.${index}`]: 2 }, byOnlinePattern: { always: 2 } },
    counts, policyStatus: { 'Windows LAPS': { Succeeded: 2 } },
    invariants: invariantLines({ ...zero, expiry: 10 }, { ...zero, expiry: breaches }),
    breaches: breaches ? [{ invariant: 'expiry', time: '2026-03-02T00:00:00.000Z', deviceId: 'id', deviceName: `<FLEET-${index}>`, detail: 'late & <b>', trail: [{ time: 't', id: 10028, level: 'Error', message: 'failed' }] }] : [],
    notes: ['a note'],
  };
}

describe('mergeReports', () => {
  it('adds the shards up', () => {
    const m = mergeReports([part(1, [1, 2, 3], 1), part(0, [4, 5, 6])]);
    expect(m.shards).toEqual({ count: 2, included: [0, 1] });
    expect(m.counts.rotationsPerDay).toEqual([5, 7, 9]);
    expect(m.counts.rotations).toBe(21);
    expect(m.counts.failuresByEvent).toEqual({ 10028: 3 });
    expect(m.devices.total).toBe(4);
    expect(m.devices.byOsBuild).toEqual({ '10.0.0': 2, '10.0.1': 2 });
    expect(m.policyStatus).toEqual({ 'Windows LAPS': { Succeeded: 4 } });
    expect(m.invariants.find((i) => i.id === 'expiry')).toMatchObject({ checks: 20, breaches: 1 });
    expect(m.breaches).toHaveLength(1);
    expect(hasBreaches(m)).toBe(true);
    expect(hasBreaches(mergeReports([part(0, [0, 0, 0])]))).toBe(false);
  });

  it('refuses reports of other runs, the same shard twice, and things that are not reports', () => {
    const other = { ...part(1, [0, 0, 0]), scenario: { ...scenario, seed: 99 } };
    expect(() => mergeReports([part(0, [0, 0, 0]), other])).toThrow(LapsError);
    expect(() => mergeReports([part(0, [0, 0, 0]), part(0, [0, 0, 0])])).toThrow(/shard 0 of 2 is given twice/);
    expect(() => mergeReports([{ ...part(0, [0, 0, 0]), format: 'x' } as unknown as FleetReport])).toThrow(/not a lapsim fleet report/);
    expect(() => mergeReports([])).toThrow(/no report/);
  });

  it('keeps what two runs share apart from the run itself', () => {
    const r = part(0, [1, 1, 1]);
    r.run = { wallSeconds: 1, peakRssBytes: 1, bytesPerDevice: 1, workers: 1, startedAt: 'now', folder: '/x', node: 'v20' };
    expect(reproducible(r)).not.toHaveProperty('run');
  });
});

describe('renderHtml and summaryLines', () => {
  it('is one self-contained page with the four charts, escaped', () => {
    const html = renderHtml(mergeReports([part(0, [1, 2, 3], 1), part(1, [3, 2, 1])]));
    expect(html.match(/<svg /g)).toHaveLength(4);
    for (const title of ['Rotations and failed cycles per day', 'Policy status', 'Failed cycles by event ID', 'Time from password expiry to rotation']) expect(html).toContain(title);
    expect(html).not.toMatch(/<script|<link|src=|href="http/);
    expect(html).toContain('&#60;FLEET-0&#62;');
    expect(html).toContain('late &#38; &#60;b&#62;');
    expect(html).not.toContain('<FLEET-0>');
    expect(html).toContain('unit &#60;test&#62;');
    expect(html).toContain('An invariant broke');
  });

  it('says what held and what broke, and where the reports are', () => {
    const lines = summaryLines(part(0, [1, 2, 3], 1), ['/tmp/report.html']).join('\n');
    expect(lines).toMatch(/rotations\s+6 /);
    expect(lines).toMatch(/failed cycles\s+1 \(event 10028 1\)/);
    expect(lines).toMatch(/BROKEN\s+expiry\s+10 checks, 1 breach/);
    expect(lines).toMatch(/ok\s+password-opens/);
    expect(lines).toContain('/tmp/report.html');
  });
});

describe('scenario policies as Graph bodies', () => {
  it('put children under the option that holds them, and the importer reads back the same CSP values', () => {
    const settings = { BackupDirectory: 2, PasswordAgeDays: 10, ADPasswordEncryptionEnabled: false, PasswordComplexity: 6, PassphraseLength: 5, AutomaticAccountManagementEnabled: true, AutomaticAccountManagementNameOrPrefix: 'Lapsy' };
    const body = policyBody('AD', '', settings, 'p');
    const r = importPolicy(body, 'create');
    expect(r.ok).toBe(true);
    const values = policyCspValues(policyContent('AD', '', settings, 'p').settings);
    expect(Object.fromEntries(values)).toEqual(settings);
  });

  it('say what is wrong: a child without its parent, a value Graph refuses', () => {
    expect(() => policyBody('p', '', { PasswordAgeDays: 30 }, 'policies[0]')).toThrow(/policies\[0\]: PasswordAgeDays applies only under backupdirectory_1 or backupdirectory_2/);
    expect(() => policyContent('p', '', { BackupDirectory: 1, PasswordAgeDays: 3 }, 'policies[1]')).toThrow(/policies\[1\]: The policy is not valid: Setting 'device_vendor_msft_laps_policies_passwordagedays_aad'/);
  });
});
