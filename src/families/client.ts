// A client for any family with a spec: generated modules and specs loaded at
// run time alike. Requests are encoded with the family's codecs, sent over a
// NetlinkSocket, and replies, dump messages and notifications come back as
// objects in the shape the kernel's ynl tool prints. Generic netlink families
// are resolved through nlctrl first.
import { AbortError, NetlinkError } from '../core/errors.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../core/constants.js';
import { GENL_CTRL_GROUP_NOTIFY } from './genl/constants.js';
import type { MessageView } from '../core/message.js';
import { MessageWriter } from '../core/writer.js';
import { NetlinkSocket, type CallOptions, type OpenOptions, type RequestOptions } from '../io/socket.js';
import type { DumpIterator } from '../io/dump.js';
import { isOverrun, type Overrun, type SubscribeOptions, type Subscription } from '../io/subscription.js';
import type { AnyOperations, DecodedMessage, Family, OperationCodec, OperationModeCodec } from '../schema/family.js';
import type { Obj } from '../schema/runtime.js';
import { GenericResolver, type ControlEvent, type GenericFamilyInfo } from './genl/resolver.js';

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
  /** The raw message (a view into the received bytes). */
  message: MessageView;
}

/** A notification of a family: its decoded `{ name, msg }` and the message it came in. */
export type FamilyEvent<M> = M & {
  /** The message as received (a view into the receive buffer). */
  message: MessageView;
};

/** What {@link FamilyClient.subscribe} returns: notifications, overruns in-band. */
export interface FamilySubscription<M> extends AsyncIterableIterator<FamilyEvent<M> | Overrun>, AsyncDisposable {
  /** Leaves the groups and ends the iteration. */
  close(): void;
}

/** One message of {@link FamilyClient.batch}. */
export interface BatchMessage<Op extends string = string> {
  /** Operation name in the spec (its `do` mode is sent). */
  op: Op;
  /** Fixed header fields and attributes. */
  value?: object;
  /** nlmsg_flags added to NLM_F_REQUEST | NLM_F_ACK (as the kernel's ynl tool does), e.g. NLM_F_CREATE. */
  flags?: number;
  /** Ask for an acknowledgement (NLM_F_ACK). Default true; at least one message of a batch must. */
  ack?: boolean;
}

/** A dump of decoded objects; also readable in arrays with batches(). */
export interface FamilyDump<T = Obj> extends AsyncIterableIterator<T> {
  /** The same dump as arrays of decoded objects (one per received datagram). */
  batches(): AsyncIterableIterator<T[]>;
  /** NLM_F_DUMP_FILTERED was seen: the kernel applied the request's filter attributes. */
  readonly filtered: boolean;
}

// ---- types that follow the family ----------------------------------------------

/** The operations table of a family type (any operation of any family for an untyped one). */
type OpsOf<F> = F extends Family<infer T, unknown> ? T : AnyOperations;

/** Names of F's operations that have a `mode` ('do' or 'dump'): a misspelled name does not compile. */
export type OperationName<F, M extends 'do' | 'dump'> = string extends keyof OpsOf<F>
  ? string
  : { [K in keyof OpsOf<F>]: OpsOf<F>[K] extends { readonly [P in M]: undefined } ? never : K }[keyof OpsOf<F>] & string;

/** What the `mode` of operation K of F takes: its fixed header fields and attributes. */
export type RequestOf<F, K, M extends 'do' | 'dump'> = K extends keyof OpsOf<F> ? (OpsOf<F>[K] extends { readonly [P in M]: OperationModeCodec<infer I, unknown> } ? I : Obj) : Obj;

/** What the `mode` of operation K of F answers, decoded. */
export type ReplyOf<F, K, M extends 'do' | 'dump'> = K extends keyof OpsOf<F> ? (OpsOf<F>[K] extends { readonly [P in M]: OperationModeCodec<never, infer O> } ? O : Obj) : Obj;

/** The decoded messages of F: `{ name, msg }` by operation name. */
export type MessageOf<F> = F extends Family<object, infer M> ? M : DecodedMessage;

