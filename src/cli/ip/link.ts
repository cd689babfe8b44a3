// `nlkit link`: show, add, set/change, delete (ip/iplink.c, ip/ipaddress.c).
import { openSync, closeSync } from 'node:fs';
import type { MessageWriter } from '../../core/writer.js';
import type { MessageView } from '../../core/message.js';
import * as C from '../../core/constants.js';
import { Args, invarg, matches, parseAddr, parseLladdr, parseOnOff, parseUnsigned } from './args.js';
import { CommandError, usage, type IpContext } from './context.js';
import { linkSummary, printLink, printLinkBrief, type LinkSummary } from './linkprint.js';
import { groupNumber } from './names.js';
import type { Printer } from './printer.js';

const IFF_UP = 0x1;
const IFF_NOARP = 0x80;
const IFF_PROMISC = 0x100;
const IFF_ALLMULTI = 0x200;
const IFF_MULTICAST = 0x1000;
const IFF_DYNAMIC = 0x8000;

const RTEXT_FILTER_VF = 1;

/** Link attributes and flags gathered from `ip link add/set` arguments. */
interface LinkRequest {
  name?: string;
  dev?: string;
  index?: number;
  flags: number;
  change: number;
  /** Writes the attributes (everything but the kind). */
  attrs: ((w: MessageWriter) => void)[];
  kind?: string;
  /** Writes IFLA_INFO_DATA content, or the whole kind-specific part. */
  kindData?: (w: MessageWriter) => Promise<void> | void;
  /** Things to resolve (device names) before writing. */
  later: (() => Promise<void>)[];
}

function setFlag(req: LinkRequest, bit: number, on: boolean): void {
  req.change |= bit;
  if (on) req.flags |= bit;
  else req.flags &= ~bit;
}

const KIND_OPTIONS_START = new Set(['type']);

