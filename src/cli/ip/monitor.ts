// `nlkit monitor [link|address|route|neigh|rule|all]`: one event per line
// as it happens (ip/ipmonitor.c). With -j each event is one JSON object on
// its own line (ip 6.1's monitor prints text even with -j). An overrun (the
// kernel dropped events because we read too slowly) prints a marker on
// stderr and monitoring goes on.
import * as C from '../../core/constants.js';
import { isOverrun } from '../../io/subscription.js';
import { AbortError } from '../../core/errors.js';
import { matches } from './args.js';
import { usage, type IpContext } from './context.js';
import { printLink } from './linkprint.js';
import { printAddr } from './address.js';
import { printRoute } from './route.js';
import { printNeigh } from './neigh.js';
import { printRule } from './rule.js';
import { Header } from './attrs.js';

const OBJECT_GROUPS: Record<string, number[]> = {
  link: [C.RTNLGRP_LINK],
  address: [C.RTNLGRP_IPV4_IFADDR, C.RTNLGRP_IPV6_IFADDR],
  route: [C.RTNLGRP_IPV4_ROUTE, C.RTNLGRP_IPV6_ROUTE],
  neigh: [C.RTNLGRP_NEIGH],
  rule: [C.RTNLGRP_IPV4_RULE, C.RTNLGRP_IPV6_RULE],
};

const BANNERS: Record<number, string> = {
  [C.RTM_NEWLINK]: '[LINK]',
  [C.RTM_DELLINK]: '[LINK]',
  [C.RTM_NEWADDR]: '[ADDR]',
  [C.RTM_DELADDR]: '[ADDR]',
  [C.RTM_NEWROUTE]: '[ROUTE]',
  [C.RTM_DELROUTE]: '[ROUTE]',
  [C.RTM_NEWNEIGH]: '[NEIGH]',
  [C.RTM_DELNEIGH]: '[NEIGH]',
  [C.RTM_GETNEIGH]: '[NEIGH]',
  [C.RTM_NEWRULE]: '[RULE]',
  [C.RTM_DELRULE]: '[RULE]',
};

/** Runs `nlkit monitor ...` until io.signal aborts. */
export async function runMonitor(ctx: IpContext, argv: string[]): Promise<number> {
  const groups = new Set<number>();
  let banner = false;
  for (const w of argv) {
    if (w === 'all') {
      banner = true;
      for (const g of Object.values(OBJECT_GROUPS)) for (const n of g) groups.add(n);
      continue;
    }
    const key = Object.keys(OBJECT_GROUPS).find((k) => matches(w, k) || (k === 'neigh' && matches(w, 'neighbour')));
    if (!key) throw usage(`Argument "${w}" is unknown, try "ip monitor help".`);
    for (const n of OBJECT_GROUPS[key]!) groups.add(n);
  }
  if (groups.size === 0) {
    banner = true;
    for (const g of Object.values(OBJECT_GROUPS)) for (const n of g) groups.add(n);
  }
  const fam = ctx.options.family;
  if (fam === C.AF_INET) for (const g of [C.RTNLGRP_IPV6_IFADDR, C.RTNLGRP_IPV6_ROUTE, C.RTNLGRP_IPV6_RULE]) groups.delete(g);
  if (fam === C.AF_INET6) for (const g of [C.RTNLGRP_IPV4_IFADDR, C.RTNLGRP_IPV4_ROUTE, C.RTNLGRP_IPV4_RULE]) groups.delete(g);
  const sock = await ctx.socket();
  const signal = ctx.io.signal;
  if (signal?.aborted) return 0;
  // Subscribe first, then learn the interface names, so no event falls between.
  const sub = sock.subscribe([...groups], signal ? { signal } : {});
  await ctx.loadLinks();
  ctx.io.ready?.();
  const json = ctx.options.json;
  try {
    for await (const item of sub) {
      if (isOverrun(item)) {
        ctx.flush();
        ctx.io.stderr('nlkit monitor: overrun: the kernel dropped events (receive buffer full); continuing\n');
        await ctx.loadLinks(true);
        continue;
      }
      const m = item;
      const p = ctx.standalonePrinter();
      if (banner && !json) p.fp(BANNERS[m.type] ?? '');
      switch (m.type) {
        case C.RTM_NEWLINK:
        case C.RTM_DELLINK:
          // ipmonitor prints links as `ip address` does (no mode, no queue length).
          printLink(ctx, p, m, { doLink: false, showQueue: false });
          if (m.type === C.RTM_NEWLINK) ctx.rememberLink(m);
          else ctx.forgetLink(new Header(m).s32(4));
          break;
        case C.RTM_NEWADDR:
        case C.RTM_DELADDR:
          printAddr(ctx, p, m, true);
          break;
        case C.RTM_NEWROUTE:
        case C.RTM_DELROUTE:
          printRoute(ctx, p, m, { tb: 0 });
          break;
        case C.RTM_NEWNEIGH:
        case C.RTM_DELNEIGH:
        case C.RTM_GETNEIGH:
          printNeigh(ctx, p, m);
          break;
        case C.RTM_NEWRULE:
        case C.RTM_DELRULE:
          printRule(p, m, ctx);
          break;
        default:
          continue;
      }
      ctx.print(p.rendered + '\n');
      // Events are printed as they happen, not held back.
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
