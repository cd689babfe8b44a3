// `nlkit monitor [link|address|route|neigh|rule|netconf|nsid|nexthop|all]`: one event per line
// as it happens (ip/ipmonitor.c). With -j each event is one JSON object on
// its own line (ip 6.1's monitor prints text even with -j). An overrun (the
// kernel dropped events because we read too slowly) prints ip's line for it
// on stderr ("netlink receive error No buffer space available (105)") and
// monitoring goes on.
import { AF_INET, AF_INET6, AF_MPLS } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import {
  IFINFOMSG_OFFSETS as IFI,
  NETCONFA_FORWARDING,
  NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN,
  NETCONFA_INPUT,
  NETCONFA_MC_FORWARDING,
  NETCONFA_PROXY_NEIGH,
  NETCONFMSG_OFFSETS,
  NETCONFMSG_SIZE,
} from '../../families/generated/rt-link.constants.js';
import { isOverrun } from '../../io/subscription.js';
import { AbortError } from '../../core/errors.js';
import { matches } from './args.js';
import { usage, type IpContext } from './context.js';
import { invarg } from './args.js';
import { MONITOR_USAGE } from './usage.js';
import { printLink } from './linkprint.js';
import { printAddr } from './address.js';
import { emptyRouteFilter, printRoute } from './route.js';
import { printNeigh } from './neigh.js';
import { printRule } from './rule.js';
import { netnsNames } from './netns.js';
import { RTM_DELNEXTHOP, RTM_NEWNEXTHOP, RTNLGRP_NEXTHOP } from '../../families/generated/rt-nexthop.constants.js';
import { Header, messageAttrs } from './attrs.js';
import type { Printer } from './printer.js';
import type { MessageView } from '../../core/message.js';

const OBJECT_GROUPS: Record<string, number[]> = {
  link: [C.RTNLGRP_LINK],
  address: [C.RTNLGRP_IPV4_IFADDR, C.RTNLGRP_IPV6_IFADDR],
  route: [C.RTNLGRP_IPV4_ROUTE, C.RTNLGRP_IPV6_ROUTE],
  neigh: [C.RTNLGRP_NEIGH],
  rule: [C.RTNLGRP_IPV4_RULE, C.RTNLGRP_IPV6_RULE],
  netconf: [C.RTNLGRP_IPV4_NETCONF, C.RTNLGRP_IPV6_NETCONF, C.RTNLGRP_MPLS_NETCONF],
  nsid: [C.RTNLGRP_NSID],
  nexthop: [RTNLGRP_NEXTHOP],
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
  [C.RTM_NEWNETCONF]: '[NETCONF]',
  [C.RTM_DELNETCONF]: '[NETCONF]',
  [C.RTM_NEWNSID]: '[NSID]',
  [C.RTM_DELNSID]: '[NSID]',
  [RTM_NEWNEXTHOP]: '[NEXTHOP]',
  [RTM_DELNEXTHOP]: '[NEXTHOP]',
};

/** IFLA_LINK_NETNSID of a link message: the namespace id of its peer, or -1. */
function linkNetnsid(m: MessageView): number {
  return messageAttrs(m, C.IFINFOMSG_SIZE).get(C.IFLA_LINK_NETNSID)?.s32() ?? -1;
}

/** print_nsid: a namespace id, with the name under /run/netns that has it. */
function printNsid(p: Printer, m: MessageView, names: ReadonlyMap<number, string>): void {
  // struct rtgenmsg is one byte, padded to 4 before the attributes.
  const tb = messageAttrs(m, 1);
  if (m.type === C.RTM_DELNSID) p.bool('deleted', 'Deleted ', true);
  const nsid = tb.get(C.NETNSA_NSID)?.s32() ?? -1;
  if (nsid < 0) p.fp('nsid unassigned ');
  else p.any('nsid', 'nsid %d ', nsid);
  const current = tb.get(C.NETNSA_CURRENT_NSID);
  if (current) {
    const c = current.s32();
    if (c < 0) p.fp('current-nsid unassigned ');
    else p.any('current-nsid', 'current-nsid %d ', c);
  }
  const name = names.get(nsid);
  if (name !== undefined) p.any('name', '(iproute2 netns name: %s)', name);
}

