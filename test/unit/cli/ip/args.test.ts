// Argument reading of the ip-style commands (src/cli/ip/args.ts): keyword
// prefixes, the word cursor, and the number / address / prefix parsers with
// iproute2's error messages and exit statuses (255 for invarg() and
// NEXT_ARG(), 1 for get_addr() / get_prefix()). Messages were compared with
// iproute2 6.1 (`ip route add blackhole 10.0.0.0/33`, `... metric x`,
// `ip link set lo promisc foo` ...).
import { describe, expect, it } from 'vitest';
import { Args, duparg, invarg, matches, parseAddr, parseLladdr, parseOnOff, parsePrefix, parseUnsigned } from '../../../../src/cli/ip/args.js';
import { CommandError } from '../../../../src/cli/ip/context.js';
import { AF_INET, AF_INET6, AF_UNSPEC } from '../../../../src/core/constants.js';

/** The CommandError `f` throws. */
function thrown(f: () => unknown): CommandError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(CommandError);
    return err as CommandError;
  }
  throw new Error('expected a CommandError');
}

const failure = (f: () => unknown): { message: string; exitCode: number } => {
  const e = thrown(f);
  return { message: e.message, exitCode: e.exitCode };
};

describe('matches', () => {
  const CASES = [
    ['a', 'address', true],
    ['addr', 'address', true],
    ['address', 'address', true],
    ['addresses', 'address', false],
    ['', 'address', false],
    ['Addr', 'address', false],
    ['ddr', 'address', false],
    ['-j', '-json', true],
    ['-', '-json', true],
  ] as const;

  it.each(CASES)('%j is a prefix of %j: %s', (arg, keyword, result) => {
    expect(matches(arg, keyword)).toBe(result);
  });
});

describe('Args', () => {
  it('reads words one by one, peeks, and hands over the rest', () => {
    const a = new Args(['dev', 'eth0', 'mtu', '1500']);
    expect(a.done).toBe(false);
    expect(a.peek()).toBe('dev');
    expect(a.next()).toBe('dev');
    expect(a.value()).toBe('eth0');
    expect(a.rest()).toEqual(['mtu', '1500']);
    expect(a.done).toBe(true);
    expect(a.peek()).toBeUndefined();
    expect(a.rest()).toEqual([]);
  });

  it('fails like NEXT_ARG() when a keyword has no value', () => {
    const a = new Args(['dev']);
    a.next();
    expect(failure(() => a.value())).toEqual({ message: 'Command line is not complete. Try option "help"', exitCode: 255 });
  });
});

describe('invarg and duparg', () => {
  it('word the error as invarg() does, exit 255', () => {
    expect(failure(() => invarg('"metric" value is invalid', 'x'))).toEqual({ message: 'Error: argument "x" is wrong: "metric" value is invalid\n', exitCode: 255 });
  });

  it('word a repeated keyword as duparg() does, exit 255', () => {
    expect(failure(() => duparg('dev', 'eth1'))).toEqual({ message: 'Error: duplicate "dev": "eth1" is the second value.', exitCode: 255 });
  });
});

describe('parseUnsigned', () => {
  const ACCEPTS = [
    ['0', 0],
    ['7', 7],
    ['1500', 1500],
    ['0x10', 16],
    ['0X1F', 31],
    ['0xffffffff', 0xffffffff],
    ['010', 8],
    ['4294967295', 4294967295],
  ] as const;

  it.each(ACCEPTS)('reads %j as %d (strtoul with base 0)', (text, value) => {
    expect(parseUnsigned(text, 'metric')).toBe(value);
  });

  const REJECTS = ['', '-1', '1.5', '1e3', 'x', '0x', '12abc', '4294967296', '0x100000000', '99999999999999999999'];

  it.each(REJECTS)('rejects %j like invarg()', (text) => {
    expect(failure(() => parseUnsigned(text, '"metric"'))).toEqual({ message: `Error: argument "${text}" is wrong: "metric" value is invalid\n`, exitCode: 255 });
  });

  it('honours a smaller maximum', () => {
    expect(parseUnsigned('255', 'proto', 255)).toBe(255);
    expect(failure(() => parseUnsigned('256', 'proto', 255)).message).toBe('Error: argument "256" is wrong: proto value is invalid\n');
    expect(failure(() => parseUnsigned('0x100', 'proto', 255)).message).toBe('Error: argument "0x100" is wrong: proto value is invalid\n');
  });

  // strtoul(s, &end, 0) stops at the '8' of "08" (an octal number), so get_u32()
  // refuses it: `ip route add blackhole 10.0.0.0/8 metric 08` says
  // 'Error: argument "08" is wrong: "metric" value is invalid' (iproute2 6.1).
  it('rejects "08" and "09", which are not octal', () => {
    expect(() => parseUnsigned('08', '"metric"')).toThrow(CommandError);
  });
});

