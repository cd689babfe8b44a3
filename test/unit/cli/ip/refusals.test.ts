// Commands the ip-style nlkit refuses before it talks to the kernel, with
// iproute2 6.1's exact stderr and exit status (each one was run through
// `ip` 6.1 and copied from it). No kernel is used: opening a netlink socket
// fails here, so a command that got as far as sending would fail this test
// instead of changing anything.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../../../src/io/socket.js', () => ({
  NetlinkSocket: {
    open: () => Promise.reject(new Error('unit tests open no netlink socket')),
  },
}));

const { runIp } = await import('../../../../src/cli/ip/index.js');
const { ADDRESS_USAGE, IP_USAGE, LINK_USAGE, ROUTE_USAGE, VETH_USAGE } = await import('../../../../src/cli/ip/usage.js');

async function run(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(line === '' ? [] : line.split(' '), { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const err = (stderr: string, code = 255): { code: number; stdout: string; stderr: string } => ({ code, stdout: '', stderr });

const REFUSALS: readonly (readonly [string, { code: number; stdout: string; stderr: string }])[] = [
  // Numbers out of range are refused, not cut to 8 bits (proto 300 is not proto 44).
  ['route add 10.9.0.0/16 dev lo proto 300', err('Error: argument "300" is wrong: "protocol" value is invalid\n\n')],
  ['route add 10.9.0.0/16 dev lo scope 300', err('Error: argument "300" is wrong: invalid "scope" value\n\n')],
  ['route add 10.9.0.0/16 dev lo table 4294967296', err('Error: argument "4294967296" is wrong: "table" value is invalid\n\n')],
  ['route add 10.9.0.0/16 dev lo realms 1/300', err('Error: argument "1/300" is wrong: "realm" value is invalid\n\n')],
  ['route add 10.9.0.0/16 dev lo tos 100', err('Error: argument "100" is wrong: "tos" value is invalid\n\n')],
  ['route add 10.9.0.0/16 dev lo hoplimit 256', err('Error: argument "256" is wrong: "hoplimit" value is invalid\n\n')],
  ['route add 10.9.0.0/16 dev lo advmss x', err('Error: argument "x" is wrong: "mss" value is invalid\n\n')],
  ['route add 10.9.0.0/16 dev lo quickack 2', err('Error: argument "2" is wrong: "quickack" value should be 0 or 1\n\n')],
  ['route add 10.9.0.0/16 dev lo features foo', err('Error: argument "foo" is wrong: "features" value not valid\n\n')],
  ['route add 10.9.0.0/16 via 10.1.0.2 via 10.1.0.3', err('Error: argument "via" is wrong: use nexthop syntax to specify multiple via\n\n')],
  ['route add 10.9.0.0/16 10.8.0.0/16', err('Error: either "to" is duplicate, or "10.8.0.0/16" is a garbage.\n')],
  ['route add 10.0.0.0/33 dev lo', err('Error: any valid prefix is expected rather than "10.0.0.0/33".\n', 1)],
  ['route add 2001:db8::/64 via 10.1.0.2', err('Error: inet6 address is expected rather than "10.1.0.2".\n', 1)],
  ['route add 10.9.0.0/16 nexthop', err('Error: unexpected end of line after "nexthop"\n')],
  ['route add 10.9.0.0/16 nexthop via 10.1.0.2 weight 0', err('Error: argument "0" is wrong: "weight" is invalid\n\n')],
  ['route add 10.9.0.0/16 dev lo metric', err('Command line is not complete. Try option "help"\n')],
  ['route add', err(ROUTE_USAGE)],
  ['route get', err('need at least a destination address\n', 1)],
  ['route flush', err('"ip route flush" requires arguments.\n', 1)],
  ['route bogus', err('Command "bogus" is unknown, try "ip route help".\n')],
  ['addr add', err('Not enough information: "dev" argument is required.\n', 1)],
  ['addr add 10.3.0.1/24 dev lo scope 999', err('Error: argument "999" is wrong: invalid scope value.\n')],
  ['addr add 10.3.0.1/24 dev lo valid_lft x', err('Error: argument "x" is wrong: valid_lft value\n')],
  ['addr add 10.3.0.1/24 dev lo valid_lft 5 valid_lft 6', err('Error: duplicate "valid_lft": "valid_lft" is the second value.\n')],
  ['addr add 10.3.0.1/24 10.3.0.2/24 dev lo', err('Error: either "local" is duplicate, or "10.3.0.2/24" is a garbage.\n')],
  ['addr flush', err('Flush requires arguments.\n', 1)],
  ['addr show scope bogus', err('Error: argument "bogus" is wrong: invalid "scope"\n\n')],
  // iplink_parse() checks names before anything is sent.
  ['link add bad/name type veth', err('Error: argument "bad/name" is wrong: "dev" not a valid ifname\n')],
  ['link add name bad/name type veth', err('Error: argument "bad/name" is wrong: "name" not a valid ifname\n')],
  ['link add name abcdefghijklmnop type veth', err('Error: argument "abcdefghijklmnop" is wrong: "name" not a valid ifname\n')],
  ['link set dev v0 mtu abc', err('Error: argument "abc" is wrong: Invalid "mtu" value\n\n')],
  ['link set dev v0 mtu 1400 mtu 1500', err('Error: duplicate "mtu": "1500" is the second value.\n')],
  ['link set dev v0 dev v1', err('Error: either "dev" is duplicate, or "v1" is a garbage.\n')],
  ['link set dev v0 group bogus', err('Error: argument "bogus" is wrong: Invalid "group" value\n\n')],
  ['link set dev v0 alias ' + 'a'.repeat(256), err(`Error: argument "${'a'.repeat(256)}" is wrong: alias too long\n\n`)],
  ['link set dev v0 address zz:00', err('"zz" is invalid lladdr.\n', 1)],
  ['link set dev v0 promisc maybe', err('Error: argument of "promisc" must be "on" or "off", not "maybe"\n', 1)],
  ['link set dev v0 carrier x', err('Error: argument of "carrier" must be one of "off", "on", not "x"\n', 22)],
  ['link set', err('Not enough information: "dev" argument is required.\n')],
  ['link add', err('Not enough information: "type" argument is required\n', 1)],
  ['link add x0 type bogus foo', err('Garbage instead of arguments "foo ...". Try "ip link help".\n', 1)],
  ['link add x0 type veth foo', { code: 1, stdout: VETH_USAGE, stderr: '' }],
  ['link add x0 type vxlan dstport 4789', err('vxlan: missing virtual network identifier\n', 1)],
  ['link add x0 type vxlan id 99999999', err('Error: argument "99999999" is wrong: invalid id\n')],
  ['neigh add', err('Device and destination are required arguments.\n')],
  ['neigh add 10.1.0.9 dev v0 nud bogus', err('Error: argument "bogus" is wrong: nud state is bad\n')],
  ['neigh add 10.1.0.9/24 dev v0', err('Error: any valid address is expected rather than "10.1.0.9/24".\n', 1)],
  ['neigh flush', err('Flush requires arguments.\n', 1)],
  ['rule add', err('"ip rule add" requires arguments.\n', 1)],
  ['rule add pref x', err('Error: argument "x" is wrong: preference value is invalid\n\n')],
  ['rule add fwmark 1/x', err('Error: argument "x" is wrong: fwmask value is invalid\n\n')],
  ['rule add dev bad/x', err('Error: argument "bad/x" is wrong: "iif"/"dev" not a valid ifname\n')],
  ['rule add bogus', err('Error: argument "bogus" is wrong: Failed to parse rule type\n')],
  ['rule add l3mdev table 5', err('table can not be specified for l3mdev rules\n', 22)],
  ['netns add', err('No netns name specified\n', 1)],
  ['netns add a/b', err('Invalid netns name "a/b"\n')],
  ['monitor bogus', err('Argument "bogus" is unknown, try "ip monitor help".\n')],
  ['tuntap add', err('You failed to specify a tunnel mode\n', 1)],
  ['tuntap add dev bad/name mode tun', err('Error: argument "bad/name" is wrong: "dev" not a valid ifname\n')],
  // do_cmd() ends an unknown object with EXIT_FAILURE; no object at all is ip's usage().
  ['bogus', err('Object "bogus" is unknown, try "ip help".\n', 1)],
  ['', err(IP_USAGE)],
  ['-h', err(IP_USAGE)],
  ['help', err(IP_USAGE)],
  ['address help', err(ADDRESS_USAGE)],
  ['link help', err(LINK_USAGE)],
  ['link help veth', { code: 0, stdout: VETH_USAGE, stderr: '' }],
];

describe('refusals before anything is sent', () => {
  it.each(REFUSALS)('nlkit %s', async (line, expected) => {
    expect(await run(line)).toEqual(expected);
  });
});
