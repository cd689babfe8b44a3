import { describe, expect, it } from 'vitest';
import { formatAddress, formatIPv4, formatIPv6, formatMac, parseIP, parseIPv4, parseIPv6, parseMac } from '../../../src/core/address.js';
import { fromHex, toHex } from '../../vectors/hex.js';

// glibc's answers, printed on the capture machine (glibc 2.36) with
//   python3 -c 'import socket; print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(HEX)))'
//   python3 -c 'import socket; print(socket.inet_pton(socket.AF_INET6, TEXT).hex())'
// (Python's socket module calls the C library's inet_ntop / inet_pton.)
const GLIBC_INET_NTOP6 = [
  { hex: '00000000000000000000000000000000', text: '::' },
  { hex: '00000000000000000000000000000001', text: '::1' },
  { hex: '00000000000000000000ffff01020304', text: '::ffff:1.2.3.4' },
  { hex: '00000000000000000000000001020304', text: '::1.2.3.4' },
  { hex: '00000000000000000000000000010000', text: '::0.1.0.0' },
  { hex: '00000000000000000000ffff00000000', text: '::ffff:0.0.0.0' },
  { hex: '00010000000000000000000000000000', text: '1::' },
  { hex: '00010000000000010000000000000001', text: '1:0:0:1::1' },
  { hex: '00010000000000000000000000000001', text: '1::1' },
  { hex: '00000001000000000000000000000000', text: '0:1::' },
  { hex: '00000000000100000000000000000000', text: '0:0:1::' },
  { hex: '00000000000000000001000000000000', text: '::1:0:0:0' },
  { hex: '00000000000000000000000100000000', text: '::1:0:0' },
  { hex: '20010db8000000000001000000000001', text: '2001:db8::1:0:0:1' },
  { hex: '20010db8000000010000000000000001', text: '2001:db8:0:1::1' },
  { hex: '00010002000300040005000600070008', text: '1:2:3:4:5:6:7:8' },
  { hex: 'fe800000000000000000000000000001', text: 'fe80::1' },
] as const;

const GLIBC_INET_PTON6_ACCEPTS = [
  { text: '::', hex: '00000000000000000000000000000000' },
  { text: '::1', hex: '00000000000000000000000000000001' },
  { text: '::ffff:1.2.3.4', hex: '00000000000000000000ffff01020304' },
  { text: '::1.2.3.4', hex: '00000000000000000000000001020304' },
  { text: '1::', hex: '00010000000000000000000000000000' },
  { text: '1:0:0:1::1', hex: '00010000000000010000000000000001' },
  { text: '0:0:0:0:0:0:0:0', hex: '00000000000000000000000000000000' },
  { text: '1:2:3:4:5:6:7:8', hex: '00010002000300040005000600070008' },
  { text: '1:2:3:4:5:6:7::', hex: '00010002000300040005000600070000' },
  { text: '::2:3:4:5:6:7:8', hex: '00000002000300040005000600070008' },
  { text: '1::2:3:4:5:6:7', hex: '00010000000200030004000500060007' },
  { text: '0001:0002::', hex: '00010002000000000000000000000000' },
  { text: '1:2:3:4:5:6:1.2.3.4', hex: '00010002000300040005000601020304' },
  { text: '1::1.2.3.4', hex: '00010000000000000000000001020304' },
  { text: '::FFFF:1.2.3.4', hex: '00000000000000000000ffff01020304' },
  { text: '0:0:0:0:0:ffff:1.2.3.4', hex: '00000000000000000000ffff01020304' },
  { text: 'FE80::1', hex: 'fe800000000000000000000000000001' },
  { text: '::0.0.0.1', hex: '00000000000000000000000000000001' },
  { text: '0::0', hex: '00000000000000000000000000000000' },
  { text: '2001:DB8:0:0:1:0:0:1', hex: '20010db8000000000001000000000001' },
] as const;

const GLIBC_INET_PTON6_REJECTS = [
  '',
  ':',
  ':::',
  '00001::',
  '12345::',
  ':1::',
  '1:',
  '1::2::3',
  '1.2.3.4',
  '::1.2.3.04',
  '::1.2.3.256',
  '::1.2.3',
  '::ffff:1.2.3.4.5',
  '::ffff:01.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4',
  '1:2:3:4:5:6::1.2.3.4',
  'fe80::1%eth0',
  ' ::1',
  '::1 ',
  '::g',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7',
  '::1.2.3.4:5',
  '::1.2.3.4.',
  '1.2.3.4::',
  '::1.2.3.4::',
] as const;

// inet_pton(AF_INET, ...) on the same machine.
const GLIBC_INET_PTON4 = [
  { text: '1.2.3.4', hex: '01020304' },
  { text: '0.0.0.0', hex: '00000000' },
  { text: '127.0.0.1', hex: '7f000001' },
  { text: '255.255.255.255', hex: 'ffffffff' },
] as const;

const GLIBC_INET_PTON4_REJECTS = [
  '256.0.0.0',
  '01.2.3.4',
  '1.2.3.04',
  '0.0.0.00',
  '10.0.0.010',
  '1.2.3',
  '1.2.3.4.5',
  '1..3.4',
  '',
  '1.2.3.4 ',
  ' 1.2.3.4',
  '1.2.3.4\n',
  'a.b.c.d',
  '1.2.3.-4',
  '1.2.3.+4',
  '1e1.2.3.4',
  '0x1.2.3.4',
] as const;

const hexBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const compactHex = (bytes: Uint8Array): string => toHex(bytes).replace(/ /g, '');

describe('formatIPv6', () => {
  it.each(GLIBC_INET_NTOP6)('prints $hex as $text, like inet_ntop', ({ hex, text }) => {
    expect(formatIPv6(hexBytes(hex))).toBe(text);
  });

  it('reads 16 bytes at an offset', () => {
    const bytes = new Uint8Array(20);
    bytes.set(hexBytes('20010db8000000000000000000000001'), 4);
    expect(formatIPv6(bytes, 4)).toBe('2001:db8::1');
  });

  it('refuses a buffer too short for 16 bytes at the offset', () => {
    expect(() => formatIPv6(new Uint8Array(20), 8)).toThrow(new RangeError('an IPv6 address needs 16 bytes at offset 8, the buffer has 20'));
  });
});

describe('formatIPv4', () => {
  it('prints a dotted quad at an offset', () => {
    expect(formatIPv4(fromHex('00 c0 00 02 01'), 1)).toBe('192.0.2.1');
  });

  it('refuses a buffer too short for 4 bytes at the offset', () => {
    expect(() => formatIPv4(fromHex('c0 00 02'))).toThrow(new RangeError('an IPv4 address needs 4 bytes at offset 0, the buffer has 3'));
  });
});

describe('formatMac and formatAddress', () => {
  const FORMS = [
    { name: 'an IPv4 address', hex: 'c0000201', text: '192.0.2.1' },
    { name: 'an IPv6 address', hex: '20010db8000000000000000000000001', text: '2001:db8::1' },
    { name: 'a MAC address', hex: '7e78f4c7c237', text: '7e:78:f4:c7:c2:37' },
    { name: 'an InfiniBand-length address', hex: '000102030405060708090a0b0c0d0e0f1011121314', text: '00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14' },
    { name: 'no bytes', hex: '', text: '' },
  ] as const;

  it.each(FORMS)('prints $name by its length', ({ hex, text }) => {
    expect(formatAddress(hexBytes(hex))).toBe(text);
  });

  it('pads single-digit bytes of a MAC with a zero', () => {
    expect(formatMac(fromHex('00 01 0a ff'))).toBe('00:01:0a:ff');
  });
});

describe('parseIPv6', () => {
  it.each(GLIBC_INET_PTON6_ACCEPTS)('reads $text as $hex, like inet_pton', ({ text, hex }) => {
    expect(compactHex(parseIPv6(text))).toBe(hex);
  });

  it.each(GLIBC_INET_PTON6_REJECTS)('refuses %j, like inet_pton', (text) => {
    expect(() => parseIPv6(text, 'gateway')).toThrow(TypeError);
  });

  it('names the field in its error', () => {
    expect(() => parseIPv6('1::2::3', 'gateway')).toThrow(new TypeError("gateway: '1::2::3' is not an IPv6 address"));
  });

  it('names the whole text when its IPv4 tail is the bad part', () => {
    expect(() => parseIPv6('::1.2.3.256', 'dst')).toThrow(new TypeError("dst: '::1.2.3.256' is not an IPv6 address"));
  });

  it('round-trips every inet_ntop form', () => {
    for (const { hex, text } of GLIBC_INET_NTOP6) expect(compactHex(parseIPv6(text))).toBe(hex);
  });
});

describe('parseIPv4', () => {
  it.each(GLIBC_INET_PTON4)('reads $text as $hex, like inet_pton', ({ text, hex }) => {
    expect(compactHex(parseIPv4(text))).toBe(hex);
  });

  it.each(GLIBC_INET_PTON4_REJECTS)('refuses %j, like inet_pton (no leading zeros, no octal, no hex)', (text) => {
    expect(() => parseIPv4(text)).toThrow(new TypeError(`address: '${text}' is not an IPv4 address`));
  });

  it('refuses a value that is not a string', () => {
    expect(() => parseIPv4(42 as unknown as string, 'local')).toThrow(new TypeError("local: '42' is not an IPv4 address"));
  });
});

describe('parseIP', () => {
  it('picks IPv6 when the text has a colon and IPv4 otherwise', () => {
    expect([compactHex(parseIP('::1')), compactHex(parseIP('10.0.0.1'))]).toEqual(['00000000000000000000000000000001', '0a000001']);
  });
});

describe('parseMac', () => {
  const MACS = [
    { text: '7e:78:f4:c7:c2:37', hex: '7e78f4c7c237' },
    { text: '7E-78-F4-C7-C2-37', hex: '7e78f4c7c237' },
    { text: '0:1:a:b:c:d', hex: '00010a0b0c0d' },
    { text: 'ff', hex: 'ff' },
  ] as const;

  it.each(MACS)('reads $text as $hex', ({ text, hex }) => {
    expect(compactHex(parseMac(text))).toBe(hex);
  });

  it.each(['', ':', '7e:78:', '7e::78', '123:45', 'zz:00', '7e:78:f4:c7:c2:37 '])('refuses %j', (text) => {
    expect(() => parseMac(text, 'lladdr')).toThrow(new TypeError(`lladdr: '${text}' is not a link-layer address`));
  });

  it('enforces a length when given one', () => {
    expect(() => parseMac('00:11:22', 'address', 6)).toThrow(new TypeError("address: '00:11:22' has 3 bytes, expected 6"));
  });
});
