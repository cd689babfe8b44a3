// `nlkit tc [OPTIONS] OBJECT COMMAND ...`: iproute2's tc (tc/tc.c, 6.1),
// printing from the generated tc codec. Objects: qdisc, class, filter,
// chain, actions, monitor.
// Errors end the command as tc ends: the kernel's refusal as "Error:
// MESSAGE." or "RTNETLINK answers: STRERROR" (exit 2), bad arguments with
// tc's message (exit 1 or 255, as tc returns them).
import { NetlinkError } from '../../core/errors.js';
import { AF_UNSPEC } from '../../core/constants.js';
import { CommandError, StderrExit, printCommandError } from '../error.js';
import type { CommandIO } from '../ynl.js';
import { matches } from '../ip/args.js';
import { IpContext, usage, type IpOptions } from '../ip/context.js';
import { checkNetns, isColor, kernelErrorText } from '../ip/index.js';
import { nlkitVersion } from '../version.js';

/** tc.c's usage(): printed on stderr. */
export const TC_USAGE = `Usage:	tc [ OPTIONS ] OBJECT { COMMAND | help }
	tc [-force] -batch filename
where  OBJECT := { qdisc | class | filter | chain |
		    action | monitor | exec }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |
		    -o[neline] | -j[son] | -p[retty] | -c[olor]
		    -b[atch] [filename] | -n[etns] name | -N[umeric] |
		     -nm | -nam[es] | { -cf | -conf } path
		     -br[ief] }
`;

/** The options tc has beyond ip's. */
export interface TcOptions extends IpOptions {
  /** -r[aw]. */
  raw: number;
}

/** A tc object's command. */
export type TcRunner = (ctx: IpContext, options: TcOptions, argv: string[]) => Promise<number>;

/** Global options as tc.c's main() reads them; returns them and the index of the object word. */
export function parseTcOptions(argv: readonly string[]): { options: TcOptions; at: number; batch?: string; force: boolean; usages: number } {
  let batch: string | undefined;
  let force = false;
  // tc's "-batch" without a file prints its usage and reads on (main() then finds no object and prints it again).
  let usages = 0;
  const options: TcOptions = {
    json: false,
    pretty: false,
    details: 0,
    stats: 0,
    family: AF_UNSPEC,
    netns: undefined,
    oneline: false,
    brief: false,
    human: 0,
    iec: 0,
    all: false,
    raw: 0,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const opt = argv[i]!;
    if (!opt.startsWith('-')) break;
    if (matches(opt, '-stats') || matches(opt, '-statistics')) options.stats++;
    else if (matches(opt, '-details')) options.details++;
    else if (matches(opt, '-raw')) options.raw++;
    else if (matches(opt, '-pretty')) options.pretty = true;
    else if (matches(opt, '-graph')) throw new CommandError('nlkit tc: -graph is not supported', 255);
    else if (matches(opt, '-Version')) throw new CommandError(`tc utility, nlkit ${nlkitVersion()}`, 0);
    else if (matches(opt, '-iec')) options.iec++;
    else if (matches(opt, '-help')) throw new StderrExit(TC_USAGE, 0);
    else if (matches(opt, '-force')) force = true;
    else if (matches(opt, '-batch')) {
      batch = argv[++i];
      if (batch === undefined) usages++;
    } else if (matches(opt, '-netns')) {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      checkNetns(v);
      options.netns = v;
    } else if (matches(opt, '-Numeric') || matches(opt, '-names') || matches(opt, '-nm')) {
      // -Numeric only changes unknown ethertypes, which nlkit prints as numbers anyway.
    } else if (matches(opt, '-cf') || matches(opt, '-conf')) {
      if (argv[++i] === undefined) throw usage('Command line is not complete. Try option "help"');
    } else if (isColor(opt) || matches(opt, '-timestamp') || matches(opt, '-tshort')) {
      // nlkit never colours; timestamps are only for monitor.
    } else if (matches(opt, '-json')) options.json = true;
    else if (matches(opt, '-oneline')) options.oneline = true;
    else if (matches(opt, '-brief')) options.brief = true;
    else throw usage(`Option "${opt}" is unknown, try "tc -help".`);
  }
  return { options, at: i, ...(batch !== undefined ? { batch } : {}), force, usages };
}

// tc.c's do_cmd(), in its order.
const OBJECTS: readonly (readonly [string, TcRunner | undefined])[] = [
  ['qdisc', async (ctx, o, argv) => (await import('./qdisc.js')).runQdisc(ctx, o, argv)],
  ['class', async (ctx, o, argv) => (await import('./class.js')).runClass(ctx, o, argv)],
  ['filter', async (ctx, o, argv) => (await import('./filter.js')).runFilter(ctx, o, argv)],
  ['chain', async (ctx, o, argv) => (await import('./filter.js')).runChain(ctx, o, argv)],
  ['actions', async (ctx, o, argv) => (await import('./action.js')).runActions(ctx, o, argv)],
  ['monitor', async (ctx, o, argv) => (await import('./monitor.js')).runMonitor(ctx, o, argv)],
  ['exec', undefined],
];

/**
 * do_cmd(): the object the first word names runs the rest ("help" prints the
 * usage). An unknown object is do_cmd()'s -1: tc's exit status 255 for a
 * command, a failed line (status 1) in a batch, which goes on with -force.
 */
function runObject(ctx: IpContext, options: TcOptions, argv: string[], unknownStatus = 255): Promise<number> {
  const word = argv[0]!;
  if (matches(word, 'help')) throw new StderrExit(TC_USAGE, 0);
  const object = OBJECTS.find(([name]) => matches(word, name));
  if (!object) throw new CommandError(`Object "${word}" is unknown, try "tc help".`, unknownStatus);
  if (!object[1]) throw new CommandError(`Object "${object[0]}" of tc is not supported by nlkit.`, unknownStatus);
  return object[1](ctx, options, argv.slice(1));
}

/** Runs `nlkit tc ARGV` and resolves with tc's exit status. */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  let ctx: IpContext | undefined;
  try {
    const { options, at, batch, force, usages } = parseTcOptions(argv);
    for (let u = 0; u < usages; u++) io.stderr(TC_USAGE);
    // tc -batch FILE (lib/utils.c do_batch(), as ip's): the words after the options are not read.
    if (batch !== undefined) {
      // "help" on a line: the usage goes to stderr (a StderrExit) and the line succeeds.
      const runLine = (c: IpContext, words: string[]): Promise<number> => runObject(c, options, words, 1);
      return await (await import('../ip/batch.js')).runBatch(io, options, batch, force, runLine);
    }
    if (argv[at] === undefined) throw new StderrExit(TC_USAGE, 0);
    const ready = (io as { ready?: () => void }).ready;
    ctx = new IpContext({ stdout: io.stdout, stderr: io.stderr, ...(io.signal ? { signal: io.signal } : {}), ...(ready ? { ready } : {}) }, options);
    const code = await runObject(ctx, options, argv.slice(at));
    ctx.flush();
    return code;
  } catch (err) {
    ctx?.flush();
    if (err instanceof CommandError) {
      printCommandError(err, io);
      return err.exitCode;
    }
    if (err instanceof NetlinkError) {
      // rtnl_talk() failed: tc_*_modify() return 2.
      io.stderr(kernelErrorText(err));
      return 2;
    }
    io.stderr(`nlkit: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  } finally {
    ctx?.close();
  }
}
