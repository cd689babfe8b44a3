// `nlkit mptcp endpoint|limits ...` (ip/ipmptcp.c): the MPTCP path manager's
// endpoints and limits, through the generated mptcp_pm generic netlink
// family on a socket in the -n namespace (the names of the endpoint flags
// come from overlays/mptcp_pm.yaml). ip prints the limits outside any JSON
// document (text under -j too), and so does nlkit. `mptcp monitor` is not
// offered.
import { AF_INET, AF_INET6 } from '../../core/constants.js';
import { FamilyClient } from '../../families/client.js';
import { family as mptcpPm, type AddressAttrs, type AttrAttrs } from '../../families/generated/mptcp_pm.js';
import { MPTCP_PM_ADDR_FLAG_BACKUP, MPTCP_PM_ADDR_FLAG_FULLMESH, MPTCP_PM_ADDR_FLAG_SIGNAL, MPTCP_PM_ADDR_FLAG_SUBFLOW } from '../../families/generated/mptcp_pm.constants.js';
import type { Family } from '../../schema/family.js';
import { incompleteCommand, invarg, matches, missarg, parseAddr, validIfname } from './args.js';
import { usage, type IpContext } from './context.js';
import { getU16, getU8, getUnsigned } from './numbers.js';
import { Printer } from './printer.js';

/** ip mptcp help (ipmptcp.c usage()). */
export const MPTCP_USAGE = `Usage:	ip mptcp endpoint add ADDRESS [ dev NAME ] [ id ID ]
				      [ port NR ] [ FLAG-LIST ]
	ip mptcp endpoint delete id ID [ ADDRESS ]
	ip mptcp endpoint change [ id ID ] [ ADDRESS ] [ port NR ] CHANGE-OPT
	ip mptcp endpoint show [ id ID ]
	ip mptcp endpoint flush
	ip mptcp limits set [ subflows NR ] [ add_addr_accepted NR ]
	ip mptcp limits show
	ip mptcp monitor
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ signal | subflow | backup | fullmesh ]
CHANGE-OPT := [ backup | nobackup | fullmesh | nofullmesh ]`;

/** mptcp_addr_flag_names[]: the words and their bits, in ip's order (the "no" words clear nothing and print nothing). */
const FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['signal', MPTCP_PM_ADDR_FLAG_SIGNAL],
  ['subflow', MPTCP_PM_ADDR_FLAG_SUBFLOW],
  ['backup', MPTCP_PM_ADDR_FLAG_BACKUP],
  ['fullmesh', MPTCP_PM_ADDR_FLAG_FULLMESH],
  ['nobackup', 0],
  ['nofullmesh', 0],
];

type Op = 'add-addr' | 'del-addr' | 'get-addr' | 'set-flags';

const ipv4Text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** mptcp_parse_opt(): the endpoint an `add`, `delete`, `change` or `show` names, as the nested addr attribute. */
async function parseEndpoint(ctx: IpContext, argv: string[], op: Op): Promise<Record<string, unknown>> {
  const adding = op === 'add-addr';
  const deling = op === 'del-addr';
  const setting = op === 'set-flags';
  await ctx.loadLinks();
  let flags = 0;
  let id: number | undefined;
  let index = 0;
  let port = 0;
  let addr: ReturnType<typeof parseAddr> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    const flag = FLAG_NAMES.find(([name]) => name === w);
    if (flag) {
      flags |= flag[1];
      if (adding && flags & MPTCP_PM_ADDR_FLAG_SIGNAL && flags & MPTCP_PM_ADDR_FLAG_FULLMESH) invarg("flags mustn't have both signal and fullmesh", w);
      if (setting && flags & ~(MPTCP_PM_ADDR_FLAG_BACKUP | MPTCP_PM_ADDR_FLAG_FULLMESH)) invarg('invalid flags, backup and fullmesh only', w);
    } else if (matches(w, 'id')) {
      const v = next();
      const n = getU8(v);
      if (n === undefined) invarg('invalid ID\n', v);
      id = n;
    } else if (matches(w, 'dev')) {
      const v = next();
      if (!validIfname(v)) invarg('invalid interface name\n', v);
      index = await ctx.nameIndex(v);
      if (!index) invarg('device does not exist\n', v);
    } else if (matches(w, 'port')) {
      const v = next();
      const n = getU16(v);
      if (n === undefined) invarg('expected port', v);
      port = n;
    } else {
      // get_addr() ends ip (exit 1) on anything that is not an address.
      addr = parseAddr(w, 0);
    }
  }
  if (!addr && adding) missarg('ADDRESS');
  if (id === undefined && deling) missarg('ID');
  else if (id !== undefined && deling) {
    if (id && addr) invarg('invalid for non-zero id address\n', 'ADDRESS');
    else if (!id && !addr) invarg('address is needed for deleting id 0 address\n', 'ID');
  }
  if (adding && port && !(flags & MPTCP_PM_ADDR_FLAG_SIGNAL)) invarg('flags must have signal when using port', 'port');
  if (setting && id !== undefined && port) invarg("port can't be used with id", 'port');
  const nest: Record<string, unknown> = {};
  if (id !== undefined) nest.id = id;
  if (flags) nest.flags = flags;
  if (index) nest['if-idx'] = index;
  if (port) nest.port = port;
  if (addr) {
    nest.family = addr.family;
    if (addr.family === AF_INET) nest.addr4 = new DataView(addr.bytes.buffer, addr.bytes.byteOffset, 4).getUint32(0, false);
    else nest.addr6 = addr.bytes;
  }
  return { addr: nest };
}

