#!/usr/bin/env node
// The `nlkit` command. Subcommands: `ynl` (any family by its YNL spec, like
// the kernel's tools/net/ynl/pyynl/cli.py). main() is importable without side
// effects (tests run it in-process); the process entry at the bottom only runs
// when this file is the program node was started with.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandIO } from './ynl.js';
import { nlkitVersion } from './version.js';

const USAGE = `usage: nlkit COMMAND [ARGS]

Commands:
  ynl       talk to any netlink family through its YNL spec (like the kernel's ynl tool);
            see 'nlkit ynl --help'
  conntrack like conntrack-tools (-L -G -D -I -U -F -E -C -S, also on expect)
  ipset     like ipset 7.17 (create, add, del, test, list, save, restore, ...)
  ss        like iproute2's ss (-t -u -x -w -l -a -n -e -m -i -o -p -4 -6 -H -K, filters)
  bridge    like iproute2's bridge (fdb, link, mdb, vlan, monitor; -batch FILE)
  tc        like tc 6.1: qdisc, class (htb), filter (u32, bpf), actions (mirred, gact), chain; monitor; -batch FILE
  link, address, route, neighbour, rule, nexthop, xfrm, monitor, netns, tuntap,
  maddress, netconf, ntable, addrlabel, vrf, stats, tcpmetrics, mptcp,
  mroute, mrule, sr, ioam, fou, l2tp, macsec; -batch FILE
            iproute2-style, as ip 6.1: nlkit [ OPTIONS ] OBJECT { COMMAND | help }
            (nlkit help, nlkit OBJECT help: ip's usage texts)

Options:
  --help         show this help
  -V, --version  show nlkit's version
`;

/** Runs `nlkit ARGV` and resolves with the exit status. Output goes through `io` (default: the process's streams). */
export async function main(argv: readonly string[], io: Partial<CommandIO> = {}): Promise<number> {
  const full: CommandIO = {
    stdout: io.stdout ?? ((t) => void process.stdout.write(t)),
    stderr: io.stderr ?? ((t) => void process.stderr.write(t)),
    env: io.env ?? process.env,
    stdoutIsTTY: io.stdoutIsTTY ?? process.stdout.isTTY === true,
    ...(io.stdoutColumns !== undefined ? { stdoutColumns: io.stdoutColumns } : process.stdout.columns !== undefined ? { stdoutColumns: process.stdout.columns } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  };
  const [command, ...rest] = argv;
  switch (command) {
    case 'ynl':
      // Loaded on demand: the spec engine (and its YAML parser) is not needed by the ip-style commands.
      return (await import('./ynl.js')).runYnl(rest, full);
    case 'conntrack':
      // conntrack-tools' command, in the caller's namespace.
      return (await import('./conntrack/index.js')).runConntrack(rest, full);
    // The other tools nlkit mimics, each loaded on demand from src/cli/TOOL/index.ts.
    case 'ss':
      return (await import('./ss/index.js')).run(rest, full);
    case 'ipset':
      return (await import('./ipset/index.js')).run(rest, full);
    case 'bridge':
      return (await import('./bridge/index.js')).run(rest, full);
    case 'tc':
      return (await import('./tc/index.js')).run(rest, full);
    case '--help':
      // nlkit's own help (ip would take --help as -help: its usage, exit 255).
      full.stdout(USAGE);
      return 0;
    case '-V':
    case '--version':
      full.stdout(`nlkit ${nlkitVersion()}\n`);
      return 0;
    default:
      // Everything else speaks iproute2, `help`, `-h` (-human) and no arguments included.
      return (await import('./ip/index.js')).runIp(argv, full);
  }
}

function startedAsProgram(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (startedAsProgram()) {
  // A closed pipe (`nlkit ynl ... | head`) ends the command quietly, as cli.py does on BrokenPipeError.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const controller = new AbortController();
  const interrupt = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  main(process.argv.slice(2), { signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    },
    (err: unknown) => {
      process.stderr.write(`nlkit: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
