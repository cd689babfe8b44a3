// ip's objects nlkit added in issue 10 beside iproute2 6.1's ip: `netns
// list-id | set | identify | pids | exec | attach` in namespaces this file
// creates (outputs, exit statuses and first error lines compared side by
// side), and the objects that need kernel options: where this kernel has
// them they are compared with ip, where it lacks them nlkit fails as ip fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { netns } from '../../src/index.js';
import { canUseKernel, createNetns, ip, removeNetns, uniqueNetnsName, type Run } from '../helpers/kernel.js';

async function nlkit(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** `ip ARGS` (no -n added). */
function ipTool(args: string[]): Run {
  const r = spawnSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs both tools; expects equal stdout, equal exit status and equal first stderr line. */
async function same(args: string[]): Promise<Run> {
  const want = ipTool(args);
  const got = await nlkit(args);
  expect({ args, code: got.code, stdout: got.stdout, err: got.stderr.split('\n')[0] }).toEqual({ args, code: want.code, stdout: want.stdout, err: want.stderr.split('\n')[0] });
  return got;
}

/** A process that sleeps in a namespace (nsenter execs it: its pid is the sleeper's). */
function sleeper(ns: string): ChildProcess {
  return spawn('nsenter', [`--net=${netns.NETNS_RUN_DIR}/${ns}`, 'sleep', '600'], { stdio: 'ignore' });
}

describe.skipIf(!canUseKernel)('nlkit netns list-id, set, identify, pids, exec, attach against ip', () => {
  let a: string | undefined;
  let b: string | undefined;
  let c: string | undefined;
  let d: string | undefined;
  let sleeping: ChildProcess | undefined;
  const attached = uniqueNetnsName('attach');

  beforeAll(async () => {
    a = await createNetns('nsa');
    b = await createNetns('nsb');
    c = await createNetns('nsc');
    d = await createNetns('nsd');
    sleeping = sleeper(b);
  });

  afterAll(async () => {
    sleeping?.kill();
    await removeNetns(attached);
    for (const ns of [a, b, c, d]) await removeNetns(ns);
  });

  it('sets nsids as ip does and lists them as ip lists them (text, -j, one nsid, target-nsid)', async () => {
    // nlkit names b 7 in a; ip names c 8 in a; auto in d (for a) by each tool.
    expect(await nlkit(['-n', a!, 'netns', 'set', b!, '7'])).toEqual({ code: 0, stdout: '', stderr: '' });
    ip(a!, ['netns', 'set', c!, '8']);
    expect(await nlkit(['-n', d!, 'netns', 'set', a!, 'auto'])).toEqual({ code: 0, stdout: '', stderr: '' });
    ip(d!, ['netns', 'set', b!, 'auto']);
    // b is known in c as 3, and a as 4 (target-nsid lists what the target calls them).
    ip(a!, ['netns', 'set', d!, '9']);
    ip(d!, ['netns', 'set', c!, '11']);
    const listed = await same(['-n', a!, 'netns', 'list-id']);
    expect(listed.stdout).toContain(`nsid 7 (iproute2 netns name: ${b})`);
    expect(listed.stdout).toContain(`nsid 8 (iproute2 netns name: ${c})`);
    await same(['-n', a!, '-j', 'netns', 'list-id']);
    await same(['-n', a!, '-j', '-p', 'netns', 'list-id']);
    await same(['-n', a!, 'netns', 'list-id', 'nsid', '8']);
    await same(['-n', a!, '-j', 'netns', 'list-id', 'nsid', '7']);
    const auto = await same(['-n', d!, 'netns', 'list-id']);
    expect(auto.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    // As d (nsid 9 in a) sees them: current-nsid is a's nsid of the same namespace.
    const target = await same(['-n', a!, 'netns', 'list-id', 'target-nsid', '9']);
    expect(target.stdout).toContain('current-nsid');
    await same(['-n', a!, '-j', 'netns', 'list-id', 'target-nsid', '9']);
    await same(['-n', a!, 'netns', 'list-id', 'target-nsid', '9', 'nsid', '11']);
    await same(['-n', a!, 'netns', 'list-id', 'nsid', '77']);
    await same(['-n', a!, 'netns', 'list-id', 'target-nsid', '77']);
    // Setting again: the kernel's refusal.
    await same(['-n', a!, 'netns', 'set', b!, '12']);
    await same(['-n', a!, 'netns', 'set', c!, '7']);
    await same(['-n', a!, 'netns', 'list-id']);
  });

  it('identifies namespaces of processes and lists the processes of a namespace as ip does', async () => {
    const pid = sleeping!.pid!;
    // The sleeper may still be nsenter before its exec: wait until its namespace is b's.
    const deadline = Date.now() + 10_000;
    while (ipTool(['netns', 'identify', String(pid)]).stdout !== `${b}\n` && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const id = await same(['netns', 'identify', String(pid)]);
    expect(id.stdout).toBe(`${b}\n`);
    await same(['netns', 'identify']);
    await same(['netns', 'identify', String(process.pid)]);
    const p = await same(['netns', 'pids', b!]);
    expect(p.stdout).toBe(`${pid}\n`);
    await same(['netns', 'pids', a!]);
  });

  it('runs commands in a namespace as ip netns exec does: output, /sys, exit status', async () => {
    await same(['netns', 'exec', a!, 'ip', '-j', 'netns', 'identify']);
    const sys = await same(['netns', 'exec', a!, 'ls', '/sys/class/net']);
    expect(sys.stdout).toBe('lo\n');
    await same(['netns', 'exec', b!, 'ip', '-j', 'link', 'show']);
    const status = await same(['netns', 'exec', a!, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(status.code).toBe(3);
    expect(status.stderr).toBe('err\n');
    await same(['netns', 'exec', a!, 'no-such-program-nlkit']);
    await same(['netns', 'exec', a!, '/no/such/program']);
    await same(['netns', 'exec', a!, '/etc/hostname']);
    await same(['netns', 'exec', a!, 'false']);
  });

  it('attaches the namespace of a process as ip netns attach does', async () => {
    // A process in a namespace of its own, with no name yet (unshare execs sleep: its pid is the sleeper's).
    const loner = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
    try {
      await attachLoner(loner.pid!);
    } finally {
      loner.kill();
    }
  });

  async function attachLoner(pid: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    // Until unshare has made the namespace, the process is in this one.
    const own = readlinkSync('/proc/self/ns/net');
    const nsOf = (): string => {
      try {
        return readlinkSync(`/proc/${pid}/ns/net`);
      } catch {
        return own;
      }
    };
    while (nsOf() === own && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(await nlkit(['netns', 'attach', attached, String(pid)])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(ipTool(['netns', 'identify', String(pid)]).stdout).toBe(`${attached}\n`);
    const ids = ipTool(['netns', 'pids', attached]);
    expect(ids.stdout).toBe(`${pid}\n`);
    // Attaching the name again, or a process that does not exist.
    await same(['netns', 'attach', attached, String(pid)]);
    const ghost = uniqueNetnsName('ghost');
    await same(['netns', 'attach', ghost, '999999999']);
    expect(await netns.exists(ghost)).toBe(false);
  }

  it('fails as ip fails on bad arguments and missing namespaces', async () => {
    const missing = uniqueNetnsName('missing');
    for (const args of [
      ['netns', 'exec'],
      ['netns', 'exec', missing],
      ['netns', 'exec', missing, 'true'],
      ['netns', 'identify', 'abc'],
      ['netns', 'identify', '1', '2'],
      ['netns', 'identify', '999999999'],
      ['netns', 'pids'],
      ['netns', 'pids', missing],
      ['netns', 'pids', 'a', 'b'],
      ['netns', 'set'],
      ['netns', 'set', 'x'],
      ['netns', 'set', 'x', 'abc'],
      ['netns', 'set', 'x', '-3'],
      ['netns', 'set', missing, '3'],
      ['netns', 'attach'],
      ['netns', 'attach', 'x'],
      ['netns', 'attach', 'x', 'abc'],
      ['netns', 'attach', 'x', '0'],
      ['netns', 'list-id', 'nsid'],
      ['netns', 'list-id', 'nsid', '-1'],
      ['netns', 'list-id', 'nsid', '-1', 'extra'],
      ['netns', 'list-id', 'nsid', 'x'],
      ['netns', 'list-id', 'nsid', '1', 'nsid', '2'],
      ['netns', 'list-id', 'target-nsid', '1', 'target-nsid', '2'],
      ['netns', 'list-id', 'foo'],
    ]) {
      await same(args);
    }
  });
});

// This kernel has no multicast routing (CONFIG_IP_MROUTE / IPV6_MROUTE):
// an IPMR dump answers nothing, an IP6MR dump answers ordinary routes, rule
// dumps of either family EAFNOSUPPORT. nlkit ends as ip ends on each.
describe.skipIf(!canUseKernel)('nlkit mroute and mrule against ip on this kernel', () => {
  let ns: string | undefined;
  beforeAll(async () => {
    ns = await createNetns('mroute');
    ip(ns, ['-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'lo']);
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it.each([
    'mroute',
    'mroute show',
    '-j mroute show',
    '-j -p mroute show',
    '-s mroute show',
    'mroute show table all',
    '-j mroute show table all',
    'mroute show table 5',
    'mroute show table main',
    'mroute show table foo',
    'mroute show table help',
    'mroute show table',
    'mroute show iif nope',
    'mroute show iif lo',
    'mroute show default',
    'mroute show to all',
    'mroute show from any',
    'mroute show 224.1.1.1',
    'mroute show from 1.1.1.1',
    'mroute show to',
    'mroute help',
    'mroute foo',
    '-6 mroute show',
    '-j -6 mroute show',
    '-6 mroute show ff00::/8',
    '-0 mroute show',
    'mrule',
    'mrule show',
    '-j mrule show',
    '-6 mrule show',
    '-0 mrule show',
    'mrule add from all iif lo table 5',
    'mrule help',
  ])('ip %s', async (line) => {
    await same(['-n', ns!, ...line.split(' ')]);
  });
});

// SEG6 is in this kernel: nlkit sr beside ip sr, each in a namespace of its own.
describe.skipIf(!canUseKernel)('nlkit sr against ip sr', () => {
  let a: string | undefined;
  let b: string | undefined;
  beforeAll(async () => {
    a = await createNetns('sr-a');
    b = await createNetns('sr-b');
  });
  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
  });

  it('sets and shows the tunnel source as ip does, leaving the same state', async () => {
    await same(['-n', a!, 'sr', 'tunsrc', 'show']);
    await same(['-n', a!, '-j', 'sr', 'tunsrc', 'show']);
    expect(await nlkit(['-n', a!, 'sr', 'tunsrc', 'set', '2001:db8::7'])).toEqual({ code: 0, stdout: '', stderr: '' });
    ip(b!, ['sr', 'tunsrc', 'set', '2001:db8::7']);
    expect(ip(a!, ['sr', 'tunsrc', 'show'])).toBe(ip(b!, ['sr', 'tunsrc', 'show']));
    const shown = await same(['-n', a!, 'sr', 'tunsrc', 'show']);
    expect(shown.stdout).toBe('tunsrc addr 2001:db8::7\n');
    await same(['-n', a!, '-j', '-p', 'sr', 'tunsrc', 'show']);
    await same(['-n', a!, 'sr', 'hmac', 'show']);
    // Keys set by ip (getpass() reads the secret from standard input when there is no terminal).
    for (const [id, algo, secret] of [
      ['5', 'sha256', 'secret1'],
      ['9', 'sha1', 'x'.repeat(40)],
    ] as const) {
      expect(spawnSync('ip', ['-n', a!, 'sr', 'hmac', 'set', id, algo], { input: `${secret}\n` }).status).toBe(0);
    }
    const keys = await same(['-n', a!, 'sr', 'hmac', 'show']);
    expect(keys.stdout).toContain('hmac 5 algo sha256 secret "secret1"');
    await same(['-n', a!, '-j', 'sr', 'hmac', 'show']);
  });

  it.each([
    'sr',
    'sr help',
    'sr foo',
    'sr hmac',
    'sr hmac foo',
    'sr hmac set',
    'sr hmac set 0 sha1',
    'sr hmac set x sha1',
    'sr hmac set 5 md5',
    'sr hmac set 5',
    'sr tunsrc',
    'sr tunsrc foo',
    'sr tunsrc set',
    'sr tunsrc set 10.0.0.1',
    'sr tunsrc set nonsense',
  ])('fails as ip fails: ip %s', async (line) => {
    await same(['-n', a!, ...line.split(' ')]);
  });
});

// IOAM6 is in this kernel: every write through nlkit in one namespace and ip in a twin, then both listings compared.
describe.skipIf(!canUseKernel)('nlkit ioam against ip ioam', () => {
  let a: string | undefined;
  let b: string | undefined;
  beforeAll(async () => {
    a = await createNetns('ioam-a');
    b = await createNetns('ioam-b');
  });
  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
  });

  const WRITES = [
    'ioam namespace add 1',
    'ioam namespace add 2 data 0xdeadbeef',
    'ioam namespace add 3 wide 0123456789abcdef',
    'ioam namespace add 4 data 7 wide ff',
    'ioam namespace add 5 data 0',
    'ioam namespace add 6 wide 0',
    'ioam schema add 10 hello',
    'ioam schema add 11 x',
    'ioam namespace set 1 schema 10',
    'ioam namespace set 4 schema 11',
    'ioam namespace set 4 schema none',
    'ioam namespace del 5',
    'ioam schema del 11',
  ];

  it('writes as ip writes and lists as ip lists (text, -j, -p, -o)', async () => {
    for (const line of WRITES) {
      expect({ line, run: await nlkit(['-n', a!, ...line.split(' ')]) }).toEqual({ line, run: { code: 0, stdout: '', stderr: '' } });
      ip(b!, line.split(' '));
    }
    for (const view of [
      ['namespace', 'show'],
      ['schema', 'show'],
    ]) {
      // The kernel lists from a hash table: the same entries, in an order of each namespace's own.
      const lines = (ns: string): string[] =>
        ip(ns, ['ioam', ...view])
          .split('\n')
          .sort();
      expect(lines(a!)).toEqual(lines(b!));
      for (const opts of [[], ['-j'], ['-j', '-p'], ['-o']]) await same(['-n', a!, ...opts, 'ioam', ...view]);
    }
    expect((await nlkit(['-n', a!, 'ioam', 'namespace', 'show'])).stdout).toContain('namespace 1 [schema 10]');
  });

  it.each([
    'ioam',
    'ioam help',
    'ioam foo',
    'ioam namespace',
    'ioam namespace foo',
    'ioam namespace add',
    'ioam namespace add 70000',
    'ioam namespace add 9 foo',
    'ioam namespace add 9 data',
    'ioam namespace add 9 data x',
    'ioam namespace add 9 wide zz',
    'ioam namespace add 9 wide 1 data 2',
    'ioam namespace add 9 data 1 foo',
    'ioam namespace add 1',
    'ioam namespace del 99',
    'ioam namespace set 1',
    'ioam namespace set 1 foo 2',
    'ioam namespace set 1 schema x',
    'ioam namespace set 99 schema 10',
    'ioam schema add',
    'ioam schema add 12',
    'ioam schema add x y',
    'ioam schema add 10 again',
    'ioam schema del 99',
    'ioam schema foo',
  ])('fails as ip fails: ip %s', async (line) => {
    await same(['-n', a!, ...line.split(' ')]);
  });
});

// This kernel has no fou, l2tp or macsec family: ip resolves the family first
// and ends with nlctrl's ENOENT ("Error talking to the kernel", status 1) for
// every command but help; nlkit ends the same way.
describe.skipIf(!canUseKernel)('nlkit fou, l2tp and macsec where the kernel lacks them', () => {
  let ns: string | undefined;
  beforeAll(async () => {
    ns = await createNetns('nofam');
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it.each([
    'fou',
    'fou help',
    'fou show',
    '-j fou show',
    'fou show extra',
    'fou add port 5555 ipproto 4',
    'fou add port 5555 gue local 10.0.0.1 peer 10.0.0.2 peer_port 6666 dev lo',
    'fou add',
    'fou add port 0 gue',
    'fou del port 5555',
    'fou foo',
    'l2tp',
    'l2tp help',
    'l2tp show tunnel',
    '-j l2tp show session',
    'l2tp show',
    'l2tp add tunnel tunnel_id 1 peer_tunnel_id 2 local 10.0.0.1 remote 10.0.0.2 encap ip',
    'l2tp add session tunnel_id 1 session_id 3 peer_session_id 4 cookie 0011223344556677',
    'l2tp add tunnel tunnel_id x',
    'l2tp del tunnel tunnel_id 1',
    'l2tp foo',
  ])('ip %s', async (line) => {
    await same(['-n', ns!, ...line.split(' ')]);
  });
});
