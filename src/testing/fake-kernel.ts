// A scriptable fake kernel: NetlinkSockets whose native side is plain
// JavaScript, so every path of the request / dump / subscription protocol
// (acks, multipart, DUMP_INTR, DUMP_FILTERED, EBUSY, ENOBUFS, truncation,
// extended acks, abort and close) runs in a unit test without root and
// without the addon. Modelled on mdlayher/netlink's nltest: the test says
// what the kernel answers; the library under test is unchanged.
//
// The fake implements the addon's contract (src/io/native.ts): datagrams are
// written back to back into the slab JS hands it, described in the frame
// table, and announced with one batch callback per turn of the event loop.
import { NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP, NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST } from '../core/constants.js';
import { errnoNumber } from '../core/errno.js';
import { NLMSG_HDRLEN, nlmsgAlign } from '../core/align.js';
import { HOST_LITTLE_ENDIAN, dataViewOf } from '../core/bytes.js';
import { MessageView } from '../core/message.js';
import { MessageWriter } from '../core/writer.js';
import { writeDoneMessage, writeErrorMessage, type ExtAckFields } from '../core/ackwrite.js';
import {
  FRAME_FLAGS,
  FRAME_GROUP,
  FRAME_LENGTH,
  FRAME_NSID,
  FRAME_OFFSET,
  FRAME_OVERRUN,
  FRAME_PORT,
  FRAME_TRUNCATED,
  FRAME_WORDS,
  NSID_NONE,
  type NativeBatchCallback,
  type NativeNetnsTarget,
  type NativeSocket,
  type NativeSystemError,
} from '../io/native.js';
import { NetlinkSocket, type OpenOptions } from '../io/socket.js';

const LE = HOST_LITTLE_ENDIAN;
/** Largest datagram the fake reserves room for, as the addon does. */
const MAX_DATAGRAM = 65536;

/** A message to put in a datagram: ready bytes, or its parts (sequence and port come from the request). */
export type FakeMessage = Uint8Array | FakeMessageParts;

/** A message by its parts; the fake fills in the length, sequence number and port. */
export interface FakeMessageParts {
  /** nlmsg_type. */
  type: number;
  /** nlmsg_flags (default 0). */
  flags?: number;
  /** What follows the header. */
  payload?: Uint8Array;
}

/** Options of a datagram the fake delivers. */
export interface DeliverOptions {
  /** Deliver only this many bytes, flagged as truncated (recvmsg's MSG_TRUNC). */
  truncateTo?: number;
  /** The sender's port id (0, the kernel, by default). */
  from?: number;
  /** The nsid a NETLINK_LISTEN_ALL_NSID socket would see. */
  nsid?: number;
}

/** A request one of the fake's sockets sent to the kernel (port 0), with ways to answer it. */
export class FakeRequest {
  constructor(
    private readonly endpoint: FakeEndpoint,
    /** The request as the kernel received it. */
    readonly message: MessageView,
  ) {}

  /** nlmsg_type of the request. */
  get type(): number {
    return this.message.type;
  }

  /** nlmsg_seq of the request. */
  get seq(): number {
    return this.message.seq;
  }

  /** True for NLM_F_DUMP requests. */
  get isDump(): boolean {
    return (this.message.flags & NLM_F_DUMP) === NLM_F_DUMP;
  }

  /** The request's payload (after the netlink header). */
  get payload(): Uint8Array {
    return this.message.payload;
  }

  /** The fake socket that sent it. */
  get socket(): FakeEndpoint {
    return this.endpoint;
  }

  /** Builds one message answering this request (its sequence number and the requester's port). */
  build(type: number, payload: Uint8Array = new Uint8Array(0), flags = 0): Uint8Array {
    const w = new MessageWriter(NLMSG_HDRLEN + payload.length);
    w.beginMessage(type, flags, this.seq, this.endpoint.portId);
    w.putRaw(payload);
    w.endMessage();
    return w.finishCopy();
  }

