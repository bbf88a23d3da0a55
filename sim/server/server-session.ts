/**
 * The server side of one device's channel: answers each device message as docs/protocol.md
 * says a server must (Status for the SyncHdr first, a Status for each device Alert and Replace,
 * then queued commands, Final), records the device's Statuses and Results on the commands it
 * answers, ends the session with a message without commands, and sends the trigger frame that
 * asks for a session (Alert 1200 alone).
 */
import type { Clock, Timer } from '../../core/clock.js';
import type { CmdId, LocUri } from '../../core/ids.js';
import { isLapsError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { FrameConnection } from '../../agent/transport/channel.js';
import { LOGIN_STATUS_TYPE } from '../../agent/transport/dm-messages.js';
import { SyncmlAlert } from '../../csp/syncml/alerts.js';
import { parseSyncml, serializeSyncml } from '../../csp/syncml/codec.js';
import type { BodyElement, SyncMessage } from '../../csp/syncml/types.js';
import type { CommandQueue, CommandRecord } from './command-queue.js';

/** How a server-side session ended. */
export type ServerSessionResult = 'complete' | 'aborted' | 'dropped' | 'timeout';

/** One session as the server saw it. */
export interface SessionRecord {
  readonly deviceId: string;
  readonly sessionId: string;
  /** 1201 (the device opened it) or 1200 (it answered the server's trigger). */
  readonly alert: number;
  readonly startedAt: number;
  endedAt: number | undefined;
  result: ServerSessionResult | undefined;
  /** `./DevInfo/*` values of package 1, by node name (DevId, Man, Mod, DmV, Lang). */
  readonly devInfo: Record<string, string>;
  /** LoginStatus of package 1 (`user`, `others`, `none`). */
  loginStatus: string | undefined;
  /** Ids of the commands sent in the session. */
  readonly commandIds: number[];
  /** Every frame, when the server keeps transcripts. */
  readonly frames: { readonly direction: 'in' | 'out'; readonly text: string }[];
}

/** A scripted answer that replaces the server's next reply (tests of bad servers). */
export type ScriptedReply =
  | { readonly kind: 'raw'; readonly frame: string }
  | { readonly kind: 'silence' }
  | { readonly kind: 'close'; readonly code: number; readonly reason?: string };

/** What a channel needs from the server that owns it. */
export interface ChannelHost {
  readonly serverUrl: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sessionTimeoutMs: number;
  readonly maxCommandsPerMessage: number;
  readonly keepTranscripts: boolean;
  readonly queue: CommandQueue;
  nextScript(): ScriptedReply | undefined;
  sessionStarted(s: SessionRecord): void;
  sessionEnded(s: SessionRecord, answered: readonly CommandRecord[]): void;
  malformed(reason: string): void;
}

const id = (n: number): CmdId => String(n) as CmdId;

/** One open channel of one device, and the session running on it. */
export class DeviceChannel {
  #session: { record: SessionRecord; nextMsgId: number; devId: string } | undefined;
  /** SessionID of the trigger sent and not answered yet. */
  #trigger: string | undefined;
  #timer: Timer | undefined;

  constructor(readonly deviceId: string, readonly conn: FrameConnection, private readonly host: ChannelHost) {}

  /** True while a session runs (between package 1 and the message without commands). */
  get inSession(): boolean {
    return this.#session !== undefined;
  }

  /** Sends the trigger frame (package 0): Alert 1200 alone, with a new SessionID. */
  trigger(sessionId: string, devId: string): void {
    this.#trigger = sessionId;
    this.#out({
      header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId, msgId: '1', target: { locUri: devId as LocUri }, source: { locUri: this.host.serverUrl as LocUri } },
      body: [{ kind: 'Alert', cmdId: id(1), data: String(SyncmlAlert.SERVER_INITIATED_MGMT), items: [] }],
      final: true,
    });
  }

  /** A frame from the device. */
  onFrame(text: string): void {
    let msg: SyncMessage;
    try {
      msg = parseSyncml(text);
    } catch (e) {
      const reason = isLapsError(e) ? `${e.code}: ${e.message}` : String(e);
      this.host.log.warn({ deviceId: this.deviceId, reason }, 'device sent an unusable frame; session dropped');
      this.host.malformed(reason);
      this.#endSession('dropped');
      return;
    }
    const alerts = msg.body.filter((e) => e.kind === 'Alert');
    const opens = alerts.find((a) => a.data === String(SyncmlAlert.CLIENT_INITIATED_MGMT) || a.data === String(SyncmlAlert.SERVER_INITIATED_MGMT));
    if (this.#session && this.#session.record.sessionId !== msg.header.sessionId) this.#endSession('dropped');
    if (!this.#session) {
      if (!opens) {
        this.host.log.debug({ deviceId: this.deviceId, sessionId: msg.header.sessionId }, 'device message outside a session ignored');
        return;
      }
      this.#start(msg, Number(opens.data));
    }
    const s = this.#session!;
    if (this.host.keepTranscripts) s.record.frames.push({ direction: 'in', text });
    this.#timer?.cancel();
    const aborted = alerts.some((a) => a.data === String(SyncmlAlert.SESSION_ABORT));
    // A device that aborts has not answered what it was sent: that goes back to the queue.
    const answered = aborted ? [] : this.host.queue.answer(msg.body);
    const body: BodyElement[] = [{
      kind: 'Status', cmdId: id(1), msgRef: msg.header.msgId, cmdRef: '0', cmd: 'SyncHdr', targetRefs: [], sourceRefs: [], items: [], data: '200',
    }];
    let next = 2;
    for (const e of msg.body) {
      if ((e.kind === 'Alert' || e.kind === 'Replace') && e.cmdId !== undefined) {
        body.push({ kind: 'Status', cmdId: id(next++), msgRef: msg.header.msgId, cmdRef: e.cmdId, cmd: e.kind, targetRefs: [], sourceRefs: [], items: [], data: '200' });
      }
    }
    const script = aborted ? undefined : this.host.nextScript();
    if (script) {
      this.#scripted(script);
      return;
    }
    let sentCommands = false;
    if (!aborted) {
      const msgId = String(s.nextMsgId);
      const taken = this.host.queue.take(this.host.maxCommandsPerMessage, next, msgId, s.record.sessionId);
      body.push(...taken.elements);
      sentCommands = taken.elements.length > 0;
      for (const r of this.host.queue.unanswered) if (!s.record.commandIds.includes(r.id)) s.record.commandIds.push(r.id);
    }
    this.#reply(body);
    if (aborted) this.#endSession('aborted', answered);
    else if (!sentCommands) this.#endSession('complete', answered);
    else this.#armTimeout();
  }

  /** The channel closed: a running session is dropped and its unanswered commands requeued. */
  onClosed(): void {
    this.#endSession('dropped');
  }

  #start(msg: SyncMessage, alert: number): void {
    const devInfo: Record<string, string> = {};
    let loginStatus: string | undefined;
    for (const e of msg.body) {
      if (e.kind === 'Replace') {
        for (const it of e.items) {
          const uri = it.source?.locUri ?? it.target?.locUri;
          if (uri?.startsWith('./DevInfo/') && it.data !== undefined) devInfo[uri.slice('./DevInfo/'.length)] = it.data;
        }
      } else if (e.kind === 'Alert' && e.data === String(SyncmlAlert.CLIENT_EVENT)) {
        for (const it of e.items) if (it.meta?.type === LOGIN_STATUS_TYPE) loginStatus = it.data;
      }
    }
    // The trigger counted as the server's message 1 of that session (oma-dm-session.md 6.2).
    const answersTrigger = this.#trigger !== undefined && this.#trigger === msg.header.sessionId;
    this.#trigger = undefined;
    const record: SessionRecord = {
      deviceId: this.deviceId, sessionId: msg.header.sessionId, alert, startedAt: this.host.clock.now(), endedAt: undefined, result: undefined,
      devInfo, loginStatus, commandIds: [], frames: [],
    };
    this.#session = { record, nextMsgId: answersTrigger ? 2 : 1, devId: msg.header.source?.locUri ?? devInfo['DevId'] ?? this.deviceId };
    this.host.sessionStarted(record);
  }

  #reply(body: BodyElement[]): void {
    const s = this.#session!;
    this.#out({
      header: {
        verDtd: '1.2', verProto: 'DM/1.2', sessionId: s.record.sessionId, msgId: String(s.nextMsgId++),
        target: { locUri: s.devId as LocUri }, source: { locUri: this.host.serverUrl as LocUri },
      },
      body,
      final: true,
    });
  }

  #scripted(script: ScriptedReply): void {
    this.host.log.info({ deviceId: this.deviceId, scripted: script.kind }, 'scripted reply instead of the server\'s own');
    if (script.kind === 'raw') {
      this.#out(script.frame);
      this.#armTimeout();
    } else if (script.kind === 'silence') {
      this.#armTimeout();
    } else {
      this.conn.close(script.code, script.reason ?? '');
    }
  }

  #armTimeout(): void {
    this.#timer?.cancel();
    this.#timer = this.host.clock.setTimer('dm-server-session', this.host.sessionTimeoutMs, () => this.#endSession('timeout'));
  }

  #out(msg: SyncMessage | string): void {
    const text = typeof msg === 'string' ? msg : serializeSyncml(msg);
    if (this.host.keepTranscripts && this.#session) this.#session.record.frames.push({ direction: 'out', text });
    this.conn.send(text);
  }

  #endSession(result: ServerSessionResult, answered: readonly CommandRecord[] = []): void {
    this.#timer?.cancel();
    const s = this.#session;
    if (!s) return;
    this.#session = undefined;
    if (result !== 'complete') this.host.queue.requeueUnanswered();
    s.record.result = result;
    s.record.endedAt = this.host.clock.now();
    this.host.sessionEnded(s.record, answered);
  }
}
