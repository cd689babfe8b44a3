// `nlkit neighbour`: show, add, change, replace, delete, flush (ip/ipneigh.c).
import type { MessageView } from '../../core/message.js';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import * as N from '../../families/generated/rt-neigh.constants.js';

import { NetlinkError } from '../../core/errors.js';
import { addrMatch, Args, duparg, duparg2, invarg, matches, parseAddr, parseLladdr, parsePrefix, type InetAddr } from './args.js';
import { Header, addrText, llAddrText, messageAttrs } from './attrs.js';
import { CommandError } from '../error.js';
import { usage, type IpContext } from './context.js';
import { NUD_STATE_NAMES } from '../../families/route/names.js';
import { nudStateNumber, protoName, protoNumber } from './names.js';
import { NEIGH_USAGE } from './usage.js';
import { Printer } from './printer.js';

/** Byte offsets in struct ndmsg and struct nda_cacheinfo. */
const NDM = N.NDMSG_OFFSETS;
const NDA_CI = N.NDA_CACHEINFO_OFFSETS;

/** What `neigh show` / `flush` select. */
interface NeighFilter {
  family: number;
  index: number;
  state: number;
  pfx?: InetAddr;
  unusedOnly: boolean;
  /** -1: entries of links with no master. */
  master: number;
  /** NTF_PROXY: the proxy entries. */
  ndmFlags: number;
  protocol: number;
}

function neighPasses(m: MessageView, f: NeighFilter): boolean {
  if (m.type !== C.RTM_NEWNEIGH && m.type !== C.RTM_DELNEIGH && m.type !== C.RTM_GETNEIGH) return false;
  const h = new Header(m);
  const family = h.u8(NDM.ndm_family);
  const index = h.s32(NDM.ndm_ifindex);
  const state = h.u16(NDM.ndm_state);
  const flags = h.u8(NDM.ndm_flags);
  if (f.family && f.family !== family) return false;
  if (f.index && f.index !== index) return false;
  if (!(f.state & state) && !(flags & C.NTF_PROXY) && !(flags & C.NTF_EXT_LEARNED) && (state || !(f.state & 0x100))) return false;
  const tb = messageAttrs(m, C.NDMSG_SIZE);
  // inet_addr_match_rta()
  if (f.pfx && f.pfx.family && f.pfx.bitlen > 0) {
    const dst = tb.get(C.NDA_DST)?.bytes;
    if (dst) {
      if (dst.length !== 4 && dst.length !== 16) return false;
      if ((dst.length === 4 ? AF_INET : AF_INET6) !== f.pfx.family) return false;
      if (!addrMatch(dst, f.pfx.bytes, f.pfx.bitlen)) return false;
    }
  }
  if (f.protocol && f.protocol !== (tb.get(C.NDA_PROTOCOL)?.u8() ?? 0)) return false;
  if (f.unusedOnly) {
    const ci = tb.get(C.NDA_CACHEINFO);
    if (ci && ci.u32At(NDA_CI.refcnt)) return false;
  }
  return true;
}

