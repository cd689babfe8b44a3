// ip-style JSON (src/cli/ip/json.ts): formatJson as iproute2's
// lib/json_writer.c lays it out (`ip -j` on one line, `ip -j -p` indented by
// four spaces), string escaping, and ByteText, the UTF-8 byte buffer compact
// output is streamed into. The pretty layouts were checked against
// `ip -j -p addr show` (iproute2 6.1) on the development machine.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteText, JsonNumberText, formatJson, jsonString, type JsonObject } from '../../../../src/cli/ip/json.js';

const encoder = new TextEncoder();

/** A link as `ip -j addr show` prints one (the shape, not every key). */
const LINK: JsonObject = {
  ifindex: 1,
  ifname: 'lo',
  flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
  mtu: 65536,
  operstate: 'UNKNOWN',
  link_type: 'loopback',
  addr_info: [
    { family: 'inet', local: '127.0.0.1', prefixlen: 8, valid_life_time: 4294967295 },
    { family: 'inet6', local: '::1', prefixlen: 128 },
  ],
};

describe('formatJson', () => {
  it('prints compact JSON on one line, keys in insertion order', () => {
    expect(formatJson(LINK)).toBe(
      '{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"operstate":"UNKNOWN","link_type":"loopback",' +
        '"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"valid_life_time":4294967295},{"family":"inet6","local":"::1","prefixlen":128}]}',
    );
  });

  it('prints pretty JSON as json_writer.c does: four spaces a level, "[ a,b ]" for scalar arrays, "},{" between objects', () => {
    expect(formatJson(LINK, true)).toBe(
      [
        '{',
        '    "ifindex": 1,',
        '    "ifname": "lo",',
        '    "flags": [ "LOOPBACK","UP","LOWER_UP" ],',
        '    "mtu": 65536,',
        '    "operstate": "UNKNOWN",',
        '    "link_type": "loopback",',
        '    "addr_info": [ {',
        '            "family": "inet",',
        '            "local": "127.0.0.1",',
        '            "prefixlen": 8,',
        '            "valid_life_time": 4294967295',
        '        },{',
        '            "family": "inet6",',
        '            "local": "::1",',
        '            "prefixlen": 128',
        '        } ]',
        '}',
      ].join('\n'),
    );
  });

  const SCALARS = [
    { name: 'u64 counters as exact integers', value: { rx: 18446744073709551615n }, compact: '{"rx":18446744073709551615}' },
    { name: 'numbers with fixed decimals as given', value: { timer: new JsonNumberText('0.00') }, compact: '{"timer":0.00}' },
    { name: 'booleans and null', value: { up: true, down: false, none: null }, compact: '{"up":true,"down":false,"none":null}' },
    { name: 'non-finite numbers as null', value: { a: NaN, b: Infinity, c: -Infinity }, compact: '{"a":null,"b":null,"c":null}' },
    { name: 'negative zero and fractions like JavaScript', value: { z: -0, f: 0.5, n: -12 }, compact: '{"z":0,"f":0.5,"n":-12}' },
    { name: 'no undefined members', value: { a: undefined, b: 1, c: undefined }, compact: '{"b":1}' },
    { name: 'empty objects and arrays', value: { o: {}, a: [] }, compact: '{"o":{},"a":[]}' },
    { name: 'an object of only undefined members as {}', value: { o: { x: undefined } }, compact: '{"o":{}}' },
    { name: 'escaped keys', value: { 'a"b': 1 }, compact: '{"a\\"b":1}' },
  ] as const;

  it.each(SCALARS)('prints $name', ({ value, compact }) => {
    expect(formatJson(value as JsonObject)).toBe(compact);
  });

  it('prints scalars at the top level', () => {
    expect([formatJson('lo'), formatJson(7), formatJson(7n), formatJson(null), formatJson(true), formatJson([]), formatJson([], true)]).toEqual([
      '"lo"',
      '7',
      '7',
      'null',
      'true',
      '[]',
      '[ ]',
    ]);
  });

  it('nests pretty objects and arrays of objects one level deeper each', () => {
    expect(formatJson({ a: { b: { c: 1 } }, l: [{ m: [{ n: 1 }] }] }, true)).toBe(
      [
        '{',
        '    "a": {',
        '        "b": {',
        '            "c": 1',
        '        }',
        '    },',
        '    "l": [ {',
        '            "m": [ {',
        '                    "n": 1',
        '                } ]',
        '        } ]',
        '}',
      ].join('\n'),
    );
  });

  // json_writer.c's jsonw_start_array() writes "[ " and jsonw_end_array() writes
  // no second space when nothing came between: `ip -j -p addr show` prints
  // `"addr_info": [ ]` for a link without addresses (iproute2 6.1).
  it('prints an empty pretty array as "[ ]"', () => {
    expect(formatJson({ addr_info: [] }, true)).toBe('{\n    "addr_info": [ ]\n}');
  });

  it('round-trips through JSON.parse in both layouts', () => {
    for (const pretty of [false, true]) expect(JSON.parse(formatJson(LINK, pretty))).toEqual(LINK);
  });
});

