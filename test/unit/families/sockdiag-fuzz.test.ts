// Mutated and truncated copies of the captured sock_diag messages
// (test/vectors/sockdiag.ts) through every sock-diag decoder and the typed
// conversions on top: the only error allowed is NetlinkDecodeError.
// Deterministic (one seeded PRNG); NLKIT_FUZZ_SEED / NLKIT_FUZZ_ITERATIONS override.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { NetlinkDecodeError } from '../../../src/core/errors.js';
import { family as inet } from '../../../src/families/generated/sock-diag-inet.js';
import { family as unix } from '../../../src/families/generated/sock-diag-unix.js';
import { family as netlink } from '../../../src/families/generated/sock-diag-netlink.js';
import { family as packet } from '../../../src/families/generated/sock-diag-packet.js';
import { toInetSocket, toNetlinkSocket, toPacketSocket, toUnixSocket } from '../../../src/families/sockdiag/index.js';
import { toHex } from '../../vectors/hex.js';
import * as vectors from '../../vectors/sockdiag.js';
import { prng } from '../../helpers/fuzz.js';

const SEED = Number(process.env.NLKIT_FUZZ_SEED ?? 0x736f636b);
const ITERATIONS = Number(process.env.NLKIT_FUZZ_ITERATIONS ?? 20_000);
const SAMPLES = Object.values(vectors);

const DECODERS: Record<string, (m: MessageView) => unknown> = {
  inet: (m) => toInetSocket(inet.ops.sock.decodeReply(m), 6),
  unix: (m) => toUnixSocket(unix.ops.sock.decodeReply(m)),
  netlink: (m) => toNetlinkSocket(netlink.ops.sock.decodeReply(m)),
  packet: (m) => toPacketSocket(packet.ops.sock.decodeReply(m)),
  inetByType: (m) => inet.decode(m),
  unixByType: (m) => unix.decode(m),
  netlinkByType: (m) => netlink.decode(m),
  packetByType: (m) => packet.decode(m),
  inetRequest: (m) => inet.ops.get.decodeRequest(m),
  unixRequest: (m) => unix.ops.get.decodeRequest(m),
};

function mutate(rand: () => number, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const bytes = input.slice();
  const roll = rand();
  if (bytes.length < 4) return { bytes: SAMPLES[int(SAMPLES.length)]!.slice(), how: 'restart' };
  if (roll < 0.3) {
    const n = 1 + int(6);
    for (let i = 0; i < n; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
    return { bytes, how: `flip ${n} bits` };
  }
  if (roll < 0.6) {
    // Attribute lengths and types sit on 4-byte boundaries: hit them.
    const at = int(bytes.length - 3) & ~3;
    const value = [0, 1, 3, 4, 5, 8, 0xffff, 0x8000, int(0x10000)][int(9)]!;
    new DataView(bytes.buffer).setUint16(at + (rand() < 0.5 ? 0 : 2), value, true);
    return { bytes, how: `set the u16 near ${at} to ${value}` };
  }
  if (roll < 0.85) {
    const cut = int(bytes.length + 1);
    const out = bytes.slice(0, cut);
    if (cut >= 16) new DataView(out.buffer).setUint32(0, cut, true);
    return { bytes: out, how: `truncate to ${cut}` };
  }
  const donor = SAMPLES[int(SAMPLES.length)]!;
  const from = int(donor.length);
  const chunk = donor.subarray(from, from + 4 + int(40));
  const to = Math.min(bytes.length, 16 + (int(Math.max(0, bytes.length - 16)) & ~3));
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, to));
  out.set(chunk, to);
  out.set(bytes.subarray(to), to + chunk.length);
  new DataView(out.buffer).setUint32(0, out.length, true);
  return { bytes: out, how: `insert ${chunk.length} bytes at ${to}` };
}

describe('sock-diag decoders on mutated captures', () => {
  let limit: number;
  beforeAll(() => {
    limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = limit;
  });

  it('decode every capture before any mutation', () => {
    for (const s of SAMPLES) {
      const m = MessageView.from(s);
      const ok = Object.values(DECODERS).filter((d) => {
        try {
          d(m);
          return true;
        } catch {
          return false;
        }
      });
      expect(ok.length).toBeGreaterThan(0);
    }
  });

  it(`throw nothing but NetlinkDecodeError over ${ITERATIONS} mutated messages`, () => {
    const rand = prng(SEED);
    const failures: string[] = [];
    let refused = 0;
    let decoded = 0;
    for (let i = 0; i < ITERATIONS && failures.length < 5; i++) {
      let input = SAMPLES[Math.floor(rand() * SAMPLES.length)]!;
      let how = '';
      for (let r = 1 + Math.floor(rand() * 3); r > 0; r--) {
        const m = mutate(rand, input);
        input = m.bytes;
        how += (how ? '; ' : '') + m.how;
      }
      let view: MessageView;
      try {
        view = MessageView.from(input);
      } catch (err) {
        if (err instanceof NetlinkDecodeError) {
          refused++;
          continue;
        }
        failures.push(`iteration ${i} (${how}): MessageView.from threw ${String(err)}\n${toHex(input)}`);
        continue;
      }
      for (const [name, decode] of Object.entries(DECODERS)) {
        try {
          decode(view);
          decoded++;
        } catch (err) {
          if (err instanceof NetlinkDecodeError) refused++;
          else failures.push(`seed ${SEED} iteration ${i} ${name} (${how}): ${String(err)}\n${toHex(input)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(decoded).toBeGreaterThan(ITERATIONS);
    expect(refused).toBeGreaterThan(ITERATIONS / 10);
  });
});
