#!/usr/bin/env node
// A packet logger: one line per packet that a netfilter rule logs to an
// nflog group (nft `log group N`, iptables `-j NFLOG --nflog-group N`).
// Read-only: the rule is yours to add. Build first (npm run compile).
//
//   node examples/nflog-logger.mjs [-n NETNS] --group N [--count N] [--json]
//
// Each line: the rule's prefix, the hook, IN= and OUT= interface names
// (looked up by index in the namespace through rtnetlink), MARK= when set, then the protocol, addresses and ports read from the
// payload (IPv4 or IPv6), and its length. --json prints each packet's
// fields with the payload as hex. Where the kernel dropped packets
// because this logger fell behind, a line says so on stderr. A bad
// command line exits with 2; a namespace that does not exist, a group
// another program has, or any other failure, with 1; either way with
// one line on stderr.
import { parseArgs } from 'node:util';
import { NflogSocket, RouteClient, isOverrun } from 'nlkit';

function usage(message) {
  console.error(`nflog-logger: ${message}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      netns: { type: 'string', short: 'n' },
      group: { type: 'string', short: 'g' },
      count: { type: 'string', short: 'c' },
      json: { type: 'boolean', short: 'j' },
    },
    allowPositionals: false,
  });
} catch (err) {
  usage(err.message);
}
const opts = args.values;
if (opts.group === undefined) usage('--group N is required (the log group of your rule)');
const group = Number(opts.group);
if (!(Number.isInteger(group) && group >= 0 && group <= 65535)) usage(`--group wants a group number 0..65535, not '${opts.group}'`);
const count = opts.count === undefined ? Infinity : Number(opts.count);
if (count !== Infinity && !(Number.isInteger(count) && count > 0)) usage(`--count wants a positive integer, not '${opts.count}'`);

const PROTOCOLS = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 132: 'sctp' };

/** Protocol, addresses and ports of an IP packet, as words. */
function describePacket(ip) {
  if (!ip || ip.length < 1) return ['(no payload)'];
  const dv = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  const version = ip[0] >> 4;
  let proto, src, dst, l4;
  if (version === 4 && ip.length >= 20) {
    proto = ip[9];
    src = ip.subarray(12, 16).join('.');
    dst = ip.subarray(16, 20).join('.');
    l4 = (ip[0] & 0x0f) * 4;
  } else if (version === 6 && ip.length >= 40) {
    const hex = (b) => Array.from({ length: 8 }, (_, i) => dv.getUint16(b + 2 * i).toString(16)).join(':');
    proto = ip[6];
    src = hex(8);
    dst = hex(24);
    l4 = 40;
  } else {
    return [`(not IP, ${ip.length} bytes)`];
  }
  const name = PROTOCOLS[proto] ?? `proto=${proto}`;
  const ports = (proto === 6 || proto === 17 || proto === 132) && ip.length >= l4 + 4;
  const from = ports ? `${src}:${dv.getUint16(l4)}` : src;
  const to = ports ? `${dst}:${dv.getUint16(l4 + 2)}` : dst;
  return [name, from, '->', to, `len=${ip.length}`];
}

/** One line for the user instead of a stack trace. */
function explain(err) {
  if (opts.netns && (err?.syscall === 'open' || err?.syscall === 'setns')) {
    if (err.code === 'ENOENT') return `no network namespace '${opts.netns}' (${err.cause?.path ?? `/run/netns/${opts.netns}`} does not exist)`;
    return `cannot enter network namespace '${opts.netns}': ${err.message}`;
  }
  // nfulnl_recv_config(): a group bound by another socket.
  if (err?.code === 'EPERM') return `group ${group} is bound by another program (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

/** Interface names by index, listed again when an index is new (a link made since). */
const names = new Map();
async function ifname(rt, index) {
  if (index === undefined) return '';
  if (!names.has(index)) for (const l of await rt.links.listAll()) names.set(l.index, l.name);
  return names.get(index) ?? String(index);
}

try {
  const log = await NflogSocket.open(opts.netns ? { netns: opts.netns } : {});
  const rt = await RouteClient.open(opts.netns ? { netns: opts.netns } : {});
  try {
    // qthresh 1: each packet is sent at once rather than in batches.
    const packets = await log.subscribe(group, {
      qthresh: 1,
      onMalformed: (err) => console.error(`nflog-logger: skipped a malformed packet: ${err.message}`),
    });
    process.once('SIGINT', () => packets.close());
    console.error(`Logging nflog group ${group}${opts.netns ? ` in netns ${opts.netns}` : ''}; Ctrl-C to stop.`);
    let seen = 0;
    for await (const p of packets) {
      if (isOverrun(p)) {
        console.error('overrun: the kernel dropped packets (this logger fell behind); continuing');
        continue;
      }
      if (opts.json) {
        // Byte fields as hex; the rest as they are.
        const hex = (b) => (b instanceof Uint8Array ? Buffer.from(b).toString('hex') : b);
        console.log(JSON.stringify(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, hex(v)]))));
      } else {
        const words = [p.prefix === '' ? '-' : JSON.stringify(p.prefix), p.hook, `IN=${await ifname(rt, p.indev)}`, `OUT=${await ifname(rt, p.outdev)}`];
        if (p.mark !== 0) words.push(`MARK=0x${p.mark.toString(16)}`);
        console.log([...words, ...describePacket(p.payload)].join(' '));
      }
      if (++seen >= count) break;
    }
  } finally {
    log.close();
    rt.close();
  }
} catch (err) {
  console.error(`nflog-logger: ${explain(err)}`);
  process.exit(1);
}
