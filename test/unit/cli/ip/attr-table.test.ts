// The allocation-free parts of the ip printers: AttrTable (offsets and
// lengths by type, typed getters, Attr views on demand), Printer.address()
// and IpContext.listPrinter(), which writes each element straight into the
// output. Each must give what the object-per-attribute and copy-per-element
// paths gave.
import { describe, expect, it } from 'vitest';
import { AttrTable, parseAttrs } from '../../../../src/cli/ip/attrs.js';
import { Printer } from '../../../../src/cli/ip/printer.js';
import { IpContext } from '../../../../src/cli/ip/context.js';
import { AttributeReader } from '../../../../src/core/attributes.js';
import { NetlinkDecodeError } from '../../../../src/core/errors.js';
import { AF_INET, AF_INET6, AF_UNSPEC, NLA_F_NESTED } from '../../../../src/core/constants.js';

/** Attributes as the kernel lays them out: [type, data] pairs, each padded to 4 bytes. */
function attrs(list: readonly (readonly [number, readonly number[]])[]): Uint8Array {
  const out: number[] = [];
  for (const [type, data] of list) {
    const len = 4 + data.length;
    out.push(len & 0xff, len >> 8, type & 0xff, type >> 8, ...data);
    while (out.length % 4) out.push(0);
  }
  return Uint8Array.from(out);
}

const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

describe('AttrTable', () => {
  const bytes = attrs([
    [1, [10, 1, 2, 0]],
    [5, [10, 0, 0, 2]],
    [15, u32(254)],
    [15, u32(7)], // the last of a type wins, as in parse_rtattr
    [20, [3]], // shorter than a u32
    [NLA_F_NESTED | 8, attrs([[2, u32(1500)]]) as unknown as number[]],
    [40, [1, 2]],
    [70, u32(99)], // above the indexed types
  ]);

  it('answers by type with typed getters, the last attribute of a type winning', () => {
    const tb = parseAttrs(bytes, 0, bytes.length);
    expect(tb.has(1)).toBe(true);
    expect(tb.has(2)).toBe(false);
    expect(tb.u32(15)).toBe(7);
    expect(tb.u8(20)).toBe(3);
    // Absent or too short: 0, as Attr's getters answer.
    expect(tb.u32(20)).toBe(0);
    expect(tb.u32(2)).toBe(0);
    expect(tb.offset(2)).toBe(-1);
    expect(tb.length(2)).toBe(0);
    expect(tb.u16(40)).toBe(0x0201);
    expect(tb.has(40)).toBe(true);
    expect(tb.has(70)).toBe(true);
    expect(tb.u32(70)).toBe(99);
    expect(tb.length(1)).toBe(4);
    expect([...tb.buffer.subarray(tb.offset(5), tb.offset(5) + tb.length(5))]).toEqual([10, 0, 0, 2]);
  });

  it('hands out Attr views that stay valid together and after the table is filled again', () => {
    const tb = new AttrTable().fill(bytes, 0, bytes.length);
    const dst = tb.get(1)!;
    const gw = tb.get(5)!;
    const mx = tb.get(8)!;
    expect([...dst.bytes]).toEqual([10, 1, 2, 0]);
    expect([...gw.bytes]).toEqual([10, 0, 0, 2]);
    expect(mx.nested).toBe(true);
    expect(gw.nested).toBe(false);
    expect(mx.nest().u32(2)).toBe(1500);
    expect(tb.get(2)).toBeUndefined();
    const other = attrs([[5, [192, 168, 0, 1]]]);
    tb.fill(other, 0, other.length);
    expect(tb.has(1)).toBe(false);
    expect(tb.has(70)).toBe(false);
    expect([...tb.get(5)!.bytes]).toEqual([192, 168, 0, 1]);
    // The views taken before point at the first run still.
    expect([...dst.bytes]).toEqual([10, 1, 2, 0]);
    expect([...gw.bytes]).toEqual([10, 0, 0, 2]);
  });

  it('fails on a malformed length exactly as AttributeReader does', () => {
    const bad = Uint8Array.from([...bytes.subarray(0, 8), 9, 0, 2, 0, 1, 2, 3, 4]);
    let want: unknown;
    try {
      for (const r = new AttributeReader(bad, 0, bad.length); r.next(););
    } catch (err) {
      want = err;
    }
    expect(want).toBeInstanceOf(NetlinkDecodeError);
    expect(() => parseAttrs(bad, 0, bad.length)).toThrow((want as Error).message);
    expect(() => parseAttrs(bad, 0, bad.length + 1)).toThrow(RangeError);
  });
});

describe('Printer.address', () => {
  const v4 = Uint8Array.from([0, 10, 1, 200, 0]);
  const v6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

  it('prints what the address text through any() printed, in every mode', () => {
    for (const [json, pretty] of [
      [false, false],
      [true, false],
      [true, true],
    ] as const) {
      const a = new Printer(json, pretty);
      const b = new Printer(json, pretty);
      a.address('dst', '%s ', v4, 1, 4, AF_INET, 24).address('gateway', 'via %s ', v6, 0, 16, AF_INET6).address('src', 'src %s ', v4, 1, 2, AF_INET);
      b.any('dst', '%s ', '10.1.200.0/24').any('gateway', 'via %s ', '2001:db8::1').any('src', 'src %s ', '???');
      expect(a.rendered).toBe(b.rendered);
    }
    expect(new Printer(false).address('dst', '%-20s|', v4, 1, 4, AF_INET).output).toBe('10.1.200.0          |');
  });
});

describe('IpContext.listPrinter', () => {
  function listing(json: boolean, pretty: boolean, inPlace: boolean): string {
    let out = '';
    const ctx = new IpContext(
      { stdout: (t) => (out += t), stderr: () => {} },
      { json, pretty, details: 0, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false },
    );
    for (const [i, name] of ['lo', 'skipped', 'v0', 'ünï'].entries()) {
      const p = inPlace ? ctx.listPrinter() : ctx.printer();
      p.any('ifindex', '%u: ', i + 1)
        .any('ifname', '%s: ', name)
        .openArray('flags')
        .any(null, '<%s>', 'UP')
        .close();
      // An element begun and not listed leaves nothing behind.
      if (name !== 'skipped') ctx.listItem(p);
    }
    ctx.listEnd();
    ctx.close();
    return out;
  }

  it('prints the listing printer() and listItem() print, in every mode', () => {
    for (const [json, pretty] of [
      [false, false],
      [true, false],
      [true, true],
    ] as const) {
      expect(listing(json, pretty, true)).toBe(listing(json, pretty, false));
    }
    expect(listing(true, false, true)).toBe(
      '[{"ifindex":1,"ifname":"lo","flags":["UP"]},{"ifindex":3,"ifname":"v0","flags":["UP"]},{"ifindex":4,"ifname":"ünï","flags":["UP"]}]\n',
    );
    expect(listing(false, false, true)).toBe('1: lo: <UP>\n3: v0: <UP>\n4: ünï: <UP>\n');
  });
});