/** print_mptcp_addrinfo(). */
function printEndpoint(ctx: IpContext, p: Printer, a: AddressAttrs): void {
  const family = a.family ?? 0;
  if (family === AF_INET && a.addr4 !== undefined) p.any('address', '%s ', ipv4Text(a.addr4));
  else if (family !== AF_INET && a.addr6 !== undefined) p.address('address', '%s ', a.addr6, 0, a.addr6.length, AF_INET6);
  if (a.port) p.any('port', 'port %u ', a.port);
  if (a.id !== undefined) p.any('id', 'id %u ', a.id);
  if (a.flags !== undefined) {
    let flags = a.flags >>> 0;
    for (const [name, mask] of FLAG_NAMES) {
      if (flags & mask) p.fp(`${name} `).jsonOnly(name, true);
      flags &= ~mask;
    }
    if (flags) p.any('rawflags', 'rawflags %s ', flags.toString(16).padStart(2, '0'));
  }
  if (a['if-idx']) p.any('dev', 'dev %s ', ctx.indexName(a['if-idx']));
}

async function open(ctx: IpContext): Promise<FamilyClient> {
  return FamilyClient.open(mptcpPm as unknown as Family, ctx.options.netns !== undefined ? { netns: ctx.options.netns } : {});
}

/** `mptcp endpoint ...`. */
async function endpoint(ctx: IpContext, client: FamilyClient, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const list = (replies: readonly AttrAttrs[]): number => {
    for (const m of replies) {
      if (!m.addr) continue;
      const p = ctx.printer();
      printEndpoint(ctx, p, m.addr);
      ctx.listItem(p);
    }
    ctx.listEnd();
    return 0;
  };
  if (cmd === undefined) {
    await ctx.loadLinks();
    return list((await client.dumpAll('get-addr', {} as never)) as unknown as AttrAttrs[]);
  }
  const modify = async (op: Op): Promise<number> => {
    await client.request(op, (await parseEndpoint(ctx, rest, op)) as never);
    return 0;
  };
  if (matches(cmd, 'add')) return modify('add-addr');
  if (matches(cmd, 'change')) return modify('set-flags');
  if (matches(cmd, 'delete')) return modify('del-addr');
  if (matches(cmd, 'show')) {
    await ctx.loadLinks();
    if (rest.length === 0) return list((await client.dumpAll('get-addr', {} as never)) as unknown as AttrAttrs[]);
    const req = await parseEndpoint(ctx, rest, 'get-addr');
    return list((await client.request('get-addr', req as never)) as unknown as AttrAttrs[]);
  }
  if (matches(cmd, 'flush')) {
    await client.request('flush-addrs', {} as never);
    return 0;
  }
  throw usage(`Command "${cmd}" is unknown, try "ip mptcp help".`);
}

/** mptcp_parse_limit(). */
function parseLimits(argv: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    if (matches(w, 'subflows')) {
      const v = next();
      const n = getUnsigned(v);
      if (n === undefined) invarg('invalid subflows\n', v);
      out.subflows = n;
    } else if (matches(w, 'add_addr_accepted')) {
      const v = next();
      const n = getUnsigned(v);
      if (n === undefined) invarg('invalid add_addr_accepted\n', v);
      out['rcv-add-addrs'] = n;
    } else invarg('unknown limit', w);
  }
  return out;
}

/** mptcp_limit_get_set(): `limits show` prints the reply as text (ip opens no JSON document for it). */
async function limits(ctx: IpContext, client: FamilyClient, get: boolean, argv: string[]): Promise<number> {
  const req = parseLimits(argv);
  if (!get) {
    await client.request('set-limits', req as never);
    return 0;
  }
  for (const m of (await client.request('get-limits', req as never)) as unknown as AttrAttrs[]) {
    const p = new Printer(false);
    if (m['rcv-add-addrs'] !== undefined) p.any('add_addr_accepted', 'add_addr_accepted %d ', m['rcv-add-addrs'] | 0);
    if (m.subflows !== undefined) p.any('subflows', 'subflows %d ', m.subflows | 0);
    ctx.print(p.output + '\n');
  }
  return 0;
}

/** Runs `nlkit mptcp ...` (do_mptcp). */
export async function runMptcp(ctx: IpContext, argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === undefined || matches(what, 'help')) throw usage(MPTCP_USAGE);
  const client = await open(ctx);
  try {
    // do_mptcp() walks one cursor: a word after `limits` it does not know is read as the next object word.
    let at = 0;
    let word = what;
    if (matches(word, 'endpoint')) return await endpoint(ctx, client, rest);
    if (matches(word, 'limits')) {
      const [cmd, ...args] = rest;
      if (cmd === undefined) return await limits(ctx, client, true, []);
      if (matches(cmd, 'set')) return await limits(ctx, client, false, args);
      if (matches(cmd, 'show')) return await limits(ctx, client, true, args);
      word = rest[at++]!;
    }
    if (matches(word, 'monitor')) {
      const after = rest[at];
      if (after === undefined) throw usage('Error: "ip mptcp monitor" is not supported by nlkit.');
      word = after;
    }
    throw usage(`Command "${word}" is unknown, try "ip mptcp help".`);
  } finally {
    client.close();
  }
}
