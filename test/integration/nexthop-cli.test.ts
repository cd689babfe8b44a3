// `nlkit nexthop` beside `ip nexthop` (iproute2 6.1) in namespaces with veth
// pairs, nexthops, groups (hash-threshold and resilient, fdb) and routes
// through them: listings byte for byte (text, -j, -d), every write through
// nlkit in one namespace and through ip in a twin leaves the same state,
// errors with ip's first line and exit status, `nlkit monitor nexthop`
// printing one line per kernel event as ip does, and the typed client
// reading the same state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { runYnl } from '../../src/cli/ynl.js';
import { RouteClient } from '../../src/families/route/index.js';
import { NetlinkError } from '../../src/index.js';
import { requireFeatures } from '../helpers/features.js';
import { canUseKernel, createNetns, ip, ipJson, ipRun, removeNetns, type Run } from '../helpers/kernel.js';

async function nlkit(args: string[], extra: { signal?: AbortSignal; ready?: () => void } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), ...extra });
  return { code, stdout, stderr };
}

type J = Record<string, unknown>;

/** Links with veth pairs up, addresses, nexthops, groups and routes using them. */
const SETUP = [
  'link add v0 type veth peer name v1',
  'link add v2 type veth peer name v3',
  'link set v0 up',
  'link set v1 up',
  'link set v2 up',
  'link set v3 up',
  'addr add 10.0.0.1/24 dev v0',
  'addr add 10.0.2.1/24 dev v2',
  '-6 addr add 2001:db8::1/64 dev v0 nodad',
];

const NEXTHOPS = [
  'nexthop add id 1 via 10.0.0.2 dev v0',
  'nexthop add id 2 via 10.0.2.2 dev v2 onlink',
  'nexthop add id 3 dev v1',
  'nexthop add id 4 blackhole',
  'nexthop add id 5 via 2001:db8::2 dev v0 protocol static',
  'nexthop add id 6 encap ip id 5 dst 1.2.3.4 via 10.0.0.2 dev v0',
  'nexthop add id 7 encap seg6 mode encap segs 2001:db8::9 via 10.0.0.3 dev v0',
  'nexthop add id 10 group 1,3/2',
  'nexthop add id 11 group 1/2,200 type resilient buckets 8 idle_timer 10 unbalanced_timer 20',
  'nexthop add id 20 via 10.0.0.5 fdb',
  'nexthop add id 21 group 20 fdb',
  'route add 192.168.1.0/24 nhid 10',
  'route add 192.168.2.0/24 nhid 11 proto static',
  'route add 192.168.3.0/24 nhid 1',
];

function setup(ns: string, lines: readonly string[]): void {
  for (const l of lines) ip(ns, l.split(' '));
}

function state(ns: string): unknown {
  return {
    nexthops: ipJson<J[]>(ns, ['-d', 'nexthop', 'show']),
    buckets: ipJson<J[]>(ns, ['nexthop', 'bucket', 'show']).map((b) => ({ ...b, bucket: { ...(b.bucket as J), idle_time: undefined } })),
    routes: ipJson<J[]>(ns, ['-4', 'route', 'show']),
  };
}