  /** Sends messages to the requester in one datagram. */
  reply(messages: FakeMessage | readonly FakeMessage[], options: DeliverOptions = {}): this {
    const list = Array.isArray(messages) ? (messages as readonly FakeMessage[]) : [messages as FakeMessage];
    const parts = list.map((m) => (m instanceof Uint8Array ? m : this.build(m.type, m.payload, m.flags)));
    this.endpoint.deliver(concatAligned(parts), { from: 0, ...options });
    return this;
  }

  /** Sends the acknowledgement (NLMSG_ERROR): 0 for success, else an errno with an optional extended ack. */
  ack(errno = 0, extAck?: ExtAckFields): this {
    const w = new MessageWriter(128);
    writeErrorMessage(w, this.message.bytes, errno, extAck, { portId: this.endpoint.portId });
    this.endpoint.deliver(w.finishCopy(), { from: 0 });
    return this;
  }

  /** Ends a dump (NLMSG_DONE), with an errno and extended ack for a dump that failed; `flags` are added to NLM_F_MULTI. */
  done(errno = 0, extAck?: ExtAckFields, flags = 0): this {
    const w = new MessageWriter(128);
    writeDoneMessage(w, { seq: this.seq, portId: this.endpoint.portId, errno, ...(extAck ? { extAck } : {}) });
    const bytes = w.finishCopy();
    if (flags) dataViewOf(bytes).setUint16(6, dataViewOf(bytes).getUint16(6, LE) | flags, LE);
    this.endpoint.deliver(bytes, { from: 0 });
    return this;
  }

  /**
   * Answers a dump with `entries` (nlmsg_type and payload each), `perDatagram`
   * to a datagram, then NLMSG_DONE. `flags` go on every entry (NLM_F_DUMP_INTR,
   * NLM_F_DUMP_FILTERED …) besides NLM_F_MULTI.
   */
  dump(entries: readonly { type: number; payload?: Uint8Array }[], options: { perDatagram?: number; flags?: number } = {}): this {
    const per = options.perDatagram ?? 16;
    for (let i = 0; i < entries.length; i += per) {
      this.reply(entries.slice(i, i + per).map((e) => ({ type: e.type, payload: e.payload ?? new Uint8Array(0), flags: NLM_F_MULTI | (options.flags ?? 0) })));
    }
    return this.done(0, undefined, options.flags ?? 0);
  }
}

/** The handler a test installs: answers requests sent to the fake kernel. */
export type FakeHandler = (request: FakeRequest) => unknown;

interface Pending {
  bytes: Uint8Array;
  length: number;
  port: number;
  group: number;
  nsid: number;
  flags: number;
}

/** The native side of one NetlinkSocket opened on a FakeKernel. */
export class FakeEndpoint implements NativeSocket {
  readonly portId: number;
  /** Multicast groups joined (NETLINK_ADD_MEMBERSHIP). */
  readonly groups = new Set<number>();
  /** SOL_NETLINK options set, by number. */
  readonly options = new Map<number, number>();
  /** The namespace target the socket was opened with (the fake has a single namespace). */
  readonly netns: NativeNetnsTarget | null;
  /** Receive buffer in bytes: multicast beyond it while the socket does not read is dropped and reported as ENOBUFS. */
  receiveBuffer = 212992;
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private overrunPending = false;
  private slab: Uint8Array | undefined;
  private offset = 0;
  private frames: Uint32Array | undefined;
  private started = false;
  private paused = false;
  private isClosed = false;
  private scheduled = false;
  private refed = true;

  constructor(
    private readonly kernel: FakeKernel,
    /** Netlink protocol the socket was opened with. */
    readonly protocol: number,
    netns: NativeNetnsTarget | null,
    private readonly onBatch: NativeBatchCallback,
  ) {
    this.portId = kernel.register(this);
    this.netns = netns;
  }

