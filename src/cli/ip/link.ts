// `nlkit link`: show, add, set/change, delete (ip/iplink.c, ip/ipaddress.c).
import { openSync, closeSync } from 'node:fs';
import type { MessageWriter } from '../../core/writer.js';
import type { MessageView } from '../../core/message.js';
import { AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import * as L from '../../families/generated/rt-link.constants.js';

import { Args, duparg, duparg2, incompleteCommand, invarg, matches, parseAddr, parseLladdr, validAltIfname, validIfname } from './args.js';
import { CommandError } from '../error.js';
import { usage, type IpContext } from './context.js';
import { ADDR_GEN_MODE_NAMES, linkSummary, printLink, printLinkBrief, type LinkSummary } from './linkprint.js';
import { groupNumber } from './names.js';
import { atoi, getInteger, getU8, getU16, getU32, getU64, getUnsigned } from './numbers.js';
import type { Printer } from './printer.js';
import { BRIDGE_USAGE, KIND_USAGE, LINK_USAGE, MACVLAN_USAGE, MACVTAP_USAGE, VETH_USAGE, VLAN_USAGE, VXLAN_USAGE } from './usage.js';

/** Byte offsets in struct ifinfomsg. */
const IFI = L.IFINFOMSG_OFFSETS;

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
  /** `group GROUP` without a device: the request applies to the group. */
  group?: number;
}

function setFlag(req: LinkRequest, bit: number, on: boolean): void {
  req.change |= bit;
  if (on) req.flags |= bit;
  else req.flags &= ~bit;
}

/** iplink.c's on_off(): the message, and iplink_parse() returns -1 (exit 1). */
function onOff(key: string, v: string): boolean {
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new CommandError(`Error: argument of "${key}" must be "on" or "off", not "${v}"`, 1);
}

/** parse_on_off() (parse_one_of): "on"/"off" by prefix; otherwise -EINVAL comes back as exit status 22. */
function parseOnOffOf(key: string, v: string): boolean {
  if (matches(v, 'off')) return false;
  if (matches(v, 'on')) return true;
  throw new CommandError(`Error: argument of "${key}" must be one of "off", "on", not "${v}"`, 22);
}

/** The words after `ip link add/set/delete` as iplink_parse() reads them, up to `type KIND`. */
interface Parsed {
  /** The words after `type KIND` (undefined: no type). */
  kindWords?: string[];
  addrLen: number;
  index: number;
  moveNetns: boolean;
  link?: string;
}

const fdsToClose: number[] = [];

