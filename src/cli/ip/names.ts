// Numbers to names and back as iproute2 6.1 prints and parses them
// (lib/rt_names.c, lib/ll_types.c): the built-in tables, extended by the
// files under /etc/iproute2 (rt_tables, rt_protos, rt_scopes, group) like
// `ip` does.
import { readFileSync, readdirSync } from 'node:fs';
import { LINK_TYPE_NAMES, ROUTE_TYPE_NAMES, RTPROT_NAMES, RT_SCOPE_NAMES, RT_TABLE_NAMES } from '../../families/route/names.js';
import * as N from '../../families/generated/rt-neigh.constants.js';
import * as R from '../../families/generated/rt-route.constants.js';
import { matches } from './args.js';
import { strtol, strtoulWithin } from './numbers.js';

/**
 * A two-way table of numbers and names. `hashed` tables (rt_tables, group:
 * rtnl_hash_initialize) keep every name a number was ever given; the others
 * (rtnl_tab_initialize: one slot per number) forget a name its number loses.
 */
export class NameTable {
  private readonly byNumber = new Map<number, string>();
  private readonly byName = new Map<string, number>();
  constructor(
    entries: readonly (readonly [number, string])[],
    private readonly hashed = false,
  ) {
    for (const [n, s] of entries) this.add(n, s);
  }
  add(n: number, s: string): void {
    const old = this.byNumber.get(n);
    if (!this.hashed && old !== undefined && this.byName.get(old) === n) this.byName.delete(old);
    this.byNumber.set(n, s);
    // A name given to two numbers means the lowest (rtnl_*_a2n look names up in number order).
    const had = this.byName.get(s);
    if (had === undefined || n < had) this.byName.set(s, n);
  }
  /** The name of `n`, or undefined. */
  name(n: number): string | undefined {
    return this.byNumber.get(n);
  }
  /** The number of the name `s`, or undefined. */
  named(s: string): number | undefined {
    return this.byName.get(s);
  }
}

/**
 * A whole unsigned number in decimal, 0x hex or 0 octal, read as strtoul(s, &end, 0)
 * with nothing left over (no sign, no blanks); undefined when it is not one.
 */
export function parseNumber(s: string): number | undefined {
  if (!/^[0-9]/.test(s)) return undefined;
  return strtoulWithin(s, 0, Number.MAX_SAFE_INTEGER);
}

// Reads "NUMBER NAME" lines of an iproute2 config file, ignoring comments.
function readTableFile(path: string, table: NameTable): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const m = /^(0x[0-9a-fA-F]+|[0-9]+)\s+([^\s]+)/.exec(line);
    if (!m) continue;
    // rtnl_tab_initialize reads ids with sscanf "0x%x" or "%d": decimal, even with a leading 0.
    const id = m[1]!.toLowerCase();
    const n = id.startsWith('0x') ? parseInt(id.slice(2), 16) : parseInt(id, 10);
    table.add(n, m[2]!);
  }
}

function readTableDir(dir: string, table: NameTable): void {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return;
  }
  for (const f of files.sort()) if (f.endsWith('.conf')) readTableFile(`${dir}/${f}`, table);
}

let loaded: { tables: NameTable; protos: NameTable; scopes: NameTable; groups: NameTable; realms: NameTable; dsfields: NameTable } | undefined;

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const tables = new NameTable(RT_TABLE_NAMES, true);
  readTableFile('/etc/iproute2/rt_tables', tables);
  readTableDir('/etc/iproute2/rt_tables.d', tables);
  const protos = new NameTable(RTPROT_NAMES);
  readTableFile('/etc/iproute2/rt_protos', protos);
  readTableDir('/etc/iproute2/rt_protos.d', protos);
  const scopes = new NameTable(RT_SCOPE_NAMES);
  readTableFile('/etc/iproute2/rt_scopes', scopes);
  const groups = new NameTable([[0, 'default']], true);
  readTableFile('/etc/iproute2/group', groups);
  // rtnl_rtrealm_tab and rtnl_rtdsfield_tab start with one entry each; the files add the rest.
  const realms = new NameTable([[0, 'unknown']]);
  readTableFile('/etc/iproute2/rt_realms', realms);
  const dsfields = new NameTable([[0, '0']]);
  readTableFile('/etc/iproute2/rt_dsfield', dsfields);
  loaded = { tables, protos, scopes, groups, realms, dsfields };
  return loaded;
}

