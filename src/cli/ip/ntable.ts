// `nlkit ntable show [dev DEV] [name NAME]`: the neighbour tables and their
// per-device parameters (ip/ipntable.c), from RTM_GETNEIGHTBL decoded by the
// generated rt-neigh family (the kernel's spec has neightbl). With -s, the
// table's configuration and statistics too. `ntable change` sends
// RTM_SETNEIGHTBL as ip builds it (the kernel takes thresholds and gc_int
// only in the initial namespace; a device's parameters in any).
import { AF_UNSPEC, NLM_F_ACK, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import { family as rtNeigh, type NdtAttrs, type NdtConfig, type NdtStats, type NdtpaAttrs, type Ndtmsg } from '../../families/generated/rt-neigh.js';
import type { Family } from '../../schema/family.js';
import { familyClient } from '../bridge/common.js';
import { CommandError } from '../error.js';
import { duparg, familyName, incompleteCommand, invarg, matches, missarg } from './args.js';
import { getU64, getUnsigned } from './numbers.js';
import { usage, type IpContext } from './context.js';
import type { Printer } from './printer.js';

/** ip ntable help (ipntable.c usage()). */
export const NTABLE_USAGE = `Usage: ip ntable change name NAME [ dev DEV ]
        [ thresh1 VAL ] [ thresh2 VAL ] [ thresh3 VAL ] [ gc_int MSEC ]
        [ PARMS ]
Usage: ip ntable show [ dev DEV ] [ name NAME ]
PARMS := [ base_reachable MSEC ] [ retrans MSEC ] [ gc_stale MSEC ]
         [ delay_probe MSEC ] [ queue LEN ]
         [ app_probes VAL ] [ ucast_probes VAL ] [ mcast_probes VAL ]
         [ anycast_delay MSEC ] [ proxy_delay MSEC ] [ proxy_queue LEN ]
         [ locktime MSEC ]`;

/** The index ip's filter gives `dev none`: parameters of no device. */
const NONE_DEV = 0xffffffff;

type Ntable = Ndtmsg & NdtAttrs;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** ntable_strtime_delta(): the local time `msec` ago, "%Y-%m-%d %T" ("(error)" for 0). */
function strtimeDelta(msec: number): string {
  if (msec === 0) return '(error)';
  const t = new Date((Math.floor(Date.now() / 1000) - Math.floor(msec / 1000)) * 1000);
  return `${t.getFullYear()}-${pad2(t.getMonth() + 1)}-${pad2(t.getDate())} ${pad2(t.getHours())}:${pad2(t.getMinutes())}:${pad2(t.getSeconds())}`;
}

/** print_ndtconfig(). */
function printConfig(p: Printer, c: NdtConfig, nl: string): void {
  p.any('key_length', '    config key_len %u ', c['key-len'] ?? 0);
  p.any('entry_size', 'entry_size %u ', c['entry-size'] ?? 0);
  p.any('entries', 'entries %u ', c.entries ?? 0).fp(nl);
  p.any('last_flush', '        last_flush %s ', strtimeDelta(c['last-flush'] ?? 0));
  p.any('last_rand', 'last_rand %s ', strtimeDelta(c['last-rand'] ?? 0)).fp(nl);
  p.any('hash_rnd', '        hash_rnd %u ', c['hash-rnd'] ?? 0);
  const mask = c['hash-mask'] ?? 0;
  // print_0xhex(): "%#llx" in JSON.
  if (p.json) p.jsonOnly('hash_mask', mask ? `0x${mask.toString(16)}` : '0');
  else p.fp(`hash_mask ${mask.toString(16).padStart(8, '0')} `);
  p.any('hash_chain_gc', 'hash_chain_gc %u ', c['hash-chain-gc'] ?? 0);
  p.any('proxy_qlen', 'proxy_qlen %u ', c['proxy-qlen'] ?? 0).fp(nl);
}

/** print_ndtparams(). */
function printParms(ctx: IpContext, p: Printer, t: NdtpaAttrs, nl: string): void {
  if (t.ifindex !== undefined) p.fp('    dev ').any('dev', '%s ', ctx.indexName(t.ifindex)).fp(nl);
  p.fp('    ');
  const u = (key: string, v: number | bigint | undefined, label = key): void => {
    if (v !== undefined) p.any(key, `${label} %u `, v);
  };
  u('refcnt', t.refcnt);
  u('reachable', t['reachable-time']);
  u('base_reachable', t['base-reachable-time']);
  u('retrans', t['retrans-time']);
  p.fp(`${nl}    `);
  u('gc_stale', t['gc-staletime']);
  u('delay_probe', t['delay-probe-time']);
  u('queue', t['queue-len']);
  p.fp(`${nl}    `);
  u('app_probes', t['app-probes']);
  u('ucast_probes', t['ucast-probes']);
  u('mcast_probes', t['mcast-probes']);
  p.fp(`${nl}    `);
  u('anycast_delay', t['anycast-delay']);
  u('proxy_delay', t['proxy-delay']);
  u('proxy_queue', t['proxy-qlen']);
  u('locktime', t.locktime);
  p.fp(nl);
}

/** print_ndtstats(). */
function printStats(p: Printer, s: NdtStats, nl: string): void {
  const u = (key: string, v: bigint | undefined): void => void p.any(key, `${key} %u `, v ?? 0n);
  p.fp('    stats ');
  u('allocs', s.allocs);
  u('destroys', s.destroys);
  u('hash_grows', s['hash-grows']);
  p.fp(`${nl}    `);
  u('res_failed', s['res-failed']);
  u('lookups', s.lookups);
  u('hits', s.hits);
  p.fp(`${nl}    `);
  u('rcv_probes_mcast', s['rcv-probes-mcast']);
  u('rcv_probes_ucast', s['rcv-probes-ucast']);
  p.fp(`${nl}    `);
  u('periodic_gc_runs', s['periodic-gc-runs']);
  u('forced_gc_runs', s['forced-gc-runs']);
  p.fp(`${nl}    `);
  u('table_fulls', s['table-fulls']);
  p.fp(nl);
}

/** print_ntable(): false when the filter leaves the table out. */
function printNtable(ctx: IpContext, p: Printer, m: Ntable, filter: { index: number; name: string | undefined }): boolean {
  const family = ctx.options.family;
  if (family !== AF_UNSPEC && family !== m.family) return false;
  if (m.name !== undefined && filter.name !== undefined && filter.name !== m.name) return false;
  if (m.parms !== undefined && filter.index) {
    const index = m.parms.ifindex;
    if (index !== undefined ? filter.index !== index : filter.index !== NONE_DEV) return false;
  }
  const nl = ctx.options.oneline ? '\\' : '\n';
  p.any('family', '%s ', familyName(m.family ?? 0));
  if (m.name !== undefined) p.any('name', '%s ', m.name);
  p.fp(nl);
  const thresholds = m.thresh1 !== undefined || m.thresh2 !== undefined || m.thresh3 !== undefined || m['gc-interval'] !== undefined;
  if (thresholds) p.fp('    ');
  if (m.thresh1 !== undefined) p.any('thresh1', 'thresh1 %u ', m.thresh1);
  if (m.thresh2 !== undefined) p.any('thresh2', 'thresh2 %u ', m.thresh2);
  if (m.thresh3 !== undefined) p.any('thresh3', 'thresh3 %u ', m.thresh3);
  if (m['gc-interval'] !== undefined) p.any('gc_interval', 'gc_int %u ', m['gc-interval']);
  if (thresholds) p.fp(nl);
  const stats = ctx.options.stats > 0;
  if (m.config !== undefined && stats) printConfig(p, m.config, nl);
  if (m.parms !== undefined) printParms(ctx, p, m.parms, nl);
  if (m.stats !== undefined && stats) printStats(p, m.stats, nl);
  return true;
}

/** ipntable_show(). */
async function show(ctx: IpContext, argv: string[]): Promise<number> {
  const filter = { index: 0, name: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    if (w === 'dev') {
      const v = next();
      if (v === 'none') filter.index = NONE_DEV;
      else if (!(filter.index = await ctx.nameIndex(v))) invarg('"DEV" is invalid', v);
    } else if (w === 'name') filter.name = next();
    else invarg('unknown', w);
  }
  const client = await familyClient(ctx, rtNeigh as unknown as Family);
  for await (const batch of client.dump('getneightbl', { family: ctx.options.family } as never).batches()) {
    for (const m of batch as unknown as Ntable[]) {
      const p = ctx.printer();
      // The table's text ends with a newline; the listing adds the empty line ip prints after it.
      if (printNtable(ctx, p, m, filter)) ctx.listItem(p);
    }
  }
  ctx.listEnd();
  return 0;
}

/** The device parameters `ntable change` takes: ip's word, the attribute, and whether it is a u64. */
const PARMS: readonly (readonly [string, string, boolean])[] = [
  ['base_reachable', 'base-reachable-time', true],
  ['retrans', 'retrans-time', true],
  ['gc_stale', 'gc-staletime', true],
  ['delay_probe', 'delay-probe-time', true],
  ['queue', 'queue-len', false],
  ['app_probes', 'app-probes', false],
  ['ucast_probes', 'ucast-probes', false],
  ['mcast_probes', 'mcast-probes', false],
  ['anycast_delay', 'anycast-delay', true],
  ['proxy_delay', 'proxy-delay', true],
  ['proxy_queue', 'proxy-qlen', false],
  ['locktime', 'locktime', true],
];

/** ipntable_modify(). */
async function change(ctx: IpContext, argv: string[]): Promise<number> {
  const req: Record<string, unknown> = { family: ctx.options.family };
  const parms: Record<string, unknown> = {};
  let name: string | undefined;
  let thresholds = false;
  let parmsChange = false;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    const u32 = (v: string): number => {
      const n = getUnsigned(v);
      if (n === undefined) invarg(`"${w}" value is invalid`, v);
      return n;
    };
    const u64 = (v: string): bigint => {
      const n = getU64(v);
      if (n === undefined) invarg(`"${w}" value is invalid`, v);
      return n;
    };
    const parm = PARMS.find(([word]) => word === w);
    if (w === 'name') {
      const v = next();
      if (name !== undefined) duparg('NAME', v);
      name = v;
      req.name = v;
    } else if (w === 'thresh1' || w === 'thresh2' || w === 'thresh3') {
      req[w] = u32(next());
      thresholds = true;
    } else if (w === 'gc_int') {
      req['gc-interval'] = u64(next());
      thresholds = true;
    } else if (w === 'dev') {
      const v = next();
      const index = await ctx.nameIndex(v);
      if (!index) throw new CommandError(`Cannot find device "${v}"`, 1);
      parms.ifindex = index;
    } else if (parm) {
      const v = next();
      parms[parm[1]] = parm[2] ? u64(v) : u32(v);
      parmsChange = true;
    } else invarg('unknown', w);
  }
  if (name === undefined) missarg('NAME');
  if (!thresholds && !parmsChange) throw usage('Not enough information: changeable attributes required.');
  if (Object.keys(parms).length > 0) req.parms = parms;
  const client = await familyClient(ctx, rtNeigh as unknown as Family);
  await client.request('setneightbl', req as never, { flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE });
  return 0;
}

/** Runs `nlkit ntable ...` (do_ipntable). */
export async function runNtable(ctx: IpContext, argv: string[]): Promise<number> {
  await ctx.loadLinks();
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'change') || matches(cmd, 'chg')) return change(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'help')) throw usage(NTABLE_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip ntable help".`);
}
