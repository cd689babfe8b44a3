// `bridge mdb`: the multicast database (bridge/mdb.c of iproute2 6.1: show,
// add, del), from the rt-bridge getmdb dump. `bridge -j mdb` prints one
// object: the entries under "mdb", the router ports under "router".
import { formatIPv4, formatIPv6, formatMac, parseIPv4, parseIPv6 } from '../../core/address.js';
import { AF_BRIDGE, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST } from '../../core/constants.js';
import { family as rtBridge, type BrMdbEntry, type BrPortMsg, type MdbaAttrs, type MdbaMdbEattrAttrs } from '../../families/generated/rt-bridge.js';
import { MDB_PERMANENT } from '../../families/generated/rt-bridge.constants.js';
import type { Family } from '../../schema/family.js';
import { CommandError } from '../error.js';
import { duparg, matches } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import type { Printer } from '../ip/printer.js';
import { protoName } from '../ip/names.js';
import { familyClient } from './common.js';

const MDB_USAGE = `Usage: bridge mdb { add | del } dev DEV port PORT grp GROUP [src SOURCE] [permanent | temp] [vid VID]
       bridge mdb {show} [ dev DEV ] [ vid VID ]
`;

// ETH_P_IP (include/uapi/linux/if_ether.h): an IPv4 group in struct br_mdb_entry; ETH_P_IPV6 an IPv6 one, 0 a MAC.
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
// MCAST_INCLUDE (include/uapi/linux/in.h).
const MCAST_INCLUDE = 1;
// MDB_FLAGS_* by their names in the spec, as bridge prints them.
const FLAG_TEXT: readonly (readonly [string, string])[] = [
  ['offload', 'offload'],
  ['fast-leave', 'fast_leave'],
  ['star-excl', 'added_by_star_ex'],
  ['blocked', 'blocked'],
];
// MDB_RTR_TYPE_TEMP_QUERY and MDB_RTR_TYPE_TEMP.
const TEMP_ROUTER = new Set(['temp-query', 'temp']);

/** A getmdb message: struct br_port_msg and MDBA_* attributes. */
export type MdbMessage = BrPortMsg & MdbaAttrs;
type MdbEntry = BrMdbEntry & Omit<MdbaMdbEattrAttrs, 'ifindex'>;

function groupText(e: MdbEntry): string {
  const a = e.addr ?? new Uint8Array(16);
  if (!e.proto) return formatMac(a.subarray(0, 6));
  if (e.proto === ETH_P_IP) return formatIPv4(a.subarray(0, 4));
  return formatIPv6(a.subarray(0, 16));
}

function addressText(a: string | Uint8Array): string {
  if (typeof a === 'string') return a;
  return a.length === 4 ? formatIPv4(a) : formatIPv6(a);
}

// format_timer(): jiffies (USER_HZ 100) as seconds with two decimals.
function timerText(ticks: number, align: boolean): string {
  const sec = String(Math.floor(ticks / 100));
  return `${align ? sec.padStart(4) : sec}.${String(ticks % 100).padStart(2, '0')}`;
}

/** print_mdb_entry(): one group entry, on its own line of text (JSON: one object of the array). */
function printEntry(ctx: IpContext, p: Printer, bridge: number, e: MdbEntry, line: () => void): void {
  p.open(null);
  p.jsonOnly('index', bridge);
  p.any('dev', 'dev %s', ctx.indexName(bridge));
  p.any('port', ' port %s', ctx.indexName(e.ifindex ?? 0));
  p.any('grp', ' grp %s', groupText(e));
  if (e.source !== undefined) p.any('src', ' src %s', addressText(e.source));
  p.any('state', ' %s', e.state === 'permanent' ? 'permanent' : 'temp');
  if (ctx.options.details) {
    if (e['group-mode'] !== undefined) p.any('filter_mode', ' filter_mode %s', e['group-mode'] === MCAST_INCLUDE ? 'include' : 'exclude');
    const sources = e['src-list']?.entry;
    if (sources !== undefined) {
      p.openArray('source_list');
      p.fp(' source_list');
      let sep = ' ';
      for (const s of sources) {
        if (s.address === undefined || s.timer === undefined) continue;
        p.open(null);
        p.fp(sep);
        p.any('address', '%s', addressText(s.address));
        p.any('timer', '/%s', timerText(s.timer, false));
        p.close();
        sep = ',';
      }
      p.close();
    }
    if (e.rtprot !== undefined) p.any('protocol', ' proto %s ', protoName(e.rtprot));
  }
  p.openArray('flags');
  for (const [name, text] of FLAG_TEXT) if ((e.flags ?? []).includes(name as never)) p.any(null, ' %s', text);
  p.close();
  if (e.vid) p.any('vid', ' vid %u', e.vid);
  if (ctx.options.stats && e.timer !== undefined) p.any('timer', ' %s', timerText(e.timer, true));
  line();
  p.close();
}

/** The group entries of one message (dump or event). */
export function printMdbEntries(ctx: IpContext, p: Printer, m: MdbMessage, vid: number, line: () => void): void {
  const bridge = m.ifindex ?? 0;
  for (const entry of m.mdb?.entry ?? []) for (const e of entry.info ?? []) if (!vid || e.vid === vid) printEntry(ctx, p, bridge, e, line);
}

