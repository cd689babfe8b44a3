#!/usr/bin/env node
// The `nlkit` command. Subcommands: `ynl` (any family by its YNL spec, like
// the kernel's tools/net/ynl/pyynl/cli.py). main() is importable without side
// effects (tests run it in-process); the process entry at the bottom only runs
// when this file is the program node was started with.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandIO } from './ynl.js';

const USAGE = `usage: nlkit COMMAND [ARGS]

Commands:
  ynl       talk to any netlink family through its YNL spec (like the kernel's ynl tool);
            see 'nlkit ynl --help'
  link, address, route, neighbour, rule, monitor, netns
            iproute2-style: nlkit [-n NETNS] [-j] [-p] [-d] [-s] [-4|-6] OBJECT COMMAND ...

Options:
  -h, --help     show this help
  -V, --version  show nlkit's version
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

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
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      (command === undefined ? full.stderr : full.stdout)(USAGE);
      return command === undefined ? 2 : 0;
    case '-V':
    case '--version':
      full.stdout(`nlkit ${version()}\n`);
      return 0;
    default:
      // Everything else speaks iproute2 (`nlkit -j link show`, `nlkit route add ...`).
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
