// The YNL spec loader: YAML text -> FamilySpec, with every default made
// explicit and every cross-reference checked. Errors name the file and the
// key path of the offending entry, e.g.
//   rt-link.yaml: attribute-sets[3].attributes[5].nested-attributes: unknown attribute set 'foo'
//
// Numbering follows tools/net/ynl/pyynl/lib/nlspec.py: attributes count from 1
// (an explicit `value` restarts the count), enums from `value-start` (default
// 0), unified operations from 1, directional ones per direction from the
// explicit request/reply values.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import { GENL_ID_CTRL, NLA_TYPE_MASK, Protocol as NetlinkProtocol } from '../core/constants.js';
import { SpecError } from './errors.js';

// The YAML parser is loaded on first use: programs that only use generated
// families (and the CLI's ip-style commands) never pay for it.
const requireFromHere = createRequire(import.meta.url);
let yamlParse: ((text: string, options: { uniqueKeys: boolean; maxAliasCount: number }) => unknown) | undefined;
function parseYaml(text: string, options: { uniqueKeys: boolean; maxAliasCount: number }): unknown {
  yamlParse ??= (requireFromHere('yaml') as typeof import('yaml')).parse;
  return yamlParse(text, options);
}
import {
  ATTRIBUTE_TYPES,
  DISPLAY_HINTS,
  INT_SIZE,
  type AttributeSet,
  type AttributeSpec,
  type AttributeType,
  type ByteOrder,
  type Checks,
  type ConstDefinition,
  type Definition,
  type DisplayHint,
  type EnumDefinition,
  type EnumEntry,
  type FamilySpec,
  type FixedIntType,
  type McastGroup,
  type MessageSpec,
  type Operation,
  type OperationMode,
  type Protocol,
  type StructDefinition,
  type StructMember,
  type StructMemberType,
  type SubMessage,
  type SubMessageFormat,
} from './model.js';

type Raw = Record<string, unknown>;

const NAME = /^[0-9a-z-]+$/;
const NAME_CAP = /^[0-9a-zA-Z-]+$/;
const PROTOCOLS: readonly Protocol[] = ['genetlink', 'genetlink-legacy', 'genetlink-c', 'netlink-raw'];
const MEMBER_TYPES: readonly StructMemberType[] = ['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'string', 'binary', 'pad'];

/** Options of {@link parseSpec}. */
export interface ParseSpecOptions {
  /** Name used in error messages (default '<spec>'). */
  fileName?: string;
  /**
   * Overlays applied to the spec before it is checked, in order: each a file
   * path (ending in .yaml / .yml) or YAML text. See {@link applyOverlay}.
   */
  overlays?: readonly string[];
}

/**
 * Loads a YNL spec from a file path or from YAML text (anything containing a
 * line break, or not ending in .yaml / .yml, is taken as text).
 */
export function loadSpec(pathOrText: string, options: ParseSpecOptions = {}): FamilySpec {
  if (!pathOrText.includes('\n') && /\.ya?ml$/i.test(pathOrText)) {
    return specOfDocument(readSpecDocument(pathOrText, options), options.fileName ?? basename(pathOrText));
  }
  return parseSpec(pathOrText, options);
}

/** Parses and checks YNL YAML text. Throws SpecError. */
export function parseSpec(text: string, options: ParseSpecOptions = {}): FamilySpec {
  return specOfDocument(parseSpecDocument(text, options), options.fileName ?? '<spec>');
}

/** Checks a parsed spec document (YAML with its overlays applied, see {@link readSpecDocument}). Throws SpecError. */
export function specOfDocument(doc: unknown, fileName = '<spec>'): FamilySpec {
  return new Loader(fileName).family(doc);
}

/**
 * A spec file as a parsed YAML document with its overlays applied, unchecked:
 * for what the model does not keep (the C names the code generator gives
 * constants). {@link specOfDocument} turns it into the model.
 */
export function readSpecDocument(path: string, options: ParseSpecOptions = {}): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SpecError(basename(path), '', `cannot read the spec: ${(err as Error).message}`, { cause: err });
  }
  return parseSpecDocument(text, { ...options, fileName: options.fileName ?? basename(path) });
}

/** YNL YAML text parsed, with the overlays applied. Throws SpecError. */
function parseSpecDocument(text: string, options: ParseSpecOptions): unknown {
  const file = options.fileName ?? '<spec>';
  let doc: unknown;
  try {
    // The kernel's schema files repeat keys; specs do not, but be as lenient as PyYAML.
    doc = parseYaml(text, { uniqueKeys: false, maxAliasCount: 10_000 });
  } catch (err) {
    throw new SpecError(file, '', `invalid YAML: ${(err as Error).message}`, { cause: err });
  }
  for (const overlay of options.overlays ?? []) {
    const isPath = !overlay.includes('\n') && /\.ya?ml$/i.test(overlay);
    const name = isPath ? basename(overlay) : '<overlay>';
    let text = overlay;
    if (isPath) {
      try {
        text = readFileSync(overlay, 'utf8');
      } catch (err) {
        throw new SpecError(name, '', `cannot read the overlay: ${(err as Error).message}`, { cause: err });
      }
    }
    let raw: unknown;
    try {
      raw = parseYaml(text, { uniqueKeys: false, maxAliasCount: 10_000 });
    } catch (err) {
      throw new SpecError(name, '', `invalid YAML: ${(err as Error).message}`, { cause: err });
    }
    doc = applyOverlay(doc, raw, name);
  }
  return doc;
}

