// Dumps: the state of one dump request while it is queued or running, and
// the async iterator a caller reads it with. The socket routes a dump's
// messages here as byte ranges of its receive slabs; views are made when the
// consumer reads them.
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP_FILTERED, NLM_F_DUMP_INTR } from '../core/constants.js';
import { HOST_LITTLE_ENDIAN } from '../core/bytes.js';
import { nlmsgAlign } from '../core/align.js';
import { MessageView } from '../core/message.js';
import { parseDoneMessage, parseErrorMessage } from '../core/ack.js';
import { DumpInterruptedError, NetlinkTimeoutError } from '../core/errors.js';
import { abortReason, Waiter } from './wait.js';
import type { DumpOptions, NetlinkSocket } from './socket.js';

const LE = HOST_LITTLE_ENDIAN;
/** Messages a dump buffers ahead of its consumer before the socket pauses reading. */
const DUMP_HIGH_WATER = 8192;

/** A run of consecutive data messages of one dump inside a receive buffer. */
interface DumpRange {
  buffer: Uint8Array;
  dv: DataView;
  start: number;
  end: number;
  count: number;
  port: number;
}

/** @internal State of one dump request while it is queued or running. */
export class DumpOperation {
  readonly kind = 'dump' as const;
  seq: number | undefined;
  sent: Uint8Array | undefined;
  finished = false;
  interrupted = false;
  filtered = false;
  received = 0;
  /** Messages waiting for the consumer, as byte ranges in receive buffers. */
  private ranges: DumpRange[] = [];
  private head = 0;
  /** Read position inside ranges[head]. */
  private cursor = -1;
  private queued = 0;
  private error: Error | undefined;
  private readonly waiter = new Waiter();
  /** This dump asked the socket to stop reading (its consumer fell behind). */
  private pausing = false;
  /** When set, messages are discarded (the consumer left early). */
  draining = false;

  constructor(
    readonly socket: NetlinkSocket,
    readonly requestBytes: Uint8Array,
    readonly options: DumpOptions,
  ) {}

  begin(seq: number, sent: Uint8Array): void {
    this.seq = seq;
    this.sent = sent;
  }

  /** Messages received and not yet taken by the consumer. */
  get buffered(): number {
    return this.queued;
  }

  /** Records the header flags of a data message. */
  noteFlags(flags: number): void {
    if (flags & NLM_F_DUMP_INTR) this.interrupted = true;
    if (flags & NLM_F_DUMP_FILTERED) this.filtered = true;
  }

  /** Queues `count` data messages lying back to back in buffer[start, end). */
  pushRange(buffer: Uint8Array, dv: DataView, start: number, end: number, count: number, port: number): void {
    this.received += count;
    if (this.draining || this.finished) return;
    this.ranges.push({ buffer, dv, start, end, count, port });
    this.queued += count;
    if (this.queued >= DUMP_HIGH_WATER && !this.pausing) {
      this.pausing = true;
      this.socket.setPaused(this, true);
    }
    this.notify();
  }

  /** NLMSG_DONE, NLMSG_ERROR and the other control messages of this dump. */
  onControl(msg: MessageView): void {
    const type = msg.type;
    this.noteFlags(msg.flags);
    if (type === NLMSG_DONE) {
      const done = parseDoneMessage(msg);
      if (done.errno !== 0) {
        this.socket.finishDump(this, this.socket.kernelError(done.errno, done.extAck, this.seq!, this.sent!, this.options));
      } else {
        if (done.extAck?.message) this.socket.warn(done.extAck.message, this.options);
        this.socket.finishDump(this);
      }
      return;
    }
    if (type === NLMSG_ERROR) {
      let ack;
      try {
        ack = parseErrorMessage(msg);
      } catch (err) {
        this.socket.finishDump(this, err as Error);
        return;
      }
      // The kernel never acknowledges a dump it runs (netlink_rcv_skb skips the
      // ack when netlink_dump_start returns -EINTR), so an ACK means it answered
      // the request as a `do` (e.g. NFT_MSG_GETGEN, which ignores NLM_F_DUMP):
      // nothing else follows, the dump is over. A failure ends it too.
      if (ack.errno !== 0) this.socket.finishDump(this, this.socket.kernelError(ack.errno, ack.extAck, this.seq!, this.sent!, this.options));
      else this.socket.finishDump(this);
    }
    // NLMSG_NOOP and NLMSG_OVERRUN carry nothing for the caller.
  }

