// `nlkit stats show [dev DEV] group link|afstats ...` (ip/ipstats.c):
// RTM_GETSTATS per link, its rtnl_link_stats64 printed as `ip stats` prints
// it (print_stats64, the table `ip -s link` shows), and the per-family group
// headers. ip's other groups (xstats, xstats_slave, offload), and `show`
// without a group (which means all of them), are refused; so are MPLS
// statistics, which this kernel does not keep.
import { AF_MPLS, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import {
  IF_STATS_MSG_OFFSETS as IFSM,
  IF_STATS_MSG_SIZE,
  IFLA_STATS_AF_SPEC,
  IFLA_STATS_LINK_64,
  RTM_GETSTATS,
  RTNL_LINK_STATS64_OFFSETS as STATS64,
} from '../../families/generated/rt-link.constants.js';
import { CommandError } from '../error.js';
import { Header, messageAttrs, type Attr } from './attrs.js';
import { duparg2, incompleteCommand, invarg, validIfname } from './args.js';
import { usage, type IpContext } from './context.js';
import { linkStatsText, type StatName } from './linkprint.js';
import type { Printer } from './printer.js';

/** ip stats help (ipstats.c do_help()). */
export const STATS_USAGE = `Usage: ip stats help
       ip stats show [ dev DEV ] [ group GROUP [ subgroup SUBGROUP [ suite SUITE ] ... ] ... ] ...
       ip stats set dev DEV l3_stats { on | off }
GROUP := { link | xstats | xstats_slave | offload | afstats }
xstats SUBGROUP := { bridge [ suite stp ] [ suite mcast ] | bond [ suite 802.3ad ] }
xstats_slave SUBGROUP := { bridge [ suite stp ] [ suite mcast ] | bond [ suite 802.3ad ] }
offload SUBGROUP := { cpu_hit | hw_stats_info | l3_stats }
afstats SUBGROUP := { mpls }
`;

const GROUPS = ['link', 'xstats', 'xstats_slave', 'offload', 'afstats'];

/** A statistic nlkit prints: the selection ip prints in its header, and the attribute it asks for. */
interface Desc {
  sel: readonly (readonly [string, string])[];
  attr: number;
}

const LINK: Desc = { sel: [['group', 'link']], attr: IFLA_STATS_LINK_64 };
const AFSTATS_MPLS: Desc = {
  sel: [
    ['group', 'afstats'],
    ['subgroup', 'mpls'],
  ],
  attr: IFLA_STATS_AF_SPEC,
};

/** print_stats64(): the stats64 object in JSON, ip's table in text (-s -s: with the error rows). */
function printStats64(p: Printer, a: Attr, level: number): void {
  const s = (n: StatName): bigint => (STATS64[n] + 8 <= a.length ? a.u64At(STATS64[n]) : 0n);
  if (!p.json) {
    p.fp(linkStatsText(s, level, undefined, '\n'));
    return;
  }
  p.open('stats64').open('rx');
  for (const [k, n] of [
    ['bytes', 'rx_bytes'],
    ['packets', 'rx_packets'],
    ['errors', 'rx_errors'],
    ['dropped', 'rx_dropped'],
    ['over_errors', 'rx_over_errors'],
    ['multicast', 'multicast'],
  ] as const)
    p.jsonOnly(k, s(n));
  if (s('rx_compressed')) p.jsonOnly('compressed', s('rx_compressed'));
  if (level > 1) {
    for (const [k, n] of [
      ['length_errors', 'rx_length_errors'],
      ['crc_errors', 'rx_crc_errors'],
      ['frame_errors', 'rx_frame_errors'],
      ['fifo_errors', 'rx_fifo_errors'],
      ['missed_errors', 'rx_missed_errors'],
    ] as const)
      p.jsonOnly(k, s(n));
    if (s('rx_nohandler')) p.jsonOnly('nohandler', s('rx_nohandler'));
    if (s('rx_otherhost_dropped')) p.jsonOnly('otherhost_dropped', s('rx_otherhost_dropped'));
  }
  p.close().open('tx');
  for (const [k, n] of [
    ['bytes', 'tx_bytes'],
    ['packets', 'tx_packets'],
    ['errors', 'tx_errors'],
    ['dropped', 'tx_dropped'],
    ['carrier_errors', 'tx_carrier_errors'],
    ['collisions', 'collisions'],
  ] as const)
    p.jsonOnly(k, s(n));
  if (s('tx_compressed')) p.jsonOnly('compressed', s('tx_compressed'));
  if (level > 1) {
    for (const [k, n] of [
      ['aborted_errors', 'tx_aborted_errors'],
      ['fifo_errors', 'tx_fifo_errors'],
      ['window_errors', 'tx_window_errors'],
      ['heartbeat_errors', 'tx_heartbeat_errors'],
    ] as const)
      p.jsonOnly(k, s(n));
  }
  p.close().close();
}

/** ipstats_process_ifsm(): one object per selected statistic of a link. */
function printLink(ctx: IpContext, m: MessageView, enabled: readonly Desc[], level: number, dump: boolean): void {
  const ifindex = new Header(m).s32(IFSM.ifindex);
  const tb = messageAttrs(m, IF_STATS_MSG_SIZE);
  for (const d of enabled) {
    const p = ctx.printer();
    p.any('ifindex', '%d:', ifindex).any('ifname', ' %s:', ctx.indexName(ifindex));
    for (const [level, name] of d.sel) p.jsonOnly(level, name).fp(` ${level} ${name}`);
    const a = tb.get(d.attr);
    if (d === LINK && a) {
      p.fp('\n');
      printStats64(p, a, level);
    } else if (d === AFSTATS_MPLS && a?.nest().get(AF_MPLS)) {
      throw new CommandError('Error: nlkit does not print MPLS statistics.', 1);
    }
    ctx.listItem(p);
  }
  // ipstats_dump_one(): an empty line after each link of a dump.
  if (dump && !ctx.options.json) ctx.print('\n');
}

/** ipstats_show(). */
async function show(ctx: IpContext, argv: string[], level: number): Promise<number> {
  let dev: string | undefined;
  const enabled: Desc[] = [];
  let group: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    if (w === 'dev') {
      const v = next();
      if (dev !== undefined) duparg2('dev', v);
      if (!validIfname(v)) invarg('"dev" not a valid ifname', v);
      dev = v;
    } else if (w === 'help') {
      ctx.io.stderr(STATS_USAGE);
      return 0;
    } else if (w === 'group') {
      const v = next();
      if (!GROUPS.includes(v)) throw new CommandError(`Unknown group "${v}".`, 22);
      group = v;
      if (v === 'link') enabled.push(LINK);
      else if (v === 'afstats') enabled.push(AFSTATS_MPLS);
      else throw usage(`Error: "ip stats show group ${v}" is not supported by nlkit.`);
    } else if (w === 'subgroup') {
      const v = next();
      if (group === 'afstats' && v === 'mpls') continue;
      throw usage(`Error: "ip stats show ... subgroup ${v}" is not supported by nlkit.`);
    } else {
      ctx.io.stderr(`What is "${w}"?\n`);
      ctx.io.stderr(STATS_USAGE);
      // ip returns -EINVAL, which its do_cmd() turns into exit status 22.
      return 22;
    }
  }
  if (enabled.length === 0) throw usage('Error: nlkit shows "ip stats" of group link and group afstats only: name them.');
  // ip shows the selected statistics last named first (a group given twice, once).
  const unique = [...new Set(enabled)].reverse();
  let mask = 0;
  for (const d of unique) mask |= 1 << (d.attr - 1);
  await ctx.loadLinks();
  if (dev !== undefined) {
    const index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 1);
    const req = ctx.build(RTM_GETSTATS, NLM_F_REQUEST | NLM_F_ACK, IF_STATS_MSG_SIZE, (w, h) => {
      w.view.setInt32(h + IFSM.ifindex, index, true);
      w.view.setUint32(h + IFSM.filter_mask, mask, true);
    });
    for (const m of await ctx.request(req)) printLink(ctx, m, unique, level, false);
  } else {
    const req = ctx.build(RTM_GETSTATS, NLM_F_REQUEST | NLM_F_DUMP, IF_STATS_MSG_SIZE, (w, h) => {
      w.view.setUint32(h + IFSM.filter_mask, mask, true);
    });
    await ctx.dump(req, (m) => printLink(ctx, m, unique, level, true));
  }
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit stats ...` (do_ipstats). */
export async function runStats(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, [], ctx.options.stats);
  if (cmd === 'help') {
    ctx.io.stderr(STATS_USAGE);
    return 0;
  }
  // "stats show" implies one -s, and -d one more.
  if (cmd === 'show') return show(ctx, rest, ctx.options.stats + ctx.options.details + 1);
  if (cmd === 'set') throw usage('Error: "ip stats set" is not supported by nlkit.');
  throw new CommandError(`Command "${cmd}" is unknown, try "ip stats help".`, 1);
}
