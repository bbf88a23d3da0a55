import { describe, expect, it } from 'vitest';
import { ImplementationError } from '../../../core/errors.js';
import { Secret } from '../../../core/secret.js';
import { EVENT_CATALOGUE, EVENT_IDS, eventSpec, type EventFieldType, type LapsEventId } from '../../../agent/events/catalogue.js';
import { makeEvent } from '../../../agent/events/make-event.js';
import type { EventFieldValue } from '../../../agent/ports.js';

/** The event IDs of laps-behaviour.md section 10's table (10101-10104 expanded), plus lapsim's 10900. */
const DOCUMENTED_IDS = [
  10000, 10001, 10002, 10003, 10004, 10005, 10006, 10007, 10008, 10009, 10010, 10011, 10012, 10013, 10014, 10015, 10016, 10017,
  10018, 10019, 10020, 10021, 10022, 10023, 10024, 10025, 10026, 10027, 10028, 10029, 10030, 10031, 10032, 10033, 10034, 10035,
  10041, 10042, 10043, 10044, 10048, 10049, 10051, 10052, 10054, 10055, 10056, 10057, 10058, 10059, 10065, 10101, 10102, 10103,
  10104, 10108, 10900,
];
const WARNINGS = [10008, 10031, 10033, 10058, 10101, 10102, 10103, 10104, 10108, 10900];
const ERRORS = [10001, 10005, 10006, 10011, 10012, 10013, 10017, 10019, 10025, 10026, 10027, 10028, 10032, 10034, 10035, 10043, 10048, 10049, 10056, 10057, 10059, 10065];

function sampleFields(fields: Readonly<Record<string, EventFieldType>>): Record<string, EventFieldValue> {
  const out: Record<string, EventFieldValue> = {};
  for (const [name, type] of Object.entries(fields)) out[name] = type === 'string' ? `sample-${name}` : type === 'number' ? 1000 : true;
  return out;
}

function templateFields(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z][A-Za-z0-9]*)(?::[a-z0-9]+)?\}/g)].map((m) => m[1] as string);
}

const make = (id: number, fields: unknown, time = 0): unknown => makeEvent(id as LapsEventId, fields as never, time);

describe('event catalogue', () => {
  it('holds exactly the events of laps-behaviour.md section 10, plus lapsim 10900', () => {
    expect([...EVENT_IDS]).toEqual(DOCUMENTED_IDS);
  });

  it('gives each event the level the doc lists', () => {
    for (const id of EVENT_IDS) {
      const want = WARNINGS.includes(id) ? 'Warning' : ERRORS.includes(id) ? 'Error' : 'Information';
      expect(eventSpec(id)?.level, String(id)).toBe(want);
    }
  });

  it('declares exactly the fields each template uses', () => {
    for (const id of EVENT_IDS) {
      const spec = EVENT_CATALOGUE[id];
      expect([...new Set(templateFields(spec.template))].sort(), String(id)).toEqual(Object.keys(spec.fields).sort());
    }
  });

  it('renders every entry with its fields, with no placeholder or "undefined" left', () => {
    for (const id of EVENT_IDS) {
      const spec = EVENT_CATALOGUE[id];
      const e = makeEvent(id, sampleFields(spec.fields) as never, 1_700_000_000_000);
      expect(e.id).toBe(id);
      expect(e.level).toBe(spec.level);
      expect(e.time).toBe(1_700_000_000_000);
      expect(e.message, String(id)).not.toMatch(/undefined|NaN|\{[A-Za-z]+(:[a-z0-9]+)?\}/);
      for (const [name, type] of Object.entries(spec.fields)) {
        if (type === 'string') expect(e.message, `${id} ${name}`).toContain(`sample-${name}`);
      }
    }
  });

  it('marks only 10900 as lapsim-specific', () => {
    expect(EVENT_IDS.filter((id) => eventSpec(id)?.origin === 'lapsim')).toEqual([10900]);
  });
});

