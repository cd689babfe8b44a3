// Feeds random bytes, and mutated and truncated copies of full rule
// messages, as RTM_NEWRULE / RTM_DELRULE to the `ip rule` printer (rule.ts
// print_rule, which `ip mrule` shares), in text and JSON: the only error it
// may throw is NetlinkDecodeError (with the offset of what is malformed) —
// never a RangeError or TypeError from a short or garbage attribute.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, AF_UNSPEC } from '../../src/core/constants.js';
import { NetlinkDecodeError } from '../../src/core/errors.js';
import { MessageView } from '../../src/core/message.js';
import { IpContext } from '../../src/cli/ip/context.js';
import { printRule } from '../../src/cli/ip/rule.js';
import * as C from '../../src/families/route/constants.js';
import { MROUTE } from '../vectors/ip-objects2.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x72756c65);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 8_000);

/** struct nlattr + data, padded to 4 bytes. */
function nla(type: number, data: number[]): number[] {
  const len = 4 + data.length;
  const out = [len & 0xff, len >> 8, type & 0xff, type >> 8, ...data];
  while (out.length % 4) out.push(0);
  return out;
}
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const text = (s: string): number[] => [...Buffer.from(s + '\0')];

/** A rule message (struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, flags) with attributes. */
function rule(type: number, family: number, action: number, attrs: number[][]): Uint8Array {
  const body = [family, 24, family === AF_INET6 ? 64 : 8, 0x10, 0, 0, 0, action, ...u32(C.FIB_RULE_INVERT), ...attrs.flat()];
  const len = 16 + body.length;
  return Uint8Array.from([...u32(len), type & 0xff, type >> 8, 0, 0, ...u32(1), ...u32(0), ...body]);
}

const everyAttr = (family: number): number[][] => {
  const addr = family === AF_INET6 ? [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1] : [10, 1, 2, 3];
  return [
    nla(C.FRA_PRIORITY, u32(100)),
    nla(C.FRA_SRC, addr),
    nla(C.FRA_DST, addr),
    nla(C.FRA_FWMARK, u32(0x10)),
    nla(C.FRA_FWMASK, u32(0xff)),
    nla(C.FRA_IIFNAME, text('eth0')),
    nla(C.FRA_OIFNAME, text('eth1')),
    nla(C.FRA_L3MDEV, [1]),
    nla(C.FRA_UID_RANGE, [...u32(1000), ...u32(2000)]),
    nla(C.FRA_IP_PROTO, [6]),
    nla(C.FRA_SPORT_RANGE, [0x50, 0, 0x51, 0]),
    nla(C.FRA_DPORT_RANGE, [0x35, 0, 0x35, 0]),
    nla(C.FRA_TUN_ID, [0, 0, 0, 0, 0, 0, 0, 7]),
    nla(C.FRA_TABLE, u32(1000)),
    nla(C.FRA_SUPPRESS_PREFIXLEN, u32(8)),
    nla(C.FRA_SUPPRESS_IFGROUP, u32(3)),
    nla(C.FRA_FLOW, u32(0x00020001)),
    nla(C.FRA_GOTO, u32(200)),
    nla(C.RTA_GATEWAY, addr),
    nla(C.FRA_PROTOCOL, [4]),
  ];
};

const SAMPLES: Uint8Array[] = [
  ...[C.FR_ACT_TO_TBL, C.FR_ACT_GOTO, C.FR_ACT_NOP, C.RTN_NAT, C.RTN_UNREACHABLE].flatMap((action) => [
    rule(C.RTM_NEWRULE, AF_INET, action, everyAttr(AF_INET)),
    rule(C.RTM_DELRULE, AF_INET6, action, everyAttr(AF_INET6)),
  ]),
  ...[MROUTE.ipmrRule, MROUTE.ipmrRuleDefault, MROUTE.ip6mrRuleHost].map((h) => Uint8Array.from(Buffer.from(h, 'hex'))),
];

const options = { pretty: false, details: 1, stats: 1, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false };
const contexts = [false, true].map((json) => new IpContext({ stdout: () => {}, stderr: () => {} }, { ...options, json }));

