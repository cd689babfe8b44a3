// `nlkit ipset` next to ipset 7.17: the same script of commands through each
// tool in a namespace of its own must leave the same sets (`ipset save` of
// one equals `nlkit ipset save` of the other), and in one namespace both
// tools must print the same `list` / `save` text, give the same `test`
// answers and fail on the same malformed commands with the same first line
// and exit status. Element timeouts count down while a test runs, so their
// values (not their presence) are masked.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/ipset/index.js';
import type { CommandIO } from '../../src/cli/ynl.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const ipsetTool = spawnSync('ipset', ['version'], { encoding: 'utf8' }).status === 0;

interface Result {
  code: number;
  out: string;
  err: string;
}

function tool(ns: string, args: readonly string[], input?: string): Result {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'ipset', ...args], { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

async function nlkit(ns: string, args: readonly string[], stdin?: string): Promise<Result> {
  let out = '';
  let err = '';
  const io: CommandIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, stdoutIsTTY: false };
  const code = await run([...args], io, { netns: ns, ...(stdin !== undefined ? { stdin } : {}) });
  return { code, out, err };
}

/** Remaining element timeouts masked (the set's default timeout in headers stays). */
function untimed(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.startsWith('create ') || l.startsWith('Header:') ? l : l.replace(/ timeout \d+/, ' timeout T')))
    .join('\n');
}

