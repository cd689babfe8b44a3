// The packet streams under nflog and nfqueue. Both subsystems send their
// packets by unicast to the port that bound the log group or queue
// (nfnetlink_unicast() in net/netfilter/nfnetlink_log.c and
// nfnetlink_queue.c), not by multicast: a socket's subscriptions never see
// them, they arrive as messages that answer no request. This routes them by
// nfgenmsg.res_id (the group or queue number) to one bounded Subscription
// queue per group, so the usual rules hold: a full queue stops the socket
// reading (the kernel's buffer, then the group's own limits, absorb the
// rest) and the kernel's drops (ENOBUFS) come in-band as overrun markers.
import { NLMSG_HDRLEN } from '../../core/align.js';
import { NLMSG_DONE, NLMSG_ERROR } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import type { NetlinkSocket } from '../../io/socket.js';
import { Subscription, type SubscribeOptions } from '../../io/subscription.js';
import type { FamilySpec } from '../../schema/model.js';
import type { ConntrackAttrs } from '../generated/conntrack.js';
import { conntrackFamily } from './families.js';
import { toConntrackEntry, type ConntrackEntry } from './conntrack.js';

/**
 * @internal Routes the unicast packet messages of one nfnetlink subsystem
 * on one socket to a queue per group (nfgenmsg.res_id).
 */
export class PacketRouter {
  private readonly routes = new Map<number, Subscription<MessageView>>();
  private overruns: number;
  private truncated: number;

  constructor(
    private readonly socket: NetlinkSocket,
    /** nlmsg_type of the subsystem's packet message ((subsystem << 8) | 0). */
    private readonly packetType: number,
    /** Called with NLMSG_ERROR messages that answer no request (errors of unacknowledged messages). */
    private readonly onError: (msg: MessageView) => void,
  ) {
    const stats = socket.stats;
    this.overruns = stats.overruns;
    this.truncated = stats.truncated;
    socket.onIncoming((msg) => this.onMessage(msg));
  }

  /** True when the group has an open queue. */
  has(id: number): boolean {
    return this.routes.has(id);
  }

  /** Opens the queue of a group. */
  open(id: number, options: SubscribeOptions): Subscription<MessageView> {
    // A Subscription of no multicast group: the router pushes into it.
    const sub = new Subscription<MessageView>(this.socket, [], options);
    this.routes.set(id, sub);
    return sub;
  }

  /** Closes a group's queue and forgets it. */
  close(id: number, sub: Subscription<MessageView>): void {
    sub.close();
    this.forget(id, sub);
  }

  /** Forgets a group's queue (one that ended by itself keeps its error for the reader); the socket reads on if that queue had stopped it. */
  forget(id: number, sub: Subscription<MessageView>): void {
    if (this.routes.get(id) === sub) this.routes.delete(id);
    // The socket does not know this subscription (it joined no group), so
    // it would not lift the pause the subscription asked for.
    this.socket.setPaused(sub, false);
  }

  private onMessage(msg: MessageView): void {
    // The socket counts the drops and truncations it saw before this message
    // (the same batch hands them over in order): mark them in every queue.
    const stats = this.socket.stats;
    if (stats.overruns !== this.overruns) {
      // The socket counts a truncation as an overrun too.
      const truncations = stats.truncated - this.truncated;
      const drops = stats.overruns - this.overruns - truncations;
      this.overruns = stats.overruns;
      this.truncated = stats.truncated;
      for (const sub of this.routes.values()) {
        if (drops > 0) sub.pushOverrun(false);
        if (truncations > 0) sub.pushOverrun(true);
      }
    }
    const type = msg.type;
    if (type === NLMSG_ERROR) {
      this.onError(msg);
      return;
    }
    // A batch of several log messages ends with NLMSG_DONE (__nfulnl_send()).
    if (type === NLMSG_DONE || type !== this.packetType) return;
    if (msg.length < NLMSG_HDRLEN + 4) {
      // No res_id to route by: every queue hears of it, as a decode error.
      for (const sub of this.routes.values()) sub.push(msg);
      return;
    }
    const id = msg.dv.getUint16(msg.offset + NLMSG_HDRLEN + 2, false);
    this.routes.get(id)?.push(msg);
  }

  /** Closes every queue and stops listening. */
  closeAll(): void {
    for (const [id, sub] of [...this.routes]) this.close(id, sub);
    if (!this.socket.closed) this.socket.onIncoming(undefined);
  }
}

// ---- what nflog and nfqueue packets share -----------------------------------

/** Protocol family of a packet (nfgenmsg.nfgen_family, NFPROTO_*), by name where it has one. */
export type PacketFamily = 'ipv4' | 'ipv6' | 'arp' | 'bridge' | 'netdev' | 'inet' | number;

/** A hook of the ip, ip6, inet and bridge families, by its nft name. */
export type PacketHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress';

/** When the packet arrived (the skb's timestamp), when the kernel has one. */
export interface PacketTimestamp {
  /** Seconds since the epoch. */
  seconds: number;
  /** Microseconds within the second. */
  microseconds: number;
}

/** The packet's VLAN tag, when it had one (on bridges and ingress). */
export interface PacketVlan {
  /** Tag protocol (0x8100, 0x88a8). */
  proto: number;
  /** Tag control information: priority, DEI and VLAN id. */
  tci: number;
}

