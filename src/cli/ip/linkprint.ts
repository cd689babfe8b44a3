// A link as iproute2 6.1 prints it (ip/ipaddress.c print_linkinfo and the
// print_opt of the link kinds in ip/iplink_*.c), for `link show`,
// `address show` and `monitor`.
import type { MessageView } from '../../core/message.js';
import { formatIPv4, formatIPv6, formatMac } from '../../core/address.js';
import { AF_INET6, AF_PACKET } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import { Attr, Header, llAddrText, messageAttrs, type AttrTable } from './attrs.js';
import type { IpContext } from './context.js';
import { JsonNumberText } from './json.js';
import { LINKMODE_NAMES, LINK_FLAG_NAMES, OPERSTATE_NAMES } from '../../families/route/names.js';
import { groupName, linkTypeName } from './names.js';
import type { Printer } from './printer.js';

// ip names only the first two link modes (link_modes in ip/ipaddress.c).
const LINK_MODES = LINKMODE_NAMES.slice(0, 2);

/** The flag names of an interface, as print_link_flags lists them. */
export function linkFlagNames(flags: number, mdown: boolean): string[] {
  const out: string[] = [];
  if (flags & C.IFF_UP && !(flags & C.IFF_RUNNING)) out.push('NO-CARRIER');
  flags &= ~C.IFF_RUNNING;
  for (const [bit, name] of LINK_FLAG_NAMES) {
    if (flags & bit) {
      flags &= ~bit;
      out.push(name);
    }
  }
  if (flags) out.push((flags >>> 0).toString(16));
  if (mdown) out.push('M-DOWN');
  return out;
}

function printFlags(p: Printer, flags: number, mdown: boolean): void {
  const names = linkFlagNames(flags, mdown);
  if (p.json) {
    p.openArray('flags');
    for (const n of names) p.jsonOnly(null, n);
    p.close();
  } else p.fp(`<${names.join(',')}> `);
}

/** Options of {@link printLink}. */
export interface LinkPrintOptions {
  /** `ip link` (true) or `ip address` (false): linkmode, af_spec and stats belong to the former. */
  doLink: boolean;
  /** Print txqlen (ip's filter.showqueue: set for show, not for monitor). Default true. */
  showQueue?: boolean;
  /** The listing's address family (`ip link` always lists as AF_PACKET); default: the -4/-6 option. */
  family?: number;
  /**
   * The same link's AF_UNSPEC attributes, for a listing of another family's
   * view (AF_INET6 link messages have no txqlen or counters; ip reads the
   * queue length with SIOCGIFTXQLEN instead).
   */
  fallback?: AttrTable;
  /**
   * Names of the namespaces under /run/netns by their nsid in the listing's
   * namespace (ip's get_name_from_nsid): text prints `link-netns NAME` for
   * those, `link-netnsid ID` for others.
   */
  netnsNames?: ReadonlyMap<number, string>;
}

/**
 * Timers of the bridge: clock_t hundredths as seconds with two decimals
 * (_print_timer: "%i.%.2i" in JSON, "%4i.%.2i" in text, hence the formats' %7s).
 */
function timer(a: Attr): JsonNumberText {
  const v = Number(a.u64());
  const secs = Math.floor(v / 100);
  const hundredths = v % 100;
  return new JsonNumberText(`${secs}.${String(hundredths).padStart(2, '0')}`);
}

function bridgeId(a: Attr): string {
  // struct ifla_bridge_id { __u8 prio[2]; __u8 addr[6]; } as br_dump_bridge_id prints it.
  const b = a.bytes;
  const hex = (x: number | undefined): string => (x ?? 0).toString(16).padStart(2, '0');
  // The address part is ether_ntoa()'s: bytes in hex without leading zeros.
  return `${hex(b[0])}${hex(b[1])}.${[...b.subarray(2, 8)].map((x) => x.toString(16)).join(':')}`;
}

function hex0x(v: number): string {
  return v ? '0x' + v.toString(16) : '0';
}

