// `nlkit tc` against iproute2's tc on this machine: listings (text, -s, -d,
// -j, -j -p) of qdiscs, htb classes and u32 filters with a mirred action,
// standalone actions and filter chains; writes through both tools in twin
// namespaces leave the same state; refusals end as tc ends them (actions this
// kernel lacks, gact, police, skbedit, bpf, included).
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

function tc(args: string[]): Result {
  const r = spawnSync('tc', args, { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

async function nlkit(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await main(['tc', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { stdout, stderr, code };
}

// Action times are whole seconds since the action was installed or used: the two runs may straddle a second.
function untimed(r: Result): Result {
  return { ...r, stdout: r.stdout.replace(/(installed|used) \d+ sec/g, '$1 N sec').replace(/"(installed|last_used)":\d+/g, '"$1":N') };
}

function links(ns: string): void {
  const ip = (...a: string[]): void => void execFileSync('ip', ['-n', ns, ...a]);
  // No IPv6: its neighbour discovery and MLD reports would move counters between the two listings.
  execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('link', 'add', 'ifb0', 'type', 'ifb');
  // Four transmit queues: the kernel gives m0 an mq root with a pfifo_fast per queue.
  ip('link', 'add', 'm0', 'numtxqueues', '4', 'numrxqueues', '4', 'type', 'veth', 'peer', 'name', 'm1', 'numtxqueues', '4', 'numrxqueues', '4');
  for (const l of ['v0', 'v1', 'ifb0', 'm0', 'm1']) ip('link', 'set', l, 'up');
}

/** A namespace's tc state as tc lists it, counters left out. */
function state(ns: string): string {
  const out: string[] = [];
  for (const dev of ['v0', 'v1', 'ifb0']) {
    out.push(tc(['-n', ns, '-d', 'qdisc', 'show', 'dev', dev]).stdout.replace(/direct_packets_stat \d+/, ''));
    out.push(tc(['-n', ns, '-d', 'class', 'show', 'dev', dev]).stdout);
    for (const parent of [[], ['ingress']]) out.push(tc(['-n', ns, 'filter', 'show', 'dev', dev, ...parent]).stdout);
  }
  return out.join('');
}

describe.skipIf(!canUseKernel)('nlkit tc', () => {
  let ns = '';
  let twinA = '';
  let twinB = '';
  let twinC = '';
  let twinD = '';

  beforeAll(async () => {
    ns = await createNetns('tc');
    twinA = await createNetns('tca');
    twinB = await createNetns('tcb');
    twinC = await createNetns('tcc');
    twinD = await createNetns('tcd');
    for (const n of [ns, twinA, twinB, twinC, twinD]) links(n);
    const t = (...a: string[]): void => void execFileSync('tc', ['-n', ns, ...a]);
    t('qdisc', 'add', 'dev', 'v0', 'root', 'handle', '1:', 'htb', 'default', '20', 'r2q', '5');
    t('class', 'add', 'dev', 'v0', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '100mbit');
    t('class', 'add', 'dev', 'v0', 'parent', '1:1', 'classid', '1:10', 'htb', 'rate', '10mbit', 'ceil', '50mbit', 'burst', '15k', 'prio', '1');
    t('class', 'add', 'dev', 'v0', 'parent', '1:1', 'classid', '1:20', 'htb', 'rate', '1500kbit', 'ceil', '3mbit');
    t('qdisc', 'add', 'dev', 'v0', 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '50');
    t('qdisc', 'add', 'dev', 'v0', 'parent', '1:10', 'handle', '10:', 'bfifo', 'limit', '30k');
    t('filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.1.0.0/16', 'flowid', '1:10');
    t(
      'filter',
      'add',
      'dev',
      'v0',
      'parent',
      '1:',
      'protocol',
      'ip',
      'prio',
      '2',
      'u32',
      'match',
      'ip',
      'src',
      '192.0.2.1/32',
      'match',
      'ip',
      'dst',
      '198.51.100.0/24',
      'flowid',
      '1:20',
    );
    t('qdisc', 'add', 'dev', 'v1', 'ingress');
    t(
      'filter',
      'add',
      'dev',
      'v1',
      'parent',
      'ffff:',
      'protocol',
      'ip',
      'prio',
      '1',
      'u32',
      'match',
      'ip',
      'dst',
      '10.0.0.0/8',
      'flowid',
      '1:1',
      'action',
      'mirred',
      'egress',
      'redirect',
      'dev',
      'ifb0',
    );
    t('qdisc', 'add', 'dev', 'ifb0', 'root', 'tbf', 'rate', '1mbit', 'burst', '10k', 'latency', '50ms');
    t('filter', 'add', 'dev', 'v0', 'parent', '1:', 'prio', '7', 'bpf', 'bytecode', '4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0', 'classid', '1:20');
    t('qdisc', 'add', 'dev', 'm0', 'root', 'handle', '7:', 'mq');
    t('qdisc', 'replace', 'dev', 'm1', 'root', 'pfifo_fast');
    // Standalone actions (the filter's mirred action above is index 1), and an empty chain beside the filter's chain 0.
    t('actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'index', '5');
    t('actions', 'add', 'action', 'mirred', 'ingress', 'mirror', 'dev', 'v0', 'pass', 'index', '6', 'cookie', 'c0ffee');
    t('chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3');
    // Traffic, so that counters are not all 0: pings from v0 (htb class 1:10) to v1, whose ingress filter
    // redirects them to ifb0 (so they get no answer). The counters stay still once ping has ended.
    // (10.1.1.3 is a neighbour with v1's address, not an address of the namespace: the pings leave through v0.)
    execFileSync('ip', ['-n', ns, 'link', 'set', 'v1', 'address', '02:00:00:00:01:02']);
    execFileSync('ip', ['-n', ns, 'addr', 'add', '10.1.1.1/24', 'dev', 'v0']);
    execFileSync('ip', ['-n', ns, 'neigh', 'add', '10.1.1.3', 'lladdr', '02:00:00:00:01:02', 'dev', 'v0', 'nud', 'permanent']);
    spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '3', '-i', '0.2', '-w', '2', '-q', '10.1.1.3']);
  });
  afterAll(async () => {
    for (const n of [ns, twinA, twinB, twinC, twinD]) await removeNetns(n);
  });

  const LISTINGS = [
    ['qdisc', 'show'],
    ['qdisc'],
    ['-s', 'qdisc', 'show'],
    ['-d', 'qdisc', 'show'],
    ['-j', 'qdisc', 'show'],
    ['-j', '-p', 'qdisc', 'show'],
    ['-j', '-s', 'qdisc', 'show', 'dev', 'v0'],
    ['-j', '-s', 'qdisc', 'show', 'dev', 'v1'],
    ['-j', '-s', 'qdisc', 'show', 'dev', 'ifb0'],
    ['-s', '-d', 'qdisc', 'show', 'dev', 'ifb0'],
    ['qdisc', 'show', 'dev', 'v0', 'handle', '20:'],
    ['qdisc', 'show', 'root'],
    ['qdisc', 'show', 'ingress'],
    ['-s', 'qdisc', 'show', 'dev', 'm0'],
    ['-j', '-s', 'qdisc', 'show', 'dev', 'm0'],
    ['-j', '-p', 'qdisc', 'show', 'dev', 'm1'],
    ['qdisc', 'show', 'dev', 'm0', 'parent', '7:2'],
    ['class', 'show', 'dev', 'v0'],
    ['-s', 'class', 'show', 'dev', 'v0'],
    ['-d', 'class', 'show', 'dev', 'v0'],
    ['-j', '-s', 'class', 'show', 'dev', 'v0'],
    ['class', 'show', 'dev', 'v0', 'classid', '1:10'],
    ['-iec', 'class', 'show', 'dev', 'v0'],
    ['-iec', '-d', 'qdisc', 'show', 'dev', 'ifb0'],
    ['class', 'show', 'dev', 'v0', 'qdisc', '1:'],
    ['filter', 'show', 'dev', 'v0'],
    ['-j', '-s', 'filter', 'show', 'dev', 'v0'],
    ['-p', 'filter', 'show', 'dev', 'v0'],
    ['filter', 'show', 'dev', 'v0', 'parent', '1:'],
    ['filter', 'show', 'dev', 'v0', 'pref', '2'],
    ['filter', 'show', 'dev', 'v0', 'protocol', 'ip'],
    ['-j', 'filter', 'show', 'dev', 'v0', 'protocol', 'all', 'prio', '7'],
    ['filter', 'show', 'dev', 'v0', 'chain', '0'],
    ['-r', 'filter', 'show', 'dev', 'v0'],
    ['-r', '-d', 'qdisc', 'show', 'dev', 'v0'],
    ['-r', 'class', 'show', 'dev', 'v0'],
    ['filter', 'show', 'dev', 'v1', 'parent', 'ffff:'],
    ['filter', 'show'],
    ['qdisc', 'show', 'invisible'],
    ['-s', '-d', '-j', 'class', 'show', 'dev', 'v0'],
    ['filter', 'show', 'dev', 'v1', 'ingress'],
    ['-s', 'filter', 'show', 'dev', 'v1', 'ingress'],
    ['-j', 'filter', 'show', 'dev', 'v1', 'ingress'],
    ['-j', '-s', 'filter', 'show', 'dev', 'v1', 'ingress'],
    ['-p', 'filter', 'show', 'dev', 'v1', 'ingress'],
    ['-p', '-s', 'filter', 'show', 'dev', 'v1', 'ingress'],
    ['actions', 'ls', 'action', 'mirred'],
    ['actions', 'list', 'action', 'mirred'],
    ['-s', 'actions', 'ls', 'action', 'mirred'],
    ['-j', 'actions', 'ls', 'action', 'mirred'],
    ['-j', '-p', 'actions', 'ls', 'action', 'mirred'],
    ['-j', '-s', 'actions', 'show', 'action', 'mirred'],
    ['-br', 'actions', 'ls', 'action', 'mirred'],
    ['actions', 'ls', 'action', 'mirred', 'since', '3600000'],
    ['actions', 'get', 'action', 'mirred', 'index', '5'],
    ['-j', 'actions', 'get', 'action', 'mirred', 'index', '6'],
    ['-s', 'actions', 'get', 'action', 'mirred', 'index', '1'],
    ['actions', 'get', 'action', 'mirred', 'index', '5', 'action', 'mirred', 'index', '6'],
    ['actions', 'ls', 'action', 'gact'],
    ['-j', 'actions', 'ls', 'action', 'gact'],
    ['actions', 'ls', 'action', 'police'],
    ['actions', 'ls', 'action', 'frobnicate'],
    ['actions'],
    ['chain', 'show', 'dev', 'v1', 'parent', 'ffff:'],
    ['chain', 'show', 'dev', 'v1', 'ingress'],
    ['chain', 'show', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3'],
    ['-j', 'chain', 'show', 'dev', 'v1', 'parent', 'ffff:'],
    ['-j', '-p', 'chain', 'show', 'dev', 'v1', 'parent', 'ffff:'],
    ['chain', 'show', 'dev', 'v0'],
    ['chain', 'ls', 'dev', 'v0', 'parent', '1:'],
    ['chain', 'show', 'dev', 'v1'],
    ['chain'],
    ['chain', 'get', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3'],
    ['-j', 'chain', 'get', 'dev', 'v1', 'parent', 'ffff:', 'chain', '0'],
  ];

  it.each(LISTINGS)('lists as tc does: tc %s', async (...args: string[]) => {
    const want = untimed(tc(['-n', ns, ...args]));
    const got = untimed(await nlkit(['-n', ns, ...args]));
    expect(got).toEqual(want);
  });

  it('lists counters that moved: the pings shaped by class 1:10 and redirected by the mirred action', async () => {
    const classes = (await nlkit(['-n', ns, '-s', 'class', 'show', 'dev', 'v0'])).stdout;
    expect(classes).toMatch(/class htb 1:10 [^\n]*\n Sent [1-9]\d* bytes [1-9]\d* pkt/);
    const filters = JSON.parse((await nlkit(['-n', ns, '-j', '-s', 'filter', 'show', 'dev', 'v1', 'ingress'])).stdout) as {
      options?: { actions?: { stats: { packets: number } }[] };
    }[];
    expect(filters.find((f) => f.options?.actions)?.options?.actions?.[0]?.stats.packets).toBeGreaterThan(0);
  });

  it('lists the standalone actions and the chains it was given', async () => {
    const actions = JSON.parse((await nlkit(['-n', ns, '-j', 'actions', 'ls', 'action', 'mirred'])).stdout) as { actions?: { index: number; cookie?: string }[] }[];
    expect(actions[0]).toEqual({ 'total acts': 3 });
    expect(actions[1]?.actions?.map((a) => a.index)).toEqual([1, 5, 6]);
    expect(actions[1]?.actions?.[2]?.cookie).toBe('c0ffee');
    expect((await nlkit(['-n', ns, 'chain', 'show', 'dev', 'v1', 'ingress'])).stdout).toBe('chain parent ffff: chain 0 \nchain parent ffff: chain 3 \n');
  });

  const WRITES = [
    ['qdisc', 'add', 'dev', 'v0', 'root', 'handle', '1:', 'htb', 'default', '10'],
    ['class', 'add', 'dev', 'v0', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10mbit', 'ceil', '40mbit'],
    ['class', 'add', 'dev', 'v0', 'parent', '1:1', 'classid', '1:10', 'htb', 'rate', '5mbit', 'burst', '20k', 'cburst', '4k', 'prio', '3', 'quantum', '3000'],
    ['class', 'add', 'dev', 'v0', 'parent', '1:1', 'classid', '1:20', 'htb', 'rate', '123456bit', 'ceil', '7mbit', 'mtu', '9000'],
    ['class', 'change', 'dev', 'v0', 'parent', '1:1', 'classid', '1:20', 'htb', 'rate', '2mbit', 'ceil', '8mbit'],
    ['qdisc', 'add', 'dev', 'v0', 'parent', '1:10', 'handle', '10:', 'pfifo', 'limit', '64'],
    ['qdisc', 'replace', 'dev', 'v0', 'parent', '1:10', 'handle', '10:', 'bfifo', 'limit', '100k'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'prio', '5', 'u32', 'match', 'ip', 'dst', '10.9.0.0/16', 'match', 'ip', 'src', '10.8.7.6', 'flowid', '1:20'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'prio', '6', 'u32', 'match', 'u32', '0x0a000000', '0xff000000', 'at', '16', 'classid', '1:10'],
    ['filter', 'del', 'dev', 'v0', 'parent', '1:', 'prio', '6'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'prio', '8', 'bpf', 'bytecode', '4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0', 'flowid', '1:20'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'prio', '9', 'handle', '5', 'bpf', 'run', 'bc', '1,6 0 0 0', 'da'],
    ['qdisc', 'add', 'dev', 'v1', 'ingress'],
    ['filter', 'add', 'dev', 'v1', 'parent', 'ffff:', 'protocol', 'ip', 'u32', 'match', 'ip', 'dst', '10.0.0.0/8', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0'],
    ['qdisc', 'add', 'dev', 'ifb0', 'clsact'],
    ['qdisc', 'del', 'dev', 'ifb0', 'clsact'],
    ['qdisc', 'add', 'dev', 'ifb0', 'root', 'handle', '5:', 'pfifo'],
    ['qdisc', 'del', 'dev', 'ifb0', 'root'],
    ['class', 'del', 'dev', 'v0', 'classid', '1:20'],
    ['class', 'add', 'dev', 'v0', 'parent', '1:1', 'classid', '1:30', 'htb', 'rate', '2mbit', 'ceil', '4mbit', 'linklayer', 'atm', 'overhead', '10', 'mpu', '64', 'burst', '8k/8'],
    // The kernel accepts these with an extended-ack warning (sch_htb's quantum), which tc prints as "Warning: ...".
    ['class', 'add', 'dev', 'v0', 'parent', '1:1', 'classid', '1:40', 'htb', 'rate', '1kbit'],
    ['class', 'add', 'dev', 'v0', 'parent', '1:1', 'classid', '1:41', 'htb', 'rate', '100gbit'],
    ['qdisc', 'add', 'dev', 'ifb0', 'root', 'handle', '6:', 'tbf', 'rate', '1mbit', 'burst', '10k', 'latency', '50ms'],
    ['qdisc', 'change', 'dev', 'ifb0', 'root', 'handle', '6:', 'tbf', 'rate', '2mbit', 'burst', '20k/16', 'limit', '30k', 'peakrate', '3mbit', 'mtu', '2k', 'mpu', '64'],
    ['qdisc', 'replace', 'dev', 'ifb0', 'root', 'handle', '6:', 'tbf', 'rate', '5gbit', 'burst', '1m', 'latency', '1ms', 'linklayer', 'atm', 'overhead', '4'],
  ];

  it('leaves the state tc leaves, write by write, printing the same warnings', async () => {
    let warnings = 0;
    for (const w of WRITES) {
      const want = tc(['-n', twinA, ...w]);
      const got = await nlkit(['-n', twinB, ...w]);
      expect({ w, ...got }).toEqual({ w, ...want });
      expect(state(twinB)).toEqual(state(twinA));
      if (want.stderr.startsWith('Warning: ')) warnings++;
    }
    expect(warnings).toBe(2);
  });

  const ACTION_WRITES = [
    ['actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'index', '5'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'index', '5'],
    ['actions', 'add', 'action', 'mirred', 'ingress', 'mirror', 'dev', 'v0'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'mirror', 'dev', 'v0', 'pass', 'index', '8', 'action', 'mirred', 'ingress', 'redirect', 'dev', 'ifb0', 'index', '9'],
    ['actions', 'replace', 'action', 'mirred', 'egress', 'mirror', 'dev', 'ifb0', 'index', '5'],
    ['actions', 'change', 'action', 'mirred', 'ingress', 'redirect', 'dev', 'v1', 'index', '8'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'mirror', 'dev', 'v0', 'index', '10', 'cookie', 'a1b2c3', 'hw_stats', 'disabled'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'mirror', 'dev', 'v0', 'index', '11', 'no_percpu', 'skip_hw'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'mirror', 'dev', 'v0', 'jump', '2', 'index', '12'],
    ['actions', 'get', 'action', 'mirred', 'index', '10'],
    ['-j', 'actions', 'get', 'action', 'mirred', 'index', '11'],
    ['actions', 'ls', 'action', 'mirred'],
    ['actions', 'del', 'action', 'mirred', 'index', '9'],
    // Refused: tc prints the kernel's answer, then reads `action` as a command.
    ['actions', 'del', 'action', 'mirred', 'index', '9'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'index', '20', 'get', 'action', 'mirred', 'index', '20'],
    ['qdisc', 'add', 'dev', 'v1', 'ingress'],
    ['chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3'],
    ['chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3'],
    ['chain', 'add', 'dev', 'v1', 'ingress', 'chain', '4'],
    ['filter', 'add', 'dev', 'v1', 'parent', 'ffff:', 'protocol', 'ip', 'chain', '5', 'u32', 'match', 'ip', 'dst', '10.0.0.0/8', 'action', 'mirred', 'index', '5'],
    ['chain', 'get', 'dev', 'v1', 'parent', 'ffff:', 'chain', '5'],
    ['chain', 'show', 'dev', 'v1', 'ingress'],
    ['chain', 'del', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3'],
    ['chain', 'del', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3'],
    // A shared block: its chains and filters are named by the block, not by a device.
    ['qdisc', 'add', 'dev', 'v0', 'ingress_block', '22', 'ingress'],
    ['chain', 'add', 'block', '22', 'chain', '6'],
    [
      'filter',
      'add',
      'block',
      '22',
      'protocol',
      'ip',
      'prio',
      '3',
      'u32',
      'match',
      'ip',
      'dst',
      '1.2.3.4/32',
      'action',
      'mirred',
      'egress',
      'redirect',
      'dev',
      'ifb0',
      'index',
      '40',
    ],
    ['chain', 'show', 'block', '22'],
    ['-j', 'chain', 'show', 'dev', 'v0', 'ingress'],
    ['-j', 'filter', 'show', 'block', '22'],
    ['chain', 'get', 'block', '22', 'parent', 'ffff:', 'chain', '6'],
    ['chain', 'show', 'block', '23'],
    ['filter', 'del', 'block', '22', 'prio', '3'],
    ['chain', 'del', 'block', '22', 'chain', '6'],
    // Refused while the filter holds action 5.
    ['actions', 'flush', 'action', 'mirred'],
    ['filter', 'del', 'dev', 'v1', 'parent', 'ffff:', 'chain', '5'],
    ['actions', 'flush', 'action', 'mirred'],
    ['actions', 'ls', 'action', 'mirred'],
  ];

  /** A namespace's actions and chains as tc lists them (times left out). */
  function actionState(n: string): string {
    const out = [
      ['-j', 'actions', 'ls', 'action', 'mirred'],
      ['-j', 'chain', 'show', 'dev', 'v1', 'parent', 'ffff:'],
      ['-j', 'chain', 'show', 'dev', 'v0'],
      ['-j', 'chain', 'show', 'dev', 'v0', 'ingress'],
      ['filter', 'show', 'dev', 'v1', 'ingress'],
    ];
    return out.map((a) => untimed(tc(['-n', n, ...a])).stdout).join('');
  }

  /** Resolves once action `index` of the namespace is bound to no filter. */
  async function unbound(n: string, index: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (new RegExp(`"index":${index},"ref":\\d+,"bind":[1-9]`).test(tc(['-n', n, '-j', 'actions', 'ls', 'action', 'mirred']).stdout)) {
      if (Date.now() > deadline) throw new Error(`action ${index} of ${n} still bound`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // The action each filter deletion lets go of.
  const RELEASES: { [write: string]: number } = { 'filter del block 22 prio 3': 40, 'filter del dev v1 parent ffff: chain 5': 5 };

  it('leaves the actions and chains tc leaves, write by write, printing what tc prints', async () => {
    let changed = 0;
    let before = actionState(twinC);
    for (const w of ACTION_WRITES) {
      const want = tc(['-n', twinC, ...w]);
      const got = await nlkit(['-n', twinD, ...w]);
      expect({ w, ...got }).toEqual({ w, ...want });
      // A deleted filter lets go of its actions after an RCU grace period (tcf_queue_work()): wait for it in both.
      const released = RELEASES[w.join(' ')];
      if (released !== undefined) for (const n of [twinC, twinD]) await unbound(n, released);
      const after = actionState(twinC);
      expect({ w, state: actionState(twinD) }).toEqual({ w, state: after });
      if (after !== before) changed++;
      before = after;
    }
    expect(changed).toBeGreaterThan(15);
  });

  const REFUSALS = [
    ['frobnicate'],
    ['qdisc', 'show', 'dev'],
    ['-x', 'qdisc'],
    ['qdisc', 'frob'],
    ['qdisc', 'show', 'dev', 'nope'],
    ['qdisc', 'show', 'bogus'],
    ['qdisc', 'add', 'dev', 'nope', 'root', 'htb'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'handle', '1:', 'htb'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'fq_codel'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'prio'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'prio', 'bands', '4', 'priomap', '0', '1', '2', '3'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'prio', 'bands', '2', 'priomap', '0', '5'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'prio', 'wibble'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'fq_codel', 'limit', '100', 'target', '5ms', 'interval', '1s', 'ecn', 'memory_limit', '4m'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'fq_codel', 'limit', 'x'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'fq_codel', 'target', '5parsecs'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'fq_codel', 'ce_threshold_selector', '4'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'fq_codel', 'bogus'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'pfifo', 'limit', 'lots'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'tbf', 'rate', '1mbit'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'tbf', 'peakrate', '2mbit'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'tbf', 'rate', '1mbit', 'burst', '10k', 'limit', '1k', 'latency', '5ms'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'tbf', 'rate', 'fast', 'burst', '10k', 'limit', '1k'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'tbf', 'rate', '1mbit', 'burst', '10k', 'limit', '1k', 'wibble'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'pfifo', 'size', '5'],
    ['qdisc', 'add', 'dev', 'v0', 'ingress', 'wibble'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'root', 'htb'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'foo', 'bar'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'htb', 'r2q', 'x'],
    ['qdisc', 'add', 'dev', 'v0', 'root', 'handle', 'zz', 'htb'],
    ['qdisc', 'del', 'dev', 'v0', 'root', 'handle', '7:'],
    ['class', 'show', 'dev', 'nope'],
    ['class', 'add', 'dev', 'v0', 'parent', '1:', 'classid', '1:30', 'htb'],
    ['class', 'add', 'dev', 'v0', 'parent', '1:', 'classid', '1:30', 'htb', 'rate', '1x'],
    ['class', 'add', 'dev', 'v0', 'parent', '1:', 'classid', '1:30', 'htb', 'rate', '1mbit', 'wibble'],
    ['class', 'del', 'dev', 'v0', 'classid', '1:99'],
    ['filter', 'show', 'dev', 'nope'],
    ['filter', 'show', 'dev', 'v0', 'bogus'],
    ['filter', 'add', 'dev', 'v0', 'parent', '9:', 'protocol', 'ip', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'flowid', '1:10'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'u32', 'match', 'ip', 'dst', '1.2.3.4/40', 'flowid', '1:10'],
    [
      'filter',
      'add',
      'dev',
      'v0',
      'parent',
      '1:',
      'protocol',
      'ip',
      'u32',
      'match',
      'ip',
      'dst',
      '1.2.3.4/32',
      'flowid',
      '1:10',
      'action',
      'mirred',
      'egress',
      'redirect',
      'dev',
      'nope',
    ],
    ['filter', 'add', 'dev', 'nope', 'parent', '1:', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'flowid', '1:10'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action', 'drop'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action', 'gact', 'pass', 'index', '3'],
    ['filter', 'add', 'dev', 'v1', 'parent', 'ffff:', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'action', 'pipe'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action', 'mirred', 'sideways'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'bpf', 'bytecode', '2,6 0 0 0'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'bpf', 'bytecode', '1,6 0 0 0,6 0 0 0'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'bpf', 'bytecode', '1,six 0 0 0'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'bpf', 'bytecode', 'x'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'bpf', 'wibble'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'bpf', 'bc', '1,6 0 0 0', 'wibble'],
    ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'bpf', 'bc', '1,6 0 0 0', 'classid', 'zz:zz'],
    ['filter', 'add', 'dev', 'v1', 'parent', 'ffff:', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action', 'police', 'rate', '1mbit', 'burst', '10k'],
    ['actions', 'frob'],
    ['actions', 'add'],
    ['actions', 'add', 'action'],
    ['actions', 'add', 'action', 'mirred'],
    ['actions', 'add', 'action', 'mirred', 'egress'],
    ['actions', 'add', 'action', 'mirred', 'sideways'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'nope'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'index', 'x'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'index', '5'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'cookie', 'xyz'],
    ['actions', 'add', 'action', 'frobnicate'],
    // This kernel has no gact, police, skbedit nor bpf action: tc's arguments are fine, the kernel refuses them.
    ['actions', 'add', 'action', 'gact', 'drop'],
    ['actions', 'add', 'action', 'drop', 'index', '3'],
    ['actions', 'add', 'action', 'pass', 'random', 'determ', 'drop', '10', 'index', '4'],
    ['actions', 'add', 'action', 'goto', 'chain', 'x'],
    ['actions', 'add', 'action', 'police', 'rate', '1mbit', 'burst', '10k'],
    ['actions', 'add', 'action', 'skbedit', 'mark', '5'],
    ['actions', 'add', 'action', 'bpf', 'bytecode', '1,6 0 0 0'],
    ['actions', 'get', 'action', 'mirred'],
    ['actions', 'get', 'action', 'mirred', 'idx', '5'],
    ['actions', 'get', 'action', 'mirred', 'index', 'x'],
    ['actions', 'get', 'action', 'mirred', 'index', '999'],
    ['actions', 'del', 'action', 'mirred', 'index', '999'],
    ['actions', 'get', 'action', 'gact', 'index', '1'],
    ['actions', 'flush', 'action', 'gact'],
    ['actions', 'ls', 'action'],
    ['actions', 'ls', 'action', 'mirred', 'since', 'x'],
    ['chain', 'frob'],
    ['chain', 'show', 'dev', 'nope'],
    ['chain', 'show', 'dev', 'v1', 'wibble'],
    ['chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', 'x'],
    ['chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3'],
    ['chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', '4', 'u32'],
    ['chain', 'add', 'dev', 'nope', 'parent', 'ffff:', 'chain', '4'],
    ['chain', 'get', 'dev', 'v1', 'chain', '3'],
    ['chain', 'get', 'parent', 'ffff:', 'chain', '3'],
    ['chain', 'get', 'dev', 'nope', 'parent', 'ffff:', 'chain', '3'],
    ['chain', 'get', 'dev', 'v1', 'parent', 'ffff:', 'chain', '77'],
    ['chain', 'get', 'dev', 'v1', 'parent', 'ffff:', 'chain', '3', 'u32', 'wibble'],
    ['chain', 'del', 'dev', 'v1', 'parent', 'ffff:', 'chain', '77'],
    ['chain', 'show', 'block', '0'],
    ['chain', 'show', 'block', '23'],
    ['chain', 'show', 'dev', 'v0', 'block', '3'],
    ['chain', 'add', 'block', '23', 'chain', '1'],
    ['chain', 'add', 'dev', 'v0', 'block', '23', 'chain', '1'],
    ['chain', 'get', 'block', '23', 'chain', '1'],
    ['chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', '9', 'frob'],
    ['chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', '9', 'frob', 'x'],
    ['filter', 'add', 'dev', 'v1', 'parent', 'ffff:', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action', 'frob'],
    ['filter', 'add', 'dev', 'v1', 'parent', 'ffff:', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'foo'],
    ['filter', 'add', 'dev', 'v1', 'parent', 'ffff:', 'u32', 'match', 'ip', 'dst', '1.2.3.4/32', 'action', 'gact', 'drop', 'index', 'x'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'mirror', 'dev', 'v0', 'goto', 'chain', 'x'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'mirror', 'dev', 'v0', 'index', '3', 'index', '4'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'ingress'],
    ['actions', 'add', 'action', 'mirred', 'help'],
    ['actions', 'add', 'action', 'pass', 'random', 'foo'],
    ['actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'hw_stats', 'bogus'],
  ];

  // Usage texts: whole, on stderr, exit 0 (tc's usage() returns and main returns 0).
  const USAGES = [[], ['help'], ['qdisc', 'help'], ['class', 'help'], ['filter', 'help'], ['chain', 'help'], ['actions', 'help'], ['actions', 'ls'], ['chain', 'add', 'help']];

  it.each(USAGES)('prints the usage tc prints: tc %s', async (...args: string[]) => {
    const want = tc(['-n', ns, ...args]);
    const got = await nlkit(['-n', ns, ...args]);
    expect(got).toEqual(want);
  });

  it('refuses a namespace that does not exist as tc does', async () => {
    const want = tc(['-n', 'nlkit-no-such-ns', 'qdisc']);
    const got = await nlkit(['-n', 'nlkit-no-such-ns', 'qdisc']);
    expect(got).toEqual(want);
  });

  it.each(REFUSALS)('refuses as tc does: tc %s', async (...args: string[]) => {
    const want = tc(['-n', ns, ...args]);
    const got = await nlkit(['-n', ns, ...args]);
    expect({ code: got.code, first: got.stderr.split('\n')[0] }).toEqual({ code: want.code, first: want.stderr.split('\n')[0] });
  });
  it('prints each qdisc, class and filter event as tc monitor prints it, one per change', async () => {
    const { spawn } = await import('node:child_process');
    const mon = await createNetns('tcm');
    try {
      links(mon);
      const ref = spawn('tc', ['-n', mon, 'monitor'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let refOut = '';
      ref.stdout.on('data', (b: Buffer) => (refOut += b.toString()));
      const controller = new AbortController();
      let out = '';
      let ready!: () => void;
      const listening = new Promise<void>((r) => (ready = r));
      const { run: runTc } = await import('../../src/cli/tc/index.js');
      const running = runTc(['-n', mon, 'monitor'], {
        stdout: (t: string) => void (out += t),
        stderr: (t: string) => void (out += `ERR ${t}`),
        env: {},
        stdoutIsTTY: false,
        signal: controller.signal,
        ready,
      } as never);
      await listening;
      const t = (...a: string[]): void => void execFileSync('tc', ['-n', mon, ...a]);
      // tc monitor gives no sign of listening: a qdisc replaced until it prints it.
      let n = 1;
      const deadline = Date.now() + 20_000;
      while (!refOut.includes(`limit ${n - 1}p`)) {
        if (Date.now() > deadline) throw new Error('tc monitor printed nothing');
        t('qdisc', 'replace', 'dev', 'm1', 'root', 'handle', '9:', 'pfifo', 'limit', String(n++));
        await new Promise((r) => setTimeout(r, 100));
      }
      const start = 'qdisc htb 1: dev v0 root';
      t('qdisc', 'add', 'dev', 'v0', 'root', 'handle', '1:', 'htb', 'default', '10');
      t('class', 'add', 'dev', 'v0', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '5mbit', 'ceil', '10mbit');
      t('class', 'change', 'dev', 'v0', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '6mbit');
      t('qdisc', 'add', 'dev', 'v0', 'parent', '1:10', 'handle', '10:', 'bfifo', 'limit', '20k');
      t('filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.1.0.0/16', 'flowid', '1:10');
      t('filter', 'add', 'dev', 'v0', 'parent', '1:', 'prio', '2', 'bpf', 'bc', '1,6 0 0 0', 'flowid', '1:10');
      t('qdisc', 'add', 'dev', 'v1', 'ingress');
      t('filter', 'add', 'dev', 'v1', 'parent', 'ffff:', 'protocol', 'ip', 'u32', 'match', 'ip', 'src', '10.2.0.0/16', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0');
      t('filter', 'del', 'dev', 'v0', 'parent', '1:', 'prio', '2');
      t('qdisc', 'replace', 'dev', 'ifb0', 'root', 'tbf', 'rate', '1mbit', 'burst', '10k', 'latency', '50ms');
      t('qdisc', 'del', 'dev', 'v1', 'ingress');
      t('filter', 'del', 'dev', 'v0', 'parent', '1:', 'prio', '1');
      t('class', 'del', 'dev', 'v0', 'classid', '1:10');
      t('qdisc', 'replace', 'dev', 'm1', 'root', 'handle', '9:', 'pfifo', 'limit', '99999');
      const end = 'limit 99999p';
      const until = Date.now() + 20_000;
      while (!(refOut.includes(end) && out.includes(end))) {
        if (Date.now() > until) throw new Error(`no end marker:\n${refOut}\n---\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      controller.abort();
      ref.kill();
      expect(await running).toBe(0);
      const between = (text: string): string => text.slice(text.indexOf(start), text.indexOf(end) + end.length);
      expect(between(out)).toBe(between(refOut));
      expect(
        between(out)
          .split('\n')
          .filter((l) => /^(deleted |added |replaced )*(qdisc|class|filter|chain) /.test(l)).length,
      ).toBeGreaterThan(14);
    } finally {
      await removeNetns(mon);
    }
  });
  it('prints action and chain events as tc monitor prints them', async () => {
    const { spawn } = await import('node:child_process');
    const mon = await createNetns('tcma');
    try {
      links(mon);
      const ref = spawn('tc', ['-n', mon, 'monitor'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let refOut = '';
      ref.stdout.on('data', (b: Buffer) => (refOut += b.toString()));
      const controller = new AbortController();
      let out = '';
      let ready!: () => void;
      const listening = new Promise<void>((r) => (ready = r));
      const { run: runTc } = await import('../../src/cli/tc/index.js');
      const running = runTc(['-n', mon, 'monitor'], {
        stdout: (t: string) => void (out += t),
        stderr: (t: string) => void (out += `ERR ${t}`),
        env: {},
        stdoutIsTTY: false,
        signal: controller.signal,
        ready,
      } as never);
      await listening;
      const t = (...a: string[]): void => void execFileSync('tc', ['-n', mon, ...a]);
      // tc monitor gives no sign of listening: a qdisc replaced until it prints it (which also flushes its output).
      let n = 1;
      const deadline = Date.now() + 20_000;
      while (!refOut.includes(`limit ${n - 1}p`)) {
        if (Date.now() > deadline) throw new Error('tc monitor printed nothing');
        t('qdisc', 'replace', 'dev', 'm1', 'root', 'handle', '9:', 'pfifo', 'limit', String(n++));
        await new Promise((r) => setTimeout(r, 100));
      }
      const start = 'total acts';
      t('actions', 'add', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0', 'index', '30');
      t('actions', 'replace', 'action', 'mirred', 'egress', 'mirror', 'dev', 'ifb0', 'index', '30');
      t('actions', 'add', 'action', 'mirred', 'ingress', 'mirror', 'dev', 'v0', 'index', '31', 'action', 'mirred', 'egress', 'redirect', 'dev', 'v1', 'index', '32');
      t('actions', 'del', 'action', 'mirred', 'index', '30');
      t('qdisc', 'add', 'dev', 'v1', 'ingress');
      t('chain', 'add', 'dev', 'v1', 'parent', 'ffff:', 'chain', '9');
      t('chain', 'del', 'dev', 'v1', 'parent', 'ffff:', 'chain', '9');
      t('actions', 'flush', 'action', 'mirred');
      t('qdisc', 'replace', 'dev', 'm1', 'root', 'handle', '9:', 'pfifo', 'limit', '99999');
      const end = 'limit 99999p';
      const until = Date.now() + 20_000;
      while (!(refOut.includes(end) && out.includes(end))) {
        if (Date.now() > until) throw new Error(`no end marker:\n${refOut}\n---\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      controller.abort();
      ref.kill();
      expect(await running).toBe(0);
      const between = (text: string): string => text.slice(text.indexOf(start), text.indexOf(end) + end.length);
      expect(between(out)).toBe(between(refOut));
      for (const what of ['Added action', 'Replaced action', 'Deleted action', 'Flushed table  mirred (2 entries)', 'added chain', 'deleted chain'])
        expect(between(out)).toContain(what);
    } finally {
      await removeNetns(mon);
    }
  });
});
