// xfrm without root: the messages ip xfrm sent and the kernel answered
// (test/vectors/xfrm.ts, captured by test/vectors/capture/xfrm-capture.py)
// decode into typed SAs and policies, encode back to the same bytes, and
// print as `ip xfrm monitor file` printed them; XfrmClient over the fake
// kernel sends what the kernel expects and refuses bad input by field.
import { beforeAll, describe, expect, it } from 'vitest';
import { MessageView, MessageWriter, NetlinkDecodeError, dataViewOf } from '../../../src/index.js';
import { family as xfrmFamily } from '../../../src/families/generated/xfrm.js';
import { XfrmClient, decodeXfrmEvent, decodeXfrmMessage, toPolicy, toState, type XfrmEvent } from '../../../src/families/xfrm/index.js';
import { eventText } from '../../../src/cli/ip/xfrm-print.js';
import { FakeKernel } from '../../../src/testing/index.js';
import { XFRMNLGRP_ACQUIRE, XFRMNLGRP_POLICY, XFRMNLGRP_SA } from '../../../src/families/generated/xfrm.constants.js';
import { XFRM_VECTORS } from '../../vectors/xfrm.js';
import { toHex } from '../../vectors/hex.js';
import { loadXfrmFamily } from '../../../src/families/xfrm/index.js';

// The standalone decoders and encoders use the generated xfrm family, which 'nlkit' loads on first use.
beforeAll(async () => {
  await loadXfrmFamily();
});

function view(bytes: Uint8Array): MessageView {
  return new MessageView(bytes, 0, dataViewOf(bytes));
}

// The capture namespace had lo only (ifindex 1).
const printContext = { stats: 0, oneline: false, family: undefined, indexName: (i: number) => (i === 1 ? 'lo' : `if${i}`) };

/** Encodes a decoded message again with its operation's codec and the captured header's flags, sequence and port. */
function reencode(bytes: Uint8Array): Uint8Array {
  const m = view(bytes);
  const { name, msg } = decodeXfrmMessage(m)!;
  const op = xfrmFamily.ops[name as keyof typeof xfrmFamily.ops] as unknown as {
    requestValue: number | undefined;
    encodeRequest(w: MessageWriter, v: object, o: { flags: number; seq: number; portId: number }): void;
    encodeReply(w: MessageWriter, v: object, o: { flags: number; seq: number; portId: number }): void;
  };
  const w = new MessageWriter();
  // nlmsg_pid as written (MessageView.port is the sender's port).
  const options = { flags: m.flags, seq: m.seq, portId: m.dv.getUint32(12, true) };
  if (op.requestValue === m.type) op.encodeRequest(w, msg, options);
  else op.encodeReply(w, msg, options);
  return w.finishCopy();
}

// ip writes some attributes out of the spec's order (the mark after the
// extra flags, the policy type before the templates); the codec writes a
// decoded message in the spec's order. These vectors are in the spec's order.
const SAME_ORDER = [
  'NEWSA_ESP_TUNNEL',
  'NEWSA_AH_IPV6',
  'NEWSA_ESP_AEAD_ENCAP',
  'NEWSA_COMP',
  'UPDSA_REPLAY',
  'NEWSA_ESN',
  'NEWSA_ROUTE2_COA',
  'NEWSA_OFFLOAD',
  'NEWSA_CTX',
  'GETSA',
  'DELSA',
  'ALLOCSPI',
  'ALLOCSPI_REPLY',
  'STATE_DUMP',
  'NEWPOLICY_CTX',
  'UPDPOLICY_BLOCK',
  'POLICY_DUMP',
  'DELPOLICY',
  'FLUSHPOLICY',
  'GETDEFAULT_REPLY',
  'SPDINFO_REPLY',
  'SADINFO_REPLY',
];

