/**
 * The device's link to its management server: keeps the channel open (reconnecting with jittered
 * exponential backoff), opens a session on connect, every poll interval and when the server asks
 * (a trigger frame: Alert 1200 alone), and runs one session at a time. A session that ends badly
 * (garbage, silence, another session's message, a refused header) closes the channel; the device
 * reconnects after a backoff delay and starts again. Timers run on the real clock.
 */
import type { Clock, Timer } from '../../core/clock.js';
import { ChannelError, isLapsError } from '../../core/errors.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import { parseSyncml } from '../../csp/syncml/codec.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { CloseCode, type Connector, type FrameConnection, retryAfterFromReason } from './channel.js';
import { isTrigger, type SessionIdentity } from './dm-messages.js';
import { ClientSession, type SessionEndpoint, type SessionOrigin, type SessionOutcome, type SessionResult } from './dm-session.js';

/** Default poll interval: Intune's long-run cadence for Windows, 8 hours. */
export const DEFAULT_POLL_INTERVAL_MS = 8 * 3_600_000;
/** Default wait for each server message: 60 seconds (oma-dm-session.md section 5). */
export const DEFAULT_SESSION_TIMEOUT_MS = 60_000;

export interface ManagementLinkOptions {
  readonly connector: Connector;
  readonly endpoint: SessionEndpoint;
  readonly identity: SessionIdentity;
  /** Real time: reply timeouts, backoff and polls. */
  readonly clock: Clock;
  /** Jitter and the first SessionID. */
  readonly rng: Rng;
  readonly logger?: Logger;
  /** Time between client-initiated sessions, in ms (default 8 hours). */
  readonly pollIntervalMs?: number;
  /** Wait for each server message, in ms (default 60 s). */
  readonly sessionTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /** Called when a session has ended, whatever its result. */
  readonly onSessionEnd?: (outcome: SessionOutcome) => void;
}

/** `idle` before start, `connecting`, `open`, `waiting` (backoff before a reconnect), `stopped`. */
export type LinkState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

/** Results after which the channel is closed and reopened after a backoff delay. */
const RECONNECT_AFTER: ReadonlySet<SessionResult> = new Set<SessionResult>(['malformed', 'protocol', 'timeout', 'refused', 'failed']);

const CLOSE_FOR: Partial<Record<SessionResult, number>> = {
  malformed: CloseCode.PROTOCOL_ERROR,
  protocol: CloseCode.PROTOCOL_ERROR,
  refused: CloseCode.PROTOCOL_ERROR,
  timeout: CloseCode.SESSION_TIMEOUT,
  failed: CloseCode.NORMAL,
};

export class ManagementLink {
  readonly #o: ManagementLinkOptions;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  #state: LinkState = 'idle';
  #conn: FrameConnection | undefined;
  #session: ClientSession | undefined;
  #reconnect: Timer | undefined;
  #poll: Timer | undefined;
  #sessionCounter: number;
  #once = false;

  constructor(o: ManagementLinkOptions) {
    this.#o = o;
    this.#log = (o.logger ?? noopLogger).child({ component: 'dm-link' });
    this.#backoff = new Backoff(o.rng, o.backoff ?? {});
    this.#sessionCounter = o.rng.int(255);
  }

  get state(): LinkState {
    return this.#state;
  }

  /** True while a session runs. */
  get inSession(): boolean {
    return this.#session !== undefined;
  }

  /** Connects, and keeps connecting, until `stop`. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#armPoll();
    void this.#connect();
  }

  /**
   * Asks for a client-initiated session now. False when none can start (not connected, or a
   * session runs: the request is folded into it).
   */
  requestSession(origin: SessionOrigin = 'request'): boolean {
    return this.#startSession(origin, undefined) !== undefined;
  }

  /**
   * `lapsim agent --once`: connects, runs one client-initiated session, closes.
   * @throws ChannelError when the channel cannot be opened.
   */
  async runOnce(): Promise<SessionOutcome> {
    this.#once = true;
    this.#state = 'connecting';
    const conn = await this.#o.connector.connect();
    this.#attach(conn);
    const session = this.#startSession('once', undefined);
    if (!session) throw new ChannelError('LAPS_ERR_CHANNEL_CLOSED', 'the channel closed before the session started');
    const outcome = await session.done;
    this.#state = 'stopped';
    conn.close(CloseCode.NORMAL, 'session done');
    return outcome;
  }

