// `bridge monitor [link | fdb | mdb | vlan | all]` (bridge/monitor.c of
// iproute2 6.1): link, forwarding-entry and multicast-database events as
// bridge prints them, decoded by the rt-bridge and rt-neigh codecs. An
// overrun is reported as rtnl_listen() reports it, and listening goes on.
import { AbortError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { family as rtBridge } from '../../families/generated/rt-bridge.js';
import { RTM_DELMDB, RTM_NEWMDB, RTNLGRP_MDB } from '../../families/generated/rt-bridge.constants.js';
import { family as rtNeigh } from '../../families/generated/rt-neigh.js';
import { RTM_DELNEIGH, RTM_NEWNEIGH, RTNLGRP_NEIGH } from '../../families/generated/rt-neigh.constants.js';
import { RTM_DELLINK, RTM_NEWLINK, RTNLGRP_BRVLAN, RTNLGRP_LINK } from '../../families/route/constants.js';
import { isOverrun } from '../../io/subscription.js';
import { matches } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import { printFdb } from './fdb.js';
import { printBridgeLink, type BridgeLinkMessage } from './link.js';
import { printMdbEntries, printRouters, type MdbMessage } from './mdb.js';

const MONITOR_USAGE = 'Usage: bridge monitor [file | link | fdb | mdb | vlan | vni | all]\n';

/** do_monitor(). */
export async function runMonitor(ctx: IpContext, argv: string[]): Promise<number> {
  const groups = new Set<number>();
  let all = true;
  let banner = false;
  const only = (group: number | undefined): void => {
    if (group !== undefined) groups.add(group);
    all = false;
  };
  for (const a of argv) {
    if (matches(a, 'file')) throw usage('nlkit bridge: monitor file is not supported');
    else if (matches(a, 'link')) only(RTNLGRP_LINK);
    else if (matches(a, 'fdb')) only(RTNLGRP_NEIGH);
    else if (matches(a, 'mdb')) only(RTNLGRP_MDB);
    else if (matches(a, 'vlan')) only(RTNLGRP_BRVLAN);
    else if (a === 'vni') only(undefined);
    else if (a === 'all') {
      all = true;
      banner = true;
    } else if (matches(a, 'help')) throw usage(MONITOR_USAGE);
    else throw usage(`Argument "${a}" is unknown, try "bridge monitor help".`);
  }
  // ~RTMGRP_TC: every legacy group; of their messages bridge prints links, neighbours and mdb entries.
  if (all) for (const g of [RTNLGRP_LINK, RTNLGRP_NEIGH, RTNLGRP_MDB]) groups.add(g);
  const sock = await ctx.socket();
  const signal = ctx.io.signal;
  if (signal?.aborted) return 0;
  const sub = sock.subscribe([...groups], signal ? { signal } : {});
  await ctx.loadLinks();
  ctx.io.ready?.();
  const linkCodec = rtBridge.ops.getlink.dump!;
  const mdbCodec = rtBridge.ops.getmdb.dump!;
  const neighCodec = rtNeigh.ops.getneigh.dump!;
  const decode = (m: MessageView): { kind: 'link' | 'fdb' | 'mdb'; value: unknown } | undefined => {
    if (m.type === RTM_NEWLINK || m.type === RTM_DELLINK) return { kind: 'link', value: linkCodec.decodeReply(m) };
    if (m.type === RTM_NEWNEIGH || m.type === RTM_DELNEIGH) return { kind: 'fdb', value: neighCodec.decodeReply(m) };
    if (m.type === RTM_NEWMDB || m.type === RTM_DELMDB) return { kind: 'mdb', value: mdbCodec.decodeReply(m) };
    return undefined;
  };
  try {
    for await (const item of sub) {
      if (isOverrun(item)) {
        ctx.flush();
        ctx.io.stderr('netlink receive error No buffer space available (105)\n');
        await ctx.loadLinks(true);
        continue;
      }
      const event = decode(item);
      if (!event) continue;
      const deleted = item.type === RTM_DELLINK || item.type === RTM_DELNEIGH || item.type === RTM_DELMDB;
      const p = ctx.standalonePrinter();
      const lines: string[] = [];
      const line = (): void => {
        if (!ctx.options.json) {
          lines.push(p.output + '\n');
          p.reset();
        }
      };
      if (event.kind === 'link') {
        const m = event.value as BridgeLinkMessage;
        if (banner) p.fp('[LINK]');
        if (!(await printBridgeLink(ctx, p, m, deleted, 0))) continue;
        if (item.type === RTM_NEWLINK && m.ifname !== undefined) ctx.rememberLink(item);
        line();
      } else if (event.kind === 'fdb') {
        if (banner) p.fp('[NEIGH]');
        if (!printFdb(ctx, p, event.value as never, deleted, { index: 0, vlan: 0, state: 0, dynamic: false })) continue;
        line();
      } else {
        const m = event.value as MdbMessage;
        if (banner) p.fp('[MDB]');
        if (deleted) p.bool('deleted', 'Deleted ', true);
        printMdbEntries(ctx, p, m, 0, line);
        printRouters(ctx, p, m, true, line);
      }
      ctx.print(ctx.options.json ? p.rendered + '\n' : lines.join(''));
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
