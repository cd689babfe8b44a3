// The in-memory model of one netlink family, as described by a YNL spec.
//
// The loader (load.ts) fills it in with every implicit default made explicit:
// attribute and operation numbering, enum values, struct layouts, inherited
// subset attributes, resolved constants. Numbering follows the kernel's own
// python library (tools/net/ynl/pyynl/lib/nlspec.py) so that message ids and
// attribute types match what the kernel tool sends.
//
// The model is plain data (arrays and objects, numbers, strings and bigints):
// the code generator can print it as a literal into generated modules, and
// nothing in it depends on the YAML it came from. Documentation text from the
// spec is not kept.

/** Schema level of a spec (the `protocol` key; absent means genetlink). */
export type Protocol = 'genetlink' | 'genetlink-legacy' | 'genetlink-c' | 'netlink-raw';

/** Fixed-width integer types. */
export type FixedIntType = 'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64';

/** Integer attribute types: fixed width, or NLA_UINT / NLA_SINT (4 or 8 bytes on the wire). */
export type IntType = FixedIntType | 'uint' | 'sint';

/** Every attribute type a spec may use. */
export type AttributeType = IntType | 'string' | 'binary' | 'flag' | 'nest' | 'indexed-array' | 'nest-type-value' | 'sub-message' | 'bitfield32' | 'pad' | 'unused';

/** The attribute types, for validation. */
export const ATTRIBUTE_TYPES: readonly AttributeType[] = [
  'u8',
  'u16',
  'u32',
  'u64',
  's8',
  's16',
  's32',
  's64',
  'uint',
  'sint',
  'string',
  'binary',
  'flag',
  'nest',
  'indexed-array',
  'nest-type-value',
  'sub-message',
  'bitfield32',
  'pad',
  'unused',
];

/** Byte order of a value: the host's (the netlink default), or fixed. */
export type ByteOrder = 'host' | 'little-endian' | 'big-endian';

/** How a value is shown (and parsed back) as text. */
export type DisplayHint = 'hex' | 'mac' | 'fddi' | 'ipv4' | 'ipv6' | 'ipv4-or-v6' | 'uuid';

/** The display hints, for validation. */
export const DISPLAY_HINTS: readonly DisplayHint[] = ['hex', 'mac', 'fddi', 'ipv4', 'ipv6', 'ipv4-or-v6', 'uuid'];

/** Member types allowed in a struct. */
export type StructMemberType = FixedIntType | 'string' | 'binary' | 'pad';

/** Byte width of each fixed-width integer type. */
export const INT_SIZE: Readonly<Record<FixedIntType, number>> = {
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  s8: 1,
  s16: 2,
  s32: 4,
  s64: 8,
};

/** A named constant (`type: const`). */
export interface ConstDefinition {
  readonly kind: 'const';
  readonly name: string;
  readonly value: number | string;
}

/** One entry of an enum or flags definition. */
export interface EnumEntry {
  readonly name: string;
  /**
   * The entry's number as counted in the spec. For `flags` this is the bit
   * number: the value on the wire is `1 << value`.
   */
  readonly value: number;
}

/** An `enum` or `flags` definition. */
export interface EnumDefinition {
  readonly kind: 'enum' | 'flags';
  readonly name: string;
  /** Prefix of the C names of the entries (e.g. 'rtn-'). */
  readonly namePrefix: string;
  readonly entries: readonly EnumEntry[];
}

/** One member of a struct. */
export interface StructMember {
  readonly name: string;
  readonly type: StructMemberType;
  readonly byteOrder: ByteOrder;
  /** Byte offset of the member in the struct. */
  readonly offset: number;
  /** Byte width of the member. */
  readonly size: number;
  /** Name of an enum definition that names the member's values. */
  readonly enum?: string;
  /** Treat `enum` as a set of bit numbers. */
  readonly enumAsFlags?: boolean;
  readonly displayHint?: DisplayHint;
  /** For binary members: a nested struct definition. */
  readonly struct?: string;
}

