// `tc qdisc`: show, add, change, replace, link, delete (tc/tc_qdisc.c of
// iproute2 6.1), printing each kind's options as its q_KIND.c does, from the
// generated tc codec's decoded messages.
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import { family as tcFamily, type Attrs, type Tcmsg } from '../../families/generated/tc.js';
import { LINKLAYER_NAMES, RTM_DELQDISC, RTM_NEWQDISC, TC_H_INGRESS, TC_H_ROOT, TC_LINKLAYER_ETHERNET } from '../../families/generated/tc.constants.js';
import type { Family } from '../../schema/family.js';
import { CommandError, StderrExit } from '../error.js';
import { duparg, invarg, matches } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import type { Printer } from '../ip/printer.js';
import { familyClient } from '../bridge/common.js';
import { getInteger, getU16, getU32, getU8, getUnsigned } from '../ip/numbers.js';
import type { TcOptions } from './index.js';
import {
  calcXmitsize,
  classidText,
  getQdiscHandle,
  calcRtable,
  calcXmittime,
  getLinklayer,
  getRate64,
  getSize,
  getSizeAndCell,
  getTime,
  getTcClassid,
  printSize,
  printStats2,
  sprintRate,
  sprintSize,
  sprintTime,
  tick2time,
  TIME_UNITS_PER_SEC,
  type Stats2,
  whole,
} from './util.js';

const QDISC_USAGE = `Usage: tc qdisc [ add | del | replace | change | show ] dev STRING
       [ handle QHANDLE ] [ root | ingress | clsact | parent CLASSID ]
       [ estimator INTERVAL TIME_CONSTANT ]
       [ stab [ help | STAB_OPTIONS] ]
       [ ingress_block BLOCK_INDEX ] [ egress_block BLOCK_INDEX ]
       [ [ QDISC_KIND ] [ help | OPTIONS ] ]

       tc qdisc { show | list } [ dev STRING ] [ QDISC_ID ] [ invisible ]
Where:
QDISC_KIND := { [p|b]fifo | tbf | prio | cbq | red | etc. }
OPTIONS := ... try tc qdisc add <desired QDISC_KIND> help
STAB_OPTIONS := ... try tc qdisc add stab help
QDISC_ID := { root | ingress | handle QHANDLE | parent CLASSID }
`;

/** A qdisc, class or filter message as the generated codec decodes it. */
export type TcMessage = Tcmsg & Attrs;

/** A notification's type and flags (tc monitor prints them as deleted / added / replaced). */
export interface TcEvent {
  type: number;
  flags: number;
}

/** The generated tc family's client on the command's socket. */
export async function tcClient(ctx: IpContext): Promise<Awaited<ReturnType<typeof familyClient>>> {
  return familyClient(ctx, tcFamily as unknown as Family);
}

/** print_devname(). */
export function printDevname(ctx: IpContext, p: Printer, index: number): void {
  p.any('dev', 'dev %s ', ctx.indexName(index));
}

/** HTB_TC_VER >> 16 . HTB_TC_VER & 0xffff, as q_htb.c's explain() prints it. */
export const HTB_USAGE = `Usage: ... qdisc add ... htb [default N] [r2q N]
                      [direct_qlen P] [offload]
 default  minor id of class to which unclassified packets are sent {0}
 r2q      DRR quantums are computed as rate in Bps/r2q {10}
 debug    string of 16 numbers each 0-3 {0}

 direct_qlen  Limit of the direct queue {in packets}
 offload  enable hardware offload
... class add ... htb rate R1 [burst B1] [mpu B] [overhead O]
                      [prio P] [slot S] [pslot PS]
                      [ceil R2] [cburst B2] [mtu MTU] [quantum Q]
 rate     rate allocated to this class (class can still borrow)
 burst    max bytes burst which can be accumulated during idle period {computed}
 mpu      minimum packet size used in rate computations
 overhead per-packet size overhead used in rate computations
 linklay  adapting to a linklayer e.g. atm
 ceil     definite upper class rate (no borrows) {rate}
 cburst   burst but for ceil {computed}
 mtu      max packet size we create rate map for {1600}
 prio     priority of leaf; lower are served first {0}
 quantum  how much bytes to serve from leaf at once {use r2q}

TC HTB version 3.3`;