function printBridge(p: Printer, tb: AttrTable): void {
  const u = (t: number): Attr | undefined => tb.get(t);
  let a: Attr | undefined;
  if ((a = u(1))) p.any('forward_delay', 'forward_delay %u ', a.u32());
  if ((a = u(2))) p.any('hello_time', 'hello_time %u ', a.u32());
  if ((a = u(3))) p.any('max_age', 'max_age %u ', a.u32());
  if ((a = u(4))) p.any('ageing_time', 'ageing_time %u ', a.u32());
  if ((a = u(5))) p.any('stp_state', 'stp_state %u ', a.u32());
  if ((a = u(6))) p.any('priority', 'priority %u ', a.u16());
  if ((a = u(7))) p.any('vlan_filtering', 'vlan_filtering %u ', a.u8());
  if ((a = u(8))) {
    const proto = a.be16();
    p.any('vlan_protocol', 'vlan_protocol %s ', proto === 0x8100 ? '802.1Q' : proto === 0x88a8 ? '802.1ad' : hex0x(proto));
  }
  if ((a = u(11))) p.any('bridge_id', 'bridge_id %s ', bridgeId(a));
  if ((a = u(10))) p.any('root_id', 'designated_root %s ', bridgeId(a));
  if ((a = u(12))) p.any('root_port', 'root_port %u ', a.u16());
  if ((a = u(13))) p.any('root_path_cost', 'root_path_cost %u ', a.u32());
  if ((a = u(14))) p.any('topology_change', 'topology_change %u ', a.u8());
  if ((a = u(15))) p.any('topology_change_detected', 'topology_change_detected %u ', a.u8());
  if ((a = u(16))) p.any('hello_timer', 'hello_timer %7s ', timer(a));
  if ((a = u(17))) p.any('tcn_timer', 'tcn_timer %7s ', timer(a));
  if ((a = u(18))) p.any('topology_change_timer', 'topology_change_timer %7s ', timer(a));
  if ((a = u(19))) p.any('gc_timer', 'gc_timer %7s ', timer(a));
  if ((a = u(39))) p.any('vlan_default_pvid', 'vlan_default_pvid %u ', a.u16());
  if ((a = u(41))) p.any('vlan_stats_enabled', 'vlan_stats_enabled %u ', a.u8());
  if ((a = u(45))) p.any('vlan_stats_per_port', 'vlan_stats_per_port %u ', a.u8());
  if ((a = u(9))) p.any('group_fwd_mask', 'group_fwd_mask %s ', hex0x(a.u16()));
  if ((a = u(20))) p.any('group_addr', 'group_address %s ', formatMac(a.bytes));
  if ((a = u(23))) p.any('mcast_snooping', 'mcast_snooping %u ', a.u8());
  if ((a = u(46))) {
    // struct br_boolopt_multi { __u32 optval; __u32 optmask; }: ip 6.1 knows
    // BR_BOOLOPT_NO_LL_LEARN (0) and BR_BOOLOPT_MCAST_VLAN_SNOOPING (1).
    const val = a.u32At(0);
    const mask = a.u32At(4);
    if (mask & 1) p.any('no_linklocal_learn', 'no_linklocal_learn %u ', val & 1 ? 1 : 0);
    if (mask & 2) p.any('mcast_vlan_snooping', 'mcast_vlan_snooping %u ', val & 2 ? 1 : 0);
  }
  if ((a = u(22))) p.any('mcast_router', 'mcast_router %u ', a.u8());
  if ((a = u(24))) p.any('mcast_query_use_ifaddr', 'mcast_query_use_ifaddr %u ', a.u8());
  if ((a = u(25))) p.any('mcast_querier', 'mcast_querier %u ', a.u8());
  if ((a = u(26))) p.any('mcast_hash_elasticity', 'mcast_hash_elasticity %u ', a.u32());
  if ((a = u(27))) p.any('mcast_hash_max', 'mcast_hash_max %u ', a.u32());
  if ((a = u(28))) p.any('mcast_last_member_cnt', 'mcast_last_member_count %u ', a.u32());
  if ((a = u(29))) p.any('mcast_startup_query_cnt', 'mcast_startup_query_count %u ', a.u32());
  if ((a = u(30))) p.any('mcast_last_member_intvl', 'mcast_last_member_interval %u ', a.u64());
  if ((a = u(31))) p.any('mcast_membership_intvl', 'mcast_membership_interval %u ', a.u64());
  if ((a = u(32))) p.any('mcast_querier_intvl', 'mcast_querier_interval %u ', a.u64());
  if ((a = u(33))) p.any('mcast_query_intvl', 'mcast_query_interval %u ', a.u64());
  if ((a = u(34))) p.any('mcast_query_response_intvl', 'mcast_query_response_interval %u ', a.u64());
  if ((a = u(35))) p.any('mcast_startup_query_intvl', 'mcast_startup_query_interval %u ', a.u64());
  if ((a = u(42))) p.any('mcast_stats_enabled', 'mcast_stats_enabled %u ', a.u8());
  if ((a = u(43))) p.any('mcast_igmp_version', 'mcast_igmp_version %u ', a.u8());
  if ((a = u(44))) p.any('mcast_mld_version', 'mcast_mld_version %u ', a.u8());
  if ((a = u(36))) p.any('nf_call_iptables', 'nf_call_iptables %u ', a.u8());
  if ((a = u(37))) p.any('nf_call_ip6tables', 'nf_call_ip6tables %u ', a.u8());
  if ((a = u(38))) p.any('nf_call_arptables', 'nf_call_arptables %u ', a.u8());
}

const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

