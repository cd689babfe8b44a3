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

// The C macros mask with ~3 in 32-bit unsigned arithmetic. JavaScript's `&`
// works on signed 32-bit integers, so `(len + 3) & ~3` turns lengths from
// 2^31 - 3 up into negative numbers; nlmsg_len is a u32 read from the wire, so
// the rounding is done in plain arithmetic instead (exact up to 2^53).

/** #define NLMSG_ALIGN(len) ( ((len)+NLMSG_ALIGNTO-1) & ~(NLMSG_ALIGNTO-1) ) */
export function nlmsgAlign(length: number): number {
  const up = length + NLMSG_ALIGNTO - 1;
  return up - (up % NLMSG_ALIGNTO);
}

/** #define NLA_ALIGN(len) (((len) + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1)) */
export function nlaAlign(length: number): number {
  const up = length + NLA_ALIGNTO - 1;
  return up - (up % NLA_ALIGNTO);
}