/** Routing table name (rtnl_rttable_n2a): a name, or the number as text. */
export function tableName(id: number): string {
  return load().tables.name(id) ?? String(id);
}
/** Routing table number from a name or number (rtnl_rttable_a2n: up to RT_TABLE_MAX, 0xffffffff); 'all' is not handled here. */
export function tableNumber(s: string): number | undefined {
  return load().tables.named(s) ?? strtoulWithin(s, 0, 0xffffffff);
}
/** Route protocol name (rtnl_rtprot_n2a). */
export function protoName(n: number): string {
  return load().protos.name(n) ?? String(n);
}
/** Route protocol from a name or a number up to 255 (rtnl_rtprot_a2n). */
export function protoNumber(s: string): number | undefined {
  return load().protos.named(s) ?? strtoulWithin(s, 0, 255);
}
/** Route scope name (rtnl_rtscope_n2a). */
export function scopeName(n: number): string {
  return load().scopes.name(n) ?? String(n);
}
/** Scope from a name or a number up to 255 (rtnl_rtscope_a2n). */
export function scopeNumber(s: string): number | undefined {
  return load().scopes.named(s) ?? strtoulWithin(s, 0, 255);
}
/** Link group name (rtnl_group_n2a). */
export function groupName(n: number): string {
  return load().groups.name(n) ?? String(n);
}
/** Link group from a name or a number (rtnl_group_a2n: strtol kept in an int, refused when negative). */
export function groupNumber(s: string): number | undefined {
  const named = load().groups.named(s);
  if (named !== undefined) return named;
  const r = strtol(s, 0);
  if (r.end === 0 || r.end !== s.length) return undefined;
  const i = Number(BigInt.asIntN(32, r.value));
  return i < 0 ? undefined : i;
}
/** Realm name (rtnl_rtrealm_n2a). */
export function realmName(n: number): string {
  return load().realms.name(n) ?? String(n);
}
/** Realm from a name or a number up to 255 (rtnl_rtrealm_a2n). */
export function realmNumber(s: string): number | undefined {
  return load().realms.named(s) ?? strtoulWithin(s, 0, 255);
}
/**
 * `[SRC/]DST` realms as one u32, SRC in the high 16 bits (get_rt_realms_or_raw:
 * realm names or numbers, else the whole word as an unsigned number).
 */
export function realmsNumber(s: string): number | undefined {
  const slash = s.indexOf('/');
  let realms = 0;
  let ok = true;
  let rest = s;
  if (slash >= 0) {
    const from = realmNumber(s.slice(0, slash));
    if (from === undefined) ok = false;
    else realms = from << 16;
    rest = s.slice(slash + 1);
  }
  if (ok && rest !== '') {
    const to = realmNumber(rest);
    if (to === undefined) ok = false;
    else realms |= to;
  }
  if (ok) return realms >>> 0;
  return strtoulWithin(s, 0, 0xffffffff);
}

/** TOS / DS field name (rtnl_dsfield_n2a): a name from rt_dsfield, or 0x%02x. */
export function dsfieldName(n: number): string {
  return load().dsfields.name(n) ?? '0x' + n.toString(16).padStart(2, '0');
}
/** TOS / DS field from a name or a hex number up to 255 (rtnl_dsfield_a2n reads numbers in base 16). */
export function dsfieldNumber(s: string): number | undefined {
  return load().dsfields.named(s) ?? strtoulWithin(s, 16, 255);
}

/** Route type name (rtnl_rtntype_n2a). */
export function rtnTypeName(n: number): string {
  return (ROUTE_TYPE_NAMES as readonly string[])[n] ?? String(n);
}
/** Route type from a word as rtnl_rtntype_a2n reads it: some names by prefix ("b" is broadcast), or a number up to 255. */
export function rtnTypeNumber(s: string): number | undefined {
  if (s === 'local') return R.RTN_LOCAL;
  if (s === 'nat') return R.RTN_NAT;
  if (matches(s, 'broadcast') || s === 'brd') return R.RTN_BROADCAST;
  if (matches(s, 'anycast')) return R.RTN_ANYCAST;
  if (matches(s, 'multicast')) return R.RTN_MULTICAST;
  if (matches(s, 'prohibit')) return R.RTN_PROHIBIT;
  if (matches(s, 'unreachable')) return R.RTN_UNREACHABLE;
  if (matches(s, 'blackhole')) return R.RTN_BLACKHOLE;
  if (matches(s, 'xresolve')) return R.RTN_XRESOLVE;
  if (matches(s, 'unicast')) return R.RTN_UNICAST;
  if (s === 'throw') return R.RTN_THROW;
  return strtoulWithin(s, 0, 255);
}

/** Link type name (ll_type_n2a): a name, or the number in brackets. */
export function linkTypeName(n: number): string {
  return LINK_TYPE_NAMES.get(n) ?? `[${n}]`;
}

/** NUD state from a word as `ip neigh ... nud STATE` reads it (nud_state_a2n: some names by prefix, or one bit as a number). */
export function nudStateNumber(s: string): number | undefined {
  if (matches(s, 'permanent')) return N.NUD_PERMANENT;
  if (matches(s, 'reachable')) return N.NUD_REACHABLE;
  if (s === 'noarp') return N.NUD_NOARP;
  if (s === 'none') return 0;
  if (s === 'stale') return N.NUD_STALE;
  if (s === 'incomplete') return N.NUD_INCOMPLETE;
  if (s === 'delay') return N.NUD_DELAY;
  if (s === 'probe') return N.NUD_PROBE;
  if (matches(s, 'failed')) return N.NUD_FAILED;
  const n = s === '' ? undefined : strtoulWithin(s, 0, 0xffffffff);
  if (n === undefined || n >= 0x100 || (n & (n - 1)) !== 0) return undefined;
  return n;
}
