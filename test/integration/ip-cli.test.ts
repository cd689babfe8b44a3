// `nlkit` (iproute2-style) against the kernel and against iproute2 itself:
// JSON listings must deep-equal `ip -j` for the same namespace, write
// commands must leave the kernel as the same `ip` command does (run in twin
// namespaces), and `monitor` must print one line per kernel event.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { NetlinkSocket, isOverrun } from '../../src/io/index.js';
import { RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK } from '../../src/families/route/constants.js';
import { feature, requireFeatures, type FeatureName } from '../helpers/features.js';
import { createNetns, ip, ipBatch, ipJson, removeNetns, waitForOperstates } from '../helpers/kernel.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `nlkit ARGS` in-process. */
async function nlkit(args: string[], extra: { signal?: AbortSignal; ready?: () => void; onStdout?: (t: string) => void } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, {
    stdout: (t) => {
      stdout += t;
      extra.onStdout?.(t);
    },
    stderr: (t) => (stderr += t),
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.ready ? { ready: extra.ready } : {}),
  });
  return { code, stdout, stderr };
}

async function nlkitJson(ns: string, args: string[]): Promise<unknown> {
  const r = await nlkit(['-n', ns, '-j', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** Runs `ip -n NS ARGS`, returning status and output instead of throwing. */
function ipRun(ns: string, args: string[]): Run {
  try {
    const stdout = execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

// IPv6 duplicate address detection and router solicitations would change
// address flags and counters between two listings: turn them off before
// any link exists.
function quietIpv6(ns: string): void {
  execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'for k in accept_dad router_solicitations; do for c in all default; do echo 0 > /proc/sys/net/ipv6/conf/$c/$k; done; done']);
}

// Values that run with the clock between two listings: bridge timers, route expiry and
// finite address lifetimes. Both sides get the same placeholder.
function clockFree(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v), (k, x: unknown) => {
    if (/_timer$/.test(k) || k === 'expires') return 'TIMER';
    if ((k === 'valid_life_time' || k === 'preferred_life_time') && x !== 4294967295) return 'LFT';
    return x;
  });
}

/** Both sides of a comparison, retried while counters move (at most a few times). */
async function expectSameAsIp(ns: string, args: string[], retries = 0): Promise<void> {
  let mine: unknown;
  let theirs: unknown;
  for (let i = 0; ; i++) {
    mine = clockFree(await nlkitJson(ns, args));
    theirs = clockFree(ipJson(ns, args));
    if (JSON.stringify(mine) === JSON.stringify(theirs) || i >= retries) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // Long lists: show the first element that differs rather than the whole list.
  if (Array.isArray(mine) && Array.isArray(theirs) && mine.length === theirs.length) {
    const i = mine.findIndex((x, j) => JSON.stringify(x) !== JSON.stringify(theirs[j]));
    if (i >= 0) expect({ args: args.join(' '), index: i, item: mine[i] }).toEqual({ args: args.join(' '), index: i, item: theirs[i] });
  }
  expect(mine).toEqual(theirs);
}

describe('nlkit ip-style listings equal ip -j', () => {
  let ns: string;
  beforeAll(async () => {
    requireFeatures('veth', 'bridge', 'vxlan', 'tuntap', 'multipath', 'rules', 'rules-ipv6');
    ns = await createNetns('ipcli');
    quietIpv6(ns);
    const setup = [
      'link add a0 type veth peer name a1',
      'link add b0 type veth peer name b1',
      'link add c0 type veth peer name c1',
      'link add br0 type bridge',
      'link set a1 master br0',
      'link set b1 master br0',
      'link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 dev a0',
      'link add vx1 type vxlan id 43 group 239.1.1.1 dev b0 dstport 0 ttl 10 nolearning',
      'tuntap add t0 mode tun',
      'link set a0 up',
      'link set a1 up',
      'link set b0 up',
      'link set b1 up',
      'link set br0 up',
      'link set c0 mtu 1400 alias uplink',
      'addr add 10.0.0.1/24 dev a0',
      'addr add 10.0.1.1/24 brd + dev b0 label b0:x',
      'addr add 10.0.2.1 peer 10.0.2.2/32 dev c0',
      'addr add 2001:db8::1/64 dev a0',
      'addr add 2001:db8:1::1/64 dev b0 noprefixroute',
      'addr add 2001:db8:2::1/64 dev a0 valid_lft 3000 preferred_lft 2000',
      'route add default via 10.0.0.254',
      'route add blackhole 10.9.0.0/16',
      'route add unreachable 10.66.0.0/16 mtu 1400 advmss 1300',
      'route add prohibit 10.67.0.0/16 table 200',
      'route add 10.8.0.1 dev a0 src 10.0.0.1 proto static',
      'route add 10.2.0.0/16 nexthop via 10.0.0.2 dev a0 nexthop via 10.0.0.3 dev a0 weight 3',
      'route add 10.3.0.0/16 table 100 nexthop via 10.0.0.2 dev a0 nexthop via 10.0.1.3 dev b0 onlink',
      'route add 2001:db8:100::/48 nexthop via 2001:db8::2 dev a0 nexthop via 2001:db8::3 dev a0',
      'route add 2001:db8:200::/48 via 2001:db8::2 dev a0 metric 5 table 100 onlink',
      'neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev a0 nud permanent',
      'neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev a0 nud reachable',
      'neigh add 2001:db8::9 lladdr 02:00:00:00:00:19 dev a0 nud permanent router',
    ];
    ipBatch(ns, setup);
    ip(ns, ['-6', 'rule', 'add', 'from', '2001:db8::/32', 'table', '100', 'pref', '2000']);
    // 10 000 routes over several tables, some of them multipath.
    const routes: string[] = [];
    for (let i = 0; i < 10000; i++) {
      const table = [254, 100, 200, 300][i % 4]!;
      const dst = `10.${100 + (i >> 8)}.${i & 255}.0/24`;
      if (i % 50 === 0) routes.push(`route add ${dst} table ${table} nexthop via 10.0.0.2 dev a0 nexthop via 10.0.0.3 dev a0`);
      else routes.push(`route add ${dst} via 10.0.0.${2 + (i % 100)} dev a0 table ${table} metric ${i % 7}`);
    }
    ipBatch(ns, routes);
    // Rules last: they take part in the gateway checks of the routes above.
    ipBatch(ns, [
      'rule add from 10.0.0.0/8 table 100 priority 1000',
      'rule add to 10.5.0.0/16 iif a0 fwmark 0x10/0xff lookup main pref 1001',
      'rule add not from 10.6.0.0/16 oif b0 lookup 300 pref 1002',
      'rule add from 10.7.0.0/16 prohibit pref 1004',
      'rule add sport 1000-2000 ipproto tcp table 200 pref 1003',
    ]);
    // The bridge turns from UNKNOWN to UP when linkwatch gets to it, after
    // its ports came up: the listings compare the settled states.
    await waitForOperstates(ns, { lo: 'UNKNOWN', a0: 'UP', a1: 'UP', b0: 'UP', b1: 'UP', br0: 'UP', c0: 'DOWN', c1: 'DOWN', vx0: 'DOWN', vx1: 'DOWN', t0: 'DOWN' });
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('lists links as ip -j link show does', async () => {
    await expectSameAsIp(ns, ['link', 'show']);
  });
  it('lists link details as ip -j -d link show does (veth, bridge and ports, vxlan, tun)', async () => {
    await expectSameAsIp(ns, ['-d', 'link', 'show']);
  });
  it('lists link counters as ip -j -s link show does', async () => {
    // Counters move only with traffic; a listing pair taken without any in between must match.
    await expectSameAsIp(ns, ['-s', 'link', 'show'], 5);
    await expectSameAsIp(ns, ['-s', '-s', 'link', 'show'], 5);
  });
  it('lists one link and filters by type and master', async () => {
    await expectSameAsIp(ns, ['link', 'show', 'dev', 'vx0']);
    await expectSameAsIp(ns, ['-d', 'link', 'show', 'type', 'bridge']);
    await expectSameAsIp(ns, ['link', 'show', 'master', 'br0']);
  });
  it('lists addresses as ip -j address show does', async () => {
    await expectSameAsIp(ns, ['address', 'show']);
    await expectSameAsIp(ns, ['-4', 'address', 'show']);
    await expectSameAsIp(ns, ['-6', 'address', 'show']);
    await expectSameAsIp(ns, ['address', 'show', 'dev', 'b0']);
    await expectSameAsIp(ns, ['-d', 'address', 'show']);
  });
  it('lists routes as ip -j route show does (main, one table, table all, IPv6)', async () => {
    await expectSameAsIp(ns, ['route', 'show']);
    await expectSameAsIp(ns, ['route', 'show', 'table', '100']);
    await expectSameAsIp(ns, ['route', 'show', 'table', 'all']);
    await expectSameAsIp(ns, ['-6', 'route', 'show']);
    await expectSameAsIp(ns, ['-6', 'route', 'show', 'table', 'all']);
    await expectSameAsIp(ns, ['-d', 'route', 'show', 'table', '200']);
  });
  it('looks routes up as ip -j route get does', async () => {
    await expectSameAsIp(ns, ['route', 'get', '10.2.2.3']);
    await expectSameAsIp(ns, ['route', 'get', '10.0.0.1']);
    await expectSameAsIp(ns, ['route', 'get', '10.100.5.9', 'from', '10.0.0.1']);
    await expectSameAsIp(ns, ['-6', 'route', 'get', '2001:db8::5']);
  });
  it('lists neighbours and rules as ip -j does', async () => {
    await expectSameAsIp(ns, ['neigh', 'show']);
    await expectSameAsIp(ns, ['-6', 'neigh', 'show']);
    await expectSameAsIp(ns, ['rule', 'show']);
    await expectSameAsIp(ns, ['-6', 'rule', 'show']);
  });
  it('prints text close to ip', async () => {
    const mine = await nlkit(['-n', ns, 'route', 'show', 'table', '100']);
    expect(mine.stdout).toBe(ip(ns, ['route', 'show', 'table', '100']));
    const rules = await nlkit(['-n', ns, 'rule', 'show']);
    expect(rules.stdout).toBe(ip(ns, ['rule', 'show']));
    const links = await nlkit(['-n', ns, 'link', 'show', 'a0']);
    expect(links.stdout).toBe(ip(ns, ['link', 'show', 'a0']));
    for (const args of [
      ['neigh', 'show'],
      ['-6', 'neigh', 'show'],
    ]) {
      const neigh = await nlkit(['-n', ns, ...args]);
      expect(neigh.stdout).toBe(ip(ns, args));
    }
  });
});

// Normalises what two namespaces cannot share: random MAC addresses (and
// what derives from them: bridge ids, IPv6 link-local addresses). ifindexes
// are equal because both sides create the same links in the same order.
function normalise(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v)
      .replace(/"[0-9a-f]{2}(:[0-9a-f]{2}){5}"/g, '"MAC"')
      .replace(/[0-9a-f]{4}\.[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}/g, 'BRIDGEID')
      .replace(/"fe80::[0-9a-f:]+"/g, '"LLADDR"'),
  );
}

/** kernelState without operational states and clocks: what a command that failed must leave as it was. */
function settledState(ns: string): unknown {
  return JSON.parse(JSON.stringify(clockFree(kernelState(ns))), (k, v: unknown) => (k === 'operstate' ? undefined : v));
}

function kernelState(ns: string): Record<string, unknown> {
  return normalise({
    link: ipJson(ns, ['-d', 'link', 'show']),
    addr: ipJson(ns, ['address', 'show']),
    route: ipJson(ns, ['route', 'show', 'table', 'all']),
    // The neighbour table's order is its hash order, which differs between namespaces.
    neigh: ipJson<{ dst: string }[]>(ns, ['neigh', 'show', 'nud', 'all']).sort((a, b) => {
      const ka = JSON.stringify(a);
      const kb = JSON.stringify(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    }),
    rule4: ipJson(ns, ['rule', 'show']),
    rule6: ipJson(ns, ['-6', 'rule', 'show']),
  }) as Record<string, unknown>;
}

describe('nlkit write commands leave the kernel as ip does', () => {
  let mine: string;
  let theirs: string;
  beforeAll(async () => {
    requireFeatures('veth', 'bridge', 'vxlan');
    mine = await createNetns('ipw-nlkit');
    theirs = await createNetns('ipw-ip');
    quietIpv6(mine);
    quietIpv6(theirs);
  });
  afterAll(async () => {
    await removeNetns(mine);
    await removeNetns(theirs);
  });

  /** A command, or a command that needs kernel features (probed: see test/helpers/features.ts). */
  type Step = string[] | { needs: FeatureName[]; args: string[] };
  const needs = (features: FeatureName | FeatureName[], args: string[]): Step => ({ needs: ([] as FeatureName[]).concat(features), args });
  const steps: Step[] = [
    ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'],
    ['link', 'set', 'v0', 'up', 'mtu', '1400', 'address', '02:00:00:00:00:01'],
    ['link', 'add', 'br0', 'type', 'bridge'],
    ['link', 'set', 'v1', 'master', 'br0'],
    ['link', 'set', 'v1', 'up'],
    ['link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.0.0.1', 'dev', 'v0'],
    ['link', 'add', 'w0', 'type', 'veth'],
    ['link', 'set', 'dev', 'w0', 'name', 'w9', 'txqueuelen', '500', 'alias', 'renamed', 'group', '7'],
    ['addr', 'add', '10.0.0.1/24', 'dev', 'v0'],
    ['addr', 'add', '10.0.3.1/24', 'brd', '+', 'dev', 'v0', 'label', 'v0:a'],
    ['addr', 'add', '2001:db8::1/64', 'dev', 'v0'],
    ['addr', 'add', '2001:db8:5::1/64', 'dev', 'v0', 'noprefixroute'],
    ['route', 'add', '10.1.0.0/16', 'via', '10.0.0.2', 'dev', 'v0', 'table', '100', 'metric', '10'],
    needs('multipath', ['route', 'add', '10.2.0.0/16', 'nexthop', 'via', '10.0.0.2', 'dev', 'v0', 'nexthop', 'via', '10.0.0.3', 'dev', 'v0']),
    ['route', 'add', '10.4.0.0/16', 'via', '10.0.0.2', 'table', '1000', 'mtu', '1300'],
    // Lightweight tunnels: ip, ip6, seg6 in both modes, MPLS; each only where the kernel has it.
    needs('ip-encap', ['route', 'add', '10.50.0.0/16', 'encap', 'ip', 'id', '5', 'dst', '10.9.9.9', 'ttl', '3', 'dev', 'v0']),
    needs('ip-encap', ['route', 'add', '10.52.0.0/16', 'encap', 'ip', 'id', '18446744073709551615', 'dst', '10.9.9.8', 'tos', '0x10', 'dev', 'v0']),
    needs('ip6-encap', ['-6', 'route', 'add', '2001:db8:6::/64', 'encap', 'ip6', 'id', '7', 'dst', '2001:db8::9', 'hoplimit', '4', 'tc', '2', 'dev', 'v0']),
    needs('seg6-encap', ['-6', 'route', 'add', '2001:db8:7::/64', 'encap', 'seg6', 'mode', 'encap', 'segs', '2001:db8::2,2001:db8::3', 'dev', 'v0']),
    needs('seg6-encap', ['-6', 'route', 'add', '2001:db8:8::/64', 'encap', 'seg6', 'mode', 'inline', 'segs', '2001:db8::2', 'dev', 'v0']),
    needs('seg6-encap', ['route', 'add', '10.53.0.0/16', 'encap', 'seg6', 'mode', 'encap', 'segs', '2001:db8::2', 'dev', 'v0']),
    needs('mpls-encap', ['route', 'add', '10.51.0.0/16', 'encap', 'mpls', '100', 'via', '10.0.0.2', 'dev', 'v0']),
    needs('mpls-encap', ['route', 'add', '10.57.0.0/16', 'encap', 'mpls', '100/200', 'ttl', '9', 'via', '10.0.0.2', 'dev', 'v0']),
    needs(
      ['multipath', 'ip-encap'],
      ['route', 'add', '10.54.0.0/16', 'nexthop', 'via', '10.0.0.2', 'dev', 'v0', 'encap', 'ip', 'id', '3', 'dst', '10.1.1.1', 'nexthop', 'via', '10.0.0.3', 'dev', 'v0'],
    ),
    // Link kinds the fixture does not need, each only where the kernel has it.
    needs('dummy', ['link', 'add', 'd0', 'type', 'dummy']),
    needs('vlan', ['link', 'add', 'link', 'v0', 'name', 'v0.5', 'type', 'vlan', 'id', '5']),
    needs('macvlan', ['link', 'add', 'link', 'v0', 'name', 'mv0', 'type', 'macvlan', 'mode', 'bridge']),
    needs('bond', ['link', 'add', 'bo0', 'type', 'bond']),
    needs('bridge-vlan-filtering', ['link', 'add', 'br1', 'type', 'bridge', 'vlan_filtering', '1']),
    ['route', 'add', 'blackhole', '10.9.0.0/16', 'proto', 'static'],
    ['route', 'replace', '10.9.0.0/16', 'via', '10.0.0.5'],
    ['-6', 'route', 'add', '2001:db8:1::/48', 'via', '2001:db8::2', 'dev', 'v0'],
    ['route', 'add', 'default', 'via', '10.0.0.254'],
    ['route', 'add', '10.7.0.0/16', 'dev', 'v0', 'scope', 'link', 'table', '100'],
    ['route', 'del', '10.7.0.0/16', 'table', '100'],
    ['neigh', 'add', '10.0.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'v0', 'nud', 'permanent'],
    ['neigh', 'add', '10.0.0.10', 'lladdr', '02:00:00:00:00:0a', 'dev', 'v0', 'nud', 'stale'],
    ['neigh', 'replace', '10.0.0.10', 'lladdr', '02:00:00:00:00:0b', 'dev', 'v0', 'nud', 'permanent'],
    ['neigh', 'add', '2001:db8::9', 'lladdr', '02:00:00:00:00:19', 'dev', 'v0'],
    ['neigh', 'del', '2001:db8::9', 'dev', 'v0'],
    needs('rules', ['rule', 'add', 'from', '10.0.0.0/8', 'table', '100', 'priority', '1000']),
    needs('rules', ['rule', 'add', 'to', '10.5.0.0/16', 'fwmark', '0x10/0xff', 'iif', 'v0', 'lookup', '1000', 'pref', '1001']),
    needs('rules', ['rule', 'add', 'blackhole', 'pref', '1002']),
    needs('rules', ['rule', 'del', 'pref', '1002']),
    needs('rules-ipv6', ['-6', 'rule', 'add', 'from', '2001:db8::/32', 'table', '100', 'pref', '2000']),
    ['addr', 'del', '10.0.3.1/24', 'dev', 'v0'],
    ['link', 'add', 'gone', 'type', 'bridge'],
    ['link', 'del', 'gone'],
    ['link', 'set', 'w9', 'nomaster', 'down'],
  ];

  it('runs each command with the same outcome as ip', async () => {
    const refused: string[] = [];
    for (const step of steps) {
      const args = Array.isArray(step) ? step : step.args;
      const lacking = Array.isArray(step) ? [] : step.needs.map((f) => [f, feature(f)] as const).filter(([, s]) => s.supported === false);
      const before = lacking.length > 0 ? settledState(mine) : undefined;
      const r = await nlkit(['-n', mine, ...args]);
      const ref = ipRun(theirs, args);
      expect({ step: args.join(' '), code: r.code, stderr: r.stderr }).toEqual({ step: args.join(' '), code: ref.code, stderr: ref.stderr });
      if (Array.isArray(step)) continue;
      // Where the kernel lacks a feature the step needs, ip meets the refusal
      // its probe met, nlkit prints the same (above), and nothing changed.
      if (lacking.length === 0) {
        expect({ step: args.join(' '), code: ref.code, stderr: ref.stderr }).toEqual({ step: args.join(' '), code: 0, stderr: '' });
      } else {
        refused.push(args.join(' '));
        const probes = lacking.map(([, s]) => (s.supported === false ? { code: s.status, stderr: s.stderr } : undefined));
        expect(probes, args.join(' ')).toContainEqual({ code: ref.code, stderr: ref.stderr });
        expect(settledState(mine)).toEqual(before);
      }
    }
    // The operational states both namespaces settle in (a bridge without a running port, links down).
    const settled = { lo: 'UNKNOWN', v0: 'UP', v1: 'UP', br0: 'DOWN', vx0: 'DOWN' };
    await waitForOperstates(mine, settled);
    await waitForOperstates(theirs, settled);
    expect(kernelState(mine)).toEqual(kernelState(theirs));
    console.log(`commands the kernel refused for lack of a feature, as ip does: ${refused.length === 0 ? 'none' : refused.join('; ')}`);
  });

  it('lists what the writes made byte for byte as ip does (encap, multipath, metrics; text, -j, -j -p)', async () => {
    for (const args of [
      ['route', 'show', 'table', 'all'],
      ['-6', 'route', 'show'],
      ['-j', 'route', 'show', 'table', 'all'],
      ['-j', '-6', 'route', 'show'],
      ['-j', '-p', 'route', 'show', 'table', 'all'],
      ['-j', '-p', '-6', 'route', 'show'],
    ]) {
      const r = await nlkit(['-n', mine, ...args]);
      expect({ args: args.join(' '), out: r.stdout }).toEqual({ args: args.join(' '), out: ip(mine, args) });
    }
  });

  it('fails like ip on kernel refusals and bad arguments', async () => {
    const cases: string[][] = [
      ['link', 'add', 't0', 'type', 'tun'],
      ['link', 'add', 'x0', 'type', 'nosuchkind'],
      ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v8'],
      ['link', 'set', 'nosuch', 'up'],
      ['addr', 'add', '10.0.0.1/24', 'dev', 'v0'],
      ['route', 'add', '10.0.0.0/33', 'dev', 'v0'],
      ['route', 'del', '10.77.0.0/16'],
      ['neigh', 'del', '10.0.0.77', 'dev', 'v0'],
      ['rule', 'del', 'priority', '5555'],
      ['route', 'get', '10.250.0.1', 'oif', 'v1'],
      ['route', 'add', '10.55.0.0/16', 'encap', 'ip', 'id', '1', 'id', '2', 'dev', 'v0'],
      ['route', 'add', '10.56.0.0/16', 'encap', 'ip', 'ttl', '300', 'dev', 'v0'],
    ];
    for (const c of cases) {
      const r = await nlkit(['-n', mine, ...c]);
      const ref = ipRun(theirs, c);
      expect({ c: c.join(' '), code: r.code, stderr: r.stderr }).toEqual({ c: c.join(' '), code: ref.code, stderr: ref.stderr });
    }
    expect(kernelState(mine)).toEqual(kernelState(theirs));
  });

  it('flushes addresses and routes as ip does', async () => {
    for (const step of [
      ['addr', 'flush', 'dev', 'v0'],
      ['route', 'flush', 'table', '100'],
      ['neigh', 'flush', 'dev', 'v0'],
    ]) {
      const r = await nlkit(['-n', mine, ...step]);
      const ref = ipRun(theirs, step);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: ref.code, stderr: ref.stderr });
    }
    expect(kernelState(mine)).toEqual(kernelState(theirs));
  });

  it('adds, lists and deletes named namespaces', async () => {
    const name = `nlkit-t-ipnetns-${process.pid}`;
    try {
      expect((await nlkit(['netns', 'add', name])).code).toBe(0);
      const listed = (await nlkit(['-j', 'netns', 'list'])).stdout;
      expect((JSON.parse(listed) as { name: string }[]).map((n) => n.name)).toContain(name);
      expect(ip(name, ['-j', 'link', 'show'])).toContain('"lo"');
      expect((await nlkit(['netns', 'del', name])).code).toBe(0);
      expect(existsSync(`/run/netns/${name}`)).toBe(false);
    } finally {
      await removeNetns(name);
    }
  });
});

describe('nlkit monitor', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNetns('ipmon');
    ipBatch(ns, ['link add m0 type veth peer name m1', 'link set m0 up', 'link set m1 up', 'addr add 10.50.0.1/16 dev m0']);
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('prints `monitor all` as text line for line as ip monitor all does (links, addresses, routes, neighbours, rules, netconf, nsid)', async () => {
    const peerNs = await createNetns('ipmon-peer');
    const theirs: string[] = [];
    const child = spawn('ip', ['-n', ns, 'monitor', 'all'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let theirPartial = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      theirPartial += t;
      const parts = theirPartial.split('\n');
      theirPartial = parts.pop()!;
      theirs.push(...parts);
    });
    const mine: string[] = [];
    let partial = '';
    const controller = new AbortController();
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const running = nlkit(['-n', ns, 'monitor', 'all'], {
      signal: controller.signal,
      ready,
      onStdout: (t) => {
        partial += t;
        const parts = partial.split('\n');
        partial = parts.pop()!;
        mine.push(...parts);
      },
    });
    // A rule added and deleted marks a point both monitors have passed: the
    // comparison covers what lies between two such marks. Each try uses a
    // rule of its own, so both cut at the same one.
    let next = 4000;
    const mark = async (): Promise<[number, number]> => {
      for (let tries = 0; tries < 50; tries++) {
        const pref = next++;
        ip(ns, ['rule', 'add', 'pref', String(pref), 'table', '42']);
        ip(ns, ['rule', 'del', 'pref', String(pref)]);
        const line = (l: string): boolean => l.startsWith(`[RULE]Deleted ${pref}:`);
        for (let wait = 0; wait < 20 && !(theirs.some(line) && mine.some(line)); wait++) await new Promise((r) => setTimeout(r, 50));
        if (theirs.some(line) && mine.some(line)) return [theirs.findIndex(line) + 1, mine.findIndex(line) + 1];
      }
      throw new Error('the monitors never both saw a mark');
    };
    try {
      await listening;
      const [fromTheirs, fromMine] = await mark();
      // A peer in another namespace: an nsid event, and `link-netns NAME` on the link.
      ip(ns, ['link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1', 'netns', peerNs]);
      ipBatch(ns, [
        'link add e0 type veth peer name e1',
        'link set e0 up',
        'addr add 10.70.0.1/24 dev e0',
        'route add 10.71.0.0/16 via 10.70.0.2 dev e0',
        'neigh add 10.70.0.9 lladdr 02:00:00:00:00:09 dev e0',
        'rule add from 10.72.0.0/16 table 100 pref 1234',
        'rule del pref 1234',
      ]);
      execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.conf.m0.forwarding=1']);
      await mark();
      // Deleted only now: both look the names of new links up while the links exist
      // (a netconf event comes before its link's own event), as they would live.
      ip(ns, ['link', 'del', 'e0']);
      ip(ns, ['link', 'del', 'p0']);
      const [untilTheirs, untilMine] = await mark();
      expect(mine.slice(fromMine, untilMine)).toEqual(theirs.slice(fromTheirs, untilTheirs));
      expect(theirs.slice(fromTheirs, untilTheirs).some((l) => l.startsWith('[NETCONF]'))).toBe(true);
      expect(theirs.slice(fromTheirs, untilTheirs).some((l) => l.startsWith('[NSID]'))).toBe(true);
    } finally {
      controller.abort();
      child.kill();
      await removeNetns(peerNs);
    }
    expect((await running).code).toBe(0);
  });

  it('prints exactly one JSON line per event while 1000 routes and 100 links come and go', async () => {
    const lines: string[] = [];
    let partial = '';
    const controller = new AbortController();
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const running = nlkit(['-n', ns, '-j', 'monitor', 'link', 'route'], {
      signal: controller.signal,
      ready,
      onStdout: (t) => {
        partial += t;
        const parts = partial.split('\n');
        partial = parts.pop()!;
        lines.push(...parts);
      },
    });
    await listening;
    // An independent count: a plain subscription to the same groups on its own socket.
    const counter = await NetlinkSocket.open(0, { netns: ns });
    const sub = counter.subscribe([RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE]);
    let kernelEvents = 0;
    let overruns = 0;
    const counting = (async () => {
      for await (const item of sub) {
        if (isOverrun(item)) overruns++;
        else kernelEvents++;
      }
    })();
    try {
      const cmds: string[] = [];
      for (let i = 0; i < 1000; i++) cmds.push(`route add 10.${60 + (i >> 8)}.${i & 255}.0/24 via 10.50.0.2`);
      for (let i = 0; i < 100; i++) cmds.push(`link add d${i} type bridge`);
      for (let i = 0; i < 1000; i++) cmds.push(`route del 10.${60 + (i >> 8)}.${i & 255}.0/24`);
      for (let i = 0; i < 100; i++) cmds.push(`link del d${i}`);
      ipBatch(ns, cmds);
      // Wait until both have seen everything the kernel sent (counts stop moving).
      const deadline = Date.now() + 20000;
      let last = -1;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        if (lines.length >= 2200 && lines.length === kernelEvents && lines.length === last) break;
        last = lines.length;
      }
    } finally {
      controller.abort();
      sub.close();
      counter.close();
      await counting;
    }
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const routes = events.filter((e) => 'dst' in e);
    const links = events.filter((e) => 'ifname' in e);
    expect(routes.filter((e) => e.deleted !== true && String(e.dst).startsWith('10.6')).length).toBe(1000);
    expect(routes.filter((e) => e.deleted === true && String(e.dst).startsWith('10.6')).length).toBe(1000);
    expect(links.filter((e) => e.deleted === true).length).toBe(100);
    expect(events.length).toBe(routes.length + links.length);
    expect(overruns).toBe(0);
    expect(events.length).toBe(kernelEvents);
  });
});

