// The proc connector on this kernel (host-only, needs root): a child that
// forks and execs is seen as fork, exec and exit events with the right pids
// and exit codes; a kind filter narrows what arrives; two listeners are
// independent; an abort ends a subscription. Nothing but processes this
// test starts is looked at.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ProcConnector, isOverrun, type Overrun, type ProcEvent } from '../../src/index.js';
import { canUseKernel } from '../helpers/kernel.js';

/** Reads events until `done` holds for what was kept (events of the processes `mine` accepts). */
async function collect(events: AsyncIterable<ProcEvent | Overrun>, mine: (e: ProcEvent) => boolean, done: (kept: ProcEvent[]) => boolean): Promise<ProcEvent[]> {
  const kept: ProcEvent[] = [];
  for await (const e of events) {
    if (isOverrun(e)) throw new Error('the kernel dropped process events');
    if (mine(e)) kept.push(e);
    if (done(kept)) break;
  }
  return kept;
}

describe.skipIf(!canUseKernel)('the proc connector', () => {
  it('sees a child that forks and execs as fork, exec and exit events with the right pids and exit codes', async () => {
    await using pc = await ProcConnector.open();
    const events = pc.subscribe({ signal: AbortSignal.timeout(20_000) });
    // sh forks once for sleep (not its last command), and execs it.
    const child = spawn('/bin/sh', ['-c', '/bin/sleep 0.01; exit 7'], { stdio: 'ignore' });
    const sh = child.pid!;
    const family = new Set([sh]);
    const kept = await collect(
      events,
      (e) => {
        if (e.what === 'fork' && family.has(e.parentTgid) && e.childPid === e.childTgid) family.add(e.childTgid);
        return family.has(e.tgid);
      },
      (k) => k.some((e) => e.what === 'exit' && e.tgid === sh),
    );
    const grandchild = [...family].find((p) => p !== sh)!;
    expect(family.size).toBe(2);
    const byWhat = (what: string, tgid: number): ProcEvent[] => kept.filter((e) => e.what === what && e.tgid === tgid);
    expect(byWhat('fork', sh)).toEqual([expect.objectContaining({ what: 'fork', parentTgid: process.pid, childPid: sh, childTgid: sh, pid: sh })]);
    expect(byWhat('exec', sh)).toEqual([expect.objectContaining({ what: 'exec', pid: sh })]);
    expect(byWhat('fork', grandchild)).toEqual([expect.objectContaining({ parentPid: sh, parentTgid: sh, childPid: grandchild })]);
    expect(byWhat('exec', grandchild)).toEqual([expect.objectContaining({ pid: grandchild })]);
    expect(byWhat('exit', grandchild)).toEqual([expect.objectContaining({ exitCode: 0, signal: null, status: 0, parentTgid: sh, exitSignal: 17 })]);
    expect(byWhat('exit', sh)).toEqual([expect.objectContaining({ exitCode: 7, signal: null, status: 7 << 8, parentTgid: process.pid, exitSignal: 17 })]);
    // Per process, fork, exec and exit happen in that order (events of several CPUs can interleave in the stream).
    for (const pid of family) {
      const t = ['fork', 'exec', 'exit'].map((w) => byWhat(w, pid)[0]!.timestamp);
      expect(t[0]! <= t[1]! && t[1]! <= t[2]!).toBe(true);
    }
    events.close();
  });

  it('reports a process killed by a signal with that signal and no exit code', async () => {
    await using pc = await ProcConnector.open({ events: ['exit'] });
    const events = pc.subscribe({ signal: AbortSignal.timeout(20_000) });
    const child = spawn('/bin/sh', ['-c', 'kill -KILL $$'], { stdio: 'ignore' });
    const [exit] = await collect(
      events,
      (e) => e.tgid === child.pid,
      (k) => k.length > 0,
    );
    expect(exit).toMatchObject({ what: 'exit', pid: child.pid, exitCode: null, signal: 9, coreDumped: false });
  });

  it('with a kind filter, yields only those kinds', async () => {
    await using pc = await ProcConnector.open({ events: ['exec'] });
    const events = pc.subscribe({ signal: AbortSignal.timeout(20_000) });
    const child = spawn('/bin/true', { stdio: 'ignore' });
    const seen: string[] = [];
    for await (const e of events) {
      if (isOverrun(e)) continue;
      seen.push(e.what);
      if (e.tgid === child.pid) break;
    }
    expect(new Set(seen)).toEqual(new Set(['exec']));
  });

  it('keeps two listeners independent: closing one leaves the other hearing', async () => {
    const first = await ProcConnector.open({ events: ['exit'] });
    await using second = await ProcConnector.open({ events: ['exit'] });
    first.close();
    expect(first.closed).toBe(true);
    const events = second.subscribe({ signal: AbortSignal.timeout(20_000) });
    const child = spawn('/bin/sh', ['-c', 'exit 4'], { stdio: 'ignore' });
    const [exit] = await collect(
      events,
      (e) => e.tgid === child.pid,
      (k) => k.length > 0,
    );
    expect(exit).toMatchObject({ exitCode: 4 });
  });

  it('ends a subscription on abort with an AbortError', async () => {
    await using pc = await ProcConnector.open();
    const controller = new AbortController();
    const events = pc.subscribe({ signal: controller.signal });
    controller.abort();
    await expect(events.next()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
