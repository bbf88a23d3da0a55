/**
 * The fleet report as one self-contained HTML page: inline CSS and inline SVG charts (rotations
 * and failures per day, policy status, failures by event ID, time from expiry to rotation), the
 * invariants, the breaches with their event trails, the devices and the scenario. No script, no
 * network: it opens from disk anywhere. Every value is escaped.
 */
import { EXPIRY_BUCKETS } from './fleet-stats.js';
import type { FleetReport } from './report.js';
import { eventLabel, summaryLines } from './report-text.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const n = (x: number): string => x.toLocaleString('en-US');

const COLORS = { rotations: '#2563eb', failures: '#dc2626', Succeeded: '#16a34a', Error: '#dc2626', Conflict: '#d97706', Pending: '#64748b', 'Not applicable': '#cbd5e1' };

interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color: string;
}

/** Vertical bars, one group per label; several series side by side. */
function columns(labels: readonly string[], series: readonly Series[], title: string, everyNth = 1): string {
  const W = 760;
  const H = 220;
  const left = 48;
  const bottom = 36;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const slot = (W - left - 8) / Math.max(1, labels.length);
  const bar = Math.max(1, (slot * 0.8) / series.length);
  const y = (v: number): number => 8 + (H - bottom - 8) * (1 - v / max);
  let out = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`;
  for (const t of [0, 0.5, 1]) {
    const v = Math.round(max * t);
    out += `<line x1="${left}" x2="${W - 8}" y1="${y(v)}" y2="${y(v)}" stroke="#e2e8f0"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" class="axis">${n(v)}</text>`;
  }
  labels.forEach((label, i) => {
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      const x = left + i * slot + slot * 0.1 + j * bar;
      out += `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${bar.toFixed(1)}" height="${(H - bottom - y(v)).toFixed(1)}" fill="${s.color}"><title>${esc(label)}: ${n(v)} ${esc(s.name)}</title></rect>`;
    });
    if (i % everyNth === 0) out += `<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle" class="axis">${esc(label)}</text>`;
  });
  out += '</svg>';
  const legend = series.length > 1 ? `<p class="legend">${series.map((s) => `<span style="background:${s.color}"></span>${esc(s.name)}`).join(' ')}</p>` : '';
  return out + legend;
}

/** Horizontal bars (label, value). */
function bars(rows: readonly (readonly [string, number])[], color: string, title: string): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  const W = 760;
  const rowH = 24;
  const labelW = 360;
  const max = Math.max(1, ...rows.map(([, v]) => v));
  let out = `<svg viewBox="0 0 ${W} ${rows.length * rowH + 8}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`;
  rows.forEach(([label, v], i) => {
    const w = ((W - labelW - 80) * v) / max;
    const shown = label.length > 52 ? `${label.slice(0, 51)}…` : label;
    out += `<text x="${labelW - 8}" y="${i * rowH + 17}" text-anchor="end" class="label">${esc(shown)}<title>${esc(label)}</title></text>`;
    out += `<rect x="${labelW}" y="${i * rowH + 4}" width="${Math.max(1, w).toFixed(1)}" height="${rowH - 8}" fill="${color}"><title>${esc(label)}: ${n(v)}</title></rect>`;
    out += `<text x="${(labelW + w + 6).toFixed(1)}" y="${i * rowH + 17}" class="axis">${n(v)}</text>`;
  });
  return `${out}</svg>`;
}