/** iplink_parse(): reads link options into `req`; resolves names; checks what ip checks before sending. */
async function parseLink(ctx: IpContext, args: Args, req: LinkRequest, create: boolean): Promise<Parsed> {
  const out: Parsed = { addrLen: 0, index: 0, moveNetns: false };
  let name: string | undefined;
  let dev: string | undefined;
  let qlen = -1;
  let mtu = -1;
  let netns = false;
  let numtx = -1;
  let numrx = -1;
  let group = -1;
  let linkNetnsid = -1;
  const intValue = (v: string, message: string): number => {
    const n = getInteger(v);
    if (n === undefined) invarg(message, v);
    return n;
  };
  while (!args.done) {
    const w = args.next();
    if (w === 'up') setFlag(req, C.IFF_UP, true);
    else if (w === 'down') setFlag(req, C.IFF_UP, false);
    else if (w === 'name') {
      const v = args.value();
      if (name !== undefined) duparg('name', v);
      if (!validIfname(v)) invarg('"name" not a valid ifname', v);
      name = v;
      if (dev === undefined) dev = name;
    } else if (w === 'index') {
      const v = args.value();
      if (out.index) duparg('index', v);
      out.index = atoi(v);
      if (out.index <= 0) invarg('Invalid "index" value', v);
    } else if (matches(w, 'link')) {
      out.link = args.value();
    } else if (matches(w, 'address')) {
      const b = parseLladdr(args.value());
      out.addrLen = b.length;
      req.attrs.push((wr) => wr.putBinary(C.IFLA_ADDRESS, b));
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const b = parseLladdr(args.value());
      req.attrs.push((wr) => wr.putBinary(C.IFLA_BROADCAST, b));
    } else if (matches(w, 'txqueuelen') || w === 'qlen' || matches(w, 'txqlen')) {
      const v = args.value();
      if (qlen !== -1) duparg('txqueuelen', v);
      qlen = intValue(v, 'Invalid "txqueuelen" value\n');
      const n = qlen;
      req.attrs.push((wr) => wr.putU32(C.IFLA_TXQLEN, n >>> 0));
    } else if (w === 'mtu') {
      const v = args.value();
      if (mtu !== -1) duparg('mtu', v);
      mtu = intValue(v, 'Invalid "mtu" value\n');
      const n = mtu;
      req.attrs.push((wr) => wr.putU32(C.IFLA_MTU, n >>> 0));
    } else if (w === 'xdp' || w === 'xdpgeneric' || w === 'xdpdrv' || w === 'xdpoffload') {
      const v = args.value();
      // xdp_parse(): "off" / "none" as the last word detaches the program; loading one (libbpf) is not nlkit's.
      if (!args.done || (v !== 'off' && v !== 'none')) throw usage(`Error: loading an XDP program ("${w} ${v}") is not supported by nlkit.`);
      if (w === 'xdpoffload' && (dev === undefined || !(await ctx.nameIndex(dev)))) throw incompleteCommand();
      // XDP_FLAGS_UPDATE_IF_NOEXIST (ip without -force), and the mode asked for.
      const flags = 1 | (w === 'xdpgeneric' ? 2 : w === 'xdpdrv' ? 4 : w === 'xdpoffload' ? 8 : 0);
      req.attrs.push((wr) => {
        const x = wr.nestStart(C.IFLA_XDP);
        wr.putU32(C.IFLA_XDP_FD, 0xffffffff);
        wr.putU32(C.IFLA_XDP_FLAGS, flags);
        wr.nestEnd(x);
      });
      if (w === 'xdpoffload' && name === dev) dev = undefined;
    } else if (w === 'netns') {
      const v = args.value();
      if (netns) duparg('netns', v);
      netns = true;
      // netns_get_fd(): a name under /run/netns (or a path), else a pid.
      let fd: number | undefined;
      try {
        fd = openSync(v.includes('/') ? v : `/run/netns/${v}`, 'r');
      } catch {
        fd = undefined;
      }
      if (fd !== undefined) {
        const nsfd = fd;
        fdsToClose.push(nsfd);
        req.attrs.push((wr) => wr.putU32(C.IFLA_NET_NS_FD, nsfd));
      } else {
        const pid = getInteger(v);
        if (pid === undefined) invarg('Invalid "netns" value\n', v);
        req.attrs.push((wr) => wr.putU32(C.IFLA_NET_NS_PID, pid >>> 0));
      }
      out.moveNetns = true;
    } else if (w === 'multicast') setFlag(req, C.IFF_MULTICAST, onOff(w, args.value()));
    else if (w === 'allmulticast') setFlag(req, C.IFF_ALLMULTI, onOff(w, args.value()));
    else if (w === 'promisc') setFlag(req, C.IFF_PROMISC, onOff(w, args.value()));
    else if (w === 'trailers') setFlag(req, C.IFF_NOTRAILERS, !onOff(w, args.value()));
    else if (w === 'arp') setFlag(req, C.IFF_NOARP, !onOff(w, args.value()));
    else if (w === 'carrier') {
      const on = parseOnOffOf('carrier', args.value());
      req.attrs.push((wr) => wr.putU8(C.IFLA_CARRIER, on ? 1 : 0));
    } else if (w === 'vf') {
      throw usage('Error: "vf" is not supported by nlkit.');
    } else if (matches(w, 'master')) {
      const v = args.value();
      const idx = await ctx.nameIndex(v);
      if (!idx) invarg('Device does not exist\n', v);
      req.attrs.push((wr) => wr.putU32(C.IFLA_MASTER, idx));
    } else if (w === 'vrf') {
      const v = args.value();
      const idx = await ctx.nameIndex(v);
      if (!idx || (await kindOf(ctx, idx)) !== 'vrf') invarg('Not a valid VRF name\n', v);
      req.attrs.push((wr) => wr.putU32(C.IFLA_MASTER, idx));
    } else if (matches(w, 'nomaster')) {
      req.attrs.push((wr) => wr.putU32(C.IFLA_MASTER, 0));
    } else if (matches(w, 'dynamic')) setFlag(req, C.IFF_DYNAMIC, onOff('dynamic', args.value()));
    else if (matches(w, 'type')) {
      req.kind = args.value();
      out.kindWords = args.rest();
      break;
    } else if (matches(w, 'alias')) {
      const v = args.value();
      if (Buffer.byteLength(v) >= C.IFALIASZ) invarg('alias too long\n', v);
      req.attrs.push((wr) => wr.putBinary(C.IFLA_IFALIAS, new TextEncoder().encode(v)));
    } else if (w === 'group') {
      const v = args.value();
      if (group !== -1) duparg('group', v);
      const g = groupNumber(v);
      if (g === undefined) invarg('Invalid "group" value\n', v);
      group = g;
      req.attrs.push((wr) => wr.putU32(C.IFLA_GROUP, g));
    } else if (w === 'mode') {
      const v = args.value();
      const mode = v === 'default' ? L.IF_LINK_MODE_DEFAULT : v === 'dormant' ? L.IF_LINK_MODE_DORMANT : -1;
      if (mode < 0) invarg('Invalid link mode\n', v);
      req.attrs.push((wr) => wr.putU8(C.IFLA_LINKMODE, mode));
    } else if (w === 'state') {
      const v = args.value();
      const state = (L.IF_OPER_NAMES as readonly string[]).indexOf(v.toLowerCase());
      if (state < 0) invarg('Invalid operstate\n', v);
      req.attrs.push((wr) => wr.putU8(C.IFLA_OPERSTATE, state));
    } else if (matches(w, 'numtxqueues')) {
      const v = args.value();
      if (numtx !== -1) duparg('numtxqueues', v);
      numtx = intValue(v, 'Invalid "numtxqueues" value\n');
      const n = numtx;
      req.attrs.push((wr) => wr.putU32(C.IFLA_NUM_TX_QUEUES, n >>> 0));
    } else if (matches(w, 'numrxqueues')) {
      const v = args.value();
      if (numrx !== -1) duparg('numrxqueues', v);
      numrx = intValue(v, 'Invalid "numrxqueues" value\n');
      const n = numrx;
      req.attrs.push((wr) => wr.putU32(C.IFLA_NUM_RX_QUEUES, n >>> 0));
    } else if (matches(w, 'addrgenmode')) {
      const v = args.value();
      const mode = ADDR_GEN_MODE_NAMES.indexOf(v);
      if (mode < 0) invarg('Invalid address generation mode\n', v);
      req.attrs.push((wr) => {
        const af = wr.nestStart(C.IFLA_AF_SPEC);
        const in6 = wr.nestStart(AF_INET6);
        wr.putU8(L.IFLA_INET6_ADDR_GEN_MODE, mode);
        wr.nestEnd(in6);
        wr.nestEnd(af);
      });
    } else if (matches(w, 'link-netns')) {
      args.value();
      throw usage('Error: "link-netns" is not supported by nlkit.');
    } else if (matches(w, 'link-netnsid')) {
      const v = args.value();
      if (linkNetnsid !== -1) duparg('link-netns/link-netnsid', v);
      linkNetnsid = intValue(v, 'Invalid "link-netnsid" value\n');
      const n = linkNetnsid;
      req.attrs.push((wr) => wr.putU32(C.IFLA_LINK_NETNSID, n >>> 0));
    } else if (w === 'protodown') {
      const on = parseOnOffOf('protodown', args.value());
      req.attrs.push((wr) => wr.putU8(C.IFLA_PROTO_DOWN, on ? 1 : 0));
    } else if (w === 'protodown_reason') {
      throw usage('Error: "protodown_reason" is not supported by nlkit.');
    } else if (w === 'gso_max_size' || w === 'gro_max_size') {
      const v = args.value();
      const n = getUnsigned(v);
      if (n === undefined) invarg(`Invalid "${w}" value\n`, v);
      const t = w === 'gso_max_size' ? C.IFLA_GSO_MAX_SIZE : C.IFLA_GRO_MAX_SIZE;
      req.attrs.push((wr) => wr.putU32(t, n));
    } else if (w === 'gso_max_segs') {
      const v = args.value();
      const n = getUnsigned(v);
      if (n === undefined || n > C.GSO_MAX_SEGS) invarg('Invalid "gso_max_segs" value\n', v);
      req.attrs.push((wr) => wr.putU32(C.IFLA_GSO_MAX_SEGS, n));
    } else if (w === 'parentdev') {
      const v = args.value();
      req.attrs.push((wr) => wr.putString(C.IFLA_PARENT_DEV_NAME, v));
    } else {
      if (matches(w, 'help')) throw usage(LINK_USAGE);
      const v = w === 'dev' ? args.value() : w;
      if (dev !== name) duparg2('dev', v);
      if (!validAltIfname(v)) invarg('"dev" not a valid ifname', v);
      dev = v;
    }
  }
  // Allow "ip link add dev" and "ip link add name".
  if (name === undefined) name = dev;
  else if (dev === undefined) dev = name;
  const rest = out.kindWords ?? [];
  if (dev !== undefined && out.addrLen && !create) {
    const index = await ctx.nameIndex(dev);
    const halen = index ? await lladdrLength(ctx, index) : -1;
    if (halen >= 0 && halen !== out.addrLen) throw new CommandError(`Invalid address length ${out.addrLen} - must be ${halen} bytes`, 1);
  }
  if (out.index && !create && !out.moveNetns) throw usage('index can be used only when creating devices or when moving device to another netns.');
  if (group !== -1 && dev === undefined) {
    if (rest.length) throw usage(`Garbage instead of arguments "${rest[0]!} ...". Try "ip link help".`);
    if (create) throw usage('group cannot be used when creating devices.');
    req.group = group;
    req.kind = undefined;
    out.kindWords = undefined;
    return out;
  }
  if (!create) {
    if (dev === undefined) throw usage('Not enough information: "dev" argument is required.');
    req.dev = dev;
    req.index = await ctx.device(dev);
    if (name === dev) name = undefined;
    if (out.index) {
      const n = out.index;
      req.attrs.push((wr) => wr.putU32(C.IFLA_NEW_IFINDEX, n));
    }
  } else {
    if (name !== dev) throw usage('both "name" and "dev" cannot be used when creating devices.');
    if (out.link !== undefined) {
      const idx = await ctx.device(out.link);
      req.attrs.push((wr) => wr.putU32(C.IFLA_LINK, idx));
    }
    req.index = out.index;
  }
  req.name = name;
  return out;
}

