// `tc filter`: show, add, change, replace, delete (tc/tc_filter.c of
// iproute2 6.1) for u32 filters (f_u32.c: hash tables, key nodes, match
// keys, flowid) and their actions (action.ts); and `tc chain`, which tc
// 6.1 runs through the same functions (do_chain()).
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_ECHO, NLM_F_EXCL, NLM_F_REQUEST } from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import { formatIPv4 } from '../../core/address.js';
import { family as tcFamily } from '../../families/generated/tc.js';
import {
  ETH_P_ALL,
  RTM_DELCHAIN,
  RTM_DELTFILTER,
  RTM_NEWCHAIN,
  ETH_P_IP,
  TC_CLS_FLAGS_IN_HW,
  TC_CLS_FLAGS_NOT_IN_NW,
  TC_CLS_FLAGS_SKIP_HW,
  TC_CLS_FLAGS_SKIP_SW,
  TC_H_INGRESS,
  TC_H_MIN_EGRESS,
  TC_H_MIN_INGRESS,
  TC_H_ROOT,
  TCA_BPF_FLAG_ACT_DIRECT,
  TC_U32_EAT,
  TC_U32_OFFSET,
  TC_U32_TERMINAL,
  TC_U32_VAROFFSET,
  TCM_IFINDEX_MAGIC_BLOCK,
} from '../../families/generated/tc.constants.js';
import { CommandError, StderrExit } from '../error.js';
import { duparg, invarg, matches } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import { kernelErrorText } from '../ip/index.js';
import type { Printer } from '../ip/printer.js';
import { getInteger, getU32 } from '../ip/numbers.js';
import type { TcOptions } from './index.js';
import { printDevname, printStatsAttr, tcClient, type TcEvent, type TcMessage } from './qdisc.js';
import { whole, classidText, getTcClassid, protoName, protoNumber } from './util.js';
import { blindRefusal, parseAction, printActionTab } from './action.js';

const FILTER_USAGE = `Usage: tc filter [ add | del | change | replace | show ] [ dev STRING ]
       tc filter [ add | del | change | replace | show ] [ block BLOCK_INDEX ]
       tc filter get dev STRING parent CLASSID protocol PROTO handle FILTERID pref PRIO FILTER_TYPE
       tc filter get block BLOCK_INDEX protocol PROTO handle FILTERID pref PRIO FILTER_TYPE
       [ pref PRIO ] protocol PROTO [ chain CHAIN_INDEX ]
       [ estimator INTERVAL TIME_CONSTANT ]
       [ root | ingress | egress | parent CLASSID ]
       [ handle FILTERID ] [ [ FILTER_TYPE ] [ help | OPTIONS ] ]

       tc filter show [ dev STRING ] [ root | ingress | egress | parent CLASSID ]
       tc filter show [ block BLOCK_INDEX ]
Where:
FILTER_TYPE := { rsvp | u32 | bpf | fw | route | etc. }
FILTERID := ... format depends on classifier, see there
OPTIONS := ... try tc filter add <desired FILTER_KIND> help
`;

// TCM_IFINDEX_MAGIC_BLOCK (0xFFFFFFFFU) as the s32 tcm_ifindex reads and writes it.
const MAGIC_BLOCK_IFINDEX = TCM_IFINDEX_MAGIC_BLOCK | 0;

const CLSACT_INGRESS = ((TC_H_INGRESS & 0xffff0000) | TC_H_MIN_INGRESS) >>> 0;
const CLSACT_EGRESS = ((TC_H_INGRESS & 0xffff0000) | TC_H_MIN_EGRESS) >>> 0;

interface U32Key {
  mask: number;
  val: number;
  off: number;
  offmask: number;
}

/** sprint_u32_handle(). */
function u32Handle(h: number, raw: boolean): string {
  if (h === 0) return 'none';
  const htid = h >>> 20;
  const hash = (h >>> 12) & 0xff;
  const node = h & 0xfff;
  let s = htid ? `${htid.toString(16)}:` : '';
  if (hash) s += hash.toString(16);
  if (node) s += `:${node.toString(16)}`;
  if (raw) s += `[${h.toString(16).padStart(8, '0')}]`;
  return s;
}

/** mask2bits(): the prefix length of a contiguous network mask, or -1. */
function mask2bits(mask: number): number {
  const m = mask >>> 0;
  let bits = 0;
  while (bits < 32 && m & (0x80000000 >>> bits)) bits++;
  return (m << bits) >>> 0 === 0 || bits === 32 ? bits : -1;
}

function printRawKey(p: Printer, k: U32Key): void {
  p.open('match');
  p.fp('\n');
  p.any('value', '  match %s', (k.val >>> 0).toString(16).padStart(p.json ? 0 : 8, '0'));
  p.any('mask', '/%s ', (k.mask >>> 0).toString(16).padStart(p.json ? 0 : 8, '0'));
  p.any('offmask', 'at %s', k.offmask ? 'nexthdr+' : '');
  p.any('off', '%s', k.off);
  p.close();
}

