// Names of rtnetlink numbers, one table each, as iproute2 6.1 prints and
// reads them: the typed clients and the `nlkit` ip-style command both use
// these (the command adds what /etc/iproute2 files name, as ip does). The
// numbers, and the names where ip uses the spec's, come from the generated
// constants modules; only ip's own spellings are written here.
import * as L from '../generated/rt-link.constants.js';
import * as N from '../generated/rt-neigh.constants.js';
import * as R from '../generated/rt-route.constants.js';

/** A value -> name table of a generated constants module as [value, name] pairs, in value order, some names replaced or left out. */
function pairs(table: { readonly [value: number]: string | undefined }, changes: ReadonlyMap<number, string | null> = new Map()): (readonly [number, string])[] {
  const out: (readonly [number, string])[] = [];
  for (const [k, name] of Object.entries(table)) {
    const v = Number(k);
    const changed = changes.get(v);
    if (changed === null || name === undefined) continue;
    out.push([v, changed ?? name]);
  }
  return out;
}

/**
 * Link-layer types (ARPHRD_* in <linux/if_arp.h>) by the names ip prints (ll_type_n2a in lib/ll_types.c):
 * the kernel's names in lower case, but for these.
 */
export const LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  pairs(
    L.ARPHRD_NAMES,
    new Map([
      [L.ARPHRD_APPLETLK, 'atalk'],
      [L.ARPHRD_EUI64, null],
      [L.ARPHRD_CISCO, 'hdlc'],
      [L.ARPHRD_TUNNEL, 'ipip'],
      [L.ARPHRD_LOCALTLK, 'ltalk'],
      [L.ARPHRD_IPDDP, 'ip/ddp'],
      [L.ARPHRD_IPGRE, 'gre'],
      [L.ARPHRD_FCFABRIC, 'fcfb0'],
      [L.ARPHRD_IEEE802_TR, 'tr'],
      [L.ARPHRD_IEEE80211, 'ieee802.11'],
      [L.ARPHRD_IEEE80211_PRISM, 'ieee802.11/prism'],
      [L.ARPHRD_IEEE80211_RADIOTAP, 'ieee802.11/radiotap'],
      [L.ARPHRD_IEEE802154, 'ieee802.15.4'],
      [L.ARPHRD_IEEE802154_MONITOR, 'ieee802.15.4/monitor'],
      [L.ARPHRD_PHONET_PIPE, 'phonet_pipe'],
      [L.ARPHRD_IP6GRE, 'gre6'],
    ]),
  ),
);

/**
 * Interface flags (IFF_*) by the names ip prints, in print_link_flags' order
 * (ip/ipaddress.c). ip leaves IFF_RUNNING out of its list (it prints
 * NO-CARRIER when a link is up but not running); it comes last here.
 */
export const LINK_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [L.IFF_LOOPBACK, 'LOOPBACK'],
  [L.IFF_BROADCAST, 'BROADCAST'],
  [L.IFF_POINTOPOINT, 'POINTOPOINT'],
  [L.IFF_MULTICAST, 'MULTICAST'],
  [L.IFF_NOARP, 'NOARP'],
  [L.IFF_ALLMULTI, 'ALLMULTI'],
  [L.IFF_PROMISC, 'PROMISC'],
  [L.IFF_MASTER, 'MASTER'],
  [L.IFF_SLAVE, 'SLAVE'],
  [L.IFF_DEBUG, 'DEBUG'],
  [L.IFF_DYNAMIC, 'DYNAMIC'],
  [L.IFF_AUTOMEDIA, 'AUTOMEDIA'],
  [L.IFF_PORTSEL, 'PORTSEL'],
  [L.IFF_NOTRAILERS, 'NOTRAILERS'],
  [L.IFF_UP, 'UP'],
  [L.IFF_LOWER_UP, 'LOWER_UP'],
  [L.IFF_DORMANT, 'DORMANT'],
  [L.IFF_ECHO, 'ECHO'],
  [L.IFF_RUNNING, 'RUNNING'],
];

/** Operational states (IF_OPER_* in <linux/if.h>), index = value, as ip prints them (oper_states in ip/ipaddress.c): upper case. */
export const OPERSTATE_NAMES: readonly Uppercase<(typeof L.IF_OPER_NAMES)[number]>[] = L.IF_OPER_NAMES.map((n) => n.toUpperCase() as Uppercase<typeof n>);

/** Link modes (IF_LINK_MODE_* in <linux/if.h>), index = value, upper case. ip 6.1 names only the first two (link_modes in ip/ipaddress.c). */
export const LINKMODE_NAMES: readonly Uppercase<(typeof L.IF_LINK_MODE_NAMES)[number]>[] = L.IF_LINK_MODE_NAMES.map((n) => n.toUpperCase() as Uppercase<typeof n>);

/** Route types (RTN_*), index = value, as rtnl_rtntype_n2a names them (lib/rt_names.c): RTN_UNSPEC is 'none'. */
export const ROUTE_TYPE_NAMES: readonly ('none' | Exclude<(typeof R.RTM_TYPE_NAMES)[number], 'unspec'>)[] = R.RTM_TYPE_NAMES.map((n) => (n === 'unspec' ? 'none' : n));

/** Route protocols (RTPROT_*) ip knows without /etc/iproute2/rt_protos (rtnl_rtprot_tab in lib/rt_names.c: all the kernel names but mrouted). */
export const RTPROT_NAMES: readonly (readonly [number, string])[] = pairs(R.RT_PROTOCOL_NAMES, new Map([[R.RTPROT_MROUTED, null]]));

/** Route scopes (RT_SCOPE_*) ip knows without /etc/iproute2/rt_scopes (rtnl_rtscope_tab): RT_SCOPE_UNIVERSE is 'global'. */
export const RT_SCOPE_NAMES: readonly (readonly [number, string])[] = pairs(R.RT_SCOPE_NAMES, new Map([[R.RT_SCOPE_UNIVERSE, 'global']]));

/** Reserved routing tables (RT_TABLE_*) ip knows without /etc/iproute2/rt_tables (rtnl_rttable_hash): all but RT_TABLE_COMPAT. */
export const RT_TABLE_NAMES: readonly (readonly [number, string])[] = pairs(R.RT_TABLE_NAMES, new Map([[R.RT_TABLE_COMPAT, null]]));

/** Neighbour states (NUD_* bits in <linux/neighbour.h>) in nud_state_n2a's order, as ip prints them. */
export const NUD_STATE_NAMES = [
  [N.NUD_INCOMPLETE, 'INCOMPLETE'],
  [N.NUD_REACHABLE, 'REACHABLE'],
  [N.NUD_STALE, 'STALE'],
  [N.NUD_DELAY, 'DELAY'],
  [N.NUD_PROBE, 'PROBE'],
  [N.NUD_FAILED, 'FAILED'],
  [N.NUD_NOARP, 'NOARP'],
  [N.NUD_PERMANENT, 'PERMANENT'],
] as const;

/** Lightweight tunnel encapsulations (LWTUNNEL_ENCAP_*) by the names ip prints and reads (format_encap_type in ip/iproute_lwtunnel.c). */
export const LWTUNNEL_ENCAP_NAMES: readonly (readonly [number, string])[] = pairs(
  R.LWTUNNEL_ENCAP_TYPES_NAMES,
  new Map([
    [R.LWTUNNEL_ENCAP_NONE, null],
    [R.LWTUNNEL_ENCAP_SEG6_LOCAL, 'seg6local'],
  ]),
);
