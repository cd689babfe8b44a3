// Exact error messages: specs that do not hold together, and request values
// the spec does not allow (TypeError / RangeError naming the attribute path).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageWriter } from '../../../src/core/writer.js';
import { NetlinkDecodeError } from '../../../src/core/errors.js';
import { MessageView } from '../../../src/core/message.js';
import { compileFamily } from '../../../src/schema/compile.js';
import { SpecError } from '../../../src/schema/errors.js';
import { loadSpec, parseSpec } from '../../../src/schema/load.js';

const SPEC_DIR = join(import.meta.dirname, '../../../../shared/ynl-specs/specs');

/** A small netlink-raw spec; `extra` is appended to the one attribute set. */
function tiny(extra: string, tail = ''): string {
  return `
name: tiny
protocol: netlink-raw
protonum: 31
doc: test family
definitions:
  - name: hdr
    type: struct
    members:
      - name: family
        type: u8
      - name: pad
        type: pad
        len: 3
attribute-sets:
  - name: main
    attributes:
      - name: kind
        type: string
${extra}
operations:
  list:
    - name: get
      doc: get
      attribute-set: main
      do:
        request:
          attributes: [ kind ]
${tail}`;
}

describe('loading a bad spec', () => {
  const cases: Array<[string, string, string]> = [
    ['an unknown attribute type', tiny('      - name: x\n        type: u24'), "tiny.yaml: attribute-sets[0].attributes[1].type: unknown type 'u24'"],
    [
      'a dangling nested-attributes',
      tiny('      - name: x\n        type: nest\n        nested-attributes: foo'),
      "tiny.yaml: attribute-sets[0].attributes[1].nested-attributes: unknown attribute set 'foo'",
    ],
    ['a dangling struct', tiny('      - name: x\n        type: binary\n        struct: nope'), "tiny.yaml: attribute-sets[0].attributes[1].struct: unknown struct 'nope'"],
    ['a dangling enum', tiny('      - name: x\n        type: u32\n        enum: nope'), "tiny.yaml: attribute-sets[0].attributes[1].enum: unknown enum 'nope'"],
    [
      'a selector naming no attribute',
      tiny('      - name: data\n        type: sub-message\n        sub-message: msg\n        selector: knd', 'sub-messages:\n  - name: msg\n    formats:\n      - value: a\n'),
      "tiny.yaml: attribute-sets[0].attributes[1].selector: attribute 'knd' is not in set 'main' or any set that contains it",
    ],
    [
      'a dangling sub-message',
      tiny('      - name: data\n        type: sub-message\n        sub-message: msg\n        selector: kind'),
      "tiny.yaml: attribute-sets[0].attributes[1].sub-message: unknown sub-message 'msg'",
    ],
    ['a duplicate attribute', tiny('      - name: kind\n        type: u8'), "tiny.yaml: attribute-sets[0].attributes[1].name: duplicate attribute 'kind' in set 'main'"],
    ['a nest without its set', tiny('      - name: x\n        type: nest'), 'tiny.yaml: attribute-sets[0].attributes[1].nested-attributes: is required for a nest'],
    [
      'an unknown constant in a check',
      tiny('      - name: x\n        type: binary\n        checks:\n          max-len: no-such-len'),
      "tiny.yaml: attribute-sets[0].attributes[1].checks.max-len: unknown constant 'no-such-len'",
    ],
    [
      'an operation attribute not in its set',
      tiny('').replace('attributes: [ kind ]', 'attributes: [ kind, nope ]'),
      "tiny.yaml: operations.list[0].do.request.attributes[1]: attribute 'nope' is not in set 'main'",
    ],
  ];
  it.each(cases)('rejects %s', (_what, text, message) => {
    expect(() => parseSpec(text, { fileName: 'tiny.yaml' })).toThrow(new SpecError('', '', '').constructor as typeof SpecError);
    expect(() => parseSpec(text, { fileName: 'tiny.yaml' })).toThrow(message);
    try {
      parseSpec(text, { fileName: 'tiny.yaml' });
    } catch (err) {
      expect((err as Error).message).toBe(message);
    }
  });

  it('accepts the small spec itself', () => {
    expect(parseSpec(tiny(''), { fileName: 'tiny.yaml' }).attributeSets[0]!.attributes[0]!.value).toBe(1);
  });

  it('names the file and the key path in a real spec', () => {
    const text = readFileSync(join(SPEC_DIR, 'rt-link.yaml'), 'utf8').replace('nested-attributes: linkinfo-attrs', 'nested-attributes: foo');
    expect(() => parseSpec(text, { fileName: 'rt-link.yaml' })).toThrow("rt-link.yaml: attribute-sets[0].attributes[17].nested-attributes: unknown attribute set 'foo'");
  });

  it('reports YAML syntax errors and unreadable files as SpecError', () => {
    expect(() => parseSpec('name: [', { fileName: 'bad.yaml' })).toThrow(/^bad\.yaml: invalid YAML: /);
    expect(() => loadSpec('/nonexistent/x.yaml')).toThrow(/^x\.yaml: cannot read the spec: /);
  });
});