function printBridgeSlave(ctx: IpContext, p: Printer, tb: AttrTable): void {
  const u = (t: number): Attr | undefined => tb.get(t);
  let a: Attr | undefined;
  const onoff = (key: string, text: string, t: number): void => {
    const x = u(t);
    if (x) p.onOff(key, `${text} %s `, x.u8() !== 0);
  };
  if ((a = u(1))) {
    const s = a.u8();
    p.any('state', 'state %s ', PORT_STATES[s] ?? String(s));
  }
  if ((a = u(2))) p.any('priority', 'priority %u ', a.u16());
  if ((a = u(3))) p.any('cost', 'cost %u ', a.u32());
  onoff('hairpin', 'hairpin', 4);
  onoff('guard', 'guard', 5);
  onoff('root_block', 'root_block', 6);
  onoff('fastleave', 'fastleave', 7);
  onoff('learning', 'learning', 8);
  onoff('flood', 'flood', 9);
  if ((a = u(17))) p.any('id', 'port_id %s ', hex0x(a.u16()));
  if ((a = u(18))) p.any('no', 'port_no %s ', hex0x(a.u16()));
  if ((a = u(15))) p.any('designated_port', 'designated_port %u ', a.u16());
  if ((a = u(16))) p.any('designated_cost', 'designated_cost %u ', a.u16());
  if ((a = u(14))) p.any('bridge_id', 'designated_bridge %s ', bridgeId(a));
  if ((a = u(13))) p.any('root_id', 'designated_root %s ', bridgeId(a));
  if ((a = u(23))) p.any('hold_timer', 'hold_timer %7s ', timer(a));
  if ((a = u(21))) p.any('message_age_timer', 'message_age_timer %7s ', timer(a));
  if ((a = u(22))) p.any('forward_delay_timer', 'forward_delay_timer %7s ', timer(a));
  if ((a = u(19))) p.any('topology_change_ack', 'topology_change_ack %u ', a.u8());
  if ((a = u(20))) p.any('config_pending', 'config_pending %u ', a.u8());
  onoff('proxy_arp', 'proxy_arp', 10);
  onoff('proxy_arp_wifi', 'proxy_arp_wifi', 12);
  if ((a = u(25))) p.any('multicast_router', 'mcast_router %u ', a.u8());
  // ip 6.1 repeats IFLA_BRPORT_FAST_LEAVE here, in text only.
  if ((a = u(7))) p.fp(`mcast_fast_leave ${a.u8() ? 'on' : 'off'} `);
  onoff('mcast_flood', 'mcast_flood', 27);
  onoff('bcast_flood', 'bcast_flood', 30);
  onoff('mcast_to_unicast', 'mcast_to_unicast', 28);
  onoff('neigh_suppress', 'neigh_suppress', 32);
  if ((a = u(31))) {
    const mask = a.u16();
    p.any('group_fwd_mask', 'group_fwd_mask %s ', hex0x(mask));
    p.any('group_fwd_mask_str', 'group_fwd_mask_str %s ', '0x' + mask.toString(16));
  }
  onoff('vlan_tunnel', 'vlan_tunnel', 29);
  onoff('isolated', 'isolated', 33);
  onoff('locked', 'locked', 39);
  if ((a = u(34))) p.any('backup_port', 'backup_port %s ', ctx.indexName(a.u32()));
}

function printVxlan(ctx: IpContext, p: Printer, tb: AttrTable): void {
  const u = (t: number): Attr | undefined => tb.get(t);
  let a: Attr | undefined;
  if ((a = u(25)) && a.u8()) p.bool('external', 'external ', true);
  if ((a = u(30)) && a.u8()) p.bool('vnifilter', 'vnifilter ', true);
  if ((a = u(1)) && a.length >= 4) p.any('id', 'id %u ', a.u32());
  if ((a = u(2))) {
    const addr = formatIPv4(a.bytes);
    if (a.u32() !== 0) {
      if ((a.bytes[0]! & 0xf0) === 0xe0) p.any('group', 'group %s ', addr);
      else p.any('remote', 'remote %s ', addr);
    }
  } else if ((a = u(16))) {
    const b = a.bytes;
    if (b.some((x) => x !== 0)) {
      if (b[0] === 0xff) p.any('group6', 'group %s ', formatIPv6(b));
      else p.any('remote6', 'remote %s ', formatIPv6(b));
    }
  }
  if ((a = u(4))) {
    if (a.u32() !== 0) p.any('local', 'local %s ', formatIPv4(a.bytes));
  } else if ((a = u(17))) {
    if (a.bytes.some((x) => x !== 0)) p.any('local6', 'local %s ', formatIPv6(a.bytes));
  }
  if ((a = u(3)) && a.u32()) p.any('link', 'dev %s ', ctx.indexName(a.u32()));
  if ((a = u(10))) {
    const low = a.dv.getUint16(a.offset, false);
    const high = a.dv.getUint16(a.offset + 2, false);
    if (p.json) {
      p.open('port_range').any('low', '', low).any('high', '', high).close();
    } else p.fp(`srcport ${low} ${high} `);
  }
  if ((a = u(15))) p.any('port', 'dstport %u ', a.be16());
  if ((a = u(7))) {
    const learning = a.u8() !== 0;
    p.jsonOnly('learning', learning);
    if (!learning) p.fp('nolearning ');
  }
  if ((a = u(11)) && a.u8()) p.bool('proxy', 'proxy ', true);
  if ((a = u(12)) && a.u8()) p.bool('rsc', 'rsc ', true);
  if ((a = u(13)) && a.u8()) p.bool('l2miss', 'l2miss ', true);
  if ((a = u(14)) && a.u8()) p.bool('l3miss', 'l3miss ', true);
  const tos = u(6)?.u8() ?? 0;
  if (tos) {
    if (p.json || tos !== 1) p.any('tos', 'tos %s ', '0x' + tos.toString(16));
    else p.fp('tos inherit ');
  }
  if ((a = u(28)) && a.u8()) p.any('ttl', 'ttl %s ', 'auto');
  else {
    const ttl = u(5)?.u8() ?? 0;
    if (p.json || ttl) p.any('ttl', 'ttl %u ', ttl);
    else p.fp('ttl auto ');
  }
  if ((a = u(29))) {
    const df = a.u8();
    if (df === 0) p.jsonOnly('df', 'unset');
    else if (df === 1) p.any('df', 'df %s ', 'set');
    else if (df === 2) p.any('df', 'df %s ', 'inherit');
  }
  if ((a = u(26))) {
    const label = a.be32();
    if (label) p.any('label', 'flowlabel %s ', '0x' + label.toString(16));
  }
  if ((a = u(8))) {
    const age = a.u32();
    if (age === 0) p.any('ageing', 'ageing none ', 0);
    else p.any('ageing', 'ageing %u ', age);
  }
  if ((a = u(9)) && a.u32()) p.any('limit', 'maxaddr %u ', a.u32());
  const csum = (key: string, text: string, t: number): void => {
    const x = u(t);
    if (!x) return;
    const on = x.u8() !== 0;
    if (p.json) p.bool(key, '', on);
    else p.fp(`${on ? '' : 'no'}${text} `);
  };
  csum('udp_csum', 'udpcsum', 18);
  csum('udp_zero_csum6_tx', 'udp6zerocsumtx', 19);
  csum('udp_zero_csum6_rx', 'udp6zerocsumrx', 20);
  if ((a = u(21)) && a.u8()) p.bool('remcsum_tx', 'remcsumtx ', true);
  if ((a = u(22)) && a.u8()) p.bool('remcsum_rx', 'remcsumrx ', true);
  if (u(23)) p.bool('gbp', 'gbp ', true);
  if (u(27)) p.bool('gpe', 'gpe ', true);
}

