// A printer in the manner of iproute2's lib/json_print.c: each call names a
// JSON key and a text format, and the printer is in either JSON or text
// mode, so one print routine serves `ip` and `ip -j` alike and the two stay
// consistent. Formats take one printf-style conversion, which the value
// replaces.
import { JsonNumberText, type JsonObject, type JsonValue } from './json.js';

type Scalar = string | number | bigint | boolean | null | JsonNumberText;

const CONVERSION = /%[-+ #0-9.]*(?:hh|h|ll|l|z)?[sudixXf]/;

function scalarText(v: Scalar): string {
  if (v instanceof JsonNumberText) return v.text;
  return String(v);
}

/** Substitutes `value` for the format's conversion (width and '-' honoured for %s / %u / %d). */
export function sprintf(fmt: string, value: Scalar): string {
  return fmt.replace(CONVERSION, (spec) => {
    let text = scalarText(value);
    if (/x$/.test(spec) && (typeof value === 'number' || typeof value === 'bigint')) text = value.toString(16);
    if (/#x$/.test(spec) && (typeof value === 'number' || typeof value === 'bigint')) text = value ? '0x' + value.toString(16) : '0';
    const m = /^%(-?)(\d+)/.exec(spec);
    if (m) {
      const width = Number(m[2]);
      text = m[1] ? text.padEnd(width) : text.padStart(width);
    }
    return text;
  });
}

/** Builds one object (JSON mode) or one piece of text (text mode). */
export class Printer {
  private readonly stack: (JsonObject | JsonValue[])[] = [];
  private readonly root: JsonObject = {};
  private text = '';

  constructor(readonly json: boolean) {
    this.stack.push(this.root);
  }

  private put(key: string | null, value: JsonValue): void {
    const top = this.stack[this.stack.length - 1]!;
    if (Array.isArray(top)) top.push(value);
    else if (key !== null) top[key] = value;
  }

  /** PRINT_ANY: a JSON member and text. */
  any(key: string | null, fmt: string, value: Scalar): this {
    if (this.json) this.put(key, value);
    else this.text += sprintf(fmt, value);
    return this;
  }

  /** PRINT_JSON: only in JSON mode. */
  jsonOnly(key: string | null, value: Scalar): this {
    if (this.json) this.put(key, value);
    return this;
  }

  /** PRINT_FP: only in text mode. */
  fp(text: string): this {
    if (!this.json) this.text += text;
    return this;
  }

  /** PRINT_FP with a value. */
  fpf(fmt: string, value: Scalar): this {
    if (!this.json) this.text += sprintf(fmt, value);
    return this;
  }

  /** A boolean: JSON true/false, text `fmt` only when true (print_bool). */
  bool(key: string | null, fmt: string, value: boolean): this {
    if (this.json) this.put(key, value);
    else if (value) this.text += fmt;
    return this;
  }

  /** print_on_off: JSON boolean, text "on"/"off" into fmt. */
  onOff(key: string, fmt: string, value: boolean): this {
    if (this.json) this.put(key, value);
    else this.text += sprintf(fmt, value ? 'on' : 'off');
    return this;
  }

  /** A JSON null member (print_null). */
  null(key: string): this {
    if (this.json) this.put(key, null);
    return this;
  }

  /** Puts an already built JSON value under a key (JSON mode only). */
  value(key: string, v: JsonValue): this {
    if (this.json) this.put(key, v);
    return this;
  }

  /** Opens a nested object (JSON only). A null key opens an array element. */
  open(key: string | null): this {
    if (this.json) {
      const o: JsonObject = {};
      this.put(key, o);
      this.stack.push(o);
    }
    return this;
  }

  /** Opens an array (JSON only). */
  openArray(key: string | null): this {
    if (this.json) {
      const a: JsonValue[] = [];
      this.put(key, a);
      this.stack.push(a);
    }
    return this;
  }

  /** Closes the innermost object or array. */
  close(): this {
    if (this.json && this.stack.length > 1) this.stack.pop();
    return this;
  }

  /** The object built (JSON mode). */
  get object(): JsonObject {
    return this.root;
  }

  /** The text built (text mode). */
  get output(): string {
    return this.text;
  }
}
