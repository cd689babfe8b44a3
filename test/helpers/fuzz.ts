// The fuzz tests' random numbers: mulberry32, seeded, so that a failure
// printed with its seed replays exactly (NLKIT_FUZZ_SEED).

/** A PRNG of `seed`: each call returns the next number in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