// Every type nlkit ipset writes, with timeouts, counters and comments; the
// hash sets get a fixed initval so both namespaces hash (and list) alike.
const SCRIPT: readonly string[][] = [
  ['create', 'ips', 'hash:ip', 'timeout', '300', 'counters', 'comment', 'initval', '0x11', 'hashsize', '64'],
  ['add', 'ips', '10.0.0.1', 'timeout', '100', 'packets', '5', 'bytes', '600', 'comment', 'first one'],
  ['add', 'ips', '10.0.0.2'],
  ['add', 'ips', 'localhost'],
  ['add', 'ips', '10.0.1.0/30', 'timeout', '0'],
  ['del', 'ips', '10.0.1.1'],
  ['-exist', 'add', 'ips', '10.0.0.2', 'timeout', '50'],
  ['create', 'nets', 'hash:net', 'family', 'inet6', 'maxelem', '1000', 'initval', '0x22'],
  ['add', 'nets', '2001:db8::/32'],
  ['add', 'nets', '2001:db8:1::1', 'nomatch'],
  ['add', 'nets', '2001:db8:2::/48'],
  ['del', 'nets', '2001:db8:2::/48'],
  ['create', 'nets4', 'hash:net', 'counters', 'initval', '0x23'],
  ['add', 'nets4', '192.168.0.0/16', 'packets', '1', 'bytes', '2'],
  ['add', 'nets4', '10.9.0.0-10.9.0.9'],
  ['create', 'ipp', 'hash:ip,port', 'initval', '0x33', 'comment'],
  ['add', 'ipp', '1.2.3.4,tcp:80', 'comment', 'web'],
  ['add', 'ipp', '1.2.3.4,udp:53'],
  ['add', 'ipp', '1.2.3.5,icmp:ping'],
  ['add', 'ipp', '1.2.3.5,8080'],
  ['add', 'ipp', '1.2.3.6,sctp:9-11'],
  ['create', 'nif', 'hash:net,iface', 'counters', 'initval', '0x44'],
  ['add', 'nif', '10.0.0.0/8,eth0'],
  ['add', 'nif', '10.1.0.0/16,physdev:eth1', 'nomatch'],
  ['add', 'nif', '10.2.0.0/16,veth', 'wildcard'],
  ['create', 'ports', 'bitmap:port', 'range', '1000-2000', 'timeout', '60', 'counters'],
  ['add', 'ports', '1500', 'timeout', '0'],
  ['add', 'ports', 'tcp:1600', 'packets', '7', 'bytes', '70'],
  ['add', 'ports', '1700-1702'],
  ['del', 'ports', '1701'],
  ['create', 'few', 'bitmap:port', 'range', '0-10'],
  ['create', 'lists', 'list:set', 'size', '4', 'comment'],
  ['add', 'lists', 'ips', 'comment', 'the ips'],
  ['add', 'lists', 'ipp', 'before', 'ips'],
  ['add', 'lists', 'nets4', 'after', 'ipp'],
  ['del', 'lists', 'nets4'],
  ['create', 'tmp', 'hash:ip,port', 'initval', '0x55'],
  ['add', 'tmp', '9.9.9.9,udp:1'],
  ['rename', 'tmp', 'tmp2'],
  ['create', 'ipp2', 'hash:ip,port', 'initval', '0x66', 'comment'],
  ['add', 'ipp2', '5.5.5.5,tcp:5'],
  ['swap', 'ipp2', 'tmp2'],
  ['flush', 'few'],
  ['create', 'big', 'hash:ip', 'initval', '0x88'],
  ['add', 'big', '10.5.0.0/26'],
  ['add', 'big', '10.5.1.16-10.5.1.40'],
  ['create', 'big6', 'hash:net', 'family', 'inet6', 'initval', '0x89'],
  ['add', 'big6', 'fe80::/64'],
  ['add', 'big6', 'fe80::1'],
  ['add', 'big6', '2001:db8::1'],
  ['add', 'big6', '::1'],
  ['add', 'big6', '2001:db8:a::/48'],
  ['add', 'big6', 'ff02::2'],
  ['add', 'big6', '2001:db8:a:b::/64', 'nomatch'],
  ['create', 'bip', 'bitmap:ip', 'range', '10.7.0.0/24', 'netmask', '30', 'timeout', '10', 'counters', 'comment', 'skbinfo'],
  ['add', 'bip', '10.7.0.4', 'comment', 'hi', 'skbmark', '0x1/0xff', 'skbprio', '1:2', 'skbqueue', '3', 'timeout', '0'],
  ['add', 'bip', '10.7.0.16-10.7.0.31'],
  ['add', 'bip', '10.7.0.64/28'],
  ['create', 'bip2', 'bitmap:ip', 'from', '10.8.0.0', 'to', '10.8.0.9'],
  ['create', 'bipmac', 'bitmap:ip,mac', 'range', '10.1.0.0-10.1.0.255'],
  ['add', 'bipmac', '10.1.0.1,aa:bb:cc:dd:ee:ff'],
  ['add', 'bipmac', '10.1.0.2'],
  ['create', 'ipport-ip', 'hash:ip,port,ip', 'initval', '0x77'],
  ['add', 'ipport-ip', '1.2.3.4,udp:53,5.6.7.8'],
  ['create', 'ipport-net', 'hash:ip,port,net', 'initval', '0x78'],
  ['add', 'ipport-net', '1.2.3.4,udp:53,5.6.7.0/24', 'nomatch'],
  ['add', 'ipport-net', '1.2.3.4,tcp:1-2,5.6.8.0-5.6.8.7'],
  ['create', 'netport', 'hash:net,port', 'family', 'inet6', 'initval', '0x79'],
  ['add', 'netport', '2001:db8::/32,tcp:80'],
  ['add', 'netport', '2001:db8:1::/48,sctp:9', 'nomatch'],
  ['create', 'gone', 'hash:ip'],
  ['destroy', 'gone'],
];

