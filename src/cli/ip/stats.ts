// `nlkit stats show|set ...` (ip/ipstats.c, ip/iplink_bridge.c and
// ip/iplink_bond.c of iproute2 6.1): RTM_GETSTATS per link, each selected
// statistic printed as its own object as `ip stats` prints it, and
// RTM_SETSTATS for `stats set dev DEV l3_stats on|off`. MPLS statistics,
// which this kernel does not keep, are refused when a link has them.
import { AF_MPLS, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import {
  BOND_3AD_STAT_LACPDU_ILLEGAL_RX,
  BOND_3AD_STAT_LACPDU_RX,
  BOND_3AD_STAT_LACPDU_TX,
  BOND_3AD_STAT_LACPDU_UNKNOWN_RX,
  BOND_3AD_STAT_MARKER_RESP_RX,
  BOND_3AD_STAT_MARKER_RESP_TX,
  BOND_3AD_STAT_MARKER_RX,
  BOND_3AD_STAT_MARKER_TX,
  BOND_3AD_STAT_MARKER_UNKNOWN_RX,
  BOND_XSTATS_3AD,
  BR_MCAST_DIR_RX,
  BR_MCAST_DIR_TX,
  BR_MCAST_STATS_OFFSETS,
  BRIDGE_STP_XSTATS_OFFSETS,
  BRIDGE_XSTATS_MCAST,
  BRIDGE_XSTATS_STP,
  IF_STATS_MSG_OFFSETS as IFSM,
  IF_STATS_MSG_SIZE,
  IFLA_OFFLOAD_XSTATS_CPU_HIT,
  IFLA_OFFLOAD_XSTATS_HW_S_INFO,
  IFLA_OFFLOAD_XSTATS_HW_S_INFO_REQUEST,
  IFLA_OFFLOAD_XSTATS_HW_S_INFO_USED,
  IFLA_OFFLOAD_XSTATS_L3_STATS,
  IFLA_STATS_AF_SPEC,
  IFLA_STATS_GET_FILTERS,
  IFLA_STATS_LINK_64,
  IFLA_STATS_LINK_OFFLOAD_XSTATS,
  IFLA_STATS_LINK_XSTATS,
  IFLA_STATS_LINK_XSTATS_SLAVE,
  IFLA_STATS_SET_OFFLOAD_XSTATS_L3_STATS,
  LINK_XSTATS_TYPE_BOND,
  LINK_XSTATS_TYPE_BRIDGE,
  RTM_GETSTATS,
  RTNL_HW_STATS64_OFFSETS,
  RTNL_LINK_STATS64_OFFSETS as STATS64,
} from '../../families/generated/rt-link.constants.js';
import { RTM_SETSTATS } from '../../families/generated/rt-route.constants.js';
import { CommandError } from '../error.js';
import { Header, messageAttrs, type Attr, type AttrTable } from './attrs.js';
import { duparg2, incompleteCommand, invarg, validIfname } from './args.js';
import { usage, type IpContext } from './context.js';
import { formatCount, linkStatsText, type NumberUnits, type StatName } from './linkprint.js';
import type { Printer } from './printer.js';

/** BR_MCAST_DIR_RX and BR_MCAST_DIR_TX as byte offsets inside a __u64[BR_MCAST_DIR_SIZE] member of struct br_mcast_stats. */
const DIR_RX = BR_MCAST_DIR_RX * BigUint64Array.BYTES_PER_ELEMENT;
const DIR_TX = BR_MCAST_DIR_TX * BigUint64Array.BYTES_PER_ELEMENT;

/** ip stats help (ipstats.c do_help()). */
export const STATS_USAGE = `Usage: ip stats help
       ip stats show [ dev DEV ] [ group GROUP [ subgroup SUBGROUP [ suite SUITE ] ... ] ... ] ...
       ip stats set dev DEV l3_stats { on | off }
GROUP := { link | xstats | xstats_slave | offload | afstats }
xstats SUBGROUP := { bridge [ suite stp ] [ suite mcast ] | bond [ suite 802.3ad ] }
xstats_slave SUBGROUP := { bridge [ suite stp ] [ suite mcast ] | bond [ suite 802.3ad ] }
offload SUBGROUP := { cpu_hit | hw_stats_info | l3_stats }
afstats SUBGROUP := { mpls }
`;

/** ipstats_levels[]. */
const LEVELS = ['group', 'subgroup', 'suite'] as const;

/** struct ipstats_stat_dump_filters: mask[0] the top-level filter_mask, mask[N] the filter of nest N. */
type Filters = number[];

/** What a leaf's show() reads and prints through. */
interface Show {
  readonly p: Printer;
  readonly tb: AttrTable;
  readonly level: number;
  /** print_nl()'s text (_SL_): a newline, or a backslash under -oneline. */
  readonly nl: string;
  /** Where ip's complaints about values go. */
  readonly stderr: (text: string) => void;
  /** -h[uman] and -iec for print_num(). */
  readonly units: NumberUnits;
}

/** A leaf statistic (IPSTATS_STAT_DESC_KIND_LEAF): its path of names, request bits and printer. */
interface Leaf {
  readonly sel: readonly string[];
  pack(f: Filters): void;
  show(s: Show): void;
}

const filterBit = (attr: number): number => 1 << (attr - 1);

/** ipstats_stat_desc_enable_bit(). */
function enableBit(f: Filters, group: number, subgroup = 0): void {
  f[0] = (f[0] ?? 0) | filterBit(group);
  if (subgroup) f[group] = (f[group] ?? 0) | filterBit(subgroup);
}

/** ipstats_stat_show_get_attr() for a nested subgroup. */
function subAttr(tb: AttrTable, group: number, subgroup: number): Attr | undefined {
  return tb.get(group)?.nest().get(subgroup);
}

/** print_stats64(): the stats64 object in JSON, ip's table in text (-s -s: with the error rows). */
function printStats64(s: Show, a: Attr): void {
  const { p, level } = s;
  const v = (n: StatName): bigint => a.u64At(STATS64[n]);
  if (!p.json) {
    p.fp(linkStatsText(v, level, undefined, s.nl, s.units));
    return;
  }
  p.open('rx');
  for (const [k, n] of [
    ['bytes', 'rx_bytes'],
    ['packets', 'rx_packets'],
    ['errors', 'rx_errors'],
    ['dropped', 'rx_dropped'],
    ['over_errors', 'rx_over_errors'],
    ['multicast', 'multicast'],
  ] as const)
    p.jsonOnly(k, v(n));
  if (v('rx_compressed')) p.jsonOnly('compressed', v('rx_compressed'));
  if (level > 1) {
    for (const [k, n] of [
      ['length_errors', 'rx_length_errors'],
      ['crc_errors', 'rx_crc_errors'],
      ['frame_errors', 'rx_frame_errors'],
      ['fifo_errors', 'rx_fifo_errors'],
      ['missed_errors', 'rx_missed_errors'],
    ] as const)
      p.jsonOnly(k, v(n));
    if (v('rx_nohandler')) p.jsonOnly('nohandler', v('rx_nohandler'));
    if (v('rx_otherhost_dropped')) p.jsonOnly('otherhost_dropped', v('rx_otherhost_dropped'));
  }
  p.close().open('tx');
  for (const [k, n] of [
    ['bytes', 'tx_bytes'],
    ['packets', 'tx_packets'],
    ['errors', 'tx_errors'],
    ['dropped', 'tx_dropped'],
    ['carrier_errors', 'tx_carrier_errors'],
    ['collisions', 'collisions'],
  ] as const)
    p.jsonOnly(k, v(n));
  if (v('tx_compressed')) p.jsonOnly('compressed', v('tx_compressed'));
  if (level > 1) {
    for (const [k, n] of [
      ['aborted_errors', 'tx_aborted_errors'],
      ['fifo_errors', 'tx_fifo_errors'],
      ['window_errors', 'tx_window_errors'],
      ['heartbeat_errors', 'tx_heartbeat_errors'],
    ] as const)
      p.jsonOnly(k, v(n));
  }
  p.close();
}

/** ipstats_show_64(): a stats64 object when the attribute is there. */
function show64(s: Show, a: Attr | undefined): void {
  if (!a) return;
  s.p.open('stats64');
  printStats64(s, a);
  s.p.close();
}

/** print_hw_stats64(): struct rtnl_hw_stats64, in its own smaller table. */
function printHwStats64(s: Show, a: Attr): void {
  const { p, nl } = s;
  const v = (n: keyof typeof RTNL_HW_STATS64_OFFSETS): bigint => a.u64At(RTNL_HW_STATS64_OFFSETS[n]);
  if (p.json) {
    p.open('rx');
    for (const [k, n] of [
      ['bytes', 'rx_bytes'],
      ['packets', 'rx_packets'],
      ['errors', 'rx_errors'],
      ['dropped', 'rx_dropped'],
      ['multicast', 'multicast'],
    ] as const)
      p.jsonOnly(k, v(n));
    p.close().open('tx');
    for (const [k, n] of [
      ['bytes', 'tx_bytes'],
      ['packets', 'tx_packets'],
      ['errors', 'tx_errors'],
      ['dropped', 'tx_dropped'],
    ] as const)
      p.jsonOnly(k, v(n));
    p.close();
    return;
  }
  // size_columns(): each column as wide as its heading or its widest number.
  const cols = ['*X: bytes', 'packets', 'errors', 'dropped', 'overrun'].map((h) => h.length);
  const size = (...values: bigint[]): void => {
    // size_columns(): -h numbers do not widen a column.
    if (s.units.human) return;
    values.forEach((x, i) => {
      cols[i] = Math.max(cols[i]!, x.toString().length);
    });
  };
  size(v('rx_bytes'), v('rx_packets'), v('rx_errors'), v('rx_dropped'), v('multicast'));
  size(v('tx_bytes'), v('tx_packets'), v('tx_errors'), v('tx_dropped'), 0n);
  const w = (i: number): number => cols[i]!;
  const num = (i: number, x: bigint): string => formatCount(x, s.units).padStart(w(i)) + ' ';
  p.fp(`    RX: ${'bytes'.padStart(w(0) - 4)} ${'packets'.padStart(w(1))} ${'errors'.padStart(w(2))} ${'dropped'.padStart(w(3))} ${'mcast'.padStart(w(4))}${nl}`);
  p.fp('    ' + num(0, v('rx_bytes')) + num(1, v('rx_packets')) + num(2, v('rx_errors')) + num(3, v('rx_dropped')) + num(4, v('multicast')) + nl);
  p.fp(`    TX: ${'bytes'.padStart(w(0) - 4)} ${'packets'.padStart(w(1))} ${'errors'.padStart(w(2))} ${'dropped'.padStart(w(3))}${nl}`);
  p.fp('    ' + num(0, v('tx_bytes')) + num(1, v('tx_packets')) + num(2, v('tx_errors')) + num(3, v('tx_dropped')));
}

/** One offload statistic's hw_s_info (struct ipstats_hw_s_info_one): undefined (absent or invalid), true (on) or false (off). */
interface HwSInfoOne {
  request: boolean | undefined;
  used: boolean | undefined;
}

/** ip gave up on a link's statistics part way (its printers return -EINVAL: exit status 22); what it printed stays. */
class PartialError extends CommandError {
  constructor() {
    super('', 22);
  }
}

/** ipstats_dissect_hw_s_info(): the l3_stats entry of an IFLA_OFFLOAD_XSTATS_HW_S_INFO nest. */
function dissectHwSInfo(s: Show, a: Attr): HwSInfoOne | undefined {
  const one = a.nest().get(IFLA_OFFLOAD_XSTATS_L3_STATS);
  if (!one) return undefined;
  const tb = one.nest();
  // ipstats_dissect_01().
  const check = (v: number, what: string): boolean | undefined => {
    if (v === 0 || v === 1) return v === 1;
    s.stderr(`Invalid value for ${what}: expected 0 or 1, got ${v}.\n`);
    return undefined;
  };
  const info: HwSInfoOne = { request: undefined, used: undefined };
  if (tb.has(IFLA_OFFLOAD_XSTATS_HW_S_INFO_REQUEST)) {
    info.request = check(tb.u8(IFLA_OFFLOAD_XSTATS_HW_S_INFO_REQUEST), 'request');
    // ip: "This has to be present & valid."
    if (info.request === undefined) throw new PartialError();
  }
  if (tb.has(IFLA_OFFLOAD_XSTATS_HW_S_INFO_USED)) info.used = check(tb.u8(IFLA_OFFLOAD_XSTATS_HW_S_INFO_USED), 'used');
  return info;
}

/** __ipstats_show_hw_s_info_one(). */
function showHwSInfoOne(s: Show, info: HwSInfoOne | undefined): void {
  if (!info) return;
  if (info.request !== undefined) s.p.onOff('request', ' %s', info.request);
  if (info.used !== undefined) s.p.onOff('used', ' used %s', info.used);
}

const CPU_HIT: Leaf = {
  sel: ['offload', 'cpu_hit'],
  pack: (f) => enableBit(f, IFLA_STATS_LINK_OFFLOAD_XSTATS, IFLA_OFFLOAD_XSTATS_CPU_HIT),
  show: (s) => {
    s.p.fp(s.nl);
    show64(s, subAttr(s.tb, IFLA_STATS_LINK_OFFLOAD_XSTATS, IFLA_OFFLOAD_XSTATS_CPU_HIT));
  },
};

const HW_STATS_INFO: Leaf = {
  sel: ['offload', 'hw_stats_info'],
  pack: (f) => enableBit(f, IFLA_STATS_LINK_OFFLOAD_XSTATS, IFLA_OFFLOAD_XSTATS_HW_S_INFO),
  show: (s) => {
    const a = subAttr(s.tb, IFLA_STATS_LINK_OFFLOAD_XSTATS, IFLA_OFFLOAD_XSTATS_HW_S_INFO);
    if (!a) return;
    s.p.fp(s.nl);
    const info = dissectHwSInfo(s, a);
    s.p.open('info');
    if (info) {
      s.p.fp('    l3_stats').open('l3_stats');
      showHwSInfoOne(s, info);
      s.p.close();
    }
    s.p.close();
  },
};

const L3_STATS: Leaf = {
  sel: ['offload', 'l3_stats'],
  pack: (f) => {
    enableBit(f, IFLA_STATS_LINK_OFFLOAD_XSTATS, IFLA_OFFLOAD_XSTATS_L3_STATS);
    enableBit(f, IFLA_STATS_LINK_OFFLOAD_XSTATS, IFLA_OFFLOAD_XSTATS_HW_S_INFO);
  },
  show: (s) => {
    const info = subAttr(s.tb, IFLA_STATS_LINK_OFFLOAD_XSTATS, IFLA_OFFLOAD_XSTATS_HW_S_INFO);
    if (!info) return;
    const stats = subAttr(s.tb, IFLA_STATS_LINK_OFFLOAD_XSTATS, IFLA_OFFLOAD_XSTATS_L3_STATS);
    const one = dissectHwSInfo(s, info);
    s.p.open('info');
    showHwSInfoOne(s, one);
    s.p.close();
    if (stats) {
      s.p.fp(s.nl).open('stats64');
      printHwStats64(s, stats);
      s.p.close();
    }
  },
};

const LINK: Leaf = {
  sel: ['link'],
  pack: (f) => enableBit(f, IFLA_STATS_LINK_64),
  show: (s) => {
    s.p.fp(s.nl);
    show64(s, s.tb.get(IFLA_STATS_LINK_64));
  },
};

const AFSTATS_MPLS: Leaf = {
  sel: ['afstats', 'mpls'],
  pack: (f) => enableBit(f, IFLA_STATS_AF_SPEC),
  show: (s) => {
    if (subAttr(s.tb, IFLA_STATS_AF_SPEC, AF_MPLS)) throw new CommandError('Error: nlkit does not print MPLS statistics.', 1);
  },
};

/** bridge_print_stats_mcast(): struct br_mcast_stats. */
function showBridgeMcast(s: Show, a: Attr): void {
  const { p } = s;
  const v = (member: keyof typeof BR_MCAST_STATS_OFFSETS, dir = DIR_RX): bigint => a.u64At(BR_MCAST_STATS_OFFSETS[member] + dir);
  const pad = ' '.repeat(16);
  p.open('multicast');
  for (const [key, title, members] of [
    ['igmp_queries', 'IGMP queries', ['igmp_v1queries', 'igmp_v2queries', 'igmp_v3queries']],
    ['igmp_reports', 'IGMP reports', ['igmp_v1reports', 'igmp_v2reports', 'igmp_v3reports']],
    ['mld_queries', 'MLD queries', ['mld_v1queries', 'mld_v2queries']],
    ['mld_reports', 'MLD reports', ['mld_v1reports', 'mld_v2reports']],
  ] as const) {
    p.open(key).fp(`${pad}    ${title}:\n`);
    for (const [dir, d, name] of [
      [DIR_RX, 'rx', 'RX'],
      [DIR_TX, 'tx', 'TX'],
    ] as const) {
      p.fp(`${pad}      `);
      members.forEach((m, i) => {
        const last = i === members.length - 1;
        p.any(`${d}_v${i + 1}`, `${i === 0 ? `${name}: ` : ''}v${i + 1} %s${last ? '\n' : ' '}`, v(m, dir));
      });
    }
    p.close();
    if (key === 'igmp_reports' || key === 'mld_reports') {
      const proto = key === 'igmp_reports' ? 'igmp' : 'mld';
      const title = proto.toUpperCase();
      p.open(`${proto}_leaves`).fp(`${pad}    ${title} leaves: `);
      p.any('rx', 'RX: %s ', v(`${proto}_leaves`, DIR_RX)).any('tx', 'TX: %s\n', v(`${proto}_leaves`, DIR_TX));
      p.close();
      p.fp(`${pad}    ${title} parse errors: `).any(`${proto}_parse_errors`, '%s\n', v(`${proto}_parse_errors`));
    }
  }
  p.close();
}

/** bridge_print_stats_stp(): struct bridge_stp_xstats. */
function showBridgeStp(s: Show, a: Attr): void {
  const { p } = s;
  const v = (member: keyof typeof BRIDGE_STP_XSTATS_OFFSETS): bigint => a.u64At(BRIDGE_STP_XSTATS_OFFSETS[member]);
  const pad = ' '.repeat(16);
  p.open('stp');
  p.fp(`${pad}    STP BPDU:  `).any('rx_bpdu', 'RX: %s ', v('rx_bpdu')).any('tx_bpdu', 'TX: %s\n', v('tx_bpdu'));
  p.fp(`${pad}    STP TCN:   `).any('rx_tcn', 'RX: %s ', v('rx_tcn')).any('tx_tcn', 'TX: %s\n', v('tx_tcn'));
  p.fp(`${pad}    STP Transitions: `).any('transition_blk', 'Blocked: %s ', v('transition_blk')).any('transition_fwd', 'Forwarding: %s\n', v('transition_fwd'));
  p.close();
}

/** bond_print_3ad_stats(): the BOND_3AD_STAT_* counters the kernel sent, in ip's order. */
function showBond3ad(s: Show, a: Attr): void {
  const { p } = s;
  const tb = a.nest();
  p.open('802.3ad');
  for (const [attr, key, text] of [
    [BOND_3AD_STAT_LACPDU_RX, 'lacpdu_rx', 'LACPDU Rx'],
    [BOND_3AD_STAT_LACPDU_TX, 'lacpdu_tx', 'LACPDU Tx'],
    [BOND_3AD_STAT_LACPDU_UNKNOWN_RX, 'lacpdu_unknown_rx', 'LACPDU Unknown type Rx'],
    [BOND_3AD_STAT_LACPDU_ILLEGAL_RX, 'lacpdu_illegal_rx', 'LACPDU Illegal Rx'],
    [BOND_3AD_STAT_MARKER_RX, 'marker_rx', 'Marker Rx'],
    [BOND_3AD_STAT_MARKER_TX, 'marker_tx', 'Marker Tx'],
    [BOND_3AD_STAT_MARKER_RESP_RX, 'marker_response_rx', 'Marker response Rx'],
    [BOND_3AD_STAT_MARKER_RESP_TX, 'marker_response_tx', 'Marker response Tx'],
    [BOND_3AD_STAT_MARKER_UNKNOWN_RX, 'marker_unknown_rx', 'Marker unknown type Rx'],
  ] as const) {
    const x = tb.get(attr);
    if (x) p.fp(' '.repeat(20)).any(key, `${text} %s\n`, x.u64());
  }
  p.close();
}

/** An IPSTATS_STAT_DESC_XSTATS_LEAF: one attribute of a link kind's xstats (ipstats_stat_desc_show_xstats). */
function xstatsLeaf(group: 'xstats' | 'xstats_slave', kind: 'bridge' | 'bond', suite: string, inner: number, print: (s: Show, a: Attr) => void): Leaf {
  const at = group === 'xstats' ? IFLA_STATS_LINK_XSTATS : IFLA_STATS_LINK_XSTATS_SLAVE;
  const type = kind === 'bridge' ? LINK_XSTATS_TYPE_BRIDGE : LINK_XSTATS_TYPE_BOND;
  return {
    sel: [group, kind, suite],
    pack: (f) => enableBit(f, at),
    show: (s) => {
      const a = subAttr(s.tb, at, type)?.nest().get(inner);
      if (!a) return;
      s.p.fp(s.nl);
      print(s, a);
    },
  };
}

const XSTATS_BRIDGE_STP = xstatsLeaf('xstats', 'bridge', 'stp', BRIDGE_XSTATS_STP, showBridgeStp);
const XSTATS_BRIDGE_MCAST = xstatsLeaf('xstats', 'bridge', 'mcast', BRIDGE_XSTATS_MCAST, showBridgeMcast);
const XSTATS_BOND_3AD = xstatsLeaf('xstats', 'bond', '802.3ad', BOND_XSTATS_3AD, showBond3ad);
const SLAVE_BRIDGE_STP = xstatsLeaf('xstats_slave', 'bridge', 'stp', BRIDGE_XSTATS_STP, showBridgeStp);
const SLAVE_BRIDGE_MCAST = xstatsLeaf('xstats_slave', 'bridge', 'mcast', BRIDGE_XSTATS_MCAST, showBridgeMcast);
const SLAVE_BOND_3AD = xstatsLeaf('xstats_slave', 'bond', '802.3ad', BOND_XSTATS_3AD, showBond3ad);

/** A group of statistics (IPSTATS_STAT_DESC_KIND_GROUP) or a leaf, by name. */
interface Node {
  readonly name: string;
  readonly leaf?: Leaf;
  readonly subs?: readonly Node[];
}

const leafNode = (leaf: Leaf): Node => ({ name: leaf.sel[leaf.sel.length - 1]!, leaf });

/** ipstats_stat_desc_toplev_group: the tree `group`, `subgroup` and `suite` walk down. */
const TOP: Node = {
  name: 'top-level',
  subs: [
    leafNode(LINK),
    {
      name: 'xstats',
      subs: [
        { name: 'bridge', subs: [leafNode(XSTATS_BRIDGE_STP), leafNode(XSTATS_BRIDGE_MCAST)] },
        { name: 'bond', subs: [leafNode(XSTATS_BOND_3AD)] },
      ],
    },
    {
      name: 'xstats_slave',
      subs: [
        { name: 'bridge', subs: [leafNode(SLAVE_BRIDGE_STP), leafNode(SLAVE_BRIDGE_MCAST)] },
        { name: 'bond', subs: [leafNode(SLAVE_BOND_3AD)] },
      ],
    },
    { name: 'offload', subs: [leafNode(CPU_HIT), leafNode(HW_STATS_INFO), leafNode(L3_STATS)] },
    { name: 'afstats', subs: [leafNode(AFSTATS_MPLS)] },
  ],
};

/**
 * The order ip 6.1 prints selected statistics in: ipstats_enable() sorts
 * them by the address of their descriptor, so the order is the layout of
 * the ip binary, read from its output (`ip stats show dev DEV`).
 */
const PRINT_ORDER: readonly Leaf[] = [
  AFSTATS_MPLS,
  LINK,
  L3_STATS,
  HW_STATS_INFO,
  CPU_HIT,
  SLAVE_BOND_3AD,
  XSTATS_BOND_3AD,
  SLAVE_BRIDGE_MCAST,
  SLAVE_BRIDGE_STP,
  XSTATS_BRIDGE_MCAST,
  XSTATS_BRIDGE_STP,
];

/** ipstats_enable_find_stat_desc() and ipstats_enable_recursively(): the leaves a selection names. */
function selectLeaves(sel: readonly string[]): Leaf[] {
  let node = TOP;
  for (let i = 0; i < sel.length; i++) {
    if (node.leaf) throw new CommandError(`Error: ${LEVELS[i]!} ${sel[i]!} requested inside leaf ${LEVELS[i - 1]!} ${node.name}`, 22);
    const next = node.subs!.find((n) => n.name === sel[i]);
    if (!next) throw new CommandError(`Error: no ${LEVELS[i]!} named ${sel[i]!} found inside ${node.name}`, 22);
    node = next;
  }
  const out: Leaf[] = [];
  const walk = (n: Node): void => {
    if (n.leaf) out.push(n.leaf);
    else n.subs!.forEach(walk);
  };
  walk(node);
  return out;
}

/** ipstats_process_ifsm(): one object per selected statistic of a link. */
function printLink(ctx: IpContext, m: MessageView, enabled: readonly Leaf[], level: number, dump: boolean): void {
  const nl = ctx.options.oneline ? '\\' : '\n';
  const ifindex = new Header(m).s32(IFSM.ifindex);
  const tb = messageAttrs(m, IF_STATS_MSG_SIZE);
  const name = ctx.indexName(ifindex);
  for (const leaf of enabled) {
    const p = ctx.printer();
    p.any('ifindex', '%d:', ifindex).any('ifname', ' %s:', name);
    leaf.sel.forEach((n, i) => p.jsonOnly(LEVELS[i]!, n).fp(` ${LEVELS[i]!} ${n}`));
    try {
      leaf.show({ p, tb, level, nl, stderr: (t) => ctx.io.stderr(t), units: { human: ctx.options.human, iec: ctx.options.iec } });
    } catch (err) {
      // What ip printed of this object before it gave up is in its stdout buffer.
      if (err instanceof PartialError && !ctx.options.json) ctx.print(p.output);
      throw err;
    }
    if (ctx.options.json) ctx.listItem(p);
    else ctx.print(p.output + nl);
  }
  // ipstats_dump_one(): print_nl() after each link of a dump.
  if (dump && !ctx.options.json) ctx.print(nl);
}

/**
 * Prints one RTM_NEWSTATS message as `ip stats show [group G [subgroup S
 * [suite X]]]` prints it (`selection` empty: every statistic), at stats
 * level `level` (1 for `show`).
 */
export function printIfStats(ctx: IpContext, m: MessageView, selection: readonly string[] = [], level = 1): void {
  const leaves = new Set(selectLeaves(selection));
  printLink(
    ctx,
    m,
    PRINT_ORDER.filter((l) => leaves.has(l)),
    level,
    false,
  );
}

/** ipstats_req_add_filters(): filter_mask, and IFLA_STATS_GET_FILTERS for nests asked for in part. */
function statsRequest(ctx: IpContext, enabled: readonly Leaf[], ifindex: number): Uint8Array {
  const f: Filters = [];
  for (const leaf of enabled) leaf.pack(f);
  // ipstats_stat_ifla_max[]: only the offload nest has sub-filters.
  const maxOf = (at: number): number => (at === IFLA_STATS_LINK_OFFLOAD_XSTATS ? IFLA_OFFLOAD_XSTATS_L3_STATS : 0);
  const partial = f.flatMap((mask, at) => (at > 0 && mask && mask !== (1 << maxOf(at)) - 1 ? [at] : []));
  const flags = ifindex ? NLM_F_REQUEST | NLM_F_ACK : NLM_F_REQUEST | NLM_F_DUMP;
  return ctx.build(RTM_GETSTATS, flags, IF_STATS_MSG_SIZE, (w, h) => {
    w.view.setInt32(h + IFSM.ifindex, ifindex, true);
    w.view.setUint32(h + IFSM.filter_mask, f[0] ?? 0, true);
    if (partial.length) {
      const nest = w.nestStart(IFLA_STATS_GET_FILTERS);
      for (const at of partial) w.putU32(at, f[at]!);
      w.nestEnd(nest);
    }
  });
}

/** Prints the usage and fails as ip does on a word it does not know (-EINVAL: exit status 22). */
function whatIs(ctx: IpContext, w: string): number {
  ctx.io.stderr(`What is "${w}"?\n`);
  ctx.io.stderr(STATS_USAGE);
  return 22;
}

/** ipstats_show(). */
async function show(ctx: IpContext, argv: string[], level: number): Promise<number> {
  let dev: string | undefined;
  const enabled = new Set<Leaf>();
  const sel: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    if (w === 'dev') {
      const v = next();
      if (dev !== undefined) duparg2('dev', v);
      if (!validIfname(v)) invarg('"dev" not a valid ifname', v);
      dev = v;
    } else if (w === 'help') {
      ctx.io.stderr(STATS_USAGE);
      return 0;
    } else {
      const at = (LEVELS as readonly string[]).indexOf(w);
      if (at < 0) return whatIs(ctx, w);
      const v = next();
      // ipstats_select(): a level needs the ones above it; naming a level again pushes what was selected.
      for (let l = 0; l < at; l++) if (sel[l] === undefined) throw new CommandError(`Error: ${LEVELS[at]!} ${v} requested without selecting a ${LEVELS[l]!} first`, 22);
      if (sel.length > at) for (const leaf of selectLeaves(sel)) enabled.add(leaf);
      sel.length = at;
      sel.push(v);
    }
  }
  // Push whatever was given (nothing: every statistic).
  for (const leaf of selectLeaves(sel)) enabled.add(leaf);
  const ordered = PRINT_ORDER.filter((l) => enabled.has(l));
  await ctx.loadLinks();
  if (dev !== undefined) {
    const index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
    for (const m of await ctx.request(statsRequest(ctx, ordered, index))) printLink(ctx, m, ordered, level, false);
  } else {
    await ctx.dump(statsRequest(ctx, ordered, 0), (m) => printLink(ctx, m, ordered, level, true));
  }
  ctx.listEnd();
  return 0;
}

