// `nlkit conntrack` next to conntrack-tools' `conntrack`, in namespaces of
// their own: the same table (entries made with both tools: TCP, UDP, ICMP,
// IPv4 and IPv6, marks, zones, states, NAT) listed, got, updated, deleted and
// flushed through each tool, compared line by line (timeouts masked), with
// the same stderr lines and exit statuses; counters and kernel timestamps;
// -C and -S; usage and errors; events (one line per kernel event over 10 000
// entries, losses announced, SIGINT as a process); expectations; -R files
// and -o save.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConntrackClient } from '../../src/families/netfilter/conntrack.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConntrack } from '../../src/cli/conntrack/index.js';
import type { CommandIO } from '../../src/cli/ynl.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const conntrackTool = spawnSync('conntrack', ['--version'], { encoding: 'utf8' }).status === 0;

interface Run {
  code: number;
  out: string;
  err: string;
}

function tool(ns: string, args: readonly string[]): Run {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'conntrack', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

async function nlkit(ns: string, args: readonly string[], extra: Partial<CommandIO> = {}, onListening?: () => void): Promise<Run> {
  let out = '';
  let err = '';
  const io: CommandIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, stdoutIsTTY: false, ...extra };
  const code = await runConntrack(args, io, { netns: ns, ...(onListening ? { onListening } : {}) });
  return { code, out, err };
}

/** Lines with the timeout masked (the number after the protocol, first on an expectation line, -t of a saved line), sorted. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) =>
      l
        .replace(/^((?:\s*\[[A-Z]+\] )?(?:ipv[46]\s+\d+ )?[a-z0-9]+\s+\d+ )\d+ /, '$1T ')
        .replace(/^(\s*(?:\[[A-Z]+\] )?)\d+ proto=/, '$1T proto=')
        .replace(/^(-[AUD] -t )\d+ /, '$1T '),
    )
    .sort();
}

/** Both tools' results side by side, outputs as masked sorted lines. */
function same(a: Run, b: Run): void {
  expect({ code: a.code, out: lines(a.out), err: a.err }).toEqual({ code: b.code, out: lines(b.out), err: b.err });
}

// The table, half made with conntrack -I and half with nlkit conntrack -I.
const BY_TOOL = [
  ['-I', '-p', 'tcp', '-s', '10.5.0.1', '-d', '10.5.0.2', '--sport', '1111', '--dport', '22', '--state', 'ESTABLISHED', '-t', '120', '-u', 'ASSURED', '-m', '3'],
  ['-I', '-p', 'udp', '-s', '10.5.0.1', '-d', '10.5.0.4', '--sport', '5000', '--dport', '53', '-t', '60', '-w', '4'],
  ['-I', '-p', 'icmp', '-s', '10.5.0.1', '-d', '10.5.0.6', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '9', '-t', '30'],
  ['-I', '-p', 'udp', '-s', 'fd00::1', '-d', 'fd00::2', '--sport', '7', '--dport', '53', '-t', '60'],
  ['-I', '-p', 'tcp', '-s', '10.5.1.1', '-d', '10.5.1.2', '--sport', '10', '--dport', '20', '--state', 'ESTABLISHED', '-t', '100', '--src-nat', '10.9.9.9:3000'],
];
const BY_NLKIT = [
  ['-I', '-p', 'tcp', '-s', '10.5.0.1', '-d', '10.5.0.3', '--sport', '1112', '--dport', '80', '--state', 'SYN_SENT', '-t', '100', '-m', '4'],
  ['-I', '-p', 'udp', '-s', '10.5.0.1', '-d', '10.5.0.5', '--sport', '5001', '--dport', '53', '-t', '60', '-u', 'SEEN_REPLY', '-m', '4'],
  ['-I', '-p', 'icmp', '-s', '10.5.0.1', '-d', '10.5.0.7', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '10', '-t', '30', '-m', '3'],
  ['-I', '-p', 'tcp', '-s', 'fd00::1', '-d', 'fd00::3', '--sport', '8', '--dport', '443', '--state', 'ESTABLISHED', '-t', '60', '-u', 'ASSURED'],
  ['-I', '-p', 'icmpv6', '-s', 'fd00::1', '-d', 'fd00::4', '--icmpv6-type', '128', '--icmpv6-code', '0', '--icmpv6-id', '5', '-t', '30'],
  ['-I', '-p', 'tcp', '-r', '10.5.0.9', '-q', '10.5.0.1', '--reply-port-src', '25', '--reply-port-dst', '4000', '--state', 'TIME_WAIT', '-t', '50'],
  ['-I', '-p', 'udp', '-s', '10.5.1.1', '-d', '10.5.1.3', '--sport', '10', '--dport', '20', '-t', '100', '--dst-nat', '10.9.9.8:53'],
  ['-I', '-p', 'udp', '-s', '10.5.1.1', '-d', '10.5.1.4', '--sport', '11', '--dport', '20', '-t', '100', '-n', '10.9.9.7'],
  ['-I', '-p', 'udp', '-s', '10.5.1.1', '-d', '10.5.1.5', '--sport', '12', '--dport', '20', '-t', '100', '--orig-zone', '7'],
];

async function fill(ns: string): Promise<void> {
  for (const args of BY_TOOL) expect(tool(ns, args), args.join(' ')).toMatchObject({ code: 0, err: 'conntrack v1.4.7 (conntrack-tools): 1 flow entries have been created.\n' });
  for (const args of BY_NLKIT)
    expect(await nlkit(ns, args), args.join(' ')).toEqual({ code: 0, out: '', err: 'conntrack v1.4.7 (conntrack-tools): 1 flow entries have been created.\n' });
}

