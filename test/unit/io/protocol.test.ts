// Every path of the request / dump / subscription protocol, driven by the fake
// kernel of nlkit/testing: no root, no addon.
import { afterEach, describe, expect, it } from 'vitest';
import { NLM_F_ACK, NLM_F_DUMP_FILTERED, NLM_F_DUMP_INTR, NLM_F_REQUEST, Protocol } from '../../../src/core/constants.js';
import { AbortError, DumpInterruptedError, NetlinkError, NetlinkOverrunError, NetlinkTimeoutError, NetlinkTruncatedError, SocketClosedError } from '../../../src/core/errors.js';
import { MessageWriter } from '../../../src/core/writer.js';
import type { MessageView } from '../../../src/core/message.js';
import type { NetlinkSocket } from '../../../src/io/socket.js';
import { isOverrun, type SubscriptionItem } from '../../../src/io/subscription.js';
import { FakeKernel, type FakeRequest } from '../../../src/testing/index.js';

const GET = 18;
const ENTRY = 16;

function message(type: number, flags = NLM_F_REQUEST, payload: Uint8Array = new Uint8Array(4)): Uint8Array {
  const w = new MessageWriter(64);
  w.beginMessage(type, flags);
  w.putRaw(payload);
  w.endMessage();
  return w.finishCopy();
}

/** A payload that says which entry it is. */
function entry(i: number): { type: number; payload: Uint8Array } {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, i, true);
  return { type: ENTRY, payload };
}

/** Messages back to back, as one datagram (a batch). */
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const idOf = (m: MessageView): number => new DataView(m.bytes.buffer, m.bytes.byteOffset + 16, 4).getUint32(0, true);
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

