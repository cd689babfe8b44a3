// The ip-style printer (src/cli/ip/printer.ts), in its three modes: text,
// compact JSON (`-j`, streamed into bytes) and pretty JSON (`-j -p`, built as
// a tree). The same calls must give the same JSON document in both JSON
// modes, and text that follows the formats.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteText, JsonNumberText, formatJson, type JsonValue } from '../../../../src/cli/ip/json.js';
import { Printer, sprintf } from '../../../../src/cli/ip/printer.js';
import { IpContext } from '../../../../src/cli/ip/context.js';
import { AF_UNSPEC } from '../../../../src/core/constants.js';

type Scalar = string | number | bigint | boolean | null | JsonNumberText;

/** The three printers a command can be given. */
const modes = (): { text: Printer; compact: Printer; pretty: Printer } => ({ text: new Printer(false), compact: new Printer(true), pretty: new Printer(true, true) });

/** Roughly what `ip addr show` prints for one link: every kind of call once. */
function printLink(p: Printer): void {
  p.any('ifindex', '%u: ', 2)
    .any('ifname', '%s: ', 'v0')
    .fp('<')
    .openArray('flags')
    .any(null, '%s', 'BROADCAST')
    .fp(',')
    .any(null, '%s', 'UP')
    .close()
    .fp('> ')
    .any('mtu', 'mtu %u ', 1500)
    .bool('promisc', 'PROMISC ', false)
    .bool('carrier', 'CARRIER ', true)
    .onOff('learning', 'learning %s ', true)
    .jsonOnly('txqlen', 1000)
    .null('master')
    .any(null, '%s', 'text only ')
    .fpf('group %s ', 'default')
    .value('stats64', { rx: { bytes: 18446744073709551615n, packets: 0 }, timer: new JsonNumberText('0.00') })
    .open('linkinfo')
    .any('info_kind', '%s ', 'veth')
    .close()
    .openArray('addr_info')
    .open(null)
    .any('family', '%s ', 'inet')
    .any('local', '%s', '10.0.0.1')
    .jsonOnly('prefixlen', 24)
    .fpf('/%u', 24)
    .close()
    .close();
}

const LINK_COMPACT =
  '{"ifindex":2,"ifname":"v0","flags":["BROADCAST","UP"],"mtu":1500,"promisc":false,"carrier":true,"learning":true,"txqlen":1000,"master":null,' +
  '"stats64":{"rx":{"bytes":18446744073709551615,"packets":0},"timer":0.00},"linkinfo":{"info_kind":"veth"},"addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24}]}';

