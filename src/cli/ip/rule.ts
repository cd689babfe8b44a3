// `nlkit rule`: show/list, add, delete, flush (ip/iprule.c).
import type { MessageView } from '../../core/message.js';
import * as C from '../../core/constants.js';
import { Args, invarg, matches, parsePrefix, parseUnsigned, type InetAddr } from './args.js';
import { Header, addrText, messageAttrs } from './attrs.js';
import { usage, type IpContext } from './context.js';
import { groupName, protoName, protoNumber, rtnTypeName, tableName, tableNumber } from './names.js';
import { Printer } from './printer.js';

const FIB_RULE_INVERT = 0x2;
const FIB_RULE_UNRESOLVED = 0x4;
const FIB_RULE_IIF_DETACHED = 0x8;
const FIB_RULE_OIF_DETACHED = 0x10;
const FR_ACT_TO_TBL = 1;
const FR_ACT_GOTO = 2;
const FR_ACT_NOP = 3;

function hex0x(v: number): string {
  return v ? '0x' + (v >>> 0).toString(16) : '0';
}

/** print_rule: one rule into `p`. */
export function printRule(p: Printer, m: MessageView, ctx: IpContext): void {
  const h = new Header(m);
  const family = h.u8(0);
  const dstLen = h.u8(1);
  const srcLen = h.u8(2);
  const tos = h.u8(3);
  const action = h.u8(7);
  const flags = h.u32(8);
  const tb = messageAttrs(m, C.FIB_RULE_HDR_SIZE);
  const hostLen = family === C.AF_INET6 ? 128 : 32;
  let a;
  if (m.type === C.RTM_DELRULE) p.bool('deleted', 'Deleted ', true);
  p.any('priority', '%u:\t', tb.get(C.FRA_PRIORITY)?.u32() ?? 0);
  if (flags & FIB_RULE_INVERT) p.null('not').fp('not ');
  if ((a = tb.get(C.FRA_SRC))) {
    p.fp('from ');
    p.any('src', '%s', addrText(a, family));
    if (srcLen !== hostLen) p.any('srclen', '/%u', srcLen);
  } else if (srcLen) {
    p.any('src', 'from %s', '0');
    p.any('srclen', '/%u', srcLen);
  } else p.any('src', 'from %s', 'all');
  if ((a = tb.get(C.FRA_DST))) {
    p.fp(' to ');
    p.any('dst', '%s', addrText(a, family));
    if (dstLen !== hostLen) p.any('dstlen', '/%u', dstLen);
  } else if (dstLen) {
    p.any('dst', ' to %s', '0');
    p.any('dstlen', '/%u', dstLen);
  }
  if (tos) p.any('tos', ' tos %s', '0x' + tos.toString(16).padStart(2, '0'));
  const mark = tb.get(C.FRA_FWMARK);
  const mask = tb.get(C.FRA_FWMASK);
  if (mark || mask) {
    const mv = mark?.u32() ?? 0;
    const mk = mask?.u32();
    p.any('fwmark', ' fwmark %s', hex0x(mv));
    if (mk !== undefined && mk !== 0xffffffff) p.any('fwmask', '/%s', hex0x(mk));
  }
  if ((a = tb.get(C.FRA_IIFNAME))) {
    p.fp(' iif ');
    p.any('iif', '%s', a.str());
    if (flags & FIB_RULE_IIF_DETACHED) p.null('iif_detached').fp(' [detached]');
  }
  if ((a = tb.get(C.FRA_OIFNAME))) {
    p.fp(' oif ');
    p.any('oif', '%s', a.str());
    if (flags & FIB_RULE_OIF_DETACHED) p.null('oif_detached').fp(' [detached]');
  }
  if ((a = tb.get(C.FRA_L3MDEV)) && a.u8()) p.null('l3mdev').fp(' lookup [l3mdev-table]');
  if ((a = tb.get(C.FRA_UID_RANGE))) {
    p.any('uid_start', ' uidrange %u', a.u32At(0));
    p.any('uid_end', '-%u', a.u32At(4));
  }
  if ((a = tb.get(C.FRA_IP_PROTO))) {
    const n = a.u8();
    const names: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp', 132: 'sctp' };
    p.any('ipproto', ' ipproto %s', names[n] ?? `ipproto-${n}`);
  }
  for (const [t, key] of [
    [C.FRA_SPORT_RANGE, 'sport'],
    [C.FRA_DPORT_RANGE, 'dport'],
  ] as const) {
    const r = tb.get(t);
    if (!r) continue;
    const start = r.u16At(0);
    const end = r.u16At(2);
    if (start === end) p.any(key, ` ${key} %u`, start);
    else {
      p.any(`${key}_start`, ` ${key} %u`, start);
      p.any(`${key}_end`, '-%u', end);
    }
  }
  if ((a = tb.get(C.FRA_TUN_ID))) {
    const v = a.dv.getBigUint64(a.offset, false);
    p.any('tun_id', ' tun_id %u', v);
  }
  const table = tb.get(C.FRA_TABLE)?.u32() ?? h.u8(4);
  if (table) {
    p.any('table', ' lookup %s', tableName(table));
    if ((a = tb.get(C.FRA_SUPPRESS_PREFIXLEN))) {
      const pl = a.s32();
      if (pl !== -1) p.any('suppress_prefixlen', ' suppress_prefixlength %d', pl);
    }
    if ((a = tb.get(C.FRA_SUPPRESS_IFGROUP))) {
      const g = a.s32();
      if (g !== -1) p.any('suppress_ifgroup', ' suppress_ifgroup %s', groupName(g));
    }
  }
  if ((a = tb.get(C.FRA_FLOW))) {
    const v = a.u32();
    const to = v & 0xffff;
    const from = v >>> 16;
    if (from) p.any('flow_from', ' realms %s/', String(from));
    else p.fp(' realms ');
    p.any('flow_to', '%s', String(to));
  }
  if (action === C.RTN_NAT) {
    p.any('nat', ' map-to %s', 'unknown');
  } else if (action === FR_ACT_GOTO) {
    if ((a = tb.get(C.FRA_GOTO))) p.any('goto', ' goto %u', a.u32());
    else p.any('goto', ' goto %s', 'none');
    if (flags & FIB_RULE_UNRESOLVED) p.null('unresolved').fp(' [unresolved]');
  } else if (action === FR_ACT_NOP) p.null('nop').fp(' nop');
  else if (action !== FR_ACT_TO_TBL) p.any('action', ' %s', rtnTypeName(action));
  if ((a = tb.get(C.FRA_PROTOCOL))) {
    const proto = a.u8();
    if ((proto && proto !== C.RTPROT_KERNEL) || ctx.options.details > 0) p.any('protocol', ' proto %s ', protoName(proto));
  }
}

