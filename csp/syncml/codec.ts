/**
 * SyncML 1.2 codec. Parsing: the pre-parse guards, then xml2js in synchronous mode, then a walk
 * into the message model. Writing: serializer.ts (string building, no xml2js Builder).
 *
 * Element order across different names matters (an Add, a Replace, then an Add again must be
 * answered in that order). xml2js groups children by name, so `tagNameProcessors` replaces every
 * element name by its ordinal in the document and records the name in a side table: each element
 * becomes its own integer-like key, and JavaScript enumerates integer-like keys in ascending
 * order, which is document order. This is faster than xml2js' default grouping, and far faster
 * than `explicitChildren` + `preserveChildrenOrder`, which copies every node.
 */
import { Parser } from 'xml2js';
import { MalformedSyncmlError } from '../../core/errors.js';
import type { CmdId, LocUri } from '../../core/ids.js';
import { guardMessage } from './guards.js';
import type {
  AlertCommand, BodyElement, ContainerCommandName, Item, ItemCommandName, Location, Meta, ResultsCommand, StatusCommand,
  SyncHdr, SyncMessage,
} from './types.js';

export { serializeSyncml, escapeXml, type SerializeOptions } from './serializer.js';

type XmlValue = string | XmlObject;
interface XmlObject {
  [key: string]: XmlValue;
}

const ITEM_COMMANDS: ReadonlySet<string> = new Set<ItemCommandName>(['Add', 'Replace', 'Delete', 'Get', 'Exec']);
const CONTAINERS: ReadonlySet<string> = new Set<ContainerCommandName>(['Atomic', 'Sequence']);

/**
 * Parses one SyncML message. Only an unusable envelope throws; anything wrong inside SyncBody is
 * kept in the model (UnknownElement, missing CmdID ...) so that it can be answered with a Status.
 * @throws MalformedSyncmlError (LAPS_ERR_SYNCML_TOO_LARGE, _DOCTYPE, _TOO_DEEP, _NOT_SYNCML,
 *   LAPS_ERR_MALFORMED_SYNCML).
 */
export function parseSyncml(text: string): SyncMessage {
  guardMessage(text);
  const names: string[] = [];
  const tree = parseXml(text, names);
  return new ModelReader(names, text).message(tree);
}

/** Parses with xml2js; element keys are ordinals into `names`. */
function parseXml(text: string, names: string[]): XmlObject {
  const parser = new Parser({
    async: false,
    explicitArray: false,
    ignoreAttrs: true,
    tagNameProcessors: [(name: string) => String(names.push(name) - 1)],
  });
  let result: unknown;
  let failure: unknown;
  let called = false;
  try {
    parser.parseString(text, (err: Error | null, r: unknown) => {
      if (called) return;
      called = true;
      if (err) failure = err;
      else result = r;
    });
  } catch (e) {
    failure = e;
  }
  if (failure !== undefined || !called || result === null || typeof result !== 'object') {
    const why = failure instanceof Error ? failure.message.split('\n')[0] : 'no document';
    throw new MalformedSyncmlError('LAPS_ERR_MALFORMED_SYNCML', `SyncML message is not well-formed XML: ${why}`, text, { cause: failure });
  }
  return result as XmlObject;
}

/** Text content of an element (its character data when it also has children). */
function textOf(v: XmlValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  const t = v['_'];
  return typeof t === 'string' ? t : '';
}

function notSyncml(text: string, why: string): MalformedSyncmlError {
  return new MalformedSyncmlError('LAPS_ERR_SYNCML_NOT_SYNCML', `not a SyncML message: ${why}`, text);
}

function cmdIdOf(v: XmlValue | undefined): CmdId | undefined {
  const t = textOf(v);
  return t === undefined || t.trim() === '' ? undefined : (t as CmdId);
}

/** Walks the xml2js tree into the message model; `names[key]` is the element name of a key. */
class ModelReader {
  readonly #names: readonly string[];
  readonly #text: string;

  constructor(names: readonly string[], text: string) {
    this.#names = names;
    this.#text = text;
  }