/** Parses iplink_parse arguments up to `type KIND ...` (whose words go to the kind). */
async function parseLink(ctx: IpContext, args: Args, req: LinkRequest, isAdd: boolean): Promise<string[] | undefined> {
  while (!args.done) {
    const w = args.next();
    if (w === 'up') setFlag(req, IFF_UP, true);
    else if (w === 'down') setFlag(req, IFF_UP, false);
    else if (w === 'name') {
      const v = args.value();
      if (req.name !== undefined) invarg('duplicate name', v);
      req.name = v;
      if (v.length >= 16) invarg('"name" not a valid ifname', v);
    } else if (w === 'index') {
      const v = args.value();
      req.index = parseUnsigned(v, 'Invalid "index"', 0x7fffffff);
    } else if (matches(w, 'link')) {
      const v = args.value();
      req.later.push(async () => {
        const idx = await ctx.device(v);
        req.attrs.push((wr) => wr.putU32(C.IFLA_LINK, idx));
      });
    } else if (matches(w, 'address')) {
      const b = parseLladdr(args.value());
      req.attrs.push((wr) => wr.putBinary(C.IFLA_ADDRESS, b));
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const b = parseLladdr(args.value());
      req.attrs.push((wr) => wr.putBinary(C.IFLA_BROADCAST, b));
    } else if (matches(w, 'txqueuelen') || w === 'qlen' || matches(w, 'txqlen')) {
      const n = parseUnsigned(args.value(), 'Invalid "txqueuelen"');
      req.attrs.push((wr) => wr.putU32(C.IFLA_TXQLEN, n));
    } else if (w === 'mtu') {
      const n = parseUnsigned(args.value(), 'Invalid "mtu"');
      req.attrs.push((wr) => wr.putU32(C.IFLA_MTU, n));
    } else if (w === 'master') {
      const v = args.value();
      req.later.push(async () => {
        const idx = await ctx.nameIndex(v);
        if (!idx) invarg('Device does not exist\n', v);
        req.attrs.push((wr) => wr.putU32(C.IFLA_MASTER, idx));
      });
    } else if (w === 'nomaster') {
      req.attrs.push((wr) => wr.putU32(C.IFLA_MASTER, 0));
    } else if (w === 'netns') {
      const v = args.value();
      const pid = /^[0-9]+$/.test(v) ? Number(v) : undefined;
      if (pid !== undefined) req.attrs.push((wr) => wr.putU32(C.IFLA_NET_NS_PID, pid));
      else {
        let fd: number;
        try {
          fd = openSync(`/run/netns/${v}`, 'r');
        } catch {
          throw new CommandError(`Invalid "netns" value "${v}"`, 255);
        }
        req.attrs.push((wr) => wr.putU32(C.IFLA_NET_NS_FD, fd));
        req.later.push(async () => {
          // The fd must stay open until the request is sent; closed in runLinkRequest.
          fdsToClose.push(fd);
        });
      }
    } else if (w === 'multicast') setFlag(req, IFF_MULTICAST, parseOnOff(w, args.value()));
    else if (w === 'allmulticast') setFlag(req, IFF_ALLMULTI, parseOnOff(w, args.value()));
    else if (w === 'promisc') setFlag(req, IFF_PROMISC, parseOnOff(w, args.value()));
    else if (w === 'dynamic') setFlag(req, IFF_DYNAMIC, parseOnOff(w, args.value()));
    else if (w === 'arp') setFlag(req, IFF_NOARP, !parseOnOff(w, args.value()));
    else if (w === 'alias') {
      const v = args.value();
      req.attrs.push((wr) => wr.putString(C.IFLA_IFALIAS, v));
    } else if (w === 'group') {
      const v = args.value();
      const g = groupNumber(v);
      if (g === undefined) invarg('Invalid "group" value', v);
      req.attrs.push((wr) => wr.putU32(C.IFLA_GROUP, g));
    } else if (w === 'numtxqueues') {
      const n = parseUnsigned(args.value(), 'Invalid "numtxqueues"');
      req.attrs.push((wr) => wr.putU32(C.IFLA_NUM_TX_QUEUES, n));
    } else if (w === 'numrxqueues') {
      const n = parseUnsigned(args.value(), 'Invalid "numrxqueues"');
      req.attrs.push((wr) => wr.putU32(C.IFLA_NUM_RX_QUEUES, n));
    } else if (w === 'protodown') {
      const on = parseOnOff(w, args.value());
      req.attrs.push((wr) => wr.putU8(C.IFLA_PROTO_DOWN, on ? 1 : 0));
    } else if (w === 'addrgenmode') {
      const v = args.value();
      const mode = ['eui64', 'none', 'stable_secret', 'random'].indexOf(v);
      if (mode < 0) invarg('Invalid address generation mode', v);
      req.attrs.push((wr) => {
        const af = wr.nestStart(C.IFLA_AF_SPEC);
        const in6 = wr.nestStart(C.AF_INET6);
        wr.putU8(8, mode);
        wr.nestEnd(in6);
        wr.nestEnd(af);
      });
    } else if (matches(w, 'type') && KIND_OPTIONS_START.has('type')) {
      req.kind = args.value();
      return args.rest();
    } else if (w === 'dev') {
      const v = args.value();
      if (req.dev !== undefined) invarg('duplicate "dev"', v);
      req.dev = v;
    } else if (w === 'help') {
      throw usage(LINK_USAGE);
    } else {
      if (req.dev !== undefined) throw usage(`Error: either "dev" is duplicate, or "${w}" is a garbage.`);
      req.dev = w;
    }
  }
  return undefined;
}

const fdsToClose: number[] = [];

const LINK_USAGE = `Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME
		    [ txqueuelen PACKETS ]
		    [ address LLADDR ]
		    [ broadcast LLADDR ]
		    [ mtu MTU ] [index IDX ]
		    [ numtxqueues QUEUE_COUNT ]
		    [ numrxqueues QUEUE_COUNT ]
		    type TYPE [ ARGS ]

	ip link delete { DEVICE | dev DEVICE | group DEVGROUP } type TYPE [ ARGS ]

	ip link set { DEVICE | dev DEVICE | group DEVGROUP }
			[ { up | down } ]
			[ type TYPE ARGS ]
			[ arp { on | off } ]
			[ dynamic { on | off } ]
			[ multicast { on | off } ]
			[ allmulticast { on | off } ]
			[ promisc { on | off } ]
			[ address LLADDR ]
			[ broadcast LLADDR ]
			[ mtu MTU ]
			[ netns { PID | NAME } ]
			[ alias NAME ]
			[ group GROUP ]
			[ master DEVICE ][ nomaster ]
			[ addrgenmode { eui64 | none | stable_secret | random } ]
			[ protodown { on | off } ]

	ip link show [ DEVICE | group GROUP ] [up] [master DEV] [type TYPE]

TYPE := { bridge | veth | vxlan | vlan | macvlan | ... }`;