/** The kind (IFLA_INFO_KIND) of a link, if any (name_is_vrf() asks the same). */
async function kindOf(ctx: IpContext, index: number): Promise<string | undefined> {
  const bytes = ctx.build(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, C.IFINFOMSG_SIZE, (w, h) => {
    w.view.setInt32(h + IFI.ifi_index, index, true);
    w.putU32(C.IFLA_EXT_MASK, C.RTEXT_FILTER_VF);
  });
  const m = (await ctx.request(bytes))[0];
  return m ? linkSummary(m)?.tb.get(C.IFLA_LINKINFO)?.nest().get(C.IFLA_INFO_KIND)?.str() : undefined;
}

/** nl_get_ll_addr_len(): the length of a link's hardware address, -1 when it has none. */
async function lladdrLength(ctx: IpContext, index: number): Promise<number> {
  const bytes = ctx.build(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, C.IFINFOMSG_SIZE, (w, h) => {
    w.view.setInt32(h + IFI.ifi_index, index, true);
    w.putU32(C.IFLA_EXT_MASK, C.RTEXT_FILTER_VF);
  });
  const m = (await ctx.request(bytes))[0];
  const a = m ? linkSummary(m)?.tb.get(C.IFLA_ADDRESS) : undefined;
  return a ? a.length : -1;
}

// ---- kind options ----------------------------------------------------------

