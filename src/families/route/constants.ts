// rtnetlink constants under their kernel names, so they can be grepped in the
// headers they come from (<linux/rtnetlink.h>, <linux/if_link.h>,
// <linux/if_addr.h>, <linux/neighbour.h>, <linux/fib_rules.h>,
// <linux/net_namespace.h>).

// rtnetlink message types (<linux/rtnetlink.h>)
/** First rtnetlink message type. */
export const RTM_BASE = 16;
/** Message type: create or change a link; also the link dump reply and notification. */
export const RTM_NEWLINK = 16;
/** Message type: delete a link; also its removal notification. */
export const RTM_DELLINK = 17;
/** Message type: get one link, or dump all of them. */
export const RTM_GETLINK = 18;
/** Message type: change an existing link's settings. */
export const RTM_SETLINK = 19;
/** Message type: add an address; also the dump reply and notification. */
export const RTM_NEWADDR = 20;
/** Message type: delete an address; also its removal notification. */
export const RTM_DELADDR = 21;
/** Message type: dump addresses. */
export const RTM_GETADDR = 22;
/** Message type: add a route; also the dump reply and notification. */
export const RTM_NEWROUTE = 24;
/** Message type: delete a route; also its removal notification. */
export const RTM_DELROUTE = 25;
/** Message type: look up a route, or dump a table. */
export const RTM_GETROUTE = 26;
/** Message type: add a neighbour entry; also the dump reply and notification. */
export const RTM_NEWNEIGH = 28;
/** Message type: delete a neighbour entry; also its removal notification. */
export const RTM_DELNEIGH = 29;
/** Message type: get one neighbour entry, or dump them. */
export const RTM_GETNEIGH = 30;
/** Message type: add a policy routing rule; also the dump reply and notification. */
export const RTM_NEWRULE = 32;
/** Message type: delete a policy routing rule; also its removal notification. */
export const RTM_DELRULE = 33;
/** Message type: dump policy routing rules. */
export const RTM_GETRULE = 34;
/** Message type: add a queueing discipline (tc). */
export const RTM_NEWQDISC = 36;
/** Message type: delete a queueing discipline (tc). */
export const RTM_DELQDISC = 37;
/** Message type: get or dump queueing disciplines (tc). */
export const RTM_GETQDISC = 38;
/** Message type: add a traffic class (tc). */
export const RTM_NEWTCLASS = 40;
/** Message type: delete a traffic class (tc). */
export const RTM_DELTCLASS = 41;
/** Message type: get or dump traffic classes (tc). */
export const RTM_GETTCLASS = 42;
/** Message type: add a traffic filter (tc). */
export const RTM_NEWTFILTER = 44;
/** Message type: delete a traffic filter (tc). */
export const RTM_DELTFILTER = 45;
/** Message type: get or dump traffic filters (tc). */
export const RTM_GETTFILTER = 46;
/** Message type: add a traffic control action. */
export const RTM_NEWACTION = 48;
/** Message type: delete a traffic control action. */
export const RTM_DELACTION = 49;
/** Message type: get or dump traffic control actions. */
export const RTM_GETACTION = 50;
/** Message type: notification of an IPv6 prefix learnt from a router advertisement. */
export const RTM_NEWPREFIX = 52;
/** Message type: notification of a joined multicast address. */
export const RTM_NEWMULTICAST = 56;
/** Message type: notification of a left multicast address. */
export const RTM_DELMULTICAST = 57;
/** Message type: dump multicast addresses. */
export const RTM_GETMULTICAST = 58;
/** Message type: notification of an added IPv6 anycast address. */
export const RTM_NEWANYCAST = 60;
/** Message type: notification of a removed IPv6 anycast address. */
export const RTM_DELANYCAST = 61;
/** Message type: dump IPv6 anycast addresses. */
export const RTM_GETANYCAST = 62;
/** Message type: neighbour table parameters (dump reply). */
export const RTM_NEWNEIGHTBL = 64;
/** Message type: dump neighbour tables and their parameters. */
export const RTM_GETNEIGHTBL = 66;
/** Message type: change neighbour table parameters. */
export const RTM_SETNEIGHTBL = 67;
/** Message type: a Neighbour Discovery option handed to user space (e.g. RDNSS). */
export const RTM_NEWNDUSEROPT = 68;
/** Message type: add an IPv6 address label (address selection policy). */
export const RTM_NEWADDRLABEL = 72;
/** Message type: delete an IPv6 address label. */
export const RTM_DELADDRLABEL = 73;
/** Message type: get or dump IPv6 address labels. */
export const RTM_GETADDRLABEL = 74;
/** Message type: read Data Center Bridging settings. */
export const RTM_GETDCB = 78;
/** Message type: change Data Center Bridging settings. */
export const RTM_SETDCB = 79;
/** Message type: per-device IP settings (forwarding, rp_filter…); reply and notification. */
export const RTM_NEWNETCONF = 80;
/** Message type: notification that a device's IP settings went away. */
export const RTM_DELNETCONF = 81;
/** Message type: get or dump per-device IP settings. */
export const RTM_GETNETCONF = 82;
/** Message type: add a bridge multicast database entry; also reply and notification. */
export const RTM_NEWMDB = 84;
/** Message type: delete a bridge multicast database entry. */
export const RTM_DELMDB = 85;
/** Message type: get or dump the bridge multicast database. */
export const RTM_GETMDB = 86;
/** Message type: assign a namespace id; also the reply and notification. */
export const RTM_NEWNSID = 88;
/** Message type: notification that a namespace id was released. */
export const RTM_DELNSID = 89;
/** Message type: get a namespace's id, or dump all ids. */
export const RTM_GETNSID = 90;
/** Message type: interface statistics (reply and notification). */
export const RTM_NEWSTATS = 92;
/** Message type: get or dump interface statistics. */
export const RTM_GETSTATS = 94;
/** Message type: change statistics settings (e.g. enable offload counters). */
export const RTM_SETSTATS = 95;
/** Message type: multicast routing cache report for the routing daemon. */
export const RTM_NEWCACHEREPORT = 96;
/** Message type: add a tc filter chain. */
export const RTM_NEWCHAIN = 100;
/** Message type: delete a tc filter chain. */
export const RTM_DELCHAIN = 101;
/** Message type: get or dump tc filter chains. */
export const RTM_GETCHAIN = 102;
/** Message type: add a nexthop object; also reply and notification. */
export const RTM_NEWNEXTHOP = 104;
/** Message type: delete a nexthop object. */
export const RTM_DELNEXTHOP = 105;
/** Message type: get or dump nexthop objects. */
export const RTM_GETNEXTHOP = 106;
/** Message type: add a link property (e.g. an alternative name). */
export const RTM_NEWLINKPROP = 108;
/** Message type: delete a link property. */
export const RTM_DELLINKPROP = 109;
/** Message type: read link properties. */
export const RTM_GETLINKPROP = 110;
/** Message type: add bridge VLAN entries; also reply and notification. */
export const RTM_NEWVLAN = 112;
/** Message type: delete bridge VLAN entries. */
export const RTM_DELVLAN = 113;
/** Message type: dump bridge VLAN entries. */
export const RTM_GETVLAN = 114;
/** Message type: a bucket of a resilient nexthop group (reply and notification). */
export const RTM_NEWNEXTHOPBUCKET = 116;
/** Message type: notification that a resilient nexthop bucket went away. */
export const RTM_DELNEXTHOPBUCKET = 117;
/** Message type: get or dump resilient nexthop group buckets. */
export const RTM_GETNEXTHOPBUCKET = 118;
/** Message type: add a tunnel VNI filter entry (VXLAN). */
export const RTM_NEWTUNNEL = 120;
/** Message type: delete a tunnel VNI filter entry. */
export const RTM_DELTUNNEL = 121;
/** Message type: get or dump tunnel VNI filter entries. */
export const RTM_GETTUNNEL = 122;

