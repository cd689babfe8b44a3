// nfnetlink_queue (NFNL_SUBSYS_QUEUE): packets that netfilter rules queue
// (nft `queue num N`, iptables NFQUEUE) wait in the kernel until this socket
// gives each a verdict. Typed on the generated nfqueue module
// (specs/nfqueue.yaml); kernel behaviour cited from net/netfilter/nfnetlink_queue.c.
//
// Verdicts go out unacknowledged, as libnetfilter_queue sends them: an
// acknowledged verdict would make the socket read on while the packet queue
// is full (a request waits for its answer), which defeats the backpressure.
// The kernel still answers a verdict it rejects with an error message; its
// sequence number is the packet id, so the error names the packet.
//
// Requests leave nfgenmsg's family and version out: they encode as 0,
// AF_UNSPEC and NFNETLINK_V0, as libnetfilter_queue sends them.
import { checkBool, checkInteger, checkU32, describe } from '../../core/check.js';
import { parseErrorMessage } from '../../core/ack.js';
import { NLM_F_REQUEST } from '../../core/constants.js';
import { NetlinkDecodeError, NetlinkError, NlkitError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import { DecodedSubscription, type MalformedHandler } from '../../io/decoded.js';
import type { NetlinkSocket, OpenOptions } from '../../io/socket.js';
import type { SubscribeOptions, Subscription } from '../../io/subscription.js';
import { FamilyClient } from '../client.js';
import type { ConfigAttrsInput, NfqaCfgFlags, NfqaSkbFlags, NfqnlConfigMode, PacketAttrs, PacketAttrsInput } from '../generated/nfqueue.js';
import { loadNfqueueFamily, nfqueueFamily, type NfqueueFamilyModule } from './families.js';
import { enumNames, packetFields, PacketRouter, type PacketFields } from './nflog-stream.js';

/** Verdicts a packet can get: let it go on, drop it, or run it through its hook again. */
export type NfqueueVerdict = 'accept' | 'drop' | 'repeat';

/** How much of each packet a queued message carries: 'none', 'meta' (no payload) or 'packet'. */
export type NfqueueCopyMode = NfqnlConfigMode;

/** Checksum and GSO state of a queued packet (NFQA_SKB_*). */
export type NfqueueSkbFlag = NfqaSkbFlags;

/** What a verdict can change besides letting the packet go. */
export interface NfqueueVerdictOptions {
  /** New packet mark (NFQA_MARK); by default the one {@link NfqueuePacket.setMark} set, else unchanged. */
  mark?: number;
  /** New packet bytes from the network header on (NFQA_PAYLOAD): the kernel replaces the packet with them. */
  payload?: Uint8Array;
}

/** Options of {@link NfqueueSocket.queue}. */
export interface NfqueueOptions extends SubscribeOptions {
  /** 'packet' (default), 'meta' (no payload) or 'none'. */
  copyMode?: NfqueueCopyMode;
  /** Bytes of each packet to copy, 1..65535 (default all of it, up to the kernel's 65531). */
  copyRange?: number;
  /**
   * Packets the kernel keeps waiting for a verdict (NFQA_CFG_QUEUE_MAXLEN,
   * default 1024). More are dropped, or accepted with `failOpen`: this is
   * where a slow consumer's backpressure ends.
   */
  maxLen?: number;
  /** Accept packets instead of dropping them when the queue is full or this socket cannot take them (NFQA_CFG_F_FAIL_OPEN). */
  failOpen?: boolean;
  /** Carry the packets' conntrack entries (NFQA_CFG_F_CONNTRACK); kernels without CONFIG_NETFILTER_NETLINK_GLUE_CT refuse it with EOPNOTSUPP. */
  conntrack?: boolean;
  /** Queue GSO packets whole, without segmenting them or completing their checksums (NFQA_CFG_F_GSO). */
  gso?: boolean;
  /** Carry the uid and gid of the local socket a packet belongs to (NFQA_CFG_F_UID_GID). */
  uidGid?: boolean;
  /** Carry the packets' security context (NFQA_CFG_F_SECCTX). */
  secctx?: boolean;
  /** Called with a packet message that does not decode, which is then skipped; without it the iterator throws. */
  onMalformed?: MalformedHandler<MessageView>;
  /**
   * Called when the kernel rejects a verdict (the error's `packetId` names
   * the packet). Without it the iterator throws that error after the
   * packets already queued.
   */
  onVerdictError?: (error: NfqueueVerdictError) => void;
}

/** The kernel rejected a verdict. */
export class NfqueueVerdictError extends NetlinkError {
  /** The packet the verdict was for (for a batch verdict, the last one it covered). */
  packetId = 0;
}

let hookNames: ReadonlyMap<number, string> | undefined;
/** The spec's hook names (built on first use: the family is loaded by then). */
function hooks(): ReadonlyMap<number, string> {
  return (hookNames ??= enumNames(nfqueueFamily.get().spec, 'nf-inet-hooks'));
}
const COPY_MODES: readonly NfqueueCopyMode[] = ['none', 'meta', 'packet'];
const BOOLEAN_FLAGS: ReadonlyArray<readonly [keyof NfqueueOptions, NfqaCfgFlags]> = [
  ['failOpen', 'fail-open'],
  ['conntrack', 'conntrack'],
  ['gso', 'gso'],
  ['uidGid', 'uid-gid'],
  ['secctx', 'secctx'],
];

/** True when packet id a comes at or before b (ids are u32 and wrap; the kernel compares them the same way). */
function atOrBefore(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** A queued packet, waiting for its verdict. */
export class NfqueuePacket implements PacketFields {
  /** Id of the packet in its queue (what a verdict names). */
  readonly id: number;
  /** The queue it waits in. */
  readonly queue: number;
  /** {@inheritDoc PacketFields.family} */
  readonly family!: PacketFields['family'];
  /** {@inheritDoc PacketFields.hook} */
  readonly hook!: PacketFields['hook'];
  /** {@inheritDoc PacketFields.hwProtocol} */
  readonly hwProtocol!: number;
  /** {@inheritDoc PacketFields.mark} */
  readonly mark!: number;
  /** {@inheritDoc PacketFields.timestamp} */
  readonly timestamp?: PacketFields['timestamp'];
  /** {@inheritDoc PacketFields.indev} */
  readonly indev?: number;
  /** {@inheritDoc PacketFields.outdev} */
  readonly outdev?: number;
  /** {@inheritDoc PacketFields.physindev} */
  readonly physindev?: number;
  /** {@inheritDoc PacketFields.physoutdev} */
  readonly physoutdev?: number;
  /** {@inheritDoc PacketFields.hwAddr} */
  readonly hwAddr?: string;
  /** {@inheritDoc PacketFields.uid} */
  readonly uid?: number;
  /** {@inheritDoc PacketFields.gid} */
  readonly gid?: number;
  /** {@inheritDoc PacketFields.payload} */
  readonly payload?: Uint8Array;
  /** {@inheritDoc PacketFields.conntrack} */
  readonly conntrack?: PacketFields['conntrack'];
  /** {@inheritDoc PacketFields.ctInfo} */
  readonly ctInfo?: string | number;
  /** {@inheritDoc PacketFields.vlan} */
  readonly vlan?: PacketFields['vlan'];
  /** {@inheritDoc PacketFields.l2hdr} */
  readonly l2hdr?: Uint8Array;
  /** Length of the whole packet when the payload was cut to the copy range. */
  readonly capLen?: number;
  /** Checksum and GSO state ('csumnotready', 'gso', 'csum-notverified'). */
  readonly skbInfo?: readonly (NfqueueSkbFlag | number)[];
  /** Security context (flag secctx). */
  readonly secctx?: Uint8Array;
  /** skb priority. */
  readonly priority?: number;

  private given: NfqueueVerdict | undefined;
  private markToSet: number | undefined;

  /** @internal */
  constructor(
    fields: NfqueuePacketFields,
    private readonly owner: NfqueueSubscription,
  ) {
    this.id = fields.id;
    this.queue = fields.queue;
    Object.assign(this, fields);
  }

  /** The verdict given so far (by this packet's methods or a batch verdict), or undefined. */
  get verdict(): NfqueueVerdict | undefined {
    return this.given;
  }

  /** Sets the mark that the verdict will give the packet; returns the packet. */
  setMark(mark: number): this {
    this.markToSet = checkU32(mark, 'mark');
    return this;
  }

  /** Lets the packet go on through the rules after the queue rule, optionally with a new mark or payload. */
  accept(options: NfqueueVerdictOptions = {}): void {
    this.give('accept', options);
  }

  /** Drops the packet. */
  drop(): void {
    this.give('drop', {});
  }

  /** Runs the packet through its hook again from the start, optionally with a new mark or payload. */
  repeat(options: NfqueueVerdictOptions = {}): void {
    this.give('repeat', options);
  }

  private give(verdict: NfqueueVerdict, options: NfqueueVerdictOptions): void {
    if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object { mark?, payload? }, got ${describe(options)}`);
    if (this.given !== undefined)
      throw new NlkitError(`packet ${this.id} of queue ${this.queue} already has a verdict (${this.given}): a packet takes one verdict`, 'ERR_NFQUEUE_VERDICT_GIVEN');
    const value: PacketAttrsInput = { 'verdict-hdr': { verdict, id: this.id } };
    const mark = options.mark ?? this.markToSet;
    if (mark !== undefined) value.mark = checkU32(mark, 'mark');
    if (options.payload !== undefined) {
      if (!(options.payload instanceof Uint8Array)) throw new TypeError(`payload: expected a Uint8Array, got ${describe(options.payload)}`);
      if (options.payload.length === 0 || options.payload.length > 0xffff - 4) throw new RangeError(`payload: length must be 1..65531 bytes, got ${options.payload.length}`);
      value.payload = options.payload;
    }
    this.owner.send('verdict', this.id, value);
    this.given = verdict;
    this.owner.settled(this);
  }

  /** @internal A batch verdict covered this packet. */
  settle(verdict: NfqueueVerdict): void {
    this.given = verdict;
  }
}

/**
 * The packets of one queue, overruns in-band as `{ overrun: true }` (packets
 * the kernel could not hand to this socket: dropped, or accepted with
 * failOpen; the marker goes before the next packet that arrives). Each
 * packet waits in the kernel until it gets a verdict, and counts against
 * the queue's maxLen meanwhile, which bounds what a slow consumer holds.
 * Closing the queue (or leaving a for-await loop) unbinds it, and the kernel
 * drops the packets still waiting (nfqnl_flush() on unbind).
 */
export class NfqueueSubscription extends DecodedSubscription<MessageView, NfqueuePacket> {
  /** Verdicts the kernel rejected. */
  verdictErrors = 0;
  private readonly waiting = new Map<number, NfqueuePacket>();
  /** The last id a batch verdict covered, and that verdict. */
  private batched: { id: number; verdict: NfqueueVerdict } | undefined;
  private ended = false;

  /** @internal */
  constructor(
    /** The queue number. */
    readonly queue: number,
    private readonly raw: Subscription<MessageView>,
    onMalformed: MalformedHandler<MessageView> | undefined,
    private readonly onVerdictError: ((error: NfqueueVerdictError) => void) | undefined,
    private readonly transmit: (op: 'verdict' | 'verdict-batch', seq: number, value: PacketAttrsInput) => void,
    private readonly onClose: () => void,
  ) {
    super(raw, onMalformed);
  }

  /** Packets handed out and still waiting for a verdict. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Decodes one packet message. */
  protected decode(m: MessageView): NfqueuePacket {
    const p = new NfqueuePacket(decodeNfqueuePacket(m), this);
    if (this.batched !== undefined && atOrBefore(p.id, this.batched.id)) p.settle(this.batched.verdict);
    else this.waiting.set(p.id, p);
    return p;
  }

  /**
   * One verdict on every packet of the queue up to `upTo` (a packet or its
   * id), those not yet read from this iterator included
   * (NFQNL_MSG_VERDICT_BATCH). Packets that already have a verdict are left
   * as they are.
   */
  verdictBatch(verdict: NfqueueVerdict, upTo: NfqueuePacket | number, options: { mark?: number } = {}): void {
    if (verdict !== 'accept' && verdict !== 'drop' && verdict !== 'repeat') throw new RangeError(`verdict: expected 'accept', 'drop' or 'repeat', got ${describe(verdict)}`);
    const id = upTo instanceof NfqueuePacket ? upTo.id : checkU32(upTo, 'upTo');
    if (upTo instanceof NfqueuePacket && upTo.queue !== this.queue) throw new RangeError(`upTo: packet ${upTo.id} is of queue ${upTo.queue}, not ${this.queue}`);
    if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object { mark? }, got ${describe(options)}`);
    const value: PacketAttrsInput = { 'verdict-hdr': { verdict, id } };
    if (options.mark !== undefined) value.mark = checkU32(options.mark, 'mark');
    this.send('verdict-batch', id, value);
    for (const [pid, p] of this.waiting) {
      if (!atOrBefore(pid, id)) continue;
      p.settle(verdict);
      this.waiting.delete(pid);
    }
    this.batched = { id, verdict };
  }

  /** @internal */
  send(op: 'verdict' | 'verdict-batch', id: number, value: PacketAttrsInput): void {
    if (this.ended) throw new NlkitError(`queue ${this.queue} is closed: the kernel dropped its waiting packets when it was unbound`, 'ERR_NFQUEUE_CLOSED');
    this.transmit(op, id, value);
  }

  /** @internal */
  settled(p: NfqueuePacket): void {
    this.waiting.delete(p.id);
  }

  /** @internal The kernel rejected a verdict of this queue. */
  verdictFailed(err: NfqueueVerdictError): void {
    this.verdictErrors++;
    if (this.onVerdictError) this.onVerdictError(err);
    else this.raw.fail(err);
  }

  /** @internal The queue is unbound: verdicts from now on are refused. */
  detach(): void {
    this.ended = true;
  }

  /** Unbinds the queue and ends the iterator (idempotent). */
  override close(): void {
    this.ended = true;
    super.close();
    this.onClose();
  }
}

/** What a queued packet's message carries (the fields of an {@link NfqueuePacket}). */
export interface NfqueuePacketFields extends PacketFields {
  /** Id of the packet in its queue. */
  id: number;
  /** The queue number. */
  queue: number;
  /** Length of the whole packet when the payload was cut to the copy range. */
  capLen?: number;
  /** Checksum and GSO state. */
  skbInfo?: readonly (NfqueueSkbFlag | number)[];
  /** Security context. */
  secctx?: Uint8Array;
  /** skb priority. */
  priority?: number;
}

/** Decodes one NFQNL_MSG_PACKET (NetlinkDecodeError on malformed bytes); needs the families loaded ({@link loadNfqueueFamily}, or an open NfqueueSocket). */
export function decodeNfqueuePacket(msg: MessageView): NfqueuePacketFields {
  const d = nfqueueFamily.get().decode(msg);
  if (d.name !== 'packet') throw new NetlinkDecodeError(`nfqueue: expected a packet message, got ${d.name}`, msg.offset, 'nfqueue');
  return toNfqueueFields(d.msg as PacketAttrs);
}

/** The fields of a decoded NFQNL_MSG_PACKET; needs the families loaded ({@link loadNfqueueFamily}, or an open NfqueueSocket). */
export function toNfqueueFields(m: PacketAttrs & { 'nfgen-family'?: number | undefined; 'res-id'?: number | undefined }): NfqueuePacketFields {
  const hdr = m['packet-hdr'];
  if (hdr?.['packet-id'] === undefined) throw new NetlinkDecodeError('nfqueue: packet message without a packet header (NFQA_PACKET_HDR)', 0, 'nfqueue.packet');
  const out: NfqueuePacketFields = { id: hdr['packet-id'], queue: m['res-id'] ?? 0, ...packetFields(m, hdr, hooks()) };
  if (m['cap-len'] !== undefined) out.capLen = m['cap-len'];
  if (m['skb-info'] !== undefined) out.skbInfo = m['skb-info'];
  if (m.secctx !== undefined) out.secctx = m.secctx;
  if (m.priority !== undefined) out.priority = m.priority;
  return out;
}

/** Options of {@link NfqueueSocket.open}. */
export interface NfqueueSocketOptions extends OpenOptions {
  /** A NETLINK_NETFILTER socket to use instead of opening one (it stays open on close; the fake kernel's, in tests). */
  socket?: NetlinkSocket;
}

function configValue(options: NfqueueOptions): ConfigAttrsInput {
  if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describe(options)}`);
  const { copyMode = 'packet', copyRange = 0xffff, maxLen } = options;
  if (!COPY_MODES.includes(copyMode)) throw new RangeError(`copyMode: expected one of ${COPY_MODES.join(', ')}, got ${describe(copyMode)}`);
  checkInteger(copyRange, 'copyRange', 1, 0xffff);
  const out: ConfigAttrsInput = { params: { 'copy-mode': copyMode, 'copy-range': copyRange } };
  if (maxLen !== undefined) out['queue-maxlen'] = checkInteger(maxLen, 'maxLen', 1, 0xffffffff);
  const mask: NfqaCfgFlags[] = [];
  const flags: NfqaCfgFlags[] = [];
  for (const [key, flag] of BOOLEAN_FLAGS) {
    const v = options[key];
    if (v === undefined) continue;
    mask.push(flag);
    if (checkBool(v, key)) flags.push(flag);
  }
  // The kernel wants both or neither (nfqnl_recv_config(): flags without a mask is EINVAL).
  if (mask.length > 0) {
    out.mask = mask;
    out.flags = flags;
  }
  return out;
}

/**
 * A NETLINK_NETFILTER socket that takes the packets of netfilter queues
 * and gives their verdicts.
 *
 * ```ts
 * await using nfq = await NfqueueSocket.open({ netns: 'blue' });
 * for await (const p of await nfq.queue(3, { failOpen: true })) {
 *   if ('overrun' in p) continue;
 *   if (p.payload && p.payload[9] === 17) p.drop(); // UDP
 *   else p.accept();
 * }
 * ```
 */
export class NfqueueSocket implements AsyncDisposable {
  private readonly router: PacketRouter;
  private readonly queues = new Map<number, NfqueueSubscription>();
  private readonly writer = new MessageWriter(4096);

  private constructor(
    /** The generic client underneath (for the raw operations). */
    readonly client: FamilyClient<NfqueueFamilyModule>,
  ) {
    this.router = new PacketRouter(client.socket, client.family.ops.packet.replyValue!, (msg) => this.onError(msg));
  }

  /** Opens a NETLINK_NETFILTER socket (in `netns` when given). */
  static async open(options: NfqueueSocketOptions = {}): Promise<NfqueueSocket> {
    return new NfqueueSocket(await FamilyClient.open(await loadNfqueueFamily(), options));
  }

  /**
   * Binds a queue to this socket and returns its packets. Another socket's
   * queue fails with EPERM, a queue this socket has already with EBUSY
   * (nfqnl_recv_config()). Options are checked before anything is sent.
   */
  async queue(num: number, options: NfqueueOptions = {}): Promise<NfqueueSubscription> {
    checkInteger(num, 'num', 0, 0xffff);
    const config = configValue(options);
    const { onMalformed, onVerdictError, signal, maxQueue } = options;
    if (onMalformed !== undefined && typeof onMalformed !== 'function') throw new TypeError(`onMalformed: expected a function, got ${describe(onMalformed)}`);
    if (onVerdictError !== undefined && typeof onVerdictError !== 'function') throw new TypeError(`onVerdictError: expected a function, got ${describe(onVerdictError)}`);
    if (this.router.has(num)) throw new RangeError(`num: queue ${num} is already bound on this socket`);
    const sub = this.router.open(num, { ...(signal ? { signal } : {}), ...(maxQueue !== undefined ? { maxQueue } : {}) });
    const frame = { 'res-id': num };
    try {
      await this.client.do('config', { ...frame, cmd: { command: 'bind' } }, signal ? { signal } : {});
      await this.client.do('config', { ...frame, ...config }, signal ? { signal } : {});
    } catch (err) {
      this.router.close(num, sub);
      // Bound but not configured, or an aborted bind that may have been
      // applied: unbinding a queue this socket does not hold is refused
      // (ENODEV, EPERM) and changes nothing.
      this.unbind(num);
      throw err;
    }
    const release = (): void => {
      signal?.removeEventListener('abort', release);
      if (this.queues.get(num) !== out) return;
      this.queues.delete(num);
      out.detach();
      // An abort has failed the subscription already: forget it without
      // clearing the AbortError its reader is to get.
      this.router.forget(num, sub);
      this.unbind(num);
    };
    const out: NfqueueSubscription = new NfqueueSubscription(num, sub, onMalformed, onVerdictError, (op, seq, value) => this.transmit(op, num, seq, value), release);
    this.queues.set(num, out);
    signal?.addEventListener('abort', release, { once: true });
    return out;
  }

  private transmit(op: 'verdict' | 'verdict-batch', num: number, seq: number, value: PacketAttrsInput): void {
    const w = this.writer.reset();
    this.client.family.ops[op].encodeRequest(w, { 'res-id': num, ...value }, { flags: NLM_F_REQUEST, seq });
    this.client.socket.send(w.finishCopy());
  }

  // Not waited for: closing the socket unbinds every queue anyway (NETLINK_URELEASE).
  private unbind(num: number): void {
    if (this.client.socket.closed) return;
    const w = this.writer.reset();
    this.client.family.ops.config.encodeRequest(w, { 'res-id': num, cmd: { command: 'unbind' } }, { flags: NLM_F_REQUEST });
    this.client.socket.send(w.finishCopy());
  }

  // An error message no request waits for: a rejected verdict (its sequence
  // number is the packet id). The echoed header does not say which queue, so
  // every queue of this socket hears of it.
  private onError(msg: MessageView): void {
    let ack;
    try {
      ack = parseErrorMessage(msg);
    } catch {
      return;
    }
    if (ack.errno === 0 || ack.request === undefined) return;
    const { type, seq } = ack.request;
    const ops = this.client.family.ops;
    const name = type === ops.verdict.requestValue ? 'nfqueue verdict' : type === ops['verdict-batch'].requestValue ? 'nfqueue verdict-batch' : undefined;
    if (name === undefined) return;
    for (const q of this.queues.values()) {
      const err = new NfqueueVerdictError(ack.errno, { extAck: ack.extAck, seq, requestType: type, requestName: name });
      err.packetId = seq;
      q.verdictFailed(err);
    }
  }

  /** Unbinds every queue (the kernel drops their waiting packets) and closes the socket (idempotent). */
  close(): void {
    if (this.client.socket.closed) return;
    for (const q of [...this.queues.values()]) q.close();
    this.router.closeAll();
    this.client.close();
  }

  /** Closes the socket, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
