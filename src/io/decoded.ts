// A subscription whose items a family decodes on the way out: overruns pass
// through, items the family skips are dropped, and a decode error either ends
// the stream (thrown) or goes to the caller's onMalformed and the stream goes on.
import { NetlinkDecodeError } from '../core/errors.js';
import { isOverrun, type Overrun, type Subscription } from './subscription.js';

/** What a decoded subscription does with an item it cannot decode: skip it after telling this callback. */
export type MalformedHandler<In> = (error: NetlinkDecodeError, item: In) => void;

/** Decoded items of a subscription, with overruns in-band. Leaving a for-await loop ends it (the socket stays open). */
export abstract class DecodedSubscription<In, Out> implements AsyncIterableIterator<Out | Overrun>, AsyncDisposable {
  /** Malformed items handed to onMalformed and skipped. */
  malformed = 0;

  /** @internal */
  constructor(
    private readonly sub: Subscription<In>,
    private readonly onMalformed: MalformedHandler<In> | undefined,
  ) {}

  /** The family's decoder: the object, or undefined to skip the item. Throws NetlinkDecodeError on malformed bytes. */
  protected abstract decode(item: In): Out | undefined;

  /** Items waiting to be read (not yet decoded). */
  get queued(): number {
    return this.sub.queued;
  }

  /** The next decoded item or overrun marker; waits while none is queued. Throws a decode error unless `onMalformed` is set. */
  async next(): Promise<IteratorResult<Out | Overrun>> {
    for (;;) {
      const r = await this.sub.next();
      if (r.done) return { value: undefined, done: true };
      const item = r.value;
      if (isOverrun(item)) return { value: item, done: false };
      let out: Out | undefined;
      try {
        out = this.decode(item);
      } catch (err) {
        if (!(err instanceof NetlinkDecodeError)) throw err;
        if (this.onMalformed) {
          this.malformed++;
          this.onMalformed(err, item);
          continue;
        }
        this.sub.close();
        throw err;
      }
      if (out !== undefined) return { value: out, done: false };
    }
  }

  /** Ends the iterator; a for-await loop calls it when left early. */
  async return(): Promise<IteratorResult<Out | Overrun>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Leaves the groups and ends the iterator. */
  close(): void {
    this.sub.close();
  }

  /** The subscription itself. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the subscription, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