// rtnetlink multicast groups (enum rtnetlink_groups); join these with NETLINK_ADD_MEMBERSHIP.
/** Multicast group: none (0). */
export const RTNLGRP_NONE = 0;
/** Multicast group: link changes. */
export const RTNLGRP_LINK = 1;
/** Multicast group: legacy general notifications. */
export const RTNLGRP_NOTIFY = 2;
/** Multicast group: neighbour entries. */
export const RTNLGRP_NEIGH = 3;
/** Multicast group: traffic control (qdiscs, classes, filters, actions). */
export const RTNLGRP_TC = 4;
/** Multicast group: IPv4 addresses. */
export const RTNLGRP_IPV4_IFADDR = 5;
/** Multicast group: IPv4 multicast routes. */
export const RTNLGRP_IPV4_MROUTE = 6;
/** Multicast group: IPv4 routes. */
export const RTNLGRP_IPV4_ROUTE = 7;
/** Multicast group: IPv4 policy routing rules. */
export const RTNLGRP_IPV4_RULE = 8;
/** Multicast group: IPv6 addresses. */
export const RTNLGRP_IPV6_IFADDR = 9;
/** Multicast group: IPv6 multicast routes. */
export const RTNLGRP_IPV6_MROUTE = 10;
/** Multicast group: IPv6 routes. */
export const RTNLGRP_IPV6_ROUTE = 11;
/** Multicast group: IPv6 per-interface state (e.g. router advertisement flags). */
export const RTNLGRP_IPV6_IFINFO = 12;
/** Multicast group: DECnet addresses (DECnet has been removed). */
export const RTNLGRP_DECnet_IFADDR = 13;
/** Multicast group: unused placeholder. */
export const RTNLGRP_NOP2 = 14;
/** Multicast group: DECnet routes (DECnet has been removed). */
export const RTNLGRP_DECnet_ROUTE = 15;
/** Multicast group: DECnet rules (DECnet has been removed). */
export const RTNLGRP_DECnet_RULE = 16;
/** Multicast group: unused placeholder. */
export const RTNLGRP_NOP4 = 17;
/** Multicast group: IPv6 prefixes from router advertisements. */
export const RTNLGRP_IPV6_PREFIX = 18;
/** Multicast group: IPv6 policy routing rules. */
export const RTNLGRP_IPV6_RULE = 19;
/** Multicast group: Neighbour Discovery options for user space. */
export const RTNLGRP_ND_USEROPT = 20;
/** Multicast group: Phonet addresses. */
export const RTNLGRP_PHONET_IFADDR = 21;
/** Multicast group: Phonet routes. */
export const RTNLGRP_PHONET_ROUTE = 22;
/** Multicast group: Data Center Bridging changes. */
export const RTNLGRP_DCB = 23;
/** Multicast group: per-device IPv4 settings. */
export const RTNLGRP_IPV4_NETCONF = 24;
/** Multicast group: per-device IPv6 settings. */
export const RTNLGRP_IPV6_NETCONF = 25;
/** Multicast group: bridge multicast database. */
export const RTNLGRP_MDB = 26;
/** Multicast group: MPLS routes. */
export const RTNLGRP_MPLS_ROUTE = 27;
/** Multicast group: namespace ids. */
export const RTNLGRP_NSID = 28;
/** Multicast group: per-device MPLS settings. */
export const RTNLGRP_MPLS_NETCONF = 29;
/** Multicast group: IPv4 multicast routing cache reports. */
export const RTNLGRP_IPV4_MROUTE_R = 30;
/** Multicast group: IPv6 multicast routing cache reports. */
export const RTNLGRP_IPV6_MROUTE_R = 31;
/** Multicast group: nexthop objects. */
export const RTNLGRP_NEXTHOP = 32;
/** Multicast group: bridge VLANs. */
export const RTNLGRP_BRVLAN = 33;
/** Multicast group: MCTP addresses. */
export const RTNLGRP_MCTP_IFADDR = 34;
/** Multicast group: tunnel VNI filter entries. */
export const RTNLGRP_TUNNEL = 35;
/** Multicast group: interface statistics notifications. */
export const RTNLGRP_STATS = 36;
/** Multicast group: IPv4 multicast addresses joined by interfaces. */
export const RTNLGRP_IPV4_MCADDR = 37;
/** Multicast group: IPv6 multicast addresses joined by interfaces. */
export const RTNLGRP_IPV6_MCADDR = 38;
/** Multicast group: IPv6 anycast addresses. */
export const RTNLGRP_IPV6_ACADDR = 39;

