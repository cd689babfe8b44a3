// `nlkit bridge [OPTIONS] OBJECT COMMAND ...`: iproute2's bridge command
// (bridge/bridge.c, 6.1), printing from the generated rt-neigh and rt-bridge
// codecs. Objects: fdb, link, mdb, vlan, monitor. Errors end the command as
// bridge ends: the kernel's refusal as "Error: MESSAGE." or "RTNETLINK
// answers: STRERROR", bad arguments and unknown words with exit status 255.
import { NetlinkError } from '../../core/errors.js';
import { AF_UNSPEC } from '../../core/constants.js';
import { CommandError, printCommandError } from '../error.js';
import type { CommandIO } from '../ynl.js';
import { matches } from '../ip/args.js';
import { IpContext, usage, type IpOptions } from '../ip/context.js';
import { checkNetns, isColor, kernelErrorText } from '../ip/index.js';
import { nlkitVersion } from '../version.js';

/** bridge.c's usage(): printed on stderr, exit 255. */
export const BRIDGE_USAGE = `Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }
       bridge [ -force ] -batch filename
where  OBJECT := { link | fdb | mdb | vlan | monitor }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -o[neline] | -t[imestamp] | -n[etns] name |
                    -c[ompressvlans] -color -p[retty] -j[son] }
`;

type ObjectRunner = (ctx: IpContext, argv: string[]) => Promise<number>;

// bridge.c's cmds[], in its order (a word names the first object it is a prefix of).
const OBJECTS: readonly (readonly [string, ObjectRunner | undefined])[] = [
  ['link', async (ctx, argv) => (await import('./link.js')).runLink(ctx, argv)],
  ['fdb', async (ctx, argv) => (await import('./fdb.js')).runFdb(ctx, argv)],
  ['mdb', async (ctx, argv) => (await import('./mdb.js')).runMdb(ctx, argv)],
  ['vlan', async (ctx, argv) => (await import('./vlan.js')).runVlan(ctx, argv)],
  ['vni', undefined],
  ['monitor', async (ctx, argv) => (await import('./monitor.js')).runMonitor(ctx, argv)],
  ['help', () => Promise.reject(usage(BRIDGE_USAGE))],
];

/** Global options as bridge.c's main() reads them; returns them, the index of the object word, and -batch's file and -force. */
export function parseBridgeOptions(argv: readonly string[]): { options: IpOptions; at: number; batch?: string; force: boolean } {
  let batch: string | undefined;
  let force = false;
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
    if (matches(opt, '-help')) throw usage(BRIDGE_USAGE);
    else if (matches(opt, '-Version')) throw new CommandError(`bridge utility, nlkit ${nlkitVersion()}`, 0);
    else if (matches(opt, '-stats') || matches(opt, '-statistics')) options.stats++;
    else if (matches(opt, '-details')) options.details++;
    else if (matches(opt, '-oneline')) options.oneline = true;
    else if (matches(opt, '-timestamp')) {
      // Timestamps are only printed by monitor, which nlkit prints without them.
    } else if (matches(opt, '-family')) {
      const v = argv[++i];
      if (v === undefined || v === 'help') throw usage(BRIDGE_USAGE);
      if (v !== 'inet' && v !== 'inet6') throw usage(`Error: argument "${v}" is wrong: invalid protocol family`);
    } else if (opt === '-4' || opt === '-6') {
      // The family only narrows nothing bridge prints.
    } else if (matches(opt, '-netns')) {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      checkNetns(v);
      options.netns = v;
    } else if (isColor(opt) || matches(opt, '-compressvlans')) {
      // nlkit never colours; VLAN ranges are printed as the kernel gives them.
    } else if (matches(opt, '-force')) force = true;
    else if (matches(opt, '-json')) options.json = true;
    else if (matches(opt, '-pretty')) options.pretty = true;
    else if (matches(opt, '-batch')) {
      batch = argv[++i];
      if (batch === undefined) throw usage(BRIDGE_USAGE);
    } else throw usage(`Option "${opt}" is unknown, try "bridge help".`);
  }
  return { options, at: i, ...(batch !== undefined ? { batch } : {}), force };
}

/**
 * do_cmd(): the object the first word names runs the rest. An unknown object
 * is do_cmd()'s -1: bridge's exit status 255 for a command, a failed line
 * (status 1) in a batch, which goes on with -force.
 */
function runObject(ctx: IpContext, argv: string[], unknownStatus = 255): Promise<number> {
  const word = argv[0]!;
  const object = OBJECTS.find(([name]) => matches(word, name));
  if (!object) throw new CommandError(`Object "${word}" is unknown, try "bridge help".`, unknownStatus);
  if (!object[1]) throw new CommandError(`Object "${object[0]}" of bridge is not supported by nlkit.`, unknownStatus);
  return object[1](ctx, argv.slice(1));
}
const runBatchLine = (ctx: IpContext, argv: string[]): Promise<number> => runObject(ctx, argv, 1);

/** Runs `nlkit bridge ARGV` and resolves with bridge's exit status. */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  let ctx: IpContext | undefined;
  try {
    const { options, at, batch, force } = parseBridgeOptions(argv);
    // bridge -batch FILE (lib/utils.c do_batch(), as ip's): the words after the options are not read.
    if (batch !== undefined) return await (await import('../ip/batch.js')).runBatch(io, options, batch, force, runBatchLine);
    if (argv[at] === undefined) throw usage(BRIDGE_USAGE);
    const ready = (io as { ready?: () => void }).ready;
    ctx = new IpContext({ stdout: io.stdout, stderr: io.stderr, ...(io.signal ? { signal: io.signal } : {}), ...(ready ? { ready } : {}) }, options);
    const code = await runObject(ctx, argv.slice(at));
    ctx.flush();
    return code;
  } catch (err) {
    ctx?.flush();
    if (err instanceof CommandError) {
      printCommandError(err, io);
      return err.exitCode;
    }
    if (err instanceof NetlinkError) {
      // rtnl_talk() fails the command: do_*() return -1, bridge exits 255.
      io.stderr(kernelErrorText(err));
      return 255;
    }
    io.stderr(`nlkit: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  } finally {
    ctx?.close();
  }
}
