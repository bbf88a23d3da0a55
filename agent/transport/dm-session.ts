/**
 * One OMA-DM management session on the device side (oma-dm-session.md, docs/protocol.md): send
 * package 1, then answer each server message with the CSP processor's Status and Results until
 * the server sends a message without commands. The session never damages the device: a message
 * is applied all or nothing by the endpoint, and anything unusable ends the session before it is
 * applied.
 */
import type { Clock, Timer } from '../../core/clock.js';
import { ChannelError, isLapsError, type LapsError, MalformedSyncmlError } from '../../core/errors.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import { parseSyncml, serializeSyncml } from '../../csp/syncml/codec.js';
import type { SyncHdr, SyncMessage } from '../../csp/syncml/types.js';
import type { FrameConnection } from './channel.js';
import { abortMessage, headerStatus, isTrigger, packageOne, type SessionIdentity } from './dm-messages.js';

/** What applies a server message to the device; the service serialises it with the device's cycles. */
export interface SessionEndpoint {
  apply(message: SyncMessage, msgId: string): Promise<EndpointResult>;
}

/** The part of a CSP ProcessResult the session needs. */
export interface EndpointResult {
  readonly replyText: string;
  readonly replyRequired: boolean;
  readonly sessionAborted: boolean;
  readonly changed: boolean;
  readonly resetRequested: boolean;
}

/** Why a session started. */
export type SessionOrigin = 'connect' | 'poll' | 'server' | 'request' | 'once';

/**
 * How a session ended: `complete` (the server sent a message without commands), `aborted` (the
 * server sent Alert 1223), `refused` (the server's Status for our SyncHdr was not 2xx),
 * `malformed` (a frame that is not a usable SyncML message), `protocol` (a message of another
 * session), `timeout` (no answer in time), `closed` (the channel closed), `stopped` (the agent is
 * stopping), `failed` (the device could not apply a message).
 */
export type SessionResult = 'complete' | 'aborted' | 'refused' | 'malformed' | 'protocol' | 'timeout' | 'closed' | 'stopped' | 'failed';

export interface SessionOutcome {
  readonly result: SessionResult;
  readonly sessionId: string;
  readonly origin: SessionOrigin;
  readonly serverRequested: boolean;
  /** Messages the device sent, package 1 included. */
  readonly sent: number;
  /** Server messages the device applied. */
  readonly applied: number;
  /** A LAPS value changed (committed) during the session. */
  readonly changed: boolean;
  /** An Exec of Actions/ResetPassword was committed during the session. */
  readonly resetRequested: boolean;
  readonly error?: LapsError;
}

export interface ClientSessionOptions {
  readonly connection: FrameConnection;
  readonly endpoint: SessionEndpoint;
  readonly identity: SessionIdentity;
  /** Real time: the reply timeout. */
  readonly clock: Clock;
  /** How long to wait for each server message, in ms. */
  readonly timeoutMs: number;
  readonly sessionId: string;
  readonly origin: SessionOrigin;
  /** Answering the server's trigger: package 1 carries Alert 1200. */
  readonly serverRequested: boolean;
  readonly logger?: Logger;
  /**
   * Called once, synchronously, when the session ends, with the frames that arrived after its
   * last message and were not its own (a trigger the server sent once it had ended the session).
   */
  readonly onEnd?: (outcome: SessionOutcome, leftover: readonly string[]) => void;
}

export class ClientSession {
  readonly done: Promise<SessionOutcome>;
  readonly #o: ClientSessionOptions;
  readonly #log: Logger;
  #resolve!: (o: SessionOutcome) => void;
  /** Messages sent; the next one's MsgID is this plus one. */
  #sent = 0;
  #applied = 0;
  #changed = false;
  #resetRequested = false;
  #timer: Timer | undefined;
  readonly #inbox: string[] = [];
  #busy = false;
  #applying = false;
  #ended = false;
  #deferredEnd: { result: SessionResult; error: LapsError | undefined } | undefined;

  constructor(o: ClientSessionOptions) {
    this.#o = o;
    this.#log = (o.logger ?? noopLogger).child({ sessionId: o.sessionId });
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** True once the session has ended (frames are then no longer its own). */
  get ended(): boolean {
    return this.#ended || this.#deferredEnd !== undefined;
  }

  /** Sends package 1 and waits for the server. */
  start(): void {
    this.#log.info({ origin: this.#o.origin, alert: this.#o.serverRequested ? 1200 : 1201 }, 'session started');
    this.#send(packageOne(this.#o.identity, this.#o.sessionId, this.#o.serverRequested));
    this.#armTimer();
  }

  /** A frame from the server. Frames are handled one at a time, in arrival order. */
  onFrame(frame: string): void {
    if (this.ended) return;
    this.#inbox.push(frame);
    if (!this.#busy) void this.#pump();
  }

  /** The channel closed under the session. */
  onClosed(code: number, reason: string): void {
    this.#end('closed', new ChannelError('LAPS_ERR_CHANNEL_CLOSED', `the channel closed during the session (${code}${reason ? ` ${reason}` : ''})`, { closeCode: code }));
  }

  /** The agent is stopping. */
  stop(): void {
    this.#end('stopped', undefined);
  }

  async #pump(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#inbox.length > 0 && !this.ended) await this.#handle(this.#inbox.shift()!);
    } finally {
      this.#busy = false;
    }
  }

