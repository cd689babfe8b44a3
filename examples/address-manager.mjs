#!/usr/bin/env node
// Lists the addresses of every link, like `ip -br addr`. Given a namespace
// and a link there, it also shows a write cycle: add an address, change its
// lifetimes, delete it. Build first (npm run compile).
//
//   node examples/address-manager.mjs [-n NETNS]    (read-only)
//   node examples/address-manager.mjs -n NETNS DEV  (adds and removes 192.0.2.10/24 on DEV in NETNS)
//
// A namespace or link that does not exist is reported in one line on stderr
// (exit status 1), before anything is written; a bad command line exits
// with 2.
import { parseArgs } from 'node:util';
import { RouteClient } from 'nlkit';

function usage(message) {
  console.error(`address-manager: ${message}`);
  console.error('usage: node examples/address-manager.mjs [-n NETNS [DEV]]');
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { netns: { type: 'string', short: 'n' } }, allowPositionals: true });
} catch (err) {
  usage(err.message);
}
const { netns } = args.values;
if (args.positionals.length > 1) usage(`one DEV at most, not '${args.positionals.join(' ')}'`);
const [dev] = args.positionals;
// The write cycle stays out of the namespace this script runs in.
if (dev !== undefined && !netns) usage(`DEV needs -n NETNS (the write cycle never touches the current namespace)`);

/** One line for the user instead of a stack trace. */
function explain(err) {
  // Opening /run/netns/NAME (or entering it) is the only open/setns a socket does.
  if (netns && (err?.syscall === 'open' || err?.syscall === 'setns')) {
    if (err.code === 'ENOENT') return `no network namespace '${netns}' (${err.cause?.path ?? `/run/netns/${netns}`} does not exist)`;
    return `cannot enter network namespace '${netns}': ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

try {
  const rt = await RouteClient.open(netns ? { netns } : {});
  try {
    if (dev !== undefined && (await rt.links.get(dev)) === undefined) throw new Error(`no link named '${dev}' in netns ${netns}`);

    const names = new Map((await rt.links.listAll()).map((l) => [l.index, `${l.name} ${l.operstate ?? ''}`]));
    const byLink = new Map();
    for await (const a of rt.addresses.list()) {
      byLink.set(a.index, [...(byLink.get(a.index) ?? []), `${a.address}/${a.prefixLength}`]);
    }
    for (const [index, name] of names) console.log(`${name.padEnd(24)} ${(byLink.get(index) ?? []).join(' ')}`);

    if (dev !== undefined) {
      const address = { dev, address: '192.0.2.10/24', label: `${dev}:demo`.slice(0, 15) };
      await rt.addresses.add(address);
      await rt.addresses.change({ ...address, validLifetime: 600, preferredLifetime: 300 });
      console.log('after add/change:', await rt.addresses.get(dev, '192.0.2.10/24'));
      await rt.addresses.delete(address);
      console.log('deleted; now:', (await rt.addresses.get(dev, '192.0.2.10')) ?? 'gone');
    }
  } finally {
    rt.close();
  }
} catch (err) {
  console.error(`address-manager: ${explain(err)}`);
  process.exit(1);
}
