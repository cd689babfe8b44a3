// Emits the constants module of a family (src/families/generated/NAME.constants.ts):
// the kernel's C names of what the spec numbers, formed by the rules of the
// kernel's YNL C generator (tools/net/ynl/pyynl/ynl_gen_c.py):
//   - attribute types: the attribute's own name-prefix, else its set's
//     (default FAMILY-a-SET-), + the attribute's name, upper case, '-' -> '_'
//     (RTA_TABLE, IFLA_IFNAME);
//   - enum and flags entries: the definition's name-prefix (default
//     FAMILY-ENUM-) + the entry's name (RTN_UNICAST, IFF_UP); flags as bit
//     values (1 << n);
//   - message types: the operations' name-prefix (default FAMILY-cmd-; the
//     async-prefix for notifications and events when the spec has one) + the
//     operation's name (RTM_GETROUTE, CTRL_CMD_GETFAMILY); for netlink-raw
//     families only operations with a request (notification entries are the
//     spec's own names, not the kernel's), for genetlink every operation;
//   - multicast groups the spec numbers: the group's name (RTNLGRP_IPV4_ROUTE);
//   - constants (`type: const`) with numbers: their name-prefix (default
//     FAMILY-) + name, or the bare name for one defined in another header.
// Besides, per struct its size (RTMSG_SIZE) and member offsets (RTMSG_OFFSETS,
// members by their C names), and per enum a table of value -> spec name
// (RTM_TYPE_NAMES). The module imports nothing, so a program that needs a few
// numbers does not load the family's codecs.
//
// The spec keys that change a C name and that the model does not keep (an
// attribute's own name-prefix, async-prefix, a constant's name-prefix and
// header) are read from the spec document. nlkit extension: `c-name` on an
// enum entry gives its whole C name as the kernel spells it, for entries of
// definitions the kernel renders from another header under other names
// (rt-link's ifinfo-flags entry point-to-point is IFF_POINTOPOINT;
// RTNLGRP_DECnet_IFADDR).
//
// A C name two things of one family would both take keeps the first one's
// value; a name that is no identifier (an entry named 'ieee802.11') is left out.
import type { ConstDefinition, EnumDefinition, FamilySpec } from './model.js';

type Raw = Record<string, unknown>;

const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Raw | undefined, key: string): string | undefined => (o !== undefined && typeof o[key] === 'string' ? o[key] : undefined);

/** The named entries of a list in a spec document, by name. */
function byName(list: unknown): Map<string, Raw> {
  const out = new Map<string, Raw>();
  if (Array.isArray(list)) for (const x of list) if (isRaw(x) && typeof x.name === 'string') out.set(x.name, x);
  return out;
}

