// `nlkit ynl` against the kernel's own tool (tools/net/ynl/pyynl/cli.py, from
// Debian's linux-source-7.3, installed into .cache/ynl-ref by
// scripts/ynl-reference.sh): for the same spec, request and namespace both
// must print the same thing. Every family this kernel has is covered; a
// family it lacks gets a test that says so and checks that both tools report
// it.
//
// How outputs are compared:
// - JSON text is compared byte for byte (key order included). The kernel's
//   state can change between two runs (IPv6 neighbour discovery on the veth
//   moves link counters), so the reference runs before and after nlkit and a
//   comparison only counts when both reference runs agree (a few retries).
// - Values that are clocks are zeroed on both sides: neighbour cacheinfo
//   (confirmed/used/updated, ages), tcp_metrics age, conntrack timeout, and
//   nftables getgen's proc-pid/proc-name (the process asking).
// - cli.py prints "Netlink warning:" and the raw message on stdout, inside
//   its own JSON output, when a dump ends with an extended-ack warning
//   (ethtool on veth); those lines are dropped from its output before comparing.
// - pprint output: Python prints a set that fits on one line in hash order;
//   set items are sorted on both sides. --list-ops prints each operation's
//   modes as a Python set too; their order is normalised the same way.
// - cli.py prints netlink errors on stdout, nlkit on stderr: the texts are compared.
// - The reference runs with --no-schema (jsonschema validation of the spec
//   only costs time; it does not change what is printed).
//
// nlkit runs in-process (main() with captured output) except for the checks
// of the program itself, which run the CLI as a separate node process from a
// private transpiled copy of src (so that this file neither waits for nor
// races with `npm run compile` in other test files).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ts from 'typescript';
import { main } from '../../src/cli/main.js';
import { parseJson, type JsonValue } from '../../src/cli/input.js';
import { FamilyClient } from '../../src/families/client.js';
import { family as nlctrlFamily } from '../../src/families/generated/nlctrl.js';
import { family as nftablesFamily } from '../../src/families/generated/nftables.js';
import type { Family } from '../../src/schema/family.js';
import { describeFeature, feature, requireFeatures, type FeatureName } from '../helpers/features.js';
import { createNetns, ip, ipBatch, ipJson, removeNetns, waitForOperstates } from '../helpers/kernel.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const specs = path.resolve(root, '..', 'shared', 'ynl-specs', 'specs');
const spec = (name: string): string => path.join(specs, `${name}.yaml`);

// ---- which families this kernel has (read in the host namespace, read-only) ----

async function genlFamilies(): Promise<Set<string>> {
  await using client = await FamilyClient.open(nlctrlFamily as unknown as Family);
  return new Set((await client.dumpAll('getfamily')).map((f) => f['family-name'] as string));
}

async function nftablesPresent(): Promise<boolean> {
  try {
    await using client = await FamilyClient.open(nftablesFamily as unknown as Family);
    await client.do('getgen', { 'nfgen-family': 0 });
    return true;
  } catch {
    return false;
  }
}

/** Why a probed feature is missing (test/helpers/features.ts), or undefined when the kernel has it. */
function lacking(name: FeatureName): string | undefined {
  const s = feature(name);
  return s.supported === false ? describeFeature(name, s).replace(/^kernel feature /, '') : undefined;
}

const genl = await genlFamilies();
/** Group number of netdev's "mgmt" multicast group. */
const netdevMgmt = await (async (): Promise<number | undefined> => {
  if (!genl.has('netdev')) return undefined;
  await using client = await FamilyClient.open(nlctrlFamily as unknown as Family);
  const info = await client.do('getfamily', { 'family-name': 'netdev' });
  const groups = (info?.['mcast-groups'] ?? []) as Array<Record<string, { name: string; id: number }>>;
  return groups.map((g) => Object.values(g)[0]!).find((g) => g.name === 'mgmt')?.id;
})();
// Generic families and nf_tables are probed with genl and nft (test/helpers/features.ts);
// where nft is not installed, nf_tables is asked through nlkit.
const present: Record<string, string | undefined> = {
  netdev: lacking('genl-netdev'),
  ethtool: lacking('genl-ethtool'),
  tcp_metrics: lacking('genl-tcp_metrics'),
  mptcp_pm: lacking('genl-mptcp_pm'),
  conntrack: existsSync('/proc/sys/net/netfilter/nf_conntrack_max') ? undefined : 'nf_conntrack is not loaded',
  nftables: feature('nftables').supported === 'unknown' ? ((await nftablesPresent()) ? undefined : 'nf_tables does not answer NFT_MSG_GETGEN') : lacking('nftables'),
};
/** Why a family is missing on this kernel, or undefined when it is there. */
const absent = (family: string): string | undefined => present[family];