// Fixed header sizes
/** sizeof(struct ifinfomsg) */
export const IFINFOMSG_SIZE = 16;
/** sizeof(struct ifaddrmsg) */
export const IFADDRMSG_SIZE = 8;
/** sizeof(struct rtmsg) */
export const RTMSG_SIZE = 12;
/** sizeof(struct ndmsg) */
export const NDMSG_SIZE = 12;
/** sizeof(struct fib_rule_hdr) */
export const FIB_RULE_HDR_SIZE = 12;
/** sizeof(struct rtgenmsg) */
export const RTGENMSG_SIZE = 1;

// Link attributes (<linux/if_link.h>)
/** Link attribute: unused (0). */
export const IFLA_UNSPEC = 0;
/** Link attribute: hardware address (binary). */
export const IFLA_ADDRESS = 1;
/** Link attribute: hardware broadcast address (binary). */
export const IFLA_BROADCAST = 2;
/** Link attribute: interface name (string). */
export const IFLA_IFNAME = 3;
/** Link attribute: MTU (u32). */
export const IFLA_MTU = 4;
/** Link attribute: ifindex of the lower device, e.g. a VLAN's parent (u32). */
export const IFLA_LINK = 5;
/** Link attribute: name of the root queueing discipline (string). */
export const IFLA_QDISC = 6;
/** Link attribute: 32-bit counters (struct rtnl_link_stats). */
export const IFLA_STATS = 7;
/** Link attribute: unused by the kernel. */
export const IFLA_COST = 8;
/** Link attribute: unused by the kernel. */
export const IFLA_PRIORITY = 9;
/** Link attribute: ifindex of the master device, e.g. a bridge, bond or VRF (u32). */
export const IFLA_MASTER = 10;
/** Link attribute: wireless extension event (binary). */
export const IFLA_WIRELESS = 11;
/** Link attribute: protocol-specific data, e.g. bridge port or IPv6 state (nested). */
export const IFLA_PROTINFO = 12;
/** Link attribute: transmit queue length in packets (u32). */
export const IFLA_TXQLEN = 13;
/** Link attribute: device memory and IRQ settings (struct rtnl_link_ifmap). */
export const IFLA_MAP = 14;
/** Link attribute: unused by the kernel. */
export const IFLA_WEIGHT = 15;
/** Link attribute: operational state (u8, IF_OPER_*). */
export const IFLA_OPERSTATE = 16;
/** Link attribute: link mode, default or dormant (u8). */
export const IFLA_LINKMODE = 17;
/** Link attribute: link kind and kind-specific settings (nested IFLA_INFO_*). */
export const IFLA_LINKINFO = 18;
/** Link attribute: move the link into the namespace of this process id (u32). */
export const IFLA_NET_NS_PID = 19;
/** Link attribute: free-form description (string). */
export const IFLA_IFALIAS = 20;
/** Link attribute: number of SR-IOV virtual functions (u32). */
export const IFLA_NUM_VF = 21;
/** Link attribute: settings of each virtual function (nested). */
export const IFLA_VFINFO_LIST = 22;
/** Link attribute: 64-bit counters (struct rtnl_link_stats64). */
export const IFLA_STATS64 = 23;
/** Link attribute: port profiles of the virtual functions (nested). */
export const IFLA_VF_PORTS = 24;
/** Link attribute: port profile of the device itself (nested). */
export const IFLA_PORT_SELF = 25;
/** Link attribute: per-address-family settings, keyed by AF_* (nested). */
export const IFLA_AF_SPEC = 26;
/** Link attribute: interface group number (u32). */
export const IFLA_GROUP = 27;
/** Link attribute: move the link into the namespace this file descriptor refers to (u32). */
export const IFLA_NET_NS_FD = 28;
/** Link attribute: in a GETLINK request, extra data to include (u32, RTEXT_FILTER_* bits). */
export const IFLA_EXT_MASK = 29;
/** Link attribute: promiscuous mode reference count (u32). */
export const IFLA_PROMISCUITY = 30;
/** Link attribute: number of transmit queues (u32). */
export const IFLA_NUM_TX_QUEUES = 31;
/** Link attribute: number of receive queues (u32). */
export const IFLA_NUM_RX_QUEUES = 32;
/** Link attribute: carrier state, 1 when up (u8). */
export const IFLA_CARRIER = 33;
/** Link attribute: physical port id (binary). */
export const IFLA_PHYS_PORT_ID = 34;
/** Link attribute: number of carrier changes (u32). */
export const IFLA_CARRIER_CHANGES = 35;
/** Link attribute: id of the switch the port belongs to (binary). */
export const IFLA_PHYS_SWITCH_ID = 36;
/** Link attribute: nsid of the namespace that holds the peer or lower device (s32). */
export const IFLA_LINK_NETNSID = 37;
/** Link attribute: physical port name (string). */
export const IFLA_PHYS_PORT_NAME = 38;
/** Link attribute: protocol down state set by a control plane (u8). */
export const IFLA_PROTO_DOWN = 39;
/** Link attribute: most segments in one GSO packet (u32). */
export const IFLA_GSO_MAX_SEGS = 40;
/** Link attribute: largest GSO packet in bytes (u32). */
export const IFLA_GSO_MAX_SIZE = 41;
/** Link attribute: padding for 64-bit alignment. */
export const IFLA_PAD = 42;
/** Link attribute: attached XDP program (nested). */
export const IFLA_XDP = 43;
/** Link attribute: why a link notification was sent (u32, IFLA_EVENT_*). */
export const IFLA_EVENT = 44;
/** Link attribute: nsid of the namespace the link moved to (s32). */
export const IFLA_NEW_NETNSID = 45;
/** Link attribute: nsid of the namespace the request applies to (s32). */
export const IFLA_IF_NETNSID = 46;
/** Link attribute: same number as IFLA_IF_NETNSID, under its newer name (s32). */
export const IFLA_TARGET_NETNSID = 46;
/** Link attribute: number of times the carrier came up (u32). */
export const IFLA_CARRIER_UP_COUNT = 47;
/** Link attribute: number of times the carrier went down (u32). */
export const IFLA_CARRIER_DOWN_COUNT = 48;
/** Link attribute: the link's ifindex in the namespace it moved to (s32). */
export const IFLA_NEW_IFINDEX = 49;
/** Link attribute: smallest MTU the device accepts (u32). */
export const IFLA_MIN_MTU = 50;
/** Link attribute: largest MTU the device accepts (u32). */
export const IFLA_MAX_MTU = 51;
/** Link attribute: list of link properties, such as alternative names (nested). */
export const IFLA_PROP_LIST = 52;
/** Link attribute: an alternative interface name (string). */
export const IFLA_ALT_IFNAME = 53;
/** Link attribute: permanent hardware address (binary). */
export const IFLA_PERM_ADDRESS = 54;
/** Link attribute: reason bits for the protocol down state (nested). */
export const IFLA_PROTO_DOWN_REASON = 55;
/** Link attribute: name of the parent device, e.g. a PCI address (string). */
export const IFLA_PARENT_DEV_NAME = 56;
/** Link attribute: bus of the parent device, e.g. "pci" (string). */
export const IFLA_PARENT_DEV_BUS_NAME = 57;
/** Link attribute: largest GRO packet in bytes (u32). */
export const IFLA_GRO_MAX_SIZE = 58;
/** Link attribute: largest TSO packet the device supports (u32). */
export const IFLA_TSO_MAX_SIZE = 59;
/** Link attribute: most TSO segments the device supports (u32). */
export const IFLA_TSO_MAX_SEGS = 60;
/** Link attribute: all-multicast reference count; above 0 means all-multicast is on (u32). */
export const IFLA_ALLMULTI = 61;
/** Link attribute: the devlink port of the device (nested). */
export const IFLA_DEVLINK_PORT = 62;
/** Link attribute: largest IPv4 GSO packet in bytes (u32). */
export const IFLA_GSO_IPV4_MAX_SIZE = 63;
/** Link attribute: largest IPv4 GRO packet in bytes (u32). */
export const IFLA_GRO_IPV4_MAX_SIZE = 64;
/** Link attribute: DPLL pin attached to the device (nested). */
export const IFLA_DPLL_PIN = 65;
/** Link attribute: how far ahead, in nanoseconds, the device can pace packets (uint). */
export const IFLA_MAX_PACING_OFFLOAD_HORIZON = 66;
/** Link attribute: the device cannot move to another namespace (u8). */
export const IFLA_NETNS_IMMUTABLE = 67;

