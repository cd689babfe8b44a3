// Links (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK): typed objects, inputs,
// and their conversion to and from the generated rt-link codecs.
import { AF_UNSPEC } from '../../core/constants.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../core/constants.js';
import { indexSpec, type AttributeSpec, type SpecIndex } from '../../schema/model.js';
import { checkBool, checkIfname, checkInteger, checkString, checkU32 } from '../../core/check.js';
import { camel, camelize, checkMac, checkName, checkObject, kebab, type Obj, keepUnknown } from './convert.js';
import type { UnknownAttribute } from '../../schema/runtime.js';
import type { TuntapCreateOptions } from '../../io/tuntap.js';
import { IFF_UP } from './constants.js';
import { IFF_TAP } from '../generated/rt-link.constants.js';
import { loadFamilies, routeFamilies } from './families.js';
import { LINKMODE_NAMES, LINK_FLAG_NAMES, LINK_TYPE_NAMES, OPERSTATE_NAMES } from './names.js';

/** Kernel counters of a link (struct rtnl_link_stats64), camelCase. */
export type LinkStats = Record<string, bigint>;

/** A link as the kernel describes it. */
export interface Link {
  /** Interface index. */
  index: number;
  /** Interface name (IFLA_IFNAME). */
  name: string;
  /** Link-layer type: 'ether', 'loopback', 'none' ... (the ARPHRD number when unnamed). */
  type: string | number;
  /** Interface flags as ip prints them: 'UP', 'BROADCAST', 'LOWER_UP' ... (RUNNING included). */
  flags: string[];
  /** MTU in bytes. */
  mtu?: number;
  /** Smallest MTU the device accepts. */
  minMtu?: number;
  /** Largest MTU the device accepts. */
  maxMtu?: number;
  /** Transmit queue length in packets. */
  txqlen?: number;
  /** Name of the root queueing discipline, e.g. 'noqueue'. */
  qdisc?: string;
  /** 'UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN' ... */
  operstate?: string;
  /** 'DEFAULT' or 'DORMANT' (IFLA_LINKMODE). */
  linkmode?: string;
  /** Interface group number. */
  group?: number;
  /** Promiscuous mode reference count. */
  promiscuity?: number;
  /** All-multicast reference count. */
  allmulti?: number;
  /** Link-layer address, e.g. '02:00:00:00:00:01'. */
  address?: string;
  /** Link-layer broadcast address. */
  broadcast?: string;
  /** Permanent (factory) link-layer address. */
  permAddress?: string;
  /** Index of the master device (bridge, bond, vrf). */
  master?: number;
  /** Index of the lower device (vlan, macvlan, the veth peer). */
  link?: number;
  /** nsid of the namespace `link` is in, when it is another one. */
  linkNetnsid?: number;
  /** Free-form description (IFLA_IFALIAS). */
  alias?: string;
  /** Alternative names (IFLA_ALT_IFNAME). */
  altNames?: string[];
  /** Number of transmit queues. */
  numTxQueues?: number;
  /** Number of receive queues. */
  numRxQueues?: number;
  /** Carrier state: true when the link has carrier. */
  carrier?: boolean;
  /** How many times the carrier changed. */
  carrierChanges?: number;
  /** Link kind: 'veth', 'bridge', 'vxlan', 'tun' ... (undefined for plain devices like lo). */
  kind?: string;
  /** Kind-specific attributes (IFLA_INFO_DATA), camelCase; see the *Data types. */
  data?: Obj;
  /** Kind of the master this link is a port of ('bridge', 'bond'). */
  portKind?: string;
  /** Port attributes given by the master (IFLA_INFO_SLAVE_DATA), e.g. bridge port cost, state, learning. */
  port?: Obj;
  /** Counters (struct rtnl_link_stats64), u64 as bigint. */
  stats?: LinkStats;
  /** Attributes the spec does not describe, kept as the kernel sent them (type and bytes). */
  unknown?: UnknownAttribute[];
}

/** Kind data of a vxlan link (IFLA_VXLAN_*), as decoded. */
export interface VxlanData {
  /** VXLAN network identifier (VNI). */
  id?: number;
  /** IPv4 remote or multicast group address. */
  group?: string;
  /** IPv6 remote or multicast group address. */
  group6?: string;
  /** IPv4 source address. */
  local?: string;
  /** IPv6 source address. */
  local6?: string;
  /** Index of the lower device. */
  link?: number;
  /** UDP destination port. */
  port?: number;
  /** TTL of outer packets (0 means inherit). */
  ttl?: number;
  /** TOS of outer packets (1 means inherit). */
  tos?: number;
  /** 1 when the FDB learns remote addresses, else 0. */
  learning?: number;
  /** FDB entry lifetime in seconds. */
  ageing?: number;
  /** Don't Fragment setting of outer IPv4 packets: 'unset', 'set' or 'inherit'. */
  df?: string;
  [attribute: string]: unknown;
}