/** A `struct` definition: fixed headers and binary attribute payloads. */
export interface StructDefinition {
  readonly kind: 'struct';
  readonly name: string;
  readonly members: readonly StructMember[];
  /** Sum of the member sizes (YNL structs are packed: padding is explicit). */
  readonly size: number;
}

/** Any entry of `definitions`. */
export type Definition = ConstDefinition | EnumDefinition | StructDefinition;

/** Kernel input validation of an attribute (`checks`), with constants resolved. */
export interface Checks {
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  readonly minLen?: number;
  readonly maxLen?: number;
  readonly exactLen?: number;
  /** A string attribute may arrive without its terminating NUL. */
  readonly unterminatedOk?: boolean;
  /** Name of a flags definition whose entries are the only bits allowed. */
  readonly flagsMask?: string;
}

/** One attribute of an attribute set. */
export interface AttributeSpec {
  readonly name: string;
  readonly type: AttributeType;
  /** nla_type on the wire. */
  readonly value: number;
  /** The attribute may repeat; decoded as an array. */
  readonly multiAttr: boolean;
  readonly byteOrder: ByteOrder;
  /**
   * For nest, indexed-array of nests, nest-type-value: the inner attribute set.
   * nlkit extension: on a binary attribute with `struct`, the payload is the
   * struct followed (at its 4-byte aligned end) by attributes of this set,
   * decoded as one object of struct fields and attributes (VETH_INFO_PEER:
   * an ifinfomsg and link attributes).
   */
  readonly nestedAttributes?: string;
  /**
   * nlkit extension, with `struct` and `nestedAttributes` on a binary
   * attribute: the payload is a sequence of such records, each as long as
   * this struct member says (struct and attributes), each starting 4-byte
   * aligned; decoded as an array (RTA_MULTIPATH: struct rtnexthop records).
   * Encoding fills the member in.
   */
  readonly recordLength?: string;
  /** For binary: a struct definition describing the payload. */
  readonly struct?: string;
  /**
   * For binary (array of scalars) and indexed-array: the element type.
   * nlkit extension: `binary` with a `struct` on a binary attribute says the
   * payload is a packed array of that struct (NHA_GROUP: struct nexthop_grp
   * entries), decoded as an array of struct values.
   */
  readonly subType?: AttributeType;
  readonly enum?: string;
  readonly enumAsFlags?: boolean;
  readonly displayHint?: DisplayHint;
  readonly checks: Checks;
  /** For sub-message: name of the sub-message definition. */
  readonly subMessage?: string;
  /** For sub-message: name of the attribute whose value picks the format. */
  readonly selector?: string;
  /** For nest-type-value: names given to the nla_type of each level of nesting. */
  readonly typeValue?: readonly string[];
}

/** An attribute set (one nla_type number space). */
export interface AttributeSet {
  readonly name: string;
  /** Prefix of the C names of the attributes (e.g. 'ifla-'). */
  readonly namePrefix: string;
  /** The set this one is a subset of (its attributes keep the parent's numbers and types). */
  readonly subsetOf?: string;
  readonly attributes: readonly AttributeSpec[];
}

/** One format of a sub-message, picked when the selector equals `value`. */
export interface SubMessageFormat {
  readonly value: string;
  readonly fixedHeader?: string;
  readonly attributeSet?: string;
}

/** A sub-message definition: payload formats keyed by a selector value. */
export interface SubMessage {
  readonly name: string;
  readonly formats: readonly SubMessageFormat[];
}

/** The request or reply of one mode of an operation. */
export interface MessageSpec {
  /** Message id given in the spec (directional model only). */
  readonly value?: number;
  /** Attributes the spec lists for this message. */
  readonly attributes: readonly string[];
}

/** The `do` or `dump` mode of an operation. */
export interface OperationMode {
  readonly request?: MessageSpec;
  readonly reply?: MessageSpec;
}