/** Link info attribute: unused (0). */
export const IFLA_INFO_UNSPEC = 0;
/** Link info attribute: the link kind, e.g. "veth" or "bridge" (string). */
export const IFLA_INFO_KIND = 1;
/** Link info attribute: settings of that kind (nested). */
export const IFLA_INFO_DATA = 2;
/** Link info attribute: statistics of that kind (binary). */
export const IFLA_INFO_XSTATS = 3;
/** Link info attribute: kind of the master this link is a port of (string). */
export const IFLA_INFO_SLAVE_KIND = 4;
/** Link info attribute: the port's settings for that master (nested). */
export const IFLA_INFO_SLAVE_DATA = 5;

/** <linux/veth.h>: the peer's ifinfomsg + attributes inside IFLA_INFO_DATA. */
export const VETH_INFO_PEER = 1;

// Address attributes (<linux/if_addr.h>)
/** Address attribute: unused (0). */
export const IFA_UNSPEC = 0;
/** Address attribute: the address; on point-to-point links, the peer's address (binary). */
export const IFA_ADDRESS = 1;
/** Address attribute: the local address, which differs from IFA_ADDRESS on point-to-point links (binary). */
export const IFA_LOCAL = 2;
/** Address attribute: IPv4 address label, e.g. "eth0:1" (string). */
export const IFA_LABEL = 3;
/** Address attribute: broadcast address (binary). */
export const IFA_BROADCAST = 4;
/** Address attribute: anycast address (binary). */
export const IFA_ANYCAST = 5;
/** Address attribute: lifetimes and timestamps (struct ifa_cacheinfo). */
export const IFA_CACHEINFO = 6;
/** Address attribute: multicast address (binary). */
export const IFA_MULTICAST = 7;
/** Address attribute: all address flags (u32; ifa_flags holds only the low 8 bits). */
export const IFA_FLAGS = 8;
/** Address attribute: metric of the prefix route the address adds (u32). */
export const IFA_RT_PRIORITY = 9;
/** Address attribute: nsid of the namespace the request applies to (s32). */
export const IFA_TARGET_NETNSID = 10;
/** Address attribute: who added the address (u8, IFAPROT_*). */
export const IFA_PROTO = 11;