// ---- overlays ---------------------------------------------------------------

/** Top-level keys an overlay may carry. */
const OVERLAY_KEYS = new Set(['name', 'doc', 'definitions', 'attribute-sets', 'sub-messages', 'operations', 'mcast-groups']);

/** Key that identifies the entries of a list, by the list's key (entries without it are replaced wholesale). */
function entryKey(listKey: string): string {
  return listKey === 'formats' ? 'value' : 'name';
}

function mergeValue(base: unknown, over: unknown, key: string): unknown {
  if (Array.isArray(base) && Array.isArray(over)) {
    const id = entryKey(key);
    const keyed = (v: unknown): v is Raw => isObject(v) && (typeof v[id] === 'string' || typeof v[id] === 'number');
    if (!over.every(keyed)) return over;
    // Entries given as plain names (enum entries) count as { name }.
    const out: unknown[] = base.map((e) => (typeof e === 'string' && id === 'name' && over.some((o) => o[id] === e) ? { name: e } : e));
    for (const item of over) {
      const at = out.findIndex((e) => keyed(e) && String(e[id]) === String(item[id]));
      if (at < 0) out.push(item);
      else out[at] = mergeObject(out[at] as Raw, item);
    }
    return out;
  }
  if (isObject(base) && isObject(over)) return mergeObject(base, over);
  return over;
}

function mergeObject(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? mergeValue(out[k], v, k) : v;
  }
  return out;
}

/**
 * Applies an overlay to a parsed spec document and returns the result (the
 * inputs are not changed). An overlay is a partial spec in the same format:
 * its definitions, attribute sets, sub-messages, operations and multicast
 * groups are merged into the spec's by name (sub-message formats by value):
 * new entries are appended, existing ones merged key by key, recursively
 * (attributes of a set, members of a struct, entries of an enum). A key set
 * to null removes it. Other lists replace the spec's.
 */
