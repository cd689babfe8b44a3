// The taskstats codec and decoders on captured bytes (test/vectors/taskstats.ts):
// struct taskstats laid out as the C struct (offsets checked against
// offsetof() of include/uapi/linux/taskstats.h), replies and exit
// statistics decoded with camelCase names, older (shorter) and newer
// (longer) structs, malformed messages as NetlinkDecodeError, and the CPU
// list checks of subscribeExits().
import { beforeAll, describe, expect, it } from 'vitest';
import { MessageView, NetlinkDecodeError, Protocol, isOverrun } from '../../../src/index.js';
import { FakeKernel } from '../../../src/testing/index.js';
import { cpuList, decodeCgroupStats, decodeTaskExit, encodeCgroupStatsRequest, encodeListener, loadTaskstatsFamily } from '../../../src/families/taskstats/index.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { toHex } from '../../vectors/hex.js';
import { family, type TaskstatsAttrs } from '../../../src/families/generated/TASKSTATS.js';
import type { StructDefinition } from '../../../src/schema/model.js';
import { CGROUPSTATS_PIDS_ROOT, TASKSTATS_EXIT_NODE_5, TASKSTATS_PID_REPLY, TASKSTATS_TGID_REPLY } from '../../vectors/taskstats.js';

// The standalone encoders and decoders use the family, which 'nlkit' loads on first use.
beforeAll(async () => {
  await loadTaskstatsFamily();
});
const struct = family.spec.definitions.find((d) => d.name === 'taskstats') as StructDefinition;
const offsetOf = (name: string): number => struct.members.find((m) => m.name === name)!.offset;

/** The aggr-pid or aggr-tgid nest of a decoded reply, its stats as a plain record. */
function nest(bytes: Uint8Array, which: 'aggr-pid' | 'aggr-tgid'): { pid?: number; tgid?: number; stats: Record<string, unknown> } {
  const d = family.decode(MessageView.from(bytes));
  expect(d.name).toBe('get');
  const aggr = (d.msg as TaskstatsAttrs)[which]!;
  return { ...(aggr.pid !== undefined ? { pid: aggr.pid } : {}), ...(aggr.tgid !== undefined ? { tgid: aggr.tgid } : {}), stats: { ...aggr.stats! } };
}

/** A copy of a one-nest reply whose stats struct is `delta` bytes longer (filled with 0xab) or shorter. */
function resized(bytes: Uint8Array, delta: number): Uint8Array {
  const out = new Uint8Array(bytes.length + delta);
  const keep = Math.min(bytes.length, out.length);
  out.set(bytes.subarray(0, keep));
  if (delta > 0) out.fill(0xab, bytes.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, out.length, true); // nlmsg_len
  dv.setUint16(20, dv.getUint16(20, true) + delta, true); // aggr-*
  dv.setUint16(32, dv.getUint16(32, true) + delta, true); // stats
  return out;
}

describe('struct taskstats', () => {
  // offsetof() and sizeof() with Linux 6.1's header (version 13, 416 bytes), and 6.18's size as the kernel sends it.
  const OFFSETS: Array<[string, number]> = [
    ['ac-exitcode', 4],
    ['ac-flag', 8],
    ['cpu-count', 16],
    ['ac-comm', 80],
    ['ac-sched', 112],
    ['ac-uid', 120],
    ['ac-btime', 136],
    ['ac-etime', 144],
    ['nvcsw', 272],
    ['thrashing-count', 328],
    ['ac-btime64', 344],
    ['ac-tgid', 368],
    ['ac-tgetime', 376],
    ['wpcopy-delay-total', 408],
    ['irq-count', 416],
    ['cpu-delay-max', 432],
  ];
  it.each(OFFSETS)('has %s at offset %i, as the C struct', (name, offset) => {
    expect(offsetOf(name)).toBe(offset);
  });

  it('is 560 bytes, the size Linux 6.18 sends (version 16)', () => {
    expect(struct.size).toBe(560);
    expect(new DataView(TASKSTATS_PID_REPLY.buffer).getUint16(32, true)).toBe(4 + 560);
  });
});

