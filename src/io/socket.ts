// NetlinkSocket: one AF_NETLINK socket with the request / dump / subscribe
// protocol on top. Received datagrams land in a JS-owned slab that is never
// rewritten, so every MessageView handed out stays valid for as long as it is
// referenced.
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_MIN_TYPE,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_FILTERED,
  NLM_F_DUMP_INTR,
  NLM_F_ECHO,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_BROADCAST_ERROR,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_LISTEN_ALL_NSID,
  NETLINK_NO_ENOBUFS,
  isKernelProtocol,
  Protocol,
} from '../core/constants.js';
import { HOST_LITTLE_ENDIAN, dataViewOf, hostU32 } from '../core/bytes.js';
import { NLMSG_HDRLEN, nlmsgAlign } from '../core/align.js';
import { MessageView } from '../core/message.js';
import { parseDoneMessage, parseErrorMessage } from '../core/ack.js';
import {
  NetlinkDecodeError,
  NetlinkError,
  NetlinkOverrunError,
  NetlinkSocketError,
  NetlinkTimeoutError,
  NetlinkTruncatedError,
  NlkitError,
  SocketClosedError,
  type ExtAck,
} from '../core/errors.js';
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
  nativeBinding,
  type NativeBinding,
  type NativeSocket,
  type NativeSystemError,
} from './native.js';
import { resolveNetnsTarget, type NetnsTarget } from './netns.js';
import { Subscription, type Datagram, type SubscribeOptions } from './subscription.js';
import { DumpIterator, type DumpOperation } from './dump.js';
import { abortReason } from './wait.js';

const LE = HOST_LITTLE_ENDIAN;

/** Default receive buffer. Large enough that a burst of 100 000 route notifications is not dropped while JS keeps up. */
export const DEFAULT_RCVBUF = 32 * 1024 * 1024;
/** What NativeSocket.send() returns when the bytes wait in its queue (EAGAIN). */
const SEND_QUEUED = -2;
/** Datagrams a request reads inline at most (see answersInline); the poll reads the rest. */
const INLINE_READS = 64;
/** Requests up to this size are stamped into a reused buffer (see stampIntoSendBuffer). */
const SEND_BUFFER_SIZE = 16 * 1024;
/** Default size of one receive slab. */
export const DEFAULT_SLAB_SIZE = 1024 * 1024;
const FRAME_CAPACITY = 512;

/** Options of {@link NetlinkSocket.open}. */
export interface OpenOptions {
  /** Open the socket in another network namespace: a name under /run/netns, or { path }, { pid }, { fd }. */
  netns?: NetnsTarget;
  /** Receive buffer in bytes (SO_RCVBUFFORCE when permitted, else SO_RCVBUF). Default 32 MiB. */
  rcvbuf?: number;
  /** Send buffer in bytes (SO_SNDBUF). */
  sndbuf?: number;
  /** NETLINK_EXT_ACK: error messages carry the kernel's explanation. Default true. */
  extAck?: boolean;
  /** NETLINK_GET_STRICT_CHK: the kernel validates dump requests strictly and applies their filters. Default true. */
  strict?: boolean;
  /** NETLINK_CAP_ACK: error messages do not echo the whole request. Default true. */
  capAck?: boolean;
  /** NETLINK_LISTEN_ALL_NSID: receive multicast from every peer namespace, with its nsid. Default false. */
  listenAllNsid?: boolean;
  /** NETLINK_NO_ENOBUFS: do not report overruns (they still happen). Default false. */
  noEnobufs?: boolean;
  /** NETLINK_BROADCAST_ERROR. Default false. */
  broadcastError?: boolean;
  /** Legacy multicast group bitmask given to bind() (groups 1..32). Default 0. */
  groups?: number;
  /** Size of each receive slab in bytes (at least 128 KiB). Default 1 MiB. */
  slabSize?: number;
  /**
   * 'netlink' (default): datagrams hold netlink messages. 'datagram': they are
   * handed over whole through subscribeDatagrams() (kobject uevents are text,
   * not netlink messages; the default for NETLINK_KOBJECT_UEVENT).
   */
  framing?: 'netlink' | 'datagram';
  /**
   * Accept multicast from user-space senders on a kernel protocol (udev
   * re-broadcasts uevents from user space). Default false: on kernel
   * protocols only the kernel (port 0) is heard.
   */
  userSenders?: boolean;
  /** Receives the kernel's warnings for every request and dump on this socket that has no onWarning of its own (see CallOptions.onWarning). */
  onWarning?: WarningHandler;
}

/** Receives the extended-ack message the kernel attached to a successful request or dump. */
export type WarningHandler = (message: string) => void;

/** Options every I/O call takes. */
export interface CallOptions {
  /** Cancels the call: the promise rejects (or the iterator throws) with an AbortError. */
  signal?: AbortSignal;
  /** Milliseconds before the call fails with a NetlinkTimeoutError. */
  timeout?: number;
  /**
   * Called with the extended-ack message of a request or dump that succeeded
   * (the kernel's warning, e.g. a qdisc option it ignored; iproute2 prints it
   * as "Warning: ..."). Without it the socket's onWarning, else nothing.
   */
  onWarning?: WarningHandler;
}

/** Options of {@link NetlinkSocket.request}. */
export interface RequestOptions extends CallOptions {
  /** Destination port: 0 (the kernel, default) or a user-space peer on NETLINK_USERSOCK. */
  port?: number;
  /** Name of the request for error messages, e.g. 'RTM_NEWADDR'. */
  name?: string;
  /**
   * Turns an extended ack into an attribute path / missing attribute name,
   * for requests whose layout is known (the spec engine supplies this).
   */
  describe?: (extAck: ExtAck, request: Uint8Array) => ExtAckDescription | undefined;
  /**
   * The answer may come after the acknowledgement (audit answers AUDIT_GET
   * from another context, after netlink_rcv_skb() acked the request): a
   * success ACK then waits for the reply (for a multipart one, its NLMSG_DONE).
   */
  replyAfterAck?: boolean;
}

