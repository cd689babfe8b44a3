// `nlkit [OPTIONS] OBJECT COMMAND ...`: the iproute2-style half of the nlkit
// command. Options and objects follow ip/ip.c; each object lives in its own
// module. Errors end the command the way ip ends: the kernel's extended-ack
// message as "Error: MESSAGE." or "RTNETLINK answers: STRERROR" (exit 2),
// bad arguments before anything is sent (exit 255), an unknown object or a
// missing device (exit 1).
import { openSync, closeSync, statfsSync } from 'node:fs';
import { NetlinkError } from '../../core/errors.js';
import { errnoDescription, errnoNumber } from '../../core/errno.js';
import { AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC, AF_BRIDGE, AF_MPLS } from '../../core/constants.js';
import { matches, readFamily } from './args.js';
import { CommandError, printCommandError } from '../error.js';
import { IpContext, kernelErrorText, usage, type IpIO, type IpOptions } from './context.js';
import { getUnsigned } from './numbers.js';
import { IP_USAGE } from './usage.js';
import { nlkitVersion } from '../version.js';

export type { IpIO, IpOptions } from './context.js';

type ObjectRunner = (ctx: IpContext, argv: string[]) => Promise<number>;

/**
 * A runner whose module is loaded on first use and then kept: the lines of a
 * batch call it without going through the module loader again.
 */
function lazy(load: () => Promise<ObjectRunner>): ObjectRunner {
  let run: ObjectRunner | undefined;
  // Once loaded, the runner's own promise is returned (no async frame of its own per line).
  return (ctx, argv) => (run ? run(ctx, argv) : load().then((r) => (run = r)(ctx, argv)));
}

// ip.c's cmds[], in its order: a word names the first object it is a prefix
// of ("a" is address, "m" maddress, "t" tunnel, "n" neighbor). Each object's
// module is loaded when the object is used: a command pays only for its own
// code. Objects of ip that nlkit does not have are listed (with no runner) so
// that prefixes resolve as in ip.
const OBJECTS: readonly (readonly [string, ObjectRunner | undefined])[] = [
  ['address', lazy(async () => (await import('./address.js')).runAddress)],
  ['addrlabel', lazy(async () => (await import('./addrlabel.js')).runAddrlabel)],
  ['maddress', lazy(async () => (await import('./maddress.js')).runMaddress)],
  ['route', lazy(async () => (await import('./route.js')).runRoute)],
  ['rule', lazy(async () => (await import('./rule.js')).runRule)],
  ['neighbor', lazy(async () => (await import('./neigh.js')).runNeigh)],
  ['neighbour', lazy(async () => (await import('./neigh.js')).runNeigh)],
  ['ntable', lazy(async () => (await import('./ntable.js')).runNtable)],
  ['ntbl', lazy(async () => (await import('./ntable.js')).runNtable)],
  ['link', lazy(async () => (await import('./link.js')).runLink)],
  ['l2tp', async (ctx, argv) => (await import('./l2tp.js')).runL2tp(ctx, argv)],
  ['fou', async (ctx, argv) => (await import('./fou.js')).runFou(ctx, argv)],
  ['ila', undefined],
  ['macsec', async (ctx, argv) => (await import('./macsec.js')).runMacsec(ctx, argv)],
  ['tunnel', undefined],
  ['tunl', undefined],
  ['tuntap', lazy(async () => (await import('./tuntap.js')).runTuntap)],
  ['tap', lazy(async () => (await import('./tuntap.js')).runTuntap)],
  ['token', undefined],
  ['tcpmetrics', lazy(async () => (await import('./tcpmetrics.js')).runTcpMetrics)],
  ['tcp_metrics', lazy(async () => (await import('./tcpmetrics.js')).runTcpMetrics)],
  ['monitor', lazy(async () => (await import('./monitor.js')).runMonitor)],
  ['xfrm', lazy(async () => (await import('./xfrm.js')).runXfrm)],
  ['mroute', async (ctx, argv) => (await import('./mroute.js')).runMroute(ctx, argv)],
  ['mrule', async (ctx, argv) => (await import('./mrule.js')).runMrule(ctx, argv)],
  ['netns', lazy(async () => (await import('./netns.js')).runNetns)],
  ['netconf', lazy(async () => (await import('./netconf.js')).runNetconf)],
  ['vrf', lazy(async () => (await import('./vrf.js')).runVrf)],
  ['sr', async (ctx, argv) => (await import('./sr.js')).runSr(ctx, argv)],
  ['nexthop', lazy(async () => (await import('./nexthop.js')).runNexthop)],
  ['mptcp', lazy(async () => (await import('./mptcp.js')).runMptcp)],
  ['ioam', async (ctx, argv) => (await import('./ioam.js')).runIoam(ctx, argv)],
  // do_help(): the usage text, exit 255.
  ['help', () => Promise.reject(usage(IP_USAGE))],
  ['stats', lazy(async () => (await import('./stats.js')).runStats)],
];

