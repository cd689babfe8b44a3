// `nlkit address`: show, add, change, replace, delete, flush
// (ip/ipaddress.c ipaddr_list_flush_or_save, print_addrinfo, ipaddr_modify).
import type { MessageView } from '../../core/message.js';
import { AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import * as A from '../../families/generated/rt-addr.constants.js';
import { addrMatch, Args, duparg, duparg2, familyName, invarg, matches, parseAddr, parsePrefix, type InetAddr, type InetPrefix } from './args.js';
import { Header, addrText, messageAttrs, type AttrTable } from './attrs.js';
import { CommandError } from '../error.js';
import { usage, type IpContext } from './context.js';
import { NetlinkError } from '../../core/errors.js';
import { NetnsNames, fetchLinks, linkPasses, listObject, listedDevice, parseLinkFilter, summaryPasses, type LinkFilter } from './link.js';
import { linkSummary, printLink, printLinkBrief, printLinkStats } from './linkprint.js';
import { scopeName, scopeNumber } from './names.js';
import { getU32 } from './numbers.js';
import { ADDRESS_USAGE } from './usage.js';

import { Printer } from './printer.js';

/** Byte offsets in struct ifaddrmsg and struct ifa_cacheinfo. */
const IFA = A.IFADDRMSG_OFFSETS;
const IFA_CI = A.IFA_CACHEINFO_OFFSETS;

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
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return re.test(label);
}

function prefixMatches(pfx: InetAddr, bytes: Uint8Array | undefined): boolean {
  if (!bytes) return false;
  if (pfx.bytes.length !== bytes.length) return false;
  return addrMatch(pfx.bytes, bytes, pfx.bitlen < 0 ? bytes.length * 8 : pfx.bitlen);
}

/** True when an address message passes the filters (print_addrinfo's checks). */
export function addrPasses(m: MessageView, f: AddrFilter, ctx: IpContext): boolean {
  const h = new Header(m);
  const family = h.u8(IFA.ifa_family);
  const scope = h.u8(IFA.ifa_scope);
  const index = h.u32(IFA.ifa_index);
  const tb = messageAttrs(m, C.IFADDRMSG_SIZE);
  const flags = tb.get(C.IFA_FLAGS)?.u32() ?? h.u8(IFA.ifa_flags);
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
  const family = h.u8(IFA.ifa_family);
  const prefixlen = h.u8(IFA.ifa_prefixlen);
  const scope = h.u8(IFA.ifa_scope);
  const index = h.u32(IFA.ifa_index);
  const tb = messageAttrs(m, C.IFADDRMSG_SIZE);
  let flags = tb.get(C.IFA_FLAGS)?.u32() ?? h.u8(IFA.ifa_flags);
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
      const n = family === AF_INET ? 4 : 16;
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
    if (mask === C.IFA_F_PERMANENT) {
      if (!(flags & mask)) p.bool('dynamic', 'dynamic ', true);
    } else if (flags & mask) {
      if (mask === C.IFA_F_SECONDARY && family === AF_INET6) p.bool('temporary', 'temporary ', true);
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
    const preferred = ci.u32At(IFA_CI.ifa_prefered);
    const valid = ci.u32At(IFA_CI.ifa_valid);
    p.fp(ctx.options.oneline ? '\\' : '\n');
    p.fp('       valid_lft ');
    if (valid === C.INFINITY_LIFE_TIME) {
      p.jsonOnly('valid_life_time', C.INFINITY_LIFE_TIME);
      p.fp('forever');
    } else p.any('valid_life_time', '%usec', valid);
    p.fp(' preferred_lft ');
    if (preferred === C.INFINITY_LIFE_TIME) {
      p.jsonOnly('preferred_life_time', C.INFINITY_LIFE_TIME);
      p.fp('forever');
    } else if ((tb.get(C.IFA_FLAGS)?.u32() ?? h.u8(IFA.ifa_flags)) & A.IFA_F_DEPRECATED) p.any('preferred_life_time', '%dsec', preferred | 0);
    else p.any('preferred_life_time', '%usec', preferred);
  }
}