/** Rule fields a `show`/`delete`/`flush` selects by. */
interface RuleSpec {
  family: number;
  invert: boolean;
  src?: InetAddr;
  dst?: InetAddr;
  priority?: number;
  tos?: number;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  table?: number;
  action?: number;
  goto?: number;
  protocol?: number;
  suppressPrefixlen?: number;
  suppressIfgroup?: number;
  uidRange?: [number, number];
  ipproto?: number;
  sport?: [number, number];
  dport?: [number, number];
  l3mdev: boolean;
}

const RULE_ACTIONS: Record<string, number> = { blackhole: 6, unreachable: 7, prohibit: 8, nop: FR_ACT_NOP };

function parseRange(v: string): [number, number] {
  const [a, b] = v.split('-');
  const start = parseUnsigned(a ?? '', 'invalid range');
  const end = b === undefined ? start : parseUnsigned(b, 'invalid range');
  return [start, end];
}

function parseSpec(ctx: IpContext, words: string[]): RuleSpec {
  const s: RuleSpec = { family: ctx.options.family === C.AF_PACKET ? C.AF_UNSPEC : ctx.options.family, invert: false, l3mdev: false };
  const args = new Args(words);
  while (!args.done) {
    const w = args.next();
    if (w === 'not') s.invert = true;
    else if (w === 'from') {
      s.src = parsePrefix(args.value(), s.family);
      if (!s.family) s.family = s.src.family;
    } else if (w === 'to') {
      s.dst = parsePrefix(args.value(), s.family);
      if (!s.family) s.family = s.dst.family;
    } else if (matches(w, 'preference') || matches(w, 'order') || matches(w, 'priority')) {
      s.priority = parseUnsigned(args.value(), 'preference value is invalid\n');
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      s.tos = parseUnsigned(args.value(), 'TOS value is invalid\n', 255);
    } else if (matches(w, 'fwmark')) {
      const v = args.value();
      const [mk, mask] = v.split('/');
      s.fwmark = parseUnsigned(mk ?? '', 'fwmark value is invalid\n');
      if (mask !== undefined) s.fwmask = parseUnsigned(mask, 'fwmask value is invalid\n');
    } else if (matches(w, 'table') || w === 'lookup') {
      const v = args.value();
      const t = tableNumber(v);
      if (t === undefined) invarg('invalid table ID\n', v);
      s.table = t;
    } else if (matches(w, 'suppress_prefixlength') || w === 'sup_pl') {
      s.suppressPrefixlen = parseUnsigned(args.value(), 'suppress_prefixlength value is invalid\n');
    } else if (matches(w, 'suppress_ifgroup') || w === 'sup_group') {
      s.suppressIfgroup = parseUnsigned(args.value(), 'Invalid "suppress_ifgroup" value\n');
    } else if (w === 'dev' || w === 'iif') s.iif = args.value();
    else if (w === 'oif') s.oif = args.value();
    else if (w === 'l3mdev') s.l3mdev = true;
    else if (w === 'uidrange') s.uidRange = parseRange(args.value());
    else if (w === 'ipproto') {
      const v = args.value();
      const names: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, 'ipv6-icmp': 58, sctp: 132 };
      s.ipproto = names[v] ?? parseUnsigned(v, 'Invalid "ipproto" value\n', 255);
    } else if (w === 'sport') s.sport = parseRange(args.value());
    else if (w === 'dport') s.dport = parseRange(args.value());
    else if (matches(w, 'protocol')) {
      const v = args.value();
      const p = protoNumber(v);
      if (p === undefined) invarg('"protocol" value is invalid\n', v);
      s.protocol = p;
    } else if (w === 'goto') {
      s.action = FR_ACT_GOTO;
      s.goto = parseUnsigned(args.value(), 'invalid target\n');
    } else if (w === 'type' || w === 'action') {
      const v = args.value();
      const act = RULE_ACTIONS[v];
      if (act === undefined) invarg('Failed to parse rule type', v);
      s.action = act;
    } else if (RULE_ACTIONS[w] !== undefined) s.action = RULE_ACTIONS[w];
    else if (w === 'help') throw usage('Usage: ip rule { add | del } SELECTOR ACTION');
    else throw usage(`Error: argument "${w}" is wrong: Failed to parse rule type`);
  }
  if (!s.family) s.family = C.AF_INET;
  return s;
}

