// ip's other objects beside iproute2 6.1 in a namespace fixture (veth pairs
// with addresses, a link-layer multicast address, a process living in the
// namespace so that its /proc/net can be read): `nlkit [-j] X show` equals
// `ip [-j] X show` for maddress, netconf, ntable and addrlabel; writes
// through both tools in twin namespaces leave the same state; refusals have
// ip's first line and exit status.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { vrfTable } from '../../src/cli/ip/vrf.js';
import { parseMessages } from '../../src/core/message.js';
import { canUseKernel, createNetns, ip, ipJson, ipRun, removeNetns, type Run } from '../helpers/kernel.js';

async function nlkit(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const firstLine = (r: Run): Run => ({ ...r, stderr: r.stderr.split('\n')[0]! });

const SETUP = [
  'link add v0 type veth peer name v1',
  'link add v2 type veth peer name v3',
  'link set v0 up',
  'link set v1 up',
  'link set v2 up',
  'addr add 10.0.0.1/24 dev v0',
  '-6 addr add 2001:db8::1/64 dev v0 nodad',
  'maddress add 01:00:5e:01:02:03 dev v0',
  'maddress add 33:33:00:00:00:07 dev v2',
];

/** Starts a process inside the namespace (its /proc/net is the namespace's) and resolves once it runs there. */
async function dweller(ns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo ready; exec sleep 600'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve());
  });
  return child;
}

// A VRF link as a VRF kernel sends it (RTM_NEWLINK, IFLA_LINKINFO: kind "vrf", data IFLA_VRF_TABLE 10),
// built byte by byte from include/uapi/linux/if_link.h: this kernel cannot make one.
describe('vrf links in bytes', () => {
  const link = (kind: string, table?: number): Uint8Array => {
    const kindBytes = [...new TextEncoder().encode(kind), 0];
    const kindAttr = [4 + kindBytes.length, 0, 1, 0, ...kindBytes];
    while (kindAttr.length % 4) kindAttr.push(0);
    const data = table === undefined ? [] : [12, 0, 2, 0x80, 8, 0, 1, 0, table, 0, 0, 0];
    const linkinfo = [4 + kindAttr.length + data.length, 0, 18, 0x80, ...kindAttr, ...data];
    const name = [8, 0, 3, 0, 0x76, 0x30, 0, 0];
    const body = [0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...name, ...linkinfo];
    const len = 16 + body.length;
    return Uint8Array.from([len, 0, 0, 0, 16, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, ...body]);
  };
  it('reads the table of a VRF and nothing of other kinds', () => {
    expect(vrfTable(parseMessages(link('vrf', 10))[0]!)).toBe(10);
    expect(vrfTable(parseMessages(link('veth'))[0]!)).toBe(0);
    expect(vrfTable(parseMessages(link('vrf'))[0]!)).toBe(0);
  });
});

