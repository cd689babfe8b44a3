// A client for any family with a spec: generated modules and specs loaded at
// run time alike. Requests are encoded with the family's codecs, sent over a
// NetlinkSocket, and replies, dump messages and notifications come back as
// objects in the shape the kernel's ynl tool prints. Generic netlink families
// are resolved through nlctrl first.
import { AbortError } from '../core/errors.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../core/constants.js';
import type { MessageView } from '../core/message.js';
import { MessageWriter } from '../core/writer.js';
import { NetlinkSocket, type CallOptions, type DumpIterator, type OpenOptions, type RequestOptions } from '../io/socket.js';
import { isOverrun, type Overrun, type SubscribeOptions, type Subscription } from '../io/subscription.js';
import type { DecodedMessage, Family, OperationCodec, OperationModeCodec } from '../schema/family.js';
import type { Obj } from '../schema/runtime.js';
import { GenericResolver, type GenericFamilyInfo } from './genl/resolver.js';

/** Options of {@link FamilyClient.open}. */
export interface FamilyClientOptions extends OpenOptions {
  /** Use this open socket (of the family's protocol) instead of opening one; close() leaves it open. */
  socket?: NetlinkSocket;
  /** Generic netlink family id to use instead of asking nlctrl. */
  familyId?: number;
  /** Send requests to this port instead of the kernel (a user-space server on NETLINK_USERSOCK). */
  port?: number;
}

/** Options of a client request. */
export interface FamilyCallOptions extends CallOptions {
  /** nlmsg_flags to send instead of the defaults (NLM_F_REQUEST | NLM_F_ACK, or | NLM_F_DUMP). */
  flags?: number;
}

/** Options of a client dump. */
export interface FamilyDumpOptions extends FamilyCallOptions {
  /** Re-run the dump this many times when the kernel flags it as interrupted. */
  retry?: number;
}

/** A notification: the message's name in the spec, its decoded fields, and the raw message. */
export interface Notification<T = Obj> extends DecodedMessage<T> {
  message: MessageView;
}

/** A dump of decoded objects; also readable in arrays with batches(). */
export interface FamilyDump<T = Obj> extends AsyncIterableIterator<T> {
  /** The same dump as arrays of decoded objects (one per received datagram). */
  batches(): AsyncIterableIterator<T[]>;
  /** NLM_F_DUMP_FILTERED was seen: the kernel applied the request's filter attributes. */
  readonly filtered: boolean;
}

function checkOperation(family: Family, op: string, mode: 'do' | 'dump'): { codec: OperationCodec; mode: OperationModeCodec } {
  if (typeof op !== 'string') throw new TypeError(`operation name must be a string, got ${typeof op}`);
  const codec = (family.ops as Record<string, OperationCodec | undefined>)[op];
  if (!codec) {
    const names = Object.keys(family.ops).filter((n) => (family.ops as Record<string, OperationCodec>)[n]![mode]);
    throw new RangeError(`${family.name} has no operation '${op}' (${mode} operations: ${names.join(', ') || 'none'})`);
  }
  const m = codec[mode];
  if (!m) throw new RangeError(`${family.name}: operation '${op}' has no ${mode} mode`);
  return { codec, mode: m };
}

/** Talks to one netlink family using its spec's codecs. */
export class FamilyClient {
  private resolved: GenericFamilyInfo | undefined;
  private readonly resolver: GenericResolver | undefined;
  private readonly writer = new MessageWriter(1024);

  private constructor(
    readonly family: Family,
    readonly socket: NetlinkSocket,
    private readonly ownsSocket: boolean,
    private familyId: number | undefined,
    private readonly port: number | undefined,
  ) {
    this.resolver = family.isGenetlink && familyId === undefined ? new GenericResolver(socket) : undefined;
  }

  /** Opens a client: a socket of the family's protocol (unless one is given) and, for generic netlink, the family's id. */
  static async open(family: Family, options: FamilyClientOptions = {}): Promise<FamilyClient> {
    if (!family || typeof family !== 'object' || typeof family.decode !== 'function') throw new TypeError('family must be a compiled or generated family');
    const { socket: given, familyId, port, ...openOptions } = options;
    if (familyId !== undefined && (!Number.isInteger(familyId) || familyId < 0x10 || familyId > 0xffff)) {
      throw new RangeError(`familyId must be a generic netlink family id (16..65535), got ${String(familyId)}`);
    }
    if (given && given.protocol !== family.protonum) {
      throw new RangeError(`socket is of protocol ${given.protocol}, family ${family.name} needs ${family.protonum}`);
    }
    const socket = given ?? (await NetlinkSocket.open(family.protonum, openOptions));
    const client = new FamilyClient(family, socket, !given, familyId ?? family.spec.staticFamilyId, port);
    try {
      if (family.isGenetlink && port === undefined) await client.genericFamily();
    } catch (err) {
      if (!given) socket.close();
      throw err;
    }
    return client;
  }

  /** The generic netlink family as nlctrl describes it (undefined for netlink-raw families or a given familyId). */
  async genericFamily(options: CallOptions = {}): Promise<GenericFamilyInfo | undefined> {
    if (!this.resolver) return undefined;
    this.resolved = await this.resolver.resolve(this.family.name, options);
    this.familyId = this.resolved.id;
    return this.resolved;
  }

  private requestOptions(name: string, options: CallOptions): RequestOptions {
    const out: RequestOptions = {
      name: `${this.family.name} ${name}`,
      describe: (extAck, request) => this.family.describeExtAck(request, extAck),
    };
    if (options.signal) out.signal = options.signal;
    if (options.timeout !== undefined) out.timeout = options.timeout;
    if (this.port !== undefined) out.port = this.port;
    return out;
  }