describe('Printer', () => {
  it('prints text by the formats, without JSON-only members', () => {
    const { text } = modes();
    printLink(text);
    const expected = '2: v0: <BROADCAST,UP> mtu 1500 CARRIER learning on text only group default veth inet 10.0.0.1/24';
    expect(text.output).toBe(expected);
    expect(text.rendered).toBe(expected);
  });

  it('prints compact JSON as one line, dropping keyless members of objects', () => {
    const { compact } = modes();
    printLink(compact);
    expect(compact.rendered).toBe(LINK_COMPACT);
    expect(compact.output).toBe('');
  });

  it("prints pretty JSON in json_writer.c's layout", () => {
    const { pretty } = modes();
    printLink(pretty);
    expect(pretty.rendered).toBe(
      [
        '{',
        '    "ifindex": 2,',
        '    "ifname": "v0",',
        '    "flags": [ "BROADCAST","UP" ],',
        '    "mtu": 1500,',
        '    "promisc": false,',
        '    "carrier": true,',
        '    "learning": true,',
        '    "txqlen": 1000,',
        '    "master": null,',
        '    "stats64": {',
        '        "rx": {',
        '            "bytes": 18446744073709551615,',
        '            "packets": 0',
        '        },',
        '        "timer": 0.00',
        '    },',
        '    "linkinfo": {',
        '        "info_kind": "veth"',
        '    },',
        '    "addr_info": [ {',
        '            "family": "inet",',
        '            "local": "10.0.0.1",',
        '            "prefixlen": 24',
        '        } ]',
        '}',
      ].join('\n'),
    );
  });

  it('gives the same document in compact and pretty JSON', () => {
    const { compact, pretty } = modes();
    printLink(compact);
    printLink(pretty);
    expect(JSON.parse(pretty.rendered)).toEqual(JSON.parse(compact.rendered));
    expect(compact.object).toEqual(JSON.parse(LINK_COMPACT));
  });

  it('drops a keyless object or array inside an object, with all it holds', () => {
    for (const p of [new Printer(true), new Printer(true, true)]) {
      p.open(null).any('lost', '', 1).openArray('deeper').any(null, '', 2).open(null).any('x', '', 3).close().close().close();
      p.any('a', '', 1);
      p.openArray(null).any(null, '', 'lost').close();
      p.any('b', '', 2);
      p.open(null).close();
      expect(JSON.parse(p.rendered)).toEqual({ a: 1, b: 2 });
    }
    const compact = new Printer(true);
    compact.any('a', '', 1).open(null).any('lost', '', 1).close().any('b', '', 2);
    expect(compact.rendered).toBe('{"a":1,"b":2}');
  });

  it('keeps keyless members and containers inside arrays, arrays of objects of arrays included', () => {
    const build = (p: Printer): void => {
      p.openArray('routes');
      for (const dst of ['10.0.0.0/8', 'default']) {
        p.open(null).any('dst', '%s ', dst).openArray('nexthops');
        for (const gw of ['10.0.0.1', '10.0.0.2']) p.open(null).any('gateway', 'via %s ', gw).openArray('flags').any(null, '%s ', 'onlink').close().close();
        p.close().close();
      }
      p.openArray('empty').close();
      p.openArray(null).any(null, '', 1).openArray(null).close().close();
      p.close();
    };
    const { text, compact, pretty } = modes();
    for (const p of [text, compact, pretty]) build(p);
    const hops = [
      { gateway: '10.0.0.1', flags: ['onlink'] },
      { gateway: '10.0.0.2', flags: ['onlink'] },
    ];
    expect(compact.rendered).toBe(
      '{"routes":[{"dst":"10.0.0.0/8","nexthops":[{"gateway":"10.0.0.1","flags":["onlink"]},{"gateway":"10.0.0.2","flags":["onlink"]}]},' +
        '{"dst":"default","nexthops":[{"gateway":"10.0.0.1","flags":["onlink"]},{"gateway":"10.0.0.2","flags":["onlink"]}]},[],[1,[]]]}',
    );
    expect(JSON.parse(pretty.rendered)).toEqual({ routes: [{ dst: '10.0.0.0/8', nexthops: hops }, { dst: 'default', nexthops: hops }, [], [1, []]] });
    expect(text.output).toBe('10.0.0.0/8 via 10.0.0.1 onlink via 10.0.0.2 onlink default via 10.0.0.1 onlink via 10.0.0.2 onlink ');
  });

  it('prints empty arrays and objects', () => {
    const { compact, pretty } = modes();
    for (const p of [compact, pretty]) p.openArray('flags').close().open('info').close();
    expect(compact.rendered).toBe('{"flags":[],"info":{}}');
    expect(JSON.parse(pretty.rendered)).toEqual({ flags: [], info: {} });
  });

  it('prints an empty object when nothing was printed', () => {
    const { text, compact, pretty } = modes();
    expect([text.rendered, compact.rendered, pretty.rendered]).toEqual(['', '{}', '{}']);
  });

  it('closes containers left open when rendering, and ignores a close too many', () => {
    const { compact, pretty } = modes();
    for (const p of [compact, pretty]) p.close().open('a').openArray('b').any(null, '', 1);
    expect(compact.rendered).toBe('{"a":{"b":[1]}}');
    expect(JSON.parse(pretty.rendered)).toEqual({ a: { b: [1] } });
    for (const p of [compact, pretty]) p.close().close().close().close().any('c', '', 2);
    expect(compact.rendered).toBe('{"a":{"b":[1]},"c":2}');
    expect(JSON.parse(pretty.rendered)).toEqual({ a: { b: [1] }, c: 2 });
  });

  // rendered and writeTo() close what is still open; a dropped container still
  // open is closed too, but its bytes are only cut out when close() is called.
  it('renders valid JSON while a dropped container is still open', () => {
    const p = new Printer(true);
    p.any('a', '', 1).open(null).any('b', '', 2);
    expect(p.rendered).toBe('{"a":1}');
  });

  it('writes the same bytes into a ByteText as it renders, after what the sink holds', () => {
    const p = new Printer(true);
    printLink(p);
    p.open('unclosed').any('x', '', 'é');
    const sink = new ByteText();
    sink.text('[');
    p.writeTo(sink);
    sink.text(',');
    p.writeTo(sink);
    expect(sink.toString()).toBe(`[${p.rendered},${p.rendered}`);
    expect(p.rendered).toBe(LINK_COMPACT.slice(0, -1) + ',"unclosed":{"x":"é"}}');
  });

  it('starts a fresh object after reset(), even from inside open containers', () => {
    const { text, compact, pretty } = modes();
    for (const p of [text, compact, pretty]) {
      printLink(p);
      p.openArray('open').open(null).open(null);
      p.reset();
      p.any('ifname', '%s', 'lo').openArray('flags').any(null, ' %s', 'UP').close();
    }
    expect(text.output).toBe('lo UP');
    expect(compact.rendered).toBe('{"ifname":"lo","flags":["UP"]}');
    expect(pretty.rendered).toBe('{\n    "ifname": "lo",\n    "flags": [ "UP" ]\n}');
    expect(pretty.object).toEqual({ ifname: 'lo', flags: ['UP'] });
    expect(compact.object).toEqual({ ifname: 'lo', flags: ['UP'] });
    const sink = new ByteText();
    compact.writeTo(sink);
    expect(sink.toString()).toBe('{"ifname":"lo","flags":["UP"]}');
  });

  it('escapes string values and writes non-ASCII as UTF-8', () => {
    const { compact, pretty } = modes();
    const alias = 'quote " backslash \\ tab \t bell \u0007 café 😀';
    for (const p of [compact, pretty]) p.any('ifalias', '%s', alias);
    expect(compact.rendered).toBe(`{"ifalias":${JSON.stringify(alias)}}`);
    expect(JSON.parse(pretty.rendered)).toEqual({ ifalias: alias });
  });

  it('writes non-finite numbers as null, bigints and fixed decimals as given', () => {
    const { text, compact } = modes();
    for (const p of [text, compact])
      p.any('a', '%s ', NaN)
        .any('b', '%u ', 2n ** 64n - 1n)
        .any('c', '%s', new JsonNumberText('1.50'))
        .any('d', ' %d', -0.5);
    expect(compact.rendered).toBe('{"a":null,"b":18446744073709551615,"c":1.50,"d":-0.5}');
    expect(text.output).toBe('NaN 18446744073709551615 1.50 -0.5');
  });
});

