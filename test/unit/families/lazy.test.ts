// LazyFamily: a generated family imported on first use, once.
import { describe, expect, it } from 'vitest';
import { LazyFamily } from '../../../src/families/lazy.js';

describe('LazyFamily', () => {
  it('imports the module once, on the first load, and then hands the family out synchronously', async () => {
    let imports = 0;
    const lazy = new LazyFamily('demo', async () => {
      imports++;
      return { family: { name: 'demo' } };
    });
    expect(lazy.loaded).toBe(false);
    expect(() => lazy.get()).toThrow('the demo family is not loaded yet: open a client first (or await its load())');
    const [a, b] = await Promise.all([lazy.load(), lazy.load()]);
    expect(a).toBe(b);
    expect(await lazy.load()).toBe(a);
    expect(lazy.get()).toBe(a);
    expect(imports).toBe(1);
  });

  it('tries again after a failed import', async () => {
    let attempt = 0;
    const lazy = new LazyFamily('flaky', async () => {
      if (attempt++ === 0) throw new Error('no module');
      return { family: 7 };
    });
    await expect(lazy.load()).rejects.toThrow('no module');
    expect(await lazy.load()).toBe(7);
  });

  it('says how to load the family when it is read too early, in the words its owner gave', () => {
    const lazy = new LazyFamily('xfrm', async () => ({ family: 1 }), 'open an XfrmClient first, or await xfrm.loadXfrmFamily()');
    expect(() => lazy.get()).toThrow(new Error('the xfrm family is not loaded yet: open an XfrmClient first, or await xfrm.loadXfrmFamily()'));
  });
});