// ---- kind options ----------------------------------------------------------

type KindParser = (ctx: IpContext, words: string[], req: LinkRequest) => void;

function vethParser(ctx: IpContext, words: string[], req: LinkRequest): void {
  if (words.length === 0) return;
  const a = new Args(words);
  const first = a.next();
  if (first !== 'peer') throw usage(`Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'`);
  const peer: LinkRequest = { flags: 0, change: 0, attrs: [], later: [] };
  const rest = new Args(a.rest());
  // parseLink is async only for name resolution; run it and queue the rest.
  req.later.push(async () => {
    const kindWords = await parseLink(ctx, rest, peer, true);
    if (kindWords) throw usage('Error: "type" is not allowed for a veth peer.');
    if (peer.dev !== undefined && peer.name === undefined) peer.name = peer.dev;
    for (const l of peer.later) await l();
  });
  req.kindData = (w) => {
    const p = w.nestStart(1); // VETH_INFO_PEER: struct ifinfomsg, then attributes
    const at = w.reserve(C.IFINFOMSG_SIZE);
    w.view.setUint32(at + 4, peer.index ?? 0, true);
    w.view.setUint32(at + 8, peer.flags, true);
    w.view.setUint32(at + 12, peer.change, true);
    if (peer.name !== undefined) w.putString(C.IFLA_IFNAME, peer.name);
    for (const f of peer.attrs) f(w);
    w.nestEnd(p);
  };
}

