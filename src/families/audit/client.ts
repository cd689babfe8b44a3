// AuditClient: the audit system's status and rules, and its log records as
// they are written, over NETLINK_AUDIT.
//
// The kernel answers AUDIT_GET, AUDIT_GET_FEATURE and AUDIT_LIST_RULES from
// a kernel thread that waits for the control lock audit_receive() holds
// while it acks the request (audit_send_reply(), audit_list_rules_send() in
// kernel/audit.c, kernel/auditfilter.c): the answer always comes after the
// acknowledgement, hence replyAfterAck.
//
// Records are read from the multicast group AUDIT_NLGRP_READLOG: it needs
// CAP_AUDIT_READ, takes nothing from auditd (which gets its unicast copy as
// before), and is fed from the initial network namespace only
// (audit_log_multicast() uses init_net's socket). Commands need
// CAP_AUDIT_CONTROL and a process in the initial user namespace
// (audit_netlink_ok()). So the client is host-only: it takes no netns.
import { HOST_LITTLE_ENDIAN, dataViewOf, encodeString } from '../../core/bytes.js';
import { NLMSG_HDRLEN } from '../../core/align.js';
import { Protocol } from '../../core/constants.js';
import { NetlinkDecodeError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { NetlinkSocket, type CallOptions } from '../../io/socket.js';
import { DecodedSubscription } from '../../io/decoded.js';
import {
  AUDIT_FEATURE_VERSION,
  AUDIT_FIRST_USER_MSG,
  AUDIT_FIRST_USER_MSG2,
  AUDIT_GET,
  AUDIT_GET_FEATURE,
  AUDIT_LAST_USER_MSG,
  AUDIT_LAST_USER_MSG2,
  AUDIT_LIST_RULES,
  AUDIT_NLGRP_READLOG,
  AUDIT_SET,
  AUDIT_USER,
} from './constants.js';
import { decodeAuditRecord, type AuditRecord } from './records.js';
import { decodeAuditRule, type AuditRule } from './rules.js';
import { AUDIT_FEATURES_SIZE, decodeAuditFeatures, decodeAuditStatus, encodeAuditStatusChange, type AuditFeatures, type AuditStatus, type AuditStatusChange } from './status.js';

const LE = HOST_LITTLE_ENDIAN;

/** Options of {@link AuditClient.open}. */
export interface AuditOpenOptions {
  /** Receive buffer in bytes (default nlkit's, 32 MiB where permitted). */
  rcvbuf?: number;
}

/** Options of {@link AuditClient.subscribe}. */
export interface AuditSubscribeOptions {
  /** Ends the iterator (it throws an AbortError). */
  signal?: AbortSignal;
  /** Records queued before the socket pauses reading (default 16384). */
  maxQueue?: number;
  /** Called for a message that is not a valid record, which is then skipped. Without it the iterator throws that NetlinkDecodeError and ends. */
  onMalformed?: (error: NetlinkDecodeError, message: MessageView) => void;
}

/** A netlink message of `type` with `payload` (sequence and port are stamped by request()). */
function message(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const length = NLMSG_HDRLEN + payload.length;
  const out = new Uint8Array((length + 3) & ~3);
  const dv = dataViewOf(out);
  dv.setUint32(0, length, LE);
  dv.setUint16(4, type, LE);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}

/** Picks the one reply of a request that expects exactly one. */
function only(replies: MessageView[], type: number, name: string): MessageView {
  const reply = replies.find((m) => m.type === type);
  if (!reply) throw new NetlinkDecodeError(`${name} got no ${name} reply (${replies.length} other messages)`, 0, name);
  return reply;
}

/** The audit system (host-only): status, features, rules, and the log records as they are written. */
export class AuditClient {
  private constructor(
    /** The underlying NETLINK_AUDIT socket. */
    readonly socket: NetlinkSocket,
  ) {}

  /** Opens a NETLINK_AUDIT socket in this process's (the initial) namespace. */
  static async open(options: AuditOpenOptions = {}): Promise<AuditClient> {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if ('netns' in options)
      throw new TypeError(
        'audit is host-only: records are multicast in the initial network namespace only, and commands are refused outside the initial user namespace (no netns option)',
      );
    const socket = await NetlinkSocket.open(Protocol.AUDIT, options.rcvbuf !== undefined ? { rcvbuf: options.rcvbuf } : {});
    return new AuditClient(socket);
  }

  /** Wraps a NETLINK_AUDIT socket opened elsewhere (a FakeKernel's in tests). */
  static fromSocket(socket: NetlinkSocket): AuditClient {
    if (!(socket instanceof NetlinkSocket)) throw new TypeError('socket must be a NetlinkSocket');
    if (socket.protocol !== Protocol.AUDIT) throw new TypeError('socket must be a NETLINK_AUDIT socket');
    return new AuditClient(socket);
  }

  /** The audit system's state (AUDIT_GET), the numbers `auditctl -s` prints. */
  async status(options: CallOptions = {}): Promise<AuditStatus> {
    const replies = await this.socket.request(message(AUDIT_GET), { ...options, name: 'AUDIT_GET', replyAfterAck: true });
    const reply = only(replies, AUDIT_GET, 'AUDIT_GET');
    return decodeAuditStatus(reply.payload, NLMSG_HDRLEN);
  }

  /**
   * Changes the audit system's settings (AUDIT_SET): only the fields given.
   * Needs CAP_AUDIT_CONTROL; a locked configuration (enabled 2) refuses with
   * EPERM. This changes the whole host's auditing.
   */
  async setStatus(change: AuditStatusChange, options: CallOptions = {}): Promise<void> {
    const payload = encodeAuditStatusChange(change);
    await this.socket.request(message(AUDIT_SET, payload), { ...options, name: 'AUDIT_SET' });
  }

  /** The kernel's audit features (AUDIT_GET_FEATURE): loginuid_immutable and its lock, as `auditctl -s` prints them. */
  async features(options: CallOptions = {}): Promise<AuditFeatures> {
    const request = new Uint8Array(AUDIT_FEATURES_SIZE);
    dataViewOf(request).setUint32(0, AUDIT_FEATURE_VERSION, LE);
    const replies = await this.socket.request(message(AUDIT_GET_FEATURE, request), { ...options, name: 'AUDIT_GET_FEATURE', replyAfterAck: true });
    const reply = only(replies, AUDIT_GET_FEATURE, 'AUDIT_GET_FEATURE');
    return decodeAuditFeatures(reply.payload, NLMSG_HDRLEN);
  }

  /** The rules loaded (AUDIT_LIST_RULES), in the kernel's order, as `auditctl -l` lists them. */
  async rules(options: CallOptions = {}): Promise<AuditRule[]> {
    const replies = await this.socket.request(message(AUDIT_LIST_RULES), { ...options, name: 'AUDIT_LIST_RULES', replyAfterAck: true });
    return replies.filter((m) => m.type === AUDIT_LIST_RULES).map((m) => decodeAuditRule(m.payload, NLMSG_HDRLEN));
  }

  /**
   * Writes a user-space record (AUDIT_USER_* types 1100-1199, 2100-2999;
   * default AUDIT_USER) with `text`, as auditctl -m does. Needs
   * CAP_AUDIT_WRITE. While auditing is off the kernel drops every type but
   * USER_AVC (1107) after acknowledging it.
   */
  async userMessage(text: string, options: CallOptions & { type?: number } = {}): Promise<void> {
    if (typeof text !== 'string') throw new TypeError('text must be a string');
    const { type = AUDIT_USER, ...call } = options;
    const userType = type === AUDIT_USER || (type >= AUDIT_FIRST_USER_MSG && type <= AUDIT_LAST_USER_MSG) || (type >= AUDIT_FIRST_USER_MSG2 && type <= AUDIT_LAST_USER_MSG2);
    if (!Number.isInteger(type) || !userType) throw new RangeError(`type must be a user message type (1005, 1100-1199, 2100-2999), got ${String(type)}`);
    const bytes = encodeString(text);
    const payload = new Uint8Array(bytes.length + 1);
    payload.set(bytes);
    await this.socket.request(message(type, payload), { ...call, name: 'AUDIT_USER' });
  }

  /** Log records as the kernel writes them (group AUDIT_NLGRP_READLOG; needs CAP_AUDIT_READ), overruns in-band. */
  subscribe(options: AuditSubscribeOptions = {}): AuditRecordSubscription {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if (options.onMalformed !== undefined && typeof options.onMalformed !== 'function') throw new TypeError('onMalformed must be a function');
    const sub = this.socket.subscribe(AUDIT_NLGRP_READLOG, {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
    });
    return new AuditRecordSubscription(sub, options.onMalformed);
  }

  /** The event stream: the same as {@link AuditClient.subscribe}. */
  events(options: AuditSubscribeOptions = {}): AuditRecordSubscription {
    return this.subscribe(options);
  }

  /** Closes the socket: pending requests reject, subscriptions end. Idempotent. */
  close(): void {
    this.socket.close();
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.socket.closed;
  }

  /** Closes the client, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** Audit records with overruns in-band. Leaving a for-await loop ends it (the client stays open). */
export class AuditRecordSubscription extends DecodedSubscription<MessageView, AuditRecord> {
  /** Decodes one item (undefined: skip it). */
  protected decode(m: MessageView): AuditRecord {
    return decodeAuditRecord(m);
  }
}
