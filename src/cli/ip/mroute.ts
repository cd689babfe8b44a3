// `nlkit mroute show` (ip/ipmroute.c of iproute2 6.1): the multicast routing
// cache, an RTM_GETROUTE dump of family RTNL_FAMILY_IPMR (IPv4, table
// "default" unless `table` says otherwise) or RTNL_FAMILY_IP6MR (-6), printed
// by print_mroute(). Numbers come from the rt-route spec and its overlay.
import type { MessageView } from '../../core/message.js';
import { AF_INET, AF_INET6, AF_UNSPEC, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import * as R from '../../families/generated/rt-route.constants.js';
import { Header, addrText, messageAttrs, type Attr } from './attrs.js';
import { CommandError } from '../error.js';
import { incompleteCommand, invarg, matches } from './args.js';
import { usage, type IpContext } from './context.js';
import { kernelErrorText } from './index.js';
import { JsonNumberText } from './json.js';
import { tableName, tableNumber } from './names.js';
import type { Printer } from './printer.js';
import { formatG } from './route.js';

/** ip mroute's usage() text (exit 255). */
export const MROUTE_USAGE =
  'Usage: ip mroute show [ [ to ] PREFIX ] [ from PREFIX ] [ iif DEVICE ]\n' +
  '                      [ table TABLE_ID ]\n' +
  'TABLE_ID := [ local | main | default | all | NUMBER ]';

const RTM = R.RTMSG_OFFSETS;
const NH = R.RTNEXTHOP_OFFSETS;
const MFC = R.RTA_MFC_STATS_OFFSETS;

/** What print_mroute() filters on. */
export interface MrouteFilter {
  /** Table (0: every table). */
  tb: number;
  /** rtm_family asked for (RTNL_FAMILY_IPMR / IP6MR). */
  af: number;
  /** Incoming interface index (0: any). */
  iif: number;
}

/** Why a dump ends early (print_mroute() returning -1): the line ip prints first. */
export class MrouteDumpError extends Error {}

/** get_real_family(): the address family of a multicast route's addresses. */
function realFamily(type: number, family: number): number {
  if (type !== R.RTN_MULTICAST) return family;
  if (family === R.RTNL_FAMILY_IPMR) return AF_INET;
  if (family === R.RTNL_FAMILY_IP6MR) return AF_INET6;
  return family;
}

/** RTA_EXPIRES: the kernel writes a u64 (ip reads it so); a u32 is read as it is. */
function ticks(a: Attr): number {
  return a.length >= 8 ? Number(a.u64()) : a.u32();
}

/**
 * print_mroute(): one RTM_NEWROUTE / RTM_DELROUTE into `p`; false when the
 * filter leaves it out. Throws MrouteDumpError for a route that is not a
 * multicast route (ip then ends the dump).
 */
export function printMroute(ctx: IpContext, p: Printer, m: MessageView, f: MrouteFilter): boolean {
  if (m.type !== R.RTM_NEWROUTE && m.type !== R.RTM_DELROUTE) {
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    ctx.io.stderr(`Not a multicast route: ${hex(m.length)} ${hex(m.type)} ${hex(m.flags)}\n`);
    return false;
  }
  if (m.length - 16 < R.RTMSG_SIZE) throw new MrouteDumpError(`BUG: wrong nlmsg len ${m.length - 16 - R.RTMSG_SIZE}`);
  const h = new Header(m);
  const type = h.u8(RTM.rtm_type);
  if (type !== R.RTN_MULTICAST) throw new MrouteDumpError('Non multicast route received, kernel does support IP multicast?');
  const tb = messageAttrs(m, R.RTMSG_SIZE);
  const table = tb.get(R.RTA_TABLE)?.u32() ?? h.u8(RTM.rtm_table);
  if (f.tb > 0 && f.tb !== table) return false;
  const iif = tb.get(R.RTA_IIF)?.u32() ?? 0;
  if (f.iif && f.iif !== iif) return false;
  const rtmFamily = h.u8(RTM.rtm_family);
  if (f.af && f.af !== rtmFamily) return false;
  const family = realFamily(type, rtmFamily);
  if (m.type === R.RTM_DELROUTE) p.bool('deleted', 'Deleted ', true);
  const srcAttr = tb.get(R.RTA_SRC);
  const dstAttr = tb.get(R.RTA_DST);
  const src = srcAttr ? addrText(srcAttr, family) : 'unknown';
  const dst = dstAttr ? addrText(dstAttr, family) : 'unknown';
  if (p.json) {
    p.jsonOnly('src', src);
    p.jsonOnly('dst', dst);
  } else p.fpf('%-32s Iif: ', `(${src},${dst})`.slice(0, 255));
  if (iif) p.any('iif', '%-10s ', ctx.indexName(iif));
  else p.any('iif', '%s ', 'unresolved');
  const mp = tb.get(R.RTA_MULTIPATH);
  if (mp) {
    p.openArray('multipath');
    let at = 0;
    let len = mp.length;
    let first = true;
    for (;;) {
      if (len < R.RTNEXTHOP_SIZE) break;
      const nhLen = mp.u16At(at + NH.rtnh_len);
      // ip would loop on a zero length for ever; nlkit stops.
      if (nhLen > len || nhLen === 0) break;
      p.open(null);
      if (first) {
        p.fp('Oifs: ');
        first = false;
      }
      p.any('oif', '%s', ctx.indexName(mp.u32At(at + NH.rtnh_ifindex) | 0));
      const hops = mp.u8At(at + NH.rtnh_hops);
      if (hops > 1) p.any('ttl', '(ttl %u) ', hops);
      else p.fp(' ');
      p.close();
      const step = (nhLen + 3) & ~3;
      len -= step;
      at += step;
    }
    p.close();
  }
  const flags = h.u32(RTM.rtm_flags);
  p.any('state', ' State: %s', flags & R.RTNH_F_UNRESOLVED ? 'unresolved' : 'resolved');
  if (flags & R.RTNH_F_OFFLOAD) {
    p.null('offload');
    p.fp(' offload');
  }
  const stats = tb.get(R.RTA_MFC_STATS);
  if (ctx.options.stats && stats && stats.length >= R.RTA_MFC_STATS_SIZE) {
    p.fp(ctx.options.oneline ? '\\' : '\n');
    p.any('packets', '  %s packets,', stats.u64At(MFC.mfcs_packets));
    p.any('bytes', ' %s bytes', stats.u64At(MFC.mfcs_bytes));
    const wrong = stats.u64At(MFC.mfcs_wrong_if);
    if (wrong) p.any('wrong_if', ', %s arrived on wrong iif.', wrong);
  }
  const expires = tb.get(R.RTA_EXPIRES);
  if (ctx.options.stats && expires) {
    // __jiffies_to_tv(): ticks of 10 ms; print_float(): "%.2f" in text, "%g" in JSON.
    const age = ticks(expires) / 100;
    if (p.json) p.jsonOnly('expires', new JsonNumberText(formatG(age)));
    else p.fp(`, Age ${age.toFixed(2)}`);
  }
  if (table && (table !== R.RT_TABLE_MAIN || ctx.options.details > 0) && !f.tb) p.any('table', ' Table: %s', tableName(table));
  return true;
}

/** RTM_GETROUTE dump request of mroute_list() (rtnl_routedump_req with RTA_TABLE when a table is asked for). */
export function mrouteDumpRequest(ctx: IpContext, f: MrouteFilter): Uint8Array {
  return ctx.build(R.RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, R.RTMSG_SIZE, (w, h) => {
    w.view.setUint8(h + RTM.rtm_family, f.af);
    if (f.tb) w.putU32(R.RTA_TABLE, f.tb);
  });
}

// get_prefix() with the multicast family: only "default", "all" and "any"
// (no length) read; ip 6.1 names the family "???" for anything else.
function checkPrefix(s: string): void {
  if (s === 'all' || s === 'any' || s === 'default') return;
  throw new CommandError(`Error: ??? prefix is expected rather than "${s}".`, 1);
}

async function list(ctx: IpContext, words: string[]): Promise<number> {
  const pf = ctx.options.family;
  const f: MrouteFilter = { tb: 0, af: 0, iif: 0 };
  if (pf === AF_INET || pf === AF_UNSPEC) {
    f.af = R.RTNL_FAMILY_IPMR;
    f.tb = R.RT_TABLE_DEFAULT;
  } else if (pf === AF_INET6) f.af = R.RTNL_FAMILY_IP6MR;
  else return 0;
  let iifName: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const next = (): string => {
      const v = words[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    const w = words[i]!;
    if (matches(w, 'table')) {
      const v = next();
      const id = tableNumber(v);
      if (id === undefined) {
        if (v === 'all') f.tb = 0;
        else if (v === 'help') throw usage(MROUTE_USAGE);
        else invarg('table id value is invalid\n', v);
      } else f.tb = id;
    } else if (w === 'iif') iifName = next();
    else if (matches(w, 'from')) checkPrefix(next());
    else {
      const v = w === 'to' ? next() : w;
      if (matches(v, 'help')) throw usage(MROUTE_USAGE);
      checkPrefix(v);
    }
  }
  await ctx.loadLinks();
  if (iifName !== undefined) f.iif = await ctx.device(iifName);
  let ended: string | undefined;
  try {
    await ctx.dump(mrouteDumpRequest(ctx, f), (m) => {
      if (ended !== undefined) return;
      const p = ctx.printer();
      try {
        if (printMroute(ctx, p, m, f)) ctx.listItem(p);
      } catch (err) {
        if (!(err instanceof MrouteDumpError)) throw err;
        ended = err.message;
      }
    });
  } catch (err) {
    if (!(err instanceof NetlinkError)) throw err;
    ended = kernelErrorText(err).replace(/\n$/, '');
  }
  ctx.listEnd();
  if (ended !== undefined) {
    ctx.flush();
    throw new CommandError(`${ended}\nDump terminated`, 1);
  }
  return 0;
}

/** Runs `nlkit mroute ...` (do_multiroute). */
export async function runMroute(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx, []);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx, rest);
  if (matches(cmd, 'help')) throw usage(MROUTE_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip mroute help".`);
}
