// A generated family that is loaded when first needed rather than when the
// client module is imported: `import 'nlkit'` must not compile every
// family's generated module (they are large). A client awaits `load()` in
// its `open()`; code that runs only on an open client reads `get()`.

/** The generated module of a family, as `import()` gives it. */
interface FamilyModule<F> {
  family: F;
}

/** A generated family loaded on first use. */
export class LazyFamily<F> {
  private value: F | undefined;
  private loading: Promise<F> | undefined;

  constructor(
    /** The family's name, for errors. */
    readonly name: string,
    private readonly importer: () => Promise<FamilyModule<F>>,
    /** What to do about it, for the error of get() before a load (e.g. 'open an XfrmClient first, or await xfrm.loadXfrmFamily()'). */
    private readonly hint = 'open a client first (or await its load())',
  ) {}

  /** Imports the family's module once; later calls return the same family. */
  load(): Promise<F> {
    if (this.value !== undefined) return Promise.resolve(this.value);
    this.loading ??= this.importer().then(
      (m) => (this.value = m.family),
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  /** True once the family is loaded. */
  get loaded(): boolean {
    return this.value !== undefined;
  }

  /** The family, once loaded (a client's `open()` loads it). */
  get(): F {
    if (this.value === undefined) throw new Error(`the ${this.name} family is not loaded yet: ${this.hint}`);
    return this.value;
  }
}
