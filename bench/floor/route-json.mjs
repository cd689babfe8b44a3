#!/usr/bin/env node
// The floor for `nlkit -j route show` as a Node process: dump the main table
// of a namespace and write each route's JSON with nothing general in between
// (the header and RTA_DST only: enough for the bench's blackhole routes, not
// a real `ip route show`). bench/run.mjs times it next to `ip` and `nlkit` to
// show how much of the command's time is Node itself.
// usage: node bench/floor/route-json.mjs NETNS
import { writeSync } from 'node:fs';
import { NetlinkSocket } from '../../dist/io/socket.js';
import { MessageWriter } from '../../dist/core/writer.js';

const RTM_GETROUTE = 26;
const NLM_F_REQUEST_DUMP = 0x301;
const RTA_DST = 1;
const RTA_TABLE = 15;

const sock = await NetlinkSocket.open(0, { netns: process.argv[2] });
const w = new MessageWriter();
w.beginMessage(RTM_GETROUTE, NLM_F_REQUEST_DUMP);
w.setU8(w.reserve(12), 2); // AF_INET
w.putU32(RTA_TABLE, 254);
const request = w.endMessage().finishCopy();

const out = new Uint8Array(1 << 20);
let n = 0;
const ascii = (s) => {
  for (let i = 0; i < s.length; i++) out[n++] = s.charCodeAt(i);
};
out[n++] = 0x5b;
let first = true;
for await (const batch of sock.dump(request).batches()) {
  for (const m of batch) {
    if (!first) out[n++] = 0x2c;
    first = false;
    ascii('{"type":"blackhole","dst":"');
    const b = m.buffer;
    const end = m.offset + m.length;
    for (let p = m.offset + 28; p + 4 <= end;) {
      const len = m.dv.getUint16(p, true);
      if (len < 4) break;
      if (m.dv.getUint16(p + 2, true) === RTA_DST) ascii(`${b[p + 4]}.${b[p + 5]}.${b[p + 6]}.${b[p + 7]}`);
      p += (len + 3) & ~3;
    }
    ascii('","flags":[]}');
    if (n > out.length - 256) {
      writeSync(1, out, 0, n);
      n = 0;
    }
  }
}
out[n++] = 0x5d;
out[n++] = 0x0a;
writeSync(1, out, 0, n);
sock.close();
