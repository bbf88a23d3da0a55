/**
 * The summary a fleet run prints when it ends: what ran, what happened, whether every invariant
 * held, and where the reports are. Plain text, aligned columns, no colour.
 */
import { eventSpec } from '../../agent/events/catalogue.js';
import { EXPIRY_BUCKETS } from './fleet-stats.js';
import type { FleetReport } from './report.js';

const n = (x: number): string => x.toLocaleString('en-US');

function top(r: Record<string, number>, limit: number, label: (k: string) => string = (k) => k): string {
  const list = Object.entries(r).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = list.slice(0, limit).map(([k, v]) => `${label(k)} ${n(v)}`).join(', ');
  return list.length > limit ? `${shown}, ...` : shown || 'none';
}

/** The first words of an event's message, as a label. */
export function eventLabel(id: number | string): string {
  const spec = eventSpec(Number(id));
  const text = spec?.template.split('\n')[0]!.replace(/\{[^}]+\}/g, '…') ?? 'unknown event';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The summary table, line by line. `files` are the report paths to point at. */
export function summaryLines(r: FleetReport, files: readonly string[]): string[] {
  const s = r.scenario;
  const c = r.counts;
  const rows: [string, string][] = [];
  const row = (k: string, v: string): void => void rows.push([k, v]);
  const end = new Date(Date.parse(s.start) + s.days * 86_400_000).toISOString().slice(0, 10);
  row('devices', `${n(r.devices.total)} (${top(r.devices.byJoinType, 3)}); ${n(r.devices.intune)} enrolled in Intune`);
  row('simulated', `${s.days} days, ${s.start.slice(0, 10)} to ${end}, seed ${String(s.seed)}${r.shards.count > 1 ? `, shards ${r.shards.included.join(',')} of ${r.shards.count}` : ''}`);
  row('cycles run', n(c.cycles));
  row('rotations', `${n(c.rotations)} (${top(c.rotationsByTrigger, 6)})`);
  row('failed cycles', c.failedCycles === 0 ? '0' : `${n(c.failedCycles)} (${top(c.failuresByEvent, 4, (id) => `event ${id}`)})`);
  const delays = EXPIRY_BUCKETS.map((b, i) => [b.label, c.expiryToRotation[i] ?? 0] as const).filter(([, v]) => v > 0).map(([l, v]) => `${l}: ${n(v)}`).join(', ');
  row('expiry to rotation', delays || 'no scheduled rotation');
  row('sessions', `${n(c.sessions)} (${n(c.batchesDelivered)} batches delivered)`);
  row('admin actions', `rotate ${n(c.admin.rotateRequested)} (done ${n(c.admin.rotateDone)}, refused ${n(c.admin.rotateRefused)}, failed ${n(c.admin.rotateFailed)}, pending ${n(c.admin.rotatePending)}); reveal ${n(c.admin.reveals)} (opens the account: ${n(c.admin.revealedOpens)})`);
  row('logons', `${n(c.logons.ok)} accepted, ${n(c.logons.refused)} refused`);
  const f = c.faults;
  const faults = [
    [f.outageRefusals, 'outage refusals'], [f.throttled, 'throttled'], [c.crashes, 'crashes'], [f.injected, 'faults fired'], [f.clockJumps, 'clock jumps'],
    [f.partitions, 'partitioned'], [f.serverRestarts, 'server restarts'], [f.tampered, 'tampered'],
  ].filter(([v]) => (v as number) > 0).map(([v, l]) => `${l} ${n(v as number)}`);
  row('faults', faults.join(', ') || 'none');
  for (const [name, st] of Object.entries(r.policyStatus)) row(`policy "${name}"`, top(st, 5));
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = [`lapsim fleet: scenario "${s.name}"`, ''];
  for (const [k, v] of rows) out.push(`  ${k.padEnd(width)}  ${v}`);
  out.push('', '  invariants');
  for (const i of r.invariants) out.push(`    ${i.breaches === 0 ? 'ok    ' : 'BROKEN'}  ${i.id.padEnd(17)} ${n(i.checks).padStart(12)} checks, ${n(i.breaches)} breach(es)`);
  for (const b of r.breaches.slice(0, 5)) out.push(`      ${b.time} ${b.deviceName ?? '(fleet)'} ${b.invariant}: ${b.detail}`);
  if (r.breaches.length > 5) out.push(`      ... ${r.breaches.length - 5} more in the report`);
  if (r.run) out.push('', `  ran in ${r.run.wallSeconds.toFixed(1)} s, peak RSS ${(r.run.peakRssBytes / 1048576).toFixed(0)} MiB (${n(Math.round(r.run.bytesPerDevice))} bytes per device)`);
  if (files.length > 0) out.push('', '  reports:', ...files.map((f) => `    ${f}`));
  return out;
}
