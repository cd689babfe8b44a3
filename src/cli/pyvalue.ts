// Python values as the kernel's ynl tool (tools/net/ynl/pyynl/cli.py) holds
// them, and the two ways it prints them: `json.dumps(msg, cls=YnlEncoder)`
// for --output-json and `pprint.pprint(msg, width=term_width(), compact=True)`
// otherwise. Both printers are ports of CPython 3.11 (Lib/json/encoder.py,
// Lib/pprint.py), so that the same data prints the same text.

/** A Python value: None, bool, int, str, bytes, list, dict or set. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyDict | PySet;

/** A dict key: ynl uses str keys, and int keys for indexed-array items. */
export type PyKey = string | number;

/** A Python dict: insertion-ordered, keyed by str or int. */
export class PyDict {
  readonly entries = new Map<PyKey, PyValue>();

  /** Sets a key; an existing key keeps its position (as in Python). */
  set(key: PyKey, value: PyValue): this {
    this.entries.set(key, value);
    return this;
  }

  get(key: PyKey): PyValue | undefined {
    return this.entries.get(key);
  }

  has(key: PyKey): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Builds a dict from [key, value] pairs. */
  static of(pairs: Iterable<readonly [PyKey, PyValue]>): PyDict {
    const d = new PyDict();
    for (const [k, v] of pairs) d.set(k, v);
    return d;
  }
}

/** A Python set (ynl decodes flags into sets of names). */
export class PySet {
  constructor(readonly items: PyValue[]) {}
}

// ---- ordering -----------------------------------------------------------------

function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyDict) return 'dict';
  return 'set';
}

function compareNumbers(a: number | bigint | boolean, b: number | bigint | boolean): number {
  const x = typeof a === 'boolean' ? (a ? 1 : 0) : a;
  const y = typeof b === 'boolean' ? (b ? 1 : 0) : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares str by code point, as Python does (JS compares UTF-16 units). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

/**
 * The order of Python's sorted() for the values ynl produces (pprint's
 * _safe_key): numbers, strings and bytes among their own kind; values of
 * different types by type name (Python falls back to that, then to id()).
 */
export function pyCompare(a: PyValue, b: PyValue): number {
  const ta = typeName(a);
  const tb = typeName(b);
  const numeric = (t: string): boolean => t === 'int' || t === 'bool';
  if (numeric(ta) && numeric(tb)) return compareNumbers(a as number, b as number);
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === 'str') return compareStrings(a as string, b as string);
  if (ta === 'bytes') return compareBytes(a as Uint8Array, b as Uint8Array);
  if (ta === 'list') {
    const x = a as PyValue[];
    const y = b as PyValue[];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = pyCompare(x[i]!, y[i]!);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  return 0;
}

/** Python's sorted() of the values (a stable sort, like Python's). */
export function pySorted<T extends PyValue>(items: readonly T[]): T[] {
  return [...items].sort(pyCompare);
}

// ---- json.dumps ---------------------------------------------------------------

const JSON_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A JSON string as Python's json.dumps writes it (ensure_ascii: everything outside ' '..'~' escaped). */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && ch !== '"' && ch !== '\\') out += ch;
    else out += JSON_ESCAPES[ch] ?? `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out + '"';
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** bytes.hex(): lower-case hex digits, no separator. */
export function bytesHex(b: Uint8Array): string {
  let out = '';
  for (const x of b) out += HEX[x]!;
  return out;
}

function jsonKey(k: PyKey): string {
  return typeof k === 'number' ? `"${k}"` : jsonString(k);
}

/**
 * `json.dumps(value, cls=YnlEncoder)` of cli.py: bytes become hex strings,
 * sets sorted lists, int keys strings; separators ', ' and ': '.
 */
export function pyJson(v: PyValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return jsonString(v);
  if (v instanceof Uint8Array) return jsonString(bytesHex(v));
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (v instanceof PyDict) {
    const parts: string[] = [];
    for (const [k, x] of v.entries) parts.push(`${jsonKey(k)}: ${pyJson(x)}`);
    return `{${parts.join(', ')}}`;
  }
  return `[${pySorted(v.items).map(pyJson).join(', ')}]`;
}

// ---- repr ----------------------------------------------------------------------

/** Code points in a string (Python's len()). */
export function pyLen(s: string): number {
  if (!/[\ud800-\udfff]/.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// str.isprintable(): false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs (but ' ').
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** repr() of a str. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${HEX[c]!}`;
    else if (c < 0x7f) out += ch;
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) {
      out += c <= 0xff ? `\\x${HEX[c]!}` : c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** repr() of a bytes object. */
export function bytesRepr(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const x of b) {
    if (x === 0x27) hasSingle = true;
    else if (x === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = `b${String.fromCharCode(quote)}`;
  for (const x of b) {
    if (x === quote || x === 0x5c) out += `\\${String.fromCharCode(x)}`;
    else if (x === 0x09) out += '\\t';
    else if (x === 0x0a) out += '\\n';
    else if (x === 0x0d) out += '\\r';
    else if (x < 0x20 || x >= 0x7f) out += `\\x${HEX[x]!}`;
    else out += String.fromCharCode(x);
  }
  return out + String.fromCharCode(quote);
}

function keyRepr(k: PyKey): string {
  return typeof k === 'number' ? String(k) : strRepr(k);
}

function sortedItems(d: PyDict): Array<[PyKey, PyValue]> {
  return [...d.entries].sort((a, b) => pyCompare(a[0], b[0]));
}

/**
 * pprint's _safe_repr: repr() with dict keys sorted. Sets print sorted too
 * (Python prints a short set in hash order, which changes from run to run).
 */
export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return strRepr(v);
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof PyDict) {
    if (v.size === 0) return '{}';
    return `{${sortedItems(v)
      .map(([k, x]) => `${keyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  if (v.items.length === 0) return 'set()';
  return `{${pySorted(v.items).map(pyRepr).join(', ')}}`;
}

// ---- pprint ---------------------------------------------------------------------

/** str.splitlines(True). */
function splitLinesKeep(s: string): string[] {
  const out: string[] = [];
  const re = /[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])?/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < s.length && (m = re.exec(s)) !== null && m[0] !== '') out.push(m[0]);
  return out;
}

