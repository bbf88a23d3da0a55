/**
 * Safe HTML for the web pages: every page and fragment is built with the `html` tagged template,
 * which escapes each interpolated value unless it is already SafeHtml (built the same way). No
 * page concatenates raw strings, so text from a device, a policy or a request (names, search
 * terms, ids) can never become markup.
 */

/** Markup that is already escaped: only `html`, `joinHtml` and `trustedHtml` make it. */
export class SafeHtml {
  readonly #text: string;

  /** @internal use html``, joinHtml or trustedHtml */
  constructor(text: string) {
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/** What may be interpolated: text, numbers, markup, lists of them; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.toString();
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(v));
}

/** The tagged template: literal parts are kept, interpolated values are escaped. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Joins rendered parts with a separator (escaped unless SafeHtml). */
export function joinHtml(parts: readonly HtmlValue[], separator: HtmlValue = ''): SafeHtml {
  return new SafeHtml(parts.map(render).join(render(separator)));
}

/**
 * Markup written in this module's source (the inline stylesheet and script), never data.
 * Passing anything built from input here would defeat the escaping.
 */
export function trustedHtml(constantMarkup: string): SafeHtml {
  return new SafeHtml(constantMarkup);
}

/** `2026-03-01 09:00:00 UTC` for an epoch ms; an em dash when unknown. */
export function utcText(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A URL path with each segment encoded, and an optional query (values encoded). */
export function urlOf(path: readonly string[], query: Readonly<Record<string, string | number | undefined>> = {}): string {
  const p = `/${path.map((s) => encodeURIComponent(s)).join('/')}`;
  const q = Object.entries(query).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return q.length === 0 ? p : `${p}?${q.join('&')}`;
}
