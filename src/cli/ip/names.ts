// Numbers to names and back as iproute2 6.1 prints and parses them
// (lib/rt_names.c, lib/ll_types.c): the built-in tables, extended by the
// files under /etc/iproute2 (rt_tables, rt_protos, rt_scopes, group) like
// `ip` does.
import { readFileSync, readdirSync } from 'node:fs';

/** A two-way table of numbers and names. */
export class NameTable {
  private readonly byNumber = new Map<number, string>();
  private readonly byName = new Map<string, number>();
  constructor(entries: readonly (readonly [number, string])[]) {
    for (const [n, s] of entries) this.add(n, s);
  }
  add(n: number, s: string): void {
    this.byNumber.set(n, s);
    this.byName.set(s, n);
  }
  /** The name of `n`, or undefined. */
  name(n: number): string | undefined {
    return this.byNumber.get(n);
  }
  /** The number of `s` (a name or a decimal / 0x number), or undefined. */
  number(s: string): number | undefined {
    const named = this.byName.get(s);
    if (named !== undefined) return named;
    return parseNumber(s);
  }
}

/** Parses a decimal, 0x hex or 0 octal integer as strtoul does; undefined when it is not one. */
export function parseNumber(s: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
  if (/^0[0-7]+$/.test(s)) return parseInt(s.slice(1), 8);
  // strtoul(s, &end, 0) reads "08" as octal and stops at the 8: not a number.
  if (/^(0|[1-9][0-9]*)$/.test(s)) return parseInt(s, 10);
  return undefined;
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

let loaded: { tables: NameTable; protos: NameTable; scopes: NameTable; groups: NameTable } | undefined;

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const tables = new NameTable([
    [0, 'unspec'],
    [253, 'default'],
    [254, 'main'],
    [255, 'local'],
  ]);
  readTableFile('/etc/iproute2/rt_tables', tables);
  readTableDir('/etc/iproute2/rt_tables.d', tables);
  const protos = new NameTable([
    [0, 'unspec'],
    [1, 'redirect'],
    [2, 'kernel'],
    [3, 'boot'],
    [4, 'static'],
    [8, 'gated'],
    [9, 'ra'],
    [10, 'mrt'],
    [11, 'zebra'],
    [12, 'bird'],
    [13, 'dnrouted'],
    [14, 'xorp'],
    [15, 'ntk'],
    [16, 'dhcp'],
    [18, 'keepalived'],
    [42, 'babel'],
    [99, 'openr'],
    [186, 'bgp'],
    [187, 'isis'],
    [188, 'ospf'],
    [189, 'rip'],
    [192, 'eigrp'],
  ]);
  readTableFile('/etc/iproute2/rt_protos', protos);
  readTableDir('/etc/iproute2/rt_protos.d', protos);
  const scopes = new NameTable([
    [0, 'global'],
    [200, 'site'],
    [253, 'link'],
    [254, 'host'],
    [255, 'nowhere'],
  ]);
  readTableFile('/etc/iproute2/rt_scopes', scopes);
  const groups = new NameTable([[0, 'default']]);
  readTableFile('/etc/iproute2/group', groups);
  loaded = { tables, protos, scopes, groups };
  return loaded;
}

/** Routing table name (rtnl_rttable_n2a): a name, or the number as text. */
export function tableName(id: number): string {
  return load().tables.name(id) ?? String(id);
}
/** Routing table number from a name or number (rtnl_rttable_a2n); 'all' is not handled here. */
export function tableNumber(s: string): number | undefined {
  return load().tables.number(s);
}
/** Route protocol name (rtnl_rtprot_n2a). */
export function protoName(n: number): string {
  return load().protos.name(n) ?? String(n);
}
export function protoNumber(s: string): number | undefined {
  return load().protos.number(s);
}
/** Route scope name (rtnl_rtscope_n2a). */
export function scopeName(n: number): string {
  return load().scopes.name(n) ?? String(n);
}
export function scopeNumber(s: string): number | undefined {
  return load().scopes.number(s);
}
/** Link group name (rtnl_group_n2a). */
export function groupName(n: number): string {
  return load().groups.name(n) ?? String(n);
}
export function groupNumber(s: string): number | undefined {
  return load().groups.number(s);
}