/** A port of pprint.PrettyPrinter(indent=1, width, compact=True, sort_dicts=True). */
class PrettyPrinter {
  private out = '';

  constructor(private readonly width: number) {}

  format(v: PyValue): string {
    this.out = '';
    this.fmt(v, 0, 0, 0);
    return this.out;
  }

  private fmt(v: PyValue, indent: number, allowance: number, level: number): void {
    const rep = pyRepr(v);
    const maxWidth = this.width - indent - allowance;
    if (pyLen(rep) > maxWidth) {
      if (v instanceof PyDict) return this.dict(v, indent, allowance, level + 1);
      if (Array.isArray(v)) return this.list(v, indent, allowance, level + 1);
      if (v instanceof PySet) return this.set(v, indent, allowance, level + 1);
      if (typeof v === 'string') return this.str(v, indent, allowance, level + 1);
      if (v instanceof Uint8Array) return this.bytes(v, indent, allowance, level + 1);
    }
    this.out += rep;
  }

  private dict(d: PyDict, indent: number, allowance: number, level: number): void {
    this.out += '{';
    if (d.size) this.dictItems(sortedItems(d), indent, allowance + 1, level);
    this.out += '}';
  }

  private dictItems(items: Array<[PyKey, PyValue]>, indent: number, allowance: number, level: number): void {
    indent += 1;
    const delimnl = `,\n${' '.repeat(indent)}`;
    const lastIndex = items.length - 1;
    items.forEach(([key, ent], i) => {
      const last = i === lastIndex;
      const rep = keyRepr(key);
      this.out += `${rep}: `;
      this.fmt(ent, indent + pyLen(rep) + 2, last ? allowance : 1, level);
      if (!last) this.out += delimnl;
    });
  }

  private list(l: PyValue[], indent: number, allowance: number, level: number): void {
    this.out += '[';
    this.items(l, indent, allowance + 1, level);
    this.out += ']';
  }

