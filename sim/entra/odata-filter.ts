/**
 * The subset of OData v4 `$filter` that Graph clients send for deviceLocalCredentials and
 * directoryAudits: comparisons (eq ne gt ge lt le), and/or/not, parentheses, startswith /
 * endswith / contains, property paths (`initiatedBy/user/userPrincipalName`) and the `any`
 * lambda (`targetResources/any(t: t/id eq '...')`). Literals: 'strings' ('' escapes a quote),
 * numbers, true/false/null, unquoted DateTimeOffsets and GUIDs. String comparison ignores case,
 * as Graph's directory does. A query it cannot parse is a FilterError (Graph answers 400).
 * See https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html#sec_SystemQueryOptionfilter
 */

/** A $filter the parser cannot read. */
export class FilterError extends Error {}

type Node =
  | { readonly t: 'lit'; readonly v: string | number | boolean | null; readonly date: number | undefined }
  | { readonly t: 'path'; readonly segs: readonly string[] }
  | { readonly t: 'cmp'; readonly op: string; readonly l: Node; readonly r: Node }
  | { readonly t: 'and' | 'or'; readonly l: Node; readonly r: Node }
  | { readonly t: 'not'; readonly e: Node }
  | { readonly t: 'fn'; readonly name: string; readonly args: readonly Node[] }
  | { readonly t: 'any' | 'all'; readonly segs: readonly string[]; readonly v: string; readonly e: Node };

/** A compiled filter: true when the object matches. */
export type Filter = (obj: unknown) => boolean;

/** Longest $filter accepted, and deepest nesting (keeps parsing bounded). */
export const MAX_FILTER_LENGTH = 2000;
const MAX_DEPTH = 32;

const CMP = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FNS: Record<string, number> = { startswith: 2, endswith: 2, contains: 2, tolower: 1, toupper: 1 };
const TOKEN = new RegExp(
  [
    "'(?:[^']|'')*'", // string
    '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,7})?)?(?:Z|[+-]\\d{2}:\\d{2})', // DateTimeOffset
    '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', // GUID
    '-?\\d+(?:\\.\\d+)?', // number
    '[A-Za-z_@$][A-Za-z0-9_.@$]*', // identifier
    '[()/,:]',
  ].map((p) => `(${p})`).join('|'),
  'y',
);

interface Tok { readonly kind: 'str' | 'date' | 'guid' | 'num' | 'id' | 'punct'; readonly text: string }

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    if (/\s/.test(src[i]!)) {
      i++;
      continue;
    }
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new FilterError(`Syntax error at position ${i} in '${src.slice(0, 100)}'.`);
    const kinds = ['str', 'date', 'guid', 'num', 'id', 'punct'] as const;
    const idx = m.slice(1).findIndex((g) => g !== undefined);
    out.push({ kind: kinds[idx]!, text: m[0] });
    i += m[0].length;
  }
  return out;
}

class Parser {
  #pos = 0;
  #depth = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): Node {
    const n = this.#or();
    if (this.#pos < this.toks.length) throw new FilterError(`Syntax error: unexpected '${this.toks[this.#pos]!.text}'.`);
    return n;
  }

  #peek(): Tok | undefined {
    return this.toks[this.#pos];
  }

