// Feeds mutated and truncated copies of real netlink datagrams (captured from
// the kernel, see test/vectors/) to every decoder of src/core, and checks that
// the only error they ever throw is NetlinkDecodeError, and that every walk
// ends within a bound linear in the input length.
//
// Deterministic: one seeded PRNG. NLKIT_FUZZ_SEED and NLKIT_FUZZ_ITERATIONS
// override the defaults for longer runs; a failure prints the seed, the
// iteration, what was done to which vector, and the input bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDoneMessage, parseErrorMessage } from '../../src/core/ack.js';
import { formatAddress, formatIPv4, formatIPv6 } from '../../src/core/address.js';
import { AttributeReader, MAX_NEST_DEPTH } from '../../src/core/attributes.js';
import { NetlinkDecodeError } from '../../src/core/errors.js';
import { MessageView, parseMessages, readHeader } from '../../src/core/message.js';
import * as ack from '../vectors/ack.js';
import * as addr from '../vectors/addr.js';
import * as genl from '../vectors/genl.js';
import * as link from '../vectors/link.js';
import * as route from '../vectors/route.js';
import { prng } from '../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x6e6c6b74);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 100_000);

/** Every captured datagram: RTM_NEWLINK/NEWADDR/NEWROUTE dumps, genl replies, error acks, requests. */
const CORPUS: ReadonlyArray<{ name: string; bytes: Uint8Array }> = [link, addr, route, genl, ack].flatMap((module) =>
  Object.entries(module).map(([name, bytes]) => ({ name, bytes: bytes as Uint8Array })),
);

// Fixed header sizes the walker may skip before the attributes: none,
// rtgenmsg, genlmsghdr, ifaddrmsg, rtmsg/ndmsg, ifinfomsg.
const FIXED_HEADERS = [0, 1, 4, 8, 12, 16] as const;

/**
 * The fixed header a message is walked with: mostly the one its type has in
 * the corpus (rtnetlink link/addr/route, generic netlink), sometimes another,
 * so that across the run every size meets every kind of message.
 */
function fixedHeaderFor(type: number, salt: number): number {
  if (salt % 4 === 0) return FIXED_HEADERS[(salt >>> 2) % FIXED_HEADERS.length]!;
  if (type >= 16 && type <= 19) return salt % 8 === 1 ? 4 : 16; // RTM_*LINK, or nlctrl (0x10) as genl
  if (type >= 20 && type <= 23) return 8;
  if (type >= 24 && type <= 27) return 12;
  return 4;
}

class Bug extends Error {}

/** Runs a decoder call; a NetlinkDecodeError is an expected outcome, anything else is a bug. */
function tolerate<T>(what: string, run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    if (err instanceof NetlinkDecodeError) return undefined;
    if (err instanceof Bug) throw err;
    const e = err as Error;
    throw new Bug(`${what} threw ${e?.name}: ${e?.message}`, { cause: err });
  }
}

/** Counts attribute steps and refuses to go past a bound (so a loop that never ends fails instead of hanging). */
class Budget {
  steps = 0;
  constructor(readonly limit: number) {}
  step(): void {
    if (++this.steps > this.limit) throw new Bug(`walk took more than ${this.limit} steps`);
  }
}

// The fixed-width getters and the bytes each needs.
const FIXED_GETTERS: ReadonlyArray<readonly [string, number, (r: AttributeReader) => unknown]> = [
  ['u8', 1, (r) => r.u8()],
  ['s8', 1, (r) => r.s8()],
  ['u16', 2, (r) => r.u16()],
  ['s16', 2, (r) => r.s16()],
  ['u16be', 2, (r) => r.u16be()],
  ['s16be', 2, (r) => r.s16be()],
  ['u32', 4, (r) => r.u32()],
  ['s32', 4, (r) => r.s32()],
  ['u32be', 4, (r) => r.u32be()],
  ['s32be', 4, (r) => r.s32be()],
  ['u64', 8, (r) => r.u64()],
  ['s64', 8, (r) => r.s64()],
  ['u64be', 8, (r) => r.u64be()],
  ['s64be', 8, (r) => r.s64be()],
];
const UINT_WIDTHS = new Set([1, 2, 4, 8]);

