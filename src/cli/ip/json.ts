// JSON as iproute2's lib/json_print.c writes it: objects keep the order keys
// were added in, u64 counters are printed as exact integers (bigint), and a
// few values are numbers with a fixed number of decimals (timers as "0.00").
// `ip -j` prints one line; `ip -j -p` indents by four spaces.

/** A number printed exactly as given (e.g. `0.00`), as iproute2's print_float / %.2f do. */
export class JsonNumberText {
  constructor(readonly text: string) {}
}

/** A value of an ip-style JSON document. `undefined` members are left out. */
export type JsonValue = string | number | bigint | boolean | null | JsonNumberText | JsonValue[] | JsonObject;
/** An object of an ip-style JSON document. */
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

/** A JSON string literal (jsonw escapes like JSON.stringify for the characters that occur here). */
export function jsonString(s: string): string {
  // Most values are plain ASCII names and addresses: skip the general escaper for those.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return '"' + s + '"';
}
const quote = jsonString;

function write(v: JsonValue, pretty: boolean, indent: string, out: string[]): void {
  if (v === null) out.push('null');
  else if (typeof v === 'string') out.push(quote(v));
  else if (typeof v === 'number') out.push(Number.isFinite(v) ? String(v) : 'null');
  else if (typeof v === 'bigint') out.push(v.toString());
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (v instanceof JsonNumberText) out.push(v.text);
  else if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(pretty ? '[ ]' : '[]');
      return;
    }
    const scalar = v.every((x) => x === null || typeof x !== 'object' || x instanceof JsonNumberText);
    if (!pretty || scalar) {
      out.push(pretty ? '[ ' : '[');
      v.forEach((x, i) => {
        if (i > 0) out.push(',');
        write(x, pretty, indent, out);
      });
      out.push(pretty ? ' ]' : ']');
      return;
    }
    const inner = indent + '    ';
    out.push('[ ');
    v.forEach((x, i) => {
      if (i > 0) out.push(',');
      write(x, pretty, inner, out);
    });
    out.push(' ]');
  } else {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) {
      out.push('{}');
      return;
    }
    const inner = indent + '    ';
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      if (pretty) out.push('\n', inner);
      out.push(quote(k), pretty ? ': ' : ':');
      write(v[k]!, pretty, inner, out);
    });
    if (pretty) out.push('\n', indent);
    out.push('}');
  }
}

/**
 * Serialises a value the way `ip -j` (or `ip -j -p` when pretty) prints it;
 * `indent` is the pretty indentation the value starts at (list elements sit one level in).
 */
export function formatJson(v: JsonValue, pretty = false, indent = ''): string {
  const out: string[] = [];
  write(v, pretty, indent, out);
  return out.join('');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A growable byte buffer that compact JSON and text are written into as
 * UTF-8, character by character for ASCII: cheaper than building strings
 * piece by piece when a listing prints a hundred thousand objects.
 */
export class ByteText {
  bytes = new Uint8Array(1 << 12);
  length = 0;

  private grow(extra: number): void {
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /** Makes room for `extra` more bytes (`bytes` may be replaced). */
  reserve(extra: number): void {
    if (this.length + extra > this.bytes.length) this.grow(extra);
  }

  byte(c: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = c;
  }

  /** Appends text as UTF-8. */
  text(s: string): void {
    const n = s.length;
    if (this.length + n > this.bytes.length) this.grow(n);
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.length = at;
        this.utf8(s.slice(i));
        return;
      }
      b[at++] = c;
    }
    this.length = at;
  }

  private utf8(s: string): void {
    if (this.length + s.length * 3 > this.bytes.length) this.grow(s.length * 3);
    this.length += encoder.encodeInto(s, this.bytes.subarray(this.length)).written;
  }

  /** Appends a JSON string literal. */
  jsonString(s: string): void {
    const n = s.length;
    if (this.length + n + 2 > this.bytes.length) this.grow(n + 2);
    const b = this.bytes;
    const start = this.length;
    let at = start;
    b[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
        // Escapes and non-ASCII: leave them to the general path.
        this.length = start;
        this.text(JSON.stringify(s));
        return;
      }
      b[at++] = c;
    }
    b[at++] = 0x22;
    this.length = at;
  }

  /** Appends a number as JSON prints it. */
  number(v: number): void {
    if (v >= 0 && v < 1e9 && v === (v | 0)) {
      // Small non-negative integers (most values): digits without a string.
      if (this.length + 10 > this.bytes.length) this.grow(10);
      const b = this.bytes;
      if (v < 10) {
        b[this.length++] = 0x30 + v;
        return;
      }
      let digits = 1;
      for (let x = v; x >= 10; x = (x / 10) | 0) digits++;
      let at = this.length + digits;
      this.length = at;
      for (let x = v; ;) {
        b[--at] = 0x30 + (x % 10);
        x = (x / 10) | 0;
        if (x === 0) break;
      }
      return;
    }
    this.text(Number.isFinite(v) ? String(v) : 'null');
  }

  append(other: ByteText): void {
    this.appendBytes(other.bytes, other.length);
  }

  /** Appends bytes[0, length). */
  appendBytes(bytes: Uint8Array, length: number): void {
    this.appendRange(bytes, 0, length);
  }

  /** Appends bytes[start, end). */
  appendRange(bytes: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.length + n > this.bytes.length) this.grow(n);
    const b = this.bytes;
    let at = this.length;
    // Objects are short: a loop costs less than a subarray to set() from.
    if (n < 256) for (let i = start; i < end; i++) b[at++] = bytes[i]!;
    else b.set(bytes.subarray(start, end), at);
    this.length += n;
  }

  /** Appends an IPv4 address in dotted decimal, from 4 bytes at `offset`. */
  ipv4(bytes: Uint8Array, offset: number): void {
    if (this.length + 15 > this.bytes.length) this.grow(15);
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < 4; i++) {
      if (i > 0) b[at++] = 0x2e;
      let v = bytes[offset + i]!;
      if (v >= 100) {
        b[at++] = 0x30 + ((v / 100) | 0);
        v %= 100;
        b[at++] = 0x30 + ((v / 10) | 0);
        v %= 10;
      } else if (v >= 10) {
        b[at++] = 0x30 + ((v / 10) | 0);
        v %= 10;
      }
      b[at++] = 0x30 + v;
    }
    this.length = at;
  }

  toString(): string {
    return decoder.decode(this.bytes.subarray(0, this.length));
  }

  /** The text of bytes[start, end). */
  decode(start: number, end: number): string {
    return start === end ? '' : decoder.decode(this.bytes.subarray(start, end));
  }

  clear(): void {
    this.length = 0;
  }
}
