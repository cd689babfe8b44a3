// The bridge (PF_BRIDGE) over rtnetlink: forwarding database entries
// (AF_BRIDGE neighbours, rt-neigh), ports and their settings and VLANs (the
// bridge's view of links, specs/rt-bridge.yaml, with IFLA_PROTINFO decoded
// and written by rt-link's linkinfo-brport-attrs codec), and the multicast
// database (RTM_*MDB). Behaviour cited from net/bridge/br_netlink.c,
// br_fdb.c and br_mdb.c.
import { formatIPv4, formatIPv6, formatMac, parseIPv4, parseIPv6, parseMac } from '../../core/address.js';
import { checkInteger } from '../../core/check.js';
import { AF_BRIDGE, NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import { MessageWriter } from '../../core/writer.js';
import type { Family as SpecFamily } from '../../schema/family.js';
import type { Obj } from '../../schema/runtime.js';
import { FamilyClient } from '../client.js';
import type { CallOptions } from '../../io/socket.js';
import type { BridgeLinkAttrs, BrMdbEntry, BrPortMsg, Ifinfomsg, MdbaAttrs, MdbaMdbEattrAttrs } from '../generated/rt-bridge.js';
import { IFINFOMSG_SIZE, IFLA_PROTINFO, RTM_SETLINK } from '../generated/rt-bridge.constants.js';
import type { LinkinfoBrportAttrs, LinkinfoBrportAttrsInput } from '../generated/rt-link.js';
import { RTEXT_FILTER_BRVLAN, RTEXT_FILTER_VF } from '../generated/rt-link.constants.js';
import { checkObject } from './convert.js';

/** What the bridge client needs of a RouteClient. */
export interface BridgeContext {
  /** rt-link over the client's socket (its brport codec encodes port settings). */
  readonly link: FamilyClient;
  /** rt-neigh over the client's socket (forwarding entries are AF_BRIDGE neighbours). */
  readonly neigh: FamilyClient;
  /** Index of a link given by name or index. */
  resolveLink(x: unknown, field: string, options?: CallOptions): Promise<number>;
}

/** NUD states of forwarding entries, by the names bridge uses. */
export type FdbState = 'permanent' | 'static' | 'dynamic';

/** A forwarding database entry. */
export interface FdbEntry {
  /** The MAC address. */
  mac: string;
  /** Index of the port (or of the bridge, for its own addresses). */
  index: number;
  /** Index of the bridge (NDA_MASTER), for entries of the bridge's table. */
  master?: number;
  /** VLAN id (NDA_VLAN). */
  vlan?: number;
  /** Remote address of a VXLAN entry (NDA_DST). */
  dst?: string;
  /** 'permanent' (a local address), 'static' (added, never ages) or 'dynamic' (learned or added to age). */
  state: FdbState | number;
  /** NTF_* flags ('self', 'master', 'extern_learn', 'offloaded', 'sticky', 'router'). */
  flags: string[];
}

/** An entry to add, replace or delete. */
export interface FdbInput {
  /** The MAC address. */
  mac: string;
  /** Port (name or index). */
  dev: string | number;
  /** In the bridge's table (NTF_MASTER, the default) or the device's own (NTF_SELF). */
  table?: 'master' | 'self';
  /** Default 'static'. */
  state?: FdbState;
  /** VLAN id. */
  vlan?: number;
  /** Remote address (VXLAN devices). */
  dst?: string;
  /** Sticky: never moves to another port (NTF_STICKY). */
  sticky?: boolean;
}

/** A bridge port and its settings (IFLA_BRPORT_*, as rt-link's spec names them). */
export interface BridgePort {
  /** Index of the port. */
  index: number;
  /** Its name. */
  name: string;
  /** Index of the bridge. */
  master?: number;
  /** MTU. */
  mtu?: number;
  /** Link flags (IFF_*). */
  flags: number;
  /** STP state: 'disabled', 'listening', 'learning', 'forwarding', 'blocking' (or the number). */
  state?: string | number;
  /** The port's settings as the kernel reports them (priority, cost, learning, unicast-flood ...). */
  settings: LinkinfoBrportAttrs;
}

/** Settings to change on a port (only those given are sent). */
export type BridgePortSettings = LinkinfoBrportAttrsInput;

/** A VLAN of a port. */
export interface BridgeVlan {
  /** Index of the port (or bridge). */
  index: number;
  /** VLAN id (the first of a range). */
  vid: number;
  /** Last VLAN id of a range. */
  vidEnd?: number;
  /** The port's PVID. */
  pvid: boolean;
  /** Sent untagged. */
  untagged: boolean;
}

/** A VLAN to add or delete. */
export interface BridgeVlanInput {
  /** Port (or bridge, with `self`) name or index. */
  dev: string | number;
  /** VLAN id, 1..4094. */
  vid: number;
  /** Last id of a range. */
  vidEnd?: number;
  /** Make it the PVID. */
  pvid?: boolean;
  /** Egress untagged. */
  untagged?: boolean;
  /** On the bridge device itself (BRIDGE_FLAGS_SELF). */
  self?: boolean;
}

/** A multicast database entry. */
export interface MdbEntry {
  /** Index of the bridge. */
  bridge: number;
  /** Index of the port. */
  port: number;
  /** The group: an IPv4 or IPv6 address, or a MAC address. */
  group: string;
  /** Source of an (S, G) entry. */
  source?: string;
  /** 'permanent' or 'temporary'. */
  state: 'permanent' | 'temporary';
  /** VLAN id (0: none). */
  vid: number;
  /** Flags ('offload', 'fast-leave', 'star-excl', 'blocked'). */
  flags: string[];
  /** Time left in 1/100 s, for a temporary entry. */
  timer?: number;
}

/** An entry to add or delete. */
export interface MdbInput {
  /** The bridge (name or index). */
  bridge: string | number;
  /** The port (name or index). */
  port: string | number;
  /** The group: IPv4, IPv6 or MAC address. */
  group: string;
  /** Source address of an (S, G) entry. */
  source?: string;
  /** Default false (temporary: the bridge ages it). */
  permanent?: boolean;
  /** VLAN id. */
  vid?: number;
}

// ETH_P_IP / ETH_P_IPV6 (include/uapi/linux/if_ether.h): the group's protocol in struct br_mdb_entry; 0 is a MAC group.
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const STP_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

type LinkMessage = Ifinfomsg & BridgeLinkAttrs;
type MdbMessage = BrPortMsg & MdbaAttrs;

function fdbState(states: readonly (string | number)[]): FdbState | number {
  if (states.includes('permanent')) return 'permanent';
  if (states.includes('noarp')) return 'static';
  if (states.includes('reachable') || states.includes('stale')) return 'dynamic';
  return typeof states[0] === 'number' ? states[0] : 0;
}

function groupOf(e: BrMdbEntry): string {
  const a = e.addr ?? new Uint8Array(16);
  if (!e.proto) return formatMac(a.subarray(0, 6));
  return e.proto === ETH_P_IP ? formatIPv4(a) : formatIPv6(a);
}

function parseGroup(group: unknown): { addr: Uint8Array; proto: number } {
  if (typeof group !== 'string') throw new TypeError(`group must be an IPv4, IPv6 or MAC address, got ${typeof group}`);
  const addr = new Uint8Array(16);
  if (group.includes('.')) {
    addr.set(parseIPv4(group, 'group'));
    return { addr, proto: ETH_P_IP };
  }
  if (/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(group)) {
    addr.set(parseMac(group, 'group', 6));
    return { addr, proto: 0 };
  }
  return { addr: parseIPv6(group, 'group'), proto: ETH_P_IPV6 };
}

/** Bridge forwarding entries, ports, VLANs and the multicast database. */
export class BridgeClient {
  private bridgeFamily: Promise<FamilyClient> | undefined;

  /** @internal */
  constructor(private readonly ctx: BridgeContext) {}

  private bridgeClient(): Promise<FamilyClient> {
    this.bridgeFamily ??= import('../generated/rt-bridge.js').then((m) => FamilyClient.open(m.family as unknown as SpecFamily, { socket: this.ctx.link.socket }));
    return this.bridgeFamily;
  }

  private async brport(): Promise<{ decode(bytes: Uint8Array): Obj; encode(w: MessageWriter, v: Obj, path?: string): void }> {
    return this.ctx.link.family.sets.get('linkinfo-brport-attrs')!;
  }

  /** Forwarding database entries (of one port or bridge when given). */
  async fdb(filter: { dev?: string | number; bridge?: string | number } = {}, options: CallOptions = {}): Promise<FdbEntry[]> {
    checkObject(filter, 'filter');
    const req: Obj = { 'ndm-family': AF_BRIDGE, 'ndm-ifindex': 0 };
    if (filter.dev !== undefined) req['ndm-ifindex'] = await this.ctx.resolveLink(filter.dev, 'filter.dev', options);
    if (filter.bridge !== undefined) req.master = await this.ctx.resolveLink(filter.bridge, 'filter.bridge', options);
    const out: FdbEntry[] = [];
    for (const m of await this.ctx.neigh.dumpAll('getneigh', req as never, options)) {
      const n = m as Obj;
      if (n['ndm-family'] !== AF_BRIDGE || typeof n.lladdr !== 'string') continue;
      const e: FdbEntry = {
        mac: n.lladdr,
        index: n['ndm-ifindex'] as number,
        state: fdbState((n['ndm-state'] as (string | number)[]) ?? []),
        flags: ((n['ndm-flags'] as (string | number)[]) ?? []).map(String),
      };
      if (n.master !== undefined) e.master = n.master as number;
      if (n.vlan !== undefined) e.vlan = n.vlan as number;
      if (n.dst !== undefined) e.dst = typeof n.dst === 'string' ? n.dst : formatIPv4(n.dst as Uint8Array);
      out.push(e);
    }
    return out;
  }

  private async fdbWrite(op: 'newneigh' | 'delneigh', input: FdbInput, flags: number, options: CallOptions): Promise<void> {
    checkObject(input, 'entry');
    const mac = formatMac(parseMac(input.mac, 'entry.mac', 6));
    const index = await this.ctx.resolveLink(input.dev, 'entry.dev', options);
    const table = input.table ?? 'master';
    if (table !== 'master' && table !== 'self') throw new TypeError(`entry.table must be 'master' or 'self', got ${String(table)}`);
    const state = input.state ?? 'static';
    const states: Record<FdbState, string[]> = { permanent: ['permanent'], static: ['noarp'], dynamic: ['reachable'] };
    if (!(state in states)) throw new TypeError(`entry.state must be 'permanent', 'static' or 'dynamic', got ${String(state)}`);
    const value: Obj = { 'ndm-family': AF_BRIDGE, 'ndm-ifindex': index, 'ndm-state': states[state], 'ndm-flags': [table, ...(input.sticky ? ['sticky'] : [])], lladdr: mac };
    if (input.vlan !== undefined) value.vlan = checkInteger(input.vlan, 'entry.vlan', 0, 4095);
    if (input.dst !== undefined) value.dst = input.dst.includes(':') ? parseIPv6(input.dst, 'entry.dst') : parseIPv4(input.dst, 'entry.dst');
    await this.ctx.neigh.request(op as never, value as never, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | flags });
  }

  /** Adds a forwarding entry (EEXIST when there is one). */
  addFdb(input: FdbInput, options: CallOptions = {}): Promise<void> {
    return this.fdbWrite('newneigh', input, NLM_F_CREATE | NLM_F_EXCL, options);
  }

  /** Adds a forwarding entry or replaces the existing one. */
  replaceFdb(input: FdbInput, options: CallOptions = {}): Promise<void> {
    return this.fdbWrite('newneigh', input, NLM_F_CREATE | NLM_F_REPLACE, options);
  }

  /** Appends an entry (VXLAN: another remote for the same MAC). */
  appendFdb(input: FdbInput, options: CallOptions = {}): Promise<void> {
    return this.fdbWrite('newneigh', input, NLM_F_CREATE | NLM_F_APPEND, options);
  }

  /** Deletes a forwarding entry. */
  deleteFdb(input: FdbInput, options: CallOptions = {}): Promise<void> {
    return this.fdbWrite('delneigh', input, 0, options);
  }

  /** The ports of every bridge (or of one), with their settings. */
  async ports(filter: { bridge?: string | number } = {}, options: CallOptions = {}): Promise<BridgePort[]> {
    checkObject(filter, 'filter');
    const master = filter.bridge === undefined ? undefined : await this.ctx.resolveLink(filter.bridge, 'filter.bridge', options);
    const client = await this.bridgeClient();
    const codec = await this.brport();
    const out: BridgePort[] = [];
    for (const raw of await client.dumpAll('getlink', { 'ifi-family': AF_BRIDGE, 'ext-mask': RTEXT_FILTER_VF } as never, options)) {
      const m = raw as unknown as LinkMessage;
      if (m.protinfo === undefined || (master !== undefined && m.master !== master)) continue;
      const settings = (m.protinfo.length === 1 ? { state: m.protinfo[0] } : codec.decode(m.protinfo)) as unknown as LinkinfoBrportAttrs;
      const port: BridgePort = { index: m['ifi-index'] ?? 0, name: m.ifname ?? '', flags: m['ifi-flags'] ?? 0, settings };
      if (m.master !== undefined) port.master = m.master;
      if (m.mtu !== undefined) port.mtu = m.mtu;
      if (settings.state !== undefined) port.state = STP_STATES[settings.state] ?? settings.state;
      out.push(port);
    }
    return out;
  }

  /** Changes settings of a port (IFLA_PROTINFO: cost, priority, state, learning, unicast-flood ...). */
  async setPort(dev: string | number, settings: BridgePortSettings, options: CallOptions = {}): Promise<void> {
    checkObject(settings, 'settings');
    const index = await this.ctx.resolveLink(dev, 'dev', options);
    const codec = await this.brport();
    const client = await this.bridgeClient();
    const w = new MessageWriter();
    w.beginMessage(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
    w.setBytes(w.reserve(IFINFOMSG_SIZE), client.family.structs.get('ifinfomsg')!.encode({ 'ifi-family': AF_BRIDGE, 'ifi-index': index }));
    // Flagged nested: br_setlink() reads an unflagged IFLA_PROTINFO as the old one-byte STP state.
    const nest = w.nestStart(IFLA_PROTINFO);
    codec.encode(w, settings as Obj, 'settings');
    w.nestEnd(nest);
    w.endMessage();
    await this.ctx.link.socket.request(w.finishCopy(), options);
  }

  /** VLANs of every port and bridge (none where the kernel has no VLAN filtering). */
  async vlans(options: CallOptions = {}): Promise<BridgeVlan[]> {
    const client = await this.bridgeClient();
    const out: BridgeVlan[] = [];
    for (const raw of await client.dumpAll('getlink', { 'ifi-family': AF_BRIDGE, 'ext-mask': RTEXT_FILTER_BRVLAN } as never, options)) {
      const m = raw as unknown as LinkMessage;
      let start: number | undefined;
      for (const v of m['af-spec']?.['vlan-info'] ?? []) {
        const flags = v.flags ?? [];
        if (flags.includes('range-begin')) {
          start = v.vid;
          continue;
        }
        const entry: BridgeVlan = { index: m['ifi-index'] ?? 0, vid: start ?? v.vid ?? 0, pvid: flags.includes('pvid'), untagged: flags.includes('untagged') };
        if (start !== undefined) entry.vidEnd = v.vid ?? 0;
        start = undefined;
        out.push(entry);
      }
    }
    return out;
  }

  private async vlanWrite(op: 'setlink' | 'dellink', input: BridgeVlanInput, options: CallOptions): Promise<void> {
    checkObject(input, 'vlan');
    const index = await this.ctx.resolveLink(input.dev, 'vlan.dev', options);
    const vid = checkInteger(input.vid, 'vlan.vid', 1, 4094);
    const own = [...(input.pvid ? ['pvid'] : []), ...(input.untagged ? ['untagged'] : [])];
    let info: Obj[];
    if (input.vidEnd !== undefined) {
      const end = checkInteger(input.vidEnd, 'vlan.vidEnd', vid + 1, 4094);
      if (input.pvid) throw new RangeError('vlan.pvid cannot be set on a range');
      info = [
        { flags: ['range-begin', ...own], vid },
        { flags: ['range-end', ...own], vid: end },
      ];
    } else info = [{ flags: own, vid }];
    const client = await this.bridgeClient();
    await client.request(
      op as never,
      { 'ifi-family': AF_BRIDGE, 'ifi-index': index, 'af-spec': { ...(input.self ? { flags: ['self'] } : {}), 'vlan-info': info } } as never,
      options,
    );
  }

  /** Adds a VLAN to a port (EOPNOTSUPP where the kernel has no VLAN filtering). */
  addVlan(input: BridgeVlanInput, options: CallOptions = {}): Promise<void> {
    return this.vlanWrite('setlink', input, options);
  }

  /** Removes a VLAN from a port. */
  deleteVlan(input: BridgeVlanInput, options: CallOptions = {}): Promise<void> {
    return this.vlanWrite('dellink', input, options);
  }

  /** The multicast database of every bridge. */
  async mdb(options: CallOptions = {}): Promise<MdbEntry[]> {
    const client = await this.bridgeClient();
    const out: MdbEntry[] = [];
    for (const raw of await client.dumpAll('getmdb', { family: AF_BRIDGE } as never, options)) {
      const m = raw as unknown as MdbMessage;
      for (const entry of m.mdb?.entry ?? [])
        for (const e of entry.info ?? []) {
          const x = e as BrMdbEntry & Omit<MdbaMdbEattrAttrs, 'ifindex'>;
          const item: MdbEntry = {
            bridge: m.ifindex ?? 0,
            port: x.ifindex ?? 0,
            group: groupOf(x),
            state: x.state === 'permanent' ? 'permanent' : 'temporary',
            vid: x.vid ?? 0,
            flags: (x.flags ?? []).map(String),
          };
          if (x.source !== undefined) item.source = typeof x.source === 'string' ? x.source : x.source.length === 4 ? formatIPv4(x.source) : formatIPv6(x.source);
          if (x.timer !== undefined) item.timer = x.timer;
          out.push(item);
        }
    }
    return out;
  }

  private async mdbWrite(op: 'newmdb' | 'delmdb', input: MdbInput, flags: number, options: CallOptions): Promise<void> {
    checkObject(input, 'entry');
    const bridge = await this.ctx.resolveLink(input.bridge, 'entry.bridge', options);
    const port = await this.ctx.resolveLink(input.port, 'entry.port', options);
    const { addr, proto } = parseGroup(input.group);
    const vid = input.vid === undefined ? 0 : checkInteger(input.vid, 'entry.vid', 0, 4094);
    const value: Obj = { family: AF_BRIDGE, ifindex: bridge, entry: { ifindex: port, state: input.permanent ? 'permanent' : 'temporary', vid, addr, proto } };
    if (input.source !== undefined)
      value['entry-attrs'] = { source: input.source.includes(':') ? parseIPv6(input.source, 'entry.source') : parseIPv4(input.source, 'entry.source') };
    const client = await this.bridgeClient();
    await client.request(op as never, value as never, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | flags });
  }

  /** Adds a multicast group entry on a port. */
  addMdb(input: MdbInput, options: CallOptions = {}): Promise<void> {
    return this.mdbWrite('newmdb', input, NLM_F_CREATE | NLM_F_EXCL, options);
  }

  /** Deletes a multicast group entry. */
  deleteMdb(input: MdbInput, options: CallOptions = {}): Promise<void> {
    return this.mdbWrite('delmdb', input, 0, options);
  }
}
