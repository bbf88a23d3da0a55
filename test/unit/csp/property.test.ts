/**
 * Properties of the processor over random messages: it never throws for commands (only an
 * unusable envelope throws), the reply is well formed and numbered, and a failed Atomic never
 * changes the stored root (the final state equals that of the same message without the failed
 * Atomics).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../core/clock.js';
import type { CmdId, LocUri } from '../../../core/ids.js';
import { type CspRootSnapshot, E_PENDING } from '../../../csp/csp-root.js';
import { LAPS_NODES } from '../../../csp/laps/nodes.js';
import { MemoryCspRoot } from '../../../csp/memory-csp-root.js';
import { CspProcessor } from '../../../csp/processor.js';
import { parseSyncml, serializeSyncml } from '../../../csp/syncml/codec.js';
import { SyncmlStatus } from '../../../csp/syncml/status.js';
import type { BodyElement, Item, ItemCommandName, SyncMessage } from '../../../csp/syncml/types.js';
import { BUILD_23H2, BUILD_24H2, L, NOW } from './helpers.js';

const KNOWN_CODES = new Set<number>(Object.values(SyncmlStatus));

const uriArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...LAPS_NODES.map((n) => (n.path === '' ? L : `${L}/${n.path}`))) },
  { weight: 1, arbitrary: fc.constantFrom(`${L}/Policies/Nope`, './User/Vendor/MSFT/LAPS/Policies/PasswordAgeDays', './Vendor/MSFT/LAPS/Policies/PasswordLength',
    './DevDetail/SwV', '/Device/Vendor/MSFT/LAPS', `${L}/Policies/PasswordAgeDays?prop=Format`, `${L}/Policies/`, '') },
);

const dataArb: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.integer({ min: -3, max: 70 }).map(String),
  fc.constantFrom('true', 'False', 'TRUE', '1', '0', 'yes', 'abc', '', ' 12 ', '99999999999', undefined),
  fc.string({ maxLength: 12 }),
);

const formatArb = fc.constantFrom(undefined, undefined, 'int', 'chr', 'bool', 'node', 'Int');

const itemArb: fc.Arbitrary<Item> = fc.record({ uri: uriArb, data: dataArb, format: formatArb, noTarget: fc.boolean() }).map((r) => ({
  ...(r.noTarget && r.uri === '' ? {} : { target: { locUri: r.uri as LocUri } }),
  ...(r.format === undefined ? {} : { meta: { format: r.format } }),
  ...(r.data === undefined ? {} : { data: r.data }),
}));

const { element } = fc.letrec<{ element: BodyElement }>((tie) => ({
  element: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constantFrom<ItemCommandName>('Add', 'Replace', 'Delete', 'Get', 'Exec'), items: fc.array(itemArb, { minLength: 0, maxLength: 3 }) })
        .map((r): BodyElement => ({ kind: r.kind, items: r.items })),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constantFrom<'Atomic' | 'Sequence'>('Atomic', 'Sequence'), children: fc.array(tie('element'), { maxLength: 4 }) })
        .map((r): BodyElement => ({ kind: r.kind, children: r.children })),
    },
    { weight: 1, arbitrary: fc.constantFrom('1222', '1200', '1201', '4242').map((d): BodyElement => ({ kind: 'Alert', data: d, items: [] })) },
    { weight: 1, arbitrary: fc.constantFrom('Copy', 'Sync', 'Foo').map((name): BodyElement => ({ kind: 'Unknown', name })) },
  ),
}));

/** Gives every element a unique CmdID, except about one in ten. */
function numbered(body: readonly BodyElement[], dropId: () => boolean, next: { n: number }): BodyElement[] {
  return body.map((e) => {
    const cmdId = dropId() ? undefined : (String(next.n++) as CmdId);
    if (e.kind === 'Atomic' || e.kind === 'Sequence') return { ...e, cmdId, children: numbered(e.children, dropId, next) };
    return { ...e, cmdId };
  });
}

const messageArb: fc.Arbitrary<SyncMessage> = fc.record({
  body: fc.array(element, { maxLength: 8 }),
  drops: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
  final: fc.boolean(),
}).map(({ body, drops, final }) => {
  let i = 0;
  const dropId = (): boolean => drops[i++ % drops.length]! && i % 10 === 0;
  return {
    header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1C', msgId: '4', target: { locUri: 'DEV' as LocUri }, source: { locUri: 'SRV' as LocUri } },
    body: numbered(body, dropId, { n: 1 }),
    final,
  };
});

