// The kind data of a tun link turns into tuntap.create options (the kernel
// makes tun/tap only through /dev/net/tun), checked before anything is done.
import { describe, expect, it } from 'vitest';
import { tunCreateOptions, tunDataMismatch } from '../../../src/families/route/links.js';

describe('tun link data', () => {
  const OPTIONS: Array<[string, Record<string, unknown> | undefined, ReturnType<typeof tunCreateOptions>]> = [
    ['no data (a tun)', undefined, { mode: 'tun' }],
    ['a tap with switches', { type: 'tap', pi: false, vnetHdr: true, multiQueue: true, persist: true }, { mode: 'tap', pi: false, vnetHdr: true, multiQueue: true }],
    ['data as a listing decodes it', { type: 2, pi: 1, vnetHdr: 0, persist: 1, owner: 1000, group: 100 }, { mode: 'tap', pi: true, vnetHdr: false, owner: 1000, group: 100 }],
  ];

  it.each(OPTIONS)('reads %s', (_what, data, expected) => {
    expect(tunCreateOptions(data)).toEqual(expected);
  });

  const BAD: Array<[string, Record<string, unknown>, ErrorConstructor, string]> = [
    ['an unknown type', { type: 3 }, RangeError, 'data.type must be one of tun, tap, got 3'],
    ['a switch given as text', { pi: 'yes' }, TypeError, "data.pi must be true or false, got 'yes'"],
    ['persist off', { persist: 0 }, RangeError, 'data.persist: tun/tap links nlkit creates are persistent (nothing keeps their fd open)'],
    ['a queue count', { numQueues: 2 }, TypeError, 'data.numQueues: not settable on tun links (type, pi, vnetHdr, multiQueue, persist, owner, group)'],
    ['a group of (gid_t)-1', { group: 4294967295 }, RangeError, 'data.group: 4294967295 is out of range 0..4294967294'],
  ];

  it.each(BAD)('rejects %s', (_what, data, type, message) => {
    expect(() => tunCreateOptions(data)).toThrow(type);
    expect(() => tunCreateOptions(data)).toThrow(message);
  });

  it('names the first option an existing device differs in', () => {
    const existing = { type: 2, pi: 0, vnetHdr: 1, persist: 1, multiQueue: 0, owner: 1000 };
    expect(tunDataMismatch(existing, { mode: 'tap', vnetHdr: true, owner: 1000 })).toBeUndefined();
    expect(tunDataMismatch(existing, { mode: 'tun' })).toBe('type');
    expect(tunDataMismatch(existing, { mode: 'tap', pi: true })).toBe('pi');
    expect(tunDataMismatch(existing, { mode: 'tap', group: 5 })).toBe('group');
  });
});
