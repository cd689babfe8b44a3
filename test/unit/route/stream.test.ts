import { describe, expect, it } from 'vitest';
import { FlatIterator } from '../../../src/families/route/stream.js';

/** An async source of batches that records whether it was returned early. */
function source(batches: number[][], opts: { failAfter?: number } = {}) {
  const state = { returned: false, pulled: 0 };
  async function* gen(): AsyncGenerator<number[]> {
    try {
      for (const b of batches) {
        if (opts.failAfter !== undefined && state.pulled === opts.failAfter) throw new Error('source failed');
        state.pulled++;
        await new Promise((r) => setTimeout(r, 1));
        yield b;
      }
    } finally {
      state.returned = true;
    }
  }
  return { it: gen(), state };
}

describe('FlatIterator', () => {
  it('yields every object of every batch in order, skipping empty batches', async () => {
    const { it: src } = source([[1, 2], [], [3], [4, 5, 6]]);
    const out: number[] = [];
    for await (const x of new FlatIterator(src)) out.push(x);
    expect(out).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives the objects in order to next() calls made without waiting', async () => {
    const { it: src } = source([[1, 2, 3], [4], [5, 6]]);
    const flat = new FlatIterator(src);
    const results = await Promise.all(Array.from({ length: 8 }, () => flat.next()));
    expect(results.map((r) => (r.done ? 'done' : r.value))).toEqual([1, 2, 3, 4, 5, 6, 'done', 'done']);
  });

  it('returns the source when the consumer breaks out (a dump drains)', async () => {
    const { it: src, state } = source([[1, 2], [3, 4], [5]]);
    const out: number[] = [];
    for await (const x of new FlatIterator(src)) {
      out.push(x);
      if (x === 3) break;
    }
    expect(out).toEqual([1, 2, 3]);
    expect(state.returned).toBe(true);
    expect(state.pulled).toBe(2);
  });

  it('passes a source error to the consumer', async () => {
    const { it: src } = source([[1], [2], [3]], { failAfter: 2 });
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const x of new FlatIterator(src)) out.push(x);
      })(),
    ).rejects.toThrow('source failed');
    expect(out).toEqual([1, 2]);
  });

  it('ends after return(): later next() calls are done', async () => {
    const { it: src, state } = source([[1, 2], [3]]);
    const flat = new FlatIterator(src);
    expect(await flat.next()).toEqual({ value: 1, done: false });
    expect(await flat.return()).toEqual({ value: undefined, done: true });
    expect(await flat.next()).toEqual({ value: undefined, done: true });
    expect(state.returned).toBe(true);
  });

  it('throw() ends the source and rethrows', async () => {
    const { it: src, state } = source([[1, 2], [3]]);
    const flat = new FlatIterator(src);
    await flat.next();
    await expect(flat.throw(new Error('stop'))).rejects.toThrow('stop');
    expect(state.returned).toBe(true);
    expect(await flat.next()).toEqual({ value: undefined, done: true });
  });
});
