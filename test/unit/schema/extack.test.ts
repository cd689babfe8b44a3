// Extended-ack offsets and missing attribute types, mapped back to attribute
// names on the request that was sent.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { compileFamily } from '../../../src/schema/compile.js';
import { loadSpec } from '../../../src/schema/load.js';

const SPEC_DIR = join(import.meta.dirname, '../../../../shared/ynl-specs/specs');
const rt = compileFamily(loadSpec(join(SPEC_DIR, 'rt-link.yaml')));

// nlmsghdr (16) + ifinfomsg (16), then:
//   32 ifname "vl0"          (len 8)
//   40 linkinfo              (nest)
//   44   kind "vlan"         (len 9, padded to 12)
//   56   data                (nest, format vlan)
//   60     id 5              (u16, len 6, padded to 8)
//   68     flags {flags,mask} (struct of 8 bytes)
//   80 mtu 1500
const request = (() => {
  const w = new MessageWriter();
  rt.ops.newlink!.do!.encodeRequest(w, {
    'ifi-index': 7,
    ifname: 'vl0',
    linkinfo: { kind: 'vlan', data: { id: 5, flags: { flags: [], mask: 0 } } },
    mtu: 1500,
  });
  return w.finishCopy();
})();

describe('ext-ack offset -> attribute path', () => {
  const cases: Array<[number, string | undefined]> = [
    [20, 'ifi-index'],
    [32, 'ifname'],
    [40, 'linkinfo'],
    [44, 'linkinfo.kind'],
    [56, 'linkinfo.data'],
    [60, 'linkinfo.data(vlan).id'],
    [62, 'linkinfo.data(vlan).id'],
    [68, 'linkinfo.data(vlan).flags'],
    [76, 'linkinfo.data(vlan).flags.mask'],
    [80, 'mtu'],
    [88, undefined],
    [4, undefined],
  ];
  it('checks the layout this table assumes', () => {
    expect(request.length).toBe(88);
  });
  it.each(cases)('offset %i is %s', (offset, path) => {
    expect(rt.attributePath(request, offset)).toBe(path);
    expect(rt.attributePath(MessageView.from(request), offset)).toBe(path);
  });
});

describe('missing attribute type -> name', () => {
  it('names a top-level attribute', () => {
    expect(rt.missingAttribute(request, 3)).toBe('ifname');
  });
  it('names an attribute of the nest at the given offset', () => {
    expect(rt.missingAttribute(request, 1, 40)).toBe('linkinfo.kind');
  });
  it('names an attribute of a sub-message nest', () => {
    expect(rt.missingAttribute(request, 5, 56)).toBe('linkinfo.data(vlan).protocol');
  });
  it('gives up on unknown types', () => {
    expect(rt.missingAttribute(request, 9999)).toBeUndefined();
  });
});

describe('describeExtAck', () => {
  it('resolves both the offset and the missing type', () => {
    expect(rt.describeExtAck(request, { message: 'bad id', offset: 60, missingType: 1, missingNest: 40 })).toEqual({
      attributePath: 'linkinfo.data(vlan).id',
      missingAttribute: 'linkinfo.kind',
    });
  });
  it('returns nothing for a request of another family', () => {
    const other = new Uint8Array(request);
    new DataView(other.buffer).setUint16(4, 0x7fff, true);
    expect(rt.describeExtAck(other, { offset: 60 })).toEqual({});
  });
});

describe('genetlink requests', () => {
  const ctrl = compileFamily(loadSpec(join(SPEC_DIR, 'nlctrl.yaml')));
  it('skips the genlmsghdr and maps by genl command', () => {
    const w = new MessageWriter();
    ctrl.ops.getfamily!.do!.encodeRequest(w, { 'family-name': 'nlctrl' });
    const bytes = w.finish();
    expect(ctrl.attributePath(bytes, 20)).toBe('family-name');
    expect(ctrl.missingAttribute(bytes, 1)).toBe('family-id');
  });
});