  private encode(mode: OperationModeCodec, value: Obj, flags: number): Uint8Array {
    const w = this.writer.reset();
    mode.encodeRequest(w, value, { flags, ...(this.familyId !== undefined ? { familyId: this.familyId } : {}) });
    return w.finishCopy();
  }

  // A family re-registered (module reloaded) has a new id: the old one gives
  // ENOENT. Resolve again, and retry once if the id changed.
  private async withFreshId<T>(run: () => Promise<T>, options: CallOptions): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!this.resolver || (err as { code?: string }).code !== 'ENOENT') throw err;
      const before = this.familyId;
      this.resolver.invalidate(this.family.name);
      await this.genericFamily(options);
      if (this.familyId === before) throw err;
      return run();
    }
  }

  /** Runs the `do` mode of an operation and returns every reply, decoded. */
  async request(op: string, value: Obj = {}, options: FamilyCallOptions = {}): Promise<Obj[]> {
    const { mode } = checkOperation(this.family, op, 'do');
    const flags = options.flags ?? NLM_F_REQUEST | NLM_F_ACK;
    const replies = await this.withFreshId(() => this.socket.request(this.encode(mode, value, flags), this.requestOptions(op, options)), options);
    return replies.map((m) => mode.decodeReply(m));
  }

  /** Runs the `do` mode of an operation: the decoded reply, or undefined when the kernel only acknowledges. */
  async do(op: string, value: Obj = {}, options: FamilyCallOptions = {}): Promise<Obj | undefined> {
    const replies = await this.request(op, value, options);
    return replies[0];
  }

  /** Runs the `dump` mode of an operation and streams the decoded objects. */
  dump(op: string, value: Obj = {}, options: FamilyDumpOptions = {}): FamilyDump {
    const { mode } = checkOperation(this.family, op, 'dump');
    const flags = options.flags ?? NLM_F_REQUEST | NLM_F_DUMP;
    const bytes = this.encode(mode, value, flags);
    const dumpOptions = { ...this.requestOptions(op, options), ...(options.retry !== undefined ? { retry: options.retry } : {}) };
    const inner: DumpIterator = this.socket.dump(bytes, dumpOptions);
    const decode = (m: MessageView): Obj => mode.decodeReply(m);
    const out: FamilyDump = {
      async next(): Promise<IteratorResult<Obj>> {
        const r = await inner.next();
        return r.done ? { value: undefined, done: true } : { value: decode(r.value), done: false };
      },
      async return(): Promise<IteratorResult<Obj>> {
        await inner.return();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return out;
      },
      batches(): AsyncIterableIterator<Obj[]> {
        const b = inner.batches();
        const it: AsyncIterableIterator<Obj[]> = {
          async next(): Promise<IteratorResult<Obj[]>> {
            const r = await b.next();
            return r.done ? { value: undefined, done: true } : { value: r.value.map(decode), done: false };
          },
          async return(): Promise<IteratorResult<Obj[]>> {
            await b.return?.();
            return { value: undefined, done: true };
          },
          [Symbol.asyncIterator]() {
            return it;
          },
        };
        return it;
      },
      get filtered() {
        return inner.filtered;
      },
    };
    return out;
  }

  /** Runs a dump to the end and returns every decoded object. */
  async dumpAll(op: string, value: Obj = {}, options: FamilyDumpOptions = {}): Promise<Obj[]> {
    const out: Obj[] = [];
    for await (const batch of this.dump(op, value, options).batches()) for (const o of batch) out.push(o);
    return out;
  }

  /** Group numbers of the family's multicast groups, by name. */
  async groups(options: CallOptions = {}): Promise<Map<string, number>> {
    if (this.family.isGenetlink && this.port === undefined) {
      const info = await this.genericFamily(options);
      return new Map(info?.groups ?? []);
    }
    const out = new Map<string, number>();
    for (const g of this.family.spec.mcastGroups) if (g.value !== undefined) out.set(g.name, g.value);
    return out;
  }

  /**
   * Joins multicast groups by their spec names and yields decoded
   * notifications, with overruns in-band as `{ overrun: true }`.
   */
  async subscribe(groups: string | readonly string[], options: SubscribeOptions = {}): Promise<AsyncIterableIterator<Notification | Overrun> & AsyncDisposable & { close(): void }> {
    const names = typeof groups === 'string' ? [groups] : [...groups];
    if (names.length === 0 || names.some((n) => typeof n !== 'string')) throw new TypeError('groups must be a group name or a non-empty array of names');
    const known = await this.groups(options);
    const numbers = names.map((n) => {
      const id = known.get(n);
      if (id === undefined) throw new RangeError(`${this.family.name} has no multicast group '${n}' (groups: ${[...known.keys()].join(', ') || 'none'})`);
      return id;
    });
    if (options.signal?.aborted) throw new AbortError();
    const sub: Subscription = this.socket.subscribe(numbers, options);
    const family = this.family;
    const it = {
      async next(): Promise<IteratorResult<Notification | Overrun>> {
        const r = await sub.next();
        if (r.done) return { value: undefined, done: true };
        const item = r.value;
        if (isOverrun(item)) return { value: item, done: false };
        const decoded = family.decode(item);
        return { value: { name: decoded.name, msg: decoded.msg, message: item }, done: false };
      },
      async return(): Promise<IteratorResult<Notification | Overrun>> {
        sub.close();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
      async [Symbol.asyncDispose]() {
        sub.close();
      },
      close() {
        sub.close();
      },
    };
    return it;
  }

  /** Closes the socket, unless it was given to open(). */
  close(): void {
    if (this.ownsSocket) this.socket.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