/** print_neigh: one neighbour into `p`. `filterIndex`: the listing is for one device. */
export function printNeigh(ctx: IpContext, p: Printer, m: MessageView, filterIndex = 0): void {
  const h = new Header(m);
  let family = h.u8(NDM.ndm_family);
  const index = h.s32(NDM.ndm_ifindex);
  let state = h.u16(NDM.ndm_state);
  const flags = h.u8(NDM.ndm_flags);
  const tb = messageAttrs(m, C.NDMSG_SIZE);
  if (m.type === C.RTM_DELNEIGH) p.bool('deleted', 'Deleted ', true);
  else if (m.type === C.RTM_GETNEIGH) p.null('miss').fp('miss ');
  const dst = tb.get(C.NDA_DST);
  if (dst) {
    if (family === AF_BRIDGE) family = dst.length === 16 ? AF_INET6 : AF_INET;
    p.any('dst', '%s ', addrText(dst, family));
  }
  if (!filterIndex && index) {
    p.fp('dev ');
    p.any('dev', '%s ', ctx.indexName(index));
  }
  const ll = tb.get(C.NDA_LLADDR);
  if (ll) {
    p.fp('lladdr ');
    p.any('lladdr', '%s ', llAddrText(ll.bytes, 1));
  }
  if (flags & C.NTF_ROUTER) p.null('router').fp('router ');
  if (flags & C.NTF_PROXY) p.null('proxy').fp('proxy ');
  if (flags & C.NTF_EXT_LEARNED) p.null('extern_learn').fp('extern_learn ');
  if (flags & C.NTF_OFFLOADED) p.null('offload').fp('offload ');
  if (ctx.options.stats) {
    const ci = tb.get(C.NDA_CACHEINFO);
    if (ci) {
      // struct nda_cacheinfo { confirmed, used, updated, refcnt } in clock ticks.
      const hz = 100;
      const refcnt = ci.u32At(NDA_CI.refcnt);
      if (refcnt) p.any('refcnt', ' ref %u', refcnt);
      const used = Math.trunc(ci.u32At(NDA_CI.used) / hz);
      const confirmed = Math.trunc(ci.u32At(NDA_CI.confirmed) / hz);
      const updated = Math.trunc(ci.u32At(NDA_CI.updated) / hz);
      p.any('used', ' used %u', used).any('confirmed', '/%u', confirmed).any('updated', '/%u', updated);
    }
    const probes = tb.get(C.NDA_PROBES);
    if (probes) p.any('probes', 'probes %u ', probes.u32());
  }
  if (state) {
    p.openArray('state');
    for (const [bit, name] of NUD_STATE_NAMES) {
      if (state & bit) {
        state &= ~bit;
        p.any(null, '%s ', name);
      }
    }
    if (state) p.any(null, '%s ', '0x' + state.toString(16));
    p.close();
  }
  const proto = tb.get(C.NDA_PROTOCOL);
  if (proto) p.any('protocol', 'proto %s ', protoName(proto.u8()));
}

/** do_show_or_flush()'s words into `f`. */
async function parseFilter(ctx: IpContext, words: string[], f: NeighFilter, flush: boolean): Promise<void> {
  const args = new Args(words);
  let stateGiven = false;
  let dev: string | undefined;
  while (!args.done) {
    const w = args.next();
    if (w === 'dev') {
      const v = args.value();
      if (dev !== undefined) duparg('dev', v);
      dev = v;
    } else if (w === 'master') {
      const v = args.value();
      const idx = await ctx.nameIndex(v);
      if (!idx) invarg('Device does not exist\n', v);
      f.master = idx;
    } else if (w === 'vrf') {
      args.value();
      throw usage('Error: "vrf" is not supported by nlkit.');
    } else if (w === 'nomaster') f.master = -1;
    else if (w === 'unused') f.unusedOnly = true;
    else if (w === 'nud') {
      const v = args.value();
      if (!stateGiven) {
        stateGiven = true;
        f.state = 0;
      }
      let state = nudStateNumber(v);
      if (state === undefined) {
        if (v !== 'all') invarg('nud state is bad', v);
        state = ~0;
        if (flush) state &= ~C.NUD_NOARP;
      }
      if (state === 0) state = 0x100;
      f.state |= state;
    } else if (w === 'proxy') f.ndmFlags = C.NTF_PROXY;
    else if (matches(w, 'protocol')) {
      const v = args.value();
      let prot = protoNumber(v);
      if (prot === undefined) {
        if (v !== 'all') invarg('invalid "protocol"\n', v);
        prot = 0;
      }
      f.protocol = prot;
    } else {
      const v = w === 'to' ? args.value() : w;
      if (matches(v, 'help')) throw usage(NEIGH_USAGE);
      f.pfx = parsePrefix(v, f.family);
      if (f.family === AF_UNSPEC) f.family = f.pfx.family;
    }
  }
  await ctx.loadLinks();
  if (dev !== undefined) f.index = await ctx.device(dev);
}

