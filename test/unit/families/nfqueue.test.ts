// nfqueue without root: the packet decoder on a captured message and on one
// with a conntrack nest (test/vectors/nfqueue.ts), the verdict and config
// messages against libnetfilter_queue's layouts, and NfqueueSocket over the
// fake kernel: verdicts sent unacknowledged, a rejected verdict coming back
// as NfqueueVerdictError, batch verdicts, argument checks.
// Imports from the modules themselves, not the package index (which loads every family).
import { beforeAll, describe, expect, it } from 'vitest';
import { Protocol } from '../../../src/core/constants.js';
import { AbortError, NetlinkDecodeError } from '../../../src/core/errors.js';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { family as nfqueueFamily } from '../../../src/families/generated/nfqueue.js';
import { NfqueuePacket, NfqueueSocket, NfqueueVerdictError, decodeNfqueuePacket } from '../../../src/families/netfilter/nfqueue.js';
import { FakeKernel, type FakeRequest } from '../../../src/testing/index.js';
import { toHex } from '../../vectors/hex.js';
import { NFQUEUE_CONFIG_FAIL_OPEN, NFQUEUE_PACKET, NFQUEUE_PACKET_CT, NFQUEUE_VERDICT_ACCEPT_MARK } from '../../vectors/nfqueue.js';
import { loadNfqueueFamily } from '../../../src/families/netfilter/index.js';

// The standalone decoders and encoders use the generated nfqueue (and conntrack) family, which 'nlkit' loads on first use.
beforeAll(async () => {
  await loadNfqueueFamily();
});

const NFQNL_MSG_CONFIG = 0x302;

/** The captured packet with another packet id. */
function packetWithId(id: number): Uint8Array {
  const b = NFQUEUE_PACKET.slice();
  new DataView(b.buffer).setUint32(24, id, false);
  return b;
}

function nfqueueKernel(): { kernel: FakeKernel; requests: FakeRequest[] } {
  const requests: FakeRequest[] = [];
  const kernel = new FakeKernel({
    handler: (req) => {
      requests.push(req);
      if (req.type === NFQNL_MSG_CONFIG && req.message.flags & 4) req.ack();
    },
  });
  return { kernel, requests };
}

describe('nfqueue packet decoder', () => {
  it('decodes a captured packet: id, queue, hook, interface and the payload as a view', () => {
    const p = decodeNfqueuePacket(MessageView.from(NFQUEUE_PACKET));
    expect({ ...p, payload: undefined }).toEqual({
      id: 1,
      queue: 3,
      family: 'ipv4',
      hook: 'input',
      hwProtocol: 0x0800,
      mark: 0,
      indev: 1,
      hwAddr: '00:00:00:00:00:00',
      payload: undefined,
    });
    expect(p.payload!.buffer).toBe(NFQUEUE_PACKET.buffer);
    expect(Buffer.from(p.payload!.subarray(28)).toString()).toBe('vector');
  });

  it('decodes the conntrack nest with the conntrack codec, and the ct info by name', () => {
    const p = decodeNfqueuePacket(MessageView.from(NFQUEUE_PACKET_CT));
    expect(p.ctInfo).toBe('new');
    expect(p.conntrack).toMatchObject({
      family: 'ipv4',
      protocol: 'udp',
      original: { src: '127.0.0.1', dst: '127.0.0.1', protocol: 'udp', sport: 52385, dport: 9999 },
      status: ['confirmed'],
      id: 0x12345678,
    });
  });

  it('refuses a packet without its packet header with NetlinkDecodeError', () => {
    // Only the nlmsghdr and nfgenmsg.
    const b = NFQUEUE_PACKET.slice(0, 20);
    new DataView(b.buffer).setUint32(0, 20, true);
    expect(() => decodeNfqueuePacket(MessageView.from(b))).toThrow(
      new NetlinkDecodeError('nfqueue: packet message without a packet header (NFQA_PACKET_HDR)', 0, 'nfqueue.packet'),
    );
  });

  it("writes a verdict with a mark as libnetfilter_queue's nfq_nlmsg_verdict_put() and _put_mark() do", () => {
    const w = new MessageWriter(64);
    nfqueueFamily.ops.verdict.encodeRequest(w, { 'res-id': 3, 'verdict-hdr': { verdict: 'accept', id: 1 }, mark: 42 }, { flags: 1, seq: 1 });
    expect(toHex(w.finishCopy())).toBe(toHex(NFQUEUE_VERDICT_ACCEPT_MARK));
  });
});