/** print_ipv4() (tc -p on protocol ip): keeps the 'match' object open where tc returns without closing it. */
function printIpv4Key(p: Printer, k: U32Key): void {
  p.open('match');
  const mask = k.mask >>> 0;
  const val = k.val >>> 0;
  if (k.off === 0 && mask === 0x0f000000) {
    p.fp('\n');
    p.any('ip_ihl', '  match IP ihl %s', val >>> 24);
    return;
  }
  if (k.off === 0 && mask === 0x00ff0000) {
    p.fp('\n');
    p.any('ip_dsfield', '  match IP dsfield %s', `0x${(val >>> 16).toString(16)}`);
    return;
  }
  if (k.off === 8 && mask === 0x00ff0000) {
    p.fp('\n');
    p.any('ip_protocol', '  match IP protocol %s', val >>> 16);
    return;
  }
  if (k.off === 12 || k.off === 16) {
    const bits = mask2bits(mask);
    if (bits >= 0) {
      p.fp('\n');
      p.fp(k.off === 12 ? '  match IP src ' : '  match IP dst ');
      p.open(k.off === 12 ? 'src' : 'dst');
      p.any('address', '%s', formatIPv4(Uint8Array.of(val >>> 24, (val >>> 16) & 0xff, (val >>> 8) & 0xff, val & 0xff)));
      p.any('prefixlen', '/%s', bits);
      p.close();
      return;
    }
  }
  if (k.off === 20) {
    if (mask === 0x0000ffff) {
      p.any('dport', 'match dport %s', val & 0xffff);
      return;
    }
    if (mask === 0xffff0000) {
      p.fp('\n');
      p.any('sport', '  match sport %s', val >>> 16);
      return;
    }
    if (mask === 0xffffffff) {
      p.fp('\n');
      p.any('dport', '  match dport %s, ', val & 0xffff);
      p.any('sport', 'match sport %s', val >>> 16);
      return;
    }
  }
  p.close();
}

/** The keys of a u32 selector: the first as the struct decodes it, the others from the bytes after it. */
function selKeys(sel: Record<string, unknown>): U32Key[] {
  const keys: U32Key[] = [];
  const n = (sel.nkeys as number | undefined) ?? 0;
  if (n > 0 && whole(sel.keys)) keys.push(sel.keys as U32Key);
  const rest = sel.__rest as Uint8Array | undefined;
  const codec = tcFamily.structs.get('tc-u32-key')!;
  for (let i = 0; keys.length < n && rest && (i + 1) * codec.size <= rest.length; i++) {
    keys.push(codec.decode(rest.subarray(i * codec.size, (i + 1) * codec.size)) as unknown as U32Key);
  }
  return keys;
}

function printU32(ctx: IpContext, p: Printer, o: Record<string, unknown>, handle: number, proto: number, options: TcOptions): void {
  if (handle) p.any('fh', 'fh %s ', u32Handle(handle, options.raw > 0));
  if (handle & 0xfff) p.any('order', 'order %s ', handle & 0xfff);
  const sel = o.sel as Record<string, unknown> | undefined;
  // tc refuses a selector shorter than struct tc_u32_sel (its keys not counted) and prints nothing more.
  if (sel !== undefined && ['flags', 'offshift', 'nkeys', 'offmask', 'off', 'offoff', 'hoff', 'hmask'].some((k) => typeof sel[k] !== 'number')) return;
  const selFlags = (sel?.flags as number | undefined) ?? 0;
  if (o.divisor !== undefined) p.any('ht_divisor', 'ht divisor %s ', o.divisor as number);
  else if (o.hash !== undefined) {
    const htid = o.hash as number;
    p.any('key_ht', 'key ht %s ', (htid >>> 20).toString(16));
    p.any('bkt', 'bkt %s ', ((htid >>> 12) & 0xff).toString(16));
  } else ctx.io.stderr('divisor and hash missing ');
  if (o.classid !== undefined) {
    if (sel && selFlags & TC_U32_TERMINAL) p.fp('*');
    p.any('flowid', 'flowid %s ', classidText(o.classid as number));
  } else if (sel && selFlags & TC_U32_TERMINAL) p.fp('terminal flowid ');
  if (o.link !== undefined) p.any('link', 'link %s ', u32Handle(o.link as number, options.raw > 0));
  if (o.flags !== undefined) {
    const f = o.flags as number;
    if (f & TC_CLS_FLAGS_SKIP_HW) p.bool('skip_hw', 'skip_hw ', true);
    if (f & TC_CLS_FLAGS_SKIP_SW) p.bool('skip_sw', 'skip_sw ', true);
    if (f & TC_CLS_FLAGS_IN_HW) p.bool('in_hw', 'in_hw ', true);
    else if (f & TC_CLS_FLAGS_NOT_IN_NW) p.bool('not_in_hw', 'not_in_hw ', true);
  }
  const pcnt = o.pcnt as { rcnt: bigint; rhit: bigint; kcnts?: bigint; __rest?: Uint8Array } | undefined;
  if (pcnt !== undefined && (pcnt.rcnt === undefined || pcnt.rhit === undefined)) {
    p.fp('Broken perf counters\n');
    return;
  }
  if (sel && options.stats && pcnt) {
    p.any('rule_hit', '(rule hit %s ', pcnt.rcnt);
    p.any('success', 'success %s)', pcnt.rhit);
  }
  if (o.mark !== undefined) {
    const mark = o.mark as { val: number; mask: number; success: number };
    if (!whole(mark)) p.fp('\n  Invalid mark (kernel&iproute2 mismatch)\n');
    else {
      p.fp('\n');
      p.any('fwmark_value', '  mark %s ', `0x${mark.val.toString(16).padStart(4, '0')}`);
      p.any('fwmark_mask', '%s ', `0x${mark.mask.toString(16).padStart(4, '0')}`);
      p.any('fwmark_success', '(success %s)', mark.success);
    }
  }
  if (sel) {
    const keys = selKeys(sel);
    const kcnts: bigint[] = [];
    if (pcnt) {
      if (pcnt.kcnts !== undefined) kcnts.push(pcnt.kcnts);
      const r = pcnt.__rest;
      for (let i = 0; r && (i + 1) * 8 <= r.length; i++) kcnts.push(new DataView(r.buffer, r.byteOffset + i * 8, 8).getBigUint64(0, true));
    }
    keys.forEach((k, i) => {
      if (options.pretty && proto === ETH_P_IP) printIpv4Key(p, k);
      else printRawKey(p, k);
      if (options.stats && pcnt) p.any('success', ' (success %s ) ', kcnts[i] ?? 0n);
    });
    if (selFlags & (TC_U32_VAROFFSET | TC_U32_OFFSET)) {
      p.fp('\n');
      p.any(null, '%s', '    offset ');
      if (selFlags & TC_U32_VAROFFSET) {
        p.any('offset_mask', '%s', ((sel.offmask as number) ?? 0).toString(16).padStart(4, '0'));
        p.any('offset_shift', '>>%s ', sel.offshift as number);
        p.any('offset_off', 'at %s ', sel.offoff as number);
      }
      if (sel.off) p.any('plus', 'plus %s ', sel.off as number);
    }
    if (selFlags & TC_U32_EAT) p.any(null, '%s', ' eat ');
    if (sel.hmask) {
      p.fp('\n');
      p.any('hash_mask', '    hash mask %s ', ((sel.hmask as number) >>> 0).toString(16).padStart(8, '0'));
      p.any('hash_off', 'at %s ', sel.hoff as number);
    }
  }
  if (o.indev !== undefined) {
    p.fp('\n');
    p.any('input_dev', '  input dev %s', o.indev as string);
    p.fp('\n');
  }
  if (o.act !== undefined) printActionTab(ctx, p, o.act, options, true);
}