describe.skipIf(!canUseKernel)('nlkit nexthop against ip nexthop', () => {
  let a: string | undefined;
  let b: string | undefined;

  beforeAll(async () => {
    requireFeatures('veth');
    a = await createNetns('nh-a');
    b = await createNetns('nh-b');
    setup(a, SETUP);
    setup(b, SETUP);
    setup(a, NEXTHOPS);
  });

  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
  });

  const SHOW: readonly string[][] = [
    ['nexthop'],
    ['nexthop', 'show'],
    ['-j', 'nexthop', 'show'],
    ['-j', '-p', 'nexthop', 'show'],
    ['-d', 'nexthop', 'show'],
    ['-j', '-d', 'nexthop', 'show'],
    ['nexthop', 'show', 'groups'],
    ['nexthop', 'show', 'fdb'],
    ['nexthop', 'show', 'dev', 'v0'],
    ['-j', 'nexthop', 'show', 'dev', 'v2'],
    ['-6', 'nexthop', 'show'],
    ['-4', '-j', 'nexthop', 'show'],
    ['nexthop', 'show', 'protocol', '4'],
    ['-s', 'nexthop', 'show'],
    ['nexthop', 's', 'd', 'v0'],
    ['nexthop', 'l', 'g'],
    ['nexthop', 'bu', 'l', 'id', '11'],
    ['nexthop', 'g', 'id', '4'],
    ['nexthop', 'show', 'master', 'v0'],
    ['nexthop', 'show', 'id', '11'],
    ['-j', 'nexthop', 'get', 'id', '6'],
    ['nexthop', 'get', 'id', '7'],
    ['nexthop', 'bucket', 'show', 'nhid', '1'],
    ['-j', 'nexthop', 'bucket', 'show', 'id', '11', 'nhid', '2'],
    ['nexthop', 'bucket', 'get', 'id', '11', 'index', '3'],
    ['-j', 'nexthop', 'bucket', 'get', 'id', '11', 'index', '0'],
    ['route', 'show'],
    ['-j', 'route', 'show'],
    ['-d', 'route', 'show'],
    ['-j', '-d', 'route', 'show'],
    ['-d', 'route', 'show', 'nhid', '10'],
    ['route', 'get', '192.168.1.7'],
    ['-d', '-j', 'route', 'get', '192.168.2.7'],
  ];

  for (const args of SHOW) {
    it(`prints \`ip ${args.join(' ')}\` byte for byte`, async () => {
      const want = ipRun(a!, args);
      const got = await nlkit(['-n', a!, ...args]);
      // Bucket idle times run on between the two reads: compare them by shape.
      const idle = (s: string): string => s.replace(/idle_time"?:? ?[0-9.e+-]+/g, 'idle_time T');
      expect(idle(got.stdout)).toBe(idle(want.stdout));
      expect(got.stderr).toBe(want.stderr);
      expect(got.code).toBe(want.code);
    });
  }

  it('reads the same state through the typed client', async () => {
    await using rt = await RouteClient.open({ netns: a! });
    const list = await rt.nexthops.listAll();
    const byId = new Map(list.map((n) => [n.id, n]));
    const v0 = (await rt.links.get('v0'))!.index;
    expect(byId.get(1)).toEqual({ id: 1, family: 'inet', scope: 'link', protocol: 'unspec', flags: [], gateway: '10.0.0.2', oif: v0 });
    expect(byId.get(2)!.flags).toEqual(['onlink']);
    expect(byId.get(4)).toMatchObject({ blackhole: true, family: 'inet' });
    expect(byId.get(5)).toMatchObject({ family: 'inet6', gateway: '2001:db8::2', protocol: 'static' });
    expect(byId.get(6)!.encap).toMatchObject({ type: 'ip', id: 5n, dst: '1.2.3.4' });
    expect(byId.get(7)!.encap).toEqual({ type: 'seg6', mode: 'encap', segments: ['2001:db8::9'] });
    expect(byId.get(10)).toMatchObject({
      group: [
        { id: 1, weight: 3 },
        { id: 2, weight: 1 },
      ],
      groupType: 'mpath',
    });
    expect(byId.get(11)).toMatchObject({
      group: [
        { id: 1, weight: 1 },
        { id: 2, weight: 200 },
      ],
      groupType: 'resilient',
      resilient: { buckets: 8, idleTimer: 10, unbalancedTimer: 20 },
    });
    expect(byId.get(21)).toMatchObject({ group: [{ id: 20, weight: 1 }], fdb: true });
    // The ip listing, id for id (its JSON repeats "id" in an encap: read the text).
    expect([...byId.keys()]).toEqual([...ip(a!, ['nexthop', 'show']).matchAll(/^id (\d+)/gm)].map((x) => Number(x[1])));
    expect((await rt.nexthops.listAll({ groups: true })).map((n) => n.id)).toEqual([10, 11, 21]);
    expect((await rt.nexthops.listAll({ dev: 'v2' })).map((n) => n.id)).toEqual([2]);
    expect((await rt.nexthops.get(6))?.encap?.type).toBe('ip');
    expect(await rt.nexthops.get(999)).toBeUndefined();
    // Per-member counters (NHA_OP_FLAG_DUMP_STATS), as bigint (the namespace's own traffic may have used the group).
    const stats = (await rt.nexthops.get(10, { stats: true }))?.groupStats;
    expect(stats?.map((x) => x.id)).toEqual([1, 2]);
    expect(stats?.every((x) => typeof x.packets === 'bigint' && x.packets >= 0n && x.packetsHw === undefined)).toBe(true);
    expect((await rt.nexthops.listAll({ groups: true }, { stats: true })).map((n) => n.groupStats?.length)).toEqual([2, 2, 1]);
    expect((await rt.nexthops.get(10))?.groupStats).toBeUndefined();
    const buckets = await rt.nexthops.bucketsAll({ id: 11 });
    expect(buckets.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(buckets.map((x) => x.nhId)).toEqual(ipJson<J[]>(a!, ['nexthop', 'bucket', 'show', 'id', '11']).map((x) => (x.bucket as J).nhid));
    expect(await rt.nexthops.bucket(11, 3)).toMatchObject({ id: 11, index: 3 });
    expect(await rt.nexthops.bucket(11, 99)).toBeUndefined();
    const route = (await rt.routes.listAll({ table: 'main' })).find((r) => r.dst === '192.168.1.0/24');
    expect(route?.nhId).toBe(10);
  });

  it('reads the project spec with nlkit ynl --spec specs/rt-nexthop.yaml (groups as lists of struct dicts)', async () => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), env: {}, stdoutIsTTY: false };
    const code = await runYnl(['-n', a!, '--spec', 'specs/rt-nexthop.yaml', '--do', 'getnexthop', '--json', '{"id": 10}', '--output-json'], io);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      id: 10,
      'group-type': 'mpath',
      group: [
        { id: 1, weight: 2, 'weight-high': 0, resvd2: 0 },
        { id: 2, weight: 0, 'weight-high': 0, resvd2: 0 },
      ],
      'op-flags': ['resp-grp-resvd-0'],
      'nh-family': 0,
      'nh-scope': 0,
      'nh-protocol': 0,
      'nh-flags': [],
    });
  });

  it('rejects bad input before sending, and passes kernel refusals on', async () => {
    await using rt = await RouteClient.open({ netns: a! });
    await expect(rt.nexthops.add({ id: 50, group: [{ id: 1, weight: 0 }] })).rejects.toThrow(new RangeError('group[0].weight: 0 is out of range 1..65536'));
    await expect(rt.nexthops.add({ id: 50, group: [] })).rejects.toThrow(TypeError);
    await expect(rt.nexthops.add({ id: 50, gateway: 'nope', dev: 'v0' })).rejects.toThrow(/gateway/);
    await expect(rt.nexthops.add({ id: 50, dev: 'nosuch' })).rejects.toThrow(new RangeError("dev: no link named 'nosuch'"));
    await expect(rt.nexthops.add({ id: 50, blackhole: true, dev: 'v0' })).rejects.toThrow(new TypeError('dev: a blackhole nexthop takes no dev'));
    await expect(rt.nexthops.add({ id: 50 })).rejects.toThrow(TypeError);
    await expect(rt.nexthops.delete(0)).rejects.toThrow(RangeError);
    const err = await rt.nexthops.add({ id: 1, gateway: '10.0.0.2', dev: 'v0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    const bad = await rt.nexthops.add({ id: 51, group: [{ id: 999 }] }).catch((e: unknown) => e);
    expect((bad as NetlinkError).extAck?.message).toBe('Invalid nexthop id');
  });

  const ERRORS: readonly string[][] = [
    ['nexthop', 'add', 'id', 'x'],
    ['nexthop', 'add', 'id', '60', 'group', '1,300'],
    ['nexthop', 'add', 'id', '60', 'group', '1,0'],
    ['nexthop', 'add', 'id', '60', 'via', '10.0.0.9', 'dev', 'nope'],
    ['nexthop', 'add', 'id', '60', 'group', '999'],
    ['nexthop', 'add', 'id', '1', 'via', '10.0.0.2', 'dev', 'v0'],
    ['nexthop', 'add', 'id', '60', 'group', '1', 'type', 'bogus'],
    ['nexthop', 'add', 'id', '60', 'group', '1', 'type', 'resilient', 'idle_timer', 'x'],
    ['-4', 'nexthop', 'add', 'id', '60', 'via', '2001:db8::5', 'dev', 'v0'],
    ['nexthop', 'add', 'id', '60', 'encap', 'mpls', '100', 'via', '10.0.0.2', 'dev', 'v0'],
    ['nexthop', 'add', 'id', '60', 'bogus'],
    ['nexthop', 'add', 'id'],
    ['nexthop', 'foo'],
    ['nexthop', 'get'],
    ['nexthop', 'get', 'id', '999'],
    ['nexthop', 'del', 'id', '999'],
    ['nexthop', 'show', 'dev', 'nope'],
    ['nexthop', 'bucket', 'get', 'id', '11', 'index', '99'],
    ['nexthop', 'bucket', 'get', 'id', '11'],
    ['nexthop', 'bucket', 'foo'],
    ['nexthop', 'show', 'vrf', 'v0'],
    ['nexthop', 'show', 'vrf', 'nosuch'],
    ['nexthop', 'bucket', 'show', 'vrf', 'v1'],
    ['nexthop', 'flush', 'id', '999'],
    ['nexthop', 'show', 'bogus'],
    ['nexthop', 'help'],
    ['nexthop', 'bucket', 'help'],
    ['nexthop', 'add', 'help'],
    ['nexthop', 'bucket', 'get', 'id', '11', 'index', 'x'],
    ['nexthop', 'add', 'id', '60', 'group', '1', 'type', 'resilient', 'buckets', '70000'],
  ];

  for (const args of ERRORS) {
    it(`fails like \`ip ${args.join(' ')}\``, async () => {
      const want = ipRun(a!, args);
      const got = await nlkit(['-n', a!, ...args]);
      expect(got.stderr).toBe(want.stderr);
      expect(got.code).toBe(want.code);
      expect(got.stdout).toBe(want.stdout);
    });
  }
});

