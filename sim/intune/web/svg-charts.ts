/**
 * Inline SVG charts for the fleet overview, drawn on the server (no script, no external file):
 * a column chart (rotations per day, password ages), a bar list (failures by event ID) and a
 * donut (devices by status). Each scales to its container through its viewBox, carries a
 * text alternative (role="img", aria-label, <title>) and a legend with the numbers.
 */
import { html, joinHtml, type SafeHtml } from './html.js';

/** One value of a chart. */
export interface Datum {
  readonly label: string;
  readonly value: number;
  /** CSS class of the mark (colour), e.g. `ok`, `bad`. */
  readonly tone?: string;
  /** Extra text for the legend and tooltip. */
  readonly note?: string;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/**
 * Vertical columns, one per datum, with the largest value on the axis and every `labelEvery`-th
 * label under its column.
 */
export function columnChart(title: string, data: readonly Datum[], o: { labelEvery?: number; unit?: string } = {}): SafeHtml {
  const W = 480, H = 220, left = 44, bottom = 30, top = 12;
  const max = niceMax(Math.max(0, ...data.map((d) => d.value)));
  const slot = (W - left - 8) / Math.max(1, data.length);
  const barW = Math.max(2, slot * 0.72);
  const every = o.labelEvery ?? 1;
  const y = (v: number): number => top + (H - top - bottom) * (1 - v / max);
  const bars = data.map((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const h = H - bottom - y(d.value);
    const tip = `${d.label}: ${fmt(d.value)}${o.unit ? ` ${o.unit}` : ''}${d.note ? ` (${d.note})` : ''}`;
    const label = i % every === 0 ? html`<text x="${(x + barW / 2).toFixed(1)}" y="${H - 9}" text-anchor="middle" class="axis">${d.label}</text>` : '';
    return html`<g><rect class="mark ${d.tone ?? 'accent'}" x="${x.toFixed(1)}" y="${y(d.value).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" rx="2"><title>${tip}</title></rect>${label}</g>`;
  });
  const total = data.reduce((s, d) => s + d.value, 0);
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}: ${fmt(total)} in all" preserveAspectRatio="xMidYMid meet">
<title>${title}</title>
<line class="grid" x1="${left}" y1="${y(max)}" x2="${W - 4}" y2="${y(max)}"/>${Number.isInteger(max / 2) ? html`<line class="grid" x1="${left}" y1="${y(max / 2)}" x2="${W - 4}" y2="${y(max / 2)}"/>` : ''}
<line class="base" x1="${left}" y1="${H - bottom}" x2="${W - 4}" y2="${H - bottom}"/>
<text class="axis" x="${left - 6}" y="${y(max) + 4}" text-anchor="end">${fmt(max)}</text>${Number.isInteger(max / 2) ? html`<text class="axis" x="${left - 6}" y="${y(max / 2) + 4}" text-anchor="end">${fmt(max / 2)}</text>` : ''}
<text class="axis" x="${left - 6}" y="${H - bottom + 4}" text-anchor="end">0</text>
${bars}</svg>`;
}

/** Horizontal bars with their labels and values, largest first as given. */
export function barList(title: string, data: readonly Datum[], empty: string): SafeHtml {
  if (data.length === 0) return html`<p class="empty">${empty}</p>`;
  const W = 480, row = 34, labelW = 140, valueW = 60;
  const H = data.length * row + 8;
  const max = Math.max(1, ...data.map((d) => d.value));
  const rows = data.map((d, i) => {
    const w = ((W - labelW - valueW) * d.value) / max;
    const yy = 4 + i * row;
    return html`<g><text class="label" x="${labelW - 8}" y="${yy + 22}" text-anchor="end">${d.label}</text>
<rect class="mark ${d.tone ?? 'bad'}" x="${labelW}" y="${yy + 6}" width="${Math.max(2, w).toFixed(1)}" height="${row - 12}" rx="3"><title>${d.label}: ${fmt(d.value)}${d.note ? ` (${d.note})` : ''}</title></rect>
<text class="value" x="${(labelW + Math.max(2, w) + 6).toFixed(1)}" y="${yy + 22}">${fmt(d.value)}</text></g>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}" preserveAspectRatio="xMinYMin meet"><title>${title}</title>${rows}</svg>`;
}

/** A donut of parts of a whole, with the total in the middle and a legend. */
export function donutChart(title: string, data: readonly Datum[], centreLabel: string): SafeHtml {
  const total = data.reduce((s, d) => s + d.value, 0);
  const r = 60, c = 2 * Math.PI * r;
  let offset = 0;
  const arcs = total === 0 ? [html`<circle class="track" cx="90" cy="90" r="${r}"/>`] : data.filter((d) => d.value > 0).map((d) => {
    const len = (c * d.value) / total;
    const arc = html`<circle class="arc ${d.tone ?? 'accent'}" cx="90" cy="90" r="${r}" stroke-dasharray="${len.toFixed(2)} ${(c - len).toFixed(2)}" stroke-dashoffset="${(-offset).toFixed(2)}"><title>${d.label}: ${fmt(d.value)}</title></circle>`;
    offset += len;
    return arc;
  });
  const legend = data.map((d) => html`<li><span class="swatch ${d.tone ?? 'accent'}"></span><span class="legend-label">${d.label}</span><span class="legend-value">${fmt(d.value)}</span></li>`);
  const summary = data.map((d) => `${d.label} ${fmt(d.value)}`).join(', ');
  return html`<div class="donut"><svg class="chart donut-svg" viewBox="0 0 180 180" role="img" aria-label="${title}: ${summary}"><title>${title}</title>
<g transform="rotate(-90 90 90)">${arcs}</g><text class="total" x="90" y="92" text-anchor="middle">${fmt(total)}</text><text class="axis" x="90" y="112" text-anchor="middle">${centreLabel}</text></svg>
<ul class="legend">${joinHtml(legend)}</ul></div>`;
}