function vxlanParser(ctx: IpContext, words: string[], req: LinkRequest): void {
  const a = new Args(words);
  const put: ((w: MessageWriter) => void)[] = [];
  let vni: number | undefined;
  let external = false;
  const u8 = (t: number, v: number): void => void put.push((w) => w.putU8(t, v));
  while (!a.done) {
    const k = a.next();
    if (k === 'id' || k === 'vni') {
      vni = parseUnsigned(a.value(), 'invalid id', 0xffffff);
    } else if (k === 'group' || k === 'remote') {
      const addr = parseAddr(a.value(), C.AF_UNSPEC);
      put.push((w) => w.putBinary(addr.family === C.AF_INET ? 2 : 16, addr.bytes));
    } else if (k === 'local') {
      const addr = parseAddr(a.value(), C.AF_UNSPEC);
      put.push((w) => w.putBinary(addr.family === C.AF_INET ? 4 : 17, addr.bytes));
    } else if (k === 'dev') {
      const name = a.value();
      req.later.push(async () => {
        const idx = await ctx.device(name);
        put.push((w) => w.putU32(3, idx));
      });
    } else if (k === 'ttl' || k === 'hoplimit') {
      const v = a.value();
      if (v === 'inherit') u8(28, 1);
      else u8(5, v === 'auto' ? 0 : parseUnsigned(v, 'invalid TTL', 255));
    } else if (k === 'tos' || k === 'dsfield') {
      const v = a.value();
      u8(6, v === 'inherit' ? 1 : parseUnsigned(v, 'bad TOS value', 255));
    } else if (k === 'df') {
      const v = a.value();
      const df = ['unset', 'set', 'inherit'].indexOf(v);
      if (df < 0) invarg('DF must be \'unset\', \'set\' or \'inherit\'', v);
      u8(29, df);
    } else if (k === 'label' || k === 'flowlabel') {
      const v = parseUnsigned(a.value(), 'invalid flowlabel', 0xfffff);
      put.push((w) => w.putU32(26, v, true));
    } else if (k === 'ageing') {
      const v = a.value();
      const n = v === 'none' ? 0 : parseUnsigned(v, 'ageing');
      put.push((w) => w.putU32(8, n));
    } else if (k === 'maxaddress') {
      const v = a.value();
      const n = v === 'unlimited' ? 0 : parseUnsigned(v, 'max addresses');
      put.push((w) => w.putU32(9, n));
    } else if (k === 'port' || k === 'srcport') {
      const lo = parseUnsigned(a.value(), 'min port', 0xffff);
      const hi = parseUnsigned(a.value(), 'max port', 0xffff);
      put.push((w) => {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint16(0, lo, false);
        new DataView(b.buffer).setUint16(2, hi, false);
        w.putBinary(10, b);
      });
    } else if (k === 'dstport') {
      const p = parseUnsigned(a.value(), 'dst port', 0xffff);
      put.push((w) => w.putU16(15, p, true));
    } else if (k === 'external') {
      external = true;
      u8(25, 1);
    } else if (k === 'noexternal') u8(25, 0);
    else if (k === 'learning' || k === 'nolearning') u8(7, k === 'learning' ? 1 : 0);
    else if (k === 'proxy' || k === 'noproxy') u8(11, k === 'proxy' ? 1 : 0);
    else if (k === 'rsc' || k === 'norsc') u8(12, k === 'rsc' ? 1 : 0);
    else if (k === 'l2miss' || k === 'nol2miss') u8(13, k === 'l2miss' ? 1 : 0);
    else if (k === 'l3miss' || k === 'nol3miss') u8(14, k === 'l3miss' ? 1 : 0);
    else if (k === 'udpcsum' || k === 'noudpcsum') u8(18, k === 'udpcsum' ? 1 : 0);
    else if (k === 'udp6zerocsumtx' || k === 'noudp6zerocsumtx') u8(19, k === 'udp6zerocsumtx' ? 1 : 0);
    else if (k === 'udp6zerocsumrx' || k === 'noudp6zerocsumrx') u8(20, k === 'udp6zerocsumrx' ? 1 : 0);
    else if (k === 'remcsumtx' || k === 'noremcsumtx') u8(21, k === 'remcsumtx' ? 1 : 0);
    else if (k === 'remcsumrx' || k === 'noremcsumrx') u8(22, k === 'remcsumrx' ? 1 : 0);
    else if (k === 'gbp') put.push((w) => w.putFlag(23));
    else if (k === 'gpe') put.push((w) => w.putFlag(27));
    else throw usage(`vxlan: unknown command "${k}"?`);
  }
  if (vni === undefined && !external) throw usage('vxlan: missing virtual network identifier');
  if (vni !== undefined && external) throw usage("vxlan: both 'external' and vni cannot be specified");
  req.kindData = (w) => {
    const d = w.nestStart(C.IFLA_INFO_DATA);
    if (vni !== undefined) w.putU32(1, vni);
    for (const f of put) f(w);
    w.nestEnd(d);
  };
}

// IFLA_BR_* option name -> [attribute, size]
const BRIDGE_OPTIONS: Record<string, [number, 8 | 16 | 32 | 64]> = {
  forward_delay: [1, 32],
  hello_time: [2, 32],
  max_age: [3, 32],
  ageing_time: [4, 32],
  stp_state: [5, 32],
  priority: [6, 16],
  vlan_filtering: [7, 8],
  vlan_default_pvid: [39, 16],
  vlan_stats_enabled: [41, 8],
  vlan_stats_per_port: [45, 8],
  mcast_router: [22, 8],
  mcast_snooping: [23, 8],
  mcast_query_use_ifaddr: [24, 8],
  mcast_querier: [25, 8],
  mcast_hash_elasticity: [26, 32],
  mcast_hash_max: [27, 32],
  mcast_last_member_count: [28, 32],
  mcast_startup_query_count: [29, 32],
  mcast_last_member_interval: [30, 64],
  mcast_membership_interval: [31, 64],
  mcast_querier_interval: [32, 64],
  mcast_query_interval: [33, 64],
  mcast_query_response_interval: [34, 64],
  mcast_startup_query_interval: [35, 64],
  mcast_stats_enabled: [42, 8],
  mcast_igmp_version: [43, 8],
  mcast_mld_version: [44, 8],
  nf_call_iptables: [36, 8],
  nf_call_ip6tables: [37, 8],
  nf_call_arptables: [38, 8],
  group_fwd_mask: [9, 16],
};