/** Route types (RTN_*) as rtnl_rtntype_n2a names them. */
export const RTN_NAMES: readonly string[] = ['none', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];

export function rtnTypeName(n: number): string {
  return RTN_NAMES[n] ?? String(n);
}
export function rtnTypeNumber(s: string): number | undefined {
  const i = RTN_NAMES.indexOf(s);
  if (i > 0) return i;
  return parseNumber(s);
}

/** ARPHRD_* link types as ll_type_n2a names them. */
const LINK_TYPES = new Map<number, string>([
  [0, 'netrom'],
  [1, 'ether'],
  [2, 'eether'],
  [3, 'ax25'],
  [4, 'pronet'],
  [5, 'chaos'],
  [6, 'ieee802'],
  [7, 'arcnet'],
  [8, 'atalk'],
  [15, 'dlci'],
  [19, 'atm'],
  [23, 'metricom'],
  [24, 'ieee1394'],
  [32, 'infiniband'],
  [256, 'slip'],
  [257, 'cslip'],
  [258, 'slip6'],
  [259, 'cslip6'],
  [260, 'rsrvd'],
  [264, 'adapt'],
  [270, 'rose'],
  [271, 'x25'],
  [272, 'hwx25'],
  [280, 'can'],
  [290, 'mctp'],
  [512, 'ppp'],
  [513, 'hdlc'],
  [516, 'lapb'],
  [517, 'ddcmp'],
  [518, 'rawhdlc'],
  [519, 'rawip'],
  [768, 'ipip'],
  [769, 'tunnel6'],
  [770, 'frad'],
  [771, 'skip'],
  [772, 'loopback'],
  [773, 'ltalk'],
  [774, 'fddi'],
  [775, 'bif'],
  [776, 'sit'],
  [777, 'ip/ddp'],
  [778, 'gre'],
  [779, 'pimreg'],
  [780, 'hippi'],
  [781, 'ash'],
  [782, 'econet'],
  [783, 'irda'],
  [784, 'fcpp'],
  [785, 'fcal'],
  [786, 'fcpl'],
  [787, 'fcfb0'],
  [800, 'tr'],
  [801, 'ieee802.11'],
  [802, 'ieee802.11/prism'],
  [803, 'ieee802.11/radiotap'],
  [804, 'ieee802.15.4'],
  [805, 'ieee802.15.4/monitor'],
  [820, 'phonet'],
  [821, 'phonet_pipe'],
  [822, 'caif'],
  [823, 'gre6'],
  [824, 'netlink'],
  [825, '6lowpan'],
  [826, 'vsockmon'],
  [0xfffe, 'none'],
  [0xffff, 'void'],
]);

export function linkTypeName(n: number): string {
  return LINK_TYPES.get(n) ?? `[${n}]`;
}

/** Neighbour states (NUD_*) in nud_state_n2a's order. */
export const NUD_STATES: readonly (readonly [number, string])[] = [
  [0x01, 'INCOMPLETE'],
  [0x02, 'REACHABLE'],
  [0x04, 'STALE'],
  [0x08, 'DELAY'],
  [0x10, 'PROBE'],
  [0x20, 'FAILED'],
  [0x40, 'NOARP'],
  [0x80, 'PERMANENT'],
];

/** NUD state from a name as `ip neigh ... nud STATE` takes it. */
export function nudStateNumber(s: string): number | undefined {
  const names: Record<string, number> = {
    permanent: 0x80,
    reachable: 0x02,
    noarp: 0x40,
    none: 0x00,
    stale: 0x04,
    incomplete: 0x01,
    delay: 0x08,
    probe: 0x10,
    failed: 0x20,
  };
  const v = names[s.toLowerCase()];
  if (v !== undefined) return v;
  return parseNumber(s);
}
