// A link as iproute2 6.1 prints it (ip/ipaddress.c print_linkinfo and the
// print_opt of the link kinds in ip/iplink_*.c), for `link show`,
// `address show` and `monitor`.
import type { MessageView } from '../../core/message.js';
import { formatIPv4, formatIPv6, formatMac } from '../../core/address.js';
import { AF_INET6, AF_PACKET } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import * as L from '../../families/generated/rt-link.constants.js';
import { Attr, Header, llAddrText, messageAttrs, type AttrTable } from './attrs.js';
import type { IpContext } from './context.js';
import { JsonNumberText } from './json.js';
import { LINKMODE_NAMES, LINK_FLAG_NAMES, OPERSTATE_NAMES } from '../../families/route/names.js';
import { groupName, linkTypeName } from './names.js';
import type { Printer } from './printer.js';
import { hex0x } from './numbers.js';

/** Byte offsets in struct ifinfomsg. */
const IFI = L.IFINFOMSG_OFFSETS;

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

/** IPv6 address generation modes (IN6_ADDR_GEN_MODE_*), index = value, as ip prints and reads them: stable_secret is STABLE_PRIVACY. */
export const ADDR_GEN_MODE_NAMES: readonly string[] = L.IN6_ADDR_GEN_MODE_NAMES.map((n) => (n === 'stable-privacy' ? 'stable_secret' : n));

/** An 802.1Q / 802.1ad protocol number as ip prints it. */
function vlanProtocol(proto: number): string {
  return proto === L.ETH_P_8021Q ? '802.1Q' : proto === L.ETH_P_8021AD ? '802.1ad' : hex0x(proto);
}

/** VLAN flags (VLAN_FLAG_*) as ip prints them: the kernel names without the prefix. */
const VLAN_FLAG_NAMES = Object.entries(L.VLAN_FLAGS_NAMES).map(([bit, n]) => [Number(bit), n!.toUpperCase().replace(/-/g, '_')] as const);