  #word(w: string): boolean {
    const t = this.#peek();
    if (t?.kind === 'id' && t.text.toLowerCase() === w) {
      this.#pos++;
      return true;
    }
    return false;
  }

  #punct(p: string): void {
    const t = this.toks[this.#pos++];
    if (t?.text !== p) throw new FilterError(`Syntax error: expected '${p}'${t ? ` but found '${t.text}'` : ' at the end'}.`);
  }

  #nest<T>(fn: () => T): T {
    if (++this.#depth > MAX_DEPTH) throw new FilterError('The filter nests too deeply.');
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  #or(): Node {
    let l = this.#and();
    while (this.#word('or')) l = { t: 'or', l, r: this.#and() };
    return l;
  }

  #and(): Node {
    let l = this.#not();
    while (this.#word('and')) l = { t: 'and', l, r: this.#not() };
    return l;
  }

  #not(): Node {
    return this.#nest(() => (this.#word('not') ? { t: 'not', e: this.#not() } : this.#cmp()));
  }

  #cmp(): Node {
    const l = this.#primary();
    const t = this.#peek();
    if (t?.kind === 'id' && CMP.has(t.text.toLowerCase())) {
      this.#pos++;
      return { t: 'cmp', op: t.text.toLowerCase(), l, r: this.#primary() };
    }
    return l;
  }

  #primary(): Node {
    const t = this.toks[this.#pos++];
    if (!t) throw new FilterError('Syntax error: the filter ends too early.');
    if (t.text === '(') {
      const e = this.#nest(() => this.#or());
      this.#punct(')');
      return e;
    }
    switch (t.kind) {
      case 'str': return { t: 'lit', v: t.text.slice(1, -1).replace(/''/g, "'"), date: undefined };
      case 'date': return { t: 'lit', v: t.text, date: Date.parse(t.text) };
      case 'guid': return { t: 'lit', v: t.text, date: undefined };
      case 'num': return { t: 'lit', v: Number(t.text), date: undefined };
      case 'punct': throw new FilterError(`Syntax error: unexpected '${t.text}'.`);
      default: break;
    }
    const word = t.text.toLowerCase();
    if (word === 'true' || word === 'false') return { t: 'lit', v: word === 'true', date: undefined };
    if (word === 'null') return { t: 'lit', v: null, date: undefined };
    if (this.#peek()?.text === '(' && word in FNS) {
      this.#pos++;
      const args: Node[] = [this.#nest(() => this.#or())];
      while (this.#peek()?.text === ',') {
        this.#pos++;
        args.push(this.#nest(() => this.#or()));
      }
      this.#punct(')');
      if (args.length !== FNS[word]) throw new FilterError(`The function '${word}' takes ${FNS[word]} arguments.`);
      return { t: 'fn', name: word, args };
    }
    return this.#path(t.text);
  }

  #path(first: string): Node {
    const segs = [first];
    while (this.#peek()?.text === '/') {
      this.#pos++;
      const seg = this.toks[this.#pos++];
      if (seg?.kind !== 'id') throw new FilterError('Syntax error: a property name must follow \'/\'.');
      const lower = seg.text.toLowerCase();
      if ((lower === 'any' || lower === 'all') && this.#peek()?.text === '(') {
        this.#pos++;
        const v = this.toks[this.#pos++];
        if (v?.kind !== 'id') throw new FilterError(`Syntax error: '${lower}' needs a range variable.`);
        this.#punct(':');
        const e = this.#nest(() => this.#or());
        this.#punct(')');
        return { t: lower, segs, v: v.text, e };
      }
      segs.push(seg.text);
    }
    return { t: 'path', segs };
  }
}

/** Parses a `$filter` value. @throws FilterError */
export function compileFilter(src: string): Filter {
  if (src.length > MAX_FILTER_LENGTH) throw new FilterError(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const node = new Parser(tokenize(src)).parse();
  return (obj) => truthy(evaluate(node, { $it: obj }, obj));
}

type Scope = Readonly<Record<string, unknown>>;

function lookup(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const rec = obj as Record<string, unknown>;
  if (Object.hasOwn(rec, key)) return rec[key];
  const lower = key.toLowerCase();
  const found = Object.keys(rec).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : rec[found];
}

function resolvePath(segs: readonly string[], scope: Scope, it: unknown): unknown {
  let cur: unknown = Object.hasOwn(scope, segs[0]!) ? scope[segs[0]!] : lookup(it, segs[0]!);
  for (const s of segs.slice(1)) cur = lookup(cur, s);
  return cur;
}

function truthy(v: unknown): boolean {
  return v === true;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function evaluate(n: Node, scope: Scope, it: unknown): unknown {
  switch (n.t) {
    case 'lit': return n.v;
    case 'path': return resolvePath(n.segs, scope, it);
    case 'and': return truthy(evaluate(n.l, scope, it)) && truthy(evaluate(n.r, scope, it));
    case 'or': return truthy(evaluate(n.l, scope, it)) || truthy(evaluate(n.r, scope, it));
    case 'not': return !truthy(evaluate(n.e, scope, it));
    case 'cmp': return compare(n.op, evaluate(n.l, scope, it), evaluate(n.r, scope, it), n.l.t === 'lit' ? n.l.date : n.r.t === 'lit' ? n.r.date : undefined);
    case 'fn': {
      const args = n.args.map((a) => evaluate(a, scope, it));
      const a = text(args[0])?.toLowerCase();
      if (n.name === 'tolower') return a;
      if (n.name === 'toupper') return text(args[0])?.toUpperCase();
      const b = text(args[1])?.toLowerCase();
      if (a === undefined || b === undefined) return false;
      return n.name === 'startswith' ? a.startsWith(b) : n.name === 'endswith' ? a.endsWith(b) : a.includes(b);
    }
    case 'any':
    case 'all': {
      const list = resolvePath(n.segs, scope, it);
      if (!Array.isArray(list)) return n.t === 'all';
      const test = (x: unknown): boolean => truthy(evaluate(n.e, { ...scope, [n.v]: x }, it));
      return n.t === 'any' ? list.some(test) : list.every(test);
    }
  }
}

function compare(op: string, l: unknown, r: unknown, literalDate: number | undefined): boolean {
  let a: unknown = l;
  let b: unknown = r;
  if (literalDate !== undefined) {
    // A DateTimeOffset literal: compare instants, not text.
    a = typeof l === 'string' ? Date.parse(l) : l;
    b = typeof r === 'string' ? Date.parse(r) : r;
  } else if (typeof l === 'string' && typeof r === 'string') {
    a = l.toLowerCase();
    b = r.toLowerCase();
  }
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (op === 'eq') return a === b;
  if (op === 'ne') return a !== b;
  if (a === null || b === null || typeof a !== typeof b) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === 'gt' ? x > y : op === 'ge' ? x >= y : op === 'lt' ? x < y : x <= y;
}
