// `nlkit [-force] -batch FILE`: ip's batch mode (ip.c batch(), lib/utils.c
// do_batch). Every line of FILE ("-": standard input) is a command as ip runs
// it after its options: the object and its arguments, read by getcmdline()
// ('#' starts a comment, a backslash before the newline continues the line)
// and split by makeargs() (blanks separate words, a word may be quoted with
// ' or "). One socket, one writer and one link cache serve every line, as ip
// keeps one rtnetlink handle and its ll_map cache. Like ip, each request is
// acknowledged before the next line is read.
//
// A line that fails prints its error and "Command failed FILE:LINE"; without
// -force the batch stops there; the exit status is then 1. Bad arguments end
// ip through exit(-1) wherever they are found: nlkit stops the batch with 255
// and no "Command failed" line, as ip does (and with 1 where ip's get_addr()
// exits: an address it cannot read).
import { readFileSync } from 'node:fs';
import { NetlinkError } from '../../core/errors.js';
import { errnoDescription, errnoNumber } from '../../core/errno.js';
import type { MessageView } from '../../core/message.js';
import type { NetlinkSocket } from '../../io/socket.js';
import { CommandError, printCommandError } from '../error.js';
import { IpContext, kernelErrorText, type IpIO, type IpOptions } from './context.js';

/** The longest argument vector a line may have (MAX_ARGS of include/utils.h, the NULL included). */
const MAX_ARGS = 512;

/** What runs one line: its object word and arguments (ip's do_cmd). */
export type BatchLineRunner = (ctx: IpContext, argv: string[]) => Promise<number>;

/** How a batch ends before its last line: a message and ip's exit status. */
class BatchExit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * Splits a batch file into its commands as getcmdline() and makeargs()
 * read it: each with the number of its last physical line. A fault that ends
 * ip (an unterminated quote, too many words) is thrown as it would print it;
 * a missing continuation line ends the reading (after its message, returned
 * in `trailer`).
 */
export function* batchCommands(text: string): Generator<{ line: number; argv: string[] }, string | undefined> {
  let pos = 0;
  let lineno = 0;
  const nextLine = (): string | undefined => {
    if (pos >= text.length) return undefined;
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl + 1;
    const raw = text.slice(pos, end);
    pos = end;
    lineno++;
    const hash = raw.indexOf('#');
    return hash >= 0 ? raw.slice(0, hash) : raw;
  };
  for (;;) {
    let line = nextLine();
    if (line === undefined) return undefined;
    let cont: number;
    while ((cont = line.indexOf('\\\n')) >= 0) {
      const more = nextLine();
      if (more === undefined) return 'Missing continuation line\n';
      line = line.slice(0, cont) + more;
    }
    const argv = makeArgs(line);
    if (argv.length > 0) yield { line: lineno, argv };
  }
}

// A line (its newline at most at the end) whose only blanks are spaces.
const PLAIN_LINE = /^[^'"\t\r\n]*\n?$/;

// ' ', '\t', '\r', '\n' by code (a one-character string per test would be made otherwise).
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10;
const SINGLE_QUOTE = 39;
const DOUBLE_QUOTE = 34;

/** lib/utils.c makeargs(): words split by blanks, or quoted with ' or " (the quote ends the word). */
export function makeArgs(line: string): string[] {
  // Most lines: words split by single spaces, no quotes, tabs or carriage returns.
  if (PLAIN_LINE.test(line)) {
    const words = (line.endsWith('\n') ? line.slice(0, -1) : line).split(' ');
    const out: string[] = [];
    for (const w of words) if (w !== '') out.push(w);
    if (out.length >= MAX_ARGS) throw new BatchExit('Too many arguments to command\n', 1);
    return out;
  }
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && isBlank(line.charCodeAt(i))) i++;
    if (i >= n) break;
    if (out.length >= MAX_ARGS - 1) throw new BatchExit('Too many arguments to command\n', 1);
    const c = line.charCodeAt(i);
    if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE) {
      const close = line.indexOf(line[i]!, i + 1);
      if (close < 0) throw new BatchExit('Unterminated quoted string\n', 1);
      out.push(line.slice(i + 1, close));
      i = close + 1;
    } else {
      let j = i;
      while (j < n && !isBlank(line.charCodeAt(j))) j++;
      out.push(line.slice(i, j));
      // The blank after the word is consumed with it (makeargs writes its NUL there).
      i = j + 1;
    }
  }
  return out;
}

