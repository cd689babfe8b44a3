// `bridge fdb`: the forwarding database, AF_BRIDGE neighbours of the
// generated rt-neigh family (bridge/fdb.c of iproute2 6.1: show, add,
// append, replace, delete).
import { AF_BRIDGE, NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import { family as rtNeigh, type NeighbourAttrs, type Ndmsg } from '../../families/generated/rt-neigh.js';
import {
  NTF_EXT_LEARNED,
  NTF_FLAGS_NAMES,
  NTF_MASTER,
  NTF_OFFLOADED,
  NTF_ROUTER,
  NTF_SELF,
  NTF_STICKY,
  NTF_USE,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_STATE_NAMES,
} from '../../families/generated/rt-neigh.constants.js';
import { formatAddress } from '../../core/address.js';
import type { Family } from '../../schema/family.js';
import { CommandError } from '../error.js';
import { duparg2, invarg, matches, parseAddr } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import { atoi } from '../ip/numbers.js';
import type { Printer } from '../ip/printer.js';
import { familyClient, flagBits } from './common.js';

const FDB_USAGE = `Usage: bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]
              [ sticky ] [ local | static | dynamic ] [ vlan VID ]
              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }
	      [ via DEV ] [ src_vni VNI ]
       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ] [ state STATE ] [ dynamic ] ]
       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV
              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]
       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]
              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]
              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]
              [ [no]offloaded ]
`;

type FdbMessage = Ndmsg & NeighbourAttrs;

/** Filters of a listing, as fdb.c keeps them. */
export interface FdbFilter {
  index: number;
  vlan: number;
  state: number;
  dynamic: boolean;
}

// state_n2a().
function stateText(state: number, json: boolean): string {
  if (state & NUD_PERMANENT) return 'permanent';
  if (state & NUD_NOARP) return 'static';
  if (state & NUD_STALE) return 'stale';
  if (state & NUD_REACHABLE) return '';
  return json ? `0x${state.toString(16)}` : `state=0x${state.toString(16)}`;
}

/** print_fdb(): one entry (or event: `deleted` for RTM_DELNEIGH); false when filtered out. */
export function printFdb(ctx: IpContext, p: Printer, m: FdbMessage, deleted: boolean, f: FdbFilter): boolean {
  if (m['ndm-family'] !== AF_BRIDGE) return false;
  const index = m['ndm-ifindex'] ?? 0;
  const state = flagBits(m['ndm-state'], NUD_STATE_NAMES);
  if (f.index && f.index !== index) return false;
  if (f.state && !(state & f.state)) return false;
  const vid = m.vlan ?? 0;
  if (f.vlan && f.vlan !== vid) return false;
  if (f.dynamic && state & NUD_PERMANENT) return false;
  if (deleted) p.bool('deleted', 'Deleted ', true);
  if (m.lladdr !== undefined) p.any('mac', '%s ', m.lladdr);
  if (!f.index && index) {
    p.fp('dev ');
    p.any('ifname', '%s ', ctx.indexName(index));
  }
  if (m.dst !== undefined) {
    p.fp('dst ');
    p.any('dst', '%s ', typeof m.dst === 'string' ? m.dst : formatAddress(m.dst));
  }
  if (vid) p.any('vlan', 'vlan %u ', vid);
  if (m.port !== undefined) p.any('port', 'port %u ', m.port);
  if (m.vni !== undefined) p.any('vni', 'vni %u ', m.vni);
  if (m['src-vni'] !== undefined) p.any('src_vni', 'src_vni %u ', m['src-vni']);
  if (m.ifindex !== undefined) {
    if (m['link-netnsid'] !== undefined) p.any('viaIfIndex', 'via ifindex %u ', m.ifindex);
    else p.any('viaIf', 'via %s ', ctx.indexName(m.ifindex));
  }
  if (m['nh-id'] !== undefined) p.any('nhid', 'nhid %u ', m['nh-id']);
  if (m['link-netnsid'] !== undefined) p.any('linkNetNsId', 'link-netnsid %d ', m['link-netnsid']);
  if (ctx.options.stats && m.cacheinfo !== undefined) {
    // USER_HZ is 100 on Linux: the kernel reports clock_t.
    const used = Math.floor((m.cacheinfo.used ?? 0) / 100);
    const updated = Math.floor((m.cacheinfo.updated ?? 0) / 100);
    if (ctx.options.json) p.jsonOnly('used', used).jsonOnly('updated', updated);
    else p.fp(`used ${used}/${updated} `);
  }
  const flags = flagBits(m['ndm-flags'], NTF_FLAGS_NAMES);
  p.openArray('flags');
  if (flags & NTF_SELF) p.any(null, '%s ', 'self');
  if (flags & NTF_ROUTER) p.any(null, '%s ', 'router');
  if (flags & NTF_EXT_LEARNED) p.any(null, '%s ', 'extern_learn');
  if (flags & NTF_OFFLOADED) p.any(null, '%s ', 'offload');
  if (flags & NTF_MASTER) p.any(null, '%s ', 'master');
  if (flags & NTF_STICKY) p.any(null, '%s ', 'sticky');
  p.close();
  if (m.master !== undefined) p.any('master', 'master %s ', ctx.indexName(m.master));
  p.any('state', '%s', stateText(state, ctx.options.json));
  return true;
}

async function show(ctx: IpContext, argv: string[]): Promise<number> {
  let dev: string | undefined;
  let br: string | undefined;
  const f: FdbFilter = { index: 0, vlan: 0, state: 0, dynamic: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (a === 'brport' || a === 'dev') dev = next();
    else if (a === 'br') br = next();
    else if (a === 'vlan') {
      const v = next();
      if (f.vlan) throw usage(`Error: duplicate "vlan": "${v}" is the second value.`);
      f.vlan = atoi(v);
    } else if (a === 'state') {
      const v = next();
      const s = stateA2n(v);
      if (s === undefined) invarg('invalid state', v);
      f.state |= s;
    } else if (a === 'dynamic') f.dynamic = true;
    else if (matches(a, 'help')) throw usage(FDB_USAGE);
  }
  await ctx.loadLinks();
  let master = 0;
  if (br !== undefined) {
    master = await ctx.nameIndex(br);
    if (!master) throw new CommandError(`Cannot find bridge device "${br}"`, 255);
  }
  if (dev !== undefined) {
    f.index = await ctx.nameIndex(dev);
    if (!f.index) throw new CommandError(`Cannot find device "${dev}"`, 255);
  }
  const client = await familyClient(ctx, rtNeigh as unknown as Family);
  const request: Record<string, unknown> = { 'ndm-family': AF_BRIDGE, 'ndm-ifindex': f.index };
  if (master) request.master = master;
  for await (const batch of client.dump('getneigh', request as never).batches()) {
    for (const m of batch) {
      const p = ctx.printer();
      if (printFdb(ctx, p, m as unknown as FdbMessage, false, f)) ctx.listItem(p);
    }
  }
  ctx.listEnd();
  return 0;
}

// state_a2n().
function stateA2n(s: string): number | undefined {
  if (matches(s, 'permanent')) return NUD_PERMANENT;
  if (matches(s, 'static') || matches(s, 'temp')) return NUD_NOARP;
  if (matches(s, 'stale')) return NUD_STALE;
  if (matches(s, 'reachable') || matches(s, 'dynamic')) return NUD_REACHABLE;
  if (s === 'all') return 0xffffffff;
  if (/^(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.test(s)) {
    const n = Number(s.startsWith('0') && !/^0x/i.test(s) && s.length > 1 ? parseInt(s, 8) : s);
    return n <= 0xffffffff ? n : undefined;
  }
  return undefined;
}

const MAC = /^([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2})/i;

// fdb_modify().
async function modify(ctx: IpContext, del: boolean, flags: number, argv: string[]): Promise<number> {
  let dev: string | undefined;
  let addr: string | undefined;
  let dst: string | undefined;
  let nhid = 0;
  let port = 0;
  let vni: number | undefined;
  let srcVni: number | undefined;
  let via = 0;
  let vid = -1;
  let ntf = 0;
  let state = NUD_NOARP;
  await ctx.loadLinks();
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (a === 'dev') dev = next();
    else if (a === 'dst') {
      const v = next();
      if (dst !== undefined) duparg2('dst', v);
      parseAddr(v, ctx.options.family);
      dst = v;
    } else if (a === 'nhid') {
      const v = next();
      const n = /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : NaN;
      if (!(n >= 0 && n <= 0xffffffff)) invarg('"id" value is invalid\n', v);
      nhid = n;
    } else if (a === 'port') {
      const v = next();
      const n = /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : NaN;
      if (Number.isNaN(n) || n > 0xffff) invarg('invalid port\n', v);
      port = n;
    } else if (a === 'vni' || a === 'src_vni') {
      const v = next();
      const n = /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : NaN;
      if (Number.isNaN(n) || n >= 1 << 24) invarg(a === 'vni' ? 'invalid VNI\n' : 'invalid src VNI\n', v);
      if (a === 'vni') vni = n;
      else srcVni = n;
    } else if (a === 'via') {
      const v = next();
      via = await ctx.nameIndex(v);
      if (!via) throw new CommandError(`Cannot find device "${v}"`, 255);
    } else if (a === 'self') ntf |= NTF_SELF;
    else if (matches(a, 'master')) ntf |= NTF_MASTER;
    else if (matches(a, 'router')) ntf |= NTF_ROUTER;
    else if (matches(a, 'local') || matches(a, 'permanent')) state |= NUD_PERMANENT;
    else if (matches(a, 'temp') || matches(a, 'static')) state |= NUD_REACHABLE;
    else if (matches(a, 'dynamic')) {
      state |= NUD_REACHABLE;
      state &= ~NUD_NOARP;
    } else if (matches(a, 'vlan')) {
      if (vid >= 0) duparg2('vlan', argv[i + 1] ?? '');
      vid = atoi(next());
    } else if (matches(a, 'use')) ntf |= NTF_USE;
    else if (matches(a, 'extern_learn')) ntf |= NTF_EXT_LEARNED;
    else if (matches(a, 'sticky')) ntf |= NTF_STICKY;
    else {
      if (a === 'to') a = next();
      if (matches(a, 'help')) throw usage(FDB_USAGE);
      if (addr !== undefined) duparg2('to', a);
      addr = a;
    }
  }
  if (dev === undefined || addr === undefined) throw new CommandError('Device and address are required arguments.', 255);
  if (nhid && (dst !== undefined || port || vni !== undefined)) throw new CommandError('dst, port, vni are mutually exclusive with nhid', 255);
  if (!(ntf & (NTF_SELF | NTF_MASTER))) ntf |= NTF_SELF;
  if (!(state & (NUD_PERMANENT | NUD_REACHABLE))) state |= NUD_PERMANENT;
  const mac = MAC.exec(addr);
  if (!mac) throw new CommandError(`Invalid mac address ${addr}`, 255);
  const index = await ctx.nameIndex(dev);
  if (!index) throw new CommandError(`Cannot find device "${dev}"`, 255);
  const value: Record<string, unknown> = {
    'ndm-family': AF_BRIDGE,
    'ndm-ifindex': index,
    'ndm-state': state,
    'ndm-flags': ntf,
    lladdr: mac
      .slice(1)
      .map((h) => h.padStart(2, '0'))
      .join(':'),
  };
  if (dst !== undefined) value.dst = dst;
  // The kernel reads NDA_VLAN as a u16: bridge writes the low 16 bits of what atoi() gave.
  if (vid >= 0) value.vlan = vid & 0xffff;
  if (nhid > 0) value['nh-id'] = nhid;
  if (port) value.port = port;
  if (vni !== undefined) value.vni = vni;
  if (srcVni !== undefined) value['src-vni'] = srcVni;
  if (via) value.ifindex = via;
  const client = await familyClient(ctx, rtNeigh as unknown as Family);
  await client.request((del ? 'delneigh' : 'newneigh') as never, value as never, { flags: NLM_F_REQUEST | NLM_F_ACK | flags });
  return 0;
}

/** do_fdb(). */
export async function runFdb(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, false, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(cmd, 'append')) return modify(ctx, false, NLM_F_CREATE | NLM_F_APPEND, rest);
  if (matches(cmd, 'replace')) return modify(ctx, false, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(cmd, 'delete')) return modify(ctx, true, 0, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'help')) throw usage(FDB_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "bridge fdb help".`);
}
