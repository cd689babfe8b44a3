// Kernel constants of netlink itself, under their kernel names, so they can be
// grepped in the headers they come from (<linux/netlink.h>,
// <linux/genetlink.h>). Constants of one family live in that family's folder
// (src/families/route/constants.ts, src/families/genl/constants.ts).

/** Netlink protocol numbers (NETLINK_* in <linux/netlink.h>), by kernel name without the prefix. */
export const Protocol = {
  /** Routing, links, addresses and neighbours (rtnetlink). */
  ROUTE: 0,
  /** Unused protocol number. */
  UNUSED: 1,
  /** Free for user-space protocols: processes talk to each other, not to the kernel. */
  USERSOCK: 2,
  /** Old ip_queue packet queueing; not used by current kernels. */
  FIREWALL: 3,
  /** Socket monitoring (sock_diag, what `ss` reads). */
  SOCK_DIAG: 4,
  /** Older name for SOCK_DIAG (same number). */
  INET_DIAG: 4,
  /** Old netfilter ULOG logging; not used by current kernels. */
  NFLOG: 5,
  /** IPsec states and policies (xfrm). */
  XFRM: 6,
  /** SELinux notifications. */
  SELINUX: 7,
  /** Open-iSCSI transport. */
  ISCSI: 8,
  /** Kernel audit subsystem. */
  AUDIT: 9,
  /** Routing table lookups from user space. */
  FIB_LOOKUP: 10,
  /** Kernel connector (e.g. process events). */
  CONNECTOR: 11,
  /** nfnetlink: nftables, conntrack, queue, log and more. */
  NETFILTER: 12,
  /** Old IPv6 packet queueing; not used by current kernels. */
  IP6_FW: 13,
  /** DECnet routing messages (DECnet has been removed). */
  DNRTMSG: 14,
  /** Device uevents, as udev receives them. */
  KOBJECT_UEVENT: 15,
  /** Generic netlink: families looked up by name at run time. */
  GENERIC: 16,
  /** SCSI transport events. */
  SCSITRANSPORT: 18,
  /** Reserved for eCryptfs. */
  ECRYPTFS: 19,
  /** RDMA subsystem (what the `rdma` tool talks to). */
  RDMA: 20,
  /** Crypto algorithm queries and configuration. */
  CRYPTO: 21,
  /** SMC socket monitoring. */
  SMC: 22,
} as const;
/** One of the numbers in {@link Protocol}. */
export type ProtocolNumber = (typeof Protocol)[keyof typeof Protocol];

// Protocols on which only the kernel (port 0) sends unsolicited messages.
// NETLINK_USERSOCK is the one protocol where user processes talk to each other.
/** True when messages on this protocol must come from the kernel (sender port 0). */
export function isKernelProtocol(protocol: number): boolean {
  return protocol !== Protocol.USERSOCK;
}

// Message types (<linux/netlink.h>)
/** Message type: no operation; the receiver skips it. */
export const NLMSG_NOOP = 0x1;
/** Message type: an error, or with error 0 an acknowledgement. */
export const NLMSG_ERROR = 0x2;
/** Message type: the end of a multipart reply. */
export const NLMSG_DONE = 0x3;
/** Message type: data was lost (defined, but current kernels do not send it). */
export const NLMSG_OVERRUN = 0x4;
/** Lowest message type a protocol may use; the values below are control messages. */
export const NLMSG_MIN_TYPE = 0x10;