/** htb_print_opt(): an htb qdisc's or class's options. */
export function printHtb(p: Printer, o: Record<string, unknown>, options: TcOptions): void {
  const parms = o.parms as
    | {
        rate: { rate: number; overhead: number; linklayer: number; 'cell-log': number; mpu: number };
        ceil: { rate: number; 'cell-log': number; mpu: number };
        buffer: number;
        cbuffer: number;
        quantum: number;
        level: number;
        prio: number;
      }
    | undefined;
  if (parms) {
    if (!whole(parms)) return;
    if (!parms.level) {
      p.any('prio', 'prio %s ', parms.prio | 0);
      if (options.details) p.any('quantum', 'quantum %s ', parms.quantum | 0);
    }
    const rate64 = (o.rate64 as bigint | undefined) ?? BigInt(parms.rate.rate);
    const ceil64 = (o.ceil64 as bigint | undefined) ?? BigInt(parms.ceil.rate);
    p.fpf('rate %s ', sprintRate(rate64, options.iec > 0));
    if (parms.rate.overhead) p.fpf('overhead %s ', parms.rate.overhead);
    const buffer = calcXmitsize(rate64, parms.buffer);
    p.fpf('ceil %s ', sprintRate(ceil64, options.iec > 0));
    const cbuffer = calcXmitsize(ceil64, parms.cbuffer);
    const linklayer = parms.rate.linklayer & 0x0f;
    if (linklayer > TC_LINKLAYER_ETHERNET || options.details) p.fpf('linklayer %s ', LINKLAYER_NAMES[linklayer] ?? 'unknown');
    if (options.details) {
      p.fpf('burst %s/', sprintSize(buffer));
      p.fpf('%s ', 1 << parms.rate['cell-log']);
      p.fpf('mpu %s ', sprintSize(parms.rate.mpu));
      p.fpf('cburst %s/', sprintSize(cbuffer));
      p.fpf('%s ', 1 << parms.ceil['cell-log']);
      p.fpf('mpu %s ', sprintSize(parms.ceil.mpu));
      p.fpf('level %s ', parms.level);
    } else {
      p.fpf('burst %s ', sprintSize(buffer));
      p.fpf('cburst %s ', sprintSize(cbuffer));
    }
    if (options.raw) p.fp(`buffer [${hex8(parms.buffer)}] cbuffer [${hex8(parms.cbuffer)}] `);
  }
  const init = o.init as { version: number; rate2quantum: number; defcls: number; 'direct-pkts': number } | undefined;
  if (init) {
    if (!whole(init)) return;
    p.any('r2q', 'r2q %s', init.rate2quantum | 0);
    p.any('default', ' default %s', init.defcls ? `0x${init.defcls.toString(16)}` : '0');
    p.any('direct_packets_stat', ' direct_packets_stat %s', init['direct-pkts']);
    if (options.details) p.any('ver', ' ver %s', `${init.version >>> 16}.${init.version & 0xffff}`);
  }
  if (typeof o['direct-qlen'] === 'number') p.any('direct_qlen', ' direct_qlen %s', o['direct-qlen'] as number);
  if (o.offload !== undefined) {
    if (p.json) p.null('offload');
    else p.fp(' offload');
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function printTbf(p: Printer, o: Record<string, unknown>, options: TcOptions): void {
  const q = o.parms as
    | {
        rate: { rate: number; 'cell-log': number; mpu: number; overhead: number; linklayer: number };
        peakrate: { rate: number; 'cell-log': number; mpu: number };
        limit: number;
        buffer: number;
        mtu: number;
      }
    | undefined;
  if (!whole(q)) return;
  const rate64 = (o.rate64 as bigint | undefined) ?? BigInt(q.rate.rate);
  if (p.json) p.jsonOnly('rate', rate64);
  else p.fpf('rate %s ', sprintRate(rate64, options.iec > 0));
  const buffer = calcXmitsize(rate64, q.buffer);
  if (options.details) {
    p.any('burst', 'burst %s ', `${sprintSize(buffer)}/${1 << q.rate['cell-log']}`);
    printSize(p, 'mpu', 'mpu %s ', q.rate.mpu);
  } else printSize(p, 'burst', 'burst %s ', buffer);
  if (options.raw) p.any('burst_raw', '[%s] ', hex8(q.buffer));
  const prate64 = (o.prate64 as bigint | undefined) ?? BigInt(q.peakrate.rate);
  if (prate64) {
    p.fpf('peakrate %s ', sprintRate(prate64, options.iec > 0));
    if (q.mtu || q.peakrate.mpu) {
      const mtu = calcXmitsize(prate64, q.mtu);
      if (options.details) {
        p.any('mtu', 'mtu %s ', `${sprintSize(mtu)}/${1 << q.peakrate['cell-log']}`);
        printSize(p, 'mpu', 'mpu %s ', q.peakrate.mpu);
      } else printSize(p, 'minburst', 'minburst %s ', mtu);
      if (options.raw) p.any('mtu_raw', '[%s] ', hex8(q.mtu));
    }
  }
  let latency = TIME_UNITS_PER_SEC * (q.limit / Number(rate64)) - tick2time(q.buffer);
  if (prate64) {
    const lat2 = TIME_UNITS_PER_SEC * (q.limit / Number(prate64)) - tick2time(q.mtu);
    if (lat2 > latency) latency = lat2;
  }
  if (latency >= 0) {
    p.jsonOnly('lat', Number.isFinite(latency) ? BigInt(Math.trunc(latency)) : 0n);
    p.fpf('lat %s ', sprintTime(latency));
  }
  if (options.raw || latency < 0) printSize(p, 'limit', 'limit %s ', q.limit);
  if (q.rate.overhead) p.any('overhead', 'overhead %s ', q.rate.overhead);
  const linklayer = q.rate.linklayer & 0x0f;
  if (linklayer > TC_LINKLAYER_ETHERNET || options.details) p.any('linklayer', 'linklayer %s ', LINKLAYER_NAMES[linklayer] ?? 'unknown');
}

function printPrio(p: Printer, o: { bands?: number; priomap?: Uint8Array }): void {
  if (!whole(o)) return;
  p.any('bands', 'bands %s ', o.bands ?? 0);
  p.openArray('priomap');
  p.fp('priomap');
  for (const b of o.priomap ?? []) p.any(null, ' %s', b);
  p.close();
  p.jsonOnly('multiqueue', false);
}

/** Prints a qdisc kind's TCA_OPTIONS (q->print_qopt, or print_noqopt for kinds tc has no module for). */
function printQdiscOptions(p: Printer, kind: string, o: unknown, options: TcOptions): void {
  switch (kind) {
    case 'htb':
      return printHtb(p, o as Record<string, unknown>, options);
    case 'ingress':
      p.fp('---------------- ');
      return;
    case 'clsact':
      return;
    case 'pfifo':
    case 'pfifo_head_drop':
      if (!whole(o)) return;
      p.any('limit', 'limit %sp', (o as { limit: number }).limit);
      return;
    case 'bfifo':
      if (!whole(o)) return;
      printSize(p, 'limit', 'limit %s', (o as { limit: number }).limit);
      return;
    case 'pfifo_fast':
    case 'prio':
      return printPrio(p, o as { bands?: number; priomap?: Uint8Array });
    case 'tbf':
      return printTbf(p, o as Record<string, unknown>, options);
    default:
      if (o instanceof Uint8Array && o.length) p.fp(`[Unknown qdisc, optlen=${o.length}] `);
  }
}

/** print_qdisc(). */
export function printQdisc(ctx: IpContext, p: Printer, m: TcMessage, options: TcOptions, filterIndex: number, event?: TcEvent): void {
  const handle = m.handle ?? 0;
  if (event) {
    if (event.type === RTM_DELQDISC) p.bool('deleted', 'deleted ', true);
    if (event.type === RTM_NEWQDISC && event.flags & NLM_F_CREATE && event.flags & NLM_F_REPLACE) p.bool('replaced', 'replaced ', true);
    if (event.type === RTM_NEWQDISC && event.flags & NLM_F_CREATE && event.flags & NLM_F_EXCL) p.bool('added', 'added ', true);
  }
  p.any('kind', 'qdisc %s', m.kind!);
  p.any('handle', ' %s', `${(handle >>> 16).toString(16)}:`);
  if (options.raw) p.fp(`[${hex8(handle)}]`);
  p.fp(' ');
  if (!filterIndex) printDevname(ctx, p, m.ifindex ?? 0);
  const parent = m.parent ?? 0;
  if (parent === TC_H_ROOT) p.bool('root', 'root ', true);
  else if (parent) p.any('parent', 'parent %s ', classidText(parent));
  if (m.info !== 1) p.any('refcnt', 'refcnt %s ', m.info ?? 0);
  if (m['hw-offload']) p.bool('offloaded', 'offloaded ', true);
  if (m['ingress-block']) p.any('ingress_block', 'ingress_block %s ', m['ingress-block']);
  if (m['egress-block']) p.any('egress_block', 'egress_block %s ', m['egress-block']);
  p.open('options');
  if (m.options !== undefined) printQdiscOptions(p, m.kind!, m.options, options);
  p.close();
  p.fp('\n');
  if (options.stats && (m.stats2 !== undefined || m.stats !== undefined || m.xstats !== undefined)) {
    printStatsAttr(p, m, ' ', options.iec > 0);
    p.fp('\n');
  }
}

/** print_tcstats_attr(): TCA_STATS2, or the old TCA_STATS. */
export function printStatsAttr(p: Printer, m: TcMessage, prefix: string, iec = false): void {
  if (m.stats2 !== undefined) {
    printStats2(p, m.stats2 as Stats2, prefix, iec);
    return;
  }
  const st = m.stats;
  if (!st) return;
  // The old struct is text only (fprintf).
  p.fp(`${prefix}Sent ${st.bytes ?? 0n} bytes ${st.packets ?? 0} pkts (dropped ${st.drops ?? 0}, overlimits ${st.overlimits ?? 0}) `);
  if (st.bps || st.pps || st.qlen || st.backlog) {
    p.fp(`\n${prefix}`);
    if (st.bps || st.pps) {
      p.fp('rate ');
      if (st.bps) p.fp(`${sprintRate(st.bps, iec)} `);
      if (st.pps) p.fp(`${st.pps}pps `);
    }
    if (st.qlen || st.backlog) {
      p.fp('backlog ');
      if (st.backlog) p.fp(`${sprintSize(st.backlog)} `);
      if (st.qlen) p.fp(`${st.qlen}p `);
    }
  }
}

async function list(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  let dev: string | undefined;
  let filterParent = 0;
  let filterHandle = 0;
  let invisible = false;
  const both = (w: string): void => {
    if (filterParent) invarg('parent is already specified', w);
    else if (filterHandle) invarg('handle is already specified', w);
  };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === 'dev') {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      dev = v.slice(0, 15);
    } else if (w === 'root') {
      both(w);
      filterParent = TC_H_ROOT;
    } else if (w === 'ingress' || w === 'clsact') {
      both(w);
      filterParent = TC_H_INGRESS;
    } else if (matches(w, 'parent')) {
      both(w);
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      const h = getTcClassid(v);
      if (h === undefined) invarg('invalid parent ID', v);
      filterParent = h!;
    } else if (matches(w, 'handle')) {
      both(w);
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      const h = getQdiscHandle(v);
      if (h === undefined) invarg('invalid handle ID', v);
      filterHandle = h!;
    } else if (matches(w, 'help')) throw usage(QDISC_USAGE);
    else if (w === 'invisible') invisible = true;
    else throw usage(`What is "${w}"? Try "tc qdisc help".`);
  }
  await ctx.loadLinks();
  let index = 0;
  if (dev !== undefined) {
    index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
  }
  const client = await tcClient(ctx);
  const request: Record<string, unknown> = { family: 0, ifindex: index };
  if (invisible) request['dump-invisible'] = true;
  for await (const batch of client.dump('getqdisc', request as never).batches()) {
    for (const raw of batch) {
      const m = raw as unknown as TcMessage;
      if (index && m.ifindex !== index) continue;
      if (filterHandle && filterHandle !== m.handle) continue;
      if (filterParent && filterParent !== m.parent) continue;
      if (m.kind === undefined) throw new CommandError('print_qdisc: NULL kind', 1);
      const p = ctx.printer();
      printQdisc(ctx, p, m, options, index);
      if (ctx.options.json) ctx.listItem(p);
      else ctx.print(p.output);
    }
  }
  ctx.listEnd();
  return 0;
}

