// A multicast subscription as an async iterator. The queue is bounded: when
// it is full the socket stops reading, so a burst waits in the kernel's
// receive buffer instead of in JS memory. When the kernel had to drop
// messages anyway, an overrun marker takes their place in the stream.
import type { MessageView } from '../core/message.js';
import { AbortError } from '../core/errors.js';
import type { NetlinkSocket } from './socket.js';
import { Waiter } from './wait.js';

/**
 * In-band marker: the kernel dropped messages here (ENOBUFS), or a datagram
 * arrived truncated. The kernel reports ENOBUFS before the messages it still
 * had queued from before the drop, so the messages right after a marker can be
 * older than the loss: to resynchronise, re-read the state on a new socket
 * (as RouteClient.watch does) rather than apply them on top of a fresh dump.
 */
export interface Overrun {
  /** Always true: what tells a marker from a message. */
  readonly overrun: true;
  /** True when a datagram was cut short rather than dropped. */
  readonly truncated: boolean;
}

/** What a subscription yields: messages (or raw datagrams, see {@link Datagram}) and overrun markers. */
export type SubscriptionItem<T = MessageView> = T | Overrun;

/**
 * One received datagram as it is, for protocols whose datagrams are not
 * netlink messages (kobject uevents): a view into the receive slab.
 */
export interface Datagram {
  /** The datagram's bytes (a view; a prefix when it arrived truncated). */
  readonly bytes: Uint8Array;
  /** Port id of the sender: 0 for the kernel. */
  readonly senderPort: number;
  /** The multicast group it was sent to (0: unicast). */
  readonly group: number;
  /** The peer namespace's id when NETLINK_LISTEN_ALL_NSID is on. */
  readonly nsid: number | undefined;
}

/** True when an item is an overrun marker rather than a message. */
export function isOverrun<T>(item: T | Overrun): item is Overrun {
  return (item as Partial<Overrun> | null)?.overrun === true;
}

/** Options of {@link NetlinkSocket.subscribe}. */
export interface SubscribeOptions {
  /** Ends the subscription: the iterator throws an AbortError. */
  signal?: AbortSignal;
  /**
   * Messages queued before the socket pauses reading. Default 16384. While a
   * request or dump on the same socket needs reading to go on, a full queue
   * drops what arrives and yields an overrun marker in its place.
   */
  maxQueue?: number;
  /**
   * Accept only messages sent from this port id. On user-space protocols
   * (NETLINK_USERSOCK) any process may multicast; the kernel fills the
   * sender's port, so naming the server's port cannot be forged.
   */
  from?: number;
}

const OVERRUN: Overrun = Object.freeze({ overrun: true as const, truncated: false });
const TRUNCATED: Overrun = Object.freeze({ overrun: true as const, truncated: true });

/** Messages of some multicast groups, in arrival order, with overruns in-band. */
export class Subscription<T = MessageView> implements AsyncIterableIterator<SubscriptionItem<T>> {
  /** Group numbers this subscription joined. */
  readonly groups: readonly number[];
  private readonly groupSet: Set<number>;
  private readonly maxQueue: number;
  private queue: SubscriptionItem<T>[] = [];
  private head = 0;
  private readonly waiter = new Waiter();
  private error: Error | undefined;
  private ended = false;
  private paused = false;
  /** Full while the socket reads on for others: messages are dropped after a marker. */
  private dropping = false;
  private readonly from: number | undefined;
  private readonly onAbort: (() => void) | undefined;

  /** @internal Use NetlinkSocket.subscribe(). */
  constructor(
    private readonly socket: NetlinkSocket,
    groups: number[],
    private readonly options: SubscribeOptions,
  ) {
    this.groups = Object.freeze(groups);
    this.groupSet = new Set(groups);
    const maxQueue = options.maxQueue ?? 16384;
    if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new RangeError(`maxQueue must be a positive integer, got ${String(maxQueue)}`);
    this.maxQueue = maxQueue;
    const from = options.from;
    if (from !== undefined && (!Number.isInteger(from) || from < 0 || from > 0xffffffff)) throw new RangeError(`from must be a 32-bit port id, got ${String(from)}`);
    this.from = from;
    const signal = options.signal;
    if (signal) {
      this.onAbort = () => this.fail(new AbortError('The subscription was aborted', { cause: signal.reason }));
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** @internal */
  wants(group: number, port: number): boolean {
    return this.groupSet.has(group) && (this.from === undefined || this.from === port);
  }

  /** Items waiting to be read. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** @internal */
  push(msg: T): void {
    if (this.ended || this.dropping) return;
    if (this.paused && this.queued >= this.maxQueue && !this.socket.readingPaused) {
      // The socket reads on for a request or dump: what this queue cannot
      // hold is lost, and the marker says where (before everything after it).
      this.dropping = true;
      this.pushOverrun(false);
      return;
    }
    this.queue.push(msg);
    if (!this.paused && this.queued >= this.maxQueue) {
      this.paused = true;
      this.socket.setPaused(this, true);
    }
    this.notify();
  }

  /** @internal */
  pushOverrun(truncated: boolean): void {
    if (this.ended) return;
    // Consecutive overruns say the same thing: one marker is enough.
    const last = this.queue[this.queue.length - 1];
    if (this.queued > 0 && last === (truncated ? TRUNCATED : OVERRUN)) return;
    this.queue.push(truncated ? TRUNCATED : OVERRUN);
    this.notify();
  }

  /** @internal The subscription ends with an error after the queued items. */
  fail(err: Error): void {
    if (this.ended) return;
    this.error ??= err;
    this.finish();
  }

  /** @internal The socket closed: the iterator finishes after the queued items. */
  end(): void {
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.onAbort) this.options.signal?.removeEventListener('abort', this.onAbort);
    this.socket.unsubscribe(this);
    this.notify();
  }

  private notify(): void {
    this.waiter.notify();
  }

  private take(): SubscriptionItem<T> | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head]!;
    this.queue[this.head] = undefined as unknown as SubscriptionItem<T>;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.paused && this.queued <= this.maxQueue >> 1) {
      this.paused = false;
      this.dropping = false;
      this.socket.setPaused(this, false);
    }
    return item;
  }

  /** The next message or overrun marker; waits while the queue is empty. Throws after an abort or socket error. */
  async next(): Promise<IteratorResult<SubscriptionItem<T>>> {
    for (;;) {
      // An abort wins over queued items; a socket error is reported after them.
      if (this.error instanceof AbortError) return this.throwError();
      const item = this.take();
      if (item !== undefined) return { value: item, done: false };
      if (this.ended) {
        if (this.error) return this.throwError();
        return { value: undefined, done: true };
      }
      await this.waiter.wait();
    }
  }

  private throwError(): never {
    const err = this.error!;
    this.error = undefined;
    this.queue.length = 0;
    this.head = 0;
    throw err;
  }

  /** Leaves the groups (unless other subscriptions still use them) and ends the iterator. */
  async return(): Promise<IteratorResult<SubscriptionItem<T>>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Ends the subscription now; queued items are discarded. */
  close(): void {
    this.queue.length = 0;
    this.head = 0;
    this.error = undefined;
    this.finish();
  }

  /** The subscription itself. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Closes the subscription, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
