// A printer in the manner of iproute2's lib/json_print.c: each call names a
// JSON key and a text format, and the printer is in either JSON or text
// mode, so one print routine serves `ip` and `ip -j` alike and the two stay
// consistent. Formats take one printf-style conversion, which the value
// replaces.
import { ByteText, JsonNumberText, formatJson, type JsonObject, type JsonValue } from './json.js';
import { addrTextAt, writeAddr } from './attrs.js';

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const SLASH = 0x2f;

type Scalar = string | number | bigint | boolean | null | JsonNumberText;

const CONVERSION = /%[-+ #0-9.]*(?:hh|h|ll|l|z)?[sudixXf]/;

function scalarText(v: Scalar): string {
  if (v instanceof JsonNumberText) return v.text;
  return String(v);
}

/** A format split around its one conversion, parsed once. */
interface Format {
  readonly before: string;
  readonly after: string;
  /** 's' (text as is), 'x' (hex), '#x' (0x-prefixed hex), or '' when there is no conversion. */
  readonly kind: 's' | 'x' | '#x' | '';
  readonly width: number;
  readonly left: boolean;
}

const formats = new Map<string, Format>();

function parseFormat(fmt: string): Format {
  const m = CONVERSION.exec(fmt);
  if (!m) return { before: fmt, after: '', kind: '', width: 0, left: false };
  const spec = m[0];
  const w = /^%(-?)(\d+)/.exec(spec);
  return {
    before: fmt.slice(0, m.index),
    after: fmt.slice(m.index + spec.length),
    kind: /#x$/.test(spec) ? '#x' : /x$/.test(spec) ? 'x' : 's',
    width: w ? Number(w[2]) : 0,
    left: w ? w[1] === '-' : false,
  };
}

/** Substitutes `value` for the format's conversion (width and '-' honoured for %s / %u / %d). */
export function sprintf(fmt: string, value: Scalar): string {
  let f = formats.get(fmt);
  if (f === undefined) formats.set(fmt, (f = parseFormat(fmt)));
  if (f.kind === '') return f.before;
  let text: string;
  if (f.kind !== 's' && (typeof value === 'number' || typeof value === 'bigint')) {
    text = f.kind === 'x' ? value.toString(16) : value ? '0x' + value.toString(16) : '0';
  } else text = scalarText(value);
  if (f.width > 0) text = f.left ? text.padEnd(f.width) : text.padStart(f.width);
  return f.before + text + f.after;
}

function writeScalar(out: ByteText, v: Scalar): void {
  if (typeof v === 'string') out.jsonString(v);
  else if (typeof v === 'number') out.number(v);
  else if (typeof v === 'bigint') out.text(v.toString());
  else if (typeof v === 'boolean') out.text(v ? 'true' : 'false');
  else if (v === null) out.text('null');
  else out.text(v.text);
}

const INDENT = '    ';

/**
 * Builds one object (JSON mode) or one piece of text (text mode). JSON is
 * written straight into bytes as members arrive, as json_print.c streams it,
 * compact (`-j`) or laid out as `ip -j -p` does (members one per line, four
 * spaces per level; arrays inline, `[ ` ... ` ]`). Streaming keeps what ip
 * keeps, duplicate keys included (an encap's `dst` after the route's).
 */
export class Printer {
  private readonly own = new ByteText();
  /** Where JSON or text is written: the printer's own bytes, or a listing's output (reset(sink)). */
  private out = this.own;
  /** Where this object begins in `out`. */
  private base = 0;
  private depth = 0;
  /** Per open container: whether it is an array, and whether it is still empty. */
  private readonly isArray: boolean[] = [false];
  private readonly empty: boolean[] = [true];
  /** Where a container that has no place in its parent began (it is cut out when it closes). */
  private dropFrom: { depth: number; at: number } | undefined;
  /** Pretty layout: the indentation of the object's own braces, then one level more per depth. */
  private readonly indents: string[] | undefined;

  constructor(
    readonly json: boolean,
    pretty = false,
    baseIndent = '',
  ) {
    this.indents = json && pretty ? [baseIndent] : undefined;
    if (json) this.out.byte(OPEN_OBJECT);
  }

  /**
   * Starts over, for the next object. With a `sink`, the object (or text) is
   * written straight at the end of it, and writeTo(sink) only closes it.
   */
  reset(sink?: ByteText): void {
    if (sink === undefined) {
      this.out = this.own;
      this.out.clear();
    } else this.out = sink;
    this.base = this.out.length;
    if (this.json) {
      this.out.byte(OPEN_OBJECT);
      this.depth = 0;
      this.empty[0] = true;
      this.dropFrom = undefined;
    }
  }

  private indent(depth: number): string {
    const indents = this.indents!;
    while (indents.length <= depth) indents.push(indents[indents.length - 1]! + INDENT);
    return indents[depth]!;
  }

  /** The separator and key of the next member (nothing for a keyless member of an object, which is dropped). */
  private member(key: string | null): boolean {
    const d = this.depth;
    const inArray = this.isArray[d]!;
    if (!inArray && key === null) return false;
    const first = this.empty[d]!;
    if (first) this.empty[d] = false;
    if (this.indents === undefined) {
      // Compact: `,"key":` written in one go (keys are the printers' ASCII literals).
      const out = this.out;
      const n = inArray ? 0 : key!.length;
      out.reserve(n + 4);
      const b = out.bytes;
      let at = out.length;
      if (!first) b[at++] = COMMA;
      if (!inArray) {
        b[at++] = QUOTE;
        for (let i = 0; i < n; i++) {
          const c = key!.charCodeAt(i);
          if (c >= 0x80) {
            // Not ASCII after all: the general path.
            out.length = at;
            out.text(key!.slice(i));
            at = out.length;
            out.reserve(2);
            break;
          }
          b[at++] = c;
        }
        const bytes = out.bytes;
        bytes[at++] = QUOTE;
        bytes[at++] = COLON;
      }
      out.length = at;
    } else if (inArray) {
      this.out.byte(first ? SPACE : COMMA);
    } else {
      if (!first) this.out.byte(COMMA);
      this.out.byte(NEWLINE);
      this.out.text(this.indent(d + 1));
      this.out.byte(QUOTE);
      this.out.text(key!);
      this.out.byte(QUOTE);
      this.out.byte(COLON);
      this.out.byte(SPACE);
    }
    return true;
  }

  private scalar(key: string | null, value: Scalar): void {
    if (this.member(key)) writeScalar(this.out, value);
  }

  private tree(key: string, value: JsonValue): void {
    if (!this.member(key)) return;
    if (typeof value === 'object' && value !== null && !(value instanceof JsonNumberText)) {
      this.out.text(this.indents === undefined ? formatJson(value) : formatJson(value, true, this.indent(this.depth + 1)));
    } else writeScalar(this.out, value);
  }

  /** PRINT_ANY: a JSON member and text. */
  any(key: string | null, fmt: string, value: Scalar): this {
    if (this.json) this.scalar(key, value);
    else this.format(fmt, value);
    return this;
  }

  /** Writes sprintf(fmt, value) as text, without the string when it can. */
  private format(fmt: string, value: Scalar): void {
    let f = formats.get(fmt);
    if (f === undefined) formats.set(fmt, (f = parseFormat(fmt)));
    const out = this.out;
    if (f.kind === '') out.text(f.before);
    else if (f.width === 0 && (f.kind === 's' || typeof value === 'string')) {
      out.text(f.before);
      if (typeof value === 'string') out.text(value);
      else if (typeof value === 'number' && value >= 0 && value < 1e9 && value === (value | 0)) out.number(value);
      else out.text(scalarText(value));
      out.text(f.after);
    } else out.text(sprintf(fmt, value));
  }

  /**
   * PRINT_ANY of an address in bytes[offset, offset + length) as rt_addr_n2a
   * prints it, followed by `/plen` when plen is not negative. JSON is written
   * without building a string.
   */
  address(key: string, fmt: string, bytes: Uint8Array, offset: number, length: number, family: number, plen = -1): this {
    if (this.json) {
      if (!this.member(key)) return this;
      const out = this.out;
      out.byte(QUOTE);
      writeAddr(out, bytes, offset, length, family);
      if (plen >= 0) {
        out.byte(SLASH);
        out.number(plen);
      }
      out.byte(QUOTE);
    } else {
      let f = formats.get(fmt);
      if (f === undefined) formats.set(fmt, (f = parseFormat(fmt)));
      if (f.width === 0 && f.kind === 's') {
        const out = this.out;
        out.text(f.before);
        writeAddr(out, bytes, offset, length, family);
        if (plen >= 0) {
          out.byte(SLASH);
          out.number(plen);
        }
        out.text(f.after);
      } else {
        const text = addrTextAt(bytes, offset, length, family);
        this.out.text(sprintf(fmt, plen >= 0 ? `${text}/${plen}` : text));
      }
    }
    return this;
  }

  /** PRINT_JSON: only in JSON mode. */
  jsonOnly(key: string | null, value: Scalar): this {
    if (this.json) this.scalar(key, value);
    return this;
  }

  /** PRINT_FP: only in text mode. */
  fp(text: string): this {
    if (!this.json) this.out.text(text);
    return this;
  }

  /** PRINT_FP with a value. */
  fpf(fmt: string, value: Scalar): this {
    if (!this.json) this.format(fmt, value);
    return this;
  }

  /** A boolean: JSON true/false, text `fmt` only when true (print_bool). */
  bool(key: string | null, fmt: string, value: boolean): this {
    if (this.json) this.scalar(key, value);
    else if (value) this.out.text(fmt);
    return this;
  }

  /** print_on_off: JSON boolean, text "on"/"off" into fmt. */
  onOff(key: string, fmt: string, value: boolean): this {
    if (this.json) this.scalar(key, value);
    else this.format(fmt, value ? 'on' : 'off');
    return this;
  }

  /** A JSON null member (print_null). */
  null(key: string): this {
    if (this.json) this.scalar(key, null);
    return this;
  }

  /** Puts an already built JSON value under a key (JSON mode only). */
  value(key: string, v: JsonValue): this {
    if (this.json) this.tree(key, v);
    return this;
  }

  private openContainer(key: string | null, array: boolean): void {
    const d = this.depth;
    // A keyless container inside an object has nowhere to go: its members are dropped with it.
    const dropped = !this.member(key);
    this.depth = d + 1;
    this.isArray[d + 1] = array;
    this.empty[d + 1] = true;
    if (dropped) this.dropFrom ??= { depth: d + 1, at: this.out.length };
    this.out.byte(array ? OPEN_ARRAY : OPEN_OBJECT);
  }

  /** Opens a nested object (JSON only). A null key opens an array element. */
  open(key: string | null): this {
    if (this.json) this.openContainer(key, false);
    return this;
  }

  /** Opens an array (JSON only). */
  openArray(key: string | null): this {
    if (this.json) this.openContainer(key, true);
    return this;
  }

  private closing(sink: ByteText, depth: number): void {
    if (this.isArray[depth]) {
      if (this.indents !== undefined) sink.byte(SPACE);
      sink.byte(CLOSE_ARRAY);
    } else {
      if (this.indents !== undefined && !this.empty[depth]) {
        sink.byte(NEWLINE);
        sink.text(this.indent(depth));
      }
      sink.byte(CLOSE_OBJECT);
    }
  }

  /** Closes the innermost object or array. */
  close(): this {
    if (!this.json || this.depth === 0) return this;
    this.closing(this.out, this.depth);
    if (this.dropFrom?.depth === this.depth) {
      this.out.length = this.dropFrom.at;
      this.dropFrom = undefined;
    }
    this.depth--;
    return this;
  }

  /** The object built (JSON mode), parsed back (a repeated key keeps its last value). */
  get object(): JsonObject {
    return JSON.parse(this.rendered) as JsonObject;
  }

  /** The text built (text mode). */
  get output(): string {
    return this.json ? '' : this.out.decode(this.base, this.out.length);
  }

  /** The result as printed: the JSON object (closed) or the text. */
  get rendered(): string {
    if (!this.json) return this.output;
    const sink = new ByteText();
    const open = this.dropFrom;
    sink.appendRange(this.out.bytes, this.base, open === undefined ? this.out.length : open.at);
    for (let d = open === undefined ? this.depth : open.depth - 1; d >= 0; d--) this.closing(sink, d);
    return sink.toString();
  }

  /** Appends the JSON object, closed, or the text to `sink` (where it already is when it was written there). */
  writeTo(sink: ByteText): void {
    if (!this.json) {
      if (sink !== this.out) sink.appendRange(this.out.bytes, this.base, this.out.length);
      return;
    }
    // A dropped container still open is left out, with everything in it.
    const open = this.dropFrom;
    const end = open === undefined ? this.out.length : open.at;
    if (sink === this.out) sink.length = end;
    else sink.appendRange(this.out.bytes, this.base, end);
    for (let d = open === undefined ? this.depth : open.depth - 1; d >= 0; d--) this.closing(sink, d);
  }
}