/** One entry of the operation list. */
export interface Operation {
  readonly name: string;
  /** Message id when requests and replies share it; undefined when they differ. */
  readonly value?: number;
  /** Message id of requests (nlmsg_type for netlink-raw, genl cmd for genetlink); undefined for notifications. */
  readonly requestValue?: number;
  /** Message id of replies and notifications; undefined when the kernel sends none. */
  readonly replyValue?: number;
  /** Attribute set of the messages; undefined for reserved ids. */
  readonly attributeSet?: string;
  /** Struct that follows the netlink (and genetlink) header, per op or from the family default. */
  readonly fixedHeader?: string;
  readonly do?: OperationMode;
  readonly dump?: OperationMode;
  /** For notifications: the operation whose reply this notification reuses. */
  readonly notify?: string;
  /** For events: the attributes the event carries. */
  readonly event?: { readonly attributes: readonly string[] };
  /** Multicast group the notification or event is sent to. */
  readonly mcgrp?: string;
  /** Operation flags, e.g. 'admin-perm'. */
  readonly flags: readonly string[];
  /** Has a do or dump mode. */
  readonly isCall: boolean;
  /** Is a notification or event. */
  readonly isAsync: boolean;
}

/** A multicast group. */
export interface McastGroup {
  readonly name: string;
  /** Group number for netlink-raw families; genetlink groups are resolved at run time. */
  readonly value?: number;
}

/** A whole family. */
export interface FamilySpec {
  /** The family's name, as the spec's `name` gives it (e.g. 'rt-link'). */
  readonly name: string;
  /** The spec's protocol: which header layout messages have. */
  readonly protocol: Protocol;
  /** Netlink protocol number: `protonum` for netlink-raw, 16 (NETLINK_GENERIC) for genetlink. */
  readonly protonum: number;
  /** Generic netlink family version (genlmsghdr.version); 1 unless the spec says otherwise. */
  readonly version: number;
  /** The kernel UAPI header the spec's names come from (`uapi-header`), when it gives one. */
  readonly uapiHeader?: string;
  /** How operations are numbered: one id per operation ('unified') or separate request and reply ids ('directional'). */
  readonly enumModel: 'unified' | 'directional';
  /** Family-wide fixed header struct (operations may override it). */
  readonly fixedHeader?: string;
  /** Prefix of the C names of operations (e.g. 'rtm-'). */
  readonly opNamePrefix: string;
  /** Constants, enums, flag sets and structs, in spec order. */
  readonly definitions: readonly Definition[];
  /** Attribute sets, in spec order. */
  readonly attributeSets: readonly AttributeSet[];
  /** Sub-messages: attribute payloads whose format a selector attribute picks. */
  readonly subMessages: readonly SubMessage[];
  /** Operations and notifications, in spec order. */
  readonly operations: readonly Operation[];
  /** Multicast groups. */
  readonly mcastGroups: readonly McastGroup[];
  /** nlmsg_type of a genetlink family whose id is fixed (nlctrl: GENL_ID_CTRL). */
  readonly staticFamilyId?: number;
}

/** Name lookups over a FamilySpec, built once per spec. */
export interface SpecIndex {
  readonly definitions: ReadonlyMap<string, Definition>;
  readonly enums: ReadonlyMap<string, EnumDefinition>;
  readonly structs: ReadonlyMap<string, StructDefinition>;
  readonly consts: ReadonlyMap<string, ConstDefinition>;
  readonly sets: ReadonlyMap<string, AttributeSet>;
  readonly attributes: ReadonlyMap<string, ReadonlyMap<string, AttributeSpec>>;
  readonly attributesByValue: ReadonlyMap<string, ReadonlyMap<number, AttributeSpec>>;
  readonly subMessages: ReadonlyMap<string, SubMessage>;
  readonly operations: ReadonlyMap<string, Operation>;
  /** Request message id -> operation (later operations win, as in nlspec.py). */
  readonly requestsByValue: ReadonlyMap<number, Operation>;
  /** Reply / notification message id -> operation (later operations win, as in nlspec.py). */
  readonly repliesByValue: ReadonlyMap<number, Operation>;
}

