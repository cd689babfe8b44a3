// The connector and the proc connector without root: cn_msg encoding and
// decoding, process events decoded from captured messages
// (test/vectors/connector.ts), and ProcConnector's listen/ignore handshake,
// filters, overruns and malformed messages over the fake kernel.
import { describe, expect, it } from 'vitest';
import { MessageView, NetlinkDecodeError, NetlinkError, NetlinkTimeoutError, Protocol, dataViewOf } from '../../../src/index.js';
import { FakeKernel, type FakeRequest } from '../../../src/testing/index.js';
import {
  CN_IDX_PROC,
  CN_VAL_PROC,
  PROC_CN_MCAST_IGNORE,
  PROC_CN_MCAST_LISTEN,
  PROC_EVENT,
  ProcConnector,
  decodeCnMsg,
  decodeProcEvent,
  decodeProcMessage,
  encodeCnMessage,
} from '../../../src/families/connector/index.js';
import * as V from '../../vectors/connector.js';

const msg = (bytes: Uint8Array): MessageView => MessageView.from(bytes);

describe('cn_msg', () => {
  it('encodes a connector message as the kernel reads it', () => {
    const op = new Uint8Array([1, 0, 0, 0]);
    const bytes = encodeCnMessage({ idx: CN_IDX_PROC, val: CN_VAL_PROC, seq: 5, ack: 0x01020304 }, op, 77);
    expect(Array.from(bytes)).toEqual([
      40,
      0,
      0,
      0,
      3,
      0,
      1,
      0,
      5,
      0,
      0,
      0,
      77,
      0,
      0,
      0, // nlmsghdr: len 40, NLMSG_DONE, NLM_F_REQUEST, seq 5, port 77
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      5,
      0,
      0,
      0,
      4,
      3,
      2,
      1,
      4,
      0,
      0,
      0, // cn_msg: idx 1, val 1, seq 5, ack, len 4, flags 0
      1,
      0,
      0,
      0, // PROC_CN_MCAST_LISTEN
    ]);
    expect(decodeCnMsg(msg(bytes).payload)).toEqual({ idx: 1, val: 1, seq: 5, ack: 0x01020304, flags: 0, data: op });
  });

  it('refuses a header that is cut short or a len past the message', () => {
    expect(() => decodeCnMsg(new Uint8Array(19), 16)).toThrow(new NetlinkDecodeError('19 bytes are too few for a cn_msg (20)', 16, 'cn_msg'));
    const cut = msg(V.PROC_FORK).payload.subarray(0, 40);
    expect(() => decodeCnMsg(cut, 16)).toThrow(new NetlinkDecodeError('cn_msg len 40 runs past the message (20 bytes of data)', 32, 'cn_msg'));
  });

  it('refuses out-of-range header fields before anything is sent', () => {
    expect(() => encodeCnMessage({ idx: -1, val: 1 }, new Uint8Array(0))).toThrow(new RangeError('idx must be a 32-bit unsigned integer, got -1'));
    expect(() => encodeCnMessage({ idx: 1, val: 1, flags: 0x10000 }, new Uint8Array(0))).toThrow(new RangeError('flags must be a 16-bit unsigned integer, got 65536'));
    expect(() => encodeCnMessage({ idx: 1, val: 1 }, new Uint8Array(16384))).toThrow(new RangeError('data of 16384 bytes is larger than the connector accepts'));
  });
});