  get fd(): number {
    return this.isClosed ? -1 : 1000 + this.portId;
  }

  get slabOffset(): number {
    return this.offset;
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** True while JS keeps the socket from reading (a full queue). */
  get readingPaused(): boolean {
    return this.paused;
  }

  /** True while the socket keeps the event loop alive (ref() / unref()). */
  get referenced(): boolean {
    return this.refed;
  }

  /** Datagrams waiting to be read. */
  get backlog(): number {
    return this.queue.length;
  }

  setNetlinkOption(option: number, value: number): void {
    this.checkOpen();
    if (option === NETLINK_ADD_MEMBERSHIP) this.groups.add(value);
    else if (option === NETLINK_DROP_MEMBERSHIP) this.groups.delete(value);
    else this.options.set(option, value);
  }

  getNetlinkOption(option: number): number {
    this.checkOpen();
    return this.options.get(option) ?? 0;
  }

  setReceiveBuffer(bytes: number): number {
    this.checkOpen();
    // The kernel doubles what it is given (sock_setsockopt: bookkeeping overhead).
    this.receiveBuffer = bytes * 2;
    return this.receiveBuffer;
  }

  setSendBuffer(bytes: number): number {
    this.checkOpen();
    return bytes * 2;
  }

  attachFilter(): void {
    this.checkOpen();
  }

  detachFilter(): void {
    this.checkOpen();
  }

  send(bytes: Uint8Array, port: number, groups: number, receive = 0): number {
    this.checkOpen();
    this.kernel.route(this, bytes.slice(), port, groups);
    return receive > 0 ? this.receiveNow(receive) : 0;
  }

  /** Delivers up to `limit` queued datagrams now, as the addon reads what the kernel answered inside sendto(). */
  receiveNow(limit: number): number {
    this.checkOpen();
    if (this.paused || !this.started || !this.slab || !this.frames) return -1;
    return this.pump(limit);
  }

  setSlab(slab: Uint8Array, offset: number, frames: Uint32Array): void {
    this.checkOpen();
    this.slab = slab;
    this.offset = Math.min((offset + 3) & ~3, slab.length);
    this.frames = frames;
    this.schedule();
  }

  setSpareSlab(): void {
    // The fake asks for a fresh slab (slabFull) instead of switching to a spare.
    this.checkOpen();
  }

  start(): void {
    this.checkOpen();
    this.started = true;
    this.schedule();
  }

  pause(): void {
    this.checkOpen();
    this.paused = true;
  }

  resume(): void {
    this.checkOpen();
    this.paused = false;
    this.schedule();
  }

  /** Records that the socket keeps the event loop alive (see `referenced`); the fake holds no real handle. */
  ref(): void {
    this.refed = true;
  }

  /** Records that the socket no longer keeps the event loop alive (see `referenced`). */
  unref(): void {
    this.refed = false;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.queue.length = 0;
    this.kernel.forget(this);
  }

  /** Queues a datagram for this socket, as the kernel's receive queue would. */
  deliver(bytes: Uint8Array, options: DeliverOptions & { group?: number } = {}): void {
    if (this.isClosed) return;
    const group = options.group ?? 0;
    if (group !== 0 && this.paused && this.queuedBytes + bytes.length > this.receiveBuffer) {
      // netlink_broadcast_deliver() drops for a full socket and sets ENOBUFS (netlink_overrun).
      this.overrunPending = true;
      return;
    }
    const length = bytes.length;
    const stored = options.truncateTo !== undefined ? bytes.subarray(0, options.truncateTo) : bytes;
    this.queue.push({
      bytes: stored,
      length,
      port: options.from ?? 0,
      group,
      nsid: options.nsid ?? NSID_NONE,
      flags: options.truncateTo !== undefined && options.truncateTo < length ? FRAME_TRUNCATED : 0,
    });
    this.queuedBytes += stored.length;
    this.schedule();
  }

  /** The next read fails with ENOBUFS: the kernel dropped messages for this socket. */
  overrun(): void {
    this.overrunPending = true;
    this.schedule();
  }

  private checkOpen(): void {
    if (this.isClosed) {
      const err = new Error('socket is closed') as NativeSystemError;
      err.code = 'ERR_SOCKET_CLOSED';
      throw err;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.isClosed || !this.started) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  // One batch (of at most `limit` datagrams), as the addon delivers it on readable; returns how many.
  private pump(limit = Infinity): number {
    if (this.isClosed || this.paused || !this.started || !this.slab || !this.frames) return 0;
    if (!this.overrunPending && this.queue.length === 0) return 0;
    const slab = this.slab;
    const frames = this.frames;
    const capacity = Math.floor(frames.length / FRAME_WORDS);
    let count = 0;
    if (slab.length - this.offset < MAX_DATAGRAM) {
      this.onBatch(0, true, null, false);
      this.schedule();
      return 0;
    }
    if (this.overrunPending) {
      this.overrunPending = false;
      this.writeFrame(frames, count++, this.offset, 0, 0, 0, NSID_NONE, FRAME_OVERRUN);
    }
    while (count < capacity && count < limit && this.queue.length > 0 && slab.length - this.offset >= MAX_DATAGRAM) {
      const d = this.queue.shift()!;
      this.queuedBytes -= d.bytes.length;
      slab.set(d.bytes, this.offset);
      this.writeFrame(frames, count++, this.offset, d.length, d.port, d.group, d.nsid, d.flags);
      this.offset += (d.bytes.length + 3) & ~3;
    }
    this.onBatch(count, slab.length - this.offset < MAX_DATAGRAM, null, false);
    if (this.queue.length > 0 || this.overrunPending) this.schedule();
    return count;
  }

  private writeFrame(frames: Uint32Array, index: number, offset: number, length: number, port: number, group: number, nsid: number, flags: number): void {
    const base = index * FRAME_WORDS;
    frames[base + FRAME_OFFSET] = offset;
    frames[base + FRAME_LENGTH] = length;
    frames[base + FRAME_PORT] = port;
    frames[base + FRAME_GROUP] = group;
    frames[base + FRAME_NSID] = nsid;
    frames[base + FRAME_FLAGS] = flags;
  }
}

/** Messages back to back, each padded to 4 bytes. */
function concatAligned(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += nlmsgAlign(p.length);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += nlmsgAlign(p.length);
  }
  return out;
}

/** Options of {@link FakeKernel}. */
export interface FakeKernelOptions {
  /** Answers requests sent to the kernel (port 0). Without one, each request is refused with EOPNOTSUPP. */
  handler?: FakeHandler;
  /**
   * Run the handler inside send(), so its answers are queued before send()
   * returns, as the kernel runs a family's handler inside the sender's
   * sendto(). Default false: the handler runs in a microtask after send().
   */
  inline?: boolean;
}

/**
 * A fake kernel for tests: open NetlinkSockets on it with {@link FakeKernel.open},
 * answer their requests in a handler, multicast events, force overruns.
 *
 * ```ts
 * const kernel = new FakeKernel({ handler: (req) => req.dump([{ type: 16, payload }]) });
 * const sock = await kernel.open(Protocol.ROUTE);
 * for await (const msg of sock.dump(request)) console.log(msg.type);
 * ```
 */
export class FakeKernel {
  /** Requests the kernel received, in order. */
  readonly requests: MessageView[] = [];
  private handler: FakeHandler | undefined;
  private readonly inline: boolean;
  private readonly endpoints = new Map<number, FakeEndpoint>();
  private nextPort = 1;

