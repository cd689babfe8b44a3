// The example scripts (examples/*.mjs) as a user runs them, against a
// private build of the package: a namespace or a link that does not exist is
// one line on stderr and exit status 1, a bad command line exit status 2,
// never a stack trace; and each still does its job when the names are right.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, ip, ipJson, removeNetns, uniqueNetnsName } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const SCRIPTS = ['examples/links.mjs', 'examples/ip-monitor.mjs', 'examples/route-syncer.mjs', 'examples/address-manager.mjs'] as const;
/** A namespace name that nothing creates. */
const missing = uniqueNetnsName('missing');

interface Outcome {
  status: number | null;
  stdout: string[];
  stderr: string[];
}

let dir: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nlkit-examples-'));
  buildPrivatePackage(dir, SCRIPTS);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** Runs `node examples/NAME.mjs ARGS` to its end. */
function run(script: string, args: string[]): Outcome {
  const r = spawnSync(process.execPath, [path.join(dir!, 'examples', script), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: lines(r.stdout), stderr: lines(r.stderr) };
}

const noNamespace = (script: string): string => `${script}: no network namespace '${missing}' (/run/netns/${missing} does not exist)`;

describe('the examples, given a namespace that does not exist', () => {
  it.each([
    ['links', ['-n', missing]],
    ['links', ['--netns', missing, 'lo']],
    ['ip-monitor', ['-n', missing]],
    ['route-syncer', ['-n', missing]],
    ['address-manager', ['-n', missing]],
    ['address-manager', ['-n', missing, 'v0']],
  ])('%s %j prints one line and exits with 1', (name, args) => {
    expect(run(`${name}.mjs`, args)).toEqual({ status: 1, stdout: [], stderr: [noNamespace(name)] });
  });
});

describe('the examples, given a bad command line', () => {
  const usage = (name: string, synopsis: string): string => `usage: node examples/${name}.mjs ${synopsis}`;
  it.each([
    [
      'links',
      ['--bogus'],
      [
        "links: Unknown option '--bogus'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--bogus\"",
        usage('links', '[-n NETNS] [DEV]'),
      ],
    ],
    ['links', ['a', 'b'], ["links: one DEV at most, not 'a b'", usage('links', '[-n NETNS] [DEV]')]],
    ['ip-monitor', ['-n'], ["ip-monitor: Option '-n, --netns <value>' argument missing"]],
    ['ip-monitor', ['--rcvbuf', 'lots'], ["ip-monitor: --rcvbuf wants a positive integer, not 'lots'"]],
    ['route-syncer', ['main', 'local'], ["route-syncer: one TABLE at most, not 'main local'", usage('route-syncer', '[-n NETNS] [TABLE]')]],
    ['address-manager', ['v0'], ['address-manager: DEV needs -n NETNS (the write cycle never touches the current namespace)', usage('address-manager', '[-n NETNS [DEV]]')]],
  ])('%s %j says what is wrong and exits with 2', (name, args, stderr) => {
    expect(run(`${name}.mjs`, args)).toEqual({ status: 2, stdout: [], stderr });
  });
});

describe.skipIf(!canUseKernel)('the examples in a namespace', () => {
  let ns: string | undefined;
  let v0: { ifindex: number };

  beforeAll(async () => {
    ns = await createNetns('examples');
    ip(ns, ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    v0 = ipJson<{ ifindex: number }[]>(ns, ['link', 'show', 'v0'])[0]!;
  });

  afterAll(async () => {
    await removeNetns(ns);
  });

  it('links: a link that does not exist is one line and exit status 1', () => {
    expect(run('links.mjs', ['-n', ns!, 'nodev'])).toEqual({ status: 1, stdout: [], stderr: [`links: no link named 'nodev' in netns ${ns!}`] });
  });

  it('links: lists every link, or the one named', () => {
    expect(run('links.mjs', ['-n', ns!])).toEqual({
      status: 0,
      stdout: ['1: lo mtu 65536 state UNKNOWN', expect.stringMatching(/^\d+: v1 mtu 1500 state DOWN$/), `${v0.ifindex}: v0 mtu 1500 state DOWN`],
      stderr: [],
    });
    expect(run('links.mjs', ['-n', ns!, 'v0'])).toEqual({ status: 0, stdout: [`${v0.ifindex}: v0 mtu 1500 state DOWN`], stderr: [] });
  });

  it('address-manager: a link that does not exist is one line and exit status 1, before anything is written', () => {
    const before = ip(ns!, ['addr', 'show']);
    expect(run('address-manager.mjs', ['-n', ns!, 'nodev'])).toEqual({ status: 1, stdout: [], stderr: [`address-manager: no link named 'nodev' in netns ${ns!}`] });
    expect(ip(ns!, ['addr', 'show'])).toBe(before);
  });

  it('address-manager: adds, changes and deletes an address on a link that exists', () => {
    const out = run('address-manager.mjs', ['-n', ns!, 'v0']);
    expect(out.status).toBe(0);
    expect(out.stderr).toEqual([]);
    expect(out.stdout.slice(0, 3)).toEqual([
      expect.stringMatching(/^lo UNKNOWN +127\.0\.0\.1\/8 ::1\/128$/),
      expect.stringMatching(/^v1 DOWN +$/),
      expect.stringMatching(/^v0 DOWN +$/),
    ]);
    expect(out.stdout).toContain("  label: 'v0:demo',");
    expect(out.stdout.at(-1)).toBe('deleted; now: gone');
    expect(ip(ns!, ['addr', 'show', 'dev', 'v0'])).not.toContain('192.0.2.10');
  });

  it('route-syncer: a table that does not exist is one line and exit status 1', () => {
    expect(run('route-syncer.mjs', ['-n', ns!, 'nosuchtable'])).toEqual({
      status: 1,
      stdout: [],
      stderr: ["route-syncer: table: 'nosuchtable' is not one of unspec, default, main, local or a number"],
    });
  });

  it('route-syncer: loads a table given by number, follows it, and ends with 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [path.join(dir!, 'examples', 'route-syncer.mjs'), '-n', ns!, '100'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    const stdout: string[] = [];
    const stderr: string[] = [];
    let wake = (): void => {};
    createInterface({ input: child.stdout }).on('line', (l) => {
      stdout.push(l);
      wake();
    });
    createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
    const closed = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        resolve(code);
        wake();
      }),
    );
    const until = async (done: () => boolean): Promise<void> => {
      while (!done()) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`route-syncer ended: ${stdout.join('\n')}\n${stderr.join('\n')}`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    };
    await until(() => stdout.length >= 1);
    ip(ns!, ['route', 'add', 'blackhole', '10.77.0.0/16', 'table', '100']);
    await until(() => stdout.length >= 2);
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(stdout).toEqual(['-- table loaded: 0 routes', 'add    10.77.0.0/16 oif - table 100']);
    expect(stderr).toEqual([]);
  });
});
