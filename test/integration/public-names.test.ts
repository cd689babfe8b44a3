// The public names of the sockets, devices, processes and audit families, as
// scripts rely on them (issue 12): SockDiagClient, UeventSocket,
// ProcConnector, TaskstatsClient and AuditClient from the package's index,
// each opened in a network namespace where the kernel allows one and refused
// with a TypeError saying why where it does not; the event sources' subscribe()
// as an async iterator; the fields a uevent and a process event promise. The
// namespace is this test's own and always deleted. Needs root.
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient, ProcConnector, SockDiagClient, TaskstatsClient, UeventSocket, isOverrun, type ProcEvent, type Uevent } from '../../src/index.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

/** The next item of an async iterator that is not an overrun marker and satisfies `want`, read with next() (the iterator stays open). */
async function nextMatching<T>(it: AsyncIterator<T | { overrun: true }>, want: (x: T) => boolean): Promise<T> {
  for (;;) {
    const r = await it.next();
    if (r.done) throw new Error('the iterator ended');
    if (isOverrun(r.value)) continue;
    if (want(r.value as T)) return r.value as T;
  }
}

describe.skipIf(!canUseKernel)('the public names of issue 12', () => {
  let ns: string | undefined;
  beforeAll(async () => {
    ns = await createNetns('names');
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('are classes of the package index with a static open()', () => {
    for (const c of [SockDiagClient, UeventSocket, ProcConnector, TaskstatsClient, AuditClient]) expect(typeof c.open).toBe('function');
  });

  it('open in a namespace where the kernel allows one: sock_diag sees its own socket there, taskstats answers there', async () => {
    await using diag = await SockDiagClient.open({ netns: ns! });
    const own = await diag.netlinkAll();
    expect(own.some((s) => s.protocol === 4)).toBe(true); // NETLINK_SOCK_DIAG: the client's socket, in that namespace
    await using ts = await TaskstatsClient.open({ netns: ns! });
    expect((await ts.pid(process.pid)).acPid).toBe(process.pid);
  });

  it('refuse a namespace where the kernel has the family in the initial one only, saying so', async () => {
    await expect(ProcConnector.open({ netns: ns! } as never)).rejects.toThrow(/^the proc connector is host-only/);
    await expect(ProcConnector.open({ netns: ns! } as never)).rejects.toThrow(TypeError);
    await expect(AuditClient.open({ netns: ns! } as never)).rejects.toThrow(/^audit is host-only/);
    await expect(AuditClient.open({ netns: ns! } as never)).rejects.toThrow(TypeError);
  });

  it('give a uevent with action, devpath, subsystem, seqnum and env through subscribe(), in the namespace', async () => {
    await using uevents = await UeventSocket.open({ netns: ns! });
    const events = uevents.subscribe({ signal: AbortSignal.timeout(20_000) });
    execFileSync('ip', ['-n', ns!, 'link', 'add', 'pn0', 'type', 'veth', 'peer', 'name', 'pn1']);
    const ev = await nextMatching<Uevent>(events, (e) => e.env.INTERFACE === 'pn0' && e.action === 'add');
    expect(ev).toMatchObject({ action: 'add', devpath: '/devices/virtual/net/pn0', subsystem: 'net' });
    expect(typeof ev.seqnum).toBe('bigint');
    expect(ev.env).toMatchObject({ ACTION: 'add', SUBSYSTEM: 'net', INTERFACE: 'pn0' });
    events.close();
    execFileSync('ip', ['-n', ns!, 'link', 'del', 'pn0']);
  });

  it("give a process event with what, pid and tgid through subscribe(); taskstats' subscribe() registers and returns an async iterator", async () => {
    await using procs = await ProcConnector.open({ events: ['exec'] });
    const events = procs.subscribe({ signal: AbortSignal.timeout(20_000) });
    await using ts = await TaskstatsClient.open();
    const exits = await ts.subscribe({ cpus: '0', signal: AbortSignal.timeout(20_000) });
    expect(typeof exits[Symbol.asyncIterator]).toBe('function');
    const child = spawn('/bin/true', { stdio: 'ignore' });
    const ev = await nextMatching<ProcEvent>(events, (e) => e.tgid === child.pid);
    expect(ev).toMatchObject({ what: 'exec', pid: child.pid, tgid: child.pid });
    events.close();
    exits.close();
    await exits.deregistered;
  });

  it('give audit records through subscribe() as an async iterator (the records themselves: audit.test.ts)', async () => {
    await using audit = await AuditClient.open();
    const records = audit.subscribe({ signal: AbortSignal.timeout(20_000) });
    expect(typeof records[Symbol.asyncIterator]).toBe('function');
    records.close();
  });
});