function bridgeParser(_ctx: IpContext, words: string[], req: LinkRequest): void {
  const a = new Args(words);
  const put: ((w: MessageWriter) => void)[] = [];
  while (!a.done) {
    const k = a.next();
    const opt = BRIDGE_OPTIONS[k];
    if (!opt) throw usage(`bridge: unknown command "${k}"?`);
    const v = parseUnsigned(a.value(), `invalid ${k}`);
    const [t, size] = opt;
    put.push((w) => {
      if (size === 8) w.putU8(t, v);
      else if (size === 16) w.putU16(t, v);
      else if (size === 32) w.putU32(t, v);
      else w.putU64(t, BigInt(v));
    });
  }
  if (put.length === 0) return;
  req.kindData = (w) => {
    const d = w.nestStart(C.IFLA_INFO_DATA);
    for (const f of put) f(w);
    w.nestEnd(d);
  };
}

const MACVLAN_MODE_NUMBERS: Record<string, number> = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 };

function macvlanParser(_ctx: IpContext, words: string[], req: LinkRequest): void {
  const a = new Args(words);
  let mode: number | undefined;
  while (!a.done) {
    const k = a.next();
    if (k === 'mode') {
      const v = a.value();
      mode = MACVLAN_MODE_NUMBERS[v];
      if (mode === undefined) throw usage(`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "${v}"`);
    } else throw usage(`macvlan: unknown option "${k}"?`);
  }
  if (mode === undefined) return;
  const m = mode;
  req.kindData = (w) => {
    const d = w.nestStart(C.IFLA_INFO_DATA);
    w.putU32(1, m);
    w.nestEnd(d);
  };
}

function vlanParser(_ctx: IpContext, words: string[], req: LinkRequest): void {
  const a = new Args(words);
  let id: number | undefined;
  let proto: number | undefined;
  while (!a.done) {
    const k = a.next();
    if (k === 'id') id = parseUnsigned(a.value(), 'id', 4095);
    else if (k === 'protocol') {
      const v = a.value().toLowerCase();
      proto = v === '802.1q' ? 0x8100 : v === '802.1ad' ? 0x88a8 : invarg('protocol is invalid', v);
    } else throw usage(`vlan: unknown command "${k}"?`);
  }
  req.kindData = (w) => {
    const d = w.nestStart(C.IFLA_INFO_DATA);
    if (id !== undefined) w.putU16(1, id);
    if (proto !== undefined) w.putU16(5, proto, true);
    w.nestEnd(d);
  };
}

const KIND_PARSERS: Record<string, KindParser> = {
  veth: vethParser,
  vxlan: vxlanParser,
  bridge: bridgeParser,
  macvlan: macvlanParser,
  macvtap: macvlanParser,
  vlan: vlanParser,
};

// ---- commands ---------------------------------------------------------------

async function modify(ctx: IpContext, type: number, flags: number, words: string[]): Promise<number> {
  const isAdd = (flags & C.NLM_F_CREATE) !== 0;
  const req: LinkRequest = { flags: 0, change: 0, attrs: [], later: [] };
  const args = new Args(words);
  const kindWords = await parseLink(ctx, args, req, isAdd);
  // For add, the bare word (or "dev") names the new link.
  if (isAdd && req.dev !== undefined && req.name === undefined) {
    req.name = req.dev;
    req.dev = undefined;
  }
  if (req.kind !== undefined) {
    const parser = KIND_PARSERS[req.kind];
    if (parser) parser(ctx, kindWords ?? [], req);
    else if (kindWords && kindWords.length > 0) {
      // ip loads a link_util per kind; without one it rejects options.
      throw usage(`Garbage instead of arguments "${kindWords.join(' ')} ...". Try "ip link help".`);
    }
  }
  if (!isAdd && type !== C.RTM_DELLINK && req.dev === undefined) {
    throw usage('Not enough information: "dev" argument is required.');
  }
  if (type === C.RTM_DELLINK && req.dev === undefined) throw usage('Not enough information: "dev" argument is required.');
  if (isAdd && req.name === undefined && req.dev === undefined && req.kind === undefined) throw usage('Not enough information: "type" argument is required');
  await ctx.loadLinks();
  for (const l of req.later) await l();
  let index = req.index ?? 0;
  if (!isAdd && req.dev !== undefined) {
    index = await ctx.device(req.dev);
  }
  const bytes = ctx.build(type, C.NLM_F_REQUEST | C.NLM_F_ACK | flags, C.IFINFOMSG_SIZE, (w, h) => {
    w.view.setInt32(h + 4, index, true);
    w.view.setUint32(h + 8, req.flags, true);
    w.view.setUint32(h + 12, req.change, true);
    if (isAdd && req.name !== undefined) w.putString(C.IFLA_IFNAME, req.name);
    else if (!isAdd && req.name !== undefined) w.putString(C.IFLA_IFNAME, req.name);
    for (const f of req.attrs) f(w);
    if (req.kind !== undefined) {
      const li = w.nestStart(C.IFLA_LINKINFO);
      w.putString(C.IFLA_INFO_KIND, req.kind);
      if (req.kindData) {
        if (req.kind === 'veth') {
          const d = w.nestStart(C.IFLA_INFO_DATA);
          void req.kindData(w);
          w.nestEnd(d);
        } else void req.kindData(w);
      }
      w.nestEnd(li);
    }
  });
  try {
    await ctx.request(bytes);
  } finally {
    for (const fd of fdsToClose.splice(0)) closeSync(fd);
  }
  return 0;
}

