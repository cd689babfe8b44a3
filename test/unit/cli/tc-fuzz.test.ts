// Feeds mutated and truncated copies of captured tc messages (qdisc, class
// and filter dumps the kernel 6.18.44 gave for an htb qdisc with a class and
// a bfifo leaf, a u32 filter with two keys, an ingress qdisc with a u32
// filter redirecting to an ifb by mirred, a tbf) to the tc family's decoder
// and to nlkit tc's printers (text and JSON, with -s -d -p), and checks that
// the only error they throw is NetlinkDecodeError.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { describe, expect, it } from 'vitest';
import { MessageView, NetlinkDecodeError } from '../../../src/index.js';
import { family } from '../../../src/families/generated/tc.js';
import { IpContext } from '../../../src/cli/ip/context.js';
import { printClass } from '../../../src/cli/tc/class.js';
import { printFilter } from '../../../src/cli/tc/filter.js';
import { printQdisc, type TcMessage } from '../../../src/cli/tc/qdisc.js';
import type { TcOptions } from '../../../src/cli/tc/index.js';
import { fromHex } from '../../vectors/hex.js';
import { prng } from '../../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x74630a0a);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 20_000);

const CAPTURES: readonly (readonly ['qdisc' | 'class' | 'filter', Uint8Array])[] = [
  [
    'qdisc',
    fromHex(
      '98 00 00 00 24 00 02 00 b2 35 2c ff c3 53 00 00 00 00 00 00 02 00 00 00 00 00 ff ff f1 ff ff ff',
      '01 00 00 00 0c 00 01 00 69 6e 67 72 65 73 73 00 04 00 02 00 05 00 0c 00 00 00 00 00 30 00 07 00',
      '14 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18 00 03 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 2c 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    ),
  ],
  [
    'qdisc',
    fromHex(
      'b4 00 00 00 24 00 02 00 b2 35 2c ff c3 53 00 00 00 00 00 00 03 00 00 00 00 00 01 00 ff ff ff ff',
      '03 00 00 00 08 00 01 00 68 74 62 00 24 00 02 00 18 00 02 00 11 00 03 00 0a 00 00 00 20 00 00 00',
      '00 00 00 00 01 00 00 00 08 00 05 00 e8 03 00 00 05 00 0c 00 00 00 00 00 30 00 07 00 14 00 01 00',
      '5a 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 18 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 2c 00 03 00 5a 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    ),
  ],
  [
    'qdisc',
    fromHex(
      '9c 00 00 00 24 00 02 00 b2 35 2c ff c3 53 00 00 00 00 00 00 03 00 00 00 00 00 10 00 10 00 01 00',
      '01 00 00 00 0a 00 01 00 62 66 69 66 6f 00 00 00 08 00 02 00 00 78 00 00 05 00 0c 00 00 00 00 00',
      '30 00 07 00 14 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18 00 03 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 2c 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    ),
  ],
  [
    'qdisc',
    fromHex(
      'bc 00 00 00 24 00 02 00 b2 35 2c ff c3 53 00 00 00 00 00 00 04 00 00 00 00 00 14 80 ff ff ff ff',
      '02 00 00 00 08 00 01 00 74 62 66 00 2c 00 02 00 28 00 01 00 00 01 00 00 00 00 00 00 48 e8 01 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 6a 40 00 00 00 88 13 00 00 00 00 00 05 00 0c 00 00 00 00 00',
      '30 00 07 00 14 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18 00 03 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 2c 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    ),
  ],
  [
    'class',
    fromHex(
      'ec 00 00 00 28 00 02 00 b3 35 2c ff c3 53 00 00 00 00 00 00 03 00 00 00 10 00 01 00 ff ff ff ff',
      '00 00 10 00 08 00 01 00 68 74 62 00 34 00 02 00 30 00 01 00 00 01 00 00 00 00 00 00 d0 12 13 00',
      '00 01 00 00 00 00 00 00 10 5e 5f 00 00 ee 02 00 a0 0f 00 00 48 e8 01 00 00 00 00 00 01 00 00 00',
      '48 00 07 00 14 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18 00 03 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 ee 02 00 a0 0f 00 00 2c 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18 00 04 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 ee 02 00 a0 0f 00 00',
    ),
  ],
  [
    'filter',
    fromHex('34 00 00 00 2c 00 02 00 b4 35 2c ff c3 53 00 00 00 00 00 00 03 00 00 00 00 00 00 00 00 00 01 00', '08 00 02 00 08 00 01 00 75 33 32 00 08 00 0b 00 00 00 00 00'),
  ],
  [
    'filter',
    fromHex(
      '40 00 00 00 2c 00 02 00 b4 35 2c ff c3 53 00 00 00 00 00 00 03 00 00 00 00 00 00 80 00 00 01 00',
      '08 00 02 00 08 00 01 00 75 33 32 00 08 00 0b 00 00 00 00 00 0c 00 02 00 08 00 04 00 01 00 00 00',
    ),
  ],
  [
    'filter',
    fromHex(
      '84 00 00 00 2c 00 02 00 b4 35 2c ff c3 53 00 00 00 00 00 00 03 00 00 00 00 08 00 80 00 00 01 00',
      '08 00 02 00 08 00 01 00 75 33 32 00 08 00 0b 00 00 00 00 00 50 00 02 00 34 00 05 00 01 00 02 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 ff ff ff ff c0 00 02 01 0c 00 00 00 00 00 00 00 ff ff ff 00',
      'c6 33 64 00 10 00 00 00 00 00 00 00 08 00 02 00 00 00 00 80 08 00 01 00 10 00 01 00 08 00 0b 00',
      '08 00 00 00',
    ),
  ],
  [
    'filter',
    fromHex('34 00 00 00 2c 00 02 00 b5 35 2c ff c3 53 00 00 00 00 00 00 02 00 00 00 00 00 00 00 00 00 ff ff', '08 00 01 00 08 00 01 00 75 33 32 00 08 00 0b 00 00 00 00 00'),
  ],
  [
    'filter',
    fromHex(
      '40 00 00 00 2c 00 02 00 b5 35 2c ff c3 53 00 00 00 00 00 00 02 00 00 00 00 00 00 80 00 00 ff ff',
      '08 00 01 00 08 00 01 00 75 33 32 00 08 00 0b 00 00 00 00 00 0c 00 02 00 08 00 04 00 01 00 00 00',
    ),
  ],
  [
    'filter',
    fromHex(
      '1c 01 00 00 2c 00 02 00 b5 35 2c ff c3 53 00 00 00 00 00 00 02 00 00 00 00 08 00 80 00 00 ff ff',
      '08 00 01 00 08 00 01 00 75 33 32 00 08 00 0b 00 00 00 00 00 e8 00 02 00 24 00 05 00 01 00 01 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 ff 00 00 00 0a 00 00 00 10 00 00 00 00 00 00 00 08 00 02 00',
      '00 00 00 80 08 00 01 00 01 00 01 00 08 00 0b 00 08 00 00 00 a8 00 07 00 a4 00 01 00 0b 00 01 00',
      '6d 69 72 72 65 64 00 00 44 00 04 00 14 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '14 00 07 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18 00 03 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 08 00 0a 00 00 00 00 00 48 00 02 00 20 00 02 00 01 00 00 00',
      '00 00 00 00 04 00 00 00 01 00 00 00 01 00 00 00 01 00 00 00 04 00 00 00 24 00 01 00 02 00 00 00',
      '00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    ),
  ],
];
const SAMPLES = CAPTURES.map(([, b]) => b);

function options(json: boolean): TcOptions {
  return { json, pretty: true, details: 1, stats: 1, family: 0, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false, raw: 1 };
}

/** What nlkit tc does with a dumped message: decode it with the generated codec, then print it as text and as JSON. */
function printed(kind: 'qdisc' | 'class' | 'filter', m: MessageView): string {
  const op = kind === 'qdisc' ? 'getqdisc' : kind === 'class' ? 'gettclass' : 'gettfilter';
  const msg = family.ops[op].decodeReply(m) as unknown as TcMessage;
  // nlkit tc refuses a message without a kind before printing it, as tc does ("print_qdisc: NULL kind").
  if (msg.kind === undefined) return '';
  let out = '';
  for (const json of [false, true]) {
    const o = options(json);
    const ctx = new IpContext({ stdout: (t) => void (out += t), stderr: (t) => void (out += t) }, o);
    const p = ctx.printer();
    if (kind === 'qdisc') printQdisc(ctx, p, msg, o, 0);
    else if (kind === 'class') printClass(ctx, p, msg, o, 0, 0);
    else printFilter(ctx, p, msg, o, { index: 0, parent: 0, prio: 0, protocol: 0 });
    out += p.rendered;
  }
  return out;
}

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
    const value = pick([0, 1, 3, 4, 5, 8, 0x8007, 0x8001, 0xffff, 0xffffffff, dv.getUint16(at, true) + 4, dv.getUint16(at, true) - 4, int(0x10000)]);
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

describe('nlkit tc printers on mutated captures', () => {
  it('print every capture before any mutation, its kind, keys and action included', () => {
    const all = CAPTURES.map(([kind, b]) => printed(kind, MessageView.from(b))).join('\n');
    expect(all).toContain('qdisc htb 1:');
    expect(all).toContain('class htb 1:10 ');
    expect(all).toContain('match IP src 192.0.2.1/32');
    expect(all).toContain('mirred (Egress Redirect to device if');
    expect(all).toMatch(/qdisc (bfifo|tbf) /);
  });

  it(`throw nothing but NetlinkDecodeError over ${ITERATIONS} mutated inputs`, () => {
    const rand = prng(SEED);
    const failures: string[] = [];
    let refused = 0;
    let printedCount = 0;
    for (let i = 0; i < ITERATIONS && failures.length < 5; i++) {
      const [kind, sample] = CAPTURES[Math.floor(rand() * CAPTURES.length)]!;
      let input = sample;
      let how = '';
      const rounds = 1 + Math.floor(rand() * 3);
      for (let r = 0; r < rounds; r++) {
        const m = mutate(rand, input);
        input = m.bytes;
        how += (how ? '; ' : '') + m.how;
      }
      try {
        printed(kind, MessageView.from(input));
        printedCount++;
      } catch (err) {
        if (err instanceof NetlinkDecodeError) refused++;
        else failures.push(`seed ${SEED} iteration ${i} (${kind}; ${how}): ${(err as Error)?.stack ?? String(err)}\n${Buffer.from(input).toString('hex')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    expect(printedCount).toBeGreaterThan(0);
  });
});