/**
 * The context of a batch: ip's ll_map cache keeps every name it looked up
 * (ll_link_get remembers the link), so a device named on every line is asked
 * for once.
 */
class BatchContext extends IpContext {
  private readonly names = new Map<string, number>();
  private open: NetlinkSocket | undefined;

  override async socket(): Promise<NetlinkSocket> {
    return (this.open ??= await super.socket());
  }

  // The socket once open: a line's request goes straight to it.
  override request(bytes: Uint8Array): Promise<MessageView[]> {
    return this.open ? this.open.request(bytes) : super.request(bytes);
  }

  override knownIndex(name: string): number | undefined {
    return this.names.get(name) ?? super.knownIndex(name);
  }

  override async nameIndex(name: string): Promise<number> {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    const index = await super.nameIndex(name);
    if (index) this.names.set(name, index);
    return index;
  }
}

/** get_addr() and get_prefix() end ip with exit(1) (the batch with it) on an address they cannot read. */
const EXITS_1 = /^Error: .* is expected rather than "/;

/** ip's report of an error that ends one command; returns true when ip would exit (bad arguments: exit(-1)). */
function report(err: unknown, ctx: IpContext, io: IpIO): { fatal: boolean; code: number } {
  if (err instanceof CommandError) {
    printCommandError(err, io);
    return { fatal: err.exitCode === 255 || (err.exitCode === 1 && EXITS_1.test(err.message)), code: err.exitCode };
  }
  if (err instanceof NetlinkError) {
    io.stderr(kernelErrorText(err));
    return { fatal: false, code: 2 };
  }
  const e = err as { message?: string };
  ctx.flush();
  io.stderr(`nlkit: ${e.message ?? String(err)}\n`);
  return { fatal: false, code: 1 };
}

/**
 * Runs `ip [-force] -batch NAME` with the global options already read:
 * `run` runs one line (its object word first). Resolves with ip's exit
 * status (0; 1 when a line failed; 255 when bad arguments ended the batch).
 */
export async function runBatch(
  io: IpIO,
  options: IpOptions,
  name: string,
  force: boolean,
  run: BatchLineRunner,
  stdin: () => string = () => readFileSync(0, 'latin1'),
): Promise<number> {
  let text: string;
  try {
    // Bytes as they are: a name in the file reaches the kernel as written.
    text = name === '-' ? stdin() : readFileSync(name, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    io.stderr(`Cannot open file "${name}" for reading: ${errnoDescription(errnoNumber(code) ?? 5)}\n`);
    return 1;
  }
  const ctx = new BatchContext(io, options);
  let status = 0;
  try {
    const commands = batchCommands(text);
    for (;;) {
      const next = commands.next();
      if (next.done) {
        if (next.value) io.stderr(next.value);
        break;
      }
      const { line, argv } = next.value;
      let code: number;
      try {
        code = await run(ctx, argv);
      } catch (err) {
        ctx.flush();
        const r = report(err, ctx, io);
        if (r.fatal) return r.code;
        code = r.code;
      }
      ctx.flush();
      if (code !== 0) {
        io.stderr(`Command failed ${name}:${line}\n`);
        status = 1;
        if (!force) break;
      }
    }
  } catch (err) {
    if (!(err instanceof BatchExit)) throw err;
    ctx.flush();
    io.stderr(err.message);
    return err.code;
  } finally {
    ctx.close();
  }
  return status;
}