/** Kind data of a tun/tap link (IFLA_TUN_*), as decoded; `type` 1 is tun, 2 is tap. */
export interface TunData {
  /** 1 for tun, 2 for tap. */
  type?: number;
  /** 1 when packets carry the 4-byte packet information header. */
  pi?: number;
  /** 1 when packets carry a virtio-net header. */
  vnetHdr?: number;
  /** 1 when the device outlives its last open file. */
  persist?: number;
  /** 1 when the device has several queues. */
  multiQueue?: number;
  /** User id that may open the device. */
  owner?: number;
  /** Group id that may open the device. */
  group?: number;
  /** Number of queues attached. */
  numQueues?: number;
  [attribute: string]: unknown;
}

/** Settings every link write may carry. */
export interface LinkSettings {
  /** New name (change), or the name of the link to create (add). */
  name?: string;
  /** MTU in bytes (at least 68). */
  mtu?: number;
  /** Link-layer address, 6 bytes for Ethernet-like links. */
  address?: string;
  /** Link-layer broadcast address. */
  broadcast?: string;
  /** Transmit queue length in packets. */
  txqlen?: number;
  /** Set the link administratively up or down. */
  up?: boolean;
  /** Master device (name or index); null detaches the link from its master. */
  master?: string | number | null;
  /** Lower device (vlan, macvlan, ipvlan, vxlan's IFLA_LINK): name or index. */
  link?: string | number;
  /** Interface group number. */
  group?: number;
  /** Free-form description (IFLA_IFALIAS). */
  alias?: string;
  /** Number of transmit queues (1-4096), for a new link. */
  numTxQueues?: number;
  /** Number of receive queues (1-4096), for a new link. */
  numRxQueues?: number;
  /** Kind-specific attributes for `kind` (camelCase names of the spec's IFLA_INFO_DATA set). */
  data?: Obj;
  /** Port attributes for the master (IFLA_INFO_SLAVE_DATA): `{ kind: 'bridge', cost: 10, learning: false }`. */
  port?: Obj & {
    /** The master's link kind, which says how the other keys are read (IFLA_INFO_SLAVE_KIND). Default 'bridge'. */
    kind?: string;
  };
}

/** Peer of a new veth pair. */
export interface VethPeer {
  /** Name of the peer; the kernel picks one when absent. */
  name?: string;
  /** Link-layer address of the peer. */
  address?: string;
  /** MTU of the peer. */
  mtu?: number;
  /** Transmit queue length of the peer. */
  txqlen?: number;
  /** Set the peer administratively up or down. */
  up?: boolean;
}

/** A link to create (add / replace). */
export interface LinkInput extends LinkSettings {
  name: string;
  /** 'veth', 'bridge', 'vxlan', 'tun', 'ifb', 'vlan', 'macvlan', 'ipvlan', 'bond', 'gre', 'geneve', 'wireguard' ... */
  kind: string;
  /** veth only: the other end. */
  peer?: VethPeer;
}

/** Filters of a link listing; kind and master are sent to the kernel. */
export interface LinkFilter {
  /** Only links of this kind, e.g. 'veth'. */
  kind?: string;
  /** Only ports of this master (name or index). */
  master?: string | number;
  /** Only the link with this name. */
  name?: string;
  /** Only links that are administratively up (true) or down (false). */
  up?: boolean;
}

// rt-link is loaded on first use (families.ts), so its model is looked up when needed.
const linkIndex = async (): Promise<SpecIndex> => indexSpec((await loadFamilies()).link.spec);
const formats = (idx: SpecIndex, sub: string): Map<string, string | undefined> => new Map(idx.subMessages.get(sub)!.formats.map((f) => [f.value, f.attributeSet] as const));

/**
 * Link kinds whose IFLA_INFO_DATA nlkit can encode and decode: the formats of
 * rt-link's linkinfo-data-msg, in its order (written out so that importing
 * nlkit does not load rt-link; test/unit/route/link-kinds.test.ts checks it).
 */
export const LINK_KINDS: readonly string[] = [
  'bond',
  'bridge',
  'erspan',
  'gre',
  'gretap',
  'ip6gre',
  'geneve',
  'hsr',
  'ipip',
  'ip6tnl',
  'sit',
  'tun',
  'vlan',
  'vrf',
  'vti',
  'vti6',
  'netkit',
  'ovpn',
  'veth',
  'vxlan',
  'macvlan',
  'macvtap',
  'ipvlan',
  'ipvtap',
];