/** A call that must answer: any exception at all is a bug. */
function must<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new Bug(`${what} threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}

/** A getter that must answer: any exception at all is a bug. */
function mustRead<T>(what: string, r: AttributeReader, run: () => T): T {
  return must(`${what} on a ${r.dataLength}-byte attribute`, run);
}

/** A getter that must refuse with a NetlinkDecodeError, and nothing else. */
function mustRefuse(what: string, r: AttributeReader, run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (err instanceof NetlinkDecodeError && err.offset === r.offset) return;
    throw new Bug(`${what} on a ${r.dataLength}-byte attribute threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
  throw new Bug(`${what} read a ${r.dataLength}-byte attribute`);
}

/**
 * Reads every attribute with every getter that has enough bytes (they must
 * answer), one rotating getter that has too few (it must refuse with a
 * NetlinkDecodeError at the attribute's offset), the variable-width and
 * string/binary/flag getters, and tries each attribute as a nest, recursively.
 */
function walk(r: AttributeReader, budget: Budget): number {
  let count = 0;
  while (tolerate('AttributeReader.next', () => r.next())) {
    budget.step();
    count++;
    const length = r.dataLength;
    if (r.dataOffset + length > r.end || r.offset < r.start || r.dataOffset !== r.offset + 4) {
      throw new Bug(`attribute [${r.offset}, ${r.dataOffset + length}) outside [${r.start}, ${r.end})`);
    }
    if (r.type !== (r.rawType & 0x3fff) || r.isNested !== r.rawType >= 0x8000) throw new Bug('type flags not masked');
    // Refusals all go through one bounds check, and building an error costs
    // microseconds: every 4th attribute checks one of the getters that must
    // refuse, rotating through them.
    const refuse = budget.steps % 4 === 0 ? (budget.steps >>> 2) % 16 : -1;
    let tooShort = 0;
    for (const [name, width, get] of FIXED_GETTERS) {
      if (width <= length) mustRead(name, r, () => get(r));
      else if (tooShort++ === refuse % 8) mustRefuse(name, r, () => get(r));
    }
    if (UINT_WIDTHS.has(length)) {
      mustRead('uint', r, () => r.uint());
      mustRead('sint(be)', r, () => r.sint(true));
    } else if (refuse >= 0 && refuse % 2 === 0) mustRefuse('uint(be)', r, () => r.uint(true));
    else if (refuse >= 0) mustRefuse('sint', r, () => r.sint());
    mustRead('string', r, () => r.string());
    mustRead('flag', r, () => r.flag());
    const data = mustRead('binary', r, () => r.binary());
    if (data.length !== length || data.byteOffset !== r.buffer.byteOffset + r.dataOffset) throw new Bug('binary() is not the data view');
    if (length === 4 || length === 6 || length === 16) mustRead('formatAddress', r, () => formatAddress(data));
    if (length >= 4 && refuse >= 0) mustRead('formatIPv4', r, () => formatIPv4(r.buffer, r.dataOffset));
    if (length >= 16 && refuse >= 0) mustRead('formatIPv6', r, () => formatIPv6(r.buffer, r.dataOffset));
    const inner = tolerate('nested', () => r.nested(`t${r.type}`));
    if (inner) walk(inner, budget);
  }
  return count;
}

const SHARED_READER = new AttributeReader(new Uint8Array(0));

