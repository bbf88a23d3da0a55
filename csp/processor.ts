/**
 * The CSP command processor: one SyncML message in, the device's reply out. Protocol failures
 * are Status codes, never exceptions; only an unusable envelope throws (MalformedSyncmlError,
 * from the codec). The CSP root sees at most one commit per message, after every command was
 * processed, so a crash or an abort in the middle leaves it as it was.
 */
import type { Clock } from '../core/clock.js';
import type { CmdId } from '../core/ids.js';
import { type CspDevice, type CspHandler, CspRegistry } from './handler.js';
import { LapsCspHandler } from './laps/laps-handler.js';
import { MessageRun } from './message-run.js';
import { SyncmlAlert } from './syncml/alerts.js';
import { parseSyncml, serializeSyncml } from './syncml/codec.js';
import { SyncmlStatus } from './syncml/status.js';
import type { BodyElement, SyncMessage } from './syncml/types.js';

export interface CspProcessorOptions {
  /** Time of each message (reset requests are stamped with it). */
  readonly clock: Clock;
  /** CSP handlers by root URI. Default: the LAPS CSP only. */
  readonly handlers?: readonly CspHandler[];
}

export interface ProcessOptions {
  /** MsgID of the reply (the device's own counter). Default: the incoming MsgID. */
  readonly msgId?: string;
}

export interface ProcessResult {
  /** The message that was processed. */
  readonly request: SyncMessage;
  /** The reply as a model. */
  readonly reply: SyncMessage;
  /** The reply as XML text (one line). */
  readonly replyText: string;
  /**
   * False when the reply must not be sent (OMA DM: a message holding only the SyncHdr Status,
   * which ends the session; or the server aborted the session with Alert 1223).
   */
  readonly replyRequired: boolean;
  /** The server aborted the session (Alert 1223): nothing was committed. */
  readonly sessionAborted: boolean;
  /** A stored LAPS value was created, changed or deleted (committed). */
  readonly changed: boolean;
  /** Exec on Actions/ResetPassword was committed: the device layer must rotate now. */
  readonly resetRequested: boolean;
}

/** Processes SyncML messages for any number of devices (it keeps no per-device state). */
export class CspProcessor {
  readonly #clock: Clock;
  readonly #registry: CspRegistry;

  constructor(opts: CspProcessorOptions) {
    this.#clock = opts.clock;
    this.#registry = new CspRegistry(opts.handlers ?? [new LapsCspHandler()]);
  }

  /**
   * Applies one message (text, or already parsed) to the device and builds the reply.
   * @throws MalformedSyncmlError when the text is not a usable SyncML message; nothing is touched then.
   */
  process(message: string | SyncMessage, device: CspDevice, opts: ProcessOptions = {}): ProcessResult {
    const request = typeof message === 'string' ? parseSyncml(message) : message;
    const run = new MessageRun(this.#registry, device, this.#clock.now());
    run.runBody(request.body);
    const summary = run.aborted ? { changed: false, resetRequested: false } : run.commit();
    const reply = buildReply(request, run, opts.msgId ?? request.header.msgId);
    return {
      request,
      reply,
      replyText: serializeSyncml(reply),
      replyRequired: !run.aborted && (run.slots.length > 0 || !request.final),
      sessionAborted: run.aborted,
      changed: summary.changed,
      resetRequested: summary.resetRequested,
    };
  }
}

function buildReply(request: SyncMessage, run: MessageRun, msgId: string): SyncMessage {
  const h = request.header;
  const msgRef = h.msgId;
  let next = 1;
  const id = (): CmdId => String(next++) as CmdId;
  const body: BodyElement[] = [{
    kind: 'Status', cmdId: id(), msgRef, cmdRef: '0', cmd: 'SyncHdr',
    targetRefs: h.target ? [h.target.locUri] : [], sourceRefs: h.source ? [h.source.locUri] : [], items: [], data: String(SyncmlStatus.OK),
  }];
  for (const s of run.slots) {
    if (s.kind === 'status') {
      body.push({
        kind: 'Status', cmdId: id(), msgRef, cmdRef: s.cmdRef, cmd: s.cmd,
        targetRefs: s.targetRef === undefined ? [] : [s.targetRef], sourceRefs: [], items: [], data: String(s.code),
      });
    } else {
      body.push({ kind: 'Results', cmdId: id(), msgRef, cmdRef: s.cmdRef, items: s.items });
    }
  }
  // A message without Final: the server has more to send; ask for it and hold our Final
  // (OMA DM 1.2 section 8.6, multiple messages in a package).
  if (!request.final && !run.aborted) body.push({ kind: 'Alert', cmdId: id(), data: String(SyncmlAlert.NEXT_MESSAGE), items: [] });
  return {
    header: {
      verDtd: '1.2',
      verProto: 'DM/1.2',
      sessionId: h.sessionId,
      msgId,
      target: h.source ? { locUri: h.source.locUri } : undefined,
      source: h.target ? { locUri: h.target.locUri } : undefined,
    },
    body,
    final: request.final,
  };
}
