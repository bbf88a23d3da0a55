/**
 * Sign-in with an admin token (the master token of `lapsim server`, or one issued with roles by
 * POST /lapsim/intune/tokens) and sign-out. The form is protected by the anonymous session's CSRF
 * token; a good token starts a new session (new id, new CSRF token) and returns to the page the
 * visitor asked for. A wrong token says so and changes nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenGrant } from '../policy-store.js';
import { html } from './html.js';
import { readForm, redirect, safeNext, sendHtml } from './web-context.js';
import { barePage } from './web-layout.js';
import type { SessionStore, WebSession } from './web-session.js';

/** Longest token the form accepts (the API's bearer tokens are at most 4,096 characters). */
const MAX_TOKEN = 4096;

function form(res: ServerResponse, sessions: SessionStore, session: WebSession, next: string, status: number, error?: string): void {
  const body = html`<div class="login"><div class="card"><h1>Sign in</h1>
<p class="muted">Sign in to the lapsim Intune admin center with an admin token. Your token's roles decide what you can see and do.</p>
${error ? html`<div class="banner bad" role="alert" data-login-error>${error}</div>` : ''}
<form method="post" action="/ui/login"><input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="next" value="${next}">
<label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="off" required maxlength="${MAX_TOKEN}" autofocus>
<button class="btn primary" type="submit">Sign in</button></form></div></div>`;
  sendHtml(res, status, barePage('Sign in', body), { 'Set-Cookie': sessions.cookie(session) });
}

/** GET /ui/login */
export function loginPage(req: IncomingMessage, res: ServerResponse, url: URL, sessions: SessionStore, authenticate: (token: string) => TokenGrant | undefined): void {
  const next = safeNext(url.searchParams.get('next'));
  const s = sessions.of(req);
  if (s?.token !== undefined && authenticate(s.token)) {
    redirect(res, next);
    return;
  }
  form(res, sessions, s?.token === undefined && s ? s : sessions.anonymous(), next, 200);
}

/** POST /ui/login */
export async function login(req: IncomingMessage, res: ServerResponse, sessions: SessionStore, authenticate: (token: string) => TokenGrant | undefined): Promise<void> {
  const body = await readForm(req);
  const s = sessions.of(req);
  const next = safeNext(body?.get('next') ?? null);
  if (!body || !s || s.token !== undefined || !sessions.checkCsrf(s, body.get('_csrf'))) {
    form(res, sessions, sessions.anonymous(), next, 403, 'The sign-in form expired or did not come from this server. Please sign in again.');
    return;
  }
  const token = (body.get('token') ?? '').trim();
  if (token === '' || token.length > MAX_TOKEN || !authenticate(token)) {
    form(res, sessions, s, next, 401, 'This token is not valid on this server.');
    return;
  }
  redirect(res, next, { 'Set-Cookie': sessions.cookie(sessions.signIn(s, token)) });
}

/** POST /ui/logout (its CSRF token already checked). */
export function logout(res: ServerResponse, sessions: SessionStore, session: WebSession): void {
  sessions.end(session);
  redirect(res, '/ui/login', { 'Set-Cookie': sessions.cookie(undefined) });
}