/** bpf_print_opt() for classic BPF programs (f_bpf.c, bpf_print_ops() of lib/bpf_legacy.c). */
function printBpf(ctx: IpContext, p: Printer, o: Record<string, unknown>, handle: number, options: TcOptions): void {
  if (handle) p.any('handle', 'handle %s ', `0x${handle.toString(16)}`);
  if (typeof o.classid === 'number') p.any('flowid', 'flowid %s ', classidText(o.classid));
  if (typeof o.name === 'string') p.any('bpf_name', '%s ', o.name);
  if (typeof o.flags === 'number' && o.flags & TCA_BPF_FLAG_ACT_DIRECT) p.bool('direct-action', 'direct-action ', true);
  if (typeof o['flags-gen'] === 'number') {
    const f = o['flags-gen'];
    if (f & TC_CLS_FLAGS_SKIP_HW) p.bool('skip_hw', 'skip_hw ', true);
    if (f & TC_CLS_FLAGS_SKIP_SW) p.bool('skip_sw', 'skip_sw ', true);
    if (f & TC_CLS_FLAGS_IN_HW) p.bool('in_hw', 'in_hw ', true);
    else if (f & TC_CLS_FLAGS_NOT_IN_NW) p.bool('not_in_hw', 'not_in_hw ', true);
  }
  const ops = o.ops;
  const len = o['ops-len'];
  if (ops instanceof Uint8Array && typeof len === 'number' && len > 0) {
    const codec = tcFamily.structs.get('sock-filter')!;
    p.open('bytecode');
    p.any('length', "bytecode '%s,", len);
    p.openArray('insns');
    // tc reads ops-len instructions whatever the attribute holds; nlkit stops at its end.
    for (let i = 0; i < len && (i + 1) * codec.size <= ops.length; i++) {
      const insn = codec.decode(ops.subarray(i * codec.size, (i + 1) * codec.size)) as { code: number; jt: number; jf: number; k: number };
      p.open(null);
      p.any('code', '%s ', insn.code);
      p.any('jt', '%s ', insn.jt);
      p.any('jf', '%s ', insn.jf);
      p.any('k', i === len - 1 ? "%s'" : '%s,', insn.k);
      p.close();
    }
    p.close();
    p.close();
  }
  if (o.tag instanceof Uint8Array && o.id === undefined) p.any('tag', 'tag %s ', Buffer.from(o.tag).toString('hex'));
  if (o.act !== undefined) printActionTab(ctx, p, o.act, options, true);
}