type KindParser = (ctx: IpContext, words: string[], req: LinkRequest) => Promise<void>;

/** A kind's explain(): its usage text on stderr, and the command fails (exit 1). */
function explain(text: string, before = ''): CommandError {
  return new CommandError(before + text, 1);
}

async function vethParser(ctx: IpContext, words: string[], req: LinkRequest): Promise<void> {
  if (words[0] !== 'peer') {
    // veth's usage() prints to stdout, then the command fails.
    ctx.io.stdout(VETH_USAGE);
    throw new CommandError('', 1);
  }
  const peer: LinkRequest = { flags: 0, change: 0, attrs: [], later: [] };
  const rest = new Args(words.slice(1));
  const parsed = await parseLink(ctx, rest, peer, true);
  if (parsed.kindWords !== undefined) duparg('type', peer.kind!);
  req.kindData = (w) => {
    const p = w.nestStart(L.VETH_INFO_PEER); // struct ifinfomsg, then attributes
    const at = w.reserve(C.IFINFOMSG_SIZE);
    w.view.setUint32(at + L.IFINFOMSG_OFFSETS.ifi_index, peer.index ?? 0, true);
    w.view.setUint32(at + L.IFINFOMSG_OFFSETS.ifi_flags, peer.flags, true);
    w.view.setUint32(at + L.IFINFOMSG_OFFSETS.ifi_change, peer.change, true);
    for (const f of peer.attrs) f(w);
    if (peer.name !== undefined) w.putString(C.IFLA_IFNAME, peer.name);
    w.nestEnd(p);
  };
}

