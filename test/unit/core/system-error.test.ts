// NetlinkSocketError, nlkit's system error: a socket call's failure reads
// "<syscall> failed: ...", a failure about a file reads like Node's fs errors
// and names the file (issue 8, item 8).
import { describe, expect, it } from 'vitest';
import { NetlinkSocketError, NlkitError } from '../../../src/core/index.js';

// One row per way of building the error: what it must say and carry.
const CASES = [
  {
    name: 'a socket call',
    make: () => new NetlinkSocketError('bind', 98),
    message: 'bind failed: Address already in use (EADDRINUSE)',
    props: { code: 'EADDRINUSE', errno: 98, syscall: 'bind', path: undefined },
  },
  {
    name: 'a missing namespace file',
    make: () => new NetlinkSocketError('open', 2, undefined, '/run/netns/nope'),
    message: "ENOENT: no such file or directory, open '/run/netns/nope'",
    props: { code: 'ENOENT', errno: 2, syscall: 'open', path: '/run/netns/nope' },
  },
  {
    name: 'a namespace that exists already',
    make: () => new NetlinkSocketError('open', 17, undefined, '/run/netns/blue'),
    message: "EEXIST: file exists, open '/run/netns/blue'",
    props: { code: 'EEXIST', errno: 17, syscall: 'open', path: '/run/netns/blue' },
  },
  {
    name: 'a file with a detail',
    make: () => new NetlinkSocketError('mount', 1, 'not as root', '/run/netns'),
    message: "EPERM: operation not permitted, mount '/run/netns': not as root",
    props: { code: 'EPERM', errno: 1, syscall: 'mount', path: '/run/netns' },
  },
  {
    name: 'an addon error with a path',
    make: () => NetlinkSocketError.from({ errno: 2, code: 'ENOENT', syscall: 'open', path: '/run/netns/nope' }, 'socket'),
    message: "ENOENT: no such file or directory, open '/run/netns/nope'",
    props: { code: 'ENOENT', errno: 2, syscall: 'open', path: '/run/netns/nope' },
  },
  {
    name: 'an addon error without a path',
    make: () => NetlinkSocketError.from({ errno: 93, code: 'EPROTONOSUPPORT', syscall: 'socket' }, 'socket'),
    message: 'socket failed: Protocol not supported (EPROTONOSUPPORT)',
    props: { code: 'EPROTONOSUPPORT', errno: 93, syscall: 'socket', path: undefined },
  },
  {
    name: 'an error with a negative errno (libuv) and no syscall',
    make: () => NetlinkSocketError.from({ errno: -13, code: 'EACCES' }, 'setns'),
    message: 'setns failed: Permission denied (EACCES)',
    props: { code: 'EACCES', errno: 13, syscall: 'setns', path: undefined },
  },
  {
    name: 'an error with only a code',
    make: () => NetlinkSocketError.from({ code: 'ENOENT', syscall: 'unlink', path: '/run/netns/gone' }, 'unlink'),
    message: "ENOENT: no such file or directory, unlink '/run/netns/gone'",
    props: { code: 'ENOENT', errno: 2, syscall: 'unlink', path: '/run/netns/gone' },
  },
] as const;

describe('NetlinkSocketError', () => {
  it.each(CASES)('says what failed for $name', ({ make, message, props }) => {
    const err = make();
    expect(err.message).toBe(message);
    expect({ code: err.code, errno: err.errno, syscall: err.syscall, path: err.path }).toEqual(props);
    expect(err.name).toBe('NetlinkSocketError');
    expect(err).toBeInstanceOf(NlkitError);
  });

  it('has no path property when no file was involved, like a Node system error', () => {
    expect('path' in new NetlinkSocketError('sendto', 111)).toBe(false);
  });

  it('keeps the addon error it was made from as its cause', () => {
    const native = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { errno: 2, code: 'ENOENT', syscall: 'open', path: '/x' });
    expect(NetlinkSocketError.from(native, 'socket').cause).toBe(native);
  });
});