describe('taskstats replies', () => {
  it('decodes the reply for a pid: aggr-pid with the pid and the stats of /bin/sleep', () => {
    const aggr = nest(TASKSTATS_PID_REPLY, 'aggr-pid');
    expect(aggr.pid).toBe(21020);
    expect(aggr.stats).toMatchObject({ version: 16, 'ac-comm': 'sleep', 'ac-pid': 21020, 'ac-ppid': 20979, 'ac-tgid': 21020, 'ac-exitcode': 0, __rest: undefined });
    expect(typeof aggr.stats['nvcsw']).toBe('bigint');
  });

  it('decodes the reply for a tgid: aggr-tgid with the sums (the kernel leaves ac_comm and ac_pid empty there)', () => {
    const aggr = nest(TASKSTATS_TGID_REPLY, 'aggr-tgid');
    expect(aggr.tgid).toBe(21020);
    expect(aggr.stats).toMatchObject({ version: 16, 'ac-comm': '', 'ac-pid': 0, nvcsw: 1n });
  });

  it("decodes a shorter struct (an older kernel's version 13) with the later members undefined", () => {
    const { stats } = nest(resized(TASKSTATS_PID_REPLY, 416 - 560), 'aggr-pid');
    expect(stats['ac-pid']).toBe(21020);
    expect(typeof stats['wpcopy-delay-total']).toBe('bigint');
    expect(stats['irq-count']).toBeUndefined();
    expect(stats['cpu-delay-max']).toBeUndefined();
  });

  it("keeps the bytes of a newer kernel's longer struct", () => {
    const { stats } = nest(resized(TASKSTATS_PID_REPLY, 16), 'aggr-pid');
    expect(stats['__rest']).toEqual(new Uint8Array(16).fill(0xab));
  });
});

describe('decodeTaskExit', () => {
  it('reads the exit of a node process: the last thread out, its exit code 5, and the group sums', () => {
    const e = decodeTaskExit(MessageView.from(TASKSTATS_EXIT_NODE_5));
    expect(e).toMatchObject({ pid: 21041, exitCode: 5, signal: null, tgid: 21025 });
    expect(e.stats).toMatchObject({ version: 16, acComm: 'node', acPid: 21041, acTgid: 21025, acExitcode: 5 << 8, rest: undefined });
    expect(e.groupStats).toMatchObject({ version: 16 });
    expect(Object.keys(e.stats)).toContain('cpuDelayMax');
    expect(Object.keys(e.stats)).not.toContain('__rest');
  });

  it('names a killing signal', () => {
    const bytes = TASKSTATS_PID_REPLY.slice();
    new DataView(bytes.buffer).setUint32(36 + offsetOf('ac-exitcode'), 9, true);
    expect(decodeTaskExit(MessageView.from(bytes))).toMatchObject({ pid: 21020, exitCode: null, signal: 9, tgid: undefined, groupStats: undefined });
  });

  it('refuses a message without aggr-pid, or an aggr-pid without stats, with NetlinkDecodeError', () => {
    expect(() => decodeTaskExit(MessageView.from(TASKSTATS_TGID_REPLY))).toThrow(new NetlinkDecodeError('exit statistics without aggr-pid', 20, 'taskstats'));
    const noStats = TASKSTATS_PID_REPLY.slice(0, 32);
    new DataView(noStats.buffer).setUint32(0, 32, true);
    new DataView(noStats.buffer).setUint16(20, 12, true);
    expect(() => decodeTaskExit(MessageView.from(noStats))).toThrow(/aggr-pid has no stats/);
    expect(() => decodeTaskExit(MessageView.from(noStats))).toThrow(NetlinkDecodeError);
  });

  it('refuses a stats attribute cut inside a nest with NetlinkDecodeError', () => {
    const cut = TASKSTATS_PID_REPLY.slice();
    new DataView(cut.buffer).setUint16(32, 4 + 600, true); // longer than its nest
    expect(() => decodeTaskExit(MessageView.from(cut))).toThrow(NetlinkDecodeError);
  });
});

describe('encodeListener', () => {
  it('encodes TASKSTATS_CMD_GET with the CPU list as TASKSTATS_CMD_ATTR_REGISTER_CPUMASK (3) or DEREGISTER (4), NUL-terminated', () => {
    const w = new MessageWriter(64);
    // nlmsghdr (len 28, type 31, REQUEST|ACK, seq 9), genlmsghdr (cmd 1, version 1), nlattr (len 8, type 3) "0-1\0".
    expect(toHex(encodeListener(w, 31, { 'register-cpumask': '0-1' }, 9))).toBe('1c 00 00 00 1f 00 05 00 09 00 00 00 00 00 00 00 01 01 00 00 08 00 03 00 30 2d 31 00');
    expect(toHex(encodeListener(w, 31, { 'deregister-cpumask': '7' }, 10)).slice(60)).toBe('06 00 04 00 37 00 00 00');
  });
});