/** Link list filters (ip link show). */
export interface LinkFilter {
  dev?: string;
  up: boolean;
  master?: number;
  kind?: string;
  slaveKind?: string;
  group?: number;
}

/** Parses `ip link show` / `ip addr show` link filters into `f`; returns words it does not know. */
export async function parseLinkFilter(ctx: IpContext, args: Args, f: LinkFilter, other?: (w: string, args: Args) => boolean): Promise<void> {
  while (!args.done) {
    const w = args.next();
    if (w === 'up') f.up = true;
    else if (w === 'master') {
      const v = args.value();
      const idx = await ctx.nameIndex(v);
      if (!idx) invarg('Device does not exist\n', v);
      f.master = idx;
    } else if (w === 'type') {
      const v = args.value();
      if (v.endsWith('_slave')) f.slaveKind = v.slice(0, -6);
      else f.kind = v;
    } else if (w === 'group') {
      const v = args.value();
      const g = groupNumber(v);
      if (g === undefined) invarg('Invalid "group" value', v);
      f.group = g;
    } else if (other && other(w, args)) continue;
    else {
      const dev = w === 'dev' ? args.value() : w;
      if (f.dev !== undefined) throw usage(`Error: either "dev" is duplicate, or "${dev}" is a garbage.`);
      f.dev = dev;
    }
  }
}

/** True when a link passes the filters (as print_linkinfo checks them). */
export function linkPasses(m: MessageView, f: LinkFilter): boolean {
  const s = linkSummary(m);
  return s !== undefined && summaryPasses(s, f);
}

/** {@link linkPasses} for a link already read. */
export function summaryPasses(s: LinkSummary, f: LinkFilter): boolean {
  if (f.up && !(s.flags & IFF_UP)) return false;
  const group = s.tb.get(C.IFLA_GROUP)?.u32();
  if (f.group !== undefined && group !== f.group) return false;
  const master = s.tb.get(C.IFLA_MASTER)?.u32();
  if (f.master !== undefined && master !== f.master) return false;
  if (f.kind !== undefined || f.slaveKind !== undefined) {
    const li = s.tb.get(C.IFLA_LINKINFO)?.nest();
    if (!li) return false;
    if (f.kind !== undefined && li.get(C.IFLA_INFO_KIND)?.str() !== f.kind) return false;
    if (f.slaveKind !== undefined && li.get(C.IFLA_INFO_SLAVE_KIND)?.str() !== f.slaveKind) return false;
  }
  return true;
}

/** The index of a listing's `dev NAME` (ipaddr_list_flush_or_save's check, exit status 1). */
export async function listedDevice(ctx: IpContext, name: string): Promise<number> {
  const index = await ctx.nameIndex(name);
  if (!index) throw new CommandError(`Device "${name}" does not exist.`, 1);
  return index;
}

/**
 * Fetches links: one (dev) or all, in kernel order. An AF_UNSPEC / AF_PACKET
 * dump asks the kernel to leave out links of another master or kind, as ip's
 * iplink_filter_req does (what the kernel leaves out is not listed at all;
 * what the printer filters is listed as an empty JSON object).
 */
