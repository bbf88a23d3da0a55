/** Shared helpers of the CSP unit tests: message building and reply reading. */
import { FixedClock } from '../../../core/clock.js';
import type { CspChangeSet, CspRoot, CspRootSnapshot } from '../../../csp/csp-root.js';
import { MemoryCspRoot } from '../../../csp/memory-csp-root.js';
import { CspProcessor, type ProcessResult } from '../../../csp/processor.js';
import type { SyncMessage } from '../../../csp/syncml/types.js';

/** The LAPS CSP root URI. */
export const L = './Device/Vendor/MSFT/LAPS';
/** A 24H2 build (CSP 1.1). */
export const BUILD_24H2 = '10.0.26100.4349';
/** A 23H2 build (CSP 1.0 only). */
export const BUILD_23H2 = '10.0.22631.4317';
/** 2026-03-01T00:00:00Z. */
export const NOW = Date.UTC(2026, 2, 1);

export function header(msgId = '1', sessionId = '1C'): string {
  return `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>${sessionId}</SessionID><MsgID>${msgId}</MsgID>` +
    '<Target><LocURI>5A0C3C5A8B7E4A5F9F1D2E3C4B5A6978</LocURI></Target><Source><LocURI>https://mdm.example.test/MDM.svc</LocURI></Source></SyncHdr>';
}

/** A whole message around `body` (with Final unless told otherwise). */
export function msg(body: string, opts: { final?: boolean; msgId?: string } = {}): string {
  return `<SyncML xmlns="SYNCML:SYNCML1.2">${header(opts.msgId)}<SyncBody>${body}${opts.final === false ? '' : '<Final/>'}</SyncBody></SyncML>`;
}

/** One Item targeting `uri`, with optional format and data. */
export function item(uri: string, data?: string, format?: string): string {
  const meta = format === undefined ? '' : `<Meta><Format xmlns="syncml:metinf">${format}</Format><Type xmlns="syncml:metinf">text/plain</Type></Meta>`;
  return `<Item><Target><LocURI>${uri}</LocURI></Target>${meta}${data === undefined ? '' : `<Data>${data}</Data>`}</Item>`;
}

/** A command element, e.g. cmd('Replace', 3, item(...)). */
export function cmd(name: string, cmdId: number | undefined, ...inner: string[]): string {
  return `<${name}>${cmdId === undefined ? '' : `<CmdID>${cmdId}</CmdID>`}${inner.join('')}</${name}>`;
}

/** A CspRoot that counts loads and commits and can be told to fail on commit. */
export class SpyRoot implements CspRoot {
  loads = 0;
  commits: CspChangeSet[] = [];
  readonly inner: MemoryCspRoot;

  constructor(initial?: CspRootSnapshot) {
    this.inner = new MemoryCspRoot(initial);
  }

  load(): CspRootSnapshot {
    this.loads++;
    return this.inner.load();
  }

  commit(change: CspChangeSet): void {
    this.commits.push(change);
    this.inner.commit(change);
  }
}

export interface Run {
  readonly result: ProcessResult;
  readonly root: SpyRoot;
  /** Every Status after the SyncHdr's: `CmdRef Cmd [TargetRef] -> code`. */
  readonly statuses: string[];
}

/** Processes `text` on a device with the given build, strict flag and starting values. */
export function run(text: string, opts: { osBuild?: string; strict?: boolean; values?: Record<string, string>; root?: SpyRoot } = {}): Run {
  const root = opts.root ?? new SpyRoot({ values: new Map(Object.entries(opts.values ?? {})), reset: { status: 0, pending: false, requestedAt: null } });
  const p = new CspProcessor({ clock: new FixedClock(NOW) });
  const result = p.process(text, { root, osBuild: opts.osBuild ?? BUILD_24H2, strict: opts.strict ?? false });
  return { result, root, statuses: statusLines(result.reply) };
}

export function statusLines(reply: SyncMessage): string[] {
  const out: string[] = [];
  for (const e of reply.body.slice(1)) {
    if (e.kind !== 'Status') continue;
    out.push(`${e.cmdRef} ${e.cmd}${e.targetRefs.length > 0 ? ` ${e.targetRefs.join(',')}` : ''} -> ${e.data}`);
  }
  return out;
}

/** The Data of every Results item, as `LocURI (format) = data`. */
export function resultLines(reply: SyncMessage): string[] {
  const out: string[] = [];
  for (const e of reply.body) {
    if (e.kind !== 'Results') continue;
    for (const it of e.items) out.push(`${it.source?.locUri} (${it.meta?.format}) = ${it.data}`);
  }
  return out;
}

/** The stored values as a plain object. */
export function values(root: CspRoot): Record<string, string> {
  return Object.fromEntries(root.load().values);
}