function rulePasses(m: MessageView, s: RuleSpec): boolean {
  const h = new Header(m);
  const tb = messageAttrs(m, C.FIB_RULE_HDR_SIZE);
  if (s.family && h.u8(0) !== s.family) return false;
  if (s.priority !== undefined && (tb.get(C.FRA_PRIORITY)?.u32() ?? 0) !== s.priority) return false;
  if (s.table !== undefined && (tb.get(C.FRA_TABLE)?.u32() ?? h.u8(4)) !== s.table) return false;
  if (s.iif !== undefined && tb.get(C.FRA_IIFNAME)?.str() !== s.iif) return false;
  if (s.oif !== undefined && tb.get(C.FRA_OIFNAME)?.str() !== s.oif) return false;
  if (s.fwmark !== undefined && (tb.get(C.FRA_FWMARK)?.u32() ?? 0) !== s.fwmark) return false;
  if (s.protocol !== undefined && (tb.get(C.FRA_PROTOCOL)?.u8() ?? 0) !== s.protocol) return false;
  if (s.invert && !(h.u32(8) & FIB_RULE_INVERT)) return false;
  for (const [p, t, len] of [
    [s.src, C.FRA_SRC, h.u8(2)],
    [s.dst, C.FRA_DST, h.u8(1)],
  ] as const) {
    if (!p) continue;
    const b = tb.get(t)?.bytes;
    if (len !== p.bitlen) return false;
    if (p.bitlen && (!b || b.some((x, i) => x !== p.bytes[i]))) return false;
  }
  return true;
}

function dumpRequest(ctx: IpContext, family: number): Uint8Array {
  return ctx.build(C.RTM_GETRULE, C.NLM_F_REQUEST | C.NLM_F_DUMP, C.FIB_RULE_HDR_SIZE, (w, h) => {
    w.view.setUint8(h, family);
  });
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const s = parseSpec(ctx, words);
  await ctx.dump(dumpRequest(ctx, s.family), (m) => {
    if (!rulePasses(m, s)) return;
    const p = ctx.printer();
    printRule(p, m, ctx);
    ctx.listItem(p);
  });
  ctx.listEnd();
  return 0;
}

