// tun/tap devices made through /dev/net/tun (the kernel refuses them over
// rtnetlink): the io module, the typed route client and `nlkit tuntap`, each
// against `ip tuntap` run in a twin namespace. Devices are only ever made in
// namespaces this file creates and always removes; the process's own
// namespace is checked to stay where it was and to gain no device.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { RouteClient } from '../../src/families/route/index.js';
import { netns, tuntap } from '../../src/io/index.js';
import { requireFeatures } from '../helpers/features.js';
import { canUseKernel, createNetns, ip, ipJson, removeNetns, waitForOperstates } from '../helpers/kernel.js';

// ip -j output, read loosely.
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `nlkit ARGS` in-process. */
async function nlkit(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Runs `ip -n NS ARGS`, returning status and output instead of throwing. */
function ipRun(ns: string, args: string[]): Run {
  try {
    const stdout = execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `ip -d link show` of a namespace without what differs between twins by chance (random MACs, indexes). */
function links(ns: string): J[] {
  return ipJson<J[]>(ns, ['-d', 'link', 'show']).map((l) => {
    const { address: _a, ifindex: _i, ...rest } = l;
    return rest;
  });
}

/** The tun/tap devices of a namespace as `ip -j tuntap show` lists them. */
function tuntaps(ns: string): J[] {
  return ipJson<J[]>(ns, ['tuntap', 'show']);
}

/** A name for a device that no host interface is likely to have. */
const uniq = `nt${process.pid % 100000}`;

describe.skipIf(!canUseKernel)('tuntap.create and tuntap.remove', () => {
  let a: string | undefined; // written by nlkit
  let b: string | undefined; // written by ip

  beforeAll(async () => {
    requireFeatures('tuntap');
    a = await createNetns('tuntap-a');
    b = await createNetns('tuntap-b');
  });
  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
  });

  it('creates a device in another namespace and leaves the process where it was', async () => {
    const before = netns.currentInode();
    expect(await tuntap.create({ name: uniq, mode: 'tap', netns: a! })).toBe(uniq);
    expect(netns.currentInode()).toBe(before);
    expect(ipJson<J[]>(a!, ['-d', 'link', 'show', uniq])[0]!.linkinfo).toMatchObject({ info_kind: 'tun', info_data: { type: 'tap', persist: true } });
    // Read only: the process's own namespace has no such device.
    const here = await RouteClient.open();
    try {
      expect(await here.links.get(uniq)).toBeUndefined();
    } finally {
      here.close();
    }
    await tuntap.remove({ name: uniq, mode: 'tap', netns: a! });
    expect(netns.currentInode()).toBe(before);
    expect(tuntaps(a!)).toEqual([]);
  });

  const CREATES: Array<[string, tuntap.TuntapCreateOptions, string[]]> = [
    ['a tun', { name: 'ta0', mode: 'tun' }, ['tuntap', 'add', 'ta0', 'mode', 'tun']],
    ['a tap', { name: 'ta1', mode: 'tap' }, ['tuntap', 'add', 'ta1', 'mode', 'tap']],
    ['a tun with packet information and virtio headers', { name: 'ta2', mode: 'tun', pi: true, vnetHdr: true }, ['tuntap', 'add', 'ta2', 'mode', 'tun', 'pi', 'vnet_hdr']],
    ['a multi-queue tap', { name: 'ta3', mode: 'tap', multiQueue: true }, ['tuntap', 'add', 'ta3', 'mode', 'tap', 'multi_queue']],
    ['a tun with an owner and a group', { name: 'ta4', mode: 'tun', owner: 1000, group: 100 }, ['tuntap', 'add', 'ta4', 'mode', 'tun', 'user', '1000', 'group', '100']],
    ['a tap with one_queue', { name: 'ta5', mode: 'tap', oneQueue: true, pi: false }, ['tuntap', 'add', 'ta5', 'mode', 'tap', 'one_queue']],
  ];

  it.each(CREATES)('creates %s as ip tuntap add does', async (_what, options, cmd) => {
    await tuntap.create({ ...options, netns: a! });
    ip(b!, cmd);
    expect(links(a!)).toEqual(links(b!));
    expect(tuntaps(a!)).toEqual(tuntaps(b!));
  });

  it('fills in a name template and says which name the kernel chose', async () => {
    expect(await tuntap.create({ name: 'tq%d', mode: 'tap', netns: { path: `/run/netns/${a!}` } })).toBe('tq0');
    expect(await tuntap.create({ name: 'tq%d', mode: 'tap', netns: a! })).toBe('tq1');
    ip(b!, ['tuntap', 'add', 'tq0', 'mode', 'tap']);
    ip(b!, ['tuntap', 'add', 'tq1', 'mode', 'tap']);
    expect(links(a!)).toEqual(links(b!));
  });

  it('fails like the kernel: EBUSY for a name in use, EINVAL for the wrong mode, ENODEV for no device', async () => {
    const failure = async (p: Promise<unknown>): Promise<J> => {
      try {
        await p;
      } catch (err) {
        const { errno, code, syscall, path } = err as J;
        return { errno, code, syscall, ...(path !== undefined ? { path } : {}) };
      }
      throw new Error('did not fail');
    };
    expect(await failure(tuntap.create({ name: 'ta0', mode: 'tun', netns: a! }))).toEqual({ errno: 16, code: 'EBUSY', syscall: 'ioctl(TUNSETIFF)' });
    expect(await failure(tuntap.create({ name: 'lo', mode: 'tap', netns: a! }))).toEqual({ errno: 16, code: 'EBUSY', syscall: 'ioctl(TUNSETIFF)' });
    expect(await failure(tuntap.remove({ name: 'ta0', mode: 'tap', netns: a! }))).toEqual({ errno: 22, code: 'EINVAL', syscall: 'ioctl(TUNSETIFF)' });
    expect(await failure(tuntap.remove({ name: 'ta3', mode: 'tap', netns: a! }))).toEqual({ errno: 22, code: 'EINVAL', syscall: 'ioctl(TUNSETIFF)' });
    expect(await failure(tuntap.remove({ name: 'lo', mode: 'tun', netns: a! }))).toEqual({ errno: 22, code: 'EINVAL', syscall: 'ioctl(TUNSETIFF)' });
    expect(await failure(tuntap.remove({ name: 'nosuch', mode: 'tun', netns: a! }))).toEqual({ errno: 19, code: 'ENODEV', syscall: 'if_nametoindex', path: 'nosuch' });
    expect(await failure(tuntap.create({ name: 'ta9', mode: 'tun', netns: `nlkit-t-missing-${process.pid}` }))).toEqual({
      errno: 2,
      code: 'ENOENT',
      syscall: 'open',
      path: `/run/netns/nlkit-t-missing-${process.pid}`,
    });
    expect(links(a!)).toEqual(links(b!));
  });

  it('removes devices as ip tuntap del does', async () => {
    await tuntap.remove({ name: 'ta0', mode: 'tun', netns: a! });
    await tuntap.remove({ name: 'ta3', mode: 'tap', multiQueue: true, netns: a! });
    ip(b!, ['tuntap', 'del', 'ta0', 'mode', 'tun']);
    ip(b!, ['tuntap', 'del', 'ta3', 'mode', 'tap', 'multi_queue']);
    expect(links(a!)).toEqual(links(b!));
  });

  const BAD: Array<[string, () => Promise<unknown>, ErrorConstructor, string]> = [
    ['a missing name', () => tuntap.create({ mode: 'tun' } as never), TypeError, 'name must be a string, got undefined'],
    ['a name of 16 bytes', () => tuntap.create({ name: '0123456789abcdef', mode: 'tun', netns: a! }), RangeError, "name: '0123456789abcdef' must be 1..15 bytes long"],
    ['a name with a slash', () => tuntap.create({ name: 'a/b', mode: 'tun', netns: a! }), RangeError, "name: 'a/b' is not a valid device name"],
    ['an unknown mode', () => tuntap.create({ name: 'tb0', mode: 'tan' as never, netns: a! }), RangeError, "mode must be 'tun' or 'tap', got 'tan'"],
    ['an owner of (uid_t)-1', () => tuntap.create({ name: 'tb0', mode: 'tun', owner: 0xffffffff, netns: a! }), RangeError, 'owner: 4294967295 is out of range 0..4294967294'],
    ['a namespace name with a slash', () => tuntap.create({ name: 'tb0', mode: 'tun', netns: '../x' }), RangeError, "netns: '../x' is not a valid namespace name"],
    [
      'a misspelt option',
      () => tuntap.create({ name: 'tb0', mode: 'tun', multiqueue: true, netns: a! } as never),
      TypeError,
      'multiqueue: not an option of tuntap.create (options: name, mode, netns, pi, vnetHdr, multiQueue, oneQueue, owner, group)',
    ],
    ['a removal without a mode', () => tuntap.remove({ name: 'ta1', netns: a! } as never), RangeError, "mode must be 'tun' or 'tap', got undefined"],
  ];

  it.each(BAD)('rejects %s before anything is done', async (_what, run, type, message) => {
    const before = links(a!);
    let caught: unknown;
    try {
      await run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toBe(message);
    expect(links(a!)).toEqual(before);
  });
});

describe.skipIf(!canUseKernel)('rt.links.add with kind tun', () => {
  let a: string | undefined;
  let b: string | undefined;
  let rt: RouteClient;

  beforeAll(async () => {
    requireFeatures('tuntap');
    a = await createNetns('tunlink-a');
    b = await createNetns('tunlink-b');
    rt = await RouteClient.open({ netns: a });
  });
  afterAll(async () => {
    rt?.close();
    await removeNetns(a);
    await removeNetns(b);
  });

  it('makes the device in the client namespace, with settings, as ip tuntap add and ip link set do', async () => {
    const before = netns.currentInode();
    await rt.links.add({ name: 'tl0', kind: 'tun', mtu: 1400, txqlen: 100, up: true, alias: 'uplink', data: { type: 'tap', vnetHdr: true, owner: 0 } });
    expect(netns.currentInode()).toBe(before);
    ip(b!, ['tuntap', 'add', 'tl0', 'mode', 'tap', 'vnet_hdr', 'user', '0']);
    ip(b!, ['link', 'set', 'tl0', 'mtu', '1400', 'txqlen', '100', 'up', 'alias', 'uplink']);
    // Up without a process attached, the device has no carrier: DOWN once linkwatch has seen it.
    await waitForOperstates(a!, { tl0: 'DOWN' });
    await waitForOperstates(b!, { tl0: 'DOWN' });
    expect(links(a!)).toEqual(links(b!));
    const link = await rt.links.get('tl0');
    expect(link?.data).toMatchObject({ type: 2, pi: 0, vnetHdr: 1, persist: 1, multiQueue: 0, owner: 0 });
  });

  it('fails with EEXIST for a name in use', async () => {
    await expect(rt.links.add({ name: 'tl0', kind: 'tun' })).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(rt.links.add({ name: 'lo', kind: 'tun' })).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('replaces an existing device by changing its settings, and refuses other kind data', async () => {
    await rt.links.replace({ name: 'tl0', kind: 'tun', data: { type: 'tap' }, mtu: 1300 });
    ip(b!, ['link', 'set', 'tl0', 'mtu', '1300']);
    expect(links(a!)).toEqual(links(b!));
    await expect(rt.links.replace({ name: 'tl0', kind: 'tun', data: { type: 'tun' } })).rejects.toMatchObject({
      code: 'EOPNOTSUPP',
      message: "tun/tap link 'tl0' exists with another type; kind data of a tun/tap link cannot be changed",
    });
    await expect(rt.links.replace({ name: 'lo', kind: 'tun' })).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
    await rt.links.replace({ name: 'tl1', kind: 'tun', data: { type: 'tun', multiQueue: true } });
    ip(b!, ['tuntap', 'add', 'tl1', 'mode', 'tun', 'multi_queue']);
    expect(links(a!)).toEqual(links(b!));
  });

  it('removes the device again when the kernel refuses its settings', async () => {
    await expect(rt.links.add({ name: 'tl2', kind: 'tun', mtu: 70000 })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await rt.links.get('tl2')).toBeUndefined();
    expect(links(a!)).toEqual(links(b!));
  });

  const BAD: Array<[string, () => Promise<unknown>, ErrorConstructor, string]> = [
    ['an unknown type', () => rt.links.add({ name: 'tl3', kind: 'tun', data: { type: 'tup' } }), RangeError, "data.type must be one of tun, tap, got 'tup'"],
    [
      'a non-persistent device',
      () => rt.links.add({ name: 'tl3', kind: 'tun', data: { persist: false } }),
      RangeError,
      'data.persist: tun/tap links nlkit creates are persistent (nothing keeps their fd open)',
    ],
    [
      'a read-only attribute',
      () => rt.links.add({ name: 'tl3', kind: 'tun', data: { numQueues: 4 } }),
      TypeError,
      'data.numQueues: not settable on tun links (type, pi, vnetHdr, multiQueue, persist, owner, group)',
    ],
    ['an owner out of range', () => rt.links.add({ name: 'tl3', kind: 'tun', data: { owner: -1 } }), RangeError, 'data.owner: -1 is out of range 0..4294967294'],
    ['queue counts', () => rt.links.add({ name: 'tl3', kind: 'tun', numTxQueues: 4 }), TypeError, 'numTxQueues: a tun/tap link has 1 queue, or 256 with data.multiQueue'],
    ['an unknown master', () => rt.links.add({ name: 'tl3', kind: 'tun', master: 'nosuch' }), RangeError, "master: no link named 'nosuch'"],
    ['an mtu below the minimum', () => rt.links.add({ name: 'tl3', kind: 'tun', mtu: 20 }), RangeError, 'mtu: 20 is out of range 68..4294967295'],
  ];

  it.each(BAD)('rejects %s before anything is done', async (_what, run, type, message) => {
    const before = links(a!);
    let caught: unknown;
    try {
      await run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toBe(message);
    expect(links(a!)).toEqual(before);
  });
});

describe.skipIf(!canUseKernel)('nlkit tuntap', () => {
  let mine: string | undefined;
  let theirs: string | undefined;

  beforeAll(async () => {
    requireFeatures('tuntap');
    mine = await createNetns('tuntap-cli-nlkit');
    theirs = await createNetns('tuntap-cli-ip');
  });
  afterAll(async () => {
    await removeNetns(mine);
    await removeNetns(theirs);
  });

  const STEPS: string[][] = [
    ['tuntap', 'add', 'nt0', 'mode', 'tun'],
    ['tuntap', 'add', 'dev', 'nt1', 'mode', 'tap', 'pi', 'vnet_hdr', 'multi_queue', 'user', '1000', 'group', '100'],
    ['tuntap', 'add', 'name', 'nt2', 'mo', 'tap', 'u', 'root', 'g', 'root'],
    ['tuntap', 'add', 'mode', 'tap'],
    ['tuntap', 'a', 'mode', 'tun', 'nt3', 'one_queue'],
    ['tuntap', 'add', 'nt4', 'mode', 'tun', 'user', '-1', 'group', '4294967295'],
    ['tunt', 'add', 'nt5', 'mode', 'tun'],
    // Failures, each before or at the ioctl that fails.
    ['tuntap', 'add', 'nt0', 'mode', 'tun'],
    ['tuntap', 'add', 'nt9'],
    ['tuntap', 'add', 'nt9', 'mode', 'tun', 'mode', 'tap'],
    ['tuntap', 'add', 'nt9', 'mode', 'foo'],
    ['tuntap', 'add', 'nt9', 'mode'],
    ['tuntap', 'add', 'nt9', 'mode', 'tun', 'user', 'nlkit-no-such-user'],
    ['tuntap', 'add', 'nt9', 'mode', 'tun', 'group', 'nlkit-no-such-group'],
    ['tuntap', 'add', 'nt9', 'name', 'nt8', 'mode', 'tun'],
    ['tuntap', 'add', '0123456789abcdef', 'mode', 'tun'],
    ['tuntap', 'add', 'a/b', 'mode', 'tun'],
    ['tuntap', 'add', 'bad:name', 'mode', 'tun'],
    ['tuntap', 'add', 'help'],
    ['tuntap', 'help'],
    ['tuntap', 'frob'],
    ['tuntap', 'del', 'nt0', 'mode', 'tap'],
    ['tuntap', 'del', 'nt0'],
    ['tuntap', 'del', 'nt1', 'mode', 'tap'],
    ['tuntap', 'del', 'nt0', 'mode', 'tun', 'user', '5'],
    // The kernel refuses tun/tap over rtnetlink, and ip 6.1 knows no link type "tap".
    ['link', 'add', 'nt7', 'type', 'tun'],
    ['link', 'add', 'nt7', 'type', 'tap'],
    // Removals; a missing device is no error to ip.
    ['tuntap', 'del', 'nt1', 'mode', 'tap', 'multi_queue'],
    ['tuntap', 'd', 'nt3', 'mode', 'tun'],
    ['tuntap', 'del', 'mode', 'tun'],
    ['tuntap', 'del', 'nt-none', 'mode', 'tun'],
  ];

  it('runs each command with the outcome ip has', async () => {
    for (const step of STEPS) {
      const r = await nlkit(['-n', mine!, ...step]);
      const ref = ipRun(theirs!, step);
      expect({ step: step.join(' '), code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ step: step.join(' '), code: ref.code, stdout: ref.stdout, stderr: ref.stderr });
    }
    expect(links(mine!)).toEqual(links(theirs!));
  });

  it('lists devices as ip tuntap show does, in text and JSON', async () => {
    expect(tuntaps(mine!).length).toBeGreaterThan(3);
    for (const args of [
      ['tuntap'],
      ['tuntap', 'show'],
      ['tuntap', 'list'],
      ['tuntap', 'lst'],
      ['-d', 'tuntap', 'show'],
      ['-j', 'tuntap', 'show'],
      ['-j', '-d', 'tuntap', 'show'],
    ]) {
      const r = await nlkit(['-n', mine!, ...args]);
      const ref = ipRun(mine!, args);
      expect({ args: args.join(' '), code: r.code, stdout: r.stdout }).toEqual({ args: args.join(' '), code: ref.code, stdout: ref.stdout });
      expect(r.stderr).toBe('');
    }
    // Pretty JSON: the same document (nlkit's pretty layout is the one of its other listings).
    const pretty = await nlkit(['-n', mine!, '-j', '-p', 'tuntap', 'show']);
    expect(JSON.parse(pretty.stdout)).toEqual(JSON.parse(ipRun(mine!, ['-j', '-p', 'tuntap', 'show']).stdout));
  });

  it('lists nothing in a namespace without devices', async () => {
    const empty = await createNetns('tuntap-cli-empty');
    try {
      for (const args of [
        ['tuntap', 'show'],
        ['-j', 'tuntap', 'show'],
      ]) {
        expect(await nlkit(['-n', empty, ...args])).toEqual({ code: 0, stdout: ipRun(empty, args).stdout, stderr: '' });
      }
    } finally {
      await removeNetns(empty);
    }
  });

  it('names the processes attached to a device with -d, and cannot delete it meanwhile', async () => {
    // A process that attaches to nt0 (TUNSETIFF with IFF_TUN | IFF_NO_PI) and holds it until its stdin closes.
    const TUNSETIFF = 0x400454ca;
    const holder = spawn(
      'ip',
      [
        'netns',
        'exec',
        mine!,
        'python3',
        '-c',
        [
          'import fcntl, os, struct, sys',
          "fd = os.open('/dev/net/tun', os.O_RDWR)",
          `fcntl.ioctl(fd, ${TUNSETIFF}, struct.pack('16sH', b'nt0', 0x1001))`,
          "print('ready', flush=True)",
          'sys.stdin.read()',
        ].join('\n'),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      const exited = once(holder, 'exit').then(([code]) => {
        throw new Error(`the holder process ended early (${String(code)})`);
      });
      exited.catch(() => undefined); // it also ends, later, on purpose
      let said = '';
      while (!said.includes('\n')) said += String((await Promise.race([once(holder.stdout!, 'data'), exited]))[0]);
      expect(said).toBe('ready\n');
      const r = await nlkit(['-n', mine!, '-d', 'tuntap', 'show']);
      expect(r.stdout).toBe(ipRun(mine!, ['-d', 'tuntap', 'show']).stdout);
      expect(r.stdout).toMatch(new RegExp(`^nt0: tun persist\n\tAttached to processes:python3\\(${holder.pid}\\)`));
      const del = ['tuntap', 'del', 'nt0', 'mode', 'tun'];
      expect(await nlkit(['-n', mine!, ...del])).toEqual({ code: 1, stdout: '', stderr: 'ioctl(TUNSETIFF): Device or resource busy\n' });
      expect(ipRun(mine!, del)).toEqual({ code: 1, stdout: '', stderr: 'ioctl(TUNSETIFF): Device or resource busy\n' });
    } finally {
      holder.stdin!.end();
      if (holder.exitCode === null && holder.signalCode === null) await once(holder, 'exit');
    }
  });

  it('reports a missing namespace as ip does', async () => {
    const args = ['-n', `nlkit-t-missing-${process.pid}`, 'tuntap', 'add', 'nt0', 'mode', 'tun'];
    let ref: Run;
    try {
      ref = { code: 0, stdout: execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), stderr: '' };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      ref = { code: e.status, stdout: e.stdout, stderr: e.stderr };
    }
    expect(await nlkit(args)).toEqual(ref);
  });
});
