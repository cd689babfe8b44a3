// nflog without root: the packet decoder on a captured message
// (test/vectors/nflog.ts), the config message against libnetfilter_log's
// layout, and NflogSocket over the fake kernel: packets routed by group,
// overruns in-band, malformed packets, unbind on close, argument checks.
import { beforeAll, describe, expect, it } from 'vitest';
// Imports from the modules themselves, not the package index (which loads every family).
import { Protocol } from '../../../src/core/constants.js';
import { AbortError, NetlinkDecodeError, NetlinkError } from '../../../src/core/errors.js';
import { MessageView } from '../../../src/core/message.js';
import { isOverrun, type Overrun } from '../../../src/io/subscription.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { family as nflogFamily } from '../../../src/families/generated/nflog.js';
import { NflogSocket, decodeNflogPacket, type NflogPacket } from '../../../src/families/netfilter/nflog.js';
import { FakeKernel, type FakeRequest } from '../../../src/testing/index.js';
import { toHex } from '../../vectors/hex.js';
import { NFLOG_CONFIG_BIND, NFLOG_PACKET } from '../../vectors/nflog.js';
import { loadNflogFamily } from '../../../src/families/netfilter/index.js';

// The standalone decoders and encoders use the generated nflog (and conntrack) family, which 'nlkit' loads on first use.
beforeAll(async () => {
  await loadNflogFamily();
});

const NFULNL_MSG_CONFIG = 0x401;

/** The captured packet with another group (res_id) and prefix-free copy. */
function packetOfGroup(group: number): Uint8Array {
  const b = NFLOG_PACKET.slice();
  new DataView(b.buffer).setUint16(18, group, false);
  return b;
}

function nflogKernel(): { kernel: FakeKernel; requests: FakeRequest[] } {
  const requests: FakeRequest[] = [];
  const kernel = new FakeKernel({
    handler: (req) => {
      requests.push(req);
      // nfulnl_recv_config() answers only what asked for an ACK.
      if (req.type === NFULNL_MSG_CONFIG && req.message.flags & 4) req.ack();
    },
  });
  return { kernel, requests };
}

describe('nflog packet decoder', () => {
  it('decodes a captured packet into typed fields, the payload a view into the message', () => {
    const msg = MessageView.from(NFLOG_PACKET);
    const p = decodeNflogPacket(msg);
    expect({ ...p, payload: undefined, hwHeader: undefined }).toEqual({
      group: 5,
      prefix: 'cap',
      family: 'ipv4',
      hook: 'input',
      hwProtocol: 0x0800,
      mark: 7,
      indev: 1,
      hwAddr: '00:00:00:00:00:00',
      hwType: 772,
      hwHeader: undefined,
      timestamp: { seconds: 1796379252, microseconds: 193762 },
      seq: 0,
      payload: undefined,
    });
    // lo's Ethernet-shaped header: zero addresses, ETH_P_IP.
    expect([...p.hwHeader!]).toEqual([...Array(12).fill(0), 0x08, 0x00]);
    expect(Buffer.from(p.payload!.subarray(28)).toString()).toBe('vector');
    expect(p.payload!.buffer).toBe(NFLOG_PACKET.buffer);
    expect(p.payload!.byteOffset).toBe(136);
  });

  it.each([
    [2, 1, 'ipv4', 'input'],
    [10, 4, 'ipv6', 'postrouting'],
    [7, 0, 'bridge', 'prerouting'],
    [7, 5, 'bridge', 5], // NF_BR_BROUTING, not NF_INET_INGRESS
    [5, 0, 'netdev', 0], // NF_NETDEV_INGRESS: netdev hooks have other numbers
    [3, 1, 'arp', 1], // NF_ARP_OUT
  ])('names hook %#: family %i hook %i as %s %s', (familyNumber, hookNumber, family, hook) => {
    const b = NFLOG_PACKET.slice();
    b[16] = familyNumber; // nfgenmsg.nfgen_family
    b[26] = hookNumber; // nfulnl_msg_packet_hdr.hook
    expect(decodeNflogPacket(MessageView.from(b))).toMatchObject({ family, hook });
  });

  it('refuses a packet whose attribute runs past the message with NetlinkDecodeError', () => {
    const b = NFLOG_PACKET.slice(0, 0x90);
    new DataView(b.buffer).setUint32(0, 0x90, true);
    expect(() => decodeNflogPacket(MessageView.from(b))).toThrow(NetlinkDecodeError);
  });

  it("writes the bind command as libnetfilter_log's nflog_bind_group() does", () => {
    const w = new MessageWriter(64);
    nflogFamily.ops.config.encodeRequest(w, { 'nfgen-family': 0, version: 0, 'res-id': 5, cmd: { command: 'bind' } }, { flags: 5, seq: 1 });
    expect(toHex(w.finishCopy())).toBe(toHex(NFLOG_CONFIG_BIND));
  });
});

