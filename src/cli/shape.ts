// Turns what the codec decodes into the values the kernel's ynl tool
// (tools/net/ynl/pyynl/lib/ynl.py, YnlFamily._decode and friends) builds for
// the same message, so that printing them gives the same text.
//
// The codec's objects carry the values; the received bytes are walked
// alongside them for what the objects do not keep:
// - key order: ynl fills a dict in the order attributes arrive, and adds the
//   fixed header's fields after them (`rsp_msg.update(_decode_struct(...))`);
// - strings: ynl takes the payload minus its last byte (`as_strz`), so
//   padding NULs after the terminator stay in the text;
// - attributes the spec does not describe: 'UnknownAttr(N)' keys, bytes or,
//   for NLA_F_NESTED ones, a dict of further unknown attributes.
// Value mapping: flags become sets of names, unknown enum values and bits
// 'Unknown(N)' (ynl's process_unknown mode), bytes stay bytes (the printers
// turn them into hex or b'...'), NLA_UINT / NLA_SINT ignore display hints
// (ynl applies them only to fixed-width integers).
import { NLMSG_HDRLEN, nlaAlign, nlmsgAlign } from '../core/align.js';
import { GENL_HDRLEN, NLA_F_NESTED } from '../core/constants.js';
import type { MessageView } from '../core/message.js';
import type { Family } from '../schema/family.js';
import { indexSpec, isFlagsUse, type AttributeSpec, type Operation, type SpecIndex, type StructDefinition, type StructMember } from '../schema/model.js';
import type { Obj } from '../schema/runtime.js';
import { PyDict, PySet, type PyValue } from './pyvalue.js';

/** A byte range of a received message. */
interface Range {
  readonly b: Uint8Array;
  readonly dv: DataView;
  readonly s: number;
  readonly e: number;
}

/** Something decoded that ynl (without --process-unknown) refuses to decode. */
export class YnlDecodeError extends Error {}

/** Options of {@link YnlShaper}. */
export interface ShapeOptions {
  /**
   * Render attributes, enum values and flag bits the spec does not name
   * (ynl's --process-unknown). When false they are errors, as in ynl without it.
   */
  processUnknown: boolean;
}

const textDecoder = new TextDecoder();

/** The integer value of a scalar the codec printed by its display hint. */
function unhint(v: unknown, hint: string | undefined): unknown {
  if (typeof v !== 'string') return v;
  if (hint === 'hex' && /^-?0x[0-9a-f]+$/i.test(v)) {
    const neg = v.startsWith('-');
    const n = BigInt(neg ? v.slice(1) : v);
    const r = neg ? -n : n;
    return r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
  }
  if (hint === 'ipv4' && /^\d+\.\d+\.\d+\.\d+$/.test(v)) {
    return v.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  }
  return v;
}

function bitIndex(v: number | bigint): number {
  let b = BigInt(v);
  let i = 0;
  while (b > 1n) {
    b >>= 1n;
    i++;
  }
  return i;
}

/** What gives a scalar its meaning: an attribute or a struct member. */
interface ScalarSpec {
  readonly name: string;
  readonly type: string;
  readonly enum?: string;
  readonly enumAsFlags?: boolean;
  readonly displayHint?: string;
}

/** Converts decoded messages of one family into ynl's values. */
export class YnlShaper {
  private readonly idx: SpecIndex;
  private readonly headerLength: number;

  constructor(
    readonly family: Family,
    private readonly options: ShapeOptions,
  ) {
    this.idx = indexSpec(family.spec);
    this.headerLength = NLMSG_HDRLEN + (family.isGenetlink ? GENL_HDRLEN : 0);
  }

  /** A reply (or request) of `op`, decoded by the codec into `decoded`, as ynl's dict. */
  message(op: Operation, msg: MessageView, decoded: Obj): PyDict {
    const header = op.fixedHeader !== undefined ? this.idx.structs.get(op.fixedHeader) : undefined;
    const start = msg.offset + this.headerLength;
    const end = msg.offset + msg.length;
    const attrs = Math.min(end, start + (header ? nlmsgAlign(header.size) : 0));
    const range: Range = { b: msg.buffer, dv: msg.dv, s: attrs, e: end };
    return this.set(op.attributeSet!, decoded, range, [], header, false);
  }

