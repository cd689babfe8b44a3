// examples/nexthop-group.mjs as a user runs it (a child process, against a
// private build of the package): in a namespace the test made, the group and
// the route through it are there afterwards as ip shows them; on its own it
// makes and removes a namespace; a missing namespace or a bad command line
// is one line on stderr. Needs root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, ip, removeNetns, uniqueNetnsName } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const SCRIPT = 'examples/nexthop-group.mjs';

let dir: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nlkit-nhexample-'));
  buildPrivatePackage(dir, [SCRIPT]);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { status: number | null; stdout: string; stderr: string; pid: number | undefined } {
  const r = spawnSync(process.execPath, [path.join(dir!, SCRIPT), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, pid: r.pid };
}

const PRINTED = 'nexthop 1: via 10.90.0.2 dev nh0\nnexthop 2: via 10.90.0.3 dev nh0\nnexthop 100: group 1 (weight 3), 2 (weight 1)\nroute 198.51.100.0/24 via nexthop 100\n';

describe('examples/nexthop-group.mjs', () => {
  it('says what is wrong with a bad command line and exits with 2', () => {
    const r = run(['extra']);
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr.split('\n')[1]).toBe('usage: node examples/nexthop-group.mjs [-n NETNS]');
  });

  it('reports a namespace that does not exist in one line, exit 1', () => {
    const missing = uniqueNetnsName('missing');
    expect(run(['-n', missing])).toMatchObject({ status: 1, stdout: '', stderr: `nexthop-group: no network namespace '${missing}' (/run/netns/${missing} does not exist)\n` });
  });
});

describe.skipIf(!canUseKernel)('examples/nexthop-group.mjs in a namespace', () => {
  let ns: string | undefined;

  beforeAll(async () => {
    ns = await createNetns('nhexample');
  });

  afterAll(async () => {
    await removeNetns(ns);
  });

  it('leaves the group and a route through it in the namespace it is given', () => {
    const r = run(['-n', ns!]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(PRINTED);
    expect(ip(ns!, ['nexthop', 'show'])).toBe('id 1 via 10.90.0.2 dev nh0 scope link \nid 2 via 10.90.0.3 dev nh0 scope link \nid 100 group 1,3/2 \n');
    expect(ip(ns!, ['route', 'show', '198.51.100.0/24'])).toBe('198.51.100.0/24 nhid 100 \n\tnexthop via 10.90.0.2 dev nh0 weight 3 \n\tnexthop via 10.90.0.3 dev nh0 weight 1 \n');
  });

  it('makes a namespace of its own when given none, and removes it', () => {
    const r = run([]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(PRINTED);
    expect(existsSync(`/run/netns/nexthop-group-${r.pid!}`)).toBe(false);
  });
});