// The spec names the IFF_* bits ('lower-up'); names.ts has ip's names for them ('LOWER_UP').
let flagNames: Map<string, string> | undefined;

function linkFlagNames(): Map<string, string> {
  if (flagNames) return flagNames;
  const ip = new Map(LINK_FLAG_NAMES);
  const bits = indexSpec(routeFamilies().link.spec).enums.get('ifinfo-flags')!.entries;
  return (flagNames = new Map(bits.map((e) => [e.name, ip.get(2 ** e.value) ?? e.name.toUpperCase()])));
}

function linkFlags(flags: unknown): string[] {
  if (!Array.isArray(flags)) return [];
  const names = linkFlagNames();
  return flags.map((f) => (typeof f === 'string' ? (names.get(f) ?? f.toUpperCase()) : `0x${Number(f).toString(16)}`));
}

/** A Link from a decoded rt-link message. */
export function decodeLink(m: Obj): Link {
  const type = m['ifi-type'] as number;
  const link: Link = {
    index: m['ifi-index'] as number,
    name: m.ifname as string,
    type: LINK_TYPE_NAMES.get(type) ?? type,
    flags: linkFlags(m['ifi-flags']),
  };
  const set = <K extends keyof Link>(k: K, v: unknown): void => {
    if (v !== undefined) link[k] = v as Link[K];
  };
  set('mtu', m.mtu);
  set('minMtu', m['min-mtu']);
  set('maxMtu', m['max-mtu']);
  set('txqlen', m.txqlen);
  set('qdisc', m.qdisc);
  if (m.operstate !== undefined) link.operstate = OPERSTATE_NAMES[m.operstate as number] ?? String(m.operstate);
  if (m.linkmode !== undefined) link.linkmode = LINKMODE_NAMES[m.linkmode as number] ?? String(m.linkmode);
  set('group', m.group);
  set('promiscuity', m.promiscuity);
  set('allmulti', m.allmulti);
  if (typeof m.address === 'string') link.address = m.address;
  if (typeof m.broadcast === 'string') link.broadcast = m.broadcast;
  if (typeof m['perm-address'] === 'string') link.permAddress = m['perm-address'];
  if (m.master !== undefined && m.master !== 0) link.master = m.master as number;
  if (m.link !== undefined) link.link = m.link as number;
  set('linkNetnsid', m['link-netnsid']);
  set('alias', m.ifalias);
  const props = m['prop-list'] as Obj | undefined;
  if (props && props['alt-ifname'] !== undefined) link.altNames = ([] as string[]).concat(props['alt-ifname'] as string | string[]);
  set('numTxQueues', m['num-tx-queues']);
  set('numRxQueues', m['num-rx-queues']);
  if (m.carrier !== undefined) link.carrier = m.carrier === 1;
  set('carrierChanges', m['carrier-changes']);
  const info = m.linkinfo as Obj | undefined;
  if (info) {
    if (typeof info.kind === 'string') link.kind = info.kind;
    if (info.data !== undefined && !(info.data instanceof Uint8Array)) link.data = camelize(info.data) as Obj;
    if (typeof info['slave-kind'] === 'string') link.portKind = info['slave-kind'];
    if (info['slave-data'] !== undefined && !(info['slave-data'] instanceof Uint8Array)) link.port = camelize(info['slave-data']) as Obj;
  }
  const stats = m.stats64 as Obj | undefined;
  if (stats) {
    const out: LinkStats = {};
    for (const k in stats) if (typeof stats[k] === 'bigint') out[camel(k)] = stats[k] as bigint;
    link.stats = out;
  }
  keepUnknown(link, m);
  return link;
}

/** Resolves a device name or index to an index (asks the kernel for names). */
export type ResolveLink = (x: unknown, field: string) => Promise<number>;

/**
 * Kind-specific or port attributes in camelCase -> the spec's set, with
 * booleans given for u8 switches turned into 0 / 1 and unknown names refused.
 */
function attributesOf(idx: SpecIndex, setName: string, data: Obj, field: string, what: string): Obj {
  const attrs = idx.attributes.get(setName)!;
  const out: Obj = {};
  for (const k in data) {
    const v = data[k];
    if (v === undefined) continue;
    const a: AttributeSpec | undefined = attrs.get(kebab(k));
    if (!a || a.type === 'pad' || a.type === 'unused') throw new TypeError(`${field}.${k}: not an attribute of ${what}`);
    out[a.name] = typeof v === 'boolean' && a.type !== 'flag' ? (v ? 1 : 0) : v;
  }
  return out;
}