const NAMES = LAPS_NODES.filter((n) => n.behaviour.kind === 'setting').map((n) => n.name);
const snapshotArb: fc.Arbitrary<CspRootSnapshot> = fc.record({
  values: fc.dictionary(fc.constantFrom(...NAMES), fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.constantFrom('true', 'false', 'LapsAdmin'))),
  pending: fc.boolean(),
}).map(({ values, pending }) => ({
  values: new Map(Object.entries(values)),
  reset: pending ? { status: E_PENDING, pending: true, requestedAt: NOW - 1000 } : { status: 0, pending: false, requestedAt: null },
}));

const deviceArb = fc.record({ osBuild: fc.constantFrom(BUILD_24H2, BUILD_23H2, '10.0.19045.2604'), strict: fc.boolean() });

function process(msg: SyncMessage | string, start: CspRootSnapshot, device: { osBuild: string; strict: boolean }) {
  const root = new MemoryCspRoot(start);
  const result = new CspProcessor({ clock: new FixedClock(NOW) }).process(msg, { root, ...device });
  return { result, after: root.load() };
}

function plain(s: CspRootSnapshot): unknown {
  return { values: Object.fromEntries([...s.values].sort(([a], [b]) => a.localeCompare(b))), reset: s.reset };
}

/** The message without the Atomics that failed (507) or were refused (400): they must have had no effect. */
function withoutFailedAtomics(body: readonly BodyElement[], failed: ReadonlySet<string>): BodyElement[] {
  const out: BodyElement[] = [];
  for (const e of body) {
    if (e.kind === 'Atomic' && (e.cmdId === undefined || failed.has(e.cmdId))) continue;
    if (e.kind === 'Sequence' && e.cmdId !== undefined) out.push({ ...e, children: withoutFailedAtomics(e.children, failed) });
    else out.push(e);
  }
  return out;
}

describe('processor properties', () => {
  it('never throws for a usable envelope, and answers with a numbered, well-formed reply', () => {
    fc.assert(fc.property(messageArb, snapshotArb, deviceArb, (msg, start, device) => {
      const text = serializeSyncml(msg);
      const { result } = process(text, start, device);
      const back = parseSyncml(result.replyText);
      expect(back.body.map((e) => e.cmdId)).toEqual(back.body.map((_, i) => String(i + 1)));
      const first = back.body[0];
      expect(first?.kind === 'Status' && first.cmd === 'SyncHdr' && first.cmdRef === '0').toBe(true);
      for (const e of back.body) if (e.kind === 'Status') expect(KNOWN_CODES.has(Number(e.data))).toBe(true);
      expect(back.final).toBe(msg.final);
    }), { numRuns: 400 });
  });

  it('a failed Atomic never changes the stored root', () => {
    fc.assert(fc.property(messageArb, snapshotArb, deviceArb, (msg, start, device) => {
      const { result, after } = process(msg, start, device);
      const failed = new Set<string>();
      for (const e of result.reply.body) if (e.kind === 'Status' && e.cmd === 'Atomic' && e.data !== '200') failed.add(e.cmdRef);
      const reference = process({ ...msg, body: withoutFailedAtomics(msg.body, failed) }, start, device);
      expect(plain(after)).toEqual(plain(reference.after));
    }), { numRuns: 400 });
  });

  it('a message holding only a failing Atomic leaves the root exactly as it was', () => {
    fc.assert(fc.property(fc.array(element, { minLength: 1, maxLength: 6 }), snapshotArb, deviceArb, (children, start, device) => {
      const msg: SyncMessage = {
        header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId: '1' },
        body: numbered([{ kind: 'Atomic', children }], () => false, { n: 1 }),
        final: true,
      };
      const { result, after } = process(msg, start, device);
      const atomic = result.reply.body[1];
      if (atomic?.kind === 'Status' && atomic.data === '507') {
        expect(plain(after)).toEqual(plain(start));
        expect(result.changed).toBe(false);
        expect(result.resetRequested).toBe(false);
      }
    }), { numRuns: 400 });
  });
});