/** Everything src/core can decode, applied to one datagram. Returns the attribute steps taken. */
function decode(bytes: Uint8Array, salt = 0): number {
  // Each next() that succeeds consumes at least 4 bytes of its reader's range;
  // a message is walked twice (once more after rewind), and each byte can sit
  // in at most MAX_NEST_DEPTH + 1 nested ranges.
  const budget = new Budget(2 * (MAX_NEST_DEPTH + 1) * Math.ceil(bytes.length / 4) + 1);
  tolerate('MessageView.from', () => MessageView.from(bytes));
  // Half the time the datagram sits at an odd offset inside a larger slab, as
  // it does in the receive buffer, and is parsed as a range of it.
  let slab = bytes;
  let start = 0;
  if (salt % 2 === 1) {
    start = 1 + (salt % 7);
    slab = new Uint8Array(start + bytes.length + 5).fill(0xa5);
    slab.set(bytes, start);
  }
  const end = start + bytes.length;
  const messages = tolerate('parseMessages', () => parseMessages(slab, start, end)) ?? [];
  for (const msg of messages) {
    if (msg.offset < start || msg.offset + msg.length > end || msg.length < 16) throw new Bug(`message [${msg.offset}, +${msg.length}) outside the datagram`);
    tolerate('readHeader', () => readHeader(slab, msg.offset));
    if (msg.payload.length !== msg.payloadLength || msg.bytes.length !== msg.length) throw new Bug('view lengths disagree');
    // Both ack parsers on every message: their checks must not depend on the type.
    const error = tolerate('parseErrorMessage', () => parseErrorMessage(msg));
    const done = tolerate('parseDoneMessage', () => parseDoneMessage(msg));
    for (const ack of [error, done]) if (ack && (ack.errno < 0 || Object.is(ack.errno, -0))) throw new Bug(`errno ${Object.is(ack.errno, -0) ? '-0' : ack.errno}`);
    // A fixed header that fits in the payload always leaves an attribute run
    // (empty when the message ends in the fixed header's padding).
    const fixed = fixedHeaderFor(msg.type, salt + msg.offset);
    // Every third message reuses one reader, as the dump fast path does.
    const reuse = (salt + msg.offset) % 3 === 0 ? SHARED_READER : undefined;
    const attributes = (): AttributeReader => msg.attributes(fixed, 'msg', reuse);
    const reader = fixed <= msg.payloadLength ? must(`attributes(${fixed})`, attributes) : tolerate('attributes', attributes);
    if (!reader) continue;
    const first = walk(reader, budget);
    // Walked again after rewind(), the run gives the same attributes and
    // stops at the same malformed one, if any.
    reader.rewind();
    let again = 0;
    while (tolerate('next after rewind', () => reader.next())) {
      budget.step();
      again++;
    }
    if (again !== first) throw new Bug(`rewind walked ${again} attributes, the first walk ${first}`);
  }
  return budget.steps;
}

/** Offsets of the length fields (nlmsg_len u32, nla_len u16) and structural boundaries of a datagram. */
function structure(bytes: Uint8Array): { lengths: Array<{ at: number; size: 2 | 4 }>; boundaries: number[] } {
  const lengths: Array<{ at: number; size: 2 | 4 }> = [];
  const boundaries = new Set<number>([0, bytes.length]);
  const visit = (r: AttributeReader, depth: number): void => {
    try {
      while (r.next()) {
        lengths.push({ at: r.offset, size: 2 });
        boundaries
          .add(r.offset)
          .add(r.dataOffset)
          .add(r.dataOffset + r.dataLength);
        if (depth < 4 && r.dataLength >= 4) {
          try {
            // Only data that parses as a whole run of attributes counts as a nest.
            const inner = r.nested();
            while (inner.next());
            visit(r.nested(), depth + 1);
          } catch {
            // not a nest
          }
        }
      }
    } catch {
      // stop at the first malformed attribute
    }
  };
  let messages: MessageView[];
  try {
    messages = parseMessages(bytes);
  } catch (err) {
    // The messages before the first malformed one (ROUTE_DUMP_REQUEST ends in zeros).
    messages = parseMessages(bytes, 0, (err as NetlinkDecodeError).offset);
  }
  for (const msg of messages) {
    lengths.push({ at: msg.offset, size: 4 });
    boundaries
      .add(msg.offset)
      .add(msg.offset + 16)
      .add(msg.offset + msg.length);
    for (const fixed of [4, 8, 12, 16]) {
      try {
        visit(msg.attributes(fixed), 0);
      } catch {
        // shorter than this fixed header
      }
    }
  }
  return { lengths, boundaries: [...boundaries].sort((a, b) => a - b) };
}