  /** Closes the channel and stops every timer; resolves when the running session (if any) has ended. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' && !this.#conn) return;
    this.#state = 'stopped';
    this.#reconnect?.cancel();
    this.#poll?.cancel();
    const session = this.#session;
    session?.stop();
    this.#conn?.close(CloseCode.GOING_AWAY, 'agent stopping');
    if (session) await session.done;
  }

  async #connect(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'connecting';
    let conn: FrameConnection;
    try {
      conn = await this.#o.connector.connect();
    } catch (e) {
      if (this.#isStopped()) return;
      const err = isLapsError(e) ? e : undefined;
      this.#log.warn({ url: this.#o.connector.url, code: err?.code ?? 'LAPS_ERR_CHANNEL_CONNECT', reason: (e as Error).message, attempt: this.#backoff.attempt + 1 }, 'could not open the management channel');
      this.#scheduleReconnect(e instanceof ChannelError ? e.retryAfterMs : undefined);
      return;
    }
    if (this.#isStopped()) {
      conn.close(CloseCode.GOING_AWAY, 'agent stopping');
      return;
    }
    this.#log.info({ url: this.#o.connector.url }, 'management channel open');
    this.#attach(conn);
    this.#startSession('connect', undefined);
  }

  /** A method, not a field read: `stop` may have run during an await. */
  #isStopped(): boolean {
    return this.#state === 'stopped';
  }

  #attach(conn: FrameConnection): void {
    this.#conn = conn;
    if (this.#state !== 'stopped') this.#state = 'open';
    conn.onFrame((f) => this.#frame(conn, f));
    conn.onClose((code, reason) => this.#closed(conn, code, reason));
  }

  #closed(conn: FrameConnection, code: number, reason: string): void {
    if (conn !== this.#conn) return;
    this.#conn = undefined;
    this.#session?.onClosed(code, reason);
    if (this.#state === 'stopped' || this.#once) return;
    this.#log.warn({ closeCode: code, reason }, 'management channel closed');
    this.#scheduleReconnect(code === CloseCode.TRY_AGAIN_LATER ? retryAfterFromReason(reason) : undefined);
  }

  #scheduleReconnect(atLeastMs: number | undefined): void {
    if (this.#state === 'stopped') return;
    const delay = Math.max(this.#backoff.next(), atLeastMs ?? 0);
    this.#state = 'waiting';
    this.#log.info({ delayMs: delay, attempt: this.#backoff.attempt }, 'reconnecting after a delay');
    this.#reconnect?.cancel();
    this.#reconnect = this.#o.clock.setTimer('dm-reconnect', delay, () => void this.#connect());
  }

  #armPoll(): void {
    this.#poll = this.#o.clock.setTimer('dm-poll', this.#o.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, () => {
      if (this.#state === 'stopped') return;
      this.#armPoll();
      this.#startSession('poll', undefined);
    });
  }

  #frame(conn: FrameConnection, frame: string): void {
    const s = this.#session;
    if (s && !s.ended) {
      s.onFrame(frame);
      return;
    }
    // Outside a session only the server's trigger frame means something.
    let trigger: string | undefined;
    let statusOnly = false;
    try {
      const msg = parseSyncml(frame);
      if (isTrigger(msg)) trigger = msg.header.sessionId;
      statusOnly = msg.body.every((e) => e.kind === 'Status');
    } catch (e) {
      this.#log.warn({ code: isLapsError(e) ? e.code : undefined, bytes: frame.length }, 'unusable frame outside a session ignored');
      return;
    }
    if (trigger === undefined) {
      // A status-only message after the session ended (the answer to our Alert 1223) is expected.
      const level = statusOnly ? 'debug' : 'warn';
      this.#log[level]({ bytes: frame.length }, 'server message outside a session ignored');
      return;
    }
    if (conn === this.#conn) this.#startSession('server', trigger);
  }

  #startSession(origin: SessionOrigin, triggerSessionId: string | undefined): ClientSession | undefined {
    const conn = this.#conn;
    if (!conn || !conn.open || (this.#session && !this.#session.ended)) return undefined;
    const sessionId = triggerSessionId ?? this.#nextSessionId();
    const session = new ClientSession({
      connection: conn, endpoint: this.#o.endpoint, identity: this.#o.identity, clock: this.#o.clock,
      timeoutMs: this.#o.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS, sessionId, origin, serverRequested: triggerSessionId !== undefined,
      logger: this.#log,
      onEnd: (outcome, leftover) => this.#sessionEnded(conn, session, outcome, leftover),
    });
    this.#session = session;
    session.start();
    return session;
  }

  #sessionEnded(conn: FrameConnection, session: ClientSession, outcome: SessionOutcome, leftover: readonly string[]): void {
    if (this.#session === session) this.#session = undefined;
    if (outcome.result === 'complete') this.#backoff.reset();
    const code = CLOSE_FOR[outcome.result];
    const reconnect = RECONNECT_AFTER.has(outcome.result) && code !== undefined && conn.open && !this.#once;
    if (reconnect) conn.close(code, `session ${outcome.result}`);
    try {
      this.#o.onSessionEnd?.(outcome);
    } catch (e) {
      this.#log.error({ reason: (e as Error).message }, 'session end handler failed');
    }
    // Frames that came after the session's last message belong to the link (a new trigger).
    if (!reconnect && conn.open) for (const f of leftover) this.#frame(conn, f);
  }

  /** SessionIDs: a per-device counter 1-255, in decimal (oma-dm-session.md section 2). */
  #nextSessionId(): string {
    this.#sessionCounter = (this.#sessionCounter % 255) + 1;
    return String(this.#sessionCounter);
  }
}
