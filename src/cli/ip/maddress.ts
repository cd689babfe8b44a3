// `nlkit maddress`: ip's multicast address lists (ip/ipmaddr.c). ip reads
// them from /proc/net/dev_mcast (link layer), /proc/net/igmp and
// /proc/net/igmp6, which the kernel offers nowhere else with their user
// counts; nlkit reads the same files. /proc/net shows the reading process's
// namespace: with -n, the files are read through a process that lives in
// that namespace (as `nlkit ss` does), and nlkit says so when there is none.
// `maddress add|del` change a device's link-layer list as ip does, with
// ioctl(SIOCADDMULTI / SIOCDELMULTI) (through the addon, in the -n
// namespace on a helper thread): rtnetlink has no message for it.
import { readFileSync } from 'node:fs';
import { AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC } from '../../core/constants.js';
import { errnoDescription } from '../../core/errno.js';
import { changeMulticast } from '../../io/ifreq.js';
import { resolveNetnsTarget } from '../../io/netns.js';
import { CommandError } from '../error.js';
import { procNetDir } from '../ss/procnet.js';
import { duparg, duparg2, familyName, incompleteCommand, invarg, matches, parseLladdr, validIfname } from './args.js';
import { usage, type IpContext } from './context.js';

/** ip maddr help (ipmaddr.c usage()). */
export const MADDR_USAGE = `Usage: ip maddr [ add | del ] MULTIADDR dev STRING
       ip maddr show [ dev STRING ]`;

/** One multicast address of a device, as struct ma_info holds it. */
export interface MaddrEntry {
  index: number;
  name: string;
  /** AF_PACKET (a link-layer address), AF_INET or AF_INET6. */
  family: number;
  addr: Uint8Array;
  users: number;
  /** "static" for a link-layer address added by hand. */
  features?: string;
}

/** parse_hex(): pairs of hex digits, up to `size` bytes; undefined where ip's returns -1 (an odd digit out, a non-hex pair). */
function parseHex(text: string, size = 256): Uint8Array | undefined {
  const out: number[] = [];
  let i = 0;
  while (i < text.length && out.length < 2 * size) {
    if (i + 1 >= text.length) return undefined;
    // sscanf("%02x"): one or two hex digits (an optional sign and 0x aside, which /proc never prints).
    const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i, i + 2));
    if (!m) return undefined;
    out.push(parseInt(m[0], 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

const words = (line: string): string[] => line.trim().split(/\s+/);

/** maddr_ins(): after the entries of the same or a lower index (a list sorted by index, in reading order). */
function insert(list: MaddrEntry[], m: MaddrEntry): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.index > m.index) i--;
  list.splice(i, 0, m);
}

/** read_dev_mcast(): "index name users static address". */
export function parseDevMcast(text: string, list: MaddrEntry[], dev?: string): void {
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [index, name, users, st, hexa] = words(line);
    if (dev !== undefined && dev !== name) continue;
    const addr = parseHex(hexa ?? '');
    if (!addr) continue;
    insert(list, { index: Number(index), name: name ?? '', family: AF_PACKET, addr, users: Number(users), ...(Number(st) ? { features: 'static' } : {}) });
  }
}

/** read_igmp(): a device line ("index name: ...") and a tab-led line per group (its address as a host-order hex word, users). */
export function parseIgmp(text: string, list: MaddrEntry[], dev?: string): void {
  let index = 0;
  let name = '';
  const lines = text.split('\n');
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line[0] !== '\t') {
      const [i, n] = words(line);
      index = Number(i);
      name = n ?? '';
      if (name.endsWith(':')) name = name.slice(0, -1);
      continue;
    }
    if (dev !== undefined && dev !== name) continue;
    const [group, users] = words(line);
    const addr = new Uint8Array(4);
    new DataView(addr.buffer).setUint32(0, parseInt(group!.slice(0, 8), 16) >>> 0, true);
    insert(list, { index, name, family: AF_INET, addr, users: Number(users) });
  }
}

/** read_igmp6(): "index name address users ...". */
export function parseIgmp6(text: string, list: MaddrEntry[], dev?: string): void {
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [index, name, hexa, users] = words(line);
    if (dev !== undefined && dev !== name) continue;
    const addr = parseHex(hexa ?? '');
    if (!addr) continue;
    const a = new Uint8Array(16);
    a.set(addr.subarray(0, 16));
    insert(list, { index: Number(index), name: name ?? '', family: AF_INET6, addr: a, users: Number(users) });
  }
}

const linkText = (a: Uint8Array): string => Array.from(a, (b) => b.toString(16).padStart(2, '0')).join(':');

