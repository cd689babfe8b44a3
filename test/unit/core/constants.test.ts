import { describe, expect, it } from 'vitest';
import * as core from '../../../src/core/constants.js';
import * as genl from '../../../src/families/genl/constants.js';
import * as route from '../../../src/families/route/constants.js';

const c = { ...core, ...route, ...genl };

// Values copied from the kernel headers named in constants.ts (Linux 6.x uapi).
const KERNEL_VALUES = {
  NLMSG_NOOP: 1,
  NLMSG_ERROR: 2,
  NLMSG_DONE: 3,
  NLMSG_OVERRUN: 4,
  NLMSG_MIN_TYPE: 0x10,
  NLM_F_REQUEST: 0x1,
  NLM_F_MULTI: 0x2,
  NLM_F_ACK: 0x4,
  NLM_F_DUMP_INTR: 0x10,
  NLM_F_DUMP_FILTERED: 0x20,
  NLM_F_DUMP: 0x300,
  NLM_F_CAPPED: 0x100,
  NLM_F_ACK_TLVS: 0x200,
  NLA_F_NESTED: 0x8000,
  NLA_F_NET_BYTEORDER: 0x4000,
  NLA_TYPE_MASK: 0x3fff,
  SOL_NETLINK: 270,
  NETLINK_EXT_ACK: 11,
  NETLINK_GET_STRICT_CHK: 12,
  RTM_NEWLINK: 16,
  RTM_NEWADDR: 20,
  RTM_NEWROUTE: 24,
  IFLA_IFNAME: 3,
  IFLA_MTU: 4,
  IFLA_LINKINFO: 18,
  IFLA_INFO_KIND: 1,
  IFLA_INFO_DATA: 2,
  GENL_ID_CTRL: 0x10,
  IFINFOMSG_SIZE: 16,
  IFADDRMSG_SIZE: 8,
  RTMSG_SIZE: 12,
  GENL_HDRLEN: 4,
} as const;

// enum netlink_attribute_type, as the kernel numbers it.
const POLICY_TYPES = [
  [0, 'invalid'],
  [1, 'flag'],
  [2, 'u8'],
  [3, 'u16'],
  [4, 'u32'],
  [5, 'u64'],
  [6, 's8'],
  [7, 's16'],
  [8, 's32'],
  [9, 's64'],
  [10, 'binary'],
  [11, 'string'],
  [12, 'nul-string'],
  [13, 'nested'],
  [14, 'nested-array'],
  [15, 'bitfield32'],
  [16, 'sint'],
  [17, 'uint'],
] as const;

describe('kernel constants', () => {
  it('keep the values of the kernel headers', () => {
    const actual = Object.fromEntries(Object.keys(KERNEL_VALUES).map((k) => [k, (c as Record<string, unknown>)[k]]));
    expect(actual).toEqual(KERNEL_VALUES);
  });

  it.each(POLICY_TYPES)('names policy type %i %s', (value, name) => {
    expect(c.NL_ATTR_TYPE_NAMES[value]).toBe(name);
  });

  it('treats every protocol but NETLINK_USERSOCK as kernel-only', () => {
    expect(
      Object.entries(c.Protocol)
        .filter(([, n]) => !c.isKernelProtocol(n))
        .map(([name]) => name),
    ).toEqual(['USERSOCK']);
  });
});