/** htb_parse_opt(). */
function parseHtbQdisc(argv: string[]): Record<string, unknown> {
  const init = { version: 3, rate2quantum: 10, defcls: 0, debug: 0, 'direct-pkts': 0 };
  let directQlen: number | undefined;
  let offload = false;
  const explain1 = (what: string): never => {
    throw new CommandError(`Illegal "${what}"\n${HTB_USAGE}`, 1);
  };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (matches(w, 'r2q')) init.rate2quantum = getU32(next(), 10) ?? explain1('r2q');
    else if (matches(w, 'default')) init.defcls = getU32(next(), 16) ?? explain1('default');
    else if (matches(w, 'debug')) {
      const v = next();
      for (let k = 0; k < 16 && k < v.length; k++) {
        const c = v.charCodeAt(k) - 48;
        if (c < 0 || c > 3) break;
        init.debug |= c << (2 * k);
      }
    } else if (matches(w, 'direct_qlen')) directQlen = getU32(next(), 10) ?? explain1('direct_qlen');
    else if (matches(w, 'offload')) offload = true;
    else throw new CommandError(`What is "${w}"?\n${HTB_USAGE}`, 1);
  }
  const o: Record<string, unknown> = { init };
  if (directQlen !== undefined) o['direct-qlen'] = directQlen;
  if (offload) o.offload = true;
  return o;
}

