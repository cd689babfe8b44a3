// `nlkit conntrack -L`: the conntrack table printed as conntrack-tools prints
// it (libnetfilter_conntrack's default output, src/conntrack/snprintf_default.c):
// protocol name padded to 8, its number, timeout, TCP state, the original
// tuple, [UNREPLIED], the reply tuple, [ASSURED], mark, zone, use; the count
// goes to stderr. Only -L with its common filters so far.
import { ConntrackClient, type ConntrackEntry, type ConntrackFilter, type ConntrackTuple } from '../../families/netfilter/conntrack.js';
import { CONNTRACK_PROTOCOLS, type ConntrackProtocol } from '../../families/netfilter/conntrack.js';
import { CommandError } from '../error.js';
import type { CommandIO } from '../ynl.js';

const VERSION = 'conntrack v1.4.7 (conntrack-tools)';

function tuple(t: ConntrackTuple): string {
  let s = `src=${t.src} dst=${t.dst} `;
  if (t.icmpType !== undefined) s += `type=${t.icmpType} code=${t.icmpCode ?? 0} id=${t.icmpId ?? 0} `;
  else if (t.sport !== undefined || t.dport !== undefined) s += `sport=${t.sport ?? 0} dport=${t.dport ?? 0} `;
  return s;
}

/** One entry as `conntrack -L` prints it (without the newline). */
export function formatConntrackEntry(e: ConntrackEntry): string {
  const name = typeof e.protocol === 'string' ? e.protocol : 'unknown';
  const number = typeof e.protocol === 'number' ? e.protocol : CONNTRACK_PROTOCOLS[e.protocol];
  let s = `${name.padEnd(8)} ${number} `;
  if (e.timeout !== undefined) s += `${e.timeout} `;
  if (e.state !== undefined && e.protocol === 'tcp') s += `${e.state.toUpperCase()} `;
  s += tuple(e.original);
  if (!e.status.includes('seen-reply')) s += '[UNREPLIED] ';
  s += tuple(e.reply);
  if (e.status.includes('offload')) s += '[OFFLOAD] ';
  else if (e.status.includes('assured')) s += '[ASSURED] ';
  if (e.mark !== undefined) s += `mark=${e.mark} `;
  if (e.zone !== 0) s += `zone=${e.zone} `;
  if (e.use !== undefined) s += `use=${e.use} `;
  return s.trimEnd();
}

function value(args: readonly string[], i: number, opt: string): string {
  const v = args[i + 1];
  if (v === undefined) throw new CommandError(`${VERSION}: option \`${opt}' requires an argument\n`, 2);
  return v;
}

function int(text: string, opt: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new CommandError(`${VERSION}: Bad parameter \`${opt}'\n`, 2);
  return n;
}

/** Options conntrack-tools knows that nlkit does not implement yet (anything else is an unknown option, as conntrack says). */
const CONNTRACK_TOOL_OPTIONS = new Set(
  '-G --get -D --delete -I --create -U --update -E --event -F --flush -C --count -S --stats -R --load-file -A --add -o --output -e --event-mask -t --timeout -u --status -z --zero -n --src-nat -g --dst-nat -j --any-nat -r --reply-src -q --reply-dst -c --secmark -b --buffer-size -l --label -a --label-add -x --label-del --state --tuple-src --tuple-dst --mask-src --mask-dst -i --id -h --help -V --version'.split(
    ' ',
  ),
);

/** Runs `nlkit conntrack ARGS` (netns from `options.netns`); resolves with the exit status. */
export async function runConntrack(args: readonly string[], io: CommandIO, options: { netns?: string } = {}): Promise<number> {
  try {
    let list = false;
    const filter: ConntrackFilter = {};
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      switch (a) {
        case '-L':
        case '--dump':
          list = true;
          break;
        case '-p':
        case '--proto': {
          const p = value(args, i++, a);
          if (!/^\d+$/.test(p) && !Object.hasOwn(CONNTRACK_PROTOCOLS, p.toLowerCase())) throw new CommandError(`${VERSION}: \`${p}' unsupported protocol\n`, 2);
          filter.protocol = /^\d+$/.test(p) ? Number(p) : (p.toLowerCase() as ConntrackProtocol);
          break;
        }
        case '-s':
        case '--src':
        case '--orig-src':
          filter.src = value(args, i++, a);
          break;
        case '-d':
        case '--dst':
        case '--orig-dst':
          filter.dst = value(args, i++, a);
          break;
        case '--sport':
        case '--orig-port-src':
          filter.sport = int(value(args, i++, a), a);
          break;
        case '--dport':
        case '--orig-port-dst':
          filter.dport = int(value(args, i++, a), a);
          break;
        case '-m':
        case '--mark': {
          const [m, mask] = value(args, i++, a).split('/');
          filter.mark = int(m!, a);
          if (mask !== undefined) filter.markMask = int(mask, a);
          break;
        }
        case '-w':
        case '--zone':
          filter.zone = int(value(args, i++, a), a);
          break;
        case '-f':
        case '--family': {
          const f = value(args, i++, a);
          if (f !== 'ipv4' && f !== 'ipv6') throw new CommandError(`${VERSION}: \`${f}' unsupported protocol\n`, 2);
          filter.family = f;
          break;
        }
        default:
          // conntrack-tools' own words for an option it does not know; nlkit's for one it has not built yet.
          if (!CONNTRACK_TOOL_OPTIONS.has(a)) throw new CommandError(`${VERSION}: unknown option \`${a}'\n`, 2);
          throw new CommandError(`${VERSION}: unsupported option \`${a}' (nlkit conntrack supports -L and its filters so far)\n`, 2);
      }
    }
    if (!list) throw new CommandError(`${VERSION}: nlkit conntrack supports -L so far\n`, 2);
    await using ct = await ConntrackClient.open(options.netns !== undefined ? { netns: options.netns } : {});
    let n = 0;
    for await (const e of ct.list(filter)) {
      io.stdout(`${formatConntrackEntry(e)}\n`);
      n++;
    }
    io.stderr(`${VERSION}: ${n} flow entries have been shown.\n`);
    return 0;
  } catch (err) {
    if (err instanceof CommandError) {
      io.stderr(err.message);
      return err.exitCode;
    }
    io.stderr(`${VERSION}: ${(err as Error).message}\n`);
    return 1;
  }
}