describe('the protocol over a fake kernel', () => {
  const sockets: NetlinkSocket[] = [];
  async function open(kernel: FakeKernel, protocol: number = Protocol.ROUTE): Promise<NetlinkSocket> {
    const s = await kernel.open(protocol);
    sockets.push(s);
    return s;
  }
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  describe('requests', () => {
    it('resolves with the replies once the kernel acknowledges', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.reply([entry(1), entry(2)]).ack() });
      const sock = await open(kernel);
      const replies = await sock.request(message(GET));
      expect(replies.map(idOf)).toEqual([1, 2]);
      expect(kernel.requests[0]!.flags & 0x4).toBe(0x4); // NLM_F_ACK was added
    });

    it('rejects with errno, code, the extended-ack text and the attribute path', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.ack(22, { message: 'bad value', offset: 20 }) });
      const sock = await open(kernel);
      const err = await rejection(sock.request(message(GET), { name: 'GET', describe: (ext) => ({ attributePath: `at ${ext.offset}` }) }));
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err).toMatchObject({ errno: 22, code: 'EINVAL', extAck: { message: 'bad value', offset: 20 }, attributePath: 'at 20' });
      expect(err.message).toMatch(/^GET failed: /);
    });

    it("hands the kernel's warning on a successful request to onWarning, the call's before the socket's", async () => {
      const kernel = new FakeKernel({ handler: (req) => req.reply([entry(1)]).ack(0, { message: 'option ignored' }) });
      const socketWarnings: string[] = [];
      const sock = await kernel.open(Protocol.ROUTE, { onWarning: (m) => socketWarnings.push(m) });
      sockets.push(sock);
      const callWarnings: string[] = [];
      expect((await sock.request(message(GET), { onWarning: (m) => callWarnings.push(m) })).map(idOf)).toEqual([1]);
      expect(callWarnings).toEqual(['option ignored']);
      expect(socketWarnings).toEqual([]);
      await sock.request(message(GET));
      expect(socketWarnings).toEqual(['option ignored']);
    });

    it('rejects an onWarning that is not a function before sending', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.ack() });
      const sock = await open(kernel);
      await expect(sock.request(message(GET), { onWarning: 'print' as never })).rejects.toThrow(new TypeError('onWarning must be a function'));
      expect(kernel.requests.length).toBe(0);
      await expect(kernel.open(Protocol.ROUTE, { onWarning: 1 as never })).rejects.toThrow(new TypeError('onWarning must be a function'));
    });

    it('takes an answer the kernel queued inside send() at once, without waiting for the event loop', async () => {
      const kernel = new FakeKernel({ inline: true, handler: (req) => req.reply([entry(7)]).ack() });
      const sock = await open(kernel);
      const endpoint = kernel.endpoint(sock.portId);
      const answer = sock.request(message(GET));
      expect(endpoint.backlog).toBe(0); // read inside request()
      expect((await answer).map(idOf)).toEqual([7]);
      const batch = sock.requestBatch(concat(message(GET, NLM_F_REQUEST | NLM_F_ACK), message(GET, NLM_F_REQUEST | NLM_F_ACK)));
      expect(endpoint.backlog).toBe(0);
      expect((await batch).map((r) => r.map(idOf))).toEqual([[7], [7]]);
    });

    it('gives events read with an inline answer to their subscription, in order, before the answer resolves', async () => {
      // The kernel queues an event, then answers a request on the same socket inside send().
      const kernel = new FakeKernel({
        inline: true,
        handler: (req) => {
          kernel.multicast(3, message(ENTRY, 0, entry(41).payload));
          req.reply([entry(7)]).ack();
        },
      });
      const sock = await open(kernel);
      const sub = sock.subscribe(3);
      const answer = sock.request(message(GET));
      expect(kernel.endpoint(sock.portId).backlog).toBe(0);
      expect((await answer).map(idOf)).toEqual([7]);
      expect(idOf((await sub.next()).value as MessageView)).toBe(41);
      sub.close();
    });

    it('rejects a request whose warning handler closes the socket during the inline answer, without throwing from request()', async () => {
      const kernel = new FakeKernel({ inline: true, handler: (req) => req.ack(0, { message: 'careful' }) });
      const sock = await open(kernel);
      let answer: Promise<MessageView[]> | undefined;
      expect(() => {
        answer = sock.request(message(GET), { onWarning: () => sock.close() });
      }).not.toThrow();
      await expect(answer).rejects.toBeInstanceOf(SocketClosedError);
    });

    it('leaves an answer that is not there yet to the event loop', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.reply([entry(8)]).ack() });
      const sock = await open(kernel);
      expect((await sock.request(message(GET))).map(idOf)).toEqual([8]);
    });

    it('times out and frees its sequence number: a late answer is counted as unmatched', async () => {
      let late: FakeRequest | undefined;
      const kernel = new FakeKernel({ handler: (req) => void (late = req) });
      const sock = await open(kernel);
      const err = await rejection(sock.request(message(GET), { timeout: 20 }));
      expect(err).toBeInstanceOf(NetlinkTimeoutError);
      late!.ack();
      await kernel.settle();
      expect(sock.stats.unmatched).toBe(1);
    });

    it('rejects at once on an aborted signal, and on abort while waiting', async () => {
      const kernel = new FakeKernel({ handler: () => {} });
      const sock = await open(kernel);
      await expect(sock.request(message(GET), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
      const ac = new AbortController();
      const p = sock.request(message(GET), { signal: ac.signal });
      ac.abort();
      await expect(p).rejects.toBeInstanceOf(AbortError);
    });

    it('fails a pending request on an overrun (its answer may be among the lost)', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.socket.overrun() });
      const sock = await open(kernel);
      await expect(sock.request(message(GET))).rejects.toBeInstanceOf(NetlinkOverrunError);
    });

    it('waits for an answer that comes after the ACK when asked to (audit)', async () => {
      const kernel = new FakeKernel({
        handler: (req) => {
          req.ack();
          setImmediate(() => req.reply(entry(req.type === GET ? 9 : 0)));
        },
      });
      const sock = await open(kernel);
      expect((await sock.request(message(GET), { replyAfterAck: true })).map(idOf)).toEqual([9]);
      // Without the option the ACK ends the request, and the late reply is unmatched.
      expect(await sock.request(message(GET))).toEqual([]);
    });

    it('waits for the NLMSG_DONE of a multipart answer that comes after the ACK', async () => {
      const kernel = new FakeKernel({
        handler: (req) => {
          req.ack();
          req.reply([entry(1), entry(2)].map((e) => ({ ...e, flags: 2 })));
          req.done();
        },
      });
      const sock = await open(kernel);
      expect((await sock.request(message(GET), { replyAfterAck: true })).map(idOf)).toEqual([1, 2]);
    });

    it('fails pending requests with SocketClosedError on close()', async () => {
      const kernel = new FakeKernel({ handler: () => {} });
      const sock = await open(kernel);
      const p = sock.request(message(GET));
      sock.close();
      await expect(p).rejects.toBeInstanceOf(SocketClosedError);
    });
  });

  describe('dumps', () => {
    it('streams every message across datagrams, in order', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.dump(range(1000).map(entry), { perDatagram: 7 }) });
      const sock = await open(kernel);
      const ids: number[] = [];
      for await (const m of sock.dump(message(GET, NLM_F_REQUEST))) ids.push(idOf(m));
      expect(ids).toEqual(range(1000));
    });

    it('tells whether the kernel applied the filter (NLM_F_DUMP_FILTERED)', async () => {
      let filtered = false;
      const kernel = new FakeKernel({ handler: (req) => req.dump([entry(1)], { flags: filtered ? NLM_F_DUMP_FILTERED : 0 }) });
      const sock = await open(kernel);
      const plain = sock.dump(message(GET));
      for await (const _ of plain) void _;
      expect(plain.filtered).toBe(false);
      filtered = true;
      const applied = sock.dump(message(GET));
      for await (const _ of applied) void _;
      expect(applied.filtered).toBe(true);
    });

    it('throws DumpInterruptedError after the messages of an interrupted dump when it does not retry', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.dump(range(5).map(entry), { flags: NLM_F_DUMP_INTR }) });
      const sock = await open(kernel);
      const ids: number[] = [];
      const err = await rejection(
        (async () => {
          for await (const m of sock.dump(message(GET))) ids.push(idOf(m));
        })(),
      );
      expect(ids).toEqual(range(5));
      expect(err).toBeInstanceOf(DumpInterruptedError);
      expect(err).toMatchObject({ attempts: 1, received: 5 });
    });

    it('runs an interrupted dump again and yields only the consistent attempt', async () => {
      let attempt = 0;
      const kernel = new FakeKernel({
        handler: (req) => {
          attempt++;
          if (attempt === 1) req.dump(range(3).map(entry), { flags: NLM_F_DUMP_INTR });
          else req.dump(range(4, 100).map(entry));
        },
      });
      const sock = await open(kernel);
      const ids = (await sock.dumpAll(message(GET), { retry: 2 })).map(idOf);
      expect(ids).toEqual(range(4, 100));
      expect(kernel.requests.length).toBe(2);
    });

    it('gives up after the retries with what the last attempt read', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.dump(range(2).map(entry), { flags: NLM_F_DUMP_INTR }) });
      const sock = await open(kernel);
      const err = await rejection(sock.dumpAll(message(GET), { retry: 2 }));
      expect(err).toBeInstanceOf(DumpInterruptedError);
      expect((err as DumpInterruptedError<MessageView>).messages.map(idOf)).toEqual([0, 1]);
      expect(err).toMatchObject({ attempts: 3 });
    });

    it('queues dumps: the second request goes out only after the first is DONE', async () => {
      const held: FakeRequest[] = [];
      const kernel = new FakeKernel({ handler: (req) => void held.push(req) });
      const sock = await open(kernel);
      const first = sock.dumpAll(message(GET));
      const second = sock.dumpAll(message(GET));
      await kernel.settle();
      expect(kernel.requests.length).toBe(1);
      held[0]!.dump([entry(1)]);
      expect((await first).map(idOf)).toEqual([1]);
      await kernel.settle();
      expect(kernel.requests.length).toBe(2);
      held[1]!.dump([entry(2)]);
      expect((await second).map(idOf)).toEqual([2]);
    });

    it('reports EBUSY from the kernel as a NetlinkError', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.ack(16, { message: 'dump in progress' }) });
      const sock = await open(kernel);
      await expect(sock.dumpAll(message(GET))).rejects.toMatchObject({ code: 'EBUSY', extAck: { message: 'dump in progress' } });
    });

    it("hands the warning of a dump's NLMSG_DONE to onWarning and still yields every message", async () => {
      const kernel = new FakeKernel({ handler: (req) => req.reply([entry(1), entry(2)].map((e) => ({ ...e, flags: 2 }))).done(0, { message: 'filter ignored' }) });
      const sock = await open(kernel);
      const warnings: string[] = [];
      expect((await sock.dumpAll(message(GET), { onWarning: (m) => warnings.push(m) })).map(idOf)).toEqual([1, 2]);
      expect(warnings).toEqual(['filter ignored']);
    });

    it('reports a dump that fails midway (NLMSG_DONE with an error) after its messages', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.reply([entry(1)].map((e) => ({ ...e, flags: 2 }))).done(5, { message: 'storage failed' }) });
      const sock = await open(kernel);
      const ids: number[] = [];
      const err = await rejection(
        (async () => {
          for await (const m of sock.dump(message(GET))) ids.push(idOf(m));
        })(),
      );
      expect(ids).toEqual([1]);
      expect(err).toMatchObject({ code: 'EIO', extAck: { message: 'storage failed' } });
    });

    it('fails a dump whose datagram arrived truncated', async () => {
      const kernel = new FakeKernel({
        handler: (req) => {
          req.reply(
            [entry(1), entry(2)].map((e) => ({ ...e, flags: 2 })),
            { truncateTo: 24 },
          );
          req.done();
        },
      });
      const sock = await open(kernel);
      await expect(sock.dumpAll(message(GET))).rejects.toBeInstanceOf(NetlinkTruncatedError);
      expect(sock.stats.truncated).toBe(1);
    });

    it('stops on abort mid-dump, drains the rest, and the socket serves the next dump', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.dump(range(200).map(entry), { perDatagram: 10 }) });
      const sock = await open(kernel);
      const ac = new AbortController();
      const seen: number[] = [];
      const err = await rejection(
        (async () => {
          for await (const m of sock.dump(message(GET), { signal: ac.signal })) {
            seen.push(idOf(m));
            if (seen.length === 15) ac.abort();
          }
        })(),
      );
      expect(err).toBeInstanceOf(AbortError);
      expect(seen.length).toBeLessThanOrEqual(200);
      expect((await sock.dumpAll(message(GET))).length).toBe(200);
    });

    it('ends a dump with SocketClosedError when the socket closes mid-dump', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.reply([entry(1)].map((e) => ({ ...e, flags: 2 }))) });
      const sock = await open(kernel);
      const it = sock.dump(message(GET));
      expect(idOf((await it.next()).value as MessageView)).toBe(1);
      const next = it.next();
      sock.close();
      await expect(next).rejects.toBeInstanceOf(SocketClosedError);
    });

    it('breaking out of a dump drains it, so the next dump on the socket gets its own answer', async () => {
      let n = 0;
      const kernel = new FakeKernel({ handler: (req) => req.dump(range(50, 100 * ++n).map(entry), { perDatagram: 5 }) });
      const sock = await open(kernel);
      for await (const m of sock.dump(message(GET))) {
        expect(idOf(m)).toBe(100);
        break;
      }
      const ids = (await sock.dumpAll(message(GET))).map(idOf);
      expect(ids).toEqual(range(50, 200));
    });
  });

  describe('subscriptions', () => {
    it('yields multicast messages in order, with an overrun in-band where the kernel dropped', async () => {
      const kernel = new FakeKernel();
      const sock = await open(kernel);
      const sub = sock.subscribe(3);
      kernel.multicast(3, message(ENTRY, 0, entry(1).payload));
      await kernel.settle();
      // Like the kernel, the fake reports ENOBUFS before what it still holds.
      kernel.endpoint(sock.portId).overrun();
      kernel.multicast(3, message(ENTRY, 0, entry(2).payload));
      const items: string[] = [];
      for (let i = 0; i < 3; i++) {
        const item = (await sub.next()).value as SubscriptionItem;
        items.push(isOverrun(item) ? 'overrun' : String(idOf(item)));
      }
      expect(items).toEqual(['1', 'overrun', '2']);
      sub.close();
    });

    it('marks a truncated datagram in-band', async () => {
      const kernel = new FakeKernel();
      const sock = await open(kernel);
      const sub = sock.subscribe(3);
      kernel.multicast(3, message(ENTRY, 0, new Uint8Array(100)), { truncateTo: 40 });
      expect((await sub.next()).value).toEqual({ overrun: true, truncated: true });
      sub.close();
    });

    it('a full queue stops reading until the consumer catches up; the kernel then drops with ENOBUFS', async () => {
      const kernel = new FakeKernel();
      const sock = await open(kernel);
      const endpoint = kernel.endpoint(sock.portId);
      endpoint.receiveBuffer = 100;
      const sub = sock.subscribe(3, { maxQueue: 2 });
      for (let i = 0; i < 2; i++) kernel.multicast(3, message(ENTRY, 0, entry(i).payload));
      await kernel.settle();
      expect(endpoint.readingPaused).toBe(true);
      // Five 20-byte events fit the 100-byte buffer; the kernel drops the other five.
      for (let i = 2; i < 12; i++) kernel.multicast(3, message(ENTRY, 0, entry(i).payload));
      const items: string[] = [];
      for (let i = 0; i < 8; i++) {
        const item = (await sub.next()).value as SubscriptionItem;
        items.push(isOverrun(item) ? 'overrun' : String(idOf(item)));
      }
      expect(items).toEqual(['0', '1', 'overrun', '2', '3', '4', '5', '6']);
      sub.close();
    });

    it('never keeps a dump waiting behind a full subscription: the subscription drops and says so', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.dump(range(3).map(entry)) });
      const sock = await open(kernel);
      const sub = sock.subscribe(3, { maxQueue: 1 });
      kernel.multicast(3, message(ENTRY, 0, entry(100).payload));
      await kernel.settle();
      expect(kernel.endpoint(sock.portId).readingPaused).toBe(true);
      kernel.multicast(3, message(ENTRY, 0, entry(101).payload));
      expect((await sock.dumpAll(message(GET))).map(idOf)).toEqual([0, 1, 2]);
      const first = (await sub.next()).value as SubscriptionItem;
      const second = (await sub.next()).value as SubscriptionItem;
      expect(isOverrun(first) ? 'overrun' : idOf(first)).toBe(100);
      expect(isOverrun(second)).toBe(true);
      sub.close();
    });

    it('on a user-space protocol takes only what the named port sends', async () => {
      const kernel = new FakeKernel();
      const server = await open(kernel, Protocol.USERSOCK);
      const forger = await open(kernel, Protocol.USERSOCK);
      const client = await open(kernel, Protocol.USERSOCK);
      const sub = client.subscribe(1, { from: server.portId });
      forger.send(message(ENTRY, 0, entry(666).payload), { port: forger.portId, groups: 1 });
      server.send(message(ENTRY, 0, entry(7).payload), { port: server.portId, groups: 1 });
      expect(idOf((await sub.next()).value as MessageView)).toBe(7);
      sub.close();
    });
  });

  describe('datagram framing', () => {
    it('hands kobject uevents over whole (they are text, not netlink messages)', async () => {
      const kernel = new FakeKernel();
      const sock = await open(kernel, Protocol.KOBJECT_UEVENT);
      expect(sock.framing).toBe('datagram');
      expect(() => sock.subscribe(1)).toThrow(TypeError);
      const sub = sock.subscribeDatagrams(1);
      const text = 'add@/devices/virtual/net/a0\0ACTION=add\0DEVPATH=/devices/virtual/net/a0\0SUBSYSTEM=net\0SEQNUM=7\0';
      kernel.multicast(1, new TextEncoder().encode(text));
      const d = (await sub.next()).value as { bytes: Uint8Array; senderPort: number; group: number };
      expect(new TextDecoder().decode(d.bytes)).toBe(text);
      expect(d).toMatchObject({ senderPort: 0, group: 1 });
      sub.close();
    });

    it('hears user-space senders on a kernel protocol only when asked to (udev re-broadcasts)', async () => {
      const kernel = new FakeKernel();
      const strict = await open(kernel, Protocol.KOBJECT_UEVENT);
      const open2 = await kernel.open(Protocol.KOBJECT_UEVENT, { userSenders: true });
      sockets.push(open2);
      const a = strict.subscribeDatagrams(2);
      const b = open2.subscribeDatagrams(2);
      kernel.multicast(2, new TextEncoder().encode('libudev'), { from: 4242 });
      kernel.multicast(2, new TextEncoder().encode('kernel'), { from: 0 });
      expect(new TextDecoder().decode(((await a.next()).value as { bytes: Uint8Array }).bytes)).toBe('kernel');
      expect(new TextDecoder().decode(((await b.next()).value as { bytes: Uint8Array }).bytes)).toBe('libudev');
      expect(strict.stats.dropped).toBe(1);
      a.close();
      b.close();
    });
  });

  describe('lifetime', () => {
    it('keeps the event loop only while something is in flight', async () => {
      const kernel = new FakeKernel({ handler: (req) => req.ack() });
      const sock = await open(kernel);
      const endpoint = kernel.endpoint(sock.portId);
      expect(endpoint.referenced).toBe(false);
      const p = sock.request(message(GET));
      expect(endpoint.referenced).toBe(true);
      await p;
      expect(endpoint.referenced).toBe(false);
      const sub = sock.subscribe(3);
      expect(endpoint.referenced).toBe(true);
      sock.unref();
      expect(endpoint.referenced).toBe(false);
      sock.ref();
      expect(endpoint.referenced).toBe(true);
      sub.close();
      expect(endpoint.referenced).toBe(false);
    });

    it('close() is idempotent and closes the native side', async () => {
      const kernel = new FakeKernel();
      const sock = await open(kernel);
      const endpoint = kernel.endpoint(sock.portId);
      sock.close();
      sock.close();
      expect(endpoint.closed).toBe(true);
      expect(() => sock.subscribe(1)).toThrow(SocketClosedError);
    });
  });
});
