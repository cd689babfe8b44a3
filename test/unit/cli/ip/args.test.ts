// Argument reading of the ip-style commands (src/cli/ip/args.ts): keyword
// prefixes, the word cursor, and the number / address / prefix parsers with
// iproute2's error messages and exit statuses (255 for invarg() and
// NEXT_ARG(), 1 for get_addr() / get_prefix()). Messages were compared with
// iproute2 6.1 (`ip route add blackhole 10.0.0.0/33`, `... metric x`,
// `ip link set lo promisc foo` ...).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Args,
  duparg,
  duparg2,
  invarg,
  matches,
  missarg,
  parseAddr,
  parseIPv4Loose,
  parseLladdr,
  parseOnOff,
  parsePrefix,
  parseUnsigned,
  validAltIfname,
  validIfname,
} from '../../../../src/cli/ip/args.js';
import { CommandError } from '../../../../src/cli/error.js';
import { getU8, getUnsigned, strtoul } from '../../../../src/cli/ip/numbers.js';
import { AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC } from '../../../../src/core/constants.js';

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

  it('word a second value or stray word as duparg2() does, and a missing one as missarg()', () => {
    expect(failure(() => duparg2('to', '10.0.0.0/8'))).toEqual({ message: 'Error: either "to" is duplicate, or "10.0.0.0/8" is a garbage.', exitCode: 255 });
    expect(failure(() => missarg('dev'))).toEqual({ message: 'Error: argument "dev" is required', exitCode: 255 });
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
    // strtoul() skips leading blanks and takes a sign: ip accepts these too.
    ['+5', 5],
    [' 5', 5],
    ['-0', 0],
  ] as const;

  it.each(ACCEPTS)('reads %j as %d (strtoul with base 0)', (text, value) => {
    expect(parseUnsigned(text, '"metric" value is invalid\n')).toBe(value);
  });

  const REJECTS = ['', '-1', '1.5', '1e3', 'x', '0x', '12abc', '4294967296', '0x100000000', '99999999999999999999', '5 '];

  it.each(REJECTS)('rejects %j like invarg() with the message ip gives', (text) => {
    expect(failure(() => parseUnsigned(text, '"metric" value is invalid\n'))).toEqual({
      message: `Error: argument "${text}" is wrong: "metric" value is invalid\n\n`,
      exitCode: 255,
    });
  });

  it('honours a smaller maximum', () => {
    expect(parseUnsigned('255', 'proto is invalid', 255)).toBe(255);
    expect(failure(() => parseUnsigned('256', 'proto is invalid', 255)).message).toBe('Error: argument "256" is wrong: proto is invalid\n');
    expect(failure(() => parseUnsigned('0x100', 'proto is invalid', 255)).message).toBe('Error: argument "0x100" is wrong: proto is invalid\n');
  });

  // strtoul(s, &end, 0) stops at the '8' of "08" (an octal number), so get_u32()
  // refuses it: `ip route add blackhole 10.0.0.0/8 metric 08` says
  // 'Error: argument "08" is wrong: "metric" value is invalid' (iproute2 6.1).
  it('rejects "08" and "09", which are not octal', () => {
    expect(() => parseUnsigned('08', '"metric" value is invalid\n')).toThrow(CommandError);
  });
});

describe('validIfname and validAltIfname', () => {
  it('take what the kernel takes as a name: 1 to 15 bytes, no slash, no blank', () => {
    expect(['lo', 'eth0', 'a'.repeat(15), 'v0.5', 'br-x'].map(validIfname)).toEqual([true, true, true, true, true]);
    expect(['', 'a'.repeat(16), 'bad/name', 'a b', 'a\tb'].map(validIfname)).toEqual([false, false, false, false, false]);
  });

  it('leave the length of an alternative name to the kernel', () => {
    expect(validAltIfname('a'.repeat(40))).toBe(true);
    expect(validAltIfname('bad/name')).toBe(false);
    expect(validAltIfname('')).toBe(false);
  });
});