function printBridge(p: Printer, tb: AttrTable): void {
  const u = (t: number): Attr | undefined => tb.get(t);
  let a: Attr | undefined;
  if ((a = u(L.IFLA_BR_FORWARD_DELAY))) p.any('forward_delay', 'forward_delay %u ', a.u32());
  if ((a = u(L.IFLA_BR_HELLO_TIME))) p.any('hello_time', 'hello_time %u ', a.u32());
  if ((a = u(L.IFLA_BR_MAX_AGE))) p.any('max_age', 'max_age %u ', a.u32());
  if ((a = u(L.IFLA_BR_AGEING_TIME))) p.any('ageing_time', 'ageing_time %u ', a.u32());
  if ((a = u(L.IFLA_BR_STP_STATE))) p.any('stp_state', 'stp_state %u ', a.u32());
  if ((a = u(L.IFLA_BR_PRIORITY))) p.any('priority', 'priority %u ', a.u16());
  if ((a = u(L.IFLA_BR_VLAN_FILTERING))) p.any('vlan_filtering', 'vlan_filtering %u ', a.u8());
  if ((a = u(L.IFLA_BR_VLAN_PROTOCOL))) {
    const proto = a.be16();
    p.any('vlan_protocol', 'vlan_protocol %s ', vlanProtocol(proto));
  }
  if ((a = u(L.IFLA_BR_BRIDGE_ID))) p.any('bridge_id', 'bridge_id %s ', bridgeId(a));
  if ((a = u(L.IFLA_BR_ROOT_ID))) p.any('root_id', 'designated_root %s ', bridgeId(a));
  if ((a = u(L.IFLA_BR_ROOT_PORT))) p.any('root_port', 'root_port %u ', a.u16());
  if ((a = u(L.IFLA_BR_ROOT_PATH_COST))) p.any('root_path_cost', 'root_path_cost %u ', a.u32());
  if ((a = u(L.IFLA_BR_TOPOLOGY_CHANGE))) p.any('topology_change', 'topology_change %u ', a.u8());
  if ((a = u(L.IFLA_BR_TOPOLOGY_CHANGE_DETECTED))) p.any('topology_change_detected', 'topology_change_detected %u ', a.u8());
  if ((a = u(L.IFLA_BR_HELLO_TIMER))) p.any('hello_timer', 'hello_timer %7s ', timer(a));
  if ((a = u(L.IFLA_BR_TCN_TIMER))) p.any('tcn_timer', 'tcn_timer %7s ', timer(a));
  if ((a = u(L.IFLA_BR_TOPOLOGY_CHANGE_TIMER))) p.any('topology_change_timer', 'topology_change_timer %7s ', timer(a));
  if ((a = u(L.IFLA_BR_GC_TIMER))) p.any('gc_timer', 'gc_timer %7s ', timer(a));
  if ((a = u(L.IFLA_BR_VLAN_DEFAULT_PVID))) p.any('vlan_default_pvid', 'vlan_default_pvid %u ', a.u16());
  if ((a = u(L.IFLA_BR_VLAN_STATS_ENABLED))) p.any('vlan_stats_enabled', 'vlan_stats_enabled %u ', a.u8());
  if ((a = u(L.IFLA_BR_VLAN_STATS_PER_PORT))) p.any('vlan_stats_per_port', 'vlan_stats_per_port %u ', a.u8());
  if ((a = u(L.IFLA_BR_GROUP_FWD_MASK))) p.any('group_fwd_mask', 'group_fwd_mask %s ', hex0x(a.u16()));
  if ((a = u(L.IFLA_BR_GROUP_ADDR))) p.any('group_addr', 'group_address %s ', formatMac(a.bytes));
  if ((a = u(L.IFLA_BR_MCAST_SNOOPING))) p.any('mcast_snooping', 'mcast_snooping %u ', a.u8());
  if ((a = u(L.IFLA_BR_MULTI_BOOLOPT))) {
    // struct br_boolopt_multi { __u32 optval; __u32 optmask; }: ip 6.1 knows
    // BR_BOOLOPT_NO_LL_LEARN (0) and BR_BOOLOPT_MCAST_VLAN_SNOOPING (1).
    const val = a.u32At(L.BR_BOOLOPT_MULTI_OFFSETS.optval);
    const mask = a.u32At(L.BR_BOOLOPT_MULTI_OFFSETS.optmask);
    if (mask & 1) p.any('no_linklocal_learn', 'no_linklocal_learn %u ', val & 1 ? 1 : 0);
    if (mask & 2) p.any('mcast_vlan_snooping', 'mcast_vlan_snooping %u ', val & 2 ? 1 : 0);
  }
  if ((a = u(L.IFLA_BR_MCAST_ROUTER))) p.any('mcast_router', 'mcast_router %u ', a.u8());
  if ((a = u(L.IFLA_BR_MCAST_QUERY_USE_IFADDR))) p.any('mcast_query_use_ifaddr', 'mcast_query_use_ifaddr %u ', a.u8());
  if ((a = u(L.IFLA_BR_MCAST_QUERIER))) p.any('mcast_querier', 'mcast_querier %u ', a.u8());
  if ((a = u(L.IFLA_BR_MCAST_HASH_ELASTICITY))) p.any('mcast_hash_elasticity', 'mcast_hash_elasticity %u ', a.u32());
  if ((a = u(L.IFLA_BR_MCAST_HASH_MAX))) p.any('mcast_hash_max', 'mcast_hash_max %u ', a.u32());
  if ((a = u(L.IFLA_BR_MCAST_LAST_MEMBER_CNT))) p.any('mcast_last_member_cnt', 'mcast_last_member_count %u ', a.u32());
  if ((a = u(L.IFLA_BR_MCAST_STARTUP_QUERY_CNT))) p.any('mcast_startup_query_cnt', 'mcast_startup_query_count %u ', a.u32());
  if ((a = u(L.IFLA_BR_MCAST_LAST_MEMBER_INTVL))) p.any('mcast_last_member_intvl', 'mcast_last_member_interval %u ', a.u64());
  if ((a = u(L.IFLA_BR_MCAST_MEMBERSHIP_INTVL))) p.any('mcast_membership_intvl', 'mcast_membership_interval %u ', a.u64());
  if ((a = u(L.IFLA_BR_MCAST_QUERIER_INTVL))) p.any('mcast_querier_intvl', 'mcast_querier_interval %u ', a.u64());
  if ((a = u(L.IFLA_BR_MCAST_QUERY_INTVL))) p.any('mcast_query_intvl', 'mcast_query_interval %u ', a.u64());
  if ((a = u(L.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL))) p.any('mcast_query_response_intvl', 'mcast_query_response_interval %u ', a.u64());
  if ((a = u(L.IFLA_BR_MCAST_STARTUP_QUERY_INTVL))) p.any('mcast_startup_query_intvl', 'mcast_startup_query_interval %u ', a.u64());
  if ((a = u(L.IFLA_BR_MCAST_STATS_ENABLED))) p.any('mcast_stats_enabled', 'mcast_stats_enabled %u ', a.u8());
  if ((a = u(L.IFLA_BR_MCAST_IGMP_VERSION))) p.any('mcast_igmp_version', 'mcast_igmp_version %u ', a.u8());
  if ((a = u(L.IFLA_BR_MCAST_MLD_VERSION))) p.any('mcast_mld_version', 'mcast_mld_version %u ', a.u8());
  if ((a = u(L.IFLA_BR_NF_CALL_IPTABLES))) p.any('nf_call_iptables', 'nf_call_iptables %u ', a.u8());
  if ((a = u(L.IFLA_BR_NF_CALL_IP6TABLES))) p.any('nf_call_ip6tables', 'nf_call_ip6tables %u ', a.u8());
  if ((a = u(L.IFLA_BR_NF_CALL_ARPTABLES))) p.any('nf_call_arptables', 'nf_call_arptables %u ', a.u8());
}

