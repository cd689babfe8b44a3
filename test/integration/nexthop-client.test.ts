// Every write of rt.nexthops (and routes through a nexthop id) leaves the
// kernel in the state the matching `ip nexthop` / `ip route` command leaves:
// each step runs through the typed client in one namespace and through ip in
// a twin, then both are dumped with ip -j and compared. The namespaces are
// removed also on failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteClient } from '../../src/families/route/index.js';
import { NetlinkError } from '../../src/index.js';
import { requireFeatures } from '../helpers/features.js';
import { canUseKernel, createNetns, ip, ipBatch, ipJson, ipRun, removeNetns } from '../helpers/kernel.js';

type J = Record<string, unknown>;

function state(ns: string): unknown {
  return {
    // -d: scope and protocol always; text, since ip's JSON repeats "id" for an ip encap.
    nexthops: ip(ns, ['-d', 'nexthop', 'show']),
    buckets: ipJson<J[]>(ns, ['nexthop', 'bucket', 'show']).map((b) => ({ id: b.id, index: (b.bucket as J).index, nhid: (b.bucket as J).nhid })),
    routes: [ipJson<J[]>(ns, ['-4', 'route', 'show']), ipJson<J[]>(ns, ['-6', 'route', 'show']).filter((r) => !String(r.dst).startsWith('fe80'))],
  };
}

const SETUP = [
  'link add v0 type veth peer name v1',
  'link add v2 type veth peer name v3',
  'link set v0 up',
  'link set v1 up',
  'link set v2 up',
  'link set v3 up',
  'addr add 10.0.0.1/24 dev v0',
  'addr add 10.0.2.1/24 dev v2',
  'addr add 2001:db8::1/64 dev v0 nodad',
];