  constructor(options: FakeKernelOptions = {}) {
    if (options.handler !== undefined && typeof options.handler !== 'function') throw new TypeError('handler must be a function');
    this.handler = options.handler;
    this.inline = options.inline ?? false;
  }

  /** Replaces the request handler. */
  onRequest(handler: FakeHandler): this {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    this.handler = handler;
    return this;
  }

  /** Opens a NetlinkSocket whose native side is this fake (the same options as NetlinkSocket.open). */
  open(protocol = 0, options: OpenOptions = {}): Promise<NetlinkSocket> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const kernel = this;
    const binding = {
      supported: true,
      maxDatagram: MAX_DATAGRAM,
      Socket: class extends FakeEndpoint {
        constructor(proto: number, _groups: number, netns: NativeNetnsTarget | null, onBatch: NativeBatchCallback) {
          super(kernel, proto, netns, onBatch);
        }
      },
    };
    return NetlinkSocket.openOn(() => binding, protocol, options);
  }

  /** The native side of the socket bound to `port`. */
  endpoint(port: number): FakeEndpoint {
    const e = this.endpoints.get(port);
    if (!e) throw new RangeError(`no open fake socket has port ${port}`);
    return e;
  }

  /** Sends one datagram of messages to every socket that joined `group`. */
  multicast(group: number, messages: Uint8Array | readonly Uint8Array[], options: DeliverOptions = {}): void {
    const bytes = messages instanceof Uint8Array ? messages : concatAligned(messages);
    for (const e of this.endpoints.values()) if (e.groups.has(group)) e.deliver(bytes, { ...options, group });
  }

