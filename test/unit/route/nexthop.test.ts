// Nexthop messages without a kernel: captured dumps (test/vectors/nexthop.ts)
// decode to exact typed objects, the typed client's request for a resilient
// group is byte for byte the one ip sends, a group attribute that is not a
// whole number of entries is a NetlinkDecodeError at its offset, and bad input
// fails before anything is sent with the field named.
import { describe, expect, it } from 'vitest';
import { MessageWriter } from '../../../src/core/writer.js';
import { NetlinkDecodeError } from '../../../src/core/errors.js';
import { MessageView, parseMessages } from '../../../src/core/message.js';
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST } from '../../../src/core/constants.js';
import { NHA_GROUP, RTM_NEWNEXTHOP } from '../../../src/families/generated/rt-nexthop.constants.js';
import { family } from '../../../src/families/generated/rt-nexthop.js';
import { decodeNexthop, decodeNexthopBucket, encodeNexthop } from '../../../src/families/route/nexthops.js';
import { NEXTHOP_ADD_REQUEST, NEXTHOP_BUCKET_DUMP, NEXTHOP_DUMP, NEXTHOP_GET_REPLY } from '../../vectors/nexthop.js';

const LINKS: Record<string, number> = { v0: 3, v1: 2 };
async function resolve(x: unknown, field: string): Promise<number> {
  if (typeof x === 'number') return x;
  const i = LINKS[String(x)];
  if (i === undefined) throw new RangeError(`${field}: no link named '${String(x)}'`);
  return i;
}

const messages = (bytes: Uint8Array): MessageView[] => parseMessages(bytes).filter((m) => m.type !== 3);

