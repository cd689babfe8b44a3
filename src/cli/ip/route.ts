// `nlkit route`: show/list, add, change, replace, append, prepend, delete,
// get, flush (ip/iproute.c: print_route, iproute_modify, iproute_get,
// iproute_list_flush_or_save).
import type { MessageView } from '../../core/message.js';
import type { MessageWriter } from '../../core/writer.js';
import * as C from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import { Args, invarg, matches, parseAddr, parsePrefix, parseUnsigned, type InetAddr } from './args.js';
import { Attr, Header, addrText, messageAttrs, parseAttrs } from './attrs.js';
import { CommandError, usage, type IpContext } from './context.js';
import { kernelErrorText } from './index.js';
import { RTA_ENCAP, RTA_ENCAP_TYPE, parseEncap, printEncap, type Encap } from './encap.js';
import { familyName } from './address.js';
import { protoName, protoNumber, rtnTypeName, rtnTypeNumber, scopeName, scopeNumber, tableName, tableNumber, RTN_NAMES } from './names.js';
import { Printer } from './printer.js';

const RTM_F_NOTIFY = 0x100;
const RTM_F_CLONED = 0x200;
const RTM_F_LOOKUP_TABLE = 0x1000;
const RTM_F_FIB_MATCH = 0x2000;
const RTM_F_OFFLOAD = 0x4000;
const RTM_F_TRAP = 0x8000;
const RTM_F_OFFLOAD_FAILED = 0x20000000;
const RTNH_F_ONLINK = 4;

const RT_FLAGS: readonly (readonly [number, string])[] = [
  [1, 'dead'],
  [RTNH_F_ONLINK, 'onlink'],
  [2, 'pervasive'],
  [8, 'offload'],
  [64, 'trap'],
  [RTM_F_NOTIFY, 'notify'],
  [16, 'linkdown'],
  [32, 'unresolved'],
  [RTM_F_OFFLOAD, 'rt_offload'],
  [RTM_F_TRAP, 'rt_trap'],
  [RTM_F_OFFLOAD_FAILED, 'rt_offload_failed'],
];

const CACHE_FLAGS: readonly (readonly [number, string])[] = [
  [0x80000000, 'local'],
  [0x40000000, 'reject'],
  [0x20000000, 'multicast'],
  [0x10000000, 'broadcast'],
  [0x08000000, 'dst-nat'],
  [0x00800000, 'src-nat'],
  [0x00400000, 'masq'],
  [0x00020000, 'dst-direct'],
  [0x04000000, 'src-direct'],
  [0x00040000, 'redirected'],
  [0x01000000, 'redirect'],
  [0x00200000, 'fastroute'],
  [0x00010000, 'notify'],
  [0x00080000, 'proxy'],
];

// RTAX_* metric names as ip prints them (mx_names).
const METRIC_NAMES: Record<number, string> = {
  2: 'mtu',
  3: 'window',
  4: 'rtt',
  5: 'rttvar',
  6: 'ssthresh',
  7: 'cwnd',
  8: 'advmss',
  9: 'reordering',
  10: 'hoplimit',
  11: 'initcwnd',
  12: 'features',
  13: 'rto_min',
  14: 'initrwnd',
  15: 'quickack',
  16: 'congctl',
  17: 'fastopen_no_cookie',
};

const RT_FLAG_BITS = RT_FLAGS.reduce((all, [bit]) => all | bit, 0);

function printRtFlags(p: Printer, flags: number): void {
  p.openArray('flags');
  if (flags & RT_FLAG_BITS) for (const [bit, name] of RT_FLAGS) if (flags & bit) p.any(null, '%s ', name);
  p.close();
}

function printCacheFlags(p: Printer, flags: number): void {
  flags &= ~0xffff;
  if (p.json) {
    p.openArray('cache');
    for (const [bit, name] of CACHE_FLAGS) {
      if (flags & bit) {
        flags &= ~bit;
        p.jsonOnly(null, name);
      }
    }
    if (flags) p.jsonOnly(null, '0x' + (flags >>> 0).toString(16));
    p.close();
    return;
  }
  p.fp('\n    cache ');
  if (flags === 0) return;
  const names: string[] = [];
  for (const [bit, name] of CACHE_FLAGS) {
    if (flags & bit) {
      flags &= ~bit;
      names.push(name);
    }
  }
  if (flags) names.push('0x' + (flags >>> 0).toString(16));
  p.fp(`<${names.join(',')}> `);
}

function printGateway(p: Printer, family: number, a: Attr): void {
  const gw = addrText(a, family);
  if (p.json) p.jsonOnly('gateway', gw);
  else p.fp(`via ${gw} `);
}

