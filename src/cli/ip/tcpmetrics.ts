// `nlkit tcp_metrics show|delete|flush [[address] PREFIX] [source PREFIX]`
// (ip/tcp_metrics.c): the kernel's cache of TCP metrics per destination,
// through the generated tcp_metrics generic netlink family on a socket in the
// -n namespace. Like ip: a dump filtered by prefixes, one GET for an exact
// address (printed without a JSON document, as ip prints it), one DEL for an
// exact address or for everything, and rounds of deletes for a flush by
// prefix.
import { AF_INET, AF_INET6, AF_UNSPEC } from '../../core/constants.js';
import { parseIP } from '../../core/address.js';
import { FamilyClient } from '../../families/client.js';
import { family as tcpMetrics, type MetricsAttrs, type TcpMetricsAttrs } from '../../families/generated/tcp_metrics.js';
import type { Family } from '../../schema/family.js';
import { CommandError } from '../error.js';
import { addrMatch, duparg2, incompleteCommand, missarg, parsePrefix, type InetPrefix } from './args.js';
import { usage, type IpContext } from './context.js';
import { JsonNumberText } from './json.js';
import { Printer } from './printer.js';
import { formatG } from './route.js';
import { matches } from './args.js';

/** ip tcp_metrics help (tcp_metrics.c usage()). */
export const TCPM_USAGE = `Usage:	ip tcp_metrics/tcpmetrics { COMMAND | help }
	ip tcp_metrics { show | flush } SELECTOR
	ip tcp_metrics delete [ address ] ADDRESS
SELECTOR := [ [ address ] PREFIX ]`;

const CMD_LIST = 1;
const CMD_DEL = 2;
const CMD_FLUSH = 4;

/** cmds[] of tcp_metrics.c, matched by prefix in this order. */
const COMMANDS: readonly (readonly [string, number])[] = [
  ['list', CMD_LIST],
  ['lst', CMD_LIST],
  ['show', CMD_LIST],
  ['delete', CMD_DEL],
  ['remove', CMD_DEL],
  ['flush', CMD_FLUSH],
];

type Entry = TcpMetricsAttrs;

/** A selector as ip's filter holds it: family (0: any), the prefix's bytes and length (-1: none given). */
interface Sel {
  family: number;
  bytes: Uint8Array;
  bitlen: number;
}

// An address of a decoded entry as bytes.
const addrBytes = (a: string | Uint8Array): Uint8Array => (typeof a === 'string' ? parseIP(a) : a);
const addrText = (a: string | Uint8Array, family: number): string => (typeof a === 'string' ? a : family === AF_INET6 ? formatV6(a) : Array.from(a).join('.'));
function formatV6(a: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i + 1 < a.length; i += 2) words.push(((a[i]! << 8) | a[i + 1]!).toString(16));
  return words.join(':');
}

const jsonG = (x: number): JsonNumberText => new JsonNumberText(formatG(x));

/** process_msg()'s filter: false when the selectors leave the entry out. */
function selected(e: Entry, dst: Sel, src: Sel): { daddr: string | Uint8Array; dfam: number; saddr: string | Uint8Array | undefined; sfam: number } | undefined {
  let daddr: string | Uint8Array;
  let dfam: number;
  if (e['addr-ipv4'] !== undefined) {
    if (dst.family && dst.family !== AF_INET) return undefined;
    [daddr, dfam] = [e['addr-ipv4'], AF_INET];
  } else if (e['addr-ipv6'] !== undefined) {
    if (dst.family && dst.family !== AF_INET6) return undefined;
    [daddr, dfam] = [e['addr-ipv6'], AF_INET6];
  } else return undefined;
  if (dst.family && dst.bitlen >= 0 && !addrMatch(addrBytes(daddr), dst.bytes, dst.bitlen)) return undefined;
  let saddr: string | Uint8Array | undefined;
  let sfam = AF_UNSPEC;
  if (e['saddr-ipv4'] !== undefined) {
    if (src.family && src.family !== AF_INET) return undefined;
    [saddr, sfam] = [e['saddr-ipv4'], AF_INET];
  } else if (e['saddr-ipv6'] !== undefined) {
    if (src.family && src.family !== AF_INET6) return undefined;
    [saddr, sfam] = [e['saddr-ipv6'], AF_INET6];
  }
  if (saddr !== undefined && src.family && src.bitlen >= 0 && !addrMatch(addrBytes(saddr), src.bytes, src.bitlen)) return undefined;
  return { daddr, dfam, saddr, sfam };
}