function printBridgeSlave(ctx: IpContext, p: Printer, tb: AttrTable): void {
  const u = (t: number): Attr | undefined => tb.get(t);
  let a: Attr | undefined;
  const onoff = (key: string, text: string, t: number): void => {
    const x = u(t);
    if (x) p.onOff(key, `${text} %s `, x.u8() !== 0);
  };
  if ((a = u(L.IFLA_BRPORT_STATE))) {
    const s = a.u8();
    p.any('state', 'state %s ', L.BR_STATE_NAMES[s] ?? String(s));
  }
  if ((a = u(L.IFLA_BRPORT_PRIORITY))) p.any('priority', 'priority %u ', a.u16());
  if ((a = u(L.IFLA_BRPORT_COST))) p.any('cost', 'cost %u ', a.u32());
  onoff('hairpin', 'hairpin', L.IFLA_BRPORT_MODE);
  onoff('guard', 'guard', L.IFLA_BRPORT_GUARD);
  onoff('root_block', 'root_block', L.IFLA_BRPORT_PROTECT);
  onoff('fastleave', 'fastleave', L.IFLA_BRPORT_FAST_LEAVE);
  onoff('learning', 'learning', L.IFLA_BRPORT_LEARNING);
  onoff('flood', 'flood', L.IFLA_BRPORT_UNICAST_FLOOD);
  if ((a = u(L.IFLA_BRPORT_ID))) p.any('id', 'port_id %s ', hex0x(a.u16()));
  if ((a = u(L.IFLA_BRPORT_NO))) p.any('no', 'port_no %s ', hex0x(a.u16()));
  if ((a = u(L.IFLA_BRPORT_DESIGNATED_PORT))) p.any('designated_port', 'designated_port %u ', a.u16());
  if ((a = u(L.IFLA_BRPORT_DESIGNATED_COST))) p.any('designated_cost', 'designated_cost %u ', a.u16());
  if ((a = u(L.IFLA_BRPORT_BRIDGE_ID))) p.any('bridge_id', 'designated_bridge %s ', bridgeId(a));
  if ((a = u(L.IFLA_BRPORT_ROOT_ID))) p.any('root_id', 'designated_root %s ', bridgeId(a));
  if ((a = u(L.IFLA_BRPORT_HOLD_TIMER))) p.any('hold_timer', 'hold_timer %7s ', timer(a));
  if ((a = u(L.IFLA_BRPORT_MESSAGE_AGE_TIMER))) p.any('message_age_timer', 'message_age_timer %7s ', timer(a));
  if ((a = u(L.IFLA_BRPORT_FORWARD_DELAY_TIMER))) p.any('forward_delay_timer', 'forward_delay_timer %7s ', timer(a));
  if ((a = u(L.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK))) p.any('topology_change_ack', 'topology_change_ack %u ', a.u8());
  if ((a = u(L.IFLA_BRPORT_CONFIG_PENDING))) p.any('config_pending', 'config_pending %u ', a.u8());
  onoff('proxy_arp', 'proxy_arp', L.IFLA_BRPORT_PROXYARP);
  onoff('proxy_arp_wifi', 'proxy_arp_wifi', L.IFLA_BRPORT_PROXYARP_WIFI);
  if ((a = u(L.IFLA_BRPORT_MULTICAST_ROUTER))) p.any('multicast_router', 'mcast_router %u ', a.u8());
  // ip 6.1 repeats IFLA_BRPORT_FAST_LEAVE here, in text only.
  if ((a = u(L.IFLA_BRPORT_FAST_LEAVE))) p.fp(`mcast_fast_leave ${a.u8() ? 'on' : 'off'} `);
  onoff('mcast_flood', 'mcast_flood', L.IFLA_BRPORT_MCAST_FLOOD);
  onoff('bcast_flood', 'bcast_flood', L.IFLA_BRPORT_BCAST_FLOOD);
  onoff('mcast_to_unicast', 'mcast_to_unicast', L.IFLA_BRPORT_MCAST_TO_UCAST);
  onoff('neigh_suppress', 'neigh_suppress', L.IFLA_BRPORT_NEIGH_SUPPRESS);
  if ((a = u(L.IFLA_BRPORT_GROUP_FWD_MASK))) {
    const mask = a.u16();
    p.any('group_fwd_mask', 'group_fwd_mask %s ', hex0x(mask));
    p.any('group_fwd_mask_str', 'group_fwd_mask_str %s ', '0x' + mask.toString(16));
  }
  onoff('vlan_tunnel', 'vlan_tunnel', L.IFLA_BRPORT_VLAN_TUNNEL);
  onoff('isolated', 'isolated', L.IFLA_BRPORT_ISOLATED);
  onoff('locked', 'locked', L.IFLA_BRPORT_LOCKED);
  if ((a = u(L.IFLA_BRPORT_BACKUP_PORT))) p.any('backup_port', 'backup_port %s ', ctx.indexName(a.u32()));
}

