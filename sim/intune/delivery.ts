/**
 * The port between the Intune side and the device channel: the Intune side hands a batch of
 * SyncML commands for a device to the channel, which sends them in the device's next management
 * session (asking for one when the device is online) and reports the device's Status and Results
 * for each command back, with sessions and connections. The ws management server implements it;
 * tests use a simulated one.
 */
import type { BodyElement, StatusCommand } from '../../csp/syncml/types.js';

/** Commands for one device, to be sent together in one session. */
export interface OutboundBatch {
  /** Unique id; the replies name it. */
  readonly batchId: string;
  /** Commands with their CmdIDs (unique for the device). */
  readonly commands: readonly BodyElement[];
  /** True: send in a session that starts after the current one (a status Get after an Exec). */
  readonly nextSession: boolean;
}

/** The device's answer to one command of a batch (children of an Atomic included). */
export interface CommandReply {
  /** CmdRef: the command's CmdID. */
  readonly cmdId: string;
  /** The command's element name (`Atomic`, `Replace`, `Delete`, `Exec`, `Get`). */
  readonly cmd: string;
  /** SyncML status code. */
  readonly status: number;
  /** The Results Data of a Get. */
  readonly data?: string;
}

/**
 * The device's answers to each batch, read from the body of the reply to a message that carried
 * the batches' commands: a Status (and Results for a Get) per CmdID, children of an Atomic or a
 * Sequence included; a command the reply does not answer reads 500.
 */
export function repliesPerBatch(batches: readonly OutboundBatch[], reply: readonly BodyElement[]): { readonly batch: OutboundBatch; readonly replies: CommandReply[] }[] {
  const statuses = new Map<string, StatusCommand>();
  const results = new Map<string, string>();
  for (const e of reply) {
    if (e.kind === 'Status') statuses.set(e.cmdRef, e);
    else if (e.kind === 'Results' && e.items[0]?.data !== undefined) results.set(e.cmdRef, e.items[0].data);
  }
  return batches.map((batch) => ({
    batch,
    replies: batch.commands.flatMap(cmdIds).map((id) => {
      const s = statuses.get(id);
      const data = results.get(id);
      return { cmdId: id, cmd: s?.cmd ?? '', status: s === undefined ? 500 : Number(s.data), ...(data !== undefined ? { data } : {}) };
    }),
  }));
}

/** The CmdIDs of a command and of the commands inside it. */
function cmdIds(e: BodyElement): string[] {
  const own = e.cmdId === undefined ? [] : [e.cmdId as string];
  return e.kind === 'Atomic' || e.kind === 'Sequence' ? [...own, ...e.children.flatMap(cmdIds)] : own;
}

/** Sends batches to devices. */
export interface DeliveryPort {
  /** Queues the batch for the device (by its channel id, the Entra deviceId). */
  send(deviceId: string, batch: OutboundBatch): void;
  /** True while the device's channel is open. */
  isOnline(deviceId: string): boolean;
}

/** What the channel reports to the Intune side. */
export interface DeliverySink {
  /** The device answered the commands of a batch. */
  batchReplies(deviceId: string, batchId: string, replies: readonly CommandReply[]): void;
  /** The device started a management session (a check-in). */
  sessionStarted(deviceId: string): void;
  /** The device's channel opened or closed. */
  connectionChanged(deviceId: string, online: boolean): void;
}

/** A port that sends nothing and sees every device offline (the Intune side without a channel). */
export const NO_DELIVERY: DeliveryPort = {
  send: () => undefined,
  isOnline: () => false,
};
