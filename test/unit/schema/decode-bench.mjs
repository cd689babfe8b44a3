#!/usr/bin/env node
// Decode speed of the generated rt-route codec against a bare walk over the
// same dump (nlmsghdr split + attribute headers, no values). A plain-node
// script on purpose: under vitest every imported binding becomes a getter
// call, which slows the core reader tenfold and makes timings meaningless.
//
//   npm run compile && node test/unit/schema/decode-bench.mjs [routes]
import { AttributeReader } from '../../../dist/core/attributes.js';
import { parseMessages } from '../../../dist/core/message.js';
import { MessageWriter } from '../../../dist/core/writer.js';
import { family as route } from '../../../dist/families/generated/rt-route.js';

const ROUTES = Number(process.argv[2] ?? 100_000);

// A full-table-like dump: unique /32 destinations, 16 gateways, 8 links.
const w = new MessageWriter(ROUTES * 80);
for (let i = 0; i < ROUTES; i++) {
  route.ops.getroute.dump.encodeReply(
    w,
    {
      'rtm-family': 2,
      'rtm-dst-len': 32,
      'rtm-table': 254,
      'rtm-protocol': 186,
      'rtm-type': 'unicast',
      table: 254,
      dst: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      priority: 20,
      gateway: `192.0.2.${i & 15}`,
      oif: 2 + (i & 7),
    },
    { flags: 2, seq: 1 },
  );
}
const bytes = w.finishCopy();
const views = parseMessages(bytes);

const reader = new AttributeReader(new Uint8Array(0));
function walk(msgs) {
  let n = 0;
  for (const m of msgs) {
    const r = m.attributes(12, '', reader);
    while (r.next()) n += r.type;
  }
  return n;
}
const decodeReply = route.ops.getroute.dump.decodeReply;
function decode(msgs) {
  const out = [];
  for (const m of msgs) out.push(decodeReply(m));
  return out;
}

// Streaming: each route is looked at and dropped, as a dump iterator's consumer would.
function stream(msgs) {
  let n = 0;
  for (const m of msgs) n += decodeReply(m).oif;
  return n;
}

const cases = {
  'walk (views given)': () => walk(views),
  'decode (views given)': () => decode(views),
  'stream (views given)': () => stream(views),
  'split + walk': () => walk(parseMessages(bytes)),
  'split + decode': () => decode(parseMessages(bytes)),
};
const best = Object.fromEntries(Object.keys(cases).map((k) => [k, Infinity]));
for (let round = 0; round < 40; round++) {
  for (const [name, fn] of Object.entries(cases)) {
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    if (round >= 5) best[name] = Math.min(best[name], ms);
  }
}
for (const [name, ms] of Object.entries(best)) console.log(`${name.padEnd(22)} ${ms.toFixed(1).padStart(7)} ms  ${((ms * 1e6) / ROUTES).toFixed(0).padStart(5)} ns/route`);
const ratio = (a, b) => (best[a] / best[b]).toFixed(2);
console.log(
  `decode/walk ${ratio('decode (views given)', 'walk (views given)')}, stream/walk ${ratio('stream (views given)', 'walk (views given)')}, with message split ${ratio('split + decode', 'split + walk')}`,
);
console.log('sample:', JSON.stringify(decode(views.slice(7, 8))[0]));
