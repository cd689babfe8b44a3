#!/usr/bin/env node
// A kvstore client. Run `npm run compile` first, then:
//   node examples/kvstore/client.mjs --port PORT [--netns NAME] put KEY VALUE
//   node examples/kvstore/client.mjs --port PORT get KEY
//   node examples/kvstore/client.mjs --port PORT delete KEY
//   node examples/kvstore/client.mjs --port PORT list
//   node examples/kvstore/client.mjs --port PORT watch [COUNT]
// PORT is what the server printed. Output: one JSON object per line, values
// as UTF-8 text. Errors print the server's errno and extended ack and exit 1.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FamilyClient } from '../../dist/families/client.js';
import { loadFamily } from '../../dist/families/custom/index.js';

const { values: args, positionals } = parseArgs({
  options: { port: { type: 'string' }, netns: { type: 'string' } },
  allowPositionals: true,
});
const port = Number(args.port ?? process.env.KVSTORE_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: client.mjs --port PORT [--netns NAME] put KEY VALUE | get KEY | delete KEY | list | watch [COUNT]');
  process.exit(2);
}
const [command, ...rest] = positionals;

const text = new TextDecoder();
const show = (o) => console.log(JSON.stringify({ ...o, ...(o.value instanceof Uint8Array ? { value: text.decode(o.value) } : {}) }));

const family = loadFamily(fileURLToPath(new URL('./kvstore.yaml', import.meta.url)));
const client = await FamilyClient.open(family, { port, ...(args.netns ? { netns: args.netns } : {}) });
try {
  switch (command) {
    case 'put':
      await client.do('put', { key: rest[0], value: new TextEncoder().encode(rest[1] ?? '') });
      show({ ok: true });
      break;
    case 'get':
      show(await client.do('get', { key: rest[0] }));
      break;
    case 'delete':
      await client.do('delete', { key: rest[0] });
      show({ ok: true });
      break;
    case 'list':
      for await (const entry of client.dump('list')) show(entry);
      break;
    case 'watch': {
      const limit = rest[0] === undefined ? Infinity : Number(rest[0]);
      const changes = await client.subscribe('changes');
      show({ watching: 'changes' });
      let seen = 0;
      for await (const n of changes) {
        if (n.overrun) show({ overrun: true });
        else show({ name: n.name, ...n.msg });
        if (++seen >= limit) break;
      }
      break;
    }
    default:
      console.error(`unknown command '${command ?? ''}' (put, get, delete, list, watch)`);
      process.exitCode = 2;
  }
} catch (err) {
  console.error(JSON.stringify({ error: err.code, message: err.message, attribute: err.attributePath, missing: err.missingAttribute }));
  process.exitCode = 1;
} finally {
  client.close();
}