/** One stacked horizontal bar per policy, by status. */
function stacked(policies: Record<string, Record<string, number>>): string {
  const names = Object.keys(policies);
  if (names.length === 0) return '<p class="none">No policy.</p>';
  const statuses = Object.keys(COLORS).filter((k) => k !== 'rotations' && k !== 'failures') as (keyof typeof COLORS)[];
  const W = 760;
  const rowH = 30;
  const labelW = 220;
  let out = `<svg viewBox="0 0 ${W} ${names.length * rowH + 8}" role="img" aria-label="Policy status"><title>Policy status by device</title>`;
  names.forEach((name, i) => {
    const st = policies[name]!;
    const total = Math.max(1, Object.values(st).reduce((a, b) => a + b, 0));
    let x = labelW;
    out += `<text x="${labelW - 8}" y="${i * rowH + 20}" text-anchor="end" class="label">${esc(name)}</text>`;
    for (const s of statuses) {
      const v = st[s] ?? 0;
      if (v === 0) continue;
      const w = ((W - labelW - 8) * v) / total;
      out += `<rect x="${x.toFixed(1)}" y="${i * rowH + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${COLORS[s]}"><title>${esc(name)}: ${n(v)} ${esc(s)}</title></rect>`;
      x += w;
    }
  });
  out += '</svg>';
  return `${out}<p class="legend">${statuses.map((s) => `<span style="background:${COLORS[s]}"></span>${esc(s)}`).join(' ')}</p>`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function breachesHtml(r: FleetReport): string {
  if (r.breaches.length === 0) return '<p class="ok">No invariant broke.</p>';
  return r.breaches.map((b) => `<details><summary><b>${esc(b.invariant)}</b> ${esc(b.time)} ${esc(b.deviceName ?? '(fleet)')} ${esc(b.deviceId ?? '')}</summary>` +
    `<p>${esc(b.detail)}</p>${b.trail && b.trail.length > 0 ? table(['time', 'event', 'level', 'message'], b.trail.map((e) => [e.time, String(e.id), e.level, e.message])) : ''}</details>`).join('');
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:820px;padding:16px;color:#0f172a}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #e2e8f0}
svg{width:100%;height:auto}.axis{font-size:10px;fill:#475569}.label{font-size:11px;fill:#0f172a}table{border-collapse:collapse;width:100%;font-size:12px}
td,th{border-bottom:1px solid #e2e8f0;padding:3px 6px;text-align:left;vertical-align:top}pre{background:#f8fafc;padding:8px;overflow:auto;font-size:12px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}.ok{color:#16a34a}.bad{color:#dc2626;font-weight:bold}.none{color:#64748b}details{margin:6px 0}`;

/** The report as a self-contained HTML page. */
export function renderHtml(r: FleetReport): string {
  const c = r.counts;
  const start = Date.parse(r.scenario.start);
  const days = c.rotationsPerDay.map((_, d) => new Date(start + d * 86_400_000).toISOString().slice(5, 10));
  const broken = r.invariants.some((i) => i.breaches > 0);
  const failures = Object.entries(c.failuresByEvent).sort((a, b) => b[1] - a[1]).map(([id, v]) => [`${id} ${eventLabel(id)}`, v] as const);
  const summary = summaryLines(r, []).slice(2).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>lapsim fleet report: ${esc(r.scenario.name)}</title><style>${CSS}</style></head><body>
<h1>lapsim fleet report: ${esc(r.scenario.name)}</h1>
<p class="${broken ? 'bad' : 'ok'}">${broken ? 'An invariant broke: see the breaches below.' : 'Every invariant held.'}</p>
<pre>${esc(summary)}</pre>
<h2>Rotations and failed cycles per day</h2>${columns(days, [{ name: 'rotations', values: c.rotationsPerDay, color: COLORS.rotations }, { name: 'failed cycles', values: c.failuresPerDay, color: COLORS.failures }], 'Rotations and failed cycles per day', Math.max(1, Math.ceil(days.length / 12)))}
<h2>Policy status (Intune report)</h2>${stacked(r.policyStatus)}
<h2>Failed cycles by event ID</h2>${bars(failures, COLORS.failures, 'Failed cycles by event ID')}
<h2>Time from password expiry to rotation</h2>${columns(EXPIRY_BUCKETS.map((b) => b.label), [{ name: 'rotations', values: c.expiryToRotation, color: COLORS.rotations }], 'Time from expiry to rotation')}
<h2>Invariants</h2>${table(['invariant', 'promise', 'checks', 'breaches'], r.invariants.map((i) => [i.id, i.description, n(i.checks), n(i.breaches)]))}
<h2>Breaches</h2>${breachesHtml(r)}
<h2>Devices</h2>${table(['by', 'counts'], [['join type', JSON.stringify(r.devices.byJoinType)], ['OS build', JSON.stringify(r.devices.byOsBuild)], ['online pattern', JSON.stringify(r.devices.byOnlinePattern)]])}
<h2>Notes</h2><ul>${r.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
<h2>Scenario</h2><pre>${esc(JSON.stringify(r.scenario, null, 2))}</pre>
${r.run ? `<p class="none">Ran in ${r.run.wallSeconds.toFixed(1)} s with ${r.run.workers} worker(s), peak RSS ${(r.run.peakRssBytes / 1048576).toFixed(0)} MiB, ${esc(r.run.node)}, started ${esc(r.run.startedAt)}.</p>` : ''}
</body></html>
`;
}
