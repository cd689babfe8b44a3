#!/usr/bin/env node
// The kvstore server. Run `npm run compile` first, then:
//   node examples/kvstore/server.mjs [--netns NAME] [--max-value BYTES] [--stdin]
// Prints one JSON line with its port id, {"port":1234}, which clients pass as
// --port. Serves until SIGINT / SIGTERM (or, with --stdin, until its standard
// input closes: handy under a supervisor or a test). Multicast notifications
// need root (CAP_NET_ADMIN) on NETLINK_USERSOCK.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FamilyServer, loadFamily } from '../../dist/families/custom/index.js';
import { createKvStore } from './store.mjs';

const { values: args } = parseArgs({
  options: {
    netns: { type: 'string' },
    'max-value': { type: 'string', default: '1024' },
    stdin: { type: 'boolean', default: false },
  },
});

const family = loadFamily(fileURLToPath(new URL('./kvstore.yaml', import.meta.url)));
const { handlers } = createKvStore({ maxValueLength: Number(args['max-value']) });
const server = await FamilyServer.open(family, {
  handlers,
  ...(args.netns ? { netns: args.netns } : {}),
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  process.stdin.destroy();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
if (args.stdin) {
  process.stdin.on('end', stop).on('close', stop).resume();
}

process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