describe.skipIf(!canUseKernel)('ip objects against ip 6.1', () => {
  let a: string | undefined;
  let b: string | undefined;
  let inside: ChildProcess | undefined;

  beforeAll(async () => {
    a = await createNetns('obj-a');
    b = await createNetns('obj-b');
    for (const ns of [a, b]) for (const l of SETUP) ip(ns, l.split(' '));
    inside = await dweller(a);
  });

  afterAll(async () => {
    if (inside?.pid !== undefined) process.kill(inside.pid);
    await removeNetns(a);
    await removeNetns(b);
  });

  const same = async (args: string[]): Promise<Run> => {
    const got = await nlkit(['-n', a!, ...args]);
    const want = ipRun(a!, args);
    expect(got, args.join(' ')).toEqual(want);
    return want;
  };

  describe('maddress', () => {
    it.each(
      [
        ['maddress', 'show'],
        ['maddress'],
        ['-j', 'maddress', 'show'],
        ['-j', '-p', 'maddress', 'show'],
        ['maddress', 'show', 'dev', 'v0'],
        ['maddress', 'show', 'v2'],
        ['-j', 'maddress', 'show', 'dev', 'nosuch'],
        ['-4', 'maddress', 'show'],
        ['-6', '-j', 'maddress', 'show'],
        ['-0', 'maddress', 'show'],
        ['-o', 'maddress', 'show', 'dev', 'v0'],
        ['m', 'ls', 'dev', 'lo'],
      ].map((c) => [c]),
    )('%j equals ip', async (args) => {
      const r = await same(args);
      if (!args.includes('nosuch') && !args.includes('-0') && !args.includes('-4')) expect(r.stdout).toContain('ff02::1');
    });

    it('shows a link-layer address added by hand as static', async () => {
      expect((await same(['maddress', 'show', 'dev', 'v0'])).stdout).toContain('link  01:00:5e:01:02:03 static');
    });

    it.each([[['maddress', 'show', 'dev']], [['maddress', 'show', 'v0', 'v2']], [['maddress', 'help']], [['maddress', 'frob']]])('refuses %j as ip does', async (args) => {
      expect(firstLine(await nlkit(['-n', a!, ...args]))).toEqual(firstLine(ipRun(a!, args)));
    });

    it('says when no process lives in the namespace to read its /proc/net', async () => {
      expect(await nlkit(['-n', b!, 'maddress', 'show'])).toEqual({
        code: 1,
        stdout: '',
        stderr: `nlkit: cannot read /proc/net of network namespace "${b!}": no process runs in it\n`,
      });
    });
  });

  describe('netconf', () => {
    it.each(
      [
        ['netconf', 'show'],
        ['netconf'],
        ['-j', 'netconf', 'show'],
        ['-j', '-p', 'netconf', 'show'],
        ['netconf', 'show', 'dev', 'v0'],
        ['-j', 'netconf', 'show', 'dev', 'v0'],
        ['-4', 'netconf', 'show', 'dev', 'v0'],
        ['-6', '-j', 'netconf', 'show', 'dev', 'v0'],
        ['-4', 'netconf', 'list'],
        ['-6', '-j', 'netconf', 'show'],
        ['-0', 'netconf', 'show'],
        ['-0', 'netconf', 'show', 'dev', 'v0'],
      ].map((c) => [c]),
    )('%j equals ip', async (args) => {
      await same(args);
    });

    it('prints what sysctls changed', async () => {
      ip(a!, ['netns', 'exec', a!, 'sysctl', '-qw', 'net.ipv4.conf.v0.rp_filter=2', 'net.ipv4.conf.v2.forwarding=1', 'net.ipv6.conf.v0.proxy_ndp=1']);
      const r = await same(['-j', 'netconf', 'show']);
      expect(r.stdout).toContain('"rp_filter":"loose"');
      await same(['netconf', 'show']);
    });

    it.each([[['netconf', 'show', 'dev', 'nosuch']], [['netconf', 'show', 'dev']], [['netconf', 'help']], [['netconf', 'frob']]])('refuses %j as ip does', async (args) => {
      expect(firstLine(await nlkit(['-n', a!, ...args]))).toEqual(firstLine(ipRun(a!, args)));
    });
  });

  describe('addrlabel', () => {
    it.each([['addrlabel'], ['addrlabel', 'list'], ['-j', 'addrlabel', 'show'], ['-j', '-p', 'addrlabel', 'lst'], ['-6', 'addrlabel']].map((c) => [c]))(
      '%j equals ip',
      async (args) => {
        expect((await same(args)).stdout).toContain('::ffff:0.0.0.0');
      },
    );

    it('adds, deletes and flushes as ip does (twin namespaces)', async () => {
      const steps = [
        ['addrlabel', 'add', 'prefix', '2001:db8:1::/48', 'label', '100'],
        ['addrlabel', 'add', 'prefix', '2001:db8:2::/64', 'dev', 'v0', 'label', '0x65'],
        ['addrlabel', 'add', 'prefix', '2001:db8:3::1', 'label', '7', 'ignored'],
        ['addrlabel', 'del', 'prefix', '2001:db8:1::/48', 'label', '100'],
      ];
      for (const s of steps) {
        expect(await nlkit(['-n', a!, ...s]), s.join(' ')).toEqual({ code: 0, stdout: '', stderr: '' });
        ip(b!, s);
      }
      const labels = (ns: string): unknown => ipJson(ns, ['addrlabel', 'show']);
      expect(labels(a!)).toEqual(labels(b!));
      await same(['addrlabel']);
      await same(['-j', 'addrlabel']);
      // A label that is there already: the kernel's refusal, as ip prints it.
      const again = ['addrlabel', 'add', 'prefix', '2001:db8:2::/64', 'dev', 'v0', 'label', '101'];
      expect(await nlkit(['-n', a!, ...again])).toEqual(ipRun(b!, again));
      expect(await nlkit(['-n', a!, 'addrlabel', 'flush'])).toEqual({ code: 0, stdout: '', stderr: '' });
      ip(b!, ['addrlabel', 'flush']);
      expect(labels(a!)).toEqual([]);
      expect(labels(b!)).toEqual([]);
    });

    it.each(
      [
        ['addrlabel', 'show', 'x'],
        ['addrlabel', 'flush', 'x'],
        ['addrlabel', 'add', 'label', '1'],
        ['addrlabel', 'add', 'prefix', '2001:db8::/64'],
        ['addrlabel', 'add', 'prefix', '2001:db8::/64', 'label', '0xffffffff'],
        ['addrlabel', 'add', 'prefix', '2001:db8::/64', 'label', 'x'],
        ['addrlabel', 'add', 'prefix', '2001:db8::/64', 'dev', 'nosuch', 'label', '1'],
        ['addrlabel', 'add', 'prefix', 'zz', 'label', '1'],
        ['addrlabel', 'add', 'prefix'],
        ['addrlabel', 'help'],
        ['addrlabel', 'frob'],
      ].map((c) => [c]),
    )('refuses %j as ip does', async (args) => {
      expect(firstLine(await nlkit(['-n', a!, ...args]))).toEqual(firstLine(ipRun(a!, args)));
    });
  });

  describe('ntable', () => {
    // The tables' reachable times are drawn again now and then, and their statistics count the whole system: compared without them.
    const steady = (r: Run): Run => ({ ...r, stdout: r.stdout.replace(/reachable \d+ base/g, 'reachable N base').replace(/"reachable":\d+/g, '"reachable":N') });
    it.each(
      [
        ['ntable', 'show'],
        ['ntable'],
        ['-j', 'ntable', 'show'],
        ['-j', '-p', 'ntable', 'show', 'dev', 'v0'],
        ['ntable', 'show', 'dev', 'v0'],
        ['ntable', 'show', 'name', 'arp_cache'],
        ['-j', 'ntable', 'show', 'dev', 'none', 'name', 'ndisc_cache'],
        ['-6', 'ntable', 'list'],
        ['-o', 'ntbl', 'show', 'dev', 'lo'],
      ].map((c) => [c]),
    )('%j equals ip', async (args) => {
      const got = steady(await nlkit(['-n', a!, ...args]));
      const want = steady(ipRun(a!, args));
      expect(got).toEqual(want);
      expect(want.stdout).toMatch(/"?(arp|ndisc)_cache/);
    });

    it('prints the configuration and statistics with -s as ip does', async () => {
      // Counters move between the two runs: compared with the numbers masked, the keys and layout whole.
      const mask = (r: Run): Run => ({ ...r, stdout: steady(r).stdout.replace(/\d+/g, 'N') });
      for (const args of [
        ['-s', 'ntable', 'show', 'name', 'arp_cache'],
        ['-s', '-j', 'ntable', 'show', 'name', 'ndisc_cache'],
      ]) {
        expect(mask(await nlkit(['-n', a!, ...args]))).toEqual(mask(ipRun(a!, args)));
      }
    });

    it("changes a device's parameters as ip does (twin namespaces)", async () => {
      const steps = [
        ['ntable', 'change', 'name', 'arp_cache', 'dev', 'v0', 'queue', '50', 'retrans', '2000', 'app_probes', '2'],
        ['-6', 'ntable', 'change', 'name', 'ndisc_cache', 'dev', 'v0', 'base_reachable', '45000', 'gc_stale', '0x10000', 'locktime', '500'],
        [
          'ntable',
          'chg',
          'name',
          'arp_cache',
          'dev',
          'v1',
          'ucast_probes',
          '5',
          'mcast_probes',
          '1',
          'proxy_queue',
          '8',
          'anycast_delay',
          '0',
          'proxy_delay',
          '100',
          'delay_probe',
          '6000',
        ],
      ];
      for (const s of steps) {
        expect(await nlkit(['-n', a!, ...s]), s.join(' ')).toEqual({ code: 0, stdout: '', stderr: '' });
        ip(b!, s);
      }
      for (const dev of ['v0', 'v1']) {
        const show = ['-j', 'ntable', 'show', 'dev', dev];
        // The parameters' reference counts follow each namespace's own neighbour entries.
        const refs = (r: Run): Run => ({ ...steady(r), stdout: steady(r).stdout.replace(/"refcnt":\d+/g, '"refcnt":N') });
        expect(refs(await nlkit(['-n', a!, ...show]))).toEqual(refs(ipRun(b!, show)));
      }
      expect((await nlkit(['-n', a!, 'ntable', 'show', 'dev', 'v0', 'name', 'arp_cache'])).stdout).toContain('queue 50');
    });

    it.each(
      [
        // Thresholds belong to the initial namespace: the kernel's refusal, as ip prints it.
        ['ntable', 'change', 'name', 'arp_cache', 'thresh1', '64'],
        ['ntable', 'change', 'name', 'arp_cache', 'dev', 'v0'],
        ['ntable', 'change', 'dev', 'v0', 'queue', '3'],
        ['ntable', 'change', 'name', 'arp_cache', 'name', 'x', 'queue', '3'],
        ['ntable', 'change', 'name', 'arp_cache', 'queue', 'x'],
        ['ntable', 'change', 'name', 'arp_cache', 'gc_int', '-1'],
        ['ntable', 'change', 'name', 'arp_cache', 'dev', 'nosuch', 'queue', '3'],
        ['ntable', 'change', 'name', 'arp_cache', 'frob', '3'],
        ['ntable', 'change', 'name', 'nosuch_cache', 'queue', '3'],
        ['ntable', 'change', 'name'],
        ['ntable', 'show', 'dev', 'nosuch'],
        ['ntable', 'show', 'frob'],
        ['ntable', 'show', 'name'],
        ['ntable', 'help'],
        ['ntable', 'frob'],
      ].map((c) => [c]),
    )('refuses %j as ip does', async (args) => {
      expect(firstLine(await nlkit(['-n', a!, ...args]))).toEqual(firstLine(ipRun(a!, args)));
    });
  });

  describe('mptcp', () => {
    const endpoints = (ns: string): unknown => ipJson(ns, ['mptcp', 'endpoint', 'show']);
    const limits = (ns: string): string => ipRun(ns, ['mptcp', 'limits']).stdout;

    it('adds, changes, deletes and flushes endpoints and sets limits as ip does (twin namespaces)', async () => {
      const steps = [
        ['mptcp', 'endpoint', 'add', '10.0.0.1', 'id', '5', 'signal'],
        ['mptcp', 'endpoint', 'add', '10.0.0.7', 'dev', 'v0', 'id', '6', 'subflow', 'backup'],
        ['mptcp', 'endpoint', 'add', '2001:db8::1', 'port', '8080', 'signal'],
        ['mptcp', 'endpoint', 'add', '10.0.0.8', 'subflow', 'fullmesh'],
        ['mptcp', 'endpoint', 'change', 'id', '6', 'nobackup'],
        ['mptcp', 'endpoint', 'change', '10.0.0.8', 'backup'],
        ['mptcp', 'limits', 'set', 'subflows', '3', 'add_addr_accepted', '4'],
      ];
      for (const s of steps) {
        expect(await nlkit(['-n', a!, ...s]), s.join(' ')).toEqual({ code: 0, stdout: '', stderr: '' });
        ip(b!, s);
        expect(endpoints(a!)).toEqual(endpoints(b!));
      }
      expect(limits(a!)).toEqual(limits(b!));
      for (const args of [
        ['mptcp', 'endpoint'],
        ['mptcp', 'endpoint', 'show'],
        ['-j', 'mptcp', 'endpoint', 'show'],
        ['-j', '-p', 'mptcp', 'endpoint', 'show', 'id', '6'],
        ['mptcp', 'endpoint', 'show', 'id', '5'],
        ['mptcp', 'limits'],
        ['-j', 'mptcp', 'limits', 'show'],
      ])
        await same(args);
      expect((await same(['mptcp', 'endpoint', 'show'])).stdout).toContain('10.0.0.7 id 6 subflow dev v0');
      for (const s of [
        ['mptcp', 'endpoint', 'delete', 'id', '5'],
        ['mptcp', 'endpoint', 'delete', 'id', '9'],
        ['mptcp', 'endpoint', 'add', '10.0.0.7', 'id', '6', 'signal'],
      ]) {
        expect(await nlkit(['-n', a!, ...s]), s.join(' ')).toEqual(ipRun(b!, s));
        expect(endpoints(a!)).toEqual(endpoints(b!));
      }
      expect(await nlkit(['-n', a!, 'mptcp', 'endpoint', 'flush'])).toEqual(ipRun(b!, ['mptcp', 'endpoint', 'flush']));
      expect(endpoints(a!)).toEqual([]);
      expect(endpoints(b!)).toEqual([]);
    });

    it.each(
      [
        ['mptcp'],
        ['mptcp', 'help'],
        ['mptcp', 'frob'],
        ['mptcp', 'endpoint', 'frob'],
        ['mptcp', 'limits', 'frob'],
        ['mptcp', 'limits', 'monitor', 'x'],
        ['mptcp', 'limits', 'set', 'subflows', 'x'],
        ['mptcp', 'limits', 'set', 'bogus', '1'],
        ['mptcp', 'endpoint', 'add', 'id', '3'],
        ['mptcp', 'endpoint', 'add', '10.0.0.9', 'signal', 'fullmesh'],
        ['mptcp', 'endpoint', 'add', '10.0.0.9', 'port', '80'],
        ['mptcp', 'endpoint', 'add', '10.0.0.9', 'id', '300'],
        ['mptcp', 'endpoint', 'add', '10.0.0.9', 'dev', 'nosuch'],
        ['mptcp', 'endpoint', 'add', 'bogus'],
        ['mptcp', 'endpoint', 'delete', '10.0.0.9'],
        ['mptcp', 'endpoint', 'delete', 'id', '3', '10.0.0.9'],
        ['mptcp', 'endpoint', 'delete', 'id', '0'],
        ['mptcp', 'endpoint', 'change', 'id', '3', 'signal'],
        ['mptcp', 'endpoint', 'change', 'id', '3', 'port', '80', 'backup'],
        ['mptcp', 'endpoint', 'show', 'id', '77'],
      ].map((c) => [c]),
    )('refuses %j as ip does', async (args) => {
      expect(firstLine(await nlkit(['-n', a!, ...args]))).toEqual(firstLine(ipRun(a!, args)));
    });
  });

  describe('vrf (this kernel has no VRF links)', () => {
    it.each(
      [
        ['vrf'],
        ['vrf', 'show'],
        ['-j', 'vrf', 'show'],
        ['-j', '-p', 'vrf', 'list'],
        ['vrf', 'show', 'lo'],
        ['vrf', 'show', 'nosuch'],
        ['vrf', 'show', 'a', 'b'],
        ['vrf', 'identify'],
        ['vrf', 'identify', '1'],
        ['vrf', 'identify', 'x'],
        ['vrf', 'identify', '1', '2'],
        ['vrf', 'identify', '999999999'],
        ['vrf', 'pids'],
        ['vrf', 'pids', 'lo'],
        ['vrf', 'pids', 'a', 'b'],
        ['vrf', 'exec'],
        ['vrf', 'exec', 'foo'],
        ['vrf', 'exec', 'lo', 'true'],
        ['vrf', 'help'],
        ['vrf', 'frob'],
      ].map((c) => [c]),
    )('%j equals ip', async (args) => {
      await same(args);
    });
  });

  describe('stats', () => {
    // IPv6 on the veth pair (router solicitations, MLD reports) may move a counter between the two readings:
    // read both again until two readings agree (a few tries at most), then compare.
    const settled = async (args: string[]): Promise<Run> => {
      let got = await nlkit(['-n', a!, ...args]);
      let want = ipRun(a!, args);
      for (let i = 0; i < 20 && JSON.stringify(got) !== JSON.stringify(want); i++) {
        got = await nlkit(['-n', a!, ...args]);
        want = ipRun(a!, args);
      }
      expect(got, args.join(' ')).toEqual(want);
      return want;
    };
    it.each(
      [
        ['stats', 'show', 'dev', 'v0', 'group', 'link'],
        ['-j', 'stats', 'show', 'dev', 'v0', 'group', 'link'],
        ['-s', 'stats', 'show', 'dev', 'v1', 'group', 'link'],
        ['-j', '-p', '-d', 'stats', 'show', 'dev', 'v0', 'group', 'link'],
        ['stats', 'show', 'group', 'link'],
        ['-j', 'stats', 'show', 'group', 'link'],
        ['stats', 'show', 'dev', 'v0', 'group', 'afstats'],
        ['-j', 'stats', 'show', 'group', 'afstats', 'subgroup', 'mpls'],
        ['stats', 'show', 'dev', 'v0', 'group', 'link', 'group', 'afstats'],
        ['stats', 'help'],
        ['stats', 'show', 'help'],
        ['stats', 'show', 'frob'],
        ['stats', 'show', 'dev', 'nosuch', 'group', 'link'],
        ['stats', 'show', 'dev'],
        ['stats', 'frob'],
      ].map((c) => [c]),
    )('%j equals ip', async (args) => {
      await settled(args);
    });

    it('counts what went through the link as ip does', async () => {
      ip(a!, ['neigh', 'add', '10.0.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'v0']);
      spawnSync('ip', ['netns', 'exec', a!, 'ping', '-c', '3', '-i', '0.01', '-W', '1', '10.0.0.9'], { encoding: 'utf8' });
      const r = await settled(['-j', 'stats', 'show', 'dev', 'v0', 'group', 'link']);
      expect((JSON.parse(r.stdout) as { stats64: { tx: { packets: number } } }[])[0]!.stats64.tx.packets).toBeGreaterThanOrEqual(3);
    });
  });
});

/** A TCP server in namespace `ns` on every address, port 5000, sending 100 kB to each client (the kernel then keeps metrics for the client's destination). */
async function tcpServer(ns: string): Promise<ChildProcess> {
  const code = [
    'import socket, threading',
    'def serve(fam, addr):',
    '  s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
    '  if fam == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)',
    '  s.bind((addr, 5000)); s.listen()',
    '  while True:',
    '    a, _ = s.accept(); a.sendall(b"x" * 100000); a.close()',
    'threading.Thread(target=serve, args=(socket.AF_INET6, "::"), daemon=True).start()',
    'threading.Thread(target=serve, args=(socket.AF_INET, "0.0.0.0"), daemon=True).start()',
    'import time; time.sleep(0.2); print("ready", flush=True); time.sleep(600)',
  ].join('\n');
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve());
  });
  return child;
}