// Flags values
/** Header flag: the message is a request. */
export const NLM_F_REQUEST = 0x01;
/** Header flag: one part of a multipart reply, which ends with NLMSG_DONE. */
export const NLM_F_MULTI = 0x02;
/** Header flag: ask for an acknowledgement even when the request succeeds. */
export const NLM_F_ACK = 0x04;
/** Header flag: also send the resulting notification back to the requester. */
export const NLM_F_ECHO = 0x08;
/** Header flag: the table changed during the dump, so the result may be inconsistent. */
export const NLM_F_DUMP_INTR = 0x10;
/** Header flag: the kernel applied the filter given in the dump request. */
export const NLM_F_DUMP_FILTERED = 0x20;
// Modifiers to GET request
/** GET flag: return the whole table instead of one entry. */
export const NLM_F_ROOT = 0x100;
/** GET flag: return every entry that matches the request. */
export const NLM_F_MATCH = 0x200;
/** GET flag: ask for an atomic snapshot (legacy). */
export const NLM_F_ATOMIC = 0x400;
/** GET flags for a dump: NLM_F_ROOT and NLM_F_MATCH together. */
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
// Modifiers to NEW request
/** NEW flag: replace an existing object. */
export const NLM_F_REPLACE = 0x100;
/** NEW flag: fail if the object already exists. */
export const NLM_F_EXCL = 0x200;
/** NEW flag: create the object if it does not exist. */
export const NLM_F_CREATE = 0x400;
/** NEW flag: add the object at the end of its list. */
export const NLM_F_APPEND = 0x800;
// Modifiers to DELETE request
/** DELETE flag: do not delete recursively. */
export const NLM_F_NONREC = 0x100;
/** DELETE flag: delete every object that matches (bulk delete). */
export const NLM_F_BULK = 0x200;
// Flags for ACK message
/** ACK flag: the request echoed in the error was cut down to its header. */
export const NLM_F_CAPPED = 0x100;
/** ACK flag: extended ack attributes follow the error payload. */
export const NLM_F_ACK_TLVS = 0x200;

// Extended ack attributes (enum nlmsgerr_attrs)
/** Extended ack attribute: unused (0). */
export const NLMSGERR_ATTR_UNUSED = 0;
/** Extended ack attribute: human-readable error message (string). */
export const NLMSGERR_ATTR_MSG = 1;
/** Extended ack attribute: byte offset of the offending attribute in the request (u32). */
export const NLMSGERR_ATTR_OFFS = 2;
/** Extended ack attribute: opaque cookie returned by the operation (binary). */
export const NLMSGERR_ATTR_COOKIE = 3;
/** Extended ack attribute: policy of the rejected attribute (nested NL_POLICY_TYPE_ATTR_*). */
export const NLMSGERR_ATTR_POLICY = 4;
/** Extended ack attribute: type of the required attribute that was missing (u32). */
export const NLMSGERR_ATTR_MISS_TYPE = 5;
/** Extended ack attribute: offset of the nest that lacks the missing attribute (u32). */
export const NLMSGERR_ATTR_MISS_NEST = 6;

// Policy description attributes (enum netlink_policy_type_attr)
/** Policy attribute: unused (0). */
export const NL_POLICY_TYPE_ATTR_UNSPEC = 0;
/** Policy attribute: the attribute's type (u32, index into NL_ATTR_TYPE_NAMES). */
export const NL_POLICY_TYPE_ATTR_TYPE = 1;
/** Policy attribute: smallest allowed signed value (s64). */
export const NL_POLICY_TYPE_ATTR_MIN_VALUE_S = 2;
/** Policy attribute: largest allowed signed value (s64). */
export const NL_POLICY_TYPE_ATTR_MAX_VALUE_S = 3;
/** Policy attribute: smallest allowed unsigned value (u64). */
export const NL_POLICY_TYPE_ATTR_MIN_VALUE_U = 4;
/** Policy attribute: largest allowed unsigned value (u64). */
export const NL_POLICY_TYPE_ATTR_MAX_VALUE_U = 5;
/** Policy attribute: shortest allowed payload in bytes (u32). */
export const NL_POLICY_TYPE_ATTR_MIN_LENGTH = 6;
/** Policy attribute: longest allowed payload in bytes (u32). */
export const NL_POLICY_TYPE_ATTR_MAX_LENGTH = 7;
/** Policy attribute: index of the policy that applies inside a nest (u32). */
export const NL_POLICY_TYPE_ATTR_POLICY_IDX = 8;
/** Policy attribute: highest attribute type in that nested policy (u32). */
export const NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE = 9;
/** Policy attribute: bits a bitfield32 attribute may set (u32). */
export const NL_POLICY_TYPE_ATTR_BITFIELD32_MASK = 10;
/** Policy attribute: padding for 64-bit alignment. */
export const NL_POLICY_TYPE_ATTR_PAD = 11;
/** Policy attribute: bits an unsigned value may set (u64). */
export const NL_POLICY_TYPE_ATTR_MASK = 12;