async function vxlanParser(ctx: IpContext, words: string[], req: LinkRequest): Promise<void> {
  const a = new Args(words);
  const put: ((w: MessageWriter) => void)[] = [];
  const seen = new Set<string>();
  // check_duparg(): each attribute once.
  const once = (attr: string, key: string, v: string): void => {
    if (seen.has(attr)) duparg2(key, v);
    seen.add(attr);
  };
  let vni: number | undefined;
  let external = false;
  let group: InetAddrLike | undefined;
  let local: InetAddrLike | undefined;
  let devIndex: number | undefined;
  let dstport: number | undefined;
  let gpe = false;
  const u8 = (t: number, v: number): void => void put.push((w) => w.putU8(t, v));
  const toggles: Record<string, [string, number, number]> = {
    nolearning: ['learning', L.IFLA_VXLAN_LEARNING, 0],
    learning: ['learning', L.IFLA_VXLAN_LEARNING, 1],
    noproxy: ['proxy', L.IFLA_VXLAN_PROXY, 0],
    proxy: ['proxy', L.IFLA_VXLAN_PROXY, 1],
    norsc: ['rsc', L.IFLA_VXLAN_RSC, 0],
    rsc: ['rsc', L.IFLA_VXLAN_RSC, 1],
    nol2miss: ['l2miss', L.IFLA_VXLAN_L2MISS, 0],
    l2miss: ['l2miss', L.IFLA_VXLAN_L2MISS, 1],
    nol3miss: ['l3miss', L.IFLA_VXLAN_L3MISS, 0],
    l3miss: ['l3miss', L.IFLA_VXLAN_L3MISS, 1],
    udpcsum: ['udpcsum', L.IFLA_VXLAN_UDP_CSUM, 1],
    noudpcsum: ['udpcsum', L.IFLA_VXLAN_UDP_CSUM, 0],
    udp6zerocsumtx: ['udp6zerocsumtx', L.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, 1],
    noudp6zerocsumtx: ['udp6zerocsumtx', L.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, 0],
    udp6zerocsumrx: ['udp6zerocsumrx', L.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, 1],
    noudp6zerocsumrx: ['udp6zerocsumrx', L.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, 0],
    remcsumtx: ['remcsumtx', L.IFLA_VXLAN_REMCSUM_TX, 1],
    noremcsumtx: ['remcsumtx', L.IFLA_VXLAN_REMCSUM_TX, 0],
    remcsumrx: ['remcsumrx', L.IFLA_VXLAN_REMCSUM_RX, 1],
    noremcsumrx: ['remcsumrx', L.IFLA_VXLAN_REMCSUM_RX, 0],
  };
  while (!a.done) {
    const k = a.next();
    const toggle = Object.keys(toggles).find((t) => matches(k, t));
    if (matches(k, 'id') || matches(k, 'vni')) {
      const v = a.value();
      once('id', 'id', v);
      const n = getU32(v);
      if (n === undefined || n >= 1 << 24) invarg('invalid id', v);
      vni = n;
    } else if (matches(k, 'group') || matches(k, 'remote')) {
      const key = matches(k, 'group') ? 'group' : 'remote';
      const v = a.value();
      if (group) throw new CommandError('vxlan: both group and remote cannot be specified', 1);
      once('group', key, v);
      const addr = parseAddr(v, local ? local.family : AF_UNSPEC);
      const multicast = addr.family === AF_INET ? (addr.bytes[0]! & 0xf0) === 0xe0 : addr.bytes[0] === 0xff;
      if (key === 'group' ? !multicast : multicast) invarg(`invalid ${key} address`, v);
      group = { family: addr.family, bytes: addr.bytes, multicast };
    } else if (matches(k, 'local')) {
      const v = a.value();
      once('local', 'local', v);
      const addr = parseAddr(v, group ? group.family : AF_UNSPEC);
      const multicast = addr.family === AF_INET ? (addr.bytes[0]! & 0xf0) === 0xe0 : addr.bytes[0] === 0xff;
      if (multicast) invarg('invalid local address', v);
      local = { family: addr.family, bytes: addr.bytes, multicast };
    } else if (matches(k, 'dev')) {
      const v = a.value();
      once('dev', 'dev', v);
      devIndex = await ctx.nameIndex(v);
      if (!devIndex) throw new CommandError(`Cannot find device "${v}"`, 1);
      const idx = devIndex;
      put.push((w) => w.putU32(L.IFLA_VXLAN_LINK, idx));
    } else if (matches(k, 'ttl') || matches(k, 'hoplimit')) {
      const v = a.value();
      once('ttl', 'ttl', v);
      if (v === 'inherit') u8(L.IFLA_VXLAN_TTL_INHERIT, 1);
      else if (v === 'auto') u8(L.IFLA_VXLAN_TTL, 0);
      else {
        const n = getUnsigned(v);
        if (n === undefined) invarg('invalid TTL', v);
        if (n > 255) invarg('TTL must be <= 255', v);
        u8(L.IFLA_VXLAN_TTL, n);
      }
    } else if (matches(k, 'tos') || matches(k, 'dsfield')) {
      const v = a.value();
      once('tos', 'tos', v);
      if (v === 'inherit') u8(L.IFLA_VXLAN_TOS, 1);
      else {
        const { dsfieldNumber } = await import('./names.js');
        const n = dsfieldNumber(v);
        if (n === undefined) invarg('bad TOS value', v);
        u8(L.IFLA_VXLAN_TOS, n);
      }
    } else if (matches(k, 'df')) {
      const v = a.value();
      once('df', 'df', v);
      const df = (L.VXLAN_DF_NAMES as readonly string[]).indexOf(v);
      if (df < 0) invarg("DF must be 'unset', 'set' or 'inherit'", v);
      u8(L.IFLA_VXLAN_DF, df);
    } else if (matches(k, 'label') || matches(k, 'flowlabel')) {
      const v = a.value();
      once('label', 'flowlabel', v);
      const n = getU32(v);
      if (n === undefined || n & ~0xfffff) invarg('invalid flowlabel', v);
      put.push((w) => w.putU32(L.IFLA_VXLAN_LABEL, n, true));
    } else if (matches(k, 'ageing')) {
      const v = a.value();
      once('ageing', 'ageing', v);
      const n = v === 'none' ? 0 : getU32(v);
      if (n === undefined) invarg('ageing timer', v);
      put.push((w) => w.putU32(L.IFLA_VXLAN_AGEING, n));
    } else if (matches(k, 'maxaddress')) {
      const v = a.value();
      once('maxaddress', 'maxaddress', v);
      const n = v === 'unlimited' ? 0 : getU32(v);
      if (n === undefined) invarg('max addresses', v);
      put.push((w) => w.putU32(L.IFLA_VXLAN_LIMIT, n));
    } else if (matches(k, 'port') || matches(k, 'srcport')) {
      const lo = a.value();
      once('port', 'srcport', lo);
      const l = getU16(lo);
      if (l === undefined) invarg('min port', lo);
      const hi = a.value();
      const h = getU16(hi);
      if (h === undefined) invarg('max port', hi);
      put.push((w) => {
        const b = new Uint8Array(L.IFLA_VXLAN_PORT_RANGE_SIZE);
        new DataView(b.buffer).setUint16(L.IFLA_VXLAN_PORT_RANGE_OFFSETS.low, l, false);
        new DataView(b.buffer).setUint16(L.IFLA_VXLAN_PORT_RANGE_OFFSETS.high, h, false);
        w.putBinary(L.IFLA_VXLAN_PORT_RANGE, b);
      });
    } else if (matches(k, 'dstport')) {
      const v = a.value();
      once('dstport', 'dstport', v);
      const p = getU16(v);
      if (p === undefined) invarg('dst port', v);
      dstport = p;
    } else if (toggle) {
      const [attr, t, val] = toggles[toggle]!;
      once(attr, k, k);
      u8(t, val);
    } else if (matches(k, 'external')) {
      once('external', k, k);
      external = true;
      u8(L.IFLA_VXLAN_COLLECT_METADATA, 1);
    } else if (matches(k, 'noexternal')) {
      once('external', k, k);
      external = false;
      u8(L.IFLA_VXLAN_COLLECT_METADATA, 0);
    } else if (matches(k, 'gbp')) {
      once('gbp', k, k);
      put.push((w) => w.putFlag(L.IFLA_VXLAN_GBP));
    } else if (matches(k, 'gpe')) {
      once('gpe', k, k);
      gpe = true;
      put.push((w) => w.putFlag(L.IFLA_VXLAN_GPE));
    } else if (matches(k, 'help')) throw explain(VXLAN_USAGE);
    else throw explain(VXLAN_USAGE, `vxlan: unknown command "${k}"?\n`);
  }
  if (external && vni !== undefined) throw new CommandError("vxlan: both 'external' and vni cannot be specified", 1);
  if (!external && vni === undefined) throw new CommandError('vxlan: missing virtual network identifier', 1);
  if (group?.multicast && devIndex === undefined) throw new CommandError("vxlan: 'group' requires 'dev' to be specified", 1);
  if (dstport === undefined && gpe) dstport = 4790;
  else if (dstport === undefined) {
    ctx.io.stderr('vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\n');
    ctx.io.stderr("Use 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message\n");
  }
  const port = dstport;
  req.kindData = (w) => {
    const d = w.nestStart(C.IFLA_INFO_DATA);
    if (vni !== undefined) w.putU32(L.IFLA_VXLAN_ID, vni);
    if (local) w.putBinary(local.family === AF_INET ? L.IFLA_VXLAN_LOCAL : L.IFLA_VXLAN_LOCAL6, local.bytes);
    if (group) w.putBinary(group.family === AF_INET ? L.IFLA_VXLAN_GROUP : L.IFLA_VXLAN_GROUP6, group.bytes);
    for (const f of put) f(w);
    if (port !== undefined) w.putU16(L.IFLA_VXLAN_PORT, port, true);
    w.nestEnd(d);
  };
}

