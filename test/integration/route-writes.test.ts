// Every write of the typed route clients leaves the kernel in the state the
// corresponding ip command leaves it: each step runs through nlkit in one
// namespace and through ip in a twin namespace, then `ip -j` dumps of both
// (links, addresses, routes, neighbours, rules, nsids) must be equal. The
// namespaces are removed also on failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteClient } from '../../src/families/route/index.js';
import { NetlinkError } from '../../src/index.js';
import { feature, ipWouldPrint, readIpRefusal, requireFeatures, type FeatureName } from '../helpers/features.js';
import { canUseKernel, createNetns, ip, ipJson, ipRun, removeNetns } from '../helpers/kernel.js';

// ip -j output, read loosely.
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Keys whose values depend on timing or on randomness, not on what was written. */
const VOLATILE = /timer|^(root_id|bridge_id|designated_root|designated_bridge|stats64|stats|operstate|carrier_changes|carrier_up_count|carrier_down_count)$/;

function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (v === null || typeof v !== 'object') return v;
  const out: J = {};
  for (const [k, x] of Object.entries(v as J)) if (!VOLATILE.test(k)) out[k] = clean(x);
  return out;
}

function state(ns: string): J {
  const links = ipJson<J[]>(ns, ['-d', 'link', 'show']).map((l) => {
    const c = clean(l) as J;
    if (c.ifname === 'wtap') delete c.address; // tuntap gives a random MAC
    return c;
  });
  const addrs = ipJson<J[]>(ns, ['addr', 'show']).map((l) => ({
    ifname: l.ifname,
    addr: (l.addr_info as J[]).filter((a) => !String(a.local).startsWith('fe80')),
  }));
  const routes = [
    ipJson<J[]>(ns, ['-4', 'route', 'show', 'table', 'all']),
    ipJson<J[]>(ns, ['-6', 'route', 'show', 'table', 'all']).filter((r) => !String(r.dst).startsWith('fe80') && !String(r.dst).startsWith('ff00')),
  ];
  const neigh = ipJson<J[]>(ns, ['neigh', 'show', 'nud', 'all']).filter((n) => !(n.state as string[]).some((s) => s === 'NOARP' || s === 'FAILED' || s === 'INCOMPLETE'));
  const rules = [ipJson<J[]>(ns, ['-4', 'rule', 'show']), ipJson<J[]>(ns, ['-6', 'rule', 'show'])];
  const nsids = ipJson<J[]>(ns, ['netns', 'list-id']);
  return { links, addrs, routes, neigh, rules, nsids };
}

