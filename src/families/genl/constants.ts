// Constants of the generic netlink controller (nlctrl, <linux/genetlink.h>),
// under their kernel names. The genetlink header size and the controller's
// fixed id are netlink framing and stay in core/constants.ts.

/** Controller command: unused (0). */
export const CTRL_CMD_UNSPEC = 0;
/** Controller command: a family's description (reply, or notification of a new family). */
export const CTRL_CMD_NEWFAMILY = 1;
/** Controller command: notification that a family was removed. */
export const CTRL_CMD_DELFAMILY = 2;
/** Controller command: describe one family by name or id, or dump all of them. */
export const CTRL_CMD_GETFAMILY = 3;
/** Controller command: reserved, not used. */
export const CTRL_CMD_NEWOPS = 4;
/** Controller command: reserved, not used. */
export const CTRL_CMD_DELOPS = 5;
/** Controller command: reserved, not used. */
export const CTRL_CMD_GETOPS = 6;
/** Controller command: notification that a multicast group was added. */
export const CTRL_CMD_NEWMCAST_GRP = 7;
/** Controller command: notification that a multicast group was removed. */
export const CTRL_CMD_DELMCAST_GRP = 8;
/** Controller command: reserved, not used. */
export const CTRL_CMD_GETMCAST_GRP = 9;
/** Controller command: dump the attribute policies of a family. */
export const CTRL_CMD_GETPOLICY = 10;
/** Controller attribute: unused (0). */
export const CTRL_ATTR_UNSPEC = 0;
/** Controller attribute: family id, used as the message type (u16). */
export const CTRL_ATTR_FAMILY_ID = 1;
/** Controller attribute: family name (string). */
export const CTRL_ATTR_FAMILY_NAME = 2;
/** Controller attribute: family version (u32). */
export const CTRL_ATTR_VERSION = 3;
/** Controller attribute: size of the family's own header after genlmsghdr (u32). */
export const CTRL_ATTR_HDRSIZE = 4;
/** Controller attribute: highest attribute type of the family (u32). */
export const CTRL_ATTR_MAXATTR = 5;
/** Controller attribute: the family's operations (nested list of CTRL_ATTR_OP_*). */
export const CTRL_ATTR_OPS = 6;
/** Controller attribute: the family's multicast groups (nested list of CTRL_ATTR_MCAST_GRP_*). */
export const CTRL_ATTR_MCAST_GROUPS = 7;
/** Controller attribute: attribute policies, in GETPOLICY replies (nested). */
export const CTRL_ATTR_POLICY = 8;
/** Controller attribute: which policies each operation uses (nested). */
export const CTRL_ATTR_OP_POLICY = 9;
/** Controller attribute: limit GETPOLICY to this command (u32). */
export const CTRL_ATTR_OP = 10;
/** Operation attribute: unused (0). */
export const CTRL_ATTR_OP_UNSPEC = 0;
/** Operation attribute: command number (u32). */
export const CTRL_ATTR_OP_ID = 1;
/** Operation attribute: operation flags, e.g. admin only, do or dump supported (u32, GENL_*). */
export const CTRL_ATTR_OP_FLAGS = 2;
/** Multicast group attribute: unused (0). */
export const CTRL_ATTR_MCAST_GRP_UNSPEC = 0;
/** Multicast group attribute: group name (string). */
export const CTRL_ATTR_MCAST_GRP_NAME = 1;
/** Multicast group attribute: group id to join with NETLINK_ADD_MEMBERSHIP (u32). */
export const CTRL_ATTR_MCAST_GRP_ID = 2;
/** The generic netlink controller's notification group ("notify"). */
export const GENL_CTRL_GROUP_NOTIFY = 0x10;
/** Operation policy attribute (enum ctrl_attr_policy, in CTRL_ATTR_OP_POLICY): policy index of `do` requests (u32). */
export const CTRL_ATTR_POLICY_DO = 1;
/** Operation policy attribute: policy index of `dump` requests (u32). */
export const CTRL_ATTR_POLICY_DUMP = 2;

// Operation flags (GENL_* in <linux/genetlink.h>), in CTRL_ATTR_OP_FLAGS
/** GENL_ADMIN_PERM: the operation needs CAP_NET_ADMIN in the initial user namespace. */
export const GENL_ADMIN_PERM = 0x01;
/** GENL_CMD_CAP_DO: the operation has a `do` handler. */
export const GENL_CMD_CAP_DO = 0x02;
/** GENL_CMD_CAP_DUMP: the operation has a `dump` handler. */
export const GENL_CMD_CAP_DUMP = 0x04;
/** GENL_CMD_CAP_HASPOL: the operation validates its attributes with a policy. */
export const GENL_CMD_CAP_HASPOL = 0x08;
/** GENL_UNS_ADMIN_PERM: the operation needs CAP_NET_ADMIN in the socket's user namespace. */
export const GENL_UNS_ADMIN_PERM = 0x10;
