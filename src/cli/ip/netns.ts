// `nlkit netns`: list, add, delete, list-id, set, identify, pids, exec,
// attach (ip/ipnetns.c), through nlkit's own namespace support (bind mounts
// under /run/netns made by the addon) and RTM_GETNSID / RTM_NEWNSID.
//
// The Node process never changes namespace, so `exec` and `attach` run
// util-linux programs for the steps ip makes in its own process: `exec` runs
// `nsenter --net=FILE unshare --mount --propagation slave sh -c SCRIPT`,
// whose script makes the /sys and /etc/netns/NAME mounts ip's netns_switch()
// makes and then execs the command (one process chain: the command's exit
// status is the chain's); `attach` runs `mount --bind` as netns_add() binds
// /proc/PID/ns/net.
import { openSync, closeSync, opendirSync, fstatSync, statSync, mkdirSync, unlinkSync, constants as fsConstants } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import * as C from '../../families/route/constants.js';
import { netns } from '../../io/index.js';
import { NetlinkError } from '../../core/errors.js';
import { messageAttrs } from './attrs.js';
import { matches } from './args.js';
import { CommandError } from '../error.js';
import { usage, type IpContext } from './context.js';
import { errnoDescription } from '../../core/errno.js';
import { NETNS_USAGE } from './usage.js';
import { checkNetns, kernelErrorText } from './index.js';
import { duparg, invarg } from './args.js';
import { getInteger } from './numbers.js';

// The nsid the current namespace (of the -n socket) has for a namespace file, or undefined.
async function nsidOf(ctx: IpContext, name: string): Promise<number | undefined> {
  let fd: number;
  try {
    fd = openSync(`${netns.NETNS_RUN_DIR}/${name}`, 'r');
  } catch {
    return undefined;
  }
  try {
    const bytes = ctx.build(C.RTM_GETNSID, NLM_F_REQUEST | NLM_F_ACK, C.RTGENMSG_SIZE, (w) => {
      w.putU32(C.NETNSA_FD, fd);
    });
    const replies = await ctx.request(bytes);
    const m = replies[0];
    if (!m) return undefined;
    const id = messageAttrs(m, C.RTGENMSG_SIZE).get(C.NETNSA_NSID)?.s32();
    return id === undefined || id < 0 ? undefined : id;
  } catch (err) {
    if (err instanceof NetlinkError) return undefined;
    throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * The names under /run/netns by the nsid the -n namespace has for them
 * (ipnetns.c netns_map_init, which `ip link` uses to print `link-netns
 * NAME`): directory order, and the first name of an nsid keeps it.
 */
export async function netnsNames(ctx: IpContext): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  let dir;
  try {
    dir = opendirSync(netns.NETNS_RUN_DIR);
  } catch {
    return names;
  }
  try {
    for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
      const id = await nsidOf(ctx, e.name);
      if (id !== undefined && !names.has(id)) names.set(id, e.name);
    }
  } finally {
    dir.closeSync();
  }
  return names;
}

async function list(ctx: IpContext): Promise<number> {
  const names = await netns.list();
  for (const name of names) {
    const p = ctx.printer();
    p.any('name', '%s', name);
    const id = await nsidOf(ctx, name);
    if (id !== undefined) p.any('id', ' (id: %d)', id);
    ctx.listItem(p);
  }
  ctx.listEnd();
  return 0;
}

// invalid_name() of ipnetns.c.
function invalidName(name: string): boolean {
  return name === '' || Buffer.byteLength(name) > 255 || name.includes('/') || name === '.' || name === '..';
}

// strerror() of a system error from the addon or fs.
function reason(err: unknown): string {
  const e = err as { errno?: number; message?: string };
  return typeof e.errno === 'number' ? errnoDescription(Math.abs(e.errno)) : (e.message ?? String(err));
}

async function remove(name: string): Promise<void> {
  try {
    await netns.remove(name);
  } catch (err) {
    throw new CommandError(`Cannot remove namespace file "${netns.NETNS_RUN_DIR}/${name}": ${reason(err)}`, 1);
  }
}

