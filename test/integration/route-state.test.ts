// The typed route clients read the same state `ip -j` shows: links (veth,
// bridge and ports, vxlan, tap), addresses, routes of several tables
// (multipath, metrics, blackhole, IPv6), neighbours, rules, netconf, nsid;
// compared field by field for the fields both show. Runs in a namespace of
// its own, removed also on failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteClient, type Link } from '../../src/families/route/index.js';
import { requireFeatures } from '../helpers/features.js';
import { canUseKernel, createNetns, ip, ipBatch, ipJson, removeNetns, waitForOperstates } from '../helpers/kernel.js';

// ip -j output, read loosely.
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SETUP = [
  'link add va0 address 02:00:00:00:0a:00 type veth peer name vb0 address 02:00:00:00:0b:00',
  'link add va1 address 02:00:00:00:0a:01 type veth peer name vb1 address 02:00:00:00:0b:01',
  'link add br0 address 02:00:00:00:0c:00 type bridge',
  'link set vb0 master br0',
  'link set vb1 master br0',
  'link set dev vb1 type bridge_slave cost 7 priority 9',
  'link add vx0 address 02:00:00:00:0d:00 type vxlan id 42 local 10.1.0.1 remote 10.1.0.2 dstport 4789 dev va0 ttl 64',
  'tuntap add mode tap name tp0',
  'link set va0 up',
  'link set va1 up',
  'link set br0 up',
  'link set vb0 up',
  'link set vb1 up',
  'link set vx0 up',
  'addr add 10.1.0.1/24 dev va0',
  'addr add 10.2.0.1/24 broadcast 10.2.0.255 dev va1 label va1:x',
  'addr add 2001:db8:1::1/64 dev va0 nodad',
  'addr add 2001:db8:2::1/64 dev va1 nodad',
  'route add 10.10.0.0/16 via 10.1.0.2',
  'route add 10.11.0.0/16 via 10.2.0.2 table 100 metric 10 proto static',
  'route add 10.12.0.0/16 table 200 nexthop via 10.1.0.2 dev va0 weight 1 nexthop via 10.2.0.2 dev va1 weight 3',
  'route add 2001:db8:10::/48 via 2001:db8:1::2 table 100',
  'route add blackhole 10.13.0.0/16 table 300',
  'route add 10.14.0.0/16 via 10.1.0.2 mtu 1400 advmss 1360',
  'neigh add 10.1.0.5 lladdr 02:00:00:00:00:05 dev va0',
  'neigh add 2001:db8:1::5 lladdr 02:00:00:00:00:06 dev va0',
  'rule add from 10.1.0.0/24 table 100 priority 100',
  'rule add fwmark 0x10 table 200 priority 200',
  'rule add to 10.12.0.0/16 table 200 priority 300',
];

const TABLE_NAMES: Record<string, number> = { main: 254, local: 255, default: 253 };
const tableOf = (t: unknown): number => (t === undefined ? 254 : (TABLE_NAMES[String(t)] ?? Number(t)));

