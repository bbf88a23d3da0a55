/**
 * The commands a server holds for one device: queued, sent in a session's message, then answered
 * by the device's next message (its Status codes and Results are recorded on the command). A
 * command whose answer never came (the session was dropped) goes back to the front of the queue,
 * as a real MDM server sends unacknowledged commands again.
 */
import type { CmdId } from '../../core/ids.js';
import type { BodyElement, Item, ResultsCommand, StatusCommand } from '../../csp/syncml/types.js';
import type { ServerCommand } from './syncml-commands.js';

/** One Status the device sent for a command or one of its children. */
export interface StatusRecord {
  /** The element the Status answers: `Atomic`, `Replace`, `Get` ... */
  readonly cmd: string;
  /** The server CmdID it answers. */
  readonly cmdRef: string;
  /** LocURI of the answered command's first Item (containers: undefined). */
  readonly uri: string | undefined;
  /** TargetRef of a per-Item Status. */
  readonly targetRef: string | undefined;
  readonly code: number;
}

/** One value a Get returned. */
export interface ResultRecord {
  readonly uri: string;
  readonly format: string | undefined;
  readonly data: string | undefined;
}

export type CommandState = 'queued' | 'sent' | 'answered';

/** A command queued for a device, and what became of it. */
export interface CommandRecord {
  /** Server-wide id, in queueing order. */
  readonly id: number;
  readonly deviceId: string;
  readonly command: ServerCommand;
  state: CommandState;
  /** Sessions in which it was sent (more than one when a dropped session lost the answer). */
  attempts: number;
  /** SessionID of the last session it was sent in. */
  sessionId: string | undefined;
  /** The device's Status code for the command itself (the container, for Atomic and Sequence). */
  status: number | undefined;
  /** Every Status for the command and its children, in the device's order. */
  readonly statuses: StatusRecord[];
  /** Every value its Gets returned. */
  readonly results: ResultRecord[];
}

interface Sent {
  readonly record: CommandRecord;
  readonly cmd: string;
  readonly uri: string | undefined;
  readonly top: boolean;
}

/** The queue of one device, and the numbering of the message in flight. */
export class CommandQueue {
  readonly queued: CommandRecord[] = [];
  /** Commands of the last message sent, by the CmdID they were given. */
  #inFlight = new Map<string, Sent>();
  #inFlightMsgId: string | undefined;

  /** Commands sent and not answered yet. */
  get unanswered(): CommandRecord[] {
    return [...new Set([...this.#inFlight.values()].map((s) => s.record))];
  }

  enqueue(record: CommandRecord): void {
    this.queued.push(record);
  }

  /**
   * Takes up to `max` queued commands for a message, numbering them from `firstCmdId`; returns the
   * numbered elements for the body and the next free CmdID.
   */
  take(max: number, firstCmdId: number, msgId: string, sessionId: string): { elements: BodyElement[]; nextCmdId: number } {
    let next = firstCmdId;
    const elements: BodyElement[] = [];
    this.#inFlight = new Map();
    this.#inFlightMsgId = msgId;
    for (const record of this.queued.splice(0, max)) {
      record.state = 'sent';
      record.attempts++;
      record.sessionId = sessionId;
      const numbered = this.#number(record.command, record, true, () => String(next++));
      elements.push(numbered);
    }
    return { elements, nextCmdId: next };
  }

  /**
   * Records the device's answer to the message in flight (Statuses and Results whose MsgRef is that
   * message) and marks its commands answered.
   */
  answer(body: readonly BodyElement[]): CommandRecord[] {
    const msgId = this.#inFlightMsgId;
    if (msgId === undefined) return [];
    for (const e of body) {
      if (e.kind === 'Status') this.#status(e, msgId);
      else if (e.kind === 'Results') this.#results(e, msgId);
    }
    const done = this.unanswered;
    for (const r of done) r.state = 'answered';
    this.#inFlight = new Map();
    this.#inFlightMsgId = undefined;
    return done;
  }

  /** The session was dropped: what was sent and not answered goes back to the front of the queue. */
  requeueUnanswered(): CommandRecord[] {
    const back = this.unanswered;
    for (const r of back) r.state = 'queued';
    this.queued.unshift(...back);
    this.#inFlight = new Map();
    this.#inFlightMsgId = undefined;
    return back;
  }

  #number(cmd: ServerCommand, record: CommandRecord, top: boolean, nextId: () => string): ServerCommand {
    const cmdId = nextId() as CmdId;
    if (cmd.kind === 'Atomic' || cmd.kind === 'Sequence') {
      this.#inFlight.set(cmdId, { record, cmd: cmd.kind, uri: undefined, top });
      const children = cmd.children.map((c) => (c.kind === 'Status' || c.kind === 'Results' || c.kind === 'Unknown' ? c : this.#number(c, record, false, nextId)));
      return { ...cmd, cmdId, children };
    }
    const uri = 'items' in cmd ? cmd.items[0]?.target?.locUri : undefined;
    this.#inFlight.set(cmdId, { record, cmd: cmd.kind, uri, top });
    return { ...cmd, cmdId };
  }

  #status(s: StatusCommand, msgId: string): void {
    if (s.msgRef.trim() !== msgId) return;
    const sent = this.#inFlight.get(s.cmdRef.trim());
    if (!sent) return;
    const code = Number(s.data.trim());
    sent.record.statuses.push({ cmd: s.cmd, cmdRef: s.cmdRef, uri: sent.uri, targetRef: s.targetRefs[0], code });
    if (sent.top && sent.record.status === undefined) sent.record.status = code;
  }

  #results(r: ResultsCommand, msgId: string): void {
    if (r.msgRef !== undefined && r.msgRef.trim() !== msgId) return;
    const sent = this.#inFlight.get(r.cmdRef.trim());
    if (!sent) return;
    for (const it of r.items) sent.record.results.push(resultOf(it, sent.uri));
  }
}

function resultOf(it: Item, fallbackUri: string | undefined): ResultRecord {
  return { uri: it.source?.locUri ?? it.target?.locUri ?? fallbackUri ?? '', format: it.meta?.format, data: it.data };
}