async function kindData(kind: string, data: Obj, resolve: ResolveLink): Promise<Obj> {
  const idx = await linkIndex();
  const set = formats(idx, 'linkinfo-data-msg').get(kind);
  if (set === undefined) throw new RangeError(`data: link kind '${kind}' has no attributes nlkit knows (kinds with data: ${LINK_KINDS.join(', ')})`);
  const d: Obj = { ...data };
  if (kind === 'vxlan') {
    // One option for either family, as ip's `local` / `remote` take both.
    for (const [k, k6] of [
      ['local', 'local6'],
      ['group', 'group6'],
      ['remote', 'group6'],
    ] as const) {
      const v = d[k];
      if (typeof v === 'string' && v.includes(':')) {
        d[k6] = v;
        delete d[k];
      } else if (k === 'remote' && v !== undefined) {
        d.group = v;
        delete d.remote;
      }
    }
    if (d.link !== undefined) d.link = await resolve(d.link, 'data.link');
  }
  if (kind === 'tun' && typeof d.type === 'string') d.type = checkName(d.type, 'data.type', ['tun', 'tap'] as const) === 'tun' ? 1 : 2;
  if ((kind === 'macvlan' || kind === 'macvtap') && d.macaddr !== undefined) d.macaddr = checkMac(d.macaddr, 'data.macaddr');
  return attributesOf(idx, set, d, 'data', `${kind} links`);
}

/** The rt-link request fields of a link write. */
export async function encodeLink(input: LinkSettings & { kind?: string; peer?: VethPeer }, resolve: ResolveLink, target: { index?: number; name?: string }): Promise<Obj> {
  checkObject(input, 'link');
  const m: Obj = { 'ifi-family': AF_UNSPEC, 'ifi-index': target.index ?? 0 };
  if (target.name !== undefined) m.ifname = target.name;
  settings(m, input, 'link');
  if (input.master !== undefined) m.master = input.master === null ? 0 : await resolve(input.master, 'master');
  if (input.link !== undefined) m.link = await resolve(input.link, 'link');
  const linkinfo: Obj = {};
  if (input.kind !== undefined) {
    linkinfo.kind = checkString(input.kind, 'kind');
    if (input.kind === '') throw new RangeError('kind must not be empty');
    const data: Obj = input.data !== undefined ? await kindData(input.kind, checkObject(input.data, 'data'), resolve) : {};
    if (input.peer !== undefined) {
      if (input.kind !== 'veth') throw new TypeError(`peer: only veth links have a peer, not ${input.kind} links`);
      const peer = checkObject(input.peer, 'peer') as VethPeer;
      const p: Obj = { 'ifi-family': AF_UNSPEC, 'ifi-index': 0 };
      if (peer.name !== undefined) p.ifname = checkIfname(peer.name, 'peer.name');
      settings(p, peer, 'peer');
      data.peer = p;
    }
    if (Object.keys(data).length > 0) linkinfo.data = data;
  } else if (input.data !== undefined) {
    throw new TypeError('data: give the link kind too (kind)');
  }
  if (input.port !== undefined) {
    const { kind = 'bridge', ...rest } = checkObject(input.port, 'port') as Obj & { kind?: string };
    const idx = await linkIndex();
    const portFormats = formats(idx, 'linkinfo-member-data-msg');
    const set = portFormats.get(checkString(kind, 'port.kind'));
    if (set === undefined) throw new RangeError(`port.kind must be one of ${[...portFormats.keys()].join(', ')}, got '${kind}'`);
    linkinfo['slave-kind'] = kind;
    linkinfo['slave-data'] = attributesOf(idx, set, rest, 'port', `${kind} ports`);
  }
  if (Object.keys(linkinfo).length > 0) m.linkinfo = linkinfo;
  return m;
}

function settings(m: Obj, s: LinkSettings | VethPeer, field: string): void {
  const full = s as LinkSettings;
  if (s.mtu !== undefined) m.mtu = checkInteger(s.mtu, `${field === 'link' ? '' : `${field}.`}mtu`, 68, 0xffffffff);
  if (s.address !== undefined) m.address = checkMac(s.address, `${field === 'link' ? '' : `${field}.`}address`);
  if (s.txqlen !== undefined) m.txqlen = checkU32(s.txqlen, `${field === 'link' ? '' : `${field}.`}txqlen`);
  if (s.up !== undefined) {
    m['ifi-flags'] = checkBool(s.up, `${field === 'link' ? '' : `${field}.`}up`) ? IFF_UP : 0;
    m['ifi-change'] = IFF_UP;
  }
  if (field !== 'link') return;
  if (full.broadcast !== undefined) m.broadcast = checkMac(full.broadcast, 'broadcast');
  if (full.group !== undefined) m.group = checkU32(full.group, 'group');
  if (full.alias !== undefined) m.ifalias = checkString(full.alias, 'alias');
  if (full.numTxQueues !== undefined) m['num-tx-queues'] = checkInteger(full.numTxQueues, 'numTxQueues', 1, 4096);
  if (full.numRxQueues !== undefined) m['num-rx-queues'] = checkInteger(full.numRxQueues, 'numRxQueues', 1, 4096);
}

