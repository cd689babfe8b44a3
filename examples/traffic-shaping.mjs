#!/usr/bin/env node
// Traffic shaping with htb: a root qdisc, a parent class and two leaf classes
// sharing its rate, and u32 filters sending 10.1.0.0/16 to the first leaf and
// 10.2.0.0/16 to the second (the rest goes to the default class); then reads
// them back with TcClient and prints them. Needs root. Build first
// (npm run compile).
//
//   node examples/traffic-shaping.mjs [-n NETNS]
//
// With -n the veth pair and the shaping are made in that namespace (which
// must exist) and left there; without it the example makes a namespace of
// its own and removes it at the end. The host's own network is never touched.
// A namespace that does not exist is one line on stderr (exit status 1); a
// bad command line exits with 2.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RouteClient, TcClient, netns as namespaces } from 'nlkit';

function usage(message) {
  console.error(`traffic-shaping: ${message}`);
  console.error('usage: node examples/traffic-shaping.mjs [-n NETNS]');
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { netns: { type: 'string', short: 'n' } }, allowPositionals: false });
} catch (err) {
  usage(err.message);
}
const own = args.values.netns === undefined;
const ns = args.values.netns ?? `traffic-shaping-${process.pid}`;

/** One line for the user instead of a stack trace. */
function explain(err) {
  if (err?.syscall === 'open' || err?.syscall === 'setns') {
    if (err.code === 'ENOENT') return `no network namespace '${ns}' (${err.cause?.path ?? `/run/netns/${ns}`} does not exist)`;
    return `cannot enter network namespace '${ns}': ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

// htb takes a class's burst as the time to send it at the class's rate, in
// the packet scheduler's ticks; /proc/net/psched says how long a tick is (tc
// computes it the same way, tc_core.c).
const [t2us, us2t, res] = readFileSync('/proc/net/psched', 'utf8')
  .trim()
  .split(/\s+/)
  .map((w) => parseInt(w, 16));
const ticksPerUsec = ((res === 1e9 ? us2t : t2us) / us2t) * (res / 1e6);
const ticks = (rateBytes, bytes) => Math.trunc(Math.trunc((1e6 * bytes) / rateBytes) * ticksPerUsec);

/** An htb class's options: rate and ceil in bits/s, a burst of one 1600-byte packet as tc's default. */
function htb(rateBits, ceilBits = rateBits, prio = 0) {
  const rate = rateBits / 8;
  const ceil = ceilBits / 8;
  // TC_LINKLAYER_ETHERNET: the kernel needs no rate table then.
  const spec = (r) => ({ rate: r, linklayer: 1, 'cell-align': -1 });
  return { parms: { rate: spec(rate), ceil: spec(ceil), buffer: ticks(rate, 1600), cbuffer: ticks(ceil, 1600), prio } };
}

/** A u32 selector matching an IPv4 destination prefix (the key is at offset 16 of the IP header). */
function dst(prefix) {
  const [addr, len] = prefix.split('/');
  const val = addr.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
  return { flags: 1 /* TC_U32_TERMINAL */, nkeys: 1, keys: { val, mask, off: 16, offmask: 0 } };
}

const rates = (c) => {
  const p = c.options.parms;
  return `rate ${(p.rate.rate * 8) / 1e6}Mbit ceil ${(p.ceil.rate * 8) / 1e6}Mbit`;
};

try {
  if (own) await namespaces.create(ns);
  try {
    const rt = await RouteClient.open({ netns: ns });
    const tc = await TcClient.open({ netns: ns });
    try {
      await rt.links.add({ name: 'ts0', kind: 'veth', peer: { name: 'ts1' } });
      await rt.links.change('ts0', { up: true });

      // tc qdisc add dev ts0 root handle 1: htb default 30
      await tc.addQdisc({ dev: 'ts0', parent: 'root', handle: '1:', kind: 'htb', options: { init: { version: 3, rate2quantum: 10, defcls: 0x30 } } });
      // tc class add dev ts0 parent 1: classid 1:1 htb rate 10mbit, and the leaves under it
      await tc.addClass({ dev: 'ts0', parent: '1:', handle: '1:1', kind: 'htb', options: htb(10e6) });
      await tc.addClass({ dev: 'ts0', parent: '1:1', handle: '1:10', kind: 'htb', options: htb(6e6, 10e6, 1) });
      await tc.addClass({ dev: 'ts0', parent: '1:1', handle: '1:20', kind: 'htb', options: htb(3e6, 10e6, 2) });
      await tc.addClass({ dev: 'ts0', parent: '1:1', handle: '1:30', kind: 'htb', options: htb(1e6, 2e6, 3) });
      // tc filter add dev ts0 parent 1: protocol ip prio 1 u32 match ip dst 10.1.0.0/16 flowid 1:10
      await tc.addFilter({ dev: 'ts0', parent: '1:', protocol: 0x0800, priority: 1, kind: 'u32', options: { classid: 0x10010, sel: dst('10.1.0.0/16') } });
      await tc.addFilter({ dev: 'ts0', parent: '1:', protocol: 0x0800, priority: 2, kind: 'u32', options: { classid: 0x10020, sel: dst('10.2.0.0/16') } });

      for (const q of await tc.qdiscs({ dev: 'ts0' })) console.log(`qdisc ${q.kind} ${q.handle} ${q.parent} default 0x${q.options.init.defcls.toString(16)}`);
      const classes = (await tc.classes('ts0')).sort((a, b) => a.handle.localeCompare(b.handle, 'en', { numeric: true }));
      for (const c of classes) console.log(`class ${c.kind} ${c.handle} parent ${c.parent} ${rates(c)} prio ${c.options.parms.prio}`);
      for (const f of await tc.filters('ts0', '1:')) {
        const sel = f.options?.sel;
        if (!sel) continue; // the hash table's own entries
        const k = sel.keys;
        const addr = [24, 16, 8, 0].map((s) => (k.val >>> s) & 0xff).join('.');
        const len = 32 - Math.log2(2 ** 32 - k.mask);
        console.log(`filter pref ${f.priority} u32 dst ${addr}/${len} -> ${(f.options.classid >>> 16).toString(16)}:${(f.options.classid & 0xffff).toString(16)}`);
      }
    } finally {
      tc.close();
      rt.close();
    }
  } finally {
    if (own) await namespaces.remove(ns);
  }
} catch (err) {
  console.error(`traffic-shaping: ${explain(err)}`);
  process.exit(1);
}