const indexes = new WeakMap<FamilySpec, SpecIndex>();

/** Lookup tables for a spec (cached). */
export function indexSpec(spec: FamilySpec): SpecIndex {
  const cached = indexes.get(spec);
  if (cached) return cached;
  const definitions = new Map<string, Definition>();
  const enums = new Map<string, EnumDefinition>();
  const structs = new Map<string, StructDefinition>();
  const consts = new Map<string, ConstDefinition>();
  for (const d of spec.definitions) {
    definitions.set(d.name, d);
    if (d.kind === 'struct') structs.set(d.name, d);
    else if (d.kind === 'const') consts.set(d.name, d);
    else enums.set(d.name, d);
  }
  const sets = new Map<string, AttributeSet>();
  const attributes = new Map<string, Map<string, AttributeSpec>>();
  const attributesByValue = new Map<string, Map<number, AttributeSpec>>();
  for (const s of spec.attributeSets) {
    sets.set(s.name, s);
    const byName = new Map<string, AttributeSpec>();
    const byValue = new Map<number, AttributeSpec>();
    for (const a of s.attributes) {
      byName.set(a.name, a);
      if (!byValue.has(a.value)) byValue.set(a.value, a);
    }
    attributes.set(s.name, byName);
    attributesByValue.set(s.name, byValue);
  }
  const subMessages = new Map(spec.subMessages.map((m) => [m.name, m] as const));
  const operations = new Map(spec.operations.map((o) => [o.name, o] as const));
  const requestsByValue = new Map<number, Operation>();
  const repliesByValue = new Map<number, Operation>();
  for (const op of spec.operations) {
    if (op.requestValue !== undefined) requestsByValue.set(op.requestValue, op);
    if (op.replyValue !== undefined) repliesByValue.set(op.replyValue, op);
  }
  const index: SpecIndex = {
    definitions,
    enums,
    structs,
    consts,
    sets,
    attributes,
    attributesByValue,
    subMessages,
    operations,
    requestsByValue,
    repliesByValue,
  };
  indexes.set(spec, index);
  return index;
}

/** Converts a spec name to its C constant form: 'rtm-' + 'getlink' -> 'RTM_GETLINK'. */
export function cName(prefix: string, name: string): string {
  return (prefix + name).toUpperCase().replace(/-/g, '_');
}

/** True when the enum (or the attribute's use of it) is a set of bits. */
export function isFlagsUse(def: EnumDefinition, enumAsFlags: boolean | undefined): boolean {
  return def.kind === 'flags' || enumAsFlags === true;
}

/**
 * Parses a FamilySpec printed as JSON by the code generator: the compact form
 * of {@link compactSpec}, or (as older generated modules carry it) the model
 * itself with bigints written { "$bigint": "123" }.
 */
export function reviveSpec(json: string): FamilySpec {
  const parsed: unknown = JSON.parse(json);
  if (Array.isArray(parsed) && parsed[0] === COMPACT_TAG) return expandSpec(parsed);
  return JSON.parse(json, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const big = (value as Record<string, unknown>).$bigint;
      if (typeof big === 'string' && Object.keys(value).length === 1) return BigInt(big);
    }
    return value;
  }) as FamilySpec;
}