describe('nexthop messages', () => {
  it('decodes a captured dump into typed nexthops', () => {
    const list = messages(NEXTHOP_DUMP).map((m) => decodeNexthop(family.ops.getnexthop.dump.decodeReply(m)));
    const base = { scope: 'link', protocol: 'unspec', flags: [] };
    const group = { family: 0, scope: 'global', protocol: 'unspec', flags: [] };
    expect(list).toEqual([
      { id: 1, family: 'inet', ...base, oif: 3, gateway: '10.0.0.2' },
      { id: 2, family: 'inet', ...base, flags: ['onlink'], oif: 3, gateway: '10.0.0.3' },
      { id: 3, family: 'inet', ...base, scope: 'host', oif: 2 },
      { id: 4, family: 'inet', ...base, scope: 'global', blackhole: true },
      { id: 5, family: 'inet6', ...base, protocol: 'static', oif: 3, gateway: '2001:db8::2' },
      { id: 6, family: 'inet', ...base, oif: 3, gateway: '10.0.0.2', encap: { type: 'ip', id: 5n, dst: '1.2.3.4', src: '0.0.0.0', ttl: 0, tos: 0, flags: 0 } },
      { id: 7, family: 'inet', ...base, oif: 3, gateway: '10.0.0.2', encap: { type: 'seg6', mode: 'encap', segments: ['2001:db8::9'] } },
      {
        id: 10,
        ...group,
        group: [
          { id: 1, weight: 3 },
          { id: 2, weight: 1 },
        ],
        groupType: 'mpath',
      },
      {
        id: 11,
        ...group,
        group: [
          { id: 1, weight: 1 },
          { id: 2, weight: 200 },
        ],
        groupType: 'resilient',
        resilient: { buckets: 2, idleTimer: 10, unbalancedTimer: 20, unbalancedTime: 0 },
      },
      { id: 20, family: 'inet', ...base, fdb: true, gateway: '10.0.0.5' },
      { id: 21, ...group, fdb: true, group: [{ id: 20, weight: 1 }], groupType: 'mpath' },
    ]);
  });

  it('keeps what the typed object leaves out in the decoded message (op flags, weight bytes)', () => {
    const m = family.ops.getnexthop.do.decodeReply(messages(NEXTHOP_GET_REPLY)[0]!);
    expect(m).toMatchObject({
      id: 10,
      'group-type': 'mpath',
      group: [
        { id: 1, weight: 2, 'weight-high': 0, resvd2: 0 },
        { id: 2, weight: 0, 'weight-high': 0, resvd2: 0 },
      ],
      'op-flags': ['resp-grp-resvd-0'],
    });
  });

  it('decodes resilient-group buckets', () => {
    const buckets = messages(NEXTHOP_BUCKET_DUMP).map((m) => decodeNexthopBucket(family.ops.getnexthopbucket.dump.decodeReply(m)));
    expect(buckets.map(({ idleTime, ...b }) => ({ ...b, idleTime: typeof idleTime }))).toEqual([
      { id: 11, index: 0, nhId: 2, flags: [], idleTime: 'number' },
      { id: 11, index: 1, nhId: 2, flags: [], idleTime: 'number' },
    ]);
  });

  it('writes a resilient group as ip does, byte for byte', async () => {
    const value = await encodeNexthop(
      {
        id: 30,
        group: [
          { id: 1, weight: 3 },
          { id: 2, weight: 200 },
        ],
        groupType: 'resilient',
        resilient: { buckets: 4 },
      },
      resolve,
    );
    const want = MessageView.from(NEXTHOP_ADD_REQUEST);
    const w = new MessageWriter();
    family.ops.newnexthop.do.encodeRequest(w, value, { flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq: want.seq, portId: want.portId });
    expect(Buffer.from(w.finish()).toString('hex')).toBe(Buffer.from(NEXTHOP_ADD_REQUEST).toString('hex'));
  });

  it('decodes weights above 256 from the high byte and writes them there', async () => {
    const value = await encodeNexthop({ id: 9, group: [{ id: 1, weight: 1000 }] }, resolve);
    expect(value.group).toEqual([{ id: 1, weight: 999 & 0xff, 'weight-high': 999 >> 8 }]);
    const w = new MessageWriter();
    family.ops.getnexthop.do.encodeReply(w, { ...value, 'nh-scope': 0 });
    expect(decodeNexthop(family.ops.getnexthop.do.decodeReply(MessageView.from(w.finish()))).group).toEqual([{ id: 1, weight: 1000 }]);
  });

  it('refuses a group attribute that is not a whole number of entries, at its offset', () => {
    const w = new MessageWriter();
    w.beginMessage(RTM_NEWNEXTHOP, 0);
    w.reserve(8);
    w.putU32(1, 10);
    w.putBinary(NHA_GROUP, new Uint8Array(12));
    w.endMessage();
    const err = (() => {
      try {
        family.ops.getnexthop.do.decodeReply(MessageView.from(w.finish()));
      } catch (e) {
        return e;
      }
      return undefined;
    })() as NetlinkDecodeError;
    expect(err).toBeInstanceOf(NetlinkDecodeError);
    expect(err.message).toContain('attribute has 12 bytes, not a whole number of 8-byte entries');
    // nlmsghdr (16) + nhmsg (8) + NHA_ID (8): the group attribute's header.
    expect(err.offset).toBe(32);
  });

  it('names the group member an ext-ack offset points into', () => {
    const w = new MessageWriter();
    family.ops.newnexthop.do.encodeRequest(w, { id: 5, group: [{ id: 1 }, { id: 2, weight: 9 }] });
    const request = w.finishCopy();
    // nlmsghdr (16) + nhmsg (8); NHA_ID at 24; NHA_GROUP at 32, its entries at 36 and 44 (id u32, weight u8 ...).
    expect(family.attributePath(request, 24)).toBe('id');
    expect(family.attributePath(request, 36)).toBe('group[0].id');
    expect(family.attributePath(request, 44)).toBe('group[1].id');
    expect(family.attributePath(request, 48)).toBe('group[1].weight');
    expect(family.attributePath(request, 49)).toBe('group[1].weight-high');
  });

  type Case = [string, () => Promise<unknown>, ErrorConstructor, string];
  const CASES: Case[] = [
    ['no next hop at all', () => encodeNexthop({ id: 1 }, resolve), TypeError, 'nexthop: give a gateway, a dev, blackhole, or a group'],
    ['an id past 32 bits', () => encodeNexthop({ id: 2 ** 32, dev: 'v0' }, resolve), RangeError, 'id: 4294967296 is out of range 0..4294967295'],
    ['a gateway that is no address', () => encodeNexthop({ gateway: '10.0.0.300', dev: 'v0' }, resolve), TypeError, "gateway: '10.0.0.300' is not an IPv4 address"],
    ['a gateway of the other family', () => encodeNexthop({ family: 'inet', gateway: 'fe80::1', dev: 'v0' }, resolve), TypeError, "gateway: 'fe80::1' is not an IPv4 address"],
    ['an unknown device', () => encodeNexthop({ dev: 'eth9' }, resolve), RangeError, "dev: no link named 'eth9'"],
    ['an empty group', () => encodeNexthop({ group: [] }, resolve), TypeError, 'group must be a non-empty array of { id, weight? }'],
    ['a member weight of 0', () => encodeNexthop({ group: [{ id: 1, weight: 0 }] }, resolve), RangeError, 'group[0].weight: 0 is out of range 1..65536'],
    ['a member id of 0', () => encodeNexthop({ group: [{ id: 0 }] }, resolve), RangeError, 'group[0].id: 0 is out of range 1..4294967295'],
    [
      'a group with a gateway',
      () => encodeNexthop({ group: [{ id: 1 }], gateway: '10.0.0.1' }, resolve),
      TypeError,
      'gateway: a group takes no gateway (its members have their own)',
    ],
    [
      'an unknown group type',
      () => encodeNexthop({ group: [{ id: 1 }], groupType: 'ecmp' as 'mpath' }, resolve),
      RangeError,
      "groupType must be one of mpath, resilient, got 'ecmp'",
    ],
    [
      'resilient settings on an mpath group',
      () => encodeNexthop({ group: [{ id: 1 }], resilient: { buckets: 8 } }, resolve),
      TypeError,
      "resilient: only a group of groupType 'resilient' takes these settings",
    ],
    [
      'zero buckets',
      () => encodeNexthop({ group: [{ id: 1 }], groupType: 'resilient', resilient: { buckets: 0 } }, resolve),
      RangeError,
      'resilient.buckets: 0 is out of range 1..65535',
    ],
    [
      'a negative idle timer',
      () => encodeNexthop({ group: [{ id: 1 }], groupType: 'resilient', resilient: { idleTimer: -1 } }, resolve),
      RangeError,
      'resilient.idleTimer: -1 is out of range 0..42949672 (seconds)',
    ],
    ['a blackhole with a device', () => encodeNexthop({ blackhole: true, dev: 'v0' }, resolve), TypeError, 'dev: a blackhole nexthop takes no dev'],
    [
      'an fdb nexthop with a device',
      () => encodeNexthop({ fdb: true, gateway: '10.0.0.1', dev: 'v0' }, resolve),
      TypeError,
      'fdb: an fdb nexthop takes no dev, blackhole or encap',
    ],
    ['resilient settings on a single nexthop', () => encodeNexthop({ dev: 'v0', groupType: 'mpath' }, resolve), TypeError, 'groupType: only a group takes groupType'],
    ['an unknown protocol', () => encodeNexthop({ dev: 'v0', protocol: 'nosuch' }, resolve), RangeError, "protocol: 'nosuch' is not one of"],
  ];
  for (const [what, run, type, message] of CASES) {
    it(`rejects ${what}`, async () => {
      const err = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message.startsWith(message)).toBe(true);
    });
  }
});
