// Feeds mutated and truncated copies of captured ipset messages
// (test/vectors/ipset.ts: kernel list, protocol, type and header replies, and
// requests ipset 7.17 sent) to the ipset family's decoders and to the typed
// conversions the client and nlkit ipset print from, and checks that the only
// error they throw is NetlinkDecodeError.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { describe, expect, it } from 'vitest';
import { MessageView, NetlinkDecodeError } from '../../src/index.js';
import { family, type AdtCmdAttrs, type CmdAttrs } from '../../src/families/generated/ipset.js';
import { toIpsetEntry, toIpsetHeader } from '../../src/families/netfilter/ipset.js';
import { formatElement, formatEntryOptions, formatHeaderOptions, TYPES } from '../../src/cli/ipset/types.js';
import * as vectors from '../vectors/ipset.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x69707374);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 40_000);
const SAMPLES = Object.values(vectors);

/** What nlkit ipset does with a list reply: typed header and members, printed. */
function listAndPrint(m: MessageView): string {
  const r = family.ops.list.decodeReply(m) as CmdAttrs;
  const h = toIpsetHeader(r);
  const type = TYPES.get(h.type);
  let out = formatHeaderOptions(type, h);
  for (const d of r.adt?.data ?? []) {
    const e = toIpsetEntry(d);
    out += formatElement(h.type, h.family, e) + formatEntryOptions(type, e);
  }
  return out;
}

const DECODERS: Record<string, (m: MessageView) => unknown> = {
  decode: (m) => family.decode(m),
  listAndPrint,
  protocol: (m) => family.ops.protocol.decodeReply(m),
  type: (m) => family.ops.type.decodeReply(m),
  addRequest: (m) => (family.ops.add.decodeRequest(m) as AdtCmdAttrs).data && toIpsetEntry((family.ops.add.decodeRequest(m) as AdtCmdAttrs).data!),
  createRequest: (m) => family.ops.create.decodeRequest(m),
};

/** One random mutation: bit flips, an edge byte, an edge u16/u32 word (attribute lengths and types), a cut, an insertion from another sample. */
function mutate(rand: () => number, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = input.slice();
  if (bytes.length === 0) return { bytes: pick(SAMPLES).slice(), how: 'restart' };
  const roll = rand();
  if (roll < 0.2) {
    const flips = 1 + int(6);
    for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
    return { bytes, how: `flip ${flips} bits` };
  }
  if (roll < 0.4) {
    const at = int(bytes.length);
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x40, 0x01, 0x04, int(256)]);
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  if (roll < 0.6 && bytes.length >= 4) {
    const at = int(bytes.length - 3) & ~3;
    const dv = new DataView(bytes.buffer);
    const value = pick([0, 1, 3, 4, 5, 8, 0x8007, 0x4001, 0x8001, 0xffff, 0xffffffff, dv.getUint16(at, true) + 4, dv.getUint16(at, true) - 4, int(0x10000)]);
    if (rand() < 0.5) dv.setUint16(at + (rand() < 0.5 ? 0 : 2), value & 0xffff, true);
    else dv.setUint32(at, value >>> 0, true);
    return { bytes, how: `set the word at ${at} to ${value}` };
  }
  if (roll < 0.8) {
    const cut = int(bytes.length + 1);
    const out = bytes.slice(0, cut);
    if (rand() < 0.5 && cut >= 16) new DataView(out.buffer).setUint32(0, cut, true);
    return { bytes: out, how: `truncate to ${cut}` };
  }
  const donor = pick(SAMPLES);
  const from = int(donor.length) & ~3;
  const chunk = donor.subarray(from, from + 4 + 4 * int(12));
  const to = Math.min(bytes.length, int(bytes.length + 1) & ~3);
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, to));
  out.set(chunk, to);
  out.set(bytes.subarray(to), to + chunk.length);
  if (out.length >= 4) new DataView(out.buffer).setUint32(0, out.length, true);
  return { bytes: out, how: `insert ${chunk.length} bytes at ${to}` };
}

describe('ipset decoders on mutated captures', () => {
  it('decode every sample cleanly before any mutation', () => {
    // Replies decode as replies, requests as requests: each sample suits some decoder.
    const undecoded = SAMPLES.filter(
      (s) =>
        !Object.values(DECODERS).some((d) => {
          try {
            d(MessageView.from(s));
            return true;
          } catch {
            return false;
          }
        }),
    );
    expect(undecoded).toEqual([]);
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
          decode(MessageView.from(input));
          decoded++;
        } catch (err) {
          if (err instanceof NetlinkDecodeError) refused++;
          else
            failures.push(`seed ${SEED} iteration ${i} ${name} (${how}): ${(err as Error)?.constructor?.name} ${(err as Error)?.message}\n  ${Buffer.from(input).toString('hex')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Both outcomes happen: the corpus reaches past the header checks.
    expect(decoded).toBeGreaterThan(ITERATIONS / 10);
    expect(refused).toBeGreaterThan(ITERATIONS / 10);
  });
});
