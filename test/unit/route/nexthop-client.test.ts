// rt.nexthops over the fake kernel (no root): what each call sends (the
// requests decoded by the rt-nexthop spec), how it reads the answers (the
// captured dump of test/vectors/nexthop.ts), filters the kernel leaves to the
// client (fdb: kernel 6.18 ignores NHA_FDB in a dump), flush's order (groups
// first, as ip), and refusals as NetlinkError or undefined.
import { describe, expect, it } from 'vitest';
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, Protocol } from '../../../src/core/constants.js';
import { NetlinkError } from '../../../src/core/errors.js';
import { parseMessages, type MessageView } from '../../../src/core/message.js';
import { FamilyClient } from '../../../src/families/client.js';
import type { Family } from '../../../src/schema/family.js';
import { RTM_DELNEXTHOP, RTM_GETNEXTHOP, RTM_GETNEXTHOPBUCKET, RTM_NEWNEXTHOP } from '../../../src/families/generated/rt-nexthop.constants.js';
import { family } from '../../../src/families/generated/rt-nexthop.js';
import { NexthopClient } from '../../../src/families/route/nexthops.js';
import { FakeKernel, type FakeRequest } from '../../../src/testing/index.js';
import { NEXTHOP_DUMP } from '../../vectors/nexthop.js';

/** The captured nexthops, as entries the fake can send (payload after the netlink header). */
const ENTRIES = parseMessages(NEXTHOP_DUMP)
  .filter((m) => m.type === RTM_NEWNEXTHOP)
  .map((m) => ({
    type: m.type,
    payload: m.payload.slice(),
    id: family.ops.getnexthop.dump.decodeReply(m).id!,
    group: family.ops.getnexthop.dump.decodeReply(m).group !== undefined,
  }));

/** A request as the spec reads it (requests of a raw family are told apart by type). */
function decodeRequest(m: MessageView): Record<string, unknown> {
  const dump = isDump(m);
  const op = {
    [RTM_NEWNEXTHOP]: family.ops.newnexthop.do,
    [RTM_DELNEXTHOP]: family.ops.delnexthop.do,
    [RTM_GETNEXTHOP]: dump ? family.ops.getnexthop.dump : family.ops.getnexthop.do,
    [RTM_GETNEXTHOPBUCKET]: dump ? family.ops.getnexthopbucket.dump : family.ops.getnexthopbucket.do,
  }[m.type];
  if (!op) throw new Error(`unexpected request type ${m.type}`);
  return op.decodeRequest(m) as unknown as Record<string, unknown>;
}

const isDump = (m: MessageView): boolean => (m.flags & NLM_F_DUMP) === NLM_F_DUMP;

async function open(
  handler: (req: FakeRequest, body: Record<string, unknown>) => void,
): Promise<{ client: NexthopClient; kernel: FakeKernel; sent: Array<{ type: number; flags: number; body: Record<string, unknown> }> }> {
  const sent: Array<{ type: number; flags: number; body: Record<string, unknown> }> = [];
  const kernel = new FakeKernel({
    handler: (req) => {
      const m = req.message as MessageView;
      const body = decodeRequest(m);
      sent.push({ type: m.type, flags: m.flags, body });
      handler(req, body);
    },
  });
  const socket = await kernel.open(Protocol.ROUTE);
  // As RouteClient opens it: a client of the untyped family (the typed module is the same codec).
  const nexthop = await FamilyClient.open(family as unknown as Family, { socket });
  const client = new NexthopClient({ nexthop, resolveLink: async (x) => (x === 'v0' ? 3 : Promise.reject(new RangeError(`dev: no link named '${String(x)}'`))) });
  return { client, kernel, sent };
}

