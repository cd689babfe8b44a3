// `nlkit ss` next to iproute2's ss, in namespaces holding listening and
// connected TCP sockets (IPv4 and IPv6), UDP and unix sockets made by a child
// process: the same bytes on stdout (timers and counters of -i aside), the
// same sockets closed by -K, and the typed client listing the same sockets.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSs } from '../../src/cli/ss/index.js';
import type { CommandIO } from '../../src/cli/ynl.js';
import { SockDiagClient } from '../../src/families/sockdiag/index.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

// The sockets: fixed ports everywhere (a client binds its own), so two
// namespaces with this fixture print the same lines.
const FIXTURE = `
const net = require('node:net'), dgram = require('node:dgram');
const ns = process.argv[1];
const keep = [];
const listen = (opts) => new Promise((ok) => { const s = net.createServer((c) => { keep.push(c); c.on('error', () => {}); c.write('hello'); }); keep.push(s); s.listen(opts, ok); });
const connect = (opts) => new Promise((ok) => { const c = net.connect(opts, () => { c.write('x'.repeat(3000)); ok(); }); keep.push(c); c.on('data', () => {}); c.on('error', () => {}); });
const udp = (type, bind, peer) => new Promise((ok) => { const u = dgram.createSocket(type); keep.push(u); u.bind(bind, () => (peer ? u.connect(peer.port, peer.address, ok) : ok())); });
(async () => {
  await listen({ port: 8080, host: '127.0.0.1' });
  await listen({ port: 22, host: '0.0.0.0' });
  await listen({ port: 8443, host: '::', ipv6Only: false });
  await listen({ port: 9000, host: '::1', ipv6Only: true });
  await connect({ port: 8080, host: '127.0.0.1', localPort: 40000 });
  await connect({ port: 9000, host: '::1', localPort: 40001 });
  await connect({ port: 22, host: '127.0.0.1', localPort: 40002 });
  await udp('udp4', { port: 53, address: '0.0.0.0' });
  await udp('udp4', { port: 40003, address: '127.0.0.1' }, { port: 53, address: '127.0.0.1' });
  await udp('udp6', { port: 5353, address: '::1' });
  await listen({ path: '/tmp/nlkit-ss-' + ns + '.sock' });
  await connect({ path: '/tmp/nlkit-ss-' + ns + '.sock' });
  await listen({ path: '\\0nlkit-ss-abstract-' + ns });
  setTimeout(() => process.stdout.write('ready\\n'), 0);
})();
setInterval(() => {}, 1 << 30);
`;

// Raw and packet sockets, which node cannot open: held by python3.
const RAW_FIXTURE = `
import socket, sys, time
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806)); p.bind(('lo', 0x0806))
d = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
print('ready', flush=True)
sys.stdin.read()
`;

async function startRawFixture(ns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', RAW_FIXTURE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  if (line !== 'ready') throw new Error(`raw fixture did not start: ${line}`);
  return child;
}

async function startFixture(ns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', FIXTURE, ns], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => ['exited'])])) as [string];
  if (line !== 'ready') throw new Error(`fixture did not start: ${line}`);
  return child;
}

function ss(ns: string, args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'ss', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

async function nlkit(ns: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, stdoutIsTTY: false };
  const code = await runSs(args, io, { netns: ns });
  return { code, out, err };
}

