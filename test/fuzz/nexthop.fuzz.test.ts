// Feeds mutated and truncated copies of captured rt-nexthop messages
// (test/vectors/nexthop.ts: a dump of nexthops, groups, resilient groups and
// fdb nexthops, a bucket dump, a get reply, ip's add request) to the
// rt-nexthop decoders and the typed conversions on top of them, and checks
// that the only error they throw is NetlinkDecodeError.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { describe, expect, it } from 'vitest';
import { NetlinkDecodeError } from '../../src/core/errors.js';
import { MessageView, parseMessages } from '../../src/core/message.js';
import { family } from '../../src/families/generated/rt-nexthop.js';
import { decodeNexthop, decodeNexthopBucket } from '../../src/families/route/nexthops.js';
import * as vectors from '../vectors/nexthop.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x6e686f70);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 40_000);

/** Each captured message on its own (the dumps split), DONE messages left out. */
const SAMPLES: Uint8Array[] = Object.values(vectors).flatMap((bytes) =>
  parseMessages(bytes)
    .filter((m) => m.type !== 3)
    .map((m) => bytes.slice(m.offset, m.offset + m.length)),
);

const DECODERS: Record<string, (m: MessageView) => unknown> = {
  'family.decode': (m) => family.decode(m),
  'getnexthop reply + decodeNexthop': (m) => decodeNexthop(family.ops.getnexthop.dump.decodeReply(m)),
  'getnexthopbucket reply + decodeNexthopBucket': (m) => decodeNexthopBucket(family.ops.getnexthopbucket.dump.decodeReply(m)),
  'newnexthop request': (m) => family.ops.newnexthop.do.decodeRequest(m),
};

/** One mutation: bit flips, an edge byte, an edge u16/u32 word (attribute lengths and types among them), a cut with nlmsg_len kept, or a chunk of another sample inserted. */
function mutate(rand: () => number, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  // Too short to mutate past the header: start again from a sample.
  if (input.length < 24) return { bytes: pick(SAMPLES).slice(), how: 'restart' };
  const bytes = input.slice();
  const roll = rand();
  if (roll < 0.2) {
    const flips = 1 + int(6);
    for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
    return { bytes, how: `flip ${flips} bits` };
  }
  if (roll < 0.4) {
    const at = 16 + int(bytes.length - 16);
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x04, 0x08, 0x0c, int(256)]);
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  if (roll < 0.65) {
    const at = (16 + int(bytes.length - 19)) & ~3;
    const dv = new DataView(bytes.buffer);
    const value = pick([0, 1, 2, 3, 4, 5, 6, 8, 12, 13, 14, 15, 0x8000, 0x800c, 0xffff, 0xffffffff, dv.getUint16(at, true) + 1, dv.getUint16(at, true) - 1, int(0x10000)]);
    if (rand() < 0.7) dv.setUint16(at + (rand() < 0.5 ? 0 : 2), value & 0xffff, true);
    else dv.setUint32(at, value >>> 0, true);
    return { bytes, how: `set the word at ${at} to ${value}` };
  }
  if (roll < 0.85) {
    const cut = 16 + int(bytes.length - 15);
    const out = bytes.slice(0, cut);
    new DataView(out.buffer).setUint32(0, cut, true);
    return { bytes: out, how: `truncate to ${cut}` };
  }
  const donor = pick(SAMPLES);
  const from = 16 + int(donor.length - 16);
  const chunk = donor.subarray(from, from + 1 + int(40));
  const to = 16 + int(bytes.length - 15);
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, to));
  out.set(chunk, to);
  out.set(bytes.subarray(to), to + chunk.length);
  new DataView(out.buffer).setUint32(0, out.length, true);
  return { bytes: out, how: `insert ${chunk.length} bytes at ${to}` };
}

describe('rt-nexthop decoders under mutated input', () => {
  it('decode every captured sample cleanly', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(15);
    for (const bytes of SAMPLES) {
      const m = MessageView.from(bytes);
      if (m.type === 104) expect(() => decodeNexthop(family.ops.getnexthop.dump.decodeReply(m))).not.toThrow();
      if (m.type === 116) expect(() => decodeNexthopBucket(family.ops.getnexthopbucket.dump.decodeReply(m))).not.toThrow();
    }
  });

  it(`throw only NetlinkDecodeError over ${ITERATIONS} mutations (seed ${SEED})`, () => {
    const rand = prng(SEED);
    let decodeErrors = 0;
    let clean = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      let input = SAMPLES[Math.floor(rand() * SAMPLES.length)]!;
      const steps = 1 + Math.floor(rand() * 3);
      const how: string[] = [];
      for (let s = 0; s < steps; s++) {
        const r = mutate(rand, input);
        input = r.bytes;
        how.push(r.how);
      }
      let view: MessageView;
      try {
        view = MessageView.from(input);
      } catch (err) {
        if (err instanceof NetlinkDecodeError) {
          decodeErrors++;
          continue;
        }
        throw err;
      }
      for (const [name, decode] of Object.entries(DECODERS)) {
        try {
          decode(view);
          clean++;
        } catch (err) {
          if (err instanceof NetlinkDecodeError) {
            decodeErrors++;
            continue;
          }
          const e = err as Error;
          throw new Error(`seed ${SEED} iteration ${i} (${how.join(', ')}): ${name} threw ${e.name}: ${e.message}\n${Buffer.from(input).toString('hex')}`, { cause: err });
        }
      }
    }
    // Both outcomes happen: the mutations reach past the header checks.
    expect(decodeErrors).toBeGreaterThan(ITERATIONS / 10);
    expect(clean).toBeGreaterThan(ITERATIONS / 10);
  });
});
