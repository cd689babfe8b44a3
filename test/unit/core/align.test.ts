import { describe, expect, it } from 'vitest';
import { NLA_ALIGNTO, NLA_HDRLEN, NLMSG_ALIGNTO, NLMSG_HDRLEN, nlaAlign, nlmsgAlign } from '../../../src/core/align.js';

// What NLMSG_ALIGN / NLA_ALIGN give in C (unsigned int arithmetic) for lengths
// that fit a u32 without wrapping.
const ROUNDINGS = [
  { length: 0, aligned: 0 },
  { length: 1, aligned: 4 },
  { length: 2, aligned: 4 },
  { length: 3, aligned: 4 },
  { length: 4, aligned: 4 },
  { length: 5, aligned: 8 },
  { length: 17, aligned: 20 },
  { length: 65535, aligned: 65536 },
  { length: 0x7ffffffc, aligned: 0x7ffffffc },
  { length: 0x7ffffffd, aligned: 0x80000000 },
  { length: 0x80000000, aligned: 0x80000000 },
  { length: 0xfffffff0, aligned: 0xfffffff0 },
  { length: 0xfffffff9, aligned: 0xfffffffc },
] as const;

// Lengths whose C result wraps around 2^32 stay exact in JavaScript numbers.
const BEYOND_U32 = [
  { length: 0xfffffffd, aligned: 0x100000000 },
  { length: 0xffffffff, aligned: 0x100000000 },
] as const;

describe('alignment constants', () => {
  it('match <linux/netlink.h>', () => {
    expect({ NLMSG_ALIGNTO, NLA_ALIGNTO, NLMSG_HDRLEN, NLA_HDRLEN }).toEqual({
      NLMSG_ALIGNTO: 4,
      NLA_ALIGNTO: 4,
      NLMSG_HDRLEN: 16,
      NLA_HDRLEN: 4,
    });
  });
});

describe('nlmsgAlign', () => {
  it.each(ROUNDINGS)('rounds $length up to $aligned', ({ length, aligned }) => {
    expect(nlmsgAlign(length)).toBe(aligned);
  });

  it.each(BEYOND_U32)('rounds $length up to $aligned instead of wrapping to 0', ({ length, aligned }) => {
    expect(nlmsgAlign(length)).toBe(aligned);
  });

  it('never returns a negative length for a u32 (the signed 32-bit mask did, from 2^31 - 3 up)', () => {
    for (const length of [0x7ffffffd, 0x7ffffffe, 0x7fffffff, 0xfffffff0]) expect(nlmsgAlign(length)).toBeGreaterThanOrEqual(length);
  });
});

describe('nlaAlign', () => {
  it.each(ROUNDINGS)('rounds $length up to $aligned', ({ length, aligned }) => {
    expect(nlaAlign(length)).toBe(aligned);
  });
});
