#!/usr/bin/env node
// Lists the addresses of every link, like `ip -br addr`. Given a namespace
// name it also shows a write cycle there: add an address, change its
// lifetimes, delete it. Build first (npm run compile).
//
//   node examples/address-manager.mjs              (read-only, current namespace)
//   node examples/address-manager.mjs NETNS DEV    (adds and removes 192.0.2.10/24 on DEV in NETNS)
import { RouteClient } from '../dist/families/route/index.js';

const [netns, dev] = process.argv.slice(2);
const rt = await RouteClient.open(netns ? { netns } : {});

async function show() {
  const names = new Map((await rt.links.listAll()).map((l) => [l.index, `${l.name} ${l.operstate ?? ''}`]));
  const byLink = new Map();
  for await (const a of rt.addresses.list()) {
    byLink.set(a.index, [...(byLink.get(a.index) ?? []), `${a.address}/${a.prefixLength}`]);
  }
  for (const [index, name] of names) console.log(`${name.padEnd(24)} ${(byLink.get(index) ?? []).join(' ')}`);
}

await show();
if (netns && dev) {
  const address = { dev, address: '192.0.2.10/24', label: `${dev}:demo`.slice(0, 15) };
  await rt.addresses.add(address);
  await rt.addresses.change({ ...address, validLifetime: 600, preferredLifetime: 300 });
  console.log('after add/change:', await rt.addresses.get(dev, '192.0.2.10/24'));
  await rt.addresses.delete(address);
  console.log('deleted; now:', (await rt.addresses.get(dev, '192.0.2.10')) ?? 'gone');
}
rt.close();
