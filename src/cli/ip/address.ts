// `nlkit address`: show, add, change, replace, delete, flush
// (ip/ipaddress.c ipaddr_list_flush_or_save, print_addrinfo, ipaddr_modify).
import type { MessageView } from '../../core/message.js';
import * as C from '../../core/constants.js';
import { Args, invarg, matches, parseAddr, parsePrefix, parseUnsigned, type InetAddr } from './args.js';
import { Header, addrText, messageAttrs, type AttrTable } from './attrs.js';
import { CommandError, usage, type IpContext } from './context.js';
import { NetlinkError } from '../../core/errors.js';
import { NetnsNames, fetchLinks, linkPasses, listObject, listedDevice, parseLinkFilter, summaryPasses, type LinkFilter } from './link.js';
import { linkSummary, printLink, printLinkBrief, printLinkStats } from './linkprint.js';
import { scopeName, scopeNumber } from './names.js';
import { Printer } from './printer.js';

const IFA_F_SECONDARY = 0x01;
const IFA_F_PERMANENT = 0x80;
const INFINITY_LIFE_TIME = 0xffffffff;

const IFA_FLAG_NAMES = ['secondary', 'nodad', 'optimistic', 'dadfailed', 'home', 'deprecated', 'tentative', 'permanent', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'stable-privacy'];

/** ip's family_name(). */
export function familyName(f: number): string {
  switch (f) {
    case C.AF_INET:
      return 'inet';
    case C.AF_INET6:
      return 'inet6';
    case C.AF_PACKET:
      return 'link';
    case C.AF_BRIDGE:
      return 'bridge';
    case C.AF_MPLS:
      return 'mpls';
    default:
      return '???';
  }
}

/** Address filters (struct link_filter's address half). */
export interface AddrFilter {
  family: number;
  scope?: number;
  scopeMask: number;
  flags: number;
  flagMask: number;
  label?: string;
  pfx?: InetAddr;
  index?: number;
}

function labelMatches(pattern: string, label: string): boolean {
  // fnmatch() without special cases beyond * and ?.
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(label);
}

function prefixMatches(pfx: InetAddr, bytes: Uint8Array | undefined): boolean {
  if (!bytes) return false;
  if (pfx.bytes.length !== bytes.length) return false;
  const bits = pfx.bitlen < 0 ? bytes.length * 8 : pfx.bitlen;
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((pfx.bytes[byte]! & mask) !== (bytes[byte]! & mask)) return false;
  }
  return true;
}

/** True when an address message passes the filters (print_addrinfo's checks). */
export function addrPasses(m: MessageView, f: AddrFilter, ctx: IpContext): boolean {
  const h = new Header(m);
  const family = h.u8(0);
  const scope = h.u8(3);
  const index = h.u32(4);
  const tb = messageAttrs(m, C.IFADDRMSG_SIZE);
  const flags = tb.get(C.IFA_FLAGS)?.u32() ?? h.u8(2);
  if (f.index !== undefined && f.index !== index) return false;
  if (((f.scope ?? 0) ^ scope) & f.scopeMask) return false;
  if ((f.flags ^ flags) & f.flagMask) return false;
  if (f.family && f.family !== family) return false;
  if (f.label !== undefined) {
    const label = tb.get(C.IFA_LABEL)?.str() ?? ctx.indexName(index);
    if (!labelMatches(f.label, label)) return false;
  }
  if (f.pfx && f.pfx.family) {
    const local = tb.get(C.IFA_LOCAL) ?? tb.get(C.IFA_ADDRESS);
    if (!prefixMatches(f.pfx, local?.bytes)) return false;
  }
  return true;
}

/**
 * Prints one address (print_addrinfo) into `p`, without the final newline.
 * `oneline` (ip's filter.oneline) starts the line with `INDEX: DEV`; its
 * lines are joined with a backslash under `-o` (ip's _SL_); `brief` (`ip -br`) prints only
 * `ADDRESS[ peer PEER]/PLEN [metric N] `.
 */