// ---- tun / tap -------------------------------------------------------------
// The kernel creates tun/tap links only through /dev/net/tun (tun_validate()
// in drivers/net/tun.c refuses RTM_NEWLINK), so the client turns `data` into
// the options of io/tuntap.ts and applies the other settings afterwards.

/** `data` of a tun link that creation can set. */
const TUN_SETTABLE = ['type', 'pi', 'vnetHdr', 'multiQueue', 'persist', 'owner', 'group'] as const;

/** true / false, or the 1 / 0 a decoded TunData holds. */
function checkSwitch(x: unknown, field: string): boolean {
  if (x === 1 || x === 0) return x === 1;
  return checkBool(x, field);
}

/** A tun link's kind data, checked, as the options of `tuntap.create` (without name and namespace). */
export function tunCreateOptions(data: Obj | undefined): Omit<TuntapCreateOptions, 'name' | 'netns'> {
  const d = data === undefined ? {} : checkObject(data, 'data');
  for (const k in d) {
    if (d[k] !== undefined && !(TUN_SETTABLE as readonly string[]).includes(k)) {
      throw new TypeError(`data.${k}: not settable on tun links (${TUN_SETTABLE.join(', ')})`);
    }
  }
  // TunData decodes type as the kernel's IFF_TUN (1) / IFF_TAP (2).
  const type = d.type === undefined ? 'tun' : d.type === 1 ? 'tun' : d.type === 2 ? 'tap' : checkName(d.type, 'data.type', ['tun', 'tap'] as const);
  const out: Omit<TuntapCreateOptions, 'name' | 'netns'> = { mode: type };
  if (d.pi !== undefined) out.pi = checkSwitch(d.pi, 'data.pi');
  if (d.vnetHdr !== undefined) out.vnetHdr = checkSwitch(d.vnetHdr, 'data.vnetHdr');
  if (d.multiQueue !== undefined) out.multiQueue = checkSwitch(d.multiQueue, 'data.multiQueue');
  // Nothing holds the device's fd once it is made: only a persistent device outlives the call.
  if (d.persist !== undefined && !checkSwitch(d.persist, 'data.persist'))
    throw new RangeError('data.persist: tun/tap links nlkit creates are persistent (nothing keeps their fd open)');
  if (d.owner !== undefined) out.owner = checkInteger(d.owner, 'data.owner', 0, 0xfffffffe);
  if (d.group !== undefined) out.group = checkInteger(d.group, 'data.group', 0, 0xfffffffe);
  return out;
}

/** The first option of `wanted` an existing tun link's data differs in, or undefined when they agree. */
export function tunDataMismatch(existing: Obj | undefined, wanted: Omit<TuntapCreateOptions, 'name' | 'netns'>): string | undefined {
  const have = existing ?? {};
  const bit = (v: unknown): boolean => v === 1 || v === true;
  if ((have.type === IFF_TAP ? 'tap' : 'tun') !== wanted.mode) return 'type';
  for (const k of ['pi', 'vnetHdr', 'multiQueue'] as const) if (wanted[k] !== undefined && bit(have[k]) !== wanted[k]) return k;
  for (const k of ['owner', 'group'] as const) if (wanted[k] !== undefined && have[k] !== wanted[k]) return k;
  return undefined;
}

/** nlmsg flags of each link write. */
export const LINK_WRITE_FLAGS = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  // rtnl_newlink changes an existing link unless NLM_F_EXCL; NLM_F_REPLACE is refused.
  replace: NLM_F_CREATE,
  change: 0,
} as const;

/** Does a link pass a filter (the part the kernel did not apply)? */
export function linkMatches(l: Link, f: LinkFilter, master: number | undefined): boolean {
  if (f.kind !== undefined && l.kind !== f.kind) return false;
  if (master !== undefined && l.master !== master) return false;
  if (f.name !== undefined && l.name !== f.name) return false;
  if (f.up !== undefined && l.flags.includes('UP') !== f.up) return false;
  return true;
}

/** Identity of a link in a live view. */
export function linkKey(l: Link): string {
  return String(l.index);
}