const S = JSON.stringify;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** ynl_gen_c.py's c_upper. */
export function cUpper(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** ynl_gen_c.py's c_lower. */
export function cLower(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

/** Wire value of an enum entry (flags: the bit's value). */
function entryValue(def: EnumDefinition, value: number): string {
  if (def.kind !== 'flags') return String(value);
  if (value <= 52) return `0x${(2 ** value).toString(16)}`;
  return `0x${(1n << BigInt(value)).toString(16)}n`;
}

class ConstantsEmitter {
  private readonly out: string[] = [];
  private readonly taken = new Set<string>();

  /** Adds `export const NAME = value` unless NAME is taken or no identifier. */
  add(name: string, value: string, doc: string): void {
    if (!IDENT.test(name) || this.taken.has(name)) return;
    this.taken.add(name);
    this.out.push(`/** ${doc} */ export const ${name} = ${value};`);
  }

  /** Adds a table, of `type` if given. */
  table(name: string, type: string, value: string, doc: string): void {
    if (!IDENT.test(name) || this.taken.has(name)) return;
    this.taken.add(name);
    this.out.push(`/** ${doc} */ export const ${name}${type ? `: ${type}` : ''} = ${value};`);
  }

  section(title: string): void {
    this.out.push(`\n// ${title}`);
  }

  text(): string {
    return this.out.join('\n');
  }
}

/** The constants module of one family (`specFile` names its sources in the header). */
export function emitConstantsModule(spec: FamilySpec, doc: unknown, specFile: string, marker: string): string {
  const e = new ConstantsEmitter();
  const raw = spec.protocol === 'netlink-raw';
  const top = isRaw(doc) ? doc : {};
  const rawDefs = byName(top.definitions);
  const rawSets = byName(top['attribute-sets']);
  const rawOps = isRaw(top.operations) ? top.operations : undefined;
  const asyncPrefix = str(rawOps, 'async-prefix');

  const ops = spec.operations.filter((op) => (raw ? op.isCall : true));
  if (ops.length) {
    e.section('Message types');
    for (const op of ops) {
      const value = op.isCall ? (op.requestValue ?? op.value) : (op.replyValue ?? op.value);
      const prefix = asyncPrefix !== undefined && !op.isCall ? asyncPrefix : spec.opNamePrefix;
      if (value !== undefined) e.add(cUpper(prefix + op.name), String(value), `Message type of ${op.name}.`);
    }
  }

  const groups = spec.mcastGroups.filter((g) => g.value !== undefined);
  if (groups.length) {
    e.section('Multicast groups');
    for (const g of groups) e.add(cUpper(g.name), String(g.value), `Multicast group ${g.name}.`);
  }

  const consts = spec.definitions.filter((d): d is ConstDefinition => d.kind === 'const' && typeof d.value === 'number');
  if (consts.length) {
    e.section('Constants');
    for (const d of consts) {
      const r = rawDefs.get(d.name);
      const name = r?.header !== undefined ? d.name : (str(r, 'name-prefix') ?? `${spec.name}-`) + d.name;
      e.add(cUpper(name), String(d.value), `Constant ${d.name}.`);
    }
  }

  for (const d of spec.definitions) {
    if (d.kind !== 'enum' && d.kind !== 'flags') continue;
    e.section(`${d.kind} ${d.name}`);
    const rawEntries = byName(rawDefs.get(d.name)?.entries);
    for (const entry of d.entries) {
      const cName = str(rawEntries.get(entry.name), 'c-name') ?? cUpper(d.namePrefix + entry.name);
      e.add(cName, entryValue(d, entry.value), `${d.name}: ${entry.name}.`);
    }
    // Of two names of one value, the first.
    const seen = new Set<number>();
    const pairs = d.entries
      .filter((x) => (d.kind === 'enum' || x.value <= 52) && !seen.has(x.value) && seen.add(x.value))
      .map((x) => [d.kind === 'flags' ? 2 ** x.value : x.value, x.name] as const);
    // Values 0..n-1: a tuple of literal names (its element type names the values); else an object.
    if (pairs.every(([v], i) => v === i)) e.table(`${cUpper(d.name)}_NAMES`, '', `[${pairs.map(([, n]) => S(n)).join(', ')}] as const`, `Names of ${d.kind} ${d.name}, by value.`);
    else
      e.table(
        `${cUpper(d.name)}_NAMES`,
        '{ readonly [value: number]: string | undefined }',
        `{ ${pairs.map(([v, n]) => `${v}: ${S(n)}`).join(', ')} }`,
        `Names of ${d.kind} ${d.name} by value.`,
      );
  }

  for (const set of spec.attributeSets) {
    if (!set.attributes.length) continue;
    e.section(`attribute set ${set.name}`);
    const own = byName(rawSets.get(set.subsetOf ?? set.name)?.attributes);
    for (const a of set.attributes) {
      const prefix = str(own.get(a.name), 'name-prefix') ?? set.namePrefix;
      e.add(cUpper(prefix + a.name), String(a.value), `${set.name}: ${a.name} (${a.type}).`);
    }
  }

  for (const d of spec.definitions) {
    if (d.kind !== 'struct') continue;
    e.section(`struct ${d.name}`);
    e.add(`${cUpper(d.name)}_SIZE`, String(d.size), `sizeof(struct ${cLower(d.name)}).`);
    const members = d.members.filter((m) => m.type !== 'pad');
    const key = (n: string): string => (IDENT.test(cLower(n)) ? cLower(n) : S(cLower(n)));
    e.add(`${cUpper(d.name)}_OFFSETS`, `{ ${members.map((m) => `${key(m.name)}: ${m.offset}`).join(', ')} } as const`, `Byte offsets of the members of struct ${cLower(d.name)}.`);
  }

  return [
    `${marker} (scripts/codegen.mjs) from the YNL spec ${specFile}; do not edit.`,
    '// test/unit/schema/codegen-stale.test.ts fails when this file is out of date: rerun `npm run codegen`.',
    `// Kernel names of the ${spec.name} family's numbers (src/schema/emit-constants.ts tells how they are formed).`,
    e.text(),
    '',
  ].join('\n');
}