export function printAddr(ctx: IpContext, p: Printer, m: MessageView, oneline = false, brief = false): void {
  const h = new Header(m);
  const family = h.u8(0);
  const prefixlen = h.u8(1);
  const scope = h.u8(3);
  const index = h.u32(4);
  const tb = messageAttrs(m, C.IFADDRMSG_SIZE);
  let flags = tb.get(C.IFA_FLAGS)?.u32() ?? h.u8(2);
  const local = tb.get(C.IFA_LOCAL) ?? tb.get(C.IFA_ADDRESS);
  const address = tb.get(C.IFA_ADDRESS) ?? tb.get(C.IFA_LOCAL);
  if (m.type === C.RTM_DELADDR) p.bool('deleted', 'Deleted ', true);
  if (!brief) {
    if (oneline) {
      const dev = ctx.indexName(index);
      if (p.json) {
        p.jsonOnly('index', index);
        p.jsonOnly('dev', dev);
      } else p.fp(`${index}: ${dev}`);
    }
    const name = familyName(family);
    if (name !== '???') p.any('family', '    %s ', name);
    else p.any('family_index', '    family %d ', family);
  }
  if (local) {
    p.any('local', '%s', addrText(local, family));
    if (address) {
      const a = address.bytes;
      const l = local.bytes;
      const n = family === C.AF_INET ? 4 : 16;
      let differ = false;
      for (let i = 0; i < n; i++) if (a[i] !== l[i]) differ = true;
      if (differ) {
        p.fp(' peer ');
        p.any('address', '%s', addrText(address, family));
      }
    }
    p.any('prefixlen', '/%d ', prefixlen);
    const prio = tb.get(C.IFA_RT_PRIORITY);
    if (prio) p.any('metric', 'metric %u ', prio.u32());
  }
  if (brief) return;
  const brd = tb.get(C.IFA_BROADCAST);
  if (brd) {
    p.fp('brd ');
    p.any('broadcast', '%s ', addrText(brd, family));
  }
  const any = tb.get(C.IFA_ANYCAST);
  if (any) {
    p.fp('any ');
    p.any('anycast', '%s ', addrText(any, family));
  }
  p.any('scope', 'scope %s ', scopeName(scope));
  // print_ifa_flags
  for (let i = 0; i < IFA_FLAG_NAMES.length; i++) {
    const mask = 1 << i;
    if (mask === IFA_F_PERMANENT) {
      if (!(flags & mask)) p.bool('dynamic', 'dynamic ', true);
    } else if (flags & mask) {
      if (mask === IFA_F_SECONDARY && family === C.AF_INET6) p.bool('temporary', 'temporary ', true);
      else p.bool(IFA_FLAG_NAMES[i]!, `${IFA_FLAG_NAMES[i]!} `, true);
    }
    flags &= ~mask;
  }
  if (flags) {
    const hex = (flags >>> 0).toString(16).padStart(2, '0');
    if (p.json) p.jsonOnly('ifa_flags', hex);
    else p.fp(`flags ${hex} `);
  }
  const label = tb.get(C.IFA_LABEL);
  if (label) p.any('label', '%s', label.str());
  const ci = tb.get(C.IFA_CACHEINFO);
  if (ci) {
    // struct ifa_cacheinfo { __u32 ifa_prefered; __u32 ifa_valid; __u32 cstamp; __u32 tstamp; }
    const preferred = ci.u32At(0);
    const valid = ci.u32At(4);
    p.fp(ctx.options.oneline ? '\\' : '\n');
    p.fp('       valid_lft ');
    if (valid === INFINITY_LIFE_TIME) {
      p.jsonOnly('valid_life_time', INFINITY_LIFE_TIME);
      p.fp('forever');
    } else p.any('valid_life_time', '%usec', valid);
    p.fp(' preferred_lft ');
    if (preferred === INFINITY_LIFE_TIME) {
      p.jsonOnly('preferred_life_time', INFINITY_LIFE_TIME);
      p.fp('forever');
    } else if ((tb.get(C.IFA_FLAGS)?.u32() ?? h.u8(2)) & 0x20) p.any('preferred_life_time', '%dsec', preferred | 0);
    else p.any('preferred_life_time', '%usec', preferred);
  }
}

/** Dumps addresses of one family (AF_UNSPEC: all). */
export async function dumpAddrs(ctx: IpContext, family: number, index = 0): Promise<MessageView[]> {
  const bytes = ctx.build(C.RTM_GETADDR, C.NLM_F_REQUEST | C.NLM_F_DUMP, C.IFADDRMSG_SIZE, (w, h) => {
    w.view.setUint8(h, family);
    w.view.setUint32(h + 4, index, true);
  });
  return ctx.dumpAll(bytes);
}

function newFilter(ctx: IpContext): AddrFilter {
  return { family: ctx.options.family, scopeMask: 0, flags: 0, flagMask: 0 };
}