// ---- compact form -------------------------------------------------------------
//
// Generated modules embed their model as JSON. Written out key by key it is
// most of a module, and parsing it most of the module's load time; the
// compact form leaves out what the loader derives (attribute and enum
// numbering, struct offsets and sizes, default byte order, name prefixes,
// operation flags, attributes a subset shares with its parent set) and
// writes objects as tuples:
//
//   ["nlkit-spec/1", {name, protocol, ...}, definitions, attributeSets, subMessages, operations, mcastGroups]
//
// Every object is [lead values..., rest?]: the lead keys by position, then
// an object of the other keys that differ from their derived value (a key
// whose derived value exists but that the model lacks is written as null).
// expandSpec rebuilds the model exactly as loadSpec made it, keys in the same
// order; the generator checks that on every spec it writes.

const COMPACT_TAG = 'nlkit-spec/1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Loose = Record<string, unknown>;

/** Keys of one kind of model object, in the order the loader creates them; `lead` ones are written by position. */
interface Shape {
  readonly keys: readonly string[];
  readonly lead: readonly string[];
}

const SHAPES = {
  top: {
    keys: [
      'name',
      'protocol',
      'protonum',
      'version',
      'uapiHeader',
      'enumModel',
      'fixedHeader',
      'opNamePrefix',
      'definitions',
      'attributeSets',
      'subMessages',
      'operations',
      'mcastGroups',
      'staticFamilyId',
    ],
    lead: [],
  },
  const: { keys: ['kind', 'name', 'value'], lead: ['kind', 'name', 'value'] },
  enum: { keys: ['kind', 'name', 'namePrefix', 'entries'], lead: ['kind', 'name', 'entries'] },
  struct: { keys: ['kind', 'name', 'members', 'size'], lead: ['kind', 'name', 'members'] },
  member: { keys: ['name', 'type', 'byteOrder', 'offset', 'size', 'enum', 'enumAsFlags', 'displayHint', 'struct'], lead: ['name', 'type'] },
  set: { keys: ['name', 'namePrefix', 'subsetOf', 'attributes'], lead: ['name', 'attributes'] },
  attribute: {
    keys: [
      'name',
      'type',
      'value',
      'multiAttr',
      'byteOrder',
      'nestedAttributes',
      'struct',
      'subType',
      'enum',
      'enumAsFlags',
      'displayHint',
      'checks',
      'subMessage',
      'selector',
      'typeValue',
      'recordLength',
    ],
    lead: ['name', 'type'],
  },
  subMessage: { keys: ['name', 'formats'], lead: ['name', 'formats'] },
  format: { keys: ['value', 'fixedHeader', 'attributeSet'], lead: ['value'] },
  operation: {
    keys: ['name', 'value', 'requestValue', 'replyValue', 'attributeSet', 'fixedHeader', 'do', 'dump', 'notify', 'event', 'mcgrp', 'flags', 'isCall', 'isAsync'],
    lead: ['name'],
  },
  group: { keys: ['name', 'value'], lead: ['name'] },
} as const satisfies Record<string, Shape>;

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameJson((a as Loose)[k], (b as Loose)[k]));
}

/** [lead..., rest?] of an object; `derived` gives the keys the reader can work out (called with what is written). */
function pack(o: object, shape: Shape, derived: (known: Loose) => Loose, convert: (key: string, v: unknown) => Json = (_k, v) => v as Json): Json[] {
  const obj = o as Loose;
  for (const k of Object.keys(obj)) if (!shape.keys.includes(k)) throw new Error(`compactSpec: unexpected key '${k}'`);
  const out: Json[] = shape.lead.map((k) => convert(k, obj[k]));
  const written: Loose = {};
  for (const k of shape.keys) if (Object.hasOwn(obj, k) && !shape.lead.includes(k)) written[k] = obj[k];
  for (const k of shape.lead) written[k] = obj[k];
  // Keys whose derived value matches are dropped; derivations only look at what stays written.
  const rest: { [key: string]: Json } = {};
  const defaults = derived(written);
  for (const k of shape.keys) {
    if (shape.lead.includes(k)) continue;
    const has = Object.hasOwn(obj, k);
    if (Object.hasOwn(defaults, k)) {
      if (!has) rest[k] = null;
      else if (!sameJson(obj[k], defaults[k])) rest[k] = convert(k, obj[k]);
    } else if (has) {
      rest[k] = convert(k, obj[k]);
    }
  }
  if (Object.keys(rest).length) out.push(rest);
  return out;
}