// NETCONFA_* (include/uapi/linux/netconf.h), in the order print_netconf prints them.
const NETCONF_SETTINGS: readonly (readonly [number, string])[] = [
  [NETCONFA_FORWARDING, 'forwarding'],
  [C.NETCONFA_RP_FILTER, 'rp_filter'],
  [NETCONFA_MC_FORWARDING, 'mc_forwarding'],
  [NETCONFA_PROXY_NEIGH, 'proxy_neigh'],
  [NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN, 'ignore_routes_with_linkdown'],
  [NETCONFA_INPUT, 'input'],
];
const RP_FILTER_MODES = ['off', 'strict', 'loose'];

/** print_netconf: an address family's settings for one interface (or all / default). */
function printNetconf(ctx: IpContext, p: Printer, m: MessageView): void {
  const family = m.dv.getUint8(m.payloadOffset + NETCONFMSG_OFFSETS.ncm_family);
  // struct netconfmsg is one byte, padded to 4 before the attributes.
  const tb = messageAttrs(m, NETCONFMSG_SIZE);
  if (m.type === C.RTM_DELNETCONF) p.bool('deleted', 'Deleted ', true);
  p.any('family', '%s ', family === AF_INET ? 'inet' : family === AF_INET6 ? 'inet6' : family === AF_MPLS ? 'mpls' : `family${family}`);
  const ifindex = tb.get(C.NETCONFA_IFINDEX);
  if (ifindex) {
    const index = ifindex.s32();
    p.any('interface', '%s ', index === C.NETCONFA_IFINDEX_ALL ? 'all' : index === C.NETCONFA_IFINDEX_DEFAULT ? 'default' : ctx.indexName(index));
  }
  for (const [type, name] of NETCONF_SETTINGS) {
    const a = tb.get(type);
    if (!a) continue;
    if (type === C.NETCONFA_RP_FILTER) p.any(name, `${name} %s `, RP_FILTER_MODES[a.u32()] ?? 'unknown mode');
    else p.onOff(name, `${name} %s `, a.u32() !== 0);
  }
}

