import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueEventText, makeEvent } from '../../agent/events/make-event.js';
import { isLapsError } from '../../core/errors.js';
import { openDatabase } from '../../store/database.js';
import { insertDevice } from '../../store/devices.js';
import { MIGRATIONS } from '../../store/migrations/index.js';
import { listEventsOf, sqliteEventLog } from '../../store/sqlite-event-log.js';
import { testDevice } from '../contract/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lapsim-events-'));
let n = 0;

function freshDb(migrations = MIGRATIONS) {
  const db = openDatabase(join(dir, `e${n++}.db`), { migrations });
  for (const id of ['d-1', 'd-2']) insertDevice(db, testDevice(id));
  return db;
}

const cycle = (t: number) => [
  makeEvent(10003, {}, t),
  makeEvent(10020, { accountName: 'Administrator', rid: 500 }, t),
  makeEvent(10015, { reasons: 0x10 }, t + 2),
  makeEvent(10004, {}, t + 3),
];

describe('event log in blocks (migration 5)', () => {
  it('keeps a cycle in one row, catalogue events without their message, and reads them back whole', () => {
    const db = freshDb();
    const log = sqliteEventLog(db, 'd-1', catalogueEventText);
    const events = cycle(1_000);
    log.appendMany(events);
    expect(log.list()).toEqual(events.map((e) => ({ ...e })));
    const rows = db.prepare('SELECT first_time, last_time, events FROM event_blocks').all() as { first_time: number; last_time: number; events: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.first_time).toBe(1_000);
    expect(rows[0]!.last_time).toBe(1_003);
    expect(rows[0]!.events).not.toContain('successfully');
    expect(JSON.parse(rows[0]!.events)[1]).toEqual([0, 10020, { accountName: 'Administrator', rid: 500 }]);
  });

  it('keeps the level and message of an event that is not the catalogue\'s, and all of them without a catalogue', () => {
    const db = freshDb();
    const odd = { id: 10013, level: 'Error' as const, time: 5, message: 'custom text', fields: { x: 1 } };
    sqliteEventLog(db, 'd-1', catalogueEventText).append(odd);
    const plain = sqliteEventLog(db, 'd-2');
    plain.appendMany(cycle(7));
    expect(sqliteEventLog(db, 'd-1', catalogueEventText).list()).toEqual([odd]);
    expect(plain.list().map((e) => e.message)).toEqual(cycle(7).map((e) => e.message));
    expect((db.prepare("SELECT events FROM event_blocks WHERE device_id = 'd-2'").get() as { events: string }).events).toContain('successfully');
  });

  it('writes a large frozen field object (the policy dump) the same every time', () => {
    const db = freshDb();
    const log = sqliteEventLog(db, 'd-1', catalogueEventText);
    const dump = Object.freeze({
      policySource: 'CSP', backupDirectory: 'Azure Active Directory', accountName: '', passwordAgeDays: 30, passwordComplexity: 4,
      passwordLength: 14, postAuthResetDelay: 24, postAuthActions: 3,
    });
    const first = [makeEvent(10022, dump, 10), makeEvent(10004, {}, 10)];
    const second = [makeEvent(10022, dump, 20)];
    log.appendMany(first);
    log.appendMany(second);
    expect(log.list()).toEqual([...first, ...second].map((e) => ({ ...e })));
    const texts = (db.prepare('SELECT events FROM event_blocks ORDER BY seq').pluck().all() as string[]).map((t) => JSON.parse(t) as unknown[][]);
    expect(texts[0]![0]![2]).toEqual(texts[1]![0]![2]);
  });

  it('filters by time inside a block and across blocks, limits, and keeps devices apart', () => {
    const db = freshDb();
    const log = sqliteEventLog(db, 'd-1', catalogueEventText);
    log.appendMany(cycle(100));
    log.appendMany(cycle(200));
    sqliteEventLog(db, 'd-2', catalogueEventText).appendMany(cycle(150));
    expect(log.list({ since: 102 }).map((e) => e.time)).toEqual([102, 103, 200, 200, 202, 203]);
    expect(log.list({ since: 102, limit: 3 }).map((e) => e.time)).toEqual([102, 103, 200]);
    expect(log.list({ limit: 0 })).toEqual([]);
    const many = listEventsOf(db, ['d-1', 'd-2', 'd-none'], catalogueEventText);
    expect(many.get('d-1')).toHaveLength(8);
    expect(many.get('d-2')!.map((e) => e.time)).toEqual([150, 150, 152, 153]);
    expect(many.get('d-none')).toEqual([]);
  });

  it('counts offsets from the earliest event when the clock stepped back inside a cycle', () => {
    const db = freshDb();
    const log = sqliteEventLog(db, 'd-1', catalogueEventText);
    const events = [makeEvent(10003, {}, 500), makeEvent(10004, {}, 400)];
    log.appendMany(events);
    expect(log.list().map((e) => e.time)).toEqual([500, 400]);
    expect(log.list({ since: 450 }).map((e) => e.time)).toEqual([500]);
  });

  it('moves the rows of the old events table into blocks, messages kept', () => {
    const db = freshDb(MIGRATIONS.filter((m) => m.version < 5));
    db.prepare('INSERT INTO events (device_id, time, event_id, level, message, fields) VALUES (?, ?, ?, ?, ?, ?)')
      .run('d-1', 10, 10013, 'Error', 'old text', JSON.stringify({ accountName: 'x' }));
    db.prepare('INSERT INTO events (device_id, time, event_id, level, message, fields) VALUES (?, ?, ?, ?, ?, ?)').run('d-1', 20, 10004, 'Information', 'done', '{}');
    const path = db.name;
    db.close();
    const upgraded = openDatabase(path);
    expect(sqliteEventLog(upgraded, 'd-1', catalogueEventText).list()).toEqual([
      { id: 10013, level: 'Error', time: 10, message: 'old text', fields: { accountName: 'x' } },
      { id: 10004, level: 'Information', time: 20, message: 'done', fields: {} },
    ]);
    expect(upgraded.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'events'").get()).toEqual({ n: 0 });
  });

  it('refuses to write an event without an integer ID or a finite time, and writes nothing', () => {
    const db = freshDb();
    const log = sqliteEventLog(db, 'd-1', catalogueEventText);
    expect(() => log.append({ id: 10003, level: 'Information', time: Number.NaN, message: 'x', fields: {} })).toThrow(/finite time/);
    expect(() => log.appendMany([makeEvent(10003, {}, 1), { id: 1.5, level: 'Information', time: 1, message: 'x', fields: {} }])).toThrow(/integer ID/);
    expect(log.list()).toEqual([]);
  });

  it('answers a damaged block with LAPS_ERR_STORE_CORRUPT, not a crash', () => {
    const db = freshDb();
    const log = sqliteEventLog(db, 'd-1', catalogueEventText);
    for (const bad of ['not json', '{"a":1}', '[[0,"x",{}]]', '[[0,99999,{}]]', '[[0,10020,{"accountName":1,"rid":500}]]']) {
      db.exec('DELETE FROM event_blocks');
      db.prepare("INSERT INTO event_blocks (device_id, first_time, last_time, events) VALUES ('d-1', 0, 0, ?)").run(bad);
      let caught: unknown;
      try {
        log.list();
      } catch (e) {
        caught = e;
      }
      expect(isLapsError(caught) && caught.code, bad).toBe('LAPS_ERR_STORE_CORRUPT');
    }
    db.exec('DELETE FROM event_blocks');
    db.prepare("INSERT INTO event_blocks (device_id, first_time, last_time, events) VALUES ('d-1', 0, 0, ?)").run('[[0,10004,{}]]');
    expect(() => sqliteEventLog(db, 'd-1').list()).toThrow(/no catalogue/);
  });
});
