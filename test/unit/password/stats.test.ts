/** The statistics helpers the password tests rely on, against known values. */
import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, chiSquareTest, coverProbability, expectedCharProbabilities, lnGamma } from './stats.js';

describe('test statistics', () => {
  it('lnGamma matches factorials and Gamma(1/2)', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(101)).toBeCloseTo(363.73937555556347, 9);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('chi-square survival matches tables and the closed form for df = 2', () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 9);
    expect(chiSquareSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 9);
    expect(chiSquareSurvival(149.44925277903877, 100)).toBeCloseTo(0.001, 9);
    expect(chiSquareSurvival(20, 2)).toBeCloseTo(Math.exp(-10), 15);
    // Large df, both branches: the median of chi-square(7775) is close to df - 2/3.
    expect(chiSquareSurvival(7775 - 2 / 3, 7775)).toBeCloseTo(0.5, 3);
    expect(chiSquareSurvival(9000, 7775)).toBeLessThan(1e-20);
  });

  it('chiSquareTest computes Pearson statistic and degrees of freedom', () => {
    const r = chiSquareTest([60, 40], [0.5, 0.5]);
    expect(r.stat).toBeCloseTo(4, 12);
    expect(r.df).toBe(1);
    expect(r.p).toBeCloseTo(0.0455, 4);
  });

  it('coverProbability agrees with brute force on a small case', () => {
    // Length 3 over {A, B} u {c}: count strings holding both sets.
    let hits = 0;
    for (const a of 'ABc') for (const b of 'ABc') for (const c of 'ABc') if (/[AB]/.test(a + b + c) && /c/.test(a + b + c)) hits++;
    expect(coverProbability(3, [2, 1], 3)).toBeCloseTo(hits / 27, 12);
    const p = expectedCharProbabilities(['AB', 'c'], 3);
    // Brute force: frequency of 'c' at position 0 among acceptable strings.
    let cFirst = 0;
    for (const b of 'ABc') for (const c of 'ABc') if (/[AB]/.test(b + c)) cFirst++;
    expect(p[2]).toBeCloseTo(cFirst / hits, 12);
  });
});