/** ipstats_set(): `stats set dev DEV l3_stats on|off`, one RTM_SETSTATS. */
async function set(ctx: IpContext, argv: string[]): Promise<number> {
  let dev: string | undefined;
  let at = 0;
  let enable = false;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    if (w === 'dev') {
      const v = next();
      if (dev !== undefined) duparg2('dev', v);
      if (!validIfname(v)) invarg('"dev" not a valid ifname', v);
      dev = v;
    } else if (w === 'l3_stats') {
      const v = next();
      if (at) throw new CommandError('A statistics suite to toggle was already given.', 22);
      at = IFLA_STATS_SET_OFFLOAD_XSTATS_L3_STATS;
      // parse_on_off() of ip 6.1.
      if (v !== 'on' && v !== 'off') throw new CommandError(`Error: argument of "l3_stats" must be one of "off", "on", not "${v}"`, 22);
      enable = v === 'on';
    } else if (w === 'help') {
      ctx.io.stderr(STATS_USAGE);
      return 0;
    } else return whatIs(ctx, w);
  }
  if (dev === undefined) throw usage('Not enough information: "dev" argument is required.');
  if (!at) throw usage('Not enough information: stat type to toggle is required.');
  await ctx.loadLinks();
  const index = await ctx.nameIndex(dev);
  if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
  const req = ctx.build(RTM_SETSTATS, NLM_F_REQUEST | NLM_F_ACK, IF_STATS_MSG_SIZE, (w, h) => {
    w.view.setInt32(h + IFSM.ifindex, index, true);
    w.putU8(at, enable ? 1 : 0);
  });
  await ctx.request(req);
  return 0;
}

/** Runs `nlkit stats ...` (do_ipstats). */
export async function runStats(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, [], ctx.options.stats);
  if (cmd === 'help') {
    ctx.io.stderr(STATS_USAGE);
    return 0;
  }
  // "stats show" implies one -s, and -d one more.
  if (cmd === 'show') return show(ctx, rest, ctx.options.stats + ctx.options.details + 1);
  if (cmd === 'set') return set(ctx, rest);
  throw new CommandError(`Command "${cmd}" is unknown, try "ip stats help".`, 1);
}
