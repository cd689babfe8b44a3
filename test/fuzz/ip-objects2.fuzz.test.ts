// Feeds mutated and truncated copies of the hand-built messages of
// test/vectors/ip-objects2.ts (multicast routes and rules, fou, SEG6 and l2tp
// replies and requests) to the decoders of the families they belong to and to
// nlkit's ip printers on top of them (print_mroute, print_fou_mapping, process_msg of ipseg6.c, get_response + print_tunnel /
// print_session), and checks that the only error they throw is
// NetlinkDecodeError (and, for multicast routes, the end of a dump ip makes
// on a route that is not multicast). The rule printer `ip mrule` shares with
// `ip rule` (rule.ts) is fuzzed in test/fuzz/ip-rule.fuzz.test.ts.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { describe, expect, it } from 'vitest';
import { AF_UNSPEC } from '../../src/core/constants.js';
import { NetlinkDecodeError } from '../../src/core/errors.js';
import { MessageView } from '../../src/core/message.js';
import { IpContext } from '../../src/cli/ip/context.js';
import { MrouteDumpError, printMroute } from '../../src/cli/ip/mroute.js';
import { printFou } from '../../src/cli/ip/fou.js';
import { printSr } from '../../src/cli/ip/sr.js';
import { applyReply, newParm, printSession, printTunnel } from '../../src/cli/ip/l2tp.js';
import { family as FOU } from '../../src/families/generated/fou.js';
import { family as SEG6 } from '../../src/families/generated/SEG6.js';
import { family as L2TP } from '../../src/families/generated/l2tp.js';
import { GENL_REPLIES, L2TP as L2TP_VECTORS, MROUTE } from '../vectors/ip-objects2.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x69703032);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 8_000);

const SAMPLES: Uint8Array[] = [...Object.values(MROUTE), ...Object.values(L2TP_VECTORS), ...Object.values(GENL_REPLIES)].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

const ctx = new IpContext(
  { stdout: () => {}, stderr: () => {} },
  { json: false, pretty: false, details: 1, stats: 1, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false },
);
const jsonCtx = new IpContext(
  { stdout: () => {}, stderr: () => {} },
  { json: true, pretty: false, details: 1, stats: 1, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false },
);

const DECODERS: Record<string, (m: MessageView) => unknown> = {
  'fou decode': (m) => FOU.decode(m),
  'SEG6 decode': (m) => SEG6.decode(m),
  'l2tp decode': (m) => L2TP.decode(m),
  printMroute: (m) => {
    for (const c of [ctx, jsonCtx]) {
      try {
        printMroute(c, c.printer(), m, { tb: 0, af: 0, iif: 0 });
      } catch (err) {
        if (!(err instanceof MrouteDumpError)) throw err;
      }
    }
  },
  printFou: (m) => {
    printFou(ctx, ctx.printer(), m);
    printFou(jsonCtx, jsonCtx.printer(), m);
  },
  printSr: (m) => printSr(ctx.printer(), m),
  'l2tp print': (m) => {
    const p = newParm();
    applyReply(p, m);
    printTunnel(ctx, ctx.printer(), p);
    printSession(jsonCtx, jsonCtx.printer(), p);
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
    for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
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

describe('ip objects of issue 10 (mroute, mrule, fou, sr, l2tp) under mutated input', () => {
  it(`throw only NetlinkDecodeError over ${ITERATIONS} mutations (seed ${SEED})`, () => {
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