// ---- running both tools ---------------------------------------------------------

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let cliPy = '';

async function nlkit(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(['ynl', ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, stdoutIsTTY: false });
  return { code, stdout, stderr };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 1 << 28, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code, stdout, stderr });
    });
  });
}

const pythonEnv = { ...process.env, COLUMNS: '', PYTHONHASHSEED: '0' };

/** The kernel's tool, inside namespace `ns` when given. */
function reference(ns: string | undefined, ...argv: string[]): Promise<Run> {
  const args = ['/usr/bin/python3', cliPy, ...argv, ...(argv.includes('--spec') ? ['--no-schema'] : [])];
  return ns === undefined ? run(args[0]!, args.slice(1), pythonEnv) : run('ip', ['netns', 'exec', ns, ...args], pythonEnv);
}

/** cli.py's "Netlink warning:" block (three lines) printed into stdout. */
function dropWarnings(text: string): string {
  return text.replace(/^Netlink warning:\n.*\n\textack: .*\n/gm, '');
}

/** JSON text with integers kept exact, keys in their order, after `normalise`. */
function canonical(text: string, normalise?: (v: JsonValue) => void): string {
  if (!normalise) return text;
  const v = parseJson(text);
  normalise(v);
  const write = (x: JsonValue): string => {
    if (x === null || typeof x === 'boolean' || typeof x === 'number') return JSON.stringify(x);
    if (typeof x === 'bigint') return x.toString();
    if (typeof x === 'string') return JSON.stringify(x);
    if (Array.isArray(x)) return `[${x.map(write).join(', ')}]`;
    return `{${Object.entries(x)
      .map(([k, y]) => `${JSON.stringify(k)}: ${write(y)}`)
      .join(', ')}}`;
  };
  return `${write(v)}\n`;
}

/** Sets printed by pprint on one line, items sorted: {'up', 'broadcast'} -> {'broadcast', 'up'}. */
function sortSets(text: string): string {
  return text.replace(/\{('[^'\n]*'(?:, '[^'\n]*')*)\}/g, (_m, items: string) => `{${items.split(', ').sort().join(', ')}}`);
}

/**
 * Runs the reference, nlkit, and the reference again until both reference
 * runs agree; returns the agreed output and nlkit's.
 */
async function stable(
  ns: string,
  argv: string[],
  normalise?: (v: JsonValue) => void,
  mapText: (t: string) => string = (t) => t,
): Promise<{ ours: Run; theirs: Run; ourText: string; theirText: string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await reference(ns, ...argv);
    const ours = await nlkit(...argv, '-n', ns);
    const after = await reference(ns, ...argv);
    const a = before.code === 0 ? mapText(canonical(dropWarnings(before.stdout), normalise)) : before.stdout;
    const b = after.code === 0 ? mapText(canonical(dropWarnings(after.stdout), normalise)) : after.stdout;
    if (a === b && before.code === after.code) {
      const ourText = ours.code === 0 ? mapText(canonical(ours.stdout, normalise)) : ours.stderr;
      return { ours, theirs: before, ourText, theirText: a };
    }
  }
  throw new Error(`the kernel's state kept changing while comparing: ${argv.join(' ')}`);
}

function zero(keys: readonly string[]): (v: JsonValue) => void {
  const walk = (x: JsonValue): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) {
        if (keys.includes(k)) x[k] = 0;
        else walk(y);
      }
    }
  };
  return walk;
}

// ---- the namespaces ---------------------------------------------------------------

let ns = '';
let peer = '';
let y0Index = 0;

function tc(args: string[]): void {
  execFileSync('ip', ['netns', 'exec', ns, 'tc', ...args]);
}

/** Sockets of netlink `protocol` in namespace `name` that joined `group` (1..32: /proc/net/netlink shows the first 32 groups). */
function socketsInGroup(name: string, group: number, protocol = 0): number {
  const text = execFileSync('ip', ['netns', 'exec', name, 'cat', '/proc/net/netlink'], { encoding: 'utf8' });
  return text
    .split('\n')
    .slice(1)
    .filter((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === String(protocol) && f[3] !== undefined && (parseInt(f[3], 16) & (1 << (group - 1))) >>> 0 !== 0;
    }).length;
}

const routeSocketsInGroup = (name: string, group: number): number => socketsInGroup(name, group, 0);

