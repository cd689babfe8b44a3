// kobject uevents from the kernel, in namespaces this file creates and
// always deletes: 50 veth pairs give exactly their add and remove events,
// each with INTERFACE and IFINDEX (as `ip` reports them) and no decode
// error; a socket knows whether its namespace is this process's (for sysfs);
// `nlkit monitor uevent`'s printer against udevadm's own output when
// udevadm is installed. Needs root.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UeventSocket, isOverrun, netns, readSysfsAttribute, type Uevent } from '../../src/index.js';
import { runUeventMonitor } from '../../src/families/uevent/index.js';
import { canUseKernel, createNetns, ip, ipBatch, ipJson, removeNetns } from '../helpers/kernel.js';

const PAIRS = 50;

/** udevadm, unpacked by scripts/udevadm-reference.sh (run by .ci/run), or on PATH. */
const udevadm = [path.join(import.meta.dirname, '..', '..', '.cache', 'udev', 'bin'), ...(process.env.PATH ?? '').split(':')]
  .map((d) => path.join(d, 'udevadm'))
  .find((p) => existsSync(p));

describe.skipIf(!canUseKernel)('kobject uevents', () => {
  let ns: string | undefined;
  beforeAll(async () => {
    ns = await createNetns('uevent');
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it(`gives exactly the add and remove events of ${PAIRS} veth pairs, each with INTERFACE and IFINDEX, and no decode error`, async () => {
    await using sock = await UeventSocket.open({ netns: ns! });
    expect(sock.foreignNetns).toBe(true);
    // Decode errors are collected rather than ending the stream, so that the test names them.
    const malformed: string[] = [];
    const events = sock.subscribe({ signal: AbortSignal.timeout(50_000), onMalformed: (err) => malformed.push(err.message) });
    const names = Array.from({ length: PAIRS }, (_, i) => [`a${i}`, `b${i}`]).flat();
    ipBatch(
      ns!,
      Array.from({ length: PAIRS }, (_, i) => `link add a${i} type veth peer name b${i}`),
    );
    const ifindex = Object.fromEntries(ipJson<{ ifname: string; ifindex: number }[]>(ns!, ['link', 'show']).map((l) => [l.ifname, String(l.ifindex)]));
    ipBatch(
      ns!,
      Array.from({ length: PAIRS }, (_, i) => `link del a${i}`),
    );

    let overruns = 0;
    /** The next `n` events of net devices, read with next() (leaving a for-await loop would end the subscription). */
    const netEvents = async (n: number): Promise<Uevent[]> => {
      const out: Uevent[] = [];
      while (out.length < n) {
        const r = await events.next();
        if (r.done) throw new Error('the subscription ended');
        if (isOverrun(r.value)) overruns++;
        else if (r.value.subsystem === 'net') out.push(r.value);
      }
      return out;
    };
    const seen = await netEvents(4 * PAIRS);
    // Exactly these: a marker pair made now is the next thing the namespace's net devices report.
    ipBatch(ns!, ['link add za type veth peer name zb']);
    const next = await netEvents(2);
    expect(next.map((e) => `${e.action} ${e.env.INTERFACE}`).sort()).toEqual(['add za', 'add zb']);
    ipBatch(ns!, ['link del za']);
    events.close();
    expect(malformed).toEqual([]);
    expect(overruns).toBe(0);
    const adds = seen.filter((e) => e.action === 'add');
    const removes = seen.filter((e) => e.action === 'remove');
    expect(adds.map((e) => e.env.INTERFACE).sort()).toEqual([...names].sort());
    expect(removes.map((e) => e.env.INTERFACE).sort()).toEqual([...names].sort());
    for (const e of seen) {
      expect({ devpath: e.devpath, ifindex: e.env.IFINDEX, source: e.source }).toEqual({
        devpath: `/devices/virtual/net/${e.env.INTERFACE!}`,
        ifindex: ifindex[e.env.INTERFACE!],
        source: 'kernel',
      });
    }
    // Sequence numbers rise in the order the kernel sent the events.
    const seqnums = seen.map((e) => e.seqnum);
    expect([...seqnums].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(seqnums);
    // Its network devices are not in this process's /sys: reading them is refused, not misread.
    await expect(adds[0]!.sysfs('ifindex')).rejects.toMatchObject({ code: 'ERR_SYSFS_OTHER_NETNS' });
  }, 60_000);

  it("knows a namespace given by pid is this process's own, and reads sysfs there", async () => {
    await using own = await UeventSocket.open({ netns: { pid: process.pid } });
    expect(own.foreignNetns).toBe(false);
    await using named = await UeventSocket.open({ netns: ns! });
    expect(named.foreignNetns).toBe(true);
    expect(netns.currentInode()).toBeGreaterThan(0);
    // Read-only: the host's loopback device, as `ip` reports it.
    const lo = (JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'lo'], { encoding: 'utf8' })) as { ifindex: number }[])[0];
    expect(await readSysfsAttribute('/devices/virtual/net/lo', 'ifindex')).toBe(String(lo?.ifindex));
  });

  it('prints each event as `nlkit -j monitor uevent` does: one JSON object per line', async () => {
    const out: string[] = [];
    const controller = new AbortController();
    let ready!: () => void;
    const listening = new Promise<void>((resolve) => (ready = resolve));
    const done = runUeventMonitor(
      {
        stdout: (t) => {
          out.push(...t.split('\n').filter(Boolean));
          if (out.length >= 2) controller.abort();
        },
        stderr: (t) => out.push(`stderr: ${t}`),
        signal: controller.signal,
        ready: () => ready(),
      },
      ['-s', 'net'],
      { netns: ns!, json: true },
    );
    await listening;
    ip(ns!, ['link', 'add', 'j0', 'type', 'veth', 'peer', 'name', 'j1']);
    expect(await done).toBe(0);
    ip(ns!, ['link', 'del', 'j0']);
    expect(out.map((l) => JSON.parse(l) as { action: string; env: Record<string, string> }).map((e) => [e.action, e.env.INTERFACE])).toEqual([
      ['add', 'j1'],
      ['add', 'j0'],
    ]);
    expect(out[0]).toMatch(/^\{"source":"kernel","action":"add","devpath":"\/devices\/virtual\/net\/j1","subsystem":"net","seqnum":\d+,"env":\{"ACTION":"add",/);
  });

  it('prints what `udevadm monitor --kernel --property` prints, timestamps aside', async () => {
    if (!udevadm) throw new Error('udevadm is missing: run scripts/udevadm-reference.sh (.ci/run does)');
    const blocks = (text: string): string[] =>
      text
        .split('\n\n')
        .map((b) => b.replace(/^(KERNEL|UDEV)(\s*)\[\d+\.\d{6}\]/, '$1$2[T]'))
        .filter((b) => b.trim() !== '');
    const reference = spawn('ip', ['netns', 'exec', ns!, udevadm!, 'monitor', '--kernel', '--property'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Both outputs wake the waiting below (no sleeping for the kernel).
    let wake = (): void => {};
    let refText = '';
    const refReady = new Promise<void>((resolve) =>
      createInterface({ input: reference.stdout }).on('line', (l) => {
        refText += `${l}\n`;
        if (l === 'KERNEL - the kernel uevent') resolve();
        wake();
      }),
    );
    let ours = '';
    const controller = new AbortController();
    let ready!: () => void;
    const listening = new Promise<void>((resolve) => (ready = resolve));
    const done = runUeventMonitor(
      {
        stdout: (t) => {
          ours += t;
          wake();
        },
        stderr: (t) => void (ours += `stderr: ${t}`),
        signal: controller.signal,
        ready: () => ready(),
      },
      [],
      { netns: ns! },
    );
    await Promise.all([refReady, listening]);
    ip(ns!, ['link', 'add', 'm0', 'type', 'veth', 'peer', 'name', 'm1']);
    ip(ns!, ['link', 'set', 'm0', 'name', 'm2']);
    ip(ns!, ['link', 'del', 'm2']);
    // The deletions' last event is m1's removal: wait for it in both.
    const lastSeen = (t: string): boolean => /remove +\/devices\/virtual\/net\/m1 \(net\)/.test(t);
    const deadline = AbortSignal.timeout(30_000);
    while (!(lastSeen(ours) && lastSeen(refText)) && !deadline.aborted) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        deadline.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    controller.abort();
    reference.kill('SIGTERM');
    await done;
    await new Promise((resolve) => reference.once('close', resolve));
    // Events of other devices of the machine may arrive too (they go to every namespace): compare the network ones.
    const net = (t: string): string[] => blocks(t).filter((b) => / \/devices\/virtual\/net\/m\d/.test(b.split('\n')[0]!) || b.startsWith('monitor will print'));
    expect(net(ours)).toEqual(net(refText));
    expect(net(ours).length).toBeGreaterThan(10);
  }, 60_000);
});
