/**
 * The port between the Intune side and the device channel: the Intune side hands a batch of
 * SyncML commands for a device to the channel, which sends them in the device's next management
 * session (asking for one when the device is online) and reports the device's Status and Results
 * for each command back, with sessions and connections. The ws management server implements it;
 * tests use a simulated one.
 */
import type { BodyElement } from '../../csp/syncml/types.js';

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
