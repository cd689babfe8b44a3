// `nlkit neighbour`: show, add, change, replace, delete, flush (ip/ipneigh.c).
import type { MessageView } from '../../core/message.js';
import * as C from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import { Args, invarg, matches, parseLladdr, parsePrefix, parseUnsigned, type InetAddr } from './args.js';
import { Header, addrText, llAddrText, messageAttrs } from './attrs.js';
import { usage, type IpContext } from './context.js';
import { NUD_STATES, nudStateNumber, protoName } from './names.js';
import { Printer } from './printer.js';

const NUD_NOARP = 0x40;
const NUD_PERMANENT = 0x80;
const NTF_PROXY = 0x08;
const NTF_ROUTER = 0x80;
const NTF_EXT_LEARNED = 0x10;
const NTF_OFFLOADED = 0x20;

/** What `neigh show` / `flush` select. */
interface NeighFilter {
  family: number;
  index: number;
  state: number;
  pfx?: InetAddr;
  unusedOnly: boolean;
}

function neighPasses(m: MessageView, f: NeighFilter): boolean {
  if (m.type !== C.RTM_NEWNEIGH && m.type !== C.RTM_DELNEIGH && m.type !== C.RTM_GETNEIGH) return false;
  const h = new Header(m);
  const family = h.u8(0);
  const index = h.s32(4);
  const state = h.u16(8);
  const flags = h.u8(10);
  if (f.family && f.family !== family) return false;
  if (f.index && f.index !== index) return false;
  if (!(f.state & state) && !(flags & NTF_PROXY) && !(flags & NTF_EXT_LEARNED) && (state || !(f.state & 0x100))) return false;
  if (f.pfx && f.pfx.family) {
    const dst = messageAttrs(m, C.NDMSG_SIZE).get(C.NDA_DST)?.bytes;
    if (!dst || dst.length !== f.pfx.bytes.length) return false;
    for (let i = 0; i < f.pfx.bitlen; i++) {
      const mask = 0x80 >> (i & 7);
      if ((dst[i >> 3]! & mask) !== (f.pfx.bytes[i >> 3]! & mask)) return false;
    }
  }
  return true;
}