/** The options of a qdisc kind (q->parse_qopt); undefined when the kind sends none. */
function parseQdiscOptions(kind: string, argv: string[]): unknown {
  switch (kind) {
    case 'htb':
      return parseHtbQdisc(argv);
    case 'ingress':
      for (let i = 0; i < argv.length; i++) {
        if (argv[i] === 'handle') {
          if (argv[++i] === undefined) throw usage('Command line is not complete. Try option "help"');
        } else throw new CommandError(`What is "${argv[i]}"?\nUsage: ... ingress`, 1);
      }
      return undefined;
    case 'clsact':
      if (argv.length) throw new CommandError(`What is "${argv[0]}"?\nUsage: ... clsact`, 1);
      return undefined;
    case 'pfifo':
    case 'bfifo':
    case 'pfifo_head_drop': {
      let limit: number | undefined;
      for (let i = 0; i < argv.length; i++) {
        const w = argv[i]!;
        if (w === 'limit') {
          const v = argv[++i];
          if (v === undefined) throw usage('Command line is not complete. Try option "help"');
          limit = getSize(v);
          if (limit === undefined) throw new CommandError(`${kind}: Illegal value for "limit": "${v}"`, 1);
        } else if (w === 'help') throw new CommandError('Usage: ... <[p|b]fifo | pfifo_head_drop> [ limit NUMBER ]', 1);
        else throw new CommandError(`${kind}: unknown parameter "${w}"\nUsage: ... <[p|b]fifo | pfifo_head_drop> [ limit NUMBER ]`, 1);
      }
      return limit === undefined ? undefined : { limit };
    }
    case 'prio':
      return parsePrio(argv);
    case 'fq_codel':
      return parseFqCodel(argv);
    case 'tbf':
      return parseTbf(argv);
    default:
      // print_noqopt's twin: a kind tc has no module for takes no options.
      if (argv.length) throw new CommandError(`Unknown qdisc "${kind}", hence option "${argv[0]}" is unparsable`, 1);
      return undefined;
  }
}