function print(m: MessageView): void {
  for (const ctx of contexts) printRule(ctx.printer(), m, ctx);
}

/** One mutation: random bytes after a rule header, bit flips, an edge byte, an edge u16/u32 word, a cut with nlmsg_len kept. */
function mutate(rand: () => number, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  if (input.length < 24) return { bytes: pick(SAMPLES).slice(), how: 'restart' };
  const bytes = input.slice();
  const roll = rand();
  if (roll < 0.15) {
    // Garbage: a valid nlmsghdr of type RTM_NEWRULE and random bytes for the rest.
    const out = new Uint8Array(16 + int(120));
    for (let i = 16; i < out.length; i++) out[i] = int(256);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, out.length, true);
    dv.setUint16(4, pick([C.RTM_NEWRULE, C.RTM_DELRULE]), true);
    return { bytes: out, how: `random ${out.length} bytes` };
  }
  if (roll < 0.35) {
    const flips = 1 + int(6);
    for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
    return { bytes, how: `flip ${flips} bits` };
  }
  if (roll < 0.55) {
    const at = 16 + int(bytes.length - 16);
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x04, 0x08, 0x0c, int(256)]);
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  if (roll < 0.8) {
    const at = (16 + int(bytes.length - 19)) & ~3;
    const dv = new DataView(bytes.buffer);
    const value = pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 0x8000, 0xffff, 0xffffffff, dv.getUint16(at, true) + 1, dv.getUint16(at, true) - 1, int(0x10000)]);
    if (rand() < 0.7) dv.setUint16(at + (rand() < 0.5 ? 0 : 2), value & 0xffff, true);
    else dv.setUint32(at, value >>> 0, true);
    return { bytes, how: `set the word at ${at} to ${value}` };
  }
  const cut = 16 + int(bytes.length - 15);
  const out = bytes.slice(0, cut);
  new DataView(out.buffer).setUint32(0, cut, true);
  return { bytes: out, how: `truncate to ${cut}` };
}

describe('the ip rule printer under random and mutated RTM_NEWRULE messages', () => {
  it('prints every sample', () => {
    for (const s of SAMPLES) print(MessageView.from(s));
  });

  it('stops at a fixed-size attribute shorter than its value, naming it and its offset', () => {
    // FRA_TUN_ID (a __be64) of 4 bytes right after struct fib_rule_hdr: its nlattr starts at byte 28.
    const m = MessageView.from(rule(C.RTM_NEWRULE, AF_INET, C.FR_ACT_TO_TBL, [nla(C.FRA_TUN_ID, u32(7)), nla(C.FRA_TABLE, u32(5))]));
    expect(() => print(m)).toThrow(new NetlinkDecodeError('FRA_TUN_ID of 4 bytes is shorter than its 8', 28, 'RTM_NEWRULE.FRA_TUN_ID'));
    const e = (() => {
      try {
        print(m);
      } catch (err) {
        return err as NetlinkDecodeError;
      }
      return undefined;
    })();
    expect(e).toMatchObject({ offset: 28, context: 'RTM_NEWRULE.FRA_TUN_ID' });
  });

  it(`throws only NetlinkDecodeError over ${ITERATIONS} inputs (seed ${SEED})`, () => {
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
      try {
        print(MessageView.from(input));
        clean++;
      } catch (err) {
        if (err instanceof NetlinkDecodeError) {
          expect(err.offset, `seed ${SEED} iteration ${i}`).toBeGreaterThanOrEqual(0);
          decodeErrors++;
          continue;
        }
        throw new Error(`seed ${SEED} iteration ${i} (${how.join(', ')}): ${String(err)}\n${Buffer.from(input).toString('hex')}`, { cause: err });
      }
    }
    // Both outcomes occur: the mutations reach the printer, not only the decoder's checks.
    expect(clean).toBeGreaterThan(ITERATIONS / 10);
    expect(decodeErrors).toBeGreaterThan(0);
  });
});