function printVia(p: Printer, a: Attr): void {
  // struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; }
  const family = a.u16();
  const b = a.bytes.subarray(2);
  const host = family === C.AF_INET && b.length >= 4 ? addrText(new Attr(0, b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, 4, false), C.AF_INET) : family === C.AF_INET6 && b.length >= 16 ? addrText(new Attr(0, b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, 16, false), C.AF_INET6) : '???';
  if (p.json) {
    p.open('via');
    p.jsonOnly('family', familyName(family));
    p.jsonOnly('host', host);
    p.close();
  } else p.fp(`via ${familyName(family)} ${host} `);
}

function printMetrics(p: Printer, a: Attr): void {
  const mx = a.nest();
  const lock = mx.get(1)?.u32() ?? 0;
  p.openArray('metrics');
  p.open(null);
  for (let i = 2; i <= 17; i++) {
    const x = mx.get(i);
    if (!x && !(lock & (1 << i))) continue;
    let val = 0;
    if (x && i !== 16) val = x.u32();
    if (i === 10 && val === 0xffffffff) continue;
    const name = METRIC_NAMES[i] ?? `metric ${i}`;
    if (!p.json) {
      p.fp(`${name} `);
      if (lock & (1 << i)) p.fp('lock ');
    }
    if (i === 16) p.jsonOnly(name, x?.str() ?? '').fpf('%s ', x?.str() ?? '');
    else if (i === 12) {
      // RTAX_FEATURES: ecn is the only named bit.
      if (val & 1) {
        p.openArray('features');
        p.any(null, '%s ', 'ecn');
        p.close();
      } else p.any(name, '0x%x ', val);
    } else if (i === 4 || i === 5 || i === 13) {
      // rtt is kept in 1/8 ms, rttvar in 1/4 ms, rto_min in ms.
      const ms = i === 4 ? val / 8 : i === 5 ? val / 4 : val;
      if (p.json) p.jsonOnly(name, ms);
      else p.fp(ms >= 1000 ? `${ms / 1000}s ` : `${ms}ms `);
    } else p.any(name, '%u ', val);
  }
  p.close();
  p.close();
}

function printMultipath(ctx: IpContext, p: Printer, family: number, a: Attr): void {
  p.openArray('nexthops');
  let off = a.offset;
  const end = a.offset + a.length;
  const dv = a.dv;
  while (end - off >= 8) {
    const len = dv.getUint16(off, true);
    const flags = dv.getUint8(off + 2);
    const hops = dv.getUint8(off + 3);
    const ifindex = dv.getInt32(off + 4, true);
    if (len > end - off || len < 8) break;
    p.fp('\n\tnexthop ');
    p.open(null);
    if (len > 8) {
      const tb = parseAttrs(a.buffer, off + 8, off + len, dv);
      const encap = tb.get(RTA_ENCAP);
      if (encap) printEncap(p, tb.get(RTA_ENCAP_TYPE), encap);
      const gw = tb.get(C.RTA_GATEWAY);
      if (gw) printGateway(p, family, gw);
      const via = tb.get(C.RTA_VIA);
      if (via) printVia(p, via);
    }
    p.any('dev', 'dev %s ', ctx.indexName(ifindex));
    p.any('weight', 'weight %d ', hops + 1);
    printRtFlags(p, flags);
    p.close();
    off += (len + 3) & ~3;
  }
  p.close();
}

/** What `route show` / `flush` select. */
export interface RouteFilter {
  family: number;
  /** 0: all tables. */
  tb: number;
  protocol?: number;
  scope?: number;
  typeMask: number;
  /** `to`/bare prefix: match routes inside it (root) or containing it (match) or exactly it. */
  rdst?: InetAddr & { mode: 'root' | 'match' | 'exact' };
  src?: InetAddr;
  via?: InetAddr;
  prefsrc?: InetAddr;
  oif?: number;
  iif?: number;
  metric?: number;
  cloned: boolean;
  tosMask?: number;
}