const FQ_CODEL_USAGE = `Usage: ... fq_codel	[ limit PACKETS ] [ flows NUMBER ]
[ memory_limit BYTES ]
[ target TIME ] [ interval TIME ]
[ quantum BYTES ] [ [no]ecn ]
[ ce_threshold TIME ]
[ ce_threshold_selector VALUE/MASK ]
[ drop_batch SIZE ]`;

/** fq_codel_parse_opt(): the options tc sends (this kernel may lack the kind, and then refuses it whatever they are). */
function parseFqCodel(argv: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  let ecn: number | undefined;
  let ceThreshold: number | undefined;
  let selector: [number, number] | undefined;
  let memory: number | undefined;
  const ill = (what: string): never => {
    throw new CommandError(`Illegal "${what}"`, 1);
  };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (w === 'limit' || w === 'flows' || w === 'quantum' || w === 'drop_batch') {
      const n = getUnsigned(next(), 0) ?? ill(w);
      o[w === 'drop_batch' ? 'drop-batch-size' : w] = n;
    } else if (w === 'target' || w === 'interval') o[w] = getTime(next()) ?? ill(w);
    else if (w === 'ce_threshold') ceThreshold = getTime(next()) ?? ill(w);
    else if (w === 'ce_threshold_selector') {
      const v = next();
      const sep = v.indexOf('/');
      if (sep < 0) throw new CommandError('Missing mask for "ce_threshold_selector"', 1);
      const mask = getU8(v.slice(sep + 1), 0);
      if (mask === undefined) throw new CommandError('Illegal mask for "ce_threshold_selector"', 1);
      const value = getU8(v.slice(0, sep), 0);
      if (value === undefined) ill(w);
      selector = [value!, mask];
    } else if (w === 'memory_limit') memory = getSize(next()) ?? ill(w);
    else if (w === 'ecn') ecn = 1;
    else if (w === 'noecn') ecn = 0;
    else if (w === 'help') throw new CommandError(FQ_CODEL_USAGE, 1);
    else throw new CommandError(`What is "${w}"?\n${FQ_CODEL_USAGE}`, 1);
  }
  // tc leaves out what is 0 (limit, flows, quantum, interval, target, drop_batch) or not given.
  for (const k of Object.keys(o)) if (o[k] === 0) delete o[k];
  if (ecn !== undefined) o.ecn = ecn;
  if (ceThreshold !== undefined) o['ce-threshold'] = ceThreshold;
  if (selector) {
    o['ce-threshold-mask'] = selector[1];
    o['ce-threshold-selector'] = selector[0];
  }
  if (memory !== undefined) o['memory-limit'] = memory;
  return o;
}

