// `bridge vlan`: port VLANs (bridge/vlan.c of iproute2 6.1: show, add, del),
// from the IFLA_AF_SPEC of the rt-bridge getlink dump with
// RTEXT_FILTER_BRVLAN. Kernels without VLAN filtering report none and
// refuse additions (EOPNOTSUPP), as they do to bridge.
import { AF_BRIDGE } from '../../core/constants.js';
import { family as rtBridge, type BridgeVlanInfo } from '../../families/generated/rt-bridge.js';
import { BRIDGE_FLAGS_MASTER, BRIDGE_FLAGS_SELF } from '../../families/generated/rt-bridge.constants.js';
import { RTEXT_FILTER_BRVLAN } from '../../families/generated/rt-link.constants.js';
import type { Family } from '../../schema/family.js';
import { CommandError } from '../error.js';
import { duparg, matches } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import { atoi } from '../ip/numbers.js';
import type { BridgeLinkMessage } from './link.js';
import { familyClient } from './common.js';

const VLAN_USAGE = `Usage: bridge vlan { add | del } vid VLAN_ID dev DEV [ tunnel_info id TUNNEL_ID ]
                                                     [ pvid ] [ untagged ]
                                                     [ self ] [ master ]
       bridge vlan { set } vid VLAN_ID dev DEV [ state STP_STATE ]
                                               [ mcast_router MULTICAST_ROUTER ]
       bridge vlan { show } [ dev DEV ] [ vid VLAN_ID ]
       bridge vlan { tunnelshow } [ dev DEV ] [ vid VLAN_ID ]
       bridge vlan global { set } vid VLAN_ID dev DEV
                      [ mcast_snooping MULTICAST_SNOOPING ]
                      [ mcast_querier MULTICAST_QUERIER ]
                      [ mcast_igmp_version IGMP_VERSION ]
                      [ mcast_mld_version MLD_VERSION ]
                      [ mcast_last_member_count LAST_MEMBER_COUNT ]
                      [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
                      [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
                      [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
                      [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
                      [ mcast_querier_interval QUERIER_INTERVAL ]
                      [ mcast_query_interval QUERY_INTERVAL ]
                      [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
       bridge vlan global { show } [ dev DEV ] [ vid VLAN_ID ]
`;

// The header bridge prints: "%-16s  %-" VLAN_ID_LEN "s" (IFNAMSIZ 16, VLAN_ID_LEN 9).
const HEADER = `${'port'.padEnd(16)}  ${'vlan-id'.padEnd(9)}\n`;

/** print_vlan_info(): the VLANs of one port. */
export function printVlanInfo(ctx: IpContext, index: number, infos: readonly BridgeVlanInfo[], filterVid: number): void {
  const p = ctx.printer();
  let opened = false;
  let start = 0;
  const text: string[] = [];
  for (const v of infos) {
    const flags = v.flags ?? [];
    const vid = v.vid ?? 0;
    if (!flags.includes('range-end')) start = vid;
    // filter_vlan_check()
    if (filterVid && vid > filterVid && !flags.includes('range-end')) break;
    if (flags.includes('range-begin') || vid < filterVid) continue;
    if (!opened) {
      p.any('ifname', '%-16s  ', ctx.indexName(index));
      p.openArray('vlans');
      opened = true;
    } else p.fp(`${''.padEnd(16)}  `);
    p.open(null);
    p.any('vlan', '%u', start);
    if (start !== vid) p.any('vlanEnd', '-%u', vid);
    if (flags.includes('pvid') || flags.includes('untagged')) {
      p.openArray('flags');
      if (flags.includes('pvid')) p.any(null, ' %s', 'PVID');
      if (flags.includes('untagged')) p.any(null, ' %s', 'Egress Untagged');
      p.close();
    }
    p.close();
    if (!ctx.options.json) {
      text.push(p.output + '\n');
      p.reset();
    }
  }
  if (!opened) return;
  p.close();
  if (ctx.options.json) ctx.listItem(p);
  else ctx.print(text.join(''));
}