function addrMatch(prefix: InetAddr, bytes: Uint8Array | undefined, bits: number): boolean {
  const b = bytes ?? new Uint8Array(prefix.bytes.length);
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((prefix.bytes[byte] ?? 0) & mask) !== ((b[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** filter_nlmsg: true when the route passes the filter. */
export function routePasses(m: MessageView, f: RouteFilter): boolean {
  const dv = m.dv;
  const at = m.offset + 16;
  const family = dv.getUint8(at);
  const dstLen = dv.getUint8(at + 1);
  const flags = dv.getUint32(at + 8, true);
  const tb = messageAttrs(m, C.RTMSG_SIZE);
  const table = tb.get(C.RTA_TABLE)?.u32() ?? dv.getUint8(at + 4);
  if (f.cloned !== ((flags & RTM_F_CLONED) !== 0)) return false;
  if (f.family && family !== f.family) return false;
  if (f.tb > 0 && f.tb !== table) return false;
  if (f.protocol !== undefined && f.protocol !== dv.getUint8(at + 5)) return false;
  if (f.scope !== undefined && f.scope !== dv.getUint8(at + 6)) return false;
  if (f.typeMask && !(f.typeMask & (1 << dv.getUint8(at + 7)))) return false;
  if (f.rdst) {
    const d = f.rdst;
    if (d.family && family !== d.family) return false;
    const dst = tb.get(C.RTA_DST)?.bytes;
    if (d.mode === 'root') {
      if (d.bitlen > dstLen) return false;
      if (!addrMatch(d, dst, d.bitlen)) return false;
    } else if (d.mode === 'match') {
      if (dstLen > d.bitlen) return false;
      if (!addrMatch(d, dst, dstLen)) return false;
    } else {
      if (dstLen !== d.bitlen) return false;
      if (!addrMatch(d, dst, d.bitlen)) return false;
    }
  }
  if (f.via) {
    const gw = tb.get(C.RTA_GATEWAY)?.bytes;
    if (!gw || !addrMatch(f.via, gw, f.via.bitlen < 0 ? gw.length * 8 : f.via.bitlen)) return false;
  }
  if (f.prefsrc) {
    const ps = tb.get(C.RTA_PREFSRC)?.bytes;
    if (!ps || !addrMatch(f.prefsrc, ps, f.prefsrc.bitlen < 0 ? ps.length * 8 : f.prefsrc.bitlen)) return false;
  }
  if (f.src) {
    const s = tb.get(C.RTA_SRC)?.bytes;
    if (!addrMatch(f.src, s, f.src.bitlen < 0 ? f.src.bytes.length * 8 : f.src.bitlen)) return false;
  }
  if (f.oif !== undefined) {
    let oif = tb.get(C.RTA_OIF)?.u32();
    const mp = tb.get(C.RTA_MULTIPATH);
    if (oif === undefined && mp && mp.length >= 8) oif = mp.dv.getInt32(mp.offset + 4, true);
    if (oif !== f.oif) return false;
  }
  if (f.iif !== undefined && tb.get(C.RTA_IIF)?.u32() !== f.iif) return false;
  if (f.metric !== undefined && (tb.get(C.RTA_PRIORITY)?.u32() ?? 0) !== f.metric) return false;
  return true;
}

/** print_route: one route into `p`. `f` is the listing's filter (what it fixes is not printed again). */
export function printRoute(ctx: IpContext, p: Printer, m: MessageView, f: Partial<RouteFilter> & { tb: number }): void {
  const dv = m.dv;
  const at = m.offset + 16;
  const family = dv.getUint8(at);
  const dstLen = dv.getUint8(at + 1);
  const srcLen = dv.getUint8(at + 2);
  const tos = dv.getUint8(at + 3);
  const protocol = dv.getUint8(at + 5);
  const scope = dv.getUint8(at + 6);
  const type = dv.getUint8(at + 7);
  const flags = dv.getUint32(at + 8, true);
  const tb = messageAttrs(m, C.RTMSG_SIZE);
  const hostLen = family === C.AF_INET6 ? 128 : family === C.AF_INET ? 32 : -1;
  const table = tb.get(C.RTA_TABLE)?.u32() ?? dv.getUint8(at + 4);
  const details = ctx.options.details;
  let a: Attr | undefined;
  if (m.type === C.RTM_DELROUTE) p.bool('deleted', 'Deleted ', true);
  if ((type !== C.RTN_UNICAST || details > 0) && (!f.typeMask || f.typeMask & (1 << type))) p.any('type', '%s ', rtnTypeName(type));
  if ((a = tb.get(C.RTA_DST))) {
    const text = addrText(a, family);
    p.any('dst', '%s ', dstLen !== hostLen ? `${text}/${dstLen}` : text);
  } else if (dstLen) p.any('dst', '%s ', `0/${dstLen}`);
  else p.any('dst', '%s ', 'default');
  if ((a = tb.get(C.RTA_SRC))) {
    const text = addrText(a, family);
    p.any('from', 'from %s ', srcLen !== hostLen ? `${text}/${srcLen}` : text);
  } else if (srcLen) p.any('from', 'from %s ', `0/${srcLen}`);
  if ((a = tb.get(C.RTA_NH_ID))) p.any('nhid', 'nhid %u ', a.u32());
  if ((a = tb.get(RTA_ENCAP))) printEncap(p, tb.get(RTA_ENCAP_TYPE), a);
  if (tos && f.tosMask !== -1) p.any('tos', 'tos %s ', '0x' + tos.toString(16).padStart(2, '0'));
  if ((a = tb.get(C.RTA_GATEWAY)) && !(f.via && f.via.bitlen === hostLen)) printGateway(p, family, a);
  if ((a = tb.get(C.RTA_VIA))) printVia(p, a);
  if ((a = tb.get(C.RTA_OIF)) && f.oif === undefined) p.any('dev', 'dev %s ', ctx.indexName(a.u32()));
  if (table && (table !== C.RT_TABLE_MAIN || details > 0) && !f.tb) p.any('table', 'table %s ', tableName(table));
  if (!(flags & RTM_F_CLONED)) {
    if ((protocol !== C.RTPROT_BOOT || details > 0) && f.protocol === undefined) p.any('protocol', 'proto %s ', protoName(protocol));
    if ((scope !== C.RT_SCOPE_UNIVERSE || details > 0) && f.scope === undefined) p.any('scope', 'scope %s ', scopeName(scope));
  }
  if ((a = tb.get(C.RTA_PREFSRC)) && !(f.prefsrc && f.prefsrc.bitlen === hostLen)) p.any('prefsrc', 'src %s ', addrText(a, family));
  if ((a = tb.get(C.RTA_PRIORITY)) && f.metric === undefined) p.any('metric', 'metric %u ', a.u32());
  printRtFlags(p, flags);
  if ((a = tb.get(C.RTA_MARK))) {
    const mark = a.u32();
    if (mark) {
      if (p.json) p.jsonOnly('mark', mark);
      else p.fp(mark >= 16 ? `mark 0x${mark.toString(16)} ` : `mark ${mark} `);
    }
  }
  if ((a = tb.get(C.RTA_FLOW))) {
    const v = a.u32();
    const to = v & 0xffff;
    const from = v >>> 16;
    if (p.json) {
      p.open('flow');
      if (from) p.jsonOnly('from', String(from));
      p.jsonOnly('to', String(to));
      p.close();
    } else p.fp(from ? `realms ${from}/${to} ` : `realm ${to} `);
  }
  if ((a = tb.get(C.RTA_UID))) p.any('uid', 'uid %u ', a.u32());
  if (family === C.AF_INET && flags & RTM_F_CLONED) printCacheFlags(p, flags);
  if ((family === C.AF_INET || family === C.AF_INET6) && (a = tb.get(C.RTA_CACHEINFO))) {
    // struct rta_cacheinfo { clntref, lastuse, expires (s32), error, used, id, ts, tsage }
    const expires = a.dv.getInt32(a.offset + 8, true);
    if (expires !== 0) p.any('expires', 'expires %dsec ', Math.trunc(expires / 100));
    const error = a.u32At(12);
    if (error) p.any('error', 'error %u ', error);
    if (ctx.options.stats) {
      if (a.u32At(0)) p.any('users', 'users %u ', a.u32At(0));
      if (a.u32At(16)) p.any('used', 'used %u ', a.u32At(16));
      if (a.u32At(4)) p.any('age', 'age %usec ', Math.trunc(a.u32At(4) / 100));
    }
    if (a.u32At(20)) p.any('ipid', 'ipid %s ', '0x' + a.u32At(20).toString(16).padStart(4, '0'));
  }
  if ((a = tb.get(C.RTA_METRICS))) printMetrics(p, a);
  if ((a = tb.get(C.RTA_IIF)) && f.iif === undefined) p.any('iif', 'iif %s ', ctx.indexName(a.u32()));
  if ((a = tb.get(C.RTA_PREF))) {
    const pref = a.u8();
    p.any('pref', 'pref %s', pref === 3 ? 'low' : pref === 0 ? 'medium' : pref === 1 ? 'high' : String(pref));
  }
  if ((a = tb.get(C.RTA_TTL_PROPAGATE))) {
    const on = a.u8() !== 0;
    if (p.json) p.jsonOnly('ttl-propagate', on ? 'enabled' : 'disabled');
    else p.fp(`ttl-propagate ${on ? 'enabled' : 'disabled'}`);
  }
  if ((a = tb.get(C.RTA_MULTIPATH))) printMultipath(ctx, p, family, a);
}


function newFilter(ctx: IpContext): RouteFilter {
  return { family: ctx.options.family, tb: C.RT_TABLE_MAIN, typeMask: 0, cloned: false };
}

async function parseFilter(ctx: IpContext, words: string[], f: RouteFilter): Promise<void> {
  const args = new Args(words);
  while (!args.done) {
    const w = args.next();
    if (w === 'table') {
      const v = args.value();
      if (v === 'all') f.tb = 0;
      else if (v === 'cache') f.cloned = true;
      else {
        const t = tableNumber(v);
        if (t === undefined) invarg('table id value is invalid\n', v);
        f.tb = t;
      }
    } else if (w === 'vrf') {
      throw usage('Error: "vrf" is not supported by nlkit.');
    } else if (w === 'cached' || w === 'cloned') f.cloned = true;
    else if (w === 'tos' || w === 'dsfield') {
      f.tosMask = 0xff;
      args.value();
    } else if (w === 'protocol' || w === 'proto') {
      const v = args.value();
      if (v === 'all') continue;
      const n = protoNumber(v);
      if (n === undefined) invarg('invalid "protocol"\n', v);
      f.protocol = n;
    } else if (w === 'scope') {
      const v = args.value();
      if (v === 'all') continue;
      const n = scopeNumber(v);
      if (n === undefined) invarg('invalid "scope"\n', v);
      f.scope = n;
    } else if (w === 'type') {
      const v = args.value();
      const n = rtnTypeNumber(v);
      if (n === undefined) invarg('node type value is invalid\n', v);
      f.typeMask |= 1 << n;
    } else if (w === 'dev' || w === 'oif') {
      f.oif = await ctx.device(args.value());
    } else if (w === 'iif') {
      f.iif = await ctx.device(args.value());
    } else if (w === 'via') {
      let v = args.value();
      let fam = f.family;
      if (v === 'inet' || v === 'inet6') {
        fam = v === 'inet' ? C.AF_INET : C.AF_INET6;
        v = args.value();
      }
      f.via = parsePrefix(v, fam);
    } else if (w === 'src') {
      f.prefsrc = parsePrefix(args.value(), f.family);
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      f.metric = parseUnsigned(args.value(), 'metric');
    } else if (w === 'from') {
      let v = args.value();
      if (v === 'root' || v === 'match' || v === 'exact') v = args.value();
      f.src = parsePrefix(v, f.family);
    } else {
      let v = w;
      let mode: 'root' | 'match' | 'exact' = 'exact';
      if (w === 'to') v = args.value();
      if (v === 'root' || v === 'match' || v === 'exact') {
        mode = v;
        v = args.value();
      }
      const pfx = parsePrefix(v, f.family);
      if (pfx.any && mode === 'exact') {
        // "default": dst_len 0.
        f.rdst = { ...pfx, family: f.family, bytes: new Uint8Array(pfx.family === C.AF_INET6 ? 16 : 4), bitlen: 0, mode: 'exact' };
      } else f.rdst = { ...pfx, mode };
      if (f.family === C.AF_UNSPEC) f.family = pfx.family;
    }
  }
  // ip shows one family at a time unless every table is asked for.
  if (f.family === C.AF_UNSPEC && f.tb) f.family = C.AF_INET;
}

function dumpRequest(ctx: IpContext, f: RouteFilter): Uint8Array {
  return ctx.build(C.RTM_GETROUTE, C.NLM_F_REQUEST | C.NLM_F_DUMP, C.RTMSG_SIZE, (w, h) => {
    w.view.setUint8(h, f.family);
    if (f.cloned) w.view.setUint32(h + 8, RTM_F_CLONED, true);
    if (f.tb) w.putU32(C.RTA_TABLE, f.tb);
    if (f.oif !== undefined) w.putU32(C.RTA_OIF, f.oif);
  });
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const f = newFilter(ctx);
  await ctx.loadLinks();
  await parseFilter(ctx, words, f);
  try {
    await ctx.dump(dumpRequest(ctx, f), (m) => {
      if (!routePasses(m, f)) return;
      const p = ctx.printer();
      printRoute(ctx, p, m, f);
      ctx.listItem(p);
    });
  } catch (err) {
    // A namespace whose main table was never made (lo down, no route yet)
    // answers ENOENT; ip lists that as empty (save_route_errhndlr). Any other
    // table that does not exist is an error, as in ip.
    if (!(err instanceof NetlinkError)) throw err;
    if (!(err.code === 'ENOENT' && f.tb === C.RT_TABLE_MAIN)) throw new CommandError(`${kernelErrorText(err)}Dump terminated`, 2);
  }
  ctx.listEnd();
  return 0;
}

async function flush(ctx: IpContext, words: string[]): Promise<number> {
  if (words.length === 0) throw usage('"ip route flush" requires arguments.');
  const f = newFilter(ctx);
  await ctx.loadLinks();
  await parseFilter(ctx, words, f);
  for (let round = 0; round < 10; round++) {
    const victims: MessageView[] = [];
    await ctx.dump(dumpRequest(ctx, f), (m) => {
      if (!routePasses(m, f)) return;
      const h = new Header(m);
      // ip's flush leaves the IPv6 "unreachable default" placeholder alone.
      const tb = messageAttrs(m, C.RTMSG_SIZE);
      if (h.u8(0) === C.AF_INET6 && h.u8(1) === 0 && h.u8(7) === C.RTN_UNREACHABLE && tb.get(C.RTA_PRIORITY)?.u32() === 0xffffffff) return;
      victims.push(m);
    });
    if (victims.length === 0) return 0;
    for (const m of victims) {
      const copy = m.bytes.slice();
      const dv = new DataView(copy.buffer);
      dv.setUint16(4, C.RTM_DELROUTE, true);
      dv.setUint16(6, C.NLM_F_REQUEST | C.NLM_F_ACK, true);
      try {
        await ctx.request(copy);
      } catch (err) {
        if (!(err instanceof NetlinkError && err.code === 'ESRCH')) throw err;
      }
    }
  }
  throw new CommandError('*** Flush remains incomplete after 10 rounds. ***', 1);
}

const METRIC_KEYWORDS: Record<string, number> = {
  mtu: 2,
  window: 3,
  rtt: 4,
  rttvar: 5,
  ssthresh: 6,
  cwnd: 7,
  advmss: 8,
  reordering: 9,
  hoplimit: 10,
  initcwnd: 11,
  rto_min: 13,
  initrwnd: 14,
  quickack: 15,
  fastopen_no_cookie: 17,
};

interface NextHop {
  gateway?: InetAddr;
  dev?: string;
  weight: number;
  flags: number;
  encap?: Encap;
}

function parseVia(args: Args, family: number): InetAddr {
  let v = args.value();
  let fam = family;
  if (v === 'inet' || v === 'inet6') {
    fam = v === 'inet' ? C.AF_INET : C.AF_INET6;
    v = args.value();
  }
  return parseAddr(v, fam === C.AF_UNSPEC ? C.AF_UNSPEC : fam, 'address');
}

function putGateway(w: MessageWriter, routeFamily: number, gw: InetAddr): void {
  if (gw.family === routeFamily || routeFamily === C.AF_UNSPEC) w.putBinary(C.RTA_GATEWAY, gw.bytes);
  else {
    const via = new Uint8Array(2 + gw.bytes.length);
    new DataView(via.buffer).setUint16(0, gw.family, true);
    via.set(gw.bytes, 2);
    w.putBinary(C.RTA_VIA, via);
  }
}

async function modify(ctx: IpContext, type: number, flags: number, words: string[]): Promise<number> {
  const args = new Args(words);
  const isDel = type === C.RTM_DELROUTE;
  let family = ctx.options.family === C.AF_PACKET ? C.AF_UNSPEC : ctx.options.family;
  let table = C.RT_TABLE_MAIN;
  let tableSet = false;
  let protocol = isDel ? C.RTPROT_UNSPEC : C.RTPROT_BOOT;
  let scope: number | undefined;
  let rtType = isDel ? C.RTN_UNSPEC : C.RTN_UNICAST;
  let typeSet = false;
  let rtFlags = 0;
  let tos = 0;
  let dst: (InetAddr & { any: boolean }) | undefined;
  let src: InetAddr | undefined;
  let prefsrc: InetAddr | undefined;
  let gateway: InetAddr | undefined;
  let dev: string | undefined;
  let metric: number | undefined;
  let pref: number | undefined;
  let expires: number | undefined;
  const metrics: [number, number | string, boolean][] = [];
  const nexthops: NextHop[] = [];
  let encap: Encap | undefined;
  while (!args.done) {
    const w = args.next();
    if (w === 'src') prefsrc = parseAddr(args.value(), family);
    else if (w === 'as') throw usage('Error: "as" (NAT) is not supported.');
    else if (w === 'via') {
      gateway = parseVia(args, family);
      if (family === C.AF_UNSPEC) family = gateway.family;
    } else if (w === 'from') {
      src = parsePrefix(args.value(), family);
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      tos = parseUnsigned(args.value(), 'TOS value is invalid\n', 255);
    } else if (w === 'expires') {
      expires = parseUnsigned(args.value(), '"expires" value is invalid\n');
    } else if (matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      metric = parseUnsigned(args.value(), '"metric" value is invalid\n');
    } else if (w === 'scope') {
      const v = args.value();
      const s = scopeNumber(v);
      if (s === undefined) invarg('invalid "scope" value\n', v);
      scope = s;
    } else if (w === 'onlink') rtFlags |= RTNH_F_ONLINK;
    else if (w === 'table') {
      const v = args.value();
      const t = tableNumber(v);
      if (t === undefined) invarg('"table" value is invalid\n', v);
      table = t;
      tableSet = true;
    } else if (w === 'dev' || w === 'oif') dev = args.value();
    else if (w === 'encap') {
      if (encap) throw usage(`Error: either "encap" is duplicate, or "${args.peek() ?? ''}" is a garbage.`);
      encap = parseEncap(args);
    } else if (w === 'pref') {
      const v = args.value();
      pref = v === 'low' ? 3 : v === 'medium' ? 0 : v === 'high' ? 1 : parseUnsigned(v, '"pref" value is invalid\n', 255);
    } else if (matches(w, 'protocol')) {
      const v = args.value();
      const p = protoNumber(v);
      if (p === undefined) invarg('"protocol" value is invalid\n', v);
      protocol = p;
    } else if (w === 'nexthop') {
      // parse_nexthops: the rest of the line is nexthop specs.
      let nh: NextHop | undefined = { weight: 1, flags: 0 };
      while (!args.done) {
        const k = args.next();
        if (k === 'nexthop') {
          nexthops.push(nh!);
          nh = { weight: 1, flags: 0 };
          if (args.done) throw usage('Error: unexpected end of line after "nexthop"');
        } else if (k === 'via') {
          nh!.gateway = parseVia(args, family);
          if (family === C.AF_UNSPEC) family = nh!.gateway.family;
        } else if (k === 'dev') nh!.dev = args.value();
        else if (k === 'weight') {
          const v = args.value();
          const n = parseUnsigned(v, '"weight" is invalid\n', 256);
          if (n < 1) invarg('"weight" is invalid\n', v);
          nh!.weight = n;
        } else if (k === 'onlink') nh!.flags |= RTNH_F_ONLINK;
        else if (k === 'encap') nh!.encap = parseEncap(args);
        else throw usage(`Error: "nexthop" or end of line is expected instead of "${k}"`);
      }
      nexthops.push(nh!);
      if (args.done && nexthops.length === 0) throw usage('Error: unexpected end of line after "nexthop"');
    } else if (METRIC_KEYWORDS[w] !== undefined) {
      let v = args.value();
      let lock = false;
      if (v === 'lock') {
        lock = true;
        v = args.value();
      }
      metrics.push([METRIC_KEYWORDS[w]!, parseUnsigned(v, `"${w}" value is invalid\n`), lock]);
    } else if (w === 'congctl') {
      let v = args.value();
      let lock = false;
      if (v === 'lock') {
        lock = true;
        v = args.value();
      }
      metrics.push([16, v, lock]);
    } else if (w === 'help') {
      throw usage('Usage: ip route { add | del | change | append | replace } ROUTE');
    } else {
      let v = w;
      if (w === 'to') v = args.value();
      const t = rtnTypeNumber(v);
      if (RTN_NAMES.includes(v) && t !== undefined && !args.done) {
        rtType = t;
        typeSet = true;
        v = args.value();
      }
      if (dst) throw usage(`Error: either "to" is duplicate, or "${v}" is a garbage.`);
      dst = parsePrefix(v, family);
      if (family === C.AF_UNSPEC) family = dst.family;
    }
  }
  if (!dst) throw usage('Error: no destination (PREFIX) was given.');
  if (family === C.AF_UNSPEC) family = C.AF_INET;
  if (!tableSet && (rtType === C.RTN_LOCAL || rtType === C.RTN_BROADCAST || rtType === C.RTN_NAT || rtType === C.RTN_ANYCAST)) table = C.RT_TABLE_LOCAL;
  if (scope === undefined) {
    if (isDel) scope = C.RT_SCOPE_NOWHERE;
    else if (rtType === C.RTN_LOCAL || rtType === C.RTN_NAT) scope = C.RT_SCOPE_HOST;
    else if (rtType === C.RTN_BROADCAST || rtType === C.RTN_MULTICAST || rtType === C.RTN_ANYCAST) scope = C.RT_SCOPE_LINK;
    else if (rtType === C.RTN_UNICAST && !gateway && nexthops.length === 0) scope = C.RT_SCOPE_LINK;
    else scope = C.RT_SCOPE_UNIVERSE;
  }
  void typeSet;
  await ctx.loadLinks();
  const oif = dev !== undefined ? await ctx.device(dev) : undefined;
  const nhIndex: number[] = [];
  for (const nh of nexthops) nhIndex.push(nh.dev !== undefined ? await ctx.device(nh.dev) : 0);
  const bytes = ctx.build(type, C.NLM_F_REQUEST | C.NLM_F_ACK | flags, C.RTMSG_SIZE, (w, h) => {
    const v = w.view;
    v.setUint8(h, family);
    v.setUint8(h + 1, dst!.bitlen);
    v.setUint8(h + 2, src ? src.bitlen : 0);
    v.setUint8(h + 3, tos);
    v.setUint8(h + 4, table < 256 ? table : C.RT_TABLE_UNSPEC);
    v.setUint8(h + 5, protocol);
    v.setUint8(h + 6, scope!);
    v.setUint8(h + 7, rtType);
    v.setUint32(h + 8, rtFlags, true);
    if (table >= 256) w.putU32(C.RTA_TABLE, table);
    if (dst!.bytes.length) w.putBinary(C.RTA_DST, dst!.bytes);
    if (src && src.bytes.length) w.putBinary(C.RTA_SRC, src.bytes);
    if (prefsrc) w.putBinary(C.RTA_PREFSRC, prefsrc.bytes);
    if (gateway) putGateway(w, family, gateway);
    if (oif !== undefined) w.putU32(C.RTA_OIF, oif);
    if (metric !== undefined) w.putU32(C.RTA_PRIORITY, metric);
    if (pref !== undefined) w.putU8(C.RTA_PREF, pref);
    if (expires !== undefined) w.putU32(C.RTA_EXPIRES, expires);
    encap?.write(w);
    if (metrics.length) {
      const mx = w.nestStart(C.RTA_METRICS, false);
      let lock = 0;
      for (const [t, , l] of metrics) if (l) lock |= 1 << t;
      if (lock) w.putU32(1, lock);
      for (const [t, val] of metrics) {
        if (typeof val === 'string') w.putString(t, val);
        else w.putU32(t, val);
      }
      w.nestEnd(mx);
    }
    if (nexthops.length) {
      const mp = w.nestStart(C.RTA_MULTIPATH, false);
      nexthops.forEach((nh, i) => {
        const at = w.reserve(8);
        const start = w.length - 8;
        w.view.setUint8(at + 2, nh.flags);
        w.view.setUint8(at + 3, nh.weight - 1);
        w.view.setInt32(at + 4, nhIndex[i]!, true);
        if (nh.gateway) putGateway(w, family, nh.gateway);
        nh.encap?.write(w);
        w.view.setUint16(at, w.length - start, true);
      });
      w.nestEnd(mp);
    }
  });
  await ctx.request(bytes);
  return 0;
}

async function get(ctx: IpContext, words: string[]): Promise<number> {
  const args = new Args(words);
  let family = ctx.options.family === C.AF_PACKET ? C.AF_UNSPEC : ctx.options.family;
  let dst: InetAddr | undefined;
  let src: InetAddr | undefined;
  let iif: string | undefined;
  let oif: string | undefined;
  let mark: number | undefined;
  let uid: number | undefined;
  let tos = 0;
  let fibmatch = false;
  let connected = false;
  while (!args.done) {
    const w = args.next();
    if (w === 'from') src = parsePrefix(args.value(), family);
    else if (w === 'iif') iif = args.value();
    else if (w === 'oif' || w === 'dev') oif = args.value();
    else if (w === 'mark') mark = parseUnsigned(args.value(), 'mark');
    else if (w === 'uid') uid = parseUnsigned(args.value(), 'uid');
    else if (w === 'tos' || w === 'dsfield') tos = parseUnsigned(args.value(), 'TOS value is invalid\n', 255);
    else if (w === 'fibmatch') fibmatch = true;
    else if (w === 'connected') connected = true;
    else if (w === 'help') throw usage('Usage: ip route get ADDRESS [ from ADDRESS iif STRING ] [ oif STRING ] [ mark NUMBER ] [ uid NUMBER ] [ fibmatch ]');
    else {
      const v = w === 'to' ? args.value() : w;
      if (dst) throw usage(`Error: either "to" is duplicate, or "${v}" is a garbage.`);
      dst = parsePrefix(v, family);
      if (family === C.AF_UNSPEC) family = dst.family;
    }
  }
  if (!dst) throw usage('need at least a destination address');
  if (family === C.AF_UNSPEC) family = C.AF_INET;
  void connected;
  await ctx.loadLinks();
  const iifIndex = iif !== undefined ? await ctx.device(iif) : undefined;
  const oifIndex = oif !== undefined ? await ctx.device(oif) : undefined;
  const bytes = ctx.build(C.RTM_GETROUTE, C.NLM_F_REQUEST | C.NLM_F_ACK, C.RTMSG_SIZE, (w, h) => {
    const v = w.view;
    v.setUint8(h, family);
    v.setUint8(h + 1, dst!.bitlen);
    v.setUint8(h + 2, src ? src.bitlen : 0);
    v.setUint8(h + 3, tos);
    // IPv6 refuses any flag but RTM_F_FIB_MATCH; IPv4 reports the table only when asked.
    v.setUint32(h + 8, (family === C.AF_INET ? RTM_F_LOOKUP_TABLE : 0) | (fibmatch ? RTM_F_FIB_MATCH : 0), true);
    if (dst!.bytes.length) w.putBinary(C.RTA_DST, dst!.bytes);
    if (src && src.bytes.length) w.putBinary(C.RTA_SRC, src.bytes);
    if (iifIndex !== undefined) w.putU32(C.RTA_IIF, iifIndex);
    if (oifIndex !== undefined) w.putU32(C.RTA_OIF, oifIndex);
    if (mark !== undefined) w.putU32(C.RTA_MARK, mark);
    if (uid !== undefined) w.putU32(C.RTA_UID, uid);
  });
  const replies = await ctx.request(bytes);
  for (const m of replies) {
    if (m.type !== C.RTM_NEWROUTE) continue;
    const p = ctx.printer();
    printRoute(ctx, p, m, { tb: 0 });
    ctx.listItem(p);
  }
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit route ...`. */
export async function runRoute(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_EXCL, rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, C.RTM_NEWROUTE, C.NLM_F_REPLACE, rest);
  if (matches(cmd, 'replace')) return modify(ctx, C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_REPLACE, rest);
  if (matches(cmd, 'prepend')) return modify(ctx, C.RTM_NEWROUTE, C.NLM_F_CREATE, rest);
  if (matches(cmd, 'append')) return modify(ctx, C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_APPEND, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELROUTE, 0, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return show(ctx, rest);
  if (matches(cmd, 'get')) return get(ctx, rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  throw usage(`Command "${cmd}" is unknown, try "ip route help".`);
}