/** Dumps addresses of one family (AF_UNSPEC: all). */
export async function dumpAddrs(ctx: IpContext, family: number, index = 0): Promise<MessageView[]> {
  const bytes = ctx.build(C.RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, C.IFADDRMSG_SIZE, (w, h) => {
    w.view.setUint8(h + IFA.ifa_family, family);
    w.view.setUint32(h + IFA.ifa_index, index, true);
  });
  return ctx.dumpAll(bytes);
}

function newFilter(ctx: IpContext): AddrFilter {
  return { family: ctx.options.family, scopeMask: 0, flags: 0, flagMask: 0 };
}

// ifa_flag_data[] of ipaddress.c: the flags `ip address` names, their bits,
// whether only the kernel sets them, and whether they are IPv6's only.
const IFA_FLAG_DATA: readonly { name: string; mask: number; readonly: boolean; v6only: boolean }[] = [
  { name: 'secondary', mask: A.IFA_F_SECONDARY, readonly: true, v6only: false },
  { name: 'temporary', mask: A.IFA_F_SECONDARY, readonly: true, v6only: false },
  { name: 'nodad', mask: A.IFA_F_NODAD, readonly: false, v6only: true },
  { name: 'optimistic', mask: A.IFA_F_OPTIMISTIC, readonly: false, v6only: true },
  { name: 'dadfailed', mask: A.IFA_F_DADFAILED, readonly: true, v6only: true },
  { name: 'home', mask: A.IFA_F_HOMEADDRESS, readonly: false, v6only: true },
  { name: 'deprecated', mask: A.IFA_F_DEPRECATED, readonly: true, v6only: true },
  { name: 'tentative', mask: A.IFA_F_TENTATIVE, readonly: true, v6only: true },
  { name: 'permanent', mask: A.IFA_F_PERMANENT, readonly: true, v6only: true },
  { name: 'mngtmpaddr', mask: A.IFA_F_MANAGETEMPADDR, readonly: false, v6only: true },
  { name: 'noprefixroute', mask: A.IFA_F_NOPREFIXROUTE, readonly: false, v6only: false },
  { name: 'autojoin', mask: A.IFA_F_MCAUTOJOIN, readonly: false, v6only: false },
  { name: 'stable-privacy', mask: A.IFA_F_STABLE_PRIVACY, readonly: true, v6only: true },
];

// print_ifa_flags() names bit i by the first entry of that bit (secondary, not temporary).
const IFA_FLAG_NAMES = IFA_FLAG_DATA.filter((d, i, all) => all.findIndex((x) => x.mask === d.mask) === i).map((d) => d.name);

const flagData = (name: string): (typeof IFA_FLAG_DATA)[number] | undefined => IFA_FLAG_DATA.find((d) => d.name === name);

/** get_filter(): a flag word of a listing ([-]FLAG, dynamic, primary) into `f`; false when it is not one. */
function addrFlagFilter(f: AddrFilter, word: string): boolean {
  let inv = false;
  let arg = word;
  if (arg.startsWith('-')) {
    inv = true;
    arg = arg.slice(1);
  }
  if (arg === 'dynamic') {
    inv = !inv;
    arg = 'permanent';
  } else if (arg === 'primary') {
    inv = !inv;
    arg = 'secondary';
  }
  const d = flagData(arg);
  if (!d) return false;
  if (inv) f.flags &= ~d.mask;
  else f.flags |= d.mask;
  f.flagMask |= d.mask;
  return true;
}

