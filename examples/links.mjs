#!/usr/bin/env node
// Lists this machine's network links with their index, name, MTU and state,
// using a raw RTM_GETLINK dump (read-only).
import {
  IFINFOMSG_SIZE,
  IFLA_IFNAME,
  IFLA_MTU,
  IFLA_OPERSTATE,
  MessageWriter,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NetlinkSocket,
  Protocol,
  RTM_GETLINK,
  HOST_LITTLE_ENDIAN,
} from '../dist/index.js';

const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

const sock = await NetlinkSocket.open(Protocol.ROUTE);
try {
  const w = new MessageWriter();
  w.beginMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
  w.reserve(IFINFOMSG_SIZE);
  for await (const msg of sock.dump(w.endMessage().finishCopy())) {
    const index = msg.dv.getInt32(msg.payloadOffset + 4, HOST_LITTLE_ENDIAN);
    let name = '?';
    let mtu = 0;
    let state = 'UNKNOWN';
    const r = msg.attributes(IFINFOMSG_SIZE);
    while (r.next()) {
      if (r.type === IFLA_IFNAME) name = r.string();
      else if (r.type === IFLA_MTU) mtu = r.u32();
      else if (r.type === IFLA_OPERSTATE) state = OPERSTATES[r.u8()] ?? String(r.u8());
    }
    console.log(`${index}: ${name} mtu ${mtu} state ${state}`);
  }
} finally {
  sock.close();
}
