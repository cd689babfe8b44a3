// `tc class`: show, add, change, replace, delete (tc/tc_class.c of iproute2
// 6.1) for htb classes. tc prints classes as text even with -j (print_class
// writes with fprintf and never opens a JSON object), and so does nlkit.
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST } from '../../core/constants.js';
import { RTM_DELTCLASS, TC_H_ROOT, TC_LINKLAYER_ETHERNET } from '../../families/generated/tc.constants.js';
import { CommandError, StderrExit } from '../error.js';
import { duparg, invarg, matches } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import { Printer } from '../ip/printer.js';
import { getU16, getU32 } from '../ip/numbers.js';
import type { TcOptions } from './index.js';
import { HTB_USAGE, printHtb, printStatsAttr, tcClient, type TcEvent, type TcMessage } from './qdisc.js';
import { calcRtable, calcXmittime, getLinklayer, classidText, getQdiscHandle, getRate64, getSizeAndCell, getTcClassid, tcClock } from './util.js';

const CLASS_USAGE = `Usage: tc class [ add | del | change | replace | show ] dev STRING
       [ classid CLASSID ] [ root | parent CLASSID ]
       [ [ QDISC_KIND ] [ help | OPTIONS ] ]

       tc class show [ dev STRING ] [ root | parent CLASSID ]
Where:
QDISC_KIND := { prio | cbq | etc. }
OPTIONS := ... try tc class add <desired QDISC_KIND> help
`;

/** print_class(): one class as tc prints it. */
export function printClass(ctx: IpContext, p: Printer, m: TcMessage, options: TcOptions, filterIndex: number, filterQdisc: number, event?: TcEvent): void {
  const handle = m.handle ?? 0;
  if (event?.type === RTM_DELTCLASS) p.fp('deleted ');
  const id = handle ? classidText(filterQdisc ? handle & 0xffff : handle) : '';
  p.fp(`class ${m.kind} ${id} `);
  if (!filterIndex) p.fp(`dev ${ctx.indexName(m.ifindex ?? 0)} `);
  const parent = m.parent ?? 0;
  if (parent === TC_H_ROOT) p.fp('root ');
  else p.fp(`parent ${classidText(filterQdisc ? parent & 0xffff : parent)} `);
  if (m.info) p.fp(`leaf ${(m.info >>> 16).toString(16)}: `);
  if (m.options !== undefined) {
    if (m.kind === 'htb') printHtb(p, m.options as Record<string, unknown>, options);
    else ctx.io.stderr('[cannot parse class parameters]');
  }
  p.fp('\n');
  if (options.stats) {
    if (m.stats !== undefined || m.stats2 !== undefined) {
      printStatsAttr(p, m, ' ', options.iec > 0);
      p.fp('\n');
    }
    const xstats = (m.stats2 as { app?: unknown } | undefined)?.app ?? m.xstats;
    if (m.kind === 'htb' && xstats !== undefined && !(xstats instanceof Uint8Array)) {
      const x = xstats as { lends: number; borrows: number; giants: number; tokens: number; ctokens: number };
      p.fp(` lended: ${x.lends} borrowed: ${x.borrows} giants: ${x.giants}\n`);
      p.fp(` tokens: ${x.tokens} ctokens: ${x.ctokens}\n`);
      p.fp('\n');
    }
  }
}