/** The object a word names, as ip's do_cmd() finds it: its name and runner (undefined: an ip object nlkit does not have). */
export function findObject(word: string): { name: string; run: ObjectRunner | undefined } | undefined {
  for (const [name, run] of OBJECTS) if (matches(word, name)) return { name, run };
  return undefined;
}

/**
 * Checks `-n NAME` as ip's netns_switch() opens it: the file must open
 * ("Cannot open network namespace") and be a namespace ("setting the network
 * namespace ... failed"), both exit 255.
 */
export function checkNetns(name: string): void {
  const path = `/run/netns/${name}`;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const errno = errnoNumber(code) ?? 5;
    throw usage(`Cannot open network namespace "${name}": ${errnoDescription(errno)}`);
  }
  closeSync(fd);
  let isNs = false;
  try {
    // NSFS_MAGIC (include/uapi/linux/magic.h): setns() refuses anything else with EINVAL.
    isNs = statfsSync(path).type === 0x6e736673;
  } catch {
    isNs = false;
  }
  if (!isNs) throw usage(`setting the network namespace "${name}" failed: Invalid argument`);
  // ip would follow a path out of /run/netns (-n ../../proc/1/ns/net); nlkit opens namespaces by name only.
  if (name.includes('/')) throw usage(`Invalid netns name "${name}"`);
}

/**
 * Parses global options as ip.c's main() does (by prefix, in its order:
 * "-b" is -batch, "-h" -human, "-" -loops); returns them and the index of
 * the object word. `openNetns` checks a -n namespace at the point ip
 * switches to it (before later options are read).
 */
export function parseGlobalOptions(argv: readonly string[], openNetns?: (name: string) => void): { options: IpOptions; at: number; batch?: string; force?: number } {
  let batch: string | undefined;
  let force = 0;
  const options: IpOptions = { json: false, pretty: false, details: 0, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false };
  let i = 0;
  for (; i < argv.length; i++) {
    let opt = argv[i]!;
    if (opt === '--') {
      i++;
      break;
    }
    if (!opt.startsWith('-')) break;
    if (opt.startsWith('--')) opt = opt.slice(1);
    // Options with a value: ip's `argc <= 1` test ends in usage() (exit 255, the usage text).
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage(IP_USAGE);
      return v;
    };
    if (matches(opt, '-loops')) {
      value();
    } else if (matches(opt, '-family')) {
      const f = value();
      if (f === 'help') throw usage(IP_USAGE);
      const family = readFamily(f);
      if (family === AF_UNSPEC) throw usage(`Error: argument "${f}" is wrong: invalid protocol family`);
      options.family = family;
    } else if (opt === '-4') options.family = AF_INET;
    else if (opt === '-6') options.family = AF_INET6;
    else if (opt === '-0') options.family = AF_PACKET;
    else if (opt === '-M') options.family = AF_MPLS;
    else if (opt === '-B') options.family = AF_BRIDGE;
    else if (matches(opt, '-human') || matches(opt, '-human-readable')) options.human++;
    else if (matches(opt, '-iec')) options.iec++;
    else if (matches(opt, '-stats') || matches(opt, '-statistics')) options.stats++;
    else if (matches(opt, '-details')) options.details++;
    else if (matches(opt, '-resolve')) {
      // Names of hosts are not looked up: nlkit prints addresses.
    } else if (matches(opt, '-oneline')) options.oneline = true;
    else if (matches(opt, '-timestamp') || matches(opt, '-tshort')) {
      // Only `monitor` stamps its lines; nlkit's monitor does not.
    } else if (matches(opt, '-Version')) throw new CommandError(`nlkit ${nlkitVersion()}`, 0);
    else if (matches(opt, '-force')) force++;
    else if (matches(opt, '-batch')) batch = value();
    else if (matches(opt, '-brief')) options.brief = true;
    else if (matches(opt, '-json')) options.json = true;
    else if (matches(opt, '-pretty')) options.pretty = true;
    else if (matches(opt, '-rcvbuf')) {
      const v = value();
      const size = getUnsigned(v);
      if (size === undefined) throw usage(`Invalid rcvbuf size '${v}'`);
      options.rcvbuf = size;
    } else if (isColor(opt)) {
      // nlkit never colours its output.
    } else if (matches(opt, '-help')) throw usage(IP_USAGE);
    else if (matches(opt, '-netns')) {
      const v = argv[++i];
      // ip's NEXT_ARG() lets a final -n through, and netns_switch() is then handed a null name.
      if (v === undefined) throw usage('Cannot open network namespace "(null)": No such file or directory');
      openNetns?.(v);
      options.netns = v;
    } else if (matches(opt, '-Numeric')) {
      // Numbers are what nlkit prints where ip would print a name it cannot find.
    } else if (matches(opt, '-all')) options.all = true;
    else if (opt === '-echo') {
      // Replies are not echoed.
    } else throw usage(`Option "${opt}" is unknown, try "ip -help".`);
  }
  // -batch FILE and -force are returned only when given.
  return { options, at: i, ...(batch !== undefined ? { batch } : {}), ...(force ? { force } : {}) };
}

