// The device and process examples (examples/uevent-logger.mjs,
// examples/proc-tree.mjs) as a user runs them, against a private build of
// the package: a bad command line exits with 2, a failure with 1 and one
// line on stderr, and each does its job (devices in a namespace this test
// makes and deletes; processes this test starts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, ip, ipJson, removeNetns, uniqueNetnsName } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const SCRIPTS = ['examples/uevent-logger.mjs', 'examples/proc-tree.mjs'] as const;
const missing = uniqueNetnsName('missing');
let dir: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nlkit-examples-dp-'));
  buildPrivatePackage(dir, SCRIPTS);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

function run(script: string, args: string[]): { status: number | null; stdout: string[]; stderr: string[] } {
  const r = spawnSync(process.execPath, [path.join(dir!, 'examples', script), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: lines(r.stdout), stderr: lines(r.stderr) };
}

describe('the device and process examples, given a bad command line', () => {
  it.each([
    ['uevent-logger', ['--count', 'x'], ["uevent-logger: --count wants a positive integer, not 'x'"]],
    ['uevent-logger', ['--attr', '../x'], ["uevent-logger: --attr wants an attribute name under the device, not '../x'"]],
    ['uevent-logger', ['extra'], ["uevent-logger: Unexpected argument 'extra'. This command does not take positional arguments"]],
    ['proc-tree', [], ['proc-tree: no COMMAND to run', 'usage: node examples/proc-tree.mjs [--json] -- COMMAND [ARG ...]']],
  ])('%s %j says what is wrong and exits with 2', (name, args, stderr) => {
    expect(run(`${name}.mjs`, args)).toEqual({ status: 2, stdout: [], stderr });
  });
});

describe.skipIf(!canUseKernel)('uevent-logger', () => {
  let ns: string | undefined;
  beforeAll(async () => {
    ns = await createNetns('uevent-logger');
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('given a namespace that does not exist, prints one line and exits with 1', () => {
    expect(run('uevent-logger.mjs', ['-n', missing])).toEqual({
      status: 1,
      stdout: [],
      stderr: [`uevent-logger: no network namespace '${missing}' (/run/netns/${missing} does not exist)`],
    });
  });

  it("logs a namespace's new veth pair, and says its sysfs is not this process's", async () => {
    const child = spawn(process.execPath, [path.join(dir!, 'examples', 'uevent-logger.mjs'), '-n', ns!, '--count', '2', '--subsystem', 'net', '--attr', 'mtu'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const listening = new Promise<void>((resolve) =>
      createInterface({ input: child.stderr }).on('line', (l) => {
        stderr.push(l);
        if (l.startsWith('Logging uevents')) resolve();
      }),
    );
    createInterface({ input: child.stdout }).on('line', (l) => stdout.push(l));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await listening;
    ip(ns!, ['link', 'add', 'u0', 'type', 'veth', 'peer', 'name', 'u1']);
    expect(await closed).toBe(0);
    const index = Object.fromEntries(ipJson<{ ifname: string; ifindex: number }[]>(ns!, ['link', 'show']).map((l) => [l.ifname, l.ifindex]));
    // The kernel announces the peer first (veth_newlink() registers it before the device asked for).
    expect(stdout).toEqual([
      expect.stringMatching(new RegExp(`^\\d+ add net /devices/virtual/net/u1 INTERFACE=u1 IFINDEX=${index.u1} mtu=\\(another netns\\)$`)),
      expect.stringMatching(new RegExp(`^\\d+ add net /devices/virtual/net/u0 INTERFACE=u0 IFINDEX=${index.u0} mtu=\\(another netns\\)$`)),
    ]);
    expect(stderr).toEqual([`Logging uevents in netns ${ns!}; Ctrl-C to stop.`]);
  });
});

describe.skipIf(!canUseKernel)('proc-tree', () => {
  it('prints the tree of a command: forks, execs and how each process ended', () => {
    const out = run('proc-tree.mjs', ['--', '/bin/sh', '-c', 'sleep 0.2; (sleep 0.1; exit 5); exit 3']);
    expect(out.stderr).toEqual([]);
    expect(out.status).toBe(0);
    expect(out.stdout).toEqual([
      expect.stringMatching(/^\d+ \/bin\/sh -c sleep 0\.2; \(sleep 0\.1; exit 5\); exit 3 \(exit 3\)$/),
      expect.stringMatching(/^├─ \d+ sleep 0\.2 \(exit 0\)$/),
      expect.stringMatching(/^└─ \d+ \/bin\/sh -c sleep 0\.2; \(sleep 0\.1; exit 5\); exit 3 \(exit 5\)$/),
      expect.stringMatching(/^ {3}└─ \d+ sleep 0\.1 \(exit 0\)$/),
    ]);
    const pids = out.stdout.map((l) => Number(/(\d+)/.exec(l)![1]));
    expect(new Set(pids).size).toBe(4);
  });

  it('says how a process was killed', () => {
    const out = run('proc-tree.mjs', ['--', '/bin/sh', '-c', 'kill -TERM $$']);
    expect(out).toEqual({ status: 0, stdout: [expect.stringMatching(/^\d+ \/bin\/sh -c kill -TERM \$\$ \(killed by signal 15\)$/)], stderr: [] });
  });

  it('given a command that does not exist, prints one line and exits with 1', () => {
    expect(run('proc-tree.mjs', ['--', '/nonexistent/nlkit'])).toEqual({ status: 1, stdout: [], stderr: ['proc-tree: spawn /nonexistent/nlkit ENOENT'] });
  });
});
