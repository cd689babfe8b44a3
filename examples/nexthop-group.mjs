#!/usr/bin/env node
// Routes through a weighted nexthop group: two next hops on a veth pair, a
// group sending three packets in four through the first, a route through the
// group; then reads them back and prints them. Needs root. Build first
// (npm run compile).
//
//   node examples/nexthop-group.mjs [-n NETNS]
//
// With -n the links, nexthops and route are made in that namespace (which
// must exist) and left there; without it the example makes a namespace of
// its own and removes it at the end. The host's own network is never touched.
// A namespace that does not exist is one line on stderr (exit status 1); a
// bad command line exits with 2.
import { parseArgs } from 'node:util';
import { RouteClient, netns as namespaces } from 'nlkit';

function usage(message) {
  console.error(`nexthop-group: ${message}`);
  console.error('usage: node examples/nexthop-group.mjs [-n NETNS]');
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { netns: { type: 'string', short: 'n' } }, allowPositionals: false });
} catch (err) {
  usage(err.message);
}
const own = args.values.netns === undefined;
const ns = args.values.netns ?? `nexthop-group-${process.pid}`;

/** One line for the user instead of a stack trace. */
function explain(err) {
  if (err?.syscall === 'open' || err?.syscall === 'setns') {
    if (err.code === 'ENOENT') return `no network namespace '${ns}' (${err.cause?.path ?? `/run/netns/${ns}`} does not exist)`;
    return `cannot enter network namespace '${ns}': ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

try {
  if (own) await namespaces.create(ns);
  try {
    const rt = await RouteClient.open({ netns: ns });
    try {
      await rt.links.add({ name: 'nh0', kind: 'veth', peer: { name: 'nh1' } });
      await rt.links.change('nh0', { up: true });
      await rt.links.change('nh1', { up: true });
      await rt.addresses.add({ dev: 'nh0', address: '10.90.0.1/24' });

      await rt.nexthops.add({ id: 1, gateway: '10.90.0.2', dev: 'nh0' });
      await rt.nexthops.add({ id: 2, gateway: '10.90.0.3', dev: 'nh0' });
      await rt.nexthops.add({ id: 100, group: [{ id: 1, weight: 3 }, { id: 2 }] });
      await rt.routes.add({ dst: '198.51.100.0/24', nhId: 100 });

      for await (const nh of rt.nexthops.list()) {
        const what = nh.group ? `group ${nh.group.map((m) => `${m.id} (weight ${m.weight})`).join(', ')}` : `via ${nh.gateway} dev ${(await rt.links.get(nh.oif))?.name}`;
        console.log(`nexthop ${nh.id}: ${what}`);
      }
      const route = (await rt.routes.listAll({ table: 'main' })).find((r) => r.nhId !== undefined);
      console.log(`route ${route.dst} via nexthop ${route.nhId}`);
    } finally {
      rt.close();
    }
  } finally {
    if (own) await namespaces.remove(ns);
  }
} catch (err) {
  console.error(`nexthop-group: ${explain(err)}`);
  process.exit(1);
}