/** Connects from namespace `ns` to each address and reads until the server closes. */
function tcpClients(ns: string, addrs: readonly string[]): void {
  const code = ['import socket, sys', 'for a in sys.argv[1:]:', '  c = socket.create_connection((a, 5000))', '  while c.recv(65536): pass', '  c.close()'].join('\n');
  const r = spawnSync('ip', ['netns', 'exec', ns, 'python3', '-c', code, ...addrs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

describe.skipIf(!canUseKernel)('tcp_metrics against ip 6.1', () => {
  // Two client namespaces, each with its own server namespace across a veth pair.
  const names: string[] = [];
  const servers: ChildProcess[] = [];
  const DSTS = ['10.9.0.2', '10.9.0.3', '10.9.1.2', '2001:db8:9::2'];
  let c1: string;
  let c2: string;

  beforeAll(async () => {
    for (const tag of ['tm-c1', 'tm-s1', 'tm-c2', 'tm-s2']) names.push(await createNetns(tag));
    [c1, , c2] = names as [string, string, string, string];
    for (let i = 0; i < 4; i += 2) {
      const [c, s] = [names[i]!, names[i + 1]!];
      ip(c, ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1', 'netns', s]);
      for (const [ns, dev, addrs] of [
        [c, 'v0', ['10.9.0.1/24', '10.9.1.1/24']],
        [s, 'v1', ['10.9.0.2/24', '10.9.0.3/24', '10.9.1.2/24']],
      ] as const) {
        ip(ns, ['link', 'set', 'lo', 'up']);
        ip(ns, ['link', 'set', dev, 'up']);
        for (const a of addrs) ip(ns, ['addr', 'add', a, 'dev', dev]);
        ip(ns, ['-6', 'addr', 'add', ns === c ? '2001:db8:9::1/64' : '2001:db8:9::2/64', 'dev', dev, 'nodad']);
      }
      servers.push(await tcpServer(s));
    }
  });

  afterAll(async () => {
    for (const s of servers) if (s.pid !== undefined) process.kill(s.pid);
    for (const n of names) await removeNetns(n);
  });

  const traffic = (): void => {
    tcpClients(c1, DSTS);
    tcpClients(c2, DSTS);
  };
  // Ages and round-trip times differ from one reading to the next.
  const steady = (r: Run): Run => ({
    ...r,
    stdout: r.stdout
      .replace(/age [\d.]+sec/g, 'age A')
      .replace(/"age": ?[\d.e+-]+/g, '"age":A')
      .replace(/(rtt|rttvar) \d+us/g, '$1 Nus')
      .replace(/"(rtt|rttvar)": ?[\d.e+-]+/g, '"$1":N')
      .replace(/(cwnd|ssthresh) \d+/g, '$1 N')
      .replace(/"(cwnd|ssthresh)": ?\d+/g, '"$1":N'),
  });
  const dsts = (ns: string): string[] =>
    ipJson<{ dst: string; source?: string }[]>(ns, ['tcp_metrics', 'show'])
      .map((e) => `${e.dst} from ${e.source ?? '-'}`)
      .sort();

  it.each(
    [
      ['tcp_metrics', 'show'],
      ['tcpmetrics'],
      ['-j', 'tcp_metrics', 'show'],
      ['-j', '-p', 'tcp_metrics', 'list'],
      ['-4', 'tcp_metrics', 'show'],
      ['-6', '-j', 'tcp_metrics', 'show'],
      ['tcp_metrics', 'show', '10.9.0.0/24'],
      // ip steps over the word after each selector: "source" is not read, and the address after it is a second one.
      ['tcp_metrics', 'show', 'address', '10.9.0.0/16', 'source', '10.9.1.1'],
      ['tcp_metrics', 'show', 'source', '10.9.1.1'],
      ['tcp_metrics', 'show', '10.9.0.2'],
      ['-j', 'tcp_metrics', 'show', '2001:db8:9::2'],
    ].map((c) => [c]),
  )('%j equals ip', async (args) => {
    traffic();
    const got = steady(await nlkit(['-n', c1, ...args]));
    const want = steady(ipRun(c1, args));
    expect(got).toEqual(want);
    if (want.code === 0) expect(want.stdout).toMatch(/10\.9|2001:db8/);
  });

  it.each([
    [['tcp_metrics', 'delete', '10.9.0.2']],
    [['tcp_metrics', 'delete', 'address', '2001:db8:9::2']],
    [['tcp_metrics', 'flush', '10.9.0.0/24']],
    [['-s', 'tcp_metrics', 'flush', '10.9.0.0/16']],
    [['-4', 'tcp_metrics', 'flush']],
    [['tcp_metrics', 'flush', 'source', '10.9.1.1']],
    [['tcp_metrics', 'flush']],
  ])('%j leaves the entries ip leaves (twin namespaces)', async (args) => {
    traffic();
    expect(dsts(c1)).toEqual(dsts(c2));
    const got = await nlkit(['-n', c1, ...args]);
    const want = ipRun(c2, args);
    expect(got).toEqual(want);
    expect(dsts(c1)).toEqual(dsts(c2));
  });

  it('says "Nothing to flush." as ip does', async () => {
    ip(c1, ['tcp_metrics', 'flush']);
    expect(await nlkit(['-n', c1, 'tcp_metrics', 'flush', '10.0.0.0/8'])).toEqual(ipRun(c1, ['tcp_metrics', 'flush', '10.0.0.0/8']));
  });

  it.each(
    [
      ['tcp_metrics', 'delete'],
      ['tcp_metrics', 'delete', '10.9.0.0/24'],
      ['tcp_metrics', 'show', 'source', '10.9.0.0/24'],
      ['tcp_metrics', 'show', '10.9.0.2', '10.9.0.3'],
      ['tcp_metrics', 'show', 'bogus'],
      ['tcp_metrics', 'show', 'source'],
      ['tcp_metrics', 'show', '192.0.2.1'],
      ['tcp_metrics', 'delete', '192.0.2.1'],
      ['-0', 'tcp_metrics', 'show'],
      ['tcp_metrics', 'help'],
      ['tcp_metrics', 'frob'],
    ].map((c) => [c]),
  )('refuses %j as ip does', async (args) => {
    expect(firstLine(await nlkit(['-n', c1, ...args]))).toEqual(firstLine(ipRun(c1, args)));
  });
});
