// tuntap.create / tuntap.remove check their options before the addon is
// touched: these run the checks alone and look at the ioctl arguments they
// produce (flags as in include/uapi/linux/if_tun.h).
import { describe, expect, it } from 'vitest';
import { createCall, removeCall, IFF_MULTI_QUEUE, IFF_NO_PI, IFF_ONE_QUEUE, IFF_TAP, IFF_TUN, IFF_TUN_EXCL, IFF_VNET_HDR } from '../../../src/io/tuntap.js';

describe('tuntap ioctl arguments', () => {
  const CREATES: Array<[string, Parameters<typeof createCall>[0], ReturnType<typeof createCall>]> = [
    [
      'a tun without packet information (ip tuntap add NAME mode tun)',
      { name: 't0', mode: 'tun' },
      { name: 't0', flags: 0x9001, owner: -1, group: -1, persist: true, netns: null },
    ],
    [
      'a tap with every switch',
      { name: 't1', mode: 'tap', pi: true, vnetHdr: true, multiQueue: true, oneQueue: true },
      { name: 't1', flags: 0xe102, owner: -1, group: -1, persist: true, netns: null },
    ],
    ['an owner and a group', { name: 't2', mode: 'tun', owner: 0, group: 4294967294 }, { name: 't2', flags: 0x9001, owner: 0, group: 4294967294, persist: true, netns: null }],
    ['a named namespace', { name: 't3', mode: 'tun', netns: 'blue' }, { name: 't3', flags: 0x9001, owner: -1, group: -1, persist: true, netns: { path: '/run/netns/blue' } }],
    ['a namespace fd', { name: 't4', mode: 'tap', netns: { fd: 7 } }, { name: 't4', flags: 0x9002, owner: -1, group: -1, persist: true, netns: { fd: 7 } }],
    ['a name template of 15 bytes', { name: 'abcdefghijkl%d', mode: 'tap' }, { name: 'abcdefghijkl%d', flags: 0x9002, owner: -1, group: -1, persist: true, netns: null }],
  ];

  it.each(CREATES)('creates %s', (_what, options, call) => {
    expect(createCall(options)).toEqual(call);
  });

  it('spells the flags as the kernel header does', () => {
    expect([IFF_TUN, IFF_TAP, IFF_NO_PI, IFF_ONE_QUEUE, IFF_VNET_HDR, IFF_TUN_EXCL, IFF_MULTI_QUEUE]).toEqual([0x1, 0x2, 0x1000, 0x2000, 0x4000, 0x8000, 0x100]);
  });

  it('removes with TUNSETPERSIST 0, the mode and the queue flag the device has', () => {
    expect(removeCall({ name: 't0', mode: 'tun' })).toEqual({ name: 't0', flags: IFF_TUN | IFF_NO_PI, owner: -1, group: -1, persist: false, netns: null });
    expect(removeCall({ name: 't1', mode: 'tap', multiQueue: true, netns: { pid: 1 } })).toEqual({
      name: 't1',
      flags: IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE,
      owner: -1,
      group: -1,
      persist: false,
      netns: { pid: 1 },
    });
  });
});

describe('tuntap option checks', () => {
  const BAD: Array<[string, () => unknown, ErrorConstructor, string]> = [
    ['options that are not an object', () => createCall(null as never), TypeError, 'options must be an object, got null'],
    ['a name that is not a string', () => createCall({ name: 5, mode: 'tun' } as never), TypeError, 'name must be a string, got 5'],
    ['an empty name', () => createCall({ name: '', mode: 'tun' }), RangeError, "name: '' must be 1..15 bytes long"],
    ['a name of 16 bytes', () => createCall({ name: 'abcdefghijklmnop', mode: 'tun' }), RangeError, "name: 'abcdefghijklmnop' must be 1..15 bytes long"],
    ['a name of 8 characters but 16 bytes', () => createCall({ name: 'éééééééé', mode: 'tun' }), RangeError, "name: 'éééééééé' must be 1..15 bytes long"],
    ['a name with a space', () => createCall({ name: 'a b', mode: 'tun' }), RangeError, "name: 'a b' is not a valid device name"],
    ['a name with a slash', () => createCall({ name: 'a/b', mode: 'tun' }), RangeError, "name: 'a/b' is not a valid device name"],
    ['a name with a colon', () => createCall({ name: 'a:1', mode: 'tun' }), RangeError, "name: 'a:1' is not a valid device name"],
    ['the name ..', () => createCall({ name: '..', mode: 'tun' }), RangeError, "name: '..' is not a valid device name"],
    ['a missing mode', () => createCall({ name: 't0' } as never), RangeError, "mode must be 'tun' or 'tap', got undefined"],
    ['an unknown mode', () => createCall({ name: 't0', mode: 'TUN' as never }), RangeError, "mode must be 'tun' or 'tap', got 'TUN'"],
    ['a switch given as a number', () => createCall({ name: 't0', mode: 'tun', pi: 1 as never }), TypeError, 'pi must be true or false, got 1'],
    ['an owner that is not an integer', () => createCall({ name: 't0', mode: 'tun', owner: 1.5 }), TypeError, 'owner: expected an integer, got 1.5'],
    ['an owner given as text', () => createCall({ name: 't0', mode: 'tun', owner: '1000' as never }), TypeError, "owner: expected an integer, got '1000'"],
    ['a negative group', () => createCall({ name: 't0', mode: 'tun', group: -1 }), RangeError, 'group: -1 is out of range 0..4294967294'],
    ['a group of (gid_t)-1', () => createCall({ name: 't0', mode: 'tun', group: 0xffffffff }), RangeError, 'group: 4294967295 is out of range 0..4294967294'],
    ['an invalid namespace name', () => createCall({ name: 't0', mode: 'tun', netns: '..' }), RangeError, "netns: '..' is not a valid namespace name"],
    ['a namespace of no known shape', () => createCall({ name: 't0', mode: 'tun', netns: { inode: 5 } as never }), TypeError, 'netns must be a name, { path }, { pid } or { fd }'],
    [
      'an unknown option',
      () => createCall({ name: 't0', mode: 'tun', persist: true } as never),
      TypeError,
      'persist: not an option of tuntap.create (options: name, mode, netns, pi, vnetHdr, multiQueue, oneQueue, owner, group)',
    ],
    [
      'an option of create given to remove',
      () => removeCall({ name: 't0', mode: 'tun', owner: 5 } as never),
      TypeError,
      'owner: not an option of tuntap.remove (options: name, mode, netns, multiQueue)',
    ],
    ['a removal with a bad name', () => removeCall({ name: 'x'.repeat(20), mode: 'tun' }), RangeError, `name: '${'x'.repeat(20)}' must be 1..15 bytes long`],
  ];

  it.each(BAD)('rejects %s', (_what, run, type, message) => {
    let caught: unknown;
    try {
      run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toBe(message);
  });
});
