/**
 * The delivery port over the management server's device channel (sim/server's DmServer): a batch
 * becomes queued server commands (the server numbers CmdIDs per message and asks an online
 * device for a session); when a session ends, every batch whose commands were all answered is
 * reported with its Status codes and Results mapped back to the batch's own CmdIDs (children of
 * an Atomic by command and LocURI). Connections and session starts are reported as they happen.
 * A dropped session puts unanswered commands back in the server's queue, so a batch is reported
 * once, when it was really answered.
 */
import type { BodyElement } from '../../csp/syncml/types.js';
import type { CommandRecord } from '../server/command-queue.js';
import type { DmServer, ServerEvent } from '../server/dm-server.js';
import type { ServerCommand } from '../server/syncml-commands.js';
import type { CommandReply, DeliveryPort, DeliverySink, OutboundBatch } from './delivery.js';

interface InFlight {
  readonly batch: OutboundBatch;
  readonly commands: readonly ServerCommand[];
  readonly records: readonly CommandRecord[];
}

function isServerCommand(e: BodyElement): e is ServerCommand {
  return e.kind !== 'Status' && e.kind !== 'Results' && e.kind !== 'Unknown';
}

function uriOf(e: ServerCommand): string | undefined {
  return 'items' in e ? e.items[0]?.target?.locUri : undefined;
}

/** The replies of an answered batch, under the batch's own CmdIDs. */
export function repliesOf(commands: readonly ServerCommand[], records: readonly CommandRecord[]): CommandReply[] {
  const out: CommandReply[] = [];
  commands.forEach((c, i) => {
    const r = records[i]!;
    if (c.cmdId !== undefined) {
      const data = r.results[0]?.data;
      out.push({ cmdId: c.cmdId, cmd: c.kind, status: r.status ?? 500, ...(data !== undefined ? { data } : {}) });
    }
    if (c.kind !== 'Atomic' && c.kind !== 'Sequence') return;
    for (const child of c.children) {
      if (!isServerCommand(child) || child.cmdId === undefined) continue;
      const uri = uriOf(child);
      const s = r.statuses.find((x) => x.cmd === child.kind && x.uri === uri);
      out.push({ cmdId: child.cmdId, cmd: child.kind, status: s?.code ?? 500 });
    }
  });
  return out;
}

/** The delivery port over a DmServer; it reports the server's events to the sink. */
export class DmDelivery implements DeliveryPort {
  readonly #dm: DmServer;
  readonly #sink: DeliverySink;
  readonly #inFlight = new Map<string, InFlight[]>();
  /** Batches for a later session, held while the device's session runs. */
  readonly #deferred = new Map<string, OutboundBatch[]>();
  readonly #off: () => void;

  constructor(dm: DmServer, sink: DeliverySink) {
    this.#dm = dm;
    this.#sink = sink;
    this.#off = dm.on((e) => this.#event(e));
  }

  send(deviceId: string, batch: OutboundBatch): void {
    const key = deviceId.toLowerCase();
    if (batch.nextSession && this.#inSession(key)) {
      const held = this.#deferred.get(key) ?? [];
      held.push(batch);
      this.#deferred.set(key, held);
      return;
    }
    const commands = batch.commands.filter(isServerCommand);
    const records = this.#dm.send(key, ...commands);
    const list = this.#inFlight.get(key) ?? [];
    list.push({ batch, commands, records });
    this.#inFlight.set(key, list);
  }

  isOnline(deviceId: string): boolean {
    return this.#dm.isConnected(deviceId.toLowerCase());
  }

  #inSession(deviceId: string): boolean {
    const last = this.#dm.sessions(deviceId).at(-1);
    return last !== undefined && last.result === undefined;
  }

  /** Stops listening to the server. */
  detach(): void {
    this.#off();
  }

  #event(e: ServerEvent): void {
    switch (e.type) {
      case 'connected':
      case 'disconnected':
        this.#sink.connectionChanged(e.deviceId, e.type === 'connected');
        return;
      case 'session-start':
        this.#sink.sessionStarted(e.deviceId);
        return;
      case 'session-end': {
        const held = this.#deferred.get(e.deviceId) ?? [];
        this.#deferred.delete(e.deviceId);
        this.#collect(e.deviceId);
        for (const b of held) this.send(e.deviceId, b);
        return;
      }
      case 'malformed':
        return;
    }
  }

  #collect(deviceId: string): void {
    const list = this.#inFlight.get(deviceId) ?? [];
    const done = list.filter((f) => f.records.every((r) => r.state === 'answered'));
    if (done.length === 0) return;
    const left = list.filter((f) => !done.includes(f));
    if (left.length === 0) this.#inFlight.delete(deviceId);
    else this.#inFlight.set(deviceId, left);
    for (const f of done) this.#sink.batchReplies(deviceId, f.batch.batchId, repliesOf(f.commands, f.records));
  }
}