describe('process events from captured messages', () => {
  it('decodes fork, exec and exit of `sh -c "exit 3"`', () => {
    const common = { cpu: expect.any(Number), timestamp: expect.any(BigInt), seq: expect.any(Number) };
    expect(decodeProcMessage(msg(V.PROC_FORK))).toEqual({
      what: 'fork',
      pid: 14739,
      tgid: 14739,
      ...common,
      parentPid: 14684,
      parentTgid: 14684,
      childPid: 14739,
      childTgid: 14739,
    });
    expect(decodeProcMessage(msg(V.PROC_EXEC))).toEqual({ what: 'exec', pid: 14739, tgid: 14739, ...common });
    expect(decodeProcMessage(msg(V.PROC_EXIT_3))).toEqual({
      what: 'exit',
      pid: 14739,
      tgid: 14739,
      ...common,
      status: 0x300,
      exitCode: 3,
      signal: null,
      coreDumped: false,
      exitSignal: 17,
      parentPid: 14684,
      parentTgid: 14684,
    });
  });

  it('reads the header fields as the kernel wrote them', () => {
    const fork = decodeProcMessage(msg(V.PROC_FORK))!;
    expect({ cpu: fork.cpu, seq: fork.seq, timestamp: fork.timestamp }).toEqual({ cpu: 0, seq: 0x17, timestamp: 0x40cc45ad389n });
  });

  it('decodes sid, uid, gid, comm, ptrace, coredump and an exit by a signal', () => {
    expect(decodeProcMessage(msg(V.PROC_SID))).toMatchObject({ what: 'sid', pid: 0x3fc0, tgid: 0x3fc0 });
    expect(decodeProcMessage(msg(V.PROC_UID))).toMatchObject({ what: 'uid', ruid: 65534, euid: 65534 });
    expect(decodeProcMessage(msg(V.PROC_GID))).toMatchObject({ what: 'gid', rgid: 65534, egid: 65534 });
    expect(decodeProcMessage(msg(V.PROC_COMM))).toMatchObject({ what: 'comm', pid: 0x3fc2, comm: 'nlkit-comm' });
    expect(decodeProcMessage(msg(V.PROC_PTRACE))).toMatchObject({ what: 'ptrace', pid: 0x428b, tracerPid: 0x4289, tracerTgid: 0x4289 });
    expect(decodeProcMessage(msg(V.PROC_COREDUMP))).toMatchObject({ what: 'coredump', pid: 0x428a, parentPid: 0x4273 });
    expect(decodeProcMessage(msg(V.PROC_EXIT_SEGV))).toMatchObject({ what: 'exit', pid: 0x428a, status: 11, exitCode: null, signal: 11, coreDumped: false, exitSignal: 17 });
  });

  it('skips kinds it does not know and messages of other connector users', () => {
    const data = new Uint8Array(40);
    dataViewOf(data).setUint32(0, 0x400, true); // the "next" kind cn_proc.h reserves
    expect(decodeProcEvent(data)).toBeUndefined();
    const other = encodeCnMessage({ idx: 7, val: 1 }, new Uint8Array(40));
    expect(decodeProcMessage(msg(other))).toBeUndefined();
  });

  it('refuses an event too short for its kind', () => {
    const data = new Uint8Array(30);
    dataViewOf(data).setUint32(0, PROC_EVENT.exit, true);
    expect(() => decodeProcEvent(data, 0, 0, 36)).toThrow(new NetlinkDecodeError('a exit event needs 24 bytes of event_data, got 14', 52, 'proc_event'));
    expect(() => decodeProcEvent(new Uint8Array(8), 0, 0, 36)).toThrow(new NetlinkDecodeError('8 bytes are too few for a proc_event header (16)', 36, 'proc_event'));
  });
});

/** A proc_event message as the kernel multicasts it. */
function procMessage(what: number, words: readonly number[], cn: { seq?: number; ack?: number } = {}): Uint8Array {
  const data = new Uint8Array(40);
  const dv = dataViewOf(data);
  dv.setUint32(0, what, true);
  dv.setBigUint64(8, 123456789n, true);
  words.forEach((w, i) => dv.setInt32(16 + 4 * i, w, true));
  return encodeCnMessage({ idx: CN_IDX_PROC, val: CN_VAL_PROC, seq: cn.seq ?? 0, ack: cn.ack ?? 0 }, data);
}

/** The connector's side of the handshake: acknowledge each request on the group, as cn_proc_ack() does. */
function connectorKernel(options: { err?: number; silent?: boolean } = {}): { kernel: FakeKernel; ops: number[][] } {
  const ops: number[][] = [];
  const kernel = new FakeKernel({
    handler: (req: FakeRequest) => {
      const cn = decodeCnMsg(req.payload);
      const dv = dataViewOf(cn.data);
      ops.push(Array.from({ length: cn.data.length / 4 }, (_, i) => dv.getUint32(4 * i, true)));
      if (!options.silent) kernel.multicast(CN_IDX_PROC, procMessage(PROC_EVENT.none, [options.err ?? 0], { ack: (cn.ack + 1) >>> 0 }));
    },
  });
  return { kernel, ops };
}