/** print_filter(). */
export function printFilter(
  ctx: IpContext,
  p: Printer,
  m: TcMessage,
  options: TcOptions,
  f: { index: number; parent: number; prio: number; protocol: number; chain?: number; block?: number },
  event?: TcEvent,
): void {
  const chain = event !== undefined && (event.type === RTM_NEWCHAIN || event.type === RTM_DELCHAIN);
  if (event) {
    if (event.type === RTM_DELTFILTER || event.type === RTM_DELCHAIN) p.bool('deleted', 'deleted ', true);
    if (!(event.type === RTM_DELTFILTER || event.type === RTM_DELCHAIN) && event.flags & NLM_F_CREATE && !(event.flags & NLM_F_EXCL)) p.bool('replaced', 'replaced ', true);
    if (!(event.type === RTM_DELTFILTER || event.type === RTM_DELCHAIN) && event.flags & NLM_F_CREATE && event.flags & NLM_F_EXCL) p.bool('added', 'added ', true);
  }
  p.fp(chain ? 'chain ' : 'filter ');
  const parent = m.parent ?? 0;
  if (m.ifindex === MAGIC_BLOCK_IFINDEX) {
    // A shared block: tcm_parent holds its index (tcm_block_index).
    if (!f.block || f.block !== parent) p.any('block', 'block %s ', parent);
  } else {
    if (!f.index || f.index !== m.ifindex) printDevname(ctx, p, m.ifindex ?? 0);
    if (!f.parent || f.parent !== parent) {
      if (parent === TC_H_ROOT) p.bool('root', 'root ', true);
      else if (parent === CLSACT_INGRESS) p.bool('ingress', 'ingress ', true);
      else if (parent === CLSACT_EGRESS) p.bool('egress', 'egress ', true);
      else p.any('parent', 'parent %s ', classidText(parent));
    }
  }
  const info = chain ? 0 : (m.info ?? 0);
  // tcm_info: the priority in the high 16 bits, the protocol (network order) in the low.
  const protoBE = info & 0xffff;
  const proto = ((protoBE & 0xff) << 8) | (protoBE >>> 8);
  if (info) {
    const prio = info >>> 16;
    if ((!f.protocol || f.protocol !== proto) && protoBE) p.any('protocol', 'protocol %s ', protoName(proto));
    if ((!f.prio || f.prio !== prio) && prio) p.any('pref', 'pref %s ', prio);
  }
  if (m.kind !== undefined) p.any('kind', '%s ', m.kind);
  if (m.chain !== undefined && f.chain !== m.chain) p.any('chain', 'chain %s ', m.chain);
  if (m.options !== undefined) {
    p.open('options');
    if (m.kind === 'u32') printU32(ctx, p, m.options as Record<string, unknown>, m.handle ?? 0, proto, options);
    else if (m.kind === 'bpf') printBpf(ctx, p, m.options as Record<string, unknown>, m.handle ?? 0, options);
    else ctx.io.stderr('cannot parse option parameters\n');
    p.close();
  }
  p.fp('\n');
  if (options.stats && (m.stats !== undefined || m.stats2 !== undefined)) {
    printStatsAttr(p, m, ' ', options.iec > 0);
    p.fp('\n');
  }
}

/** tc_filter_list(): filters, or the chains of a block (tc chain show). */
async function list(ctx: IpContext, options: TcOptions, argv: string[], chainObject = false): Promise<number> {
  let dev = '';
  let block = 0;
  let parent = 0;
  let prio = 0;
  let protocol = 0;
  let chain: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (w === 'dev') {
      const v = next();
      if (dev) duparg('dev', v);
      if (block) throw usage('Error: "dev" cannot be used in the same time as "block"');
      dev = v.slice(0, 15);
    } else if (matches(w, 'block')) {
      const v = next();
      if (block) duparg('block', v);
      if (dev) throw usage('Error: "block" cannot be used in the same time as "dev"');
      const n = getU32(v, 0);
      if (!n) invarg('invalid block index value', v);
      block = n!;
    } else if (w === 'root' || w === 'ingress' || w === 'egress') {
      if (parent) throw usage(`Error: "${w}" is duplicate parent ID`);
      parent = w === 'root' ? TC_H_ROOT : w === 'ingress' ? CLSACT_INGRESS : CLSACT_EGRESS;
    } else if (w === 'parent') {
      const v = next();
      if (parent) duparg('parent', v);
      const h = getTcClassid(v);
      if (h === undefined) invarg('invalid parent ID', v);
      parent = h!;
    } else if (matches(w, 'preference') || matches(w, 'priority')) {
      const v = next();
      if (prio) duparg('priority', v);
      const n = getU32(v, 0);
      if (n === undefined) invarg('invalid preference', v);
      prio = n!;
    } else if (matches(w, 'protocol')) {
      const v = next();
      if (protocol) duparg('protocol', v);
      const n = protoNumber(v);
      if (n === undefined) invarg('invalid protocol', v);
      protocol = n!;
    } else if (matches(w, 'chain')) {
      const v = next();
      if (chain !== undefined) duparg('chain', v);
      const n = getU32(v, 0);
      if (n === undefined) invarg('invalid chain index value', v);
      chain = n!;
    } else if (matches(w, 'help')) ctx.io.stderr(FILTER_USAGE);
    else throw usage(` What is "${w}"? Try "tc filter help"`);
  }
  await ctx.loadLinks();
  let index = 0;
  const client = await tcClient(ctx);
  if (dev) {
    index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
  } else if (block && !(await blockExists(client, block))) throw new CommandError(`Cannot find block "${block}"`, 1);
  const protoBE = ((protocol & 0xff) << 8) | (protocol >>> 8);
  const request: Record<string, unknown> = { family: 0, ifindex: index, parent, handle: 0, info: ((prio << 16) | protoBE) >>> 0 };
  if (block && !dev) Object.assign(request, { ifindex: MAGIC_BLOCK_IFINDEX, parent: block });
  if (chain !== undefined) request.chain = chain;
  // A chain is printed as print_filter() prints an RTM_NEWCHAIN message.
  const type = chainObject ? { type: RTM_NEWCHAIN, flags: 0 } : undefined;
  for await (const batch of client.dump(chainObject ? 'getchain' : 'gettfilter', request as never).batches()) {
    for (const raw of batch) {
      const m = raw as unknown as TcMessage;
      if (m.kind === undefined && !chainObject) throw new CommandError('print_filter: NULL kind', 1);
      const p = ctx.printer();
      printFilter(ctx, p, m, options, { index, parent, prio, protocol, block, ...(chain !== undefined ? { chain } : {}) }, type);
      if (ctx.options.json) ctx.listItem(p);
      else ctx.print(p.output);
    }
  }
  ctx.listEnd();
  return 0;
}