  private set(s: PySet, indent: number, allowance: number, level: number): void {
    if (s.items.length === 0) {
      this.out += 'set()';
      return;
    }
    this.out += '{';
    this.items(pySorted(s.items), indent, allowance + 1, level);
    this.out += '}';
  }

  private items(items: PyValue[], indent: number, allowance: number, level: number): void {
    indent += 1;
    const delimnl = `,\n${' '.repeat(indent)}`;
    let delim = '';
    let width = this.width - indent + 1;
    let maxWidth = width;
    for (let i = 0; i < items.length; i++) {
      const ent = items[i]!;
      const last = i === items.length - 1;
      if (last) {
        maxWidth -= allowance;
        width -= allowance;
      }
      // compact=True: as many items per line as fit.
      const rep = pyRepr(ent);
      const w = pyLen(rep) + 2;
      if (width < w) {
        width = maxWidth;
        if (delim) delim = delimnl;
      }
      if (width >= w) {
        width -= w;
        this.out += delim;
        delim = ', ';
        this.out += rep;
        continue;
      }
      this.out += delim;
      delim = delimnl;
      this.fmt(ent, indent, last ? allowance : 1, level);
    }
  }

  private str(s: string, indent: number, allowance: number, level: number): void {
    if (s.length === 0) {
      this.out += strRepr(s);
      return;
    }
    const chunks: string[] = [];
    const lines = splitLinesKeep(s);
    if (level === 1) {
      indent += 1;
      allowance += 1;
    }
    const maxWidth = this.width - indent;
    let maxWidth1 = maxWidth;
    let rep = '';
    lines.forEach((line, i) => {
      rep = strRepr(line);
      if (i === lines.length - 1) maxWidth1 -= allowance;
      if (pyLen(rep) <= maxWidth1) {
        chunks.push(rep);
        return;
      }
      // Alternating (non-space, space) parts, as re.findall(r'\S*\s*', line).
      const parts = line.match(/\S*\s*/g)!.filter((p) => p !== '');
      let maxWidth2 = maxWidth;
      let current = '';
      parts.forEach((part, j) => {
        const candidate = current + part;
        if (j === parts.length - 1 && i === lines.length - 1) maxWidth2 -= allowance;
        if (pyLen(strRepr(candidate)) > maxWidth2) {
          if (current) chunks.push(strRepr(current));
          current = part;
        } else current = candidate;
      });
      if (current) chunks.push(strRepr(current));
    });
    if (chunks.length === 1) {
      this.out += rep;
      return;
    }
    if (level === 1) this.out += '(';
    chunks.forEach((c, i) => {
      if (i > 0) this.out += `\n${' '.repeat(indent)}`;
      this.out += c;
    });
    if (level === 1) this.out += ')';
  }

  private bytes(b: Uint8Array, indent: number, allowance: number, level: number): void {
    if (b.length <= 4) {
      this.out += bytesRepr(b);
      return;
    }
    const parens = level === 1;
    if (parens) {
      indent += 1;
      allowance += 1;
      this.out += '(';
    }
    let delim = '';
    for (const rep of wrapBytesRepr(b, this.width - indent, allowance)) {
      this.out += delim + rep;
      if (!delim) delim = `\n${' '.repeat(indent)}`;
    }
    if (parens) this.out += ')';
  }
}

function* wrapBytesRepr(b: Uint8Array, width: number, allowance: number): Generator<string> {
  let current: Uint8Array = new Uint8Array(0);
  const last = Math.floor(b.length / 4) * 4;
  for (let i = 0; i < b.length; i += 4) {
    const part = b.subarray(i, i + 4);
    const candidate = new Uint8Array(current.length + part.length);
    candidate.set(current);
    candidate.set(part, current.length);
    if (i === last) width -= allowance;
    if (bytesRepr(candidate).length > width) {
      if (current.length) yield bytesRepr(current);
      current = part;
    } else current = candidate;
  }
  if (current.length) yield bytesRepr(current);
}

/** `pprint.pformat(value, width=width, compact=True)`. */
export function pyPformat(v: PyValue, width = 80): string {
  return new PrettyPrinter(width).format(v);
}