describe.skipIf(!canUseKernel)('rt.nexthops writes leave the state ip leaves', () => {
  let a: string | undefined; // written by nlkit
  let b: string | undefined; // written by ip
  let rt: RouteClient;

  beforeAll(async () => {
    requireFeatures('veth');
    a = await createNetns('nhc-a');
    b = await createNetns('nhc-b');
    ipBatch(a, SETUP);
    ipBatch(b, SETUP);
    rt = await RouteClient.open({ netns: a });
  });

  afterAll(async () => {
    rt?.close();
    await removeNetns(a);
    await removeNetns(b);
  });

  const STEPS: ReadonlyArray<[string, (rt: RouteClient) => Promise<unknown>]> = [
    ['nexthop add id 1 via 10.0.0.2 dev v0', (rt) => rt.nexthops.add({ id: 1, gateway: '10.0.0.2', dev: 'v0' })],
    ['nexthop add id 2 via 10.0.2.2 dev v2 onlink', (rt) => rt.nexthops.add({ id: 2, gateway: '10.0.2.2', dev: 'v2', onlink: true })],
    ['nexthop add id 3 dev v1 protocol static', (rt) => rt.nexthops.add({ id: 3, dev: 'v1', protocol: 'static' })],
    ['nexthop add id 4 blackhole', (rt) => rt.nexthops.add({ id: 4, blackhole: true })],
    ['nexthop add id 5 via 2001:db8::2 dev v0', (rt) => rt.nexthops.add({ id: 5, gateway: '2001:db8::2', dev: 'v0' })],
    [
      'nexthop add id 6 encap ip id 7 dst 1.2.3.4 ttl 9 via 10.0.0.2 dev v0',
      (rt) => rt.nexthops.add({ id: 6, gateway: '10.0.0.2', dev: 'v0', encap: { type: 'ip', id: 7, dst: '1.2.3.4', ttl: 9 } }),
    ],
    [
      'nexthop add id 7 encap seg6 mode encap segs 2001:db8::9,2001:db8::a via 10.0.0.3 dev v0',
      (rt) => rt.nexthops.add({ id: 7, gateway: '10.0.0.3', dev: 'v0', encap: { type: 'seg6', mode: 'encap', segments: ['2001:db8::9', '2001:db8::a'] } }),
    ],
    ['nexthop add id 10 group 1,3/2', (rt) => rt.nexthops.add({ id: 10, group: [{ id: 1, weight: 3 }, { id: 2 }] })],
    [
      'nexthop add id 11 group 1/2,200 type resilient buckets 8 idle_timer 10 unbalanced_timer 20',
      (rt) =>
        rt.nexthops.add({
          id: 11,
          group: [{ id: 1 }, { id: 2, weight: 200 }],
          groupType: 'resilient',
          resilient: { buckets: 8, idleTimer: 10, unbalancedTimer: 20 },
        }),
    ],
    ['nexthop add id 12 group 5', (rt) => rt.nexthops.add({ id: 12, group: [{ id: 5 }] })],
    ['nexthop add id 20 via 10.0.0.5 fdb', (rt) => rt.nexthops.add({ id: 20, gateway: '10.0.0.5', fdb: true })],
    ['nexthop add id 21 group 20 fdb', (rt) => rt.nexthops.add({ id: 21, group: [{ id: 20 }], fdb: true })],
    ['route add 192.168.1.0/24 nhid 10', (rt) => rt.routes.add({ dst: '192.168.1.0/24', nhId: 10 })],
    ['route add 192.168.2.0/24 nhid 11 proto static metric 5', (rt) => rt.routes.add({ dst: '192.168.2.0/24', nhId: 11, protocol: 'static', priority: 5 })],
    ['route add 2001:db8:5::/64 nhid 12', (rt) => rt.routes.add({ dst: '2001:db8:5::/64', nhId: 12 })],
    ['route add 192.168.4.0/24 nhid 4', (rt) => rt.routes.add({ dst: '192.168.4.0/24', nhId: 4 })],
    ['nexthop replace id 1 via 10.0.0.7 dev v0', (rt) => rt.nexthops.replace({ id: 1, gateway: '10.0.0.7', dev: 'v0' })],
    ['nexthop replace id 10 group 1/3,5', (rt) => rt.nexthops.replace({ id: 10, group: [{ id: 1 }, { id: 3, weight: 5 }] })],
    ['nexthop replace id 13 group 2 type resilient buckets 4', (rt) => rt.nexthops.replace({ id: 13, group: [{ id: 2 }], groupType: 'resilient', resilient: { buckets: 4 } })],
    ['nexthop del id 3', (rt) => rt.nexthops.delete(3)],
    ['route del 192.168.4.0/24', (rt) => rt.routes.delete({ dst: '192.168.4.0/24' })],
    ['nexthop flush dev v2', (rt) => rt.nexthops.flush({ dev: 'v2' })],
    // The kernel ignores NHA_FDB in a dump request (`ip nexthop flush fdb` flushes everything): the client filters itself.
    ['nexthop del id 21; nexthop del id 20', (rt) => rt.nexthops.flush({ fdb: true })],
    ['nexthop flush', (rt) => rt.nexthops.flush()],
  ];

  for (const [command, write] of STEPS) {
    it(`${command}`, async () => {
      for (const one of command.split('; ')) expect(ipRun(b!, one.split(' ')).stderr).toBe('');
      await write(rt);
      expect(state(a!)).toEqual(state(b!));
    });
  }

  it('counts what flush deleted, as ip prints it', async () => {
    ipBatch(a!, ['nexthop add id 1 via 10.0.0.2 dev v0', 'nexthop add id 2 via 10.0.0.3 dev v0', 'nexthop add id 3 group 1/2']);
    ipBatch(b!, ['nexthop add id 1 via 10.0.0.2 dev v0', 'nexthop add id 2 via 10.0.0.3 dev v0', 'nexthop add id 3 group 1/2']);
    expect(ipRun(b!, ['nexthop', 'flush']).stdout).toBe('Flushed 3 nexthops\n');
    expect(await rt.nexthops.flush()).toBe(3);
    expect(await rt.nexthops.flush()).toBe(0);
  });

  it('refuses what the kernel refuses, with its errno and message', async () => {
    const err = await rt.nexthops.add({ id: 1, group: [{ id: 99 }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EINVAL');
    expect((err as NetlinkError).extAck?.message).toBe(ipRun(b!, ['nexthop', 'add', 'id', '1', 'group', '99']).stderr.replace(/^Error: (.*)\.\n$/, '$1'));
    const del = await rt.nexthops.delete(4242).catch((e: unknown) => e);
    expect((del as NetlinkError).code).toBe('ENOENT');
    const route = await rt.routes.add({ dst: '192.168.9.0/24', nhId: 4242 }).catch((e: unknown) => e);
    expect((route as NetlinkError).extAck?.message).toBe(ipRun(b!, ['route', 'add', '192.168.9.0/24', 'nhid', '4242']).stderr.replace(/^Error: (.*)\.\n$/, '$1'));
  });
});
