/** How bench modules report: one line per figure, with its unit and an optional goal. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Goal text such as '>= 1000000' (checked and marked, never failing the run). */
  readonly goal?: { readonly op: '>=' | '<='; readonly value: number };
}

export type Report = (f: Figure) => void;

export interface BenchModule {
  run(report: Report): Promise<void> | void;
}

export function printFigure(f: Figure): void {
  const v = f.value >= 100 ? Math.round(f.value).toLocaleString('en-US') : f.value.toPrecision(4);
  let goal = '';
  if (f.goal) {
    const met = f.goal.op === '>=' ? f.value >= f.goal.value : f.value <= f.goal.value;
    goal = `  (goal ${f.goal.op} ${f.goal.value.toLocaleString('en-US')}: ${met ? 'met' : 'NOT met'})`;
  }
  console.log(`${f.name.padEnd(64)} ${v.padStart(14)} ${f.unit}${goal}`);
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 1000, batch = 100): number {
  for (let i = 0; i < batch; i++) fn();
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0n;
  const limit = BigInt(ms) * 1_000_000n;
  while (elapsed < limit) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}