describe('xfrm vectors captured from ip xfrm and the kernel', () => {
  it('decode and encode back to the same bytes', () => {
    for (const name of SAME_ORDER) expect(toHex(reencode(XFRM_VECTORS[name]!.bytes)), name).toBe(toHex(XFRM_VECTORS[name]!.bytes));
  });

  it('decode to the same object after an encode when ip wrote the attributes in another order', () => {
    for (const [name, v] of Object.entries(XFRM_VECTORS)) {
      const again = reencode(v.bytes);
      // ip's FLUSHSA is NLMSG_LENGTH(1) = 17 bytes; the codec pads the 1-byte header to 4, as the kernel's own FLUSHSA is.
      expect(again.length, name).toBe(name === 'FLUSHSA' ? 20 : v.bytes.length);
      expect(decodeXfrmMessage(view(again)), name).toEqual(decodeXfrmMessage(view(v.bytes)));
    }
  });

  it('print as ip xfrm monitor printed them', () => {
    let compared = 0;
    for (const [name, v] of Object.entries(XFRM_VECTORS)) {
      // ip's monitor rejects its own 17-byte FLUSHSA request as shorter than
      // NLMSG_SPACE(sizeof(struct xfrm_usersa_flush)) and prints nothing for it.
      if (name === 'FLUSHSA') continue;
      const m = view(v.bytes);
      const e = decodeXfrmEvent(m)!;
      expect(eventText(printContext, e, { type: m.type, flags: m.flags, length: m.length }), name).toBe(v.ipText);
      compared++;
    }
    expect(compared).toBe(Object.keys(XFRM_VECTORS).length - 1);
  });

  it('give typed SAs with addresses as text, algorithms with their keys and u64 limits as bigint', () => {
    const { msg } = decodeXfrmMessage(view(XFRM_VECTORS.NEWSA_ESP_TUNNEL!.bytes))!;
    const s = toState(msg as never, msg as never);
    expect(s).toMatchObject({
      family: 'ipv4',
      src: '10.0.0.1',
      dst: '10.0.0.2',
      proto: 'esp',
      spi: 0x1001,
      reqid: 7,
      mode: 'tunnel',
      replayWindow: 32,
      flags: ['noecn', 'af-unspec'],
      mark: { value: 5, mask: 0xf },
      ifId: 9,
    });
    expect(s.selector).toEqual({
      family: 'ipv4',
      src: '10.1.0.0/16',
      dst: '10.2.0.0/16',
      proto: 6,
      sport: 0,
      sportMask: 0,
      dport: 443,
      dportMask: 0xffff,
      ifindex: 0,
      user: 0,
    });
    expect(s.lifetime.hardAddExpiresSeconds).toBe(3600n);
    expect(s.lifetime.softByteLimit).toBe(1000000n);
    expect(s.lifetime.hardByteLimit).toBe(0xffffffffffffffffn);
    expect(s.crypt?.name).toBe('cbc(aes)');
    expect(toHex(s.crypt!.key)).toBe('00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff');
    expect(s.authTrunc).toMatchObject({ name: 'hmac(sha256)', keyBits: 256, bits: 128 });
    expect(s.authTrunc!.key.length).toBe(32);
  });

  it('give typed policies with every template of XFRMA_TMPL', () => {
    const { msg } = decodeXfrmMessage(view(XFRM_VECTORS.NEWPOLICY!.bytes))!;
    const p = toPolicy(msg as never, msg as never);
    expect(p).toMatchObject({ dir: 'out', socket: false, action: 'allow', priority: 7, flags: ['localok'], type: 'sub', mark: { value: 2, mask: 0xff }, ifId: 0x42 });
    expect(p.lifetime.softAddExpiresSeconds).toBe(60n);
    expect(p.templates).toEqual([
      {
        family: 'ipv4',
        src: '192.0.2.1',
        dst: '192.0.2.2',
        proto: 'esp',
        spi: 0,
        reqid: 5,
        mode: 'tunnel',
        share: 'any',
        optional: false,
        aalgos: 0xffffffff,
        ealgos: 0xffffffff,
        calgos: 0xffffffff,
      },
      {
        family: 'ipv4',
        src: '0.0.0.0',
        dst: '0.0.0.0',
        proto: 'comp',
        spi: 0,
        reqid: 0,
        mode: 'transport',
        share: 'any',
        optional: true,
        aalgos: 0xffffffff,
        ealgos: 0xffffffff,
        calgos: 0xffffffff,
      },
    ]);
  });

  it('turn a DELSA notification into the deleted SA carried in XFRMA_SA', () => {
    // The kernel's DELSA event: struct xfrm_usersa_id, then the SA in XFRMA_SA (xfrm_notify_sa()).
    const dump = XFRM_VECTORS.STATE_DUMP!.bytes;
    const info = xfrmFamily.structs.get('xfrm-usersa-info')!.decode(dump.subarray(16, 16 + 224));
    delete info.__rest;
    const w = new MessageWriter();
    const delsa = xfrmFamily.ops.delsa as unknown as { encodeRequest(w: MessageWriter, v: object, o: { flags: number }): void };
    const i = info as { id: { daddr: Uint8Array; spi: number; proto: string }; family: number };
    delsa.encodeRequest(w, { daddr: i.id.daddr, spi: i.id.spi, family: i.family, proto: i.id.proto, sa: info }, { flags: 0 });
    const e = decodeXfrmEvent(view(w.finishCopy())) as Extract<XfrmEvent, { state: unknown }>;
    expect(e.type).toBe('delsa');
    expect(e.state).toEqual(toState(info as never, {}));
    expect(e.state).toMatchObject({ proto: 'esp', src: '10.0.0.1', dst: '10.0.0.8', spi: 0x800 });
  });
});

