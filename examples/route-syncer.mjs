#!/usr/bin/env node
// Keeps a copy of a routing table in step with the kernel: the table first,
// then every change; after an overrun it re-dumps and applies only the
// differences. Read-only. Build first (npm run compile).
//
//   node examples/route-syncer.mjs [-n NETNS] [TABLE]     (default: current namespace, main)
//
// Ctrl-C stops it. A namespace that does not exist or a bad TABLE is
// reported in one line on stderr (exit status 1); a bad command line exits
// with 2.
import { parseArgs } from 'node:util';
import { RouteClient } from 'nlkit';

function usage(message) {
  console.error(`route-syncer: ${message}`);
  console.error('usage: node examples/route-syncer.mjs [-n NETNS] [TABLE]');
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { netns: { type: 'string', short: 'n' } }, allowPositionals: true });
} catch (err) {
  usage(err.message);
}
const { netns } = args.values;
if (args.positionals.length > 1) usage(`one TABLE at most, not '${args.positionals.join(' ')}'`);
const [table = 'main'] = args.positionals;

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
    // A table given by number is a number to the client ('100' would be a name).
    const watch = await rt.watch('route', { table: /^\d+$/.test(table) ? Number(table) : table });
    const copy = new Map();
    process.once('SIGINT', () => watch.close());

    for await (const e of watch) {
      if (e.action === 'synced') {
        console.log(`-- ${e.resync ? 'resynced after an overrun' : 'table loaded'}: ${copy.size} routes`);
        continue;
      }
      if (e.action === 'remove') copy.delete(e.key);
      else copy.set(e.key, e.object);
      const r = e.object;
      const via = r.gateway ? `via ${r.gateway}` : r.nexthops ? `${r.nexthops.length} next hops` : `oif ${r.oif ?? '-'}`;
      console.log(`${e.action.padEnd(6)} ${r.dst} ${via} table ${r.table}`);
    }
  } finally {
    rt.close();
  }
} catch (err) {
  console.error(`route-syncer: ${explain(err)}`);
  process.exit(1);
}
