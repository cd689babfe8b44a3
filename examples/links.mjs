#!/usr/bin/env node
// Lists network links with their index, name, MTU and state, using raw
// RTM_GETLINK messages (read-only): a dump of every link, or one request for
// one link by name. Build first (npm run compile).
//
//   node examples/links.mjs [-n NETNS] [DEV]
//
// A namespace or link that does not exist is reported in one line on stderr
// (exit status 1); a bad command line exits with 2.
import { parseArgs } from 'node:util';
import {
  IFINFOMSG_SIZE,
  IFLA_IFNAME,
  IFLA_MTU,
  IFLA_OPERSTATE,
  MessageWriter,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NetlinkError,
  NetlinkSocket,
  Protocol,
  RTM_GETLINK,
  HOST_LITTLE_ENDIAN,
} from 'nlkit';

const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

function usage(message) {
  console.error(`links: ${message}`);
  console.error('usage: node examples/links.mjs [-n NETNS] [DEV]');
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

/** One line for the user instead of a stack trace. */
function explain(err) {
  // Opening /run/netns/NAME (or entering it) is the only open/setns a socket does.
  if (netns && (err?.syscall === 'open' || err?.syscall === 'setns')) {
    if (err.code === 'ENOENT') return `no network namespace '${netns}' (${err.cause?.path ?? `/run/netns/${netns}`} does not exist)`;
    return `cannot enter network namespace '${netns}': ${err.message}`;
  }
  if (err instanceof NetlinkError && err.code === 'ENODEV') return `no link named '${dev}'${netns ? ` in netns ${netns}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

function print(msg) {
  const index = msg.dv.getInt32(msg.payloadOffset + 4, HOST_LITTLE_ENDIAN); // ifinfomsg.ifi_index
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

try {
  const sock = await NetlinkSocket.open(Protocol.ROUTE, netns ? { netns } : {});
  try {
    const w = new MessageWriter();
    if (dev === undefined) {
      w.beginMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
      w.reserve(IFINFOMSG_SIZE); // struct ifinfomsg, zeroed: every link
      for await (const msg of sock.dump(w.endMessage().finishCopy())) print(msg);
    } else {
      w.beginMessage(RTM_GETLINK, NLM_F_REQUEST);
      w.reserve(IFINFOMSG_SIZE);
      w.putString(IFLA_IFNAME, dev); // the kernel looks the link up by name
      for (const msg of await sock.request(w.endMessage().finishCopy())) print(msg);
    }
  } finally {
    sock.close();
  }
} catch (err) {
  console.error(`links: ${explain(err)}`);
  process.exit(1);
}
