// ss's fallback when the kernel cannot dump a datagram table over sock_diag
// (no raw_diag or udp_diag): the lines of /proc/net/raw, raw6, udp, udp6
// (dgram_show_line() in misc/ss.c). /proc/net shows the namespace of the
// reading process; for another namespace the files are read through a
// process that lives there (/proc/PID/net), as ss itself reads them after
// entering it.
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';

/** One socket of a /proc/net datagram table. */
export interface ProcDgramSocket {
  /** State number (TCP_*). */
  state: number;
  /** Local and remote addresses, 16 bytes (an IPv4 address in the first 4). */
  local: Uint8Array;
  remote: Uint8Array;
  /** Local port (for raw sockets, the protocol). */
  lport: number;
  /** Remote port. */
  rport: number;
  /** Send and receive queues. */
  wq: number;
  rq: number;
  /** Owner and inode. */
  uid: number;
  ino: number;
  /** The rest of the line after the socket pointer (the drop count). */
  opt: string;
}

/** The /proc/net directory of a namespace: the caller's, or one read through a process inside it; undefined when no process is there. */
export function procNetDir(netns: string | undefined): string | undefined {
  if (netns === undefined) return '/proc/net';
  let ino: bigint;
  try {
    ino = statSync(netns.includes('/') ? netns : `/run/netns/${netns}`, { bigint: true }).ino;
  } catch {
    return undefined;
  }
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/ns/net`) === `net:[${ino}]`) return `/proc/${d}/net`;
    } catch {
      // The process ended meanwhile, or is not ours to look at.
    }
  }
  return undefined;
}

function hexWords(text: string, words: number): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  // sscanf("%x") into the address's 32-bit words: the kernel printed each word of
  // the network-order address as a host-order number.
  for (let i = 0; i < words; i++) dv.setUint32(i * 4, parseInt(text.slice(i * 8, i * 8 + 8), 16) >>> 0, true);
  return out;
}

/** Parses a /proc/net/{raw,raw6,udp,udp6} file (the header line skipped). */
export function parseProcDgram(text: string, v6: boolean): ProcDgramSocket[] {
  const out: ProcDgramSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (line === '') continue;
    const c1 = line.indexOf(':');
    if (c1 < 0) continue;
    const loc = line.slice(c1 + 2);
    const c2 = loc.indexOf(':');
    if (c2 < 0) continue;
    const locText = loc.slice(0, c2 + 5);
    const rem = loc.slice(c2 + 6);
    const c3 = rem.indexOf(':');
    if (c3 < 0) continue;
    const remText = rem.slice(0, c3 + 5);
    const data = rem.slice(c3 + 6);
    const [la, lp] = locText.split(':') as [string, string];
    const [ra, rp] = remText.split(':') as [string, string];
    const f = data.trim().split(/\s+/);
    // st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    const [st, queues, , , uid, , inode, , , ...rest] = f;
    const [tx, rx] = (queues ?? '0:0').split(':');
    out.push({
      state: parseInt(st ?? '0', 16),
      local: hexWords(la, v6 ? 4 : 1),
      remote: hexWords(ra, v6 ? 4 : 1),
      lport: parseInt(lp, 16),
      rport: parseInt(rp, 16),
      wq: parseInt(tx ?? '0', 16),
      rq: parseInt(rx ?? '0', 16),
      uid: Number(uid ?? 0),
      ino: Number(inode ?? 0),
      opt: rest.join(' '),
    });
  }
  return out;
}

/** The sockets of one table, or undefined when the file cannot be read. */
export function readProcDgram(dir: string, table: 'raw' | 'raw6' | 'udp' | 'udp6'): ProcDgramSocket[] | undefined {
  try {
    return parseProcDgram(readFileSync(`${dir}/${table}`, 'latin1'), table.endsWith('6'));
  } catch {
    return undefined;
  }
}
