/**
 * The pages' escaping: every interpolated value is escaped unless it was built by html``, lists
 * render each item, and nothing a device or a request names can become markup.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, joinHtml, SafeHtml, urlOf, utcText } from '../../../sim/intune/web/html.js';
import { safeNext } from '../../../sim/intune/web/web-context.js';

describe('html``', () => {
  it('escapes text in content and attributes', () => {
    const name = `<script>alert("x")</script>&'\``;
    const out = html`<a title="${name}">${name}</a>`.toString();
    expect(out).toBe('<a title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;</a>');
    expect(out).not.toContain('<script>');
  });

  it('keeps markup built by html`` and renders lists, numbers and nothing for null, undefined and false', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${[1, html`<br>`, '<x>']}${null}${undefined}${false}${0}</p>`.toString()).toBe('<p><b>&lt;i&gt;</b>1<br>&lt;x&gt;0</p>');
    expect(joinHtml(['<a>', html`<b></b>`], ', ').toString()).toBe('&lt;a&gt;, <b></b>');
  });

  it('does not trust a string that looks like SafeHtml, only the class', () => {
    const fake = { toString: () => '<img src=x onerror=alert(1)>' } as unknown as string;
    expect(html`${fake}`.toString()).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(html`${new SafeHtml('<ok>')}`.toString()).toBe('<ok>');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });

  it('encodes path segments and query values; prints UTC times', () => {
    expect(urlOf(['ui', 'devices', 'a/b?c'], { q: 'x&y=z', page: 2, empty: '', none: undefined })).toBe('/ui/devices/a%2Fb%3Fc?q=x%26y%3Dz&page=2');
    expect(utcText(Date.UTC(2026, 2, 1, 9, 5, 7))).toBe('2026-03-01 09:05:07 UTC');
    expect(utcText(undefined)).toBe('—');
    expect(utcText(Number.NaN)).toBe('—');
  });

  it('returns to pages of the web UI only after sign-in (no open redirect)', () => {
    expect(safeNext('/ui/devices?q=a')).toBe('/ui/devices?q=a');
    for (const bad of [null, 'https://evil.example/', '//evil.example/ui/', '/beta/deviceManagement', '/ui/\\evil', '/ui/x\r\nSet-Cookie: a=b', `/ui/${'a'.repeat(600)}`]) {
      expect(safeNext(bad)).toBe('/ui/');
    }
  });
});
