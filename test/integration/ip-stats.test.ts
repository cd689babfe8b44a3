// `nlkit stats` beside iproute2 6.1 on a bridge with veth ports in a
// namespace: every group (link, xstats, xstats_slave, offload, afstats),
// `show` without a group, text and -j output byte for byte, `stats set`, and
// refusals with ip's first line and exit status.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { canUseKernel, createNetns, ip, ipRun, removeNetns, type Run } from '../helpers/kernel.js';

async function nlkit(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const firstLine = (r: Run): Run => ({ ...r, stderr: r.stderr.split('\n')[0]! });

const SETUP = [
  'link add br0 type bridge mcast_stats_enabled 1',
  'link add v0 type veth peer name v1',
  'link add v2 type veth peer name v3',
  'link set v0 master br0',
  'link set v2 master br0',
  'link set br0 up',
  'link set v0 up',
  'link set v1 up',
];

describe.skipIf(!canUseKernel)('ip stats against ip 6.1', () => {
  let ns: string | undefined;

  beforeAll(async () => {
    ns = await createNetns('stats');
    // No IPv6 (router solicitations, MLD reports) to move counters between the two tools' readings.
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    for (const l of SETUP) ip(ns, l.split(' '));
  });

  afterAll(async () => {
    await removeNetns(ns);
  });

  // A counter may still move between the two readings: read both again until they agree (a few tries at most).
  const settled = async (args: string[]): Promise<Run> => {
    let got = await nlkit(['-n', ns!, ...args]);
    let want = ipRun(ns!, args);
    for (let i = 0; i < 20 && JSON.stringify(got) !== JSON.stringify(want); i++) {
      got = await nlkit(['-n', ns!, ...args]);
      want = ipRun(ns!, args);
    }
    expect(got, args.join(' ')).toEqual(want);
    return want;
  };

  it.each(
    [
      ['stats'],
      ['stats', 'show'],
      ['-j', 'stats', 'show'],
      ['stats', 'show', 'dev', 'br0'],
      ['stats', 'show', 'dev', 'v0'],
      ['-j', '-p', 'stats', 'show', 'dev', 'v0'],
      ['-o', 'stats', 'show', 'dev', 'v0'],
      ['-o', 'stats', 'show', 'group', 'offload'],
      ['-j', '-p', 'stats', 'show', 'group', 'xstats', 'group', 'afstats'],
      ['-d', 'stats', 'show', 'dev', 'v1'],
      ['stats', 'show', 'dev', 'br0', 'group', 'xstats'],
      ['-j', 'stats', 'show', 'dev', 'br0', 'group', 'xstats', 'subgroup', 'bridge', 'suite', 'mcast'],
      ['stats', 'show', 'group', 'xstats_slave'],
      ['-j', 'stats', 'show', 'group', 'xstats_slave', 'subgroup', 'bridge', 'suite', 'stp'],
      ['stats', 'show', 'dev', 'v0', 'group', 'xstats_slave', 'subgroup', 'bridge', 'suite', 'stp', 'suite', 'mcast'],
      ['stats', 'show', 'dev', 'v0', 'group', 'xstats_slave', 'subgroup', 'bond'],
      ['stats', 'show', 'group', 'offload'],
      ['-j', 'stats', 'show', 'group', 'offload'],
      ['stats', 'show', 'dev', 'v0', 'group', 'offload', 'subgroup', 'cpu_hit'],
      ['stats', 'show', 'dev', 'v0', 'group', 'offload', 'subgroup', 'hw_stats_info'],
      ['-j', 'stats', 'show', 'dev', 'v0', 'group', 'offload', 'subgroup', 'l3_stats'],
      ['stats', 'show', 'dev', 'v0', 'group', 'link', 'group', 'offload', 'subgroup', 'l3_stats', 'group', 'xstats'],
      ['stats', 'show', 'group', 'afstats'],
      ['stats', 'show', 'dev', 'v0', 'group', 'link', 'group', 'link'],
      ['-h', 'stats', 'show', 'dev', 'v0', 'group', 'link'],
      ['-h', '-iec', '-s', 'stats', 'show', 'group', 'link'],
    ].map((c) => [c]),
  )('%j equals ip', async (args) => {
    await settled(args);
  });

  it('prints the bridge port counters ip prints', async () => {
    const r = await settled(['stats', 'show', 'dev', 'v0', 'group', 'xstats_slave', 'subgroup', 'bridge']);
    expect(r.stdout).toContain('STP BPDU:  RX: 0 TX: 0');
    expect(r.stdout).toContain('IGMP queries:');
  });

  it.each(
    [
      ['stats', 'show', 'group', 'frob'],
      ['stats', 'show', 'group', 'link', 'subgroup', 'x'],
      ['stats', 'show', 'group', 'xstats', 'subgroup', 'bridge', 'suite', 'frob'],
      ['stats', 'show', 'subgroup', 'bridge'],
      ['stats', 'show', 'suite', 'stp'],
      ['stats', 'show', 'group', 'frob', 'group', 'link'],
      ['stats', 'show', 'dev', 'nosuch', 'group', 'offload'],
      ['stats', 'show', 'group'],
      ['stats', 'show', 'frob'],
      ['stats', 'set'],
      ['stats', 'set', 'dev', 'v0'],
      ['stats', 'set', 'l3_stats', 'on'],
      ['stats', 'set', 'dev', 'v0', 'l3_stats', 'maybe'],
      ['stats', 'set', 'dev', 'v0', 'l3_stats', 'on', 'l3_stats', 'off'],
      ['stats', 'set', 'dev', 'nosuch', 'l3_stats', 'on'],
      ['stats', 'set', 'dev', 'v0', 'l3_stats'],
      ['stats', 'set', 'dev'],
      ['stats', 'set', 'frob'],
      ['stats', 'set', 'help'],
    ].map((c) => [c]),
  )('refuses %j as ip does', async (args) => {
    expect(firstLine(await nlkit(['-n', ns!, ...args]))).toEqual(firstLine(ipRun(ns!, args)));
  });

  it('turns L3 statistics of a link on and off as ip does', async () => {
    // This kernel accepts l3_stats on a veth (its request shows, "used" stays off).
    for (const [tool, state] of [
      ['nlkit', 'on'],
      ['ip', 'off'],
      ['ip', 'on'],
      ['nlkit', 'off'],
    ] as const) {
      const args = ['stats', 'set', 'dev', 'v2', 'l3_stats', state];
      const r = tool === 'nlkit' ? await nlkit(['-n', ns!, ...args]) : ipRun(ns!, args);
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
      const shown = await settled(['stats', 'show', 'dev', 'v2', 'group', 'offload', 'subgroup', 'l3_stats']);
      expect(shown.stdout).toContain(`group offload subgroup l3_stats ${state} used off`);
      await settled(['-j', 'stats', 'show', 'dev', 'v2', 'group', 'offload']);
    }
  });
});