describe('xfrm decoding of malformed messages', () => {
  it('rejects a template shorter than struct xfrm_user_tmpl with NetlinkDecodeError', () => {
    const bytes = XFRM_VECTORS.NEWPOLICY!.bytes.slice();
    // Cut the second template short: shrink XFRMA_TMPL (at its header) and the message by 8 bytes.
    const m = view(bytes);
    const { msg } = decodeXfrmMessage(m)!;
    expect(toPolicy(msg as never, msg as never).templates).toHaveLength(2);
    let p = 16 + 168;
    while (p < bytes.length) {
      const len = bytes[p]! | (bytes[p + 1]! << 8);
      const type = bytes[p + 2]! | (bytes[p + 3]! << 8);
      if (type === 5) {
        bytes[p] = (len - 8) & 0xff;
        bytes[p + 1] = (len - 8) >> 8;
        break;
      }
      p += (len + 3) & ~3;
    }
    expect(() => decodeXfrmEvent(view(bytes))).toThrow(NetlinkDecodeError);
  });
});

describe('XfrmClient over the fake kernel', () => {
  async function client(): Promise<{ x: XfrmClient; kernel: FakeKernel }> {
    const kernel = new FakeKernel({ handler: (req) => req.ack() });
    const socket = await kernel.open(xfrmFamily.protonum);
    return { x: await XfrmClient.fromSocket(socket), kernel };
  }

  it('sends a policy as ip sends it (same decoded request as ip xfrm policy add)', async () => {
    const { x, kernel } = await client();
    try {
      await x.addPolicy({
        dir: 'out',
        selector: { src: '10.0.0.0/24', dst: '10.0.1.0/24', proto: 17, dport: 53 },
        priority: 7,
        type: 'sub',
        flags: ['localok'],
        lifetime: { softAddExpiresSeconds: 60n },
        templates: [
          { src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp', mode: 'tunnel', reqid: 5 },
          { proto: 'comp', optional: true },
        ],
        mark: { value: 2, mask: 0xff },
        ifId: 0x42,
      });
      const sent = kernel.requests[0]!;
      const ip = view(XFRM_VECTORS.NEWPOLICY!.bytes);
      expect(sent.type).toBe(ip.type);
      expect(decodeXfrmMessage(sent)).toEqual(decodeXfrmMessage(ip));
    } finally {
      x.close();
    }
  });

  it('yields typed events of the groups it joined, with overruns in-band and malformed messages handed to onMalformed', async () => {
    const { x, kernel } = await client();
    const skipped: string[] = [];
    const events = x.monitor({ groups: ['sa', 'policy'], onMalformed: (err) => skipped.push(err.message) });
    try {
      kernel.multicast(XFRMNLGRP_SA, XFRM_VECTORS.STATE_DUMP!.bytes);
      expect((await events.next()).value).toMatchObject({ type: 'newsa', state: { proto: 'esp', dst: '10.0.0.8', spi: 0x800 } });
      kernel.endpoint(x.socket.portId).overrun();
      kernel.multicast(XFRMNLGRP_POLICY, XFRM_VECTORS.POLICY_DUMP!.bytes);
      // A NEWSA cut inside its struct xfrm_usersa_info.
      const short = XFRM_VECTORS.STATE_DUMP!.bytes.slice(0, 100);
      new DataView(short.buffer).setUint32(0, 100, true);
      kernel.multicast(XFRMNLGRP_SA, short);
      kernel.multicast(XFRMNLGRP_POLICY, XFRM_VECTORS.FLUSHPOLICY!.bytes);
      // Not joined: never seen.
      kernel.multicast(XFRMNLGRP_ACQUIRE, XFRM_VECTORS.STATE_DUMP!.bytes);
      expect((await events.next()).value).toEqual({ overrun: true, truncated: false });
      expect((await events.next()).value).toMatchObject({ type: 'newpolicy', policy: { dir: 'in', action: 'block', selector: { src: '2001:db8::/64', proto: 58 } } });
      expect((await events.next()).value).toEqual({ type: 'flushpolicy', policyType: 'sub' });
      expect(skipped).toEqual([expect.stringMatching(/^xfrm: newsa message of 100 bytes is shorter than its header \(struct xfrm_usersa_info, 224 bytes\) \(at byte \d+\)$/)]);
      expect(events.queued).toBe(0);
    } finally {
      events.close();
      x.close();
    }
  });

  it('refuses bad input with a TypeError or RangeError naming the field, before sending', async () => {
    const { x, kernel } = await client();
    try {
      await expect(x.addPolicy({ dir: 'up' as never })).rejects.toThrow(new RangeError("policy.dir: expected one of in, out, fwd, got 'up'"));
      await expect(x.addPolicy({ dir: 'in', selector: { src: '10.0.0.0/33' } })).rejects.toThrow(RangeError);
      await expect(x.addPolicy({ dir: 'in', selector: { src: '10.0.0.0/8', dst: '2001:db8::/32' } })).rejects.toThrow(/policy\.selector\.dst/);
      await expect(x.addPolicy({ dir: 'in', templates: [{ proto: 'gre' as never }] })).rejects.toThrow(/policy\.templates\[0\]\.proto: unknown IPsec protocol 'gre'/);
      await expect(x.addState({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: -1 })).rejects.toThrow(/state\.spi/);
      await expect(x.addState({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', crypt: { name: 'cbc(aes)', key: '0xabc' } })).rejects.toThrow(/state\.crypt\.key/);
      await expect(x.addState({ src: 'ten', dst: '10.0.0.2', proto: 'esp' })).rejects.toThrow(/state\.src/);
      await expect(x.deleteState({ dst: '10.0.0.2', proto: 'esp', spi: 1, mark: { value: 2 ** 32 } })).rejects.toThrow(/key\.mark\.value/);
      expect(() => x.monitor({ groups: ['bogus' as never] })).toThrow(/groups\[0\]: unknown xfrm group 'bogus'/);
      expect(kernel.requests).toHaveLength(0);
    } finally {
      x.close();
    }
  });
});