describe('encoding values the spec does not allow', () => {
  const rt = compileFamily(loadSpec(join(SPEC_DIR, 'rt-link.yaml')));
  const wg = compileFamily(loadSpec(join(SPEC_DIR, 'wireguard.yaml')));
  const newlink = (v: Record<string, unknown>) => () => rt.ops.newlink!.do!.encodeRequest(new MessageWriter(), v);
  const wgSet = (v: Record<string, unknown>) => () => wg.ops['set-device']!.do!.encodeRequest(new MessageWriter(), v, { familyId: 30 });

  const cases: Array<[string, () => unknown, ErrorConstructor, string]> = [
    ['a nested value out of range', newlink({ linkinfo: { kind: 'vlan', data: { id: 70000 } } }), RangeError, 'linkinfo.data.id: 70000 is out of range 0..65535'],
    ['a header field out of range', newlink({ 'ifi-type': -1 }), RangeError, 'ifi-type: -1 is out of range 0..65535'],
    ['text for an integer', newlink({ mtu: 'big' }), TypeError, "mtu: expected an integer, got 'big'"],
    ['a number for a string', newlink({ ifname: 5 }), TypeError, 'ifname: expected a string, got 5'],
    ['an unknown key', newlink({ ifnam: 'x' }), TypeError, "ifnam: not an attribute of set 'link-attrs'"],
    ['an unknown key in a nest', newlink({ linkinfo: { knd: 'x' } }), TypeError, "linkinfo.knd: not an attribute of set 'linkinfo-attrs'"],
    ['a sub-message without its selector', newlink({ linkinfo: { data: { id: 1 } } }), TypeError, "linkinfo.data: selector 'kind' is not set"],
    [
      'a sub-message of an unknown kind',
      newlink({ linkinfo: { kind: 'dummy0', data: { id: 1 } } }),
      TypeError,
      "linkinfo.data: 'dummy0' is not a format of sub-message 'linkinfo-data-msg'",
    ],
    ['an unknown flag name', newlink({ 'ext-mask': ['vf', 'nope'] }), TypeError, "ext-mask: 'nope' is not a flag of 'rtext-filter'"],
    [
      'an unknown enum name',
      newlink({ linkinfo: { kind: 'vlan', data: { protocol: '802.1x' } } }),
      TypeError,
      "linkinfo.data.protocol: '802.1x' is not an entry of enum 'vlan-protocols'",
    ],
    ['a nest that is not an object', newlink({ linkinfo: 'vlan' }), TypeError, "linkinfo: expected an object, got 'vlan'"],
    ['text that is not a MAC address', newlink({ address: 'zz:00' }), TypeError, "address: 'zz:00' is not a link-layer address"],
    [
      'a bad flag in a struct member',
      newlink({ linkinfo: { kind: 'vlan', data: { flags: { flags: 'x' } } } }),
      TypeError,
      "linkinfo.data.flags.flags: 'x' is not a flag of 'vlan-flags'",
    ],
    [
      'an unknown struct member',
      newlink({ linkinfo: { kind: 'vlan', data: { flags: { flag: 1 } } } }),
      TypeError,
      "linkinfo.data.flags.flag: not a member of struct 'ifla-vlan-flags'",
    ],
    ['a string longer than max-len', wgSet({ ifname: 'a-very-long-name' }), RangeError, 'ifname: length 16 is out of range 0..15'],
    ['a key of the wrong exact-len', wgSet({ 'private-key': new Uint8Array(3) }), RangeError, 'private-key: length 3 must be exactly 32'],
    [
      'a genetlink request without a family id',
      () => wg.ops['set-device']!.do!.encodeRequest(new MessageWriter(), {}),
      TypeError,
      'wireguard: a generic netlink family id is needed (options.familyId)',
    ],
  ];
  it.each(cases)('rejects %s', (_what, fn, type, message) => {
    expect(fn).toThrow(type);
    expect(fn).toThrow(message);
    try {
      fn();
    } catch (err) {
      expect((err as Error).message).toBe(message);
    }
  });

  it('leaves an empty writer empty after a failed encode', () => {
    const w = new MessageWriter();
    expect(() => rt.ops.newlink!.do!.encodeRequest(w, { mtu: -1 })).toThrow(RangeError);
    expect(w.length).toBe(0);
    rt.ops.newlink!.do!.encodeRequest(w, { mtu: 1500 });
    expect(w.length).toBe(40);
  });
});

describe('decoding malformed messages', () => {
  const rt = compileFamily(loadSpec(join(SPEC_DIR, 'rt-link.yaml')));
  const good = (() => {
    const w = new MessageWriter();
    rt.ops.newlink!.do!.encodeRequest(w, { ifname: 'eth0', mtu: 1500, linkinfo: { kind: 'vlan', data: { id: 5 } } });
    return w.finishCopy();
  })();

  it('throws NetlinkDecodeError, never a RangeError, on every truncation and corruption', () => {
    for (let cut = 16; cut < good.length; cut++) {
      const bytes = good.slice(0, cut);
      new DataView(bytes.buffer).setUint32(0, cut, true);
      try {
        rt.decodeRequest(MessageView.from(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(NetlinkDecodeError);
      }
    }
    for (let i = 32; i < good.length; i++) {
      for (const v of [0, 1, 3, 0xff]) {
        const bytes = good.slice();
        bytes[i] = v;
        try {
          rt.decodeRequest(MessageView.from(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkDecodeError);
        }
      }
    }
  });

  it('says where an attribute runs past its parent', () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setUint16(32, 200, true);
    expect(() => rt.decodeRequest(MessageView.from(bytes))).toThrow('link-attrs: attribute length 200 runs past its parent (48 bytes left) (at byte 32)');
  });

  it('says which attribute is too short for its type', () => {
    const w = new MessageWriter();
    w.beginMessage(16).putRaw(new Uint8Array(16)).putU16(4, 1500).endMessage();
    expect(() => rt.decodeRequest(MessageView.from(w.finish()))).toThrow('link-attrs.mtu: attribute has 2 bytes, needs 4 (at byte 32)');
  });
});