/** print_router_entries(): the router ports of one message; a dump lists them with -d only, an event always. */
export function printRouters(ctx: IpContext, p: Printer, m: MdbMessage, event: boolean, line: () => void): void {
  const ports = m.router?.port;
  if (ports === undefined) return;
  const bridge = ctx.indexName(m.ifindex ?? 0);
  if (event) {
    const first = ports[0];
    if (first === undefined) return;
    const name = ctx.indexName(first.ifindex ?? 0);
    p.openArray(bridge).open(null).jsonOnly('port', name).close().close();
    p.fp(`router port dev ${name} master ${bridge}`);
    line();
    return;
  }
  if (!ctx.options.details) return;
  p.openArray(bridge);
  if (!ctx.options.stats) p.fp(`router ports on ${bridge}: `);
  for (const port of ports) {
    const name = ctx.indexName(port.ifindex ?? 0);
    p.open(null);
    p.jsonOnly('port', name);
    if (ctx.options.stats) {
      p.fp(`router ports on ${bridge}: ${name}`);
      if (port.timer !== undefined) p.any('timer', ' %s', timerText(port.timer, true));
      if (port.type !== undefined) p.any('type', ' %s', TEMP_ROUTER.has(String(port.type)) ? 'temp' : 'permanent');
      line();
    } else p.fp(`${name} `);
    p.close();
  }
  if (!ctx.options.stats) line();
  p.close();
}

async function show(ctx: IpContext, argv: string[]): Promise<number> {
  let dev: string | undefined;
  let vid = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (a === 'dev') {
      const v = next();
      if (dev !== undefined) duparg('dev', v);
      dev = v;
    } else if (a === 'vid') {
      const v = next();
      if (vid) duparg('vid', v);
      vid = Number.parseInt(v, 10) || 0;
    }
  }
  await ctx.loadLinks();
  let index = 0;
  if (dev !== undefined) {
    index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 255);
  }
  const client = await familyClient(ctx, rtBridge as unknown as Family);
  const dump = async (): Promise<MdbMessage[]> => {
    const out: MdbMessage[] = [];
    for await (const batch of client.dump('getmdb', { family: AF_BRIDGE } as never).batches())
      for (const m of batch) if (!index || (m as unknown as MdbMessage).ifindex === index) out.push(m as unknown as MdbMessage);
    return out;
  };
  // Text lines are written as they end; JSON is one object for the whole listing.
  const p = ctx.printer();
  const line = (): void => {
    if (!ctx.options.json) {
      ctx.print(p.output + '\n');
      p.reset();
    }
  };
  p.openArray('mdb');
  for (const m of await dump()) printMdbEntries(ctx, p, m, vid, line);
  p.close();
  // bridge dumps a second time for the router ports.
  p.open('router');
  for (const m of await dump()) printRouters(ctx, p, m, false, line);
  p.close();
  if (ctx.options.json) {
    ctx.listItem(p);
    ctx.listEnd();
  } else if (p.output) ctx.print(p.output);
  return 0;
}

function tryParse(parse: (s: string) => Uint8Array, s: string): Uint8Array | undefined {
  try {
    return parse(s);
  } catch {
    return undefined;
  }
}

// mdb_parse_grp(): IPv4, IPv6, then a MAC address.
function parseGroup(grp: string): { addr: Uint8Array; proto: number } | undefined {
  const addr = new Uint8Array(16);
  const v4 = tryParse(parseIPv4, grp);
  if (v4) {
    addr.set(v4);
    return { addr, proto: ETH_P_IP };
  }
  const v6 = tryParse(parseIPv6, grp);
  if (v6) return { addr: v6, proto: ETH_P_IPV6 };
  const mac = /^([0-9a-f]{1,2})(?::([0-9a-f]{1,2})){5}$/i.test(grp) ? grp.split(':').map((h) => parseInt(h, 16)) : undefined;
  if (mac) {
    addr.set(mac);
    return { addr, proto: 0 };
  }
  return undefined;
}

// mdb_modify().
async function modify(ctx: IpContext, add: boolean, argv: string[]): Promise<number> {
  let dev: string | undefined;
  let port: string | undefined;
  let grp: string | undefined;
  let src: string | undefined;
  let permanent = false;
  let vid = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (a === 'dev') dev = next();
    else if (a === 'grp') grp = next();
    else if (a === 'port') port = next();
    else if (a === 'permanent') permanent = add;
    else if (a === 'temp') continue;
    else if (a === 'vid') vid = (Number.parseInt(next(), 10) || 0) & 0xffff;
    else if (a === 'src') src = next();
    else if (matches(a, 'help')) throw usage(MDB_USAGE);
  }
  if (dev === undefined || grp === undefined || port === undefined) throw new CommandError('Device, group address and port name are required arguments.', 255);
  await ctx.loadLinks();
  const bridge = await ctx.nameIndex(dev);
  if (!bridge) throw new CommandError(`Cannot find device "${dev}"`, 255);
  const portIndex = await ctx.nameIndex(port);
  if (!portIndex) throw new CommandError(`Cannot find device "${port}"`, 255);
  const group = parseGroup(grp);
  // ll_addr_a2n() complains first, then mdb_modify().
  if (!group) throw new CommandError(`"${grp}" is invalid lladdr.\nInvalid address "${grp}"`, 255);
  const value: Record<string, unknown> = {
    family: AF_BRIDGE,
    ifindex: bridge,
    entry: { ifindex: portIndex, state: permanent ? MDB_PERMANENT : 0, vid, addr: group.addr, proto: group.proto },
  };
  if (src !== undefined) {
    const source = tryParse(parseIPv4, src) ?? tryParse(parseIPv6, src);
    if (!source) throw new CommandError(`Invalid source address "${src}"`, 255);
    value['entry-attrs'] = { source };
  }
  const client = await familyClient(ctx, rtBridge as unknown as Family);
  await client.request((add ? 'newmdb' : 'delmdb') as never, value as never, { flags: NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0) });
  return 0;
}

/** do_mdb(). */
export async function runMdb(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, true, rest);
  if (matches(cmd, 'delete')) return modify(ctx, false, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'help')) throw usage(MDB_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "bridge mdb help".`);
}
