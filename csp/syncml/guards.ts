/**
 * Pre-parse guards: fast linear scans that refuse hostile or oversized input before xml2js sees
 * it. No DOCTYPE or entity declaration is ever parsed, so no entity can be expanded (billion
 * laughs, external entities); sax then decodes only the five predefined entities and numeric
 * character references.
 */
import { MalformedSyncmlError } from '../../core/errors.js';

/** Largest accepted message, in UTF-8 bytes (1 MiB). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Deepest accepted element nesting (SyncML is 1). A LAPS Atomic needs 7. */
export const MAX_DEPTH = 32;

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

const DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;

/** UTF-8 length of a string, without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Refuses a message that is too large, declares a DOCTYPE or entity, nests deeper than
 * MAX_DEPTH, has several roots or text outside the root.
 * @throws MalformedSyncmlError with LAPS_ERR_SYNCML_TOO_LARGE, LAPS_ERR_SYNCML_DOCTYPE,
 *   LAPS_ERR_SYNCML_TOO_DEEP or LAPS_ERR_MALFORMED_SYNCML.
 */
export function guardMessage(text: string): void {
  // A UTF-16 unit is at least one UTF-8 byte and at most three.
  if (text.length > MAX_MESSAGE_BYTES || (text.length * 3 > MAX_MESSAGE_BYTES && utf8Length(text) > MAX_MESSAGE_BYTES)) {
    throw new MalformedSyncmlError('LAPS_ERR_SYNCML_TOO_LARGE', `SyncML message is larger than ${MAX_MESSAGE_BYTES} bytes`, text);
  }
  if (DECLARATION.test(text)) throw doctype(text);
  scanStructure(text);
}

function doctype(text: string): MalformedSyncmlError {
  return new MalformedSyncmlError('LAPS_ERR_SYNCML_DOCTYPE', 'SyncML message has a DOCTYPE or entity declaration; these are refused', text);
}

function malformed(text: string, why: string): MalformedSyncmlError {
  return new MalformedSyncmlError('LAPS_ERR_MALFORMED_SYNCML', `SyncML message is not well-formed XML: ${why}`, text);
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    // space, tab, CR, LF, and a byte-order mark at the very start
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && !(c === 0xfeff && i === 0)) return false;
  }
  return true;
}

/** One pass over the markup: depth, single root, declarations outside comments and CDATA. */
function scanStructure(text: string): void {
  const len = text.length;
  let depth = 0;
  let rootSeen = false;
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? len : lt;
    if (depth === 0 && !isBlank(text, i, textEnd)) throw malformed(text, 'text outside the root element');
    if (lt < 0) break;
    const next = text.charCodeAt(lt + 1);
    if (next === BANG) {
      if (text.startsWith('<!--', lt)) i = skipPast(text, '-->', lt + 4, 'unterminated comment');
      else if (text.startsWith('<![CDATA[', lt)) {
        if (depth === 0) throw malformed(text, 'CDATA outside the root element');
        i = skipPast(text, ']]>', lt + 9, 'unterminated CDATA section');
      } else throw doctype(text);
    } else if (next === QUESTION) {
      i = skipPast(text, '?>', lt + 2, 'unterminated processing instruction');
    } else if (next === SLASH) {
      const gt = text.indexOf('>', lt + 2);
      if (gt < 0) throw malformed(text, 'unterminated end tag');
      depth--;
      if (depth < 0) throw malformed(text, 'end tag without a start tag');
      i = gt + 1;
    } else {
      if (depth === 0 && rootSeen) throw malformed(text, 'more than one root element');
      const gt = endOfTag(text, lt + 1, len);
      if (gt < 0) throw malformed(text, 'unterminated start tag');
      rootSeen = true;
      if (text.charCodeAt(gt - 1) !== SLASH) {
        depth++;
        if (depth > MAX_DEPTH) {
          throw new MalformedSyncmlError('LAPS_ERR_SYNCML_TOO_DEEP', `SyncML message nests elements deeper than ${MAX_DEPTH} levels`, text);
        }
      }
      i = gt + 1;
    }
  }
  if (!rootSeen) throw malformed(text, 'no root element');
  if (depth !== 0) throw malformed(text, 'unclosed element');
}

function skipPast(text: string, end: string, from: number, why: string): number {
  const at = text.indexOf(end, from);
  if (at < 0) throw malformed(text, why);
  return at + end.length;
}

/** Index of the `>` that closes a start tag, skipping quoted attribute values; -1 if none. */
function endOfTag(text: string, from: number, len: number): number {
  for (let j = from; j < len; j++) {
    const c = text.charCodeAt(j);
    if (c === GT) return j;
    if (c === DQUOTE || c === SQUOTE) {
      const q = text.indexOf(c === DQUOTE ? '"' : "'", j + 1);
      if (q < 0) return -1;
      j = q;
    } else if (c === LT) return -1;
  }
  return -1;
}
