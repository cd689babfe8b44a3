// nfnetlink (NETLINK_NETFILTER) helpers for the netlink-raw families of the
// kernel's specs (conntrack, nftables). Their messages carry a struct
// nfgenmsg and an nlmsg_type of (subsystem << 8) | message, both of which the
// specs already describe; what they do not describe is the transaction that
// nftables changes need: NFNL_MSG_BATCH_BEGIN, the changes, NFNL_MSG_BATCH_END
// in one datagram, applied all or nothing (net/netfilter/nfnetlink.c,
// nfnetlink_rcv_batch()).
import { NetlinkError } from '../../core/errors.js';
import type { CallOptions } from '../../io/socket.js';
import type { DecodedMessage } from '../../schema/family.js';
import type { BatchMessage, FamilyClient } from '../client.js';

// nfnetlink constants (include/uapi/linux/netfilter/nfnetlink.h, netfilter.h), from the
// generated constants (overlays/nftables.yaml names them).
import {
  NFNETLINK_V0,
  NFNL_MSG_BATCH_BEGIN,
  NFNL_MSG_BATCH_END,
  NFNL_SUBSYS_CTNETLINK,
  NFNL_SUBSYS_CTNETLINK_EXP,
  NFNL_SUBSYS_NFTABLES,
  NFNL_SUBSYS_QUEUE,
  NFNL_SUBSYS_ULOG,
  NFPROTO_ARP,
  NFPROTO_BRIDGE,
  NFPROTO_INET,
  NFPROTO_IPV4,
  NFPROTO_IPV6,
  NFPROTO_NETDEV,
  NFPROTO_UNSPEC,
} from '../generated/nftables.constants.js';
export { NFNETLINK_V0, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NFNL_SUBSYS_CTNETLINK, NFNL_SUBSYS_CTNETLINK_EXP, NFNL_SUBSYS_NFTABLES, NFNL_SUBSYS_QUEUE, NFNL_SUBSYS_ULOG };

/** Protocol families of nfgenmsg.nfgen_family (NFPROTO_*, include/uapi/linux/netfilter.h). */
export const NFPROTO = {
  /** Unspecified: every family. */
  unspec: NFPROTO_UNSPEC,
  /** IPv4 and IPv6 together (nftables inet tables). */
  inet: NFPROTO_INET,
  /** IPv4. */
  ipv4: NFPROTO_IPV4,
  /** ARP. */
  arp: NFPROTO_ARP,
  /** One network device's ingress and egress (nftables netdev tables). */
  netdev: NFPROTO_NETDEV,
  /** Bridged frames. */
  bridge: NFPROTO_BRIDGE,
  /** IPv6. */
  ipv6: NFPROTO_IPV6,
} as const;

/** Options of {@link transaction}. */
export interface TransactionOptions extends CallOptions {
  /** Subsystem the batch is for (nfgenmsg.res_id of batch-begin). Default NFNL_SUBSYS_NFTABLES. */
  subsystem?: number;
  /**
   * Ruleset generation the changes were computed against: the kernel refuses
   * the batch with ERESTART when the ruleset changed since (NFNL_BATCH_GENID).
   */
  genid?: number;
}

/** The replies of a transaction: one array per message given (NLM_F_ECHO asks for the created objects). */
export type TransactionReplies = DecodedMessage[][];

/**
 * Runs messages as one nfnetlink transaction: batch-begin, the messages and
 * batch-end go out in one datagram and the kernel applies all of them or
 * none. The client's family must define the batch-begin and batch-end
 * operations (nftables does). Every message is acknowledged; when the kernel
 * rejects one, the NetlinkError names its operation, carries its position in
 * `messages` as `batchIndex`, and the extended ack's attribute path. A
 * failure of the commit itself has no batchIndex.
 *
 * ```ts
 * await transaction(client, [
 *   { op: 'newtable', value: { 'nfgen-family': NFPROTO.inet, name: 'filter' }, flags: NLM_F_CREATE },
 * ]);
 * ```
 */
export async function transaction(client: FamilyClient, messages: readonly BatchMessage[], options: TransactionOptions = {}): Promise<TransactionReplies> {
  if (!Array.isArray(messages) || messages.length === 0) throw new TypeError('messages must be a non-empty array of { op, value?, flags? }');
  const ops = client.family.ops as Record<string, unknown>;
  if (!ops['batch-begin'] || !ops['batch-end'])
    throw new TypeError(`${client.family.name} has no batch-begin / batch-end operations: transactions are for nfnetlink families such as nftables`);
  const { subsystem = NFNL_SUBSYS_NFTABLES, genid, ...call } = options;
  if (!Number.isInteger(subsystem) || subsystem < 0 || subsystem > 0xffff) throw new RangeError(`subsystem must be a 16-bit integer, got ${String(subsystem)}`);
  if (genid !== undefined && (!Number.isInteger(genid) || genid < 0 || genid > 0xffffffff)) throw new RangeError(`genid must be a 32-bit integer, got ${String(genid)}`);
  const frame = { 'nfgen-family': NFPROTO.unspec, version: NFNETLINK_V0, 'res-id': subsystem, ...(genid !== undefined ? { genid } : {}) };
  // Begin and end go without NLM_F_ACK: kernels before 6.10 never acknowledge
  // them, and the acks of the messages inside come only after the commit.
  const all: BatchMessage[] = [{ op: 'batch-begin', value: frame, ack: false }, ...messages, { op: 'batch-end', value: frame, ack: false }];
  try {
    const replies = await client.batch(all, call);
    return replies.slice(1, -1);
  } catch (err) {
    const e = err as NetlinkError & { batchIndex?: number };
    if (e instanceof NetlinkError && e.batchIndex !== undefined) {
      // The batch framing failed (a commit failure is reported against batch-begin): no index in `messages`.
      if (e.batchIndex === 0 || e.batchIndex === all.length - 1) delete e.batchIndex;
      else e.batchIndex -= 1;
    }
    throw err;
  }
}
export { loadConntrackFamily, loadIpsetFamily, loadNflogFamily, loadNfqueueFamily, loadNftablesFamily } from './families.js';
export * from './conntrack.js';
export * from './ipset.js';
export * from './nftables.js';
export * from './nflog.js';
export * from './nfqueue.js';
export type { PacketFields, PacketFamily, PacketHook, PacketTimestamp, PacketVlan } from './nflog-stream.js';
