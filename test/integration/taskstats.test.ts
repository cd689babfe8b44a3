// Task statistics on this kernel (needs root): the counters of this process
// and of a child it starts, the sums of a thread group, exit statistics of a
// child as it exits, refusals before anything is sent and the kernel's own,
// a namespace, and `nlkit ynl --spec specs/taskstats.yaml` beside the
// kernel's ynl tool. Nothing but processes this test starts (and itself) is
// looked at.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NetlinkError, NetlinkSocket, TaskstatsClient, isOverrun, type TaskExit, type TaskExitSubscription } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const SPEC = path.join(root, 'specs', 'taskstats.yaml');
const ONLINE = canUseKernel ? readFileSync('/sys/devices/system/cpu/online', 'utf8').trim() : '0';

/** A child that stays until killed, stopped (SIGSTOP) so that its counters hold still. */
async function stoppedChild(): Promise<ChildProcess> {
  const child = spawn('/bin/sleep', ['1000'], { stdio: 'ignore' });
  await once(child, 'spawn');
  // Wait for the exec: before it the child's comm is still node's.
  const deadline = Date.now() + 10_000;
  while (readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() !== 'sleep') {
    if (Date.now() > deadline) throw new Error('the child did not exec sleep');
    await new Promise((r) => setImmediate(r));
  }
  process.kill(child.pid!, 'SIGSTOP');
  // kill() returns before the child has stopped: its state in /proc/PID/stat turns to T once it has.
  while (readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'T') {
    if (Date.now() > deadline) throw new Error('the child did not stop');
    await new Promise((r) => setImmediate(r));
  }
  return child;
}

/** Reads exits (with next(): leaving a for-await loop would end the subscription) until one of `pid`'s. */
async function firstExitOf(exits: TaskExitSubscription, pid: number): Promise<TaskExit> {
  for (;;) {
    const r = await exits.next();
    if (r.done) throw new Error('the subscription ended');
    if (isOverrun(r.value)) throw new Error('the kernel dropped exit statistics');
    if (r.value.pid === pid || r.value.tgid === pid) return r.value;
  }
}