/** A command's failure with ip's exit status 1 (a netns function returning -1). */
function fail(message: string): CommandError {
  return new CommandError(message, 1);
}

/**
 * Names of nsids as netns_map_init() caches them for print_nsid(): a name is
 * printed once and then dropped from the cache; a NEWNSID whose nsid is not
 * cached looks its name up again (netns_get_name()).
 */
class NsidNames {
  private constructor(
    private readonly ctx: IpContext,
    private readonly cache: Map<number, string>,
  ) {}

  static async load(ctx: IpContext): Promise<NsidNames> {
    return new NsidNames(ctx, await netnsNames(ctx));
  }

  /** print_nsid(): the name printed for a message keyed by `key` (current-nsid, else nsid). */
  async name(key: number, nsid: number, isNew: boolean): Promise<string | undefined> {
    const cached = key >= 0 ? this.cache.get(key) : undefined;
    if (cached !== undefined) {
      this.cache.delete(key);
      return cached;
    }
    if (!isNew || nsid < 0) return undefined;
    const found = (await netnsNames(this.ctx)).get(nsid);
    if (found !== undefined && !this.cache.has(nsid)) this.cache.set(nsid, found);
    return found;
  }
}

/** print_nsid(): one RTM_NEWNSID / RTM_DELNSID message. */
async function printNsid(ctx: IpContext, names: NsidNames, m: MessageView): Promise<void> {
  if (m.type !== C.RTM_NEWNSID && m.type !== C.RTM_DELNSID) return;
  const tb = messageAttrs(m, C.RTGENMSG_SIZE);
  const nsidAttr = tb.get(C.NETNSA_NSID);
  if (!nsidAttr) throw new CommandError('BUG: NETNSA_NSID is missing print_nsid', 1);
  const p = ctx.printer();
  if (m.type === C.RTM_DELNSID) p.bool('deleted', 'Deleted ', true);
  const nsid = nsidAttr.s32();
  if (nsid < 0) p.fp('nsid unassigned ');
  else p.any('nsid', 'nsid %d ', nsid);
  const currentAttr = tb.get(C.NETNSA_CURRENT_NSID);
  const current = currentAttr?.s32();
  if (current !== undefined) {
    if (current < 0) p.fp('current-nsid unassigned ');
    else p.any('current-nsid', 'current-nsid %d ', current);
  }
  const name = await names.name(current ?? nsid, nsid, m.type === C.RTM_NEWNSID);
  if (name !== undefined) p.any('name', '(iproute2 netns name: %s)', name);
  ctx.listItem(p);
}

// netns_list_id()'s "nsid" / "target-nsid" values: get_integer(), then >= 0 (invarg names the word after it).
function nsidValue(words: string[], i: number, key: string): number {
  const v = words[i]!;
  const n = getInteger(v);
  if (n === undefined) invarg(`"${key}" value is invalid`, v);
  if (n < 0) invarg(`"${key}" value should be >= 0`, words[i + 1] ?? '(null)');
  return n;
}