const TBF_USAGE = `Usage: ... tbf limit BYTES burst BYTES[/BYTES] rate KBPS [ mtu BYTES[/BYTES] ]
	[ peakrate KBPS ] [ latency TIME ] [ overhead BYTES ] [ linklayer TYPE ]`;

/** tbf_parse_opt(): the parameters, limit from latency, and the rate tables as tc computes them. */
function parseTbf(argv: string[]): Record<string, unknown> {
  let limit = 0;
  let latency = 0;
  let buffer = 0;
  let mtu = 0;
  let mpu = 0;
  let rcellLog = -1;
  let pcellLog = -1;
  let overhead = 0;
  let linklayer = TC_LINKLAYER_ETHERNET;
  let rate64 = 0n;
  let prate64 = 0n;
  const fail = (...lines: string[]): CommandError => new CommandError(lines.join('\n'), 1);
  const illegal = (what: string, v: string): never => {
    throw fail(`tbf: illegal value for "${what}": "${v}"`);
  };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (matches(w, 'limit')) {
      const v = next();
      if (limit) throw fail('tbf: duplicate "limit" specification');
      if (latency) throw fail('tbf: specifying both "latency" and "limit" is not allowed');
      limit = getSize(v) ?? illegal('limit', v);
    } else if (matches(w, 'latency')) {
      const v = next();
      if (latency) throw fail('tbf: duplicate "latency" specification');
      if (limit) throw fail('tbf: specifying both "limit" and "/latency" is not allowed');
      latency = getTime(v) ?? illegal('latency', v);
    } else if (matches(w, 'burst') || w === 'buffer' || w === 'maxburst') {
      const v = next();
      if (buffer) throw fail('tbf: duplicate "buffer/burst/maxburst" specification');
      const r = getSizeAndCell(v) ?? illegal(w, v);
      buffer = r.size;
      if (r.cellLog !== undefined) rcellLog = r.cellLog;
    } else if (w === 'mtu' || w === 'minburst') {
      const v = next();
      if (mtu) throw fail('tbf: duplicate "mtu/minburst" specification');
      const r = getSizeAndCell(v) ?? illegal(w, v);
      mtu = r.size;
      if (r.cellLog !== undefined) pcellLog = r.cellLog;
    } else if (w === 'mpu') {
      const v = next();
      if (mpu) throw fail('tbf: duplicate "mpu" specification');
      mpu = getSize(v) ?? illegal('mpu', v);
    } else if (w === 'rate' || matches(w, 'peakrate')) {
      const peak = w !== 'rate';
      const name = peak ? 'peakrate' : 'rate';
      const v = next();
      if (peak ? prate64 : rate64) throw fail(`tbf: duplicate "${name}" specification`);
      if (v.includes('%')) throw fail(`nlkit tc: rates in percent are not supported`);
      const r = getRate64(v) ?? illegal(name, v);
      if (peak) prate64 = r;
      else rate64 = r;
    } else if (matches(w, 'overhead')) {
      const v = next();
      if (overhead) throw fail('tbf: duplicate "overhead" specification');
      overhead = getU16(v, 10) ?? illegal('overhead', v);
    } else if (matches(w, 'linklayer')) {
      const v = next();
      linklayer = getLinklayer(v) ?? illegal('linklayer', v);
    } else if (w === 'help') throw fail(TBF_USAGE);
    else throw fail(`tbf: unknown parameter "${w}"`, TBF_USAGE);
  }
  const problems: string[] = [];
  if (rate64 === 0n) problems.push('tbf: the "rate" parameter is mandatory.');
  if (!buffer) problems.push('tbf: the "burst" parameter is mandatory.');
  if (prate64 && !mtu) problems.push('tbf: when "peakrate" is specified, "mtu" must also be specified.');
  if (limit === 0 && latency === 0) problems.push('tbf: either "limit" or "latency" is required.');
  if (problems.length) throw fail(...problems, TBF_USAGE);
  const big = 1n << 32n;
  const rate = rate64 >= big ? 0xffffffff : Number(rate64);
  const prate = prate64 >= big ? 0xffffffff : Number(prate64);
  if (limit === 0) {
    let lim = (Number(rate64) * latency) / TIME_UNITS_PER_SEC + buffer;
    if (prate64) {
      const lim2 = (Number(prate64) * latency) / TIME_UNITS_PER_SEC + mtu;
      if (lim2 < lim) lim = lim2;
    }
    limit = Number(BigInt.asUintN(32, BigInt(Math.trunc(lim))));
  }
  const spec = (r: number, log: number): Record<string, number> => ({ 'cell-log': log, linklayer, overhead, 'cell-align': -1, mpu, rate: r });
  const rtab = calcRtable(rate, mpu, rcellLog, mtu, linklayer);
  const parms: Record<string, unknown> = { rate: spec(rate, rtab.cellLog), peakrate: {}, limit, buffer: calcXmittime(rate, buffer), mtu: 0 };
  const o: Record<string, unknown> = { parms, burst: buffer };
  if (rate64 >= big) o.rate64 = rate64;
  o.rtab = rtab.table;
  if (prate) {
    const ptab = calcRtable(prate, mpu, pcellLog, mtu, linklayer);
    parms.peakrate = spec(prate, ptab.cellLog);
    parms.mtu = calcXmittime(prate, mtu);
    if (prate64 >= big) o.prate64 = prate64;
    o.pburst = mtu;
    o.ptab = ptab.table;
  }
  return o;
}