/** matches_color(): -c[olor][=always|auto|never] (ip, bridge and tc read it alike). */
export function isColor(opt: string): boolean {
  const eq = opt.indexOf('=');
  const name = eq >= 0 ? opt.slice(0, eq) : opt;
  if (!matches(name, '-color')) return false;
  const v = eq >= 0 ? opt.slice(eq + 1) : '';
  return v === '' || v === 'always' || v === 'auto' || v === 'never';
}

export { kernelErrorText };

/** One command of a batch (ip_batch_cmd): the object its first word names, run in the batch's context. */
function runLine(ctx: IpContext, argv: string[]): Promise<number> {
  const word = argv[0]!;
  const object = findObject(word);
  if (!object) throw new CommandError(`Object "${word}" is unknown, try "ip help".`, 1);
  if (!object.run) throw new CommandError(`Object "${object.name}" of ip is not supported by nlkit.`, 1);
  return object.run(ctx, argv.slice(1));
}

/** Runs `nlkit [OPTIONS] OBJECT ...` and resolves with ip's exit status. */
export async function runIp(argv: readonly string[], io: IpIO): Promise<number> {
  let ctx: IpContext | undefined;
  try {
    const { options, at, batch, force } = parseGlobalOptions(argv, checkNetns);
    // ip -batch: the words after the options are not read.
    if (batch !== undefined) return await (await import('./batch.js')).runBatch(io, options, batch, force !== undefined, runLine);
    const word = argv[at];
    // No object: ip's usage(), exit 255.
    if (word === undefined) throw usage(IP_USAGE);
    const object = findObject(word);
    // do_cmd(): an unknown object ends the command with EXIT_FAILURE.
    if (!object) throw new CommandError(`Object "${word}" is unknown, try "ip help".`, 1);
    if (!object.run) throw new CommandError(`Object "${object.name}" of ip is not supported by nlkit.`, 1);
    ctx = new IpContext(io, options);
    const code = await object.run(ctx, argv.slice(at + 1));
    ctx.flush();
    return code;
  } catch (err) {
    ctx?.flush();
    if (err instanceof CommandError) {
      printCommandError(err, io);
      return err.exitCode;
    }
    if (err instanceof NetlinkError) {
      io.stderr(kernelErrorText(err));
      return 2;
    }
    const e = err as { code?: string; message?: string };
    if (e.code === 'ENOENT' && ctx?.options.netns !== undefined && /netns|open|setns/i.test(e.message ?? '')) {
      io.stderr(`Cannot open network namespace "${ctx.options.netns}": No such file or directory\n`);
      return 255;
    }
    io.stderr(`nlkit: ${e.message ?? String(err)}\n`);
    return 1;
  } finally {
    ctx?.close();
  }
}
