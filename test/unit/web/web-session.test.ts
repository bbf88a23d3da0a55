/**
 * Web sessions on a ManualClock: anonymous sessions for the sign-in form, a new id at sign-in,
 * CSRF tokens compared exactly, idle and absolute expiry, the cap on sessions, the cookie's
 * attributes, and cookie parsing that ignores look-alikes.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { cookieOf, SESSION_COOKIE, SessionStore, sameSecret } from '../../../sim/intune/web/web-session.js';

const HOUR = 3_600_000;

function req(cookie: string | undefined): IncomingMessage {
  return { headers: cookie === undefined ? {} : { cookie } } as IncomingMessage;
}

function withCookie(id: string): IncomingMessage {
  return req(`other=1; ${SESSION_COOKIE}=${id}; x=2`);
}

describe('SessionStore', () => {
  it('starts anonymous, then signs in under a new id and a new CSRF token', () => {
    const store = new SessionStore(new ManualClock(), new SeededRng(1));
    const anon = store.anonymous();
    expect(anon.token).toBeUndefined();
    expect(store.of(withCookie(anon.id))).toBe(anon);
    const s = store.signIn(anon, 'tok');
    expect(s.id).not.toBe(anon.id);
    expect(s.csrf).not.toBe(anon.csrf);
    expect(store.of(withCookie(anon.id))).toBeUndefined();
    expect(store.of(withCookie(s.id))?.token).toBe('tok');
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('checks CSRF tokens exactly', () => {
    const store = new SessionStore(new ManualClock(), new SeededRng(2));
    const s = store.signIn(undefined, 'tok');
    const other = store.signIn(undefined, 'tok');
    expect(store.checkCsrf(s, s.csrf)).toBe(true);
    for (const bad of [other.csrf, '', undefined, null, `${s.csrf}x`, s.csrf.slice(1)]) expect(store.checkCsrf(s, bad)).toBe(false);
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
  });

  it('ends sessions after the idle time, the absolute lifetime, an hour for anonymous ones, and on sign-out', () => {
    const clock = new ManualClock();
    const store = new SessionStore(clock, new SeededRng(3), { idleMs: 2 * HOUR, absoluteMs: 5 * HOUR });
    const anon = store.anonymous();
    const s = store.signIn(undefined, 'tok');
    for (let i = 0; i < 4; i++) {
      clock.advance(HOUR + 1);
      expect(store.of(withCookie(s.id))).toBe(s);
    }
    expect(store.of(withCookie(anon.id))).toBeUndefined();
    clock.advance(HOUR);
    expect(store.isLive(s)).toBe(false);
    expect(store.of(withCookie(s.id))).toBeUndefined();
    const idle = store.signIn(undefined, 'tok');
    clock.advance(2 * HOUR);
    expect(store.of(withCookie(idle.id))).toBeUndefined();
    const out = store.signIn(undefined, 'tok');
    store.end(out);
    expect(store.isLive(out)).toBe(false);
    expect(store.of(withCookie(out.id))).toBeUndefined();
  });

  it('keeps at most maxSessions, dropping the least recently used', () => {
    const clock = new ManualClock();
    const store = new SessionStore(clock, new SeededRng(4), { maxSessions: 3 });
    const first = store.signIn(undefined, 'a');
    clock.advance(1);
    const second = store.signIn(undefined, 'b');
    clock.advance(1);
    store.signIn(undefined, 'c');
    clock.advance(1);
    store.of(withCookie(first.id));
    store.signIn(undefined, 'd');
    expect(store.size).toBe(3);
    expect(store.isLive(second)).toBe(false);
    expect(store.isLive(first)).toBe(true);
  });

  it('sets an HttpOnly, SameSite=Strict cookie on /ui only, and clears it', () => {
    const store = new SessionStore(new ManualClock(), new SeededRng(5));
    const s = store.signIn(undefined, 'tok');
    expect(store.cookie(s)).toBe(`${SESSION_COOKIE}=${s.id}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=86400`);
    expect(store.cookie(store.anonymous())).toMatch(/Max-Age=3600$/);
    expect(store.cookie(undefined)).toBe(`${SESSION_COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0`);
  });

  it('reads only its own cookie, and refuses malformed ids', () => {
    expect(cookieOf(req('a=1; lapsim_ui=abc; b=2'), SESSION_COOKIE)).toBe('abc');
    expect(cookieOf(req('xlapsim_ui=abc'), SESSION_COOKIE)).toBeUndefined();
    expect(cookieOf(req(undefined), SESSION_COOKIE)).toBeUndefined();
    const store = new SessionStore(new ManualClock(), new SeededRng(6));
    store.signIn(undefined, 'tok');
    expect(store.of(withCookie('../../etc'))).toBeUndefined();
    expect(store.of(req(`${SESSION_COOKIE}=${'a'.repeat(43)}`))).toBeUndefined();
  });
});