  async #handle(frame: string): Promise<void> {
    this.#timer?.cancel();
    let msg: SyncMessage;
    try {
      msg = parseSyncml(frame);
    } catch (e) {
      const err = e instanceof MalformedSyncmlError ? e : new MalformedSyncmlError('LAPS_ERR_MALFORMED_SYNCML', String(e), frame);
      this.#log.warn({ code: err.code, reason: err.message, excerpt: err.excerpt, bytes: frame.length }, 'server sent a frame that is not a usable SyncML message');
      this.#abort(undefined);
      this.#end('malformed', err);
      return;
    }
    if (isTrigger(msg)) {
      // A session request while this one runs is folded into it (oma-dm-session.md 1.3).
      this.#log.debug({ triggerSessionId: msg.header.sessionId }, 'session request folded into the running session');
      this.#armTimer();
      return;
    }
    if (msg.header.sessionId !== this.#o.sessionId) {
      this.#abort(msg.header);
      this.#end('protocol', new ChannelError('LAPS_ERR_SESSION_PROTOCOL', `server message of session ${msg.header.sessionId} in session ${this.#o.sessionId}`));
      return;
    }
    const hs = headerStatus(msg);
    if (hs !== undefined && (hs < 200 || hs > 299)) {
      const why = hs === 407 || hs === 401 ? ' (lapsim authenticates with its bearer token only; no SyncML Cred)' : '';
      this.#end('refused', new ChannelError('LAPS_ERR_SESSION_PROTOCOL', `server answered the device's SyncHdr with ${hs}${why}`));
      return;
    }
    let result: EndpointResult;
    this.#applying = true;
    try {
      result = await this.#o.endpoint.apply(msg, String(this.#sent + 1));
    } catch (e) {
      this.#applying = false;
      const error = isLapsError(e) ? e : undefined;
      this.#log.error({ code: error?.code, reason: (e as Error).message }, 'the device could not apply a server message');
      if (this.#deferredEnd) return this.#finish(this.#deferredEnd.result, this.#deferredEnd.error);
      this.#abort(msg.header);
      this.#end('failed', error);
      return;
    }
    this.#applying = false;
    this.#applied++;
    this.#changed ||= result.changed;
    this.#resetRequested ||= result.resetRequested;
    if (this.#deferredEnd) {
      this.#finish(this.#deferredEnd.result, this.#deferredEnd.error);
      return;
    }
    if (result.sessionAborted) {
      this.#end('aborted', undefined);
      return;
    }
    if (!result.replyRequired) {
      this.#end('complete', undefined);
      return;
    }
    this.#sendText(result.replyText);
    this.#armTimer();
  }

  #armTimer(): void {
    this.#timer?.cancel();
    this.#timer = this.#o.clock.setTimer('dm-session-timeout', this.#o.timeoutMs, () => {
      if (this.ended || this.#busy) return;
      this.#abort(undefined);
      this.#end('timeout', new ChannelError('LAPS_ERR_SESSION_TIMEOUT', `no answer from the server within ${this.#o.timeoutMs} ms`));
    });
  }

  #send(msg: SyncMessage): void {
    this.#sendText(serializeSyncml(msg));
  }

  #sendText(text: string): void {
    this.#sent++;
    this.#o.connection.send(text);
    this.#log.debug({ msgId: this.#sent, bytes: text.length }, 'device message sent');
  }

  /** Tells the server the session is over (Alert 1223), best effort. */
  #abort(answering: SyncHdr | undefined): void {
    if (!this.#o.connection.open) return;
    this.#send(abortMessage(this.#o.identity, this.#o.sessionId, this.#sent + 1, answering));
  }

  /**
   * Ends the session; while a message is being applied, as soon as it has been (its commit
   * counts: a change still triggers the cycle).
   */
  #end(result: SessionResult, error: LapsError | undefined): void {
    if (this.ended) return;
    if (this.#applying) {
      this.#deferredEnd = { result, error };
      return;
    }
    this.#finish(result, error);
  }

  #finish(result: SessionResult, error: LapsError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#timer?.cancel();
    const outcome: SessionOutcome = {
      result, sessionId: this.#o.sessionId, origin: this.#o.origin, serverRequested: this.#o.serverRequested,
      sent: this.#sent, applied: this.#applied, changed: this.#changed, resetRequested: this.#resetRequested,
      ...(error ? { error } : {}),
    };
    const fields = { result, sent: outcome.sent, applied: outcome.applied, changed: outcome.changed, resetRequested: outcome.resetRequested, ...(error ? { code: error.code, reason: error.message } : {}) };
    if (result === 'complete' || result === 'stopped') this.#log.info(fields, 'session ended');
    else this.#log.warn(fields, 'session ended early');
    this.#o.onEnd?.(outcome, this.#inbox.splice(0));
    this.#resolve(outcome);
  }
}
