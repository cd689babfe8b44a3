// Feeds mutated and truncated copies of the messages of ip's other objects
// (test/vectors/ip-objects.ts: address labels, netconf, neighbour tables and
// RTM_NEWSTATS captured from this kernel, mptcp_pm endpoints, tcp_metrics
// replies) to the generated decoders nlkit's addrlabel, netconf, ntable,
// stats, mptcp and tcp_metrics commands print from, and checks that the only
// error they throw is NetlinkDecodeError.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { describe, expect, it } from 'vitest';
import { NetlinkDecodeError } from '../../src/core/errors.js';
import { MessageView } from '../../src/core/message.js';
import { family as mptcpPm } from '../../src/families/generated/mptcp_pm.js';
import { family as rtAddr } from '../../src/families/generated/rt-addr.js';
import { family as rtLink } from '../../src/families/generated/rt-link.js';
import { family as rtNeigh } from '../../src/families/generated/rt-neigh.js';
import { family as tcpMetrics } from '../../src/families/generated/tcp_metrics.js';
import * as vectors from '../vectors/ip-objects.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x69706f62);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 40_000);

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

/** Each message with the decoder of its family. */
const GROUPS: readonly (readonly [string, readonly string[], (m: MessageView) => unknown])[] = [
  ['rt-addr (addrlabel)', vectors.addrlabel, (m) => rtAddr.ops.getaddrlabel.dump.decodeReply(m)],
  ['rt-link (netconf)', vectors.netconf, (m) => rtLink.ops.getnetconf.dump.decodeReply(m)],
  ['rt-neigh (neightbl)', vectors.ntable, (m) => rtNeigh.ops.getneightbl.dump.decodeReply(m)],
  ['rt-link (stats)', vectors.stats, (m) => rtLink.decode(m)],
  ['mptcp_pm', vectors.mptcp, (m) => mptcpPm.ops['get-addr'].dump.decodeReply(m)],
  ['tcp_metrics', vectors.tcpMetrics, (m) => tcpMetrics.ops.get.dump.decodeReply(m)],
];

const SAMPLES: Uint8Array[] = GROUPS.flatMap(([, list]) => list.map(hex));

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

describe("decoders of ip's other objects under mutated input", () => {
  it('decode every captured sample cleanly', () => {
    for (const [name, list, decode] of GROUPS) {
      expect(list.length, name).toBeGreaterThan(0);
      for (const s of list) expect(() => decode(MessageView.from(hex(s))), name).not.toThrow();
    }
  });

  for (const [name, list, decode] of GROUPS) {
    it(`${name}: throws only NetlinkDecodeError over ${ITERATIONS / GROUPS.length} mutations (seed ${SEED})`, () => {
      const rand = prng(SEED ^ name.length);
      const own = list.map(hex);
      let decodeErrors = 0;
      let clean = 0;
      for (let i = 0; i < ITERATIONS / GROUPS.length; i++) {
        let input = own[Math.floor(rand() * own.length)]!;
        const steps = 1 + Math.floor(rand() * 3);
        const how: string[] = [];
        for (let s = 0; s < steps; s++) {
          const r = mutate(rand, input);
          input = r.bytes;
          how.push(r.how);
        }
        try {
          decode(MessageView.from(input));
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
      // Both outcomes happen: the mutations reach past the header checks.
      expect(decodeErrors).toBeGreaterThan(0);
      expect(clean).toBeGreaterThan(0);
    });
  }
});