// Route attributes (enum rtattr_type_t)
/** Route attribute: unused (0). */
export const RTA_UNSPEC = 0;
/** Route attribute: destination prefix (binary). */
export const RTA_DST = 1;
/** Route attribute: source prefix (binary). */
export const RTA_SRC = 2;
/** Route attribute: input interface index (u32). */
export const RTA_IIF = 3;
/** Route attribute: output interface index (u32). */
export const RTA_OIF = 4;
/** Route attribute: gateway address (binary). */
export const RTA_GATEWAY = 5;
/** Route attribute: metric (u32). */
export const RTA_PRIORITY = 6;
/** Route attribute: preferred source address (binary). */
export const RTA_PREFSRC = 7;
/** Route attribute: route metrics such as MTU or window (nested RTAX_*). */
export const RTA_METRICS = 8;
/** Route attribute: nexthops of a multipath route (array of struct rtnexthop). */
export const RTA_MULTIPATH = 9;
/** Route attribute: no longer used. */
export const RTA_PROTOINFO = 10;
/** Route attribute: routing realm (u32). */
export const RTA_FLOW = 11;
/** Route attribute: usage and expiry data (struct rta_cacheinfo). */
export const RTA_CACHEINFO = 12;
/** Route attribute: no longer used. */
export const RTA_SESSION = 13;
/** Route attribute: no longer used. */
export const RTA_MP_ALGO = 14;
/** Route attribute: table id, which may exceed rtm_table's 8 bits (u32). */
export const RTA_TABLE = 15;
/** Route attribute: firewall mark for a route lookup (u32). */
export const RTA_MARK = 16;
/** Route attribute: multicast forwarding counters (struct rta_mfc_stats). */
export const RTA_MFC_STATS = 17;
/** Route attribute: gateway of another address family (struct rtvia). */
export const RTA_VIA = 18;
/** Route attribute: MPLS labels to push (binary). */
export const RTA_NEWDST = 19;
/** Route attribute: IPv6 router preference (u8). */
export const RTA_PREF = 20;
/** Route attribute: lightweight tunnel type (u16, LWTUNNEL_ENCAP_*). */
export const RTA_ENCAP_TYPE = 21;
/** Route attribute: lightweight tunnel settings (nested). */
export const RTA_ENCAP = 22;
/** Route attribute: lifetime in seconds (u32). */
export const RTA_EXPIRES = 23;
/** Route attribute: padding for 64-bit alignment. */
export const RTA_PAD = 24;
/** Route attribute: user id for a route lookup (u32). */
export const RTA_UID = 25;
/** Route attribute: whether MPLS TTL propagates to IP (u8). */
export const RTA_TTL_PROPAGATE = 26;
/** Route attribute: IP protocol for a route lookup (u8). */
export const RTA_IP_PROTO = 27;
/** Route attribute: source port for a route lookup (u16, network byte order). */
export const RTA_SPORT = 28;
/** Route attribute: destination port for a route lookup (u16, network byte order). */
export const RTA_DPORT = 29;
/** Route attribute: id of the nexthop object the route uses (u32). */
export const RTA_NH_ID = 30;
/** Route attribute: IPv6 flow label for a route lookup (u32, network byte order). */
export const RTA_FLOWLABEL = 31;

// rtm_type
/** Route type: unspecified. */
export const RTN_UNSPEC = 0;
/** Route type: ordinary route, via a gateway or directly attached. */
export const RTN_UNICAST = 1;
/** Route type: a local address; packets are delivered to this host. */
export const RTN_LOCAL = 2;
/** Route type: broadcast address; delivered locally and sent as broadcast. */
export const RTN_BROADCAST = 3;
/** Route type: delivered locally as broadcast, sent as unicast. */
export const RTN_ANYCAST = 4;
/** Route type: multicast route. */
export const RTN_MULTICAST = 5;
/** Route type: packets are dropped silently. */
export const RTN_BLACKHOLE = 6;
/** Route type: packets are dropped and the sender told the host is unreachable. */
export const RTN_UNREACHABLE = 7;
/** Route type: packets are dropped as administratively prohibited. */
export const RTN_PROHIBIT = 8;
/** Route type: the lookup leaves this table and goes on with the next rule. */
export const RTN_THROW = 9;
/** Route type: address translation (no longer supported for IPv4). */
export const RTN_NAT = 10;
/** Route type: use an external resolver (not implemented). */
export const RTN_XRESOLVE = 11;

// rtm_protocol
/** Route protocol: unknown. */
export const RTPROT_UNSPEC = 0;
/** Route protocol: added by an ICMP redirect. */
export const RTPROT_REDIRECT = 1;
/** Route protocol: added by the kernel. */
export const RTPROT_KERNEL = 2;
/** Route protocol: added during boot; also `ip route`'s default. */
export const RTPROT_BOOT = 3;
/** Route protocol: added by the administrator. */
export const RTPROT_STATIC = 4;

// rtm_scope
/** Route scope: global, reachable anywhere. */
export const RT_SCOPE_UNIVERSE = 0;
/** Route scope: within the site. */
export const RT_SCOPE_SITE = 200;
/** Route scope: on a directly attached link. */
export const RT_SCOPE_LINK = 253;
/** Route scope: on this host. */
export const RT_SCOPE_HOST = 254;
/** Route scope: the destination does not exist. */
export const RT_SCOPE_NOWHERE = 255;

// Reserved table identifiers
/** Table id: unspecified (dumps then cover every table). */
export const RT_TABLE_UNSPEC = 0;
/** Table id put in rtm_table when the real id, in RTA_TABLE, does not fit in 8 bits. */
export const RT_TABLE_COMPAT = 252;
/** Table id: the default table. */
export const RT_TABLE_DEFAULT = 253;
/** Table id: the main table, where routes go unless told otherwise. */
export const RT_TABLE_MAIN = 254;
/** Table id: the local table of local and broadcast addresses. */
export const RT_TABLE_LOCAL = 255;