// Words of `ip address show/flush` that select addresses rather than links.
function addrFilterWord(ctx: IpContext, f: AddrFilter): (w: string, args: Args) => boolean {
  return (w, args) => {
    if (w === 'to') {
      f.pfx = parsePrefix(args.value(), f.family);
      if (f.family === C.AF_UNSPEC) f.family = f.pfx.family;
      return true;
    }
    if (w === 'scope') {
      const v = args.value();
      f.scopeMask = 0xff;
      if (v === 'all') {
        f.scopeMask = 0;
        return true;
      }
      const s = scopeNumber(v);
      if (s === undefined) invarg('invalid "scope"', v);
      f.scope = s;
      return true;
    }
    if (w === 'label') {
      f.label = args.value();
      return true;
    }
    const flag = (bit: number, on: boolean): boolean => {
      f.flags = on ? f.flags | bit : f.flags & ~bit;
      f.flagMask |= bit;
      return true;
    };
    if (w === 'secondary' || w === 'temporary') return flag(0x01, true);
    if (w === 'primary') return flag(0x01, false);
    if (w === 'tentative' || w === '-tentative') return flag(0x40, w === 'tentative');
    if (w === 'deprecated' || w === '-deprecated') return flag(0x20, w === 'deprecated');
    if (w === 'home' || w === '-home') return flag(0x10, w === 'home');
    if (w === 'nodad' || w === '-nodad') return flag(0x02, w === 'nodad');
    if (w === 'mngtmpaddr' || w === '-mngtmpaddr') return flag(0x100, w === 'mngtmpaddr');
    if (w === 'dadfailed' || w === '-dadfailed') return flag(0x08, w === 'dadfailed');
    if (w === 'permanent') return flag(0x80, true);
    if (w === 'dynamic') return flag(0x80, false);
    if (w === 'noprefixroute' || w === '-noprefixroute') return flag(0x200, w === 'noprefixroute');
    if (w === 'autojoin' || w === '-autojoin') return flag(0x400, w === 'autojoin');
    void ctx;
    return false;
  };
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const lf: LinkFilter = { up: false };
  const af = newFilter(ctx);
  await parseLinkFilter(ctx, new Args(words), lf, addrFilterWord(ctx, af));
  // Links are dumped in the family of -4/-6 (ip's preferred_family), which `to PREFIX` does not change.
  const linkFamily = ctx.options.family;
  const links = await fetchLinks(ctx, lf.dev, linkFamily, lf);
  const full = new Map<number, AttrTable>();
  if (linkFamily === C.AF_INET6 && lf.dev === undefined) {
    for (const l of await fetchLinks(ctx, undefined)) {
      const s = linkSummary(l);
      if (s) full.set(s.index, s.tb);
    }
  }
  const addrs = af.family === C.AF_PACKET ? [] : await dumpAddrs(ctx, af.family);
  const byIndex = new Map<number, MessageView[]>();
  for (const m of addrs) {
    const i = new Header(m).u32(4);
    let list = byIndex.get(i);
    if (!list) byIndex.set(i, (list = []));
    list.push(m);
  }
  const { brief, oneline } = ctx.options;
  // With -oneline ip prints addresses alone, one line each (no_link), unless -brief.
  const noLink = oneline && af.family !== C.AF_PACKET;
  const netns = new NetnsNames(ctx);
  for (const link of links) {
    const s = linkSummary(link);
    const mine = (s && byIndex.get(s.index)) ?? [];
    if (af.family !== C.AF_PACKET) {
      // ipaddr_filter: keep a link with a matching address, or one without any (unless a family is asked for).
      const ok = mine.some((m) => addrPasses(m, af, ctx));
      if (!ok && !(mine.length === 0 && (af.family === C.AF_UNSPEC || af.family === C.AF_PACKET))) continue;
    }
    const p = ctx.printer();
    const fallback = s && full.get(s.index);
    // print_linkinfo's answer: -1 filtered out, 0 nothing more to print about the link, 1 printed.
    let res = 0;
    if (brief || !noLink) {
      if (!s || (lf.up && !(s.flags & 1))) res = -1;
      else if (af.label !== undefined) res = 0; // no link line when addresses are selected by label (before the other link filters)
      else if (!summaryPasses(s, lf)) res = -1;
      else if (brief) printLinkBrief(ctx, p, link, af.family === C.AF_PACKET);
      else {
        const netnsNames = await netns.for(s);
        // The listing's family, which `to PREFIX` may have set (filter.family).
        printLink(ctx, p, link, { doLink: false, family: af.family, ...(fallback ? { fallback } : {}), ...(netnsNames ? { netnsNames } : {}) });
        p.fp('\n');
        res = 1;
      }
    }
    if (res >= 0 && af.family !== C.AF_PACKET) {
      // print_selected_addrinfo
      p.openArray('addr_info');
      for (const m of mine) {
        const family = new Header(m).u8(0);
        if (af.family && af.family !== family) continue;
        if (lf.up && !((s?.flags ?? 0) & 1)) continue;
        p.open(null);
        if (addrPasses(m, af, ctx)) {
          printAddr(ctx, p, m, oneline, brief);
          if (!brief) p.fp('\n');
        }
        p.close();
      }
      p.close();
    }
    if (brief && res >= 0) p.fp('\n');
    if (res > 0 && ctx.options.stats) {
      printLinkStats(p, link, ctx.options.stats, fallback);
      p.fp('\n');
    }
    listObject(ctx, p);
  }
  ctx.listEnd();
  return 0;
}

