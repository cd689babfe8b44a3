// nfnetlink_log (NFNL_SUBSYS_ULOG): packets that netfilter rules log to a
// group (nft `log group N`, iptables NFLOG), as async iterators of typed
// packets on the generated nflog module (specs/nflog.yaml). Kernel behaviour
// cited from net/netfilter/nfnetlink_log.c.
//
// Requests leave nfgenmsg's family and version out: they encode as 0,
// AF_UNSPEC and NFNETLINK_V0, as libnetfilter_log sends them.
import { checkInteger, checkU32, describe } from '../../core/check.js';
import { NLM_F_REQUEST } from '../../core/constants.js';
import { NetlinkDecodeError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { DecodedSubscription, type MalformedHandler } from '../../io/decoded.js';
import type { CallOptions, NetlinkSocket, OpenOptions } from '../../io/socket.js';
import type { SubscribeOptions, Subscription } from '../../io/subscription.js';
import { FamilyClient } from '../client.js';
import { MessageWriter } from '../../core/writer.js';
import type { ConfigAttrsInput, NfulnlCfgFlags, NfulnlCopyMode, PacketAttrs } from '../generated/nflog.js';
import { loadNflogFamily, nflogFamily, type NflogFamilyModule } from './families.js';
import { enumNames, packetFields, PacketRouter, type PacketFields } from './nflog-stream.js';

/** A per-group option of nfnetlink_log (NFULNL_CFG_F_*): 'seq', 'seq-global' or 'conntrack'. */
export type NflogFlag = NfulnlCfgFlags;

/** How much of each packet a message carries: 'none', 'meta' (no payload) or 'packet'. */
export type NflogCopyMode = NfulnlCopyMode;

/** A logged packet. */
export interface NflogPacket extends PacketFields {
  /** The log group it was sent to. */
  group: number;
  /** The log rule's prefix ('' when it has none). */
  prefix: string;
  /** Device type of the input interface (ARPHRD_*), when known. */
  hwType?: number;
  /** Link layer header, when the input interface has one (a view). */
  hwHeader?: Uint8Array;
  /** Sequence number within the group (flag 'seq'). */
  seq?: number;
  /** Sequence number across every group (flag 'seq-global'). */
  seqGlobal?: number;
}

/** What a log group can be configured with (see {@link NflogSocket.configure}). */
export interface NflogConfigOptions {
  /** 'packet' (default), 'meta' (no payload) or 'none'. */
  copyMode?: NflogCopyMode;
  /** Bytes of each packet to copy, 1..65535 (default: all of it; a rule's snaplen wins). */
  copyRange?: number;
  /** Per-group options: 'seq', 'seq-global', 'conntrack' (refused with EOPNOTSUPP by kernels without CONFIG_NETFILTER_NETLINK_GLUE_CT). */
  flags?: readonly NflogFlag[];
  /** Packets the kernel gathers before it sends them (default 100; 1 sends each at once). */
  qthresh?: number;
  /** Longest the kernel holds gathered packets, in 1/100 s (default 100). */
  timeout?: number;
  /** Size of the kernel's gathering buffer in bytes (default one page-sized message). */
  nlbufsiz?: number;
}

/** Options of {@link NflogSocket.subscribe}. */
export interface NflogSubscribeOptions extends NflogConfigOptions, SubscribeOptions {
  /** Called with a packet message that does not decode, which is then skipped; without it the iterator throws. */
  onMalformed?: MalformedHandler<MessageView>;
}

let hookNames: ReadonlyMap<number, string> | undefined;
/** The spec's hook names (built on first use: the family is loaded by then). */
function hooks(): ReadonlyMap<number, string> {
  return (hookNames ??= enumNames(nflogFamily.get().spec, 'nf-inet-hooks'));
}
const COPY_MODES: readonly NflogCopyMode[] = ['none', 'meta', 'packet'];
const FLAGS: readonly NflogFlag[] = ['seq', 'seq-global', 'conntrack'];

/** The config attributes of the options, checked (TypeError / RangeError naming the option). */
function configValue(options: NflogConfigOptions): ConfigAttrsInput {
  if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describe(options)}`);
  const { copyMode, copyRange, flags, qthresh, timeout, nlbufsiz } = options;
  if (copyMode !== undefined && !COPY_MODES.includes(copyMode)) throw new RangeError(`copyMode: expected one of ${COPY_MODES.join(', ')}, got ${describe(copyMode)}`);
  if (copyRange !== undefined) checkInteger(copyRange, 'copyRange', 1, 0xffff);
  if (flags !== undefined) {
    if (!Array.isArray(flags)) throw new TypeError(`flags: expected an array of ${FLAGS.join(', ')}, got ${describe(flags)}`);
    for (const f of flags as readonly unknown[]) if (!FLAGS.includes(f as NflogFlag)) throw new RangeError(`flags: unknown flag ${describe(f)} (flags: ${FLAGS.join(', ')})`);
  }
  const out: ConfigAttrsInput = {};
  // Without a mode the kernel keeps the group's (a new group copies whole packets).
  if (copyMode !== undefined || copyRange !== undefined) out.mode = { 'copy-mode': copyMode ?? 'packet', 'copy-range': copyRange ?? 0xffff };
  if (flags !== undefined) out.flags = flags;
  if (qthresh !== undefined) out.qthresh = checkInteger(qthresh, 'qthresh', 1, 0xffffffff);
  if (timeout !== undefined) out.timeout = checkU32(timeout, 'timeout');
  if (nlbufsiz !== undefined) out.nlbufsiz = checkInteger(nlbufsiz, 'nlbufsiz', 1, 0xffffffff);
  return out;
}

/** Turns a decoded NFULNL_MSG_PACKET into a packet; needs the families loaded ({@link loadNflogFamily}, or an open NflogSocket). */
export function toNflogPacket(m: PacketAttrs & { 'nfgen-family'?: number | undefined; 'res-id'?: number | undefined }): NflogPacket {
  const base = packetFields(m, m['packet-hdr'], hooks());
  const out: NflogPacket = { group: m['res-id'] ?? 0, prefix: m.prefix ?? '', ...base };
  if (m.hwtype !== undefined) out.hwType = m.hwtype;
  if (m.hwheader !== undefined) out.hwHeader = m.hwheader;
  if (m.seq !== undefined) out.seq = m.seq;
  if (m['seq-global'] !== undefined) out.seqGlobal = m['seq-global'];
  return out;
}

/** Decodes one nflog packet message (NetlinkDecodeError on malformed bytes); needs the families loaded ({@link loadNflogFamily}, or an open NflogSocket). */
export function decodeNflogPacket(msg: MessageView): NflogPacket {
  const d = nflogFamily.get().decode(msg);
  if (d.name !== 'packet') throw new NetlinkDecodeError(`nflog: expected a packet message, got ${d.name}`, msg.offset, 'nflog');
  return toNflogPacket(d.msg as PacketAttrs);
}

/**
 * The packets of one log group, overruns in-band as `{ overrun: true }`.
 * The kernel's packets come by unicast, so the socket learns of a drop
 * (ENOBUFS) at its next read and the marker goes before the next packet it
 * holds. Closing it (or leaving a for-await loop) unbinds the group.
 */
export class NflogSubscription extends DecodedSubscription<MessageView, NflogPacket> {
  /** @internal */
  constructor(
    /** The log group. */
    readonly group: number,
    sub: Subscription<MessageView>,
    onMalformed: MalformedHandler<MessageView> | undefined,
    private readonly onClose: () => void,
  ) {
    super(sub, onMalformed);
  }

  /** Decodes one packet message. */
  protected decode(m: MessageView): NflogPacket {
    return decodeNflogPacket(m);
  }

  /** Unbinds the group and ends the iterator (idempotent). */
  override close(): void {
    super.close();
    this.onClose();
  }
}

/** Options of {@link NflogSocket.open}. */
export interface NflogSocketOptions extends OpenOptions {
  /** A NETLINK_NETFILTER socket to use instead of opening one (it stays open on close; the fake kernel's, in tests). */
  socket?: NetlinkSocket;
}

/**
 * A NETLINK_NETFILTER socket that receives the packets of log groups.
 *
 * ```ts
 * await using log = await NflogSocket.open({ netns: 'blue' });
 * for await (const p of await log.subscribe(5)) {
 *   if ('overrun' in p) console.log('lost some');
 *   else console.log(p.prefix, p.hook, p.indev, p.payload?.length);
 * }
 * ```
 */
export class NflogSocket implements AsyncDisposable {
  private readonly router: PacketRouter;
  private readonly subs = new Map<number, NflogSubscription>();

  private constructor(
    /** The generic client underneath (for the raw config operation). */
    readonly client: FamilyClient<NflogFamilyModule>,
  ) {
    // Errors of unacknowledged messages: only unbind on close sends any, and nothing waits for them.
    this.router = new PacketRouter(client.socket, client.family.ops.packet.replyValue!, () => {});
  }

  /** Opens a NETLINK_NETFILTER socket (in `netns` when given). */
  static async open(options: NflogSocketOptions = {}): Promise<NflogSocket> {
    return new NflogSocket(await FamilyClient.open(await loadNflogFamily(), options));
  }

  /**
   * Binds a log group to this socket and returns its packets. The kernel
   * gives a group to one socket at a time: binding another socket's group
   * fails with EPERM (nfulnl_recv_config()). Options are checked before
   * anything is sent.
   */
  async subscribe(group: number, options: NflogSubscribeOptions = {}): Promise<NflogSubscription> {
    checkInteger(group, 'group', 0, 0xffff);
    if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describe(options)}`);
    const { onMalformed, signal, maxQueue } = options;
    const config = configValue(options);
    if (onMalformed !== undefined && typeof onMalformed !== 'function') throw new TypeError(`onMalformed: expected a function, got ${describe(onMalformed)}`);
    if (this.router.has(group)) throw new RangeError(`group: ${group} is already subscribed on this socket`);
    const sub = this.router.open(group, { ...(signal ? { signal } : {}), ...(maxQueue !== undefined ? { maxQueue } : {}) });
    try {
      await this.client.do(
        'config',
        {
          'res-id': group,
          cmd: { command: 'bind' },
          ...config,
        },
        signal ? { signal } : {},
      );
    } catch (err) {
      this.router.close(group, sub);
      // An aborted bind may have been applied; unbinding a group this socket
      // does not hold is refused (ENODEV, EPERM) and changes nothing.
      this.sendUnbind(group);
      throw err;
    }
    const release = (): void => {
      signal?.removeEventListener('abort', release);
      if (this.subs.get(group) !== out) return;
      this.subs.delete(group);
      // An abort has failed the subscription already: forget it without
      // clearing the AbortError its reader is to get.
      this.router.forget(group, sub);
      this.sendUnbind(group);
    };
    const out: NflogSubscription = new NflogSubscription(group, sub, onMalformed, release);
    this.subs.set(group, out);
    signal?.addEventListener('abort', release, { once: true });
    return out;
  }

  // Not waited for: the group is free again once the kernel reads this, and
  // closing the socket frees it anyway (NETLINK_URELEASE destroys the instance).
  private sendUnbind(group: number): void {
    if (this.client.socket.closed) return;
    const w = this.client.family.ops.config.encodeRequest(new MessageWriter(64), { 'res-id': group, cmd: { command: 'unbind' } }, { flags: NLM_F_REQUEST });
    this.client.socket.send(w.finishCopy());
  }

  /** Changes a subscribed group's options (copy mode and range, flags, qthresh, timeout, nlbufsiz). */
  async configure(group: number, options: NflogConfigOptions, call: CallOptions = {}): Promise<void> {
    checkInteger(group, 'group', 0, 0xffff);
    if (!this.subs.has(group)) throw new RangeError(`group: ${group} is not subscribed on this socket`);
    const config = configValue(options);
    await this.client.do(
      'config',
      {
        'res-id': group,
        ...config,
      },
      call,
    );
  }

  /** Unbinds every group and closes the socket (idempotent). */
  close(): void {
    if (this.client.socket.closed) return;
    for (const sub of [...this.subs.values()]) sub.close();
    this.router.closeAll();
    this.client.close();
  }

  /** Closes the socket, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
