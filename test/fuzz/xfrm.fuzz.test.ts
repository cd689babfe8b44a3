// Feeds mutated and truncated copies of the captured xfrm messages
// (test/vectors/xfrm.ts: what ip xfrm sent and what the kernel answered) to
// the xfrm decoders: the generated codec, the typed events (SAs, policies
// with their templates, acquires ...) and the `ip xfrm monitor` printer over
// them, and checks that the only error they throw is NetlinkDecodeError.
// Some mutations also change the message type, so each sample is read as
// every other xfrm message too.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { beforeAll, describe, expect, it } from 'vitest';
import { NetlinkDecodeError } from '../../src/core/errors.js';
import { MessageView } from '../../src/core/message.js';
import { family } from '../../src/families/generated/xfrm.js';
import { decodeXfrmEvent, decodeXfrmMessage, loadXfrmFamily } from '../../src/families/xfrm/index.js';
import { eventText } from '../../src/cli/ip/xfrm-print.js';
import { XFRM_VECTORS } from '../vectors/xfrm.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x7866726d);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 40_000);

const SAMPLES: Uint8Array[] = Object.values(XFRM_VECTORS).map((v) => v.bytes);

const printContext = { stats: 1, oneline: false, family: undefined, indexName: (i: number) => `if${i}` };

const DECODERS: Record<string, (m: MessageView) => unknown> = {
  decodeXfrmMessage: (m) => decodeXfrmMessage(m),
  'family.decodeRequest': (m) => family.decodeRequest(m),
  decodeXfrmEvent: (m) => decodeXfrmEvent(m),
  'decodeXfrmEvent + ip xfrm monitor text': (m) => {
    const e = decodeXfrmEvent(m);
    return e && eventText(printContext, e, { type: m.type, flags: m.flags, length: m.length });
  },
};

/** One mutation: another message type, bit flips, an edge byte, an edge u16/u32 word, a cut with nlmsg_len kept, or a chunk of another sample inserted. */
function mutate(rand: () => number, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  if (input.length < 20) return { bytes: pick(SAMPLES).slice(), how: 'restart' };
  const bytes = input.slice();
  const dv = new DataView(bytes.buffer);
  const roll = rand();
  if (roll < 0.1) {
    // XFRM_MSG_BASE .. XFRM_MSG_GETDEFAULT, and a few past it.
    const type = 0x10 + int(0x1c);
    dv.setUint16(4, type, true);
    return { bytes, how: `type ${type}` };
  }
  if (roll < 0.3) {
    const flips = 1 + int(6);
    for (let i = 0; i < flips; i++) bytes[16 + int(bytes.length - 16)]! ^= 1 << int(8);
    return { bytes, how: `flip ${flips} bits` };
  }
  if (roll < 0.45) {
    const at = 16 + int(bytes.length - 16);
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x02, 0x0a, 0x32, 0x40, int(256)]);
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  if (roll < 0.7) {
    const at = (16 + int(bytes.length - 19)) & ~3;
    const value = pick([0, 1, 2, 3, 4, 5, 8, 20, 24, 64, 68, 72, 128, 0xffff, 0xffffffff, dv.getUint16(at, true) + 1, dv.getUint16(at, true) - 4, int(0x10000)]);
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
  const chunk = donor.subarray(from, from + 1 + int(80));
  const to = 16 + int(bytes.length - 15);
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, to));
  out.set(chunk, to);
  out.set(bytes.subarray(to), to + chunk.length);
  new DataView(out.buffer).setUint32(0, out.length, true);
  return { bytes: out, how: `insert ${chunk.length} bytes at ${to}` };
}

describe('xfrm decoders under mutated input', () => {
  // The decoders read the family, loaded on first use.
  beforeAll(() => loadXfrmFamily());

  it('decode every captured sample cleanly', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(20);
    for (const bytes of SAMPLES)
      for (const decode of [DECODERS.decodeXfrmMessage!, DECODERS['decodeXfrmEvent + ip xfrm monitor text']!]) expect(() => decode(MessageView.from(bytes))).not.toThrow();
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
