// fast-check arbitraries of decoded values, derived from a family model: for
// any attribute set, values in exactly the form the generated decoders
// produce (so encode -> decode must give them back).
import fc from 'fast-check';
import { formatIPv4, formatIPv6 } from '../../../src/core/address.js';
import {
  INT_SIZE,
  indexSpec,
  isFlagsUse,
  type AttributeSet,
  type AttributeSpec,
  type DisplayHint,
  type EnumDefinition,
  type FamilySpec,
  type FixedIntType,
  type SpecIndex,
  type StructDefinition,
  type StructMember,
} from '../../../src/schema/model.js';
import { fmtHexBytes, fmtHexInt, fmtIPv4Int, fmtMac, fmtUuid } from '../../../src/schema/runtime.js';

type Arb = fc.Arbitrary<unknown>;

const RANGES: Record<FixedIntType | 'uint' | 'sint', readonly [bigint, bigint]> = {
  u8: [0n, 0xffn],
  u16: [0n, 0xffffn],
  u32: [0n, 0xffffffffn],
  u64: [0n, 0xffffffffffffffffn],
  s8: [-0x80n, 0x7fn],
  s16: [-0x8000n, 0x7fffn],
  s32: [-0x80000000n, 0x7fffffffn],
  s64: [-0x8000000000000000n, 0x7fffffffffffffffn],
  uint: [0n, 0xffffffffffffffffn],
  sint: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

const WIDE = new Set(['u64', 's64', 'uint', 'sint']);

/** Max nesting the arbitraries generate (deeper nests are left out). */
const MAX_DEPTH = 3;

interface Valued {
  readonly enum?: string;
  readonly enumAsFlags?: boolean;
  readonly displayHint?: DisplayHint;
}

export class SpecArbitraries {
  private readonly idx: SpecIndex;
  private readonly cache = new Map<string, Arb>();

  constructor(readonly spec: FamilySpec) {
    this.idx = indexSpec(spec);
  }

  private enumDef(name: string): EnumDefinition {
    return this.idx.enums.get(name)!;
  }

  /** Names that decode back to themselves (the last entry of a repeated value wins). */
  private canonicalEntries(def: EnumDefinition): { name: string; value: number }[] {
    const last = new Map<number, string>();
    for (const e of def.entries) last.set(e.value, e.name);
    return def.entries.filter((e) => last.get(e.value) === e.name);
  }

  /** An integer of a type and range, in decoded form. */
  private integer(type: FixedIntType | 'uint' | 'sint', v: Valued, min?: number | bigint, max?: number | bigint): Arb {
    let [lo, hi] = RANGES[type];
    if (min !== undefined && BigInt(min) > lo) lo = BigInt(min);
    if (max !== undefined && BigInt(max) < hi) hi = BigInt(max);
    const wide = WIDE.has(type);
    if (v.enum !== undefined) {
      const def = this.enumDef(v.enum);
      const entries = this.canonicalEntries(def);
      if (isFlagsUse(def, v.enumAsFlags)) {
        const bits = entries.filter((e) => 1n << BigInt(e.value) <= hi).sort((a, b) => a.value - b.value);
        return fc.subarray(bits.map((e) => e.name));
      }
      const names = entries.filter((e) => BigInt(e.value) >= lo && BigInt(e.value) <= hi).map((e) => e.name);
      return names.length ? fc.constantFrom(...names) : fc.constant(undefined);
    }
    const raw = wide ? fc.bigInt({ min: lo, max: hi }) : fc.integer({ min: Number(lo), max: Number(hi) });
    if (v.displayHint === 'hex') return raw.map((x) => fmtHexInt(x));
    if (v.displayHint === 'ipv4' && !wide) return raw.map((x) => fmtIPv4Int(x as number));
    return raw;
  }

  /** Bytes in the form a binary value with this display hint decodes to. */
  private binary(hint: DisplayHint | undefined, min: number, max: number): Arb {
    const bytes = (lo: number, hi: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: lo, maxLength: hi });
    const fits = (n: number): boolean => n >= min && n <= max;
    switch (hint) {
      case 'ipv4':
        return fits(4) ? bytes(4, 4).map((b) => formatIPv4(b)) : bytes(min, max);
      case 'ipv6':
        return fits(16) ? bytes(16, 16).map((b) => formatIPv6(b)) : bytes(min, max);
      case 'ipv4-or-v6': {
        const options: Arb[] = [];
        if (fits(4)) options.push(bytes(4, 4).map((b) => formatIPv4(b)));
        if (fits(16)) options.push(bytes(16, 16).map((b) => formatIPv6(b)));
        return options.length ? fc.oneof(...options) : bytes(min, max);
      }
      case 'mac':
        return bytes(Math.max(min, 1), Math.max(min, Math.min(max, 8))).map((b) => fmtMac(b, 0, b.length));
      case 'hex':
        return bytes(Math.max(min, 1), Math.max(min, Math.min(max, 8))).map((b) => fmtHexBytes(b, 0, b.length));
      case 'uuid':
        return fits(16) ? bytes(16, 16).map((b) => fmtUuid(b, 0, 16)) : bytes(min, max);
      default:
        return bytes(min, Math.min(max, Math.max(min, 24)));
    }
  }

  private text(maxBytes: number, minBytes = 0): Arb {
    const s =
      maxBytes < 64 || minBytes > 0
        ? fc.string({ unit: 'grapheme-ascii', minLength: minBytes, maxLength: Math.min(maxBytes, 24) })
        : fc.string({ unit: 'grapheme', maxLength: 12 });
    return s.map((x) => x.replace(/\0/g, 'x'));
  }

  private member(m: StructMember, depth: number): Arb {
    if (Object.hasOwn(INT_SIZE, m.type)) return this.integer(m.type as FixedIntType, m);
    if (m.type === 'string') return this.text(m.size);
    if (m.struct !== undefined) return this.struct(this.idx.structs.get(m.struct)!, depth + 1, false);
    const hint = m.displayHint;
    if (hint === 'mac') return fc.uint8Array({ minLength: m.size, maxLength: m.size }).map((b) => fmtMac(b, 0, b.length));
    if (hint === 'hex') return fc.uint8Array({ minLength: m.size, maxLength: m.size }).map((b) => fmtHexBytes(b, 0, b.length));
    return this.binary(hint, m.size, m.size);
  }

  /** A decoded struct: every member (pad excluded), plus __rest when `rest`. */
  struct(def: StructDefinition, depth = 0, rest = true): Arb {
    const fields: Record<string, Arb> = {};
    for (const m of def.members) if (m.type !== 'pad') fields[m.name] = this.member(m, depth);
    return fc.record(fields).map((o) => (rest ? { ...o, __rest: undefined } : o));
  }

  private value(set: AttributeSet, a: AttributeSpec, depth: number): Arb | undefined {
    const c = a.checks;
    switch (a.type) {
      case 'u8':
      case 'u16':
      case 'u32':
      case 'u64':
      case 's8':
      case 's16':
      case 's32':
      case 's64':
      case 'uint':
      case 'sint': {
        if (c.flagsMask !== undefined && a.enum === undefined) {
          const bits = this.enumDef(c.flagsMask).entries.map((e) => e.value);
          return fc.subarray(bits).map((bs) => {
            const m = bs.reduce((acc, b) => acc | (1n << BigInt(b)), 0n);
            return WIDE.has(a.type) ? m : Number(m);
          });
        }
        return this.integer(a.type, a, c.min, c.max);
      }
      case 'string': {
        const max = c.exactLen ?? c.maxLen ?? 64;
        return this.text(max, c.exactLen ?? c.minLen ?? 0);
      }
      case 'binary': {
        // Records (nlkit's record-length extension) carry their encoded length: byte vectors in test/unit/route cover them.
        if (a.recordLength !== undefined) return undefined;
        if (a.struct !== undefined && a.nestedAttributes !== undefined) return depth >= MAX_DEPTH ? undefined : this.format('', a.struct, a.nestedAttributes, depth + 1);
        // A packed struct array (nlkit's struct-array extension): whole structs only.
        if (a.struct !== undefined && a.subType === 'binary') return fc.array(this.struct(this.idx.structs.get(a.struct)!, depth, false), { maxLength: 4 });
        if (a.struct !== undefined) return this.struct(this.idx.structs.get(a.struct)!, depth);
        if (a.subType !== undefined && Object.hasOwn(INT_SIZE, a.subType)) {
          return fc.array(this.integer(a.subType as FixedIntType, a), { maxLength: 4 });
        }
        const min = c.exactLen ?? c.minLen ?? 0;
        const max = c.exactLen ?? c.maxLen ?? 24;
        return this.binary(a.displayHint, min, max);
      }
      case 'flag':
        return fc.constant(true);
      case 'nest':
        return depth >= MAX_DEPTH ? undefined : this.set(a.nestedAttributes!, depth + 1);
      case 'indexed-array': {
        const sub = a.subType!;
        if (sub === 'nest') {
          if (depth >= MAX_DEPTH) return undefined;
          const item = this.set(a.nestedAttributes!, depth + 1);
          return fc.array(
            fc.tuple(fc.integer({ min: 0, max: 0x3fff }), item).map(([i, v]) => ({ [i]: v })),
            { maxLength: 3 },
          );
        }
        if (Object.hasOwn(INT_SIZE, sub)) return fc.array(this.integer(sub as FixedIntType, a), { maxLength: 4 });
        return fc.array(this.binary(a.displayHint, c.exactLen ?? 0, c.exactLen ?? 16), { maxLength: 3 });
      }
      case 'nest-type-value': {
        if (depth >= MAX_DEPTH) return undefined;
        const keys: Record<string, Arb> = {};
        for (const k of a.typeValue!) keys[k] = fc.integer({ min: 0, max: 0x3fff });
        return fc.tuple(fc.record(keys), this.set(a.nestedAttributes!, depth + 1, a.typeValue!)).map(([k, v]) => ({ ...(v as object), ...k }));
      }
      case 'bitfield32': {
        const part = this.integer('u32', a);
        return fc.record({ value: part, selector: part });
      }
      default:
        return undefined; // sub-message (handled with its selector), pad, unused
    }
  }

  /** Decoded objects of an attribute set (any subset of its attributes). */
  set(name: string, depth = 0, hidden: readonly string[] = []): Arb {
    const key = `${name}/${depth}/${hidden.join(',')}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const set = this.idx.sets.get(name)!;
    const fields: Record<string, Arb> = {};
    const hide = new Set(hidden);
    for (const a of set.attributes) {
      if (hide.has(a.name)) continue;
      const v = this.value(set, a, depth);
      if (v === undefined) continue;
      fields[a.name] = a.multiAttr ? fc.array(v, { minLength: 1, maxLength: 3 }) : v;
    }
    const known = new Set(set.attributes.map((a) => a.value));
    const unknownType = fc.integer({ min: 1, max: 0x3fff }).filter((t) => !known.has(t));
    fields.__unknown = fc.array(fc.record({ type: unknownType, data: fc.uint8Array({ maxLength: 8 }) }), { minLength: 1, maxLength: 2 });
    // A few attributes per object keeps big recursive sets (devlink, nl80211) fast.
    const keys = Object.keys(fields);
    let arb: Arb = fc.uniqueArray(fc.constantFrom(...keys), { maxLength: Math.min(keys.length, 6) }).chain((chosen) => {
      const picked: Record<string, Arb> = {};
      for (const k of chosen) picked[k] = fields[k]!;
      return fc.record(picked);
    });
    // Sub-messages whose selector is in this set: pick one selector value,
    // then a value of the matching format for each sub-message it selects.
    const names = this.idx.attributes.get(name)!;
    const bySelector = new Map<string, AttributeSpec[]>();
    for (const a of set.attributes) {
      if (a.type !== 'sub-message' || hide.has(a.name) || depth >= MAX_DEPTH) continue;
      const selector = names.get(a.selector!);
      if (!selector || hide.has(selector.name)) continue;
      bySelector.set(selector.name, [...(bySelector.get(selector.name) ?? []), a]);
    }
    for (const [selectorName, subs] of bySelector) {
      const selector = names.get(selectorName)!;
      const values = new Set<string>();
      for (const a of subs) for (const f of this.idx.subMessages.get(a.subMessage!)!.formats) values.add(f.value);
      const usable = [...values].filter((v) => selector.type === 'string' || (selector.enum !== undefined && this.enumDef(selector.enum).entries.some((e) => e.name === v)));
      if (!usable.length) continue;
      const choice = fc.option(
        fc.constantFrom(...usable).chain((value) => {
          const parts: Record<string, Arb> = {};
          for (const a of subs) {
            const f = this.idx.subMessages.get(a.subMessage!)!.formats.find((x) => x.value === value);
            if (f) parts[a.name] = this.format(f.value, f.fixedHeader, f.attributeSet, depth + 1);
          }
          return fc.record(parts, { requiredKeys: [] }).map((r) => ({ ...r, [selectorName]: value }));
        }),
        { nil: undefined },
      );
      arb = fc.tuple(arb, choice).map(([o, c]) => (c === undefined ? o : { ...(o as object), ...c }));
    }
    this.cache.set(key, arb);
    return arb;
  }

  private format(_value: string, header: string | undefined, set: string | undefined, depth: number): Arb {
    const h = header !== undefined ? this.idx.structs.get(header)! : undefined;
    if (h && set !== undefined) {
      const hidden = h.members.filter((m) => m.type !== 'pad').map((m) => m.name);
      return fc.tuple(this.struct(h, depth, false), this.set(set, depth, hidden)).map(([a, b]) => ({ ...(b as object), ...(a as object) }));
    }
    if (h) return this.struct(h, depth);
    if (set !== undefined) return this.set(set, depth);
    return fc.constant({});
  }

  /** Decoded message bodies of an operation: fixed header fields (all) and attributes. */
  message(setName: string, header: string | undefined): Arb {
    const h = header !== undefined ? this.idx.structs.get(header)! : undefined;
    if (!h) return this.set(setName);
    const hidden = h.members.filter((m) => m.type !== 'pad').map((m) => m.name);
    return fc.tuple(this.struct(h, 0, false), this.set(setName, 0, hidden)).map(([a, b]) => ({ ...(b as object), ...(a as object) }));
  }
}