/** prio_parse_opt(). */
function parsePrio(argv: string[]): unknown {
  const explain = 'Usage: ... prio bands NUMBER priomap P1 P2...[multiqueue]';
  let bands = 3;
  const priomap = Uint8Array.from([1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  let pmap = false;
  let idx = 0;
  let mq = false;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === 'bands') {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      const r = getInteger(v, 10);
      if (r === undefined) throw new CommandError('Illegal "bands"', 1);
      bands = r;
    } else if (w === 'priomap') {
      if (pmap) throw new CommandError('Error: duplicate priomap', 1);
      pmap = true;
    } else if (w === 'multiqueue') mq = true;
    else if (w === 'help') throw new CommandError(explain, 1);
    else {
      if (!pmap) throw new CommandError(`What is "${w}"?\n${explain}`, 1);
      const band = getUnsigned(w, 10);
      if (band === undefined) throw new CommandError('Illegal "priomap" element', 1);
      if (band >= bands) throw new CommandError('"priomap" element is out of bands', 1);
      if (idx > 15) throw new CommandError('"priomap" index > TC_PRIO_MAX=15', 1);
      priomap[idx++] = band;
    }
  }
  if (mq) throw new CommandError('nlkit tc: prio multiqueue is not supported', 1);
  return { bands, priomap };
}

