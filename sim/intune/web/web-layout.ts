/**
 * The shell of every page: head (inline stylesheet, the CSRF token for the script), the header
 * with the signed-in admin and Sign out, the side navigation (only the pages the caller may open),
 * breadcrumbs, and the inline script. A live page names its event stream on <body>.
 */
import { can, type WebRequest } from './web-context.js';
import { html, trustedHtml, type SafeHtml } from './html.js';
import { SCRIPT } from './web-script.js';
import { STYLE } from './web-style.js';

/** The sections of the navigation. */
export type Section = 'overview' | 'devices' | 'policies';

/** A page to render. */
export interface PageSpec {
  readonly title: string;
  readonly section?: Section;
  /** Breadcrumbs before the title: label and link. */
  readonly crumbs?: readonly (readonly [string, string])[];
  readonly body: SafeHtml;
  /** URL of the page's live event stream. */
  readonly live?: string;
}

const HEAD = trustedHtml(`<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><link rel="icon" href="data:,"><style>${STYLE}</style>`);
const SCRIPT_TAG = trustedHtml(`<script>${SCRIPT}</script>`);

function nav(w: WebRequest, active: Section | undefined): SafeHtml {
  const links: [Section, string, string, string][] = [
    ['overview', '/ui/', 'Fleet overview', 'lapsimReports.lapsDevices'],
    ['devices', '/ui/devices', 'Devices', 'managedDevices.list'],
    ['policies', '/ui/policies', 'Account protection', 'policies.list'],
  ];
  const items = links.filter(([, , , route]) => can(w, route))
    .map(([id, href, label]) => html`<a href="${href}" class="${id === active ? 'on' : ''}"${id === active ? html` aria-current="page"` : ''}>${label}</a>`);
  return html`<nav class="side" aria-label="Main"><div class="group">Intune</div>${items}</nav>`;
}

/** A full page for a signed-in admin. */
export function page(w: WebRequest, spec: PageSpec): SafeHtml {
  const p = w.grant.principal;
  const roles = w.grant.kind === 'master' ? 'lapsim admin (every permission)' : w.grant.roles.join(', ') || 'custom permissions';
  const crumbs = spec.crumbs && spec.crumbs.length > 0
    ? html`<div class="crumbs">${spec.crumbs.map(([label, href], i) => html`${i > 0 ? ' › ' : ''}<a href="${href}">${label}</a>`)}</div>` : '';
  return html`<html lang="en"><head>${HEAD}<meta name="csrf-token" content="${w.session.csrf}"><title>${spec.title} - lapsim Intune</title></head>
<body${spec.live ? html` data-live="${spec.live}"` : ''}>
<header class="top"><a class="brand" href="/ui/">lapsim <small>Intune admin center</small></a>
<div class="who"><span title="${roles}">${p.userPrincipalName} · ${roles}</span>
<form method="post" action="/ui/logout"><input type="hidden" name="_csrf" value="${w.session.csrf}"><button type="submit">Sign out</button></form></div></header>
<div class="shell">${nav(w, spec.section)}<main id="main">${crumbs}<h1>${spec.title}</h1>${spec.live ? html`<p class="live" data-live-status>Live updates: connecting…</p>` : ''}${spec.body}</main></div>
${SCRIPT_TAG}</body></html>`;
}

/** A page without the signed-in shell (sign-in, errors before sign-in). */
export function barePage(title: string, body: SafeHtml): SafeHtml {
  return html`<html lang="en"><head>${HEAD}<title>${title} - lapsim Intune</title></head>
<body><header class="top"><span class="brand">lapsim <small>Intune admin center</small></span></header>${body}${SCRIPT_TAG}</body></html>`;
}
