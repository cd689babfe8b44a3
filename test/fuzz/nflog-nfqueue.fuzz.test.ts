// Feeds mutated and truncated copies of captured nflog and nfqueue messages
// (test/vectors/nflog.ts, nfqueue.ts: packets from the kernel, a packet with
// a conntrack nest, config and verdict messages as libnetfilter_log and
// libnetfilter_queue write them) to the packet decoders and the families'
// request decoders, and checks that the only error they throw is
// NetlinkDecodeError.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkDecodeError } from '../../src/core/errors.js';
import { MessageView } from '../../src/core/message.js';
import { family as nflogFamily } from '../../src/families/generated/nflog.js';
import { family as nfqueueFamily } from '../../src/families/generated/nfqueue.js';
import { loadNflogFamily, loadNfqueueFamily } from '../../src/families/netfilter/families.js';
import { decodeNflogPacket } from '../../src/families/netfilter/nflog.js';
import { decodeNfqueuePacket } from '../../src/families/netfilter/nfqueue.js';
import * as nflog from '../vectors/nflog.js';
import * as nfqueue from '../vectors/nfqueue.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x6e666c67);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 30_000);

type Decoder = (bytes: Uint8Array) => unknown;

/** Whole netlink messages: parsed first (which may refuse), then decoded. */
const asMessage =
  (decode: (m: MessageView) => unknown): Decoder =>
  (bytes) =>
    decode(MessageView.from(bytes));

const FORMATS: ReadonlyArray<{ name: string; samples: Uint8Array[]; decoders: Record<string, Decoder> }> = [
  {
    name: 'nflog',
    samples: Object.values(nflog),
    decoders: {
      decodeNflogPacket: asMessage(decodeNflogPacket),
      'nflog decode': asMessage((m) => nflogFamily.decode(m)),
      'nflog decodeRequest': asMessage((m) => nflogFamily.decodeRequest(m)),
    },
  },
  {
    name: 'nfqueue',
    samples: Object.values(nfqueue),
    decoders: {
      decodeNfqueuePacket: asMessage(decodeNfqueuePacket),
      'nfqueue decode': asMessage((m) => nfqueueFamily.decode(m)),
      'nfqueue decodeRequest': asMessage((m) => nfqueueFamily.decodeRequest(m)),
    },
  },
];

/** One random mutation: bit flips, a byte or a u16/u32 word set to an edge value, a cut, an insertion from another sample. */
function mutate(rand: () => number, samples: readonly Uint8Array[], input: Uint8Array): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = input.slice();
  const roll = rand();
  if (bytes.length === 0) return { bytes: pick(samples).slice(), how: 'restart' };
  if (roll < 0.2) {
    const flips = 1 + int(6);
    for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
    return { bytes, how: `flip ${flips} bits` };
  }
  if (roll < 0.4) {
    const at = int(bytes.length);
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x03, 0x04, 0x0b, int(256)]);
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  if (roll < 0.6 && bytes.length >= 4) {
    const at = int(bytes.length - 3) & ~3;
    const dv = new DataView(bytes.buffer);
    // Lengths and types around the attribute headers: 0..8, nest flags, the message types of both subsystems.
    const value = pick([
      0,
      1,
      3,
      4,
      5,
      8,
      0x8000,
      0x800b,
      0x0300,
      0x0301,
      0x0400,
      0x0401,
      0xffff,
      0xffffffff,
      dv.getUint32(at, true) + 1,
      dv.getUint32(at, true) - 1,
      int(0x100000000),
    ]);
    if (rand() < 0.5) dv.setUint32(at, value >>> 0, true);
    else dv.setUint16(at, value & 0xffff, true);
    return { bytes, how: `set the word at ${at} to ${value}` };
  }
  if (roll < 0.8) {
    const cut = int(bytes.length + 1);
    const out = bytes.slice(0, cut);
    if (rand() < 0.5 && cut >= 16) new DataView(out.buffer).setUint32(0, cut, true); // keep nlmsg_len consistent, reach the payload decoders
    return { bytes: out, how: `truncate to ${cut}` };
  }
  const donor = pick(samples);
  const from = int(donor.length);
  const chunk = donor.subarray(from, from + 1 + int(48));
  const to = int(bytes.length + 1);
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, to));
  out.set(chunk, to);
  out.set(bytes.subarray(to), to + chunk.length);
  return { bytes: out, how: `insert ${chunk.length} bytes at ${to}` };
}

describe('nflog and nfqueue decoders on mutated captures', () => {
  let stackTraceLimit: number;
  beforeAll(async () => {
    // The decoders read the families, loaded on first use.
    await Promise.all([loadNflogFamily(), loadNfqueueFamily()]);
    stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });

  it('decode every sample cleanly before any mutation', () => {
    const failures: string[] = [];
    for (const f of FORMATS) {
      for (const [i, s] of f.samples.entries()) {
        // A packet decodes as a packet, a request as a request: one decoder of the family must take it.
        const anyDecodes = Object.values(f.decoders).some((d) => {
          try {
            d(s);
            return true;
          } catch {
            return false;
          }
        });
        if (!anyDecodes) failures.push(`${f.name} sample ${i}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it(`throw nothing but NetlinkDecodeError over ${ITERATIONS} mutated inputs`, () => {
    const rand = prng(SEED);
    const failures: string[] = [];
    let refused = 0;
    let decoded = 0;
    for (let i = 0; i < ITERATIONS && failures.length < 5; i++) {
      const format = FORMATS[i % FORMATS.length]!;
      let input = format.samples[Math.floor(rand() * format.samples.length)]!;
      let how = '';
      const rounds = 1 + Math.floor(rand() * 3);
      for (let r = 0; r < rounds; r++) {
        const m = mutate(rand, format.samples, input);
        input = m.bytes;
        how += (how ? '; ' : '') + m.how;
      }
      for (const [name, decode] of Object.entries(format.decoders)) {
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