  /** Resolves once every datagram queued so far has been handed to JS. */
  async settle(): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      let busy = false;
      for (const e of this.endpoints.values()) if (e.backlog > 0 && !e.readingPaused) busy = true;
      if (!busy) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** @internal Binds a new endpoint to the next port id. */
  register(endpoint: FakeEndpoint): number {
    const port = this.nextPort++;
    this.endpoints.set(port, endpoint);
    return port;
  }

  /** @internal */
  forget(endpoint: FakeEndpoint): void {
    if (this.endpoints.get(endpoint.portId) === endpoint) this.endpoints.delete(endpoint.portId);
  }

  /** @internal Where a sent datagram goes: the kernel, a peer's port, groups. */
  route(from: FakeEndpoint, bytes: Uint8Array, port: number, groups: number): void {
    if (groups !== 0) {
      for (let g = 1; g <= 32; g++) if (groups & (2 ** (g - 1))) this.multicast(g, bytes, { from: from.portId });
    }
    if (port !== 0) {
      const peer = this.endpoints.get(port);
      if (!peer) {
        const err = new Error('sendto failed: ECONNREFUSED') as NativeSystemError;
        Object.assign(err, { code: 'ECONNREFUSED', errno: errnoNumber('ECONNREFUSED'), syscall: 'sendto' });
        throw err;
      }
      peer.deliver(bytes, { from: from.portId });
      return;
    }
    if (groups !== 0) return;
    const dv = dataViewOf(bytes);
    for (let pos = 0; bytes.length - pos >= NLMSG_HDRLEN;) {
      const len = dv.getUint32(pos, LE);
      if (len < NLMSG_HDRLEN || len > bytes.length - pos) break;
      const msg = new MessageView(bytes, pos, dv, from.portId);
      pos += nlmsgAlign(len);
      if (!(msg.flags & NLM_F_REQUEST)) continue;
      this.requests.push(msg);
      const request = new FakeRequest(from, msg);
      const handler = this.handler;
      if (!handler) {
        request.ack(errnoNumber('EOPNOTSUPP')!);
        continue;
      }
      // A handler that throws answers like a kernel bug would be seen: EIO, with the text.
      const failed = (err: unknown): void => {
        request.ack(errnoNumber('EIO')!, { message: `fake kernel handler failed: ${(err as Error)?.message ?? String(err)}` });
      };
      if (this.inline) {
        try {
          Promise.resolve(handler(request)).catch(failed);
        } catch (err) {
          failed(err);
        }
      } else {
        void Promise.resolve()
          .then(() => handler(request))
          .catch(failed);
      }
    }
  }
}
