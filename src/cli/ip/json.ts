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

function quote(s: string): string {
  // jsonw escapes like JSON.stringify for the characters that can occur here.
  return JSON.stringify(s);
}

function write(v: JsonValue, pretty: boolean, indent: string, out: string[]): void {
  if (v === null) out.push('null');
  else if (typeof v === 'string') out.push(quote(v));
  else if (typeof v === 'number') out.push(Number.isFinite(v) ? String(v) : 'null');
  else if (typeof v === 'bigint') out.push(v.toString());
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (v instanceof JsonNumberText) out.push(v.text);
  else if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push('[]');
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

/** Serialises a value the way `ip -j` (or `ip -j -p` when pretty) prints it. */
export function formatJson(v: JsonValue, pretty = false): string {
  const out: string[] = [];
  write(v, pretty, '', out);
  return out.join('');
}