/** The fields of a logged or queued packet. */
export interface PacketFields {
  /** Protocol family of the rule that sent it. */
  family: PacketFamily;
  /** Hook it was logged or queued at: a name for the ip, ip6, inet and bridge families, else its number. */
  hook: PacketHook | number;
  /** Link layer protocol (ETH_P_IP 0x0800, ETH_P_IPV6 0x86dd ...). */
  hwProtocol: number;
  /** Packet mark (0 when none). */
  mark: number;
  /** Arrival time, when known. */
  timestamp?: PacketTimestamp;
  /** Index of the interface it came in on. */
  indev?: number;
  /** Index of the interface it goes out on. */
  outdev?: number;
  /** Bridge port it came in on. */
  physindev?: number;
  /** Bridge port it goes out on. */
  physoutdev?: number;
  /** Source link layer address as text (aa:bb:cc:dd:ee:ff). */
  hwAddr?: string;
  /** Owner of the local socket the packet belongs to. */
  uid?: number;
  /** Group of that socket. */
  gid?: number;
  /** The packet from its network header on (a view into the receive buffer, not a copy), up to the copy range. */
  payload?: Uint8Array;
  /** The packet's connection (when conntrack information was asked for). */
  conntrack?: ConntrackEntry;
  /** How the packet relates to its connection ('new', 'established', 'related', ... or a number). */
  ctInfo?: string | number;
  /** VLAN tag. */
  vlan?: PacketVlan;
  /** Link layer header of a bridged packet (a view). */
  l2hdr?: Uint8Array;
}

/** The attributes nflog's and nfqueue's packet messages share, as their generated codecs decode them. */
export interface PacketAttributes {
  'nfgen-family'?: number | undefined;
  mark?: number | undefined;
  timestamp?: { sec: bigint | undefined; usec: bigint | undefined } | undefined;
  'ifindex-indev'?: number | undefined;
  'ifindex-outdev'?: number | undefined;
  'ifindex-physindev'?: number | undefined;
  'ifindex-physoutdev'?: number | undefined;
  hwaddr?: { 'hw-addrlen': number | undefined; 'hw-addr': Uint8Array | undefined } | undefined;
  payload?: Uint8Array | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
  ct?: Uint8Array | undefined;
  'ct-info'?: string | number | undefined;
  vlan?: { proto: number | undefined; tci: number | undefined } | undefined;
  l2hdr?: Uint8Array | undefined;
}

const FAMILY_NAMES: Record<number, PacketFamily> = { 1: 'inet', 2: 'ipv4', 3: 'arp', 5: 'netdev', 7: 'bridge', 10: 'ipv6' };
// Families whose hook numbers are NF_INET_* (include/uapi/linux/netfilter.h);
// NF_BR_* (netfilter_bridge.h) has the same order up to post-routing, then
// NF_BR_BROUTING where NF_INET_INGRESS is: that one stays a number.
const INET_HOOK_FAMILIES = new Set([1, 2, 10]);
const NFPROTO_BRIDGE = 7;
const NF_BR_POST_ROUTING = 4;

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** @internal The fields both subsystems share, from a decoded packet message. */
export function packetFields(
  m: PacketAttributes,
  header: { hook?: number | undefined; 'hw-protocol'?: number | undefined } | undefined,
  hookNames: ReadonlyMap<number, string>,
): PacketFields {
  const fam = m['nfgen-family'] ?? 0;
  const hookNumber = header?.hook ?? 0;
  const named = INET_HOOK_FAMILIES.has(fam) || (fam === NFPROTO_BRIDGE && hookNumber <= NF_BR_POST_ROUTING);
  const hook = named ? ((hookNames.get(hookNumber) as PacketHook | undefined) ?? hookNumber) : hookNumber;
  const out: PacketFields = { family: FAMILY_NAMES[fam] ?? fam, hook, hwProtocol: header?.['hw-protocol'] ?? 0, mark: m.mark ?? 0 };
  const ts = m.timestamp;
  if (ts?.sec !== undefined && ts.usec !== undefined) out.timestamp = { seconds: Number(ts.sec), microseconds: Number(ts.usec) };
  if (m['ifindex-indev'] !== undefined) out.indev = m['ifindex-indev'];
  if (m['ifindex-outdev'] !== undefined) out.outdev = m['ifindex-outdev'];
  if (m['ifindex-physindev'] !== undefined) out.physindev = m['ifindex-physindev'];
  if (m['ifindex-physoutdev'] !== undefined) out.physoutdev = m['ifindex-physoutdev'];
  const hw = m.hwaddr;
  if (hw?.['hw-addr'] !== undefined) {
    const len = Math.min(hw['hw-addrlen'] ?? 0, hw['hw-addr'].length);
    out.hwAddr = Array.from(hw['hw-addr'].subarray(0, len), hex2).join(':');
  }
  if (m.uid !== undefined) out.uid = m.uid;
  if (m.gid !== undefined) out.gid = m.gid;
  if (m.payload !== undefined) out.payload = m.payload;
  if (m.ct !== undefined) out.conntrack = conntrackOf(m.ct, fam);
  if (m['ct-info'] !== undefined) out.ctInfo = m['ct-info'];
  if (m.vlan !== undefined) out.vlan = { proto: m.vlan.proto ?? 0, tci: m.vlan.tci ?? 0 };
  if (m.l2hdr !== undefined) out.l2hdr = m.l2hdr;
  return out;
}

/** The conntrack attributes nested in a packet message, decoded by the conntrack family's codec. */
function conntrackOf(bytes: Uint8Array, family: number): ConntrackEntry {
  const set = conntrackFamily.get().sets.get('conntrack-attrs')!;
  return toConntrackEntry({ ...(set.decode(bytes) as unknown as ConntrackAttrs), 'nfgen-family': family });
}

/** @internal Value -> name of a spec enum (the hook names both specs define). */
export function enumNames(spec: FamilySpec, name: string): ReadonlyMap<number, string> {
  const d = spec.definitions.find((x) => x.name === name);
  return new Map(d && d.kind !== 'const' && d.kind !== 'struct' ? d.entries.map((e) => [e.value, e.name] as const) : []);
}
