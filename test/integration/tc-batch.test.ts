// `nlkit tc [-force] -batch FILE` against tc's on this machine: the same
// file run in twin namespaces gives the same output (text and -j), errors,
// `Command failed FILE:LINE` lines, exit status and state; without -force the
// batch stops at the first failed line, with it the batch goes on.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

function tc(args: string[]): Result {
  const r = spawnSync('tc', args, { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

async function nlkit(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await main(['tc', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { stdout, stderr, code };
}

/** A namespace's tc state as tc lists it (direct_packets_stat moves with traffic). */
function state(ns: string): string {
  return ['qdisc', 'class', 'filter'].map((o) => tc(['-n', ns, '-d', o, 'show', 'dev', 'v0']).stdout.replace(/direct_packets_stat \d+/, '')).join('');
}

// Writes (one refused by the kernel with an extended ack, one with a warning), listings, an
// unknown object and "help", then writes that only a -force run reaches.
const LINES = [
  'qdisc add dev v0 root handle 1: htb default 10',
  '# a comment, then a blank line',
  '',
  'class add dev v0 parent 1: classid 1:1 htb rate 10mbit',
  'class add dev v0 parent 1:1 classid 1:10 htb rate 1kbit',
  'filter add dev v0 parent 1: protocol ip prio 5 u32 match ip dst 10.9.0.0/16 flowid 1:10',
  'qdisc show dev v0',
  'class show dev v0',
  'qdisc add dev v0 root handle 1: htb',
  'frobnicate',
  'help',
  'class add dev v0 parent 1:1 classid 1:20 htb rate 2mbit',
  'filter show dev v0',
  '',
];

describe.skipIf(!canUseKernel)('nlkit tc -batch', () => {
  let twinA = '';
  let twinB = '';
  let dir = '';

  beforeAll(async () => {
    twinA = await createNetns('tcba');
    twinB = await createNetns('tcbb');
    for (const ns of [twinA, twinB]) execFileSync('ip', ['-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-tc-batch-'));
  });
  afterAll(async () => {
    for (const ns of [twinA, twinB]) if (ns) await removeNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs a file as tc does, stopping at the first failed line unless -force', async () => {
    const file = path.join(dir, 'lines.batch');
    writeFileSync(file, LINES.join('\n'));
    const runs: Result[] = [];
    for (const options of [
      ['-batch', file],
      ['-force', '-batch', file],
      ['-j', '-force', '-batch', file],
    ]) {
      const want = tc(['-n', twinA, ...options]);
      const got = await nlkit(['-n', twinB, ...options]);
      expect({ options, ...got }).toEqual({ options, ...want });
      expect(state(twinB)).toBe(state(twinA));
      runs.push(want);
    }
    // The first run warned on class 1:10 and stopped at line 9; a -force run went on to add class 1:20.
    expect(runs[0]!.stderr).toContain('Warning: sch_htb: quantum of class 10010 is small. Consider r2q change.\n');
    expect(runs[0]!.stderr).toMatch(new RegExp(`Command failed ${file}:9\\n$`));
    expect(runs[1]!.stderr).toContain(`Command failed ${file}:10\n`);
    expect(tc(['-n', twinA, 'class', 'show', 'dev', 'v0']).stdout).toContain('class htb 1:20 parent 1:1');
  });

  it('fails as tc does on a missing file, and prints the usage twice for a missing name', async () => {
    const missing = path.join(dir, 'missing.batch');
    expect(await nlkit(['-batch', missing])).toEqual(tc(['-batch', missing]));
    expect(await nlkit(['-batch'])).toEqual(tc(['-batch']));
  });
});