  complete(error?: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (error && !this.error) this.error = error;
    this.notify();
  }

  private notify(): void {
    this.waiter.notify();
  }

  private dropHead(): void {
    this.ranges[this.head] = undefined as unknown as DumpRange;
    this.head++;
    this.cursor = -1;
    if (this.head === this.ranges.length) {
      this.ranges.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.ranges.length) {
      this.ranges = this.ranges.slice(this.head);
      this.head = 0;
    }
  }

  private taken(count: number): void {
    this.queued -= count;
    // Only a dump that paused the socket resumes it (this runs once per message).
    if (this.pausing && this.queued < DUMP_HIGH_WATER / 2) {
      this.pausing = false;
      this.socket.setPaused(this, false);
    }
  }

  /** Next queued message, undefined when none is queued yet. */
  take(): MessageView | undefined {
    const range = this.ranges[this.head];
    if (range === undefined) return undefined;
    const pos = this.cursor < 0 ? range.start : this.cursor;
    const msg = new MessageView(range.buffer, pos, range.dv, range.port);
    const next = pos + nlmsgAlign(range.dv.getUint32(pos, LE));
    if (next >= range.end) this.dropHead();
    else this.cursor = next;
    this.taken(1);
    return msg;
  }

  /** The queued messages of the oldest receive buffer range (one datagram's worth, or what is left of it). */
  takeBatch(): MessageView[] {
    const range = this.ranges[this.head];
    if (range === undefined) return [];
    const { buffer, dv, end, port } = range;
    const out: MessageView[] = [];
    let pos = this.cursor < 0 ? range.start : this.cursor;
    while (pos < end) {
      out.push(new MessageView(buffer, pos, dv, port));
      pos += nlmsgAlign(dv.getUint32(pos, LE));
    }
    this.dropHead();
    this.taken(out.length);
    return out;
  }

  /** The error the dump ended with, if any. */
  get failure(): Error | undefined {
    return this.error;
  }

  /** Resolves when a message is queued or the dump ends. */
  waitForMore(): Promise<void> {
    return this.waiter.wait();
  }

  /** Consumer left before the end: discard the rest but keep reading until DONE. */
  abandon(): void {
    this.draining = true;
    this.ranges.length = 0;
    this.head = 0;
    this.cursor = -1;
    this.queued = 0;
    this.pausing = false;
    this.socket.setPaused(this, false);
  }
}

/**
 * The async iterator returned by {@link NetlinkSocket.dump}. Besides iterating,
 * it tells whether the kernel applied the request's filter (`filtered`) once
 * the dump has ended.
 */
export class DumpIterator implements AsyncIterableIterator<MessageView> {
  private op: DumpOperation | undefined;
  private attempts = 0;
  private collected: MessageView[] | undefined;
  private collectedIndex = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort: () => void;
  private cancelled: Error | undefined;
  private done = false;

  /** @internal Use NetlinkSocket.dump(). */
  constructor(
    private readonly socket: NetlinkSocket,
    private readonly bytes: Uint8Array,
    private readonly options: DumpOptions,
  ) {
    this.onAbort = () => this.cancel(abortReason(options.signal!));
  }

  /** NLM_F_DUMP_FILTERED was set: the kernel applied the request's filter attributes. */
  get filtered(): boolean {
    return this.op?.filtered ?? false;
  }

  /** Messages received so far (including those already consumed). */
  get received(): number {
    return this.op?.received ?? 0;
  }

  /** The iterator itself. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  private start(): DumpOperation {
    const op = new DumpOperation(this.socket, this.bytes, this.options);
    this.attempts++;
    this.op = op;
    this.socket.enqueueDump(op);
    return op;
  }

  private arm(): void {
    const { signal, timeout } = this.options;
    if (signal) {
      if (signal.aborted) throw abortReason(signal);
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
    if (timeout !== undefined) this.timer = setTimeout(() => this.cancel(new NetlinkTimeoutError(timeout, this.options.name ?? 'dump')), timeout);
  }

  private disarm(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private cancel(err: Error): void {
    if (this.done) return;
    this.cancelled = err;
    const op = this.op;
    if (op && !op.finished) {
      op.abandon();
      op.complete(err);
    }
  }

  /** The next message of the dump; the first call sends the request. */
  next(): Promise<IteratorResult<MessageView>> {
    // The common case, a message already received: answer without an async frame.
    const op = this.op;
    if (op !== undefined && !this.done && this.collected === undefined && this.cancelled === undefined) {
      const msg = op.take();
      if (msg !== undefined) return Promise.resolve({ value: msg, done: false });
    }
    return this.nextSlow();
  }

