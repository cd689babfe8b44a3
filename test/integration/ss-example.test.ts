// examples/ss-report.mjs as a user runs it, against a private build of the
// package: a bad command line exits with 2, a missing namespace with 1 and
// one line, and in a namespace with listeners it prints one line for each.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, removeNetns, uniqueNetnsName } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const SCRIPT = 'examples/ss-report.mjs';
let dir: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nlkit-examples-ss-'));
  buildPrivatePackage(dir, [SCRIPT]);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

function run(args: string[]): { status: number | null; stdout: string[]; stderr: string[] } {
  const r = spawnSync(process.execPath, [path.join(dir!, SCRIPT), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: lines(r.stdout), stderr: lines(r.stderr) };
}

describe('ss-report, given a bad command line', () => {
  it.each([
    [
      ['-4', '-6'],
      ['ss-report: -4 and -6 exclude each other', 'usage: node examples/ss-report.mjs [-n NETNS] [-4 | -6]'],
    ],
    [['extra'], ["ss-report: Unexpected argument 'extra'. This command does not take positional arguments", 'usage: node examples/ss-report.mjs [-n NETNS] [-4 | -6]']],
  ])('%j says what is wrong and exits with 2', (args, stderr) => {
    expect(run(args)).toEqual({ status: 2, stdout: [], stderr });
  });
});

describe.skipIf(!canUseKernel)('ss-report', () => {
  let ns: string | undefined;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    ns = await createNetns('ss-report');
    // Two TCP listeners (one IPv6-only) and a bound UDP socket, held by a child in the namespace.
    child = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '-e',
        `const net = require('node:net'); const dgram = require('node:dgram');
         net.createServer().listen({ port: 8080, host: '127.0.0.1', backlog: 7 }, () =>
           net.createServer().listen({ port: 9000, host: '::1', ipv6Only: true }, () =>
             dgram.createSocket('udp4').bind(5353, '127.0.0.1', () => console.log('ready'))));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(createInterface({ input: child.stdout! }), 'line');
  });
  afterAll(async () => {
    child?.kill();
    await removeNetns(ns);
  });

  it('prints one line per listening socket and exits with 0', () => {
    const out = run(['-n', ns!]);
    expect(out.stderr).toEqual([]);
    expect(out.status).toBe(0);
    expect(out.stdout).toEqual([
      expect.stringMatching(/^tcp {2}127\.0\.0\.1:8080 queue=0\/7 uid=0 ino=\d+ cc=[a-z0-9]+$/),
      expect.stringMatching(/^tcp {2}\[::1\]:9000 queue=0\/511 v6only uid=0 ino=\d+ cc=[a-z0-9]+$/),
      expect.stringMatching(/^udp {2}127\.0\.0\.1:5353 uid=0 ino=\d+$/),
    ]);
    expect(run(['-n', ns!, '-6']).stdout).toEqual([expect.stringMatching(/^tcp {2}\[::1\]:9000 /)]);
  });

  it('given a namespace that does not exist, prints one line and exits with 1', () => {
    const missing = uniqueNetnsName('missing');
    expect(run(['-n', missing])).toEqual({ status: 1, stdout: [], stderr: [`ss-report: no network namespace '${missing}' (/run/netns/${missing} does not exist)`] });
  });
});