/** tc_qdisc_block_exists(): whether a qdisc of the namespace shares the block (ingress_block / egress_block). */
async function blockExists(client: Awaited<ReturnType<typeof tcClient>>, block: number): Promise<boolean> {
  let found = false;
  for await (const batch of client.dump('getqdisc', { family: 0, ifindex: 0 } as never).batches()) {
    for (const raw of batch) {
      const q = raw as unknown as TcMessage;
      if (q['ingress-block'] === block || q['egress-block'] === block) found = true;
    }
  }
  return found;
}

/** What ended a u32 or action parse: tc's lines (exit 1). */
function parseFail(...lines: string[]): CommandError {
  return new CommandError(lines.join('\n'), 1);
}

/**
 * A classifier's `action ...` (NEXT_ARG, then parse_action()): the actions
 * into o.act, the kinds sent without options into blind; the index of the
 * word after them.
 */
async function filterActions(ctx: IpContext, argv: string[], i: number, o: Record<string, unknown>, blind: string[]): Promise<number> {
  if (++i >= argv.length) throw usage('Command line is not complete. Try option "help"');
  const r = await parseAction(ctx, argv, i);
  o.act = r.tab;
  blind.push(...r.blind);
  return r.next;
}

/** u32_parse_opt() for the forms nlkit knows: match ip src|dst ADDR[/LEN], match u32 VAL MASK at OFF, classid/flowid, action mirred. */
async function parseU32(ctx: IpContext, argv: string[], blind: string[]): Promise<Record<string, unknown> | undefined> {
  if (argv.length === 0) return undefined;
  const keys: U32Key[] = [];
  let selOk = false;
  let terminal = false;
  let flags = 0;
  const o: Record<string, unknown> = {};
  const pack = (val: number, mask: number, off: number): boolean => {
    val = (val & mask) >>> 0;
    for (const k of keys) {
      if (k.off === off && k.offmask === 0) {
        if (((val ^ k.val) & mask & k.mask) >>> 0) return false;
        k.val = (k.val | val) >>> 0;
        k.mask = (k.mask | mask) >>> 0;
        return true;
      }
    }
    if (keys.length >= 128 || off % 4) return false;
    keys.push({ val, mask, off, offmask: 0 });
    return true;
  };
  let i = 0;
  while (i < argv.length) {
    const w = argv[i]!;
    if (matches(w, 'match')) {
      const kind = argv[i + 1];
      if (kind === undefined) throw usage('Command line is not complete. Try option "help"');
      let ok = false;
      if (kind === 'ip' && (argv[i + 2] === 'src' || argv[i + 2] === 'dst') && argv[i + 3] !== undefined) {
        const [a, l] = argv[i + 3]!.split('/');
        const parts = a!.split('.');
        const len = l === undefined ? 32 : Number(l);
        if (parts.length === 4 && parts.every((x) => /^\d+$/.test(x) && Number(x) < 256) && /^\d*$/.test(l ?? '') && len <= 32) {
          const addr = parts.reduce((acc, x) => acc * 256 + Number(x), 0);
          const mask = len ? (0xffffffff << (32 - len)) >>> 0 : 0;
          ok = pack(addr, mask, argv[i + 2] === 'src' ? 12 : 16);
          i += 4;
        }
      } else if (kind === 'u32' && argv[i + 4] === 'at') {
        const v = getU32(argv[i + 2]!, 0);
        const m = getU32(argv[i + 3] ?? '', 0);
        const off = argv[i + 5] === undefined ? undefined : getInteger(argv[i + 5]!, 0);
        if (v !== undefined && m !== undefined && off !== undefined) {
          ok = pack(v, m, off);
          i += 6;
        }
      }
      if (!ok) throw parseFail('Illegal "match"');
      selOk = true;
      continue;
    } else if (matches(w, 'classid') || w === 'flowid') {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      const h = getTcClassid(v);
      if (h === undefined) throw parseFail('Illegal "classid"');
      o.classid = h;
      terminal = true;
    } else if (matches(w, 'action')) {
      i = await filterActions(ctx, argv, i, o, blind);
      terminal = true;
      continue;
    } else if (w === 'skip_hw') flags |= TC_CLS_FLAGS_SKIP_HW;
    else if (w === 'skip_sw') flags |= TC_CLS_FLAGS_SKIP_SW;
    else throw parseFail(`What is "${w}"?`, U32_USAGE);
    i++;
  }
  if (selOk) {
    const codec = tcFamily.structs.get('tc-u32-key')!;
    const [first, ...more] = keys;
    const rest = new Uint8Array(more.length * codec.size);
    more.forEach((k, n) => rest.set(codec.encode(k as never), n * codec.size));
    o.sel = { flags: terminal ? TC_U32_TERMINAL : 0, nkeys: keys.length, keys: first, ...(more.length ? { __rest: rest } : {}) };
  }
  if (flags) {
    if (flags === (TC_CLS_FLAGS_SKIP_HW | TC_CLS_FLAGS_SKIP_SW)) throw parseFail('skip_hw and skip_sw are mutually exclusive');
    o.flags = flags;
  }
  return o;
}

