// The codec generator: turns a FamilySpec into JavaScript (or TypeScript)
// source for specialised decoders and encoders.
//
// Decoders walk attributes with DataView reads at absolute offsets of the
// received buffer, check every length before reading, switch on the attribute
// type, and fill objects created by one object literal per layout (every key
// present from the start, so each layout keeps one hidden class). Encoders
// iterate the keys of the value given, check each value against its type and
// the spec's checks, and write through MessageWriter.
//
// One decoder L<i> and one encoder E<i> per layout (an attribute set, with a
// fixed header or type-value keys when it has them): nests, sub-messages and
// the family's tables call them directly. Structs get a generated decoder
// s<i> (it runs for every message received) and an encoding table T<i> that
// runtime.ts interprets (structBytes, structValue). B<i> starts the decoding
// of a message body.
//
// Safety: nothing from the spec reaches the output except as a JSON string
// literal, a validated integer, or an identifier the generator makes up
// itself (d3, L7, ...). A spec cannot inject code.
//
// The same generator serves compile.ts (run-time compilation with
// new Function) and the TypeScript modules in src/families/generated/
// (`ts: true` adds type annotations; the logic is identical).
import {
  INT_SIZE,
  indexSpec,
  isFlagsUse,
  type AttributeSet,
  type AttributeSpec,
  type ByteOrder,
  type DisplayHint,
  type EnumDefinition,
  type FamilySpec,
  type FixedIntType,
  type SpecIndex,
  type StructDefinition,
  type StructMember,
} from './model.js';

/** Options of {@link generateCodecSource}. */
export interface GenerateOptions {
  /** Emit TypeScript annotations (for generated modules); default false. */
  ts?: boolean;
}

/** Generated codec source and the runtime helpers it uses. */
export interface GeneratedCodec {
  /** Statements ending in `const codecs = {...}` (no imports, no return). */
  body: string;
  /** Names from runtime.ts the body refers to. */
  runtimeNames: string[];
}

const S = JSON.stringify;

function num(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`generator: ${String(n)} is not a safe integer`);
  return String(n);
}

function bigLit(n: bigint): string {
  if (typeof n !== 'bigint') throw new Error('generator: expected a bigint');
  return `${n}n`;
}

