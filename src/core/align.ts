// Alignment rules of <linux/netlink.h>. Messages and attributes start on
// 4-byte boundaries; their lengths exclude the trailing padding.

/** #define NLMSG_ALIGNTO 4U */
export const NLMSG_ALIGNTO = 4;
/** #define NLA_ALIGNTO 4 */
export const NLA_ALIGNTO = 4;
/** #define NLMSG_HDRLEN ((int) NLMSG_ALIGN(sizeof(struct nlmsghdr))) */
export const NLMSG_HDRLEN = 16;
/** #define NLA_HDRLEN ((int) NLA_ALIGN(sizeof(struct nlattr))) */
export const NLA_HDRLEN = 4;

/** #define NLMSG_ALIGN(len) ( ((len)+NLMSG_ALIGNTO-1) & ~(NLMSG_ALIGNTO-1) ) */
export function nlmsgAlign(length: number): number {
  return (length + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}

/** #define NLA_ALIGN(len) (((len) + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1)) */
export function nlaAlign(length: number): number {
  return (length + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
}
