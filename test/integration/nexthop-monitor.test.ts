// Nexthop events: `nlkit monitor nexthop` and `nlkit monitor all` print the
// lines `ip monitor` prints (run side by side on the same namespace), one
// line per kernel event (counted on a socket of its own); the typed
// monitor() and watch() see the same events and end with the kernel's table.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { RTNLGRP_NEXTHOP } from '../../src/families/generated/rt-nexthop.constants.js';
import { family as rtNexthop } from '../../src/families/generated/rt-nexthop.js';
import { RouteClient, type NexthopObject } from '../../src/families/route/index.js';
import { NetlinkSocket, isOverrun } from '../../src/io/index.js';
import { requireFeatures } from '../helpers/features.js';
import { canUseKernel, createNetns, ip, ipBatch, removeNetns } from '../helpers/kernel.js';

/** Lines of a stream, as they complete. */
function lineSink(): { lines: string[]; push(t: string): void } {
  let partial = '';
  const lines: string[] = [];
  return {
    lines,
    push(t) {
      partial += t;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
    },
  };
}

const until = async (what: () => boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for events');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** The global options and the monitor's words of a case. */
const options = (what: string[]): string[] => what.filter((w) => w.startsWith('-'));
const words = (what: string[]): string[] => what.filter((w) => !w.startsWith('-'));

/** Changes made between two marks: every kind of nexthop event. */
const CHANGES = [
  'nexthop add id 1 via 10.80.0.2 dev n0',
  'nexthop add id 2 dev n1',
  'nexthop add id 3 blackhole',
  'nexthop add id 4 via 10.80.0.3 dev n0 onlink protocol static',
  'nexthop add id 10 group 1,5/2',
  'nexthop add id 11 group 1/4 type resilient buckets 4 idle_timer 3',
  'route add 10.81.0.0/16 nhid 10',
  'nexthop replace id 1 via 10.80.0.4 dev n0',
  'nexthop replace id 10 group 2/4,7',
  'nexthop del id 4',
  'nexthop add id 20 via 10.80.0.9 fdb',
  'nexthop flush',
];

describe.skipIf(!canUseKernel)('nexthop events', () => {
  let ns: string | undefined;

  beforeAll(async () => {
    requireFeatures('veth');
    ns = await createNetns('nhmon');
    ipBatch(ns, ['link add n0 type veth peer name n1', 'link set n0 up', 'link set n1 up', 'addr add 10.80.0.1/24 dev n0']);
  });

  afterAll(async () => {
    await removeNetns(ns);
  });

  for (const what of [['nexthop'], ['all'], ['-d', 'nexthop', 'route']]) {
    it(`prints \`${options(what).concat('monitor', words(what)).join(' ')}\` line for line as ip does, one line per kernel event`, async () => {
      const theirs = lineSink();
      const child = spawn('ip', ['-n', ns!, ...options(what), 'monitor', ...words(what)], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.setEncoding('utf8').on('data', (t: string) => theirs.push(t));
      const mine = lineSink();
      const controller = new AbortController();
      let ready!: () => void;
      const listening = new Promise<void>((r) => (ready = r));
      let stderr = '';
      const running = runIp(['-n', ns!, ...options(what), 'monitor', ...words(what)], {
        stdout: (t) => mine.push(t),
        stderr: (t) => (stderr += t),
        signal: controller.signal,
        ready,
      });
      const counter = await NetlinkSocket.open(0, { netns: ns! });
      const sub = counter.subscribe([RTNLGRP_NEXTHOP]);
      // The kernel's events as `TYPE ID`, in order.
      const kernelEvents: string[] = [];
      const counting = (async () => {
        for await (const item of sub) if (!isOverrun(item)) kernelEvents.push(`${item.type} ${String(rtNexthop.ops.getnexthop.do.decodeReply(item).id)}`);
      })();
      // A nexthop added and deleted marks a point both monitors have passed.
      let markId = 9000;
      const mark = async (): Promise<[number, number, number]> => {
        for (let tries = 0; tries < 50; tries++) {
          const id = markId++;
          ip(ns!, ['nexthop', 'add', 'id', String(id), 'blackhole']);
          ip(ns!, ['nexthop', 'del', 'id', String(id)]);
          const line = (l: string): boolean => /^(\[NEXTHOP\])?Deleted id (\d+) /.exec(l)?.[2] === String(id);
          const event = (e: string): boolean => e === `105 ${id}`;
          try {
            await until(() => theirs.lines.some(line) && mine.lines.some(line) && kernelEvents.some(event), 2000);
          } catch {
            continue;
          }
          return [theirs.lines.findIndex(line) + 1, mine.lines.findIndex(line) + 1, kernelEvents.findIndex(event) + 1];
        }
        throw new Error('the monitors never both saw a mark');
      };
      try {
        await listening;
        const [fromTheirs, fromMine, kernelFrom] = await mark();
        ipBatch(ns!, CHANGES);
        const [untilTheirs, untilMine, kernelUntil] = await mark();
        const got = mine.lines.slice(fromMine, untilMine);
        expect(got).toEqual(theirs.lines.slice(fromTheirs, untilTheirs));
        const nexthopLines = got.filter((l) => /^(\[NEXTHOP\])?(Deleted )?id \d+ /.test(l));
        // One line per kernel event, in the kernel's order (the slice ends with the second mark's add and delete).
        const asEvents = nexthopLines.map((l) => {
          const m = /^(?:\[NEXTHOP\])?(Deleted )?id (\d+) /.exec(l)!;
          return `${m[1] ? 105 : 104} ${m[2]!}`;
        });
        expect(asEvents).toEqual(kernelEvents.slice(kernelFrom, kernelUntil));
        expect(nexthopLines.some((l) => l.includes('type resilient'))).toBe(true);
        expect(nexthopLines.some((l) => l.startsWith(what[0] === 'all' ? '[NEXTHOP]Deleted ' : 'Deleted '))).toBe(true);
        // -d: routes through a nexthop object carry its nh_info, from the cache the events keep.
        if (what[0] === '-d') expect(got.filter((l) => l.startsWith('\tnh_info id 10 ')).length).toBeGreaterThan(0);
      } finally {
        controller.abort();
        child.kill();
        sub.close();
        counter.close();
        await counting;
      }
      expect((await running).valueOf()).toBe(0);
      expect(stderr).toBe('');
    });
  }

  it('gives typed events in monitor() and a converging view in watch()', async () => {
    await using rt = await RouteClient.open({ netns: ns! });
    await using mon = await rt.monitor('nexthop');
    const watch = await rt.watch('nexthop');
    const view = new Map<string, NexthopObject>();
    const first = await watch.next();
    expect(first.value).toEqual({ action: 'synced', resync: false, size: 0 });
    await rt.nexthops.add({ id: 1, gateway: '10.80.0.2', dev: 'n0' });
    await rt.nexthops.add({ id: 2, dev: 'n1' });
    await rt.nexthops.add({ id: 10, group: [{ id: 1, weight: 3 }, { id: 2 }] });
    await rt.nexthops.replace({ id: 10, group: [{ id: 1 }] });
    await rt.nexthops.delete(2);
    const events: string[] = [];
    for await (const e of mon) {
      if (isOverrun(e)) throw new Error('overrun');
      if (e.kind !== 'nexthop') continue;
      events.push(`${e.action} ${e.object.id}${e.object.group ? ' ' + e.object.group.map((g) => `${g.id}x${g.weight}`).join('/') : ''}`);
      if (events.length === 5) break;
    }
    expect(events).toEqual(['new 1', 'new 2', 'new 10 1x3/2x1', 'new 10 1x1', 'del 2']);
    for (;;) {
      const r = await watch.next();
      if (r.done) break;
      const e = r.value;
      if (e.action === 'add' || e.action === 'change') view.set(e.key, e.object);
      else if (e.action === 'remove') view.delete(e.key);
      if (view.size === 2 && view.get('10')?.group?.length === 1 && !view.has('2')) break;
    }
    watch.close();
    expect([...view.values()].map((n) => n.id).sort()).toEqual((await rt.nexthops.listAll()).map((n) => n.id).sort());
    await rt.nexthops.flush();
  });
});