describe.skipIf(!canUseKernel)('nlkit nexthop writes leave the state ip leaves', () => {
  let a: string | undefined;
  let b: string | undefined;

  beforeAll(async () => {
    requireFeatures('veth');
    a = await createNetns('nhw-a');
    b = await createNetns('nhw-b');
    setup(a, SETUP);
    setup(b, SETUP);
  });

  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
  });

  const STEPS: readonly string[][] = [
    ...NEXTHOPS.map((l) => l.split(' ')),
    ['nexthop', 'replace', 'id', '1', 'via', '10.0.0.7', 'dev', 'v0'],
    ['nexthop', 'replace', 'id', '10', 'group', '1/3,5'],
    ['nexthop', 'replace', 'id', '12', 'group', '2', 'type', 'resilient'],
    ['-6', 'nexthop', 'add', 'id', '30', 'dev', 'v1'],
    ['nexthop', 'add', 'id', '31', 'via', 'inet6', '2001:db8::7', 'dev', 'v0'],
    ['nexthop', 'add', 'id', '32', 'group', '1/5', 'type', 'mpath', 'protocol', 'static'],
    ['nexthop', 'replace', 'id', '11', 'group', '1/2', 'type', 'resilient', 'buckets', '8', 'idle_timer', '5'],
    ['nexthop', 'add', 'id', '33', 'group', '1/2', 'type', 'resilient', 'protocol', 'zebra'],
    ['nexthop', 'del', 'id', '3'],
    ['nexthop', 'flush', 'dev', 'v2'],
    ['nexthop', 'flush', 'id', '7'],
    ['nexthop', 'flush', 'fdb'],
    ['nexthop', 'flush'],
  ];

  for (const step of STEPS) {
    it(`\`${step.join(' ')}\` through nlkit and ip leaves the same state`, async () => {
      const want = ipRun(b!, step);
      const got = await nlkit(['-n', a!, ...step]);
      expect(got.stdout).toBe(want.stdout);
      expect(got.stderr).toBe(want.stderr);
      expect(got.code).toBe(want.code);
      expect(state(a!)).toEqual(state(b!));
    });
  }
});