/** netns_list_id(): the nsids of the -n namespace (a dump), or one nsid (a get). */
async function listId(ctx: IpContext, words: string[]): Promise<number> {
  let target = -1;
  let nsid = -1;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'target-nsid') {
      if (target >= 0) duparg('target-nsid', w);
      if (++i >= words.length) throw usage('Command line is not complete. Try option "help"');
      target = nsidValue(words, i, 'target-nsid');
    } else if (w === 'nsid') {
      if (nsid >= 0) duparg('nsid', w);
      if (++i >= words.length) throw usage('Command line is not complete. Try option "help"');
      nsid = nsidValue(words, i, 'nsid');
    } else throw usage(NETNS_USAGE);
  }
  const names = await NsidNames.load(ctx);
  if (nsid >= 0) {
    // get_netnsid_from_netnsid(): rtnl_talk(), whose error ip prints and ends with status 2.
    const req = ctx.build(C.RTM_GETNSID, NLM_F_REQUEST | NLM_F_ACK, C.RTGENMSG_SIZE, (w) => {
      w.putU32(C.NETNSA_NSID, nsid);
      if (target >= 0) w.putU32(C.NETNSA_TARGET_NSID, target);
    });
    const replies = await ctx.request(req);
    for (const m of replies) await printNsid(ctx, names, m);
    ctx.listEnd();
    return 0;
  }
  const req = ctx.build(C.RTM_GETNSID, NLM_F_REQUEST | NLM_F_DUMP, C.RTGENMSG_SIZE, (w) => {
    if (target >= 0) w.putU32(C.NETNSA_TARGET_NSID, target);
  });
  let messages: MessageView[];
  try {
    messages = await ctx.dumpAll(req);
  } catch (err) {
    if (err instanceof NetlinkError) {
      // rtnl_dump_filter() prints the error; an open JSON array is left as it is; then "Dump terminated", exit 1.
      throw new CommandError(`${kernelErrorText(err)}Dump terminated`, 1);
    }
    throw err;
  }
  for (const m of messages) await printNsid(ctx, names, m);
  ctx.listEnd();
  return 0;
}

/** netns_set(): RTM_NEWNSID giving a namespace file an nsid (auto: the kernel picks one). */
async function setNsid(ctx: IpContext, words: string[]): Promise<number> {
  const [name, value] = words;
  if (name === undefined) throw fail('No netns name specified');
  if (value === undefined) throw fail('No nsid specified');
  let nsid = -1;
  if (value !== 'auto') {
    const n = getInteger(value);
    if (n === undefined) invarg('Invalid "netnsid" value', value);
    if (n < 0) invarg('"netnsid" value should be >= 0', value);
    nsid = n;
  }
  let fd: number;
  try {
    fd = openSync(`${netns.NETNS_RUN_DIR}/${name}`, 'r');
  } catch (err) {
    throw fail(`Cannot open network namespace "${name}": ${reason(err)}`);
  }
  try {
    const req = ctx.build(C.RTM_NEWNSID, NLM_F_REQUEST | NLM_F_ACK, C.RTGENMSG_SIZE, (w) => {
      w.putU32(C.NETNSA_FD, fd);
      w.putU32(C.NETNSA_NSID, nsid >>> 0);
    });
    await ctx.request(req);
  } finally {
    closeSync(fd);
  }
  return 0;
}

// is_pid(): digits only (the empty string too).
const isPid = (s: string): boolean => /^[0-9]*$/.test(s);

// The device and inode of a namespace file, as stat() gives them (bigint: inodes are 64-bit).
function nsIdentity(path: string, how: 'stat' | 'open'): { dev: bigint; ino: bigint } {
  if (how === 'stat') {
    const st = statSync(path, { bigint: true });
    return { dev: st.dev, ino: st.ino };
  }
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd, { bigint: true });
    return { dev: st.dev, ino: st.ino };
  } finally {
    closeSync(fd);
  }
}

function openNsOf(path: string): { dev: bigint; ino: bigint } {
  try {
    return nsIdentity(path, 'open');
  } catch (err) {
    throw fail(`Cannot open network namespace: ${reason(err)}`);
  }
}

/** netns_identify(): the last name under /run/netns bound to the namespace of PID (default: this process). */
function identify(ctx: IpContext, words: string[]): number {
  if (words.length > 1) throw fail('extra arguments specified');
  const pid = words[0] ?? 'self';
  if (words[0] !== undefined && !isPid(pid)) throw fail(`Specified string '${pid}' is not a pid`);
  const want = openNsOf(`/proc/${pid}/ns/net`);
  let found = '';
  let dir;
  try {
    dir = opendirSync(netns.NETNS_RUN_DIR);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fail(`Failed to open directory ${netns.NETNS_RUN_DIR}:${reason(err)}`);
  }
  if (dir) {
    try {
      for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
        let st;
        try {
          st = nsIdentity(`${netns.NETNS_RUN_DIR}/${e.name}`, 'stat');
        } catch {
          continue;
        }
        if (st.dev === want.dev && st.ino === want.ino) found = e.name;
      }
    } finally {
      dir.closeSync();
    }
  }
  ctx.print(`${found}\n`);
  return 0;
}

