// FamilyServer: answers a family's requests from user space, on
// NETLINK_USERSOCK, the way the kernel answers its own families: requests are
// decoded with the family's codecs, handlers run, replies are encoded with the
// same codecs; acks, errors with extended ack (message, offset of the bad
// attribute, missing attribute), multipart dumps ending in NLMSG_DONE, and
// multicast notifications. So a protocol can be written and tested end to end
// before any kernel module exists.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { writeDoneMessage, writeErrorMessage, type ExtAckFields } from '../../core/ackwrite.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_ECHO, NLM_F_MULTI, NLM_F_REQUEST, NLMSG_MIN_TYPE, Protocol } from '../../core/constants.js';
import { NetlinkDecodeError, NetlinkError, NetlinkSocketError, SocketClosedError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import type { NetnsTarget } from '../../io/netns.js';
import { NetlinkSocket } from '../../io/socket.js';
import type { Family, OperationModeCodec } from '../../schema/family.js';
import { indexSpec, type Operation, type SpecIndex } from '../../schema/model.js';
import type { Obj } from '../../schema/runtime.js';
import { USERSOCK_GROUPS } from './define.js';
import { FamilyServerError, type RejectDetails } from './error.js';
import { attributeOffset, missingAttribute } from './extack.js';
import { Peer } from './peer.js';
import { checkPolicy } from './policy.js';

/** Largest datagram a client receives whole (the native receive path reserves 64 KiB per datagram). */
export const MAX_DATAGRAM = 65536;
/** Default size of the datagrams a dump is packed into (the kernel's dumps use up to 32 KiB). */
export const DEFAULT_DATAGRAM_SIZE = 32 * 1024;
/** Default number of dump datagrams sent before yielding to the event loop. */
export const DEFAULT_DUMP_BURST = 8;
/** Default number of per-client sending sockets kept open. */
export const DEFAULT_MAX_PEERS = 64;

const EIO = 5;
const EINVAL = 22;
const ENOENT = 2;
const EOPNOTSUPP = 95;
const EMSGSIZE = 90;

/** What a `do` handler returns: the reply's fields, or nothing when the operation only acknowledges. */
export type DoResult = Obj | undefined | void;

// Handlers are declared as methods so that one may type its request more
// narrowly than Obj (`(req: { key: string }, ctx) => ...`): method parameters
// are checked bivariantly.

/** Answers the `do` mode of an operation. Throw a FamilyServerError (see `ctx.error`) to reject the request. */
export type DoHandler = {
  /** Returns the reply (or nothing, for a bare acknowledgement). */
  handle(request: Obj, ctx: RequestContext): DoResult | PromiseLike<DoResult>;
}['handle'];

/** Answers the `dump` mode of an operation with the objects to send, in order (an array, a generator, an async generator …). */
export type DumpHandler = {
  /** Returns the objects to send as the dump's messages. */
  handle(request: Obj, ctx: RequestContext): Iterable<Obj> | AsyncIterable<Obj> | PromiseLike<Iterable<Obj> | AsyncIterable<Obj>>;
}['handle'];

/**
 * The handler of one operation: a function for an operation that has one
 * mode (do or dump), or `{ do, dump }`.
 */
export type OperationHandler =
  | DoHandler
  | DumpHandler
  | {
      /** Answers the operation's do mode. */
      readonly do?: DoHandler;
      /** Answers the operation's dump mode. */
      readonly dump?: DumpHandler;
    };

/** Handlers by operation name. Operations without a handler answer EOPNOTSUPP. */
export type FamilyHandlers<Ops extends string = string> = { readonly [K in Ops]?: OperationHandler };

/** Operation names of a family type. */
export type OperationsOf<F> = F extends Family<infer T> ? Extract<keyof T, string> : string;

/** What a handler knows about the request it answers. */
export interface RequestContext {
  /** The server the request came to. */
  readonly server: FamilyServer;
  /** The operation's name in the spec. */
  readonly operation: string;
  /** Which mode of the operation the client asked for. */
  readonly mode: 'do' | 'dump';
  /** The request as received (a view; valid for as long as it is referenced). */
  readonly message: MessageView;
  /** Port id of the client. */
  readonly port: number;
  /** Sequence number of the request; replies carry it back. */
  readonly seq: number;
  /** nlmsg_flags of the request (NLM_F_CREATE, NLM_F_EXCL … as the client sent them). */
  readonly flags: number;
  /** Aborted when the server closes. */
  readonly signal: AbortSignal;
  /** An error to throw that rejects the request: `throw ctx.error('ENOENT', { message: 'no such key', attribute: 'key' })`. */
  error(code: string | number, details?: string | RejectDetails): FamilyServerError;
  /** Throws EINVAL naming the first of these attribute paths (e.g. 'key', 'config.name') the request lacks. */
  require(...paths: string[]): void;
  /** Multicasts a notification, stamped with this request's sequence number and port id as the kernel does. */
  notify(operation: string, value: Obj, options?: { group?: string }): void;
}

/** Options of {@link FamilyServer.open}. */
export interface FamilyServerOptions<Ops extends string = string> {
  /** The handler of each operation, by name. */
  handlers: FamilyHandlers<Ops>;
  /** Serve inside another network namespace (a name under /run/netns, or { path }, { pid }, { fd }). */
  netns?: NetnsTarget;
  /** Receive buffer of the server's socket in bytes. Default 32 MiB. */
  rcvbuf?: number;
  /** nlmsg_type of a genetlink-style family. Default: the spec's static id (see defineFamily). */
  familyId?: number;
  /** Size of the datagrams dumps are packed into, 4096..65536. Default 32 KiB. */
  datagramSize?: number;
  /** Dump datagrams sent before yielding to the event loop (so one big dump does not stall other clients). Default 8. */
  dumpBurst?: number;
  /** Clients whose sending state is kept (idle ones beyond this are forgotten). Default 64. */
  maxPeers?: number;
  /** Check requests against the `checks` of the spec (lengths, ranges) before handlers run, as a kernel policy does. Default true. */
  checkPolicy?: boolean;
  /**
   * Called with errors that are not the client's fault: a handler that threw
   * something other than a FamilyServerError (the client gets EIO), a reply
   * that does not encode, a client that could not be answered. Default:
   * console.error.
   */
  onError?: (error: unknown, context: RequestContext | undefined) => void;
}

/** Counters of what a server did. */
export interface FamilyServerStats {
  /** Requests received. */
  requests: number;
  /** Requests rejected with an error. */
  errors: number;
  /** Dumps completed (NLMSG_DONE sent). */
  dumps: number;
  /** Messages sent in dumps. */
  dumpMessages: number;
  /** Datagrams that found the client's receive buffer full and waited in the send queue. */
  deferred: number;
  /** Notifications multicast. */
  notifications: number;
  /** Clients whose sending state is kept now. */
  peers: number;
}

interface Call {
  readonly msg: MessageView;
  readonly op: Operation | undefined;
  readonly ctx: RequestContext | undefined;
  /** Notifications the handler sent, to be copied to a requester that set NLM_F_ECHO. */
  readonly echoes?: Uint8Array[];
}

/** The messages in `parts` back to back (they are whole, aligned messages). */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function isFunction(x: unknown): x is (...args: never[]) => unknown {
  return typeof x === 'function';
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Obj> {
  return typeof x === 'object' && x !== null && typeof (x as AsyncIterable<Obj>)[Symbol.asyncIterator] === 'function';
}

function isIterable(x: unknown): x is Iterable<Obj> {
  return typeof x === 'object' && x !== null && typeof (x as Iterable<Obj>)[Symbol.iterator] === 'function';
}

/** True for errors that mean the client cannot be reached any more (it closed its socket) or the server closed. */
function isGone(err: unknown): boolean {
  return err instanceof SocketClosedError || (err instanceof NetlinkSocketError && (err.code === 'ECONNREFUSED' || err.code === 'EBADF'));
}

function checkInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer ${min}..${max}, got ${String(value)}`);
  return value;
}

/** Present at `path` ('a' or 'a.b') in a decoded object. */
function has(obj: Obj, path: string): boolean {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return false;
    cur = (cur as Obj)[part];
  }
  return cur !== undefined;
}

/**
 * Serves a family on NETLINK_USERSOCK.
 *
 * ```ts
 * const family = loadFamily('kvstore.yaml');
 * const store = new Map<string, Uint8Array>();
 * await using server = await FamilyServer.open(family, {
 *   handlers: {
 *     get: ({ key }, ctx) => {
 *       const value = store.get(key as string);
 *       if (!value) throw ctx.error('ENOENT', { message: 'no such key', attribute: 'key' });
 *       return { key, value };
 *     },
 *     list: () => [...store].map(([key, value]) => ({ key, value })),
 *   },
 * });
 * const client = await FamilyClient.open(family, { port: server.port });
 * ```
 */
export class FamilyServer<Ops extends string = string> {
  private readonly counters = { requests: 0, errors: 0, dumps: 0, dumpMessages: 0, deferred: 0, notifications: 0 };
  private readonly idx: SpecIndex;
  private readonly genetlink: boolean;
  private readonly familyId: number | undefined;
  private readonly doHandlers = new Map<string, DoHandler>();
  private readonly dumpHandlers = new Map<string, DumpHandler>();
  private readonly groups = new Map<string, number>();
  private readonly settled = new Map<number, Peer>();
  private readonly writer = new MessageWriter(4096);
  private readonly abort = new AbortController();
  private isClosed = false;

  private constructor(
    /** The family the server speaks. */
    readonly family: Family<object>,
    /** The socket requests arrive on (its port id is the server's address). */
    readonly socket: NetlinkSocket,
    private readonly options: FamilyServerOptions<Ops>,
    private readonly datagramSize: number,
    private readonly dumpBurst: number,
    private readonly maxPeers: number,
  ) {
    this.idx = indexSpec(family.spec);
    this.genetlink = family.isGenetlink;
    this.familyId = options.familyId ?? family.spec.staticFamilyId;
    for (const g of family.spec.mcastGroups) if (g.value !== undefined) this.groups.set(g.name, g.value);
    this.installHandlers(options.handlers);
  }

  /** Opens the server's socket and starts answering requests. Its port id (`server.port`) is the address clients send to. */
  static async open<F extends Family<object>>(family: F, options: FamilyServerOptions<OperationsOf<F>>): Promise<FamilyServer<OperationsOf<F>>> {
    if (!family || typeof family !== 'object' || typeof family.decodeRequest !== 'function')
      throw new TypeError('family must be a compiled family (defineFamily, loadFamily or compileFamily)');
    if (family.protonum !== Protocol.USERSOCK) {
      throw new RangeError(
        `${family.name} runs on netlink protocol ${family.protonum}; a user-space server needs NETLINK_USERSOCK (${Protocol.USERSOCK}): define it with defineFamily or loadFamily`,
      );
    }
    if (!options || typeof options !== 'object') throw new TypeError('options must be an object with handlers');
    if (!options.handlers || typeof options.handlers !== 'object') throw new TypeError('options.handlers must be an object of handlers by operation name');
    const datagramSize = checkInteger(options.datagramSize, 'datagramSize', 4096, MAX_DATAGRAM) ?? DEFAULT_DATAGRAM_SIZE;
    const dumpBurst = checkInteger(options.dumpBurst, 'dumpBurst', 1, 1 << 20) ?? DEFAULT_DUMP_BURST;
    const maxPeers = checkInteger(options.maxPeers, 'maxPeers', 1, 1 << 16) ?? DEFAULT_MAX_PEERS;
    checkInteger(options.familyId, 'familyId', NLMSG_MIN_TYPE, 0xffff);
    if (family.isGenetlink && options.familyId === undefined && family.spec.staticFamilyId === undefined) {
      throw new RangeError(`${family.name} is a genetlink-style family without a fixed id: pass familyId (or build it with defineFamily / loadFamily)`);
    }
    if (options.onError !== undefined && typeof options.onError !== 'function') throw new TypeError('onError must be a function');
    const socket = await NetlinkSocket.open(Protocol.USERSOCK, {
      ...(options.netns !== undefined ? { netns: options.netns } : {}),
      ...(options.rcvbuf !== undefined ? { rcvbuf: options.rcvbuf } : {}),
    });
    let server: FamilyServer<OperationsOf<F>>;
    try {
      server = new FamilyServer(family, socket, options, datagramSize, dumpBurst, maxPeers);
    } catch (err) {
      socket.close();
      throw err;
    }
    socket.onIncoming((msg) => server.onRequest(msg));
    return server;
  }

  /** The port id clients send requests to. */
  get port(): number {
    return this.socket.portId;
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Counters of what the server did, and how many clients it keeps a sending state for. */
  get stats(): FamilyServerStats {
    return { ...this.counters, peers: this.settled.size };
  }

  private installHandlers(handlers: FamilyHandlers<Ops>): void {
    const ops = this.family.ops as Readonly<Record<string, { do?: OperationModeCodec; dump?: OperationModeCodec }>>;
    for (const [name, handler] of Object.entries(handlers) as Array<[string, OperationHandler | undefined]>) {
      if (handler === undefined) continue;
      const codec = Object.hasOwn(ops, name) ? ops[name] : undefined;
      if (!codec || (!codec.do && !codec.dump)) {
        const names = Object.keys(ops).filter((n) => ops[n]!.do || ops[n]!.dump);
        throw new TypeError(`handlers.${name}: ${this.family.name} has no operation '${name}' with a do or dump mode (operations: ${names.join(', ') || 'none'})`);
      }
      if (isFunction(handler)) {
        if (codec.do && codec.dump) throw new TypeError(`handlers.${name}: operation '${name}' has both do and dump modes; give { do, dump }`);
        if (codec.do) this.doHandlers.set(name, handler as DoHandler);
        else this.dumpHandlers.set(name, handler as DumpHandler);
        continue;
      }
      if (typeof handler !== 'object' || handler === null) throw new TypeError(`handlers.${name} must be a function or { do, dump }`);
      for (const key of Object.keys(handler)) {
        if (key !== 'do' && key !== 'dump') throw new TypeError(`handlers.${name}: unknown key '${key}' (expected do, dump)`);
      }
      if (handler.do !== undefined) {
        if (!codec.do) throw new TypeError(`handlers.${name}.do: operation '${name}' has no do mode`);
        if (!isFunction(handler.do)) throw new TypeError(`handlers.${name}.do must be a function`);
        this.doHandlers.set(name, handler.do);
      }
      if (handler.dump !== undefined) {
        if (!codec.dump) throw new TypeError(`handlers.${name}.dump: operation '${name}' has no dump mode`);
        if (!isFunction(handler.dump)) throw new TypeError(`handlers.${name}.dump must be a function`);
        this.dumpHandlers.set(name, handler.dump);
      }
    }
  }

  // ---- requests ---------------------------------------------------------------

  private onRequest(msg: MessageView): void {
    // Closed, or the server's own copy of a notification (see notify()).
    if (this.isClosed || msg.senderPort === this.socket.portId) return;
    try {
      this.dispatch(msg);
    } catch (err) {
      // Nothing may escape into the receive path.
      this.report(err, undefined);
    }
  }

  private dispatch(msg: MessageView): void {
    this.counters.requests++;
    const flags = msg.flags;
    if (!(flags & NLM_F_REQUEST) || msg.type < NLMSG_MIN_TYPE) {
      // af_netlink.c, netlink_rcv_skb(): what is not a request, or is a
      // control message, is skipped and only acknowledged if asked to.
      if (flags & NLM_F_REQUEST && flags & NLM_F_ACK) void this.answer({ msg, op: undefined, ctx: undefined }, undefined);
      return;
    }
    const bare: Call = { msg, op: undefined, ctx: undefined };
    if (this.genetlink && msg.type !== this.familyId) {
      void this.reject(bare, new FamilyServerError(ENOENT, `no family with id ${msg.type} here (${this.family.name} is ${this.familyId!})`));
      return;
    }
    let id: number;
    try {
      id = this.family.messageId(msg);
    } catch {
      void this.reject(bare, new FamilyServerError(EINVAL, 'message too short for its generic netlink header'));
      return;
    }
    const op = this.idx.requestsByValue.get(id);
    const codecs = op ? (this.family.ops as Readonly<Record<string, { do?: OperationModeCodec; dump?: OperationModeCodec }>>)[op.name] : undefined;
    if (!op || !codecs) {
      void this.reject(bare, new FamilyServerError(EOPNOTSUPP, `unknown ${this.genetlink ? 'command' : 'message type'} ${id}`));
      return;
    }
    // NLM_F_DUMP shares its bits with NLM_F_REPLACE | NLM_F_EXCL: like
    // rtnetlink, read them as a dump only for an operation that has one.
    const mode = (flags & NLM_F_DUMP) === NLM_F_DUMP && (codecs.dump || !codecs.do) ? 'dump' : 'do';
    const codec = codecs[mode];
    const handler = mode === 'do' ? this.doHandlers.get(op.name) : this.dumpHandlers.get(op.name);
    const located: Call = { msg, op, ctx: undefined };
    if (!codec || !handler) {
      void this.reject(located, new FamilyServerError(EOPNOTSUPP, codec ? `${op.name} ${mode} is not implemented by this server` : `${op.name} has no ${mode} operation`));
      return;
    }
    let request: Obj;
    try {
      if (this.options.checkPolicy ?? true) checkPolicy(msg, op, this.idx, this.genetlink);
      request = codec.decodeRequest(msg);
    } catch (err) {
      void this.reject(located, this.malformed(err, msg));
      return;
    }
    const echoes: Uint8Array[] = [];
    const call: Call = { msg, op, ctx: this.context(msg, op.name, mode, request, echoes), echoes };
    if (mode === 'do') void this.runDo(call, handler as DoHandler, request, codec);
    else void this.runDump(call, handler as DumpHandler, request, codec);
  }

  private malformed(err: unknown, msg: MessageView): unknown {
    if (err instanceof NetlinkDecodeError) {
      const offset = err.offset - msg.offset;
      return new FamilyServerError(EINVAL, { message: err.message, ...(offset >= 0 && offset < msg.length ? { offset } : {}) }, { cause: err });
    }
    return err;
  }

  private context(msg: MessageView, operation: string, mode: 'do' | 'dump', request: Obj, echoes: Uint8Array[]): RequestContext {
    const server = this as unknown as FamilyServer;
    const port = msg.senderPort;
    const seq = msg.seq;
    return {
      server,
      operation,
      mode,
      message: msg,
      port,
      seq,
      flags: msg.flags,
      signal: this.abort.signal,
      error: (code, details) => new FamilyServerError(code, details),
      require: (...paths) => {
        for (const p of paths) if (!has(request, p)) throw new FamilyServerError(EINVAL, { missing: p });
      },
      notify: (name, value, options = {}) => {
        const sent = this.multicast(name, value, { ...options, seq, portId: port });
        // The kernel also unicasts a notification to the requester that asked
        // for NLM_F_ECHO (nlmsg_notify() with report set): it arrives with
        // the answer, before the acknowledgement.
        if (msg.flags & NLM_F_ECHO && mode === 'do') echoes.push(sent.slice());
      },
    };
  }

  private async runDo(call: Call, handler: DoHandler, request: Obj, codec: OperationModeCodec): Promise<void> {
    let result: DoResult;
    try {
      result = await handler(request, call.ctx!);
    } catch (err) {
      await this.reject(call, err);
      return;
    }
    await this.answer(call, result ?? undefined, codec);
  }

  /** Sends the reply (if any) and the acknowledgement (if asked for) in one datagram. */
  private async answer(call: Call, reply: Obj | undefined, codec?: OperationModeCodec): Promise<void> {
    const { msg } = call;
    const wantAck = (msg.flags & NLM_F_ACK) !== 0;
    if (reply === undefined && !wantAck && !call.echoes?.length) return;
    const peer = await this.acquirePeer(msg.senderPort);
    if (!peer) return;
    try {
      if (this.isClosed) return;
      const w = this.writer.reset();
      if (reply !== undefined && codec) {
        try {
          codec.encodeReply(w, reply, this.encodeOptions(msg, 0));
        } catch (err) {
          w.reset();
          this.report(new TypeError(`${this.family.name} ${call.ctx?.operation ?? ''}: the handler's reply does not encode: ${(err as Error).message}`, { cause: err }), call.ctx);
          this.sendError(peer, call, EIO, undefined);
          return;
        }
        if (w.length > MAX_DATAGRAM) {
          w.reset();
          this.report(new RangeError(`${this.family.name} ${call.ctx?.operation ?? ''}: reply of more than ${MAX_DATAGRAM} bytes`), call.ctx);
          this.sendError(peer, call, EMSGSIZE, { message: 'reply too large' });
          return;
        }
      }
      if (wantAck) writeErrorMessage(w, msg.bytes, 0, undefined, { portId: msg.senderPort });
      this.transmit(peer, concat([...(call.echoes ?? []), w.finish()]), call.ctx);
    } finally {
      this.releasePeer(peer);
    }
  }

  private encodeOptions(msg: MessageView, flags: number): { flags: number; seq: number; portId: number; familyId?: number } {
    return { flags, seq: msg.seq, portId: msg.senderPort, ...(this.familyId !== undefined ? { familyId: this.familyId } : {}) };
  }

  /** Rejects a request with the errno and extended ack of `err`. */
  private async reject(call: Call, err: unknown): Promise<void> {
    const { errno, extAck } = this.describe(call, err);
    const peer = await this.acquirePeer(call.msg.senderPort);
    if (!peer) return;
    try {
      if (!this.isClosed) this.sendError(peer, call, errno, extAck);
    } finally {
      this.releasePeer(peer);
    }
  }

  private sendError(peer: Peer, call: Call, errno: number, extAck: ExtAckFields | undefined): void {
    this.counters.errors++;
    const w = this.writer.reset();
    writeErrorMessage(w, call.msg.bytes, errno, extAck, { portId: call.msg.senderPort });
    this.transmit(peer, concat([...(call.echoes ?? []), w.finish()]), call.ctx);
  }

  /** errno and extended ack for an error a handler threw (or the server raised). */
  private describe(call: Call, err: unknown): { errno: number; extAck: ExtAckFields | undefined } {
    if (err instanceof FamilyServerError) {
      const d = err.details;
      const ext: ExtAckFields = {};
      if (d.message !== undefined) ext.message = d.message;
      if (d.cookie !== undefined) ext.cookie = d.cookie;
      if (d.offset !== undefined) ext.offset = d.offset;
      else if (d.attribute !== undefined && call.op) {
        const offset = attributeOffset(call.msg, call.op, this.idx, this.genetlink, d.attribute);
        if (offset !== undefined) ext.offset = offset;
      }
      if (d.missing !== undefined && call.op) {
        const miss = missingAttribute(call.msg, call.op, this.idx, this.genetlink, d.missing);
        if (miss) {
          ext.missingType = miss.missingType;
          if (miss.missingNest !== undefined) ext.missingNest = miss.missingNest;
        }
      }
      return { errno: err.errno, extAck: ext };
    }
    if (err instanceof NetlinkError) {
      // A handler passing on a kernel rejection: keep its errno and text (its offset points into another request).
      return { errno: err.errno, extAck: err.extAck?.message !== undefined ? { message: err.extAck.message } : undefined };
    }
    this.report(err, call.ctx);
    return { errno: EIO, extAck: undefined };
  }

  // ---- dumps ------------------------------------------------------------------

  private async runDump(call: Call, handler: DumpHandler, request: Obj, codec: OperationModeCodec): Promise<void> {
    const { msg } = call;
    let source: Iterable<Obj> | AsyncIterable<Obj>;
    try {
      const produced: unknown = await handler(request, call.ctx!);
      if (!isIterable(produced) && !isAsyncIterable(produced)) {
        throw new TypeError(`${this.family.name} ${call.ctx!.operation}: a dump handler must return an iterable of objects, got ${produced === null ? 'null' : typeof produced}`);
      }
      source = produced;
    } catch (err) {
      // Failing before the first message: an NLMSG_ERROR, as a failed dump start in the kernel.
      await this.reject(call, err);
      return;
    }
    const peer = await this.acquirePeer(msg.senderPort);
    if (!peer) return;
    const datagram = new Uint8Array(this.datagramSize);
    const scratch = new MessageWriter(1024);
    const options = this.encodeOptions(msg, NLM_F_MULTI);
    let fill = 0;
    let datagrams = 0;
    let sent = 0;
    const send = async (bytes: Uint8Array): Promise<void> => {
      await peer.pace();
      if (this.isClosed) throw new SocketClosedError('server closed during the dump');
      if (!peer.send(bytes)) this.counters.deferred++;
      if (++datagrams % this.dumpBurst === 0) await nextTurn();
    };
    const flush = async (): Promise<void> => {
      if (fill === 0) return;
      const bytes = datagram.subarray(0, fill);
      fill = 0;
      await send(bytes);
    };
    // Packs an encoded message into the datagram; true when the datagram must be sent first.
    const place = (bytes: Uint8Array): boolean => {
      if (fill > 0 && fill + bytes.length > datagram.length) return true;
      if (bytes.length > datagram.length) return true;
      datagram.set(bytes, fill);
      fill += bytes.length;
      return false;
    };
    const encode = (item: Obj): Uint8Array => {
      const w = scratch.reset();
      try {
        codec.encodeReply(w, item, options);
      } catch (err) {
        throw new TypeError(`${this.family.name} ${call.ctx!.operation}: dump entry ${sent} does not encode: ${(err as Error).message}`, { cause: err });
      }
      const bytes = w.finish();
      if (bytes.length > MAX_DATAGRAM) throw new FamilyServerError(EMSGSIZE, `dump entry ${sent} is larger than a datagram (${bytes.length} bytes)`);
      sent++;
      return bytes;
    };
    const put = async (bytes: Uint8Array): Promise<void> => {
      if (!place(bytes)) return;
      await flush();
      if (place(bytes)) await send(bytes); // larger than datagramSize: alone
    };
    let failed = false;
    let failure: unknown;
    try {
      if (isIterable(source)) {
        for (const item of source) {
          const bytes = encode(item);
          if (place(bytes)) {
            await flush();
            if (place(bytes)) await send(bytes);
          }
        }
      } else {
        for await (const item of source) await put(encode(item));
      }
    } catch (err) {
      failed = true;
      failure = err;
    }
    try {
      if (failed && isGone(failure)) return;
      const done = scratch.reset();
      if (!failed) {
        writeDoneMessage(done, { seq: msg.seq, portId: msg.senderPort });
      } else {
        const { errno, extAck } = this.describe(call, failure);
        this.counters.errors++;
        writeDoneMessage(done, { seq: msg.seq, portId: msg.senderPort, errno, ...(extAck ? { extAck } : {}) });
      }
      await put(done.finish());
      await flush();
      if (!failed) {
        this.counters.dumps++;
        this.counters.dumpMessages += sent;
      }
    } catch (err) {
      if (!isGone(err)) this.report(err, call.ctx);
    } finally {
      this.releasePeer(peer);
    }
  }

  // ---- notifications ----------------------------------------------------------

  /**
   * Multicasts a notification (an operation with `notify` or `event` in the
   * spec, or any operation's reply) to its `mcgrp`, or to `options.group`.
   * Sending to a NETLINK_USERSOCK group needs CAP_NET_ADMIN (USERSOCK lets
   * anyone listen, not send: NL_CFG_F_NONROOT_RECV only).
   */
  notify(operation: Ops, value: Obj, options: { group?: string; seq?: number; portId?: number } = {}): void {
    this.multicast(operation, value, options);
  }

  /** Sends a notification; returns its bytes (a view into the shared writer, valid until its next use). */
  private multicast(operation: string, value: Obj, options: { group?: string; seq?: number; portId?: number }): Uint8Array {
    if (this.isClosed) throw new SocketClosedError('server is closed');
    const ops = this.family.ops as Readonly<Record<string, { encodeReply?: OperationModeCodec['encodeReply']; spec?: Operation }>>;
    const codec = Object.hasOwn(ops, operation) ? ops[operation] : undefined;
    if (!codec?.encodeReply || !codec.spec) throw new TypeError(`${this.family.name} has no operation '${String(operation)}'`);
    if (codec.spec.replyValue === undefined) throw new TypeError(`${this.family.name}: '${String(operation)}' has no message to send (no reply or notification id)`);
    const groupName = options.group ?? codec.spec.mcgrp;
    if (groupName === undefined) throw new TypeError(`${this.family.name}: '${String(operation)}' names no multicast group (mcgrp); pass options.group`);
    const group = this.groups.get(groupName);
    if (group === undefined) throw new RangeError(`${this.family.name} has no multicast group '${groupName}' (groups: ${[...this.groups.keys()].join(', ') || 'none'})`);
    if (group < 1 || group > USERSOCK_GROUPS) throw new RangeError(`multicast group ${group} is outside NETLINK_USERSOCK's 1..${USERSOCK_GROUPS}`);
    const w = this.writer.reset();
    codec.encodeReply(w, value, {
      flags: 0,
      seq: options.seq ?? 0,
      portId: options.portId ?? 0,
      ...(this.familyId !== undefined ? { familyId: this.familyId } : {}),
    });
    // netlink_sendmsg() broadcasts to the groups, then also unicasts the
    // message to nl_pid. Port 0 is nobody on NETLINK_USERSOCK, so that would
    // fail with ECONNREFUSED after a successful multicast (and an exception
    // per notification is slow); the server addresses the copy to itself
    // instead and drops it on arrival.
    const bytes = w.finish();
    this.socket.send(bytes, { port: this.socket.portId, groups: 2 ** (group - 1) });
    this.counters.notifications++;
    return bytes;
  }

  // ---- clients ----------------------------------------------------------------

  /**
   * The sending state of client `port`, made on first use, marked in use
   * until releasePeer() so that trimming never forgets it under a caller.
   * Every answer goes out from the server's own socket: a client accepts
   * replies only from the port it sent to (the kernel fills the sender port).
   */
  private async acquirePeer(port: number): Promise<Peer | undefined> {
    if (this.isClosed) return undefined;
    let peer = this.settled.get(port);
    if (peer === undefined) peer = new Peer(this.socket, port);
    // Most recently used last.
    this.settled.delete(port);
    this.settled.set(port, peer);
    peer.users++;
    return peer;
  }

  private releasePeer(peer: Peer): void {
    peer.users--;
    this.trimPeers();
  }

  private dropPeer(peer: Peer): void {
    if (this.settled.get(peer.port) === peer) this.settled.delete(peer.port);
  }

  /** Forgets the least recently used idle clients beyond maxPeers. */
  private trimPeers(): void {
    if (this.settled.size <= this.maxPeers) return;
    for (const peer of [...this.settled.values()]) {
      if (this.settled.size <= this.maxPeers) break;
      if (peer.idle) this.dropPeer(peer);
    }
  }

  private transmit(peer: Peer, bytes: Uint8Array, ctx: RequestContext | undefined): void {
    try {
      if (!peer.send(bytes)) this.counters.deferred++;
    } catch (err) {
      if (isGone(err)) {
        // The client closed its socket before its answer: forget it.
        if (!this.isClosed) this.dropPeer(peer);
        return;
      }
      this.report(err, ctx);
    }
  }

  private report(err: unknown, ctx: RequestContext | undefined): void {
    const onError = this.options.onError;
    if (onError) {
      try {
        onError(err, ctx);
      } catch {
        // an error reporter that fails must not take the server down
      }
      return;
    }
    const where = ctx ? `${this.family.name} ${ctx.operation} ${ctx.mode} (client ${ctx.port}, seq ${ctx.seq})` : this.family.name;
    console.error(`FamilyServer ${where}:`, err);
  }

  /** Lets the process exit while the server is open (like net.Server's unref). */
  unref(): this {
    this.socket.unref();
    return this;
  }

  /** Undoes unref(). */
  ref(): this {
    this.socket.ref();
    return this;
  }

  /** Stops serving: closes the server's socket; running dumps stop. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.abort.abort(new SocketClosedError('server closed'));
    this.socket.close();
    this.settled.clear();
  }

  /** Stops serving, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** Stops serving, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