describe.skipIf(!canUseKernel || !ipsetTool)('nlkit ipset next to ipset', () => {
  let a: string | undefined; // commands through ipset
  let b: string | undefined; // commands through nlkit ipset
  let c: string | undefined; // restore target
  beforeAll(async () => {
    a = await createNetns('ipset-a');
    b = await createNetns('ipset-b');
    c = await createNetns('ipset-c');
    for (const args of SCRIPT) {
      const t = tool(a, args);
      expect(t, `ipset ${args.join(' ')}`).toEqual({ code: 0, out: '', err: '' });
      const n = await nlkit(b, args);
      expect(n, `nlkit ipset ${args.join(' ')}`).toEqual({ code: 0, out: '', err: '' });
    }
  });
  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
    await removeNetns(c);
  });

  it('leaves the same sets: nlkit ipset save of one namespace is ipset save of the other', async () => {
    const saved = tool(a!, ['save']);
    expect(saved.code).toBe(0);
    const mine = await nlkit(b!, ['save']);
    expect(mine.code).toBe(0);
    expect(mine.err).toBe('');
    expect(untimed(mine.out)).toBe(untimed(saved.out));
    expect(mine.out.split('\n').length).toBeGreaterThan(30);
  });

  it('prints what ipset prints on the same sets: save, list, -terse, -name, -o save, one set', async () => {
    for (const args of [
      ['save'],
      ['list'],
      ['list', '-t'],
      ['-n', 'list'],
      ['list', '-o', 'save', 'ipp'],
      ['save', '-o', 'plain'],
      ['list', 'lists'],
      ['save', 'ports'],
      ['-L', 'few'],
      ['-o', 'xml', 'list'],
      ['list', '-o', 'xml', '-t'],
      ['-o', 'xml', '-n', 'list'],
      ['-o', 'xml', 'save', 'nif'],
      ['-s', 'list'],
      ['-s', 'save'],
      ['-sorted', '-o', 'xml', 'list', 'big6'],
      ['-s', '-t', 'list'],
      ['-o', 'json', 'list'],
      ['-r', 'list', 'ips'],
      ['-r', '-s', 'save', 'ips'],
      ['-resolve', 'list', 'bip'],
    ]) {
      const t = tool(b!, args);
      const n = await nlkit(b!, args);
      expect({ ...n, out: untimed(n.out) }, args.join(' ')).toEqual({ ...t, out: untimed(t.out) });
    }
  });

  it('answers test as ipset does: exit status and message', async () => {
    for (const args of [
      ['test', 'ips', '10.0.0.1'],
      ['test', 'ips', '10.0.0.9'],
      ['test', 'ips', 'localhost'],
      ['test', 'ipp', '1.2.3.5,80'],
      ['test', 'ipp', '1.2.3.5,8080'],
      ['test', 'ipp', '1.2.3.5,icmp:echo-request'],
      ['test', 'nets', '2001:db8:5::1'],
      ['test', 'nets', '2001:db8:1::1'],
      ['test', 'ports', '1500'],
      ['test', 'ports', '1999'],
      ['test', 'lists', 'ips', 'after', 'ipp'],
      ['test', 'lists', 'ips', 'before', 'ipp'],
      ['-q', 'test', 'ips', '10.0.0.9'],
      ['test', 'nif', '10.0.0.0/8,eth0'],
    ]) {
      expect(await nlkit(b!, args), args.join(' ')).toEqual(tool(b!, args));
    }
  });

  it('fails on malformed commands and kernel refusals with ipset first line and exit status', async () => {
    for (const args of [
      [],
      ['foo'],
      ['-x'],
      ['create'],
      ['create', 'x'],
      ['create', 'x', 'hash:foo'],
      ['create', 'x', 'hash:ip', 'foo'],
      ['create', 'x', 'hash:ip', 'timeout'],
      ['create', 'x', 'hash:ip', 'timeout', 'abc'],
      ['create', 'x', 'hash:ip', 'timeout', '99999999'],
      ['create', 'x', 'hash:ip', 'family', 'inet7'],
      ['create', 'x', 'hash:ip', 'timeout', '1', 'timeout', '2'],
      ['create', 'x', 'bitmap:port'],
      ['create', 'ips', 'hash:ip'],
      ['add'],
      ['add', 'nope', '1.2.3.4'],
      ['add', 'ips'],
      ['add', 'ips', '1.2.3.4,udp:53'],
      ['add', 'ipp', '1.2.3.4'],
      ['add', 'ipp', '1.2.3.4,udp:53'],
      ['add', 'ips', '10.0.0.1'],
      ['add', 'ips', '300.1.1.1'],
      ['add', 'ips', '10.0.0.3', 'foo'],
      ['add', 'ips', '10.0.0.3', 'comment', 'a"b'],
      ['add', 'nets', '10.0.0.0/8'],
      ['add', 'ports', '3000'],
      ['add', 'ports', 'sctp:1500'],
      ['add', 'nets4', '10.0.0.0/8', 'timeout', '5'],
      ['add', 'ipp', '1.2.3.4,bogus:80'],
      ['add', 'ipp', '1.2.3.4,icmp:nonsense'],
      ['add', 'lists', 'nope'],
      ['add', 'lists', 'nets', 'before', 'nope'],
      ['del', 'ips', '10.0.0.77'],
      ['list', 'nope'],
      ['list', 'ips', 'ipp'],
      ['save', '-o', 'bogus'],
      ['destroy', 'nope'],
      ['destroy', 'ips'],
      ['flush', 'nope'],
      ['rename', 'ips', 'ipp'],
      ['rename', 'nope', 'x'],
      ['swap', 'ips', 'ipp'],
      ['swap', 'ips', 'nope'],
      ['restore', 'x'],
      ['version'],
      ['create', 'x', 'hash:ip', 'netmask', '33'],
      ['create', 'x', 'bitmap:port', 'range', '5'],
      ['create', 'x', 'hash:ip', 'initval', '0x1', 'skbinfo', 'forceadd', 'x'],
      ['add', 'ips', '10.0.0.3', 'timeout', '-1'],
      ['add', 'ips', '10.0.0.3', 'skbmark', '5'],
      ['add', 'ips', '10.0.0.3/33'],
      ['add', 'ips', '10.0.0.3-'],
      ['add', 'ipp', '1.2.3.4,tcp:70000'],
      ['add', 'ipp', '1.2.3.4,tcp:nosuchservice'],
      ['add', 'ipp', '1.2.3.4,tcp:'],
      ['add', 'ipp', '1.2.3.4,'],
      ['add', 'ipp', '1.2.3.4,tcp:1,2'],
      ['add', 'ipp', '1.2.3.4,icmpv6:ping'],
      ['del', 'ipp', '1.2.3.4,icmpv6:ping'],
      ['add', 'ipp', '1.2.3.4,icmp:nonsense'],
      ['add', 'ipp', '1.2.3.4,gre:1'],
      ['test', 'ipp', '1.2.3.4,tcp:1-3'],
      ['test', 'ipp', '1.2.3.0/24,tcp:80'],
      ['test', 'nets4', '10.9.0.0-10.9.0.9'],
      ['test', 'ports', '1500-1501'],
      ['add', 'nets', '2001:db8::-2001:db8::1'],
      ['add', 'nif', '10.0.0.0/8,abcdefghijklmnop'],
      ['save', '-f', '/nonexistent/dir/file'],
      ['restore', '-f', '/nonexistent'],
      ['create', 'x', 'bitmap:ip'],
      ['create', 'x', 'bitmap:ip', 'range', '10.3.0.0'],
      ['create', 'x', 'hash:mac'],
      ['create', 'x', 'hash:net,net'],
      ['add', 'bipmac', '10.1.0.3,zz'],
      ['add', 'bipmac', '10.1.0.3/24'],
      ['add', 'ipport-ip', '1.2.3.4,udp:53'],
      ['add', 'ipport-ip', '1.2.3.4,udp:53,5.6.7.0/24'],
      ['test', 'ipport-net', '1.2.3.4,udp:53,5.6.7.9'],
      ['test', 'bipmac', '10.1.0.1,aa:bb:cc:dd:ee:01'],
    ]) {
      const t = tool(b!, args);
      const n = await nlkit(b!, args);
      expect({ code: n.code, out: n.out, err: n.err }, args.join(' ')).toEqual({ code: t.code, out: t.out, err: t.err });
    }
  });

  it('restores a save into an empty namespace, and stops at the first bad line as ipset does', async () => {
    const saved = tool(a!, ['save']).out;
    const r = await nlkit(c!, ['restore'], saved);
    expect(r).toEqual({ code: 0, out: '', err: '' });
    expect(untimed(tool(c!, ['save']).out)).toBe(untimed(saved));
    for (const input of [
      'create r1 hash:ip initval 0x77\nadd r1 1.1.1.1\nadd r1 1.1.1.1\nadd r1 1.1.1.2\n',
      'add r1 1.1.1.3 foo\n',
      '# comment\n\nadd r1 1.1.1.x\n',
      'add r1 1.1.1.4\nbogus\n',
      'add r1 "1.1.1.5\n',
      'version\n',
    ]) {
      const t = tool(a!, ['restore'], input);
      const n = await nlkit(b!, ['restore'], input);
      expect(n, input).toEqual(t);
    }
    expect(untimed((await nlkit(b!, ['save', 'r1'])).out)).toBe(untimed(tool(a!, ['save', 'r1']).out));
    expect(tool(b!, ['-exist', 'restore'], 'create r1 hash:ip\n').code).toBe((await nlkit(b!, ['-exist', 'restore'], 'create r1 hash:ip\n')).code);
  });

  it('runs as the nlkit program inside ip netns exec: restore from its standard input, then list', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-ipset-'));
    const d = await createNetns('ipset-d');
    try {
      buildPrivatePackage(dir, [], ['src/cli/main.ts']);
      const nlkitProgram = (ns: string, args: readonly string[], input?: string): Result => {
        const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, path.join(dir, 'dist/cli/main.js'), 'ipset', ...args], {
          encoding: 'utf8',
          ...(input !== undefined ? { input } : {}),
        });
        return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
      };
      const saved = tool(a!, ['save']).out;
      expect(nlkitProgram(d, ['restore'], saved)).toEqual({ code: 0, out: '', err: '' });
      expect(untimed(tool(d, ['save']).out)).toBe(untimed(saved));
      const listed = nlkitProgram(d, ['list']);
      const reference = tool(d, ['list']);
      expect({ ...listed, out: untimed(listed.out) }).toEqual({ ...reference, out: untimed(reference.out) });
      expect(nlkitProgram(d, ['test', 'ips', '10.0.0.9'])).toEqual(tool(d, ['test', 'ips', '10.0.0.9']));
      // The spec itself drives `nlkit ynl` too.
      const ynl = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          d,
          process.execPath,
          path.join(dir, 'dist/cli/main.js'),
          'ynl',
          '--spec',
          path.join(import.meta.dirname, '../../specs/ipset.yaml'),
          '--do',
          'protocol',
          '--json',
          '{"protocol": 7}',
        ],
        { encoding: 'utf8' },
      );
      expect({ code: ynl.status, out: ynl.stdout, err: ynl.stderr }).toEqual({
        code: 0,
        out: "{'nfgen-family': 2, 'protocol': 7, 'protocol-min': 6, 'res-id': 0, 'version': 0}\n",
        err: '',
      });
    } finally {
      await removeNetns(d);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('prints ipset help, of every type too', async () => {
    for (const args of [['help'], ['-h'], ['help', 'hash:ip'], ['help', 'list:set'], ['help', 'hash:net,port,net'], ['help', 'hash:foo'], ['-q', 'help', 'bitmap:port']]) {
      expect(await nlkit(b!, args), args.join(' ')).toEqual(tool(b!, args));
    }
  });
});