function unpack(a: readonly Json[], shape: Shape, derived: (known: Loose) => Loose, convert: (key: string, v: Json) => unknown = (_k, v) => v): Loose {
  const rest = (a.length > shape.lead.length ? a[shape.lead.length] : undefined) as { [key: string]: Json } | undefined;
  const known: Loose = {};
  shape.lead.forEach((k, i) => (known[k] = convert(k, a[i]!)));
  if (rest) for (const k in rest) if (rest[k] !== null) known[k] = convert(k, rest[k]!);
  const defaults = derived(known);
  const o: Loose = {};
  for (const k of shape.keys) {
    if (Object.hasOwn(known, k)) o[k] = known[k];
    else if (Object.hasOwn(defaults, k) && !(rest && Object.hasOwn(rest, k))) o[k] = defaults[k];
  }
  return o;
}

const none = (): Loose => ({});

function packChecks(c: Checks): Json {
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(c)) out[k] = typeof v === 'bigint' ? String(v) : (v as Json);
  return out;
}

function unpackChecks(c: { [key: string]: Json }): Checks {
  const out: Loose = {};
  for (const k in c) out[k] = (k === 'min' || k === 'max') && typeof c[k] === 'string' ? BigInt(c[k]) : c[k];
  return out as Checks;
}

type Rest = { readonly [key: string]: Json };

// Attributes and struct members are most of a model: they get expanders of
// their own (a module expands its model when it loads, so this is start-up
// time). The keys of a rest object are in model order, so a for-in copies
// them in place; the derived keys are put where the model has them (these
// always exist on attributes and members: no null markers; the generator's
// round-trip check in emit.ts would catch a model where one is missing).

function expandAttribute(a: readonly Json[], value: number | undefined): AttributeSpec {
  const r = a[2] as Rest | undefined;
  if (r === undefined) return { name: a[0] as string, type: a[1] as AttributeType, value: value!, multiAttr: false, byteOrder: 'host', checks: {} };
  const o: Loose = {
    name: a[0],
    type: a[1],
    value: r.value ?? value,
    multiAttr: r.multiAttr ?? false,
    byteOrder: r.byteOrder ?? 'host',
  };
  let checks = false;
  for (const k in r) {
    switch (k) {
      case 'value':
      case 'multiAttr':
      case 'byteOrder':
        break;
      case 'checks':
        o.checks = unpackChecks(r.checks as Rest);
        checks = true;
        break;
      case 'subMessage':
      case 'selector':
      case 'typeValue':
      case 'recordLength':
        if (!checks) o.checks = {};
        checks = true;
        o[k] = r[k];
        break;
      default:
        o[k] = r[k];
    }
  }
  if (!checks) o.checks = {};
  return o as unknown as AttributeSpec;
}

function expandMember(m: readonly Json[], offset: number): StructMember {
  const type = m[1] as StructMemberType;
  const r = m[2] as Rest | undefined;
  if (r === undefined) return { name: m[0] as string, type, byteOrder: 'host', offset, size: INT_SIZE[type as FixedIntType] };
  const o: Loose = { name: m[0], type, byteOrder: r.byteOrder ?? 'host', offset: r.offset ?? offset, size: r.size ?? INT_SIZE[type as FixedIntType] };
  for (const k in r) if (k !== 'byteOrder' && k !== 'offset' && k !== 'size') o[k] = r[k];
  return o as unknown as StructMember;
}

function memberDefaults(offset: number) {
  return (known: Loose): Loose => {
    const size = INT_SIZE[known.type as FixedIntType];
    return size === undefined ? { byteOrder: 'host', offset } : { byteOrder: 'host', offset, size };
  };
}