/** -i figures that move between two runs (times since the last packet, busy time), masked; trailing blanks go with them. */
function masked(text: string): string {
  return text
    .replace(/ (lastsnd|lastrcv|lastack):\d+/g, ' $1:N')
    .replace(/ busy:\d+ms/g, ' busy:Nms')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

describe.skipIf(!canUseKernel)('nlkit ss', () => {
  let ns: string | undefined;
  let child: ChildProcess | undefined;
  let raw: ChildProcess | undefined;
  beforeAll(async () => {
    ns = await createNetns('ss');
    child = await startFixture(ns);
    raw = await startRawFixture(ns);
  });
  afterAll(async () => {
    child?.kill();
    raw?.kill();
    await removeNetns(ns);
  });

  for (const args of [
    ['-tan'],
    ['-uan'],
    ['-xa'],
    ['-ltn'],
    ['-ta'],
    ['-ua'],
    ['-tanH'],
    ['-4tan'],
    ['-6tan'],
    ['-tane'],
    ['-xae'],
    ['-lx'],
    ['-tamn'],
    ['-xam'],
    ['-tano'],
    ['-tanp'],
    ['-xap'],
    ['-uanp'],
    ['-tan', '--tos'],
    ['-tan', '--cgroup'],
    ['-tan', '--inet-sockopt'],
    ['-wa'],
    ['-wan'],
    ['-wae'],
    ['-0a'],
    ['-0an'],
    ['-0ae'],
    ['-A', 'tcp,udp', '-n'],
    ['-f', 'inet6', '-an'],
    ['-x', 'state', 'listening'],
    ['-tar'],
    ['-uanr'],
    // Netlink sockets of the kernel only (port 0): each tool's own sock_diag socket differs.
    ['-f', 'netlink', '-a', 'sport = :0'],
    ['-f', 'netlink', '-an', 'sport = :0'],
    ['-f', 'netlink', '-ae', 'sport = :0'],
    ['-f', 'netlink', '-am', 'sport = :0'],
  ]) {
    it(`prints what ss ${args.join(' ')} prints`, async () => {
      const ref = ss(ns!, args);
      const mine = await nlkit(ns!, args);
      expect(mine.code).toBe(ref.code);
      expect(mine.out).toBe(ref.out);
      expect(mine.err).toBe(ref.err);
    });
  }

  it.each([[['-s']], [['-s', '-tan']], [['-s', '-x']]])('prints what ss %j prints, the count of all sockets aside', async (args) => {
    // "Total" counts every socket of the namespace, each tool's own sock_diag socket (closing or not) among them.
    const total = (t: string): string => t.replace(/^Total: \d+$/m, 'Total: N');
    const ref = ss(ns!, args);
    const mine = await nlkit(ns!, args);
    expect(mine.code).toBe(ref.code);
    expect(total(mine.out)).toBe(total(ref.out));
    expect(mine.out).toMatch(/^Total: \d+\nTCP: {3}\d+ \(estab 6, closed \d+, orphaned 0, timewait 0\)\n/);
  });

  it('prints what ss -tin prints, times since the last packet aside', async () => {
    const ref = ss(ns!, ['-tin']);
    const mine = await nlkit(ns!, ['-tin']);
    expect(mine.code).toBe(0);
    expect(mine.out).toContain('cwnd:');
    expect(masked(mine.out)).toBe(masked(ref.out));
  });

  for (const args of [
    ['-tan', 'state', 'established'],
    ['-tan', 'state', 'listening'],
    ['-tan', 'exclude', 'listening'],
    ['-tan', 'sport', '=', ':8080'],
    ['-tan', 'dport', '=', ':22'],
    ['-tan', '( sport = :8080 or dport = :8080 )'],
    ['-tan', 'sport', '>', ':9000'],
    ['-tan', 'sport', '<=', ':22'],
    ['-tan', 'not', 'sport', '=', ':22'],
    // Not -a: each tool's own sock_diag socket would show among the netlink ones.
    ['-tuan', 'dport', '!=', ':53'],
    ['-ta', 'sport', '=', ':ssh'],
    ['-tan', 'src', '127.0.0.1'],
    ['-tan', 'dst', '[::1]:9000'],
    ['-uan', 'src', '127.0.0.1:40003'],
  ]) {
    it(`filters as ss ${args.join(' ')} does`, async () => {
      const ref = ss(ns!, args);
      const mine = await nlkit(ns!, args);
      expect(mine.code).toBe(ref.code);
      expect(mine.out).toBe(ref.out);
    });
  }

  it('refuses bad command lines as ss does: exit status and first line', async () => {
    for (const args of [['-y'], ['--bogus'], ['-tan', 'state', 'nosuch'], ['-f', 'nosuch'], ['-tan', 'sport', '=']]) {
      const ref = ss(ns!, args);
      const mine = await nlkit(ns!, args);
      expect(mine.code, args.join(' ')).toBe(ref.code);
      expect(mine.err.split('\n')[0], args.join(' ')).toBe(ref.err.split('\n')[0]);
    }
  });

  it.each([
    [['-tan'], 100],
    [['-tan'], 60],
    [['-xa'], 200],
    [['-tin'], 120],
    [['-uane'], 90],
  ])('spreads ss %j over a terminal of %i columns as ss does', async (args, columns) => {
    // ss on a terminal: `script` gives it one, of the width stty sets.
    const tty = execFileSync('script', ['-q', '-c', `stty cols ${columns} rows 50; ip netns exec ${ns!} ss ${args.join(' ')}`, '/dev/null'], { encoding: 'utf8' }).replace(
      /\r\n/g,
      '\n',
    );
    // The terminal shows both streams: ss's complaints come before the table it renders at the end.
    let out = '';
    let err = '';
    await runSs(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, stdoutIsTTY: true, stdoutColumns: columns }, { netns: ns! });
    expect(masked(err + out)).toBe(masked(tty));
  });

  it('switches namespace with -N as ss does', async () => {
    const ref = execFileSync('ss', ['-N', ns!, '-tane'], { encoding: 'utf8' });
    let out = '';
    const code = await runSs(['-N', ns!, '-tane'], { stdout: (t) => void (out += t), stderr: () => {}, env: {}, stdoutIsTTY: false });
    expect(code).toBe(0);
    expect(out).toBe(ref);
  });

  it('lists netlink sockets, its own among them, and raw sockets where the kernel can (else ENOENT, where ss reads /proc)', async () => {
    await using sd = await SockDiagClient.open({ netns: ns! });
    const nl = await sd.netlinkAll({ memory: true });
    expect(nl).toContainEqual(expect.objectContaining({ protocol: 0, portid: 0 }));
    expect(nl).toContainEqual(expect.objectContaining({ protocol: 4, portid: sd.socket.portId }));
    const packets = await sd.packetAll({ memory: true, rings: true });
    expect(packets.map((p) => `${p.type} ${p.protocol} ${p.info?.ifindex}`).sort()).toEqual(['dgram 2048 0', 'raw 2054 1']);
    const raw = await sd.inetAll({ protocol: 'raw' }).catch((e: unknown) => e);
    if (Array.isArray(raw)) expect(raw.map((s: { rawProtocol?: number }) => s.rawProtocol).sort()).toEqual([1, 58]);
    else expect((raw as { code?: string }).code).toBe('ENOENT');
  });

  it('lists the same sockets through the typed client', async () => {
    await using sd = await SockDiagClient.open({ netns: ns! });
    const tcp = await sd.inetAll({ protocol: 'tcp' });
    const listeners = tcp.filter((s) => s.state === 'listen').map((s) => `${s.family} ${s.src}:${s.sport}`);
    expect(listeners.sort()).toEqual(['inet 0.0.0.0:22', 'inet 127.0.0.1:8080', 'inet6 ::1:9000', 'inet6 :::8443']);
    const established = tcp.filter((s) => s.state === 'established').map((s) => `${s.src}:${s.sport}>${s.dst}:${s.dport}`);
    expect(established.sort()).toEqual([
      '127.0.0.1:22>127.0.0.1:40002',
      '127.0.0.1:40000>127.0.0.1:8080',
      '127.0.0.1:40002>127.0.0.1:22',
      '127.0.0.1:8080>127.0.0.1:40000',
      '::1:40001>::1:9000',
      '::1:9000>::1:40001',
    ]);
    const withInfo = await sd.inetAll({ protocol: 'tcp', states: ['established'], extensions: ['info', 'cong'], filter: { type: 'sport', op: 'eq', port: 40000 } });
    expect(withInfo).toHaveLength(1);
    expect(typeof withInfo[0]!.tcpInfo!.bytesAcked).toBe('bigint');
    expect(withInfo[0]!.tcpInfo!.bytesAcked).toBe(3001n);
    expect(withInfo[0]!.congestion).toMatch(/^[a-z]+$/);
    const udp = await sd.inetAll({ protocol: 'udp' });
    expect(udp.map((s) => `${s.state} ${s.src}:${s.sport}`).sort()).toEqual(['close 0.0.0.0:53', 'close ::1:5353', 'established 127.0.0.1:40003']);
    const unix = await sd.unixAll();
    const names = unix
      .map((u) => u.name)
      .filter(Boolean)
      .sort();
    // Node binds an abstract name with the whole sun_path: the 0 bytes after it show as '@', as in ss.
    expect(names).toEqual([`/tmp/nlkit-ss-${ns}.sock`, `/tmp/nlkit-ss-${ns}.sock`, `@nlkit-ss-abstract-${ns}`.padEnd(108, '@')].sort());
    const ssInodes = ss(ns!, ['-xaH'])
      .out.split('\n')
      .filter(Boolean)
      .map((l) => Number(l.trim().split(/\s+/)[5]));
    expect(unix.map((u) => u.inode).sort()).toEqual(ssInodes.sort());
  });
});

