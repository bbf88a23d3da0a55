/**
 * A simulated device channel for the Intune emulator's integration tests: it implements the
 * delivery port, keeps each device's LAPS CSP root in memory, and runs a management session on
 * demand: every batch queued before the session goes into one SyncML message that the real CSP
 * processor applies, and the device's Status and Results go back to the server per batch. After a
 * session with an Exec of ResetPassword, the device "rotates" with the outcome the test chose.
 */
import type { Clock } from '../../core/clock.js';
import type { LocUri } from '../../core/ids.js';
import type { CspDevice } from '../../csp/handler.js';
import { MemoryCspRoot } from '../../csp/memory-csp-root.js';
import { CspProcessor } from '../../csp/processor.js';
import { serializeSyncml } from '../../csp/syncml/codec.js';
import { repliesPerBatch, type DeliveryPort, type DeliverySink, type OutboundBatch } from '../../sim/intune/delivery.js';

interface SimDevice {
  readonly id: string;
  readonly root: MemoryCspRoot;
  readonly osBuild: string;
  /** The CSP refuses out-of-range values with 400 instead of storing them. */
  readonly strict: boolean;
  online: boolean;
  queue: OutboundBatch[];
  readonly received: OutboundBatch[];
  /** HRESULT the next rotation ends with (0: success). */
  resetOutcome: number;
}

export class SimulatedDevices implements DeliveryPort {
  sink: DeliverySink | undefined;
  readonly #devices = new Map<string, SimDevice>();
  readonly #processor: CspProcessor;
  readonly #early = new Map<string, OutboundBatch[]>();
  #msg = 1;

  constructor(readonly clock: Clock) {
    this.#processor = new CspProcessor({ clock });
  }

  /** Adds a device (by its Entra deviceId), online by default. */
  add(deviceId: string, osBuild = '10.0.26100.4349', online = true, strict = false): void {
    const early = this.#early.get(deviceId) ?? [];
    this.#early.delete(deviceId);
    this.#devices.set(deviceId, { id: deviceId, root: new MemoryCspRoot(), osBuild, strict, online, queue: [...early], received: [...early], resetOutcome: 0 });
    if (online) this.sink?.connectionChanged(deviceId, true);
  }

  #device(id: string): SimDevice {
    const d = this.#devices.get(id);
    if (!d) throw new Error(`no simulated device ${id}`);
    return d;
  }

  send(deviceId: string, batch: OutboundBatch): void {
    const d = this.#devices.get(deviceId);
    if (!d) {
      // Sent during the registration call, before the test added the device: kept for it.
      this.#early.set(deviceId, [...(this.#early.get(deviceId) ?? []), batch]);
      return;
    }
    d.queue.push(batch);
    d.received.push(batch);
  }

  isOnline(deviceId: string): boolean {
    return this.#devices.get(deviceId)?.online ?? false;
  }

  setOnline(deviceId: string, online: boolean): void {
    this.#device(deviceId).online = online;
    this.sink?.connectionChanged(deviceId, online);
  }

  /** The HRESULT the device's next rotation ends with. */
  setResetOutcome(deviceId: string, hresult: number): void {
    this.#device(deviceId).resetOutcome = hresult;
  }

  /** The rotation the device is running ends now with this HRESULT (ResetPasswordStatus). */
  completeReset(deviceId: string, hresult: number): void {
    const root = this.#device(deviceId).root;
    root.commit({ reset: { ...root.load().reset, status: hresult, pending: false } });
  }

  /** Every batch the server sent the device, in order. */
  received(deviceId: string): readonly OutboundBatch[] {
    return this.#device(deviceId).received;
  }

  /** Batches waiting for the device's next session. */
  queued(deviceId: string): readonly OutboundBatch[] {
    return this.#device(deviceId).queue;
  }

  /** The LAPS values the device's CSP holds. */
  values(deviceId: string): Record<string, string> {
    return Object.fromEntries(this.#device(deviceId).root.load().values);
  }

  /** The server restarted: it forgot what it had queued (the devices keep their CSP roots). */
  dropQueues(): void {
    for (const d of this.#devices.values()) d.queue = [];
  }

  /**
   * One management session: the check-in, then every batch queued before it in one message.
   * Returns the batches the device answered.
   */
  session(deviceId: string): OutboundBatch[] {
    const d = this.#device(deviceId);
    if (!d.online) throw new Error(`device ${deviceId} is offline`);
    this.sink?.sessionStarted(deviceId);
    const batches = d.queue.splice(0);
    if (batches.length === 0) return [];
    const body = batches.flatMap((b) => b.commands);
    const device: CspDevice = { root: d.root, osBuild: d.osBuild, strict: d.strict };
    const msgId = String(++this.#msg);
    const r = this.#processor.process(serializeSyncml({
      header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId, target: { locUri: deviceId as LocUri }, source: { locUri: 'server' as LocUri } },
      body, final: true,
    }), device);
    for (const { batch, replies } of repliesPerBatch(batches, r.reply.body)) this.sink?.batchReplies(deviceId, batch.batchId, replies);
    if (r.resetRequested) {
      const reset = d.root.load().reset;
      d.root.commit({ reset: { ...reset, status: d.resetOutcome, pending: false } });
    }
    return batches;
  }
}
