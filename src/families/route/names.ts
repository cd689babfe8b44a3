// Names of rtnetlink numbers, one table each, as iproute2 6.1 prints and
// reads them: the typed clients and the `nlkit` ip-style command both use
// these (the command adds what /etc/iproute2 files name, as ip does).
import {
  IFF_ALLMULTI,
  IFF_AUTOMEDIA,
  IFF_BROADCAST,
  IFF_DEBUG,
  IFF_DORMANT,
  IFF_DYNAMIC,
  IFF_ECHO,
  IFF_LOOPBACK,
  IFF_LOWER_UP,
  IFF_MASTER,
  IFF_MULTICAST,
  IFF_NOARP,
  IFF_NOTRAILERS,
  IFF_POINTOPOINT,
  IFF_PORTSEL,
  IFF_PROMISC,
  IFF_RUNNING,
  IFF_SLAVE,
  IFF_UP,
} from './constants.js';

/** Link-layer types (ARPHRD_* in <linux/if_arp.h>) by the names ip prints (ll_type_n2a in lib/ll_types.c). */
export const LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
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

/**
 * Interface flags (IFF_*) by the names ip prints, in print_link_flags' order
 * (ip/ipaddress.c). ip leaves IFF_RUNNING out of its list (it prints
 * NO-CARRIER when a link is up but not running); it comes last here.
 */
export const LINK_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [IFF_LOOPBACK, 'LOOPBACK'],
  [IFF_BROADCAST, 'BROADCAST'],
  [IFF_POINTOPOINT, 'POINTOPOINT'],
  [IFF_MULTICAST, 'MULTICAST'],
  [IFF_NOARP, 'NOARP'],
  [IFF_ALLMULTI, 'ALLMULTI'],
  [IFF_PROMISC, 'PROMISC'],
  [IFF_MASTER, 'MASTER'],
  [IFF_SLAVE, 'SLAVE'],
  [IFF_DEBUG, 'DEBUG'],
  [IFF_DYNAMIC, 'DYNAMIC'],
  [IFF_AUTOMEDIA, 'AUTOMEDIA'],
  [IFF_PORTSEL, 'PORTSEL'],
  [IFF_NOTRAILERS, 'NOTRAILERS'],
  [IFF_UP, 'UP'],
  [IFF_LOWER_UP, 'LOWER_UP'],
  [IFF_DORMANT, 'DORMANT'],
  [IFF_ECHO, 'ECHO'],
  [IFF_RUNNING, 'RUNNING'],
];

/** Operational states (IF_OPER_* in <linux/if.h>), index = value, as ip prints them (oper_states in ip/ipaddress.c). */
export const OPERSTATE_NAMES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'] as const;

/** Link modes (IF_LINK_MODE_* in <linux/if.h>), index = value. ip 6.1 names only the first two (link_modes in ip/ipaddress.c). */
export const LINKMODE_NAMES = ['DEFAULT', 'DORMANT', 'TESTING'] as const;

/** Route types (RTN_*), index = value, as rtnl_rtntype_n2a names them (lib/rt_names.c). */
export const ROUTE_TYPE_NAMES = ['none', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'] as const;

/** Route protocols (RTPROT_*) ip knows without /etc/iproute2/rt_protos (rtnl_rtprot_tab in lib/rt_names.c). */
export const RTPROT_NAMES: readonly (readonly [number, string])[] = [
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
];

/** Route scopes (RT_SCOPE_*) ip knows without /etc/iproute2/rt_scopes (rtnl_rtscope_tab). */
export const RT_SCOPE_NAMES: readonly (readonly [number, string])[] = [
  [0, 'global'],
  [200, 'site'],
  [253, 'link'],
  [254, 'host'],
  [255, 'nowhere'],
];

/** Reserved routing tables (RT_TABLE_*) ip knows without /etc/iproute2/rt_tables (rtnl_rttable_hash). */
export const RT_TABLE_NAMES: readonly (readonly [number, string])[] = [
  [0, 'unspec'],
  [253, 'default'],
  [254, 'main'],
  [255, 'local'],
];

/** Neighbour states (NUD_* bits in <linux/neighbour.h>) in nud_state_n2a's order, as ip prints them. */
export const NUD_STATE_NAMES = [
  [0x01, 'INCOMPLETE'],
  [0x02, 'REACHABLE'],
  [0x04, 'STALE'],
  [0x08, 'DELAY'],
  [0x10, 'PROBE'],
  [0x20, 'FAILED'],
  [0x40, 'NOARP'],
  [0x80, 'PERMANENT'],
] as const;

/** Lightweight tunnel encapsulations (LWTUNNEL_ENCAP_*) by the names ip prints and reads (format_encap_type in ip/iproute_lwtunnel.c). */
export const LWTUNNEL_ENCAP_NAMES: readonly (readonly [number, string])[] = [
  [1, 'mpls'],
  [2, 'ip'],
  [3, 'ila'],
  [4, 'ip6'],
  [5, 'seg6'],
  [6, 'bpf'],
  [7, 'seg6local'],
  [8, 'rpl'],
  [9, 'ioam6'],
  [10, 'xfrm'],
];
