// Listings arrive as batches (one datagram's objects); `list()` hands them
// out one at a time. An async generator doing that (`yield* batch`) costs a
// generator resumption and several promise jobs per object, which dominates
// a long listing; this iterator answers from the current batch with one
// already-resolved promise per object and reads the next batch only when the
// current one is used up.

/** One object at a time from an async source of batches; return()/throw() reach the source (a dump drains). */
export class FlatIterator<T> implements AsyncGenerator<T, undefined, undefined> {
  private batch: readonly T[] = [];
  private at = 0;
  private finished = false;
  private readonly source: AsyncIterator<readonly T[]>;

  constructor(batches: AsyncIterable<readonly T[]>) {
    this.source = batches[Symbol.asyncIterator]();
  }

  /** A batch being read: calls made meanwhile wait for it, so none skips or reorders objects. */
  private reading: Promise<unknown> | undefined;

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.reading) return this.reading.then(() => this.next());
    if (this.at < this.batch.length) return Promise.resolve({ value: this.batch[this.at++]!, done: false });
    const r = this.refill();
    const reading = (this.reading = r.then(
      () => {
        if (this.reading === reading) this.reading = undefined;
      },
      () => {
        if (this.reading === reading) this.reading = undefined;
      },
    ));
    return r;
  }

  private async refill(): Promise<IteratorResult<T, undefined>> {
    while (!this.finished) {
      const r = await this.source.next();
      if (r.done) break;
      if (r.value.length === 0) continue;
      this.batch = r.value;
      this.at = 1;
      return { value: r.value[0]!, done: false };
    }
    this.finish();
    return { value: undefined, done: true };
  }

  private finish(): void {
    this.finished = true;
    this.batch = [];
    this.at = 0;
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    if (!this.finished) {
      this.finish();
      await this.source.return?.();
    }
    return { value: undefined, done: true };
  }

  async throw(err: unknown): Promise<IteratorResult<T, undefined>> {
    if (!this.finished) {
      this.finish();
      if (this.source.throw) await this.source.throw(err);
      else await this.source.return?.();
    }
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