describe.skipIf(!canUseKernel || !conntrackTool)('nlkit conntrack next to conntrack', () => {
  let a: string | undefined;
  let b: string | undefined;

  beforeAll(async () => {
    a = await createNetns('ct-tool-a');
    b = await createNetns('ct-tool-b');
  });
  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
  });

  async function refill(): Promise<void> {
    for (const ns of [a!, b!]) {
      tool(ns, ['-F']);
      await fill(ns);
    }
  }

  it('creates entries both ways; -L prints what conntrack -L prints, with filters and output options', async () => {
    await refill();
    for (const args of [
      [],
      ['-o', 'extended'],
      ['-o', 'extended,id'],
      ['-o', 'id'],
      ['-o', 'save'],
      ['-f', 'ipv6', '-o', 'save'],
      ['-o', 'save,id'],
      ['-p', 'tcp'],
      ['-p', 'tcp', '--state', 'ESTABLISHED'],
      ['-p', 'tcp', '--dport', '80'],
      ['-f', 'ipv6'],
      ['-f', 'ipv4', '-p', 'udp'],
      ['-m', '4'],
      ['-m', '0/4'],
      ['-m', '0x3'],
      ['-w', '4'],
      ['-u', 'ASSURED'],
      ['-u', 'UNREPLIED'],
      ['-u', 'SEEN_REPLY'],
      ['-s', '10.5.0.1', '-d', '10.5.0.5'],
      ['-d', 'fd00::3'],
      ['-r', '10.5.0.4'],
      ['-q', '10.5.0.1', '-p', 'tcp'],
      ['-p', 'icmp', '--icmp-id', '10'],
      ['-p', 'udp', '--reply-port-src', '53'],
      ['-p', '6'],
      ['--src-nat'],
      ['--dst-nat'],
      ['--src-nat', '10.9.9.9'],
      ['--src-nat', '10.9.9.7'],
      ['--src-nat', ':3000'],
      ['--dst-nat', '10.9.9.8:53'],
      ['--dst-nat', '10.9.9.8:54'],
      ['-n', '-g'],
      ['-p', 'udp', '-g'],
      ['--any-nat'],
      ['--orig-zone', '7'],
      ['--orig-zone', '0'],
      ['--reply-zone', '7'],
      ['-j', '10.9.9.8'],
      ['-j', '10.9.9.9:3000'],
      ['-z'],
      ['dying'],
      ['unconfirmed'],
      ['conntrack', '-p', 'udp'],
    ]) {
      const args2 = args[0] === 'dying' || args[0] === 'unconfirmed' || args[0] === 'conntrack' ? ['-L', ...args] : ['-L', ...args];
      same(await nlkit(a!, args2), tool(a!, args2));
    }
    // The same through the long names.
    same(await nlkit(a!, ['--dump', '--protonum', 'udp', '--orig-port-dst', '53']), tool(a!, ['--dump', '--protonum', 'udp', '--orig-port-dst', '53']));
  });

  it('prints counters and kernel timestamps as conntrack does (-o ktimestamp, nf_conntrack_acct and _timestamp on)', async () => {
    const sysctl = (on: 0 | 1): void => {
      for (const key of ['net.netfilter.nf_conntrack_acct', 'net.netfilter.nf_conntrack_timestamp']) spawnSync('ip', ['netns', 'exec', a!, 'sysctl', '-qw', `${key}=${on}`]);
    };
    sysctl(1);
    try {
      await refill();
      // delta-time counts seconds up to now: it may tick between the two runs.
      const untick = (r: Run): Run => ({ ...r, out: r.out.replace(/ delta-time=\d+ /g, ' delta-time=N ') });
      for (const args of [['-L'], ['-L', '-o', 'ktimestamp'], ['-L', '-o', 'extended,id,ktimestamp'], ['-L', '-z']]) {
        const n = untick(await nlkit(a!, args));
        expect(n.out, args.join(' ')).toMatch(/packets=0 bytes=0 .*delta-time=N /);
        same(n, untick(tool(a!, args)));
      }
      expect((await nlkit(a!, ['-L', '-o', 'ktimestamp'])).out).toMatch(/ \[start=\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] /);
    } finally {
      sysctl(0);
    }
  });

  it('-G gets one entry as conntrack does, and fails as it does on a missing one', async () => {
    await refill();
    for (const args of [
      ['-G', '-p', 'tcp', '-s', '10.5.0.1', '-d', '10.5.0.2', '--sport', '1111', '--dport', '22'],
      ['-G', '-p', 'udp', '-s', '10.5.0.1', '-d', '10.5.0.4', '--sport', '5000', '--dport', '53', '-w', '4'],
      ['-G', '-p', 'udp', '-s', '10.5.0.1', '-d', '10.5.0.4', '--sport', '5000', '--dport', '53'],
      ['-G', '-p', 'icmp', '-s', '10.5.0.1', '-d', '10.5.0.7', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '10'],
      ['-G', '-p', 'tcp', '-r', '10.5.0.9', '-q', '10.5.0.1', '--reply-port-src', '25', '--reply-port-dst', '4000'],
      ['-G', '-p', 'udp', '-s', 'fd00::1', '-d', 'fd00::2', '--sport', '7', '--dport', '53'],
      ['-G', '-p', 'udp', '-s', 'fd00::1', '-d', 'fd00::2', '--sport', '7', '--dport', '54'],
    ]) {
      const t = tool(a!, args);
      same(await nlkit(a!, args), t);
    }
  });

  // conntrack -U reads one answer per request while a get is answered with
  // two, so what it prints depends on the order of the dump: both tools run
  // in one namespace, filled the same way before each (the same buckets).
  it('-U updates the same entries as conntrack -U and prints them; the table ends the same', async () => {
    for (const args of [
      ['-U', '-p', 'udp', '-d', '10.5.0.5', '-m', '9'],
      ['-U', '-s', '10.5.0.1', '-m', '0x10/0x10'],
      ['-U', '-p', 'tcp', '-d', '10.5.0.3', '-u', 'ASSURED'],
      ['-U', '-p', 'tcp', '-s', '10.5.0.1', '-t', '77', '--state', 'CLOSE'],
      ['-U', '-f', 'ipv6', '-m', '1'],
      ['-U', '-p', 'icmp', '-s', '10.5.0.1', '-m', '3'],
      // The zone is not sent: the entry in zone 4 is not found (ENOENT), conntrack says so and goes on.
      ['-U', '-p', 'udp', '-s', '10.5.0.1', '-d', '10.5.0.4', '-m', '9'],
      // Without an address or -f the change goes out with NFPROTO_UNSPEC, which the kernel refuses.
      ['-U', '-p', 'udp', '-m', '9'],
      ['-U', '-p', 'sctp', '-m', '1'],
    ]) {
      tool(a!, ['-F']);
      await fill(a!);
      const t = tool(a!, args);
      const after = lines(tool(a!, ['-L']).out);
      tool(a!, ['-F']);
      await fill(a!);
      const n = await nlkit(a!, args);
      same(n, t);
      expect(lines(tool(a!, ['-L']).out), args.join(' ')).toEqual(after);
    }
  });

  it('-D with filters through both tools deletes the same entries and leaves the same table', async () => {
    for (const args of [
      ['-D', '-p', 'icmp'],
      ['-D', '-p', 'udp', '-o', 'save'],
      ['-D', '-m', '4'],
      ['-D', '-f', 'ipv6', '-p', 'tcp'],
      ['-D', '-s', '10.5.0.1', '-p', 'udp', '--dport', '53'],
      ['-D', '-w', '4'],
      ['-D', '-u', 'UNREPLIED'],
      ['-D', '-p', 'sctp'],
      ['-D', '-p', 'tcp', '-s', '10.5.0.1', '-d', '10.5.0.2', '--sport', '1111', '--dport', '22'],
      ['-D'],
    ]) {
      await refill();
      const t = tool(a!, args);
      const n = await nlkit(b!, args);
      same(n, t);
      expect(lines(tool(b!, ['-L']).out), args.join(' ')).toEqual(lines(tool(a!, ['-L']).out));
      expect(lines((await nlkit(b!, ['-L'])).out), args.join(' ')).toEqual(lines(tool(a!, ['-L']).out));
    }
  });

  it('-F by family and in full through both tools leaves the same table', async () => {
    for (const args of [['-F', '-f', 'ipv6'], ['-F', '-f', 'ipv4'], ['-F'], ['-F', 'conntrack']]) {
      await refill();
      same(await nlkit(b!, args), tool(a!, args));
      expect(lines(tool(b!, ['-L']).out), args.join(' ')).toEqual(lines(tool(a!, ['-L']).out));
    }
  });

  it('-C counts and -S prints the per-CPU lines as conntrack does', async () => {
    await refill();
    same(await nlkit(a!, ['-C']), tool(a!, ['-C']));
    expect((await nlkit(a!, ['-C'])).out).toBe(`${BY_TOOL.length + BY_NLKIT.length}\n`);
    const s = await nlkit(a!, ['-S']);
    expect(s.out).toMatch(/^cpu=0 {3}\tfound=\d+ invalid=\d+ insert=\d+ insert_failed=\d+ drop=\d+ early_drop=\d+ error=\d+ search_restart=\d+ /);
    same(s, tool(a!, ['-S']));
  });

  it('refuses bad command lines with conntrack first line and exit status, and reports kernel errors as it does', async () => {
    await refill();
    const first = (r: Run): { code: number; first: string; out: string } => ({ code: r.code, first: r.err.split('\n')[0]!, out: r.out });
    for (const args of [
      ['-X'],
      ['--bogus'],
      ['-s'],
      ['-L', '--sport', '1'],
      ['-L', '-G'],
      ['-L', '-t', '5'],
      ['-L', '-e', 'NEW'],
      ['-L', '-p', 'nosuchproto'],
      ['-L', '-f', 'ipv5'],
      ['-L', '-s', '1.2.3'],
      ['-L', '-s', '10.0.0.1', '-d', 'fd00::1'],
      ['-L', '-r', '10.0.0.0/8'],
      ['-L', 'foo'],
      ['-L', '-p', 'tcp', '--state', 'BOGUS'],
      ['-L', '-o', 'bogus'],
      ['-L', '-u', 'BOGUS'],
      ['-L', '-z', '-p', 'tcp'],
      ['-U', 'expect'],
      ['-I', '-p', 'tcp', '-s', '1.1.1.1', '-d', '2.2.2.2'],
      ['-I', '-p', 'tcp', '-s', '1.1.1.1', '-d', '2.2.2.2', '-t', '5'],
      ['-I', '-p', 'tcp', '-s', '1.1.1.1', '-d', '2.2.2.2', '-t', '5', '--state', 'ESTABLISHED', '--sport', '1'],
      ['-I', '-p', 'icmp', '-s', '1.1.1.1', '-d', '2.2.2.2', '-t', '5'],
      ['-I', '-s', '1.1.1.1', '-t', '5'],
      ['-G', '-p', 'tcp', '-s', '1.1.1.1', '--sport', '1', '--dport', '2'],
      ['-E', '-e', 'BOGUS'],
      ['-F', '-p', 'tcp'],
      ['-C', '-p', 'tcp'],
      ['-L', '-j', '-n'],
      ['-I', '-p', 'udp', '-s', '1.1.1.1', '-d', '2.2.2.2', '--sport', '1', '--dport', '2', '-t', '5', '--reply-zone', '8', '-w', '3'],
      ['-I', '-p', 'udp', '-s', '1.1.1.1', '-d', '2.2.2.2', '--sport', '1', '--dport', '2', '-t', '5', '-j', '3.3.3.3'],
      ['-L', '--src-nat', '[fd00::1'],
      ['-L', '--src-nat', '1.2.3.4:'],
      ['-L', '--src-nat', '1.2.3.4:99999'],
      // Kernel refusals: an existing entry, an unknown one.
      ['-I', '-p', 'tcp', '-s', '10.5.0.1', '-d', '10.5.0.2', '--sport', '1111', '--dport', '22', '--state', 'ESTABLISHED', '-t', '120'],
      ['-G', '-p', 'tcp', '-s', '10.5.0.1', '-d', '10.5.0.2', '--sport', '1111', '--dport', '23'],
    ]) {
      expect(first(await nlkit(a!, args)), args.join(' ')).toEqual(first(tool(a!, args)));
    }
    // -A adds quietly when the entry exists.
    const add = ['-A', '-p', 'tcp', '-s', '10.5.0.1', '-d', '10.5.0.2', '--sport', '1111', '--dport', '22', '--state', 'ESTABLISHED', '-t', '120'];
    same(await nlkit(a!, add), tool(a!, add));
    expect((await nlkit(a!, ['-V'])).out).toBe(tool(a!, ['-V']).out);
    // The usage text, with a protocol's help after -p; also for a command line without a command.
    for (const args of [['-h'], [], ['-h', '-p', 'tcp'], ['-h', '-p', 'udp'], ['--help', '-p', 'icmp'], ['-h', '-p', 'icmpv6'], ['-h', '-p', '47'], ['-h', '-p', '200']]) {
      const n = await nlkit(a!, args);
      const t = tool(a!, args);
      expect({ code: n.code, out: n.out, err: n.err }, args.join(' ')).toEqual(t);
    }
  });

  it('-E prints the lines conntrack -E prints for entries made, changed and deleted by both tools', async () => {
    tool(a!, ['-F']);
    // A socket that stays open: events it causes name this process (conntrack looks the port up in /proc).
    await using client = await ConntrackClient.open({ netns: a! });
    const comm = /^\d+ \(([^)]*)/.exec(readFileSync('/proc/self/stat', 'utf8'))![1]!;
    const child = spawn('ip', ['netns', 'exec', a!, 'conntrack', '-E', '-o', 'extended'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let toolOut = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => void (toolOut += t));
    const ac = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    let seen = '';
    const partial = (): string => seen;
    const running = nlkit(a!, ['-E', '-o', 'extended'], { signal: ac.signal, stdout: (t) => void (seen += t) }, listening);
    await ready;
    // The tool is listening once it has printed an entry made for the purpose.
    const deadline = Date.now() + 10_000;
    let sync = 0;
    while (!toolOut.includes('dport=9 ')) {
      if (Date.now() > deadline) throw new Error(`conntrack -E did not start: ${toolOut}`);
      tool(a!, ['-I', '-p', 'udp', '-s', '10.6.0.1', '-d', '10.6.0.2', '--sport', String(++sync), '--dport', '9', '-t', '5']);
      await new Promise((r) => setImmediate(r));
    }
    tool(a!, ['-F']);
    const before = toolOut.length;
    const script: [string, string[]][] = [
      ['tool', ['-I', '-p', 'tcp', '-s', '10.6.0.1', '-d', '10.6.0.2', '--sport', '1', '--dport', '22', '--state', 'ESTABLISHED', '-t', '50', '-m', '2']],
      ['nlkit', ['-I', '-p', 'udp', '-s', '10.6.0.1', '-d', '10.6.0.3', '--sport', '2', '--dport', '53', '-t', '50']],
      ['nlkit', ['-I', '-p', 'icmp', '-s', '10.6.0.1', '-d', '10.6.0.4', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '3', '-t', '50']],
      ['tool', ['-U', '-p', 'udp', '-d', '10.6.0.3', '-m', '7']],
      ['nlkit', ['-U', '-p', 'tcp', '-d', '10.6.0.2', '-m', '8']],
      ['nlkit', ['-D', '-p', 'icmp']],
      ['tool', ['-D', '-p', 'tcp']],
      ['nlkit', ['-D', '-p', 'udp']],
    ];
    for (const [who, args] of script) {
      const r = who === 'tool' ? tool(a!, args) : await nlkit(a!, args);
      expect(r.code, args.join(' ')).toBe(0);
    }
    await client.create({ protocol: 'udp', src: '10.6.0.1', dst: '10.6.0.5', sport: 3, dport: 53, timeout: 50 });
    await client.delete({ protocol: 'udp', src: '10.6.0.1', dst: '10.6.0.5', sport: 3, dport: 53 });
    const until = Date.now() + 10_000;
    const destroyed = (text: string): number => text.split('\n').filter((l) => l.includes('DESTROY') && !l.includes('dport=9 ')).length;
    while ((destroyed(toolOut.slice(before)) < 4 || destroyed(partial()) < 4) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    await new Promise((r) => child.on('close', r));
    ac.abort();
    const mine = await running;
    expect(mine.code).toBe(0);
    expect(mine.out).toBe('');
    expect(mine.err).toMatch(/^conntrack v1\.4\.7 \(conntrack-tools\): \d+ flow events have been shown\.\n$/);
    // Compare from the sync's flush on. Whether a port's program is still
    // there when a tool looks it up is a race (a short-lived conntrack or
    // nlkit run may be gone): program names are compared where the socket
    // outlives the events, the client's.
    const tail = (text: string): string[] => {
      const all = text.split('\n').filter(Boolean);
      const from = all.findIndex((l) => l.includes('10.6.0.2') && l.includes('dport=22'));
      return lines(all.slice(from).join('\n'));
    };
    const unnamed = (l: string): string => (l.includes('dst=10.6.0.5') ? l : l.replace(/ progname=\S+$/, ''));
    expect(tail(seen).map(unnamed)).toEqual(tail(toolOut).map(unnamed));
    expect(tail(seen).filter((l) => l.includes('dst=10.6.0.5'))).toHaveLength(2);
    for (const l of tail(seen).filter((x) => x.includes('dst=10.6.0.5'))) expect(l).toMatch(new RegExp(` \\[USERSPACE\\] portid=\\d+ progname=${comm}$`));
    expect(tail(seen).filter((l) => l.includes('[DESTROY]'))).toHaveLength(4);
  });

  it('-E prints exactly one line per kernel event while 10 000 entries are created and deleted', async () => {
    const N = 10_000;
    tool(b!, ['-F']);
    await using client = await ConntrackClient.open({ netns: b! });
    // The kernel's events, counted on a socket of their own.
    const kernel = await client.events({ rcvbuf: 64 << 20 });
    let kernelEvents = 0;
    let kernelOverruns = 0;
    const counting = (async () => {
      for await (const e of kernel) {
        if ('overrun' in e) kernelOverruns++;
        else kernelEvents++;
        if (kernelEvents === 2 * N) break;
      }
    })();
    let text = '';
    let newLines = 0;
    let destroyLines = 0;
    const ac = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const running = nlkit(
      b!,
      ['-E'],
      {
        signal: ac.signal,
        stdout: (t) => {
          text += t;
          if (t.startsWith('    [NEW] ')) newLines++;
          else if (t.startsWith('[DESTROY] ')) destroyLines++;
        },
      },
      listening,
    );
    await ready;
    const key = (i: number) => ({ protocol: 'udp', src: '10.7.0.1', dst: '10.7.0.2', sport: 10_000 + i, dport: 7 }) as const;
    for (let i = 0; i < N; i++) await client.create({ ...key(i), timeout: 100 });
    for (let i = 0; i < N; i++) expect(await client.delete(key(i))).toBe(true);
    await counting;
    const deadline = Date.now() + 60_000;
    while (newLines + destroyLines < 2 * N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const r = await running;
    expect(kernelOverruns).toBe(0);
    expect(kernelEvents).toBe(2 * N);
    // One line per event: an overrun would have printed conntrack's ENOBUFS warning here.
    expect(r).toEqual({ code: 0, out: '', err: `conntrack v1.4.7 (conntrack-tools): ${2 * N} flow events have been shown.\n` });
    const all = text.split('\n').filter(Boolean);
    expect(all).toHaveLength(2 * N);
    expect({ newLines, destroyLines }).toEqual({ newLines: N, destroyLines: N });
    const ports = (kind: string): number[] => all.filter((l) => l.startsWith(kind)).map((l) => Number(/ sport=(\d+) /.exec(l)![1]));
    expect(new Set(ports('    [NEW]')).size).toBe(N);
    expect(new Set(ports('[DESTROY]')).size).toBe(N);
    expect(all[0]).toMatch(
      /^ {4}\[NEW\] udp {6}17 100 src=10\.7\.0\.1 dst=10\.7\.0\.2 sport=10000 dport=7 \[UNREPLIED\] src=10\.7\.0\.2 dst=10\.7\.0\.1 sport=7 dport=10000 mark=0 \[USERSPACE\] portid=\d+/,
    );
  }, 120_000);

  it('expectations: -I, -L, -G, -D, -C, -S, -F and -E on expect print what conntrack prints', async () => {
    for (const ns of [a!, b!]) tool(ns, ['-F']);
    // Masters with the ftp helper (conntrack cannot attach one): made with the client in both namespaces.
    const masters: ConntrackClient[] = [];
    for (const ns of [a!, b!]) {
      const c = await ConntrackClient.open({ netns: ns });
      masters.push(c);
      await c.create({ protocol: 'tcp', src: '10.8.0.1', dst: '10.8.0.2', sport: 1000, dport: 21, timeout: 100, helper: 'ftp', state: 'established' });
      await c.create({ protocol: 'tcp', src: '10.8.0.1', dst: '10.8.0.3', sport: 1001, dport: 21, timeout: 100, helper: 'ftp', state: 'established' });
      await c.create({ protocol: 'tcp', src: '10.8.0.1', dst: '10.8.0.4', sport: 1002, dport: 22, timeout: 100, state: 'established' });
    }
    try {
      const exp = (dst: string, sport: string, port: string): string[] => [
        '-I',
        'expect',
        '-p',
        'tcp',
        '-s',
        '10.8.0.1',
        '-d',
        dst,
        '--sport',
        sport,
        '--dport',
        '21',
        '--tuple-src',
        dst,
        '--tuple-dst',
        '10.8.0.1',
        '--tuple-port-src',
        '0',
        '--tuple-port-dst',
        port,
        '--mask-src',
        '255.255.255.255',
        '--mask-dst',
        '255.255.255.255',
        '--mask-port-src',
        '0',
        '--mask-port-dst',
        '65535',
        '-t',
        '50',
      ];
      // Made both ways, in both namespaces.
      for (const ns of [a!, b!]) {
        expect(tool(ns, exp('10.8.0.2', '1000', '2000'))).toMatchObject({ code: 0, out: '', err: '' });
        expect(await nlkit(ns, exp('10.8.0.3', '1001', '3000'))).toEqual({ code: 0, out: '', err: '' });
      }
      expect(lines((await nlkit(a!, ['-L', 'expect'])).out)).toHaveLength(2);
      for (const args of [
        ['-L', 'expect'],
        ['-L', 'expect', '-f', 'ipv4'],
        ['-C', 'expect'],
        ['-S', 'expect'],
      ])
        same(await nlkit(a!, args), tool(a!, args));
      // A master without a helper, a missing master, an existing expectation.
      for (const args of [exp('10.8.0.4', '1002', '4000').map((x) => (x === '21' ? '22' : x)), exp('10.8.0.9', '1009', '4000'), exp('10.8.0.2', '1000', '2000')]) {
        same(await nlkit(a!, args), tool(a!, args));
      }
      // conntrack's TCP options require the reply ports of -G and -D on expect too (they are not sent).
      const key = (dst: string, port: string): string[] => [
        'expect',
        '-p',
        'tcp',
        '-s',
        dst,
        '-d',
        '10.8.0.1',
        '--sport',
        '0',
        '--dport',
        port,
        '--reply-port-src',
        '1',
        '--reply-port-dst',
        '1',
      ];
      for (const args of [
        ['-G', ...key('10.8.0.2', '2000')],
        ['-G', ...key('10.8.0.3', '3000')],
        ['-G', ...key('10.8.0.3', '3001')],
      ])
        same(await nlkit(a!, args), tool(a!, args));
      // Deleted through each tool in its namespace: the same output, the same table left.
      for (const args of [
        ['-D', ...key('10.8.0.2', '2000')],
        ['-D', ...key('10.8.0.2', '2000')],
        ['-F', 'expect'],
      ]) {
        same(await nlkit(b!, args), tool(a!, args));
        same(await nlkit(b!, ['-L', 'expect']), tool(a!, ['-L', 'expect']));
      }
      // Events: an expectation made and removed while both listen.
      const child = spawn('ip', ['netns', 'exec', a!, 'conntrack', '-E', 'expect'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let toolOut = '';
      child.stdout.setEncoding('utf8').on('data', (t: string) => void (toolOut += t));
      let seen = '';
      const ac = new AbortController();
      let listening!: () => void;
      const ready = new Promise<void>((resolve) => (listening = resolve));
      const running = nlkit(a!, ['-E', 'expect'], { signal: ac.signal, stdout: (t) => void (seen += t) }, listening);
      await ready;
      // With nf_conntrack_events = 2 a master reports expectation events only when it was made while someone listened.
      await masters[0]!.create({ protocol: 'tcp', src: '10.8.0.1', dst: '10.8.0.5', sport: 1005, dport: 21, timeout: 100, helper: 'ftp', state: 'established' });
      const deadline = Date.now() + 10_000;
      let port = 5000;
      // The tool listens once it has reported one made for the purpose.
      while (!toolOut.includes('[NEW]')) {
        if (Date.now() > deadline) throw new Error('conntrack -E expect did not start');
        tool(a!, exp('10.8.0.5', '1005', String(++port)));
        await new Promise((r) => setImmediate(r));
      }
      tool(a!, ['-F', 'expect']);
      const from = { tool: toolOut.length, mine: seen.length };
      expect((await nlkit(a!, exp('10.8.0.5', '1005', '6000'))).code).toBe(0);
      expect(tool(a!, ['-D', ...key('10.8.0.5', '6000')]).err).toBe('conntrack v1.4.7 (conntrack-tools): 0 expectations have been shown.\n');
      const both = (text: string): boolean => text.includes('[DESTROY]') && text.split('\n').some((l) => l.includes('[DESTROY]') && l.includes(' dport=6000 '));
      while (!(both(toolOut.slice(from.tool)) && both(seen.slice(from.mine))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGINT');
      await new Promise((r) => child.on('close', r));
      ac.abort();
      const mine = await running;
      expect(mine.err).toMatch(/^conntrack v1\.4\.7 \(conntrack-tools\): \d+ expectation events have been shown\.\n$/);
      // The flush's destroy events may land on either side of the mark: compare the expectation made and deleted after it.
      const made = (text: string): string[] => lines(text).filter((l) => l.includes(' dport=6000 '));
      expect(made(seen.slice(from.mine))).toEqual(made(toolOut.slice(from.tool)));
      expect(made(seen.slice(from.mine)).map((l) => l.slice(0, 10))).toEqual(['    [NEW] ', '[DESTROY] ']);
    } finally {
      for (const c of masters) c.close();
    }
  });

  it('-E as a process ends on SIGINT as conntrack -E does: the -b notice, its count on stderr, exit status 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-ct-'));
    try {
      buildPrivatePackage(dir, [], ['src/cli/main.ts']);
      tool(b!, ['-F']);
      const start = (argv: string[]) => {
        const child = spawn('ip', ['netns', 'exec', b!, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
        const run = { out: '', err: '', code: undefined as number | null | undefined };
        child.stdout.setEncoding('utf8').on('data', (t: string) => void (run.out += t));
        child.stderr.setEncoding('utf8').on('data', (t: string) => void (run.err += t));
        const closed = new Promise<void>((resolve) => child.on('close', (code) => ((run.code = code), resolve())));
        return { child, run, closed };
      };
      const mine = start([process.execPath, path.join(dir, 'dist/cli/main.js'), 'conntrack', '-E', '-b', '4000000']);
      const theirs = start(['conntrack', '-E', '-b', '4000000']);
      try {
        // Both start up (node and the transpiled package take a while on a busy machine) and print an entry made for the purpose.
        const deadline = Date.now() + 60_000;
        for (let port = 1; !(mine.run.out.includes('dport=9 ') && theirs.run.out.includes('dport=9 ')); port++) {
          if (Date.now() > deadline) throw new Error(`no events: ${mine.run.err}${theirs.run.err}`);
          tool(b!, ['-I', '-p', 'udp', '-s', '10.6.1.1', '-d', '10.6.1.2', '--sport', String(port), '--dport', '9', '-t', '5']);
          await new Promise((r) => setTimeout(r, 50));
        }
        mine.child.kill('SIGINT');
        theirs.child.kill('SIGINT');
        await Promise.all([mine.closed, theirs.closed]);
      } finally {
        mine.child.kill('SIGKILL');
        theirs.child.kill('SIGKILL');
      }
      // -b: the size the kernel reports back (twice the one asked for), then the count at the end.
      expect(mine.run.err.split('\n')[0]).toBe('NOTICE: Netlink socket buffer size has been set to 8000000 bytes.');
      expect(theirs.run.err.split('\n')[0]).toBe(mine.run.err.split('\n')[0]);
      mine.run.err = mine.run.err.slice(mine.run.err.indexOf('\n') + 1);
      theirs.run.err = theirs.run.err.slice(theirs.run.err.indexOf('\n') + 1);
      const summary = /^conntrack v1\.4\.7 \(conntrack-tools\): (\d+) flow events have been shown\.\n$/;
      expect({ code: mine.run.code, err: summary.test(mine.run.err) }).toEqual({ code: theirs.run.code, err: summary.test(theirs.run.err) });
      expect(mine.run.code).toBe(0);
      expect(Number(summary.exec(mine.run.err)![1])).toBe(mine.run.out.split('\n').filter(Boolean).length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('-E -e picks the event groups and -o timestamp,id stamps each line', async () => {
    tool(b!, ['-F']);
    let seen = '';
    const ac = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const running = nlkit(b!, ['-E', '-e', 'NEW,DESTROY', '-o', 'timestamp,id', '-p', 'udp'], { signal: ac.signal, stdout: (t) => void (seen += t) }, listening);
    await ready;
    expect(tool(b!, ['-I', '-p', 'tcp', '-s', '10.6.2.1', '-d', '10.6.2.2', '--sport', '1', '--dport', '2', '--state', 'ESTABLISHED', '-t', '50']).code).toBe(0);
    expect(tool(b!, ['-I', '-p', 'udp', '-s', '10.6.2.1', '-d', '10.6.2.2', '--sport', '1', '--dport', '2', '-t', '50']).code).toBe(0);
    expect(tool(b!, ['-U', '-p', 'udp', '-d', '10.6.2.2', '-m', '5']).code).toBe(0);
    expect(tool(b!, ['-D', '-p', 'udp']).code).toBe(0);
    const deadline = Date.now() + 10_000;
    while (!seen.includes('[DESTROY]') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    expect((await running).err).toBe('conntrack v1.4.7 (conntrack-tools): 2 flow events have been shown.\n');
    const got = seen.split('\n').filter(Boolean);
    // No update event (not asked for), no TCP entry (filtered by -p udp).
    expect(
      got.map((l) =>
        l
          .replace(/^\[\d{10}\.\d{6}\]\t/, 'T\t')
          .replace(/ id=\d+ /, ' id=N ')
          .replace(/^(T\t\s*\[\w+\] udp {6}17 )\d+ /, '$1S '),
      ),
    ).toEqual([
      expect.stringMatching(
        /^T\t {4}\[NEW\] udp {6}17 S src=10\.6\.2\.1 dst=10\.6\.2\.2 sport=1 dport=2 \[UNREPLIED\] src=10\.6\.2\.2 dst=10\.6\.2\.1 sport=2 dport=1 mark=0 id=N \[USERSPACE\] portid=\d+( progname=\S+)?$/,
      ),
      expect.stringMatching(
        /^T\t\[DESTROY\] udp {6}17 S src=10\.6\.2\.1 dst=10\.6\.2\.2 sport=1 dport=2 \[UNREPLIED\] src=10\.6\.2\.2 dst=10\.6\.2\.1 sport=2 dport=1 mark=5 id=N \[USERSPACE\] portid=\d+/,
      ),
    ]);
  });

  it('-E reports a loss as conntrack does (its ENOBUFS warning) and goes on, never dropping events silently', async () => {
    tool(b!, ['-F']);
    // conntrack -R: one conntrack process makes 400 entries while this thread, blocked in spawnSync, reads nothing.
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-ct-'));
    const file = path.join(dir, 'entries');
    writeFileSync(file, Array.from({ length: 400 }, (_, i) => `-I -p udp -s 10.6.3.1 -d 10.6.3.2 --sport ${i + 1} --dport 9 -t 50\n`).join(''));
    let seen = '';
    let warned = '';
    const ac = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    // -b 4096: a receive buffer of 8 KiB (the kernel doubles it), room for some thirty events.
    const running = nlkit(b!, ['-E', '-b', '4096'], { signal: ac.signal, stdout: (t) => void (seen += t), stderr: (t) => void (warned += t) }, listening);
    try {
      await ready;
      expect(spawnSync('ip', ['netns', 'exec', b!, 'conntrack', '-R', file]).status).toBe(0);
      // After the loss, the stream goes on: an entry made now still shows.
      const deadline = Date.now() + 10_000;
      for (let port = 1000; !seen.includes(' dst=10.6.3.3 ') && Date.now() < deadline; port++) {
        tool(b!, ['-I', '-p', 'udp', '-s', '10.6.3.1', '-d', '10.6.3.3', '--sport', String(port), '--dport', '9', '-t', '50']);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      ac.abort();
      rmSync(dir, { recursive: true, force: true });
    }
    const r = await running;
    expect(r.code).toBe(0);
    expect(warned).toContain(
      'WARNING: We have hit ENOBUFS! We are losing events.\nThis message means that the current netlink socket buffer size is too small.\nPlease, check --buffer-size in conntrack(8) manpage.\n',
    );
    const lines = seen.split('\n').filter(Boolean);
    expect(lines.length).toBeLessThan(400);
    expect(lines.some((l) => l.includes(' dst=10.6.3.3 '))).toBe(true);
    expect(warned.split('\n').at(-2)).toBe(`conntrack v1.4.7 (conntrack-tools): ${lines.length} flow events have been shown.`);
  });

  it('-R runs a file of commands as conntrack -R does, leaving the same table, and refuses what conntrack refuses', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-ct-'));
    try {
      const file = (name: string, lines: string[]): string => {
        const at = path.join(dir, name);
        writeFileSync(at, lines.join('\n') + '\n');
        return at;
      };
      const good = file('good', [
        '# entries for the test',
        '-I -p tcp -s 10.6.4.1 -d 10.6.4.2 --sport 1 --dport 2 --state ESTABLISHED -t 50 -m 1',
        '',
        '  -I -p udp -s 10.6.4.1 -d 10.6.4.3 --sport 1 --dport 53 -t 50',
        '-I -p icmp -s 10.6.4.1 -d 10.6.4.4 --icmp-type 8 --icmp-code 0 --icmp-id 3 -t 50',
        '-A -p udp -s 10.6.4.1 -d 10.6.4.3 --sport 1 --dport 53 -t 50',
        '-U -p udp -d 10.6.4.3 -m 7',
        '-D -p icmp',
      ]);
      for (const [args, tableToo] of [
        [['-R', good], true],
        [['--load-file', good], true],
        [['-R', file('flush', ['-F', '-I -p udp -s 10.6.4.1 -d 10.6.4.5 --sport 1 --dport 53 -t 50'])], true],
        [['-R', file('listing', ['-I -p udp -s 10.6.4.1 -d 10.6.4.6 --sport 1 --dport 53 -t 50', '-L'])], true],
        [['-R', file('expect', ['-F expect'])], true],
        // -U with -m set by the last line of the file, as conntrack does it.
        [
          [
            '-R',
            file('update', [
              '-I -p udp -s 10.6.4.1 -d 10.6.4.8 --sport 1 --dport 53 -t 50 -m 3',
              '-U -p udp -d 10.6.4.8 -m 7',
              '-I -p tcp -s 10.6.4.1 -d 10.6.4.9 --sport 1 --dport 2 --state ESTABLISHED -t 50 -m 0x30/0x30',
            ]),
          ],
          true,
        ],
        [['-R', file('bad', ['-I -p udp -s 10.6.4.1'])], true],
        [['-R', file('exists', ['-I -p udp -s 10.6.4.1 -d 10.6.4.7 --sport 1 --dport 53 -t 50', '-I -p udp -s 10.6.4.1 -d 10.6.4.7 --sport 1 --dport 53 -t 50'])], true],
        [['-R', path.join(dir, 'missing')], false],
      ] as const) {
        tool(a!, ['-F']);
        tool(b!, ['-F']);
        same(await nlkit(b!, args), tool(a!, args));
        if (tableToo) expect(lines(tool(b!, ['-L']).out), args.join(' ')).toEqual(lines(tool(a!, ['-L']).out));
      }
      // The good file, once more: the entries it leaves, and the one -D printed.
      tool(b!, ['-F']);
      const r = await nlkit(b!, ['-R', good]);
      expect(lines(r.out)).toEqual([expect.stringMatching(/^icmp {5}1 T src=10\.6\.4\.1 dst=10\.6\.4\.4 type=8 /)]);
      expect(lines(tool(b!, ['-L']).out).map((l) => l.split(' ')[0])).toEqual(['tcp', 'udp']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-o save and -R round trip: a table saved by nlkit and loaded by each tool into a twin namespace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-ct-'));
    try {
      await refill();
      const saved = await nlkit(a!, ['-L', '-o', 'save']);
      expect(saved.code).toBe(0);
      expect(lines(saved.out)).toEqual(lines(tool(a!, ['-L', '-o', 'save']).out));
      const file = path.join(dir, 'table');
      writeFileSync(file, saved.out);
      tool(a!, ['-F']);
      tool(b!, ['-F']);
      same(await nlkit(b!, ['-R', file]), tool(a!, ['-R', file]));
      const table = lines(tool(a!, ['-L']).out);
      expect(table.length).toBeGreaterThan(5);
      expect(lines(tool(b!, ['-L']).out)).toEqual(table);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
