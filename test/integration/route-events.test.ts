// Typed events: monitor() yields exactly one typed event per kernel
// notification while 1 000 routes and 100 links come and go; watch()
// converges to the kernel's table after forced overruns (a tiny receive
// buffer and 50 000 route changes). Runs in namespaces of its own, removed
// also on failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkSocket } from '../../src/io/socket.js';
import { isOverrun } from '../../src/io/subscription.js';
import { RouteClient, type Route, type RouteEvent } from '../../src/families/route/index.js';
import { canUseKernel, createNetns, ip, ipBatch, ipBatchAsync, removeNetns } from '../helpers/kernel.js';

const routeLine = (verb: string, i: number, extra = ''): string => `route ${verb} 10.${50 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 ${extra}`.trim();

describe.skipIf(!canUseKernel)('route events', () => {
  let ns: string | undefined;
  let rt: RouteClient;

  beforeAll(async () => {
    ns = await createNetns('revents');
    ipBatch(ns, ['link add ea type veth peer name eb', 'link set ea up', 'link set eb up', 'addr add 10.1.0.1/24 dev ea', 'addr add 10.2.0.1/24 dev eb']);
    rt = await RouteClient.open({ netns: ns });
  });

  afterAll(async () => {
    rt?.close();
    await removeNetns(ns);
  });

  it('monitor sees exactly one typed event per kernel event', async () => {
    const monitor = await rt.monitor(['route', 'link']);
    // A raw subscription to the same groups counts what the kernel sent.
    const raw = await NetlinkSocket.open(0, { netns: ns! });
    const rawSub = raw.subscribe([1, 7, 11]);
    const ours = new Map<string, number>();
    const kernel = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
    const TYPES: Record<number, string> = { 16: 'link new', 17: 'link del', 24: 'route new', 25: 'route del' };
    const ourRoutes = new Map<string, number>();
    const seenSentinel = (async () => {
      for await (const e of monitor) {
        if (isOverrun(e)) throw new Error('the monitor overran');
        const ev = e as RouteEvent;
        bump(ours, `${ev.kind} ${ev.action}`);
        if (ev.kind === 'route' && ev.object.dst.startsWith('10.5')) bump(ourRoutes, ev.action);
        if (ev.kind === 'link' && ev.action === 'new' && ev.object.name === 'sentinel') return;
      }
    })();
    const rawDone = (async () => {
      for await (const m of rawSub) {
        if (isOverrun(m)) throw new Error('the raw subscription overran');
        bump(kernel, TYPES[m.type] ?? String(m.type));
        if (m.type === 16 && new TextDecoder().decode(m.payload).includes('sentinel')) return;
      }
    })();
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) lines.push(routeLine('add', i, 'via 10.1.0.2'));
    for (let i = 0; i < 100; i++) lines.push(`link add br${i} type bridge`);
    for (let i = 0; i < 1000; i++) lines.push(routeLine('del', i));
    for (let i = 0; i < 100; i++) lines.push(`link del br${i}`);
    lines.push('link add sentinel type bridge');
    await ipBatchAsync(ns!, lines);
    await Promise.all([seenSentinel, rawDone]);
    rawSub.close();
    raw.close();
    monitor.close();
    expect(ours).toEqual(kernel);
    expect(ourRoutes).toEqual(
      new Map([
        ['new', 1000],
        ['del', 1000],
      ]),
    );
    expect(ours.get('link del')).toBe(100);
    expect(ours.get('link new')! >= 101).toBe(true);
    ip(ns!, ['link', 'del', 'sentinel']);
  }, 60_000);

  it('monitor yields typed objects for every kind', async () => {
    const monitor = await rt.monitor(['address', 'neighbour', 'rule', 'route']);
    const events: RouteEvent[] = [];
    const done = (async () => {
      for await (const e of monitor) {
        if (isOverrun(e)) continue;
        events.push(e);
        if (e.kind === 'rule' && e.action === 'del') return;
      }
    })();
    await rt.addresses.add({ dev: 'ea', address: '10.3.0.1/24' });
    await rt.neighbours.add({ dev: 'ea', destination: '10.1.0.77', lladdr: '02:00:00:00:00:77' });
    await rt.rules.add({ priority: 1234, table: 77, src: '10.3.0.0/24' });
    await rt.rules.delete({ priority: 1234, table: 77, src: '10.3.0.0/24' });
    await done;
    monitor.close();
    const pick = (k: string): RouteEvent | undefined => events.find((e) => `${e.kind} ${e.action}` === k && (e.kind !== 'route' || e.object.table === 254));
    expect(pick('address new')?.object).toMatchObject({ address: '10.3.0.1', prefixLength: 24, family: 'inet' });
    expect(pick('route new')?.object).toMatchObject({ dst: '10.3.0.0/24', table: 254, protocol: 'kernel' });
    expect(pick('neighbour new')?.object).toMatchObject({ destination: '10.1.0.77', lladdr: '02:00:00:00:00:77', state: ['PERMANENT'] });
    expect(pick('rule new')?.object).toMatchObject({ priority: 1234, table: 77, src: '10.3.0.0/24' });
    expect(pick('rule del')?.object).toMatchObject({ priority: 1234, table: 77 });
  });

  it('watch converges to the kernel table after forced overruns', async () => {
    // A tiny kernel buffer, a queue of one event and a consumer that stalls
    // during the burst: the kernel has to drop events, whatever the speed of
    // the machine.
    const watch = await rt.watch('route', { table: 100, family: 'inet' }, { rcvbuf: 4096, maxQueue: 1 });
    // The consumer's copy is built from the events alone.
    const copy = new Map<string, Route>();
    let initial = -1;
    let sentinel: () => void = () => {};
    const sawSentinel = new Promise<void>((resolve) => (sentinel = resolve));
    let releaseConsumer: () => void = () => {};
    const burstDone = new Promise<void>((resolve) => (releaseConsumer = resolve));
    let released = false;
    const consumer = (async () => {
      for await (const e of watch) {
        if (e.action === 'synced') {
          if (initial < 0) {
            initial = e.size;
            await burstDone;
          } else if ([...copy.values()].some((r) => r.dst === '10.99.0.0/24')) {
            // A resync's differences end with 'synced': only then is the copy whole.
            sentinel();
          }
          continue;
        }
        if (e.action === 'remove') copy.delete(e.key);
        else copy.set(e.key, e.object);
        // Seen live (no overrun came before it on this socket, or the kernel would
        // have said so first): the copy is whole as well.
        if (released && e.action === 'add' && e.object.dst === '10.99.0.0/24') sentinel();
      }
    })();
    ip(ns!, ['route', 'add', '10.98.0.0/24', 'via', '10.1.0.2', 'table', '100']);
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(routeLine('add', i, 'via 10.1.0.2 table 100'));
    for (let i = 0; i < 15_000; i++) lines.push(routeLine('replace', i, 'via 10.2.0.2 table 100'));
    for (let i = 5_000; i < 20_000; i++) lines.push(routeLine('del', i, 'table 100'));
    expect(lines.length).toBe(50_000);
    await ipBatchAsync(ns!, lines);
    released = true;
    releaseConsumer();
    ip(ns!, ['route', 'add', '10.99.0.0/24', 'via', '10.1.0.2', 'table', '100']);
    await Promise.race([sawSentinel, consumer]);
    const fresh = await rt.routes.listAll({ table: 100, family: 'inet' });
    expect(fresh.length).toBe(5_002);
    expect(watch.resyncs).toBeGreaterThan(0);
    const byKey = (list: Iterable<Route>): string[] => [...list].map((r) => `${r.dst} ${r.gateway}`).sort();
    expect(byKey(watch.view.values())).toEqual(byKey(fresh));
    expect(byKey(copy.values())).toEqual(byKey(fresh));
    expect(copy.get([...copy.keys()].find((k) => k.includes('10.50.0.7/'))!) ?? [...copy.values()].find((r) => r.dst === '10.50.0.7')).toMatchObject({ gateway: '10.2.0.2' });
    watch.close();
    await consumer;
  }, 80_000);
});