interface InetAddrLike {
  family: number;
  bytes: Uint8Array;
  multicast: boolean;
}

// IFLA_BR_* option name -> [attribute, size], in iplink_bridge.c's order.
const BRIDGE_OPTIONS: readonly (readonly [string, number, 8 | 16 | 32 | 64])[] = [
  ['forward_delay', L.IFLA_BR_FORWARD_DELAY, 32],
  ['hello_time', L.IFLA_BR_HELLO_TIME, 32],
  ['max_age', L.IFLA_BR_MAX_AGE, 32],
  ['ageing_time', L.IFLA_BR_AGEING_TIME, 32],
  ['stp_state', L.IFLA_BR_STP_STATE, 32],
  ['priority', L.IFLA_BR_PRIORITY, 16],
  ['vlan_filtering', L.IFLA_BR_VLAN_FILTERING, 8],
  ['group_fwd_mask', L.IFLA_BR_GROUP_FWD_MASK, 16],
  ['vlan_default_pvid', L.IFLA_BR_VLAN_DEFAULT_PVID, 16],
  ['vlan_stats_enabled', L.IFLA_BR_VLAN_STATS_ENABLED, 8],
  ['vlan_stats_per_port', L.IFLA_BR_VLAN_STATS_PER_PORT, 8],
  ['mcast_router', L.IFLA_BR_MCAST_ROUTER, 8],
  ['mcast_snooping', L.IFLA_BR_MCAST_SNOOPING, 8],
  ['mcast_query_use_ifaddr', L.IFLA_BR_MCAST_QUERY_USE_IFADDR, 8],
  ['mcast_querier', L.IFLA_BR_MCAST_QUERIER, 8],
  ['mcast_hash_elasticity', L.IFLA_BR_MCAST_HASH_ELASTICITY, 32],
  ['mcast_hash_max', L.IFLA_BR_MCAST_HASH_MAX, 32],
  ['mcast_last_member_count', L.IFLA_BR_MCAST_LAST_MEMBER_CNT, 32],
  ['mcast_startup_query_count', L.IFLA_BR_MCAST_STARTUP_QUERY_CNT, 32],
  ['mcast_last_member_interval', L.IFLA_BR_MCAST_LAST_MEMBER_INTVL, 64],
  ['mcast_membership_interval', L.IFLA_BR_MCAST_MEMBERSHIP_INTVL, 64],
  ['mcast_querier_interval', L.IFLA_BR_MCAST_QUERIER_INTVL, 64],
  ['mcast_query_interval', L.IFLA_BR_MCAST_QUERY_INTVL, 64],
  ['mcast_query_response_interval', L.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, 64],
  ['mcast_startup_query_interval', L.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, 64],
  ['mcast_stats_enabled', L.IFLA_BR_MCAST_STATS_ENABLED, 8],
  ['mcast_igmp_version', L.IFLA_BR_MCAST_IGMP_VERSION, 8],
  ['mcast_mld_version', L.IFLA_BR_MCAST_MLD_VERSION, 8],
  ['nf_call_iptables', L.IFLA_BR_NF_CALL_IPTABLES, 8],
  ['nf_call_ip6tables', L.IFLA_BR_NF_CALL_IP6TABLES, 8],
  ['nf_call_arptables', L.IFLA_BR_NF_CALL_ARPTABLES, 8],
];

async function bridgeParser(_ctx: IpContext, words: string[], req: LinkRequest): Promise<void> {
  const a = new Args(words);
  const put: ((w: MessageWriter) => void)[] = [];
  while (!a.done) {
    const k = a.next();
    const opt = BRIDGE_OPTIONS.find(([name]) => matches(k, name));
    if (!opt) {
      if (matches(k, 'help')) throw explain(BRIDGE_USAGE);
      throw explain(BRIDGE_USAGE, `bridge: unknown command "${k}"?\n`);
    }
    const [name, t, size] = opt;
    const v = a.value();
    const n = size === 64 ? getU64(v) : size === 32 ? getU32(v) : size === 16 ? getU16(v) : getU8(v);
    if (n === undefined) invarg(`invalid ${name}`, v);
    put.push((w) => {
      if (size === 8) w.putU8(t, Number(n));
      else if (size === 16) w.putU16(t, Number(n));
      else if (size === 32) w.putU32(t, Number(n));
      else w.putU64(t, BigInt(n));
    });
  }
  if (put.length === 0) return;
  req.kindData = (w) => {
    const d = w.nestStart(C.IFLA_INFO_DATA);
    for (const f of put) f(w);
    w.nestEnd(d);
  };
}

const MACVLAN_MODE_NUMBERS: ReadonlyMap<string, number> = new Map(Object.entries(L.MACVLAN_MODE_NAMES).map(([v, n]) => [n!, Number(v)]));

