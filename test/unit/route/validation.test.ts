// Mistyped input to the route clients fails before anything is sent, with a
// TypeError or RangeError naming the field. These run the request builders
// directly (no socket); device names resolve through a stub like the
// client's own lookup.
import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../../../src/families/route/addresses.js';
import { encodeLink } from '../../../src/families/route/links.js';
import { encodeNeighbour } from '../../../src/families/route/neighbours.js';
import { encodeRoute, encodeRouteGet } from '../../../src/families/route/routes.js';
import { encodeRule } from '../../../src/families/route/rules.js';

const LINKS: Record<string, number> = { eth0: 2, br0: 3 };
async function resolve(x: unknown, field: string): Promise<number> {
  if (typeof x === 'number') return x;
  const i = LINKS[String(x)];
  if (i === undefined) throw new RangeError(`${field}: no link named '${String(x)}'`);
  return i;
}

type Case = [string, () => Promise<unknown> | unknown, ErrorConstructor, string];

const CASES: Case[] = [
  ['a bad IPv4 prefix', () => encodeRoute({ dst: '10.0.0.300/24' }, resolve), TypeError, "dst: '10.0.0.300' is not an IPv4 address"],
  ['a prefix length past the family', () => encodeRoute({ dst: '10.0.0.0/33' }, resolve), RangeError, 'dst: prefix length 33 is out of range 0..32'],
  ['a prefix without a length number', () => encodeRoute({ dst: '10.0.0.0/x' }, resolve), TypeError, "dst: '10.0.0.0/x' is not a prefix (address/length)"],
  ['a gateway of the other family', () => encodeRoute({ dst: '10.0.0.0/8', gateway: 'fe80::1' }, resolve), TypeError, "gateway: 'fe80::1' is not an IPv4 address"],
  ['an unknown device', () => encodeRoute({ dst: '10.0.0.0/8', dev: 'eth9' }, resolve), RangeError, "dev: no link named 'eth9'"],
  [
    'a next-hop weight out of range',
    () => encodeRoute({ dst: '10.0.0.0/8', nexthops: [{ gateway: '10.1.1.1', weight: 300 }] }, resolve),
    RangeError,
    'nexthops[0].weight: 300 is out of range 1..256',
  ],
  ['a tos out of range', () => encodeRoute({ dst: '10.0.0.0/8', tos: 256 }, resolve), RangeError, 'tos: 256 is out of range 0..255'],
  [
    'an unknown route type',
    () => encodeRoute({ dst: '10.0.0.0/8', type: 'bogus' as never }, resolve),
    RangeError,
    "type must be one of unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw, nat, got 'bogus'",
  ],
  ['an unknown table name', () => encodeRoute({ dst: '10.0.0.0/8', table: 'mian' }, resolve), RangeError, "table: 'mian' is not one of unspec, default, main, local or a number"],
  [
    'an unknown metric',
    () => encodeRoute({ dst: '10.0.0.0/8', metrics: { mtuu: 1 } }, resolve),
    TypeError,
    'metrics.mtuu: not a route metric (lock, mtu, window, rtt, rttvar, ssthresh, cwnd, advmss, reordering, hoplimit, initcwnd, features, rtoMin, initrwnd, quickack, ccAlgo, fastopenNoCookie)',
  ],
  [
    'an MPLS label out of range',
    () => encodeRoute({ dst: '10.0.0.0/8', encap: { type: 'mpls', labels: [2000000] } }, resolve),
    RangeError,
    'encap.labels[0]: 2000000 is out of range 0..1048575',
  ],
  [
    'a seg6 segment that is not IPv6',
    () => encodeRoute({ dst: '10.0.0.0/8', encap: { type: 'seg6', segments: ['10.0.0.1'] } }, resolve),
    TypeError,
    "encap.segments[0]: '10.0.0.1' is not an IPv6 address",
  ],
  ['a route get destination that is not an address', () => encodeRouteGet('host.example', {}, resolve), TypeError, "destination: 'host.example' is not an IPv4 address"],
  [
    'a MAC address of the wrong length',
    () => encodeLink({ name: 'v0', kind: 'veth', address: '02:00:00:00:00' }, resolve, {}),
    RangeError,
    "address: '02:00:00:00:00' has 5 bytes, expected 6",
  ],
  [
    'a peer MAC address that is not one',
    () => encodeLink({ name: 'v0', kind: 'veth', peer: { address: 'zz:00:00:00:00:00' } }, resolve, {}),
    TypeError,
    "peer.address: 'zz:00:00:00:00:00' is not a link-layer address",
  ],
  ['an mtu below the minimum', () => encodeLink({ name: 'v0', kind: 'veth', mtu: 20 }, resolve, {}), RangeError, 'mtu: 20 is out of range 68..4294967295'],
  ['an unknown master', () => encodeLink({ master: 'br9' }, resolve, {}), RangeError, "master: no link named 'br9'"],
  ['an unknown vxlan option', () => encodeLink({ name: 'vx0', kind: 'vxlan', data: { vni: 5 } }, resolve, {}), TypeError, 'data.vni: not an attribute of vxlan links'],
  [
    'a vxlan lower device that does not exist',
    () => encodeLink({ name: 'vx0', kind: 'vxlan', data: { id: 5, link: 'eth7' } }, resolve, {}),
    RangeError,
    "data.link: no link named 'eth7'",
  ],
  ['a tun type that is neither', () => encodeLink({ name: 't0', kind: 'tun', data: { type: 'tup' } }, resolve, {}), RangeError, "data.type must be one of tun, tap, got 'tup'"],
  ['a peer on a bridge', () => encodeLink({ name: 'b0', kind: 'bridge', peer: { name: 'x' } }, resolve, {}), TypeError, 'peer: only veth links have a peer, not bridge links'],
  ['an unknown bridge port option', () => encodeLink({ port: { kind: 'bridge', costs: 5 } }, resolve, {}), TypeError, 'port.costs: not an attribute of bridge ports'],
  ['an address without a valid prefix', () => encodeAddress({ dev: 'eth0', address: '10.0.0.1/40' }, resolve), RangeError, 'address: prefix length 40 is out of range 0..32'],
  ['an address on an unknown device', () => encodeAddress({ dev: 'eth5', address: '10.0.0.1/24' }, resolve), RangeError, "dev: no link named 'eth5'"],
  [
    'an IPv6 address with a broadcast',
    () => encodeAddress({ dev: 'eth0', address: '2001:db8::1/64', broadcast: '10.0.0.255' }, resolve),
    TypeError,
    'broadcast: only IPv4 addresses have a broadcast address',
  ],
  [
    'an unknown address flag',
    () => encodeAddress({ dev: 'eth0', address: '10.0.0.1/24', flags: ['nodadd' as never] }, resolve),
    RangeError,
    "flags[0] must be one of secondary, nodad, optimistic, dadfailed, homeaddress, deprecated, tentative, permanent, managetempaddr, noprefixroute, mcautojoin, stable-privacy, got 'nodadd'",
  ],
  [
    'a preferred lifetime past the valid one',
    () => encodeAddress({ dev: 'eth0', address: '10.0.0.1/24', validLifetime: 10, preferredLifetime: 20 }, resolve),
    RangeError,
    'preferredLifetime 20 is longer than validLifetime 10',
  ],
  [
    'a neighbour lladdr of the wrong length',
    () => encodeNeighbour({ dev: 'eth0', destination: '10.0.0.2', lladdr: '02:00:00:00:00:00:00' }, resolve),
    RangeError,
    "lladdr: '02:00:00:00:00:00:00' has 7 bytes, expected 6",
  ],
  [
    'an unknown neighbour state',
    () => encodeNeighbour({ dev: 'eth0', destination: '10.0.0.2', state: 'bogus' as never }, resolve),
    RangeError,
    "state must be one of incomplete, reachable, stale, delay, probe, failed, noarp, permanent, none, got 'bogus'",
  ],
  ['a rule priority that is not an integer', () => encodeRule({ priority: 1.5 }), TypeError, 'priority: expected an integer, got 1.5'],
  ['a rule source of the wrong family', () => encodeRule({ family: 'inet6', src: '10.0.0.0/8' }), TypeError, "src: '10.0.0.0' is not an IPv6 address"],
  ['a rule interface name too long', () => encodeRule({ iifname: 'abcdefghijklmnopq' }), RangeError, "iifname: 'abcdefghijklmnopq' must be 1..15 bytes long"],
];

describe('route client input checks', () => {
  it.each(CASES)('rejects %s', async (_what, run, type, message) => {
    let caught: unknown;
    try {
      await run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toBe(message);
  });

  it('builds the request ip sends for a multipath route', async () => {
    expect(
      await encodeRoute(
        {
          dst: '10.20.0.0/16',
          table: 100,
          nexthops: [
            { gateway: '10.9.0.2', dev: 'eth0', weight: 1 },
            { gateway: '10.9.1.2', dev: 'br0', weight: 3 },
          ],
        },
        resolve,
      ),
    ).toEqual({
      'rtm-family': 2,
      'rtm-dst-len': 16,
      'rtm-src-len': 0,
      'rtm-tos': 0,
      'rtm-table': 100,
      'rtm-protocol': 3,
      'rtm-scope': 0,
      'rtm-type': 'unicast',
      'rtm-flags': 0,
      dst: '10.20.0.0',
      multipath: [
        { 'rtnh-flags': [], 'rtnh-hops': 0, 'rtnh-ifindex': 2, gateway: '10.9.0.2' },
        { 'rtnh-flags': [], 'rtnh-hops': 2, 'rtnh-ifindex': 3, gateway: '10.9.1.2' },
      ],
    });
  });
});