describe('parseIPv4Loose', () => {
  // get_addr_ipv4(): `ip route add 10.7/16 dev lo` installs 10.7.0.0/16 (iproute2 6.1).
  it('reads up to four numbers as get_addr_ipv4() does', () => {
    expect(parseIPv4Loose('10.7')).toEqual(new Uint8Array([10, 7, 0, 0]));
    expect(parseIPv4Loose('0x0a.010.1.2')).toEqual(new Uint8Array([10, 8, 1, 2]));
    expect(parseIPv4Loose('192.0.2.1')).toEqual(new Uint8Array([192, 0, 2, 1]));
  });

  it.each(['256.0.0.1', '1.2.3.4.5', '1.2.3.', '', 'x', '1..2'])('rejects %j', (text) => {
    expect(parseIPv4Loose(text)).toBeUndefined();
  });
});

// The plain-decimal fast paths (numbers and dotted quads read without strtoul())
// must agree with strtoul() on every string, including the ones they hand over.
describe('fast paths agree with strtoul()', () => {
  const text = fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', 'x', '-', '+', ' ', 'a'), maxLength: 20 });
  const viaStrtoul = (s: string, max: bigint): number | undefined => {
    if (s === '') return undefined;
    const r = strtoul(s, 0);
    return r.end === 0 || r.end !== s.length || r.overflow || r.value > max ? undefined : Number(r.value);
  };
  const looseViaStrtoul = (s: string): Uint8Array | undefined => {
    const out = new Uint8Array(4);
    let rest = s;
    for (let i = 0; i < 4; i++) {
      const r = strtoul(rest, 0);
      if (r.value > 255n || r.end === 0) return undefined;
      out[i] = Number(r.value);
      if (r.end === rest.length) return out;
      if (i === 3 || rest[r.end] !== '.') return undefined;
      rest = rest.slice(r.end + 1);
    }
    return out;
  };

  it('getUnsigned and getU8 read what strtoul() reads', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(getUnsigned(s)).toBe(viaStrtoul(s, 0xffffffffn));
        expect(getU8(s)).toBe(viaStrtoul(s, 0xffn));
      }),
      { numRuns: 3000 },
    );
    for (const s of ['0', '00', '4294967295', '4294967296', '999999999999999', '1000000000000000', '007', '255', '256']) {
      expect(getUnsigned(s)).toBe(viaStrtoul(s, 0xffffffffn));
    }
  });

  it('parseIPv4Loose reads what the strtoul() loop reads', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(parseIPv4Loose(s)).toEqual(looseViaStrtoul(s));
      }),
      { numRuns: 3000 },
    );
    for (const s of ['1.2.3.4', '01.2.3.4', '255.255.255.255', '255.255.255.256', '1.2.3.4.', '0.0.0.0', '1.2.3.04']) {
      expect(parseIPv4Loose(s)).toEqual(looseViaStrtoul(s));
    }
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
  const z = (n: number): number[] => new Array<number>(n).fill(0);
  const ACCEPTS = [
    { text: '10.0.0.0/8', family: AF_UNSPEC, out: { family: AF_INET, bytes: [10, 0, 0, 0], bitlen: 8, any: false, lenGiven: true } },
    { text: '10.1.2.3', family: AF_INET, out: { family: AF_INET, bytes: [10, 1, 2, 3], bitlen: 32, any: false, lenGiven: false } },
    { text: '0.0.0.0/0', family: AF_UNSPEC, out: { family: AF_INET, bytes: [0, 0, 0, 0], bitlen: 0, any: false, lenGiven: true } },
    { text: '10.0.0.0/32', family: AF_UNSPEC, out: { family: AF_INET, bytes: [10, 0, 0, 0], bitlen: 32, any: false, lenGiven: true } },
    { text: '10.0.0.0/255.255.0.0', family: AF_UNSPEC, out: { family: AF_INET, bytes: [10, 0, 0, 0], bitlen: 16, any: false, lenGiven: true } },
    { text: '10.0.0.0/+8', family: AF_INET, out: { family: AF_INET, bytes: [10, 0, 0, 0], bitlen: 8, any: false, lenGiven: true } },
    { text: '2001:db8::/32', family: AF_UNSPEC, out: { family: AF_INET6, bytes: [0x20, 1, 0xd, 0xb8, ...z(12)], bitlen: 32, any: false, lenGiven: true } },
    { text: '::1', family: AF_INET6, out: { family: AF_INET6, bytes: [...z(15), 1], bitlen: 128, any: false, lenGiven: false } },
    { text: '::/128', family: AF_UNSPEC, out: { family: AF_INET6, bytes: z(16), bitlen: 128, any: false, lenGiven: true } },
    // "default" is as long as the family's address (get_addr_1); "all" and "any" are empty.
    { text: 'default', family: AF_UNSPEC, out: { family: AF_UNSPEC, bytes: [], bitlen: 0, any: true, lenGiven: true } },
    { text: 'default', family: AF_INET6, out: { family: AF_INET6, bytes: z(16), bitlen: 0, any: true, lenGiven: true } },
    { text: 'all', family: AF_INET, out: { family: AF_INET, bytes: [], bitlen: 0, any: true, lenGiven: false } },
    { text: 'any', family: AF_UNSPEC, out: { family: AF_UNSPEC, bytes: [], bitlen: 0, any: true, lenGiven: false } },
  ] as const;

  it.each(ACCEPTS)('reads $text (family $family)', ({ text, family, out }) => {
    expect(parsePrefix(text, family)).toEqual({ ...out, bytes: new Uint8Array(out.bytes), text });
  });

  const REJECTS = [
    { text: '10.0.0.0/33', family: AF_UNSPEC, message: 'Error: any valid prefix is expected rather than "10.0.0.0/33".' },
    { text: '2001:db8::/129', family: AF_INET6, message: 'Error: inet6 prefix is expected rather than "2001:db8::/129".' },
    { text: '10.0.0.0/', family: AF_INET, message: 'Error: inet prefix is expected rather than "10.0.0.0/".' },
    { text: '10.0.0.0/255.0.255.0', family: AF_INET, message: 'Error: inet prefix is expected rather than "10.0.0.0/255.0.255.0".' },
    { text: '10.0.0.0/8/8', family: AF_INET, message: 'Error: inet prefix is expected rather than "10.0.0.0/8/8".' },
    { text: '10.0.0.0/8', family: AF_INET6, message: 'Error: inet6 prefix is expected rather than "10.0.0.0/8".' },
    { text: '2001:db8::/32', family: AF_INET, message: 'Error: inet prefix is expected rather than "2001:db8::/32".' },
    { text: 'defaults', family: AF_UNSPEC, message: 'Error: any valid prefix is expected rather than "defaults".' },
    { text: 'default/0', family: AF_UNSPEC, message: 'Error: any valid prefix is expected rather than "default/0".' },
    { text: '', family: AF_UNSPEC, message: 'Error: any valid prefix is expected rather than "".' },
  ] as const;

  it.each(REJECTS)('rejects $text (family $family) like get_prefix(), exit 1', ({ text, family, message }) => {
    expect(failure(() => parsePrefix(text, family))).toEqual({ message, exitCode: 1 });
  });

  it('refuses any prefix for the link family (-0), as get_prefix() does', () => {
    expect(failure(() => parsePrefix('10.0.0.0/8', AF_PACKET))).toEqual({ message: 'Error: "10.0.0.0/8" may be inet prefix, but it is not allowed in this context.', exitCode: 1 });
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

  it.each(['zz', ''])("rejects %j with ll_addr_a2n's message", (text) => {
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