const CALL_OPTIONS = new Set(['signal', 'timeout', 'flags', 'retry', 'onWarning']);

/** Options are checked before anything is sent: an unknown key is a TypeError naming it. */
function checkOptions(options: object, field: string): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`${field} must be an object`);
  for (const key of Object.keys(options)) if (!CALL_OPTIONS.has(key)) throw new TypeError(`${field}.${key} is not an option (options: ${[...CALL_OPTIONS].join(', ')})`);
}

function checkOperation(family: Family<object, unknown>, op: string, mode: 'do' | 'dump'): { codec: OperationCodec; mode: OperationModeCodec } {
  if (typeof op !== 'string') throw new TypeError(`operation name must be a string, got ${typeof op}`);
  const ops = family.ops as Record<string, OperationCodec | undefined>;
  const codec = Object.hasOwn(ops, op) ? ops[op] : undefined;
  if (!codec) {
    const names = Object.keys(ops).filter((n) => ops[n]![mode]);
    throw new RangeError(`${family.name} has no operation '${op}' (${mode} operations: ${names.join(', ') || 'none'})`);
  }
  const m = codec[mode];
  if (!m) throw new RangeError(`${family.name}: operation '${op}' has no ${mode} mode`);
  return { codec, mode: m };
}

/**
 * Talks to one netlink family using its spec's codecs. With a generated
 * family the calls are typed: operation names, request fields and replies
 * come from the family's spec.
 *
 * ```ts
 * import { family as netdev } from 'nlkit/families/netdev';
 * const client = await FamilyClient.open(netdev);
 * for (const dev of await client.dumpAll('dev-get')) console.log(dev.ifindex); // number | undefined
 * ```
 */
export class FamilyClient<F extends Family<object, unknown> = Family> {
  private resolved: GenericFamilyInfo | undefined;
  private readonly resolver: GenericResolver | undefined;
  /** nlctrl said the family went away: resolve again before the next request. */
  private stale = false;
  private readonly writer = new MessageWriter(1024);

  private constructor(
    /** The family this client speaks. */
    readonly family: F,
    /** The socket requests go over (given to open(), or opened by it). */
    readonly socket: NetlinkSocket,
    private readonly ownsSocket: boolean,
    private familyId: number | undefined,
    private readonly port: number | undefined,
  ) {
    this.resolver = family.isGenetlink && familyId === undefined ? new GenericResolver(socket) : undefined;
  }

  /** Opens a client: a socket of the family's protocol (unless one is given) and, for generic netlink, the family's id. */
  static async open<F extends Family<object, unknown>>(family: F, options: FamilyClientOptions = {}): Promise<FamilyClient<F>> {
    if (!family || typeof family !== 'object' || typeof family.decode !== 'function') throw new TypeError('family must be a compiled or generated family');
    const { socket: given, familyId, port, ...openOptions } = options;
    if (familyId !== undefined && (!Number.isInteger(familyId) || familyId < 0x10 || familyId > 0xffff)) {
      throw new RangeError(`familyId must be a generic netlink family id (16..65535), got ${String(familyId)}`);
    }
    if (given && given.protocol !== family.protonum) {
      throw new RangeError(`socket is of protocol ${given.protocol}, family ${family.name} needs ${family.protonum}`);
    }
    const socket = given ?? (await NetlinkSocket.open(family.protonum, openOptions));
    const client = new FamilyClient<F>(family, socket, !given, familyId ?? family.spec.staticFamilyId, port);
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
    this.stale = false;
    return this.resolved;
  }

  private requestOptions(name: string, options: CallOptions): RequestOptions {
    const out: RequestOptions = {
      name: `${this.family.name} ${name}`,
      describe: (extAck, request) => this.family.describeExtAck(request, extAck),
    };
    if (options.signal) out.signal = options.signal;
    if (options.timeout !== undefined) out.timeout = options.timeout;
    if (options.onWarning !== undefined) out.onWarning = options.onWarning;
    if (this.port !== undefined) out.port = this.port;
    return out;
  }