describe.skipIf(!canUseKernel)('taskstats', () => {
  let ts: TaskstatsClient;
  beforeAll(async () => {
    ts = await TaskstatsClient.open();
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('reports this process with its pid, command name and plausible counters', async () => {
    const s = await ts.pid(process.pid);
    expect(s.version).toBeGreaterThanOrEqual(16);
    expect(s.acPid).toBe(process.pid);
    expect(s.acTgid).toBe(process.pid);
    expect(s.acPpid).toBe(process.ppid);
    expect(s.acComm).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
    expect(s.acUid).toBe(process.getuid!());
    expect(typeof s.acUtime).toBe('bigint');
    expect(s.acUtime! + s.acStime!).toBeGreaterThan(0n); // this test has run code
    expect(s.nvcsw! + s.nivcsw!).toBeGreaterThan(0n);
    expect(s.acMinflt).toBeGreaterThan(0n);
    expect(s.hiwaterRss).toBeGreaterThan(0n);
    expect(s.acBtime64).toBe(BigInt(s.acBtime!));
    expect(s.rest).toBeUndefined();
  });

  it("reports a child it started, stopped, with the child's pid, parent, command and counters that hold still", async () => {
    const child = await stoppedChild();
    try {
      const a = await ts.pid(child.pid!);
      const b = await ts.pid(child.pid!);
      expect(a).toMatchObject({ acPid: child.pid, acTgid: child.pid, acPpid: process.pid, acComm: 'sleep', acExitcode: 0 });
      expect(a.acExeInode).toBe(BigInt(execFileSync('stat', ['-L', '-c', '%i', '/bin/sleep'], { encoding: 'utf8' }).trim()));
      // A stopped task: nothing moves but the elapsed times.
      expect({ ...b, acEtime: 0n, acTgetime: 0n }).toEqual({ ...a, acEtime: 0n, acTgetime: 0n });
      expect(b.acEtime! >= a.acEtime!).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('sums a thread group: this process has several threads, whose context switches add up to at least the main one', async () => {
    const group = await ts.tgid(process.pid);
    const main = await ts.pid(process.pid);
    expect(group.version).toBe(main.version);
    expect(group.nvcsw! + group.nivcsw!).toBeGreaterThanOrEqual(main.nvcsw! + main.nivcsw!);
    expect(group.acUtime! + group.acStime!).toBeGreaterThanOrEqual(main.acUtime! + main.acStime!);
  });

  it('answers a pid that does not exist with a NetlinkError ESRCH', async () => {
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    const err = await ts.pid(pidMax + 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ errno: 3, code: 'ESRCH' });
    await expect(ts.tgid(pidMax + 1)).rejects.toMatchObject({ code: 'ESRCH' });
  });

  it('refuses bad ids and CPU lists before sending anything, naming the field', async () => {
    const request = vi.spyOn(NetlinkSocket.prototype, 'request');
    await expect(ts.pid(-1)).rejects.toThrow(new RangeError('pid must be an integer from 0 to 4294967295, got -1'));
    await expect(ts.pid(2 ** 32)).rejects.toThrow(RangeError);
    await expect(ts.tgid(1.5)).rejects.toThrow(new RangeError('tgid must be an integer from 0 to 4294967295, got 1.5'));
    await expect(ts.pid('1' as unknown as number)).rejects.toThrow(TypeError);
    await expect(ts.pid('1' as unknown as number)).rejects.toThrow(/^pid must be a number/);
    await expect(ts.subscribeExits({ cpus: '1-0' })).rejects.toThrow(new RangeError("cpus: the range '1-0' ends before it starts"));
    await expect(ts.subscribeExits({ cpus: 'all' })).rejects.toThrow(/^cpus: 'all' is not a CPU or range/);
    await expect(ts.subscribeExits({ cpus: '' })).rejects.toThrow(new RangeError('cpus must name at least one CPU'));
    await expect(ts.subscribeExits({ cpus: [0, -1] })).rejects.toThrow(new RangeError('cpus[1] must be a CPU number, got -1'));
    await expect(ts.subscribeExits({ cpus: 3 as unknown as string })).rejects.toThrow(TypeError);
    expect(request).not.toHaveBeenCalled();
    request.mockRestore();
  });

  it("passes on the kernel's refusal of CPUs this machine cannot have (ERANGE from its CPU list parser)", async () => {
    await expect(ts.subscribeExits({ cpus: '100000' })).rejects.toMatchObject({ name: 'NetlinkError', code: 'ERANGE' });
  });

  it('delivers the exit statistics of a child with its pid, parent, command and exit code', async () => {
    await using exits = await ts.subscribeExits({ cpus: ONLINE, signal: AbortSignal.timeout(20_000) });
    expect(exits.cpus).toBe(ONLINE);
    const child = spawn('/bin/sh', ['-c', 'exit 3'], { stdio: 'ignore' });
    const e = await firstExitOf(exits, child.pid!);
    expect(e).toMatchObject({ pid: child.pid, exitCode: 3, signal: null, tgid: undefined, groupStats: undefined });
    expect(e.stats).toMatchObject({ acPid: child.pid, acTgid: child.pid, acPpid: process.pid, acComm: 'sh', acExitcode: 3 << 8 });
    expect(e.stats.acEtime).toBeGreaterThan(0n);
  });

  it('delivers a killed child with its signal, and the sums of a thread group that ends', async () => {
    await using exits = await ts.subscribeExits({ cpus: ONLINE.split(',').flatMap(expand), signal: AbortSignal.timeout(20_000) });
    const killed = spawn('/bin/sh', ['-c', 'kill -TERM $$'], { stdio: 'ignore' });
    expect(await firstExitOf(exits, killed.pid!)).toMatchObject({ pid: killed.pid, exitCode: null, signal: 15 });
    // node runs several threads: the last one out carries the group's sums.
    const threaded = spawn(process.execPath, ['-e', 'process.exit(5)'], { stdio: 'ignore' });
    const tgid = threaded.pid!;
    // Exits of node's other threads come first (pid != tgid, no group sums).
    let last = await firstExitOf(exits, tgid);
    while (last.tgid !== tgid) last = await firstExitOf(exits, tgid);
    expect(last.exitCode).toBe(5);
    expect(last.groupStats).toBeDefined();
    expect(last.stats.acTgid).toBe(tgid);
    expect(last.groupStats!.nvcsw! + last.groupStats!.nivcsw!).toBeGreaterThanOrEqual(last.stats.nvcsw! + last.stats.nivcsw!);
  });

  it('reports exits it could not keep as an overrun marker in-band, and goes on delivering', async () => {
    await using small = await TaskstatsClient.open({ rcvbuf: 4096 });
    const exits = await small.subscribe({ cpus: ONLINE, maxQueue: 1, signal: AbortSignal.timeout(55_000) });
    // Nothing is read while 100 children exit: the queue holds one, the socket's small buffer a few.
    // The kernel sends a task's statistics before its parent learns of the exit (do_exit()).
    const children = Array.from({ length: 100 }, () => spawn('/bin/true', { stdio: 'ignore' }));
    await Promise.all(children.map((c) => once(c, 'exit')));
    let overrun = false;
    while (!overrun) {
      const r = await exits.next();
      if (r.done) throw new Error('the subscription ended');
      overrun = isOverrun(r.value);
    }
    // With a queue of one, a busy machine's other exits can overflow it again: a child
    // whose exit is lost too is followed by another, until one comes through. The kernel
    // reports one overrun for a whole episode of congestion: until a read empties the
    // socket's queue (NETLINK_S_CONGESTED, netlink_overrun()), later statistics are dropped
    // without another ENOBUFS. A child that exits while the queued exits are still being
    // read is lost inside the episode the marker reported: one whose statistics do not come
    // within 3 s of its exit is followed by another.
    let delivered: TaskExit | undefined;
    let pending = exits.next();
    for (let attempt = 0; attempt < 20 && !delivered; attempt++) {
      const after = spawn('/bin/sh', ['-c', 'exit 4'], { stdio: 'ignore' });
      const gone = once(after, 'exit').then(() => new Promise<'lost'>((resolve) => setTimeout(() => resolve('lost'), 3000)));
      for (;;) {
        const r = await Promise.race([pending, gone]);
        if (r === 'lost') break;
        pending = exits.next();
        if (r.done) throw new Error('the subscription ended');
        if (isOverrun(r.value)) break;
        if (r.value.pid === after.pid) {
          delivered = r.value;
          break;
        }
      }
    }
    expect(delivered?.exitCode).toBe(4);
    await exits[Symbol.asyncDispose]();
  });

  it('stops delivering after close() deregisters, and the client can register again', async () => {
    const exits = await ts.subscribeExits({ cpus: ONLINE });
    exits.close();
    await exits.deregistered;
    expect(exits.queued).toBe(0);
    await using again = await ts.subscribeExits({ cpus: ONLINE, signal: AbortSignal.timeout(20_000) });
    const child = spawn('/bin/true', { stdio: 'ignore' });
    expect((await firstExitOf(again, child.pid!)).exitCode).toBe(0);
  });

  it('ends with an AbortError when its signal aborts, and deregisters', async () => {
    const abort = new AbortController();
    const exits = await ts.subscribeExits({ cpus: ONLINE, signal: abort.signal });
    const request = vi.spyOn(NetlinkSocket.prototype, 'request');
    const pending = exits.next();
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await exits.deregistered;
    expect(request.mock.calls.map(([, o]) => o?.name)).toEqual(['TASKSTATS_CMD_GET deregister-cpumask']);
    await expect(request.mock.results[0]!.value).resolves.toEqual([]); // acknowledged
    request.mockRestore();
  });

  it('counts the tasks of a cgroup v1 directory: a stopped child of this process is among the stopped', async () => {
    // This process's cgroup in a v1 hierarchy (hierarchy-id:controllers:path) and where that hierarchy is mounted.
    const v1 = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => f.length === 3 && f[1] !== '' && !f[1]!.startsWith('name='));
    const mount =
      v1 &&
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((l) => l.split(' '))
        .find((f) => f[f.indexOf('-') + 1] === 'cgroup' && f[f.length - 1]!.split(',').includes(v1[1]!.split(',')[0]!));
    if (!v1 || !mount) {
      // A machine with cgroup2 only: the kernel's answer for every directory.
      await expect(ts.cgroup('/sys/fs/cgroup')).rejects.toMatchObject({ name: 'NetlinkError', code: 'EINVAL' });
      return;
    }
    const dir = path.join(mount[4]!, v1[2]!);
    const child = await stoppedChild();
    try {
      const s = await ts.cgroup(dir);
      expect(typeof s.nrRunning).toBe('bigint');
      expect(s.nrStopped).toBeGreaterThanOrEqual(1n);
      expect(s.nrSleeping! + s.nrRunning!).toBeGreaterThanOrEqual(1n); // this process at least
      expect(s.rest).toBeUndefined();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a directory that is no cgroup v1 one (EINVAL), a missing one, and a path that is no string', async () => {
    await expect(ts.cgroup(tmpdir())).rejects.toMatchObject({ name: 'NetlinkError', code: 'EINVAL', message: 'CGROUPSTATS_CMD_GET failed: Invalid argument (EINVAL)' });
    await expect(ts.cgroup('/nonexistent/nlkit')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(ts.cgroup('' as string)).rejects.toThrow(new TypeError("path must be the path of a cgroup directory, got ''"));
    await expect(ts.cgroup(3 as unknown as string)).rejects.toThrow(TypeError);
  });

  it('answers in another network namespace too (the pids are those of the pid namespace)', async () => {
    let ns: string | undefined;
    try {
      ns = await createNetns('taskstats');
      await using other = await TaskstatsClient.open({ netns: ns });
      const s = await other.pid(process.pid);
      expect(s.acPid).toBe(process.pid);
    } finally {
      await removeNetns(ns);
    }
  });

  it('refuses an unknown option and calls after close', async () => {
    await expect(TaskstatsClient.open({ nope: 1 } as never)).rejects.toThrow(new TypeError('options.nope is not an option (options: netns, rcvbuf)'));
    const c = await TaskstatsClient.open();
    c.close();
    c.close();
    await expect(c.pid(1)).rejects.toMatchObject({ name: 'SocketClosedError' });
  });
});

/** "0-3" as [0, 1, 2, 3]. */
function expand(range: string): number[] {
  const [a, b] = range.split('-').map(Number);
  const out: number[] = [];
  for (let c = a!; c <= (b ?? a!); c++) out.push(c);
  return out;
}

describe.skipIf(!canUseKernel)('nlkit ynl --spec specs/taskstats.yaml', () => {
  let cliPy = '';
  beforeAll(() => {
    cliPy = execFileSync('bash', [path.join(root, 'scripts', 'ynl-reference.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  });

  async function nlkit(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await main(['ynl', ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, stdoutIsTTY: false });
    return { code, stdout, stderr };
  }
  const reference = (...argv: string[]): string =>
    execFileSync('/usr/bin/python3', [cliPy, ...argv, '--no-schema'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '', PYTHONHASHSEED: '0' } });
  /** The elapsed times move between two runs, and the start times the kernel derives from them (now - elapsed) can round to the next second: everything else of a stopped task holds still. */
  const still = (text: string): string => text.replace(/('ac-(?:etime|tgetime|btime|btime64)': )\d+/g, '$1N');

  it('gets a stopped child as the kernel tool does (ac-comm read as bytes, which the tool can decode in a struct)', async () => {
    // The kernel's tool has no decoder for string members of a struct (the
    // schema allows them); a copy of the spec with ac-comm as binary lets
    // both tools print the same thing.
    const spec = path.join(tmpdir(), `nlkit-taskstats-${process.pid}.yaml`);
    writeFileSync(spec, readFileSync(SPEC, 'utf8').replace('name: ac-comm\n        type: string', 'name: ac-comm\n        type: binary'));
    const child = await stoppedChild();
    try {
      const args = ['--spec', spec, '--do', 'get', '--json', JSON.stringify({ pid: child.pid })];
      const theirs = reference(...args);
      const ours = await nlkit(...args);
      expect(ours.code).toBe(0);
      expect(still(ours.stdout)).toBe(still(theirs));
      expect(theirs).toContain(`'ac-pid': ${child.pid},`);
    } finally {
      child.kill('SIGKILL');
      rmSync(spec, { force: true });
    }
  });

  it('fails for a pid that does not exist as the kernel tool does', async () => {
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    const args = ['--spec', SPEC, '--do', 'get', '--json', JSON.stringify({ pid: pidMax + 1 })];
    let theirs: { code: number; stdout: string } = { code: 0, stdout: '' };
    try {
      reference(...args);
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      theirs = { code: e.status, stdout: e.stdout + e.stderr };
    }
    expect(theirs).toEqual({ code: 1, stdout: 'Netlink error: No such process\n' });
    const ours = await nlkit(...args);
    expect({ code: ours.code, stdout: ours.stdout + ours.stderr }).toEqual(theirs);
  });

  it('prints ac-comm as text with the project spec, and lists the same operations and attributes as the kernel tool', async () => {
    const out = await nlkit('--spec', SPEC, '--do', 'get', '--json', JSON.stringify({ pid: process.pid }));
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`'ac-comm': '${readFileSync('/proc/self/comm', 'utf8').trim()}'`);
    expect(out.stdout).toContain(`{'aggr-pid': {'pid': ${process.pid},`);
    for (const what of [['--list-ops'], ['--list-msgs'], ['--list-attrs', 'get']]) {
      const ours = await nlkit('--spec', SPEC, ...what);
      expect(ours).toEqual({ code: 0, stdout: reference('--spec', SPEC, ...what), stderr: '' });
    }
  });
});
