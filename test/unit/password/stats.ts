/**
 * Statistics for the password tests: Pearson's chi-square statistic and its p-value (the
 * regularised upper incomplete gamma function Q(df/2, x/2), Numerical Recipes 6.2), and the exact
 * per-character probabilities of a password drawn uniformly among those holding every set.
 */

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Gamma(a, x) / Gamma(a), the regularised upper incomplete gamma function. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lead = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    // Series for P(a, x), then Q = 1 - P.
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 100_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lead));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(lead) * h;
}

/** P(X >= x) for X chi-square distributed with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

/**
 * Pearson's test of observed counts against probabilities (summing to 1).
 * Returns the statistic, degrees of freedom (categories - 1) and p-value.
 */
export function chiSquareTest(observed: ArrayLike<number>, probabilities: ArrayLike<number>): { stat: number; df: number; p: number } {
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i]!;
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = total * probabilities[i]!;
    const diff = observed[i]! - expected;
    stat += (diff * diff) / expected;
  }
  const df = observed.length - 1;
  return { stat, df, p: chiSquareSurvival(stat, df) };
}

/** Probability that `length` uniform draws from `n` symbols hit every set in `sizes` (inclusion-exclusion). */
export function coverProbability(length: number, sizes: readonly number[], n: number): number {
  let total = 0;
  for (let m = 0; m < 1 << sizes.length; m++) {
    let missing = 0;
    let bits = 0;
    sizes.forEach((size, j) => {
      if ((m >> j) & 1) {
        missing += size;
        bits++;
      }
    });
    total += (bits % 2 === 0 ? 1 : -1) * ((n - missing) / n) ** length;
  }
  return total;
}

/**
 * For a password of `length` characters drawn uniformly among strings over the union of `sets`
 * that hold every set: the probability of each union character (in set order) at any one position.
 * A character of set j at position 0 leaves the other positions to cover the other sets.
 */
export function expectedCharProbabilities(sets: readonly string[], length: number): number[] {
  const sizes = sets.map((s) => s.length);
  const n = sizes.reduce((a, b) => a + b, 0);
  const all = coverProbability(length, sizes, n);
  const out: number[] = [];
  sets.forEach((set, j) => {
    const rest = coverProbability(length - 1, sizes.filter((_, i) => i !== j), n);
    for (let i = 0; i < set.length; i++) out.push(rest / n / all);
  });
  return out;
}