function printTun(p: Printer, tb: AttrTable): void {
  let a: Attr | undefined;
  if ((a = tb.get(3))) {
    const t = a.u8();
    p.any('type', 'type %s ', t === 1 ? 'tun' : t === 2 ? 'tap' : `UNKNOWN:${t}`);
  }
  const onoff = (key: string, t: number): void => {
    const x = tb.get(t);
    if (x) p.onOff(key, `${key} %s `, x.u8() !== 0);
  };
  onoff('pi', 4);
  onoff('vnet_hdr', 5);
  const mq = tb.get(7);
  if (mq) {
    // ip prints multi_queue in text only when it is on.
    p.jsonOnly('multi_queue', mq.u8() !== 0);
    if (mq.u8()) p.fp('multi_queue ');
  }
  onoff('persist', 6);
  if ((a = tb.get(1))) p.any('user', 'user %s ', String(a.u32()));
  if ((a = tb.get(2))) p.any('group', 'group %s ', String(a.u32()));
}

function printVlan(p: Printer, tb: AttrTable): void {
  let a: Attr | undefined;
  if ((a = tb.get(5))) {
    const proto = a.be16();
    p.any('protocol', 'protocol %s ', proto === 0x8100 ? '802.1Q' : proto === 0x88a8 ? '802.1ad' : hex0x(proto));
  }
  if ((a = tb.get(1))) p.any('id', 'id %u ', a.u16());
  if ((a = tb.get(2))) {
    // struct ifla_vlan_flags { __u32 flags; __u32 mask; }
    const flags = a.u32At(0);
    const names: [number, string][] = [
      [1, 'REORDER_HDR'],
      [2, 'GVRP'],
      [4, 'LOOSE_BINDING'],
      [8, 'MVRP'],
      [16, 'BRIDGE_BINDING'],
    ];
    if (p.json) {
      p.openArray('flags');
      for (const [bit, n] of names) if (flags & bit) p.jsonOnly(null, n);
      p.close();
    } else
      p.fp(
        `<${names
          .filter(([bit]) => flags & bit)
          .map(([, n]) => n)
          .join(',')}> `,
      );
  }
}