describe('NfqueueSocket on the fake kernel', () => {
  it('binds, then configures copy mode, length and flags as libnetfilter_queue lays them out', async () => {
    const { kernel, requests } = nfqueueKernel();
    await using nfq = await NfqueueSocket.open({ socket: await kernel.open(Protocol.NETFILTER) });
    await nfq.queue(3, { maxLen: 16, failOpen: true });
    expect(requests).toHaveLength(2);
    expect(nfqueueFamily.decodeRequest(requests[0]!.message).msg).toMatchObject({ 'res-id': 3, cmd: { command: 'bind', pf: 0 } });
    const config = requests[1]!.message;
    const bytes = config.buffer.slice(config.offset, config.offset + config.length);
    // The sequence number and port are the socket's own: compare the rest.
    new DataView(bytes.buffer).setUint32(8, 1, true);
    new DataView(bytes.buffer).setUint32(12, 0, true);
    expect(toHex(bytes)).toBe(toHex(NFQUEUE_CONFIG_FAIL_OPEN));
  });

  it('sends each verdict unacknowledged with the packet id as its sequence number, and refuses a second one', async () => {
    const { kernel, requests } = nfqueueKernel();
    const socket = await kernel.open(Protocol.NETFILTER);
    await using nfq = await NfqueueSocket.open({ socket });
    const q = await nfq.queue(3);
    kernel.endpoint(socket.portId).deliver(packetWithId(1));
    const p = (await q.next()).value as NfqueuePacket;
    expect(p).toBeInstanceOf(NfqueuePacket);
    expect(q.pending).toBe(1);
    p.setMark(42).accept();
    expect(q.pending).toBe(0);
    await kernel.settle();
    const verdict = requests.at(-1)!.message;
    expect(toHex(verdict.buffer.subarray(verdict.offset, verdict.offset + verdict.length))).toBe(toHex(NFQUEUE_VERDICT_ACCEPT_MARK));
    expect(() => p.drop()).toThrow(/^packet 1 of queue 3 already has a verdict \(accept\)/);
    expect(requests).toHaveLength(3);
  });

  it('hands a verdict the kernel rejects to onVerdictError, naming the packet', async () => {
    const errors: NfqueueVerdictError[] = [];
    let failed!: () => void;
    const rejected = new Promise<void>((resolve) => (failed = resolve));
    const kernel = new FakeKernel({
      handler: (req) => {
        // nfqnl_recv_verdict() on an unknown id: ENOENT, sent though no ACK was asked for.
        if (req.type === 0x301) req.ack(2);
        else if (req.message.flags & 4) req.ack();
      },
    });
    const socket = await kernel.open(Protocol.NETFILTER);
    await using nfq = await NfqueueSocket.open({ socket });
    const q = await nfq.queue(3, {
      onVerdictError: (e) => {
        errors.push(e);
        failed();
      },
    });
    kernel.endpoint(socket.portId).deliver(packetWithId(77));
    const p = (await q.next()).value as NfqueuePacket;
    p.drop();
    await rejected;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NfqueueVerdictError);
    expect(errors[0]).toMatchObject({ code: 'ENOENT', packetId: 77, message: 'nfqueue verdict failed: No such file or directory (ENOENT)' });
    expect(q.verdictErrors).toBe(1);
  });

  it('without onVerdictError, the iterator throws the rejected verdict after the packets already queued', async () => {
    const kernel = new FakeKernel({ handler: (req) => (req.type === 0x301 ? req.ack(2) : req.message.flags & 4 ? req.ack() : undefined) });
    const socket = await kernel.open(Protocol.NETFILTER);
    await using nfq = await NfqueueSocket.open({ socket });
    const q = await nfq.queue(3);
    const end = kernel.endpoint(socket.portId);
    end.deliver(packetWithId(1));
    const p = (await q.next()).value as NfqueuePacket;
    p.accept();
    end.deliver(packetWithId(2));
    await kernel.settle();
    expect(((await q.next()).value as NfqueuePacket).id).toBe(2);
    await expect(q.next()).rejects.toThrow(NfqueueVerdictError);
  });

  it('a batch verdict settles every packet up to its id, those not read yet included', async () => {
    const { kernel, requests } = nfqueueKernel();
    const socket = await kernel.open(Protocol.NETFILTER);
    await using nfq = await NfqueueSocket.open({ socket });
    const q = await nfq.queue(3);
    const end = kernel.endpoint(socket.portId);
    for (const id of [1, 2, 3, 4]) end.deliver(packetWithId(id));
    await kernel.settle();
    const first = (await q.next()).value as NfqueuePacket;
    q.verdictBatch('drop', 3, { mark: 5 });
    await kernel.settle();
    expect(nfqueueFamily.decodeRequest(requests.at(-1)!.message)).toMatchObject({
      name: 'verdict-batch',
      msg: { 'res-id': 3, 'verdict-hdr': { verdict: 'drop', id: 3 }, mark: 5 },
    });
    expect(first.verdict).toBe('drop');
    const rest = [(await q.next()).value, (await q.next()).value, (await q.next()).value] as NfqueuePacket[];
    expect(rest.map((x) => [x.id, x.verdict])).toEqual([
      [2, 'drop'],
      [3, 'drop'],
      [4, undefined],
    ]);
    expect(q.pending).toBe(1);
  });

  it('on abort, the iterator throws an AbortError, the queue is unbound and later verdicts are refused', async () => {
    const { kernel, requests } = nfqueueKernel();
    const socket = await kernel.open(Protocol.NETFILTER);
    await using nfq = await NfqueueSocket.open({ socket });
    const ac = new AbortController();
    const q = await nfq.queue(3, { signal: ac.signal });
    kernel.endpoint(socket.portId).deliver(packetWithId(1));
    const p = (await q.next()).value as NfqueuePacket;
    ac.abort();
    await expect(q.next()).rejects.toThrow(AbortError);
    await kernel.settle();
    expect(nfqueueFamily.decodeRequest(requests.at(-1)!.message).msg).toMatchObject({ 'res-id': 3, cmd: { command: 'unbind' } });
    expect(() => p.accept()).toThrow(/^queue 3 is closed/);
  });

  it('checks arguments before anything is sent, naming the field', async () => {
    const { kernel, requests } = nfqueueKernel();
    const socket = await kernel.open(Protocol.NETFILTER);
    await using nfq = await NfqueueSocket.open({ socket });
    await expect(nfq.queue(1.5)).rejects.toThrow(/^num: /);
    await expect(nfq.queue(1, { copyMode: 'full' as never })).rejects.toThrow(new RangeError("copyMode: expected one of none, meta, packet, got 'full'"));
    await expect(nfq.queue(1, { copyRange: 65536 })).rejects.toThrow(/^copyRange: /);
    await expect(nfq.queue(1, { maxLen: -1 })).rejects.toThrow(/^maxLen: /);
    await expect(nfq.queue(1, { gso: 1 as never })).rejects.toThrow(TypeError);
    await expect(nfq.queue(1, { onVerdictError: 'log' as never })).rejects.toThrow(/^onVerdictError: /);
    expect(requests).toHaveLength(0);
    const q = await nfq.queue(3);
    await expect(nfq.queue(3)).rejects.toThrow(new RangeError('num: queue 3 is already bound on this socket'));
    kernel.endpoint(socket.portId).deliver(packetWithId(1));
    const p = (await q.next()).value as NfqueuePacket;
    expect(() => q.verdictBatch('pass' as never, p)).toThrow(new RangeError("verdict: expected 'accept', 'drop' or 'repeat', got 'pass'"));
    expect(() => q.verdictBatch('accept', -1)).toThrow(/^upTo: /);
    expect(() => p.accept({ payload: new Uint8Array(0) })).toThrow(new RangeError('payload: length must be 1..65531 bytes, got 0'));
    expect(() => p.repeat({ mark: 1.5 })).toThrow(/^mark: /);
    expect(p.verdict).toBeUndefined();
  });
});