/** netns_pids(): the processes in a named namespace, in /proc's order. */
function pids(ctx: IpContext, words: string[]): number {
  if (words.length < 1) throw fail('No netns name specified');
  if (words.length > 1) throw fail('extra arguments specified');
  const want = openNsOf(`${netns.NETNS_RUN_DIR}/${words[0]}`);
  let dir;
  try {
    dir = opendirSync('/proc/');
  } catch (err) {
    throw fail(`Open of /proc failed: ${reason(err)}`);
  }
  try {
    for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
      if (!isPid(e.name)) continue;
      let st;
      try {
        st = nsIdentity(`/proc/${e.name}/ns/net`, 'stat');
      } catch {
        continue;
      }
      if (st.dev === want.dev && st.ino === want.ino) ctx.print(`${e.name}\n`);
    }
  } finally {
    dir.closeSync();
  }
  return 0;
}

// What netns_switch() does after setns() and unshare(CLONE_NEWNS) (nsenter and
// unshare --propagation slave did those): a sysfs of the namespace on /sys
// (read-only when the old one was), /etc/netns/NAME/* bound over /etc, then
// execvp() -- with cmd_exec()'s message and status 1 when there is no such program.
const EXEC_SCRIPT = [
  'ns=$1; shift',
  'ro=; [ -w /sys ] || ro=-r',
  'umount -l /sys 2>/dev/null',
  'mount $ro -t sysfs "$ns" /sys 2>/dev/null || { echo "mount of /sys failed: Operation not permitted" >&2; exit 1; }',
  'if [ -d "/etc/netns/$ns" ]; then',
  '  for f in "/etc/netns/$ns"/* "/etc/netns/$ns"/.[!.]*; do',
  '    [ -e "$f" ] || continue',
  '    t="/etc/${f##*/}"',
  '    mount --bind "$f" "$t" 2>/dev/null || echo "Bind $f -> $t failed: No such file or directory" >&2',
  '  done',
  'fi',
  'case $1 in',
  '  */*) [ -e "$1" ] || e="No such file or directory"; [ -z "$e" ] && { [ -d "$1" ] || [ ! -x "$1" ]; } && e="Permission denied" ;;',
  '  *) command -v -- "$1" >/dev/null 2>&1 || e="No such file or directory" ;;',
  'esac',
  'if [ -n "$e" ]; then printf \'exec of "%s" failed: %s\\n\' "$1" "$e" >&2; exit 1; fi',
  'exec "$@"',
].join('\n');

