// Feeds mutated and truncated copies of the hand-built macsec dump replies of
// test/vectors/macsec.ts (a SecY with TX and RX SCs, SAs and counters; an XPN
// SecY; an incomplete message) to the macsec family's decoder and to nlkit's
// `ip macsec show` printer on top of it (process() of ipmacsec.c, text with
// -s and JSON), and checks that the only errors are NetlinkDecodeError and
// the end of a dump ip makes itself (MacsecDumpError: "incomplete dump
// message", a message of another family).
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { describe, expect, it } from 'vitest';
import { AF_UNSPEC } from '../../src/core/constants.js';
import { NetlinkDecodeError } from '../../src/core/errors.js';
import { MessageView } from '../../src/core/message.js';
import { IpContext } from '../../src/cli/ip/context.js';
import { MacsecDumpError, printMacsec } from '../../src/cli/ip/macsec.js';
import { family as MACSEC } from '../../src/families/generated/macsec.js';
import { INCOMPLETE_REPLY, MACSEC_FAMILY_ID, SECY_REPLY, XPN_REPLY } from '../vectors/macsec.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x6d616373);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 8_000);

const SAMPLES: Uint8Array[] = [SECY_REPLY, SECY_REPLY, XPN_REPLY, INCOMPLETE_REPLY].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

const options = { pretty: false, details: 1, stats: 1, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false };
const ctx = new IpContext({ stdout: () => {}, stderr: () => {} }, { ...options, json: false });
const jsonCtx = new IpContext({ stdout: () => {}, stderr: () => {} }, { ...options, json: true });

const DECODERS: Record<string, (m: MessageView) => unknown> = {
  'macsec decode': (m) => MACSEC.decode(m),
  'macsec show': (m) => {
    for (const c of [ctx, jsonCtx]) {
      try {
        printMacsec(c, c.printer(), m, MACSEC_FAMILY_ID);
      } catch (err) {
        if (!(err instanceof MacsecDumpError)) throw err;
      }
    }
  },
};

/** One mutation: bit flips, an edge byte, an edge u16/u32 word, a cut with nlmsg_len kept. */
function mutate(rand: () => number, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  if (input.length < 24) return { bytes: pick(SAMPLES).slice(), how: 'restart' };
  const bytes = input.slice();
  const roll = rand();
  if (roll < 0.25) {
    const flips = 1 + int(6);
    for (let i = 0; i < flips; i++) bytes[16 + int(bytes.length - 16)]! ^= 1 << int(8);
    return { bytes, how: `flip ${flips} bits` };
  }
  if (roll < 0.5) {
    const at = 16 + int(bytes.length - 16);
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x04, 0x08, 0x0c, int(256)]);
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  if (roll < 0.75) {
    const at = (16 + int(bytes.length - 19)) & ~3;
    const dv = new DataView(bytes.buffer);
    const value = pick([0, 1, 2, 3, 4, 5, 6, 8, 12, 0x8000, 0xffff, 0xffffffff, dv.getUint16(at, true) + 1, dv.getUint16(at, true) - 1, int(0x10000)]);
    if (rand() < 0.7) dv.setUint16(at + (rand() < 0.5 ? 0 : 2), value & 0xffff, true);
    else dv.setUint32(at, value >>> 0, true);
    return { bytes, how: `set the word at ${at} to ${value}` };
  }
  const cut = 16 + int(bytes.length - 15);
  const out = bytes.slice(0, cut);
  new DataView(out.buffer).setUint32(0, cut, true);
  return { bytes: out, how: `truncate to ${cut}` };
}

describe('ip macsec dump replies under mutated input', () => {
  it(`throw only NetlinkDecodeError (or ip's own end of the dump) over ${ITERATIONS} mutations (seed ${SEED})`, () => {
    const rand = prng(SEED);
    let decodeErrors = 0;
    let clean = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      let input = SAMPLES[Math.floor(rand() * SAMPLES.length)]!;
      const how: string[] = [];
      for (let s = 1 + Math.floor(rand() * 3); s > 0; s--) {
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
    expect(decodeErrors).toBeGreaterThan(ITERATIONS / 10);
    expect(clean).toBeGreaterThan(ITERATIONS / 10);
  });
});