async function until(what: string, cond: () => boolean, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A TCP connection from ns to peer over the veth, so that both keep tcp_metrics. */
async function tcpConnection(): Promise<void> {
  const server = spawn(
    'ip',
    [
      'netns',
      'exec',
      peer,
      '/usr/bin/python3',
      '-u',
      '-c',
      'import socket\ns = socket.socket(); s.bind(("10.77.0.2", 5555)); s.listen(); print("ready", flush=True)\na, _ = s.accept()\nwhile a.recv(65536): pass\na.close()',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    server.stdout!.once('data', () => resolve());
    server.once('error', reject);
  });
  execFileSync('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', 'import socket\nc = socket.create_connection(("10.77.0.2", 5555)); c.sendall(b"x" * 100000); c.close()']);
  await new Promise((resolve) => server.once('exit', resolve));
}

beforeAll(async () => {
  // The fixture: a veth pair, a bridge, a rule, an htb qdisc with a u32 filter.
  requireFeatures('veth', 'bridge', 'rules', 'tc-htb', 'tc-u32');
  cliPy = execFileSync('bash', [path.join(root, 'scripts', 'ynl-reference.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop()!;
  ns = await createNetns('ynl');
  peer = await createNetns('ynlpeer');
  ip(ns, ['link', 'add', 'y0', 'type', 'veth', 'peer', 'name', 'y1']);
  ip(ns, ['link', 'set', 'y1', 'netns', peer]);
  ip(ns, ['addr', 'add', '10.77.0.1/24', 'dev', 'y0']);
  ip(ns, ['addr', 'add', '2001:db8:77::1/64', 'dev', 'y0', 'nodad']);
  ip(ns, ['link', 'set', 'y0', 'up']);
  ip(peer, ['addr', 'add', '10.77.0.2/24', 'dev', 'y1']);
  ip(peer, ['link', 'set', 'y1', 'up']);
  ip(ns, ['link', 'add', 'br0', 'type', 'bridge']);
  ip(ns, ['route', 'add', '10.78.0.0/16', 'via', '10.77.0.2']);
  ip(ns, ['route', 'add', '2001:db8:78::/48', 'via', '2001:db8:77::2']);
  ip(ns, ['neigh', 'add', '10.77.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'y0']);
  ip(ns, ['rule', 'add', 'from', '10.1.0.0/16', 'table', '100', 'priority', '1000']);
  // tc (iproute2): a qdisc and a filter on y0.
  tc(['qdisc', 'add', 'dev', 'y0', 'root', 'handle', '1:', 'htb', 'default', '10']);
  tc(['filter', 'add', 'dev', 'y0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.0.0.1/32', 'flowid', '1:10']);
  y0Index = ipJson<Array<{ ifindex: number }>>(ns, ['link', 'show', 'y0'])[0]!.ifindex;
  // Link dumps are compared with their operstate, which linkwatch sets after `ip link set up` returned.
  await waitForOperstates(ns, { lo: 'UNKNOWN', y0: 'UP', br0: 'DOWN' });
  await waitForOperstates(peer, { lo: 'UNKNOWN', y1: 'UP' });
  if (!absent('mptcp_pm')) {
    ip(ns, ['mptcp', 'endpoint', 'add', '10.77.0.1', 'dev', 'y0', 'signal']);
    ip(ns, ['mptcp', 'endpoint', 'add', '2001:db8:77::1', 'dev', 'y0', 'subflow', 'backup', 'id', '7']);
    ip(ns, ['mptcp', 'limits', 'set', 'subflow', '2', 'add_addr_accepted', '2']);
  }
  if (!absent('nftables')) {
    // A table, a base chain and a rule that loads the conntrack state: the
    // rule makes the namespace track connections (nf_ct_netns_get).
    const made = await nlkit(
      '--spec',
      spec('nftables'),
      '-n',
      ns,
      '--create',
      '--multi',
      'batch-begin',
      '{"res-id": 10}',
      '--multi',
      'newtable',
      '{"nfgen-family": 2, "name": "t"}',
      '--multi',
      'newchain',
      '{"nfgen-family": 2, "table": "t", "name": "out", "type": "filter", "hook": {"num": 3, "priority": 0}}',
      '--multi',
      'newrule',
      '{"nfgen-family": 2, "table": "t", "chain": "out", "expressions": {"elem": [{"name": "ct", "data": {"key": "state", "dreg": 1}}, {"name": "counter", "data": {}}]}}',
      '--multi',
      'batch-end',
      '{"res-id": 10}',
    );
    expect(made).toEqual({ code: 0, stdout: '[None, None, None, None, None]\n', stderr: '' });
  }
  if (!absent('tcp_metrics')) await tcpConnection();
}, 900_000);

afterAll(async () => {
  await removeNetns(ns);
  await removeNetns(peer);
});

// ---- dumps --------------------------------------------------------------------------

interface DumpCase {
  family: string;
  op: string;
  json?: string | (() => string);
  normalise?: (v: JsonValue) => void;
  /** At least this many objects (the setup made them). */
  min?: number;
  /** Runs first (conntrack entries time out: make fresh ones). */
  prepare?: () => void;
}

/** UDP packets out of the namespace: conntrack entries (the nftables ct rule made it track). */
function udpPackets(): void {
  execFileSync('ip', [
    'netns',
    'exec',
    ns,
    '/usr/bin/python3',
    '-c',
    'import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", ("10.77.0.2", 9)); s.sendto(b"y", ("127.0.0.1", 9))',
  ]);
}

const DUMPS: DumpCase[] = [
  { family: 'rt-link', op: 'getlink' },
  { family: 'rt-addr', op: 'getaddr' },
  { family: 'rt-route', op: 'getroute' },
  { family: 'rt-route', op: 'getroute', json: '{"rtm-family": 10}' },
  { family: 'rt-neigh', op: 'getneigh', normalise: zero(['confirmed', 'used', 'updated']), min: 1 },
  { family: 'rt-rule', op: 'getrule', min: 4 },
  { family: 'tc', op: 'getqdisc', min: 2 },
  // tc's spec lists only `do` for gettfilter: both tools send the dump anyway.
  { family: 'tc', op: 'gettfilter', json: () => `{"ifindex": ${y0Index}, "parent": 65536}`, min: 2 },
  { family: 'nlctrl', op: 'getfamily' },
  { family: 'nlctrl', op: 'getpolicy', json: '{"family-name": "nlctrl"}' },
  { family: 'netdev', op: 'dev-get' },
  { family: 'netdev', op: 'queue-get' },
  { family: 'ethtool', op: 'linkinfo-get' },
  { family: 'ethtool', op: 'linkstate-get' },
  { family: 'ethtool', op: 'rings-get' },
  { family: 'ethtool', op: 'channels-get' },
  { family: 'ethtool', op: 'features-get' },
  { family: 'ethtool', op: 'strset-get' },
  { family: 'ethtool', op: 'tsinfo-get' },
  { family: 'tcp_metrics', op: 'get', normalise: zero(['age']), min: 1 },
  { family: 'mptcp_pm', op: 'get-addr', min: 2 },
  { family: 'conntrack', op: 'get', normalise: zero(['timeout']), min: 2, prepare: udpPackets },
  { family: 'conntrack', op: 'get-stats', min: 1 },
  { family: 'nftables', op: 'gettable', min: 1 },
  { family: 'nftables', op: 'getchain', min: 1 },
  { family: 'nftables', op: 'getrule', min: 1 },
  { family: 'nftables', op: 'getgen', normalise: zero(['proc-pid', 'proc-name']) },
];

describe('nlkit ynl --dump --output-json prints what the kernel tool prints', () => {
  for (const c of DUMPS) {
    const reason = absent(c.family);
    const json = (): string | undefined => (typeof c.json === 'function' ? c.json() : c.json);
    const argv = (): string[] => ['--spec', spec(c.family), '--dump', c.op, ...(json() !== undefined ? ['--json', json()!] : []), '--output-json'];
    const title = `${c.family} ${c.op}${typeof c.json === 'string' ? ` ${c.json}` : c.json ? ' (with a filter)' : ''}`;
    if (reason === undefined) {
      it(title, async () => {
        const args = argv();
        c.prepare?.();
        const { ours, theirs, ourText, theirText } = await stable(ns, args, c.normalise);
        expect(theirs.code).toBe(0);
        expect(ours).toMatchObject({ code: 0, stderr: '' });
        expect(ourText).toBe(theirText);
        if (c.min !== undefined) expect((JSON.parse(ours.stdout) as unknown[]).length).toBeGreaterThanOrEqual(c.min);
      });
    } else {
      it(`${title}: the family is absent on this kernel (${reason}), and both tools fail`, async () => {
        const args = argv();
        const theirs = await reference(ns, ...args);
        const ours = await nlkit(...args, '-n', ns);
        expect(theirs.code).not.toBe(0);
        expect(ours.code).toBe(1);
        expect(ours.stderr).not.toBe('');
      });
    }
  }
});

// ---- requests, pprint, listings, errors -----------------------------------------------

describe('nlkit ynl --do', () => {
  const DOS: Array<[string, string, string, ((v: JsonValue) => void)?]> = [
    ['rt-link', 'getlink', '{"ifname": "y0"}'],
    ['rt-route', 'getroute', '{"rtm-family": 2, "dst": "10.78.1.1", "rtm-dst-len": 32}', zero(['rta-lastuse'])],
    ['nlctrl', 'getfamily', '{"family-name": "netdev"}'],
    ['ethtool', 'linkinfo-get', '{"header": {"dev-name": "y0"}}'],
    ['mptcp_pm', 'get-limits', '{}'],
    ['mptcp_pm', 'get-addr', '{"addr": {"id": 7}}'],
  ];
  it.each(DOS.filter(([f]) => !absent(f)))('prints %s %s %s like the kernel tool', async (family, op, json, normalise) => {
    const { ours, ourText, theirText } = await stable(ns, ['--spec', spec(family), '--do', op, '--json', json, '--output-json'], normalise);
    expect(ours.code).toBe(0);
    expect(ourText).toBe(theirText);
  });

  it('prints None / null for a request the kernel only acknowledges', async () => {
    const args = ['--spec', spec('rt-link'), '--do', 'setlink', '--json', '{"ifname": "br0", "mtu": 1400}'];
    expect(await nlkit(...args, '-n', ns)).toEqual({ code: 0, stdout: 'None\n', stderr: '' });
    expect((await reference(ns, ...args)).stdout).toBe('None\n');
    expect((await nlkit(...args, '--output-json', '-n', ns)).stdout).toBe('null\n');
  });

  it('runs a batch with --multi like the kernel tool (nftables transaction)', async () => {
    const batch = (table: string): string[] => [
      '--spec',
      spec('nftables'),
      '--create',
      '--output-json',
      '--multi',
      'batch-begin',
      '{"res-id": 10}',
      '--multi',
      'newtable',
      `{"nfgen-family": 2, "name": "${table}"}`,
      '--multi',
      'batch-end',
      '{"res-id": 10}',
    ];
    const theirs = await reference(ns, ...batch('from-python'));
    const ours = await nlkit(...batch('from-nlkit'), '-n', ns);
    expect(theirs).toMatchObject({ code: 0, stdout: '[null, null, null]\n' });
    expect(ours).toEqual({ code: 0, stdout: '[null, null, null]\n', stderr: '' });
    const tables = JSON.parse((await nlkit('--spec', spec('nftables'), '--dump', 'gettable', '--output-json', '-n', ns)).stdout) as Array<{ name: string }>;
    expect(tables.map((t) => t.name).sort()).toEqual(['from-nlkit', 'from-python', 't']);
  });
});

describe('nlkit ynl without --output-json prints pprint like the kernel tool', () => {
  const CASES: Array<[string, string[]]> = [
    ['rt-link', ['--do', 'getlink', '--json', '{"ifname": "y0"}']],
    ['rt-addr', ['--dump', 'getaddr']],
    ['rt-route', ['--dump', 'getroute']],
    ['nlctrl', ['--dump', 'getfamily']],
    ['ethtool', ['--dump', 'strset-get']],
  ];
  it.each(CASES.filter(([f]) => !absent(f)))('%s %j', async (family, argv) => {
    const { ours, ourText, theirText } = await stable(ns, ['--spec', spec(family), ...argv], undefined, sortSets);
    expect(ours.code).toBe(0);
    expect(ourText).toBe(theirText);
  });
});

describe('nlkit ynl --family', () => {
  it.each([
    ['rt-link', 'getlink'],
    ['nlctrl', 'getfamily'],
    ['rt-route', 'getroute'],
  ])('gives the same %s %s as --spec, from the generated module', async (family, op) => {
    const bySpec = await nlkit('--spec', spec(family), '--dump', op, '--output-json', '-n', ns);
    const byName = await nlkit('--family', family, '--dump', op, '--output-json', '-n', ns);
    expect(byName).toEqual(bySpec);
    expect(bySpec.code).toBe(0);
  });
});

describe('nlkit ynl listings match the kernel tool', () => {
  /** `name  [ modes ]` lines with the modes sorted (cli.py prints a Python set). */
  const sortModes = (t: string): string => t.replace(/\[ (.*) \]/g, (_m, modes: string) => `[ ${modes.split(', ').sort().join(', ')} ]`);
  const families = ['rt-link', 'rt-route', 'nlctrl', 'netdev', 'ethtool', 'nftables', 'conntrack'].filter((f) => !absent(f));
  it.each(
    families.flatMap((f) => [
      [f, '--list-ops'],
      [f, '--list-msgs'],
    ]),
  )('%s %s', async (family, what) => {
    const theirs = await reference(undefined, '--spec', spec(family), what);
    const ours = await nlkit('--spec', spec(family), what);
    expect(ours.code).toBe(0);
    expect(sortModes(ours.stdout)).toBe(sortModes(theirs.stdout));
  });

  const ATTRS: Array<[string, string]> = [
    ['rt-link', 'getlink'],
    ['rt-link', 'newlink-ntf'],
    ['rt-addr', 'getaddr'],
    ['nlctrl', 'getpolicy'],
    ['ethtool', 'linkinfo-get'],
    ['netdev', 'dev-add-ntf'],
    ['nftables', 'gettable'],
  ];
  it.each(ATTRS.filter(([f]) => !absent(f)))('%s --list-attrs %s', async (family, op) => {
    const theirs = await reference(undefined, '--spec', spec(family), '--list-attrs', op);
    expect(theirs.code).toBe(0);
    expect(await nlkit('--spec', spec(family), '--list-attrs', op)).toEqual({ code: 0, stdout: theirs.stdout, stderr: '' });
  });
});

describe('nlkit ynl errors', () => {
  const ERRORS: Array<[string, string, string[]]> = [
    ['a missing device', 'rt-link', ['--do', 'getlink', '--json', '{"ifname": "nope"}']],
    ['a missing attribute, named with its doc', 'netdev', ['--do', 'dev-get', '--json', '{}']],
    ['an ext-ack message and attribute path', 'ethtool', ['--do', 'linkinfo-get', '--json', '{"header": {"dev-name": "nope"}}']],
    ['an ext-ack message', 'rt-addr', ['--do', 'newaddr', '--json', '{"ifa-family": 2, "ifa-prefixlen": 24, "ifa-index": 1}']],
    ['an unknown generic family member', 'nlctrl', ['--do', 'getfamily', '--json', '{"family-name": "nope"}']],
    ['a failing dump', 'rt-link', ['--dump', 'getstats']],
    [
      'a duplicate in a batch',
      'nftables',
      ['--excl', '--create', '--multi', 'batch-begin', '{"res-id": 10}', '--multi', 'newtable', '{"nfgen-family": 2, "name": "t"}', '--multi', 'batch-end', '{"res-id": 10}'],
    ],
  ];
  it.each(ERRORS.filter(([, f]) => !absent(f)))('reports %s like the kernel tool (%s), on stderr, status 1', async (_what, family, argv) => {
    const theirs = await reference(ns, '--spec', spec(family), ...argv);
    const ours = await nlkit('--spec', spec(family), ...argv, '-n', ns);
    expect(theirs.code).toBe(1);
    expect(theirs.stdout).toMatch(/^Netlink error: /);
    expect(ours).toEqual({ code: 1, stdout: '', stderr: theirs.stdout });
  });

  it('reports a namespace that does not exist', async () => {
    expect(await nlkit('--family', 'rt-link', '--dump', 'getlink', '-n', 'nlkit-no-such-ns')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'nlkit ynl: error: Cannot open network namespace "nlkit-no-such-ns": No such file or directory\n',
    });
  });
});

describe('nlkit ynl --policy', () => {
  const POLICIES: Array<[string, string[]]> = [
    ['netdev', ['--do', 'dev-get']],
    ['netdev', ['--dump', 'dev-get']],
    ['ethtool', ['--do', 'linkinfo-get']],
    ['nlctrl', ['--dump', 'getpolicy']],
  ];
  it.each(POLICIES.filter(([f]) => !absent(f)))('prints the kernel policy of %s %j like the kernel tool', async (family, argv) => {
    const { ours, ourText, theirText } = await stable(ns, ['--spec', spec(family), '--policy', ...argv, '--output-json']);
    expect(ours.code).toBe(0);
    expect(ourText).toBe(theirText);
  });
});

// ---- notifications ---------------------------------------------------------------------

describe('nlkit ynl --subscribe', () => {
  it('prints the same notifications as the kernel tool and stops after --count', async () => {
    let py: ChildProcess | undefined;
    try {
      py = spawn(
        'ip',
        ['netns', 'exec', ns, '/usr/bin/python3', '-u', cliPy, '--spec', spec('rt-link'), '--no-schema', '--subscribe', 'rtnlgrp-link', '--duration', '60', '--output-json'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let theirs = '';
      py.stdout!.on('data', (d: Buffer) => (theirs += d.toString()));
      const base = routeSocketsInGroup(ns, 1);
      const ours = nlkit('--spec', spec('rt-link'), '--subscribe', 'rtnlgrp-link', '--count', '3', '--output-json', '-n', ns);
      await until('both subscribers to join rtnlgrp-link', () => routeSocketsInGroup(ns, 1) >= base + 2);
      ip(ns, ['link', 'add', 'n0', 'type', 'veth', 'peer', 'name', 'n1']);
      ip(ns, ['link', 'set', 'n0', 'up']);
      const result = await ours;
      await until('the kernel tool to print 3 notifications', () => theirs.split('\n').length > 3);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const lines = result.stdout.split('\n').filter(Boolean);
      expect(lines).toHaveLength(3);
      expect(lines).toEqual(theirs.split('\n').slice(0, 3));
      expect(JSON.parse(lines[0]!)).toMatchObject({ name: 'getlink', msg: { ifname: expect.stringMatching(/^n[01]$/) } });
    } finally {
      py?.kill('SIGINT');
      ip(ns, ['link', 'del', 'n0']);
    }
  });

  if (netdevMgmt !== undefined && netdevMgmt <= 32) {
    it('prints generic netlink notifications (netdev mgmt) like the kernel tool', async () => {
      let py: ChildProcess | undefined;
      try {
        py = spawn(
          'ip',
          ['netns', 'exec', ns, '/usr/bin/python3', '-u', cliPy, '--spec', spec('netdev'), '--no-schema', '--subscribe', 'mgmt', '--duration', '60', '--output-json'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let theirs = '';
        py.stdout!.on('data', (d: Buffer) => (theirs += d.toString()));
        const base = socketsInGroup(ns, netdevMgmt, 16);
        const ours = nlkit('--spec', spec('netdev'), '--subscribe', 'mgmt', '--count', '2', '--output-json', '-n', ns);
        await until('both subscribers to join netdev mgmt', () => socketsInGroup(ns, netdevMgmt, 16) >= base + 2);
        ip(ns, ['link', 'add', 'm0', 'type', 'veth', 'peer', 'name', 'm1']);
        const result = await ours;
        await until('the kernel tool to print 2 notifications', () => theirs.split('\n').length > 2);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout.split('\n').filter(Boolean)).toEqual(theirs.split('\n').slice(0, 2));
        expect(JSON.parse(result.stdout.split('\n')[0]!)).toMatchObject({ name: 'dev-add-ntf' });
      } finally {
        py?.kill('SIGINT');
        ip(ns, ['link', 'del', 'm0']);
      }
    });
  } else {
    it(`prints generic netlink notifications: ${netdevMgmt === undefined ? 'netdev is absent on this kernel' : `netdev mgmt is group ${netdevMgmt}, beyond the 32 groups /proc/net/netlink shows, so the kernel tool cannot be synchronised with`}; nlkit alone is checked`, async () => {
      if (netdevMgmt === undefined) {
        expect(await nlkit('--spec', spec('netdev'), '--subscribe', 'mgmt', '--count', '1', '-n', ns)).toMatchObject({ code: 1 });
        return;
      }
      // No way to see when it has joined: add links until it has printed one.
      let done = false;
      const ours = nlkit('--spec', spec('netdev'), '--subscribe', 'mgmt', '--count', '1', '--output-json', '-n', ns).finally(() => (done = true));
      let made = 0;
      try {
        while (!done && made < 50) {
          ip(ns, ['link', 'add', `m${made}`, 'type', 'veth', 'peer', 'name', `mp${made}`]);
          made++;
          await until('a notification', () => done, 200).catch(() => undefined);
        }
        expect(JSON.parse((await ours).stdout)).toMatchObject({ name: 'dev-add-ntf' });
      } finally {
        for (let i = 0; i < made; i++) ip(ns, ['link', 'del', `m${i}`]);
      }
    });
  }

  it('stops after --duration', async () => {
    const started = Date.now();
    const r = await nlkit('--spec', spec('rt-link'), '--subscribe', 'rtnlgrp-link', '--duration', '0.2', '-n', ns);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('marks an overrun on stderr and goes on reading', async () => {
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const base = routeSocketsInGroup(ns, 1);
    const done = main(['ynl', '--spec', spec('rt-link'), '--subscribe', 'rtnlgrp-link', '--rcvbuf', '1024', '--output-json', '-n', ns], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: {},
      stdoutIsTTY: false,
      signal: controller.signal,
    });
    try {
      await until('the subscriber to join', () => routeSocketsInGroup(ns, 1) >= base + 1);
      // Synchronous: this event loop does not read while 100 links come and go.
      const adds = Array.from({ length: 50 }, (_, i) => `link add o${i} type veth peer name p${i}`);
      ipBatch(ns, [...adds, ...adds.map((_, i) => `link del o${i}`)]);
      await until('an overrun marker', () => stderr.includes('overrun'));
      ip(ns, ['link', 'add', 'q0', 'type', 'veth', 'peer', 'name', 'q1']);
      await until('a notification after the overrun', () => stdout.includes('"ifname": "q0"') || stdout.includes('"ifname": "q1"'));
    } finally {
      controller.abort();
    }
    expect(await done).toBe(0);
    expect(stderr.split('\n').filter(Boolean)).toContain('nlkit ynl: overrun: the kernel dropped notifications (ENOBUFS); continuing');
    for (const line of stdout.split('\n').filter(Boolean)) expect(JSON.parse(line)).toHaveProperty('name', 'getlink');
    ip(ns, ['link', 'del', 'q0']);
  });
});

// ---- the program -------------------------------------------------------------------------

describe('the nlkit program', () => {
  let program = '';
  beforeAll(() => {
    // A private transpiled copy of src laid out like the package (dist/ next
    // to package.json, build/ and node_modules/), so the addon and
    // dependencies resolve as they do when installed. Only the generated
    // families used here are transpiled, and the constants modules (small;
    // the command and the clients import them).
    const pkg = path.join(root, '.cache', `ynl-cli-program-${process.pid}`);
    rmSync(pkg, { recursive: true, force: true });
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && (!p.includes(`${path.sep}generated${path.sep}`) || /(index|nlctrl|rt-link|\.constants)\.ts$/.test(p))) {
          const out = ts.transpileModule(readFileSync(p, 'utf8'), {
            fileName: p,
            compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, useDefineForClassFields: false },
          });
          const dest = path.join(pkg, 'dist', path.relative(path.join(root, 'src'), p)).replace(/\.ts$/, '.js');
          mkdirSync(path.dirname(dest), { recursive: true });
          writeFileSync(dest, out.outputText);
        }
      }
    };
    walk(path.join(root, 'src'));
    for (const link of ['package.json', 'build', 'node_modules', 'prebuilds']) {
      if (existsSync(path.join(root, link))) symlinkSync(path.join(root, link), path.join(pkg, link));
    }
    program = path.join(pkg, 'dist', 'cli', 'main.js');
  }, 60_000);

  afterAll(() => {
    if (program) rmSync(path.dirname(path.dirname(path.dirname(program))), { recursive: true, force: true });
  });

  it('prints a dump of a generated family and exits 0, like the kernel tool', async () => {
    const theirs = await reference(ns, '--spec', spec('nlctrl'), '--dump', 'getfamily', '--output-json');
    const ours = await run('node', [program, 'ynl', '--family', 'nlctrl', '--dump', 'getfamily', '--output-json', '-n', ns]);
    expect(ours).toEqual({ code: 0, stdout: theirs.stdout, stderr: '' });
  });

  it('exits 1 with the kernel error on stderr', async () => {
    const ours = await run('node', [program, 'ynl', '--family', 'nlctrl', '--do', 'getfamily', '--json', '{"family-name": "nope"}', '-n', ns]);
    expect(ours).toEqual({ code: 1, stdout: '', stderr: 'Netlink error: No such file or directory\n' });
  });

  it('exits 2 on a bad command line before opening anything', async () => {
    const ours = await run('node', [program, 'ynl', '--family', 'nlctrl', '--do', 'getfamily', '--json', '{"family-name": 5}']);
    expect(ours).toEqual({
      code: 2,
      stdout: '',
      stderr: "nlkit ynl: error: invalid --json for nlctrl getfamily: family-name: expected a string, got 5\nTry 'nlkit ynl --help' for more information.\n",
    });
  });

  it('ends a subscription on SIGINT with status 0, like cli.py on KeyboardInterrupt', async () => {
    const base = routeSocketsInGroup(ns, 1);
    const child = spawn('node', [program, 'ynl', '--family', 'rt-link', '--subscribe', 'rtnlgrp-link', '--output-json', '-n', ns], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Once it has joined the group, its SIGINT handler is in place.
    await until('the program to join rtnlgrp-link', () => routeSocketsInGroup(ns, 1) >= base + 1);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const code = await exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