describe('the nlkit program', () => {
  const main = path.join(root, 'dist/cli/main.js');
  let ns: string;
  beforeAll(async () => {
    // Compile when dist is missing or older than the command's sources.
    const built = path.join(root, 'dist/cli/ip/index.js');
    const newest = Math.max(...readdirSync(path.join(root, 'src/cli/ip')).map((f) => statSync(path.join(root, 'src/cli/ip', f)).mtimeMs));
    if (!existsSync(main) || !existsSync(built) || statSync(built).mtimeMs < newest) {
      execFileSync('npm', ['run', 'compile'], { cwd: root, stdio: 'ignore' });
    }
    ns = await createNetns('ipexe');
    ip(ns, ['link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1']);
  }, 180_000);
  afterAll(async () => {
    await removeNetns(ns);
  });

  function run(args: string[]): Run {
    try {
      const stdout = execFileSync(process.execPath, [main, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('prints ip -j output as a process', () => {
    const r = run(['-n', ns, '-j', 'link', 'show']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(ipJson(ns, ['link', 'show']));
    const pretty = run(['-n', ns, '-j', '-p', '-d', 'link', 'show', 'p0']);
    expect(pretty.stdout).toContain('\n');
    expect(JSON.parse(pretty.stdout)).toEqual(ipJson(ns, ['-d', 'link', 'show', 'p0']));
  });

  it('writes, and exits like ip on errors', () => {
    expect(run(['-n', ns, 'addr', 'add', '10.9.9.1/24', 'dev', 'p0']).code).toBe(0);
    expect(ipJson<{ addr_info: { local: string }[] }[]>(ns, ['-4', 'addr', 'show', 'dev', 'p0'])[0]!.addr_info[0]!.local).toBe('10.9.9.1');
    const dup = run(['-n', ns, 'addr', 'add', '10.9.9.1/24', 'dev', 'p0']);
    expect(dup).toEqual({ code: 2, stdout: '', stderr: 'Error: ipv4: Address already assigned.\n' });
    const bad = run(['-n', ns, 'route', 'add', '10.0.0.0/99', 'dev', 'p0']);
    expect(bad).toEqual({ code: 1, stdout: '', stderr: 'Error: any valid prefix is expected rather than "10.0.0.0/99".\n' });
    expect(run(['-n', ns, 'link', 'frob'])).toEqual({ code: 255, stdout: '', stderr: 'Command "frob" is unknown, try "ip link help".\n' });
  });
});