describe('NflogSocket on the fake kernel', () => {
  // Fake datagrams arrive in the order given; an overrun() is reported at the next read, before what is queued.
  it('binds the group with the options given, in one config message', async () => {
    const { kernel, requests } = nflogKernel();
    await using log = await NflogSocket.open({ socket: await kernel.open(Protocol.NETFILTER) });
    await log.subscribe(9, { copyRange: 96, flags: ['seq', 'seq-global'], qthresh: 10, timeout: 5, nlbufsiz: 65536 });
    expect(requests).toHaveLength(1);
    expect(nflogFamily.decodeRequest(requests[0]!.message).msg).toMatchObject({
      'res-id': 9,
      cmd: { command: 'bind' },
      mode: { 'copy-mode': 'packet', 'copy-range': 96 },
      flags: ['seq', 'seq-global'],
      qthresh: 10,
      timeout: 5,
      nlbufsiz: 65536,
    });
  });

  it('changes a subscribed group with configure(), and refuses a group it has not subscribed', async () => {
    const { kernel, requests } = nflogKernel();
    await using log = await NflogSocket.open({ socket: await kernel.open(Protocol.NETFILTER) });
    await log.subscribe(9);
    await log.configure(9, { copyMode: 'meta', qthresh: 1 });
    expect(nflogFamily.decodeRequest(requests.at(-1)!.message).msg).toEqual(
      expect.objectContaining({ 'res-id': 9, cmd: undefined, mode: expect.objectContaining({ 'copy-mode': 'meta', 'copy-range': 0xffff }), qthresh: 1 }),
    );
    await expect(log.configure(8, { qthresh: 1 })).rejects.toThrow(new RangeError('group: 8 is not subscribed on this socket'));
    await expect(log.configure(9, { nlbufsiz: 0 })).rejects.toThrow(/^nlbufsiz: /);
    expect(requests).toHaveLength(2);
  });

  it('routes packets to their group, marks an overrun in-band, and unbinds on close', async () => {
    const { kernel, requests } = nflogKernel();
    const socket = await kernel.open(Protocol.NETFILTER);
    await using log = await NflogSocket.open({ socket });
    const five = await log.subscribe(5);
    const six = await log.subscribe(6);
    const end = kernel.endpoint(socket.portId);
    end.deliver(packetOfGroup(5));
    end.deliver(packetOfGroup(6));
    end.overrun();
    end.deliver(packetOfGroup(5));
    await kernel.settle();
    const items: (NflogPacket | Overrun)[] = [];
    for (let i = 0; i < 3; i++) items.push((await five.next()).value as NflogPacket | Overrun);
    // The kernel reports ENOBUFS before the datagrams it still holds (the
    // error comes first in skb_recv_datagram()): the marker leads, in every group.
    expect(items.map((x) => (isOverrun(x) ? 'overrun' : x.group))).toEqual(['overrun', 5, 5]);
    expect(isOverrun((await six.next()).value)).toBe(true);
    expect(((await six.next()).value as NflogPacket).group).toBe(6);
    five.close();
    await kernel.settle();
    const unbind = requests.at(-1)!;
    expect(unbind.message.flags & 4).toBe(0); // not acknowledged: nothing waits for it
    expect(nflogFamily.decodeRequest(unbind.message).msg).toMatchObject({ 'res-id': 5, cmd: { command: 'unbind' } });
  });

  it('on abort, the iterator throws an AbortError and the group is unbound', async () => {
    const { kernel, requests } = nflogKernel();
    await using log = await NflogSocket.open({ socket: await kernel.open(Protocol.NETFILTER) });
    const ac = new AbortController();
    const sub = await log.subscribe(5, { signal: ac.signal });
    const waiting = sub.next();
    ac.abort();
    await expect(waiting).rejects.toThrow(AbortError);
    await kernel.settle();
    expect(nflogFamily.decodeRequest(requests.at(-1)!.message).msg).toMatchObject({ 'res-id': 5, cmd: { command: 'unbind' } });
    // The group can be subscribed again.
    (await log.subscribe(5)).close();
  });

  it('marks a datagram that arrived cut short as a truncated overrun, before the next packet', async () => {
    const { kernel } = nflogKernel();
    const socket = await kernel.open(Protocol.NETFILTER);
    await using log = await NflogSocket.open({ socket });
    const sub = await log.subscribe(5);
    const end = kernel.endpoint(socket.portId);
    end.deliver(packetOfGroup(5), { truncateTo: 40 });
    end.deliver(packetOfGroup(5));
    await kernel.settle();
    expect((await sub.next()).value).toEqual({ overrun: true, truncated: true });
    expect(((await sub.next()).value as NflogPacket).prefix).toBe('cap');
  });

  it('throws a malformed packet as NetlinkDecodeError, or skips it with onMalformed', async () => {
    const { kernel } = nflogKernel();
    const socket = await kernel.open(Protocol.NETFILTER);
    await using log = await NflogSocket.open({ socket });
    const bad = packetOfGroup(5).slice(0, 0x90);
    new DataView(bad.buffer).setUint32(0, 0x90, true);
    const skipped: NetlinkDecodeError[] = [];
    const tolerant = await log.subscribe(5, { onMalformed: (e) => skipped.push(e) });
    const strict = await log.subscribe(6);
    const badSix = bad.slice();
    new DataView(badSix.buffer).setUint16(18, 6, false);
    const end = kernel.endpoint(socket.portId);
    end.deliver(bad);
    end.deliver(packetOfGroup(5));
    end.deliver(badSix);
    await kernel.settle();
    expect(((await tolerant.next()).value as NflogPacket).prefix).toBe('cap');
    expect(skipped).toHaveLength(1);
    expect(tolerant.malformed).toBe(1);
    await expect(strict.next()).rejects.toThrow(NetlinkDecodeError);
  });

  it('rejects with the kernel error and leaves nothing bound when the kernel refuses', async () => {
    const kernel = new FakeKernel({ handler: (req) => req.ack(1) });
    await using log = await NflogSocket.open({ socket: await kernel.open(Protocol.NETFILTER) });
    const err = await log.subscribe(5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EPERM');
    kernel.onRequest((req) => req.ack());
    const sub = await log.subscribe(5);
    sub.close();
  });

  it('checks arguments before anything is sent, naming the field', async () => {
    const { kernel, requests } = nflogKernel();
    await using log = await NflogSocket.open({ socket: await kernel.open(Protocol.NETFILTER) });
    await expect(log.subscribe(-1)).rejects.toThrow(new RangeError('group: -1 is out of range 0..65535'));
    await expect(log.subscribe('5' as never)).rejects.toThrow(TypeError);
    await expect(log.subscribe(5, { copyMode: 'all' as never })).rejects.toThrow(new RangeError("copyMode: expected one of none, meta, packet, got 'all'"));
    await expect(log.subscribe(5, { copyRange: 0 })).rejects.toThrow(/^copyRange: /);
    await expect(log.subscribe(5, { flags: 'seq' as never })).rejects.toThrow(new TypeError("flags: expected an array of seq, seq-global, conntrack, got 'seq'"));
    await expect(log.subscribe(5, { flags: ['sequence' as never] })).rejects.toThrow(new RangeError("flags: unknown flag 'sequence' (flags: seq, seq-global, conntrack)"));
    await expect(log.subscribe(5, { qthresh: 0 })).rejects.toThrow(/^qthresh: /);
    await expect(log.subscribe(5, { timeout: -1 })).rejects.toThrow(/^timeout: /);
    await expect(log.subscribe(5, { onMalformed: 1 as never })).rejects.toThrow(/^onMalformed: /);
    expect(requests).toHaveLength(0);
    await log.subscribe(5);
    await expect(log.subscribe(5)).rejects.toThrow(new RangeError('group: 5 is already subscribed on this socket'));
  });
});
