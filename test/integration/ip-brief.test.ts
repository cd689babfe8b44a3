// `nlkit -br` (brief), `nlkit -o` (oneline) and the `tap` object against
// iproute2 6.1 itself: for the same namespace, stdout, stderr and the exit
// status must be byte-for-byte what `ip` gives, in text, -j and -j -p.
// Namespace A holds lo, a veth pair with one end down (DOWN / LOWERLAYERDOWN,
// `v1@v0`, M-DOWN), a veth whose peer is in namespace B (`x0@if2`,
// `link-netns NAME`), a bridge with a port (master), a tun device (no
// link-layer address), a vxlan, and IPv4 / IPv6 addresses (a peer, a label,
// a metric); namespace B sees the other end of the cross-namespace pair.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { requireFeatures } from '../helpers/features.js';
import { canUseKernel, createNetns, ipBatch, removeNetns, waitForOperstates } from '../helpers/kernel.js';

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

/** Runs `ip ARGS`, returning status and output instead of throwing. */
function ipRun(args: string[]): Run {
  try {
    const stdout = execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

// Bridge timers run with the clock between two listings: their digits are
// zeroed on both sides, their layout (width, separators) is still compared.
const TIMER = /(_timer"?:? *)([0-9.]+)/g;
function clockFree(r: Run): Run {
  return { ...r, stdout: r.stdout.replace(TIMER, (_m, key: string, v: string) => key + v.replace(/\d/g, '0')) };
}

/**
 * nlkit's run of `-n NS ARGS` next to ip's. Operational states have settled
 * (beforeAll waits for them), but a counter can still move between two
 * listings (`-s`): ip runs before and after nlkit, and a comparison only
 * counts when ip's two runs agree.
 */
async function bothSides(ns: string, args: string[]): Promise<{ mine: Run; theirs: Run }> {
  const argv = ['-n', ns, ...args];
  for (let attempt = 0; ; attempt++) {
    const before = clockFree(ipRun(argv));
    const mine = clockFree(await nlkit(argv));
    const after = clockFree(ipRun(argv));
    if (JSON.stringify(before) === JSON.stringify(after) || attempt >= 5) return { mine, theirs: after };
  }
}

async function expectSameAsIp(ns: string, args: string[]): Promise<Run> {
  const { mine, theirs } = await bothSides(ns, args);
  expect(mine).toEqual(theirs);
  return theirs;
}

const words = (s: string): string[] => s.split(' ').filter((w) => w !== '');

describe.skipIf(!canUseKernel)('nlkit -brief, -oneline and tap against ip 6.1', () => {
  let a: string | undefined;
  let b: string | undefined;
  const A = (): string => a!;
  const B = (): string => b!;

  beforeAll(async () => {
    requireFeatures('veth', 'bridge', 'vxlan', 'tuntap');
    a = await createNetns('brief-a');
    b = await createNetns('brief-b');
    // No duplicate address detection or router solicitations: address flags
    // and counters stay put between ip's listing and nlkit's.
    for (const ns of [a, b]) {
      execFileSync('ip', [
        'netns',
        'exec',
        ns,
        'sh',
        '-c',
        'for k in accept_dad router_solicitations; do for c in all default; do echo 0 > /proc/sys/net/ipv6/conf/$c/$k; done; done',
      ]);
    }
    ipBatch(a, [
      'link add v0 type veth peer name v1',
      'link set v1 up',
      'link set v0 group 5',
      `link add x0 type veth peer name x1 netns ${b}`,
      'link set x0 up',
      'link add br0 type bridge',
      'link add p0 type veth peer name p1',
      'link set p0 master br0',
      'link set br0 up',
      'link set p0 up',
      'link set p1 up',
      'link set br0 alias uplink',
      'link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 dev v1',
      'tuntap add tun0 mode tun',
      'tuntap add tap0 mode tap',
      'addr add 10.0.0.1/24 dev v1',
      'addr add 10.0.1.1/24 dev v1',
      'addr add 10.0.0.2/24 dev v1 label v1:sec',
      'addr add 10.0.0.9/24 peer 10.0.0.10 dev v1 metric 7',
      'addr add 2001:db8::1/64 dev v1',
      'addr add 10.9.0.1/16 dev br0',
      'addr add 192.168.5.5 peer 192.168.5.6/32 dev x0',
    ]);
    ipBatch(b, ['link set x1 up', 'addr add 192.168.5.6/32 dev x1']);
    // Operational states settle through the kernel's linkwatch, after `ip link set up` returned.
    await waitForOperstates(a, { lo: 'UNKNOWN', v0: 'DOWN', v1: 'LOWERLAYERDOWN', x0: 'UP', br0: 'UP', p0: 'UP', p1: 'UP', tun0: 'DOWN', tap0: 'DOWN', vx0: 'DOWN' });
    await waitForOperstates(b, { lo: 'UNKNOWN', x1: 'UP' });
  });

  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
  });

  it('covers the states and names the comparisons are about (ip -br link)', async () => {
    const out = (await expectSameAsIp(A(), ['-br', 'link'])).stdout;
    expect(out).toMatch(/^lo {15}UNKNOWN {8}00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> $/m);
    expect(out).toMatch(/^v1@v0 {12}LOWERLAYERDOWN [0-9a-f:]{17} <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> $/m);
    expect(out).toMatch(/^v0@v1 {12}DOWN {11}[0-9a-f:]{17} <BROADCAST,MULTICAST> $/m);
    expect(out).toMatch(/^x0@if\d+ +UP {13}[0-9a-f:]{17} <BROADCAST,MULTICAST,UP,LOWER_UP> $/m);
    expect(out).toMatch(/^tun0 {13}DOWN {11}<POINTOPOINT,MULTICAST,NOARP> $/m);
  });

  const BRIEF_IN_A = [
    'link',
    'addr',
    'link show up',
    'addr show up',
    'link show dev v1',
    'addr show dev v1',
    'addr show dev v0',
    'link show dev v0 up',
    'addr show dev x0',
    '-4 addr',
    '-6 addr',
    '-6 addr show up',
    '-0 addr',
    'link show master br0',
    'link show type veth',
    'link show type bridge_slave',
    'addr show type bridge_slave',
    'link show group 5',
    'addr show scope global',
    'addr show label v1*',
    'addr show to 10.0.0.0/8',
    '-s -d link',
    '-o addr',
    'link show dev nosuchdev',
  ];
  const MODES = ['-br', '-br -j', '-br -j -p', '-brief', '--br'];

  describe.each(MODES)('%s', (mode) => {
    it.each(BRIEF_IN_A)(`${mode} %s in namespace A`, async (args) => {
      await expectSameAsIp(A(), [...words(mode), ...words(args)]);
    });
  });

  it.each(['-br link', '-br addr', '-br -j link', '-br -j -p addr', '-br -6 addr'])('%s in namespace B (the peer in another namespace)', async (args) => {
    await expectSameAsIp(B(), words(args));
  });

  it('prints a link and its addresses on one brief line (ip -br addr)', async () => {
    const out = (await expectSameAsIp(A(), ['-br', 'addr', 'show', 'dev', 'v1'])).stdout;
    expect(out).toBe('v1@v0            LOWERLAYERDOWN 10.0.0.1/24 10.0.1.1/24 10.0.0.9 peer 10.0.0.10/32 metric 7 10.0.0.2/24 2001:db8::1/64 \n');
  });

  const ONELINE_IN_A = [
    'link',
    'addr',
    '-4 addr',
    '-6 addr show dev v1',
    'addr show up',
    'addr show group 5',
    'addr show dev v0',
    'addr show label v1*',
    'link show dev x0',
    'link show up',
    '-d link show vx0',
    '-d link show p0',
    '-d link show br0',
    '-0 addr',
    '-s link show lo',
    '-s -s link show lo',
    '-s addr show dev lo',
  ];

  describe.each(['-o', '-oneline', '-o -j', '-o -j -p'])('%s', (mode) => {
    it.each(ONELINE_IN_A)(`${mode} %s in namespace A`, async (args) => {
      await expectSameAsIp(A(), [...words(mode), ...words(args)]);
    });
  });

  it('prints each address on a line of its own with -o, lines joined by a backslash', async () => {
    const out = (await expectSameAsIp(A(), ['-o', '-4', 'addr', 'show', 'dev', 'x0'])).stdout;
    expect(out).toBe('4: x0    inet 192.168.5.5 peer 192.168.5.6/32 scope global x0\\       valid_lft forever preferred_lft forever\n');
  });

  it.each(['-o link', '-o addr', 'link', '-o link show dev x1'])('%s in namespace B', async (args) => {
    await expectSameAsIp(B(), words(args));
  });

  it('names the peer namespace of a link as ip does (link-netns NAME)', async () => {
    const out = (await expectSameAsIp(A(), ['link', 'show', 'dev', 'x0'])).stdout;
    expect(out).toContain(` link-netns ${B()}\n`);
    await expectSameAsIp(A(), ['addr', 'show', 'dev', 'x0']);
    await expectSameAsIp(A(), ['-d', 'link', 'show', 'dev', 'x0']);
  });

  // Fixed on the way, in the listing code -brief and -oneline share with the plain listings.
  const PLAIN_IN_A = [
    '-j link show up', // links the printer filters out stay in the JSON list as {}
    '-j -p link show type bridge_slave',
    '-j addr show group 5',
    '-j addr show to 10.0.0.0/8 master br0', // links are dumped in -4/-6's family, whatever `to` says
    'addr show to 2001:db8::/32',
    'addr show to 10.0.0.0/8',
    'addr show label v1*', // no link lines when addresses are selected by label
    '-j addr show label v1*',
    'link show dev nosuchdev',
    'addr show dev nosuchdev',
    'addr flush dev nosuchdev',
    '-s -s link show lo',
    '-d link show p0',
    '-d link show br0',
  ];
  it.each(PLAIN_IN_A)('%s in namespace A', async (args) => {
    await expectSameAsIp(A(), words(args));
  });

  it('marks no lower link M-DOWN when it is in another namespace (ip -6 addr, no netnsid in that view)', async () => {
    await expectSameAsIp(B(), ['-6', 'addr']);
    await expectSameAsIp(B(), ['-6', '-j', 'addr']);
  });

  it.each(['tap', 'tap show', 'tap list', 'ta', '-j tap show', 'tap help', 'tap bogus'])('runs tuntap as the object %s', async (args) => {
    await expectSameAsIp(A(), words(args));
  });

  it('lists the tap device through the tap object', async () => {
    const out = (await expectSameAsIp(A(), ['tap'])).stdout;
    expect(out).toContain('tap0: tap');
  });
});
