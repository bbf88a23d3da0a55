/**
 * Live parts of the pages over server-sent events. A live part is a fragment: a server-rendered
 * (escaped) piece of a page with a name and a key (a hash of its markup). A page's stream checks
 * its fragments every `liveIntervalMs` on the server's Clock and sends `event: update` with the
 * fragments whose key changed, so an idle page costs one render per interval and no traffic; a
 * comment line every 15 seconds keeps proxies from closing it. A stream ends when its session
 * ends or loses the permission, when its source says so (the device is gone), when the browser
 * leaves, or when the server closes. Streams are bounded per session and in all.
 */
import { createHash } from 'node:crypto';
import type { Timer } from '../../../core/clock.js';
import { html, utcText, type SafeHtml } from './html.js';
import { securityHeaders, sendWebJson, type WebRequest } from './web-context.js';
import type { WebSession } from './web-session.js';

/** Most streams one session may hold open. */
export const MAX_STREAMS_PER_SESSION = 8;
/** Most streams the server holds open. */
export const MAX_STREAMS = 256;
const KEEPALIVE_MS = 15_000;

/** The key of a fragment's markup. */
export function fragmentKey(markup: SafeHtml): string {
  return createHash('sha256').update(markup.toString(), 'utf8').digest('base64url').slice(0, 16);
}

/**
 * A named live fragment. `displayed` is what this page shows when it differs from what the stream
 * would send (a password revealed without script); the key is always the stream's.
 */
export function fragment(name: string, canonical: SafeHtml, displayed: SafeHtml = canonical): SafeHtml {
  return html`<div data-fragment="${name}" data-fragment-key="${fragmentKey(canonical)}">${displayed}</div>`;
}

/** What a stream sends: fragments by name, or undefined to end the stream. */
export type FragmentSource = () => Readonly<Record<string, SafeHtml>> | undefined;

interface Stream {
  readonly session: WebSession;
  timer: Timer | undefined;
  end(): void;
}

/** The open streams of a server. */
export class LiveStreams {
  readonly #open = new Set<Stream>();

  /** Opens a stream for the request; answers 429 when the session or the server holds too many. */
  open(w: WebRequest, source: FragmentSource, stillAllowed: () => boolean): void {
    const mine = [...this.#open].filter((s) => s.session === w.session).length;
    if (mine >= MAX_STREAMS_PER_SESSION || this.#open.size >= MAX_STREAMS) {
      sendWebJson(w.res, 429, { error: 'TooManyStreams', message: 'Too many live pages are open; close some and reload.' });
      return;
    }
    const { res, deps } = w;
    res.writeHead(200, { ...securityHeaders(), 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    res.write('retry: 3000\n\n');
    const sent = new Map<string, string>();
    let lastWrite = deps.clock.now();
    let ended = false;
    const stream: Stream = {
      session: w.session,
      timer: undefined,
      end: () => {
        if (ended) return;
        ended = true;
        stream.timer?.cancel();
        this.#open.delete(stream);
        if (!res.writableEnded) res.end();
      },
    };
    const tick = (): void => {
      stream.timer = undefined;
      if (ended) return;
      let fragments: Readonly<Record<string, SafeHtml>> | undefined;
      try {
        fragments = deps.sessions.isLive(w.session) && stillAllowed() ? source() : undefined;
      } catch (e) {
        deps.service.log.warn({ reason: (e as Error).message }, 'a live page failed to render; its stream ends');
        fragments = undefined;
      }
      if (fragments === undefined) return stream.end();
      const changed: Record<string, { key: string; html: string }> = {};
      for (const [name, markup] of Object.entries(fragments)) {
        const key = fragmentKey(markup);
        if (sent.get(name) !== key) changed[name] = { key, html: markup.toString() };
        sent.set(name, key);
      }
      const now = deps.clock.now();
      if (Object.keys(changed).length > 0) {
        res.write(`event: update\ndata: ${JSON.stringify({ at: now, time: utcText(now), fragments: changed })}\n\n`);
        lastWrite = now;
      } else if (now - lastWrite >= KEEPALIVE_MS) {
        res.write(': keep-alive\n\n');
        lastWrite = now;
      }
      stream.timer = deps.clock.setTimer('web-live-stream', deps.liveIntervalMs, tick);
    };
    res.on('close', () => stream.end());
    res.on('error', () => stream.end());
    this.#open.add(stream);
    tick();
  }

  /** Ends every stream (the server is closing). */
  closeAll(): void {
    for (const s of [...this.#open]) s.end();
  }

  /** Number of open streams. */
  get size(): number {
    return this.#open.size;
  }
}
