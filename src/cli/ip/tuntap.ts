// `nlkit tuntap`: add, del, show (ip/iptuntap.c). Devices are made and
// removed through /dev/net/tun by the addon (in the -n namespace, on a
// helper thread), since the kernel refuses tun/tap over rtnetlink; the
// listing is an RTM_GETLINK dump of kind "tun".
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import { IFINFOMSG_OFFSETS as IFI } from '../../families/generated/rt-link.constants.js';
import { errnoDescription } from '../../core/errno.js';
import { resolveNetnsTarget } from '../../io/netns.js';
import * as tuntap from '../../io/tuntap.js';
import { Header, messageAttrs, type AttrTable } from './attrs.js';
import { Args, invarg, matches, validIfname } from './args.js';
import { CommandError } from '../error.js';
import { usage, type IpContext } from './context.js';
import { TUNTAP_USAGE } from './usage.js';

const USAGE = TUNTAP_USAGE;

/** What `ip tuntap add/del` arguments ask for (parse_args in ip/iptuntap.c). */
export interface TuntapArgs {
  /** '' when none was given: the kernel then picks tun%d / tap%d. */
  name: string;
  /** ifr_flags: IFF_TUN / IFF_TAP, IFF_NO_PI unless `pi`, one_queue, vnet_hdr, multi_queue. */
  flags: number;
  /** -1 when not given (add only). */
  owner: number;
  group: number;
}

/** A user or group id the way ip reads it: a decimal number (strtol, wrapped to 32 bits), else a name from the database file. */
function lookupId(value: string, file: string, what: 'user' | 'group'): number {
  if (/^\s*[+-]?\d+$/.test(value)) {
    // (uid_t)strtol(...): -1 and 4294967295 both mean "none" to ip.
    const n = Number(BigInt.asUintN(32, BigInt(value.trim())));
    return n === 0xffffffff ? -1 : n;
  }
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // No database: no names.
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === value && fields[2] !== undefined && /^\d+$/.test(fields[2])) return Number(fields[2]);
  }
  throw usage(`invalid ${what} "${value}"`);
}

/**
 * Parses the words after `tuntap add` / `tuntap del` like ip's parse_args(): the
 * same keywords (matched by prefix), the same messages and exit statuses.
 * `user` and `group` are options of add only (for del they are taken as a name).
 */
export function parseTuntapArgs(argv: readonly string[], isAdd: boolean): TuntapArgs {
  const args = new Args(argv);
  const out: TuntapArgs = { name: '', flags: tuntap.IFF_NO_PI, owner: -1, group: -1 };
  while (!args.done) {
    const w = args.next();
    if (matches(w, 'mode')) {
      const v = args.value();
      let bit: number;
      if (matches(v, 'tun')) bit = tuntap.IFF_TUN;
      else if (matches(v, 'tap')) bit = tuntap.IFF_TAP;
      else throw usage(`Unknown tunnel mode "${v}"`);
      if (out.flags & (bit === tuntap.IFF_TUN ? tuntap.IFF_TAP : tuntap.IFF_TUN)) throw usage('You managed to ask for more than one tunnel mode.');
      out.flags |= bit;
    } else if (isAdd && matches(w, 'user')) {
      out.owner = lookupId(args.value(), '/etc/passwd', 'user');
    } else if (isAdd && matches(w, 'group')) {
      out.group = lookupId(args.value(), '/etc/group', 'group');
    } else if (matches(w, 'pi')) {
      out.flags &= ~tuntap.IFF_NO_PI;
    } else if (matches(w, 'one_queue')) {
      out.flags |= tuntap.IFF_ONE_QUEUE;
    } else if (matches(w, 'vnet_hdr')) {
      out.flags |= tuntap.IFF_VNET_HDR;
    } else if (matches(w, 'multi_queue')) {
      out.flags |= tuntap.IFF_MULTI_QUEUE;
    } else if (matches(w, 'dev')) {
      const v = args.value();
      if (!validIfname(v)) invarg('"dev" not a valid ifname', v);
      out.name = v;
    } else {
      let v = w;
      if (matches(w, 'name')) v = args.value();
      else if (matches(w, 'help')) throw usage(USAGE);
      if (out.name !== '') throw usage(`Error: either "name" is duplicate, or "${v}" is a garbage.`);
      if (!validIfname(v)) invarg('"name" not a valid ifname', v);
      out.name = v;
    }
  }
  if (!(out.flags & (tuntap.IFF_TUN | tuntap.IFF_TAP))) throw new CommandError('You failed to specify a tunnel mode', 1);
  return out;
}

/** Runs the ioctls; a failing one ends the command as ip's perror() line does (exit 1). */
function runIoctls(call: tuntap.TuntapCall): void {
  try {
    tuntap.run(call);
  } catch (err) {
    const e = err as { errno?: number; syscall?: string; path?: string };
    const ours = (e.syscall?.startsWith('ioctl(') ?? false) || (e.syscall === 'open' && e.path === '/dev/net/tun');
    if (!ours || e.errno === undefined) throw err;
    throw new CommandError(`${e.syscall!}: ${errnoDescription(e.errno)}`, 1);
  }
}

function netnsOf(ctx: IpContext): tuntap.TuntapCall['netns'] {
  return ctx.options.netns === undefined ? null : resolveNetnsTarget(ctx.options.netns);
}