/** What a request's describer makes of an extended ack. */
export interface ExtAckDescription {
  /** Path of the attribute the ack's offset points at, e.g. 'linkinfo.data(vxlan).id'. */
  attributePath?: string;
  /** Name of the attribute the kernel says is missing. */
  missingAttribute?: string;
}

/** Options of {@link NetlinkSocket.dump}. */
export interface DumpOptions extends RequestOptions {
  /**
   * When the kernel flags the dump as interrupted (NLM_F_DUMP_INTR), run it again up
   * to this many times. With retries the dump is collected before anything is yielded,
   * so what the caller sees is one consistent snapshot. Default 0: stream, and throw
   * DumpInterruptedError at the end if the kernel flagged the dump.
   */
  retry?: number;
}

/** A message received without a pending request (a request to a user-space server, or a late reply). */
export type IncomingHandler = (msg: MessageView) => void;

interface PendingRequest {
  kind: 'request';
  seq: number;
  request: Uint8Array;
  replies: MessageView[];
  options: RequestOptions;
  resolve: (replies: MessageView[]) => void;
  reject: (err: Error) => void;
  cleanup: () => void;
  /** The ACK came before the reply the request expects (see RequestOptions.replyAfterAck). */
  acked?: boolean;
}

/** Holds a sequence number while a batch is being stamped. */
const PLACEHOLDER: PendingRequest = {
  kind: 'request',
  seq: 0,
  request: new Uint8Array(0),
  replies: [],
  options: {},
  resolve: () => {},
  reject: () => {},
  cleanup: () => {},
};