  private encode(mode: OperationModeCodec, value: object, flags: number): Uint8Array {
    const w = this.writer.reset();
    mode.encodeRequest(w, value as Obj, { flags, ...(this.familyId !== undefined ? { familyId: this.familyId } : {}) });
    return w.finishCopy();
  }

  // A family re-registered (module reloaded) has a new id: the old one gives
  // ENOENT. Resolve again, and retry once if the id changed.
  private async withFreshId<T>(run: () => Promise<T>, options: CallOptions): Promise<T> {
    if (this.stale && this.resolver) {
      this.resolver.invalidate(this.family.name);
      await this.genericFamily(options);
    }
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
  async request<K extends OperationName<F, 'do'>>(
    op: K,
    value: RequestOf<F, K, 'do'> = {} as RequestOf<F, K, 'do'>,
    options: FamilyCallOptions = {},
  ): Promise<ReplyOf<F, K, 'do'>[]> {
    const { mode } = checkOperation(this.family, op, 'do');
    checkOptions(options, 'options');
    const flags = options.flags ?? NLM_F_REQUEST | NLM_F_ACK;
    const replies = await this.withFreshId(() => this.socket.request(this.encode(mode, value as object, flags), this.requestOptions(op, options)), options);
    return replies.map((m) => mode.decodeReply(m) as ReplyOf<F, K, 'do'>);
  }

  /** Runs the `do` mode of an operation: the decoded reply, or undefined when the kernel only acknowledges. */
  async do<K extends OperationName<F, 'do'>>(
    op: K,
    value: RequestOf<F, K, 'do'> = {} as RequestOf<F, K, 'do'>,
    options: FamilyCallOptions = {},
  ): Promise<ReplyOf<F, K, 'do'> | undefined> {
    const replies = await this.request(op, value, options);
    return replies[0];
  }

  /**
   * Sends several `do` requests in one datagram (as nfnetlink transactions
   * need, and as the kernel's ynl tool does with --multi) and resolves once
   * every acknowledged message is, with the replies of each message decoded
   * (for example the echo of a request sent with NLM_F_ECHO). When the kernel
   * rejects one, the NetlinkError names its operation and carries its
   * position as `batchIndex`. For nftables use the netfilter helper, which
   * adds the batch-begin / batch-end framing.
   */
  async batch(messages: readonly BatchMessage<OperationName<F, 'do'>>[], options: CallOptions = {}): Promise<MessageOf<F>[][]> {
    if (!Array.isArray(messages) || messages.length === 0) throw new TypeError('messages must be a non-empty array of { op, value?, flags? }');
    const ops: string[] = [];
    const w = this.writer.reset();
    try {
      messages.forEach((m, i) => {
        if (m === null || typeof m !== 'object') throw new TypeError(`messages[${i}] must be an object { op, value?, flags? }`);
        const { mode } = checkOperation(this.family, m.op, 'do');
        const extra = m.flags ?? 0;
        if (!Number.isInteger(extra) || extra < 0 || extra > 0xffff) throw new RangeError(`messages[${i}].flags must be a 16-bit integer, got ${String(m.flags)}`);
        const flags = NLM_F_REQUEST | (m.ack === false ? 0 : NLM_F_ACK) | extra;
        mode.encodeRequest(w, (m.value ?? {}) as Obj, { flags, ...(this.familyId !== undefined ? { familyId: this.familyId } : {}) });
        ops.push(m.op);
      });
    } catch (err) {
      w.reset();
      throw err;
    }
    const bytes = w.finishCopy();
    const requestOptions = this.requestOptions('batch', options);
    let replies;
    try {
      replies = await this.socket.requestBatch(bytes, requestOptions);
    } catch (err) {
      const index = (err as { batchIndex?: number }).batchIndex;
      if (!(err instanceof NetlinkError) || index === undefined) throw err;
      // Name the failing operation instead of the batch.
      const named = new NetlinkError(err.errno, {
        extAck: err.extAck,
        ...(err.seq !== undefined ? { seq: err.seq } : {}),
        ...(err.requestType !== undefined ? { requestType: err.requestType } : {}),
        requestName: `${this.family.name} ${ops[index] ?? 'batch'}`,
        ...(err.attributePath !== undefined ? { attributePath: err.attributePath } : {}),
        ...(err.missingAttribute !== undefined ? { missingAttribute: err.missingAttribute } : {}),
      });
      (named as NetlinkError & { batchIndex?: number }).batchIndex = index;
      (named as { cause?: unknown }).cause = err;
      throw named;
    }
    return replies.map((list) => list.map((m) => this.family.decode(m) as MessageOf<F>));
  }

  /** Runs the `dump` mode of an operation and streams the decoded objects. */
  dump<K extends OperationName<F, 'dump'>>(
    op: K,
    value: RequestOf<F, K, 'dump'> = {} as RequestOf<F, K, 'dump'>,
    options: FamilyDumpOptions = {},
  ): FamilyDump<ReplyOf<F, K, 'dump'>> {
    type T = ReplyOf<F, K, 'dump'>;
    const { mode } = checkOperation(this.family, op, 'dump');
    checkOptions(options, 'options');
    const flags = options.flags ?? NLM_F_REQUEST | NLM_F_DUMP;
    const bytes = this.encode(mode, value as object, flags);
    const dumpOptions = { ...this.requestOptions(op, options), ...(options.retry !== undefined ? { retry: options.retry } : {}) };
    const inner: DumpIterator = this.socket.dump(bytes, dumpOptions);
    const decode = (m: MessageView): T => mode.decodeReply(m) as T;
    const out: FamilyDump<T> = {
      async next(): Promise<IteratorResult<T>> {
        const r = await inner.next();
        return r.done ? { value: undefined, done: true } : { value: decode(r.value), done: false };
      },
      async return(): Promise<IteratorResult<T>> {
        await inner.return();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return out;
      },
      batches(): AsyncIterableIterator<T[]> {
        const b = inner.batches();
        const it: AsyncIterableIterator<T[]> = {
          async next(): Promise<IteratorResult<T[]>> {
            const r = await b.next();
            return r.done ? { value: undefined, done: true } : { value: r.value.map(decode), done: false };
          },
          async return(): Promise<IteratorResult<T[]>> {
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
  async dumpAll<K extends OperationName<F, 'dump'>>(
    op: K,
    value: RequestOf<F, K, 'dump'> = {} as RequestOf<F, K, 'dump'>,
    options: FamilyDumpOptions = {},
  ): Promise<ReplyOf<F, K, 'dump'>[]> {
    const out: ReplyOf<F, K, 'dump'>[] = [];
    for await (const batch of this.dump(op, value, options).batches()) for (const o of batch) out.push(o);
    return out;
  }

  /** Group numbers of the family's multicast groups, by name. */
  async groups(options: CallOptions = {}): Promise<Map<string, number>> {
    if (this.family.isGenetlink && this.port === undefined) {
      // A family with a fixed or given id (nlctrl) still learns its group
      // numbers from nlctrl.
      const info = this.resolver ? await this.genericFamily(options) : await new GenericResolver(this.socket).resolve(this.family.name, options);
      return new Map(info?.groups ?? []);
    }
    const out = new Map<string, number>();
    for (const g of this.family.spec.mcastGroups) if (g.value !== undefined) out.set(g.name, g.value);
    return out;
  }

  /**
   * Joins multicast groups by their spec names and yields decoded
   * notifications, with overruns in-band as `{ overrun: true }`.
   *
   * For a generic netlink family resolved by name the subscription also
   * follows nlctrl's "notify" group on the same socket: when the family is
   * unregistered and registered again (a module reload) it has new group
   * numbers, and the subscription joins them and goes on; the next request
   * uses the new family id without a failed round trip. Notifications the
   * family sent before this socket heard of its return are not seen.
   */
  async subscribe(groups: string | readonly string[], options: SubscribeOptions = {}): Promise<FamilySubscription<MessageOf<F>>> {
    type Item = FamilyEvent<MessageOf<F>> | Overrun;
    const names = typeof groups === 'string' ? [groups] : [...groups];
    if (names.length === 0 || names.some((n) => typeof n !== 'string')) throw new TypeError('groups must be a group name or a non-empty array of names');
    const known = await this.groups(options);
    const numbers = names.map((n) => {
      const id = known.get(n);
      if (id === undefined) throw new RangeError(`${this.family.name} has no multicast group '${n}' (groups: ${[...known.keys()].join(', ') || 'none'})`);
      return id;
    });
    if (options.signal?.aborted) throw new AbortError();
    // Follow nlctrl only where the family id came from nlctrl.
    const follow = this.resolver !== undefined && this.port === undefined;
    const control = GENL_CTRL_GROUP_NOTIFY;
    // A user-space server's notifications count only from its port (any
    // process may multicast on NETLINK_USERSOCK; the sender port cannot be forged).
    const subOptions: SubscribeOptions = this.port !== undefined && options.from === undefined ? { ...options, from: this.port } : options;
    const open = (list: number[]): Subscription => this.socket.subscribe(follow ? [...list, control] : list, subOptions);
    let sub: Subscription = open(numbers);
    let joined = numbers;
    const backlog: (MessageView | Overrun)[] = [];
    const family = this.family;
    // Moves to other group numbers: what the old subscription already holds is read first.
    const rejoin = async (list: number[]): Promise<void> => {
      const old = sub;
      let left = old.queued;
      sub = open(list);
      joined = list;
      while (left-- > 0) {
        const r = await old.next();
        if (r.done) break;
        backlog.push(r.value);
      }
      old.close();
    };
    const onControl = async (event: ControlEvent | undefined): Promise<void> => {
      if (!event || event.name !== family.name) return;
      this.onFamilyEvent(event);
      // The kernel drops memberships of an unregistered family's groups, and
      // may hand the same numbers out again: leave them, then join anew.
      if (event.event === 'del') await rejoin([]);
      else await rejoin(names.map((n) => event.info.groups.get(n)).filter((g): g is number => g !== undefined));
    };
    const it = {
      next: async (): Promise<IteratorResult<Item>> => {
        for (;;) {
          let item: MessageView | Overrun;
          if (backlog.length > 0) item = backlog.shift()!;
          else {
            const r = await sub.next();
            if (r.done) return { value: undefined, done: true };
            item = r.value;
          }
          if (isOverrun(item)) {
            // A family event may have been lost with the rest: check the groups again.
            if (follow) {
              this.stale = true;
              this.resolver!.invalidate(family.name);
              try {
                const info = await this.genericFamily(options);
                const now = names.map((n) => info?.groups.get(n)).filter((g): g is number => g !== undefined);
                if (now.join() !== joined.join()) await rejoin(now);
              } catch {
                // The family is gone; nlctrl will announce its return.
              }
            }
            return { value: item, done: false };
          }
          if (follow && item.group === control) {
            await onControl(this.resolver!.onControlMessage(item));
            continue;
          }
          const decoded = family.decode(item) as DecodedMessage;
          return { value: { name: decoded.name, msg: decoded.msg, message: item } as unknown as Item, done: false };
        }
      },
      return: async (): Promise<IteratorResult<Item>> => {
        sub.close();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
      [Symbol.asyncDispose]: async () => {
        sub.close();
      },
      close() {
        sub.close();
      },
    };
    return it;
  }

  // nlctrl announced that this client's family went away or came back.
  private onFamilyEvent(event: ControlEvent): void {
    if (event.event === 'new') {
      this.resolved = event.info;
      this.familyId = event.info.id;
      this.stale = false;
    } else {
      this.resolved = undefined;
      this.stale = true;
    }
  }

  /** Closes the socket, unless it was given to open(). */
  close(): void {
    if (this.ownsSocket) this.socket.close();
  }

  /** Closes the client, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
