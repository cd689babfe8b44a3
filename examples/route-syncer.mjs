#!/usr/bin/env node
// Keeps a copy of a routing table in step with the kernel: the table first,
// then every change; after an overrun it re-dumps and applies only the
// differences. Read-only. Build first (npm run compile).
//
//   node examples/route-syncer.mjs [NETNS] [TABLE]     (default: current namespace, main)
import { RouteClient } from '../dist/families/route/index.js';

const [netns, table = 'main'] = process.argv.slice(2);
const rt = await RouteClient.open(netns ? { netns } : {});
const watch = await rt.watch('route', { table });
const copy = new Map();
process.on('SIGINT', () => watch.close());

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
rt.close();