const MACVLAN_MODES: Record<number, string> = { 1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source' };

function printMacvlan(p: Printer, tb: AttrTable): void {
  const a = tb.get(1);
  if (a) {
    const m = a.u32();
    p.any('mode', 'mode %s ', MACVLAN_MODES[m] ?? 'unknown');
  }
}

type KindPrinter = (ctx: IpContext, p: Printer, tb: AttrTable) => void;

/** Link kinds ip 6.1 has a print_opt for, among those nlkit knows. Others print only info_kind. */
const KINDS: Record<string, KindPrinter> = {
  bridge: (_c, p, tb) => printBridge(p, tb),
  vxlan: printVxlan,
  tun: (_c, p, tb) => printTun(p, tb),
  vlan: (_c, p, tb) => printVlan(p, tb),
  macvlan: (_c, p, tb) => printMacvlan(p, tb),
  macvtap: (_c, p, tb) => printMacvlan(p, tb),
};
const SLAVE_KINDS: Record<string, KindPrinter> = {
  bridge: printBridgeSlave,
};

function printLinkinfo(ctx: IpContext, p: Printer, linkinfo: Attr, nl: string): void {
  const li = linkinfo.nest();
  p.open('linkinfo');
  const kind = li.get(C.IFLA_INFO_KIND);
  if (kind) {
    const k = kind.str();
    p.fp(nl);
    p.any('info_kind', `    %s `, k);
    const printer = KINDS[k];
    if (printer) {
      const data = li.get(C.IFLA_INFO_DATA);
      p.open('info_data');
      if (data) printer(ctx, p, data.nest());
      p.close();
    }
  }
  const slave = li.get(C.IFLA_INFO_SLAVE_KIND);
  if (slave) {
    const k = slave.str();
    p.fp(nl);
    p.any('info_slave_kind', `    %s_slave `, k);
    const printer = SLAVE_KINDS[k];
    if (printer) {
      const data = li.get(C.IFLA_INFO_SLAVE_DATA);
      p.open('info_slave_data');
      if (data) printer(ctx, p, data.nest());
      p.close();
    }
  }
  p.close();
}

function printAfSpec(p: Printer, af: Attr): void {
  const inet6 = af.nest().get(AF_INET6);
  if (!inet6) return;
  const mode = inet6.nest().get(8); // IFLA_INET6_ADDR_GEN_MODE
  if (!mode) return;
  const m = mode.u8();
  const name = ['eui64', 'none', 'stable_secret', 'random'][m] ?? '0x' + m.toString(16).padStart(2, '0');
  p.any('inet6_addr_gen_mode', 'addrgenmode %s ', name);
}

const STATS64_FIELDS = {
  rx_packets: 0,
  tx_packets: 1,
  rx_bytes: 2,
  tx_bytes: 3,
  rx_errors: 4,
  tx_errors: 5,
  rx_dropped: 6,
  tx_dropped: 7,
  multicast: 8,
  collisions: 9,
  rx_length_errors: 10,
  rx_over_errors: 11,
  rx_crc_errors: 12,
  rx_frame_errors: 13,
  rx_fifo_errors: 14,
  rx_missed_errors: 15,
  tx_aborted_errors: 16,
  tx_carrier_errors: 17,
  tx_fifo_errors: 18,
  tx_heartbeat_errors: 19,
  tx_window_errors: 20,
  rx_compressed: 21,
  tx_compressed: 22,
  rx_nohandler: 23,
  rx_otherhost_dropped: 24,
} as const;

/** A field of struct rtnl_link_stats64. */
export type StatName = keyof typeof STATS64_FIELDS;

function readStats(tb: AttrTable): LinkStat | undefined {
  const s64 = tb.get(C.IFLA_STATS64);
  if (s64) return (n) => s64.u64At(STATS64_FIELDS[n] * 8);
  const s32 = tb.get(C.IFLA_STATS);
  if (s32) return (n) => BigInt(s32.u32At(STATS64_FIELDS[n] * 4));
  return undefined;
}

/** -h[uman] and -iec (ip's human_readable, use_iec). */
export interface NumberUnits {
  human: number;
  iec: number;
}

/**
 * A counter as print_num() writes it: the number, or under -h a value of at
 * most three digits with k, M, G, T, P or E (powers of 1000, or of 1024 and an
 * "i" under -iec) once it reaches the base.
 */
export function formatCount(count: bigint, units: NumberUnits): string {
  const base = units.iec ? 1024n : 1000n;
  if (!units.human || count < base) return count.toString();
  const prefixes = 'kMGTPE';
  let at = 0;
  let powi = 1n;
  for (;;) {
    powi *= base;
    if (count / base < powi) break;
    if (at + 1 >= prefixes.length) break;
    at++;
  }
  let precision = 2;
  let powj = 1n;
  for (; precision > 0; precision--) {
    powj *= 10n;
    if (count / powi < powj) break;
  }
  return (Number(count) / Number(powi)).toFixed(precision) + prefixes[at]! + (units.iec ? 'i' : '');
}

/** A counter of rtnl_link_stats64 by its name. */
export type LinkStat = (name: StatName) => bigint;

/**
 * The text table of `ip -s` (print_stats64 in ip 6.1): columns as wide as
 * their heading or their widest number (size_columns), numbers right-aligned
 * and each followed by a space, lines separated by `nl`, none before or
 * after. `level` 2 (-s -s) adds the error rows; `carrierChanges` is
 * IFLA_CARRIER_CHANGES, printed as "transns" when the kernel sent it.
 */
export function linkStatsText(s: LinkStat, level: number, carrierChanges: bigint | undefined, nl: string, units: NumberUnits = { human: 0, iec: 0 }): string {
  const cols = ['*X errors:', 'packets', 'errors', 'dropped', 'heartbt', 'overrun', 'compressed', 'otherhost'].map((h) => h.length);
  const size = (...values: bigint[]): void => {
    // size_columns(): -h numbers do not widen a column.
    if (units.human) return;
    values.forEach((v, i) => {
      const len = v.toString().length;
      if (len > cols[i]!) cols[i] = len;
    });
  };
  const w = (i: number): number => cols[i]!;
  const num = (i: number, v: bigint): string => formatCount(v, units).padStart(w(i)) + ' ';
  const head = (i: number, h: string): string => ' ' + h.padStart(w(i));
  const rxCompressed = s('rx_compressed');
  const txCompressed = s('tx_compressed');
  const nohandler = s('rx_nohandler');
  const otherhost = s('rx_otherhost_dropped');
  size(s('rx_bytes'), s('rx_packets'), s('rx_errors'), s('rx_dropped'), s('rx_missed_errors'), s('multicast'), rxCompressed);
  if (level > 1) size(0n, s('rx_length_errors'), s('rx_crc_errors'), s('rx_frame_errors'), s('rx_fifo_errors'), s('rx_over_errors'), nohandler, otherhost);
  size(s('tx_bytes'), s('tx_packets'), s('tx_errors'), s('tx_dropped'), s('tx_carrier_errors'), s('collisions'), txCompressed);
  if (level > 1) size(0n, s('tx_aborted_errors'), s('tx_fifo_errors'), s('tx_window_errors'), s('tx_heartbeat_errors'), carrierChanges ?? 0n);
  let t =
    '    RX:' +
    ' bytes'.padStart(w(0) - 3) +
    head(1, 'packets') +
    head(2, 'errors') +
    head(3, 'dropped') +
    head(4, 'missed') +
    head(5, 'mcast') +
    head(6, rxCompressed ? 'compressed' : '') +
    nl;
  t += '    ' + num(0, s('rx_bytes')) + num(1, s('rx_packets')) + num(2, s('rx_errors')) + num(3, s('rx_dropped')) + num(4, s('rx_missed_errors')) + num(5, s('multicast'));
  if (rxCompressed) t += num(6, rxCompressed);
  if (level > 1) {
    t += nl + '    RX errors:' + ''.padStart(w(0) - 10) + head(1, 'length') + head(2, 'crc') + head(3, 'frame') + head(4, 'fifo') + head(5, 'overrun');
    if (nohandler) t += ' nohandler'.padStart(w(6) + 1);
    if (otherhost) t += ' otherhost'.padStart(w(7) + 1);
    t +=
      nl +
      ''.padStart(w(0) + 5) +
      num(1, s('rx_length_errors')) +
      num(2, s('rx_crc_errors')) +
      num(3, s('rx_frame_errors')) +
      num(4, s('rx_fifo_errors')) +
      num(5, s('rx_over_errors'));
    if (nohandler) t += num(6, nohandler);
    if (otherhost) t += num(7, otherhost);
  }
  t +=
    nl +
    '    TX:' +
    ' bytes'.padStart(w(0) - 3) +
    head(1, 'packets') +
    head(2, 'errors') +
    head(3, 'dropped') +
    head(4, 'carrier') +
    head(5, 'collsns') +
    head(6, txCompressed ? 'compressed' : '') +
    nl;
  t += '    ' + num(0, s('tx_bytes')) + num(1, s('tx_packets')) + num(2, s('tx_errors')) + num(3, s('tx_dropped')) + num(4, s('tx_carrier_errors')) + num(5, s('collisions'));
  if (txCompressed) t += num(6, txCompressed);
  if (level > 1) {
    t +=
      nl +
      '    TX errors:' +
      ''.padStart(w(0) - 10) +
      head(1, 'aborted') +
      head(2, 'fifo') +
      head(3, 'window') +
      head(4, 'heartbt') +
      head(5, carrierChanges !== undefined ? 'transns' : '') +
      nl;
    t += ''.padStart(w(0) + 5) + num(1, s('tx_aborted_errors')) + num(2, s('tx_fifo_errors')) + num(3, s('tx_window_errors')) + num(4, s('tx_heartbeat_errors'));
    if (carrierChanges !== undefined) t += num(5, carrierChanges);
  }
  return t;
}

/** __print_link_stats; text lines are separated by `nl` (ip's _SL_), without a separator before or after. */
function printStats(p: Printer, tb: AttrTable, level: number, nl: string, units?: NumberUnits): void {
  const s = readStats(tb);
  if (!s) return;
  const carrier = tb.get(C.IFLA_CARRIER_CHANGES);
  if (p.json) {
    p.open('stats64');
    p.open('rx');
    p.jsonOnly('bytes', s('rx_bytes'));
    p.jsonOnly('packets', s('rx_packets'));
    p.jsonOnly('errors', s('rx_errors'));
    p.jsonOnly('dropped', s('rx_dropped'));
    p.jsonOnly('over_errors', s('rx_over_errors'));
    p.jsonOnly('multicast', s('multicast'));
    if (s('rx_compressed')) p.jsonOnly('compressed', s('rx_compressed'));
    if (level > 1) {
      p.jsonOnly('length_errors', s('rx_length_errors'));
      p.jsonOnly('crc_errors', s('rx_crc_errors'));
      p.jsonOnly('frame_errors', s('rx_frame_errors'));
      p.jsonOnly('fifo_errors', s('rx_fifo_errors'));
      p.jsonOnly('missed_errors', s('rx_missed_errors'));
      if (s('rx_nohandler')) p.jsonOnly('nohandler', s('rx_nohandler'));
      if (s('rx_otherhost_dropped')) p.jsonOnly('otherhost_dropped', s('rx_otherhost_dropped'));
    }
    p.close();
    p.open('tx');
    p.jsonOnly('bytes', s('tx_bytes'));
    p.jsonOnly('packets', s('tx_packets'));
    p.jsonOnly('errors', s('tx_errors'));
    p.jsonOnly('dropped', s('tx_dropped'));
    p.jsonOnly('carrier_errors', s('tx_carrier_errors'));
    p.jsonOnly('collisions', s('collisions'));
    if (s('tx_compressed')) p.jsonOnly('compressed', s('tx_compressed'));
    if (level > 1) {
      p.jsonOnly('aborted_errors', s('tx_aborted_errors'));
      p.jsonOnly('fifo_errors', s('tx_fifo_errors'));
      p.jsonOnly('window_errors', s('tx_window_errors'));
      p.jsonOnly('heartbeat_errors', s('tx_heartbeat_errors'));
      if (carrier) p.jsonOnly('carrier_changes', BigInt(carrier.u32()));
    }
    p.close();
    p.close();
    return;
  }
  p.fp(linkStatsText(s, level, carrier ? BigInt(carrier.u32()) : undefined, nl, units));
}

/** The parts of a link message the address listing filters on. */
export interface LinkSummary {
  index: number;
  name: string;
  flags: number;
  tb: AttrTable;
}

/** Reads the header and attributes of an RTM_NEWLINK / RTM_DELLINK message. */
export function linkSummary(m: MessageView): LinkSummary | undefined {
  const h = new Header(m);
  const tb = messageAttrs(m, C.IFINFOMSG_SIZE);
  const name = tb.get(C.IFLA_IFNAME)?.str();
  if (name === undefined) return undefined;
  return { index: h.s32(4), name, flags: h.u32(8), tb };
}

/**
 * print_name_and_link: the name, with `@LINK` in text (`@if12` for a link in
 * another namespace, `@NONE` for index 0), or `link` / `link_index` members
 * in JSON; `fmt` formats the whole. Returns print_link_flags' M-DOWN: the
 * lower link of this namespace is down.
 */
function printNameAndLink(ctx: IpContext, p: Printer, fmt: string, index: number, tb: AttrTable): boolean {
  let name = tb.get(C.IFLA_IFNAME)?.str() ?? `if${index}`;
  let mdown = false;
  const a = tb.get(C.IFLA_LINK);
  if (a) {
    const iflink = a.u32();
    if (iflink) {
      if (tb.get(C.IFLA_LINK_NETNSID)) {
        if (p.json) p.jsonOnly('link_index', iflink);
        else name = `${name}@if${iflink}`;
      } else {
        const link = ctx.indexName(iflink);
        if (p.json) p.jsonOnly('link', link);
        else name = `${name}@${link}`;
        mdown = !(ctx.indexFlags(iflink) & C.IFF_UP);
      }
    } else if (p.json) p.null('link');
    else name = `${name}@NONE`;
  }
  p.any('ifname', fmt, name);
  return mdown;
}

/**
 * Prints one link as `ip -brief` does (print_linkinfo_brief): the name and
 * lower link padded to 16 columns, the operational state padded to 14, and
 * with `withLinkLayer` (the AF_PACKET listing, `ip -br link`) the link-layer
 * address and the flags. No final newline.
 */
export function printLinkBrief(ctx: IpContext, p: Printer, m: MessageView, withLinkLayer: boolean): void {
  const h = new Header(m);
  const linkType = h.u16(2);
  const flags = h.u32(8);
  const tb = messageAttrs(m, C.IFINFOMSG_SIZE);
  if (m.type === C.RTM_DELLINK) p.bool('deleted', 'Deleted ', true);
  const mdown = printNameAndLink(ctx, p, '%-16s ', h.s32(4), tb);
  const state = tb.get(C.IFLA_OPERSTATE);
  if (state) {
    const st = state.u8();
    if (st >= OPERSTATE_NAMES.length) {
      if (p.json) p.jsonOnly('operstate_index', st);
      else p.fp(`state 0x${st.toString(16)} `);
    } else p.any('operstate', '%-14s ', OPERSTATE_NAMES[st]!);
  }
  if (!withLinkLayer) return;
  const addr = tb.get(C.IFLA_ADDRESS);
  if (addr) p.any('address', '%s ', llAddrText(addr.bytes, linkType));
  printFlags(p, flags, mdown);
}

/**
 * Prints one link (print_linkinfo): into `p`'s current object in JSON mode,
 * or as ip's text lines (without the final newline) in text mode; with
 * `-oneline` the lines are joined by a backslash, as ip's _SL_ joins them.
 */
export function printLink(ctx: IpContext, p: Printer, m: MessageView, opts: LinkPrintOptions): void {
  const h = new Header(m);
  const linkType = h.u16(2);
  const index = h.s32(4);
  const flags = h.u32(8);
  const tb = messageAttrs(m, C.IFINFOMSG_SIZE);
  const o = ctx.options;
  const nl = o.oneline ? '\\' : '\n';
  let a: Attr | undefined;
  if (m.type === C.RTM_DELLINK) p.bool('deleted', 'Deleted ', true);
  p.any('ifindex', '%d: ', index);
  const mdown = printNameAndLink(ctx, p, '%s: ', index, tb);
  printFlags(p, flags, mdown);
  if ((a = tb.get(C.IFLA_MTU))) p.any('mtu', 'mtu %u ', a.u32());
  if ((a = tb.get(C.IFLA_QDISC))) p.any('qdisc', 'qdisc %s ', a.str());
  if ((a = tb.get(C.IFLA_MASTER))) p.any('master', 'master %s ', ctx.indexName(a.u32()));
  if ((a = tb.get(C.IFLA_OPERSTATE))) {
    const st = a.u8();
    if (st >= OPERSTATE_NAMES.length) {
      if (p.json) p.jsonOnly('operstate_index', st);
      else p.fp(`state 0x${st.toString(16)} `);
    } else if (p.json) p.jsonOnly('operstate', OPERSTATE_NAMES[st]!);
    else p.fp(`state ${OPERSTATE_NAMES[st]!} `);
  }
  if (opts.doLink && (a = tb.get(C.IFLA_LINKMODE))) {
    const mode = a.u8();
    if (mode >= LINK_MODES.length) p.any('linkmode_index', 'mode %d ', mode);
    else p.any('linkmode', 'mode %s ', LINK_MODES[mode]!);
  }
  if ((a = tb.get(C.IFLA_GROUP))) p.any('group', 'group %s ', groupName(a.u32()));
  // ip prints the queue length as an int: `qlen -1` after `ip link set DEV qlen -1`.
  const qlen = (tb.get(C.IFLA_TXQLEN) ?? opts.fallback?.get(C.IFLA_TXQLEN))?.s32() ?? 0;
  if (qlen && opts.showQueue !== false) p.any('txqlen', 'qlen %d', qlen);
  const family = opts.family ?? o.family;
  if (!family || family === AF_PACKET || o.details) {
    p.fp(nl);
    p.any('link_type', '    link/%s ', linkTypeName(linkType));
    const addr = tb.get(C.IFLA_ADDRESS);
    if (addr) p.any('address', '%s', llAddrText(addr.bytes, linkType));
    const brd = tb.get(C.IFLA_BROADCAST);
    if (brd) {
      if (flags & C.IFF_POINTOPOINT) {
        p.fp(' peer ');
        p.jsonOnly('link_pointtopoint', true);
      } else p.fp(' brd ');
      p.any('broadcast', '%s', llAddrText(brd.bytes, linkType));
    }
    const perm = tb.get(C.IFLA_PERM_ADDRESS);
    if (perm) {
      const pb = perm.bytes;
      const ab = addr?.bytes;
      if (!ab || ab.length !== pb.length || ab.some((x, i) => x !== pb[i])) p.any('permaddr', ' permaddr %s', llAddrText(pb, linkType));
    }
  }
  if ((a = tb.get(C.IFLA_LINK_NETNSID))) {
    const id = a.s32();
    const ns = id >= 0 ? opts.netnsNames?.get(id) : undefined;
    if (p.json) p.jsonOnly('link_netnsid', id);
    else if (ns !== undefined) p.fp(` link-netns ${ns}`);
    else if (id >= 0) p.fp(` link-netnsid ${id}`);
    else p.fp(' link-netnsid unknown');
  }
  if ((a = tb.get(C.IFLA_PROTO_DOWN)) && a.u8()) p.bool('proto_down', ' protodown on ', true);
  if (o.details) {
    if ((a = tb.get(C.IFLA_PROMISCUITY))) p.any('promiscuity', ' promiscuity %u ', a.u32());
    if ((a = tb.get(C.IFLA_ALLMULTI))) p.any('allmulti', ' allmulti %u ', a.u32());
    if ((a = tb.get(C.IFLA_MIN_MTU))) p.any('min_mtu', 'minmtu %u ', a.u32());
    if ((a = tb.get(C.IFLA_MAX_MTU))) p.any('max_mtu', 'maxmtu %u ', a.u32());
    if ((a = tb.get(C.IFLA_LINKINFO))) printLinkinfo(ctx, p, a, nl);
    if (opts.doLink && (a = tb.get(C.IFLA_AF_SPEC))) printAfSpec(p, a);
    if ((a = tb.get(C.IFLA_NUM_TX_QUEUES))) p.any('num_tx_queues', 'numtxqueues %u ', a.u32());
    if ((a = tb.get(C.IFLA_NUM_RX_QUEUES))) p.any('num_rx_queues', 'numrxqueues %u ', a.u32());
    if ((a = tb.get(C.IFLA_GSO_MAX_SIZE))) p.any('gso_max_size', 'gso_max_size %u ', a.u32());
    if ((a = tb.get(C.IFLA_GSO_MAX_SEGS))) p.any('gso_max_segs', 'gso_max_segs %u ', a.u32());
    if ((a = tb.get(C.IFLA_TSO_MAX_SIZE))) p.any('tso_max_size', 'tso_max_size %u ', a.u32());
    if ((a = tb.get(C.IFLA_TSO_MAX_SEGS))) p.any('tso_max_segs', 'tso_max_segs %u ', a.u32());
    if ((a = tb.get(C.IFLA_GRO_MAX_SIZE))) p.any('gro_max_size', 'gro_max_size %u ', a.u32());
    if ((a = tb.get(C.IFLA_PHYS_PORT_NAME))) p.any('phys_port_name', 'portname %s ', a.str());
    if ((a = tb.get(C.IFLA_PHYS_PORT_ID))) p.any('phys_port_id', 'portid %s ', [...a.bytes].map((x) => x.toString(16).padStart(2, '0')).join(''));
    if ((a = tb.get(C.IFLA_PHYS_SWITCH_ID))) p.any('phys_switch_id', 'switchid %s ', [...a.bytes].map((x) => x.toString(16).padStart(2, '0')).join(''));
    if ((a = tb.get(C.IFLA_PARENT_DEV_BUS_NAME))) p.any('parentbus', 'parentbus %s ', a.str());
    if ((a = tb.get(C.IFLA_PARENT_DEV_NAME))) p.any('parentdev', 'parentdev %s ', a.str());
  }
  if ((opts.doLink || o.details) && (a = tb.get(C.IFLA_IFALIAS))) {
    p.fp(nl);
    p.any('ifalias', '    alias %s', a.str());
  }
  if (opts.doLink && o.stats) {
    p.fp(nl);
    printStats(p, tb, o.stats, nl, o);
  }
  if ((a = tb.get(C.IFLA_PROP_LIST))) {
    const names = a.list().filter((x) => x.type === C.IFLA_ALT_IFNAME);
    if (names.length) {
      p.fp(nl);
      p.openArray('altnames');
      for (const n of names) p.any(null, '    altname %s', n.str());
      p.close();
    }
  }
}

/** Prints a link's statistics (ip -s address puts them after the addresses); no newline before or after. */
export function printLinkStats(p: Printer, m: MessageView, level: number, fallback?: AttrTable, units?: NumberUnits): void {
  const tb = messageAttrs(m, C.IFINFOMSG_SIZE);
  printStats(p, tb.has(C.IFLA_STATS64) || tb.has(C.IFLA_STATS) || !fallback ? tb : fallback, level, '\n', units);
}