async function list(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  let dev = '';
  let filterQdisc = 0;
  let filterClassid = 0;
  let parent = 0;
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
      dev = v.slice(0, 15);
    } else if (w === 'qdisc') {
      const v = next();
      if (filterQdisc) duparg('qdisc', v);
      const h = getQdiscHandle(v);
      if (h === undefined) invarg('invalid qdisc ID', v);
      filterQdisc = h!;
    } else if (w === 'classid') {
      const v = next();
      if (filterClassid) duparg('classid', v);
      const h = getTcClassid(v);
      if (h === undefined) invarg('invalid class ID', v);
      filterClassid = h!;
    } else if (w === 'root') {
      if (parent) throw usage('Error: "root" is duplicate parent ID');
      parent = TC_H_ROOT;
    } else if (w === 'parent') {
      if (parent) duparg('parent', w);
      const v = next();
      const h = getTcClassid(v);
      if (h === undefined) invarg('invalid parent ID', v);
      parent = h!;
    } else if (matches(w, 'help')) throw usage(CLASS_USAGE);
    else throw usage(`What is "${w}"? Try "tc class help".`);
  }
  await ctx.loadLinks();
  let index = 0;
  if (dev) {
    index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
  }
  const client = await tcClient(ctx);
  // Text only, whatever -j says.
  const p = new Printer(false);
  for await (const batch of client.dump('gettclass', { family: 0, ifindex: index, parent } as never).batches()) {
    for (const raw of batch) {
      const m = raw as unknown as TcMessage;
      if (filterQdisc && ((m.handle ?? 0) ^ filterQdisc) >>> 16) continue;
      if (filterClassid && m.handle !== filterClassid) continue;
      if (m.kind === undefined) throw new CommandError('print_class: NULL kind', 1);
      p.reset();
      printClass(ctx, p, m, options, index, filterQdisc);
      ctx.print(p.output);
    }
  }
  return 0;
}

/** htb_parse_class_opt(): the class's parms and rate tables, as tc computes them. */
function parseHtbClass(argv: string[]): Record<string, unknown> {
  let prio = 0;
  let quantum = 0;
  let buffer = 0;
  let cbuffer = 0;
  let cellLog = -1;
  let ccellLog = -1;
  let mtu = 1600;
  let mpu = 0;
  let overhead = 0;
  let rate64 = 0n;
  let ceil64 = 0n;
  let linklayer = TC_LINKLAYER_ETHERNET;
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
    if (matches(w, 'prio')) prio = getU32(next(), 10) ?? explain1('prio');
    else if (matches(w, 'mtu')) mtu = getU32(next(), 10) ?? explain1('mtu');
    else if (matches(w, 'mpu')) mpu = getU16(next(), 10) ?? explain1('mpu');
    else if (matches(w, 'overhead')) overhead = getU16(next(), 10) ?? explain1('overhead');
    else if (matches(w, 'linklayer')) linklayer = getLinklayer(next()) ?? explain1('linklayer');
    else if (matches(w, 'quantum')) quantum = getU32(next(), 10) ?? explain1('quantum');
    else if (matches(w, 'burst') || w === 'buffer' || w === 'maxburst') {
      const r = getSizeAndCell(next()) ?? explain1(w);
      buffer = r.size;
      if (r.cellLog !== undefined) cellLog = r.cellLog;
    } else if (matches(w, 'cburst') || w === 'cbuffer' || w === 'cmaxburst') {
      const r = getSizeAndCell(next()) ?? explain1(w);
      cbuffer = r.size;
      if (r.cellLog !== undefined) ccellLog = r.cellLog;
    } else if (w === 'ceil') {
      const v = next();
      if (ceil64) throw new CommandError('Double "ceil" spec', 1);
      if (v.includes('%')) throw new CommandError('nlkit tc: rates in percent are not supported', 1);
      ceil64 = getRate64(v) ?? explain1('ceil');
    } else if (w === 'rate') {
      const v = next();
      if (rate64) throw new CommandError('Double "rate" spec', 1);
      if (v.includes('%')) throw new CommandError('nlkit tc: rates in percent are not supported', 1);
      rate64 = getRate64(v) ?? explain1('rate');
    } else if (w === 'help') throw new CommandError(HTB_USAGE, 1);
    else throw new CommandError(`What is "${w}"?\n${HTB_USAGE}`, 1);
  }
  if (!rate64) throw new CommandError('"rate" is required.', 1);
  if (!ceil64) ceil64 = rate64;
  const hz = BigInt(tcClock().hz);
  if (!buffer) buffer = Number(rate64 / hz) + mtu;
  if (!cbuffer) cbuffer = Number(ceil64 / hz) + mtu;
  const big = 1n << 32n;
  const rtab = calcRtable(rate64 >= big ? 0xffffffff : Number(rate64), mpu, cellLog, mtu, linklayer);
  const ctab = calcRtable(ceil64 >= big ? 0xffffffff : Number(ceil64), mpu, ccellLog, mtu, linklayer);
  const spec = (rate: bigint, log: number): Record<string, number> => ({
    'cell-log': log,
    linklayer,
    overhead,
    'cell-align': -1,
    mpu,
    rate: rate >= big ? 0xffffffff : Number(rate),
  });
  const o: Record<string, unknown> = {};
  if (rate64 >= big) o.rate64 = rate64;
  if (ceil64 >= big) o.ceil64 = ceil64;
  o.parms = {
    rate: spec(rate64, rtab.cellLog),
    ceil: spec(ceil64, ctab.cellLog),
    buffer: calcXmittime(rate64, buffer),
    cbuffer: calcXmittime(ceil64, cbuffer),
    quantum,
    level: 0,
    prio,
  };
  o.rtab = rtab.table;
  o.ctab = ctab.table;
  return o;
}