type Sample = { name: string; bytes: Uint8Array; lengths: Array<{ at: number; size: 2 | 4 }>; boundaries: number[] };

function setLength(bytes: Uint8Array, at: number, size: 2 | 4, value: number): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (at + size > bytes.length) return;
  if (size === 2) dv.setUint16(at, value & 0xffff, true);
  else dv.setUint32(at, value >>> 0, true);
}

/** One random mutation of a sample: returns the new bytes and what was done. */
function mutate(rand: () => number, samples: readonly Sample[], sample: Sample): { bytes: Uint8Array; how: string } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const int = (n: number): number => Math.floor(rand() * n);
  const bytes = sample.bytes.slice();
  const roll = rand();
  if (roll < 0.2) {
    const flips = 1 + int(8);
    for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
    return { bytes, how: `flip ${flips} bits` };
  }
  if (roll < 0.35) {
    const at = int(bytes.length);
    const value = pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x04, 0x10, int(256)]);
    bytes[at] = value;
    return { bytes, how: `set byte ${at} to ${value}` };
  }
  const fields = sample.lengths.filter((f) => f.at + f.size <= bytes.length);
  if (roll < 0.6 && fields.length > 0) {
    const field = pick(fields);
    const old = field.size === 2 ? bytes[field.at]! | (bytes[field.at + 1]! << 8) : new DataView(bytes.buffer).getUint32(field.at, true);
    // (bytes is a fresh copy, so its DataView starts at offset 0)
    const huge = field.size === 2 ? 0xffff : 0xffffffff;
    const value = pick([0, 1, 3, 4, 5, 8, 15, 16, huge, huge - 3, old - 1, old + 1, old - 4, old + 4, old * 2, int(huge + 1)]);
    setLength(bytes, field.at, field.size, value);
    return { bytes, how: `set the u${field.size * 8} length at ${field.at} from ${old} to ${value}` };
  }
  if (roll < 0.75) {
    const cut = Math.max(0, Math.min(bytes.length, pick(sample.boundaries) + int(7) - 3));
    const out = bytes.slice(0, cut);
    if (rand() < 0.5 && cut >= 16) {
      // Keep the first message consistent with the cut, so the attribute walk meets the truncation.
      setLength(out, 0, 4, cut);
      return { bytes: out, how: `truncate to ${cut} and set nlmsg_len to match` };
    }
    return { bytes: out, how: `truncate to ${cut}` };
  }
  if (roll < 0.9) {
    const donor = pick(samples);
    const from = int(donor.bytes.length);
    const size = Math.min(donor.bytes.length - from, 1 + int(64));
    const chunk = donor.bytes.subarray(from, from + size);
    const to = pick(sample.boundaries.filter((b) => b <= bytes.length));
    const kind = int(3);
    if (kind === 0) {
      const out = bytes.slice();
      out.set(chunk.subarray(0, Math.max(0, Math.min(chunk.length, out.length - to))), to);
      return { bytes: out, how: `overwrite ${size} bytes at ${to} with ${donor.name}[${from}..]` };
    }
    if (kind === 1) {
      const out = new Uint8Array(bytes.length + chunk.length);
      out.set(bytes.subarray(0, to));
      out.set(chunk, to);
      out.set(bytes.subarray(to), to + chunk.length);
      return { bytes: out, how: `insert ${size} bytes of ${donor.name}[${from}..] at ${to}` };
    }
    const out = new Uint8Array(bytes.length + donor.bytes.length);
    out.set(bytes);
    out.set(donor.bytes, bytes.length);
    return { bytes: out, how: `append ${donor.name}` };
  }
  // Two or three mutations in a row.
  let current: { bytes: Uint8Array; how: string } = { bytes, how: '' };
  const rounds = 2 + int(2);
  for (let i = 0; i < rounds; i++) {
    const next = mutate(rand, samples, { ...sample, bytes: current.bytes });
    current = { bytes: next.bytes, how: current.how ? `${current.how}; ${next.how}` : next.how };
  }
  return current;
}

