// `nlkit [OPTIONS] OBJECT COMMAND ...`: the iproute2-style half of the nlkit
// command. Options and objects follow ip/ip.c; each object lives in its own
// module. Errors end the command the way ip ends: the kernel's extended-ack
// message as "Error: MESSAGE." or "RTNETLINK answers: STRERROR" (exit 2),
// bad arguments before anything is sent (exit 255).
import { NetlinkError } from '../../core/errors.js';
import { errnoDescription } from '../../core/errno.js';
import { AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC, AF_BRIDGE, AF_MPLS } from '../../core/constants.js';
import { matches } from './args.js';
import { CommandError, IpContext, usage, type IpIO, type IpOptions } from './context.js';

export type { IpIO, IpOptions } from './context.js';

const USAGE = `Usage: nlkit [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | link | monitor | neighbour | netns | route | rule | tap | tuntap }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -4 | -6 | -0 | -f[amily] { inet | inet6 | link } | -br[ief] |
                    -n[etns] name | -j[son] | -p[retty] | -o[neline] }
`;

type ObjectRunner = (ctx: IpContext, argv: string[]) => Promise<number>;

// Each object's module is loaded when the object is used: a command pays only for its own code.
const OBJECTS: readonly (readonly [string, ObjectRunner])[] = [
  ['address', async (ctx, argv) => (await import('./address.js')).runAddress(ctx, argv)],
  ['route', async (ctx, argv) => (await import('./route.js')).runRoute(ctx, argv)],
  ['rule', async (ctx, argv) => (await import('./rule.js')).runRule(ctx, argv)],
  ['neighbour', async (ctx, argv) => (await import('./neigh.js')).runNeigh(ctx, argv)],
  ['neighbor', async (ctx, argv) => (await import('./neigh.js')).runNeigh(ctx, argv)],
  ['link', async (ctx, argv) => (await import('./link.js')).runLink(ctx, argv)],
  ['tuntap', async (ctx, argv) => (await import('./tuntap.js')).runTuntap(ctx, argv)],
  ['tap', async (ctx, argv) => (await import('./tuntap.js')).runTuntap(ctx, argv)],
  ['monitor', async (ctx, argv) => (await import('./monitor.js')).runMonitor(ctx, argv)],
  ['netns', async (ctx, argv) => (await import('./netns.js')).runNetns(ctx, argv)],
];

function findObject(word: string): ObjectRunner | undefined {
  // ip.c's cmds[] is matched by prefix in this order ("a" is address, "r" route, "n" neigh ...).
  for (const [name, run] of OBJECTS) if (matches(word, name)) return run;
  return undefined;
}

/** Parses global options; returns them and the index of the object word. */
export function parseGlobalOptions(argv: readonly string[]): { options: IpOptions; at: number } {
  const options: IpOptions = { json: false, pretty: false, details: 0, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false };
  let i = 0;
  for (; i < argv.length; i++) {
    let opt = argv[i]!;
    if (opt === '--') {
      i++;
      break;
    }
    if (!opt.startsWith('-') || opt === '-') break;
    if (opt.startsWith('--')) opt = opt.slice(1);
    const need = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (opt === '-4') options.family = AF_INET;
    else if (opt === '-6') options.family = AF_INET6;
    else if (opt === '-0') options.family = AF_PACKET;
    else if (opt === '-B') options.family = AF_BRIDGE;
    else if (opt === '-M') options.family = AF_MPLS;
    else if (matches(opt, '-family')) {
      const f = need();
      if (f === 'inet') options.family = AF_INET;
      else if (f === 'inet6') options.family = AF_INET6;
      else if (f === 'link') options.family = AF_PACKET;
      else if (f === 'bridge') options.family = AF_BRIDGE;
      else if (f === 'mpls') options.family = AF_MPLS;
      else if (f === 'help') throw usage(USAGE.trimEnd());
      else throw usage(`Error: argument "${f}" is wrong: invalid protocol family`);
    } else if (matches(opt, '-stats') || matches(opt, '-statistics')) options.stats++;
    else if (matches(opt, '-details')) options.details++;
    else if (matches(opt, '-oneline')) options.oneline = true;
    // ip.c tries -batch before -brief, so "-b" is -batch, which nlkit does not have; "-br" is -brief.
    else if (matches(opt, '-batch')) throw usage(`Option "${opt}" is unknown, try "ip -help".`);
    else if (matches(opt, '-brief')) options.brief = true;
    else if (matches(opt, '-json')) options.json = true;
    else if (matches(opt, '-pretty')) options.pretty = true;
    else if (matches(opt, '-netns')) options.netns = need();
    else if (opt === '-h' || matches(opt, '-help')) throw new CommandError(USAGE.trimEnd(), 0);
    else throw usage(`Option "${opt}" is unknown, try "ip -help".`);
  }
  if (options.netns !== undefined && (options.netns === '' || options.netns.includes('/') || options.netns === '.' || options.netns === '..')) {
    throw usage(`Invalid netns name "${options.netns}"`);
  }
  return { options, at: i };
}

/** ip's rendering of a kernel refusal: the ext-ack message, or strerror. */
export function kernelErrorText(err: NetlinkError): string {
  const msg = err.extAck?.message;
  if (msg) return `Error: ${msg}${msg.endsWith('.') ? '' : '.'}\n`;
  return `RTNETLINK answers: ${errnoDescription(err.errno)}\n`;
}

/** Runs `nlkit [OPTIONS] OBJECT ...` and resolves with ip's exit status. */
export async function runIp(argv: readonly string[], io: IpIO): Promise<number> {
  let ctx: IpContext | undefined;
  try {
    const { options, at } = parseGlobalOptions(argv);
    const word = argv[at];
    if (word === undefined) throw usage(USAGE.trimEnd());
    if (word === 'help') throw new CommandError(USAGE.trimEnd(), 0);
    const run = findObject(word);
    if (!run) throw usage(`Object "${word}" is unknown, try "ip help".`);
    ctx = new IpContext(io, options);
    const code = await run(ctx, argv.slice(at + 1));
    ctx.flush();
    return code;
  } catch (err) {
    ctx?.flush();
    if (err instanceof CommandError) {
      if (err.message) (err.exitCode === 0 ? io.stdout : io.stderr)(err.message.endsWith('\n') ? err.message : err.message + '\n');
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