  private async nextSlow(): Promise<IteratorResult<MessageView>> {
    if (this.done) return { value: undefined, done: true };
    if (!this.op) await this.begin();
    if (this.collected) {
      if (this.collectedIndex < this.collected.length) {
        const value = this.collected[this.collectedIndex]!;
        this.collected[this.collectedIndex++] = undefined as unknown as MessageView;
        return { value, done: false };
      }
      return this.end();
    }
    const op = this.op!;
    for (;;) {
      if (this.cancelled) throw this.stop(this.cancelled);
      const msg = op.take();
      if (msg !== undefined) return { value: msg, done: false };
      if (op.finished) return this.end();
      await op.waitForMore();
    }
  }

  /**
   * The same dump as arrays of messages, one array per received datagram (up
   * to ~32 KiB of messages). One promise per array instead of one per message:
   * the fastest way to read a large dump. Use either this or the message
   * iterator, not both.
   */
  batches(): AsyncIterableIterator<MessageView[]> {
    const next = async (): Promise<IteratorResult<MessageView[]>> => {
      if (this.done) return { value: undefined, done: true };
      if (!this.op) await this.begin();
      if (this.collected) {
        const rest = this.collected.slice(this.collectedIndex);
        this.collectedIndex = this.collected.length;
        if (rest.length > 0) return { value: rest, done: false };
        this.end();
        return { value: undefined, done: true };
      }
      const op = this.op!;
      for (;;) {
        if (this.cancelled) throw this.stop(this.cancelled);
        const batch = op.takeBatch();
        if (batch.length > 0) return { value: batch, done: false };
        if (op.finished) {
          this.end();
          return { value: undefined, done: true };
        }
        await op.waitForMore();
      }
    };
    const iterator: AsyncIterableIterator<MessageView[]> = {
      next,
      return: async () => {
        await this.return();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  private async begin(): Promise<void> {
    try {
      this.arm();
    } catch (err) {
      this.done = true;
      throw err;
    }
    this.start();
    if ((this.options.retry ?? 0) > 0) await this.collect();
  }

  // Retry mode: read whole attempts until one is not interrupted (or retries run out).
  private async collect(): Promise<void> {
    const maxAttempts = (this.options.retry ?? 0) + 1;
    for (;;) {
      const op = this.op!;
      const all: MessageView[] = [];
      for (;;) {
        if (this.cancelled) throw this.stop(this.cancelled);
        const msg = op.take();
        if (msg !== undefined) {
          all.push(msg);
          continue;
        }
        if (op.finished) break;
        await op.waitForMore();
      }
      if (op.failure) throw this.stop(op.failure);
      if (op.interrupted) {
        if (this.attempts < maxAttempts) {
          this.start();
          continue;
        }
        throw this.stop(new DumpInterruptedError(all, this.attempts));
      }
      this.collected = all;
      return;
    }
  }

  private end(): IteratorResult<MessageView> {
    const op = this.op!;
    if (this.cancelled) throw this.stop(this.cancelled);
    if (op.failure) throw this.stop(op.failure);
    if (op.interrupted && !this.collected) throw this.stop(new DumpInterruptedError([], this.attempts, op.received));
    this.stop();
    return { value: undefined, done: true };
  }

  /** Ends iteration; an unfinished dump is drained in the background. Returns `err` for throwing. */
  private stop<E extends Error | undefined>(err?: E): E {
    this.done = true;
    this.disarm();
    const op = this.op;
    if (op && !op.finished) op.abandon();
    this.collected = undefined;
    return err as E;
  }

  /** Leaving the loop early: the rest of the dump is drained in the background. */
  async return(): Promise<IteratorResult<MessageView>> {
    if (!this.done) this.stop();
    return { value: undefined, done: true };
  }
}