function add(ctx: IpContext, argv: string[]): number {
  const a = parseTuntapArgs(argv, true);
  // IFF_TUN_EXCL: an existing device is an error (EBUSY), not one to attach to.
  runIoctls({ name: a.name, flags: a.flags | tuntap.IFF_TUN_EXCL, owner: a.owner, group: a.group, persist: true, netns: netnsOf(ctx) });
  return 0;
}

function del(ctx: IpContext, argv: string[]): number {
  const a = parseTuntapArgs(argv, false);
  // ip's TUNSETIFF on a name that does not exist makes a device that TUNSETPERSIST 0 and
  // close then remove again: it succeeds having changed nothing. The addon refuses that
  // round trip (ENODEV), which ends the same way here.
  if (a.name === '') return 0;
  try {
    runIoctls({ name: a.name, flags: a.flags, owner: -1, group: -1, persist: false, netns: netnsOf(ctx) });
  } catch (err) {
    const e = err as { code?: string; syscall?: string };
    if (e.code === 'ENODEV' && e.syscall === 'if_nametoindex') return 0;
    throw err;
  }
  return 0;
}

/** Processes with /dev/net/tun open, by attached device name (show_processes, for -d). */
function attachedProcesses(): Map<string, { comm: string; pid: number }[]> {
  const out = new Map<string, { comm: string; pid: number }[]>();
  const self = process.pid;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    if (Number(pid) === self) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== '/dev/net/tun') continue;
        const iff = /^iff:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
        if (iff === undefined) continue;
        let comm = '<NULL>';
        try {
          comm = readFileSync(`/proc/${pid}/comm`, 'utf8').split(/\s/)[0] || '<NULL>';
        } catch {
          // The process ended meanwhile.
        }
        const list = out.get(iff) ?? [];
        list.push({ comm, pid: Number(pid) });
        out.set(iff, list);
      } catch {
        // Unreadable or gone: skipped (ip prints perror() lines for these).
      }
    }
  }
  return out;
}

function printTuntap(ctx: IpContext, name: string, data: AttrTable | undefined, processes: Map<string, { comm: string; pid: number }[]> | undefined): void {
  const u8 = (t: number): number => data?.get(t)?.u8() ?? 0;
  const p = ctx.printer();
  p.any('ifname', '%s:', name);
  // ip reads /sys/class/net/NAME/tun_flags; the same bits come over rtnetlink (tun_fill_info()
  // in drivers/net/tun.c), except IFF_ONE_QUEUE, which Linux has ignored since 3.8.
  p.openArray('flags');
  const type = u8(C.IFLA_TUN_TYPE);
  if (type & tuntap.IFF_TUN) p.any(null, ' %s', 'tun');
  if (type & tuntap.IFF_TAP) p.any(null, ' %s', 'tap');
  const pi = u8(C.IFLA_TUN_PI) !== 0;
  if (pi) p.any(null, ' %s', 'pi');
  if (u8(C.IFLA_TUN_MULTI_QUEUE)) p.any(null, ' %s', 'multi_queue');
  if (u8(C.IFLA_TUN_VNET_HDR)) p.any(null, ' %s', 'vnet_hdr');
  if (u8(C.IFLA_TUN_PERSIST)) p.any(null, ' %s', 'persist');
  // IFF_NOFILTER and IFF_NO_PI are the same bit (0x1000): ip prints "filter" whenever pi is on.
  if (pi) p.any(null, ' %s', 'filter');
  p.close();
  const owner = data?.get(C.IFLA_TUN_OWNER);
  if (owner) p.any('user', ' user %u', owner.u32());
  const group = data?.get(C.IFLA_TUN_GROUP);
  if (group) p.any('group', ' group %u', group.u32());
  if (processes) {
    p.fp('\n\tAttached to processes:');
    p.openArray('processes');
    for (const proc of processes.get(name) ?? []) {
      p.any('name', '%s', proc.comm);
      p.any('pid', '(%d)', proc.pid);
    }
    p.close();
  }
  ctx.listItem(p);
}

async function show(ctx: IpContext): Promise<number> {
  const req = ctx.build(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, C.IFINFOMSG_SIZE, (w) => {
    w.putU32(C.IFLA_EXT_MASK, C.RTEXT_FILTER_VF);
    const info = w.nestStart(C.IFLA_LINKINFO);
    w.putString(C.IFLA_INFO_KIND, 'tun');
    w.nestEnd(info);
  });
  const processes = ctx.options.details > 0 ? attachedProcesses() : undefined;
  await ctx.dump(req, (m) => {
    if (m.type !== C.RTM_NEWLINK) return;
    const linkType = new Header(m).u16(IFI.ifi_type);
    if (linkType !== C.ARPHRD_NONE && linkType !== C.ARPHRD_ETHER) return;
    const tb = messageAttrs(m, C.IFINFOMSG_SIZE);
    const name = tb.get(C.IFLA_IFNAME)?.str();
    const info = tb.get(C.IFLA_LINKINFO)?.nest();
    if (name === undefined || info?.get(C.IFLA_INFO_KIND)?.str() !== 'tun') return;
    printTuntap(ctx, name, info.get(C.IFLA_INFO_DATA)?.nest(), processes);
  });
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit tuntap ...`. */
export async function runTuntap(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx);
  if (matches(cmd, 'add')) return add(ctx, rest);
  if (matches(cmd, 'delete')) return del(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx);
  if (matches(cmd, 'help')) throw usage(USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip tuntap help".`);
}
