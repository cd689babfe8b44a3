// Feeds mutated and truncated copies of captured uevent, proc connector and
// audit messages (test/vectors/uevent.ts, connector.ts, audit.ts; udev's
// format and audit rules encoded from their headers' layouts) to every
// decoder of those families, and checks that the only error they throw is
// NetlinkDecodeError — and that the field splitter of audit records never
// throws at all.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults; a failure prints the seed, the iteration, the
// mutation and the input bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageView, NetlinkDecodeError } from '../../src/index.js';
import { decodeKernelUevent, decodeUdevUevent, decodeUevent, encodeUdevUevent } from '../../src/families/uevent/index.js';
import { decodeCnMsg, decodeProcEvent, decodeProcMessage } from '../../src/families/connector/index.js';
import {
  decodeAuditFeatures,
  decodeAuditRecord,
  decodeAuditRecordText,
  decodeAuditRule,
  decodeAuditStatus,
  encodeAuditRule,
  parseAuditFields,
} from '../../src/families/audit/index.js';
import * as uevents from '../vectors/uevent.js';
import * as proc from '../vectors/connector.js';
import * as audit from '../vectors/audit.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x75657674);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 60_000);

type Decoder = (bytes: Uint8Array) => unknown;

/** Whole netlink messages: parsed first (which may refuse), then decoded. */
const asMessage =
  (decode: (m: MessageView) => unknown): Decoder =>
  (bytes) =>
    decode(MessageView.from(bytes));

/** Each format with its captured samples and the decoders that read it. */
const FORMATS: ReadonlyArray<{ name: string; samples: Uint8Array[]; decoders: Record<string, Decoder> }> = [
  {
    name: 'kernel uevent',
    samples: Object.values(uevents),
    decoders: { decodeKernelUevent, decodeUevent },
  },
  {
    name: 'udev uevent',
    samples: [
      encodeUdevUevent({ ACTION: 'add', DEVPATH: '/devices/virtual/net/v1', SUBSYSTEM: 'net', INTERFACE: 'v1', IFINDEX: '2', SEQNUM: '126610', ID_NET_DRIVER: 'veth' }),
      encodeUdevUevent({
        ACTION: 'remove',
        DEVPATH: '/devices/virtual/block/loop0',
        SUBSYSTEM: 'block',
        DEVNAME: '/dev/loop0',
        MAJOR: '7',
        MINOR: '0',
        SEQNUM: '9',
        TAGS: ':systemd:',
      }),
    ],
    decoders: { decodeUdevUevent, decodeUevent },
  },
  {
    name: 'proc connector',
    samples: Object.values(proc),
    decoders: {
      decodeProcMessage: asMessage(decodeProcMessage),
      decodeCnMsg: asMessage((m) => decodeCnMsg(m.payload)),
      decodeProcEvent: (b) => decodeProcEvent(b.subarray(Math.min(36, b.length))),
    },
  },
  {
    name: 'audit',
    samples: [
      ...Object.values(audit),
      encodeAuditRule({
        flags: 4,
        action: 2,
        syscalls: [2, 257],
        fields: [
          { type: 105, op: 0x40000000, value: '/etc/shadow' },
          { type: 210, op: 0x40000000, value: 'k1\x01k2' },
          { type: 103, op: 0x30000000, value: -13 },
        ],
      }),
      encodeAuditRule({ flags: 0x11, action: 0, syscalls: 'all', fields: [] }),
    ],
    decoders: {
      decodeAuditStatus: asMessage((m) => decodeAuditStatus(m.payload)),
      decodeAuditFeatures: asMessage((m) => decodeAuditFeatures(m.payload)),
      decodeAuditRecord: asMessage(decodeAuditRecord),
      decodeAuditRecordText: (b) => decodeAuditRecordText(1300, b),
      decodeAuditRule,
    },
  },
];

/** One random mutation: bit flips, a byte set to an edge value, a u16/u32 word set to an edge value, a cut, an insertion, NULs and '=' and '@' moved about. */
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
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x40, 0x3d, 0x2f, 0x01, 0x30, 0x39, int(256)]); // NUL, '@', '=', '/', digits
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  if (roll < 0.6 && bytes.length >= 4) {
    const at = int(bytes.length - 3) & ~3;
    const dv = new DataView(bytes.buffer);
    const value = pick([0, 1, 4, 16, 20, 36, 40, 44, 1040, 0xffff, 0xffffffff, 0x7fffffff, dv.getUint32(at, true) + 1, dv.getUint32(at, true) - 1, int(0x100000000)]);
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

describe('device, process and audit decoders on mutated captures', () => {
  let stackTraceLimit: number;
  beforeAll(() => {
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
        // Each sample is one format: the decoders of the other samples of the family may refuse it.
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
      if (format.name === 'audit') {
        try {
          parseAuditFields(new TextDecoder().decode(input));
        } catch (err) {
          failures.push(`seed ${SEED} iteration ${i} parseAuditFields (${how}): ${(err as Error)?.message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The mutations reach both outcomes: refusals and inputs still decoded.
    expect(refused).toBeGreaterThan(ITERATIONS / 10);
    expect(decoded).toBeGreaterThan(ITERATIONS / 10);
  });
});