// A listing is one JSON array of the printer's objects (IpContext.listItem /
// listEnd; no socket is opened for printing). The expected layouts are
// `ip -j addr show` and `ip -j -p addr show` of a namespace's lo, and
// `ip -j [-p] neigh show` of an empty table (iproute2 6.1).
describe('listings', () => {
  function listing(json: boolean, pretty: boolean, links: readonly { ifindex: number; ifname: string }[]): string {
    let out = '';
    const ctx = new IpContext(
      { stdout: (t) => (out += t), stderr: () => {} },
      { json, pretty, details: 0, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false },
    );
    for (const l of links) {
      const p = ctx.printer();
      p.any('ifindex', '%u: ', l.ifindex).any('ifname', '%s: ', l.ifname).openArray('flags').any(null, '<%s>', 'LOOPBACK').close();
      ctx.listItem(p);
    }
    ctx.listEnd();
    ctx.close();
    return out;
  }
  const LINKS = [
    { ifindex: 1, ifname: 'lo' },
    { ifindex: 2, ifname: 'v0' },
  ];

  it('prints text one line per object', () => {
    expect(listing(false, false, LINKS)).toBe('1: lo: <LOOPBACK>\n2: v0: <LOOPBACK>\n');
  });

  it('prints compact JSON as one array on one line', () => {
    expect(listing(true, false, LINKS)).toBe('[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"]},{"ifindex":2,"ifname":"v0","flags":["LOOPBACK"]}]\n');
    expect(listing(true, false, [])).toBe('[]\n');
  });

  it('prints pretty JSON that parses to the same array', () => {
    expect(JSON.parse(listing(true, true, LINKS))).toEqual(JSON.parse(listing(true, false, LINKS)));
  });

  // json_writer.c indents by depth: an object inside the listing's array has
  // its members at eight spaces and its closing brace at four.
  it("indents a pretty listing's objects one level inside the array", () => {
    expect(listing(true, true, LINKS.slice(0, 1))).toBe('[ {\n        "ifindex": 1,\n        "ifname": "lo",\n        "flags": [ "LOOPBACK" ]\n    } ]\n');
  });

  it('prints an empty pretty listing as "[ ]"', () => {
    expect(listing(true, true, [])).toBe('[ ]\n');
  });
});

