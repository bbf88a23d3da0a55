/**
 * What the Intune emulator's engines share: the database, the clock and randomness, the device
 * channel, the Entra link, the logger, and an outbox of batches that are handed to the channel
 * only after the transaction that recorded them has committed (a channel that answers at once
 * then never sees a half-written state).
 */
import type { Clock } from '../../core/clock.js';
import { guidFromBytes } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import { auditEvent, type Actor, type AuditActivity, type AuditResource } from './audit.js';
import type { DeliveryPort, OutboundBatch } from './delivery.js';
import type { EntraLink } from './entra-link.js';
import type { IntuneDb } from './intune-db.js';

/** Batches waiting for the current transaction to commit. */
export class Outbox {
  #items: { deviceId: string; batch: OutboundBatch }[] = [];

  queue(deviceId: string, batch: OutboundBatch): void {
    this.#items.push({ deviceId, batch });
  }

  /** Hands every queued batch to the port, in order. */
  flush(port: DeliveryPort): void {
    while (this.#items.length > 0) {
      const items = this.#items;
      this.#items = [];
      for (const { deviceId, batch } of items) port.send(deviceId, batch);
    }
  }

  /** Forgets what was queued (the transaction rolled back). */
  discard(): void {
    this.#items = [];
  }
}

/** Shared by the engines; `write` runs a transaction and then flushes the outbox. */
export class ServiceContext {
  readonly outbox = new Outbox();

  constructor(
    readonly db: IntuneDb,
    readonly clock: Clock,
    readonly rng: Rng,
    public delivery: DeliveryPort,
    readonly entra: EntraLink,
    readonly log: Logger,
  ) {}

  /** A new random GUID (lower case). */
  guid(): string {
    return guidFromBytes(this.rng.bytes(16));
  }

  /** A new bearer token: 32 random bytes, base64url. */
  token(): string {
    return Buffer.from(this.rng.bytes(32)).toString('base64url');
  }

  /** Appends an audit event. */
  audit(actor: Actor, what: AuditActivity, resources: readonly AuditResource[]): void {
    const at = this.clock.now();
    const id = this.guid();
    this.db.state.putAudit(id, at, auditEvent({ id, correlationId: this.guid() }, at, actor, what, resources));
  }

  /**
   * Runs `fn` in one transaction, then hands the batches it queued to the channel. Nested calls
   * join the outer transaction and leave the flush to it.
   */
  write<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.#depth++;
    let out: T;
    try {
      out = this.db.transaction(fn);
    } catch (e) {
      this.outbox.discard();
      throw e;
    } finally {
      this.#depth--;
    }
    this.outbox.flush(this.delivery);
    return out;
  }

  #depth = 0;
}