const U32_USAGE = `Usage: ... u32 [ match SELECTOR ... ] [ link HTID ] [ classid CLASSID ]
               [ action ACTION_SPEC ] [ offset OFFSET_SPEC ]
               [ ht HTID ] [ hashkey HASHKEY_SPEC ]
               [ sample SAMPLE ] [skip_hw | skip_sw]
or         u32 divisor DIVISOR

Where: SELECTOR := SAMPLE SAMPLE ...
       SAMPLE := { ip | ip6 | udp | tcp | icmp | u{32|16|8} | mark }
                 SAMPLE_ARGS [ divisor DIVISOR ]
       FILTERID := X:Y:Z

NOTE: CLASSID is parsed at hexadecimal input.`;

const BPF_USAGE = `Usage: ... bpf ...

BPF use case:
 bytecode BPF_BYTECODE
 bytecode-file FILE

eBPF use case:
 object-file FILE [ section CLS_NAME ] [ export UDS_FILE ] [ verbose ] [ direct-action ] [ skip_hw | skip_sw ]
 object-pinned FILE [ direct-action ] [ skip_hw | skip_sw ]

Common remaining options:
 [ action ACTION_SPEC ]
 [ classid CLASSID ]

Where BPF_BYTECODE := 's,c t f k,c t f k,c t f k,...'
c,t,f,k and s are decimals; s denotes number of 4-tuples

Where FILE points to a file containing the BPF_BYTECODE string,
an ELF file containing eBPF map definitions and bytecode, or a
pinned eBPF program.

Where CLS_NAME refers to the section name containing the
classifier (default 'classifier').

Where UDS_FILE points to a unix domain socket file in order
to hand off control of all created eBPF maps to an agent.

ACTION_SPEC := ... look at individual actions
NOTE: CLASSID is parsed as hexadecimal input.`;

/** bpf_ops_parse(): a classic program written as tc takes it ('N,c t f k,...'), as TCA_BPF_OPS bytes. */
function bpfOps(text: string): { len: number; ops: Uint8Array } {
  const unable = (...lines: string[]): CommandError => parseFail(...lines, 'Unable to parse bpf command line');
  const head = /^\s*\+?(\d+),/.exec(text);
  if (!head) throw unable();
  const len = Number(head[1]);
  if (len === 0 || len > 4096 || len > 0xffff) throw unable();
  const codec = tcFamily.structs.get('sock-filter')!;
  const ops = new Uint8Array(len * codec.size);
  let i = 0;
  let at = text.indexOf(',');
  while (at >= 0 && at + 1 < text.length) {
    const token = text.slice(at + 1);
    if (i >= len) throw unable('Real program length exceeds encoded length parameter!');
    const m = /^\s*\+?(\d+)\s+\+?(\d+)\s+\+?(\d+)\s+\+?(\d+)/.exec(token);
    if (!m) throw unable(`Error at instruction ${i}!`);
    ops.set(codec.encode({ code: Number(m[1]) & 0xffff, jt: Number(m[2]) & 0xff, jf: Number(m[3]) & 0xff, k: Number(m[4]) >>> 0 }), i * codec.size);
    i++;
    at = text.indexOf(',', at + 1);
  }
  if (i !== len) throw unable('Parsed program length is less than encoded length parameter!');
  return { len, ops };
}

/** bpf_parse_opt() for classic programs given inline (bytecode / bc). */
async function parseBpf(ctx: IpContext, argv: string[], blind: string[]): Promise<Record<string, unknown> | undefined> {
  if (argv.length === 0) return undefined;
  const o: Record<string, unknown> = {};
  let seenRun = false;
  let flags = 0;
  let genFlags = 0;
  let i = 0;
  const run = (): void => {
    const mode = argv[i]!;
    seenRun = true;
    if (matches(mode, 'bytecode') || mode === 'bc') {
      const text = argv[++i];
      if (text === undefined) throw usage('Command line is not complete. Try option "help"');
      const { len, ops } = bpfOps(text);
      o['ops-len'] = len;
      o.ops = ops;
    } else if (
      matches(mode, 'bytecode-file') ||
      mode === 'bcf' ||
      matches(mode, 'object-file') ||
      mode === 'obj' ||
      matches(mode, 'object-pinned') ||
      matches(mode, 'pinned') ||
      matches(mode, 'fd')
    ) {
      throw new CommandError(`nlkit tc: bpf ${mode} is not supported (only bytecode)`, 1);
    } else throw parseFail(`What mode is "${mode}"?`, 'Unable to parse bpf command line');
  };
  while (i < argv.length) {
    const w = argv[i]!;
    if (matches(w, 'run')) {
      i++;
      if (argv[i] === undefined) throw usage('Command line is not complete. Try option "help"');
      if (seenRun) duparg('run', argv[i]!);
      run();
    } else if (matches(w, 'classid') || matches(w, 'flowid')) {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      const h = getTcClassid(v);
      if (h === undefined) throw parseFail('Illegal "classid"');
      o.classid = h;
    } else if (matches(w, 'direct-action') || matches(w, 'da')) flags |= TCA_BPF_FLAG_ACT_DIRECT;
    else if (matches(w, 'skip_hw')) genFlags |= TC_CLS_FLAGS_SKIP_HW;
    else if (matches(w, 'skip_sw')) genFlags |= TC_CLS_FLAGS_SKIP_SW;
    else if (matches(w, 'action')) {
      i = await filterActions(ctx, argv, i, o, blind);
      continue;
    } else if (matches(w, 'help')) throw parseFail(BPF_USAGE);
    else if (!seenRun) run();
    else throw parseFail(`What is "${w}"?`, BPF_USAGE);
    i++;
  }
  if (genFlags) o['flags-gen'] = genFlags;
  if (flags) o.flags = flags;
  return o;
}

