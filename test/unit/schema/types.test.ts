// The generated modules give typed operations: these lines are checked by
// tsc (npm run typecheck) as much as they run.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { generatedFamilies } from '../../../src/families/generated/index.js';
import { family as rtLink, type GetlinkMessage, type IfinfoFlags } from '../../../src/families/generated/rt-link.js';
import { family as wireguard } from '../../../src/families/generated/wireguard.js';
import { SPEC_FILES } from '../../helpers/specs.js';

describe('generated module types', () => {
  it('types requests and decoded replies', () => {
    const w = new MessageWriter();
    rtLink.ops.getlink.do.encodeRequest(w, { 'ifi-index': 1, ifname: 'lo', 'ext-mask': ['skip-stats'] });
    const link: GetlinkMessage = rtLink.ops.getlink.do.decodeReply(MessageView.from(w.finish()));
    expectTypeOf(link.ifname).toEqualTypeOf<string | undefined>();
    expectTypeOf(link['ifi-flags']).toEqualTypeOf<Array<IfinfoFlags | number> | undefined>();
    expectTypeOf(link.stats64?.['rx-bytes']).toEqualTypeOf<bigint | undefined>();
    expect(link.ifname).toBe('lo');
    expect(link['ifi-index']).toBe(1);
  });

  it('rejects values of the wrong type at compile time', () => {
    const w = new MessageWriter();
    // @ts-expect-error mtu is a number
    expect(() => rtLink.ops.newlink.do.encodeRequest(w.reset(), { mtu: 'big' })).toThrow(TypeError);
    // @ts-expect-error no such attribute
    expect(() => rtLink.ops.newlink.do.encodeRequest(w.reset(), { mut: 1 })).toThrow(TypeError);
    // @ts-expect-error wireguard's set-device has no dump mode
    expect(wireguard.ops['set-device'].dump?.encodeRequest).toBeUndefined();
  });

  it('decodes by message id into a union keyed by operation name', () => {
    const w = new MessageWriter();
    rtLink.ops.getlink.encodeReply(w, { ifname: 'eth0', mtu: 1500 });
    const decoded = rtLink.decode(MessageView.from(w.finish()));
    if (decoded.name === 'getlink') expectTypeOf(decoded.msg).toEqualTypeOf<GetlinkMessage>();
    expect(decoded).toMatchObject({ name: 'getlink', msg: { ifname: 'eth0', mtu: 1500 } });
  });

  it('loads families on demand from the index', async () => {
    // One per spec file, the kernel's and the project's own.
    expect(Object.keys(generatedFamilies)).toHaveLength(SPEC_FILES.length);
    const rt = await generatedFamilies['rt-route']();
    expect(rt.name).toBe('rt-route');
  });
});
