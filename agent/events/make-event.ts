/**
 * Builds LAPS events from the catalogue. Fields are plain strings, numbers and booleans only: a
 * runtime guard refuses anything else (an object, a Secret, undefined), so a password can never
 * reach the event log through a field. A field the event does not declare, a missing one, a
 * wrong type or an unknown event ID is a bug in the caller and throws ImplementationError.
 */
import { ImplementationError } from '../../core/errors.js';
import type { EventFieldValue, EventText, LapsEvent } from '../ports.js';
import { eventSpec, type EventFieldsOf, type EventSpec, type LapsEventId } from './catalogue.js';
import { formatReasonMask, renderRotationReasons } from './rotation-reason.js';

/** Largest epoch ms a Date can hold (ECMA-262 21.4.1.1). */
const MAX_DATE_MS = 8.64e15;
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)(?::([a-z0-9]+))?\}/g;

/**
 * The event `id` with its message rendered from `fields`.
 * @param time epoch milliseconds (from the device's Clock)
 * @throws ImplementationError for an unknown ID, a bad field or a non-finite time
 */
export function makeEvent<Id extends LapsEventId>(id: Id, fields: EventFieldsOf<Id>, time: number): LapsEvent {
  const spec = eventSpec(id);
  if (!spec) throw new ImplementationError(`unknown LAPS event id ${String(id)}`);
  if (typeof time !== 'number' || !Number.isFinite(time)) throw new ImplementationError(`event ${id}: time must be epoch milliseconds`);
  // Frozen fields cannot change: their checked copy and message are made once (the policy dump,
  // emitted every cycle with the same fields).
  const frozen = typeof fields === 'object' && fields !== null && Object.isFrozen(fields);
  const memo = frozen ? RENDERED.get(fields) : undefined;
  if (memo?.id === id) return new CatalogueEvent(id, spec.level, time, memo.message, memo.fields);
  const checked = checkFields(id, spec, fields as unknown);
  const message = renderTemplate(id, spec.template, checked);
  if (frozen) RENDERED.set(fields, { id, fields: checked, message });
  return new CatalogueEvent(id, spec.level, time, message, checked);
}

/** Checked fields and message of frozen field objects already rendered. */
const RENDERED = new WeakMap<object, { readonly id: number; readonly fields: Readonly<Record<string, EventFieldValue>>; readonly message: string }>();

/** An event made here (frozen): its level and message follow from its ID and fields. */
class CatalogueEvent implements LapsEvent {
  constructor(
    readonly id: number,
    readonly level: LapsEvent['level'],
    readonly time: number,
    readonly message: string,
    readonly fields: Readonly<Record<string, EventFieldValue>>,
  ) {
    Object.freeze(this);
  }
}

/** The catalogue as an EventText: stores keep ID and fields of these events and render on reading. */
export const catalogueEventText: EventText = {
  derived: (e) => e instanceof CatalogueEvent,
  render: (id, fields) => {
    const spec = eventSpec(id as LapsEventId);
    if (!spec) throw new ImplementationError(`unknown LAPS event id ${String(id)}`);
    return { level: spec.level, message: renderTemplate(id, spec.template, checkFields(id, spec, fields)) };
  },
};

/** The fields of events that take none: one frozen object for all of them. */
const NO_FIELDS: Readonly<Record<string, EventFieldValue>> = Object.freeze({});
const FIELD_COUNT = new WeakMap<EventSpec, number>();

function checkFields(id: number, spec: EventSpec, fields: unknown): Readonly<Record<string, EventFieldValue>> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new ImplementationError(`event ${id}: fields must be a plain object`);
  }
  let out: Record<string, EventFieldValue> | undefined;
  let n = 0;
  // for..in with hasOwn: the own enumerable string keys, as Object.entries, without its arrays
  // (a cycle makes eight events).
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = (fields as Record<string, unknown>)[name];
    const want = spec.fields[name];
    if (want === undefined) throw new ImplementationError(`event ${id}: unexpected field '${name}'`);
    if (typeof value !== want) {
      // typeof of a Secret, any object, undefined or a function is never string/number/boolean.
      throw new ImplementationError(`event ${id}: field '${name}' must be a ${want}, got ${describe(value)}`);
    }
    if (typeof value === 'number' && !Number.isFinite(value)) throw new ImplementationError(`event ${id}: field '${name}' is not a finite number`);
    (out ??= {})[name] = value as EventFieldValue;
    n++;
  }
  let count = FIELD_COUNT.get(spec);
  if (count === undefined) FIELD_COUNT.set(spec, (count = Object.keys(spec.fields).length));
  if (n !== count) {
    for (const name of Object.keys(spec.fields)) {
      if (out === undefined || !Object.hasOwn(out, name)) throw new ImplementationError(`event ${id}: missing field '${name}'`);
    }
  }
  return out === undefined ? NO_FIELDS : Object.freeze(out);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${Object.getPrototypeOf(value)?.constructor?.name ?? 'null prototype'})`;
  return typeof value;
}

/** A template split once into literal text and placeholders, so that rendering is a join. */
type Part = string | { readonly name: string; readonly format: string | undefined };
const COMPILED = new Map<number, readonly Part[]>();
/** Messages of events without fields never change: rendered once. */
const CONSTANT = new Map<number, string>();

function compile(id: number, template: string): readonly Part[] {
  let parts = COMPILED.get(id);
  if (!parts) {
    const out: Part[] = [];
    let last = 0;
    for (const m of template.matchAll(PLACEHOLDER)) {
      if (m.index > last) out.push(template.slice(last, m.index));
      out.push({ name: m[1]!, format: m[2] });
      last = m.index + m[0].length;
    }
    if (last < template.length) out.push(template.slice(last));
    parts = out;
    COMPILED.set(id, parts);
  }
  return parts;
}

function renderTemplate(id: number, template: string, fields: Readonly<Record<string, EventFieldValue>>): string {
  const constant = CONSTANT.get(id);
  if (constant !== undefined) return constant;
  const parts = compile(id, template);
  let out = '';
  let hasField = false;
  for (const p of parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    hasField = true;
    const value = fields[p.name];
    if (value === undefined) throw new ImplementationError(`event ${id}: template uses undeclared field '${p.name}'`);
    out += formatField(id, value, p.format);
  }
  if (!hasField) CONSTANT.set(id, out);
  return out;
}

function formatField(id: number, value: EventFieldValue, format: string | undefined): string {
  switch (format) {
    case undefined:
      return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
    case 'bit':
      return value === true || value === 1 ? '1' : '0';
    case 'hex':
      return formatReasonMask(integer(id, value));
    case 'hex8':
      return `0x${hex8(integer(id, value))}`;
    case 'hresult':
      return hex8(integer(id, value));
    case 'iso': {
      const ms = integer(id, value);
      if (Math.abs(ms) > MAX_DATE_MS) throw new ImplementationError(`event ${id}: time ${ms} is outside the Date range`);
      return new Date(ms).toISOString();
    }
    case 'reasons':
      return renderRotationReasons(integer(id, value)).join('\n');
    default:
      throw new ImplementationError(`event ${id}: unknown field format '${format}'`);
  }
}

function integer(id: number, value: EventFieldValue): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ImplementationError(`event ${id}: expected an integer field`);
  return value;
}

/** An HRESULT or Win32 code as 8 upper-case hex digits; negative (signed) HRESULTs wrap to unsigned. */
function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