// Neighbour attributes (<linux/neighbour.h>)
/** Neighbour attribute: unused (0). */
export const NDA_UNSPEC = 0;
/** Neighbour attribute: the neighbour's network-layer address (binary). */
export const NDA_DST = 1;
/** Neighbour attribute: the neighbour's link-layer address (binary). */
export const NDA_LLADDR = 2;
/** Neighbour attribute: timestamps and reference count (struct nda_cacheinfo). */
export const NDA_CACHEINFO = 3;
/** Neighbour attribute: number of probes sent (u32). */
export const NDA_PROBES = 4;
/** Neighbour attribute: VLAN id of a bridge FDB entry (u16). */
export const NDA_VLAN = 5;
/** Neighbour attribute: UDP port of a VXLAN FDB entry (u16, network byte order). */
export const NDA_PORT = 6;
/** Neighbour attribute: VXLAN network id of an FDB entry (u32). */
export const NDA_VNI = 7;
/** Neighbour attribute: outgoing interface of a VXLAN FDB entry (u32). */
export const NDA_IFINDEX = 8;
/** Neighbour attribute: ifindex of the master device; also a dump filter (u32). */
export const NDA_MASTER = 9;
/** Neighbour attribute: nsid of the namespace of the link (s32). */
export const NDA_LINK_NETNSID = 10;
/** Neighbour attribute: source VNI of a VXLAN FDB entry (u32). */
export const NDA_SRC_VNI = 11;
/** Neighbour attribute: who added the entry (u8). */
export const NDA_PROTOCOL = 12;
/** Neighbour attribute: id of the nexthop group of an FDB entry (u32). */
export const NDA_NH_ID = 13;
/** Neighbour attribute: extra FDB settings (nested NFEA_*). */
export const NDA_FDB_EXT_ATTRS = 14;
/** Neighbour attribute: extended flags (u32, NTF_EXT_*). */
export const NDA_FLAGS_EXT = 15;
/** Neighbour attribute: which ndm_state bits an FDB flush compares (u16). */
export const NDA_NDM_STATE_MASK = 16;
/** Neighbour attribute: which ndm_flags bits an FDB flush compares (u8). */
export const NDA_NDM_FLAGS_MASK = 17;

// Rule attributes (<linux/fib_rules.h>)
/** Rule attribute: unused (0). */
export const FRA_UNSPEC = 0;
/** Rule attribute: destination prefix to match (binary). */
export const FRA_DST = 1;
/** Rule attribute: source prefix to match (binary). */
export const FRA_SRC = 2;
/** Rule attribute: input interface name to match (string). */
export const FRA_IIFNAME = 3;
/** Rule attribute: priority of the rule to jump to (u32). */
export const FRA_GOTO = 4;
/** Rule attribute: rule priority; lower numbers are tried first (u32). */
export const FRA_PRIORITY = 6;
/** Rule attribute: firewall mark to match (u32). */
export const FRA_FWMARK = 10;
/** Rule attribute: routing realm to match (u32). */
export const FRA_FLOW = 11;
/** Rule attribute: tunnel id to match (u64, network byte order). */
export const FRA_TUN_ID = 12;
/** Rule attribute: reject a lookup result whose device is in this group (u32). */
export const FRA_SUPPRESS_IFGROUP = 13;
/** Rule attribute: reject a lookup result whose prefix is this long or shorter (u32). */
export const FRA_SUPPRESS_PREFIXLEN = 14;
/** Rule attribute: table id to look up, beyond 8 bits (u32). */
export const FRA_TABLE = 15;
/** Rule attribute: mask applied to the firewall mark before matching (u32). */
export const FRA_FWMASK = 16;
/** Rule attribute: output interface name to match (string). */
export const FRA_OIFNAME = 17;
/** Rule attribute: padding for 64-bit alignment. */
export const FRA_PAD = 18;
/** Rule attribute: look up the table of the packet's L3 master device, e.g. a VRF (u8). */
export const FRA_L3MDEV = 19;
/** Rule attribute: user id range to match (struct fib_rule_uid_range). */
export const FRA_UID_RANGE = 20;
/** Rule attribute: who added the rule (u8). */
export const FRA_PROTOCOL = 21;
/** Rule attribute: IP protocol to match (u8). */
export const FRA_IP_PROTO = 22;
/** Rule attribute: source port range to match (struct fib_rule_port_range). */
export const FRA_SPORT_RANGE = 23;
/** Rule attribute: destination port range to match (struct fib_rule_port_range). */
export const FRA_DPORT_RANGE = 24;
/** Rule attribute: DSCP value to match (u8). */
export const FRA_DSCP = 25;
/** Rule attribute: IPv6 flow label to match (u32, network byte order). */
export const FRA_FLOWLABEL = 26;
/** Rule attribute: mask applied to the flow label before matching (u32, network byte order). */
export const FRA_FLOWLABEL_MASK = 27;

// Namespace id attributes (enum netnsa in <linux/net_namespace.h>)
/** Namespace id attribute: unused (0). */
export const NETNSA_NONE = 0;
/** Namespace id attribute: the id (s32; -1 when none is assigned). */
export const NETNSA_NSID = 1;
/** Namespace id attribute: name the namespace by a process id in it (u32). */
export const NETNSA_PID = 2;
/** Namespace id attribute: name the namespace by a file descriptor (u32). */
export const NETNSA_FD = 3;
/** Namespace id attribute: answer as seen from the namespace with this id (s32). */
export const NETNSA_TARGET_NSID = 4;
/** Namespace id attribute: with NETNSA_TARGET_NSID, the id as seen from the caller's own namespace (s32). */
export const NETNSA_CURRENT_NSID = 5;

