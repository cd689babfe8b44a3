// `nlkit netns`: list, add, delete (ip/ipnetns.c), through nlkit's own
// namespace support (bind mounts under /run/netns made by the addon).
import { openSync, closeSync, opendirSync } from 'node:fs';
import { NLM_F_ACK, NLM_F_REQUEST } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import { netns } from '../../io/index.js';
import { NetlinkError } from '../../core/errors.js';
import { messageAttrs } from './attrs.js';
import { matches } from './args.js';
import { CommandError } from '../error.js';
import { usage, type IpContext } from './context.js';
import { errnoDescription } from '../../core/errno.js';
import { NETNS_USAGE } from './usage.js';

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

/** Runs `nlkit netns ...` (do_netns: its commands by prefix, in its order). */
export async function runNetns(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx);
  const name = rest[0];
  if (!ctx.options.all && name !== undefined && invalidName(name)) throw usage(`Invalid netns name "${name}"`);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx);
  if (matches(cmd, 'list-id')) throw usage('Error: "ip netns list-id" is not supported by nlkit.');
  if (matches(cmd, 'help')) throw usage(NETNS_USAGE);
  if (matches(cmd, 'add')) {
    if (name === undefined) throw new CommandError('No netns name specified', 1);
    try {
      await netns.create(name);
    } catch (err) {
      throw new CommandError(`Cannot create namespace file "${netns.NETNS_RUN_DIR}/${name}": ${reason(err)}`, 1);
    }
    return 0;
  }
  if (matches(cmd, 'set')) throw usage('Error: "ip netns set" is not supported by nlkit.');
  if (matches(cmd, 'delete')) {
    if (ctx.options.all) {
      for (const n of await netns.list()) await remove(n);
      return 0;
    }
    if (name === undefined) throw new CommandError('No netns name specified', 1);
    await remove(name);
    return 0;
  }
  if (matches(cmd, 'exec')) {
    // netns_exec()'s checks; running a program inside a namespace is left to `ip netns exec`.
    if (name === undefined && !ctx.options.all) throw new CommandError('No netns name specified', 1);
    if ((rest.length < 2 && !ctx.options.all) || (rest.length < 1 && ctx.options.all)) throw new CommandError('No command specified', 1);
    throw usage('Error: "ip netns exec" is not supported by nlkit.');
  }
  if (matches(cmd, 'identify') || matches(cmd, 'pids') || matches(cmd, 'monitor') || matches(cmd, 'attach')) {
    throw usage(`Error: "ip netns ${cmd}" is not supported by nlkit.`);
  }
  throw usage(`Command "${cmd}" is unknown, try "ip netns help".`);
}
