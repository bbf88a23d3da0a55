/**
 * The device's event log (Microsoft-Windows-LAPS/Operational, simulated) in table
 * `event_blocks` (migration 5): one row per write, holding the events of a whole processing cycle
 * as a JSON array. Events made from the catalogue are kept as ID and fields; their level and
 * message are rendered on reading by the EventText the composition gives. Never holds a password:
 * events carry plain fields only (agent/events/make-event.ts refuses anything else).
 */
import { ImplementationError, StoreError } from '../core/errors.js';
import type { EventFieldValue, EventLevel, EventLog, EventText, LapsEvent } from '../agent/ports.js';
import type { Db } from './database.js';
import { perDatabase } from './per-database.js';

type Fields = Readonly<Record<string, EventFieldValue>>;
/** [ms after the block's first event, id, fields] or the same with level and message. */
type Entry = [number, number, Fields] | [number, number, Fields, EventLevel, string];

function prepare(db: Db) {
  return {
    insert: db.prepare('INSERT INTO event_blocks (device_id, first_time, last_time, events) VALUES (?, ?, ?, ?)'),
    list: db.prepare('SELECT first_time, events FROM event_blocks WHERE device_id = ? AND last_time >= ? ORDER BY seq'),
    listMany: db.prepare('SELECT device_id, first_time, events FROM event_blocks WHERE device_id IN (SELECT value FROM json_each(?)) ORDER BY seq'),
  };
}

const statementsFor = perDatabase(prepare);

/**
 * The event log of device `deviceId` in `db`.
 * @param text the catalogue (agent/events/make-event.ts `catalogueEventText`); without it every
 *   event is kept with its level and message as given
 */
export function sqliteEventLog(db: Db, deviceId: string, text?: EventText): EventLog {
  const s = statementsFor(db);
  const write = (events: readonly LapsEvent[]): void => {
    if (events.length === 0) return;
    // A clock may step back within a cycle: offsets count from the earliest event.
    let first = events[0]!.time;
    let last = first;
    for (const e of events) {
      if (!Number.isFinite(e.time) || !Number.isInteger(e.id)) throw new ImplementationError(`event ${String(e.id)} at ${String(e.time)}: an event needs an integer ID and a finite time`);
      if (e.time < first) first = e.time;
      if (e.time > last) last = e.time;
    }
    let json = '[';
    for (const e of events) {
      if (json.length > 1) json += ',';
      // Catalogue events were checked by makeEvent (integer ID, finite time, plain fields): their
      // entry is written directly; any other event goes through JSON.stringify whole.
      json += text?.derived(e) ? `[${e.time - first},${e.id},${fieldsJson(e.fields)}]` : JSON.stringify([e.time - first, e.id, e.fields, e.level, e.message]);
    }
    s.insert.run(deviceId, first, last, `${json}]`);
  };
  return {
    append: (e) => write([e]),
    appendMany: write,
    list: (opts = {}) => {
      const since = opts.since ?? -8.64e15;
      const limit = opts.limit ?? Number.POSITIVE_INFINITY;
      const out: LapsEvent[] = [];
      if (limit <= 0) return out;
      for (const row of s.list.iterate(deviceId, since) as Iterable<{ first_time: number; events: string }>) {
        for (const entry of parseBlock(deviceId, row.events)) {
          const time = row.first_time + entry[0];
          if (time < since) continue;
          out.push(toEvent(deviceId, entry, time, text));
          if (out.length >= limit) return out;
        }
      }
      return out;
    },
  };
}

/**
 * The events of several devices in one pass over the log (the table has no device index, to keep
 * appends cheap): for breach trails and reports.
 */
export function listEventsOf(db: Db, deviceIds: readonly string[], text?: EventText): Map<string, LapsEvent[]> {
  const out = new Map<string, LapsEvent[]>(deviceIds.map((id) => [id, []]));
  if (deviceIds.length === 0) return out;
  for (const row of statementsFor(db).listMany.iterate(JSON.stringify(deviceIds)) as Iterable<{ device_id: string; first_time: number; events: string }>) {
    const list = out.get(row.device_id)!;
    for (const entry of parseBlock(row.device_id, row.events)) list.push(toEvent(row.device_id, entry, row.first_time + entry[0], text));
  }
  return out;
}

/**
 * JSON of large frozen field objects, made once: a device's policy dump is the same object every
 * cycle. Small ones are cheaper to write again than to remember.
 */
const FIELDS_JSON = new WeakMap<object, string>();
const REMEMBERED_FROM = 5;

function fieldsJson(fields: Fields): string {
  let n = 0;
  for (const _ in fields) if (++n >= REMEMBERED_FROM) break;
  if (n === 0) return '{}';
  if (n < REMEMBERED_FROM || !Object.isFrozen(fields)) return JSON.stringify(fields);
  let json = FIELDS_JSON.get(fields);
  if (json === undefined) FIELDS_JSON.set(fields, (json = JSON.stringify(fields)));
  return json;
}

function parseBlock(deviceId: string, json: string): Entry[] {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw damaged(deviceId, e);
  }
  if (!Array.isArray(v) || !v.every(isEntry)) throw damaged(deviceId);
  return v as Entry[];
}

function isEntry(x: unknown): boolean {
  if (!Array.isArray(x) || (x.length !== 3 && x.length !== 5)) return false;
  const [dt, id, fields, level, message] = x as unknown[];
  return typeof dt === 'number' && typeof id === 'number' && typeof fields === 'object' && fields !== null && !Array.isArray(fields)
    && (x.length === 3 || (typeof level === 'string' && typeof message === 'string'));
}

function toEvent(deviceId: string, entry: Entry, time: number, text: EventText | undefined): LapsEvent {
  const [, id, fields] = entry;
  if (entry.length === 5) return { id, level: entry[3], time, message: entry[4], fields };
  if (!text) throw new StoreError('LAPS_ERR_STORE_CORRUPT', `event ${id} of device ${deviceId} has no message and no catalogue was given to render it`);
  try {
    const { level, message } = text.render(id, fields);
    return { id, level, time, message, fields };
  } catch (e) {
    throw damaged(deviceId, e);
  }
}

function damaged(deviceId: string, cause?: unknown): StoreError {
  return new StoreError('LAPS_ERR_STORE_CORRUPT', `the event log of device ${deviceId} is damaged`, cause === undefined ? {} : { cause });
}