async function show(ctx: IpContext, argv: string[]): Promise<number> {
  let dev: string | undefined;
  let vid = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (a === 'dev') {
      const v = next();
      if (dev !== undefined) duparg('dev', v);
      dev = v;
    } else if (a === 'vid') {
      const v = next();
      if (vid) duparg('vid', v);
      vid = atoi(v);
    }
  }
  await ctx.loadLinks();
  let index = 0;
  if (dev !== undefined) {
    index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 255);
  }
  // -d (RTM_GETVLAN, the per-VLAN dump) and -s (RTM_GETSTATS VLAN counters) print other formats.
  if (ctx.options.details || ctx.options.stats) throw new CommandError('nlkit bridge: vlan show with -d or -s is not supported', 255);
  const client = await familyClient(ctx, rtBridge as unknown as Family);
  if (!ctx.options.json) ctx.print(HEADER);
  for await (const batch of client.dump('getlink', { 'ifi-family': AF_BRIDGE, 'ext-mask': RTEXT_FILTER_BRVLAN } as never).batches()) {
    for (const raw of batch) {
      const m = raw as unknown as BridgeLinkMessage;
      if (m['ifi-family'] !== AF_BRIDGE) continue;
      if (index && index !== m['ifi-index']) continue;
      const infos = m['af-spec']?.['vlan-info'];
      if (infos) printVlanInfo(ctx, m['ifi-index'] ?? 0, infos, vid);
    }
  }
  ctx.listEnd();
  return 0;
}

// vlan_modify(): RTM_SETLINK (add) or RTM_DELLINK (del) with the VLAN in IFLA_AF_SPEC.
async function modify(ctx: IpContext, add: boolean, argv: string[]): Promise<number> {
  let dev: string | undefined;
  let vid = -1;
  let vidEnd = -1;
  let flags = 0;
  const info: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (a === 'dev') dev = next();
    else if (a === 'vid') {
      const v = next();
      const dash = v.indexOf('-');
      if (dash >= 0) {
        vid = (atoi(v.slice(0, dash)) << 16) >> 16;
        vidEnd = (atoi(v.slice(dash + 1)) << 16) >> 16;
        info.push('range-begin');
      } else vid = (atoi(v) << 16) >> 16;
    } else if (a === 'self') flags |= BRIDGE_FLAGS_SELF;
    else if (a === 'master') flags |= BRIDGE_FLAGS_MASTER;
    else if (a === 'pvid') info.push('pvid');
    else if (a === 'untagged') info.push('untagged');
    else if (a === 'tunnel_info') throw new CommandError('nlkit bridge: vlan tunnel_info is not supported', 255);
    else if (matches(a, 'help')) next();
  }
  if (dev === undefined || vid === -1) throw new CommandError('Device and VLAN ID are required arguments.', 255);
  await ctx.loadLinks();
  const index = await ctx.nameIndex(dev);
  if (!index) throw new CommandError(`Cannot find bridge device "${dev}"`, 255);
  if (vid >= 4096 || vid < -1) throw new CommandError(`Invalid VLAN ID "${vid & 0xffff}"`, 255);
  const ranged = info.includes('range-begin');
  if (ranged) {
    if (vidEnd === -1 || vidEnd >= 4096 || vid >= vidEnd) throw new CommandError(`Invalid VLAN range "${vid & 0xffff}-${vidEnd & 0xffff}"`, 255);
    if (info.includes('pvid')) throw new CommandError('pvid cannot be configured for a vlan range', 255);
  }
  // add_vlan_info_range(): a range is a RANGE_BEGIN entry and a RANGE_END entry.
  const own = info.filter((f) => f !== 'range-begin');
  const vlanInfo = ranged
    ? [
        { flags: ['range-begin', ...own], vid },
        { flags: ['range-end', ...own], vid: vidEnd },
      ]
    : [{ flags: own, vid }];
  const client = await familyClient(ctx, rtBridge as unknown as Family);
  await client.request(
    (add ? 'setlink' : 'dellink') as never,
    { 'ifi-family': AF_BRIDGE, 'ifi-index': index, 'af-spec': { ...(flags ? { flags } : {}), 'vlan-info': vlanInfo } } as never,
  );
  return 0;
}

/** do_vlan(). */
export async function runVlan(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, true, rest);
  if (matches(cmd, 'delete')) return modify(ctx, false, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'help')) throw usage(VLAN_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "bridge vlan help".`);
}
