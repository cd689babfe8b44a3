// The request / dump / subscribe protocol against the real kernel, inside
// namespaces this file creates and always removes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NLMSG_DONE,
  NetlinkError,
  NetlinkSocket,
  Protocol,
  RTM_DELLINK,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_LINK,
  RTNLGRP_NEXTHOP,
  RTNLGRP_IPV4_MCADDR,
  RTM_NEWNEXTHOP,
  RTM_NEWMULTICAST,
  SocketClosedError,
  AbortError,
  NetlinkTimeoutError,
  isOverrun,
  netns,
  MessageWriter,
  NLM_F_REQUEST,
  type MessageView,
} from '../../src/index.js';
import { createNetns, ip, ipBatch, ipBatchAsync, ipJson, removeNetns } from '../helpers/kernel.js';
import { getAddrDump, getLinkDump, getRouteDump, linkIndex, linkName, newAddr, newLink } from '../helpers/requests.js';

async function count(iter: AsyncIterable<MessageView>): Promise<number> {
  let n = 0;
  for await (const _ of iter) n++;
  return n;
}

describe('NetlinkSocket in a namespace with 300 veth pairs', () => {
  let ns: string;
  let sock: NetlinkSocket;

  beforeAll(async () => {
    ns = await createNetns('veth300');
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(`link add va${i} type veth peer name vb${i}`);
    for (let i = 0; i < 50; i++) lines.push(`addr add 10.9.${i}.1/24 dev va${i}`);
    for (let i = 0; i < 50; i++) lines.push(`link set va${i} up`);
    ipBatch(ns, lines);
    sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
  });

  afterAll(async () => {
    sock?.close();
    await removeNetns(ns);
  });

  it('dumps as many links as ip -j link show lists, with the same names', async () => {
    const expected = ipJson<{ ifname: string }[]>(ns, ['link', 'show']).map((l) => l.ifname);
    const names: string[] = [];
    for await (const msg of sock.dump(getLinkDump())) {
      expect(msg.type).toBe(RTM_NEWLINK);
      names.push(linkName(msg)!);
    }
    expect(names.length).toBe(601);
    expect(names).toEqual(expected);
  });

  it('gives a slow consumer a long dump whole and in order (reading pauses and resumes around read-aheads)', async () => {
    // More messages than a dump queues before the socket pauses (8 192).
    ipBatch(
      ns,
      Array.from({ length: 20_000 }, (_, i) => `route add blackhole 10.177.${i >> 8}.${i & 255}/32 table 177`),
    );
    try {
      const expected = ipJson<unknown[]>(ns, ['-4', 'route', 'show', 'table', 'all']).length;
      const order = ipJson<{ dst: string }[]>(ns, ['route', 'show', 'table', '177']).map((r) => r.dst);
      const got: string[] = [];
      let seen = 0;
      for await (const msg of sock.dump(getRouteDump())) {
        const r = msg.attributes(12);
        let table = 0;
        let dst = '';
        while (r.next()) {
          if (r.type === 15) table = r.u32(); // RTA_TABLE
          if (r.type === 1) dst = Array.from(r.binary()).join('.'); // RTA_DST
        }
        if (table === 177) got.push(dst);
        seen++;
        // Hand the loop back at every message, and sleep now and then: datagrams keep arriving meanwhile.
        if (seen % 2000 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        else await new Promise((resolve) => setImmediate(resolve));
      }
      expect(seen).toBe(expected);
      expect(got).toEqual(order);
    } finally {
      ip(ns, ['route', 'flush', 'table', '177']);
    }
  });

  it('completes three dumps started at once on one socket', async () => {
    const links = ipJson<unknown[]>(ns, ['link', 'show']).length;
    const addrs = ipJson<{ addr_info: unknown[] }[]>(ns, ['addr', 'show']).reduce((n, l) => n + l.addr_info.length, 0);
    const routes = ipJson<unknown[]>(ns, ['-4', 'route', 'show', 'table', 'all']).length;
    const [l, a, r] = await Promise.all([count(sock.dump(getLinkDump())), count(sock.dump(getAddrDump())), count(sock.dump(getRouteDump()))]);
    expect(l).toBe(links);
    expect(a).toBe(addrs);
    // ip -4 route show table all lists IPv4 routes of every table, like the AF_INET dump.
    expect(r).toBe(routes);
  });

  it('keeps the socket usable after leaving a dump early', async () => {
    let seen = 0;
    for await (const _ of sock.dump(getLinkDump())) {
      if (++seen === 3) break;
    }
    expect(await count(sock.dump(getLinkDump()))).toBe(601);
  });

  it('answers many requests in flight at once', async () => {
    const requests = [];
    for (let i = 0; i < 50; i++) {
      const w = new MessageWriter();
      w.beginMessage(18 /* RTM_GETLINK */, NLM_F_REQUEST);
      const at = w.reserve(16);
      w.setU32(at + 4, 1); // ifi_index 1: lo
      requests.push(sock.request(w.endMessage().finishCopy()));
    }
    const replies = await Promise.all(requests);
    for (const r of replies) {
      expect(r.length).toBe(1);
      expect(linkName(r[0]!)).toBe('lo');
    }
  });
});

describe('kernel rejections', () => {
  let ns: string;
  let sock: NetlinkSocket;

  beforeAll(async () => {
    ns = await createNetns('errors');
    ip(ns, ['link', 'add', 'e0', 'type', 'veth', 'peer', 'name', 'e1']);
    sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
  });

  afterAll(async () => {
    sock?.close();
    await removeNetns(ns);
  });

  it('rejects adding an address twice with EEXIST', async () => {
    const index = ipJson<{ ifindex: number }[]>(ns, ['link', 'show', 'e0'])[0]!.ifindex;
    await sock.request(newAddr(index, '10.1.1.1', 24));
    const err = await sock.request(newAddr(index, '10.1.1.1', 24), { name: 'RTM_NEWADDR' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ code: 'EEXIST', errno: 17 });
    expect((err as NetlinkError).message).toMatch(/^RTM_NEWADDR failed: File exists \(EEXIST\)/);
  });

  it('sends a batch in one datagram and says which message the kernel refused', async () => {
    const index = ipJson<{ ifindex: number }[]>(ns, ['link', 'show', 'e1'])[0]!.ifindex;
    const join = (...parts: Uint8Array[]): Uint8Array => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    };
    const withAck = (bytes: Uint8Array): Uint8Array => {
      bytes[6] = bytes[6]! | 0x04; // NLM_F_ACK
      return bytes;
    };
    const replies = await sock.requestBatch(join(withAck(newAddr(index, '10.2.0.1', 24)), withAck(newAddr(index, '10.2.0.2', 24))));
    expect(replies).toEqual([[], []]);
    const err = (await sock.requestBatch(join(withAck(newAddr(index, '10.2.0.3', 24)), withAck(newAddr(index, '10.2.0.1', 24)))).catch((e: unknown) => e)) as NetlinkError & {
      batchIndex?: number;
    };
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
    expect(err.batchIndex).toBe(1);
    const addrs = ipJson<{ addr_info: { local: string }[] }[]>(ns, ['addr', 'show', 'e1'])[0]!.addr_info.map((a) => a.local);
    expect(addrs).toEqual(['10.2.0.1', '10.2.0.2', '10.2.0.3']);
  });

  it('carries the extended-ack text of an unknown link kind', async () => {
    const err = (await sock.request(newLink('x0', 'nosuchkind')).catch((e: unknown) => e)) as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EOPNOTSUPP');
    expect(err.extAck?.message).toBe('Unknown device type');
    expect(err.message).toContain('Unknown device type');
  });

  it('reports the missing attribute of a request the kernel finds incomplete', async () => {
    // RTM_NEWADDR without any address attribute.
    const w = new MessageWriter();
    w.beginMessage(20, NLM_F_REQUEST);
    const at = w.reserve(8);
    w.setU8(at, 2)
      .setU8(at + 1, 24)
      .setU32(at + 4, 1);
    const err = (await sock.request(w.endMessage().finishCopy()).catch((e: unknown) => e)) as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EINVAL');
  });
});