function dumpRequest(ctx: IpContext, f: NeighFilter): Uint8Array {
  return ctx.build(C.RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, C.NDMSG_SIZE, (w, h) => {
    w.view.setUint8(h + NDM.ndm_family, f.family);
    w.view.setUint8(h + NDM.ndm_flags, f.ndmFlags);
    if (f.index) w.putU32(C.NDA_IFINDEX, f.index);
    if (f.master) w.putU32(C.NDA_MASTER, f.master >>> 0);
  });
}

function newFilter(ctx: IpContext, state: number): NeighFilter {
  return { family: ctx.options.family, index: 0, state, unusedOnly: false, master: 0, ndmFlags: 0, protocol: 0 };
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const f = newFilter(ctx, 0xff & ~C.NUD_NOARP);
  await parseFilter(ctx, words, f, false);
  await ctx.dump(dumpRequest(ctx, f), (m) => {
    if (!neighPasses(m, f)) return;
    const p = ctx.printer();
    printNeigh(ctx, p, m, f.index);
    ctx.listItem(p);
  });
  ctx.listEnd();
  return 0;
}

async function flush(ctx: IpContext, words: string[]): Promise<number> {
  if (words.length === 0) throw new CommandError('Flush requires arguments.', 1);
  const f = newFilter(ctx, ~(C.NUD_PERMANENT | C.NUD_NOARP));
  await parseFilter(ctx, words, f, true);
  for (let round = 0; round < 10; round++) {
    const victims: MessageView[] = [];
    await ctx.dump(dumpRequest(ctx, f), (m) => {
      if (neighPasses(m, f) && m.type === C.RTM_NEWNEIGH) victims.push(m);
    });
    if (victims.length === 0) return 0;
    for (const m of victims) {
      const copy = m.bytes.slice();
      const dv = new DataView(copy.buffer);
      dv.setUint16(4, C.RTM_DELNEIGH, true);
      dv.setUint16(6, NLM_F_REQUEST | NLM_F_ACK, true);
      try {
        await ctx.request(copy);
      } catch (err) {
        if (!(err instanceof NetlinkError && err.code === 'ENOENT')) throw err;
      }
    }
  }
  return 0;
}

