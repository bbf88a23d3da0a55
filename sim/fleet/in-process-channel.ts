/**
 * The device channel of an in-process fleet: the Intune side's delivery port, without sockets.
 * A batch for a device is queued and, when the device can reach the server, a session is asked
 * for a couple of minutes later (Windows' push notification then check-in). A session hands the
 * device every queued batch in one SyncML message, which the real CSP processor applies to the
 * device's CSP root in SQLite; each batch's Status and Results go back to the Intune side under
 * the batch's own CmdIDs, as the ws channel does. A device that cannot reach the server checks in
 * as soon as it can. Batches meant for the next session wait for the
 * current one to end. Idle polls are not simulated: a device with nothing queued has no session.
 */
import type { Clock } from '../../core/clock.js';
import type { LocUri } from '../../core/ids.js';
import type { CspRoot } from '../../csp/csp-root.js';
import type { CspProcessor } from '../../csp/processor.js';
import { repliesPerBatch, type DeliveryPort, type DeliverySink, type OutboundBatch } from '../intune/delivery.js';

/** Delay from a batch being queued to the device's session (push, then check-in), in ms. */
export const PUSH_DELAY_MS = 2 * 60_000;

/** What the channel needs from the fleet. */
export interface ChannelHost {
  readonly clock: Clock;
  /** The shard's local index of a device, by its Entra deviceId. */
  indexOf(deviceId: string): number | undefined;
  /** The device can reach the server now. */
  reachable(index: number): boolean;
  /** Asks for a session of the device at `at` (fleet time). */
  wantSession(index: number, at: number): void;
  /** Sees every batch before it is queued (the conflict invariant). */
  onBatch?(index: number, batch: OutboundBatch): void;
}

/** What a session did to the device. */
export interface SessionResult {
  /** Batches answered. */
  readonly batches: number;
  /** Their ids. */
  readonly answered: readonly string[];
  readonly policyCommands: number;
  /** LAPS values were committed. */
  readonly changed: boolean;
  readonly resetRequested: boolean;
  /** Batches are still waiting (a follow-up session was asked for). */
  readonly pending: boolean;
}

/** The in-process delivery port. */
export class InProcessChannel implements DeliveryPort {
  sink: DeliverySink | undefined;
  readonly #host: ChannelHost;
  readonly #processor: CspProcessor;
  readonly #queues = new Map<number, OutboundBatch[]>();
  readonly #deferred = new Map<number, OutboundBatch[]>();
  #inSession = -1;
  #msg = 0;

  constructor(host: ChannelHost, processor: CspProcessor) {
    this.#host = host;
    this.#processor = processor;
  }

  send(deviceId: string, batch: OutboundBatch): void {
    const i = this.#host.indexOf(deviceId);
    if (i === undefined) return;
    this.#host.onBatch?.(i, batch);
    if (batch.nextSession && this.#inSession === i) {
      push(this.#deferred, i, batch);
      return;
    }
    push(this.#queues, i, batch);
    // An unreachable device checks in when it is back (the session waits for it).
    if (this.#inSession !== i) this.#host.wantSession(i, this.#host.clock.now() + PUSH_DELAY_MS);
  }

  isOnline(deviceId: string): boolean {
    const i = this.#host.indexOf(deviceId);
    return i !== undefined && this.#host.reachable(i);
  }

  /** Batches waiting for the device. */
  queued(index: number): number {
    return this.#queues.get(index)?.length ?? 0;
  }

  /** The server restarted: what it had handed to the channel is forgotten (it resends what it still waits for). */
  dropAll(): void {
    this.#queues.clear();
    this.#deferred.clear();
  }

  /**
   * One management session of the device: the check-in, then every batch queued so far in one
   * message applied to `root`; replies go to the sink. Synchronous, as the CSP commit is.
   */
  session(index: number, deviceId: string, root: CspRoot, osBuild: string): SessionResult {
    const sink = this.sink;
    this.#inSession = index;
    try {
      sink?.sessionStarted(deviceId);
      const batches = this.#queues.get(index) ?? [];
      this.#queues.delete(index);
      let changed = false;
      let resetRequested = false;
      let policyCommands = 0;
      if (batches.length > 0) {
        const body = batches.flatMap((b) => b.commands);
        policyCommands = body.length;
        const msgId = String(++this.#msg);
        const r = this.#processor.process({
          header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId, target: { locUri: deviceId as LocUri }, source: { locUri: 'lapsim-fleet' as LocUri } },
          body, final: true,
        }, { root, osBuild, strict: false });
        changed = r.changed;
        resetRequested = r.resetRequested;
        for (const { batch, replies } of repliesPerBatch(batches, r.reply.body)) sink?.batchReplies(deviceId, batch.batchId, replies);
      }
      this.#inSession = -1;
      const held = this.#deferred.get(index) ?? [];
      this.#deferred.delete(index);
      for (const b of held) push(this.#queues, index, b);
      const pending = this.queued(index) > 0;
      if (pending) this.#host.wantSession(index, this.#host.clock.now() + PUSH_DELAY_MS / 2);
      return { batches: batches.length, answered: batches.map((b) => b.batchId), policyCommands, changed, resetRequested, pending };
    } finally {
      this.#inSession = -1;
    }
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