describe('parseAddr', () => {
  it('reads IPv4 and IPv6 addresses, their family and bytes, with no prefix length', () => {
    expect(parseAddr('192.0.2.1', AF_UNSPEC)).toEqual({ family: AF_INET, bytes: new Uint8Array([192, 0, 2, 1]), bitlen: -1, text: '192.0.2.1' });
    expect(parseAddr('2001:db8::1', AF_INET6)).toEqual({
      family: AF_INET6,
      bytes: new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
      bitlen: -1,
      text: '2001:db8::1',
    });
  });

  const REJECTS = [
    { text: '2001:db8::1', family: AF_INET, message: 'Error: inet address is expected rather than "2001:db8::1".' },
    { text: '192.0.2.1', family: AF_INET6, message: 'Error: inet6 address is expected rather than "192.0.2.1".' },
    { text: 'bogus', family: AF_UNSPEC, message: 'Error: any valid address is expected rather than "bogus".' },
    { text: '256.0.0.1', family: AF_INET, message: 'Error: inet address is expected rather than "256.0.0.1".' },
    { text: '1:2:3', family: AF_INET6, message: 'Error: inet6 address is expected rather than "1:2:3".' },
    { text: '192.0.2.0/24', family: AF_UNSPEC, message: 'Error: any valid address is expected rather than "192.0.2.0/24".' },
  ] as const;

  it.each(REJECTS)('rejects $text (family $family) like get_addr(), exit 1', ({ text, family, message }) => {
    expect(failure(() => parseAddr(text, family))).toEqual({ message, exitCode: 1 });
  });

  it('names what it wanted', () => {
    expect(failure(() => parseAddr('x', AF_INET, 'gateway')).message).toBe('Error: inet gateway is expected rather than "x".');
  });
});