async function modify(ctx: IpContext, argv: string[], flags: number, del: boolean): Promise<number> {
  let dev = '';
  let handle = 0;
  let parent = 0;
  let kind = '';
  let ingressBlock = 0;
  let egressBlock = 0;
  let i = 0;
  const next = (): string => {
    const v = argv[++i];
    if (v === undefined) throw usage('Command line is not complete. Try option "help"');
    return v;
  };
  for (; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === 'dev') {
      const v = next();
      if (dev) duparg('dev', v);
      dev = v.slice(0, 15);
    } else if (w === 'handle') {
      if (handle) duparg('handle', w);
      const v = next();
      const h = getQdiscHandle(v);
      if (h === undefined) invarg('invalid qdisc ID', v);
      handle = h!;
    } else if (w === 'root') {
      if (parent) throw usage('Error: "root" is duplicate parent ID');
      parent = TC_H_ROOT;
    } else if (w === 'clsact' || w === 'ingress') {
      if (parent) throw usage(`Error: "${w}" is a duplicate parent ID`);
      parent = TC_H_INGRESS;
      kind = w;
      handle = 0xffff0000;
      i++;
      break;
    } else if (w === 'parent') {
      const v = next();
      if (parent) duparg('parent', v);
      const h = getTcClassid(v);
      if (h === undefined) invarg('invalid parent ID', v);
      parent = h!;
    } else if (matches(w, 'estimator') || matches(w, 'stab')) {
      throw new CommandError(`nlkit tc: ${w} is not supported`, 255);
    } else if (matches(w, 'ingress_block') || matches(w, 'egress_block')) {
      const v = next();
      const b = getU32(v, 0);
      const ingress = matches(w, 'ingress_block');
      if (!b) invarg(`invalid ${ingress ? 'ingress' : 'egress'} block index value`, v);
      if (ingress) ingressBlock = b!;
      else egressBlock = b!;
    } else if (matches(w, 'help')) {
      ctx.io.stderr(QDISC_USAGE);
    } else {
      kind = w.slice(0, 15);
      i++;
      break;
    }
  }
  const rest = argv.slice(i);
  const value: Record<string, unknown> = { family: 0, ifindex: 0, handle, parent, info: 0 };
  if (kind) value.kind = kind;
  if (ingressBlock) value['ingress-block'] = ingressBlock;
  if (egressBlock) value['egress-block'] = egressBlock;
  if (kind) {
    const o = parseQdiscOptions(kind, rest);
    if (o !== undefined) value.options = o;
  } else if (rest.length) {
    if (matches(rest[0]!, 'help')) ctx.io.stderr(QDISC_USAGE);
    throw usage(`Garbage instead of arguments "${rest[0]} ...". Try "tc qdisc help".`);
  }
  if (dev) {
    await ctx.loadLinks();
    const index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
    value.ifindex = index;
  }
  const client = await tcClient(ctx);
  await client.request(del ? 'delqdisc' : 'newqdisc', value as never, { flags: NLM_F_REQUEST | NLM_F_ACK | flags });
  return 0;
}

/** `tc qdisc ...` (do_qdisc()). */
export async function runQdisc(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx, options, []);
  if (matches(cmd, 'add')) return modify(ctx, rest, NLM_F_EXCL | NLM_F_CREATE, false);
  if (matches(cmd, 'change')) return modify(ctx, rest, 0, false);
  if (matches(cmd, 'replace')) return modify(ctx, rest, NLM_F_CREATE | NLM_F_REPLACE, false);
  if (matches(cmd, 'link')) return modify(ctx, rest, NLM_F_REPLACE, false);
  if (matches(cmd, 'delete')) return modify(ctx, rest, 0, true);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx, options, rest);
  if (matches(cmd, 'help')) throw new StderrExit(QDISC_USAGE, 0);
  throw usage(`Command "${cmd}" is unknown, try "tc qdisc help".`);
}