describe('cgroupstats', () => {
  it('encodes CGROUPSTATS_CMD_GET (4) with the descriptor as CGROUPSTATS_CMD_ATTR_FD (1)', () => {
    expect(toHex(encodeCgroupStatsRequest(new MessageWriter(64), 31, 17, 3))).toBe('1c 00 00 00 1f 00 05 00 03 00 00 00 00 00 00 00 04 01 00 00 08 00 01 00 11 00 00 00');
  });

  it('decodes the captured CGROUPSTATS_CMD_NEW reply with camelCase names', () => {
    expect(decodeCgroupStats(MessageView.from(CGROUPSTATS_PIDS_ROOT))).toEqual({
      nrSleeping: 112n,
      nrRunning: 10n,
      nrStopped: 0n,
      nrUninterruptible: 0n,
      nrIoWait: 0n,
      rest: undefined,
    });
  });

  it('refuses another command, a reply without stats, and a cut struct attribute with NetlinkDecodeError', () => {
    expect(() => decodeCgroupStats(MessageView.from(TASKSTATS_PID_REPLY))).toThrow(new NetlinkDecodeError('genl command 2 is not CGROUPSTATS_CMD_NEW (5)', 16, 'cgroupstats'));
    const empty = CGROUPSTATS_PIDS_ROOT.slice(0, 20);
    new DataView(empty.buffer).setUint32(0, 20, true);
    expect(() => decodeCgroupStats(MessageView.from(empty))).toThrow(new NetlinkDecodeError('the reply has no cgroup-stats', 20, 'cgroupstats'));
    const long = CGROUPSTATS_PIDS_ROOT.slice();
    new DataView(long.buffer).setUint16(20, 48, true); // an attribute past its message
    expect(() => decodeCgroupStats(MessageView.from(long))).toThrow(NetlinkDecodeError);
  });
});

describe('cpuList', () => {
  const GOOD: Array<[string | number[], string]> = [
    ['0', '0'],
    ['0-3,8', '0-3,8'],
    ['0-7:2/4', '0-7:2/4'],
    [[3, 1, 1, 0], '0,1,3'],
  ];
  it.each(GOOD)('takes %j as %j', (cpus, text) => {
    expect(cpuList(cpus)).toBe(text);
  });

  const BAD: Array<[unknown, Error]> = [
    ['', new RangeError('cpus must name at least one CPU')],
    [[], new RangeError('cpus must name at least one CPU')],
    ['3-1', new RangeError("cpus: the range '3-1' ends before it starts")],
    ['0,,1', new RangeError('cpus: \'\' is not a CPU or range (N, N-M or N-M:used/group) in "0,,1"')],
    ['0-3:3/0', new RangeError("cpus: '0-3:3/0' needs used <= group and group > 0")],
    [' 1', new RangeError('cpus: \' 1\' is not a CPU or range (N, N-M or N-M:used/group) in " 1"')],
    [[1.5], new RangeError('cpus[0] must be a CPU number, got 1.5')],
    [7, new TypeError('cpus must be a CPU list string ("0-3,8") or an array of CPU numbers, got 7')],
  ];
  it.each(BAD)('refuses %j', (cpus, error) => {
    expect(() => cpuList(cpus)).toThrow(error);
    expect(() => cpuList(cpus)).toThrow(error.constructor as typeof Error);
  });
});

describe('NetlinkSocket.subscribeUnicast on the fake kernel', () => {
  it('yields unicast messages no request owns, with overruns in-band, and leaves them to onIncoming() once closed', async () => {
    const kernel = new FakeKernel();
    const socket = await kernel.open(Protocol.GENERIC);
    const incoming: number[] = [];
    socket.onIncoming((m) => incoming.push(m.type));
    const sub = socket.subscribeUnicast();
    const endpoint = kernel.endpoint(socket.portId);
    endpoint.deliver(TASKSTATS_EXIT_NODE_5);
    await kernel.settle();
    endpoint.overrun(); // the kernel dropped what came next
    await kernel.settle();
    endpoint.deliver(TASKSTATS_PID_REPLY);
    const first = await sub.next();
    expect(isOverrun(first.value)).toBe(false);
    expect(decodeTaskExit(first.value as MessageView)).toMatchObject({ pid: 21041, exitCode: 5 });
    expect(await sub.next()).toEqual({ value: { overrun: true, truncated: false }, done: false });
    expect(decodeTaskExit((await sub.next()).value as MessageView).pid).toBe(21020);
    expect(incoming).toEqual([]);
    sub.close();
    endpoint.deliver(TASKSTATS_PID_REPLY);
    await kernel.settle();
    expect(incoming).toEqual([31]);
    expect(await sub.next()).toEqual({ value: undefined, done: true });
    socket.close();
  });

  it('refuses bad options and a closed socket', async () => {
    const kernel = new FakeKernel();
    const socket = await kernel.open(Protocol.GENERIC);
    expect(() => socket.subscribeUnicast({ maxQueue: 0 })).toThrow(RangeError);
    socket.close();
    expect(() => socket.subscribeUnicast()).toThrow(/closed/);
  });
});