function printVxlan(ctx: IpContext, p: Printer, tb: AttrTable): void {
  const u = (t: number): Attr | undefined => tb.get(t);
  let a: Attr | undefined;
  if ((a = u(L.IFLA_VXLAN_COLLECT_METADATA)) && a.u8()) p.bool('external', 'external ', true);
  if ((a = u(L.IFLA_VXLAN_VNIFILTER)) && a.u8()) p.bool('vnifilter', 'vnifilter ', true);
  if ((a = u(L.IFLA_VXLAN_ID)) && a.length >= 4) p.any('id', 'id %u ', a.u32());
  if ((a = u(L.IFLA_VXLAN_GROUP))) {
    const addr = formatIPv4(a.bytes);
    if (a.u32() !== 0) {
      if ((a.bytes[0]! & 0xf0) === 0xe0) p.any('group', 'group %s ', addr);
      else p.any('remote', 'remote %s ', addr);
    }
  } else if ((a = u(L.IFLA_VXLAN_GROUP6))) {
    const b = a.bytes;
    if (b.some((x) => x !== 0)) {
      if (b[0] === 0xff) p.any('group6', 'group %s ', formatIPv6(b));
      else p.any('remote6', 'remote %s ', formatIPv6(b));
    }
  }
  if ((a = u(L.IFLA_VXLAN_LOCAL))) {
    if (a.u32() !== 0) p.any('local', 'local %s ', formatIPv4(a.bytes));
  } else if ((a = u(L.IFLA_VXLAN_LOCAL6))) {
    if (a.bytes.some((x) => x !== 0)) p.any('local6', 'local %s ', formatIPv6(a.bytes));
  }
  if ((a = u(L.IFLA_VXLAN_LINK)) && a.u32()) p.any('link', 'dev %s ', ctx.indexName(a.u32()));
  if ((a = u(L.IFLA_VXLAN_PORT_RANGE))) {
    const low = a.dv.getUint16(a.offset + L.IFLA_VXLAN_PORT_RANGE_OFFSETS.low, false);
    const high = a.dv.getUint16(a.offset + L.IFLA_VXLAN_PORT_RANGE_OFFSETS.high, false);
    if (p.json) {
      p.open('port_range').any('low', '', low).any('high', '', high).close();
    } else p.fp(`srcport ${low} ${high} `);
  }
  if ((a = u(L.IFLA_VXLAN_PORT))) p.any('port', 'dstport %u ', a.be16());
  if ((a = u(L.IFLA_VXLAN_LEARNING))) {
    const learning = a.u8() !== 0;
    p.jsonOnly('learning', learning);
    if (!learning) p.fp('nolearning ');
  }
  if ((a = u(L.IFLA_VXLAN_PROXY)) && a.u8()) p.bool('proxy', 'proxy ', true);
  if ((a = u(L.IFLA_VXLAN_RSC)) && a.u8()) p.bool('rsc', 'rsc ', true);
  if ((a = u(L.IFLA_VXLAN_L2MISS)) && a.u8()) p.bool('l2miss', 'l2miss ', true);
  if ((a = u(L.IFLA_VXLAN_L3MISS)) && a.u8()) p.bool('l3miss', 'l3miss ', true);
  const tos = u(L.IFLA_VXLAN_TOS)?.u8() ?? 0;
  if (tos) {
    if (p.json || tos !== 1) p.any('tos', 'tos %s ', '0x' + tos.toString(16));
    else p.fp('tos inherit ');
  }
  if ((a = u(L.IFLA_VXLAN_TTL_INHERIT)) && a.u8()) p.any('ttl', 'ttl %s ', 'auto');
  else {
    const ttl = u(L.IFLA_VXLAN_TTL)?.u8() ?? 0;
    if (p.json || ttl) p.any('ttl', 'ttl %u ', ttl);
    else p.fp('ttl auto ');
  }
  if ((a = u(L.IFLA_VXLAN_DF))) {
    const df = a.u8();
    if (df === L.VXLAN_DF_UNSET) p.jsonOnly('df', 'unset');
    else if (df === L.VXLAN_DF_SET) p.any('df', 'df %s ', 'set');
    else if (df === L.VXLAN_DF_INHERIT) p.any('df', 'df %s ', 'inherit');
  }
  if ((a = u(L.IFLA_VXLAN_LABEL))) {
    const label = a.be32();
    if (label) p.any('label', 'flowlabel %s ', '0x' + label.toString(16));
  }
  if ((a = u(L.IFLA_VXLAN_AGEING))) {
    const age = a.u32();
    if (age === 0) p.any('ageing', 'ageing none ', 0);
    else p.any('ageing', 'ageing %u ', age);
  }
  if ((a = u(L.IFLA_VXLAN_LIMIT)) && a.u32()) p.any('limit', 'maxaddr %u ', a.u32());
  const csum = (key: string, text: string, t: number): void => {
    const x = u(t);
    if (!x) return;
    const on = x.u8() !== 0;
    if (p.json) p.bool(key, '', on);
    else p.fp(`${on ? '' : 'no'}${text} `);
  };
  csum('udp_csum', 'udpcsum', L.IFLA_VXLAN_UDP_CSUM);
  csum('udp_zero_csum6_tx', 'udp6zerocsumtx', L.IFLA_VXLAN_UDP_ZERO_CSUM6_TX);
  csum('udp_zero_csum6_rx', 'udp6zerocsumrx', L.IFLA_VXLAN_UDP_ZERO_CSUM6_RX);
  if ((a = u(L.IFLA_VXLAN_REMCSUM_TX)) && a.u8()) p.bool('remcsum_tx', 'remcsumtx ', true);
  if ((a = u(L.IFLA_VXLAN_REMCSUM_RX)) && a.u8()) p.bool('remcsum_rx', 'remcsumrx ', true);
  if (u(L.IFLA_VXLAN_GBP)) p.bool('gbp', 'gbp ', true);
  if (u(L.IFLA_VXLAN_GPE)) p.bool('gpe', 'gpe ', true);
}