function macvlanParser(kind: 'macvlan' | 'macvtap'): KindParser {
  const text = kind === 'macvlan' ? MACVLAN_USAGE : MACVTAP_USAGE;
  return async (_ctx, words, req) => {
    const a = new Args(words);
    let mode: number | undefined;
    while (!a.done) {
      const k = a.next();
      if (matches(k, 'mode')) {
        const v = a.value();
        mode = MACVLAN_MODE_NUMBERS.get(v);
        if (mode === undefined) throw new CommandError(`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "${v}"`, 1);
      } else if (matches(k, 'help')) throw explain(text);
      else throw explain(text, `${kind}: unknown option "${k}"?\n`);
    }
    if (mode === undefined) return;
    const m = mode;
    req.kindData = (w) => {
      const d = w.nestStart(C.IFLA_INFO_DATA);
      w.putU32(L.IFLA_MACVLAN_MODE, m);
      w.nestEnd(d);
    };
  };
}

async function vlanParser(_ctx: IpContext, words: string[], req: LinkRequest): Promise<void> {
  const a = new Args(words);
  let id: number | undefined;
  let proto: number | undefined;
  while (!a.done) {
    const k = a.next();
    if (matches(k, 'protocol')) {
      const v = a.value();
      // ll_proto_a2n(): the names of the VLAN protocols, or a number.
      const lower = v.toLowerCase();
      proto = lower === '802.1q' ? L.ETH_P_8021Q : lower === '802.1ad' ? L.ETH_P_8021AD : getU16(v);
      if (proto === undefined) invarg('protocol is invalid', v);
    } else if (matches(k, 'id')) {
      const v = a.value();
      id = getU16(v);
      if (id === undefined) invarg('id is invalid', v);
    } else if (matches(k, 'help')) throw explain(VLAN_USAGE);
    else throw explain(VLAN_USAGE, `vlan: unknown command "${k}"?\n`);
  }
  req.kindData = (w) => {
    const d = w.nestStart(C.IFLA_INFO_DATA);
    if (proto !== undefined) w.putU16(L.IFLA_VLAN_PROTOCOL, proto, true);
    if (id !== undefined) w.putU16(L.IFLA_VLAN_ID, id);
    w.nestEnd(d);
  };
}

const KIND_PARSERS: Record<string, KindParser> = {
  veth: vethParser,
  vxlan: vxlanParser,
  bridge: bridgeParser,
  macvlan: macvlanParser('macvlan'),
  macvtap: macvlanParser('macvtap'),
  vlan: vlanParser,
};

/** `ip link help TYPE`: the kind's text on stdout, exit 0; another kind: the link usage. */
const KIND_HELP: Readonly<Record<string, string>> = KIND_USAGE;

// The kinds ip has a link_util with a parse_opt for (it reads their options); nlkit parses those of KIND_PARSERS.
const IP_KINDS = new Set(
  'amt bareudp batadv bond bond_slave bridge bridge_slave can dsa erspan geneve gre gretap gtp hsr ip6erspan ip6gre ip6gretap ip6tnl ipip ipoib ipvlan ipvtap macsec macvlan macvtap rmnet sit veth vlan vrf vti vti6 vxcan vxlan wwan xfrm'.split(
    ' ',
  ),
);
// Kinds whose link_util has no parse_opt: ip sends their words' data nest empty, the words unread.
const KINDS_WITHOUT_OPTIONS = new Set('dummy ifb netdevsim nlmon team team_slave vcan virt_wifi vrf_slave'.split(' '));

// ---- commands ---------------------------------------------------------------

