/**
 * Writes the SyncML message model as XML text by hand (string building, no xml2js Builder: the
 * reply is on the hot path of every session). Element order follows the OMA DTD
 * (OMA-TS-SyncML_RepPro 1.2): Status is CmdID, MsgRef, CmdRef, Cmd, TargetRef*, SourceRef*,
 * Item*, Data; Results is CmdID, MsgRef, CmdRef, Meta, Item+.
 */
import type { BodyElement, Item, Location, Meta, StatusCommand, SyncHdr, SyncMessage } from './types.js';

export interface SerializeOptions {
  /**
   * Spaces per level of the line layout: SyncHdr, SyncBody and each command on a line of its own
   * (children of Atomic and Sequence indented one level more). 0, the default, writes one line
   * with no whitespace between elements.
   */
  readonly indent?: number;
}

const SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const SPECIAL_ALL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function replaceSpecial(ch: string): string {
  switch (ch) {
    case '&': return '&amp;';
    case '<': return '&lt;';
    case '>': return '&gt;';
    // Kept as a reference so that a reader's line-end normalisation does not turn it into \n.
    case '\r': return '&#13;';
    // Characters XML 1.0 cannot carry at all, not even as references.
    default: return '\uFFFD';
  }
}

/** Escapes character data for an element body. */
export function escapeXml(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, replaceSpecial) : s;
}

const METINF = ' xmlns="syncml:metinf"';

class Writer {
  out = '';
  readonly #indent: number;

  constructor(indent: number) {
    this.#indent = indent;
  }

  /** Starts a new line at this depth (line layout only). */
  line(depth: number): void {
    if (this.#indent > 0 && this.out.length > 0) this.out += '\n' + ' '.repeat(depth * this.#indent);
  }

  leaf(name: string, text: string, attrs = ''): void {
    this.out += `<${name}${attrs}>${escapeXml(text)}</${name}>`;
  }

  location(name: string, loc: Location): void {
    this.out += `<${name}>`;
    this.leaf('LocURI', loc.locUri);
    if (loc.locName !== undefined) this.leaf('LocName', loc.locName);
    this.out += `</${name}>`;
  }

  meta(m: Meta): void {
    this.out += '<Meta>';
    if (m.format !== undefined) this.leaf('Format', m.format, METINF);
    if (m.type !== undefined) this.leaf('Type', m.type, METINF);
    if (m.size !== undefined) this.leaf('Size', m.size, METINF);
    if (m.nextNonce !== undefined) this.leaf('NextNonce', m.nextNonce, METINF);
    if (m.maxMsgSize !== undefined) this.leaf('MaxMsgSize', m.maxMsgSize, METINF);
    if (m.maxObjSize !== undefined) this.leaf('MaxObjSize', m.maxObjSize, METINF);
    this.out += '</Meta>';
  }

  item(it: Item): void {
    this.out += '<Item>';
    if (it.target !== undefined) this.location('Target', it.target);
    if (it.source !== undefined) this.location('Source', it.source);
    if (it.meta !== undefined) this.meta(it.meta);
    if (it.data !== undefined) this.leaf('Data', it.data);
    if (it.moreData === true) this.out += '<MoreData/>';
    this.out += '</Item>';
  }

  header(h: SyncHdr): void {
    this.out += '<SyncHdr>';
    this.leaf('VerDTD', h.verDtd);
    this.leaf('VerProto', h.verProto);
    this.leaf('SessionID', h.sessionId);
    this.leaf('MsgID', h.msgId);
    if (h.target !== undefined) this.location('Target', h.target);
    if (h.source !== undefined) this.location('Source', h.source);
    if (h.respUri !== undefined) this.leaf('RespURI', h.respUri);
    if (h.meta !== undefined) this.meta(h.meta);
    this.out += '</SyncHdr>';
  }

  status(s: StatusCommand): void {
    this.out += '<Status>';
    if (s.cmdId !== undefined) this.leaf('CmdID', s.cmdId);
    this.leaf('MsgRef', s.msgRef);
    this.leaf('CmdRef', s.cmdRef);
    this.leaf('Cmd', s.cmd);
    for (const r of s.targetRefs) this.leaf('TargetRef', r);
    for (const r of s.sourceRefs) this.leaf('SourceRef', r);
    for (const it of s.items) this.item(it);
    this.leaf('Data', s.data);
    this.out += '</Status>';
  }

  element(e: BodyElement, depth: number): void {
    this.line(depth);
    switch (e.kind) {
      case 'Status':
        this.status(e);
        return;
      case 'Results':
        this.out += '<Results>';
        if (e.cmdId !== undefined) this.leaf('CmdID', e.cmdId);
        if (e.msgRef !== undefined) this.leaf('MsgRef', e.msgRef);
        this.leaf('CmdRef', e.cmdRef);
        if (e.meta !== undefined) this.meta(e.meta);
        for (const it of e.items) this.item(it);
        this.out += '</Results>';
        return;
      case 'Alert':
        this.out += '<Alert>';
        if (e.cmdId !== undefined) this.leaf('CmdID', e.cmdId);
        if (e.data !== undefined) this.leaf('Data', e.data);
        for (const it of e.items) this.item(it);
        this.out += '</Alert>';
        return;
      case 'Atomic':
      case 'Sequence':
        this.out += `<${e.kind}>`;
        if (e.cmdId !== undefined) this.leaf('CmdID', e.cmdId);
        if (e.meta !== undefined) this.meta(e.meta);
        for (const c of e.children) this.element(c, depth + 1);
        this.line(depth);
        this.out += `</${e.kind}>`;
        return;
      case 'Unknown':
        this.out += `<${e.name}>`;
        if (e.cmdId !== undefined) this.leaf('CmdID', e.cmdId);
        this.out += `</${e.name}>`;
        return;
      default:
        this.out += `<${e.kind}>`;
        if (e.cmdId !== undefined) this.leaf('CmdID', e.cmdId);
        if (e.meta !== undefined) this.meta(e.meta);
        for (const it of e.items) this.item(it);
        this.out += `</${e.kind}>`;
    }
  }
}

/** Writes a SyncML message (`<SyncML xmlns="SYNCML:SYNCML1.2">`). */
export function serializeSyncml(msg: SyncMessage, opts: SerializeOptions = {}): string {
  const w = new Writer(opts.indent ?? 0);
  w.out = '<SyncML xmlns="SYNCML:SYNCML1.2">';
  w.line(1);
  w.header(msg.header);
  w.line(1);
  w.out += '<SyncBody>';
  for (const e of msg.body) w.element(e, 2);
  if (msg.final) {
    w.line(2);
    w.out += '<Final/>';
  }
  w.line(1);
  w.out += '</SyncBody>';
  w.line(0);
  w.out += '</SyncML>';
  if ((opts.indent ?? 0) > 0) w.out += '\n';
  return w.out;
}