export function applyOverlay(spec: unknown, overlay: unknown, fileName = '<overlay>'): unknown {
  if (!isObject(spec)) throw new SpecError(fileName, '', 'the spec to overlay is not a mapping');
  if (!isObject(overlay)) throw new SpecError(fileName, '', 'an overlay must be a mapping');
  for (const k of Object.keys(overlay)) {
    if (!OVERLAY_KEYS.has(k)) throw new SpecError(fileName, k, `an overlay cannot change '${k}'`);
  }
  if (overlay.name !== undefined && overlay.name !== spec.name) {
    throw new SpecError(fileName, 'name', `overlay for '${String(overlay.name)}' applied to spec '${String(spec.name)}'`);
  }
  const { name: _name, doc: _doc, ...rest } = overlay;
  return mergeObject(spec, rest);
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quote(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
}

class Loader {
  private consts = new Map<string, ConstDefinition>();
  private enums = new Map<string, EnumDefinition>();
  private structs = new Map<string, StructDefinition>();
  private rawDefs = new Map<string, { raw: Raw; path: string }>();
  private rawSets = new Map<string, { raw: Raw; path: string }>();
  private builtSets = new Map<string, { set: AttributeSet; raws: Map<string, Raw> }>();
  private building = new Set<string>();
  private familyName = '';

  constructor(private readonly file: string) {}

  fail(path: string, message: string): never {
    throw new SpecError(this.file, path, message);
  }

  obj(v: unknown, path: string): Raw {
    if (!isObject(v)) this.fail(path, `expected a mapping, got ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}`);
    return v;
  }

  list(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `expected a list, got ${v === null ? 'null' : typeof v}`);
    return v;
  }

  optList(o: Raw, key: string, path: string): unknown[] {
    const v = o[key];
    return v === undefined || v === null ? [] : this.list(v, `${path}${key}`);
  }

  str(o: Raw, key: string, path: string): string {
    const v = o[key];
    if (v === undefined || v === null) this.fail(`${path}${key}`, 'is required');
    if (typeof v !== 'string') this.fail(`${path}${key}`, `expected a string, got ${quote(v)}`);
    return v;
  }

  optStr(o: Raw, key: string, path: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(`${path}${key}`, `expected a string, got ${quote(v)}`);
    return v;
  }

  optInt(o: Raw, key: string, path: string): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(`${path}${key}`, `expected a non-negative integer, got ${quote(v)}`);
    return v;
  }

  optBool(o: Raw, key: string, path: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(`${path}${key}`, `expected true or false, got ${quote(v)}`);
    return v;
  }

  name(o: Raw, path: string, pattern = NAME): string {
    const n = this.str(o, 'name', path);
    if (!pattern.test(n)) this.fail(`${path}name`, `'${n}' is not a valid name (${pattern.source})`);
    return n;
  }

  strList(o: Raw, key: string, path: string): string[] {
    return this.optList(o, key, path).map((v, i) => {
      if (typeof v !== 'string') this.fail(`${path}${key}[${i}]`, `expected a string, got ${quote(v)}`);
      return v;
    });
  }

  byteOrder(o: Raw, path: string): ByteOrder {
    const v = this.optStr(o, 'byte-order', path);
    if (v === undefined) return 'host';
    if (v !== 'little-endian' && v !== 'big-endian') this.fail(`${path}byte-order`, `unknown byte order '${v}'`);
    return v;
  }

  displayHint(o: Raw, path: string): DisplayHint | undefined {
    const v = this.optStr(o, 'display-hint', path);
    if (v !== undefined && !(DISPLAY_HINTS as readonly string[]).includes(v)) this.fail(`${path}display-hint`, `unknown display hint '${v}'`);
    return v as DisplayHint | undefined;
  }

  /**
   * A length, limit or enum start: an integer, a decimal/hex string, a
   * fixed-width limit such as 'u32-max', or the name of an integer constant,
   * optionally followed by ' - 1'.
   */
  resolveInt(v: unknown, path: string): number | bigint {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v !== 'string') this.fail(path, `expected an integer or a constant name, got ${quote(v)}`);
    const m = /^([0-9A-Za-z_-]+?)( - 1)?$/.exec(v);
    if (!m) this.fail(path, `cannot read ${quote(v)} as a number`);
    const base = m[1]!;
    let n: bigint;
    const limit = /^([us])(8|16|32|64)-(min|max)$/.exec(base);
    if (/^\d+$/.test(base)) n = BigInt(base);
    else if (/^0x[0-9a-f]+$/i.test(base)) n = BigInt(base);
    else if (limit) {
      const bits = BigInt(limit[2]!);
      if (limit[1] === 'u') n = limit[3] === 'min' ? 0n : (1n << bits) - 1n;
      else n = limit[3] === 'min' ? -(1n << (bits - 1n)) : (1n << (bits - 1n)) - 1n;
    } else {
      const c = this.consts.get(base);
      if (!c) this.fail(path, `unknown constant '${base}'`);
      if (typeof c.value !== 'number') this.fail(path, `constant '${base}' is not a number`);
      n = BigInt(c.value);
    }
    if (m[2]) n -= 1n;
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }

  resolveLength(v: unknown, path: string): number {
    const n = this.resolveInt(v, path);
    if (typeof n !== 'number' || n < 0 || n > 0xffff) this.fail(path, `length ${String(n)} is out of range`);
    return n;
  }

  // ---- family -------------------------------------------------------------

  family(doc: unknown): FamilySpec {
    const top = this.obj(doc, '');
    const name = this.str(top, 'name', '');
    this.familyName = name;
    const protocolRaw = this.optStr(top, 'protocol', '') ?? 'genetlink';
    if (!(PROTOCOLS as readonly string[]).includes(protocolRaw)) this.fail('protocol', `unknown protocol '${protocolRaw}'`);
    const protocol = protocolRaw as Protocol;
    let protonum: number;
    if (protocol === 'netlink-raw') {
      const p = this.optInt(top, 'protonum', '');
      if (p === undefined) this.fail('protonum', 'is required for netlink-raw');
      protonum = p;
    } else {
      protonum = NetlinkProtocol.GENERIC;
    }
    const version = this.optInt(top, 'version', '') ?? 1;
    const uapiHeader = this.optStr(top, 'uapi-header', '');

    this.definitions(this.optList(top, 'definitions', ''));
    const definitions: Definition[] = [];
    for (const [n] of this.rawDefs) {
      const d = this.consts.get(n) ?? this.enums.get(n) ?? this.structs.get(n);
      if (d) definitions.push(d);
    }

    const setsRaw = top['attribute-sets'];
    if (setsRaw === undefined) this.fail('attribute-sets', 'is required');
    this.list(setsRaw, 'attribute-sets').forEach((s, i) => {
      const path = `attribute-sets[${i}]`;
      const o = this.obj(s, path);
      const n = this.name(o, `${path}.`);
      if (this.rawSets.has(n)) this.fail(`${path}.name`, `duplicate attribute set '${n}'`);
      this.rawSets.set(n, { raw: o, path });
    });
    const attributeSets = [...this.rawSets.keys()].map((n) => this.attributeSet(n).set);

    const subMessages = this.subMessages(this.optList(top, 'sub-messages', ''));
    this.checkAttributeReferences(attributeSets, subMessages);

    const mcastGroups = this.mcastGroups(top['mcast-groups']);
    const opsRaw = top.operations;
    if (opsRaw === undefined) this.fail('operations', 'is required');
    const ops = this.operations(this.obj(opsRaw, 'operations'), attributeSets, mcastGroups);

    const spec: FamilySpec = {
      name,
      protocol,
      protonum,
      version,
      ...(uapiHeader !== undefined ? { uapiHeader } : {}),
      enumModel: ops.enumModel,
      ...(ops.fixedHeader !== undefined ? { fixedHeader: ops.fixedHeader } : {}),
      opNamePrefix: ops.namePrefix,
      definitions,
      attributeSets,
      subMessages,
      operations: ops.list,
      mcastGroups,
      ...(protocol !== 'netlink-raw' && name === 'nlctrl' ? { staticFamilyId: GENL_ID_CTRL } : {}),
    };
    return spec;
  }

  // ---- definitions --------------------------------------------------------

  definitions(list: unknown[]): void {
    // Constants first: enums and structs may refer to any of them.
    list.forEach((d, i) => {
      const path = `definitions[${i}]`;
      const o = this.obj(d, path);
      const n = this.name(o, `${path}.`);
      if (this.rawDefs.has(n)) this.fail(`${path}.name`, `duplicate definition '${n}'`);
      this.rawDefs.set(n, { raw: o, path });
      const type = this.str(o, 'type', `${path}.`);
      if (!['const', 'enum', 'flags', 'struct'].includes(type)) this.fail(`${path}.type`, `unknown definition type '${type}'`);
      if (type === 'const') {
        const v = o.value;
        if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) this.fail(`${path}.value`, `expected a number or a string, got ${quote(v)}`);
        const c: ConstDefinition = { kind: 'const', name: n, value: v };
        this.consts.set(n, c);
        // Checks may use the C name of a constant (wireguard: 'wg-key-len').
        const prefix = this.optStr(o, 'name-prefix', `${path}.`);
        if (prefix !== undefined && !this.rawDefs.has(prefix + n)) this.consts.set(prefix + n, c);
      }
    });
    for (const [n, { raw, path }] of this.rawDefs) {
      const type = raw.type;
      if (type === 'enum' || type === 'flags') this.enums.set(n, this.enumDef(n, type, raw, path));
    }
    for (const [n, { raw }] of this.rawDefs) if (raw.type === 'struct') this.struct(n);
  }

  enumDef(name: string, kind: 'enum' | 'flags', o: Raw, path: string): EnumDefinition {
    const start = o['value-start'] === undefined ? 0 : this.resolveInt(o['value-start'], `${path}.value-start`);
    if (typeof start !== 'number') this.fail(`${path}.value-start`, 'is too large');
    const entries: EnumEntry[] = [];
    const seen = new Set<string>();
    let prev: number | undefined;
    this.optList(o, 'entries', `${path}.`).forEach((e, i) => {
      const epath = `${path}.entries[${i}]`;
      // Entries given as plain strings are not held to the name pattern (nfsd: 'svc_export').
      const eo: Raw = typeof e === 'string' ? { name: e } : this.obj(e, epath);
      const n = typeof e === 'string' ? this.str(eo, 'name', `${epath}.`) : this.name(eo, `${epath}.`);
      if (seen.has(n)) this.fail(`${epath}.name`, `duplicate entry '${n}' in ${kind} '${name}'`);
      seen.add(n);
      let value = this.optInt(eo, 'value', `${epath}.`);
      if (value === undefined) value = prev === undefined ? start : prev + 1;
      if (kind === 'flags' && value > 63) this.fail(`${epath}`, `flag bit ${value} does not fit in 64 bits`);
      entries.push({ name: n, value });
      prev = value;
    });
    const namePrefix = this.optStr(o, 'name-prefix', `${path}.`) ?? `${this.familyName}-${name}-`;
    return { kind, name, namePrefix, entries };
  }

  struct(name: string): StructDefinition {
    const done = this.structs.get(name);
    if (done) return done;
    const entry = this.rawDefs.get(name)!;
    const { raw, path } = entry;
    if (this.building.has(`struct:${name}`)) this.fail(path, `struct '${name}' contains itself`);
    this.building.add(`struct:${name}`);
    const members: StructMember[] = [];
    const seen = new Set<string>();
    let offset = 0;
    this.optList(raw, 'members', `${path}.`).forEach((m, i) => {
      const mpath = `${path}.members[${i}]`;
      const o = this.obj(m, mpath);
      const n = this.name(o, `${mpath}.`, NAME_CAP);
      if (seen.has(n)) this.fail(`${mpath}.name`, `duplicate member '${n}' in struct '${name}'`);
      seen.add(n);
      const type = this.str(o, 'type', `${mpath}.`);
      if (!(MEMBER_TYPES as readonly string[]).includes(type)) this.fail(`${mpath}.type`, `unknown member type '${type}'`);
      const structName = this.optStr(o, 'struct', `${mpath}.`);
      const enumName = this.optStr(o, 'enum', `${mpath}.`);
      let size: number;
      if (type === 'binary' && structName !== undefined) {
        const def = this.rawDefs.get(structName);
        if (!def || def.raw.type !== 'struct') this.fail(`${mpath}.struct`, `unknown struct '${structName}'`);
        size = this.struct(structName).size;
      } else if (type === 'binary' || type === 'pad' || type === 'string') {
        if (o.len === undefined) this.fail(`${mpath}.len`, `is required for a ${type} member`);
        size = this.resolveLength(o.len, `${mpath}.len`);
      } else {
        size = INT_SIZE[type as FixedIntType];
      }
      if (enumName !== undefined && !this.enums.has(enumName)) this.fail(`${mpath}.enum`, `unknown enum '${enumName}'`);
      const enumAsFlags = this.optBool(o, 'enum-as-flags', `${mpath}.`);
      const displayHint = this.displayHint(o, `${mpath}.`);
      members.push({
        name: n,
        type: type as StructMemberType,
        byteOrder: this.byteOrder(o, `${mpath}.`),
        offset,
        size,
        ...(enumName !== undefined ? { enum: enumName } : {}),
        ...(enumAsFlags ? { enumAsFlags } : {}),
        ...(displayHint !== undefined ? { displayHint } : {}),
        ...(structName !== undefined ? { struct: structName } : {}),
      });
      offset += size;
    });
    this.building.delete(`struct:${name}`);
    const def: StructDefinition = { kind: 'struct', name, members, size: offset };
    this.structs.set(name, def);
    return def;
  }

  // ---- attribute sets -----------------------------------------------------

  attributeSet(name: string): { set: AttributeSet; raws: Map<string, Raw> } {
    const done = this.builtSets.get(name);
    if (done) return done;
    const { raw, path } = this.rawSets.get(name)!;
    if (this.building.has(`set:${name}`)) this.fail(`${path}.subset-of`, `attribute set '${name}' is a subset of itself`);
    this.building.add(`set:${name}`);
    const subsetOf = this.optStr(raw, 'subset-of', `${path}.`);
    const attributes: AttributeSpec[] = [];
    const raws = new Map<string, Raw>();
    const list = raw.attributes;
    if (list === undefined) this.fail(`${path}.attributes`, 'is required');
    let namePrefix: string;
    if (subsetOf !== undefined) {
      if (!this.rawSets.has(subsetOf)) this.fail(`${path}.subset-of`, `unknown attribute set '${subsetOf}'`);
      const parent = this.attributeSet(subsetOf);
      namePrefix = parent.set.namePrefix;
      const byName = new Map(parent.set.attributes.map((a) => [a.name, a] as const));
      this.list(list, `${path}.attributes`).forEach((a, i) => {
        const apath = `${path}.attributes[${i}]`;
        const o = this.obj(a, apath);
        const n = this.name(o, `${apath}.`);
        const real = byName.get(n);
        if (!real) this.fail(`${apath}.name`, `attribute '${n}' is not in the parent set '${subsetOf}'`);
        // A subset may list an attribute twice (devlink dl-dpipe-table); nlspec.py keeps one.
        if (raws.has(n)) return;
        const combined: Raw = { ...parent.raws.get(n)!, ...o };
        raws.set(n, combined);
        attributes.push(this.attribute(combined, real.value, apath));
      });
    } else {
      namePrefix = this.optStr(raw, 'name-prefix', `${path}.`) ?? `${this.familyName}-a-${name}-`;
      let value = 1;
      this.list(list, `${path}.attributes`).forEach((a, i) => {
        const apath = `${path}.attributes[${i}]`;
        const o = this.obj(a, apath);
        const n = this.name(o, `${apath}.`);
        if (raws.has(n)) this.fail(`${apath}.name`, `duplicate attribute '${n}' in set '${name}'`);
        const explicit = this.optInt(o, 'value', `${apath}.`);
        if (explicit !== undefined) value = explicit;
        if (value > NLA_TYPE_MASK) this.fail(`${apath}.value`, `attribute type ${value} does not fit in 14 bits`);
        raws.set(n, o);
        attributes.push(this.attribute(o, value, apath));
        value++;
      });
    }
    this.building.delete(`set:${name}`);
    const set: AttributeSet = { name, namePrefix, ...(subsetOf !== undefined ? { subsetOf } : {}), attributes };
    const built = { set, raws };
    this.builtSets.set(name, built);
    return built;
  }

  attribute(o: Raw, value: number, path: string): AttributeSpec {
    const p = `${path}.`;
    const name = this.name(o, p);
    const type = this.str(o, 'type', p);
    if (!(ATTRIBUTE_TYPES as readonly string[]).includes(type)) this.fail(`${p}type`, `unknown type '${type}'`);
    const subType = this.optStr(o, 'sub-type', p);
    if (subType !== undefined && !(ATTRIBUTE_TYPES as readonly string[]).includes(subType)) this.fail(`${p}sub-type`, `unknown type '${subType}'`);
    const typeValue = o['type-value'] === undefined ? undefined : this.strList(o, 'type-value', p);
    const checksRaw = o.checks;
    const checks: { -readonly [K in keyof Checks]: Checks[K] } = {};
    if (checksRaw !== undefined && checksRaw !== null) {
      const c = this.obj(checksRaw, `${p}checks`);
      const cp = `${p}checks.`;
      for (const key of Object.keys(c)) {
        const v = c[key];
        switch (key) {
          case 'min':
            checks.min = this.resolveInt(v, `${cp}min`);
            break;
          case 'max':
            checks.max = this.resolveInt(v, `${cp}max`);
            break;
          case 'min-len':
            checks.minLen = this.resolveLength(v, `${cp}min-len`);
            break;
          case 'max-len':
            checks.maxLen = this.resolveLength(v, `${cp}max-len`);
            break;
          case 'exact-len':
            checks.exactLen = this.resolveLength(v, `${cp}exact-len`);
            break;
          case 'unterminated-ok':
            checks.unterminatedOk = this.optBool(c, key, cp) ?? false;
            break;
          case 'flags-mask':
            checks.flagsMask = this.optStr(c, key, cp);
            break;
          default:
            this.fail(`${cp}${key}`, `unknown check '${key}'`);
        }
      }
    }
    const pick = (key: string): string | undefined => this.optStr(o, key, p);
    const nestedAttributes = pick('nested-attributes');
    const struct = pick('struct');
    const enumName = pick('enum');
    const enumAsFlags = this.optBool(o, 'enum-as-flags', p);
    const displayHint = this.displayHint(o, p);
    const subMessage = pick('sub-message');
    const selector = pick('selector');
    const recordLength = pick('record-length');
    return {
      name,
      type: type as AttributeType,
      value,
      multiAttr: this.optBool(o, 'multi-attr', p) ?? false,
      byteOrder: this.byteOrder(o, p),
      ...(nestedAttributes !== undefined ? { nestedAttributes } : {}),
      ...(struct !== undefined ? { struct } : {}),
      ...(subType !== undefined ? { subType: subType as AttributeType } : {}),
      ...(enumName !== undefined ? { enum: enumName } : {}),
      ...(enumAsFlags ? { enumAsFlags } : {}),
      ...(displayHint !== undefined ? { displayHint } : {}),
      checks,
      ...(subMessage !== undefined ? { subMessage } : {}),
      ...(selector !== undefined ? { selector } : {}),
      ...(typeValue !== undefined ? { typeValue } : {}),
      ...(recordLength !== undefined ? { recordLength } : {}),
    };
  }

  /** Checks what attributes point at, once every set and sub-message is known. */
  checkAttributeReferences(sets: readonly AttributeSet[], subMessages: readonly SubMessage[]): void {
    const subByName = new Map(subMessages.map((m) => [m.name, m] as const));
    const setNames = new Set(sets.map((s) => s.name));
    // Sets that can contain each set (a selector may name an attribute of an enclosing set).
    const parents = new Map<string, Set<string>>();
    const link = (child: string | undefined, parent: string): void => {
      if (child === undefined) return;
      let s = parents.get(child);
      if (!s) parents.set(child, (s = new Set()));
      s.add(parent);
    };
    for (const s of sets) {
      for (const a of s.attributes) {
        if (a.nestedAttributes !== undefined) link(a.nestedAttributes, s.name);
        if (a.subMessage !== undefined) for (const f of subByName.get(a.subMessage)?.formats ?? []) link(f.attributeSet, s.name);
      }
    }
    const enclosing = (set: string): string[] => {
      const out: string[] = [];
      const queue = [set];
      const seen = new Set(queue);
      while (queue.length) {
        const cur = queue.shift()!;
        out.push(cur);
        for (const p of parents.get(cur) ?? [])
          if (!seen.has(p)) {
            seen.add(p);
            queue.push(p);
          }
      }
      return out;
    };
    const byName = new Map(sets.map((s) => [s.name, new Set(s.attributes.map((a) => a.name))] as const));

    for (const s of sets) {
      const { path } = this.rawSets.get(s.name)!;
      s.attributes.forEach((a, i) => {
        const p = `${path}.attributes[${i}].`;
        const needSet = (key: string, v: string | undefined): void => {
          if (v !== undefined && !setNames.has(v)) this.fail(`${p}${key}`, `unknown attribute set '${v}'`);
        };
        needSet('nested-attributes', a.nestedAttributes);
        if (a.struct !== undefined && !this.structs.has(a.struct)) this.fail(`${p}struct`, `unknown struct '${a.struct}'`);
        if (a.enum !== undefined && !this.enums.has(a.enum)) this.fail(`${p}enum`, `unknown enum '${a.enum}'`);
        if (a.checks.flagsMask !== undefined && this.enums.get(a.checks.flagsMask)?.kind !== 'flags') {
          this.fail(`${p}checks.flags-mask`, `unknown flags definition '${a.checks.flagsMask}'`);
        }
        if (a.recordLength !== undefined && a.type !== 'binary') this.fail(`${p}record-length`, 'is only allowed on a binary attribute');
        switch (a.type) {
          case 'nest':
            if (a.nestedAttributes === undefined) this.fail(`${p}nested-attributes`, 'is required for a nest');
            break;
          case 'nest-type-value':
            if (a.nestedAttributes === undefined) this.fail(`${p}nested-attributes`, 'is required for a nest-type-value');
            if (!a.typeValue || a.typeValue.length === 0) this.fail(`${p}type-value`, 'is required for a nest-type-value');
            break;
          case 'indexed-array':
            if (a.subType === undefined) this.fail(`${p}sub-type`, 'is required for an indexed-array');
            if (a.subType === 'nest' && a.nestedAttributes === undefined) this.fail(`${p}nested-attributes`, 'is required for an indexed-array of nests');
            if (!['nest', 'binary', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64'].includes(a.subType)) {
              this.fail(`${p}sub-type`, `an indexed-array of '${a.subType}' is not supported`);
            }
            break;
          case 'binary':
            // nlkit extension: `struct` with `sub-type: binary` is a packed array of that struct.
            if (a.subType === 'binary') {
              if (a.struct === undefined || a.nestedAttributes !== undefined) this.fail(`${p}sub-type`, 'a binary array of binary needs a struct (and no nested attributes)');
            } else if (a.subType !== undefined && !(a.subType in INT_SIZE)) this.fail(`${p}sub-type`, `a binary array of '${a.subType}' is not supported`);
            // nlkit extension: a struct followed by attributes (optionally a sequence of such records).
            if (a.nestedAttributes !== undefined && a.struct === undefined) this.fail(`${p}nested-attributes`, 'a binary attribute with nested attributes needs a struct');
            if (a.recordLength !== undefined) {
              if (a.nestedAttributes === undefined) this.fail(`${p}record-length`, 'needs struct and nested-attributes');
              const m = this.structs.get(a.struct!)?.members.find((x) => x.name === a.recordLength);
              if (!m || !['u8', 'u16', 'u32'].includes(m.type)) this.fail(`${p}record-length`, `'${a.recordLength}' is not an unsigned member of struct '${a.struct!}'`);
            }
            break;
          case 'sub-message': {
            if (a.subMessage === undefined) this.fail(`${p}sub-message`, 'is required for a sub-message');
            if (!subByName.has(a.subMessage)) this.fail(`${p}sub-message`, `unknown sub-message '${a.subMessage}'`);
            if (a.selector === undefined) this.fail(`${p}selector`, 'is required for a sub-message');
            const sel = a.selector;
            if (!enclosing(s.name).some((n) => byName.get(n)?.has(sel))) {
              this.fail(`${p}selector`, `attribute '${sel}' is not in set '${s.name}' or any set that contains it`);
            }
            break;
          }
          default:
            break;
        }
      });
    }
  }

  subMessages(list: unknown[]): SubMessage[] {
    const out: SubMessage[] = [];
    const names = new Set<string>();
    list.forEach((m, i) => {
      const path = `sub-messages[${i}]`;
      const o = this.obj(m, path);
      const name = this.name(o, `${path}.`);
      if (names.has(name)) this.fail(`${path}.name`, `duplicate sub-message '${name}'`);
      names.add(name);
      const values = new Set<string>();
      const formats: SubMessageFormat[] = this.optList(o, 'formats', `${path}.`).map((f, j) => {
        const fpath = `${path}.formats[${j}]`;
        const fo = this.obj(f, fpath);
        const rawValue = fo.value;
        if (typeof rawValue !== 'string' && typeof rawValue !== 'number') this.fail(`${fpath}.value`, 'is required');
        const value = String(rawValue);
        if (values.has(value)) this.fail(`${fpath}.value`, `duplicate format '${value}' in sub-message '${name}'`);
        values.add(value);
        const fixedHeader = this.optStr(fo, 'fixed-header', `${fpath}.`);
        if (fixedHeader !== undefined && !this.structs.has(fixedHeader)) this.fail(`${fpath}.fixed-header`, `unknown struct '${fixedHeader}'`);
        const attributeSet = this.optStr(fo, 'attribute-set', `${fpath}.`);
        if (attributeSet !== undefined && !this.rawSets.has(attributeSet)) this.fail(`${fpath}.attribute-set`, `unknown attribute set '${attributeSet}'`);
        return {
          value,
          ...(fixedHeader !== undefined ? { fixedHeader } : {}),
          ...(attributeSet !== undefined ? { attributeSet } : {}),
        };
      });
      out.push({ name, formats });
    });
    return out;
  }

  mcastGroups(raw: unknown): McastGroup[] {
    if (raw === undefined || raw === null) return [];
    const o = this.obj(raw, 'mcast-groups');
    const names = new Set<string>();
    return this.optList(o, 'list', 'mcast-groups.').map((g, i) => {
      const path = `mcast-groups.list[${i}]`;
      const go = this.obj(g, path);
      const name = this.str(go, 'name', `${path}.`);
      if (names.has(name)) this.fail(`${path}.name`, `duplicate multicast group '${name}'`);
      names.add(name);
      const value = this.optInt(go, 'value', `${path}.`);
      return { name, ...(value !== undefined ? { value } : {}) };
    });
  }

  // ---- operations ---------------------------------------------------------

  messageSpec(raw: unknown, path: string): MessageSpec | undefined {
    if (raw === undefined || raw === null) return undefined;
    const o = this.obj(raw, path);
    const value = this.optInt(o, 'value', `${path}.`);
    return { ...(value !== undefined ? { value } : {}), attributes: this.strList(o, 'attributes', `${path}.`) };
  }

  mode(o: Raw, key: 'do' | 'dump', path: string): OperationMode | undefined {
    const raw = o[key];
    if (raw === undefined) return undefined;
    if (raw === null) return {};
    const m = this.obj(raw, `${path}${key}`);
    const request = this.messageSpec(m.request, `${path}${key}.request`);
    const reply = this.messageSpec(m.reply, `${path}${key}.reply`);
    return { ...(request ? { request } : {}), ...(reply ? { reply } : {}) };
  }

  operations(
    o: Raw,
    sets: readonly AttributeSet[],
    groups: readonly McastGroup[],
  ): {
    enumModel: 'unified' | 'directional';
    fixedHeader: string | undefined;
    namePrefix: string;
    list: Operation[];
  } {
    const enumModel = this.optStr(o, 'enum-model', 'operations.') ?? 'unified';
    if (enumModel !== 'unified' && enumModel !== 'directional') this.fail('operations.enum-model', `unknown enum model '${enumModel}'`);
    const fixedHeader = this.optStr(o, 'fixed-header', 'operations.');
    if (fixedHeader !== undefined && !this.structs.has(fixedHeader)) this.fail('operations.fixed-header', `unknown struct '${fixedHeader}'`);
    const namePrefix = this.optStr(o, 'name-prefix', 'operations.') ?? `${this.familyName}-cmd-`;
    const raws = this.optList(o, 'list', 'operations.').map((e, i) => this.obj(e, `operations.list[${i}]`));
    const rawByName = new Map<string, Raw>();
    raws.forEach((r, i) => {
      const n = this.name(r, `operations.list[${i}].`);
      if (rawByName.has(n)) this.fail(`operations.list[${i}].name`, `duplicate operation '${n}'`);
      rawByName.set(n, r);
    });
    const setByName = new Map(sets.map((s) => [s.name, s] as const));
    const groupNames = new Set(groups.map((g) => g.name));

    // Message ids, exactly as nlspec.py counts them.
    const ids: Array<{ req: number | undefined; rsp: number | undefined }> = [];
    if (enumModel === 'unified') {
      let val = 1;
      raws.forEach((r, i) => {
        const v = this.optInt(r, 'value', `operations.list[${i}].`);
        if (v !== undefined) val = v;
        ids.push({ req: val, rsp: val });
        val++;
      });
    } else {
      let reqVal: number | undefined = 1;
      let rspVal: number | undefined = 1;
      raws.forEach((r, i) => {
        const path = `operations.list[${i}]`;
        let reqNext: number | undefined;
        let rspNext: number | undefined;
        if ('notify' in r || 'event' in r) {
          const v = this.optInt(r, 'value', `${path}.`);
          if (v !== undefined) rspVal = v;
          reqNext = reqVal;
          rspNext = (rspVal ?? 0) + 1;
          reqVal = undefined;
        } else if ('do' in r || 'dump' in r) {
          const key = 'do' in r ? 'do' : 'dump';
          const mode = this.mode(r, key, `${path}.`) ?? {};
          // nlspec.py tests these values for truth: an explicit 0 does not count.
          if (mode.request?.value) reqVal = mode.request.value;
          if (mode.reply?.value) rspVal = mode.reply.value;
          reqNext = (reqVal ?? 0) + 1;
          rspNext = (rspVal ?? 0) + (mode.reply ? 1 : 0);
        } else {
          this.fail(path, 'a directional operation needs do, dump, notify or event');
        }
        const req = reqVal === reqNext ? undefined : reqVal;
        const rsp = rspVal === rspNext ? undefined : rspVal;
        ids.push({ req, rsp });
        reqVal = reqNext;
        rspVal = rspNext;
      });
    }

    const list = raws.map((r, i): Operation => {
      const path = `operations.list[${i}].`;
      const name = r.name as string;
      const doMode = this.mode(r, 'do', path);
      const dumpMode = this.mode(r, 'dump', path);
      const notify = this.optStr(r, 'notify', path);
      let event: { attributes: string[] } | undefined;
      if (r.event !== undefined) {
        const ev = r.event === null ? {} : this.obj(r.event, `${path}event`);
        event = { attributes: this.strList(ev, 'attributes', `${path}event.`) };
      }
      const isCall = doMode !== undefined || dumpMode !== undefined;
      const isAsync = notify !== undefined || event !== undefined;
      let attributeSet = this.optStr(r, 'attribute-set', path);
      let setPath = `${path}attribute-set`;
      if (attributeSet === undefined && notify !== undefined) {
        const target = rawByName.get(notify);
        if (!target) this.fail(`${path}notify`, `unknown operation '${notify}'`);
        attributeSet = this.optStr(target, 'attribute-set', '');
        setPath = `${path}notify`;
      } else if (notify !== undefined && !rawByName.has(notify)) {
        this.fail(`${path}notify`, `unknown operation '${notify}'`);
      }
      if (attributeSet === undefined && (isCall || isAsync)) this.fail(path.slice(0, -1), `cannot tell the attribute set of operation '${name}'`);
      const set = attributeSet !== undefined ? setByName.get(attributeSet) : undefined;
      if (attributeSet !== undefined && !set) this.fail(setPath, `unknown attribute set '${attributeSet}'`);
      const opHeader = this.optStr(r, 'fixed-header', path);
      if (opHeader !== undefined && !this.structs.has(opHeader)) this.fail(`${path}fixed-header`, `unknown struct '${opHeader}'`);
      const header = opHeader ?? fixedHeader;
      const mcgrp = this.optStr(r, 'mcgrp', path);
      if (mcgrp !== undefined && !groupNames.has(mcgrp)) this.fail(`${path}mcgrp`, `unknown multicast group '${mcgrp}'`);
      if (set) {
        const names = new Set(set.attributes.map((a) => a.name));
        const check = (m: MessageSpec | undefined, where: string): void => {
          m?.attributes.forEach((a, j) => {
            if (!names.has(a)) this.fail(`${path}${where}.attributes[${j}]`, `attribute '${a}' is not in set '${set.name}'`);
          });
        };
        check(doMode?.request, 'do.request');
        check(doMode?.reply, 'do.reply');
        check(dumpMode?.request, 'dump.request');
        check(dumpMode?.reply, 'dump.reply');
        event?.attributes.forEach((a, j) => {
          if (!names.has(a)) this.fail(`${path}event.attributes[${j}]`, `attribute '${a}' is not in set '${set.name}'`);
        });
      }
      const id = ids[i]!;
      const flags = this.strList(r, 'flags', path);
      return {
        name,
        ...(id.req !== undefined && id.req === id.rsp ? { value: id.req } : {}),
        ...(id.req !== undefined ? { requestValue: id.req } : {}),
        ...(id.rsp !== undefined ? { replyValue: id.rsp } : {}),
        ...(attributeSet !== undefined ? { attributeSet } : {}),
        ...(header !== undefined ? { fixedHeader: header } : {}),
        ...(doMode ? { do: doMode } : {}),
        ...(dumpMode ? { dump: dumpMode } : {}),
        ...(notify !== undefined ? { notify } : {}),
        ...(event ? { event } : {}),
        ...(mcgrp !== undefined ? { mcgrp } : {}),
        flags,
        isCall,
        isAsync,
      };
    });
    return { enumModel, fixedHeader, namePrefix, list };
  }
}
