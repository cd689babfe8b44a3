#!/usr/bin/env node
// An ss-like listener report: one line per listening TCP socket and bound
// UDP socket of a network namespace, with what the kernel knows of the
// socket itself (no process lookup): protocol, local address and port,
// accept queue (pending / backlog) for TCP, IPV6_V6ONLY, bound interface,
// owner uid, inode and congestion control. Read-only. Build first (npm run
// compile).
//
//   node examples/ss-report.mjs [-n NETNS] [-4 | -6]
//
// Each line: PROTO ADDRESS:PORT queue=PENDING/BACKLOG [v6only] [dev=IFINDEX]
// uid=UID ino=INODE [cc=NAME]. A bad command line exits with 2; a namespace
// that does not exist, or any other failure, with 1; either way with one
// line on stderr.
import { parseArgs } from 'node:util';
import { SockDiagClient } from 'nlkit';

function usage(message) {
  console.error(`ss-report: ${message}`);
  console.error('usage: node examples/ss-report.mjs [-n NETNS] [-4 | -6]');
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { netns: { type: 'string', short: 'n' }, 4: { type: 'boolean' }, 6: { type: 'boolean' } }, allowPositionals: false });
} catch (err) {
  usage(err.message);
}
const opts = args.values;
if (opts[4] && opts[6]) usage('-4 and -6 exclude each other');
const family = opts[4] ? 'inet' : opts[6] ? 'inet6' : undefined;

/** One line for the user instead of a stack trace. */
function explain(err) {
  if (opts.netns && (err?.syscall === 'open' || err?.syscall === 'setns')) {
    if (err.code === 'ENOENT') return `no network namespace '${opts.netns}' (${err.cause?.path ?? `/run/netns/${opts.netns}`} does not exist)`;
    return `cannot enter network namespace '${opts.netns}': ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function line(proto, s) {
  const host = s.family === 'inet6' ? `[${s.src}]` : s.src;
  const words = [proto.padEnd(4), `${host}:${s.sport}`];
  if (proto === 'tcp') words.push(`queue=${s.rqueue}/${s.wqueue}`);
  if (s.v6only) words.push('v6only');
  if (s.ifindex) words.push(`dev=${s.ifindex}`);
  words.push(`uid=${s.uid}`, `ino=${s.inode}`);
  if (s.congestion) words.push(`cc=${s.congestion}`);
  return words.join(' ');
}

let sd;
try {
  sd = await SockDiagClient.open(opts.netns ? { netns: opts.netns } : {});
  const query = family ? { family } : {};
  // Listening TCP sockets, and UDP sockets bound but not connected (ss -l shows both).
  for await (const s of sd.inet({ ...query, protocol: 'tcp', states: ['listen'], extensions: ['cong'] })) console.log(line('tcp', s));
  for await (const s of sd.inet({ ...query, protocol: 'udp', states: ['close'] })) console.log(line('udp', s));
} catch (err) {
  console.error(`ss-report: ${explain(err)}`);
  process.exitCode = 1;
} finally {
  sd?.close();
}