describe.skipIf(!canUseKernel)('nlkit ss -K', () => {
  const spaces: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) c.kill();
    for (const n of spaces) await removeNetns(n);
  });

  it('closes what ss -K closes and prints the same lines', async () => {
    for (const tag of ['ssk-ref', 'ssk-mine']) {
      const n = await createNetns(tag);
      spaces.push(n);
      children.push(await startFixture(n));
    }
    const [refNs, mineNs] = spaces as [string, string];
    const args = ['-K', '-tn', 'dport', '=', ':8080'];
    const ref = ss(refNs, args);
    const mine = await nlkit(mineNs, args);
    expect(mine.code).toBe(ref.code);
    expect(mine.out).toBe(ref.out);
    expect(mine.out).toContain('127.0.0.1:40000');
    // What is left in each namespace: the same sockets (in each namespace's own hash order).
    const left = (n: string): string => ss(n, ['-tanH']).out.split('\n').sort().join('\n');
    expect(left(mineNs)).toBe(left(refNs));
    expect(left(mineNs)).not.toMatch(/ESTAB.*40000 /);
  });
});

describe.skipIf(!canUseKernel)('SockDiagClient.destroyed', () => {
  let ns: string | undefined;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill();
    await removeNetns(ns);
  });

  it('reports the sockets of a namespace as the kernel destroys them, with their details', async () => {
    ns = await createNetns('ss-destroy');
    child = await startFixture(ns);
    await using sd = await SockDiagClient.open({ netns: ns });
    const events = await sd.destroyed({ groups: ['inet-tcp-destroy', 'inet6-tcp-destroy'] });
    child.kill();
    const seen: string[] = [];
    const protocols = new Set<number>();
    for await (const ev of events) {
      if ('overrun' in ev) continue;
      protocols.add(ev.protocol);
      seen.push(`${ev.family} ${ev.src}:${ev.sport}>${ev.dst}:${ev.dport}`);
      if (seen.includes('inet 127.0.0.1:8080>0.0.0.0:0') && seen.includes('inet6 ::1:40001>::1:9000')) break;
    }
    expect(seen).toEqual(expect.arrayContaining(['inet 127.0.0.1:8080>0.0.0.0:0', 'inet6 ::1:40001>::1:9000']));
    // The kernel names the protocol (INET_DIAG_PROTOCOL) in what it broadcasts.
    expect([...protocols]).toEqual([6]);
    // UDP sockets go to the groups not joined.
    expect(seen.some((s) => s.includes(':53>'))).toBe(false);
  });
});