/** The address half of ipaddr_list_flush_or_save()'s words (to, scope, flags, label). */
export function addrFilterWord(f: AddrFilter): (w: string, args: Args) => boolean {
  return (w, args) => {
    if (w === 'to') {
      f.pfx = parsePrefix(args.value(), f.family);
      if (f.family === AF_UNSPEC) f.family = f.pfx.family;
      return true;
    }
    if (w === 'scope') {
      const v = args.value();
      f.scopeMask = 0xff;
      const s = scopeNumber(v);
      if (s === undefined) {
        if (v !== 'all') invarg('invalid "scope"\n', v);
        f.scope = C.RT_SCOPE_NOWHERE;
        f.scopeMask = 0;
      } else f.scope = s;
      return true;
    }
    if (w === 'up') return false;
    if (addrFlagFilter(f, w)) return true;
    if (w === 'label') {
      f.label = args.value();
      return true;
    }
    return false;
  };
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const lf: LinkFilter = { up: false };
  const af = newFilter(ctx);
  await parseLinkFilter(ctx, new Args(words), lf, addrFilterWord(af), ADDRESS_USAGE);
  // Links are dumped in the family of -4/-6 (ip's preferred_family), which `to PREFIX` does not change.
  const linkFamily = ctx.options.family;
  const links = await fetchLinks(ctx, lf.dev, linkFamily, lf);
  const full = new Map<number, AttrTable>();
  if (linkFamily === AF_INET6 && lf.dev === undefined) {
    for (const l of await fetchLinks(ctx, undefined)) {
      const s = linkSummary(l);
      if (s) full.set(s.index, s.tb);
    }
  }
  const addrs = af.family === AF_PACKET ? [] : await dumpAddrs(ctx, af.family);
  const byIndex = new Map<number, MessageView[]>();
  for (const m of addrs) {
    const i = new Header(m).u32(IFA.ifa_index);
    let list = byIndex.get(i);
    if (!list) byIndex.set(i, (list = []));
    list.push(m);
  }
  const { brief, oneline } = ctx.options;
  // With -oneline ip prints addresses alone, one line each (no_link), unless -brief.
  const noLink = oneline && af.family !== AF_PACKET;
  const netns = new NetnsNames(ctx);
  for (const link of links) {
    const s = linkSummary(link);
    const mine = (s && byIndex.get(s.index)) ?? [];
    if (af.family !== AF_PACKET) {
      // ipaddr_filter: keep a link with a matching address, or one without any (unless a family is asked for).
      const ok = mine.some((m) => addrPasses(m, af, ctx));
      if (!ok && !(mine.length === 0 && (af.family === AF_UNSPEC || af.family === AF_PACKET))) continue;
    }
    const p = ctx.printer();
    const fallback = s && full.get(s.index);
    // print_linkinfo's answer: -1 filtered out, 0 nothing more to print about the link, 1 printed.
    let res = 0;
    if (brief || !noLink) {
      if (!s || (lf.up && !(s.flags & 1))) res = -1;
      else if (af.label !== undefined)
        res = 0; // no link line when addresses are selected by label (before the other link filters)
      else if (!summaryPasses(s, lf)) res = -1;
      else if (brief) printLinkBrief(ctx, p, link, af.family === AF_PACKET);
      else {
        const netnsNames = await netns.for(s);
        // The listing's family, which `to PREFIX` may have set (filter.family).
        printLink(ctx, p, link, { doLink: false, family: af.family, ...(fallback ? { fallback } : {}), ...(netnsNames ? { netnsNames } : {}) });
        p.fp('\n');
        res = 1;
      }
    }
    if (res >= 0 && af.family !== AF_PACKET) {
      // print_selected_addrinfo
      p.openArray('addr_info');
      for (const m of mine) {
        const family = new Header(m).u8(IFA.ifa_family);
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
      printLinkStats(p, link, ctx.options.stats, fallback, ctx.options);
      p.fp('\n');
    }
    listObject(ctx, p);
  }
  ctx.listEnd();
  return 0;
}

async function flush(ctx: IpContext, words: string[]): Promise<number> {
  if (words.length === 0) throw new CommandError('Flush requires arguments.', 1);
  if (ctx.options.family === AF_PACKET) throw new CommandError('Cannot flush link addresses.', 1);
  const lf: LinkFilter = { up: false };
  const af = newFilter(ctx);
  await parseLinkFilter(ctx, new Args(words), lf, addrFilterWord(af), ADDRESS_USAGE);
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
      const l = links.get(new Header(m).u32(IFA.ifa_index));
      return l !== undefined && linkPasses(l, lf);
    });
    if (addrs.length === 0) return 0;
    for (const m of addrs) {
      // The dumped message, sent back as RTM_DELADDR (as ip's flush does).
      const copy = m.bytes.slice();
      new DataView(copy.buffer).setUint16(4, C.RTM_DELADDR, true);
      new DataView(copy.buffer).setUint16(6, NLM_F_REQUEST | NLM_F_ACK, true);
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

// default_scope(): host for 127.x.x.x, universe otherwise.
function defaultScope(lcl: InetPrefix | undefined): number {
  if (lcl && lcl.family === AF_INET && lcl.bytes[0] === 127) return C.RT_SCOPE_HOST;
  return 0;
}

async function modify(ctx: IpContext, type: number, flags: number, words: string[]): Promise<number> {
  const args = new Args(words);
  const isDel = type === C.RTM_DELADDR;
  // ipaddr_modify()'s request as it fills it.
  let family = ctx.options.family;
  let prefixlen = 0;
  let scope = 0;
  let scoped = false;
  let local: InetPrefix | undefined;
  let peer: InetPrefix | undefined;
  let brd: Uint8Array | undefined;
  let brdLen = 0;
  let anycast: InetAddr | undefined;
  let label: string | undefined;
  let dev: string | undefined;
  let metric: number | undefined;
  let validLft: string | undefined;
  let preferredLft: string | undefined;
  let valid = C.INFINITY_LIFE_TIME;
  let preferred = C.INFINITY_LIFE_TIME;
  let ifaFlags = 0;
  // set_lifetime(): "forever" or a u32.
  const lifetime = (v: string, what: string): number => {
    if (v === 'forever') return C.INFINITY_LIFE_TIME;
    const n = getU32(v);
    if (n === undefined) invarg(what, v);
    return n;
  };
  while (!args.done) {
    const w = args.next();
    if (w === 'peer' || w === 'remote') {
      const v = args.value();
      if (peer) duparg('peer', v);
      peer = parsePrefix(v, family);
      if (family === AF_UNSPEC) family = peer.family;
      prefixlen = peer.bitlen;
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = args.value();
      if (brdLen) duparg('broadcast', v);
      if (v === '+') brdLen = -1;
      else if (v === '-') brdLen = -2;
      else {
        const a = parseAddr(v, family);
        if (family === AF_UNSPEC) family = a.family;
        brd = a.bytes;
        brdLen = a.bytes.length;
      }
    } else if (w === 'anycast') {
      const v = args.value();
      if (anycast) duparg('anycast', v);
      anycast = parseAddr(v, family);
      if (family === AF_UNSPEC) family = anycast.family;
    } else if (w === 'scope') {
      const v = args.value();
      const s = scopeNumber(v);
      if (s === undefined) invarg('invalid scope value.', v);
      scope = s;
      scoped = true;
    } else if (w === 'dev') {
      dev = args.value();
    } else if (w === 'label') {
      label = args.value();
    } else if (matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      const v = args.value();
      const n = getU32(v);
      if (n === undefined) invarg('"metric" value is invalid\n', v);
      metric = n;
    } else if (matches(w, 'valid_lft')) {
      if (validLft !== undefined) duparg('valid_lft', w);
      validLft = args.value();
      valid = lifetime(validLft, 'valid_lft value');
    } else if (matches(w, 'preferred_lft')) {
      if (preferredLft !== undefined) duparg('preferred_lft', w);
      preferredLft = args.value();
      preferred = lifetime(preferredLft, 'preferred_lft value');
    } else if (flagData(w)) {
      const d = flagData(w)!;
      if (d.readonly) ctx.io.stderr(`Warning: ${d.name} option is not mutable from userspace\n`);
      else if (d.v6only && family !== AF_INET6) ctx.io.stderr(`Warning: ${d.name} option can be set only for IPv6 addresses\n`);
      else ifaFlags |= d.mask;
    } else {
      const v = w === 'local' ? args.value() : w;
      if (matches(v, 'help')) throw usage(ADDRESS_USAGE);
      if (local) duparg2('local', v);
      local = parsePrefix(v, family);
      if (family === AF_UNSPEC) family = local.family;
    }
  }
  if (dev === undefined) throw new CommandError('Not enough information: "dev" argument is required.', 1);
  let address: Uint8Array | undefined = peer?.bytes;
  if (!peer && local && local.bytes.length) {
    if (isDel && local.family === AF_INET && !local.lenGiven) {
      ctx.io.stderr(
        'Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
          `         Explicitly specify the prefix length (${local.text}/${local.bytes.length * 8}) to avoid this warning.\n` +
          '         This special behaviour is likely to disappear in further releases,\n' +
          '         fix your scripts!\n',
      );
    } else {
      peer = local;
      address = local.bytes;
    }
  }
  if (prefixlen === 0) prefixlen = local ? local.bitlen : 0;
  if (brdLen < 0 && !isDel) {
    if (family !== AF_INET) throw new CommandError('Broadcast can be set only for IPv4 addresses', 1);
    const base = peer ?? local;
    const bitlen = base ? base.bitlen : 0;
    if (bitlen <= 30) {
      const b = new Uint8Array(4);
      if (base) b.set(base.bytes.subarray(0, 4));
      for (let i = bitlen; i < 32; i++) {
        const byte = i >> 3;
        const bit = 0x80 >> (i & 7);
        if (brdLen === -1) b[byte] = b[byte]! | bit;
        else b[byte] = b[byte]! & ~bit;
      }
      brd = b;
    }
  }
  if (!scoped && !isDel) scope = defaultScope(local);
  await ctx.loadLinks();
  const index = await ctx.device(dev);
  if (validLft !== undefined || preferredLft !== undefined) {
    if (!valid) throw new CommandError('valid_lft is zero', 1);
    if (valid < preferred) throw new CommandError('preferred_lft is greater than valid_lft', 1);
  }
  if (ifaFlags & A.IFA_F_MCAUTOJOIN) {
    // ipaddr_is_multicast(): autojoin needs a multicast local address.
    const b = local?.bytes;
    const multicast = b !== undefined && ((local!.family === AF_INET && (b[0]! & 0xf0) === 0xe0) || (local!.family === AF_INET6 && b[0] === 0xff));
    if (!multicast) throw new CommandError('autojoin needs multicast address', 1);
  }
  const bytes = ctx.build(type, NLM_F_REQUEST | NLM_F_ACK | flags, C.IFADDRMSG_SIZE, (w, h) => {
    w.view.setUint8(h + IFA.ifa_family, family);
    w.view.setUint8(h + IFA.ifa_prefixlen, prefixlen);
    w.view.setUint8(h + IFA.ifa_flags, ifaFlags <= 0xff ? ifaFlags : 0);
    w.view.setUint8(h + IFA.ifa_scope, scope);
    w.view.setUint32(h + IFA.ifa_index, index, true);
    if (local && local.bytes.length) w.putBinary(C.IFA_LOCAL, local.bytes);
    if (address) w.putBinary(C.IFA_ADDRESS, address);
    if (brd) w.putBinary(C.IFA_BROADCAST, brd);
    if (anycast) w.putBinary(C.IFA_ANYCAST, anycast.bytes);
    if (label !== undefined) w.putString(C.IFA_LABEL, label);
    if (ifaFlags > 0xff) w.putU32(C.IFA_FLAGS, ifaFlags);
    if (metric !== undefined) w.putU32(C.IFA_RT_PRIORITY, metric);
    if (validLft !== undefined || preferredLft !== undefined) {
      const ci = new Uint8Array(A.IFA_CACHEINFO_SIZE);
      const dv = new DataView(ci.buffer);
      dv.setUint32(IFA_CI.ifa_prefered, preferred, true);
      dv.setUint32(IFA_CI.ifa_valid, valid, true);
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
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, C.RTM_NEWADDR, NLM_F_REPLACE, rest);
  if (matches(cmd, 'replace')) return modify(ctx, C.RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELADDR, 0, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return show(ctx, rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  if (matches(cmd, 'save') || matches(cmd, 'showdump') || matches(cmd, 'restore')) throw usage(`Error: "ip address ${cmd}" is not supported by nlkit.`);
  if (matches(cmd, 'help')) throw usage(ADDRESS_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip address help".`);
}