/** Attribute policy types (enum netlink_attribute_type), index = value. */
export const NL_ATTR_TYPE_NAMES = [
  'invalid',
  'flag',
  'u8',
  'u16',
  'u32',
  'u64',
  's8',
  's16',
  's32',
  's64',
  'binary',
  'string',
  'nul-string',
  'nested',
  'nested-array',
  'bitfield32',
  'sint',
  'uint',
] as const;

// Attribute type flags (struct nlattr)
/** Attribute type bit: the payload holds nested attributes. */
export const NLA_F_NESTED = 1 << 15;
/** Attribute type bit: the payload is in network byte order. */
export const NLA_F_NET_BYTEORDER = 1 << 14;
/** Mask that strips the two flag bits from an attribute type. */
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

// Socket options (SOL_NETLINK level)
/** Socket option level for the NETLINK_* options. */
export const SOL_NETLINK = 270;
/** Socket option: join a multicast group (by group number, not bit mask). */
export const NETLINK_ADD_MEMBERSHIP = 1;
/** Socket option: leave a multicast group. */
export const NETLINK_DROP_MEMBERSHIP = 2;
/** Socket option: pass each message's destination group as ancillary data. */
export const NETLINK_PKTINFO = 3;
/** Socket option: report failed broadcast deliveries to this socket back to the sender. */
export const NETLINK_BROADCAST_ERROR = 4;
/** Socket option: do not report ENOBUFS when the receive buffer overflows. */
export const NETLINK_NO_ENOBUFS = 5;
/** Socket option: memory-mapped receive ring (removed in Linux 4.6). */
export const NETLINK_RX_RING = 6;
/** Socket option: memory-mapped transmit ring (removed in Linux 4.6). */
export const NETLINK_TX_RING = 7;
/** Socket option: also receive notifications from peer namespaces that have an nsid. */
export const NETLINK_LISTEN_ALL_NSID = 8;
/** Socket option (get only): the joined groups as a bit mask. */
export const NETLINK_LIST_MEMBERSHIPS = 9;
/** Socket option: acknowledgements carry only the request's header, not its payload. */
export const NETLINK_CAP_ACK = 10;
/** Socket option: ask for extended acknowledgements (message, offset, policy). */
export const NETLINK_EXT_ACK = 11;
/** Socket option: have the kernel check dump requests strictly. */
export const NETLINK_GET_STRICT_CHK = 12;

// Address families used in netlink fixed headers
/** Address family: unspecified (all families). */
export const AF_UNSPEC = 0;
/** Address family: local Unix sockets. */
export const AF_UNIX = 1;
/** Address family: IPv4. */
export const AF_INET = 2;
/** Address family: bridge (FDB, VLAN and multicast database messages). */
export const AF_BRIDGE = 7;
/** Address family: IPv6. */
export const AF_INET6 = 10;
/** Address family: netlink. */
export const AF_NETLINK = 16;
/** Address family: link-layer packets. */
export const AF_PACKET = 17;
/** Address family: MPLS. */
export const AF_MPLS = 28;

/** Longest network device name with its NUL (IFNAMSIZ in <linux/if.h>); every family that names devices keeps to it. */
export const IFNAMSIZ = 16;

// Generic netlink framing (<linux/genetlink.h>)
/** sizeof(struct genlmsghdr) */
export const GENL_HDRLEN = 4;
/** Family id of the generic netlink controller ("nlctrl"), which is fixed. */
export const GENL_ID_CTRL = NLMSG_MIN_TYPE;