/** print_mlist(): the entries grouped by device (one group per entry with -oneline). */
function printList(ctx: IpContext, list: readonly MaddrEntry[]): void {
  const { oneline } = ctx.options;
  let i = 0;
  while (i < list.length) {
    const first = list[i]!;
    const p = ctx.printer();
    p.any('ifindex', '%d:', first.index)
      .any('ifname', '\t%s', first.name)
      .fp(oneline ? '\\' : '\n');
    p.openArray('maddr');
    do {
      const m = list[i++]!;
      p.fp('\t').open(null);
      if (m.family === AF_PACKET) p.fp('link  ').any('link', '%s', linkText(m.addr));
      else p.any('family', '%-5s ', familyName(m.family)).address('address', '%s', m.addr, 0, m.addr.length, m.family);
      if (m.users !== 1) p.any('users', ' users %u', m.users);
      if (m.features) p.any('features', ' %s', m.features);
      p.close();
      // Each address ends its line; the listing adds the last newline.
      if (!oneline && i < list.length && list[i]!.index === first.index) p.fp('\n');
    } while (!oneline && i < list.length && list[i]!.index === first.index);
    p.close();
    ctx.listItem(p);
  }
  ctx.listEnd();
}

function readProc(dir: string, name: string): string | undefined {
  try {
    return readFileSync(`${dir}/${name}`, 'latin1');
  } catch {
    // ip skips a file it cannot open.
    return undefined;
  }
}

/** multiaddr_list(): `maddress show [dev] NAME`. */
async function list(ctx: IpContext, argv: string[]): Promise<number> {
  let dev: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    let w = argv[i]!;
    if (w === 'dev') {
      w = argv[++i] ?? '';
      if (i >= argv.length) throw incompleteCommand();
    } else if (matches(w, 'help')) throw usage(MADDR_USAGE);
    if (dev !== undefined) duparg2('dev', w);
    dev = w;
  }
  const dir = procNetDir(ctx.options.netns);
  if (dir === undefined) throw new CommandError(`nlkit: cannot read /proc/net of network namespace "${ctx.options.netns!}": no process runs in it`, 1);
  const family = ctx.options.family;
  const out: MaddrEntry[] = [];
  if (family === AF_UNSPEC || family === AF_PACKET) parseDevMcast(readProc(dir, 'dev_mcast') ?? '', out, dev);
  if (family === AF_UNSPEC || family === AF_INET) parseIgmp(readProc(dir, 'igmp') ?? '', out, dev);
  if (family === AF_UNSPEC || family === AF_INET6) parseIgmp6(readProc(dir, 'igmp6') ?? '', out, dev);
  printList(ctx, out);
  return 0;
}

/** ETH_ALEN (include/uapi/linux/if_ether.h): the one address length `ip maddress add|del` takes. */
const ETH_ALEN = 6;
/** Size of ifr_hwaddr.sa_data in struct ifreq (struct sockaddr, include/linux/socket.h): what ll_addr_a2n() may fill. */
const SA_DATA_SIZE = 14;

/** multiaddr_modify(): `maddress add|del MULTIADDR dev NAME`, one ioctl(SIOCADDMULTI / SIOCDELMULTI). */
function modify(ctx: IpContext, add: boolean, argv: string[]): number {
  let dev = '';
  let addr: Uint8Array | undefined;
  for (let i = 0; i < argv.length; i++) {
    let w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    if (w === 'dev') {
      const v = next();
      if (dev) duparg('dev', v);
      if (!validIfname(v)) invarg('"dev" not a valid ifname', v);
      dev = v;
      continue;
    }
    if (matches(w, 'address')) w = next();
    if (matches(w, 'help')) throw usage(MADDR_USAGE);
    // ip tells a second address by the first byte of the one it holds (0 until one is read).
    if (addr?.[0]) duparg('address', w);
    const bytes = parseLladdr(w, SA_DATA_SIZE);
    // ll_addr_a2n() reads at most 14 bytes and then says it read one more.
    const len = !w.includes('.') && w.split(':').length > SA_DATA_SIZE ? SA_DATA_SIZE + 1 : bytes.length;
    if (len !== ETH_ALEN) throw new CommandError(`Error: Invalid address length ${len} - must be ${ETH_ALEN} bytes`, 1);
    addr = bytes;
  }
  if (!dev) throw usage('Not enough information: "dev" is required.');
  const { family } = ctx.options;
  try {
    changeMulticast({
      add,
      // ip's socket: the -4/-6/-0 family, AF_INET otherwise.
      family: family === AF_INET6 || family === AF_PACKET || family === AF_INET ? family : AF_INET,
      ifname: dev,
      // No address given: ip sends the zeros its struct ifreq starts with.
      address: addr ?? new Uint8Array(ETH_ALEN),
      ...(ctx.options.netns !== undefined ? { netns: resolveNetnsTarget(ctx.options.netns) } : {}),
    });
  } catch (err) {
    const e = err as { errno?: number; syscall?: string };
    if (e.errno === undefined || (e.syscall !== 'socket' && !(e.syscall?.startsWith('ioctl(') ?? false))) throw err;
    // ip's perror() lines.
    throw new CommandError(`${e.syscall === 'socket' ? 'Cannot create socket' : 'ioctl'}: ${errnoDescription(e.errno)}`, 1);
  }
  return 0;
}

/** Runs `nlkit maddress ...` (do_multiaddr). */
export async function runMaddress(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, true, rest);
  if (matches(cmd, 'delete')) return modify(ctx, false, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx, rest);
  if (matches(cmd, 'help')) throw usage(MADDR_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip maddr help".`);
}