/** print_tcp_metrics(). */
function printVals(p: Printer, v: MetricsAttrs): void {
  let rtt = 0;
  let rttvar = 0;
  if (v.rtt !== undefined) rtt = Math.floor((v.rtt * 1000) / 8);
  if (v.rttvar !== undefined) rttvar = Math.floor((v.rttvar * 1000) / 4);
  if (v['rtt-us'] !== undefined) rtt = v['rtt-us'] >>> 3;
  if (v['rttvar-us'] !== undefined) rttvar = v['rttvar-us'] >>> 2;
  const one = (name: string, val: number): void => {
    p.jsonOnly(name, val >>> 0).fp(` ${name} ${val >>> 0}`);
  };
  if (v.ssthresh !== undefined) one('ssthresh', v.ssthresh);
  if (v.cwnd !== undefined) one('cwnd', v.cwnd);
  if (v.reodering !== undefined) one('reordering', v.reodering);
  // Metrics this spec does not name: " metric_%d " (the index, one less than the attribute type) and the value.
  for (const u of [...(v.__unknown ?? [])].sort((a, b) => a.type - b.type)) {
    const val = u.data.length >= 4 ? new DataView(u.data.buffer, u.data.byteOffset, 4).getUint32(0, true) : 0;
    one(` metric_${u.type - 1} `, val);
  }
  if (rtt) p.jsonOnly('rtt', jsonG(rtt / 1e6)).fp(` rtt ${rtt}us`);
  if (rttvar) p.jsonOnly('rttvar', jsonG(rttvar / 1e6)).fp(` rttvar ${rttvar}us`);
}