const INT_RANGE: Record<FixedIntType, readonly [bigint, bigint]> = {
  u8: [0n, 0xffn],
  u16: [0n, 0xffffn],
  u32: [0n, 0xffffffffn],
  u64: [0n, 0xffffffffffffffffn],
  s8: [-0x80n, 0x7fn],
  s16: [-0x8000n, 0x7fffn],
  s32: [-0x80000000n, 0x7fffffffn],
  s64: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

const READ: Record<FixedIntType, string> = {
  u8: 'getUint8',
  u16: 'getUint16',
  u32: 'getUint32',
  u64: 'getBigUint64',
  s8: 'getInt8',
  s16: 'getInt16',
  s32: 'getInt32',
  s64: 'getBigInt64',
};
const WRITE: Record<FixedIntType, string> = {
  u8: 'setUint8',
  u16: 'setUint16',
  u32: 'setUint32',
  u64: 'setBigUint64',
  s8: 'setInt8',
  s16: 'setInt16',
  s32: 'setInt32',
  s64: 'setBigInt64',
};
const PUT: Record<FixedIntType | 'uint' | 'sint', string> = {
  u8: 'putU8',
  u16: 'putU16',
  u32: 'putU32',
  u64: 'putU64',
  s8: 'putS8',
  s16: 'putS16',
  s32: 'putS32',
  s64: 'putS64',
  uint: 'putUint',
  sint: 'putSint',
};

function isFixedInt(t: string): t is FixedIntType {
  return Object.hasOwn(INT_SIZE, t);
}

/** Byte-order argument of a DataView call. */
function le(order: ByteOrder): string {
  return order === 'big-endian' ? 'false' : order === 'little-endian' ? 'true' : 'LE';
}

interface Variant {
  readonly id: number;
  readonly set: AttributeSet;
  readonly header: StructDefinition | undefined;
  readonly extra: readonly string[];
}

/** Something with the value-mapping properties of an attribute or struct member. */
interface ValueSpec {
  readonly name: string;
  readonly enum?: string;
  readonly enumAsFlags?: boolean;
  readonly displayHint?: DisplayHint;
}

class Generator {
  private readonly idx: SpecIndex;
  private readonly used = new Set<string>();
  private readonly chunks: string[] = [];
  private readonly setIds = new Map<string, number>();
  private readonly structIds = new Map<string, number>();
  private readonly enumIds = new Map<string, number>();
  private readonly enumEmitted = new Set<string>();
  private readonly descEmitted = new Set<string>();
  private readonly variants = new Map<string, Variant>();
  private readonly variantQueue: Variant[] = [];
  private readonly subIds = new Map<string, number>();
  private readonly subQueue: string[] = [];
  private readonly needsScope = new Set<string>();
  private counter = 0;
  private lateCases: string[] = [];

  constructor(
    private readonly spec: FamilySpec,
    private readonly ts: boolean,
  ) {
    this.idx = indexSpec(spec);
    spec.attributeSets.forEach((s, i) => this.setIds.set(s.name, i));
    spec.definitions.forEach((d) => {
      if (d.kind === 'struct') this.structIds.set(d.name, this.structIds.size);
      else if (d.kind !== 'const') this.enumIds.set(d.name, this.enumIds.size);
    });
    spec.subMessages.forEach((m, i) => this.subIds.set(m.name, i));
    this.computeScopes();
    this.used.add('LE');
  }

  // ---- small emit helpers ---------------------------------------------------

  /** A runtime helper, recorded for the import list. */
  private r(name: string): string {
    this.used.add(name);
    return name;
  }

  /** `: type` in TypeScript mode. */
  private a(type: string): string {
    return this.ts ? `: ${type}` : '';
  }

  private emit(code: string): void {
    this.chunks.push(code);
  }

  // ---- analysis -------------------------------------------------------------

  /** Sets whose attributes (or whose descendants' attributes) take a selector from an enclosing set. */
  private computeScopes(): void {
    const children = (s: AttributeSet): string[] => {
      const out: string[] = [];
      for (const a of s.attributes) {
        if (a.nestedAttributes !== undefined && (a.type === 'nest' || a.type === 'indexed-array' || a.type === 'nest-type-value' || a.type === 'binary'))
          out.push(a.nestedAttributes);
        if (a.type === 'sub-message' && a.subMessage !== undefined) {
          for (const f of this.idx.subMessages.get(a.subMessage)?.formats ?? []) if (f.attributeSet) out.push(f.attributeSet);
        }
      }
      return out;
    };
    for (const s of this.spec.attributeSets) {
      const names = this.idx.attributes.get(s.name)!;
      if (s.attributes.some((a) => a.type === 'sub-message' && a.selector !== undefined && !names.has(a.selector))) this.needsScope.add(s.name);
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const s of this.spec.attributeSets) {
        if (this.needsScope.has(s.name)) continue;
        if (children(s).some((c) => this.needsScope.has(c))) {
          this.needsScope.add(s.name);
          changed = true;
        }
      }
    }
  }

  /** Does any attribute of the set hand a scope to its children? */
  private givesScope(set: AttributeSet): boolean {
    return set.attributes.some((a) => {
      if (a.type === 'sub-message') {
        return (this.idx.subMessages.get(a.subMessage!)?.formats ?? []).some((f) => f.attributeSet !== undefined && this.needsScope.has(f.attributeSet));
      }
      return a.nestedAttributes !== undefined && this.needsScope.has(a.nestedAttributes);
    });
  }

  private childScope(name: string | undefined): string {
    return name !== undefined && this.needsScope.has(name) ? 'sc2' : 'undefined';
  }

  /** Attribute names hidden by a fixed header field or a type-value key of the same name. */
  private shadowed(v: Variant): Set<string> {
    return new Set([...v.extra, ...(v.header ? v.header.members.filter((m) => m.type !== 'pad').map((m) => m.name) : [])]);
  }

  private variant(set: AttributeSet, header: StructDefinition | undefined, extra: readonly string[] = []): Variant {
    const key = `${set.name}\u0000${header?.name ?? ''}\u0000${extra.join('\u0000')}`;
    let v = this.variants.get(key);
    if (!v) {
      v = { id: this.variants.size, set, header, extra };
      this.variants.set(key, v);
      this.variantQueue.push(v);
    }
    return v;
  }

  private set(name: string): AttributeSet {
    return this.idx.sets.get(name)!;
  }

  /** Decoder (L<i>) of an attribute set on its own. */
  private decoderOf(set: string): string {
    return `L${this.variant(this.set(set), undefined).id}`;
  }

  /** Encoder (E<i>) of an attribute set on its own. */
  private encoderOf(set: string): string {
    return `E${this.variant(this.set(set), undefined).id}`;
  }

  private struct(name: string): StructDefinition {
    return this.idx.structs.get(name)!;
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  // ---- enums ----------------------------------------------------------------

  private enumDef(name: string): EnumDefinition {
    const def = this.idx.enums.get(name)!;
    if (!this.enumEmitted.has(name)) {
      this.enumEmitted.add(name);
      const id = this.enumIds.get(name)!;
      const max = def.entries.reduce((m, e) => Math.max(m, e.value), -1);
      if (max <= 4096) {
        const names: string[] = new Array<string>(max + 1).fill('undefined');
        // nlspec.py keeps the last entry of a repeated value; do the same.
        for (const e of def.entries) names[e.value] = S(e.name);
        this.emit(`const N${id}${this.a('readonly (string | undefined)[]')} = [${names.join(', ')}];`);
      } else {
        const pairs = def.entries.map((e) => `[${num(e.value)}, ${S(e.name)}]`);
        this.emit(`const N${id}${this.a('ReadonlyMap<number, string>')} = new Map${this.ts ? '<number, string>' : ''}([${pairs.join(', ')}]);`);
      }
      const pairs = def.entries.map((e) => `[${S(e.name)}, ${num(e.value)}]`);
      this.emit(`const V${id}${this.a('ReadonlyMap<string, number>')} = new Map${this.ts ? '<string, number>' : ''}([${pairs.join(', ')}]);`);
    }
    return def;
  }

  /** Decoded form of an integer read: enum names, flag names, display hint. */
  private mapRead(v: ValueSpec, expr: string): string {
    if (v.enum !== undefined) {
      const def = this.enumDef(v.enum);
      const id = this.enumIds.get(v.enum)!;
      if (isFlagsUse(def, v.enumAsFlags)) return `${this.r('flagNames')}(N${id}, ${expr})`;
      const dense = def.entries.every((e) => e.value <= 4096);
      return `${this.r(dense ? 'enumName' : 'enumNameSparse')}(N${id}, ${expr})`;
    }
    if (v.displayHint === 'hex') return `${this.r('fmtHexInt')}(${expr})`;
    if (v.displayHint === 'ipv4') return `${this.r('fmtIPv4Int')}(${expr})`;
    return expr;
  }

  /** Input form -> integer (still to be range-checked): enum / flag names, hint text. */
  private mapInput(v: ValueSpec, expr: string, path: string, name: string): string {
    if (v.enum !== undefined) {
      const def = this.enumDef(v.enum);
      const id = this.enumIds.get(v.enum)!;
      const fn = isFlagsUse(def, v.enumAsFlags) ? 'flagsValue' : 'enumValue';
      return `${this.r(fn)}(V${id}, ${expr}, ${path}, ${name}, ${S(def.name)})`;
    }
    if (v.displayHint === 'hex') return `${this.r('hexInt')}(${expr}, ${path}, ${name})`;
    if (v.displayHint === 'ipv4') return `${this.r('ipv4Int')}(${expr}, ${path}, ${name})`;
    return expr;
  }

  /** Formatting of binary bytes b[s, s+l) by display hint. */
  private binaryRead(hint: DisplayHint | undefined, s: string, l: string): string {
    switch (hint) {
      case 'ipv4':
        return `${this.r('fmtIPv4')}(b, ${s}, ${l})`;
      case 'ipv6':
        return `${this.r('fmtIPv6')}(b, ${s}, ${l})`;
      case 'ipv4-or-v6':
        return `${this.r('fmtAddress')}(b, ${s}, ${l})`;
      case 'mac':
        return `${this.r('fmtMac')}(b, ${s}, ${l})`;
      case 'hex':
        return `${this.r('fmtHexBytes')}(b, ${s}, ${l})`;
      case 'uuid':
        return `${this.r('fmtUuid')}(b, ${s}, ${l})`;
      default:
        return `b.subarray(${s}, ${s} + ${l})`;
    }
  }

  /** Effective [min, max] of an integer type and its checks. */
  private range(type: FixedIntType | 'uint' | 'sint', checks?: { min?: number | bigint; max?: number | bigint }): [bigint, bigint] {
    const base = type === 'uint' ? INT_RANGE.u64 : type === 'sint' ? INT_RANGE.s64 : INT_RANGE[type];
    let [lo, hi] = base;
    if (checks?.min !== undefined && BigInt(checks.min) > lo) lo = BigInt(checks.min);
    if (checks?.max !== undefined && BigInt(checks.max) < hi) hi = BigInt(checks.max);
    return [lo, hi];
  }

  /** Checked integer for writing: `int(...)` (number) for widths up to 32 bits, `big(...)` otherwise. */
  private checkedInt(type: FixedIntType | 'uint' | 'sint', input: string, path: string, name: string, checks?: { min?: number | bigint; max?: number | bigint }): string {
    const [lo, hi] = this.range(type, checks);
    if (type === 'u64' || type === 's64' || type === 'uint' || type === 'sint') {
      return `${this.r('big')}(${input}, ${path}, ${name}, ${bigLit(lo)}, ${bigLit(hi)})`;
    }
    return `${this.r('int')}(${input}, ${path}, ${name}, ${num(Number(lo))}, ${num(Number(hi))})`;
  }

  // ---- structs --------------------------------------------------------------

  private structIdOf(name: string): number {
    return this.structIds.get(name)!;
  }

  /** Decoded value of a struct member at b[s + offset]. */
  private memberRead(m: StructMember): string {
    const at = m.offset === 0 ? 's' : `s + ${num(m.offset)}`;
    if (isFixedInt(m.type)) {
      const read =
        m.type === 'u8' || m.type === 's8'
          ? `dv.${READ[m.type]}(${at})`
          : m.type === 'u64'
            ? `${this.r('rdU64')}(dv, ${at}, ${le(m.byteOrder)})`
            : `dv.${READ[m.type]}(${at}, ${le(m.byteOrder)})`;
      return this.mapRead(m, read);
    }
    if (m.type === 'string') return `${this.r('str')}(b, ${at}, ${num(m.size)})`;
    if (m.struct !== undefined) return `s${this.structIdOf(m.struct)}(b, dv, ${at}, ${num(m.size)})`;
    return this.binaryRead(m.displayHint, at, num(m.size));
  }

  /** Name of the encoding table of a struct (emitted on first use, after the tables it refers to). */
  private structDesc(name: string): string {
    const id = this.structIdOf(name);
    if (!this.descEmitted.has(name)) {
      this.descEmitted.add(name);
      const def = this.struct(name);
      const members = def.members
        .filter((m) => m.type !== 'pad')
        .map((m) => {
          const head = `${S(m.name)}, ${S(m.type)}, ${num(m.offset)}, ${num(m.size)}, ${le(m.byteOrder)}`;
          if (isFixedInt(m.type)) {
            if (m.enum !== undefined) {
              const def = this.enumDef(m.enum);
              return `[${head}, [V${this.enumIds.get(m.enum)!}, ${S(def.name)}, ${isFlagsUse(def, m.enumAsFlags) ? 'true' : 'false'}]]`;
            }
            if (m.displayHint === 'hex' || m.displayHint === 'ipv4') return `[${head}, ${S(m.displayHint)}]`;
            return `[${head}]`;
          }
          if (m.struct !== undefined) return `[${head}, ${this.structDesc(m.struct)}]`;
          if (m.type === 'binary' && m.displayHint !== undefined) return `[${head}, ${S(m.displayHint)}]`;
          return `[${head}]`;
        });
      const list = members.length ? `[\n  ${members.join(',\n  ')},\n]` : '[]';
      this.emit(`const T${id}${this.a('StructDesc')} = [${S(def.name)}, ${num(def.size)}, ${list}];`);
    }
    return `T${id}`;
  }

  /** Struct decoders (generated: they run for every message received); encoders are tables (structDesc). */
  private genStructs(): void {
    for (const def of this.spec.definitions) {
      if (def.kind !== 'struct') continue;
      const id = this.structIdOf(def.name);
      const members = def.members.filter((m) => m.type !== 'pad');
      // Decoder: one literal, every member present (undefined past a short payload).
      const fields = members.map((m) => `${S(m.name)}: l >= ${num(m.offset + m.size)} ? ${this.memberRead(m)} : undefined`);
      fields.push(`"__rest": l > ${num(def.size)} ? b.subarray(s + ${num(def.size)}, s + l) : undefined`);
      this.emit(
        `function s${id}(b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, l${this.a('number')})${this.a('Obj')} {\n  return {\n    ${fields.join(',\n    ')},\n  };\n}`,
      );
    }
  }

  // ---- decoding -------------------------------------------------------------

  /** Statements that decode the current attribute (data at ds, length dl) and store it in o. */
  private decodeCase(set: AttributeSet, a: AttributeSpec): string | undefined {
    const ctx = S(`${set.name}.${a.name}`);
    const need = (n: number): string => `if (dl < ${num(n)}) throw ${this.r('tooShort')}(dl, ${num(n)}, ds - 4, ${ctx}); `;
    let pre = '';
    let expr: string;
    const type = a.type;
    if (isFixedInt(type)) {
      const size = INT_SIZE[type];
      pre = need(size);
      const read = size === 1 ? `dv.${READ[type]}(ds)` : type === 'u64' ? `${this.r('rdU64')}(dv, ds, ${le(a.byteOrder)})` : `dv.${READ[type]}(ds, ${le(a.byteOrder)})`;
      expr = this.mapRead(a, read);
    } else {
      switch (type) {
        case 'uint':
        case 'sint':
          expr = this.mapRead(a, `${this.r(type === 'uint' ? 'readUint' : 'readSint')}(dv, ds, dl, ${le(a.byteOrder)}, ${ctx})`);
          break;
        case 'string':
          expr = `${this.r('str')}(b, ds, dl)`;
          break;
        case 'binary':
          if (a.struct !== undefined && a.nestedAttributes !== undefined) {
            const v = this.variant(this.set(a.nestedAttributes), this.struct(a.struct));
            const scope = this.childScope(a.nestedAttributes);
            expr = a.recordLength !== undefined ? `${this.recordDecoder(set, a, v)}(b, dv, ds, ds + dl, dep + 1, ${scope})` : `L${v.id}(b, dv, ds, ds + dl, dep + 1, ${scope})`;
          } else if (a.struct !== undefined && a.subType === 'binary') expr = `${this.structArrayDecoder(a.struct)}(b, dv, ds, dl, ${S(`${set.name}.${a.name}`)})`;
          else if (a.struct !== undefined) expr = `s${this.structIdOf(a.struct)}(b, dv, ds, dl)`;
          else if (a.subType !== undefined && isFixedInt(a.subType)) expr = `${this.binaryArrayDecoder(a)}(b, dv, ds, dl)`;
          else expr = this.binaryRead(a.displayHint, 'ds', 'dl');
          break;
        case 'flag':
          expr = 'true';
          break;
        case 'nest':
          expr = `${this.decoderOf(a.nestedAttributes!)}(b, dv, ds, ds + dl, dep + 1, ${this.childScope(a.nestedAttributes)})`;
          break;
        case 'indexed-array':
          expr = `${this.indexedArrayDecoder(set, a)}(b, dv, ds, ds + dl, dep + 1, ${this.childScope(a.nestedAttributes)})`;
          break;
        case 'nest-type-value':
          expr = `${this.typeValueDecoder(a)}(b, dv, ds, ds + dl, dep + 1, ${this.childScope(a.nestedAttributes)})`;
          break;
        case 'sub-message': {
          const local = this.idx.attributes.get(set.name)!.has(a.selector!);
          const key = local ? `o[${S(a.selector!)}]` : `${this.r('scopeValue')}(sc, ${S(a.selector!)})`;
          const sub = this.subIds.get(a.subMessage!)!;
          const gives = (this.idx.subMessages.get(a.subMessage!)?.formats ?? []).some((f) => f.attributeSet !== undefined && this.needsScope.has(f.attributeSet));
          this.queueSub(a.subMessage!);
          expr = `m${sub}(${key}, b, dv, ds, dl, dep + 1, ${gives ? 'sc2' : 'undefined'})`;
          break;
        }
        case 'bitfield32':
          pre = need(8);
          expr = `{ "value": ${this.mapRead(a, 'dv.getUint32(ds, LE)')}, "selector": ${this.mapRead(a, 'dv.getUint32(ds + 4, LE)')} }`;
          break;
        case 'pad':
          return `case ${num(a.value)}: break;`;
        default:
          return undefined; // 'unused': kept as unknown if it ever arrives
      }
    }
    const store = a.multiAttr ? `${this.r('append')}(o, ${S(a.name)}, ${expr});` : `o[${S(a.name)}] = ${expr};`;
    if (type === 'sub-message' && this.idx.attributes.get(set.name)!.has(a.selector!)) {
      // The selector may come after the sub-message: decode it after the walk.
      this.lateCases.push(`case ${num(a.value)}: ${store} break;`);
      return `case ${num(a.value)}: if (o[${S(a.selector!)}] === undefined) { (late ??= []).push(${num(a.value)}, ds, dl); break; } ${store} break;`;
    }
    return `case ${num(a.value)}: ${pre}${store} break;`;
  }

  private genLoop(v: Variant): void {
    const { set } = v;
    const ctx = S(set.name);
    const cases: string[] = [];
    const seen = new Set<number>();
    const shadowed = this.shadowed(v);
    this.lateCases = [];
    for (const a of set.attributes) {
      // The first attribute of a number wins. An attribute named like a field
      // of the fixed header is shadowed by it (as in the kernel's ynl tool,
      // whose output merges both): it is kept under __unknown instead.
      if (seen.has(a.value) || shadowed.has(a.name)) continue;
      const c = this.decodeCase(set, a);
      if (c !== undefined) {
        cases.push(c);
        seen.add(a.value);
      }
    }
    const sc2 = this.givesScope(set) ? `  const sc2${this.a('Scope')} = { o, up: sc };\n` : '';
    const bang = this.ts ? '!' : '';
    const header = v.header ? v.header.members.filter((m) => m.type !== 'pad') : [];
    const keys = [...v.extra, ...header.map((m) => m.name), ...set.attributes.filter((a) => a.type !== 'pad' && a.type !== 'unused').map((a) => a.name)];
    // One literal per layout, every key present from the start; header fields
    // are then read into it (assignments measured faster than reads inside the literal).
    const fields = [...new Set(keys)].map((k) => `${S(k)}: undefined`);
    fields.push('"__unknown": undefined');
    const literal = `{ ${fields.join(', ')} }`;
    const sig = `function L${v.id}(b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, e${this.a('number')}, dep${this.a('number')}, sc${this.a('Scope | undefined')}`;
    let head: string;
    if (v.extra.length) {
      // nest-type-value: the caller makes the object (n<i>) and fills in the type-value keys.
      this.emit(`function n${v.id}()${this.a('Obj')} {\n  return ${literal};\n}`);
      head = `${sig}, o${this.a('Obj')})${this.a('Obj')} {\n  if (dep > ${this.r('MAX_DEPTH')}) throw ${this.r('tooDeep')}(s, ${ctx});\n${sc2}  let p = s;\n`;
    } else if (v.header) {
      const start = (v.header.size + 3) & ~3;
      const fills = header.map((m) => `  if (l >= ${num(m.offset + m.size)}) o[${S(m.name)}] = ${this.memberRead(m)};\n`).join('');
      head =
        `${sig})${this.a('Obj')} {\n  const o${this.a('Obj')} = ${literal};\n  const l = e - s;\n${fills}` +
        `  let p = s + ${num(start)};\n  if (p > e) p = e;\n  if (dep > ${this.r('MAX_DEPTH')}) throw ${this.r('tooDeep')}(p, ${ctx});\n${sc2}`;
    } else {
      head = `${sig})${this.a('Obj')} {\n  const o${this.a('Obj')} = ${literal};\n  if (dep > ${this.r('MAX_DEPTH')}) throw ${this.r('tooDeep')}(s, ${ctx});\n${sc2}  let p = s;\n`;
    }
    this.emit(
      head +
        (this.lateCases.length ? `  let late${this.a('number[] | undefined')};\n` : '') +
        '  while (e - p >= 4) {\n' +
        `    const len = dv.getUint16(p, ${this.r('LE')});\n` +
        `    if (len < 4 || len > e - p) throw ${this.r('badLength')}(len, e - p, p, ${ctx});\n` +
        '    const t = dv.getUint16(p + 2, LE) & 0x3fff;\n' +
        '    const ds = p + 4;\n' +
        '    const dl = len - 4;\n' +
        '    p += (len + 3) & ~3;\n' +
        '    switch (t) {\n' +
        cases.map((c) => `      ${c}\n`).join('') +
        `      default: ${this.r('keepUnknown')}(o, t, b, ds, dl);\n` +
        '    }\n  }\n' +
        (this.lateCases.length
          ? `  if (late !== undefined) {\n    for (let i = 0; i < late.length; i += 3) {\n      const ds = late[i + 1]${bang};\n      const dl = late[i + 2]${bang};\n      switch (late[i]) {\n` +
            this.lateCases.map((c) => `        ${c}\n`).join('') +
            '      }\n    }\n  }\n'
          : '') +
        '  return o;\n}',
    );
    this.genVariantEncoder(v);
  }

  /** Reader of the member that gives a record's length (recordLength extension). */
  private recordLengthMember(a: AttributeSpec): StructMember {
    return this.struct(a.struct!).members.find((m) => m.name === a.recordLength)!;
  }

  /** Decoder of a sequence of (struct + attributes) records, each as long as its length member says. */
  private recordDecoder(set: AttributeSet, a: AttributeSpec, v: Variant): string {
    const name = this.fresh('rd');
    const ctx = S(`${set.name}.${a.name}`);
    const m = this.recordLengthMember(a);
    const at = m.offset === 0 ? 'p' : `p + ${num(m.offset)}`;
    const read =
      m.size === 1
        ? `dv.${READ[m.type as FixedIntType]}(${at})`
        : m.type === 'u64'
          ? `${this.r('rdU64')}(dv, ${at}, ${le(m.byteOrder)})`
          : `dv.${READ[m.type as FixedIntType]}(${at}, ${le(m.byteOrder)})`;
    const size = num(v.header!.size);
    this.emit(
      `function ${name}(b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, e${this.a('number')}, dep${this.a('number')}, sc${this.a('Scope | undefined')})${this.a('Obj[]')} {\n` +
        `  const out${this.a('Obj[]')} = [];\n  let p = s;\n  while (e - p >= ${size}) {\n` +
        `    const len = ${read};\n` +
        `    if (len < ${size} || len > e - p) throw ${this.r('badRecord')}(len, ${size}, e - p, p, ${ctx});\n` +
        `    out.push(L${v.id}(b, dv, p, p + len, dep, sc));\n    p += (len + 3) & ~3;\n  }\n  return out;\n}`,
    );
    return name;
  }

  /** Encoder of a sequence of records: struct, attributes, then the length member patched. */
  private recordEncoder(a: AttributeSpec, v: Variant): string {
    const name = this.fresh('rw');
    const m = this.recordLengthMember(a);
    const set = m.size === 1 ? 'setU8' : m.size === 2 ? 'setU16' : 'setU32';
    const order = m.size === 1 ? '' : `, ${m.byteOrder === 'big-endian' ? 'true' : 'false'}`;
    this.emit(
      `function ${name}(w${this.a('MessageWriter')}, t${this.a('number')}, x${this.a('readonly unknown[]')}, path${this.a('string')}, sc${this.a('Scope | undefined')})${this.a('void')} {\n` +
        '  const n = w.nestStart(t, false);\n  for (let i = 0; i < x.length; i++) {\n' +
        `    const o = ${this.r('object')}(x[i], path, \`[\${i}]\`);\n    const p = \`\${path}[\${i}]\`;\n    const at = w.length;\n` +
        `    E${v.id}(w, o, p, sc);\n` +
        `    w.${set}(at${m.offset === 0 ? '' : ` + ${num(m.offset)}`}, ${this.r('recordSize')}(w.length - at, ${num(2 ** (8 * m.size) - 1)}, p)${order});\n  }\n  w.nestEnd(n);\n}`,
    );
    return name;
  }

  /** Decoders of packed struct arrays, by struct (the struct-array extension). */
  private readonly structArrays = new Map<string, string>();

  private structArrayDecoder(struct: string): string {
    const known = this.structArrays.get(struct);
    if (known !== undefined) return known;
    const name = this.fresh('sa');
    this.structArrays.set(struct, name);
    const size = num(this.struct(struct).size);
    this.emit(
      `function ${name}(b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, l${this.a('number')}, ctx${this.a('string')})${this.a('Obj[]')} {\n` +
        `  if (l % ${size} !== 0) throw ${this.r('badArray')}(l, ${size}, s - 4, ctx);\n` +
        `  const n = l / ${size};\n  const out${this.a('Obj[]')} = new Array(n);\n` +
        `  for (let i = 0, q = s; i < n; i++, q += ${size}) out[i] = s${this.structIdOf(struct)}(b, dv, q, ${size});\n  return out;\n}`,
    );
    return name;
  }

  /** Array decoders by what they read: attributes of the same element type share one. */
  private readonly binaryArrays = new Map<string, string>();

  private binaryArrayDecoder(a: AttributeSpec): string {
    const type = a.subType as FixedIntType;
    const size = INT_SIZE[type];
    const read = size === 1 ? `dv.${READ[type]}(q)` : type === 'u64' ? `${this.r('rdU64')}(dv, q, ${le(a.byteOrder)})` : `dv.${READ[type]}(q, ${le(a.byteOrder)})`;
    const element = this.mapRead(a, read);
    const known = this.binaryArrays.get(element);
    if (known !== undefined) return known;
    const name = this.fresh('ba');
    this.binaryArrays.set(element, name);
    this.emit(
      `function ${name}(b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, l${this.a('number')})${this.a('unknown[]')} {\n` +
        // Sized up front: these arrays (ifla6 conf and stats ...) run to dozens of entries.
        `  const n = Math.floor(l / ${num(size)});\n  const out${this.a('unknown[]')} = new Array(n);\n  for (let i = 0, q = s; i < n; i++, q += ${num(size)}) out[i] = ${element};\n  return out;\n}`,
    );
    return name;
  }

  private indexedArrayDecoder(set: AttributeSet, a: AttributeSpec): string {
    const name = this.fresh('ia');
    const ctx = S(`${set.name}.${a.name}`);
    let item: string;
    const sub = a.subType!;
    if (sub === 'nest') {
      item = `const it${this.a('Obj')} = {}; it[t] = ${this.decoderOf(a.nestedAttributes!)}(b, dv, ds, ds + dl, dep + 1, sc); out.push(it);`;
    } else if (isFixedInt(sub)) {
      const size = INT_SIZE[sub];
      const read = size === 1 ? `dv.${READ[sub]}(ds)` : sub === 'u64' ? `${this.r('rdU64')}(dv, ds, ${le(a.byteOrder)})` : `dv.${READ[sub]}(ds, ${le(a.byteOrder)})`;
      item = `if (dl < ${num(size)}) throw ${this.r('tooShort')}(dl, ${num(size)}, ds - 4, ${ctx}); out.push(${this.mapRead(a, read)});`;
    } else {
      item = `out.push(${this.binaryRead(a.displayHint, 'ds', 'dl')});`;
    }
    this.emit(
      `function ${name}(b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, e${this.a('number')}, dep${this.a('number')}, sc${this.a('Scope | undefined')})${this.a('unknown[]')} {\n` +
        `  if (dep > ${this.r('MAX_DEPTH')}) throw ${this.r('tooDeep')}(s, ${ctx});\n` +
        `  const out${this.a('unknown[]')} = [];\n  let p = s;\n  while (e - p >= 4) {\n` +
        `    const len = dv.getUint16(p, ${this.r('LE')});\n` +
        `    if (len < 4 || len > e - p) throw ${this.r('badLength')}(len, e - p, p, ${ctx});\n` +
        // The item's type is read only where the item uses it.
        (/\bt\b/.test(item) ? '    const t = dv.getUint16(p + 2, LE) & 0x3fff;\n' : '') +
        '    const ds = p + 4;\n    const dl = len - 4;\n    p += (len + 3) & ~3;\n' +
        `    ${item}\n  }\n  return out;\n}`,
    );
    return name;
  }

  private typeValueDecoder(a: AttributeSpec): string {
    const name = this.fresh('tv');
    const set = this.set(a.nestedAttributes!);
    const v = this.variant(set, undefined, a.typeValue!);
    const ctx = S(`${set.name}`);
    const levels = a
      .typeValue!.map(
        (k) =>
          '  if (de - ds < 4) return o;\n' +
          `  { const len = dv.getUint16(ds, LE); if (len < 4 || len > de - ds) throw ${this.r('badLength')}(len, de - ds, ds, ${ctx}); ` +
          `o[${S(k)}] = dv.getUint16(ds + 2, LE) & 0x3fff; de = ds + len; ds += 4; }\n`,
      )
      .join('');
    this.emit(
      `function ${name}(b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, e${this.a('number')}, dep${this.a('number')}, sc${this.a('Scope | undefined')})${this.a('Obj')} {\n` +
        `  const o = n${v.id}();\n  let ds = s;\n  let de = e;\n${levels}  return L${v.id}(b, dv, ds, de, dep, sc, o);\n}`,
    );
    return name;
  }

  private queueSub(name: string): void {
    if (!this.subQueue.includes(name)) this.subQueue.push(name);
  }

  private genSubMessage(name: string): void {
    const sub = this.idx.subMessages.get(name)!;
    const id = this.subIds.get(name)!;
    const dec: string[] = [];
    const enc: string[] = [];
    for (const f of sub.formats) {
      const set = f.attributeSet !== undefined ? this.set(f.attributeSet) : undefined;
      const header = f.fixedHeader !== undefined ? this.struct(f.fixedHeader) : undefined;
      const k = S(f.value);
      if (set && header) {
        const v = this.variant(set, header);
        dec.push(`case ${k}: return L${v.id}(b, dv, s, s + l, dep, sc);`);
        enc.push(`case ${k}: { const n = w.nestStart(t); E${v.id}(w, ${this.r('object')}(x, path, name), ${this.r('join')}(path, name), sc); w.nestEnd(n); return; }`);
      } else if (set) {
        dec.push(`case ${k}: return ${this.decoderOf(set.name)}(b, dv, s, s + l, dep, sc);`);
        enc.push(
          `case ${k}: { const n = w.nestStart(t); ${this.encoderOf(set.name)}(w, ${this.r('object')}(x, path, name), ${this.r('join')}(path, name), sc); w.nestEnd(n); return; }`,
        );
      } else if (header) {
        dec.push(`case ${k}: return s${this.structIdOf(header.name)}(b, dv, s, l);`);
        enc.push(
          `case ${k}: w.putBinary(t, ${this.r('structValue')}(${this.structDesc(header.name)}, ${this.r('object')}(x, path, name), ${this.r('join')}(path, name))); return;`,
        );
      } else {
        dec.push(`case ${k}: return {};`);
        enc.push(
          `case ${k}: for (const f in ${this.r('object')}(x, path, name)) throw ${this.r('unknownKey')}(${this.r('join')}(path, name), f, ${S(`${name}(${f.value})`)}); w.putFlag(t); return;`,
        );
      }
    }
    this.emit(
      `function m${id}(key${this.a('unknown')}, b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, l${this.a('number')}, dep${this.a('number')}, sc${this.a('Scope | undefined')})${this.a('unknown')} {\n` +
        `  switch (${this.r('selectorKey')}(key)) {\n${dec.map((c) => `    ${c}\n`).join('')}    default: return b.subarray(s, s + l);\n  }\n}`,
    );
    this.emit(
      `function q${id}(w${this.a('MessageWriter')}, t${this.a('number')}, key${this.a('string | undefined')}, x${this.a('unknown')}, path${this.a('string')}, name${this.a('string')}, sel${this.a('string')}, sc${this.a('Scope | undefined')})${this.a('void')} {\n` +
        `  if (x instanceof Uint8Array) { w.putBinary(t, x); return; }\n` +
        `  switch (key) {\n${enc.map((c) => `    ${c}\n`).join('')}` +
        `    default: ${this.r('putRawSubMessage')}(w, t, x, path, name, key, sel, ${S(name)});\n  }\n}`,
    );
  }

  // ---- encoding -------------------------------------------------------------

  /** Statements that write attribute `a` with value `y` (one item for multi-attr). */
  private encodeItem(set: AttributeSet, a: AttributeSpec, y: string): string {
    const k = S(a.name);
    const t = num(a.value);
    const type = a.type;
    const be = a.byteOrder === 'big-endian' ? ', true' : '';
    if (isFixedInt(type) || type === 'uint' || type === 'sint') {
      const input = this.mapInput(a, y, 'path', k);
      const value = this.checkedInt(type, input, 'path', k, a.checks);
      const order = type === 'u8' || type === 's8' ? '' : be;
      if (a.checks.flagsMask !== undefined) {
        const def = this.enumDef(a.checks.flagsMask);
        let mask = 0n;
        for (const e of def.entries) mask |= 1n << BigInt(e.value);
        return `{ const n = ${value}; ${this.r('checkMask')}(n, ${bigLit(mask)}, path, ${k}); w.${PUT[type]}(${t}, n${order}); }`;
      }
      return `w.${PUT[type]}(${t}, ${value}${order});`;
    }
    const lenCheck = (what: string): string => {
      const c = a.checks;
      if (c.exactLen !== undefined) return `${this.r('checkLength')}(${what}, ${num(c.exactLen)}, ${num(c.exactLen)}, path, ${k}); `;
      if (c.minLen !== undefined || c.maxLen !== undefined) {
        return `${this.r('checkLength')}(${what}, ${num(c.minLen ?? 0)}, ${num(c.maxLen ?? 0xffff)}, path, ${k}); `;
      }
      return '';
    };
    switch (type) {
      case 'string': {
        const check = lenCheck(`${this.r('utf8Length')}(u)`);
        return `{ const u = ${this.r('text')}(${y}, path, ${k}); ${check}w.putString(${t}, u); }`;
      }
      case 'binary': {
        if (a.struct !== undefined && a.nestedAttributes !== undefined) {
          const v = this.variant(this.set(a.nestedAttributes), this.struct(a.struct));
          const scope = this.childScope(a.nestedAttributes);
          if (a.recordLength !== undefined) {
            return `${this.recordEncoder(a, v)}(w, ${t}, ${this.r('array')}(${y}, path, ${k}), ${this.r('join')}(path, ${k}), ${scope});`;
          }
          // No NLA_F_NESTED: the kernel's policy for these is a plain length (as iproute2 sends them).
          return `{ const n = w.nestStart(${t}, false); E${v.id}(w, ${this.r('object')}(${y}, path, ${k}), ${this.r('join')}(path, ${k}), ${scope}); w.nestEnd(n); }`;
        }
        if (a.struct !== undefined && a.subType === 'binary') {
          return `w.putBinary(${t}, ${this.r('structArray')}(${this.structDesc(a.struct)}, ${this.r('array')}(${y}, path, ${k}), ${this.r('join')}(path, ${k})));`;
        }
        if (a.struct !== undefined) {
          return `w.putBinary(${t}, ${this.r('structValue')}(${this.structDesc(a.struct)}, ${this.r('object')}(${y}, path, ${k}), ${this.r('join')}(path, ${k})));`;
        }
        if (a.subType !== undefined && isFixedInt(a.subType)) {
          return `w.putBinary(${t}, ${this.binaryArrayEncoder(a)}(${this.r('array')}(${y}, path, ${k}), path, ${k}));`;
        }
        const check = lenCheck('u.length');
        return `{ const u = ${this.r('bytes')}(${y}, path, ${k}, ${S(a.displayHint ?? '')}); ${check}w.putBinary(${t}, u); }`;
      }
      case 'flag':
        return `if (${this.r('flag')}(${y}, path, ${k})) w.putFlag(${t});`;
      case 'nest': {
        return `{ const n = w.nestStart(${t}); ${this.encoderOf(a.nestedAttributes!)}(w, ${this.r('object')}(${y}, path, ${k}), ${this.r('join')}(path, ${k}), ${this.childScope(a.nestedAttributes)}); w.nestEnd(n); }`;
      }
      case 'indexed-array':
        return `${this.indexedArrayEncoder(a)}(w, ${t}, ${this.r('array')}(${y}, path, ${k}), ${this.r('join')}(path, ${k}), ${this.childScope(a.nestedAttributes)});`;
      case 'nest-type-value':
        return `${this.typeValueEncoder(a)}(w, ${t}, ${this.r('object')}(${y}, path, ${k}), ${this.r('join')}(path, ${k}), ${this.childScope(a.nestedAttributes)});`;
      case 'sub-message': {
        const local = this.idx.attributes.get(set.name)!.has(a.selector!);
        const key = local ? `${this.r('own')}(v, ${S(a.selector!)})` : `${this.r('scopeInput')}(sc, ${S(a.selector!)})`;
        const gives = (this.idx.subMessages.get(a.subMessage!)?.formats ?? []).some((f) => f.attributeSet !== undefined && this.needsScope.has(f.attributeSet));
        this.queueSub(a.subMessage!);
        return `q${this.subIds.get(a.subMessage!)!}(w, ${t}, ${this.r('selectorKey')}(${key}), ${y}, path, ${k}, ${S(a.selector!)}, ${gives ? 'sc2' : 'undefined'});`;
      }
      case 'bitfield32': {
        const part = (field: string): string => this.checkedInt('u32', this.mapInput(a, `${this.r('own')}(f, ${S(field)}) ?? 0`, 'path', k), 'path', k);
        return `{ const f = ${this.r('object')}(${y}, path, ${k}); ${this.r('putBitfield32')}(w, ${t}, ${part('value')}, ${part('selector')}); }`;
      }
      default:
        throw new Error(`generator: cannot encode ${type}`);
    }
  }

  private binaryArrayEncoder(a: AttributeSpec): string {
    const name = this.fresh('bw');
    const type = a.subType as FixedIntType;
    const size = INT_SIZE[type];
    const item = this.checkedInt(type, this.mapInput(a, 'x[i]', 'path', 'name'), 'path', 'name');
    const order = size === 1 ? '' : `, ${le(a.byteOrder)}`;
    this.emit(
      `function ${name}(x${this.a('readonly unknown[]')}, path${this.a('string')}, name${this.a('string')})${this.a('Uint8Array')} {\n` +
        `  const u = new Uint8Array(x.length * ${num(size)});\n  const d = new DataView(u.buffer);\n` +
        `  for (let i = 0; i < x.length; i++) d.${WRITE[type]}(i * ${num(size)}, ${item}${order});\n  return u;\n}`,
    );
    return name;
  }

  private indexedArrayEncoder(a: AttributeSpec): string {
    const name = this.fresh('iw');
    const sub = a.subType!;
    let body: string;
    if (sub === 'nest') {
      body =
        `    const it = ${this.r('object')}(x[i], path, \`[\${i}]\`);\n` +
        '    for (const k in it) {\n' +
        `      const idx = ${this.r('int')}(Number(k), path, \`[\${i}].\${k}\`, 0, 0x3fff);\n` +
        `      const m = w.nestStart(idx); ${this.encoderOf(a.nestedAttributes!)}(w, ${this.r('object')}(it[k], path, \`[\${k}]\`), \`\${path}[\${k}]\`, sc); w.nestEnd(m);\n    }\n`;
    } else if (isFixedInt(sub)) {
      const be = a.byteOrder === 'big-endian' && sub !== 'u8' && sub !== 's8' ? ', true' : '';
      body = `    w.${PUT[sub]}(i, ${this.checkedInt(sub, this.mapInput(a, 'x[i]', 'path', '`[${i}]`'), 'path', '`[${i}]`')}${be});\n`;
    } else {
      body = `    w.putBinary(i, ${this.r('bytes')}(x[i], path, \`[\${i}]\`, ${S(a.displayHint ?? '')}));\n`;
    }
    this.emit(
      `function ${name}(w${this.a('MessageWriter')}, t${this.a('number')}, x${this.a('readonly unknown[]')}, path${this.a('string')}, sc${this.a('Scope | undefined')})${this.a('void')} {\n` +
        `  const n = w.nestStart(t);\n  for (let i = 0; i < x.length; i++) {\n${body}  }\n  w.nestEnd(n);\n}`,
    );
    return name;
  }

  private typeValueEncoder(a: AttributeSpec): string {
    const name = this.fresh('tw');
    const set = this.set(a.nestedAttributes!);
    const v = this.variant(set, undefined, a.typeValue!);
    const levels = a.typeValue!;
    const opens = levels.map((k, i) => `  const c${i + 1} = w.nestStart(${this.r('int')}(${this.r('own')}(x, ${S(k)}), path, ${S(k)}, 0, 0x3fff));\n`).join('');
    const closes = levels.map((_, i) => `  w.nestEnd(c${levels.length - i});\n`).join('');
    this.emit(
      `function ${name}(w${this.a('MessageWriter')}, t${this.a('number')}, x${this.a('Obj')}, path${this.a('string')}, sc${this.a('Scope | undefined')})${this.a('void')} {\n` +
        `  const c0 = w.nestStart(t);\n${opens}  E${v.id}(w, x, path, sc);\n${closes}  w.nestEnd(c0);\n}`,
    );
    return name;
  }

  private genVariantEncoder(v: Variant): void {
    const { set } = v;
    const cases: string[] = [];
    const names = new Set<string>();
    const shadowed = this.shadowed(v);
    // Selectors are written before anything else, so that a receiver that
    // decodes in one pass (like the kernel's ynl tool) knows each sub-message's format.
    const byName = this.idx.attributes.get(set.name)!;
    const first = new Set<string>();
    for (const a of set.attributes) {
      if (a.type !== 'sub-message' || shadowed.has(a.name)) continue;
      const sel = byName.get(a.selector!);
      if (sel && !sel.multiAttr && !shadowed.has(sel.name)) first.add(sel.name);
    }
    const pre = [...first].map((n) => `  { const x = ${this.r('own')}(v, ${S(n)}); if (x !== undefined) ${this.encodeItem(set, byName.get(n)!, 'x')} }\n`).join('');
    for (const a of set.attributes) {
      if (a.type === 'pad' || a.type === 'unused' || names.has(a.name) || shadowed.has(a.name)) continue;
      names.add(a.name);
      if (first.has(a.name)) {
        cases.push(`case ${S(a.name)}: break;`);
        continue;
      }
      const stmt = a.multiAttr ? `for (const y of ${this.r('items')}(x)) ${this.encodeItem(set, a, 'y')}` : this.encodeItem(set, a, 'x');
      cases.push(`case ${S(a.name)}: ${stmt} break;`);
    }
    const skip = [...v.extra, ...(v.header ? v.header.members.filter((m) => m.type !== 'pad').map((m) => m.name) : [])].filter((k) => !names.has(k));
    if (skip.length) cases.push(`${[...new Set(skip)].map((k) => `case ${S(k)}:`).join(' ')} break;`);
    const sc2 = this.givesScope(set) ? `  const sc2${this.a('Scope')} = { o: v, up: sc };\n` : '';
    // A fixed header is written first, from the same object (its fields are not attributes).
    const header = v.header ? `  w.putRaw(${this.r('structBytes')}(${this.structDesc(v.header.name)}, v, path));\n` : '';
    // Also the encoder of message bodies, called with (w, v).
    this.emit(
      `function E${v.id}(w${this.a('MessageWriter')}, v${this.a('Obj')}, path = "", sc${this.ts ? '?: Scope' : ''})${this.a('void')} {\n${header}${sc2}${pre}` +
        '  for (const k in v) {\n    const x = v[k];\n    if (x === undefined) continue;\n    switch (k) {\n' +
        cases.map((c) => `      ${c}\n`).join('') +
        `      case "__unknown": ${this.r('putUnknown')}(w, x, path); break;\n` +
        `      default: throw ${this.r('unknownKey')}(path, k, ${S(set.name)});\n    }\n  }\n}`,
    );
  }

  // ---- family ---------------------------------------------------------------

  generate(): GeneratedCodec {
    this.genStructs();
    // Every set's plain variant first (L<i> / E<i> for set i decode and encode it).
    for (const set of this.spec.attributeSets) this.variant(set, undefined);
    // Message bodies: every (attribute set, fixed header) pair the operations use.
    const bodies: string[] = [];
    const bodyKeys = new Set<string>();
    for (const op of this.spec.operations) {
      if (op.attributeSet === undefined) continue;
      const key = `${op.attributeSet}\u0000${op.fixedHeader ?? ''}`;
      if (bodyKeys.has(key)) continue;
      bodyKeys.add(key);
      const set = this.set(op.attributeSet);
      const header = op.fixedHeader !== undefined ? this.struct(op.fixedHeader) : undefined;
      const v = this.variant(set, header);
      // The entry point of message decoding starts the depth count; a default
      // parameter on L<i> instead measured a few percent slower on route dumps.
      const id = bodies.length;
      this.emit(
        `function B${id}(b${this.a('Uint8Array')}, dv${this.a('DataView')}, s${this.a('number')}, e${this.a('number')})${this.a('Obj')} {\n  return L${v.id}(b, dv, s, e, 0, undefined);\n}`,
      );
      bodies.push(`[${S(op.attributeSet)}, ${S(op.fixedHeader ?? '')}, B${id}, E${v.id}]`);
    }
    // Drain: loops and encoders of every variant, sub-messages (which may add variants).
    for (let i = 0, j = 0; i < this.variantQueue.length || j < this.subQueue.length;) {
      if (i < this.variantQueue.length) this.genLoop(this.variantQueue[i++]!);
      else this.genSubMessage(this.subQueue[j++]!);
    }
    const sets = this.spec.attributeSets.map((s) => `[${S(s.name)}, ${this.decoderOf(s.name)}, ${this.encoderOf(s.name)}]`);
    const structs = [...this.structIds].map(([n, id]) => `[${S(n)}, s${id}, ${this.r('structEncoder')}(${this.structDesc(n)})]`);
    this.emit(
      `const codecs${this.a('FamilyCodecs')} = {\n` +
        `  sets: [\n${sets.map((x) => `    ${x},\n`).join('')}  ],\n` +
        `  structs: [\n${structs.map((x) => `    ${x},\n`).join('')}  ],\n` +
        `  bodies: [\n${bodies.map((x) => `    ${x},\n`).join('')}  ],\n};`,
    );
    return { body: this.chunks.join('\n'), runtimeNames: [...this.used].sort() };
  }
}

/** Generates the codec source of a family. */
export function generateCodecSource(spec: FamilySpec, options: GenerateOptions = {}): GeneratedCodec {
  return new Generator(spec, options.ts === true).generate();
}
