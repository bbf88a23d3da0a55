/**
 * SyncML 1.2 codec. Parsing: the pre-parse guards, then xml2js in synchronous mode, then a walk
 * into the message model. Writing: serializer.ts (string building, no xml2js Builder).
 *
 * Element order across different names matters (an Add, a Replace, then an Add again must be
 * answered in that order). xml2js groups children by name, so every element name is given a
 * per-parse ordinal suffix through `tagNameProcessors`: each element becomes its own key and
 * object key insertion order (guaranteed for non-index string keys) is document order. This
 * costs far less than `explicitChildren` + `preserveChildrenOrder`, which copies every node.
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

/** Separates an element name from its ordinal; cannot occur in an XML name. */
const SEP = '\u0001';

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
  const tree = parseXml(text);
  return toMessage(tree, text);
}

function parseXml(text: string): XmlObject {
  let ordinal = 0;
  const parser = new Parser({
    async: false,
    explicitArray: false,
    ignoreAttrs: true,
    tagNameProcessors: [(name: string) => name + SEP + ordinal++],
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

function nameOf(key: string): string {
  const i = key.indexOf(SEP);
  return i < 0 ? key : key.slice(0, i);
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

function toMessage(tree: XmlObject, text: string): SyncMessage {
  let rootName = '';
  let root: XmlValue | undefined;
  for (const key in tree) {
    rootName = nameOf(key);
    root = tree[key];
    break;
  }
  if (rootName !== 'SyncML') throw notSyncml(text, `the root element is <${rootName}>, not <SyncML>`);
  let hdr: XmlObject | undefined;
  let body: XmlValue | undefined;
  if (typeof root === 'object') {
    for (const key in root) {
      const name = nameOf(key);
      if (name === 'SyncHdr') {
        if (hdr !== undefined) throw notSyncml(text, 'more than one <SyncHdr>');
        const v = root[key]!;
        hdr = typeof v === 'object' ? v : {};
      } else if (name === 'SyncBody') {
        if (body !== undefined) throw notSyncml(text, 'more than one <SyncBody>');
        body = root[key]!;
      }
    }
  }
  if (hdr === undefined) throw notSyncml(text, 'no <SyncHdr>');
  if (body === undefined) throw notSyncml(text, 'no <SyncBody>');
  const header = toHeader(hdr, text);
  const elements: BodyElement[] = [];
  let final = false;
  if (typeof body === 'object') {
    for (const key in body) {
      if (key === '_') continue;
      const name = nameOf(key);
      if (name === 'Final') final = true;
      else elements.push(toElement(name, body[key]!));
    }
  }
  return { header, body: elements, final };
}

function toHeader(h: XmlObject, text: string): SyncHdr {
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
    switch (nameOf(key)) {
      case 'VerDTD': verDtd = textOf(v)!.trim(); break;
      case 'VerProto': verProto = textOf(v)!.trim(); break;
      case 'SessionID': sessionId ??= textOf(v); break;
      case 'MsgID': msgId ??= textOf(v); break;
      case 'Target': target ??= toLocation(v); break;
      case 'Source': source ??= toLocation(v); break;
      case 'RespURI': respUri ??= textOf(v); break;
      case 'Meta': meta ??= toMeta(v); break;
      default: break;
    }
  }
  if (msgId === undefined || msgId.trim() === '') {
    throw new MalformedSyncmlError('LAPS_ERR_MALFORMED_SYNCML', 'SyncHdr has no MsgID: the message cannot be answered', text);
  }
  if (sessionId === undefined || sessionId.trim() === '') {
    throw new MalformedSyncmlError('LAPS_ERR_MALFORMED_SYNCML', 'SyncHdr has no SessionID: the message cannot be answered', text);
  }
  return { verDtd, verProto, sessionId, msgId, target, source, respUri, meta };
}

function cmdIdOf(v: XmlValue | undefined): CmdId | undefined {
  const t = textOf(v);
  return t === undefined || t.trim() === '' ? undefined : (t as CmdId);
}

function toElement(name: string, v: XmlValue): BodyElement {
  if (ITEM_COMMANDS.has(name)) return toItemCommand(name as ItemCommandName, v);
  if (CONTAINERS.has(name)) return toContainer(name as ContainerCommandName, v);
  if (name === 'Alert') return toAlert(v);
  if (name === 'Status') return toStatus(v);
  if (name === 'Results') return toResults(v);
  let cmdId: CmdId | undefined;
  if (typeof v === 'object') {
    for (const key in v) {
      if (nameOf(key) === 'CmdID') {
        cmdId = cmdIdOf(v[key]);
        break;
      }
    }
  }
  return { kind: 'Unknown', name, cmdId };
}

function toItemCommand(kind: ItemCommandName, v: XmlValue): BodyElement {
  let cmdId: CmdId | undefined;
  let meta: Meta | undefined;
  const items: Item[] = [];
  if (typeof v === 'object') {
    for (const key in v) {
      const c = v[key]!;
      switch (nameOf(key)) {
        case 'CmdID': cmdId ??= cmdIdOf(c); break;
        case 'Meta': meta ??= toMeta(c); break;
        case 'Item': items.push(toItem(c)); break;
        default: break;
      }
    }
  }
  return { kind, cmdId, meta, items };
}

function toContainer(kind: ContainerCommandName, v: XmlValue): BodyElement {
  let cmdId: CmdId | undefined;
  let meta: Meta | undefined;
  const children: BodyElement[] = [];
  if (typeof v === 'object') {
    for (const key in v) {
      if (key === '_') continue;
      const name = nameOf(key);
      const c = v[key]!;
      if (name === 'CmdID') cmdId ??= cmdIdOf(c);
      else if (name === 'Meta') meta ??= toMeta(c);
      else if (name === 'NoResp') continue;
      else children.push(toElement(name, c));
    }
  }
  return { kind, cmdId, meta, children };
}

function toAlert(v: XmlValue): AlertCommand {
  let cmdId: CmdId | undefined;
  let data: string | undefined;
  const items: Item[] = [];
  if (typeof v === 'object') {
    for (const key in v) {
      const c = v[key]!;
      switch (nameOf(key)) {
        case 'CmdID': cmdId ??= cmdIdOf(c); break;
        case 'Data': data ??= textOf(c); break;
        case 'Item': items.push(toItem(c)); break;
        default: break;
      }
    }
  }
  return { kind: 'Alert', cmdId, data, items };
}

function toStatus(v: XmlValue): StatusCommand {
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
      switch (nameOf(key)) {
        case 'CmdID': cmdId ??= cmdIdOf(c); break;
        case 'MsgRef': msgRef = textOf(c)!; break;
        case 'CmdRef': cmdRef = textOf(c)!; break;
        case 'Cmd': cmd = textOf(c)!; break;
        case 'TargetRef': targetRefs.push(textOf(c)!); break;
        case 'SourceRef': sourceRefs.push(textOf(c)!); break;
        case 'Item': items.push(toItem(c)); break;
        case 'Data': data = textOf(c)!; break;
        default: break;
      }
    }
  }
  return { kind: 'Status', cmdId, msgRef, cmdRef, cmd, targetRefs, sourceRefs, items, data };
}

function toResults(v: XmlValue): ResultsCommand {
  let cmdId: CmdId | undefined;
  let msgRef: string | undefined;
  let cmdRef = '';
  let meta: Meta | undefined;
  const items: Item[] = [];
  if (typeof v === 'object') {
    for (const key in v) {
      const c = v[key]!;
      switch (nameOf(key)) {
        case 'CmdID': cmdId ??= cmdIdOf(c); break;
        case 'MsgRef': msgRef = textOf(c); break;
        case 'CmdRef': cmdRef = textOf(c)!; break;
        case 'Meta': meta ??= toMeta(c); break;
        case 'Item': items.push(toItem(c)); break;
        default: break;
      }
    }
  }
  return { kind: 'Results', cmdId, msgRef, cmdRef, meta, items };
}

function toItem(v: XmlValue): Item {
  let target: Location | undefined;
  let source: Location | undefined;
  let meta: Meta | undefined;
  let data: string | undefined;
  let moreData: boolean | undefined;
  if (typeof v === 'object') {
    for (const key in v) {
      const c = v[key]!;
      switch (nameOf(key)) {
        case 'Target': target ??= toLocation(c); break;
        case 'Source': source ??= toLocation(c); break;
        case 'Meta': meta ??= toMeta(c); break;
        case 'Data': data ??= textOf(c); break;
        case 'MoreData': moreData = true; break;
        default: break;
      }
    }
  }
  return { target, source, meta, data, moreData };
}

function toLocation(v: XmlValue): Location | undefined {
  if (typeof v !== 'object') return undefined;
  let locUri: string | undefined;
  let locName: string | undefined;
  for (const key in v) {
    const name = nameOf(key);
    if (name === 'LocURI') locUri ??= textOf(v[key]);
    else if (name === 'LocName') locName ??= textOf(v[key]);
  }
  return locUri === undefined ? undefined : { locUri: locUri as LocUri, locName };
}

function toMeta(v: XmlValue): Meta | undefined {
  if (typeof v !== 'object') return undefined;
  let format: string | undefined;
  let type: string | undefined;
  let size: string | undefined;
  let nextNonce: string | undefined;
  let maxMsgSize: string | undefined;
  let maxObjSize: string | undefined;
  for (const key in v) {
    const t = textOf(v[key])!.trim();
    switch (nameOf(key)) {
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