async function modify(ctx: IpContext, argv: string[], flags: number, del: boolean): Promise<number> {
  let dev = '';
  let handle = 0;
  let parent = 0;
  let kind = '';
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
    } else if (w === 'classid') {
      const v = next();
      if (handle) duparg('classid', v);
      const h = getTcClassid(v);
      if (h === undefined) invarg('invalid class ID', v);
      handle = h!;
    } else if (w === 'handle') throw usage('Error: try "classid" instead of "handle"');
    else if (w === 'root') {
      if (parent) throw usage('Error: "root" is duplicate parent ID.');
      parent = TC_H_ROOT;
    } else if (w === 'parent') {
      const v = next();
      if (parent) duparg('parent', v);
      const h = getTcClassid(v);
      if (h === undefined) invarg('invalid parent ID', v);
      parent = h!;
    } else if (matches(w, 'estimator')) throw new CommandError('nlkit tc: estimator is not supported', 255);
    else if (matches(w, 'help')) ctx.io.stderr(CLASS_USAGE);
    else {
      kind = w.slice(0, 15);
      i++;
      break;
    }
  }
  const rest = argv.slice(i);
  const value: Record<string, unknown> = { family: 0, ifindex: 0, handle, parent, info: 0 };
  if (kind) {
    value.kind = kind;
    if (kind !== 'htb') {
      // Classful kinds nlkit does not parse; a classless one tc refuses the same way.
      throw new CommandError(`Error: Qdisc "${kind}" is classless.`, 1);
    }
    value.options = parseHtbClass(rest);
  } else if (rest.length) {
    if (matches(rest[0]!, 'help')) ctx.io.stderr(CLASS_USAGE);
    throw usage(`Garbage instead of arguments "${rest[0]} ...". Try "tc class help".`);
  }
  if (dev) {
    await ctx.loadLinks();
    const index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
    value.ifindex = index;
  }
  const client = await tcClient(ctx);
  await client.request(del ? 'deltclass' : 'newtclass', value as never, { flags: NLM_F_REQUEST | NLM_F_ACK | flags });
  return 0;
}

/** `tc class ...` (do_class()). */
export async function runClass(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx, options, []);
  if (matches(cmd, 'add')) return modify(ctx, rest, NLM_F_EXCL | NLM_F_CREATE, false);
  if (matches(cmd, 'change')) return modify(ctx, rest, 0, false);
  if (matches(cmd, 'replace')) return modify(ctx, rest, NLM_F_CREATE, false);
  if (matches(cmd, 'delete')) return modify(ctx, rest, 0, true);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx, options, rest);
  if (matches(cmd, 'help')) throw new StderrExit(CLASS_USAGE, 0);
  throw usage(`Command "${cmd}" is unknown, try "tc class help".`);
}