describe('decoders on mutated captured datagrams', () => {
  let stackTraceLimit: number;
  beforeAll(() => {
    // Decode errors are expected by the hundred thousand here; their stack traces are not needed.
    stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });

  it('decode every captured datagram cleanly before any mutation', () => {
    const failures = [];
    for (const { name, bytes } of CORPUS) {
      try {
        const messages = parseMessages(bytes);
        if (messages.length === 0) failures.push(`${name}: no messages`);
      } catch (err) {
        if (name !== 'ROUTE_DUMP_REQUEST') failures.push(`${name}: ${(err as Error).message}`);
      }
      decode(bytes);
    }
    expect(failures).toEqual([]);
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
  });

  it(`throw nothing but NetlinkDecodeError and end every walk in linear steps, over ${ITERATIONS} inputs`, () => {
    const rand = prng(SEED);
    const samples: Sample[] = CORPUS.map(({ name, bytes }) => ({ name, bytes, ...structure(bytes) }));
    const failures: string[] = [];
    const started = performance.now();
    let iterations = 0;
    let truncations = 0;
    let steps = 0;
    let maxStepsPerByte = 0;

    const run = (input: Uint8Array, how: string): void => {
      iterations++;
      try {
        const taken = decode(input, iterations);
        steps += taken;
        if (input.length > 0) maxStepsPerByte = Math.max(maxStepsPerByte, taken / input.length);
      } catch (err) {
        if (failures.length < 5) {
          const hex = Buffer.from(input).toString('hex');
          failures.push(`seed ${SEED} iteration ${iterations} (${how}): ${(err as Error).message}\n  input ${hex.length > 2048 ? `${hex.slice(0, 2048)}...` : hex}`);
        }
      }
    };

    // Every sample cut at every structural boundary (and one byte either side),
    // with nlmsg_len left alone and with nlmsg_len set to the cut.
    for (const sample of samples) {
      for (const b of sample.boundaries) {
        for (const cut of [b - 1, b, b + 1]) {
          if (cut < 0 || cut > sample.bytes.length || iterations >= ITERATIONS) continue;
          const plain = sample.bytes.slice(0, cut);
          run(plain, `${sample.name} truncated to ${cut}`);
          truncations++;
          if (cut >= 16 && iterations < ITERATIONS) {
            const fixed = plain.slice();
            setLength(fixed, 0, 4, cut);
            run(fixed, `${sample.name} truncated to ${cut}, nlmsg_len ${cut}`);
            truncations++;
          }
        }
      }
    }
    // Then random mutations up to the iteration count.
    while (iterations < ITERATIONS) {
      const sample = samples[Math.floor(rand() * samples.length)]!;
      const { bytes, how } = mutate(rand, samples, sample);
      run(bytes, `${sample.name}: ${how}`);
    }

    const seconds = (performance.now() - started) / 1000;
    console.info(
      `fuzz: ${iterations} inputs (${truncations} boundary truncations, ${iterations - truncations} random mutations) from ${samples.length} captured datagrams, ` +
        `seed ${SEED}, ${steps} attribute steps, at most ${maxStepsPerByte.toFixed(2)} steps per input byte, ${seconds.toFixed(1)} s`,
    );
    expect(failures).toEqual([]);
    expect(iterations).toBe(ITERATIONS);
  });
});
