/**
 * Golden SyncML fixtures: test/fixtures/syncml/NAME.xml is a server message, NAME.expected.xml
 * the device's exact reply (line layout). A leading `<!-- fixture: {...} -->` comment sets the
 * device: osBuild, strict, msgId (of the reply), values (stored before), reset (state before),
 * now (ISO). UPDATE_GOLDEN=1 rewrites the expected files; review every changed code by hand.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../core/clock.js';
import { INITIAL_RESET_STATE, type ResetState } from '../../../csp/csp-root.js';
import { MemoryCspRoot } from '../../../csp/memory-csp-root.js';
import { CspProcessor } from '../../../csp/processor.js';
import { parseSyncml, serializeSyncml } from '../../../csp/syncml/codec.js';
import { BUILD_24H2, NOW } from './helpers.js';

const DIR = new URL('../../fixtures/syncml/', import.meta.url);
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface Directive {
  osBuild?: string;
  strict?: boolean;
  msgId?: string;
  values?: Record<string, string>;
  reset?: ResetState;
  now?: string;
}

function directive(text: string): Directive {
  const m = /<!--\s*fixture:\s*(\{[\s\S]*?\})\s*-->/.exec(text);
  return m ? (JSON.parse(m[1]!) as Directive) : {};
}

const files = readdirSync(DIR).sort();
const payloads = files.filter((f) => f.endsWith('.xml') && !f.endsWith('.expected.xml'));

describe('golden SyncML fixtures', () => {
  it('every payload has an expected reply and every expected reply a payload', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(30);
    if (UPDATE) return;
    const expected = files.filter((f) => f.endsWith('.expected.xml'));
    expect(expected.map((f) => f.replace('.expected.xml', '.xml'))).toEqual(payloads);
  });

  for (const file of payloads) {
    it(file.replace('.xml', ''), () => {
      const text = readFileSync(new URL(file, DIR), 'utf8');
      const d = directive(text);
      const root = new MemoryCspRoot({ values: new Map(Object.entries(d.values ?? {})), reset: d.reset ?? INITIAL_RESET_STATE });
      const processor = new CspProcessor({ clock: new FixedClock(d.now === undefined ? NOW : Date.parse(d.now)) });
      const result = processor.process(text, { root, osBuild: d.osBuild ?? BUILD_24H2, strict: d.strict ?? false }, d.msgId === undefined ? {} : { msgId: d.msgId });
      const actual = serializeSyncml(result.reply, { indent: 2 });
      const expectedUrl = new URL(file.replace('.xml', '.expected.xml'), DIR);
      if (UPDATE) writeFileSync(expectedUrl, actual);
      else expect(actual).toBe(readFileSync(expectedUrl, 'utf8'));
      // The one-line reply on the wire says exactly the same.
      expect(serializeSyncml(parseSyncml(result.replyText), { indent: 2 })).toBe(actual);
    });
  }
});