describe('event messages as Windows prints them', () => {
  it('10003 and 10004 use the documented text', () => {
    expect(makeEvent(10003, {}, 0).message).toBe('LAPS policy processing is now starting.');
    expect(makeEvent(10004, {}, 0).message).toBe('LAPS policy processing succeeded.');
  });

  it('10005 prints the HRESULT as 8 hex digits without prefix, signed or unsigned', () => {
    const want = 'LAPS policy processing failed with the error code below.\n\nError code: 80070032';
    expect(makeEvent(10005, { errorCode: 0x80070032 }, 0).message).toBe(want);
    expect(makeEvent(10005, { errorCode: 0x80070032 | 0 }, 0).message).toBe(want);
  });

  it('10020 names the account and prints the RID in hex', () => {
    expect(makeEvent(10020, { accountName: 'raviks', rid: 1000 }, 0).message).toBe(
      'LAPS successfully updated the local admin account with the new password.\n\nAccount name: raviks\nAccount RID: 0x3E8',
    );
  });

  it('10041 prints the deadline in UTC ISO 8601', () => {
    const deadline = Date.UTC(2022, 11, 23, 14, 42, 33, 133);
    const m = makeEvent(10041, { accountName: 'raviks', rid: 1000, deadline }, 0).message;
    expect(m).toContain('\n\nAccount name: raviks\nAccount RID: 0x3E8\nPassword reset timer deadline: 2022-12-23T14:42:33.133Z');
  });

  it('10059 carries the HTTP status and the response body', () => {
    const body = '{"code":"invalid_request","subcode":"error_fail","message":"Local admin password solution is not enabled for this tenant."}';
    expect(makeEvent(10059, { httpStatus: 400, body }, 0).message).toBe(`Azure returned a failure code.\n\nHTTP status code: 400\n\nResponse text:\n${body}`);
  });

  it('10025 prints Win32-style codes with 0x and 8 digits', () => {
    expect(makeEvent(10025, { errorCode: 0x80072ee7 }, 0).message).toBe('Azure discovery failed.\n\nError code: 0x80072EE7');
  });

  it('10043 prints the retry count and the HRESULT', () => {
    const m = makeEvent(10043, { accountName: 'a', rid: 0x3e8, retryCount: 1, errorCode: 0x80070032 }, 0).message;
    expect(m.endsWith('Account name: a\nAccount RID: 0x3E8\nPassword reset retry count: 1\nError code: 80070032')).toBe(true);
  });
});

describe('makeEvent guards', () => {
  const ok = { accountName: 'admin', rid: 500 };

  it('refuses a Secret in a field, so a password cannot reach the event log', () => {
    const secret = new Secret('Pa55word!x');
    expect(() => make(10020, { accountName: secret, rid: 500 })).toThrow(ImplementationError);
    expect(() => make(10059, { httpStatus: 400, body: secret })).toThrow(/must be a string, got an object \(Secret\)/);
  });

  it('refuses objects, arrays, null, undefined, functions, bigints and symbols', () => {
    for (const bad of [{}, [], null, undefined, () => 'x', 1n, Symbol('x'), new Date(0), Object.create(null)]) {
      expect(() => make(10013, { accountName: bad })).toThrow(ImplementationError);
    }
  });

  it('refuses a wrong type, NaN, a missing field and an undeclared field', () => {
    expect(() => make(10020, { accountName: 'a', rid: '500' })).toThrow(ImplementationError);
    expect(() => make(10020, { accountName: 'a', rid: Number.NaN })).toThrow(ImplementationError);
    expect(() => make(10020, { accountName: 'a' })).toThrow(/missing field 'rid'/);
    expect(() => make(10020, { ...ok, password: 'x' })).toThrow(/unexpected field 'password'/);
    expect(() => make(10020, { ...ok, rid: 1.5 })).toThrow(ImplementationError);
  });

  it('refuses fields that are not a plain object', () => {
    for (const bad of [null, undefined, 'x', ['a'], 5]) expect(() => make(10003, bad)).toThrow(ImplementationError);
  });

  it('refuses an unknown event ID and a time that is not epoch ms', () => {
    expect(() => make(10047, {})).toThrow(/unknown LAPS event id 10047/);
    expect(() => make(99999, {})).toThrow(ImplementationError);
    expect(() => make(10003, {}, Number.NaN)).toThrow(ImplementationError);
    expect(() => make(10041, { ...ok, deadline: 9e15 })).toThrow(ImplementationError);
  });

  it('returns a frozen event whose fields are a copy', () => {
    const fields = { ...ok };
    const e = makeEvent(10020, fields, 5);
    fields.accountName = 'changed';
    expect(e.fields).toEqual(ok);
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.fields)).toBe(true);
  });

  it('checks and renders frozen fields once, per event ID, and still refuses bad ones', () => {
    const dump = Object.freeze({ accountName: 'Administrator', rid: 500 });
    const a = makeEvent(10020, dump, 1);
    const b = makeEvent(10020, dump, 2);
    expect(b.message).toBe(a.message);
    expect(b.fields).toBe(a.fields);
    expect([a.time, b.time]).toEqual([1, 2]);
    // The same frozen object under another ID is checked against that ID's fields.
    expect(() => make(10003, dump)).toThrow(/unexpected field/);
    expect(() => make(10004, dump)).toThrow(/unexpected field/);
    const bad = Object.freeze({ accountName: 'x', rid: 'nope' });
    expect(() => make(10020, bad)).toThrow(ImplementationError);
    expect(() => make(10020, bad)).toThrow(ImplementationError);
  });

  it('types fields per event ID', () => {
    // @ts-expect-error rid is required for 10020
    expect(() => makeEvent(10020, { accountName: 'a' }, 0)).toThrow(ImplementationError);
    // @ts-expect-error rid is a number
    expect(() => makeEvent(10020, { accountName: 'a', rid: '1' }, 0)).toThrow(ImplementationError);
  });
});