  /** The element name of a key; undefined for character data (`_`). */
  #name(key: string): string | undefined {
    return this.#names[key as unknown as number];
  }

  message(tree: XmlObject): SyncMessage {
    let rootName: string | undefined;
    let root: XmlValue | undefined;
    for (const key in tree) {
      rootName = this.#name(key);
      root = tree[key];
      break;
    }
    if (rootName !== 'SyncML') throw notSyncml(this.#text, `the root element is <${rootName ?? ''}>, not <SyncML>`);
    let hdr: XmlObject | undefined;
    let body: XmlValue | undefined;
    if (typeof root === 'object') {
      for (const key in root) {
        const name = this.#name(key);
        if (name === 'SyncHdr') {
          if (hdr !== undefined) throw notSyncml(this.#text, 'more than one <SyncHdr>');
          const v = root[key]!;
          hdr = typeof v === 'object' ? v : {};
        } else if (name === 'SyncBody') {
          if (body !== undefined) throw notSyncml(this.#text, 'more than one <SyncBody>');
          body = root[key]!;
        }
      }
    }
    if (hdr === undefined) throw notSyncml(this.#text, 'no <SyncHdr>');
    if (body === undefined) throw notSyncml(this.#text, 'no <SyncBody>');
    const header = this.#header(hdr);
    const elements: BodyElement[] = [];
    let final = false;
    if (typeof body === 'object') {
      for (const key in body) {
        const name = this.#name(key);
        if (name === undefined) continue;
        if (name === 'Final') final = true;
        else elements.push(this.#element(name, body[key]!));
      }
    }
    return { header, body: elements, final };
  }

  #header(h: XmlObject): SyncHdr {
    let verDtd = '';
    let verProto = '';
    let sessionId: string | undefined;
    let msgId: string | undefined;
    let target: Location | undefined;
    let source: Location | undefined;
    let respUri: string | undefined;
    let meta: Meta | undefined;
    for (const key in h) {
      const v = h[key]!;
      switch (this.#name(key)) {
        case 'VerDTD': verDtd = textOf(v)!.trim(); break;
        case 'VerProto': verProto = textOf(v)!.trim(); break;
        case 'SessionID': sessionId ??= textOf(v); break;
        case 'MsgID': msgId ??= textOf(v); break;
        case 'Target': target ??= this.#location(v); break;
        case 'Source': source ??= this.#location(v); break;
        case 'RespURI': respUri ??= textOf(v); break;
        case 'Meta': meta ??= this.#meta(v); break;
        default: break;
      }
    }
    if (msgId === undefined || msgId.trim() === '') {
      throw new MalformedSyncmlError('LAPS_ERR_MALFORMED_SYNCML', 'SyncHdr has no MsgID: the message cannot be answered', this.#text);
    }
    if (sessionId === undefined || sessionId.trim() === '') {
      throw new MalformedSyncmlError('LAPS_ERR_MALFORMED_SYNCML', 'SyncHdr has no SessionID: the message cannot be answered', this.#text);
    }
    return { verDtd, verProto, sessionId, msgId, target, source, respUri, meta };
  }

  #element(name: string, v: XmlValue): BodyElement {
    if (ITEM_COMMANDS.has(name)) return this.#itemCommand(name as ItemCommandName, v);
    if (CONTAINERS.has(name)) return this.#container(name as ContainerCommandName, v);
    if (name === 'Alert') return this.#alert(v);
    if (name === 'Status') return this.#status(v);
    if (name === 'Results') return this.#results(v);
    let cmdId: CmdId | undefined;
    if (typeof v === 'object') {
      for (const key in v) {
        if (this.#name(key) === 'CmdID') {
          cmdId = cmdIdOf(v[key]);
          break;
        }
      }
    }
    return { kind: 'Unknown', name, cmdId };
  }

  #itemCommand(kind: ItemCommandName, v: XmlValue): BodyElement {
    let cmdId: CmdId | undefined;
    let meta: Meta | undefined;
    const items: Item[] = [];
    if (typeof v === 'object') {
      for (const key in v) {
        const c = v[key]!;
        switch (this.#name(key)) {
          case 'CmdID': cmdId ??= cmdIdOf(c); break;
          case 'Meta': meta ??= this.#meta(c); break;
          case 'Item': items.push(this.#item(c)); break;
          default: break;
        }
      }
    }
    return { kind, cmdId, meta, items };
  }

  #container(kind: ContainerCommandName, v: XmlValue): BodyElement {
    let cmdId: CmdId | undefined;
    let meta: Meta | undefined;
    const children: BodyElement[] = [];
    if (typeof v === 'object') {
      for (const key in v) {
        const name = this.#name(key);
        const c = v[key]!;
        if (name === undefined || name === 'NoResp') continue;
        if (name === 'CmdID') cmdId ??= cmdIdOf(c);
        else if (name === 'Meta') meta ??= this.#meta(c);
        else children.push(this.#element(name, c));
      }
    }
    return { kind, cmdId, meta, children };
  }

  #alert(v: XmlValue): AlertCommand {
    let cmdId: CmdId | undefined;
    let data: string | undefined;
    const items: Item[] = [];
    if (typeof v === 'object') {
      for (const key in v) {
        const c = v[key]!;
        switch (this.#name(key)) {
          case 'CmdID': cmdId ??= cmdIdOf(c); break;
          case 'Data': data ??= textOf(c); break;
          case 'Item': items.push(this.#item(c)); break;
          default: break;
        }
      }
    }
    return { kind: 'Alert', cmdId, data, items };
  }

  #status(v: XmlValue): StatusCommand {
    let cmdId: CmdId | undefined;
    let msgRef = '';
    let cmdRef = '';
    let cmd = '';
    let data = '';
    const targetRefs: string[] = [];
    const sourceRefs: string[] = [];
    const items: Item[] = [];
    if (typeof v === 'object') {
      for (const key in v) {
        const c = v[key]!;
        switch (this.#name(key)) {
          case 'CmdID': cmdId ??= cmdIdOf(c); break;
          case 'MsgRef': msgRef = textOf(c)!; break;
          case 'CmdRef': cmdRef = textOf(c)!; break;
          case 'Cmd': cmd = textOf(c)!; break;
          case 'TargetRef': targetRefs.push(textOf(c)!); break;
          case 'SourceRef': sourceRefs.push(textOf(c)!); break;
          case 'Item': items.push(this.#item(c)); break;
          case 'Data': data = textOf(c)!; break;
          default: break;
        }
      }
    }
    return { kind: 'Status', cmdId, msgRef, cmdRef, cmd, targetRefs, sourceRefs, items, data };
  }

  #results(v: XmlValue): ResultsCommand {
    let cmdId: CmdId | undefined;
    let msgRef: string | undefined;
    let cmdRef = '';
    let meta: Meta | undefined;
    const items: Item[] = [];
    if (typeof v === 'object') {
      for (const key in v) {
        const c = v[key]!;
        switch (this.#name(key)) {
          case 'CmdID': cmdId ??= cmdIdOf(c); break;
          case 'MsgRef': msgRef = textOf(c); break;
          case 'CmdRef': cmdRef = textOf(c)!; break;
          case 'Meta': meta ??= this.#meta(c); break;
          case 'Item': items.push(this.#item(c)); break;
          default: break;
        }
      }
    }
    return { kind: 'Results', cmdId, msgRef, cmdRef, meta, items };
  }

  #item(v: XmlValue): Item {
    let target: Location | undefined;
    let source: Location | undefined;
    let meta: Meta | undefined;
    let data: string | undefined;
    let moreData: boolean | undefined;
    if (typeof v === 'object') {
      for (const key in v) {
        const c = v[key]!;
        switch (this.#name(key)) {
          case 'Target': target ??= this.#location(c); break;
          case 'Source': source ??= this.#location(c); break;
          case 'Meta': meta ??= this.#meta(c); break;
          case 'Data': data ??= textOf(c); break;
          case 'MoreData': moreData = true; break;
          default: break;
        }
      }
    }
    return { target, source, meta, data, moreData };
  }

  #location(v: XmlValue): Location | undefined {
    if (typeof v !== 'object') return undefined;
    let locUri: string | undefined;
    let locName: string | undefined;
    for (const key in v) {
      const name = this.#name(key);
      if (name === 'LocURI') locUri ??= textOf(v[key]);
      else if (name === 'LocName') locName ??= textOf(v[key]);
    }
    return locUri === undefined ? undefined : { locUri: locUri as LocUri, locName };
  }

  #meta(v: XmlValue): Meta | undefined {
    if (typeof v !== 'object') return undefined;
    let format: string | undefined;
    let type: string | undefined;
    let size: string | undefined;
    let nextNonce: string | undefined;
    let maxMsgSize: string | undefined;
    let maxObjSize: string | undefined;
    for (const key in v) {
      const name = this.#name(key);
      if (name === undefined) continue;
      const t = textOf(v[key])!.trim();
      switch (name) {
        case 'Format': format ??= t; break;
        case 'Type': type ??= t; break;
        case 'Size': size ??= t; break;
        case 'NextNonce': nextNonce ??= t; break;
        case 'MaxMsgSize': maxMsgSize ??= t; break;
        case 'MaxObjSize': maxObjSize ??= t; break;
        default: break;
      }
    }
    return { format, type, size, nextNonce, maxMsgSize, maxObjSize };
  }
}