describe('subscriptions', () => {
  let ns: string;

  beforeAll(async () => {
    ns = await createNetns('subs');
  });

  afterAll(async () => {
    await removeNetns(ns);
  });

  it('sees every NEWLINK and DELLINK while 100 veth pairs come and go', async () => {
    await using sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    const sub = sock.subscribe([RTNLGRP_LINK]);
    const lines: string[] = [];
    for (let i = 0; i < 100; i++) lines.push(`link add sa${i} type veth peer name sb${i}`);
    for (let i = 0; i < 100; i++) lines.push(`link del sa${i}`);
    lines.push('link add done0 type veth peer name done1');
    const running = ipBatchAsync(ns, lines);
    const created = new Set<string>();
    const deleted = new Set<string>();
    let overruns = 0;
    for await (const item of sub) {
      if (isOverrun(item)) {
        overruns++;
        continue;
      }
      const name = linkName(item)!;
      if (item.type === RTM_NEWLINK) created.add(name);
      if (item.type === RTM_DELLINK) deleted.add(name);
      if (name === 'done1' || name === 'done0') if (created.has('done0') && created.has('done1')) break;
    }
    await running;
    expect(overruns).toBe(0);
    for (let i = 0; i < 100; i++) {
      expect(created.has(`sa${i}`) && created.has(`sb${i}`)).toBe(true);
      // Deleting one end of a veth pair removes both.
      expect(deleted.has(`sa${i}`) && deleted.has(`sb${i}`)).toBe(true);
    }
    ip(ns, ['link', 'del', 'done0']);
  });

  it('receives all 100 000 notifications of a burst of route additions with default options', async () => {
    await using sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    const sub = sock.subscribe(RTNLGRP_IPV4_ROUTE);
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`route add blackhole 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 table 100`);
    const running = ipBatchAsync(ns, lines);
    let routes = 0;
    let overruns = 0;
    for await (const item of sub) {
      if (isOverrun(item)) {
        // Lost events never come: stop here and fail with the count rather than wait.
        overruns++;
        break;
      }
      if (item.type === RTM_NEWROUTE && ++routes === 100_000) break;
    }
    await running;
    expect({ overruns, routes }).toEqual({ overruns: 0, routes: 100_000 });
    expect(routes).toBe(100_000);
    ip(ns, ['route', 'flush', 'table', '100']);
  }, 120_000);

  it('yields an overrun marker with a tiny receive buffer and keeps going', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`route add blackhole 10.200.${(i >> 8) & 255}.${i & 255}/32 table 101`);
    ipBatch(ns, lines);
    await using sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns, rcvbuf: 4096 });
    // A queue of one message: the socket stops reading at once, so the burst
    // has only the tiny kernel buffer to land in.
    const sub = sock.subscribe(RTNLGRP_IPV4_ROUTE, { maxQueue: 1 });
    await ipBatchAsync(
      ns,
      lines.map((l) => l.replace('route add', 'route del')),
    );
    let overruns = 0;
    let messages = 0;
    let sawClosing = false;
    for await (const item of sub) {
      if (isOverrun(item)) {
        // The stream goes on after the marker: one more event must come through.
        // Events queued before the drop still fill the tiny buffer until they are
        // read (the socket is paused), so a route added now can be dropped too;
        // that is another overrun, and another route is added after it.
        overruns++;
        ip(ns, ['route', 'add', 'blackhole', `10.201.0.${overruns}/32`, 'table', '102']);
        continue;
      }
      messages++;
      if (item.type === RTM_NEWROUTE) {
        sawClosing = true;
        break;
      }
    }
    expect(overruns).toBeGreaterThan(0);
    expect(sawClosing).toBe(true);
    expect(messages).toBeLessThan(20_001);
    expect(sock.stats.overruns).toBe(overruns);
    ip(ns, ['route', 'flush', 'table', '102']);
  }, 120_000);

  it('joins multicast groups numbered above 32 and tags each message with its group', async () => {
    await using sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    // RTNLGRP_NEXTHOP (32) and RTNLGRP_IPV4_MCADDR (37) do not fit the legacy 32-bit bind mask.
    const sub = sock.subscribe([RTNLGRP_NEXTHOP, RTNLGRP_IPV4_MCADDR], { signal: AbortSignal.timeout(20_000) });
    ip(ns, ['nexthop', 'add', 'id', '7', 'blackhole']);
    ip(ns, ['link', 'add', 'mc0', 'type', 'veth', 'peer', 'name', 'mc1']);
    ip(ns, ['addr', 'add', '10.7.0.1/24', 'dev', 'mc0']);
    ip(ns, ['link', 'set', 'mc0', 'up']); // joins 224.0.0.1: an RTM_NEWMULTICAST event
    const seen = new Map<number, number>();
    for await (const item of sub) {
      if (isOverrun(item)) continue;
      seen.set(item.group, item.type);
      if (seen.has(RTNLGRP_NEXTHOP) && seen.has(RTNLGRP_IPV4_MCADDR)) break;
    }
    expect(seen.get(RTNLGRP_NEXTHOP)).toBe(RTM_NEWNEXTHOP);
    expect(seen.get(RTNLGRP_IPV4_MCADDR)).toBe(RTM_NEWMULTICAST);
    ip(ns, ['link', 'del', 'mc0']);
    ip(ns, ['nexthop', 'del', 'id', '7']);
  });

  it('does not deliver a message another user socket sends to the subscriber as a kernel event', async () => {
    await using victim = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    await using forger = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    const sub = victim.subscribe(RTNLGRP_LINK);
    const fake = new MessageWriter();
    fake.beginMessage(RTM_NEWLINK, 0);
    fake.reserve(16);
    fake.putString(3, 'forged0');
    forger.send(fake.endMessage().finishCopy(), { port: victim.portId });
    // A real event afterwards proves the stream is flowing past the point of the forgery.
    ip(ns, ['link', 'add', 'real0', 'type', 'veth', 'peer', 'name', 'real1']);
    const names: string[] = [];
    for await (const item of sub) {
      if (isOverrun(item)) continue;
      names.push(linkName(item)!);
      if (names.includes('real0') && names.includes('real1')) break;
    }
    expect(names).not.toContain('forged0');
    expect(victim.stats.dropped).toBe(1);
    ip(ns, ['link', 'del', 'real0']);
  });
});

