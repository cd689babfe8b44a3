// `tc monitor` (tc/tc_monitor.c of iproute2 6.1): qdisc, class, filter,
// chain and action notifications of RTNLGRP_TC, each printed as the listings
// (or tc actions) print it,
// with deleted / added / replaced as the message's type and flags say. tc
// never opens a JSON array here, so its events are text even with -j, and
// nlkit's too. An overrun is reported as rtnl_listen() reports it, and
// listening goes on.
import { AbortError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { family as tcFamily } from '../../families/generated/tc.js';
import {
  RTM_DELACTION,
  RTM_DELCHAIN,
  RTM_GETACTION,
  RTM_NEWACTION,
  RTM_DELQDISC,
  RTM_DELTCLASS,
  RTM_DELTFILTER,
  RTM_NEWCHAIN,
  RTM_NEWQDISC,
  RTM_NEWTCLASS,
  RTM_NEWTFILTER,
  RTNLGRP_TC,
} from '../../families/generated/tc.constants.js';
import { isOverrun } from '../../io/subscription.js';
import { matches } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import { Printer } from '../ip/printer.js';
import { printActionMessage, type ActionMessage } from './action.js';
import { printClass } from './class.js';
import { printFilter } from './filter.js';
import type { TcOptions } from './index.js';
import { printQdisc, type TcMessage } from './qdisc.js';

const MONITOR_USAGE = 'Usage: tc [-timestamp [-tshort] monitor';

/** do_tcmonitor(). */
export async function runMonitor(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (matches(a, 'file')) throw usage('nlkit tc: monitor file is not supported');
    else if (matches(a, 'help')) throw usage(MONITOR_USAGE);
    else throw usage(`Argument "${a}" is unknown, try "tc monitor help".`);
  }
  const sock = await ctx.socket();
  const signal = ctx.io.signal;
  if (signal?.aborted) return 0;
  const sub = sock.subscribe([RTNLGRP_TC], signal ? { signal } : {});
  await ctx.loadLinks();
  ctx.io.ready?.();
  const ops = tcFamily.ops;
  const text: TcOptions = { ...options, json: false, pretty: false };
  const p = new Printer(false);
  const decode = (m: MessageView): TcMessage => {
    const t = m.type;
    const codec =
      t === RTM_NEWQDISC || t === RTM_DELQDISC
        ? ops.getqdisc
        : t === RTM_NEWTCLASS || t === RTM_DELTCLASS
          ? ops.gettclass
          : t === RTM_NEWCHAIN || t === RTM_DELCHAIN
            ? ops.getchain
            : ops.gettfilter;
    return codec.dump!.decodeReply(m) as unknown as TcMessage;
  };
  try {
    for await (const item of sub) {
      if (isOverrun(item)) {
        ctx.flush();
        ctx.io.stderr('netlink receive error No buffer space available (105)\n');
        await ctx.loadLinks(true);
        continue;
      }
      const t = item.type;
      const event = { type: t, flags: item.flags };
      p.reset();
      const isFilter = t === RTM_NEWTFILTER || t === RTM_DELTFILTER || t === RTM_NEWCHAIN || t === RTM_DELCHAIN;
      const isClass = t === RTM_NEWTCLASS || t === RTM_DELTCLASS;
      const isQdisc = t === RTM_NEWQDISC || t === RTM_DELQDISC;
      if (t === RTM_NEWACTION || t === RTM_DELACTION || t === RTM_GETACTION) {
        printActionMessage(ctx, ops.getaction.dump!.decodeReply(item) as ActionMessage, text, event, p);
        if (sub.queued === 0) ctx.flush();
        continue;
      }
      if (!isFilter && !isClass && !isQdisc) {
        ctx.io.stderr(
          `Unknown message: length ${String(item.length).padStart(8, '0')} type ${t.toString(16).padStart(8, '0')} flags ${item.flags.toString(16).padStart(8, '0')}\n`,
        );
        continue;
      }
      const m = decode(item);
      if (m.ifindex) await ctx.learnIndex(m.ifindex);
      if (isFilter) {
        if (m.kind === undefined && (t === RTM_NEWTFILTER || t === RTM_DELTFILTER)) {
          ctx.io.stderr('print_filter: NULL kind\n');
          continue;
        }
        printFilter(ctx, p, m, text, { index: 0, parent: 0, prio: 0, protocol: 0 }, event);
      } else if (m.kind === undefined) {
        ctx.io.stderr(isClass ? 'print_class: NULL kind\n' : 'print_qdisc: NULL kind\n');
        continue;
      } else if (isClass) printClass(ctx, p, m, text, 0, 0, event);
      else printQdisc(ctx, p, m, text, 0, event);
      ctx.print(p.output);
      if (sub.queued === 0) ctx.flush();
    }
  } catch (err) {
    if (!(err instanceof AbortError) && !(signal?.aborted && (err as Error).name === 'AbortError')) throw err;
  } finally {
    sub.close();
    ctx.flush();
  }
  return 0;
}