// Interface flags (IFF_* in <linux/if.h>), in ifinfomsg.ifi_flags
/** Interface flag: administratively up. */
export const IFF_UP = 0x1;
/** Interface flag: broadcast address valid. */
export const IFF_BROADCAST = 0x2;
/** Interface flag: debugging on (unused by the kernel). */
export const IFF_DEBUG = 0x4;
/** Interface flag: a loopback device. */
export const IFF_LOOPBACK = 0x8;
/** Interface flag: a point-to-point link. */
export const IFF_POINTOPOINT = 0x10;
/** Interface flag: avoid trailers (unused by the kernel). */
export const IFF_NOTRAILERS = 0x20;
/** Interface flag: operationally up (read only; RFC 2863 OPER_UP or UNKNOWN). */
export const IFF_RUNNING = 0x40;
/** Interface flag: no ARP. */
export const IFF_NOARP = 0x80;
/** Interface flag: receive all packets. */
export const IFF_PROMISC = 0x100;
/** Interface flag: receive all multicast packets. */
export const IFF_ALLMULTI = 0x200;
/** Interface flag: master of a load balancer (bonding). */
export const IFF_MASTER = 0x400;
/** Interface flag: a slave of a load balancer (bonding). */
export const IFF_SLAVE = 0x800;
/** Interface flag: supports multicast. */
export const IFF_MULTICAST = 0x1000;
/** Interface flag: can set media type. */
export const IFF_PORTSEL = 0x2000;
/** Interface flag: auto media select active. */
export const IFF_AUTOMEDIA = 0x4000;
/** Interface flag: dialup device with changing addresses. */
export const IFF_DYNAMIC = 0x8000;
/** Interface flag: the driver signals L1 up (read only). */
export const IFF_LOWER_UP = 0x10000;
/** Interface flag: the driver signals dormant (read only). */
export const IFF_DORMANT = 0x20000;
/** Interface flag: echo sent packets. */
export const IFF_ECHO = 0x40000;

// Link-layer types (ARPHRD_* in <linux/if_arp.h>), in ifinfomsg.ifi_type; all of them are named in names.ts
/** Link type: Ethernet. */
export const ARPHRD_ETHER = 1;
/** Link type: no link-layer header (e.g. a tun device). */
export const ARPHRD_NONE = 0xfffe;

/** Longest interface alias with its NUL (IFALIASZ in <linux/if.h>). */
export const IFALIASZ = 256;
/** Most segments the kernel allows in one GSO packet (GSO_MAX_SEGS in <linux/netdevice.h>). */
export const GSO_MAX_SEGS = 65535;

/** RTM_GETLINK filter bit in IFLA_EXT_MASK: include the SR-IOV virtual functions (RTEXT_FILTER_VF). */
export const RTEXT_FILTER_VF = 1;

// XDP attributes (IFLA_XDP_* in <linux/if_link.h>), nested in IFLA_XDP
/** XDP attribute: program file descriptor to attach (s32; -1 detaches). */
export const IFLA_XDP_FD = 1;
/** XDP attribute: attach mode flags (u32, XDP_FLAGS_*). */
export const IFLA_XDP_FLAGS = 3;

// tun/tap link attributes (IFLA_TUN_* in <linux/if_link.h>), nested in IFLA_INFO_DATA
/** tun attribute: owner uid (u32). */
export const IFLA_TUN_OWNER = 1;
/** tun attribute: group gid (u32). */
export const IFLA_TUN_GROUP = 2;
/** tun attribute: device type, IFF_TUN or IFF_TAP (u8). */
export const IFLA_TUN_TYPE = 3;
/** tun attribute: packet information header on (u8). */
export const IFLA_TUN_PI = 4;
/** tun attribute: virtio-net header on (u8). */
export const IFLA_TUN_VNET_HDR = 5;
/** tun attribute: the device outlives its file descriptor (u8). */
export const IFLA_TUN_PERSIST = 6;
/** tun attribute: multiple queues (u8). */
export const IFLA_TUN_MULTI_QUEUE = 7;

// Address flags (IFA_F_* in <linux/if_addr.h>)
/** Address flag: a secondary address (another address of the subnet came first). */
export const IFA_F_SECONDARY = 0x01;
/** Address flag: a permanent address (not from autoconfiguration). */
export const IFA_F_PERMANENT = 0x80;
/** Address lifetime meaning forever (INFINITY_LIFE_TIME in net/ipv4/devinet.c). */
export const INFINITY_LIFE_TIME = 0xffffffff;

// rtm_flags (RTM_F_* in <linux/rtnetlink.h>)
/** Route flag: notify the user of route changes (route get). */
export const RTM_F_NOTIFY = 0x100;
/** Route flag: a cloned route (routing cache entry). */
export const RTM_F_CLONED = 0x200;
/** Route flag: return the table's answer, not the resolved route (route get). */
export const RTM_F_LOOKUP_TABLE = 0x1000;
/** Route flag: return the FIB entry that matched (route get fibmatch). */
export const RTM_F_FIB_MATCH = 0x2000;
/** Route flag: the route is offloaded to hardware. */
export const RTM_F_OFFLOAD = 0x4000;
/** Route flag: the route traps packets to the CPU in hardware. */
export const RTM_F_TRAP = 0x8000;
/** Route flag: offloading the route failed. */
export const RTM_F_OFFLOAD_FAILED = 0x20000000;
/** Nexthop flag (RTNH_F_* in <linux/rtnetlink.h>): the gateway is on the link even if no prefix says so. */
export const RTNH_F_ONLINK = 4;

