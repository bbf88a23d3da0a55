import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SETTINGS, buildNumber, isAllowed, isSupportedOnBuild, settingByName } from '../../../csp/laps/settings.js';
import { describePolicy } from '../../../agent/policy/describe-policy.js';
import { LEGACY_SETTINGS } from '../../../agent/policy/legacy-settings.js';
import { resolvePolicy } from '../../../agent/policy/resolve-policy.js';
import type { DeviceFacts, PolicyRootName, PolicyRootValues } from '../../../agent/policy/types.js';

const RUNS = { numRuns: 1000 };
const WINDOWS_NAMES = SETTINGS.map((s) => s.name);
const LEGACY_NAMES = LEGACY_SETTINGS.map((s) => s.name);

/** A name in any case: a real setting most of the time, sometimes anything. */
const nameOf = (names: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => n.toLowerCase()) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );

/** Values near every boundary, plus arbitrary text. */
const valueArb = fc.oneof(
  fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '11', '12', '13', '14', '24', '25', '64', '65', '365', '366', '-1'),
  fc.constantFrom('true', 'false', 'True', 'FALSE', '', ' ', 'abc', '1e3', '0x10', '4294967296', 'Admin', 'x'.repeat(1100)),
  fc.integer({ min: -5, max: 400 }).map(String),
  fc.string({ maxLength: 16 }),
);

const rootArb = (names: readonly string[]) => fc.dictionary(nameOf(names), valueArb, { maxKeys: 8 });
/** A Windows LAPS root that usually sets BackupDirectory, so every directory is well covered. */
const windowsRootArb = fc
  .tuple(fc.option(fc.constantFrom('0', '1', '1', '2', '2', 'x'), { freq: 3 }), rootArb(WINDOWS_NAMES))
  .map(([bd, rest]) => (bd === null ? rest : { BackupDirectory: bd, ...rest }));
/** A legacy root that usually enables emulation. */
const legacyRootArb = fc
  .tuple(fc.option(fc.constantFrom('1', '1', '0'), { freq: 3 }), rootArb(LEGACY_NAMES))
  .map(([on, rest]) => (on === null ? rest : { AdmPwdEnabled: on, ...rest }));
/** Each root is often empty, so that every root gets to win. */
const maybeEmpty = (arb: fc.Arbitrary<Record<string, string>>) => fc.oneof(fc.constant({}), arb);
const rootsArb: fc.Arbitrary<PolicyRootValues> = fc.record({
  csp: maybeEmpty(windowsRootArb),
  gpo: maybeEmpty(windowsRootArb),
  local: maybeEmpty(windowsRootArb),
  legacy: legacyRootArb,
});
const factsArb: fc.Arbitrary<DeviceFacts> = fc.record({
  osBuild: fc.oneof(fc.constantFrom('10.0.26100.4349', '10.0.22621.1480', '10.0.19041.2784', '10.0.27000.1', 'garbage'), fc.string({ maxLength: 20 })),
  isDomainController: fc.boolean(),
  legacyCseInstalled: fc.boolean(),
  joinType: fc.constantFrom('entra', 'ad', 'hybrid', 'workgroup'),
});
const modeArb = fc.constantFrom<'clamp' | 'default' | undefined>('clamp', 'default', undefined);
const options = (mode: 'clamp' | 'default' | undefined) => (mode ? { entraMinAgeMode: mode } : {});

const ORDER: readonly PolicyRootName[] = ['csp', 'gpo', 'local', 'legacy'];

/** True when a Windows LAPS root holds a value that makes it the active root. */
function holdsPolicy(root: PolicyRootName, values: Readonly<Record<string, string>>): boolean {
  return Object.keys(values).some((k) => {
    const spec = settingByName(k);
    return spec !== undefined && (root !== 'csp' || spec.inCsp);
  });
}

describe('resolvePolicy properties', () => {
  it('adding values to a lower root never changes the result when a higher root is non-empty', () => {
    fc.assert(
      fc.property(rootsArb, factsArb, modeArb, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), rootArb([...WINDOWS_NAMES, ...LEGACY_NAMES]), (r, f, mode, hi, offset, extra) => {
        const high = ORDER[hi] as PolicyRootName;
        const low = ORDER[Math.min(3, hi + offset)] as PolicyRootName;
        const withHigh = { ...r, [high]: { ...r[high], BackupDirectory: r[high].BackupDirectory ?? '2' } };
        fc.pre(holdsPolicy(high, withHigh[high]));
        const before = resolvePolicy(withHigh, f, options(mode));
        const after = resolvePolicy({ ...withHigh, [low]: { ...withHigh[low], ...extra } }, f, options(mode));
        expect(after).toEqual(before);
      }),
      RUNS,
    );
  });

  it("every value of the result is within its allowed range for the device's build", () => {
    fc.assert(
      fc.property(rootsArb, factsArb, modeArb, (r, f, mode) => {
        const p = resolvePolicy(r, f, options(mode));
        const build = buildNumber(f.osBuild);
        for (const row of describePolicy(p)) {
          const spec = settingByName(row.name);
          if (!spec) throw new Error(`unknown row ${row.name}`);
          if (row.value === undefined) {
            expect(spec.format, row.name).toBe('chr');
            continue;
          }
          expect(isAllowed(spec, row.value, p.backupDirectory), `${row.name}=${String(row.value)}`).toBe(true);
          // A CSP 1.1 setting on an older build can only hold its default.
          if (spec.cspVersion === '1.1' && !(build >= 26100)) expect(row.value, row.name).toBe(spec.default);
          else expect(isSupportedOnBuild(spec, row.value, build), `${row.name}=${String(row.value)} on ${f.osBuild}`).toBe(true);
        }
        if (p.legacyEmulation) expect(p.passwordComplexity).toBeLessThanOrEqual(4);
        if (p.managed) expect(p.backupDirectory).not.toBe(0);
        if (p.backupDirectory === 1) expect(p.passwordAgeDays).toBeGreaterThanOrEqual(7);
      }),
      RUNS,
    );
  });

  it('never throws for arbitrary string maps and arbitrary facts', () => {
    const anyRoot = fc.dictionary(fc.string(), fc.string(), { maxKeys: 10 });
    fc.assert(
      fc.property(fc.record({ csp: anyRoot, gpo: anyRoot, local: anyRoot, legacy: anyRoot }), factsArb, modeArb, (r, f, mode) => {
        const p = resolvePolicy(r, f, options(mode));
        expect(['CSP', 'GPO', 'LocalConfig', 'LegacyLaps', 'None']).toContain(p.source);
        expect(() => describePolicy(p)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('logs every replaced value once: 10900, or 10058 for the Entra minimum age', () => {
    fc.assert(
      fc.property(rootsArb, factsArb, modeArb, (r, f, mode) => {
        const p = resolvePolicy(r, f, options(mode));
        const logged = p.ignored.filter((i) => i.reason !== 'unknown-name' && i.reason !== 'duplicate-name');
        const expected = logged.map((i) => (i.reason === 'entra-minimum-age' ? 10058 : 10900));
        const actual = p.warnings.map((w) => w.eventId).filter((id) => id === 10900 || id === 10058);
        expect(actual.sort()).toEqual(expected.sort());
      }),
      RUNS,
    );
  });

  it('is a pure function: the same input gives the same result', () => {
    fc.assert(
      fc.property(rootsArb, factsArb, (r, f) => {
        expect(resolvePolicy(r, f)).toEqual(resolvePolicy(structuredClone(r), { ...f }));
      }),
      { numRuns: 100 },
    );
  });
});