  /** A notification as cli.py prints it: {'name': ..., 'msg': ...}. */
  notification(name: string, msg: MessageView, decoded: Obj): PyDict {
    const op = this.idx.operations.get(name);
    const out = new PyDict();
    out.set('name', name);
    out.set('msg', op?.attributeSet !== undefined ? this.message(op, msg, decoded) : new PyDict());
    return out;
  }

  // ---- attribute sets -------------------------------------------------------

  /**
   * An attribute set decoded from `range` (the codec's values in `obj`).
   * `header` fields go after the attributes (messages) or before them
   * (sub-messages, headerFirst).
   */
  private set(
    setName: string,
    obj: Obj,
    range: Range | undefined,
    scope: readonly Obj[],
    header: StructDefinition | undefined,
    headerFirst: boolean,
    extra: readonly string[] = [],
  ): PyDict {
    const out = new PyDict();
    const chain = [obj, ...scope];
    for (const k of extra) if (obj[k] !== undefined) out.set(k, this.scalarOf(obj[k]));
    const headerNames = new Set(header ? header.members.filter((m) => m.type !== 'pad').map((m) => m.name) : []);
    if (header && headerFirst) this.headerFields(out, header, obj);
    if (range) this.walk(out, setName, obj, range, chain, headerNames, new Set(extra));
    else this.fromObject(out, setName, obj, chain, headerNames);
    if (header && !headerFirst) this.headerFields(out, header, obj);
    return out;
  }

  private headerFields(out: PyDict, header: StructDefinition, obj: Obj): void {
    for (const m of header.members) {
      if (m.type === 'pad') continue;
      const v = obj[m.name];
      if (v !== undefined) out.set(m.name, this.member(m, v));
    }
  }