// Route metrics (RTAX_* in <linux/rtnetlink.h>), nested in RTA_METRICS
/** Metric: bit mask of the metrics that are locked. */
export const RTAX_LOCK = 1;
/** Metric: path MTU. */
export const RTAX_MTU = 2;
/** Metric: TCP window clamp. */
export const RTAX_WINDOW = 3;
/** Metric: TCP round-trip time estimate. */
export const RTAX_RTT = 4;
/** Metric: TCP round-trip time variance. */
export const RTAX_RTTVAR = 5;
/** Metric: TCP slow start threshold. */
export const RTAX_SSTHRESH = 6;
/** Metric: TCP congestion window. */
export const RTAX_CWND = 7;
/** Metric: TCP advertised maximum segment size. */
export const RTAX_ADVMSS = 8;
/** Metric: TCP reordering. */
export const RTAX_REORDERING = 9;
/** Metric: hop limit. */
export const RTAX_HOPLIMIT = 10;
/** Metric: TCP initial congestion window. */
export const RTAX_INITCWND = 11;
/** Metric: features (RTAX_FEATURE_* bits). */
export const RTAX_FEATURES = 12;
/** Metric: TCP minimum retransmission timeout. */
export const RTAX_RTO_MIN = 13;
/** Metric: TCP initial receive window. */
export const RTAX_INITRWND = 14;
/** Metric: TCP quick ack. */
export const RTAX_QUICKACK = 15;
/** Metric: TCP congestion control algorithm (string). */
export const RTAX_CC_ALGO = 16;
/** Metric: TCP Fast Open without a cookie. */
export const RTAX_FASTOPEN_NO_COOKIE = 17;

// Lightweight tunnel encapsulations (enum lwtunnel_encap_types in <linux/lwtunnel.h>), in RTA_ENCAP_TYPE
/** Encapsulation: MPLS. */
export const LWTUNNEL_ENCAP_MPLS = 1;
/** Encapsulation: IPv4 (ip_tunnel_info). */
export const LWTUNNEL_ENCAP_IP = 2;
/** Encapsulation: IPv6 (ip_tunnel_info). */
export const LWTUNNEL_ENCAP_IP6 = 4;
/** Encapsulation: IPv6 segment routing. */
export const LWTUNNEL_ENCAP_SEG6 = 5;
// LWTUNNEL_IP_* and LWTUNNEL_IP6_* share their numbers: id, dst, src, ttl / hoplimit, tos / tc.
/** IP tunnel attribute: tunnel id (u64, network byte order). */
export const LWTUNNEL_IP_ID = 1;
/** IP tunnel attribute: destination address. */
export const LWTUNNEL_IP_DST = 2;
/** IP tunnel attribute: source address. */
export const LWTUNNEL_IP_SRC = 3;
/** IP tunnel attribute: TTL (IPv6: hop limit) (u8). */
export const LWTUNNEL_IP_TTL = 4;
/** IP tunnel attribute: TOS (IPv6: traffic class) (u8). */
export const LWTUNNEL_IP_TOS = 5;
/** MPLS tunnel attribute (MPLS_IPTUNNEL_* in <linux/mpls_iptunnel.h>): labels to push. */
export const MPLS_IPTUNNEL_DST = 1;
/** MPLS tunnel attribute: TTL of the pushed labels (u8). */
export const MPLS_IPTUNNEL_TTL = 2;
/** Segment routing tunnel attribute (SEG6_IPTUNNEL_* in <linux/seg6_iptunnel.h>): mode and routing header. */
export const SEG6_IPTUNNEL_SRH = 1;

// Per-device IP settings (NETCONFA_* in <linux/netconf.h>)
/** Netconf attribute: the interface index, or one of NETCONFA_IFINDEX_ALL / _DEFAULT (s32). */
export const NETCONFA_IFINDEX = 1;
/** Netconf attribute: reverse path filter mode (s32: 0 off, 1 strict, 2 loose). */
export const NETCONFA_RP_FILTER = 3;
/** Netconf interface index of the "all" settings. */
export const NETCONFA_IFINDEX_ALL = -1;
/** Netconf interface index of the "default" settings. */
export const NETCONFA_IFINDEX_DEFAULT = -2;

// Neighbour states (NUD_* in <linux/neighbour.h>), in ndmsg.ndm_state; all of them are named in names.ts
/** Neighbour state: no ARP / NDP needed (e.g. point-to-point). */
export const NUD_NOARP = 0x40;
/** Neighbour state: a static entry. */
export const NUD_PERMANENT = 0x80;

// Neighbour flags (NTF_* in <linux/neighbour.h>), in ndmsg.ndm_flags
/** Neighbour flag: mark the entry used (a write that only refreshes it). */
export const NTF_USE = 0x01;
/** Neighbour flag: a proxy ARP / NDP entry. */
export const NTF_PROXY = 0x08;
/** Neighbour flag: learnt by something outside the kernel (e.g. a switch driver). */
export const NTF_EXT_LEARNED = 0x10;
/** Neighbour flag: offloaded to hardware. */
export const NTF_OFFLOADED = 0x20;
/** Neighbour flag: the neighbour is an IPv6 router. */
export const NTF_ROUTER = 0x80;
/** Extended neighbour flag (NTF_EXT_* in NDA_FLAGS_EXT): an entry the kernel keeps resolved. */
export const NTF_EXT_MANAGED = 0x01;

// Rule flags and actions (<linux/fib_rules.h>)
/** Rule flag: the selector is inverted ("not"). */
export const FIB_RULE_INVERT = 0x2;
/** Rule flag: a goto whose target rule does not exist. */
export const FIB_RULE_UNRESOLVED = 0x4;
/** Rule flag: the input interface the rule names does not exist. */
export const FIB_RULE_IIF_DETACHED = 0x8;
/** Rule flag: the output interface the rule names does not exist. */
export const FIB_RULE_OIF_DETACHED = 0x10;
/** Rule action: look up a table. */
export const FR_ACT_TO_TBL = 1;
/** Rule action: jump to another rule. */
export const FR_ACT_GOTO = 2;
/** Rule action: do nothing. */
export const FR_ACT_NOP = 3;