async function modify(ctx: IpContext, type: number, flags: number, words: string[]): Promise<number> {
  const args = new Args(words);
  // ipneigh_modify()'s request as it fills it.
  let dst: InetAddr | undefined;
  let dev: string | undefined;
  let devOk = false;
  let lla: string | undefined;
  let state = C.NUD_PERMANENT;
  let ndmFlags = 0;
  let extFlags = 0;
  let protocol: number | undefined;
  const family = ctx.options.family;
  while (!args.done) {
    const w = args.next();
    if (matches(w, 'lladdr')) {
      const v = args.value();
      if (lla !== undefined) duparg('lladdr', v);
      lla = v;
    } else if (w === 'nud') {
      const v = args.value();
      const s = nudStateNumber(v);
      if (s === undefined) invarg('nud state is bad', v);
      state = s;
    } else if (matches(w, 'proxy')) {
      const v = args.value();
      if (matches(v, 'help')) throw usage(NEIGH_USAGE);
      if (dst) duparg('address', v);
      dst = parseAddr(v, family);
      devOk = true;
      ndmFlags |= C.NTF_PROXY;
    } else if (w === 'router') ndmFlags |= C.NTF_ROUTER;
    else if (w === 'use') ndmFlags |= C.NTF_USE;
    else if (w === 'managed') {
      extFlags |= C.NTF_EXT_MANAGED;
      state = 0;
    } else if (matches(w, 'extern_learn')) ndmFlags |= C.NTF_EXT_LEARNED;
    else if (w === 'dev') {
      dev = args.value();
      devOk = true;
    } else if (matches(w, 'protocol')) {
      const v = args.value();
      const p = protoNumber(v);
      if (p === undefined) invarg('"protocol" value is invalid\n', v);
      protocol = p;
    } else {
      let v = w === 'to' ? args.value() : w;
      // ip reads the word after "help" as the address.
      if (matches(v, 'help')) v = args.value();
      if (dst) duparg2('to', v);
      dst = parseAddr(v, family);
    }
  }
  if (!devOk || !dst || dst.family === AF_UNSPEC) throw usage('Device and destination are required arguments.');
  const ll = lla !== undefined && lla !== 'null' ? parseLladdr(lla, 20) : undefined;
  await ctx.loadLinks();
  const index = dev !== undefined ? await ctx.device(dev) : 0;
  const bytes = ctx.build(type, NLM_F_REQUEST | NLM_F_ACK | flags, C.NDMSG_SIZE, (w, h) => {
    w.view.setUint8(h + NDM.ndm_family, dst!.family);
    w.view.setInt32(h + NDM.ndm_ifindex, index, true);
    w.view.setUint16(h + NDM.ndm_state, state, true);
    w.view.setUint8(h + NDM.ndm_flags, ndmFlags);
    if (protocol !== undefined) w.putU8(C.NDA_PROTOCOL, protocol);
    w.putBinary(C.NDA_DST, dst!.bytes);
    if (extFlags) w.putU32(C.NDA_FLAGS_EXT, extFlags);
    if (ll) w.putBinary(C.NDA_LLADDR, ll);
  });
  try {
    await ctx.request(bytes);
  } catch (err) {
    // ipneigh_modify() ends with exit(2) when the kernel refuses.
    if (err instanceof NetlinkError) {
      const { kernelErrorText } = await import('./index.js');
      throw new CommandError(kernelErrorText(err), 2);
    }
    throw err;
  }
  return 0;
}

async function get(ctx: IpContext, words: string[]): Promise<number> {
  const args = new Args(words);
  let dst: InetAddr | undefined;
  let dev: string | undefined;
  let devOk = false;
  let ndmFlags = 0;
  const family = ctx.options.family;
  while (!args.done) {
    const w = args.next();
    if (w === 'dev') {
      dev = args.value();
      devOk = true;
    } else if (matches(w, 'proxy')) {
      const v = args.value();
      if (matches(v, 'help')) throw usage(NEIGH_USAGE);
      if (dst) duparg('address', v);
      dst = parseAddr(v, family);
      devOk = true;
      ndmFlags |= C.NTF_PROXY;
    } else {
      const v = w === 'to' ? args.value() : w;
      if (matches(v, 'help')) throw usage(NEIGH_USAGE);
      if (dst) duparg2('to', v);
      dst = parseAddr(v, family);
    }
  }
  if (!devOk || !dst || dst.family === AF_UNSPEC) throw new CommandError('Device and address are required arguments.', 1);
  await ctx.loadLinks();
  let index = 0;
  if (dev !== undefined) {
    index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
  }
  const bytes = ctx.build(C.RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_ACK, C.NDMSG_SIZE, (w, h) => {
    w.view.setUint8(h + NDM.ndm_family, dst!.family);
    w.view.setInt32(h + NDM.ndm_ifindex, index, true);
    w.view.setUint8(h + NDM.ndm_flags, ndmFlags);
    w.putBinary(C.NDA_DST, dst!.bytes);
  });
  for (const m of await ctx.request(bytes)) {
    if (m.type !== C.RTM_NEWNEIGH) continue;
    const p = ctx.printer();
    printNeigh(ctx, p, m, 0);
    ctx.listItem(p);
  }
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit neighbour ...`. */
export async function runNeigh(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, C.RTM_NEWNEIGH, NLM_F_REPLACE, rest);
  if (matches(cmd, 'replace')) return modify(ctx, C.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELNEIGH, 0, rest);
  if (matches(cmd, 'get')) return get(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  if (matches(cmd, 'help')) throw usage(NEIGH_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip neigh help".`);
}