/** Runs a command in a named namespace (cmd_exec() with netns_switch()); resolves with its exit status (1 when a signal ended it). */
async function execIn(ctx: IpContext, name: string, argv: string[]): Promise<number> {
  ctx.flush();
  const args = ['--net=' + `${netns.NETNS_RUN_DIR}/${name}`, '--', 'unshare', '--mount', '--propagation', 'slave', '--', 'sh', '-c', EXEC_SCRIPT, 'sh', name, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', args, { stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (t: string) => ctx.io.stdout(t));
    child.stderr.on('data', (t: string) => ctx.io.stderr(t));
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** netns_exec(): the command's exit status; with -all, every namespace in turn (status 0). */
async function exec(ctx: IpContext, words: string[]): Promise<number> {
  const all = ctx.options.all;
  if (words.length < 1 && !all) throw fail('No netns name specified');
  if ((words.length < 2 && !all) || (words.length < 1 && all)) throw fail('No command specified');
  if (all) {
    for (const name of await netns.list()) {
      ctx.print(`\nnetns: ${name}\n`);
      // A namespace the child cannot enter ends only that child (its message on stderr).
      try {
        checkNetns(name);
      } catch (err) {
        if (err instanceof CommandError) ctx.io.stderr(err.message + '\n');
        continue;
      }
      await execIn(ctx, name, words);
    }
    return 0;
  }
  const [name, ...argv] = words as [string, ...string[]];
  // netns_switch()'s failures end ip with 255 (the child's -1 turned twice).
  checkNetns(name);
  return execIn(ctx, name, argv);
}

// create_netns_dir() and the shared /run/netns netns_add() makes (mount --make-shared, else bind it on itself first).
function prepareRunDir(): void {
  try {
    mkdirSync(netns.NETNS_RUN_DIR, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fail(`mkdir ${netns.NETNS_RUN_DIR} failed: ${reason(err)}`);
  }
  const shared = (): boolean => spawnSync('mount', ['--make-shared', netns.NETNS_RUN_DIR], { stdio: 'ignore' }).status === 0;
  if (shared()) return;
  if (spawnSync('mount', ['--bind', netns.NETNS_RUN_DIR, netns.NETNS_RUN_DIR], { stdio: 'ignore' }).status !== 0 || !shared()) {
    throw fail(`mount --make-shared ${netns.NETNS_RUN_DIR} failed: Invalid argument`);
  }
}

/** netns_add(create = false): binds the namespace of a process to /run/netns/NAME. */
function attach(words: string[]): number {
  if (words.length < 2) throw fail('No netns name and PID specified');
  const [name, pidWord] = words as [string, string];
  const pid = getInteger(pidWord);
  if (pid === undefined || pid === 0) throw fail(`Invalid PID: ${pidWord}`);
  const path = `${netns.NETNS_RUN_DIR}/${name}`;
  prepareRunDir();
  try {
    closeSync(openSync(path, fsConstants.O_RDONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0));
  } catch (err) {
    throw fail(`Cannot create namespace file "${path}": ${reason(err)}`);
  }
  const proc = `/proc/${pid}/ns/net`;
  let why: string | undefined;
  try {
    closeSync(openSync(proc, 'r'));
  } catch (err) {
    why = reason(err);
  }
  if (why === undefined) {
    const r = spawnSync('mount', ['--bind', proc, path], { encoding: 'utf8' });
    if (r.status !== 0) why = r.stderr.trim().replace(/^mount: /, '') || 'Operation not permitted';
  }
  if (why !== undefined) {
    let message = `Bind ${proc} -> ${path} failed: ${why}`;
    try {
      unlinkSync(path);
    } catch (err) {
      message += `\nCannot remove namespace file "${path}": ${reason(err)}`;
    }
    throw fail(message);
  }
  return 0;
}

/** Runs `nlkit netns ...` (do_netns: its commands by prefix, in its order). */
export async function runNetns(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx);
  const name = rest[0];
  if (!ctx.options.all && name !== undefined && invalidName(name)) throw usage(`Invalid netns name "${name}"`);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx);
  if (matches(cmd, 'list-id')) return listId(ctx, rest);
  if (matches(cmd, 'help')) throw usage(NETNS_USAGE);
  if (matches(cmd, 'add')) {
    if (name === undefined) throw fail('No netns name specified');
    try {
      await netns.create(name);
    } catch (err) {
      throw fail(`Cannot create namespace file "${netns.NETNS_RUN_DIR}/${name}": ${reason(err)}`);
    }
    return 0;
  }
  if (matches(cmd, 'set')) return setNsid(ctx, rest);
  if (matches(cmd, 'delete')) {
    if (ctx.options.all) {
      for (const n of await netns.list()) await remove(n);
      return 0;
    }
    if (name === undefined) throw fail('No netns name specified');
    await remove(name);
    return 0;
  }
  if (matches(cmd, 'identify')) return identify(ctx, rest);
  if (matches(cmd, 'pids')) return pids(ctx, rest);
  if (matches(cmd, 'exec')) return exec(ctx, rest);
  if (matches(cmd, 'monitor')) throw usage('Error: "ip netns monitor" is not supported by nlkit.');
  if (matches(cmd, 'attach')) return attach(rest);
  throw usage(`Command "${cmd}" is unknown, try "ip netns help".`);
}