/** print_neigh: one neighbour into `p`. `filterIndex`: the listing is for one device. */
export function printNeigh(ctx: IpContext, p: Printer, m: MessageView, filterIndex = 0): void {
  const h = new Header(m);
  let family = h.u8(0);
  const index = h.s32(4);
  let state = h.u16(8);
  const flags = h.u8(10);
  const tb = messageAttrs(m, C.NDMSG_SIZE);
  if (m.type === C.RTM_DELNEIGH) p.bool('deleted', 'Deleted ', true);
  else if (m.type === C.RTM_GETNEIGH) p.null('miss').fp('miss ');
  const dst = tb.get(C.NDA_DST);
  if (dst) {
    if (family === C.AF_BRIDGE) family = dst.length === 16 ? C.AF_INET6 : C.AF_INET;
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
  if (flags & NTF_ROUTER) p.null('router').fp('router ');
  if (flags & NTF_PROXY) p.null('proxy').fp('proxy ');
  if (flags & NTF_EXT_LEARNED) p.null('extern_learn').fp('extern_learn ');
  if (flags & NTF_OFFLOADED) p.null('offload').fp('offload ');
  if (ctx.options.stats) {
    const ci = tb.get(C.NDA_CACHEINFO);
    if (ci) {
      // struct nda_cacheinfo { confirmed, used, updated, refcnt } in clock ticks.
      const hz = 100;
      const refcnt = ci.u32At(12);
      if (refcnt) p.any('refcnt', ' ref %u', refcnt);
      const used = Math.trunc(ci.u32At(4) / hz);
      const confirmed = Math.trunc(ci.u32At(0) / hz);
      const updated = Math.trunc(ci.u32At(8) / hz);
      p.any('used', ' used %u', used).any('confirmed', '/%u', confirmed).any('updated', '/%u', updated);
    }
    const probes = tb.get(C.NDA_PROBES);
    if (probes) p.any('probes', 'probes %u ', probes.u32());
  }
  if (state) {
    p.openArray('state');
    for (const [bit, name] of NUD_STATES) {
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

async function parseFilter(ctx: IpContext, words: string[], f: NeighFilter): Promise<void> {
  const args = new Args(words);
  let stateSet = false;
  while (!args.done) {
    const w = args.next();
    if (w === 'dev') f.index = await ctx.device(args.value());
    else if (w === 'unused') f.unusedOnly = true;
    else if (w === 'nud') {
      const v = args.value();
      if (!stateSet) {
        f.state = 0;
        stateSet = true;
      }
      if (v === 'all') f.state = ~0;
      else {
        const s = nudStateNumber(v);
        if (s === undefined) invarg('nud state is bad', v);
        f.state |= s === 0 ? 0x100 : s;
      }
    } else if (w === 'proxy' || w === 'master' || w === 'vrf') {
      throw usage(`Error: "${w}" is not supported by nlkit.`);
    } else {
      const v = w === 'to' ? args.value() : w;
      f.pfx = parsePrefix(v, f.family);
      if (f.family === C.AF_UNSPEC) f.family = f.pfx.family;
    }
  }
}

function dumpRequest(ctx: IpContext, f: NeighFilter): Uint8Array {
  return ctx.build(C.RTM_GETNEIGH, C.NLM_F_REQUEST | C.NLM_F_DUMP, C.NDMSG_SIZE, (w, h) => {
    w.view.setUint8(h, f.family);
    if (f.index) w.putU32(C.NDA_IFINDEX, f.index);
  });
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const f: NeighFilter = { family: ctx.options.family, index: 0, state: 0xff & ~NUD_NOARP, unusedOnly: false };
  await ctx.loadLinks();
  await parseFilter(ctx, words, f);
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
  if (words.length === 0) throw usage('Flush requires arguments.');
  const f: NeighFilter = { family: ctx.options.family, index: 0, state: ~(NUD_PERMANENT | NUD_NOARP), unusedOnly: false };
  await ctx.loadLinks();
  await parseFilter(ctx, words, f);
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
      dv.setUint16(6, C.NLM_F_REQUEST | C.NLM_F_ACK, true);
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
  let dst: InetAddr | undefined;
  let dev: string | undefined;
  let lladdr: Uint8Array | null | undefined;
  let state = NUD_PERMANENT;
  let ndmFlags = 0;
  let protocol: number | undefined;
  const family = ctx.options.family;
  while (!args.done) {
    const w = args.next();
    if (w === 'lladdr') {
      const v = args.value();
      if (lladdr !== undefined) throw usage(`Error: duplicate "lladdr": "${v}" is the second value.`);
      lladdr = v === 'null' ? null : parseLladdr(v);
    } else if (w === 'nud') {
      const v = args.value();
      const s = nudStateNumber(v);
      if (s === undefined) invarg('nud state is bad', v);
      state = s;
    } else if (w === 'proxy') {
      ndmFlags |= NTF_PROXY;
    } else if (w === 'router') ndmFlags |= NTF_ROUTER;
    else if (w === 'extern_learn') ndmFlags |= NTF_EXT_LEARNED;
    else if (w === 'dev') dev = args.value();
    else if (w === 'protocol') {
      protocol = parseUnsigned(args.value(), 'protocol', 255);
    } else if (w === 'help') {
      throw usage('Usage: ip neigh { add | del | change | replace } { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR } [ dev DEV ]');
    } else {
      const v = w === 'to' ? args.value() : w;
      if (dst) throw usage(`Error: either "to" is duplicate, or "${v}" is a garbage.`);
      dst = parsePrefix(v, family);
    }
  }
  if (dev === undefined || !dst || !dst.family) throw usage('Device and destination are required arguments.');
  await ctx.loadLinks();
  const index = await ctx.device(dev);
  const bytes = ctx.build(type, C.NLM_F_REQUEST | C.NLM_F_ACK | flags, C.NDMSG_SIZE, (w, h) => {
    w.view.setUint8(h, dst!.family);
    w.view.setInt32(h + 4, index, true);
    w.view.setUint16(h + 8, state, true);
    w.view.setUint8(h + 10, ndmFlags);
    w.putBinary(C.NDA_DST, dst!.bytes);
    if (lladdr) w.putBinary(C.NDA_LLADDR, lladdr);
    if (protocol !== undefined) w.putU8(C.NDA_PROTOCOL, protocol);
  });
  await ctx.request(bytes);
  return 0;
}

/** Runs `nlkit neighbour ...`. */
export async function runNeigh(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWNEIGH, C.NLM_F_CREATE | C.NLM_F_EXCL, rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, C.RTM_NEWNEIGH, C.NLM_F_REPLACE, rest);
  if (matches(cmd, 'replace')) return modify(ctx, C.RTM_NEWNEIGH, C.NLM_F_CREATE | C.NLM_F_REPLACE, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELNEIGH, 0, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return show(ctx, rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  throw usage(`Command "${cmd}" is unknown, try "ip neigh help".`);
}