async function flush(ctx: IpContext, words: string[]): Promise<number> {
  if (words.length === 0) throw usage('Flush requires arguments.');
  const lf: LinkFilter = { up: false };
  const af = newFilter(ctx);
  await parseLinkFilter(ctx, new Args(words), lf, addrFilterWord(ctx, af));
  await ctx.loadLinks();
  if (lf.dev !== undefined) af.index = await listedDevice(ctx, lf.dev);
  const links = new Map<number, MessageView>();
  if (lf.up || lf.master !== undefined || lf.kind !== undefined || lf.group !== undefined) {
    for (const l of await fetchLinks(ctx, undefined)) links.set(linkSummary(l)!.index, l);
  }
  for (let round = 0; round < 10; round++) {
    const addrs = (await dumpAddrs(ctx, af.family)).filter((m) => {
      if (!addrPasses(m, af, ctx)) return false;
      if (links.size === 0) return true;
      const l = links.get(new Header(m).u32(4));
      return l !== undefined && linkPasses(l, lf);
    });
    if (addrs.length === 0) return 0;
    for (const m of addrs) {
      // The dumped message, sent back as RTM_DELADDR (as ip's flush does).
      const copy = m.bytes.slice();
      new DataView(copy.buffer).setUint16(4, C.RTM_DELADDR, true);
      new DataView(copy.buffer).setUint16(6, C.NLM_F_REQUEST | C.NLM_F_ACK, true);
      try {
        await ctx.request(copy);
      } catch (err) {
        // A secondary address goes with its primary: already gone is fine.
        if (!(err instanceof NetlinkError && (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOENT' || err.code === 'ESRCH'))) throw err;
      }
    }
  }
  throw new CommandError('*** Flush remains incomplete after 10 rounds. ***', 1);
}

async function modify(ctx: IpContext, type: number, flags: number, words: string[]): Promise<number> {
  const args = new Args(words);
  let local: InetAddr | undefined;
  let peer: InetAddr | undefined;
  let brd: InetAddr | '+' | '-' | undefined;
  let anycast: InetAddr | undefined;
  let label: string | undefined;
  let dev: string | undefined;
  let scope: number | undefined;
  let ifaFlags = 0;
  let valid: number | undefined;
  let preferred: number | undefined;
  let metric: number | undefined;
  let proto: number | undefined;
  const family = ctx.options.family;
  const lifetime = (v: string): number => (v === 'forever' ? INFINITY_LIFE_TIME : parseUnsigned(v, 'lifetime'));
  while (!args.done) {
    const w = args.next();
    if (w === 'peer' || w === 'remote') {
      const v = args.value();
      if (peer) throw usage(`Error: duplicate "peer": "${v}" is the second value.`);
      peer = parsePrefix(v, family);
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = args.value();
      if (brd) throw usage(`Error: duplicate "broadcast": "${v}" is the second value.`);
      brd = v === '+' || v === '-' ? v : parseAddr(v, family);
    } else if (matches(w, 'anycast')) {
      anycast = parseAddr(args.value(), family);
    } else if (w === 'scope') {
      const v = args.value();
      const s = scopeNumber(v);
      if (s === undefined) invarg('invalid scope value.', v);
      scope = s;
    } else if (w === 'dev') {
      dev = args.value();
    } else if (w === 'label') {
      label = args.value();
    } else if (matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      metric = parseUnsigned(args.value(), 'metric');
    } else if (matches(w, 'valid_lft')) {
      valid = lifetime(args.value());
    } else if (matches(w, 'preferred_lft')) {
      preferred = lifetime(args.value());
    } else if (w === 'proto') {
      proto = parseUnsigned(args.value(), 'proto', 255);
    } else if (w === 'home') ifaFlags |= 0x10;
    else if (w === 'nodad') ifaFlags |= 0x02;
    else if (w === 'mngtmpaddr') ifaFlags |= 0x100;
    else if (w === 'noprefixroute') ifaFlags |= 0x200;
    else if (w === 'autojoin') ifaFlags |= 0x400;
    else if (w === 'optimistic') ifaFlags |= 0x04;
    else if (w === 'help') throw usage('Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ] [ CONFFLAG-LIST ]');
    else {
      const v = w === 'local' ? args.value() : w;
      if (local) throw usage(`Error: either "local" is duplicate, or "${v}" is a garbage.`);
      local = parsePrefix(v, family);
    }
  }
  if (dev === undefined) throw usage('Not enough information: "dev" argument is required.');
  if (label !== undefined && !label.startsWith(dev)) throw usage('"dev" (' + dev + ') must match "label" (' + label + ').');
  if (!local && !peer) throw usage('Not enough information: "local" argument is required.');
  const lcl = local ?? peer!;
  const fam = lcl.family;
  if (peer && local && peer.family !== local.family) throw usage('Error: local and peer addresses are of different families.');
  let prefixlen = 0;
  if (peer) prefixlen = peer.bitlen;
  if (!prefixlen) prefixlen = lcl.bitlen;
  const hostLen = fam === C.AF_INET ? 32 : 128;
  let brdBytes: Uint8Array | undefined;
  if (brd === '+' || brd === '-') {
    if (fam !== C.AF_INET) throw usage('Broadcast can be set only for IPv4 addresses');
    if (prefixlen <= 30) {
      brdBytes = new Uint8Array(lcl.bytes);
      for (let i = prefixlen; i < 32; i++) {
        const byte = i >> 3;
        const bit = 0x80 >> (i & 7);
        if (brd === '+') brdBytes[byte] = brdBytes[byte]! | bit;
        else brdBytes[byte] = brdBytes[byte]! & ~bit;
      }
    }
  } else if (brd) brdBytes = brd.bytes;
  void hostLen;
  const defaultScope = fam === C.AF_INET && lcl.bytes[0] === 127 ? C.RT_SCOPE_HOST : 0;
  await ctx.loadLinks();
  const index = await ctx.device(dev);
  const bytes = ctx.build(type, C.NLM_F_REQUEST | C.NLM_F_ACK | flags, C.IFADDRMSG_SIZE, (w, h) => {
    w.view.setUint8(h, fam);
    w.view.setUint8(h + 1, prefixlen);
    w.view.setUint8(h + 2, ifaFlags & 0xff);
    w.view.setUint8(h + 3, scope ?? (type === C.RTM_DELADDR ? 0 : defaultScope));
    w.view.setUint32(h + 4, index, true);
    if (local) w.putBinary(C.IFA_LOCAL, local.bytes);
    if (peer) w.putBinary(C.IFA_ADDRESS, peer.bytes);
    else if (local && !(type === C.RTM_DELADDR && fam === C.AF_INET && local.text.indexOf('/') < 0)) w.putBinary(C.IFA_ADDRESS, local.bytes);
    if (brdBytes) w.putBinary(C.IFA_BROADCAST, brdBytes);
    if (anycast) w.putBinary(C.IFA_ANYCAST, anycast.bytes);
    if (label !== undefined) w.putString(C.IFA_LABEL, label);
    if (ifaFlags > 0xff) w.putU32(C.IFA_FLAGS, ifaFlags);
    if (metric !== undefined) w.putU32(C.IFA_RT_PRIORITY, metric);
    if (proto !== undefined) w.putU8(C.IFA_PROTO, proto);
    if (valid !== undefined || preferred !== undefined) {
      const v = valid ?? INFINITY_LIFE_TIME;
      const pl = preferred ?? v;
      if (pl > v) throw usage('preferred_lft is greater than valid_lft');
      const ci = new Uint8Array(16);
      const dv = new DataView(ci.buffer);
      dv.setUint32(0, pl, true);
      dv.setUint32(4, v, true);
      w.putBinary(C.IFA_CACHEINFO, ci);
    }
  });
  await ctx.request(bytes);
  return 0;
}

/** Runs `nlkit address ...`. */
export async function runAddress(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWADDR, C.NLM_F_CREATE | C.NLM_F_EXCL, rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, C.RTM_NEWADDR, C.NLM_F_REPLACE, rest);
  if (matches(cmd, 'replace')) return modify(ctx, C.RTM_NEWADDR, C.NLM_F_CREATE | C.NLM_F_REPLACE, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELADDR, 0, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return show(ctx, rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  throw usage(`Command "${cmd}" is unknown, try "ip address help".`);
}