/** The classifiers tc 6.1 is built with (its f_*.c modules). */
const TC_FILTER_KINDS = new Set(['rsvp', 'rsvp6', 'u32', 'route', 'fw', 'basic', 'bpf', 'flow', 'cgroup', 'flower', 'tcindex', 'matchall']);

/** What tc_filter_modify() and tc_filter_get() read of a filter's place, alike. */
interface FilterPlace {
  dev: string;
  block: number;
  parent: number;
  prio: number;
  protocol: number;
  protocolSet: boolean;
  fhandle: string | undefined;
  chain: number | undefined;
}

function newPlace(protocol: number): FilterPlace {
  return { dev: '', block: 0, parent: 0, prio: 0, protocol, protocolSet: false, fhandle: undefined, chain: undefined };
}

/** Reads `w` (and its value, through `next`) into `f` when it is one of those words; false for any other word. */
function placeWord(f: FilterPlace, w: string, next: () => string): boolean {
  if (w === 'dev') {
    const v = next();
    if (f.dev) duparg('dev', v);
    if (f.block) throw usage('Error: "dev" and "block" are mutually exclusive');
    f.dev = v.slice(0, 15);
  } else if (matches(w, 'block')) {
    const v = next();
    if (f.block) duparg('block', v);
    if (f.dev) throw usage('Error: "dev" and "block" are mutually exclusive');
    const n = getU32(v, 0);
    if (!n) invarg('invalid block index value', v);
    f.block = n!;
  } else if (w === 'root' || w === 'ingress' || w === 'egress') {
    if (f.parent) throw usage(`Error: "${w}" is duplicate parent ID`);
    f.parent = w === 'root' ? TC_H_ROOT : w === 'ingress' ? CLSACT_INGRESS : CLSACT_EGRESS;
  } else if (w === 'parent') {
    const v = next();
    if (f.parent) duparg('parent', v);
    const h = getTcClassid(v);
    if (h === undefined) invarg('Invalid parent ID', v);
    f.parent = h!;
  } else if (w === 'handle') {
    const v = next();
    if (f.fhandle !== undefined) duparg('handle', v);
    f.fhandle = v;
  } else if (matches(w, 'preference') || matches(w, 'priority')) {
    const v = next();
    if (f.prio) duparg('priority', v);
    const n = getU32(v, 0);
    if (n === undefined || n > 0xffff) invarg('invalid priority value', v);
    f.prio = n!;
  } else if (matches(w, 'protocol')) {
    const v = next();
    if (f.protocolSet) duparg('protocol', v);
    const n = protoNumber(v);
    if (n === undefined) invarg('invalid protocol', v);
    f.protocol = n!;
    f.protocolSet = true;
  } else if (matches(w, 'chain')) {
    const v = next();
    if (f.chain !== undefined) duparg('chain', v);
    const n = getU32(v, 0);
    if (n === undefined) invarg('invalid chain index value', v);
    f.chain = n!;
  } else return false;
  return true;
}

/** tc_filter_modify(): a filter, or a chain (tc chain add | delete, with an optional template). */
async function modify(ctx: IpContext, argv: string[], flags: number, del: boolean, chainObject = false): Promise<number> {
  const blind: string[] = [];
  const f = newPlace(!del && !chainObject && flags & NLM_F_CREATE ? ETH_P_ALL : 0);
  let kind = '';
  let i = 0;
  const next = (): string => {
    const v = argv[++i];
    if (v === undefined) throw usage('Command line is not complete. Try option "help"');
    return v;
  };
  for (; i < argv.length; i++) {
    const w = argv[i]!;
    if (placeWord(f, w, next)) continue;
    if (matches(w, 'estimator')) throw new CommandError('nlkit tc: estimator is not supported', 255);
    else if (matches(w, 'help')) throw new StderrExit(FILTER_USAGE, 0);
    else {
      kind = w.slice(0, 15);
      i++;
      break;
    }
  }
  const { dev, block, parent, prio, protocol, fhandle, chain } = f;
  const rest = argv.slice(i);
  const protoBE = ((protocol & 0xff) << 8) | (protocol >>> 8);
  const value: Record<string, unknown> = { family: 0, ifindex: 0, handle: 0, parent, info: ((prio << 16) | protoBE) >>> 0 };
  if (kind) value.kind = kind;
  if (chain !== undefined) value.chain = chain;
  if (dev) {
    await ctx.loadLinks();
    const index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
    value.ifindex = index;
  } else if (block) Object.assign(value, { ifindex: MAGIC_BLOCK_IFINDEX, parent: block });
  if (kind) {
    if (kind === 'u32') {
      if (fhandle !== undefined) {
        const h = /^([0-9a-f]*)(?::([0-9a-f]*)(?::([0-9a-f]*))?)?$/i.exec(fhandle);
        if (!h) throw parseFail('Illegal filter ID');
        value.handle = ((parseInt(h[1] || '0', 16) << 20) | (parseInt(h[2] || '0', 16) << 12) | parseInt(h[3] || '0', 16)) >>> 0;
      }
      const o = await parseU32(ctx, rest, blind);
      if (o !== undefined) value.options = o;
    } else if (kind === 'bpf') {
      if (fhandle !== undefined)
        value.handle =
          getU32(fhandle, 0) ??
          (() => {
            throw parseFail('Illegal "handle"');
          })();
      const o = await parseBpf(ctx, rest, blind);
      if (o !== undefined) value.options = o;
    } else if (TC_FILTER_KINDS.has(kind)) throw new CommandError(`nlkit tc: filter kind ${kind} is not supported`, 1);
    else {
      // parse_nofopt(): a kind tc has no module for takes no options (the kernel then says whether it has it).
      if (rest.length) throw parseFail(`Unknown filter "${kind}", hence option "${rest[0]}" is unparsable`);
      if (fhandle !== undefined) {
        const h = getU32(fhandle, 16);
        if (h === undefined) throw parseFail(`Unparsable filter ID "${fhandle}"`);
        value.handle = h;
      }
    }
  } else {
    if (fhandle !== undefined) throw usage('Must specify filter type when using "handle"');
    if (rest.length) {
      if (matches(rest[0]!, 'help')) ctx.io.stderr(FILTER_USAGE);
      throw usage(`Garbage instead of arguments "${rest[0]} ...". Try "tc filter help".`);
    }
  }
  const client = await tcClient(ctx);
  try {
    const op = chainObject ? (del ? 'delchain' : 'newchain') : del ? 'deltfilter' : 'newtfilter';
    await client.request(op, value as never, { flags: NLM_F_REQUEST | NLM_F_ACK | flags });
  } catch (err) {
    if (err instanceof NetlinkError) throw blindRefusal(err, blind) ?? new CommandError(`${kernelErrorText(err)}We have an error talking to the kernel`, 2);
    throw err;
  }
  return 0;
}