export async function fetchLinks(ctx: IpContext, dev: string | undefined, family = C.AF_UNSPEC, filter?: LinkFilter): Promise<MessageView[]> {
  await ctx.loadLinks();
  if (dev !== undefined) {
    const index = await listedDevice(ctx, dev);
    const bytes = ctx.build(C.RTM_GETLINK, C.NLM_F_REQUEST | C.NLM_F_ACK, C.IFINFOMSG_SIZE, (w, h) => {
      w.view.setInt32(h + 4, index, true);
      w.putU32(C.IFLA_EXT_MASK, RTEXT_FILTER_VF);
    });
    return ctx.request(bytes);
  }
  // ip asks for the family's view of links (AF_INET6 answers with its own, shorter, messages).
  const bytes = ctx.build(C.RTM_GETLINK, C.NLM_F_REQUEST | C.NLM_F_DUMP, C.IFINFOMSG_SIZE, (w, h) => {
    w.view.setUint8(h, family === C.AF_PACKET ? C.AF_UNSPEC : family);
    // The AF_INET6 dump takes no attributes (strict checking refuses them).
    if (family !== C.AF_INET6) w.putU32(C.IFLA_EXT_MASK, RTEXT_FILTER_VF);
    // rtnl_linkdump_req_filter_fn adds the filters only to an AF_UNSPEC / AF_PACKET dump.
    if (family === C.AF_UNSPEC || family === C.AF_PACKET) {
      if (filter?.master) w.putU32(C.IFLA_MASTER, filter.master);
      if (filter?.kind !== undefined) {
        const li = w.nestStart(C.IFLA_LINKINFO);
        w.putString(C.IFLA_INFO_KIND, filter.kind);
        w.nestEnd(li);
      }
    }
  });
  return ctx.dumpAll(bytes);
}

/**
 * Ends one object of a listing that ip opens for every link it read
 * (ipaddr_list_flush_or_save): JSON gets the object, `{}` when the printer
 * filtered the link out; text gets what was printed, newlines included.
 */
export function listObject(ctx: IpContext, p: Printer): void {
  if (ctx.options.json) ctx.listItem(p);
  else if (p.output) ctx.print(p.output);
}

/**
 * For text: the namespace names `link-netns NAME` needs, read when the first
 * link with a peer in another namespace is printed (ip reads them then too).
 */
export class NetnsNames {
  private names: ReadonlyMap<number, string> | undefined;
  constructor(private readonly ctx: IpContext) {}

  async for(s: LinkSummary): Promise<ReadonlyMap<number, string> | undefined> {
    if (this.names || this.ctx.options.json || this.ctx.options.brief) return this.names;
    if ((s.tb.get(C.IFLA_LINK_NETNSID)?.s32() ?? -1) < 0) return undefined;
    this.names = await (await import('./netns.js')).netnsNames(this.ctx);
    return this.names;
  }
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const f: LinkFilter = { up: false };
  await parseLinkFilter(ctx, new Args(words), f);
  // ip link lists as AF_PACKET whatever -4/-6 say (ipaddr_list_link).
  const links = await fetchLinks(ctx, f.dev, C.AF_UNSPEC, f);
  const netns = new NetnsNames(ctx);
  for (const m of links) {
    const p = ctx.printer();
    const s = linkSummary(m);
    if (s && summaryPasses(s, f)) {
      if (ctx.options.brief) printLinkBrief(ctx, p, m, true);
      else {
        const netnsNames = await netns.for(s);
        printLink(ctx, p, m, { doLink: true, family: C.AF_PACKET, ...(netnsNames ? { netnsNames } : {}) });
      }
      p.fp('\n');
    }
    listObject(ctx, p);
  }
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit link ...`. */
export async function runLink(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWLINK, C.NLM_F_CREATE | C.NLM_F_EXCL, rest);
  if (matches(cmd, 'set') || matches(cmd, 'change')) return modify(ctx, C.RTM_NEWLINK, 0, rest);
  if (matches(cmd, 'replace')) return modify(ctx, C.RTM_NEWLINK, C.NLM_F_CREATE | C.NLM_F_REPLACE, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELLINK, 0, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'help')) {
    ctx.io.stderr(LINK_USAGE + '\n');
    return 255;
  }
  throw usage(`Command "${cmd}" is unknown, try "ip link help".`);
}