describe('sprintf', () => {
  const CASES: readonly (readonly [string, Scalar, string])[] = [
    ['%s', 'lo', 'lo'],
    ['dev %s ', 'eth0', 'dev eth0 '],
    ['mtu %u ', 1500, 'mtu 1500 '],
    ['%u', 18446744073709551615n, '18446744073709551615'],
    ['%d', -5, '-5'],
    ['%i', 7, '7'],
    ['%lu', 5, '5'],
    ['%llu', 5n, '5'],
    ['%hhu', 255, '255'],
    ['%zu', 3, '3'],
    ['%x', 255, 'ff'],
    ['%x', 0, '0'],
    ['%x', 0xdeadbeefn, 'deadbeef'],
    ['%#x', 255, '0xff'],
    ['%#x', 0, '0'],
    ['mark %#x ', 4096n, 'mark 0x1000 '],
    ['%x', 'text', 'text'],
    ['%8s|', 'ab', '      ab|'],
    ['%-8s|', 'ab', 'ab      |'],
    ['%-16s ', 'lo', 'lo               '],
    ['%5u', 42, '   42'],
    ['%-5u|', 42, '42   |'],
    ['%5d', -42, '  -42'],
    ['%2s', 'longer', 'longer'],
    ['%s', true, 'true'],
    ['%s', null, 'null'],
    ['%s', new JsonNumberText('0.00'), '0.00'],
    ['no conversion', 1, 'no conversion'],
    ['%s and %s', 'one', 'one and %s'],
    ['100%', 1, '100%'],
  ];

  const rows = CASES.map(([fmt, value, out]) => ({
    fmt,
    value,
    out,
    shown: typeof value === 'bigint' ? `${value}n` : value instanceof JsonNumberText ? value.text : JSON.stringify(value),
  }));

  it.each(rows)('formats $fmt with $shown as $out', ({ fmt, value, out }) => {
    expect(sprintf(fmt, value)).toBe(out);
  });
});