function attributeDefaults(value: number | undefined) {
  return (): Loose => ({ ...(value !== undefined ? { value } : {}), multiAttr: false, byteOrder: 'host', checks: {} });
}

function operationDefaults(familyHeader: string | undefined) {
  return (known: Loose): Loose => ({
    ...(known.requestValue !== undefined && known.requestValue === known.replyValue ? { value: known.requestValue } : {}),
    ...(familyHeader !== undefined ? { fixedHeader: familyHeader } : {}),
    flags: [],
    isCall: known.do !== undefined || known.dump !== undefined,
    isAsync: known.notify !== undefined || known.event !== undefined,
  });
}

/** The compact form of a model (see the notes above {@link reviveSpec}); expandSpec undoes it. */
export function compactSpec(spec: FamilySpec): Json[] {
  const family = spec.name;
  const sets = new Map(spec.attributeSets.map((s) => [s.name, s] as const));
  const definitions = spec.definitions.map((d): Json => {
    if (d.kind === 'const') return pack(d, SHAPES.const, none);
    if (d.kind === 'struct') {
      let offset = 0;
      const members = d.members.map((m) => {
        const packed = pack(m, SHAPES.member, memberDefaults(offset));
        offset += m.size;
        return packed;
      });
      return pack(
        { ...d, members: [] },
        SHAPES.struct,
        () => ({ size: offset }),
        (k, v) => (k === 'members' ? members : (v as Json)),
      );
    }
    let next = 0;
    const entries = d.entries.map((e): Json => {
      const packed: Json = e.value === next ? e.name : [e.name, e.value];
      next = e.value + 1;
      return packed;
    });
    return pack(
      d,
      SHAPES.enum,
      () => ({ namePrefix: `${family}-${d.name}-` }),
      (k, v) => (k === 'entries' ? entries : (v as Json)),
    );
  });
  const attributeSets = spec.attributeSets.map((s): Json => {
    const parent = s.subsetOf !== undefined ? sets.get(s.subsetOf) : undefined;
    let next = 1;
    const attributes = s.attributes.map((a): Json => {
      if (parent) {
        const real = parent.attributes.find((x) => x.name === a.name);
        if (real && sameJson(a, real)) return a.name;
        return pack(a, SHAPES.attribute, attributeDefaults(real?.value), (k, v) => (k === 'checks' ? packChecks(v as Checks) : (v as Json)));
      }
      const packed = pack(a, SHAPES.attribute, attributeDefaults(next), (k, v) => (k === 'checks' ? packChecks(v as Checks) : (v as Json)));
      next = a.value + 1;
      return packed;
    });
    return pack(
      s,
      SHAPES.set,
      (known) => (known.subsetOf === undefined ? { namePrefix: `${family}-a-${s.name}-` } : {}),
      (k, v) => (k === 'attributes' ? attributes : (v as Json)),
    );
  });
  const subMessages = spec.subMessages.map((m) =>
    pack(m, SHAPES.subMessage, none, (k, v) => (k === 'formats' ? (v as SubMessageFormat[]).map((f) => pack(f, SHAPES.format, none)) : (v as Json))),
  );
  const operations = spec.operations.map((op) => pack(op, SHAPES.operation, operationDefaults(spec.fixedHeader)));
  const mcastGroups = spec.mcastGroups.map((g) => pack(g, SHAPES.group, none));
  const top: Loose = {};
  for (const k of SHAPES.top.keys) {
    const v = (spec as unknown as Loose)[k];
    if (v !== undefined && !Array.isArray(v)) top[k] = v;
  }
  return [COMPACT_TAG, top as Json, definitions, attributeSets, subMessages, operations, mcastGroups];
}