describe('NexthopClient over the fake kernel', () => {
  it('sends the dump filters and filters again what the kernel left (fdb)', async () => {
    const { client, sent } = await open((req) => req.dump(ENTRIES));
    const fdb = await client.listAll({ fdb: true });
    expect(fdb.map((n) => n.id)).toEqual([20, 21]);
    const groups = await client.listAll({ groups: true, dev: 'v0' });
    // The fake answered everything: the client keeps groups using v0 (none: groups have no device).
    expect(groups).toEqual([]);
    expect(sent.map((s) => [s.type, s.body])).toEqual([
      [RTM_GETNEXTHOP, { 'nh-family': 0, 'nh-scope': 0, 'nh-protocol': 0, 'nh-flags': [], fdb: true }],
      [RTM_GETNEXTHOP, { 'nh-family': 0, 'nh-scope': 0, 'nh-protocol': 0, 'nh-flags': [], oif: 3, groups: true }],
    ]);
  });

  it('asks for group statistics with the op flags', async () => {
    const { client, sent } = await open((req) => req.dump([]));
    expect(await client.listAll({}, { stats: true, hwStats: true })).toEqual([]);
    expect(sent[0]!.body['op-flags']).toEqual(['dump-stats', 'dump-hw-stats']);
  });

  it('writes add with NLM_F_CREATE | NLM_F_EXCL and replace with NLM_F_CREATE | NLM_F_REPLACE', async () => {
    const { client, sent } = await open((req) => req.ack());
    await client.add({ id: 7, gateway: '10.0.0.2', dev: 'v0', onlink: true });
    await client.replace({ id: 8, group: [{ id: 7, weight: 300 }], groupType: 'resilient', resilient: { buckets: 16, idleTimer: 1.5 } });
    await client.delete(7);
    expect(sent.map((s) => s.flags)).toEqual([
      NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
      NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
      NLM_F_REQUEST | NLM_F_ACK,
    ]);
    expect(sent[0]!.body).toEqual({ id: 7, gateway: '10.0.0.2', oif: 3, 'nh-family': 2, 'nh-scope': 0, 'nh-protocol': 0, 'nh-flags': ['onlink'] });
    expect(sent[1]!.body).toEqual({
      id: 8,
      group: [{ id: 7, weight: 43, 'weight-high': 1, resvd2: 0 }],
      'res-group': { buckets: 16, 'idle-timer': 150 },
      'group-type': 'res',
      'nh-family': 0,
      'nh-scope': 0,
      'nh-protocol': 0,
      'nh-flags': [],
    });
    expect(sent[2]).toMatchObject({ type: RTM_DELNEXTHOP, body: { id: 7 } });
  });

  it('flushes groups first, then the rest, and counts what went', async () => {
    const left = new Map(ENTRIES.map((e) => [e.id, e]));
    const deleted: number[] = [];
    const { client } = await open((req, body) => {
      if (req.type === RTM_GETNEXTHOP) return req.dump([...left.values()].filter((e) => !body.groups || e.group));
      deleted.push(body.id as number);
      // 21 went with its member 20 meanwhile: the kernel no longer knows it.
      if (body.id === 21) return req.ack(2);
      left.delete(body.id as number);
      return req.ack();
    });
    expect(await client.flush()).toBe(10);
    expect(deleted).toEqual([10, 11, 21, 1, 2, 3, 4, 5, 6, 7, 20, 21]);
  });

  it('gives undefined for a nexthop or bucket the kernel does not have, and NetlinkError for other refusals', async () => {
    const { client } = await open((req) => {
      if (req.type === RTM_GETNEXTHOPBUCKET) return req.ack(2, { message: 'Nexthop bucket not found' });
      if (req.type === RTM_GETNEXTHOP) return req.ack(2, { message: 'Nexthop id does not exist' });
      return req.ack(22, { message: 'Invalid nexthop id' });
    });
    expect(await client.get(99)).toBeUndefined();
    expect(await client.bucket(11, 3)).toBeUndefined();
    const err = await client.add({ id: 9, group: [{ id: 99 }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ code: 'EINVAL', extAck: { message: 'Invalid nexthop id' } });
  });

  it('refuses bad arguments before anything is sent', async () => {
    const { client, sent } = await open((req) => req.ack());
    await expect(client.get(0)).rejects.toThrow(new RangeError('id: 0 is out of range 1..4294967295'));
    await expect(client.bucket(1, 70000)).rejects.toThrow(new RangeError('index: 70000 is out of range 0..65535'));
    await expect(client.listAll({ dev: 'eth9' })).rejects.toThrow(new RangeError("dev: no link named 'eth9'"));
    await expect(client.listAll({ groups: 'yes' as unknown as boolean })).rejects.toThrow(TypeError);
    await expect(client.add({ id: 1, fdb: true, dev: 'eth9', gateway: '10.0.0.1' })).rejects.toThrow(new TypeError('fdb: an fdb nexthop takes no dev, blackhole or encap'));
    expect(sent).toEqual([]);
  });
});
