// `nlkit netconf show [dev NAME]`: each address family's per-device settings
// (ip/ipnetconf.c), from RTM_GETNETCONF decoded by the generated rt-link
// family (its netconf attributes come from overlays/rt-link.yaml). Like ip:
// a dump (filtered by device) in one listing; with both a device and -4/-6,
// one request whose reply ip prints as text even under -j (it opens no JSON
// document there) and whose refusal it does not print.
import { AF_INET, AF_INET6, AF_MPLS, AF_UNSPEC } from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import { family as rtLink, type GetnetconfMessage } from '../../families/generated/rt-link.js';
import { NETCONFA_IFINDEX_ALL, NETCONFA_IFINDEX_DEFAULT } from '../../families/generated/rt-link.constants.js';
import type { Family } from '../../schema/family.js';
import { familyClient } from '../bridge/common.js';
import { CommandError } from '../error.js';
import { incompleteCommand, matches } from './args.js';
import { usage, type IpContext } from './context.js';
import { Printer } from './printer.js';

/** ip netconf help (ipnetconf.c usage()). */
export const NETCONF_USAGE = 'Usage: ip netconf show [ dev STRING ]';

const RP_FILTER = ['off', 'strict', 'loose'];

// family_name() for the families that have netconf.
function familyText(f: number): string {
  if (f === AF_INET) return 'inet';
  if (f === AF_INET6) return 'inet6';
  if (f === AF_MPLS) return 'mpls';
  return `family${f}`;
}

/** print_netconf(): one family's settings of one device (or all / default). */
export function printNetconf(ctx: IpContext, p: Printer, m: GetnetconfMessage, deleted = false): void {
  if (deleted) p.bool('deleted', 'Deleted ', true);
  p.any('family', '%s ', familyText(m['ncm-family'] ?? 0));
  const index = m.ifindex;
  if (index !== undefined) p.any('interface', '%s ', index === NETCONFA_IFINDEX_ALL ? 'all' : index === NETCONFA_IFINDEX_DEFAULT ? 'default' : ctx.indexName(index));
  const onOff = (key: string, v: number | undefined): void => {
    if (v !== undefined) p.onOff(key, `${key} %s `, v !== 0);
  };
  onOff('forwarding', m.forwarding);
  const rp = m['rp-filter'];
  if (rp !== undefined) {
    const name = RP_FILTER[rp >>> 0];
    if (name !== undefined) p.any('rp_filter', 'rp_filter %s ', name);
    else p.any('rp_filter', 'rp_filter %u ', rp >>> 0);
  }
  onOff('mc_forwarding', m['mc-forwarding']);
  onOff('proxy_neigh', m['proxy-neigh']);
  onOff('ignore_routes_with_linkdown', m['ignore-routes-with-linkdown']);
  onOff('input', m.input);
}

/** do_show(). */
async function show(ctx: IpContext, argv: string[]): Promise<number> {
  let ifindex = 0;
  for (let i = 0; i < argv.length; i++) {
    // Words other than `dev NAME` are passed over, as ip does.
    if (argv[i] !== 'dev') continue;
    const name = argv[++i];
    if (name === undefined) throw incompleteCommand();
    ifindex = await ctx.nameIndex(name);
    if (ifindex <= 0) throw new CommandError(`Device "${name}" does not exist.`, 1);
  }
  await ctx.loadLinks();
  const family = ctx.options.family;
  const client = await familyClient(ctx, rtLink as unknown as Family);
  if (ifindex && family !== AF_UNSPEC) {
    let replies: GetnetconfMessage[];
    try {
      replies = (await client.request('getnetconf', { 'ncm-family': family, ifindex } as never)) as unknown as GetnetconfMessage[];
    } catch (err) {
      // rtnl_listen() hands the error to print_netconf(), which prints nothing.
      if (err instanceof NetlinkError) return 0;
      throw err;
    }
    for (const m of replies) {
      const p = new Printer(false);
      printNetconf(ctx, p, m);
      ctx.print(p.output + '\n');
    }
    return 0;
  }
  for await (const batch of client.dump('getnetconf', { 'ncm-family': family } as never).batches()) {
    for (const m of batch as unknown as GetnetconfMessage[]) {
      if (family !== AF_UNSPEC && m['ncm-family'] !== family) continue;
      if (ifindex && m.ifindex !== ifindex) continue;
      const p = ctx.printer();
      printNetconf(ctx, p, m);
      ctx.listItem(p);
    }
  }
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit netconf ...` (do_ipnetconf). */
export async function runNetconf(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'help')) throw usage(NETCONF_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip netconf help".`);
}