/** The model from its compact form (the inverse of {@link compactSpec}). */
export function expandSpec(c: readonly unknown[]): FamilySpec {
  if (c[0] !== COMPACT_TAG || c.length !== 7) throw new Error('expandSpec: not a compact family model');
  const [, topJson, defsJson, setsJson, subsJson, opsJson, groupsJson] = c as [string, Loose, Json[][], Json[][], Json[][], Json[][], Json[][]];
  const family = topJson.name as string;
  const definitions = defsJson.map((d): Definition => {
    if (d[0] === 'const') return unpack(d, SHAPES.const, none) as unknown as ConstDefinition;
    if (d[0] === 'struct') {
      let offset = 0;
      const members = (d[2] as Json[][]).map((m) => {
        const member = expandMember(m, offset);
        offset += member.size;
        return member;
      });
      return unpack(
        d,
        SHAPES.struct,
        () => ({ size: offset }),
        (k, v) => (k === 'members' ? members : v),
      ) as unknown as StructDefinition;
    }
    let next = 0;
    const entries = (d[2] as Json[]).map((e): EnumEntry => {
      const entry = typeof e === 'string' ? { name: e, value: next } : { name: (e as [string, number])[0], value: (e as [string, number])[1] };
      next = entry.value + 1;
      return entry;
    });
    return unpack(
      d,
      SHAPES.enum,
      () => ({ namePrefix: `${family}-${d[1] as string}-` }),
      (k, v) => (k === 'entries' ? entries : v),
    ) as unknown as EnumDefinition;
  });
  const rawSets = new Map(setsJson.map((s) => [s[0] as string, s] as const));
  const built = new Map<string, AttributeSet>();
  const buildSet = (name: string, depth: number): AttributeSet => {
    const done = built.get(name);
    if (done) return done;
    const s = rawSets.get(name);
    if (!s || depth > rawSets.size) throw new Error(`expandSpec: bad attribute set '${name}'`);
    const subsetOf = (s[2] as Loose | undefined)?.subsetOf as string | undefined;
    const parent = subsetOf !== undefined ? buildSet(subsetOf, depth + 1) : undefined;
    const byName = parent ? new Map(parent.attributes.map((x) => [x.name, x] as const)) : undefined;
    let next = 1;
    const attributes = (s[1] as Json[]).map((a): AttributeSpec => {
      if (byName) {
        const real = byName.get((typeof a === 'string' ? a : (a as Json[])[0]) as string);
        if (!real) throw new Error(`expandSpec: '${String(a)}' is not in set '${subsetOf!}'`);
        return typeof a === 'string' ? real : expandAttribute(a as Json[], real.value);
      }
      const attr = expandAttribute(a as Json[], next);
      next = attr.value + 1;
      return attr;
    });
    const set = unpack(
      s,
      SHAPES.set,
      (known) => (known.subsetOf === undefined ? { namePrefix: `${family}-a-${name}-` } : {}),
      (k, v) => (k === 'attributes' ? attributes : v),
    ) as unknown as AttributeSet;
    built.set(name, set);
    return set;
  };
  const attributeSets = [...rawSets.keys()].map((n) => buildSet(n, 0));
  const subMessages = subsJson.map(
    (m) => unpack(m, SHAPES.subMessage, none, (k, v) => (k === 'formats' ? (v as Json[][]).map((f) => unpack(f, SHAPES.format, none)) : v)) as unknown as SubMessage,
  );
  const operations = opsJson.map((op) => unpack(op, SHAPES.operation, operationDefaults(topJson.fixedHeader as string | undefined)) as unknown as Operation);
  const mcastGroups = groupsJson.map((g) => unpack(g, SHAPES.group, none) as unknown as McastGroup);
  const lists: Loose = { definitions, attributeSets, subMessages, operations, mcastGroups };
  const spec: Loose = {};
  for (const k of SHAPES.top.keys) {
    if (Object.hasOwn(lists, k)) spec[k] = lists[k];
    else if (Object.hasOwn(topJson, k)) spec[k] = topJson[k];
  }
  return spec as unknown as FamilySpec;
}