function printTun(p: Printer, tb: AttrTable): void {
  let a: Attr | undefined;
  if ((a = tb.get(L.IFLA_TUN_TYPE))) {
    const t = a.u8();
    p.any('type', 'type %s ', t === L.IFF_TUN ? 'tun' : t === L.IFF_TAP ? 'tap' : `UNKNOWN:${t}`);
  }
  const onoff = (key: string, t: number): void => {
    const x = tb.get(t);
    if (x) p.onOff(key, `${key} %s `, x.u8() !== 0);
  };
  onoff('pi', L.IFLA_TUN_PI);
  onoff('vnet_hdr', L.IFLA_TUN_VNET_HDR);
  const mq = tb.get(L.IFLA_TUN_MULTI_QUEUE);
  if (mq) {
    // ip prints multi_queue in text only when it is on.
    p.jsonOnly('multi_queue', mq.u8() !== 0);
    if (mq.u8()) p.fp('multi_queue ');
  }
  onoff('persist', L.IFLA_TUN_PERSIST);
  if ((a = tb.get(L.IFLA_TUN_OWNER))) p.any('user', 'user %s ', String(a.u32()));
  if ((a = tb.get(L.IFLA_TUN_GROUP))) p.any('group', 'group %s ', String(a.u32()));
}

function printVlan(p: Printer, tb: AttrTable): void {
  let a: Attr | undefined;
  if ((a = tb.get(L.IFLA_VLAN_PROTOCOL))) {
    const proto = a.be16();
    p.any('protocol', 'protocol %s ', vlanProtocol(proto));
  }
  if ((a = tb.get(L.IFLA_VLAN_ID))) p.any('id', 'id %u ', a.u16());
  if ((a = tb.get(L.IFLA_VLAN_FLAGS))) {
    // struct ifla_vlan_flags { __u32 flags; __u32 mask; }
    const flags = a.u32At(L.IFLA_VLAN_FLAGS_OFFSETS.flags);
    if (p.json) {
      p.openArray('flags');
      for (const [bit, n] of VLAN_FLAG_NAMES) if (flags & bit) p.jsonOnly(null, n);
      p.close();
    } else
      p.fp(
        `<${VLAN_FLAG_NAMES.filter(([bit]) => flags & bit)
          .map(([, n]) => n)
          .join(',')}> `,
      );
  }
}

