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

/** ss -s (print_summary()): socket counts of /proc/net/sockstat, sockstat6 and the TCP CurrEstab of /proc/net/snmp. */
export function summary(dir: string | undefined): { text: string; errors: string[] } {
  const n: Record<string, number> = {};
  const errors: string[] = [];
  const read = (name: string): string | undefined => {
    if (dir === undefined) return undefined;
    try {
      return readFileSync(`${dir}/${name}`, 'latin1');
    } catch {
      return undefined;
    }
  };
  const sockstat = read('sockstat');
  if (sockstat === undefined) errors.push('ss: get_sockstat: No such file or directory');
  for (const line of `${sockstat ?? ''}${read('sockstat6') ?? ''}`.split('\n')) {
    const [id, ...words] = line.split(' ');
    // get_sockstat_line(): the numbers after each label, by position.
    const v = (i: number): number => Number.parseInt(words[2 * i + 1] ?? '0', 10) || 0;
    switch (id) {
      case 'sockets:':
        n.socks = v(0);
        break;
      case 'UDP:':
        n.udp4 = v(0);
        break;
      case 'UDP6:':
        n.udp6 = v(0);
        break;
      case 'RAW:':
        n.raw4 = v(0);
        break;
      case 'RAW6:':
        n.raw6 = v(0);
        break;
      case 'TCP6:':
        n.tcp6 = v(0);
        break;
      case 'FRAG:':
        n.frag4 = v(0);
        break;
      case 'FRAG6:':
        n.frag6 = v(0);
        break;
      case 'TCP:':
        n.tcp4 = v(0);
        n.orphans = v(1);
        n.tws = v(2);
        n.total = v(3);
        break;
    }
  }
  let estab = 0;
  const snmp = (read('snmp') ?? '').split('\n');
  const head = snmp.findIndex((l) => l.startsWith('Tcp:'));
  const pos = head < 0 ? -1 : snmp[head]!.split(' ').indexOf('CurrEstab');
  if (pos > 0 && snmp[head + 1]?.startsWith('Tcp:')) estab = Number.parseInt(snmp[head + 1]!.split(' ')[pos] ?? '0', 10) || 0;
  else errors.push('ss: get_snmpstat: No such process');
  const g = (k: string): number => n[k] ?? 0;
  const row = (name: string, ip: number, ip6: number): string => `${name}\t  ${String(ip + ip6).padEnd(9)} ${String(ip).padEnd(9)} ${String(ip6).padEnd(9)}\n`;
  const text =
    `Total: ${g('socks')}\n` +
    `TCP:   ${g('total') + g('tws')} (estab ${estab}, closed ${g('total') - (g('tcp4') + g('tcp6') - g('tws'))}, orphaned ${g('orphans')}, timewait ${g('tws')})\n` +
    '\nTransport Total     IP        IPv6\n' +
    row('RAW', g('raw4'), g('raw6')) +
    row('UDP', g('udp4'), g('udp6')) +
    row('TCP', g('tcp4'), g('tcp6')) +
    row('INET', g('raw4') + g('udp4') + g('tcp4'), g('raw6') + g('udp6') + g('tcp6')) +
    row('FRAG', g('frag4'), g('frag6')) +
    '\n';
  return { text, errors };
}
