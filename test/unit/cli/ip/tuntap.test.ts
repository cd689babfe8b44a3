// `nlkit tuntap add/del` arguments read as ip/iptuntap.c's parse_args()
// reads them: keywords by prefix, ip's messages and exit statuses, and the
// TUNSETIFF flags that result. No kernel needed.
import { describe, expect, it } from 'vitest';
import { parseTuntapArgs } from '../../../../src/cli/ip/tuntap.js';
import { CommandError } from '../../../../src/cli/error.js';

describe('nlkit tuntap arguments', () => {
  const PARSES: Array<[string, string[], boolean, ReturnType<typeof parseTuntapArgs>]> = [
    ['a bare name and a mode', ['t0', 'mode', 'tun'], true, { name: 't0', flags: 0x1001, owner: -1, group: -1 }],
    ['keywords by prefix', ['n', 't1', 'mo', 'ta', 'p', 'v', 'mu', 'o'], true, { name: 't1', flags: 0x6102, owner: -1, group: -1 }],
    ['dev as the name', ['dev', 't2', 'mode', 'tap'], true, { name: 't2', flags: 0x1002, owner: -1, group: -1 }],
    ['no name (the kernel picks one)', ['mode', 'tap'], true, { name: '', flags: 0x1002, owner: -1, group: -1 }],
    ['numeric user and group', ['t3', 'mode', 'tun', 'user', '1000', 'group', '100'], true, { name: 't3', flags: 0x1001, owner: 1000, group: 100 }],
    ['user -1 and group 4294967295 (none)', ['t4', 'mode', 'tun', 'user', '-1', 'group', '4294967295'], true, { name: 't4', flags: 0x1001, owner: -1, group: -1 }],
    ['user and group by name', ['t5', 'mode', 'tun', 'user', 'root', 'group', 'root'], true, { name: 't5', flags: 0x1001, owner: 0, group: 0 }],
    ['a removal with the queue flag', ['t6', 'mode', 'tap', 'multi_queue'], false, { name: 't6', flags: 0x1102, owner: -1, group: -1 }],
  ];

  it.each(PARSES)('reads %s', (_what, argv, isAdd, expected) => {
    expect(parseTuntapArgs(argv, isAdd)).toEqual(expected);
  });

  const FAILS: Array<[string, string[], boolean, string, number]> = [
    ['no mode', ['t0'], true, 'You failed to specify a tunnel mode', 1],
    ['two modes', ['t0', 'mode', 'tun', 'mode', 'tap'], true, 'You managed to ask for more than one tunnel mode.', 255],
    ['an unknown mode', ['t0', 'mode', 'tunnel'], true, 'Unknown tunnel mode "tunnel"', 255],
    ['a mode keyword at the end', ['t0', 'mode'], true, 'Command line is not complete. Try option "help"', 255],
    ['an unknown user', ['t0', 'mode', 'tun', 'user', 'nlkit-no-such-user'], true, 'invalid user "nlkit-no-such-user"', 255],
    ['a second name', ['t0', 'name', 't1', 'mode', 'tun'], true, 'Error: either "name" is duplicate, or "t1" is a garbage.', 255],
    ['user on a removal (taken as a second name)', ['t0', 'mode', 'tun', 'user', '5'], false, 'Error: either "name" is duplicate, or "user" is a garbage.', 255],
    ['a name of 16 bytes', ['abcdefghijklmnop', 'mode', 'tun'], true, 'Error: argument "abcdefghijklmnop" is wrong: "name" not a valid ifname\n', 255],
    ['a dev with a slash', ['dev', 'a/b', 'mode', 'tun'], true, 'Error: argument "a/b" is wrong: "dev" not a valid ifname\n', 255],
  ];

  it.each(FAILS)('fails like ip on %s', (_what, argv, isAdd, message, exitCode) => {
    let caught: unknown;
    try {
      parseTuntapArgs(argv, isAdd);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CommandError);
    expect({ message: (caught as CommandError).message, exitCode: (caught as CommandError).exitCode }).toEqual({ message, exitCode });
  });

  it('prints ip tuntap usage for help', () => {
    expect(() => parseTuntapArgs(['help'], true)).toThrow(/^Usage: ip tuntap \{ add \| del \| show \| list \| lst \| help \} \[ dev PHYS_DEV \]\n/);
  });
});