/** process_msg()'s printing of one entry. */
function printEntry(p: Printer, e: Entry, s: NonNullable<ReturnType<typeof selected>>, deleted: boolean): void {
  if (deleted) p.bool('deleted', 'Deleted ', true);
  p.any('dst', '%s', addrText(s.daddr, s.dfam));
  if (e.age !== undefined) {
    const age = Number(e.age) / 1000;
    p.jsonOnly('age', jsonG(age)).fp(` age ${age.toFixed(3)}sec`);
  }
  if (e['tw-ts-stamp'] !== undefined) p.any('tw_ts_stamp', ' tw_ts %s ago', `${(e['tw-tsval'] ?? 0) >>> 0}/${e['tw-ts-stamp'] | 0}`);
  if (e.vals !== undefined) printVals(p, e.vals);
  if (e['fopen-mss'] !== undefined) p.any('fopen_miss', ' fo_mss %u', e['fopen-mss']);
  if (e['fopen-syn-drops'] !== undefined) {
    const ts = Number(e['fopen-syn-drop-ts'] ?? 0n) / 1e6;
    p.any('fopen_syn_drops', ' fo_syn_drops %u', e['fopen-syn-drops']);
    p.jsonOnly('fopen_syn_drop_ts', jsonG(ts)).fp(`/${ts.toFixed(3)}usec ago`);
  }
  const cookie = e['fopen-cookie'];
  if (cookie !== undefined) p.any('fo_cookie', ' fo_cookie %s', Array.from(cookie.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(''));
  if (s.saddr !== undefined) p.any('source', ' source %s', addrText(s.saddr, s.sfam));
}

const FULL: Record<number, readonly [string, string]> = {
  [AF_INET]: ['addr-ipv4', 'saddr-ipv4'],
  [AF_INET6]: ['addr-ipv6', 'saddr-ipv6'],
};

/** tcpm_do_cmd(). */
async function doCmd(ctx: IpContext, command: number, argv: string[]): Promise<number> {
  let cmd = command;
  const preferred = ctx.options.family;
  if (preferred !== AF_UNSPEC && preferred !== AF_INET && preferred !== AF_INET6) throw new CommandError(`Unsupported protocol family: ${preferred}`, 1);
  const dst: Sel = { family: preferred, bytes: new Uint8Array(16), bitlen: -1 };
  const src: Sel = { family: preferred, bytes: new Uint8Array(16), bitlen: -1 };
  let atype: string | undefined;
  let stype: string | undefined;
  const exact = (p: InetPrefix): boolean => p.bytes.length > 0 && p.bytes.length * 8 === p.bitlen;
  for (let i = 0; i < argv.length; i++) {
    let w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    if (w === 'src' || w === 'source') {
      const who = w;
      w = next();
      if (matches(w, 'help')) throw usage(TCPM_USAGE);
      if (src.bitlen >= 0) duparg2(who, w);
      const p = parsePrefix(w, preferred);
      Object.assign(src, { family: p.family, bytes: p.bytes, bitlen: p.bitlen });
      if (exact(p)) stype = FULL[p.family]?.[1];
      if (stype === undefined) throw new CommandError(`Error: a specific IP address is expected rather than "${w}"`, 1);
    } else {
      let who = 'address';
      if (w === 'addr' || w === 'address') {
        who = w;
        w = next();
      }
      if (matches(w, 'help')) throw usage(TCPM_USAGE);
      if (dst.bitlen >= 0) duparg2(who, w);
      const p = parsePrefix(w, preferred);
      Object.assign(dst, { family: p.family, bytes: p.bytes, bitlen: p.bitlen });
      if (exact(p)) atype = FULL[p.family]?.[0];
      if (cmd & CMD_DEL && atype === undefined) throw new CommandError(`Error: a specific IP address is expected rather than "${w}"`, 1);
    }
    // ip's loop steps over one word more than it read (its for() and its body both advance).
    i++;
  }
  if (cmd === CMD_DEL && atype === undefined) missarg('address');
  if (cmd === CMD_FLUSH && atype !== undefined) cmd = CMD_DEL;
  let delAll = false;
  if (cmd === CMD_FLUSH && dst.bitlen <= 0 && src.bitlen <= 0 && preferred === AF_UNSPEC) {
    cmd = CMD_DEL;
    delAll = true;
  }
  const client = await FamilyClient.open(tcpMetrics as unknown as Family, ctx.options.netns !== undefined ? { netns: ctx.options.netns } : {});
  try {
    // The generated codec takes IPv4 addresses as text, IPv6 ones as bytes.
    const value = (sel: Sel): string | Uint8Array => (sel.family === AF_INET ? Array.from(sel.bytes.subarray(0, 4)).join('.') : sel.bytes);
    const selector = (): Record<string, unknown> => ({
      ...(atype !== undefined ? { [atype]: value(dst) } : {}),
      ...(stype !== undefined ? { [stype]: value(src) } : {}),
    });
    if (cmd === CMD_DEL) {
      await client.request('del', (delAll ? {} : selector()) as never);
      return 0;
    }
    if (cmd === CMD_FLUSH) {
      for (let round = 0; ;) {
        const doomed: Entry[] = [];
        for (const e of (await client.dumpAll('get', {} as never)) as unknown as Entry[]) {
          const s = selected(e, dst, src);
          if (!s) continue;
          doomed.push(e);
          if (ctx.options.stats >= 2) {
            const p = ctx.printer();
            printEntry(p, e, s, true);
            ctx.listItem(p);
          }
        }
        if (doomed.length === 0) {
          if (round === 0) ctx.io.stderr('Nothing to flush.\n');
          else if (ctx.options.stats) ctx.print(`*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
          return 0;
        }
        round++;
        for (const e of doomed) {
          const keys: Record<string, unknown> = {};
          for (const k of ['addr-ipv4', 'addr-ipv6', 'saddr-ipv4', 'saddr-ipv6'] as const) if (e[k] !== undefined) keys[k] = e[k];
          await client.request('del', keys as never);
        }
        if (ctx.options.stats) ctx.print(`\n*** Round ${round}, deleting ${doomed.length} entries ***\n`);
      }
    }
    if (atype !== undefined) {
      // One GET: ip prints its reply outside any JSON document, as text.
      for (const e of (await client.request('get', selector() as never)) as unknown as Entry[]) {
        const s = selected(e, dst, src);
        if (!s) continue;
        const p = new Printer(false);
        printEntry(p, e, s, false);
        ctx.print(p.output + '\n');
      }
      return 0;
    }
    for await (const batch of client.dump('get', {} as never).batches()) {
      for (const e of batch as unknown as Entry[]) {
        const s = selected(e, dst, src);
        if (!s) continue;
        const p = ctx.printer();
        printEntry(p, e, s, false);
        ctx.listItem(p);
      }
    }
    ctx.listEnd();
    return 0;
  } finally {
    client.close();
  }
}

/** Runs `nlkit tcp_metrics ...` (do_tcp_metrics). */
export async function runTcpMetrics(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return doCmd(ctx, CMD_LIST, []);
  for (const [name, code] of COMMANDS) if (matches(cmd, name)) return doCmd(ctx, code, rest);
  if (matches(cmd, 'help')) throw usage(TCPM_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip tcp_metrics help".`);
}