  /** Without bytes to walk: the codec's keys in its order. */
  private fromObject(out: PyDict, setName: string, obj: Obj, chain: readonly Obj[], skip: ReadonlySet<string>): void {
    const attrs = this.idx.attributes.get(setName)!;
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined || skip.has(k) || k === '__unknown') continue;
      const spec = attrs.get(k);
      if (!spec) continue;
      out.set(k, spec.multiAttr ? (v as unknown[]).map((x) => this.attribute(spec, x, undefined, chain)) : this.attribute(spec, v, undefined, chain));
    }
    const unknown = obj.__unknown as Array<{ type: number; data: Uint8Array }> | undefined;
    for (const u of unknown ?? []) {
      const spec = this.idx.attributesByValue.get(setName)!.get(u.type);
      if (spec && spec.type !== 'unused') continue; // shadowed by a header field
      this.addUnknown(out, spec ? spec.name : `UnknownAttr(${u.type})`, u.data, undefined);
    }
  }

  private walk(out: PyDict, setName: string, obj: Obj, range: Range, chain: readonly Obj[], shadowed: ReadonlySet<string>, typeValues: ReadonlySet<string>): void {
    const byValue = this.idx.attributesByValue.get(setName)!;
    const seen = new Map<string, { spec: AttributeSpec; ranges: Range[] }>();
    const { b, dv, e } = range;
    let p = range.s;
    while (e - p >= 4) {
      const len = dv.getUint16(p, true);
      if (len < 4 || len > e - p) break; // the codec already rejected malformed input
      const rawType = dv.getUint16(p + 2, true);
      const type = rawType & 0x3fff;
      const item: Range = { b, dv, s: p + 4, e: p + len };
      p += nlaAlign(len);
      const spec = byValue.get(type);
      if (spec?.type === 'pad') continue;
      if (!spec || spec.type === 'unused') {
        if (!this.options.processUnknown) {
          throw new YnlDecodeError(spec ? `Unknown unused with name ${spec.name}` : `Space '${setName}' has no attribute with value '${type}'`);
        }
        this.addUnknown(out, spec ? spec.name : `UnknownAttr(${type})`, b.subarray(item.s, item.e), (rawType & NLA_F_NESTED) !== 0 ? item : undefined);
        continue;
      }
      if (shadowed.has(spec.name) || typeValues.has(spec.name)) {
        // Named like a fixed-header field: ynl decodes it, then the header's
        // field overwrites it (the key keeps the attribute's place).
        if (!out.has(spec.name)) out.set(spec.name, null);
        continue;
      }
      const entry = seen.get(spec.name);
      if (entry) entry.ranges.push(item);
      else {
        seen.set(spec.name, { spec, ranges: [item] });
        out.set(spec.name, null);
      }
    }
    for (const [name, { spec, ranges }] of seen) {
      const v = obj[name];
      if (v === undefined) {
        out.entries.delete(name);
        continue;
      }
      if (spec.multiAttr) {
        const list = v as unknown[];
        out.set(
          name,
          list.map((x, i) => this.attribute(spec, x, ranges[i], chain)),
        );
      } else {
        out.set(name, this.attribute(spec, v, ranges[ranges.length - 1], chain));
      }
    }
  }

  /** ynl's _rsp_add with is_multi None: a repeated key becomes a list. */
  private addUnknown(out: PyDict, name: string, data: Uint8Array, nested: Range | undefined): void {
    const value = nested ? this.unknownNest(nested) : data;
    const prev = out.get(name);
    if (prev === undefined) out.set(name, value);
    else if (Array.isArray(prev)) prev.push(value);
    else out.set(name, [prev, value]);
  }

  /** An unknown NLA_F_NESTED attribute: its children, all unknown. */
  private unknownNest(range: Range): PyDict {
    const out = new PyDict();
    const { b, dv, e } = range;
    let p = range.s;
    while (e - p >= 4) {
      const len = dv.getUint16(p, true);
      if (len < 4 || len > e - p) break;
      const rawType = dv.getUint16(p + 2, true);
      const item: Range = { b, dv, s: p + 4, e: p + len };
      p += nlaAlign(len);
      const type = rawType & 0x3fff;
      this.addUnknown(out, `UnknownAttr(${type})`, b.subarray(item.s, item.e), (rawType & NLA_F_NESTED) !== 0 ? item : undefined);
    }
    return out;
  }

  // ---- values ---------------------------------------------------------------

  private attribute(spec: AttributeSpec, v: unknown, range: Range | undefined, chain: readonly Obj[]): PyValue {
    switch (spec.type) {
      case 'nest':
        return this.set(spec.nestedAttributes!, v as Obj, range, chain, undefined, false);
      case 'string':
        if (range) {
          // as_strz(): the payload minus its last byte, whatever it is.
          return textDecoder.decode(range.b.subarray(range.s, Math.max(range.s, range.e - 1)));
        }
        return v as string;
      case 'binary':
        // nlkit's packed struct arrays (NHA_GROUP): a list of struct dicts.
        if (spec.struct !== undefined && spec.subType === 'binary' && Array.isArray(v)) return v.map((x) => this.struct(spec.struct!, x as Obj));
        if (spec.struct !== undefined) return this.struct(spec.struct, v as Obj);
        if (Array.isArray(v)) return v.map((x) => this.scalar(spec, x));
        return this.bytesOrText(v);
      case 'flag':
        return true;
      case 'indexed-array':
        return this.indexedArray(spec, v as unknown[], range, chain);
      case 'bitfield32': {
        const f = v as { value: unknown; selector: unknown };
        return PyDict.of([
          ['value', this.scalar(spec, f.value)],
          ['selector', this.scalar(spec, f.selector)],
        ]);
      }
      case 'sub-message':
        return this.subMessage(spec, v, range, chain);
      case 'nest-type-value': {
        let inner = range;
        if (range) {
          let s = range.s;
          let e = range.e;
          for (let i = 0; i < spec.typeValue!.length && e - s >= 4; i++) {
            const len = range.dv.getUint16(s, true);
            if (len < 4 || len > e - s) break;
            e = s + len;
            s += 4;
          }
          inner = { ...range, s, e };
        }
        return this.set(spec.nestedAttributes!, v as Obj, inner, chain, undefined, false, spec.typeValue!);
      }
      default:
        return this.scalar(spec, v);
    }
  }

  private indexedArray(spec: AttributeSpec, items: unknown[], range: Range | undefined, chain: readonly Obj[]): PyValue[] {
    if (spec.subType !== 'nest') {
      return items.map((x) => (spec.subType === 'binary' ? this.bytesOrText(x) : this.scalar({ ...spec, type: spec.subType! }, x)));
    }
    const ranges: Range[] = [];
    if (range) {
      let p = range.s;
      while (range.e - p >= 4) {
        const len = range.dv.getUint16(p, true);
        if (len < 4 || len > range.e - p) break;
        ranges.push({ ...range, s: p + 4, e: p + len });
        p += nlaAlign(len);
      }
    }
    return items.map((item, i) => {
      const out = new PyDict();
      for (const [k, x] of Object.entries(item as Obj)) {
        out.set(Number(k), this.set(spec.nestedAttributes!, x as Obj, ranges[i], chain, undefined, false));
      }
      return out;
    });
  }

  private subMessage(spec: AttributeSpec, v: unknown, range: Range | undefined, chain: readonly Obj[]): PyValue {
    if (v instanceof Uint8Array) return v; // no format for the selector's value: raw bytes
    const selector = spec.selector!;
    let key: unknown;
    for (const o of chain) {
      if (o[selector] !== undefined) {
        key = o[selector];
        break;
      }
    }
    const format = this.idx.subMessages.get(spec.subMessage!)?.formats.find((f) => f.value === String(key));
    if (!format) return this.scalarOf(v);
    const header = format.fixedHeader !== undefined ? this.idx.structs.get(format.fixedHeader) : undefined;
    if (format.attributeSet === undefined) return header ? this.struct(header.name, v as Obj) : new PyDict();
    let inner = range;
    if (range && header) inner = { ...range, s: Math.min(range.e, range.s + nlaAlign(header.size)) };
    return this.set(format.attributeSet, v as Obj, inner, chain, header, true);
  }

  private struct(name: string, v: Obj): PyDict {
    const def = this.idx.structs.get(name)!;
    const out = new PyDict();
    for (const m of def.members) {
      if (m.type === 'pad') continue;
      const x = v[m.name];
      if (x !== undefined) out.set(m.name, this.member(m, x));
    }
    return out;
  }

  private member(m: StructMember, v: unknown): PyValue {
    if (m.struct !== undefined) return this.struct(m.struct, v as Obj);
    if (m.type === 'binary') return this.bytesOrText(v);
    if (m.type === 'string') return v as string;
    return this.scalar(m, v);
  }

  private bytesOrText(v: unknown): PyValue {
    if (v instanceof Uint8Array || typeof v === 'string') return v;
    return this.scalarOf(v);
  }

  /** An integer, enum or flags value. */
  private scalar(spec: ScalarSpec, v: unknown): PyValue {
    if (spec.enum !== undefined) {
      const def = this.idx.enums.get(spec.enum);
      if (def && isFlagsUse(def, spec.enumAsFlags)) {
        const names = (v as Array<string | number | bigint>).map((x) => (typeof x === 'string' ? x : this.unknownValue(spec, bitIndex(x))));
        return new PySet(names);
      }
      return typeof v === 'string' ? v : this.unknownValue(spec, v as number | bigint);
    }
    if (spec.type === 'uint' || spec.type === 'sint') return this.scalarOf(unhint(v, spec.displayHint));
    return this.scalarOf(v);
  }

  private unknownValue(spec: ScalarSpec, v: number | bigint): string {
    if (!this.options.processUnknown) throw new YnlDecodeError(`'${spec.name}': ${String(v)} is not a value of enum '${spec.enum!}'`);
    return `Unknown(${String(v)})`;
  }

  /** A value of a type every printer knows. */
  private scalarOf(v: unknown): PyValue {
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean' || v instanceof Uint8Array) return v;
    if (Array.isArray(v)) return v.map((x) => this.scalarOf(x));
    if (typeof v === 'object') {
      const out = new PyDict();
      for (const [k, x] of Object.entries(v as Obj)) if (x !== undefined && k !== '__rest' && k !== '__unknown') out.set(k, this.scalarOf(x));
      return out;
    }
    return String(v);
  }
}
