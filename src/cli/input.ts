// The --json argument: parsed with integers kept exact (u64 values do not fit
// a double), then brought into the shape the codec encodes, accepting what
// the kernel's ynl tool accepts (lib/ynl.py, _add_attr / _encode_struct):
// integers also as decimal text (`int(value)`), binary values without a
// display hint as hex text (`bytes.fromhex`), indexed arrays of nests as
// plain lists, a JSON null for an empty binary value. Everything else is
// left to the codec, which rejects wrong types with a message naming the
// attribute.
import type { Family } from '../schema/family.js';
import { indexSpec, type AttributeSpec, type Operation, type SpecIndex, type StructDefinition, type StructMember } from '../schema/model.js';
import type { Obj } from '../schema/runtime.js';

/** Invalid --json text or value. */
export class JsonInputError extends Error {}

/** A JSON value with integers outside the safe range as bigint. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Parses JSON text like JSON.parse, except that integers beyond
 * Number.MAX_SAFE_INTEGER become bigints instead of losing digits.
 */
export function parseJson(text: string): JsonValue {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new JsonInputError((err as Error).message);
  }
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const value = (): JsonValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: { [key: string]: JsonValue } = {};
      ws();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        // defineProperty: a key named __proto__ is data, not the prototype.
        Object.defineProperty(o, k, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i++] === '}') return o;
      }
    }
    if (c === '[') {
      i++;
      const a: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i++] === ']') return a;
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))!;
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  return value();
}

function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}

/** int(value) of a decimal string ('12', ' -3 ', '1_000'); anything else as it is. */
function intInput(x: unknown): unknown {
  if (typeof x !== 'string' || !/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(x)) return x;
  const v = BigInt(x.trim().replace(/_/g, ''));
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** bytes.fromhex(value): pairs of hex digits, whitespace allowed between them. */
function hexInput(x: string, path: string): Uint8Array {
  const clean = x.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new JsonInputError(`${path}: '${x}' is not hex bytes`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const INT_TYPES = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'uint', 'sint']);

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Converts ynl-style request values into the codec's input shape. */
export class RequestInput {
  private readonly idx: SpecIndex;

  constructor(family: Family) {
    this.idx = indexSpec(family.spec);
  }

  /** The values of a request of `op`. */
  request(op: Operation, value: JsonValue): Obj {
    if (!isObject(value)) throw new JsonInputError('the request must be a JSON object of attribute names and values');
    const header = op.fixedHeader !== undefined ? this.idx.structs.get(op.fixedHeader) : undefined;
    return this.set(op.attributeSet!, value, header, [], '');
  }

  private set(setName: string, v: Obj, header: StructDefinition | undefined, scope: readonly Obj[], path: string): Obj {
    const attrs = this.idx.attributes.get(setName)!;
    const members = new Map((header?.members ?? []).filter((m) => m.type !== 'pad').map((m) => [m.name, m] as const));
    const out: Obj = {};
    const chain = [v, ...scope];
    for (const [k, x] of Object.entries(v)) {
      const m = members.get(k);
      const a = attrs.get(k);
      let y: unknown = x;
      if (m) y = this.member(m, x, join(path, k));
      else if (a?.multiAttr && Array.isArray(x)) y = x.map((item) => this.attribute(a, item, chain, join(path, k)));
      else if (a) y = this.attribute(a, x, chain, join(path, k));
      Object.defineProperty(out, k, { value: y, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private attribute(a: AttributeSpec, x: unknown, chain: readonly Obj[], path: string): unknown {
    if (INT_TYPES.has(a.type)) return intInput(x);
    switch (a.type) {
      case 'binary':
        if (x === null) return new Uint8Array(0);
        if (a.struct !== undefined && isObject(x)) return this.struct(this.idx.structs.get(a.struct)!, x, path);
        if (a.subType !== undefined && Array.isArray(x)) return x.map(intInput);
        if (typeof x === 'string' && a.displayHint === undefined && a.struct === undefined) return hexInput(x, path);
        return x;
      case 'nest':
        return isObject(x) ? this.set(a.nestedAttributes!, x, undefined, chain, path) : x;
      case 'indexed-array':
        if (!Array.isArray(x)) return x;
        if (a.subType === 'nest') {
          return x.map((item, i) => (isObject(item) ? { [i]: this.set(a.nestedAttributes!, item, undefined, chain, `${path}[${i}]`) } : item));
        }
        return INT_TYPES.has(a.subType ?? '') ? x.map(intInput) : x;
      case 'nest-type-value':
        return isObject(x) ? this.set(a.nestedAttributes!, x, undefined, chain, path) : x;
      case 'bitfield32':
        return isObject(x) ? { ...x, value: intInput(x.value), selector: intInput(x.selector) } : x;
      case 'sub-message': {
        if (!isObject(x)) return x;
        let key: unknown;
        for (const o of chain) {
          if (o[a.selector!] !== undefined) {
            key = o[a.selector!];
            break;
          }
        }
        const format = this.idx.subMessages.get(a.subMessage!)?.formats.find((f) => f.value === String(key));
        if (!format) return x;
        const header = format.fixedHeader !== undefined ? this.idx.structs.get(format.fixedHeader) : undefined;
        if (format.attributeSet === undefined) return header ? this.struct(header, x, path) : x;
        return this.set(format.attributeSet, x, header, chain, path);
      }
      default:
        return x;
    }
  }

  private struct(def: StructDefinition, v: Obj, path: string): Obj {
    const out: Obj = {};
    const members = new Map(def.members.map((m) => [m.name, m] as const));
    for (const [k, x] of Object.entries(v)) {
      const m = members.get(k);
      Object.defineProperty(out, k, { value: m ? this.member(m, x, join(path, k)) : x, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private member(m: StructMember, x: unknown, path: string): unknown {
    if (m.struct !== undefined) return isObject(x) ? this.struct(this.idx.structs.get(m.struct)!, x, path) : x;
    if (m.type === 'binary') return typeof x === 'string' && m.displayHint === undefined ? hexInput(x, path) : x;
    if (m.type === 'string') return x;
    return intInput(x);
  }
}
