#!/usr/bin/env node
// A packet filter in user space: takes the packets a netfilter rule queues
// (iptables `-j NFQUEUE --queue-num N`, nft `queue num N`), drops UDP
// packets to the ports given and accepts the rest, printing one line per
// verdict. The queue rule is yours to add. Build first (npm run compile).
//
//   node examples/nfqueue-filter.mjs [-n NETNS] --queue N --drop-udp PORT ...
//                                    [--fail-open] [--max-len N] [--count N]
//
// Each line: the verdict, the protocol, source -> destination. With
// --fail-open the kernel lets packets through while the queue is full
// (--max-len, default 1024) instead of dropping them. Leaving (Ctrl-C, or
// after --count packets) unbinds the queue. A bad command line exits with
// 2; a namespace that does not exist, a queue another program has, or any
// other failure, with 1; either way with one line on stderr.
import { parseArgs } from 'node:util';
import { NfqueueSocket, isOverrun } from 'nlkit';

function usage(message) {
  console.error(`nfqueue-filter: ${message}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      netns: { type: 'string', short: 'n' },
      queue: { type: 'string', short: 'q' },
      'drop-udp': { type: 'string', multiple: true },
      'fail-open': { type: 'boolean' },
      'max-len': { type: 'string' },
      count: { type: 'string', short: 'c' },
    },
    allowPositionals: false,
  });
} catch (err) {
  usage(err.message);
}
const opts = args.values;
if (opts.queue === undefined) usage('--queue N is required (the queue number of your rule)');
const queue = Number(opts.queue);
if (!(Number.isInteger(queue) && queue >= 0 && queue <= 65535)) usage(`--queue wants a queue number 0..65535, not '${opts.queue}'`);
const dropPorts = new Set(
  (opts['drop-udp'] ?? []).map((p) => {
    const n = Number(p);
    if (!(Number.isInteger(n) && n > 0 && n <= 65535)) usage(`--drop-udp wants a port 1..65535, not '${p}'`);
    return n;
  }),
);
const maxLen = opts['max-len'] === undefined ? undefined : Number(opts['max-len']);
if (maxLen !== undefined && !(Number.isInteger(maxLen) && maxLen > 0)) usage(`--max-len wants a positive integer, not '${opts['max-len']}'`);
const count = opts.count === undefined ? Infinity : Number(opts.count);
if (count !== Infinity && !(Number.isInteger(count) && count > 0)) usage(`--count wants a positive integer, not '${opts.count}'`);

const PROTOCOLS = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };

/** Protocol, addresses and ports of an IPv4 or IPv6 packet. */
function parse(ip) {
  if (!ip || ip.length < 20) return undefined;
  const dv = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  let proto, src, dst, l4;
  if (ip[0] >> 4 === 4) {
    [proto, src, dst, l4] = [ip[9], ip.subarray(12, 16).join('.'), ip.subarray(16, 20).join('.'), (ip[0] & 0x0f) * 4];
  } else if (ip[0] >> 4 === 6 && ip.length >= 40) {
    const hex = (b) => Array.from({ length: 8 }, (_, i) => dv.getUint16(b + 2 * i).toString(16)).join(':');
    [proto, src, dst, l4] = [ip[6], hex(8), hex(24), 40];
  } else return undefined;
  const ports = (proto === 6 || proto === 17) && ip.length >= l4 + 4;
  return { proto, src, dst, sport: ports ? dv.getUint16(l4) : undefined, dport: ports ? dv.getUint16(l4 + 2) : undefined };
}

function explain(err) {
  if (opts.netns && (err?.syscall === 'open' || err?.syscall === 'setns')) {
    if (err.code === 'ENOENT') return `no network namespace '${opts.netns}' (${err.cause?.path ?? `/run/netns/${opts.netns}`} does not exist)`;
    return `cannot enter network namespace '${opts.netns}': ${err.message}`;
  }
  // nfqnl_recv_config(): a queue bound by another socket.
  if (err?.code === 'EPERM') return `queue ${queue} is bound by another program (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

try {
  const nfq = await NfqueueSocket.open(opts.netns ? { netns: opts.netns } : {});
  try {
    const packets = await nfq.queue(queue, {
      ...(opts['fail-open'] ? { failOpen: true } : {}),
      ...(maxLen !== undefined ? { maxLen } : {}),
      // A packet that does not decode still waits for a verdict in the kernel; its id is lost with it.
      onMalformed: (err) => console.error(`nfqueue-filter: skipped a malformed packet: ${err.message}`),
    });
    process.once('SIGINT', () => packets.close());
    console.error(`Filtering queue ${queue}${opts.netns ? ` in netns ${opts.netns}` : ''}; Ctrl-C to stop.`);
    let seen = 0;
    for await (const p of packets) {
      if (isOverrun(p)) {
        console.error(`overrun: the kernel could not hand packets to this filter (${opts['fail-open'] ? 'accepted' : 'dropped'} by the kernel); continuing`);
        continue;
      }
      const ip = parse(p.payload);
      const drop = ip?.proto === 17 && dropPorts.has(ip.dport);
      if (drop) p.drop();
      else p.accept();
      const where = ip ? `${ip.src}${ip.sport !== undefined ? `:${ip.sport}` : ''} -> ${ip.dst}${ip.dport !== undefined ? `:${ip.dport}` : ''}` : '(not IP)';
      console.log(`${drop ? 'drop' : 'accept'} ${ip ? (PROTOCOLS[ip.proto] ?? `proto=${ip.proto}`) : '-'} ${where}`);
      if (++seen >= count) break;
    }
  } finally {
    nfq.close();
  }
} catch (err) {
  console.error(`nfqueue-filter: ${explain(err)}`);
  process.exit(1);
}