describe('ProcConnector on the fake kernel', () => {
  it('says LISTEN, waits for its own acknowledgement, yields events, and says IGNORE on close', async () => {
    const { kernel, ops } = connectorKernel();
    const pc = await ProcConnector.fromSocket(await kernel.open(Protocol.CONNECTOR));
    expect(ops).toEqual([[PROC_CN_MCAST_LISTEN]]);
    const sub = pc.subscribe();
    kernel.multicast(CN_IDX_PROC, procMessage(PROC_EVENT.none, [0], { ack: 99 })); // another listener's acknowledgement
    kernel.multicast(CN_IDX_PROC, procMessage(PROC_EVENT.exec, [10, 10]));
    expect((await sub.next()).value).toMatchObject({ what: 'none', err: 0, ack: 99 });
    expect((await sub.next()).value).toMatchObject({ what: 'exec', pid: 10, tgid: 10, timestamp: 123456789n });
    pc.close();
    await kernel.settle();
    expect(ops).toEqual([[PROC_CN_MCAST_LISTEN], [PROC_CN_MCAST_IGNORE]]);
    expect(await sub.next()).toEqual({ value: undefined, done: true });
    pc.close();
    expect(ops).toHaveLength(2);
  });

  it('narrows to the kinds asked for after the acknowledgement (proc_input), and filters itself', async () => {
    const { kernel, ops } = connectorKernel();
    const pc = await ProcConnector.fromSocket(await kernel.open(Protocol.CONNECTOR), { events: ['fork', 'exit'] });
    await kernel.settle();
    expect(ops).toEqual([[PROC_CN_MCAST_LISTEN], [PROC_CN_MCAST_LISTEN, (PROC_EVENT.fork | PROC_EVENT.exit) >>> 0]]);
    const sub = pc.subscribe();
    kernel.multicast(CN_IDX_PROC, procMessage(PROC_EVENT.exec, [10, 10])); // a kernel before 6.6 sends it anyway
    kernel.multicast(CN_IDX_PROC, procMessage(PROC_EVENT.exit, [10, 10, 2 << 8, 17, 1, 1]));
    expect((await sub.next()).value).toMatchObject({ what: 'exit', exitCode: 2 });
    pc.close();
  });

  it('rejects with the errno the kernel acknowledges with, and times out when nothing answers', async () => {
    const refused = connectorKernel({ err: 22 });
    await expect(ProcConnector.fromSocket(await refused.kernel.open(Protocol.CONNECTOR))).rejects.toThrow(NetlinkError);
    const silent = connectorKernel({ silent: true });
    const sock = await silent.kernel.open(Protocol.CONNECTOR);
    await expect(ProcConnector.fromSocket(sock, { timeout: 50 })).rejects.toThrow(
      new NetlinkTimeoutError(50, 'PROC_CN_MCAST_LISTEN (the kernel ignores it from outside the initial user and pid namespaces)'),
    );
    sock.close();
  });

  it('reports overruns in-band and malformed messages by ending, or through onMalformed', async () => {
    const { kernel } = connectorKernel();
    const pc = await ProcConnector.fromSocket(await kernel.open(Protocol.CONNECTOR));
    const strict = pc.subscribe();
    const skipped: string[] = [];
    const lenient = pc.subscribe({ onMalformed: (err) => void skipped.push(err.message) });
    kernel.endpoint(pc.socket.portId).overrun();
    const bad = procMessage(PROC_EVENT.fork, [1, 1, 2, 2]);
    dataViewOf(bad).setUint16(32, 4, true); // cn_msg.len 4: too short for a proc_event
    kernel.multicast(CN_IDX_PROC, bad);
    kernel.multicast(CN_IDX_PROC, procMessage(PROC_EVENT.sid, [3, 3]));
    expect((await strict.next()).value).toEqual({ overrun: true, truncated: false });
    await expect(strict.next()).rejects.toThrow(new NetlinkDecodeError('4 bytes are too few for a proc_event header (16)', 36, 'proc_event'));
    expect((await lenient.next()).value).toEqual({ overrun: true, truncated: false });
    expect((await lenient.next()).value).toMatchObject({ what: 'sid', pid: 3 });
    expect(skipped).toEqual(['proc_event: 4 bytes are too few for a proc_event header (16) (at byte 36)']);
    pc.close();
  });

  it('refuses a netns and unknown kinds before opening anything', async () => {
    await expect(ProcConnector.open({ netns: 'x' } as never)).rejects.toThrow(
      new TypeError('the proc connector is host-only: the kernel has its connector socket in the initial network namespace only (no netns option)'),
    );
    await expect(ProcConnector.open({ events: ['forks' as never] })).rejects.toThrow(
      new RangeError("unknown process event 'forks': one of fork, exec, uid, gid, sid, ptrace, comm, coredump, exit, none"),
    );
  });
});