describe('jsonString', () => {
  const CASES = [
    { name: 'plain ASCII as is', input: 'eth0', output: '"eth0"' },
    { name: 'the empty string', input: '', output: '""' },
    { name: 'a quote', input: 'a"b', output: '"a\\"b"' },
    { name: 'a backslash', input: 'a\\b', output: '"a\\\\b"' },
    { name: 'newline, tab, carriage return, backspace, form feed', input: '\n\t\r\b\f', output: '"\\n\\t\\r\\b\\f"' },
    { name: 'other control characters as \\u00XX', input: '\u0000\u0001\u001f', output: '"\\u0000\\u0001\\u001f"' },
    { name: 'DEL unescaped', input: 'a\u007fb', output: '"a\u007fb"' },
    { name: 'non-ASCII unescaped', input: 'café ∆ 😀', output: '"café ∆ 😀"' },
    { name: 'a lone surrogate escaped', input: 'x\ud800y', output: '"x\\ud800y"' },
  ] as const;

  it.each(CASES)('writes $name', ({ input, output }) => {
    expect(jsonString(input)).toBe(output);
  });

  it('agrees with JSON.stringify for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 500 },
    );
  });
});

describe('ByteText', () => {
  const bytesOf = (t: ByteText): Uint8Array => t.bytes.slice(0, t.length);

  it('appends ASCII and multi-byte text as UTF-8', () => {
    const t = new ByteText();
    t.text('lo ');
    t.text('é€😀');
    t.text(' x');
    expect(bytesOf(t)).toEqual(encoder.encode('lo é€😀 x'));
    expect(t.length).toBe(3 + 2 + 3 + 4 + 2);
    expect(t.toString()).toBe('lo é€😀 x');
  });

  it('writes a lone surrogate as U+FFFD, like TextEncoder', () => {
    const t = new ByteText();
    t.text('a\udc00b');
    expect([...bytesOf(t)]).toEqual([0x61, 0xef, 0xbf, 0xbd, 0x62]);
  });

  it('grows past its initial 4 KiB, keeping what it holds', () => {
    const t = new ByteText();
    const initial = t.bytes.length;
    expect(initial).toBe(4096);
    const ascii = 'x'.repeat(initial - 3);
    t.text(ascii);
    t.text('ééé'); // six bytes where three are left: grows in the UTF-8 path
    t.byte(0x21);
    t.jsonString('é'.repeat(3000));
    t.number(123456);
    const expected = ascii + 'ééé' + '!' + JSON.stringify('é'.repeat(3000)) + '123456';
    expect(t.bytes.length).toBeGreaterThan(initial);
    expect(bytesOf(t)).toEqual(encoder.encode(expected));
    expect(t.toString()).toBe(expected);
  });

  it('grows one byte at a time with byte()', () => {
    const t = new ByteText();
    for (let i = 0; i < 10_000; i++) t.byte(0x30 + (i % 10));
    expect(t.length).toBe(10_000);
    expect(t.toString()).toBe('0123456789'.repeat(1000));
  });

  const NUMBERS = [
    [0, '0'],
    [9, '9'],
    [10, '10'],
    [99, '99'],
    [100, '100'],
    [999999999, '999999999'],
    [1e9, '1000000000'],
    [4294967295, '4294967295'],
    [2 ** 53, '9007199254740992'],
    [-1, '-1'],
    [-0, '0'],
    [-2147483648, '-2147483648'],
    [0.5, '0.5'],
    [-1.25, '-1.25'],
    [1e21, '1e+21'],
    [5e-7, '5e-7'],
    [NaN, 'null'],
    [Infinity, 'null'],
    [-Infinity, 'null'],
  ] as const;

  it.each(NUMBERS)('writes the number %s as %s', (value, text) => {
    const t = new ByteText();
    t.text('[');
    t.number(value);
    t.text(']');
    expect(t.toString()).toBe(`[${text}]`);
  });

  it('writes any number as JSON.stringify does (null when not finite)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.nat({ max: 2e9 })), (v) => {
        const t = new ByteText();
        t.number(v);
        expect(t.toString()).toBe(Number.isFinite(v) ? JSON.stringify(v) : 'null');
      }),
      { numRuns: 1000 },
    );
  });

  it('writes JSON string literals as JSON.stringify does, escapes and non-ASCII included', () => {
    const t = new ByteText();
    t.jsonString('eth0');
    t.jsonString('a"b\\c\n\u0001');
    t.jsonString('😀');
    expect(t.toString()).toBe('"eth0""a\\"b\\\\c\\n\\u0001""😀"');
  });

  it('appends another ByteText, growing when needed', () => {
    const a = new ByteText();
    a.text('head:');
    const b = new ByteText();
    b.text('é'.repeat(5000));
    a.append(b);
    a.append(b);
    expect(a.toString()).toBe('head:' + 'é'.repeat(10_000));
    expect(b.toString()).toBe('é'.repeat(5000));
  });

  it('starts over after clear()', () => {
    const t = new ByteText();
    t.text('old text');
    t.clear();
    expect(t.length).toBe(0);
    expect(t.toString()).toBe('');
    t.text('new');
    expect(t.toString()).toBe('new');
  });

  it('holds the same bytes as TextEncoder for any sequence of writes', () => {
    const write = fc.oneof(
      fc.record({ op: fc.constant('text' as const), s: fc.string({ unit: 'binary', maxLength: 3000 }) }),
      fc.record({ op: fc.constant('json' as const), s: fc.string({ unit: 'binary', maxLength: 300 }) }),
      fc.record({ op: fc.constant('number' as const), n: fc.oneof(fc.double(), fc.nat()) }),
      fc.record({ op: fc.constant('byte' as const), b: fc.integer({ min: 0x20, max: 0x7e }) }),
    );
    fc.assert(
      fc.property(fc.array(write, { maxLength: 30 }), (writes) => {
        const t = new ByteText();
        // Each piece on its own: halves of a surrogate pair in two writes are two lone surrogates.
        const pieces: string[] = [];
        for (const w of writes) {
          if (w.op === 'text') {
            t.text(w.s);
            pieces.push(w.s);
          } else if (w.op === 'json') {
            t.jsonString(w.s);
            pieces.push(JSON.stringify(w.s));
          } else if (w.op === 'number') {
            t.number(w.n);
            pieces.push(Number.isFinite(w.n) ? JSON.stringify(w.n) : 'null');
          } else {
            t.byte(w.b);
            pieces.push(String.fromCharCode(w.b));
          }
        }
        expect(bytesOf(t)).toEqual(new Uint8Array(Buffer.concat(pieces.map((p) => encoder.encode(p)))));
      }),
      { numRuns: 300 },
    );
  });
});
