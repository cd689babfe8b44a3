// Feeds mutated and truncated copies of captured taskstats messages
// (test/vectors/taskstats.ts: a pid reply, a tgid reply, exit statistics
// with aggr-pid and aggr-tgid, a cgroupstats reply) to the family's generated
// decoder, its struct decoder, decodeTaskExit and decodeCgroupStats, and checks that the only error they throw is
// NetlinkDecodeError.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageView, NetlinkDecodeError } from '../../src/index.js';
import { decodeCgroupStats, decodeTaskExit, loadTaskstatsFamily } from '../../src/families/taskstats/index.js';
import { family } from '../../src/families/generated/TASKSTATS.js';
import * as vectors from '../vectors/taskstats.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x7461736b);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 30_000);
const SAMPLES: readonly Uint8Array[] = Object.values(vectors);

const struct = family.structs.get('taskstats')!;
/** The decoders a taskstats message goes through: whole messages are parsed first (which may refuse). */
const DECODERS: Record<string, (bytes: Uint8Array) => unknown> = {
  'family.decode': (b) => family.decode(MessageView.from(b)),
  decodeTaskExit: (b) => decodeTaskExit(MessageView.from(b)),
  decodeCgroupStats: (b) => decodeCgroupStats(MessageView.from(b)),
  'struct taskstats': (b) => struct.decode(b.subarray(Math.min(36, b.length))),
};

/** One random mutation: bit flips, a byte or a u16/u32 word (lengths, types, the genl command) set to an edge value, a cut, an insertion. */
function mutate(rand: () => number, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = input.slice();
  const roll = rand();
  if (bytes.length === 0) return { bytes: pick(SAMPLES).slice(), how: 'restart' };
  if (roll < 0.2) {
    const flips = 1 + int(6);
    for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
    return { bytes, how: `flip ${flips} bits` };
  }
  if (roll < 0.4) {
    const at = int(bytes.length);
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, int(256)]);
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  if (roll < 0.6 && bytes.length >= 4) {
    const at = int(bytes.length - 3) & ~3;
    const dv = new DataView(bytes.buffer);
    const value = pick([0, 1, 4, 8, 12, 564, 576, 580, 0xffff, 0xffffffff, dv.getUint16(at, true) + 4, dv.getUint16(at, true) - 4, int(0x100000000)]);
    if (rand() < 0.5) dv.setUint32(at, value >>> 0, true);
    else dv.setUint16(at, value & 0xffff, true);
    return { bytes, how: `set the word at ${at} to ${value}` };
  }
  if (roll < 0.8) {
    const cut = int(bytes.length + 1);
    const out = bytes.slice(0, cut);
    if (rand() < 0.5 && cut >= 16) new DataView(out.buffer).setUint32(0, cut, true); // nlmsg_len kept consistent: reach the attribute decoders
    return { bytes: out, how: `truncate to ${cut}` };
  }
  const donor = pick(SAMPLES);
  const from = int(donor.length);
  const chunk = donor.subarray(from, from + 1 + int(48));
  const to = int(bytes.length + 1);
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, to));
  out.set(chunk, to);
  out.set(bytes.subarray(to), to + chunk.length);
  if (out.length >= 16) new DataView(out.buffer).setUint32(0, out.length, true);
  return { bytes: out, how: `insert ${chunk.length} bytes at ${to}` };
}

describe('taskstats decoders on mutated captures', () => {
  let stackTraceLimit: number;
  beforeAll(async () => {
    // The decoders read the family, loaded on first use.
    await loadTaskstatsFamily();
    stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });

  it('decode every sample cleanly before any mutation', () => {
    for (const s of SAMPLES) if (s !== vectors.CGROUPSTATS_PIDS_ROOT) expect(() => family.decode(MessageView.from(s))).not.toThrow();
    expect(() => decodeCgroupStats(MessageView.from(vectors.CGROUPSTATS_PIDS_ROOT))).not.toThrow();
    expect(() => decodeTaskExit(MessageView.from(vectors.TASKSTATS_EXIT_NODE_5))).not.toThrow();
  });

  it(`throw nothing but NetlinkDecodeError over ${ITERATIONS} mutated inputs`, () => {
    const rand = prng(SEED);
    const failures: string[] = [];
    let refused = 0;
    let decoded = 0;
    for (let i = 0; i < ITERATIONS && failures.length < 5; i++) {
      let input = SAMPLES[Math.floor(rand() * SAMPLES.length)]!;
      let how = '';
      const rounds = 1 + Math.floor(rand() * 3);
      for (let r = 0; r < rounds; r++) {
        const m = mutate(rand, input);
        input = m.bytes;
        how += (how ? '; ' : '') + m.how;
      }
      for (const [name, decode] of Object.entries(DECODERS)) {
        try {
          decode(input);
          decoded++;
        } catch (err) {
          if (err instanceof NetlinkDecodeError) {
            refused++;
            continue;
          }
          failures.push(`seed ${SEED} iteration ${i} ${name} (${how}): ${(err as Error)?.name}: ${(err as Error)?.message}\n  input ${Buffer.from(input).toString('hex')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The mutations reach both outcomes: refusals and inputs still decoded.
    expect(refused).toBeGreaterThan(ITERATIONS / 10);
    expect(decoded).toBeGreaterThan(ITERATIONS / 10);
  });
});