async function modify(ctx: IpContext, type: number, flags: number, words: string[]): Promise<number> {
  const create = (flags & NLM_F_CREATE) !== 0;
  const req: LinkRequest = { flags: 0, change: 0, attrs: [], later: [] };
  try {
    const parsed = await parseLink(ctx, new Args(words), req, create);
    if (req.kind !== undefined) {
      const kindWords = parsed.kindWords ?? [];
      const parser = KIND_PARSERS[req.kind];
      if (kindWords.length && parser) await parser(ctx, kindWords, req);
      else if (kindWords.length && IP_KINDS.has(req.kind)) throw usage(`Error: options of "type ${req.kind}" are not supported by nlkit.`);
      else if (kindWords.length && KINDS_WITHOUT_OPTIONS.has(req.kind)) {
        const data = req.kind.endsWith('_slave') ? C.IFLA_INFO_SLAVE_DATA : C.IFLA_INFO_DATA;
        req.kindData = (w) => void w.nestEnd(w.nestStart(data));
      } else if (kindWords.length) {
        if (matches(kindWords[0]!, 'help')) throw usage(LINK_USAGE);
        throw new CommandError(`Garbage instead of arguments "${kindWords[0]!} ...". Try "ip link help".`, 1);
      }
    } else if (create && req.group === undefined) {
      throw new CommandError('Not enough information: "type" argument is required', 1);
    }
    const bytes = ctx.build(type, NLM_F_REQUEST | NLM_F_ACK | flags, C.IFINFOMSG_SIZE, (w, h) => {
      w.view.setUint8(h + IFI.ifi_family, ctx.options.family);
      w.view.setInt32(h + IFI.ifi_index, req.index ?? 0, true);
      w.view.setUint32(h + IFI.ifi_flags, req.flags, true);
      w.view.setUint32(h + IFI.ifi_change, req.change, true);
      for (const f of req.attrs) f(w);
      if (req.name !== undefined) w.putString(C.IFLA_IFNAME, req.name);
      if (req.kind !== undefined) {
        const li = w.nestStart(C.IFLA_LINKINFO);
        w.putBinary(C.IFLA_INFO_KIND, new TextEncoder().encode(req.kind));
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

/**
 * Parses the words of `ip link show` / `ip address show|flush` into `f` as
 * ipaddr_list_flush_or_save() reads them; `other` takes the address
 * selectors (to, scope, flags, label) first; `help` is the object's usage.
 */
export async function parseLinkFilter(ctx: IpContext, args: Args, f: LinkFilter, other?: (w: string, args: Args) => boolean, help = LINK_USAGE): Promise<void> {
  while (!args.done) {
    const w = args.next();
    if (other && other(w, args)) continue;
    if (w === 'up') f.up = true;
    else if (w === 'label' && !other) args.value();
    else if (w === 'group') {
      const v = args.value();
      const g = groupNumber(v);
      if (g === undefined) invarg('Invalid "group" value\n', v);
      f.group = g;
    } else if (w === 'master') {
      const v = args.value();
      const idx = await ctx.nameIndex(v);
      if (!idx) invarg('Device does not exist\n', v);
      f.master = idx;
    } else if (w === 'vrf') {
      const v = args.value();
      const idx = await ctx.nameIndex(v);
      if (!idx || (await kindOf(ctx, idx)) !== 'vrf') invarg('Not a valid VRF name\n', v);
      f.master = idx;
    } else if (w === 'nomaster') f.master = -1;
    else if (w === 'type') {
      const v = args.value();
      if (v.length >= 6 && v.endsWith('_slave')) f.slaveKind = v.slice(0, -6);
      else f.kind = v;
    } else {
      let dev = w;
      if (w === 'dev') dev = args.value();
      else if (matches(w, 'help')) throw usage(help);
      if (f.dev !== undefined) duparg2('dev', dev);
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
  if (f.up && !(s.flags & C.IFF_UP)) return false;
  const group = s.tb.get(C.IFLA_GROUP)?.u32();
  if (f.group !== undefined && group !== f.group) return false;
  const master = s.tb.get(C.IFLA_MASTER)?.u32();
  if (f.master !== undefined && f.master > 0 && master !== f.master) return false;
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
export async function fetchLinks(ctx: IpContext, dev: string | undefined, family = AF_UNSPEC, filter?: LinkFilter): Promise<MessageView[]> {
  await ctx.loadLinks();
  if (dev !== undefined) {
    const index = await listedDevice(ctx, dev);
    const bytes = ctx.build(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, C.IFINFOMSG_SIZE, (w, h) => {
      w.view.setInt32(h + IFI.ifi_index, index, true);
      w.putU32(C.IFLA_EXT_MASK, C.RTEXT_FILTER_VF);
    });
    return ctx.request(bytes);
  }
  // ip asks for the family's view of links (AF_INET6 answers with its own, shorter, messages).
  const bytes = ctx.build(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, C.IFINFOMSG_SIZE, (w, h) => {
    w.view.setUint8(h + IFI.ifi_family, family === AF_PACKET ? AF_UNSPEC : family);
    // The AF_INET6 dump takes no attributes (strict checking refuses them).
    if (family !== AF_INET6) w.putU32(C.IFLA_EXT_MASK, C.RTEXT_FILTER_VF);
    // rtnl_linkdump_req_filter_fn adds the filters only to an AF_UNSPEC / AF_PACKET dump.
    if (family === AF_UNSPEC || family === AF_PACKET) {
      if (filter?.master) w.putU32(C.IFLA_MASTER, filter.master >>> 0);
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
  // ipaddr_list_link(): the same words as `ip address show`, the address ones to no effect.
  const { addrFilterWord } = await import('./address.js');
  await parseLinkFilter(ctx, new Args(words), f, addrFilterWord({ family: AF_PACKET, scopeMask: 0, flags: 0, flagMask: 0 }));
  // ip link lists as AF_PACKET whatever -4/-6 say (ipaddr_list_link).
  const links = await fetchLinks(ctx, f.dev, AF_UNSPEC, f);
  const netns = new NetnsNames(ctx);
  for (const m of links) {
    const p = ctx.printer();
    const s = linkSummary(m);
    if (s && summaryPasses(s, f)) {
      if (ctx.options.brief) printLinkBrief(ctx, p, m, true);
      else {
        const netnsNames = await netns.for(s);
        printLink(ctx, p, m, { doLink: true, family: AF_PACKET, ...(netnsNames ? { netnsNames } : {}) });
      }
      p.fp('\n');
    }
    listObject(ctx, p);
  }
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit link ...` (do_iplink: its commands by prefix, in its order). */
export async function runLink(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(cmd, 'set') || matches(cmd, 'change')) return modify(ctx, C.RTM_NEWLINK, 0, rest);
  if (matches(cmd, 'replace')) return modify(ctx, C.RTM_NEWLINK, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELLINK, 0, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'xstats') || matches(cmd, 'afstats') || matches(cmd, 'property')) throw usage(`Error: "ip link ${cmd}" is not supported by nlkit.`);
  if (matches(cmd, 'help')) {
    // do_help(): a kind's own help on stdout (exit 0), else the link usage.
    const kind = rest[0] !== undefined && Object.hasOwn(KIND_HELP, rest[0]) ? KIND_HELP[rest[0]] : undefined;
    if (kind !== undefined) throw new CommandError(kind, 0);
    throw usage(LINK_USAGE);
  }
  throw usage(`Command "${cmd}" is unknown, try "ip link help".`);
}