describe.skipIf(!canUseKernel)('route clients read what ip -j shows', () => {
  let ns: string | undefined;
  let rt: RouteClient;
  let links: Link[];
  const nameOf = (index: number | undefined): string | undefined => links.find((l) => l.index === index)?.name;

  beforeAll(async () => {
    requireFeatures('veth', 'bridge', 'vxlan', 'tuntap', 'multipath', 'rules', 'rules-ipv6');
    ns = await createNetns('rstate');
    ipBatch(ns, SETUP);
    ip(ns, ['-6', 'rule', 'add', 'from', '2001:db8:1::/64', 'table', '100', 'priority', '100']);
    // Links are compared with their operstate, which linkwatch sets after the setup returned.
    await waitForOperstates(ns, { lo: 'UNKNOWN', va0: 'UP', va1: 'UP', vb0: 'UP', vb1: 'UP', br0: 'UP', vx0: 'UNKNOWN', tp0: 'DOWN' });
    rt = await RouteClient.open({ netns: ns });
    links = await rt.links.listAll();
  });

  afterAll(async () => {
    rt?.close();
    await removeNetns(ns);
  });

  it('lists the links ip lists, with the same fields', () => {
    const theirs = ipJson<J[]>(ns!, ['-d', 'link', 'show']);
    expect(links.map((l) => l.name).sort()).toEqual(theirs.map((l) => l.ifname).sort());
    for (const t of theirs) {
      const l = links.find((x) => x.index === t.ifindex)!;
      expect(l.name, t.ifname).toBe(t.ifname);
      expect(l.mtu, t.ifname).toBe(t.mtu);
      expect(l.txqlen, t.ifname).toBe(t.txqlen);
      expect(l.operstate, t.ifname).toBe(t.operstate);
      expect(l.type, t.ifname).toBe(t.link_type);
      expect(l.address, t.ifname).toBe(t.address);
      expect(l.broadcast, t.ifname).toBe(t.broadcast);
      expect(l.minMtu, t.ifname).toBe(t.min_mtu);
      expect(l.maxMtu, t.ifname).toBe(t.max_mtu);
      expect(l.numTxQueues, t.ifname).toBe(t.num_tx_queues);
      // ip leaves RUNNING out of its flag list.
      expect(l.flags.filter((f) => f !== 'RUNNING').sort(), t.ifname).toEqual([...t.flags].sort());
      expect(nameOf(l.master), t.ifname).toBe(t.master);
      expect(l.kind, t.ifname).toBe(t.linkinfo?.info_kind);
      expect(l.portKind, t.ifname).toBe(t.linkinfo?.info_slave_kind);
    }
  });

  it('decodes kind data and bridge port attributes as ip shows them', () => {
    const vx = ipJson<J[]>(ns!, ['-d', 'link', 'show', 'vx0'])[0]!.linkinfo.info_data;
    const ours = links.find((l) => l.name === 'vx0')!.data!;
    expect(ours).toMatchObject({ id: vx.id, group: vx.remote, local: vx.local, port: vx.port, ttl: vx.ttl, ageing: vx.ageing, df: vx.df });
    expect(nameOf(ours.link as number)).toBe(vx.link);
    expect(ours.learning === 1).toBe(vx.learning);
    const tap = ipJson<J[]>(ns!, ['-d', 'link', 'show', 'tp0'])[0]!.linkinfo.info_data;
    const tapData = links.find((l) => l.name === 'tp0')!.data!;
    expect(tapData.type).toBe(tap.type === 'tap' ? 2 : 1);
    expect(tapData.persist === 1).toBe(tap.persist);
    const port = ipJson<J[]>(ns!, ['-d', 'link', 'show', 'vb1'])[0]!.linkinfo.info_slave_data;
    const ourPort = links.find((l) => l.name === 'vb1')!.port!;
    expect(ourPort).toMatchObject({ cost: port.cost, priority: port.priority, state: 3 });
    expect(port.state).toBe('forwarding');
    const br = ipJson<J[]>(ns!, ['-d', 'link', 'show', 'br0'])[0]!.linkinfo.info_data;
    const ourBr = links.find((l) => l.name === 'br0')!.data!;
    expect(ourBr).toMatchObject({ forwardDelay: br.forward_delay, helloTime: br.hello_time, stpState: br.stp_state, priority: br.priority });
  });

  it('filters links by kind and master in the kernel', async () => {
    expect((await rt.links.listAll({ kind: 'veth' })).map((l) => l.name).sort()).toEqual(['va0', 'va1', 'vb0', 'vb1']);
    expect((await rt.links.listAll({ master: 'br0' })).map((l) => l.name).sort()).toEqual(['vb0', 'vb1']);
    const theirs = ipJson<J[]>(ns!, ['link', 'show', 'master', 'br0'])
      .map((l) => l.ifname)
      .sort();
    expect(theirs).toEqual(['vb0', 'vb1']);
  });

  it('gets a link by name and by index, with u64 counters', async () => {
    const byName = (await rt.links.get('va0'))!;
    const byIndex = (await rt.links.get(byName.index))!;
    expect(byIndex.name).toBe('va0');
    expect(typeof byName.stats!.rxPackets).toBe('bigint');
    const theirs = ipJson<J[]>(ns!, ['-s', 'link', 'show', 'va0'])[0]!.stats64;
    expect(byName.stats!.txBytes! >= BigInt(theirs.tx.bytes)).toBe(true);
    expect(await rt.links.get('nosuchdev')).toBeUndefined();
  });

  it('lists the addresses ip lists', async () => {
    const ours = await rt.addresses.listAll();
    const theirs = ipJson<J[]>(ns!, ['addr', 'show']).flatMap((l) => (l.addr_info as J[]).map((a): J => ({ ...a, ifindex: l.ifindex })));
    expect(ours.length).toBe(theirs.length);
    for (const t of theirs) {
      const a = ours.find((x) => x.index === t.ifindex && x.address === t.local && x.prefixLength === t.prefixlen);
      expect(a, `${t.local}/${t.prefixlen}`).toBeDefined();
      expect(a!.family).toBe(t.family);
      expect(a!.scope).toBe(t.scope);
      expect(a!.label).toBe(t.label);
      expect(a!.broadcast).toBe(t.broadcast);
      expect(a!.validLifetime).toBe(t.valid_life_time);
      expect(a!.preferredLifetime).toBe(t.preferred_life_time);
    }
    const va1 = await rt.addresses.listAll({ dev: 'va1', family: 'inet' });
    expect(va1.map((a) => `${a.address}/${a.prefixLength} ${a.label}`)).toEqual(['10.2.0.1/24 va1:x']);
  });

  it('lists the routes of every table as ip does', async () => {
    for (const family of ['inet', 'inet6'] as const) {
      const ours = await rt.routes.listAll({ family });
      const theirs = ipJson<J[]>(ns!, [family === 'inet' ? '-4' : '-6', 'route', 'show', 'table', 'all']);
      expect(ours.length, family).toBe(theirs.length);
      for (const t of theirs) {
        const table = tableOf(t.table);
        const r = ours.find(
          (x) =>
            x.dst === t.dst &&
            x.table === table &&
            nameOf(x.oif) === t.dev &&
            (x.priority ?? 0) === (t.metric ?? (family === 'inet6' ? 1024 : 0)) &&
            (t.type ?? 'unicast') === x.type,
        );
        expect(r, `${t.dst} table ${table} dev ${t.dev}`).toBeDefined();
        expect(r!.gateway).toBe(t.gateway);
        expect(r!.prefsrc).toBe(t.prefsrc);
        if (t.protocol !== undefined) expect(r!.protocol).toBe(t.protocol);
        if (t.scope !== undefined) expect(r!.scope).toBe(t.scope);
        if (t.nexthops) {
          expect(r!.nexthops!.map((n) => ({ gateway: n.gateway, dev: nameOf(n.oif), weight: n.weight }))).toEqual(
            (t.nexthops as J[]).map((n) => ({ gateway: n.gateway, dev: n.dev, weight: n.weight })),
          );
        }
        if (t.metrics) {
          for (const m of t.metrics as J[]) for (const [k, v] of Object.entries(m)) expect(r!.metrics![k], k).toBe(v);
        }
      }
    }
  });

  it('filters routes by table, protocol and device in the kernel', async () => {
    expect((await rt.routes.listAll({ table: 200 })).map((r) => r.dst)).toEqual(['10.12.0.0/16']);
    expect((await rt.routes.listAll({ table: 100, family: 'inet6' })).map((r) => r.dst)).toEqual(['2001:db8:10::/48']);
    expect((await rt.routes.listAll({ protocol: 'static' })).map((r) => r.dst)).toEqual(['10.11.0.0/16']);
    const viaVa1 = ipJson<J[]>(ns!, ['-4', 'route', 'show', 'table', 'main', 'dev', 'va1']).map((r) => r.dst);
    expect((await rt.routes.listAll({ table: 'main', family: 'inet', dev: 'va1' })).map((r) => r.dst)).toEqual(viaVa1);
    expect((await rt.routes.listAll({ table: 300 }))[0]).toMatchObject({ dst: '10.13.0.0/16', type: 'blackhole' });
  });

  it('resolves a destination like ip route get', async () => {
    for (const dst of ['10.10.3.4', '10.1.0.9', '2001:db8:2::7']) {
      const ours = await rt.routes.get(dst);
      const theirs = ipJson<J[]>(ns!, ['route', 'get', dst])[0]!;
      expect(ours.dst).toBe(theirs.dst);
      expect(nameOf(ours.oif)).toBe(theirs.dev);
      expect(ours.gateway).toBe(theirs.gateway);
      expect(ours.prefsrc).toBe(theirs.prefsrc);
    }
    const fib = await rt.routes.get('10.10.3.4', { fibmatch: true });
    expect(fib.dst).toBe('10.10.0.0/16');
  });

  it('lists the neighbours ip lists', async () => {
    // IPv6 neighbour discovery on the veths can add an entry between two
    // reads: read ours, ip's and ours again until the table held still.
    let ours = await rt.neighbours.listAll();
    let theirs = ipJson<J[]>(ns!, ['neigh', 'show', 'nud', 'all']);
    for (let i = 0; i < 5; i++) {
      const again = await rt.neighbours.listAll();
      if (again.length === ours.length && ours.length === theirs.length) break;
      ours = again;
      theirs = ipJson<J[]>(ns!, ['neigh', 'show', 'nud', 'all']);
    }
    expect(ours.length).toBe(theirs.length);
    for (const t of theirs) {
      const n = ours.find((x) => x.destination === t.dst && nameOf(x.index) === t.dev)!;
      expect(n, t.dst).toBeDefined();
      expect(n.lladdr).toBe(t.lladdr);
      expect(n.state).toEqual(t.state);
    }
    expect((await rt.neighbours.get('va0', '10.1.0.5'))?.lladdr).toBe('02:00:00:00:00:05');
  });

  it('lists the rules ip lists', async () => {
    for (const family of ['inet', 'inet6'] as const) {
      const ours = await rt.rules.listAll({ family });
      const theirs = ipJson<J[]>(ns!, [family === 'inet' ? '-4' : '-6', 'rule', 'show']);
      expect(ours.length).toBe(theirs.length);
      theirs.forEach((t, i) => {
        const r = ours[i]!;
        expect(r.priority).toBe(t.priority);
        expect(r.table).toBe(tableOf(t.table));
        expect(r.src === 'all' ? 'all' : r.src.split('/')[0]).toBe(t.src);
        if (t.srclen !== undefined) expect(r.src.split('/')[1]).toBe(String(t.srclen));
        if (t.dst !== undefined) expect(r.dst).toBe(`${t.dst}/${t.dstlen}`);
        if (t.fwmark !== undefined) expect(`0x${r.fwmark!.toString(16)}`).toBe(t.fwmark);
      });
    }
  });

  it('refuses an unknown device name before writing anything', async () => {
    const err = await rt.addresses.add({ dev: 'nosuchdev', address: '10.9.9.9/24' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toBe("dev: no link named 'nosuchdev'");
    const err2 = await rt.routes.add({ dst: '10.9.9.0/24', dev: 'va0', nexthops: [{ dev: 'va0', weight: 0 }] }).catch((e: unknown) => e);
    expect((err2 as Error).message).toBe('nexthops[0].weight: 0 is out of range 1..256');
  });

  it('reads netconf and nsid', async () => {
    const conf = await rt.netconf.listAll('inet');
    const all = conf.find((c) => c.ifindex === 'all')!;
    expect(ip(ns!, ['-4', 'netconf', 'show'])).toContain(`all forwarding ${all.forwarding ? 'on' : 'off'}`);
    const va0 = await rt.netconf.get('inet', 'va0');
    expect(va0?.ifindex).toBe(links.find((l) => l.name === 'va0')!.index);
    const theirs = ip(ns!, ['netconf', 'show', 'dev', 'va0']);
    expect(theirs).toContain(`forwarding ${va0!.forwarding ? 'on' : 'off'}`);
    expect(theirs).toContain(`rp_filter ${['off', 'strict', 'loose'][va0!.rpFilter!]}`);
    expect(await rt.nsid.listAll()).toEqual([]);
  });
});
