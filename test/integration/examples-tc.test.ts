// examples/traffic-shaping.mjs as a user runs it (a child process, against a
// private build of the package): in a namespace the test made, the htb
// classes and u32 filters are there afterwards as tc shows them; on its own
// it makes and removes a namespace; a missing namespace or a bad command
// line is one line on stderr. Needs root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, removeNetns, uniqueNetnsName } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const SCRIPT = 'examples/traffic-shaping.mjs';

let dir: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nlkit-tcexample-'));
  buildPrivatePackage(dir, [SCRIPT]);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { status: number | null; stdout: string; stderr: string; pid: number | undefined } {
  const r = spawnSync(process.execPath, [path.join(dir!, SCRIPT), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, pid: r.pid };
}

function tc(ns: string, args: string[]): string {
  return spawnSync('tc', ['-n', ns, ...args], { encoding: 'utf8' }).stdout;
}

const PRINTED = [
  'qdisc htb 1: root default 0x30',
  'class htb 1:1 parent root rate 10Mbit ceil 10Mbit prio 0',
  'class htb 1:10 parent 1:1 rate 6Mbit ceil 10Mbit prio 1',
  'class htb 1:20 parent 1:1 rate 3Mbit ceil 10Mbit prio 2',
  'class htb 1:30 parent 1:1 rate 1Mbit ceil 2Mbit prio 3',
  'filter pref 1 u32 dst 10.1.0.0/16 -> 1:10',
  'filter pref 2 u32 dst 10.2.0.0/16 -> 1:20',
  '',
].join('\n');

describe('examples/traffic-shaping.mjs', () => {
  it('says what is wrong with a bad command line and exits with 2', () => {
    const r = run(['extra']);
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr.split('\n')[1]).toBe('usage: node examples/traffic-shaping.mjs [-n NETNS]');
  });

  it('reports a namespace that does not exist in one line, exit 1', () => {
    const missing = uniqueNetnsName('missing');
    expect(run(['-n', missing])).toMatchObject({ status: 1, stdout: '', stderr: `traffic-shaping: no network namespace '${missing}' (/run/netns/${missing} does not exist)\n` });
  });
});

describe.skipIf(!canUseKernel)('examples/traffic-shaping.mjs in a namespace', () => {
  let ns: string | undefined;

  beforeAll(async () => {
    ns = await createNetns('tcexample');
  });

  afterAll(async () => {
    await removeNetns(ns);
  });

  it('leaves the classes and filters tc shows in the namespace it is given', () => {
    const r = run(['-n', ns!]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(PRINTED);
    // What tc itself prints for `htb rate 6mbit` (one packet's time at 6 Mbit/s, truncated to ticks, reads back as 1599 bytes).
    const classes = tc(ns!, ['class', 'show', 'dev', 'ts0']).split('\n').filter(Boolean).sort();
    expect(classes).toEqual([
      'class htb 1:1 root rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b ',
      'class htb 1:10 parent 1:1 prio 1 rate 6Mbit ceil 10Mbit burst 1599b cburst 1600b ',
      'class htb 1:20 parent 1:1 prio 2 rate 3Mbit ceil 10Mbit burst 1599b cburst 1600b ',
      'class htb 1:30 parent 1:1 prio 3 rate 1Mbit ceil 2Mbit burst 1600b cburst 1600b ',
    ]);
    const filters = tc(ns!, ['filter', 'show', 'dev', 'ts0']);
    expect(filters).toContain('filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 *flowid 1:10 not_in_hw \n  match 0a010000/ffff0000 at 16\n');
    expect(filters).toContain('filter parent 1: protocol ip pref 2 u32 chain 0 fh 801::800 order 2048 key ht 801 bkt 0 *flowid 1:20 not_in_hw \n  match 0a020000/ffff0000 at 16\n');
  });

  it('makes a namespace of its own when given none, and removes it', () => {
    const r = run([]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(PRINTED);
    expect(existsSync(`/run/netns/traffic-shaping-${r.pid!}`)).toBe(false);
  });
});