function checkBytes(bytes: unknown, field: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array holding a netlink message`);
  if (bytes.length < NLMSG_HDRLEN) throw new RangeError(`${field}: ${bytes.length} bytes are too few for a netlink message`);
  const len = hostU32(bytes, 0);
  if (len < NLMSG_HDRLEN || len > bytes.length) {
    throw new RangeError(`${field}: nlmsg_len ${len} does not fit the ${bytes.length} bytes given`);
  }
  if (nlmsgAlign(len) < bytes.length) {
    throw new RangeError(`${field}: holds more than one message (${bytes.length} bytes, first nlmsg_len ${len})`);
  }
  return bytes;
}

/** Offsets of the messages in a batch; each must be a whole message. */
function splitBatch(bytes: unknown): number[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('batch must be a Uint8Array holding netlink messages');
  const dv = dataViewOf(bytes);
  const offsets: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < NLMSG_HDRLEN) throw new RangeError(`batch: ${bytes.length - pos} trailing bytes at offset ${pos} are too few for a message`);
    const len = dv.getUint32(pos, LE);
    if (len < NLMSG_HDRLEN || len > bytes.length - pos) throw new RangeError(`batch: nlmsg_len ${len} at offset ${pos} does not fit the ${bytes.length} bytes given`);
    offsets.push(pos);
    pos += nlmsgAlign(len);
  }
  if (offsets.length === 0) throw new RangeError('batch: no message given');
  return offsets;
}

function checkOptions(options: CallOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (options.timeout !== undefined && (typeof options.timeout !== 'number' || !(options.timeout > 0) || !Number.isFinite(options.timeout))) {
    throw new RangeError(`timeout must be a positive number of milliseconds, got ${String(options.timeout)}`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') throw new TypeError('onWarning must be a function');
  const port = (options as RequestOptions).port;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 0xffffffff)) {
    throw new RangeError(`port must be a 32-bit port id, got ${String(port)}`);
  }
}

function randomSeq(): number {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0]! === 0 ? 1 : word[0]!;
}

function systemError(err: NativeSystemError, fallbackSyscall: string): NetlinkSocketError {
  return NetlinkSocketError.from(err, fallbackSyscall);
}

/**
 * Closes the native side of sockets that were dropped without close(): their
 * fd and slabs would otherwise live as long as the process. Only idle sockets
 * can be collected (a socket with work in flight pins itself through PIN).
 */
const FORGOTTEN = new FinalizationRegistry<NativeSocket>((native) => native.close());
/** Property of the native object that holds its NetlinkSocket while work is in flight. */
const PIN = Symbol('nlkit.pin');

/** A netlink socket: requests, dumps and multicast subscriptions over one AF_NETLINK socket. */
export class NetlinkSocket {
  /** Port id the kernel bound this socket to. */
  readonly portId: number;
  /** The netlink protocol number (see Protocol). */
  readonly protocol: number;
  /** Actual receive buffer size the kernel reports. */
  readonly receiveBufferSize: number;
  private readonly native: NativeSocket;
  private readonly kernelOnly: boolean;
  /** How received datagrams are read: as netlink messages, or handed over whole. */
  readonly framing: 'netlink' | 'datagram';
  private readonly userSenders: boolean;
  private readonly slabSize: number;
  private readonly maxDatagram: number;
  private slab!: Uint8Array;
  private spare: Uint8Array | undefined;
  private dv!: DataView;
  private readonly frames = new Uint32Array(FRAME_CAPACITY * FRAME_WORDS);
  // Not a guessable 1: on user-space protocols a peer could otherwise answer
  // before the real server (replies are also checked by sender port).
  private nextSeq = randomSeq();
  private readonly pending = new Map<number, PendingRequest | DumpOperation>();
  private readonly dumpQueue: DumpOperation[] = [];
  private activeDump: DumpOperation | undefined;
  /** @internal */
  readonly subscriptions = new Set<Subscription<unknown>>();
  private readonly groupRefs = new Map<number, number>();
  private incomingHandler: IncomingHandler | undefined;
  private isClosed = false;
  private userUnref = false;
  private isReffed = false;
  private isPinned = false;
  private pausedBy = new Set<object>();
  private nativePaused = false;
  private onWarning: WarningHandler | undefined;
  private sendBuffer: { bytes: Uint8Array; dv: DataView } | undefined;
  private sendBufferBusy = false;
  private readonly counters = { received: 0, dropped: 0, unmatched: 0, overruns: 0, truncated: 0 };

  private constructor(
    protocol: number,
    native: NativeSocket,
    receiveBufferSize: number,
    slabSize: number,
    maxDatagram: number,
    framing: 'netlink' | 'datagram',
    userSenders: boolean,
  ) {
    this.framing = framing;
    this.userSenders = userSenders;
    this.protocol = protocol;
    this.native = native;
    this.portId = native.portId;
    this.receiveBufferSize = receiveBufferSize;
    this.kernelOnly = isKernelProtocol(protocol);
    this.slabSize = slabSize;
    this.maxDatagram = maxDatagram;
    this.freshSlab();
    native.start();
    // Native starts referenced; an idle socket must not hold the process open.
    native.unref();
  }

  /**
   * Opens a socket of a netlink protocol, optionally in another namespace.
   * Extended acks, strict checking and capped acks are on unless turned off.
   */
  static async open(protocol: number, options: OpenOptions = {}): Promise<NetlinkSocket> {
    return NetlinkSocket.openOn(nativeBinding, protocol, options);
  }

  /**
   * @internal Opens the socket on a given native side: the addon, or a fake
   * kernel (nlkit/testing) that implements the same contract in JavaScript.
   */
  static async openOn(binding: () => Pick<NativeBinding, 'supported' | 'maxDatagram' | 'Socket'>, protocol: number, options: OpenOptions = {}): Promise<NetlinkSocket> {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 31) {
      throw new RangeError(`protocol must be a netlink protocol number 0..31, got ${String(protocol)}`);
    }
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if (options.onWarning !== undefined && typeof options.onWarning !== 'function') throw new TypeError('onWarning must be a function');
    const netns = options.netns === undefined ? null : resolveNetnsTarget(options.netns);
    const rcvbuf = options.rcvbuf ?? DEFAULT_RCVBUF;
    if (!Number.isInteger(rcvbuf) || rcvbuf < 1024 || rcvbuf > 0x7fffffff) throw new RangeError(`rcvbuf must be an integer 1024..2147483647, got ${String(rcvbuf)}`);
    if (options.sndbuf !== undefined && (!Number.isInteger(options.sndbuf) || options.sndbuf < 1024))
      throw new RangeError(`sndbuf must be an integer >= 1024, got ${String(options.sndbuf)}`);
    const groups = options.groups ?? 0;
    if (!Number.isInteger(groups) || groups < 0 || groups > 0xffffffff) throw new RangeError(`groups must be a 32-bit bitmask, got ${String(groups)}`);
    const slabSize = options.slabSize ?? DEFAULT_SLAB_SIZE;
    const framing = options.framing ?? (protocol === Protocol.KOBJECT_UEVENT ? 'datagram' : 'netlink');
    if (framing !== 'netlink' && framing !== 'datagram') throw new RangeError(`framing must be 'netlink' or 'datagram', got ${String(framing)}`);
    if (options.userSenders !== undefined && typeof options.userSenders !== 'boolean') throw new TypeError('userSenders must be true or false');
    if (!Number.isInteger(slabSize) || slabSize < 128 * 1024) throw new RangeError(`slabSize must be an integer >= 131072, got ${String(slabSize)}`);

    const impl = binding();
    if (!impl.supported) throw new NlkitError('netlink sockets are only available on Linux', 'ERR_UNSUPPORTED_PLATFORM');
    let sock: NetlinkSocket | undefined;
    // The batch callback needs the instance; it is only called after start().
    // Native holds the callback for as long as the fd is open, so it reaches
    // the socket weakly: a socket the program forgot can be collected (and is
    // then closed by FORGOTTEN). While work is in flight the socket pins itself.
    let weak: WeakRef<NetlinkSocket> | undefined;
    const onBatch = (frames: number, slabFull: boolean, error: NativeSystemError | null, switched: boolean): void => {
      weak?.deref()?.onBatch(frames, slabFull, error, switched);
    };
    let native: NativeSocket;
    try {
      native = new impl.Socket(protocol, groups >>> 0, netns, onBatch);
    } catch (err) {
      throw systemError(err as NativeSystemError, 'socket');
    }
    try {
      const setFlag = (option: number, on: boolean | undefined, dflt: boolean): void => {
        if (on ?? dflt) native.setNetlinkOption(option, 1);
      };
      setFlag(NETLINK_EXT_ACK, options.extAck, true);
      setFlag(NETLINK_CAP_ACK, options.capAck, true);
      setFlag(NETLINK_LISTEN_ALL_NSID, options.listenAllNsid, false);
      setFlag(NETLINK_NO_ENOBUFS, options.noEnobufs, false);
      setFlag(NETLINK_BROADCAST_ERROR, options.broadcastError, false);
      if (options.strict ?? true) {
        try {
          native.setNetlinkOption(NETLINK_GET_STRICT_CHK, 1);
        } catch (err) {
          // Kernels before 4.20 do not know the option; strictness is a best effort there.
          if ((err as NativeSystemError).code !== 'ENOPROTOOPT') throw err;
        }
      }
      let actual: number;
      try {
        actual = native.setReceiveBuffer(rcvbuf, true);
      } catch (err) {
        if ((err as NativeSystemError).code !== 'EPERM') throw err;
        actual = native.setReceiveBuffer(rcvbuf, false);
      }
      if (options.sndbuf !== undefined) native.setSendBuffer(options.sndbuf);
      sock = new NetlinkSocket(protocol, native, actual, slabSize, impl.maxDatagram, framing, options.userSenders ?? false);
      sock.onWarning = options.onWarning;
      weak = new WeakRef(sock);
      FORGOTTEN.register(sock, native, sock);
      return sock;
    } catch (err) {
      native.close();
      if (err instanceof NlkitError || err instanceof TypeError || err instanceof RangeError) throw err;
      throw systemError(err as NativeSystemError, 'setsockopt');
    }
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Counters of what the receive path saw (received, dropped spoofed, unmatched, overruns, truncated). */
  get stats(): Readonly<typeof this.counters> {
    return { ...this.counters };
  }

  private ensureOpen(): void {
    if (this.isClosed) throw new SocketClosedError();
  }

  private allocSeq(): number {
    for (;;) {
      const seq = this.nextSeq;
      this.nextSeq = seq >= 0xffffffff ? 1 : seq + 1;
      if (!this.pending.has(seq)) return seq;
    }
  }

  /** Copies a request and writes our sequence number, port id and flags into the copy. */
  private stamp(bytes: Uint8Array, seq: number, addFlags: number): Uint8Array {
    const out = bytes.slice();
    this.stampHeader(dataViewOf(out), seq, addFlags);
    return out;
  }

  // nlmsg_flags gain `addFlags`; nlmsg_seq and nlmsg_pid are this request's.
  private stampHeader(dv: DataView, seq: number, addFlags: number): void {
    dv.setUint16(6, dv.getUint16(6, LE) | addFlags, LE);
    dv.setUint32(8, seq, LE);
    dv.setUint32(12, this.portId, LE);
  }

  // Requests are stamped into one reused buffer outside V8's heap: the addon
  // reads a small typed array only after V8 moves it out of its heap (an
  // allocation and a backing store per request, more than the send costs).
  private stampIntoSendBuffer(bytes: Uint8Array, seq: number, addFlags: number): Uint8Array {
    if (!this.sendBuffer) {
      const buffer = new Uint8Array(SEND_BUFFER_SIZE);
      this.sendBuffer = { bytes: buffer, dv: dataViewOf(buffer) };
    }
    const out = this.sendBuffer.bytes.subarray(0, bytes.length);
    out.set(bytes);
    this.stampHeader(this.sendBuffer.dv, seq, addFlags);
    return out;
  }

  // Sends; returns false when the bytes wait in the native queue (EAGAIN).
  private transmit(bytes: Uint8Array, port = 0, groups = 0): boolean {
    return this.transmitAndRead(bytes, port, groups, 0) !== SEND_QUEUED;
  }

  // Sends, then reads up to `receive` datagrams at once (see answersInline): SEND_QUEUED, or the count read.
  private transmitAndRead(bytes: Uint8Array, port: number, groups: number, receive: number): number {
    try {
      return this.native.send(bytes, port, groups, receive);
    } catch (err) {
      throw systemError(err as NativeSystemError, 'sendto');
    }
  }

  /**
   * Sends one request and resolves with the kernel's replies once it acknowledges it
   * (NLM_F_ACK is added). Rejects with NetlinkError when the kernel refuses it.
   */
  request(bytes: Uint8Array, options: RequestOptions = {}): Promise<MessageView[]> {
    try {
      this.ensureOpen();
      checkBytes(bytes, 'request');
      checkOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    return new Promise<MessageView[]>((resolve, reject) => {
      const seq = this.allocSeq();
      // Not the send buffer when it holds a request being sent (one sent from its answer's onWarning handler).
      const buffered = bytes.length <= SEND_BUFFER_SIZE && !this.sendBufferBusy;
      const stamped = buffered ? this.stampIntoSendBuffer(bytes, seq, NLM_F_REQUEST | NLM_F_ACK) : this.stamp(bytes, seq, NLM_F_REQUEST | NLM_F_ACK);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => fail(abortReason(options.signal!));
      const cleanup = (): void => {
        this.pending.delete(seq);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.updateRef();
      };
      const fail = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const op: PendingRequest = {
        kind: 'request',
        seq,
        request: stamped,
        replies: [],
        options,
        resolve: (replies) => {
          cleanup();
          resolve(replies);
        },
        reject: fail,
        cleanup,
      };
      this.pending.set(seq, op);
      if (options.timeout !== undefined) timer = setTimeout(() => fail(new NetlinkTimeoutError(options.timeout!, options.name ?? 'request')), options.timeout);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (buffered) this.sendBufferBusy = true;
      try {
        const port = options.port ?? 0;
        // One datagram at a time while the answer is incomplete: a read that would only find EAGAIN is not made.
        let read = this.transmitAndRead(stamped, port, 0, this.answersInline(port) ? 1 : 0);
        for (let reads = 1; read > 0 && reads < INLINE_READS && this.pending.get(seq) === op; reads++) read = this.native.receiveNow(1);
        if (this.pending.get(seq) === op) {
          // Still waiting: keep the request (for the ext-ack of its answer) apart from the reused send buffer,
          // and keep the process alive for the answer. (An answer read inline needed neither.)
          if (buffered) op.request = stamped.slice();
          this.updateRef();
        }
      } catch (err) {
        fail(err as Error);
      } finally {
        if (buffered) this.sendBufferBusy = false;
      }
    });
  }

  // A kernel protocol answers a request inside the sendto() that carries it
  // (netlink_unicast_kernel() runs the family's handler in the sender's
  // context): the answer is already queued, and reading it now saves a trip
  // through the event loop per request (ip -batch pays none either).
  private answersInline(port: number): boolean {
    return port === 0 && this.kernelOnly && this.framing === 'netlink';
  }

  /**
   * Sends several messages in one datagram (a batch, as nfnetlink transactions
   * need) and resolves once every message that carries NLM_F_ACK is
   * acknowledged, with one array of replies per message. Each message gets its
   * own sequence number; the first error from any of them rejects the batch,
   * with `batchIndex` on the error telling which message failed.
   */
  requestBatch(bytes: Uint8Array, options: RequestOptions = {}): Promise<MessageView[][]> {
    let offsets: number[];
    try {
      this.ensureOpen();
      checkOptions(options);
      offsets = splitBatch(bytes);
    } catch (err) {
      return Promise.reject(err);
    }
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    const stamped = bytes.slice();
    const dv = dataViewOf(stamped);
    const seqs: number[] = [];
    const awaited = new Set<number>();
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[i]!;
      const seq = this.allocSeq();
      this.pending.set(seq, PLACEHOLDER); // reserve it so allocSeq skips it
      seqs.push(seq);
      dv.setUint16(at + 6, dv.getUint16(at + 6, LE) | NLM_F_REQUEST, LE);
      dv.setUint32(at + 8, seq, LE);
      dv.setUint32(at + 12, this.portId, LE);
      if (dv.getUint16(at + 6, LE) & NLM_F_ACK) awaited.add(i);
    }
    if (awaited.size === 0) {
      for (const seq of seqs) this.pending.delete(seq);
      return Promise.reject(new RangeError('batch: no message carries NLM_F_ACK, so its completion could not be seen'));
    }
    return new Promise<MessageView[][]>((resolve, reject) => {
      const replies: MessageView[][] = seqs.map(() => []);
      let remaining = awaited.size;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => fail(abortReason(options.signal!));
      const cleanup = (): void => {
        for (const seq of seqs) this.pending.delete(seq);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.updateRef();
      };
      const fail = (err: Error, index?: number): void => {
        cleanup();
        if (index !== undefined) (err as Error & { batchIndex?: number }).batchIndex = index;
        reject(err);
      };
      seqs.forEach((seq, index) => {
        const request = stamped.subarray(offsets[index]!, offsets[index]! + dv.getUint32(offsets[index]!, LE));
        this.pending.set(seq, {
          kind: 'request',
          seq,
          request,
          replies: replies[index]!,
          options,
          resolve: () => {
            if (awaited.delete(index) && --remaining === 0) {
              cleanup();
              resolve(replies);
            }
          },
          reject: (err) => fail(err, index),
          cleanup,
        });
      });
      if (options.timeout !== undefined) timer = setTimeout(() => fail(new NetlinkTimeoutError(options.timeout!, options.name ?? 'batch')), options.timeout);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.updateRef();
      try {
        const port = options.port ?? 0;
        this.transmitAndRead(stamped, port, 0, this.answersInline(port) ? INLINE_READS : 0);
      } catch (err) {
        fail(err as Error);
      }
    });
  }

  /**
   * Sends a dump request and streams the messages as datagrams arrive.
   * Breaking out of the loop drains the rest of the dump so the socket stays
   * usable. The kernel runs one dump per socket at a time: further dumps queue.
   */
  dump(bytes: Uint8Array, options: DumpOptions = {}): DumpIterator {
    this.ensureOpen();
    checkBytes(bytes, 'dump request');
    checkOptions(options);
    const retry = options.retry ?? 0;
    if (!Number.isInteger(retry) || retry < 0 || retry > 100) throw new RangeError(`retry must be an integer 0..100, got ${String(retry)}`);
    return new DumpIterator(this, bytes, options);
  }

  /** Runs a dump to completion and returns every message (retrying on NLM_F_DUMP_INTR as `retry` allows). */
  async dumpAll(bytes: Uint8Array, options: DumpOptions = {}): Promise<MessageView[]> {
    const out: MessageView[] = [];
    for await (const msg of this.dump(bytes, options)) out.push(msg);
    return out;
  }

  /** @internal Queues a dump operation; it starts when no other dump runs. */
  enqueueDump(op: DumpOperation): void {
    this.ensureOpen();
    this.dumpQueue.push(op);
    this.updateRef();
    this.startNextDump();
  }

  private startNextDump(): void {
    while (!this.activeDump && this.dumpQueue.length > 0 && !this.isClosed) {
      const op = this.dumpQueue.shift()!;
      if (op.finished) continue;
      const seq = this.allocSeq();
      op.begin(seq, this.stamp(op.requestBytes, seq, NLM_F_REQUEST | NLM_F_DUMP));
      this.activeDump = op;
      this.pending.set(seq, op);
      try {
        this.transmit(op.sent!, op.options.port ?? 0);
      } catch (err) {
        this.finishDump(op, err as Error);
      }
    }
    this.updateRef();
  }

  /** @internal Called by a dump when it ends (completed, failed, drained or cancelled before start). */
  finishDump(op: DumpOperation, error?: Error): void {
    if (op.seq !== undefined) this.pending.delete(op.seq);
    const i = this.dumpQueue.indexOf(op);
    if (i >= 0) this.dumpQueue.splice(i, 1);
    op.complete(error);
    if (this.activeDump === op) {
      this.activeDump = undefined;
      this.setPaused(op, false);
      this.startNextDump();
    }
    this.updateRef();
  }

  /** @internal Pause or resume reading on behalf of `owner` (a dump or subscription whose queue is full). */
  setPaused(owner: object, paused: boolean): void {
    if (this.isClosed) return;
    if (paused) this.pausedBy.add(owner);
    else this.pausedBy.delete(owner);
    this.updatePause();
  }

  /**
   * Reading stops only when every reader with a full queue can wait and
   * nothing else needs the socket: a request, or a dump that is not itself
   * full, is never kept waiting behind a full subscription (or a full dump
   * behind which the caller awaits a request). While reading goes on for
   * them, a full subscription drops what it cannot hold and says so in-band.
   */
  private updatePause(): void {
    if (this.isClosed) return;
    let paused = this.pausedBy.size > 0;
    if (paused) {
      const dump = this.activeDump;
      if (dump !== undefined && !this.pausedBy.has(dump)) paused = false;
      else if (this.pending.size > (dump !== undefined ? 1 : 0)) paused = false;
    }
    if (paused === this.nativePaused) return;
    this.nativePaused = paused;
    if (paused) this.native.pause();
    else this.native.resume();
  }

  /** @internal True while the socket stops reading for full queues (a subscription that gets more must drop it). */
  get readingPaused(): boolean {
    return this.nativePaused;
  }

  /**
   * Joins multicast groups and returns an async iterator of their messages.
   * Overruns (the kernel dropped messages) arrive in-band as `{ overrun: true }`.
   */
  subscribe(groups: number | readonly number[], options: SubscribeOptions = {}): Subscription {
    if (this.framing !== 'netlink') throw new TypeError(`this socket delivers raw datagrams (framing '${this.framing}'): use subscribeDatagrams()`);
    return this.join<MessageView>(groups, options);
  }

  /**
   * Joins multicast groups of a protocol whose datagrams are not netlink
   * messages (a socket opened with framing 'datagram', the default for
   * NETLINK_KOBJECT_UEVENT) and yields each datagram as it is.
   */
  subscribeDatagrams(groups: number | readonly number[], options: SubscribeOptions = {}): Subscription<Datagram> {
    if (this.framing !== 'datagram') throw new TypeError("this socket reads netlink messages: open it with { framing: 'datagram' } to get raw datagrams");
    return this.join<Datagram>(groups, options);
  }

  /**
   * Unicast messages that answer no request: events the kernel sends to this
   * port alone (taskstats exit statistics to a registered listener), with
   * overruns in-band. Joins no group; while one is open, the onIncoming()
   * handler gets none of these messages.
   */
  subscribeUnicast(options: SubscribeOptions = {}): Subscription {
    this.ensureOpen();
    if (this.framing !== 'netlink') throw new TypeError(`this socket delivers raw datagrams (framing '${this.framing}'): use subscribeDatagrams()`);
    checkOptions(options);
    // Group 0 stands for "unicast" in wants(); nothing is joined or left for it.
    const sub = new Subscription<MessageView>(this, [0], options);
    this.subscriptions.add(sub as Subscription<unknown>);
    this.updateRef();
    return sub;
  }

  private join<T>(groups: number | readonly number[], options: SubscribeOptions): Subscription<T> {
    this.ensureOpen();
    const list = typeof groups === 'number' ? [groups] : groups;
    if (!Array.isArray(list) || list.length === 0) throw new TypeError('groups must be a group number or a non-empty array of them');
    for (const g of list) {
      if (!Number.isInteger(g) || g <= 0 || g > 0xffffffff) throw new RangeError(`group must be a positive integer, got ${String(g)}`);
    }
    checkOptions(options);
    const sub = new Subscription<T>(this, [...new Set(list)], options);
    for (const g of sub.groups) this.joinGroup(g);
    this.subscriptions.add(sub as Subscription<unknown>);
    this.updateRef();
    return sub;
  }

  /** @internal */
  unsubscribe(sub: Subscription<unknown>): void {
    if (!this.subscriptions.delete(sub)) return;
    this.setPaused(sub, false);
    if (!this.isClosed) for (const g of sub.groups) if (g !== 0) this.leaveGroup(g);
    this.updateRef();
  }

  /** Joins a multicast group (NETLINK_ADD_MEMBERSHIP); counted, so nested joins are safe. */
  joinGroup(group: number): void {
    this.ensureOpen();
    const n = this.groupRefs.get(group) ?? 0;
    if (n === 0) {
      try {
        this.native.setNetlinkOption(NETLINK_ADD_MEMBERSHIP, group);
      } catch (err) {
        throw systemError(err as NativeSystemError, 'setsockopt(NETLINK_ADD_MEMBERSHIP)');
      }
    }
    this.groupRefs.set(group, n + 1);
  }

  /** Leaves a multicast group joined with joinGroup(). */
  leaveGroup(group: number): void {
    this.ensureOpen();
    const n = this.groupRefs.get(group) ?? 0;
    if (n === 0) return;
    if (n === 1) {
      this.groupRefs.delete(group);
      try {
        this.native.setNetlinkOption(NETLINK_DROP_MEMBERSHIP, group);
      } catch (err) {
        throw systemError(err as NativeSystemError, 'setsockopt(NETLINK_DROP_MEMBERSHIP)');
      }
    } else {
      this.groupRefs.set(group, n - 1);
    }
  }

  /**
   * Sends bytes as they are (no sequence number written) to a port and/or groups:
   * for user-space peers on NETLINK_USERSOCK and for replies a server sends.
   * Returns false when the receiver was full (EAGAIN): the bytes then wait in
   * the native send queue, which retries them in order; a sender that must not
   * outrun its peer slows down until a send returns true again.
   */
  send(bytes: Uint8Array, destination: { port?: number; groups?: number } = {}): boolean {
    this.ensureOpen();
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    const port = destination.port ?? 0;
    const groups = destination.groups ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 0xffffffff) throw new RangeError(`port must be a 32-bit port id, got ${String(port)}`);
    if (!Number.isInteger(groups) || groups < 0 || groups > 0xffffffff) throw new RangeError(`groups must be a 32-bit bitmask, got ${String(groups)}`);
    return this.transmit(bytes, port, groups);
  }

  /**
   * Receives unicast messages that answer no pending request (requests to a
   * user-space server, late replies). Replaces any earlier handler; undefined removes it.
   */
  onIncoming(handler: IncomingHandler | undefined): void {
    this.ensureOpen();
    this.incomingHandler = handler;
    this.updateRef();
  }

  /** Attaches a classic BPF filter (8 bytes per instruction: u16 code, u8 jt, u8 jf, u32 k). */
  attachFilter(program: Uint8Array): void {
    this.ensureOpen();
    if (!(program instanceof Uint8Array) || program.length === 0 || program.length % 8 !== 0) {
      throw new RangeError('filter program must be a non-empty Uint8Array of 8-byte instructions');
    }
    try {
      this.native.attachFilter(program);
    } catch (err) {
      throw systemError(err as NativeSystemError, 'setsockopt(SO_ATTACH_FILTER)');
    }
  }

  /** Removes an attached filter. */
  detachFilter(): void {
    this.ensureOpen();
    try {
      this.native.detachFilter();
    } catch (err) {
      throw systemError(err as NativeSystemError, 'setsockopt(SO_DETACH_FILTER)');
    }
  }

  /** Sets a SOL_NETLINK option by number. */
  setOption(option: number, value: number): void {
    this.ensureOpen();
    try {
      this.native.setNetlinkOption(option, value);
    } catch (err) {
      throw systemError(err as NativeSystemError, 'setsockopt');
    }
  }

  /** Lets the process exit while this socket has work pending (like dgram's unref). */
  unref(): this {
    this.userUnref = true;
    this.updateRef();
    return this;
  }

  /** Undoes unref(): pending work keeps the process alive again. */
  ref(): this {
    this.userUnref = false;
    this.updateRef();
    return this;
  }

  // The socket keeps the event loop alive only while something waits on it,
  // and only then is it held from native (an idle socket can be collected).
  private updateRef(): void {
    if (this.isClosed) return;
    const inFlight = this.pending.size > 0 || this.dumpQueue.length > 0 || this.subscriptions.size > 0 || this.incomingHandler !== undefined;
    if (inFlight !== this.isPinned) {
      this.isPinned = inFlight;
      (this.native as unknown as Record<symbol, unknown>)[PIN] = inFlight ? this : undefined;
    }
    const busy = inFlight && !this.userUnref;
    if (busy !== this.isReffed) {
      this.isReffed = busy;
      if (busy) this.native.ref();
      else this.native.unref();
    }
    this.updatePause();
  }

  /** Closes the socket: pending requests and dumps reject with SocketClosedError, subscriptions end. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    FORGOTTEN.unregister(this);
    (this.native as unknown as Record<symbol, unknown>)[PIN] = undefined;
    this.native.close();
    const err = new SocketClosedError('socket closed while the operation was pending');
    for (const op of [...this.pending.values()]) {
      if (op.kind === 'request') op.reject(err);
    }
    for (const op of [...this.dumpQueue, ...(this.activeDump ? [this.activeDump] : [])]) op.complete(err);
    this.dumpQueue.length = 0;
    this.activeDump = undefined;
    this.pending.clear();
    for (const sub of [...this.subscriptions]) sub.end();
    this.subscriptions.clear();
    this.incomingHandler = undefined;
  }

  /** Closes the socket, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** Closes the socket, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- receive path ------------------------------------------------------

  private freshSlab(): void {
    this.slab = new Uint8Array(this.slabSize);
    this.dv = dataViewOf(this.slab);
    this.native.setSlab(this.slab, 0, this.frames);
  }

  /**
   * A socket that has filled a slab reads enough to keep a spare: native goes
   * on in it when the current one fills, without waiting for this callback.
   * Idle sockets never get one (they hold a single slab).
   */
  private freshSpare(): void {
    this.spare = new Uint8Array(this.slabSize);
    this.native.setSpareSlab(this.spare);
  }

  private onBatch(count: number, slabFull: boolean, error: NativeSystemError | null, switched: boolean): void {
    if (this.isClosed) return;
    const frames = this.frames;
    const slab = this.slab;
    const dv = this.dv;
    for (let i = 0; i < count && !this.isClosed; i++) {
      const base = i * FRAME_WORDS;
      const flags = frames[base + FRAME_FLAGS]!;
      if (flags & FRAME_OVERRUN) {
        this.onOverrun(new NetlinkOverrunError());
        continue;
      }
      const offset = frames[base + FRAME_OFFSET]!;
      const length = frames[base + FRAME_LENGTH]!;
      const port = frames[base + FRAME_PORT]!;
      if (flags & FRAME_TRUNCATED) {
        this.counters.truncated++;
        this.onOverrun(new NetlinkTruncatedError(length));
        continue;
      }
      const group = frames[base + FRAME_GROUP]!;
      if (port !== 0 && this.kernelOnly && !(this.userSenders && group !== 0)) {
        // Only the kernel speaks on kernel protocols: anything else is spoofed
        // (unless the socket accepts user-space multicast, like udev's).
        this.counters.dropped++;
        continue;
      }
      this.counters.received++;
      const nsidWord = frames[base + FRAME_NSID]!;
      if (this.framing === 'datagram') {
        const datagram: Datagram = { bytes: slab.subarray(offset, offset + length), senderPort: port, group, nsid: nsidWord === NSID_NONE ? undefined : nsidWord | 0 };
        for (const sub of this.subscriptions) if (sub.wants(group, port)) sub.push(datagram);
        continue;
      }
      this.onDatagram(slab, dv, offset, offset + length, port, group, nsidWord === NSID_NONE ? undefined : nsidWord | 0);
    }
    if (!this.isClosed && switched && this.spare) {
      // The frames above were the old slab's last; native now reads into the spare.
      this.slab = this.spare;
      this.dv = dataViewOf(this.slab);
      this.freshSpare();
    }
    if (!this.isClosed && (slabFull || this.slab.length - this.native.slabOffset < this.maxDatagram)) {
      this.freshSlab();
      if (!this.spare) this.freshSpare();
    }
    if (error && !this.isClosed) this.onSocketError(systemError(error, 'recvmsg'));
  }

  private onDatagram(slab: Uint8Array, dv: DataView, start: number, end: number, port: number, group: number, nsid: number | undefined): void {
    let pos = start;
    if (group !== 0) {
      while (end - pos >= NLMSG_HDRLEN) {
        const length = dv.getUint32(pos, LE);
        if (length < NLMSG_HDRLEN || length > end - pos) {
          this.onMalformed(new NetlinkDecodeError(`message length ${length} does not fit the datagram (${end - pos} bytes left)`, pos - start), group, port, 0);
          return;
        }
        const msg = new MessageView(slab, pos, dv, port, group, nsid);
        // The answer to a request sent with NLM_F_ECHO is a unicast copy of the
        // notification that still carries its group (nlmsg_notify() multicasts
        // the skb, which sets dst_group, then unicasts the same skb to the
        // requester). The requester is left out of that multicast, so the copy
        // goes to the request and to this socket's subscriptions alike.
        if (dv.getUint32(pos + 12, LE) === this.portId) {
          const owner = this.pending.get(dv.getUint32(pos + 8, LE));
          if (owner?.kind === 'request' && port === (owner.options.port ?? 0) && dataViewOf(owner.request).getUint16(6, LE) & NLM_F_ECHO) this.onRequestMessage(owner, msg);
          if (this.isClosed) return;
        }
        for (const sub of this.subscriptions) if (sub.wants(group, port)) sub.push(msg);
        pos += nlmsgAlign(length);
      }
      return;
    }
    // Unicast: replies are routed by sequence number. A dump's data messages
    // are handed over as byte ranges; views are made when the consumer reads.
    while (end - pos >= NLMSG_HDRLEN) {
      const length = dv.getUint32(pos, LE);
      if (length < NLMSG_HDRLEN || length > end - pos) {
        this.onMalformed(
          new NetlinkDecodeError(`message length ${length} does not fit the datagram (${end - pos} bytes left)`, pos - start),
          group,
          port,
          end - pos >= 12 ? dv.getUint32(pos + 8, LE) : 0,
        );
        return;
      }
      const seq = dv.getUint32(pos + 8, LE);
      const owner = this.pending.get(seq);
      if (owner !== undefined && port !== (owner.options.port ?? 0)) {
        // On a user-space protocol only the port the request went to may
        // answer it (the kernel fills the sender's port): anything else is forged.
        this.counters.dropped++;
        pos += nlmsgAlign(length);
        continue;
      }
      if (owner !== undefined && owner.kind === 'dump' && dv.getUint16(pos + 4, LE) >= NLMSG_MIN_TYPE) {
        // A run of data messages of this dump: the hot path of a large dump,
        // so it only reads what it must (length, sequence, type and flags).
        let p = pos;
        let count = 0;
        while (end - p >= NLMSG_HDRLEN) {
          const len = dv.getUint32(p, LE);
          if (len < NLMSG_HDRLEN || len > end - p || dv.getUint32(p + 8, LE) !== seq) break;
          if (dv.getUint16(p + 4, LE) < NLMSG_MIN_TYPE) break;
          const flags = dv.getUint16(p + 6, LE);
          if (flags & (NLM_F_DUMP_INTR | NLM_F_DUMP_FILTERED)) owner.noteFlags(flags);
          count++;
          p += nlmsgAlign(len);
        }
        owner.pushRange(slab, dv, pos, p, count, port);
        pos = p;
        continue;
      }
      const msg = new MessageView(slab, pos, dv, port);
      if (owner === undefined) this.onUnmatched(msg);
      else if (owner.kind === 'request') this.onRequestMessage(owner, msg);
      else owner.onControl(msg);
      if (this.isClosed) return;
      pos += nlmsgAlign(length);
    }
  }

  private onRequestMessage(op: PendingRequest, msg: MessageView): void {
    const type = msg.type;
    if (type === NLMSG_ERROR) {
      let ack;
      try {
        ack = parseErrorMessage(msg);
      } catch (err) {
        op.reject(err as Error);
        return;
      }
      if (ack.errno !== 0) {
        op.reject(this.kernelError(ack.errno, ack.extAck, op.seq, op.request, op.options));
        return;
      }
      if (ack.extAck?.message) this.warn(ack.extAck.message, op.options);
      if (this.isClosed) return;
      if (op.options.replyAfterAck && op.replies.length === 0)
        op.acked = true; // the answer is still to come
      else op.resolve(op.replies);
    } else if (type === NLMSG_DONE) {
      // A multipart answer to a `do`: the acknowledgement still follows,
      // unless it came first (replyAfterAck).
      const done = parseDoneMessage(msg);
      if (done.errno !== 0) {
        op.reject(this.kernelError(done.errno, done.extAck, op.seq, op.request, op.options));
        return;
      }
      if (done.extAck?.message) this.warn(done.extAck.message, op.options);
      if (!this.isClosed && op.acked) op.resolve(op.replies);
    } else if (type !== NLMSG_NOOP && type !== NLMSG_OVERRUN) {
      op.replies.push(msg);
      if (op.acked && !(msg.flags & NLM_F_MULTI)) op.resolve(op.replies);
    }
  }

  /** @internal Hands the kernel's warning on a successful call to the call's handler, else the socket's. */
  warn(message: string, options: CallOptions): void {
    const handler = options.onWarning ?? this.onWarning;
    if (!handler) return;
    try {
      handler(message);
    } catch (err) {
      // Not inside the receive path: a throwing handler must not leave replies half-routed.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  /** @internal Builds the NetlinkError for a kernel rejection. */
  kernelError(errno: number, extAck: ExtAck | undefined, seq: number, request: Uint8Array, options: RequestOptions): NetlinkError {
    const requestType = dataViewOf(request).getUint16(4, LE);
    let described: ExtAckDescription | undefined;
    if (extAck && options.describe) {
      try {
        described = options.describe(extAck, request);
      } catch {
        described = undefined; // a describer must never hide the kernel's own error
      }
    }
    return new NetlinkError(errno, {
      extAck,
      seq,
      requestType,
      ...(options.name !== undefined ? { requestName: options.name } : {}),
      ...(described?.attributePath !== undefined ? { attributePath: described.attributePath } : {}),
      ...(described?.missingAttribute !== undefined ? { missingAttribute: described.missingAttribute } : {}),
    });
  }

  private onUnmatched(msg: MessageView): void {
    let taken = false;
    for (const sub of this.subscriptions) {
      if (sub.wants(0, msg.senderPort)) {
        (sub as Subscription).push(msg);
        taken = true;
      }
    }
    if (taken) return;
    if (this.incomingHandler) {
      this.incomingHandler(msg);
      return;
    }
    this.counters.unmatched++;
  }

  private onMalformed(err: NetlinkDecodeError, group: number, port: number, seq: number): void {
    if (group !== 0) {
      for (const sub of this.subscriptions) if (sub.wants(group, port)) sub.fail(err);
      return;
    }
    const op = this.pending.get(seq);
    if (!op || port !== (op.options.port ?? 0)) return;
    if (op.kind === 'request') op.reject(err);
    else this.finishDump(op, err);
  }

  // Messages were dropped: subscribers learn in-band, and requests waiting for
  // an answer fail because that answer may be among the lost.
  private onOverrun(err: NetlinkOverrunError | NetlinkTruncatedError): void {
    this.counters.overruns++;
    for (const sub of this.subscriptions) sub.pushOverrun(err instanceof NetlinkTruncatedError);
    for (const op of [...this.pending.values()]) {
      if (op.kind === 'request') op.reject(err);
      else if (err instanceof NetlinkTruncatedError) this.finishDump(op, err);
    }
  }

  private onSocketError(err: NetlinkSocketError): void {
    for (const op of [...this.pending.values()]) {
      if (op.kind === 'request') op.reject(err);
      else this.finishDump(op, err);
    }
    for (const sub of this.subscriptions) sub.fail(err);
  }
}