describe.skipIf(!canUseKernel)('route client writes leave the state ip leaves', () => {
  let a: string | undefined; // written by nlkit
  let b: string | undefined; // written by ip
  let peer: string | undefined; // a namespace to give an nsid to
  let rt: RouteClient;

  beforeAll(async () => {
    requireFeatures('veth', 'bridge', 'vxlan', 'tuntap', 'ifb');
    a = await createNetns('rwrite-a');
    b = await createNetns('rwrite-b');
    peer = await createNetns('rwrite-p');
    rt = await RouteClient.open({ netns: a });
  });

  afterAll(async () => {
    rt?.close();
    await removeNetns(a);
    await removeNetns(b);
    await removeNetns(peer);
  });

  // [name, nlkit's write, ip's commands, kernel features the step needs (probed: test/helpers/features.ts)]
  const STEPS: Array<[string, () => Promise<unknown>, string[][], FeatureName[]?]> = [
    [
      'link add veth',
      () => rt.links.add({ name: 'w0', kind: 'veth', address: '02:00:00:00:01:00', peer: { name: 'w1', address: '02:00:00:00:01:01' } }),
      [['link', 'add', 'w0', 'address', '02:00:00:00:01:00', 'type', 'veth', 'peer', 'name', 'w1', 'address', '02:00:00:00:01:01']],
    ],
    [
      'link add bridge',
      () => rt.links.add({ name: 'wbr', kind: 'bridge', address: '02:00:00:00:01:02', data: { stpState: 0, forwardDelay: 500 } }),
      [['link', 'add', 'wbr', 'address', '02:00:00:00:01:02', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '500']],
    ],
    [
      'link add vxlan',
      () => rt.links.add({ name: 'wvx', kind: 'vxlan', address: '02:00:00:00:01:03', data: { id: 7, local: '10.1.0.1', remote: '10.1.0.9', port: 4790, link: 'w0', ttl: 5 } }),
      [['link', 'add', 'wvx', 'address', '02:00:00:00:01:03', 'type', 'vxlan', 'id', '7', 'local', '10.1.0.1', 'remote', '10.1.0.9', 'dstport', '4790', 'dev', 'w0', 'ttl', '5']],
    ],
    // The kernel refuses tun/tap links over rtnetlink; the client makes them through /dev/net/tun,
    // as `ip tuntap add` does, in the client's namespace.
    ['link add tap', () => rt.links.add({ name: 'wtap', kind: 'tun', data: { type: 'tap', persist: true, pi: false } }), [['tuntap', 'add', 'mode', 'tap', 'name', 'wtap']]],
    [
      'link add tun with options and settings',
      () => rt.links.add({ name: 'wtun', kind: 'tun', mtu: 1300, up: true, data: { type: 'tun', pi: true, vnetHdr: true, multiQueue: true, owner: 1000, group: 100 } }),
      [
        ['tuntap', 'add', 'mode', 'tun', 'name', 'wtun', 'pi', 'vnet_hdr', 'multi_queue', 'user', '1000', 'group', '100'],
        ['link', 'set', 'wtun', 'mtu', '1300', 'up'],
      ],
    ],
    [
      'link replace existing tun',
      () => rt.links.replace({ name: 'wtun', kind: 'tun', data: { type: 'tun', multiQueue: true }, mtu: 1250 }),
      [['link', 'set', 'wtun', 'mtu', '1250']],
    ],
    ['link change tap', () => rt.links.change('wtap', { mtu: 1280, txqlen: 50 }), [['link', 'set', 'wtap', 'mtu', '1280', 'txqlen', '50']]],
    ['link add ifb', () => rt.links.add({ name: 'wifb', kind: 'ifb', address: '02:00:00:00:01:04' }), [['link', 'add', 'wifb', 'address', '02:00:00:00:01:04', 'type', 'ifb']]],
    [
      'link change up and mtu',
      async () => {
        await rt.links.change('w0', { up: true, mtu: 1400 });
        await rt.links.change('w1', { up: true });
        await rt.links.change('wvx', { up: true });
      },
      [
        ['link', 'set', 'w0', 'up', 'mtu', '1400'],
        ['link', 'set', 'w1', 'up'],
        ['link', 'set', 'wvx', 'up'],
      ],
    ],
    ['link change master', () => rt.links.change('w1', { master: 'wbr' }), [['link', 'set', 'w1', 'master', 'wbr']]],
    [
      'link change bridge port',
      () => rt.links.change('w1', { port: { kind: 'bridge', cost: 11, priority: 5 } }),
      [['link', 'set', 'dev', 'w1', 'type', 'bridge_slave', 'cost', '11', 'priority', '5']],
    ],
    ['link replace existing', () => rt.links.replace({ name: 'wifb', kind: 'ifb', mtu: 1300 }), [['link', 'set', 'wifb', 'mtu', '1300']]],
    ['link change name', () => rt.links.change('wifb', { name: 'wifb2' }), [['link', 'set', 'wifb', 'name', 'wifb2']]],
    // Link kinds nothing else here stands on, each compared only where the kernel has it.
    [
      'link add dummy',
      () => rt.links.add({ name: 'wdum', kind: 'dummy', address: '02:00:00:00:01:05' }),
      [['link', 'add', 'wdum', 'address', '02:00:00:00:01:05', 'type', 'dummy']],
      ['dummy'],
    ],
    [
      'link add vlan',
      () => rt.links.add({ name: 'w0.5', kind: 'vlan', link: 'w0', data: { id: 5 } }),
      [['link', 'add', 'link', 'w0', 'name', 'w0.5', 'type', 'vlan', 'id', '5']],
      ['vlan'],
    ],
    [
      'link add macvlan',
      () => rt.links.add({ name: 'wmv', kind: 'macvlan', link: 'w0', address: '02:00:00:00:01:06', data: { mode: 'bridge' } }),
      [['link', 'add', 'link', 'w0', 'name', 'wmv', 'address', '02:00:00:00:01:06', 'type', 'macvlan', 'mode', 'bridge']],
      ['macvlan'],
    ],
    [
      'link add bond',
      () => rt.links.add({ name: 'wbond', kind: 'bond', address: '02:00:00:00:01:07', data: { mode: 1 } }),
      [['link', 'add', 'wbond', 'address', '02:00:00:00:01:07', 'type', 'bond', 'mode', 'active-backup']],
      ['bond'],
    ],
    [
      'link add bridge with vlan filtering',
      () => rt.links.add({ name: 'wbrv', kind: 'bridge', address: '02:00:00:00:01:08', data: { vlanFiltering: 1 } }),
      [['link', 'add', 'wbrv', 'address', '02:00:00:00:01:08', 'type', 'bridge', 'vlan_filtering', '1']],
      ['bridge-vlan-filtering'],
    ],
    ['address add', () => rt.addresses.add({ dev: 'w0', address: '10.1.0.1/24' }), [['addr', 'add', '10.1.0.1/24', 'dev', 'w0']]],
    ['address add IPv6', () => rt.addresses.add({ dev: 'w0', address: '2001:db8:5::1/64', flags: ['nodad'] }), [['addr', 'add', '2001:db8:5::1/64', 'dev', 'w0', 'nodad']]],
    [
      'address replace',
      () => rt.addresses.replace({ dev: 'w0', address: '10.1.0.1/24', broadcast: '10.1.0.255', label: 'w0:a' }),
      [['addr', 'replace', '10.1.0.1/24', 'broadcast', '10.1.0.255', 'label', 'w0:a', 'dev', 'w0']],
    ],
    ['address add second', () => rt.addresses.add({ dev: 'w0', address: '10.1.5.1/24', flags: ['noprefixroute'] }), [['addr', 'add', '10.1.5.1/24', 'dev', 'w0', 'noprefixroute']]],
    ['address change', () => rt.addresses.change({ dev: 'w0', address: '10.1.5.1/24', flags: [] }), [['addr', 'change', '10.1.5.1/24', 'dev', 'w0']]],
    ['address delete', () => rt.addresses.delete({ dev: 'w0', address: '10.1.5.1/24' }), [['addr', 'del', '10.1.5.1/24', 'dev', 'w0']]],
    ['route add', () => rt.routes.add({ dst: '10.20.0.0/16', gateway: '10.1.0.2' }), [['route', 'add', '10.20.0.0/16', 'via', '10.1.0.2']]],
    [
      'route add multipath',
      () =>
        rt.routes.add({
          dst: '10.21.0.0/16',
          table: 100,
          nexthops: [
            { gateway: '10.1.0.2', dev: 'w0', weight: 2 },
            { gateway: '10.1.0.3', dev: 'w0', weight: 1 },
          ],
        }),
      [['route', 'add', '10.21.0.0/16', 'table', '100', 'nexthop', 'via', '10.1.0.2', 'dev', 'w0', 'weight', '2', 'nexthop', 'via', '10.1.0.3', 'dev', 'w0', 'weight', '1']],
      ['multipath'],
    ],
    [
      'route replace with metrics',
      () => rt.routes.replace({ dst: '10.20.0.0/16', gateway: '10.1.0.3', metrics: { mtu: 1300, advmss: 1200 } }),
      [['route', 'replace', '10.20.0.0/16', 'via', '10.1.0.3', 'mtu', '1300', 'advmss', '1200']],
    ],
    ['route change', () => rt.routes.change({ dst: '10.20.0.0/16', gateway: '10.1.0.4' }), [['route', 'change', '10.20.0.0/16', 'via', '10.1.0.4']]],
    ['route add blackhole', () => rt.routes.add({ dst: '10.22.0.0/16', type: 'blackhole', table: 300 }), [['route', 'add', 'blackhole', '10.22.0.0/16', 'table', '300']]],
    [
      'route add IPv6',
      () => rt.routes.add({ dst: '2001:db8:30::/48', gateway: '2001:db8:5::2', priority: 50 }),
      [['route', 'add', '2001:db8:30::/48', 'via', '2001:db8:5::2', 'metric', '50']],
    ],
    [
      'route add ip encap',
      () => rt.routes.add({ dst: '10.23.0.0/16', dev: 'wvx', encap: { type: 'ip', id: 5, dst: '10.1.0.77', ttl: 9 } }),
      [['route', 'add', '10.23.0.0/16', 'encap', 'ip', 'id', '5', 'dst', '10.1.0.77', 'ttl', '9', 'dev', 'wvx']],
      ['ip-encap'],
    ],
    [
      'route add ip6 encap',
      () => rt.routes.add({ dst: '2001:db8:31::/48', dev: 'w0', encap: { type: 'ip6', id: 6, dst: '2001:db8:5::77', ttl: 4 } }),
      [['-6', 'route', 'add', '2001:db8:31::/48', 'encap', 'ip6', 'id', '6', 'dst', '2001:db8:5::77', 'hoplimit', '4', 'dev', 'w0']],
      ['ip6-encap'],
    ],
    [
      'route add seg6 encap',
      () => rt.routes.add({ dst: '10.24.0.0/16', dev: 'w0', encap: { type: 'seg6', mode: 'encap', segments: ['fc00::1', 'fc00::2'] } }),
      [['route', 'add', '10.24.0.0/16', 'encap', 'seg6', 'mode', 'encap', 'segs', 'fc00::1,fc00::2', 'dev', 'w0']],
      ['seg6-encap'],
    ],
    [
      'route add seg6 inline',
      () => rt.routes.add({ dst: '2001:db8:32::/48', dev: 'w0', encap: { type: 'seg6', mode: 'inline', segments: ['fc00::3'] } }),
      [['-6', 'route', 'add', '2001:db8:32::/48', 'encap', 'seg6', 'mode', 'inline', 'segs', 'fc00::3', 'dev', 'w0']],
      ['seg6-encap'],
    ],
    [
      'route add mpls encap',
      () => rt.routes.add({ dst: '10.25.0.0/16', gateway: '10.1.0.2', encap: { type: 'mpls', labels: [100, 200], ttl: 9 } }),
      [['route', 'add', '10.25.0.0/16', 'encap', 'mpls', '100/200', 'ttl', '9', 'via', '10.1.0.2']],
      ['mpls-encap'],
    ],
    ['route delete', () => rt.routes.delete({ dst: '10.20.0.0/16' }), [['route', 'del', '10.20.0.0/16']]],
    [
      'route delete from a listing',
      async () => {
        const [r] = await rt.routes.listAll({ table: 300 });
        await rt.routes.delete(r!);
      },
      [['route', 'del', 'blackhole', '10.22.0.0/16', 'table', '300']],
    ],
    [
      'neighbour add',
      () => rt.neighbours.add({ dev: 'w0', destination: '10.1.0.50', lladdr: '02:00:00:00:00:50' }),
      [['neigh', 'add', '10.1.0.50', 'lladdr', '02:00:00:00:00:50', 'dev', 'w0']],
    ],
    [
      'neighbour replace',
      () => rt.neighbours.replace({ dev: 'w0', destination: '10.1.0.50', lladdr: '02:00:00:00:00:51', state: 'stale' }),
      [['neigh', 'replace', '10.1.0.50', 'lladdr', '02:00:00:00:00:51', 'dev', 'w0', 'nud', 'stale']],
    ],
    [
      'neighbour change',
      () => rt.neighbours.change({ dev: 'w0', destination: '10.1.0.50', lladdr: '02:00:00:00:00:52', state: 'permanent' }),
      [['neigh', 'change', '10.1.0.50', 'lladdr', '02:00:00:00:00:52', 'dev', 'w0', 'nud', 'permanent']],
    ],
    [
      'neighbour add IPv6 router',
      () => rt.neighbours.add({ dev: 'w0', destination: '2001:db8:5::9', lladdr: '02:00:00:00:00:59', router: true }),
      [['neigh', 'add', '2001:db8:5::9', 'lladdr', '02:00:00:00:00:59', 'dev', 'w0', 'router']],
    ],
    ['neighbour delete', () => rt.neighbours.delete({ dev: 'w0', destination: '10.1.0.50' }), [['neigh', 'del', '10.1.0.50', 'dev', 'w0']]],
    ['rule add', () => rt.rules.add({ priority: 100, src: '10.1.0.0/24', table: 100 }), [['rule', 'add', 'from', '10.1.0.0/24', 'table', '100', 'priority', '100']]],
    ['rule add fwmark', () => rt.rules.add({ priority: 200, fwmark: 0x10, fwmask: 0xff, table: 200 }), [['rule', 'add', 'fwmark', '0x10/0xff', 'table', '200', 'priority', '200']]],
    [
      'rule add IPv6 big table',
      () => rt.rules.add({ family: 'inet6', priority: 300, dst: '2001:db8:30::/48', table: 1000 }),
      [['-6', 'rule', 'add', 'to', '2001:db8:30::/48', 'table', '1000', 'priority', '300']],
    ],
    [
      'rule change',
      async () => {
        const r = await rt.rules.get(200);
        await rt.rules.change(r!, { table: 201 });
      },
      [
        ['rule', 'del', 'priority', '200'],
        ['rule', 'add', 'fwmark', '0x10/0xff', 'table', '201', 'priority', '200'],
      ],
    ],
    [
      'rule replace',
      () => rt.rules.replace({ priority: 100, src: '10.1.0.0/24', table: 100 }),
      [
        ['rule', 'del', 'priority', '100'],
        ['rule', 'add', 'from', '10.1.0.0/24', 'table', '100', 'priority', '100'],
      ],
    ],
    ['rule delete', () => rt.rules.delete({ priority: 100, src: '10.1.0.0/24', table: 100 }), [['rule', 'del', 'priority', '100']]],
    ['nsid add', () => rt.nsid.add(5, peer!), [['netns', 'set', 'PEER', '5']]],
    ['link delete', () => rt.links.delete('wifb2'), [['link', 'del', 'wifb2']]],
    ['link delete veth by index', async () => rt.links.delete((await rt.links.get('w0'))!.index), [['link', 'del', 'w0']]],
  ];

  it.each(STEPS.map((s, i) => [s[0], i] as const))('%s', async (_name, i) => {
    const [, run, cmds, needs = []] = STEPS[i]!;
    const lacking = needs.filter((f) => feature(f).supported === false);
    if (lacking.length === 0) {
      await run();
      for (const c of cmds)
        ip(
          b!,
          c.map((x) => (x === 'PEER' ? peer! : x)),
        );
      expect(state(a!)).toEqual(state(b!));
      return;
    }
    // The kernel lacks a feature the step needs: ip is refused as its probe
    // was, nlkit is refused with the same errno and extended-ack message,
    // and neither namespace changed.
    const before = state(a!);
    expect(state(b!)).toEqual(before);
    const refusal = await run().then(
      () => new Error('nlkit succeeded where the kernel lacks the feature'),
      (err: unknown) => err,
    );
    expect(cmds.length).toBe(1);
    const ref = ipRun(b!, cmds[0]!);
    const probes = lacking.map((f) => feature(f)).map((s) => (s.supported === false ? { code: s.status, stderr: s.stderr } : undefined));
    expect(probes).toContainEqual({ code: ref.code, stderr: ref.stderr });
    expect(refusal).toBeInstanceOf(NetlinkError);
    const err = refusal as NetlinkError;
    const theirs = readIpRefusal(ref.stderr);
    expect({ code: err.code, message: err.extAck?.message, printed: ipWouldPrint(err) }).toEqual({ code: theirs.code, message: theirs.message, printed: ref.stderr });
    expect(state(a!)).toEqual(before);
    expect(state(b!)).toEqual(before);
  });

  it('reads back the nsid it set', async () => {
    expect(await rt.nsid.listAll()).toEqual([{ nsid: 5 }]);
    expect((await rt.nsid.get(peer!)).nsid).toBe(5);
    expect((await rt.nsid.get({ pid: process.pid })).nsid).toBe(-1);
  });
});