describe.skipIf(!canUseKernel)('nlkit ss -E', () => {
  let ns: string | undefined;
  let child: ChildProcess | undefined;
  let ref: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill();
    ref?.kill();
    await removeNetns(ns);
  });

  /** Waits (with a deadline) until `n` sock_diag sockets of the namespace have joined destroy groups. */
  async function joined(sd: SockDiagClient, n: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const socks = await sd.netlinkAll({ protocol: 4 });
      if (socks.filter((s) => (s.groups ?? []).length > 0).length >= n) return;
      if (Date.now() > deadline) throw new Error('the listeners did not join the destroy groups');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('prints the sockets the kernel destroys as ss -E does, line by line', async () => {
    ns = await createNetns('ss-follow');
    child = await startFixture(ns);
    await using sd = await SockDiagClient.open({ netns: ns });
    // ss writes to a pipe through stdio: unbuffered, so that its lines come as rendered.
    ref = spawn('ip', ['netns', 'exec', ns, 'stdbuf', '-o0', 'ss', '-E', '-tn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let refOut = '';
    ref.stdout!.on('data', (d: Buffer) => void (refOut += d.toString()));
    const stop = new AbortController();
    let out = '';
    const mine = runSs(['-E', '-tn'], { stdout: (t) => void (out += t), stderr: () => {}, env: {}, stdoutIsTTY: false, signal: stop.signal }, { netns: ns });
    await joined(sd, 2);
    child.kill();
    const done = (text: string): boolean => text.includes('127.0.0.1:8080 ') && text.includes('[::1]:40001 ');
    // Both get the same multicasts; wait (with a deadline) until each has shown them all.
    const deadline = Date.now() + 20_000;
    while (!(done(out) && out === refOut) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    stop.abort();
    expect(await mine).toBe(0);
    ref.kill();
    await once(ref, 'close');
    expect(done(out)).toBe(true);
    expect(out).toBe(refOut);
  });
});