async function flush(ctx: IpContext, words: string[]): Promise<number> {
  const s = parseSpec(ctx, words);
  const victims: MessageView[] = [];
  await ctx.dump(dumpRequest(ctx, s.family), (m) => {
    const prio = messageAttrs(m, C.FIB_RULE_HDR_SIZE).get(C.FRA_PRIORITY)?.u32() ?? 0;
    if (prio && rulePasses(m, s)) victims.push(m);
  });
  for (const m of victims) {
    const copy = m.bytes.slice();
    const dv = new DataView(copy.buffer);
    dv.setUint16(4, C.RTM_DELRULE, true);
    dv.setUint16(6, C.NLM_F_REQUEST | C.NLM_F_ACK, true);
    await ctx.request(copy);
  }
  return 0;
}

async function modify(ctx: IpContext, type: number, flags: number, words: string[]): Promise<number> {
  const s = parseSpec(ctx, words);
  const isAdd = type === C.RTM_NEWRULE;
  const action = s.action ?? (isAdd ? FR_ACT_TO_TBL : 0);
  const table = s.table ?? (isAdd && action === FR_ACT_TO_TBL ? C.RT_TABLE_MAIN : 0);
  const bytes = ctx.build(type, C.NLM_F_REQUEST | C.NLM_F_ACK | flags, C.FIB_RULE_HDR_SIZE, (w, h) => {
    const v = w.view;
    v.setUint8(h, s.family);
    v.setUint8(h + 1, s.dst ? s.dst.bitlen : 0);
    v.setUint8(h + 2, s.src ? s.src.bitlen : 0);
    v.setUint8(h + 3, s.tos ?? 0);
    v.setUint8(h + 4, table < 256 ? table : 0);
    v.setUint8(h + 7, action);
    v.setUint32(h + 8, s.invert ? FIB_RULE_INVERT : 0, true);
    if (table >= 256) w.putU32(C.FRA_TABLE, table);
    if (s.src && s.src.bytes.length) w.putBinary(C.FRA_SRC, s.src.bytes);
    if (s.dst && s.dst.bytes.length) w.putBinary(C.FRA_DST, s.dst.bytes);
    if (s.priority !== undefined) w.putU32(C.FRA_PRIORITY, s.priority);
    if (s.fwmark !== undefined) w.putU32(C.FRA_FWMARK, s.fwmark);
    if (s.fwmask !== undefined) w.putU32(C.FRA_FWMASK, s.fwmask);
    if (s.iif !== undefined) w.putString(C.FRA_IIFNAME, s.iif);
    if (s.oif !== undefined) w.putString(C.FRA_OIFNAME, s.oif);
    if (s.goto !== undefined) w.putU32(C.FRA_GOTO, s.goto);
    if (s.protocol !== undefined) w.putU8(C.FRA_PROTOCOL, s.protocol);
    if (s.suppressPrefixlen !== undefined) w.putU32(C.FRA_SUPPRESS_PREFIXLEN, s.suppressPrefixlen);
    if (s.suppressIfgroup !== undefined) w.putU32(C.FRA_SUPPRESS_IFGROUP, s.suppressIfgroup);
    if (s.l3mdev) w.putU8(C.FRA_L3MDEV, 1);
    if (s.ipproto !== undefined) w.putU8(C.FRA_IP_PROTO, s.ipproto);
    for (const [t, r] of [
      [C.FRA_UID_RANGE, s.uidRange, 4],
      [C.FRA_SPORT_RANGE, s.sport, 2],
      [C.FRA_DPORT_RANGE, s.dport, 2],
    ] as const) {
      if (!r) continue;
      const b = new Uint8Array(r === s.uidRange ? 8 : 4);
      const dv = new DataView(b.buffer);
      if (b.length === 8) {
        dv.setUint32(0, r[0], true);
        dv.setUint32(4, r[1], true);
      } else {
        dv.setUint16(0, r[0], true);
        dv.setUint16(2, r[1], true);
      }
      w.putBinary(t, b);
    }
  });
  await ctx.request(bytes);
  return 0;
}

/** Runs `nlkit rule ...`. */
export async function runRule(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWRULE, C.NLM_F_CREATE | C.NLM_F_EXCL, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELRULE, 0, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return show(ctx, rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  throw usage(`Command "${cmd}" is unknown, try "ip rule help".`);
}