function printMacvlan(p: Printer, tb: AttrTable): void {
  const a = tb.get(L.IFLA_MACVLAN_MODE);
  if (a) {
    const m = a.u32();
    p.any('mode', 'mode %s ', L.MACVLAN_MODE_NAMES[m] ?? 'unknown');
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
  const mode = inet6.nest().get(L.IFLA_INET6_ADDR_GEN_MODE);
  if (!mode) return;
  const m = mode.u8();
  const name = ADDR_GEN_MODE_NAMES[m] ?? '0x' + m.toString(16).padStart(2, '0');
  p.any('inet6_addr_gen_mode', 'addrgenmode %s ', name);
}

/** Byte offsets of the fields of struct rtnl_link_stats64 and of its 32-bit forerunner rtnl_link_stats (which stops at rx_nohandler). */
const STATS64 = L.RTNL_LINK_STATS64_OFFSETS;
const STATS32: Partial<Record<StatName, number>> = L.RTNL_LINK_STATS_OFFSETS;

/** A field of struct rtnl_link_stats64. */
export type StatName = keyof typeof L.RTNL_LINK_STATS64_OFFSETS;

function readStats(tb: AttrTable): LinkStat | undefined {
  const s64 = tb.get(C.IFLA_STATS64);
  if (s64) return (n) => s64.u64At(STATS64[n]);
  const s32 = tb.get(C.IFLA_STATS);
  if (s32)
    return (n) => {
      const at = STATS32[n];
      return at === undefined ? 0n : BigInt(s32.u32At(at));
    };
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
  return { index: h.s32(IFI.ifi_index), name, flags: h.u32(IFI.ifi_flags), tb };
}

/**
 * print_name_and_link: the name, with `@LINK` in text (`@if12` for a link in
 * another namespace, `@NONE` for index 0), or `link` / `link_index` members
 * in JSON; `fmt` formats the whole. Returns print_link_flags' M-DOWN: the
 * lower link of this namespace is down.
 */
function printNameAndLink(ctx: IpContext, p: Printer, fmt: string, index: number, tb: AttrTable): boolean {
  const a = tb.get(C.IFLA_LINK);
  return printNameAndLinkOf(ctx, p, fmt, tb.get(C.IFLA_IFNAME)?.str() ?? `if${index}`, a ? a.u32() : undefined, tb.has(C.IFLA_LINK_NETNSID));
}

/** print_name_and_link on values already read: the link's name, its IFLA_LINK (undefined when absent), whether IFLA_LINK_NETNSID came with it. */
export function printNameAndLinkOf(ctx: IpContext, p: Printer, fmt: string, name: string, iflink: number | undefined, otherNetns: boolean): boolean {
  let mdown = false;
  if (iflink !== undefined) {
    if (iflink) {
      if (otherNetns) {
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
  const linkType = h.u16(IFI.ifi_type);
  const flags = h.u32(IFI.ifi_flags);
  const tb = messageAttrs(m, C.IFINFOMSG_SIZE);
  if (m.type === C.RTM_DELLINK) p.bool('deleted', 'Deleted ', true);
  const mdown = printNameAndLink(ctx, p, '%-16s ', h.s32(IFI.ifi_index), tb);
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
  const linkType = h.u16(IFI.ifi_type);
  const index = h.s32(IFI.ifi_index);
  const flags = h.u32(IFI.ifi_flags);
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