describe('lifecycle', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNetns('life');
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('leaves the process in its own namespace while opening sockets elsewhere', async () => {
    const before = netns.currentInode();
    const socks = await Promise.all([1, 2, 3].map(() => NetlinkSocket.open(Protocol.ROUTE, { netns: ns })));
    for (const s of socks) s.close();
    expect(netns.currentInode()).toBe(before);
  });

  it('rejects pending requests with SocketClosedError when closed, and close is idempotent', async () => {
    const sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    const pending = sock.dumpAll(getLinkDump());
    sock.close();
    sock.close();
    await expect(pending).rejects.toBeInstanceOf(SocketClosedError);
    await expect(sock.request(getLinkDump())).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
  });

  it('aborts a dump through its signal', async () => {
    await using sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    const ac = new AbortController();
    ac.abort();
    await expect(sock.dumpAll(getLinkDump(), { signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    // The socket still works afterwards.
    expect((await sock.dumpAll(getLinkDump())).length).toBeGreaterThan(0);
  });

  it('times out a request nobody answers', async () => {
    await using sock = await NetlinkSocket.open(Protocol.USERSOCK);
    await using silent = await NetlinkSocket.open(Protocol.USERSOCK);
    // A user-space peer that never answers.
    const w = new MessageWriter();
    w.beginMessage(0x10, NLM_F_REQUEST);
    await expect(sock.request(w.endMessage().finishCopy(), { timeout: 50, port: silent.portId })).rejects.toBeInstanceOf(NetlinkTimeoutError);
  });

  it('validates arguments before sending', async () => {
    await using sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    await expect(sock.request(new Uint8Array(3))).rejects.toThrow(RangeError);
    await expect(sock.request('x' as unknown as Uint8Array)).rejects.toThrow(TypeError);
    expect(() => sock.subscribe([0])).toThrow(RangeError);
    await expect(NetlinkSocket.open(99)).rejects.toThrow(RangeError);
    await expect(NetlinkSocket.open(Protocol.ROUTE, { netns: '../x' })).rejects.toThrow(RangeError);
    await expect(sock.request(getLinkDump(), { timeout: -1 })).rejects.toThrow(RangeError);
  });

  it('ends a dump with NLMSG_DONE handled internally', async () => {
    await using sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    const all = await sock.dumpAll(getLinkDump());
    expect(all.every((m) => m.type !== NLMSG_DONE)).toBe(true);
    expect(all.map(linkIndex)).toContain(1);
  });
});