describe('parsePrefix', () => {
  const ACCEPTS = [
    { text: '10.0.0.0/8', family: AF_UNSPEC, out: { family: AF_INET, bytes: [10, 0, 0, 0], bitlen: 8, any: false } },
    { text: '10.1.2.3', family: AF_INET, out: { family: AF_INET, bytes: [10, 1, 2, 3], bitlen: 32, any: false } },
    { text: '0.0.0.0/0', family: AF_UNSPEC, out: { family: AF_INET, bytes: [0, 0, 0, 0], bitlen: 0, any: false } },
    { text: '10.0.0.0/32', family: AF_UNSPEC, out: { family: AF_INET, bytes: [10, 0, 0, 0], bitlen: 32, any: false } },
    { text: '2001:db8::/32', family: AF_UNSPEC, out: { family: AF_INET6, bytes: [0x20, 1, 0xd, 0xb8, ...new Array<number>(12).fill(0)], bitlen: 32, any: false } },
    { text: '::1', family: AF_INET6, out: { family: AF_INET6, bytes: [...new Array<number>(15).fill(0), 1], bitlen: 128, any: false } },
    { text: '::/128', family: AF_UNSPEC, out: { family: AF_INET6, bytes: new Array<number>(16).fill(0), bitlen: 128, any: false } },
    { text: 'default', family: AF_UNSPEC, out: { family: AF_UNSPEC, bytes: [], bitlen: 0, any: true } },
    { text: 'default', family: AF_INET6, out: { family: AF_INET6, bytes: [], bitlen: 0, any: true } },
    { text: 'all', family: AF_INET, out: { family: AF_INET, bytes: [], bitlen: 0, any: true } },
    { text: 'any', family: AF_UNSPEC, out: { family: AF_UNSPEC, bytes: [], bitlen: 0, any: true } },
  ] as const;

  it.each(ACCEPTS)('reads $text (family $family)', ({ text, family, out }) => {
    expect(parsePrefix(text, family)).toEqual({ ...out, bytes: new Uint8Array(out.bytes), text });
  });

  const REJECTS = [
    { text: '10.0.0.0/33', family: AF_UNSPEC, message: 'Error: any valid prefix is expected rather than "10.0.0.0/33".' },
    { text: '2001:db8::/129', family: AF_INET6, message: 'Error: inet6 prefix is expected rather than "2001:db8::/129".' },
    { text: '10.0.0.0/', family: AF_INET, message: 'Error: inet prefix is expected rather than "10.0.0.0/".' },
    { text: '10.0.0.0/+8', family: AF_INET, message: 'Error: inet prefix is expected rather than "10.0.0.0/+8".' },
    { text: '10.0.0.0/8/8', family: AF_INET, message: 'Error: inet prefix is expected rather than "10.0.0.0/8/8".' },
    { text: '10.0.0.0/8', family: AF_INET6, message: 'Error: inet6 prefix is expected rather than "10.0.0.0/8".' },
    { text: '2001:db8::/32', family: AF_INET, message: 'Error: inet prefix is expected rather than "2001:db8::/32".' },
    { text: 'defaults', family: AF_UNSPEC, message: 'Error: any valid prefix is expected rather than "defaults".' },
    { text: '', family: AF_UNSPEC, message: 'Error: any valid prefix is expected rather than "".' },
  ] as const;

  it.each(REJECTS)('rejects $text (family $family) like get_prefix(), exit 1', ({ text, family, message }) => {
    expect(failure(() => parsePrefix(text, family))).toEqual({ message, exitCode: 1 });
  });

  it('names what it wanted', () => {
    expect(failure(() => parsePrefix('x', AF_INET6, 'destination')).message).toBe('Error: inet6 destination is expected rather than "x".');
  });
});

describe('parseLladdr', () => {
  it('reads colon-separated hex bytes, as many as given (the kernel checks the length)', () => {
    expect(parseLladdr('02:00:5e:00:53:ff')).toEqual(new Uint8Array([2, 0, 0x5e, 0, 0x53, 0xff]));
    expect(parseLladdr('2:0:A')).toEqual(new Uint8Array([2, 0, 10]));
  });

  it.each(['zz', ''])('rejects %j with ll_addr_a2n\'s message', (text) => {
    expect(failure(() => parseLladdr(text))).toEqual({ message: `"${text}" is invalid lladdr.`, exitCode: 1 });
  });

  it.each(['zz:00', '02:00:5e:00:53:fff', '02::00', '02:00:'])('rejects %j', (text) => {
    expect(() => parseLladdr(text)).toThrow(CommandError);
  });

  // ll_addr_a2n() names the byte it could not read: `ip link set lo address zz:00`
  // prints '"zz" is invalid lladdr.' (iproute2 6.1).
  it('names the bad byte, not the whole address', () => {
    expect(failure(() => parseLladdr('zz:00')).message).toBe('"zz" is invalid lladdr.');
  });
});

describe('parseOnOff', () => {
  it('reads on and off, nothing else', () => {
    expect(parseOnOff('learning', 'on')).toBe(true);
    expect(parseOnOff('learning', 'off')).toBe(false);
    for (const word of ['On', 'yes', '1', '']) {
      expect(failure(() => parseOnOff('learning', word))).toEqual({ message: `Error: argument of "learning" must be "on" or "off", not "${word}"`, exitCode: 255 });
    }
  });
});