/** Runs `nlkit monitor ...` until io.signal aborts. */
export async function runMonitor(ctx: IpContext, argv: string[]): Promise<number> {
  // nlkit's own object (ip has none): kobject uevents, printed like `udevadm monitor --kernel --property`.
  if (argv[0] === 'uevent') {
    const { runUeventMonitor } = await import('../../families/uevent/monitor.js');
    return runUeventMonitor(ctx.io, argv.slice(1), { ...(ctx.options.netns !== undefined ? { netns: ctx.options.netns } : {}), json: ctx.options.json });
  }
  // do_ipmonitor()'s words, by prefix in its order ("l" is label, "n" neigh, "a" address).
  const groups = new Set<number>();
  let banner = false;
  let dev: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const add = (key: string): void => {
      for (const n of OBJECT_GROUPS[key]!) groups.add(n);
    };
    if (matches(w, 'file')) {
      if (i + 1 >= argv.length) throw usage('Command line is not complete. Try option "help"');
      throw usage('Error: "ip monitor file" is not supported by nlkit.');
    } else if (matches(w, 'label')) banner = true;
    else if (matches(w, 'link')) add('link');
    else if (matches(w, 'address')) add('address');
    else if (matches(w, 'route')) add('route');
    else if (matches(w, 'mroute') || matches(w, 'prefix')) throw usage(`Error: "ip monitor ${w}" is not supported by nlkit.`);
    else if (matches(w, 'neigh')) add('neigh');
    else if (matches(w, 'netconf')) add('netconf');
    else if (matches(w, 'rule')) add('rule');
    else if (matches(w, 'nsid')) add('nsid');
    else if (matches(w, 'nexthop')) add('nexthop');
    else if (w === 'stats') throw usage(`Error: "ip monitor ${w}" is not supported by nlkit.`);
    else if (w === 'all') banner = true;
    else if (matches(w, 'all-nsid')) throw usage('Error: "ip monitor all-nsid" is not supported by nlkit.');
    else if (matches(w, 'help')) throw usage(MONITOR_USAGE);
    else if (w === 'dev') {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      await ctx.loadLinks();
      if (!(await ctx.nameIndex(v))) invarg('Device does not exist\n', v);
      dev = v;
    } else throw usage(`Argument "${w}" is unknown, try "ip monitor help".`);
  }
  if (dev !== undefined) throw usage('Error: "ip monitor dev" is not supported by nlkit.');
  if (groups.size === 0) for (const g of Object.values(OBJECT_GROUPS)) for (const n of g) groups.add(n);
  const fam = ctx.options.family;
  if (fam === AF_INET) for (const g of [C.RTNLGRP_IPV6_IFADDR, C.RTNLGRP_IPV6_ROUTE, C.RTNLGRP_IPV6_RULE, C.RTNLGRP_IPV6_NETCONF, C.RTNLGRP_MPLS_NETCONF]) groups.delete(g);
  if (fam === AF_INET6) for (const g of [C.RTNLGRP_IPV4_IFADDR, C.RTNLGRP_IPV4_ROUTE, C.RTNLGRP_IPV4_RULE, C.RTNLGRP_IPV4_NETCONF, C.RTNLGRP_MPLS_NETCONF]) groups.delete(g);
  const sock = await ctx.socket();
  const signal = ctx.io.signal;
  if (signal?.aborted) return 0;
  // Subscribe first, then learn the interface names, so no event falls between.
  const sub = sock.subscribe([...groups], signal ? { signal } : {});
  await ctx.loadLinks();
  ctx.io.ready?.();
  const json = ctx.options.json;
  // Nexthop and bucket events are decoded by the rt-nexthop spec's codecs.
  const nh = groups.has(RTNLGRP_NEXTHOP) ? await (await import('./nexthop.js')).nexthopEvents() : undefined;
  // Names of the namespaces under /run/netns by their ids here (ip's netns map):
  // read when first needed, and again when a new id is announced.
  let names: Map<number, string> | undefined;
  const namespaceNames = async (refresh: boolean): Promise<ReadonlyMap<number, string>> => {
    if (!names || refresh) names = new Map([...(names ?? []), ...(await netnsNames(ctx))]);
    return names;
  };
  try {
    for await (const item of sub) {
      if (isOverrun(item)) {
        ctx.flush();
        // rtnl_listen()'s words for ENOBUFS; ip goes on listening too.
        ctx.io.stderr('netlink receive error No buffer space available (105)\n');
        await ctx.loadLinks(true);
        continue;
      }
      const m = item;
      const p = ctx.standalonePrinter();
      if (banner && !json) p.fp(BANNERS[m.type] ?? nh?.banner(m) ?? '');
      switch (m.type) {
        case C.RTM_NEWLINK:
        case C.RTM_DELLINK:
          // ipmonitor prints links as `ip address` does (no mode, no queue length).
          printLink(ctx, p, m, { doLink: false, showQueue: false, ...(!json && linkNetnsid(m) >= 0 ? { netnsNames: await namespaceNames(false) } : {}) });
          if (m.type === C.RTM_NEWLINK) ctx.rememberLink(m);
          else ctx.forgetLink(new Header(m).s32(IFI.ifi_index));
          break;
        case C.RTM_NEWADDR:
        case C.RTM_DELADDR:
          // ipmonitor.c sets filter.oneline: each address starts with INDEX: DEV (lines join only under -o).
          printAddr(ctx, p, m, true);
          break;
        case C.RTM_NEWROUTE:
        case C.RTM_DELROUTE: {
          // -d: the nexthop object a route uses, as ip's nh cache has it.
          const nhid = ctx.options.details > 0 ? messageAttrs(m, C.RTMSG_SIZE).get(C.RTA_NH_ID)?.u32() : undefined;
          if (nhid) await (await import('./nexthop.js')).cacheNexthop(ctx, nhid);
          printRoute(ctx, p, m, emptyRouteFilter());
          break;
        }
        case C.RTM_NEWNEIGH:
        case C.RTM_DELNEIGH:
        case C.RTM_GETNEIGH:
          printNeigh(ctx, p, m);
          break;
        case C.RTM_NEWRULE:
        case C.RTM_DELRULE:
          printRule(p, m, ctx);
          break;
        case C.RTM_NEWNSID:
        case C.RTM_DELNSID:
          // A new id: learn its name now (the namespace may be gone by the time it is deleted).
          printNsid(p, m, await namespaceNames(m.type === C.RTM_NEWNSID));
          break;
        case C.RTM_NEWNETCONF:
        case C.RTM_DELNETCONF:
          // A new link's netconf event comes before its link event.
          await ctx.learnIndex(messageAttrs(m, 1).get(C.NETCONFA_IFINDEX)?.s32() ?? 0);
          printNetconf(ctx, p, m);
          break;
        default:
          if (!(await nh?.print(ctx, p, m))) continue;
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
