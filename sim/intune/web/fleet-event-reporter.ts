/**
 * The client side of POST /lapsim/fleet/events: a fleet runner that drives devices against a
 * lapsim server in another process (`lapsim fleet --server URL --admin-token T`) sends the LAPS
 * events its devices logged, so that the server's fleet overview charts their failures while the
 * fleet runs. Each flush sends what the devices logged since the last one, in batches of the
 * intake's limit; a batch the server did not take is sent again at the next flush. A log may also
 * be drained by its owner between flushes (the fleet's checks splice it): the reporter remembers
 * the last event it sent, not a position, and starts over when that event is gone. Reporting never
 * stops the fleet: failures are logged and counted.
 */
import type { Logger } from '../../../core/logger.js';
import { noopLogger } from '../../../core/logger.js';
import type { LapsEvent } from '../../../agent/ports.js';
import { MAX_INTAKE_EVENTS } from './fleet-intake.js';

/** A device whose event log lives in memory. */
export interface ReportingDevice {
  /** Its Entra deviceId (its channel id). */
  readonly deviceId: string;
  /** Its events, oldest first; the reporter reads what follows the last event it sent. */
  readonly log: { readonly events: readonly LapsEvent[] };
}

/** Where and what to report. */
export interface FleetEventReporterOptions {
  /** The server's base URL, http(s)://host:port. */
  readonly server: string;
  /** The master admin token (the intake is lapsim's admin API). */
  readonly adminToken: string;
  readonly devices: readonly ReportingDevice[];
  readonly logger?: Logger;
}

/** Sends new device events to the server's fleet overview. */
export class FleetEventReporter {
  readonly #o: FleetEventReporterOptions;
  /** The last event sent of each device. */
  readonly #sent: (LapsEvent | undefined)[];
  readonly #log: Logger;
  #failures = 0;

  constructor(o: FleetEventReporterOptions) {
    this.#o = o;
    this.#sent = o.devices.map(() => undefined);
    this.#log = o.logger ?? noopLogger;
  }

  /** Requests that failed so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Sends what the devices logged since the last flush; resolves to the number of events the server took. */
  async flush(): Promise<number> {
    let taken = 0;
    let batch: { deviceId: string; id: number; level: string; time: number }[] = [];
    let cursors: [number, LapsEvent][] = [];
    const send = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      try {
        const r = await fetch(`${this.#o.server.replace(/\/+$/, '')}/lapsim/fleet/events`, {
          method: 'POST', headers: { Authorization: `Bearer ${this.#o.adminToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ events: batch }),
        });
        await r.arrayBuffer();
        if (r.status !== 202) throw new Error(`the server answered ${r.status}`);
      } catch (e) {
        this.#failures++;
        this.#log.warn({ reason: (e as Error).message, events: batch.length }, 'could not report device events to the server');
        return false;
      }
      for (const [i, e] of cursors) this.#sent[i] = e;
      taken += batch.length;
      batch = [];
      cursors = [];
      return true;
    };
    for (const [i, d] of this.#o.devices.entries()) {
      const events = d.log.events;
      const last = this.#sent[i];
      let from = last === undefined ? 0 : events.lastIndexOf(last) + 1;
      while (from < events.length) {
        const take = Math.min(events.length - from, MAX_INTAKE_EVENTS - batch.length);
        for (const e of events.slice(from, from + take)) batch.push({ deviceId: d.deviceId, id: e.id, level: e.level, time: e.time });
        from += take;
        cursors.push([i, events[from - 1]!]);
        if (batch.length === MAX_INTAKE_EVENTS && !(await send())) return taken;
      }
    }
    await send();
    return taken;
  }
}