// Random call sequences: the streamed compact printer and the tree-building
// pretty printer must agree on the document (callers close what they open;
// see the known bug above for a dropped container left open).
describe('compact and pretty JSON agree', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'ifname', 'flags');
  const maybeKey = fc.option(key, { nil: null });
  const scalar: fc.Arbitrary<Scalar> = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.double(),
    fc.integer(),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('0.00', '1.50', '-3', '1e3').map((t) => new JsonNumberText(t)),
  );
  const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
    v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
  })).v;
  type Call =
    | { op: 'any' | 'jsonOnly'; key: string | null; value: Scalar }
    | { op: 'bool'; key: string | null; value: boolean }
    | { op: 'onOff' | 'null'; key: string; value: boolean }
    | { op: 'value'; key: string; value: JsonValue }
    | { op: 'open' | 'openArray'; key: string | null }
    | { op: 'close' | 'fp' };
  const call: fc.Arbitrary<Call> = fc.oneof(
    fc.record({ op: fc.constantFrom('any' as const, 'jsonOnly' as const), key: maybeKey, value: scalar }),
    fc.record({ op: fc.constant('bool' as const), key: maybeKey, value: fc.boolean() }),
    fc.record({ op: fc.constantFrom('onOff' as const, 'null' as const), key, value: fc.boolean() }),
    fc.record({ op: fc.constant('value' as const), key, value: jsonValue }),
    fc.record({ op: fc.constantFrom('open' as const, 'openArray' as const), key: maybeKey }),
    fc.record({ op: fc.constantFrom('close' as const, 'fp' as const) }),
  );

  function play(p: Printer, calls: readonly Call[]): void {
    let depth = 0;
    for (const c of calls) {
      switch (c.op) {
        case 'any':
          p.any(c.key, '%s', c.value);
          break;
        case 'jsonOnly':
          p.jsonOnly(c.key, c.value);
          break;
        case 'bool':
          p.bool(c.key, 'x', c.value);
          break;
        case 'onOff':
          p.onOff(c.key, '%s', c.value);
          break;
        case 'null':
          p.null(c.key);
          break;
        case 'value':
          p.value(c.key, c.value);
          break;
        case 'open':
        case 'openArray':
          p[c.op](c.key);
          depth++;
          break;
        case 'close':
          p.close();
          depth = Math.max(0, depth - 1);
          break;
        case 'fp':
          p.fp('text');
          break;
      }
    }
    for (; depth > 0; depth--) p.close();
  }

  it('keeps a repeated key in both layouts, as ip streams it', () => {
    const { compact, pretty } = modes();
    for (const p of [compact, pretty]) p.any('dst', '', '10.50.0.0/16').any('encap', '', 'ip').any('dst', '', '10.9.9.9');
    expect(compact.rendered).toBe('{"dst":"10.50.0.0/16","encap":"ip","dst":"10.9.9.9"}');
    expect(pretty.rendered).toBe('{\n    "dst": "10.50.0.0/16",\n    "encap": "ip",\n    "dst": "10.9.9.9"\n}');
  });

  it('gives equal documents for any sequence of calls, and writeTo() agrees with rendered', () => {
    fc.assert(
      fc.property(fc.array(call, { maxLength: 40 }), fc.array(call, { maxLength: 10 }), (first, second) => {
        const { compact, pretty } = modes();
        for (const p of [compact, pretty]) {
          play(p, first);
          p.reset();
          play(p, second);
        }
        const doc = JSON.parse(compact.rendered) as unknown;
        expect(JSON.parse(pretty.rendered)).toEqual(doc);
        expect(compact.object).toEqual(doc);
        const sink = new ByteText();
        compact.writeTo(sink);
        expect(sink.toString()).toBe(compact.rendered);
        // The pretty layout is formatJson's. Both layouts stream, so a repeated key
        // stays repeated (as in ip's output); a parsed object keeps only the last.
        if (JSON.stringify(doc) === compact.rendered) expect(pretty.rendered).toBe(formatJson(pretty.object, true));
      }),
      { numRuns: 500 },
    );
  });
});
