#!/usr/bin/env node
// An `ip monitor` clone: one line per link, address, route, neighbour or
// rule event, as the kernel announces it. When the kernel drops events
// (this reader fell behind and the socket's buffer filled up) it says so on
// stderr and goes on. Read-only. Build first (npm run compile).
//
//   node examples/ip-monitor.mjs [-n NETNS] [--json] [--count N] [--rcvbuf BYTES] [link|address|route|neigh|rule|all ...]
//
// Objects can be shortened like ip's (`addr`, `r`); the default is all.
// --json prints each event as one JSON object per line ({ action, kind, object }).
// A bad command line exits with 2; a namespace that does not exist, or any
// other failure, with 1; either way with one line on stderr.
import { parseArgs } from 'node:util';
import { RouteClient, isOverrun } from 'nlkit';

const OBJECTS = {
  link: ['link'],
  address: ['address'],
  route: ['route'],
  neigh: ['neighbour'],
  neighbour: ['neighbour'],
  rule: ['rule'],
  all: ['link', 'address', 'route', 'neighbour', 'rule'],
};

function usage(message) {
  console.error(`ip-monitor: ${message}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      netns: { type: 'string', short: 'n' },
      json: { type: 'boolean', short: 'j' },
      count: { type: 'string', short: 'c' },
      rcvbuf: { type: 'string' },
    },
    allowPositionals: true,
  });
} catch (err) {
  usage(err.message);
}
const { values: opts, positionals } = args;
const count = opts.count === undefined ? Infinity : Number(opts.count);
if (count !== Infinity && !(Number.isInteger(count) && count > 0)) usage(`--count wants a positive integer, not '${opts.count}'`);
const rcvbuf = opts.rcvbuf === undefined ? undefined : Number(opts.rcvbuf);
if (rcvbuf !== undefined && !(Number.isInteger(rcvbuf) && rcvbuf > 0)) usage(`--rcvbuf wants a positive integer, not '${opts.rcvbuf}'`);
const kinds = new Set(
  (positionals.length > 0 ? positionals : ['all']).flatMap((word) => {
    const object = Object.keys(OBJECTS).find((name) => word && name.startsWith(word));
    return object ? OBJECTS[object] : usage(`unknown object '${word}' (link, address, route, neigh, rule, all)`);
  }),
);

/** One line for the user instead of a stack trace. */
function explain(err) {
  // Opening /run/netns/NAME (or entering it) is the only open/setns a socket does.
  if (opts.netns && (err?.syscall === 'open' || err?.syscall === 'setns')) {
    if (err.code === 'ENOENT') return `no network namespace '${opts.netns}' (${err.cause?.path ?? `/run/netns/${opts.netns}`} does not exist)`;
    return `cannot enter network namespace '${opts.netns}': ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

let names = new Map();
const dev = (index) => names.get(index) ?? `if${index}`;
const table = (id) => ({ 253: 'default', 254: 'main', 255: 'local' })[id] ?? id;

// One line per kind of object, roughly as ip prints it.
const FORMAT = {
  link: (l) => `${l.index}: ${l.name}: <${l.flags.join(',')}> mtu ${l.mtu} state ${l.operstate}${l.kind ? ` ${l.kind}` : ''} link/${l.type} ${l.address ?? ''}`,
  address: (a) => `${a.index}: ${dev(a.index)} ${a.family} ${a.address}/${a.prefixLength}${a.peer ? ` peer ${a.peer}` : ''} scope ${a.scope}`,
  route: (r) =>
    [
      r.type !== 'unicast' && r.type,
      r.dst,
      r.gateway && `via ${r.gateway}`,
      r.oif && `dev ${dev(r.oif)}`,
      ...(r.nexthops ?? []).map((h) => `nexthop via ${h.gateway} dev ${dev(h.oif)} weight ${h.weight}`),
      `table ${table(r.table)}`,
      `proto ${r.protocol}`,
      `scope ${r.scope}`,
      r.priority !== undefined && `metric ${r.priority}`,
    ]
      .filter(Boolean)
      .join(' '),
  neighbour: (n) => `${n.destination} dev ${dev(n.index)}${n.lladdr ? ` lladdr ${n.lladdr}` : ''} ${n.state.join(',')}`,
  rule: (r) => `${r.priority}: ${r.invert ? 'not ' : ''}from ${r.src}${r.dst !== 'all' ? ` to ${r.dst}` : ''} lookup ${table(r.table)}`,
};
const TAGS = { link: 'LINK', address: 'ADDR', route: 'ROUTE', neighbour: 'NEIGH', rule: 'RULE' };
// JSON has no bigint (link counters are u64): print those as decimal strings.
const plain = (key, value) => (typeof value === 'bigint' ? value.toString() : value);

try {
  const rt = await RouteClient.open(opts.netns ? { netns: opts.netns } : {});
  try {
    // Subscribe first, then read the link names, so that no event falls in between.
    const monitor = await rt.monitor([...kinds], rcvbuf !== undefined ? { rcvbuf } : {});
    process.once('SIGINT', () => monitor.close());
    const loadNames = async () => (names = new Map((await rt.links.listAll()).map((l) => [l.index, l.name])));
    await loadNames();

    console.error(`Monitoring ${[...kinds].join(', ')}${opts.netns ? ` in netns ${opts.netns}` : ''}; Ctrl-C to stop.`);
    let seen = 0;
    for await (const event of monitor) {
      if (isOverrun(event)) {
        console.error('overrun: the kernel dropped events (receive buffer full); some changes were missed, continuing');
        await loadNames();
        continue;
      }
      const { action, kind, object } = event;
      if (opts.json) console.log(JSON.stringify({ action, kind, object }, plain));
      else console.log(`[${TAGS[kind]}] ${action === 'del' ? 'Deleted ' : ''}${FORMAT[kind](object)}`);
      if (kind === 'link') {
        if (action === 'del') names.delete(object.index);
        else names.set(object.index, object.name);
      }
      if (++seen >= count) break;
    }
  } finally {
    rt.close();
  }
} catch (err) {
  console.error(`ip-monitor: ${explain(err)}`);
  process.exit(1);
}