/** `tc filter ...` (do_filter()). */
export async function runFilter(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx, options, []);
  if (matches(cmd, 'add')) return modify(ctx, rest, NLM_F_EXCL | NLM_F_CREATE, false);
  if (matches(cmd, 'change')) return modify(ctx, rest, 0, false);
  if (matches(cmd, 'replace')) return modify(ctx, rest, NLM_F_CREATE, false);
  if (matches(cmd, 'delete')) return modify(ctx, rest, 0, true);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx, options, rest);
  if (matches(cmd, 'help')) throw new StderrExit(FILTER_USAGE, 0);
  throw usage(`Command "${cmd}" is unknown, try "tc filter help".`);
}

const CHAIN_USAGE = `Usage: tc chain [ add | del | get | show ] [ dev STRING ]
       tc chain [ add | del | get | show ] [ block BLOCK_INDEX ] ]
`;

/** tc_filter_get() for RTM_GETCHAIN: one chain of a device's qdisc, printed as print_filter() prints it. */
async function getChain(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  const f = newPlace(0);
  let i = 0;
  const next = (): string => {
    const v = argv[++i];
    if (v === undefined) throw usage('Command line is not complete. Try option "help"');
    return v;
  };
  for (; i < argv.length; i++) {
    const w = argv[i]!;
    if (placeWord(f, w, next)) continue;
    if (matches(w, 'help')) throw new StderrExit(FILTER_USAGE, 0);
    else {
      // A filter kind: tc reads it, and sends nothing of it for a chain.
      if (w === '') invarg('invalid filter name', w);
      i++;
      break;
    }
  }
  const { dev, block, parent, chain } = f;
  if (!parent) throw usage('Must specify filter parent');
  let index = 0;
  if (dev) {
    await ctx.loadLinks();
    index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
  } else if (!block) throw usage('Must specify netdevice "dev" or block index "block"');
  if (i < argv.length) {
    if (matches(argv[i]!, 'help')) ctx.io.stderr(FILTER_USAGE);
    throw usage(`Garbage instead of arguments "${argv[i]} ...". Try "tc filter help".`);
  }
  const value: Record<string, unknown> = { family: 0, ifindex: index, handle: 0, parent, info: 0 };
  if (!dev) Object.assign(value, { ifindex: MAGIC_BLOCK_IFINDEX, parent: block });
  if (chain !== undefined) value.chain = chain;
  const client = await tcClient(ctx);
  let answer: TcMessage | undefined;
  try {
    // NLM_F_ECHO as tc sends it (old kernels answer nothing without it).
    [answer] = (await client.request('getchain', value as never, { flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO })) as unknown as TcMessage[];
  } catch (err) {
    if (err instanceof NetlinkError) throw new CommandError(`${kernelErrorText(err)}We have an error talking to the kernel`, 2);
    throw err;
  }
  if (answer) {
    const p = ctx.printer();
    printFilter(ctx, p, answer, options, { index, parent: 0, prio: 0, protocol: 0, block }, { type: RTM_NEWCHAIN, flags: 0 });
    if (ctx.options.json) ctx.listItem(p);
    else ctx.print(p.output);
  }
  ctx.listEnd();
  return 0;
}

/** `tc chain ...` (do_chain() of tc_filter.c): filter chains, through the filter commands. */
export async function runChain(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx, options, [], true);
  if (matches(cmd, 'add')) return modify(ctx, rest, NLM_F_EXCL | NLM_F_CREATE, false, true);
  if (matches(cmd, 'delete')) return modify(ctx, rest, 0, true, true);
  if (matches(cmd, 'get')) return getChain(ctx, options, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx, options, rest, true);
  if (matches(cmd, 'help')) throw new StderrExit(CHAIN_USAGE, 0);
  throw usage(`Command "${cmd}" is unknown, try "tc chain help".`);
}
