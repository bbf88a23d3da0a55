/**
 * Web sessions of the admin pages, in memory: a visitor of the sign-in page gets an anonymous
 * session (only a CSRF token, so that the sign-in form itself is protected); signing in with an
 * admin token replaces it with a new session id (no fixation) that holds the token server-side.
 * The browser only ever holds the random session id, in an HttpOnly, SameSite=Strict cookie.
 * Every POST carries the session's CSRF token, compared in constant time. Sessions end on sign-out,
 * after an idle period or an absolute lifetime (the server's Clock), or when the server stops.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../../../core/clock.js';
import type { Rng } from '../../../core/rng.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'lapsim_ui';
/** Path the cookie is sent for: the web pages only, never the Graph API. */
export const COOKIE_PATH = '/ui';

/** Session lifetimes and limits. */
export interface SessionLimits {
  /** A session unused this long ends, in ms (default 8 hours). */
  readonly idleMs?: number;
  /** A session ends this long after sign-in whatever its use, in ms (default 24 hours). */
  readonly absoluteMs?: number;
  /** Most sessions kept; the least recently used is dropped beyond it (default 2,000). */
  readonly maxSessions?: number;
}

/** One browser session. */
export interface WebSession {
  readonly id: string;
  readonly csrf: string;
  /** The admin token it signed in with; undefined for an anonymous (sign-in page) session. */
  readonly token: string | undefined;
  readonly createdAt: number;
  lastSeenAt: number;
}

const DEFAULTS = { idleMs: 8 * 3_600_000, absoluteMs: 24 * 3_600_000, maxSessions: 2_000 };
/** Anonymous sessions only guard the sign-in form: they live one hour. */
const ANONYMOUS_MS = 3_600_000;

/** True when the two strings are equal, in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of one cookie of the request, or undefined. */
export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** In-memory sessions with CSRF tokens. */
export class SessionStore {
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #limits: Required<SessionLimits>;
  readonly #sessions = new Map<string, WebSession>();

  constructor(clock: Clock, rng: Rng, limits: SessionLimits = {}) {
    this.#clock = clock;
    this.#rng = rng;
    this.#limits = { ...DEFAULTS, ...limits };
  }

  #random(): string {
    return Buffer.from(this.#rng.bytes(32)).toString('base64url');
  }

  #alive(s: WebSession, now: number): boolean {
    if (s.token === undefined) return now - s.createdAt < ANONYMOUS_MS;
    return now - s.lastSeenAt < this.#limits.idleMs && now - s.createdAt < this.#limits.absoluteMs;
  }

  #put(token: string | undefined): WebSession {
    const now = this.#clock.now();
    const s: WebSession = { id: this.#random(), csrf: this.#random(), token, createdAt: now, lastSeenAt: now };
    this.#sessions.set(s.id, s);
    while (this.#sessions.size > this.#limits.maxSessions) {
      let oldest: WebSession | undefined;
      for (const x of this.#sessions.values()) if (!oldest || x.lastSeenAt < oldest.lastSeenAt) oldest = x;
      this.#sessions.delete(oldest!.id);
    }
    return s;
  }

  /** A new anonymous session (the sign-in form's CSRF token). */
  anonymous(): WebSession {
    return this.#put(undefined);
  }

  /** Ends `previous` (if any) and starts a signed-in session for the token. */
  signIn(previous: WebSession | undefined, token: string): WebSession {
    if (previous) this.#sessions.delete(previous.id);
    return this.#put(token);
  }

  /** The live session of the request's cookie, touched; undefined when none or ended. */
  of(req: IncomingMessage): WebSession | undefined {
    const id = cookieOf(req, SESSION_COOKIE);
    if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    const now = this.#clock.now();
    if (!this.#alive(s, now)) {
      this.#sessions.delete(s.id);
      return undefined;
    }
    s.lastSeenAt = now;
    return s;
  }

  /** True while the session has not ended (sign-out, idle, lifetime); does not count as use. */
  isLive(s: WebSession): boolean {
    return this.#sessions.get(s.id) === s && this.#alive(s, this.#clock.now());
  }

  /** Ends a session. */
  end(s: WebSession): void {
    this.#sessions.delete(s.id);
  }

  /** True when `given` is the session's CSRF token. */
  checkCsrf(s: WebSession, given: string | undefined | null): boolean {
    return typeof given === 'string' && sameSecret(given, s.csrf);
  }

  /** The Set-Cookie header value that carries the session (or clears it). */
  cookie(s: WebSession | undefined): string {
    const base = `${SESSION_COOKIE}=${s?.id ?? ''}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Strict`;
    if (!s) return `${base}; Max-Age=0`;
    const lifetime = s.token === undefined ? ANONYMOUS_MS : this.#limits.absoluteMs;
    return `${base}; Max-Age=${Math.floor(lifetime / 1000)}`;
  }

  /** Number of live and not yet swept sessions (tests, limits). */
  get size(): number {
    return this.#sessions.size;
  }
}
