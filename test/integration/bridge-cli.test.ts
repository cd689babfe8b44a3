// `nlkit bridge` against iproute2's bridge on this machine: listings (text,
// -j, -j -p, -d, -s) of a bridge with ports, fdb and mdb entries; every write
// through both tools in twin namespaces leaves the same state; refusals
// (bad words, missing devices, VLANs this kernel cannot filter) end as
// bridge ends them; -batch files run line by line as bridge runs them.
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

function bridge(args: string[]): Result {
  const r = spawnSync('bridge', args, { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

async function nlkit(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await main(['bridge', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { stdout, stderr, code };
}

function setup(ns: string): void {
  const ip = (...a: string[]): void => void execFileSync('ip', ['-n', ns, ...a]);
  ip('link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '1');
  ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('link', 'add', 'v2', 'type', 'veth', 'peer', 'name', 'v3');
  ip('link', 'set', 'v0', 'master', 'br0');
  ip('link', 'set', 'v2', 'master', 'br0');
  for (const l of ['br0', 'v0', 'v1', 'v2', 'v3']) ip('link', 'set', l, 'up');
}

/** What a namespace's bridge state is, as bridge itself lists it (learned and temporary entries left out). */
function state(ns: string): string {
  const fdb = bridge(['-n', ns, 'fdb', 'show'])
    .stdout.split('\n')
    .filter((l) => / (static|permanent)$/.test(l) && !/^(33:33|01:00:5e)/.test(l) && !/ master br0 permanent$/.test(l));
  const link = bridge(['-n', ns, '-d', 'link', 'show']).stdout.replace(/^\d+: /gm, '');
  const mdb = bridge(['-n', ns, 'mdb', 'show'])
    .stdout.split('\n')
    .filter((l) => l.includes('permanent'));
  return [...fdb, link, ...mdb].join('\n');
}

describe.skipIf(!canUseKernel)('nlkit bridge', () => {
  let ns = '';
  let twinA = '';
  let twinB = '';

  beforeAll(async () => {
    ns = await createNetns('br');
    twinA = await createNetns('bra');
    twinB = await createNetns('brb');
    for (const n of [ns, twinA, twinB]) setup(n);
    execFileSync('bridge', ['-n', ns, 'fdb', 'add', '02:00:00:00:00:01', 'dev', 'v0', 'master', 'static']);
    execFileSync('bridge', ['-n', ns, 'fdb', 'add', '02:00:00:00:00:02', 'dev', 'v2', 'self', 'permanent']);
    execFileSync('bridge', ['-n', ns, 'mdb', 'add', 'dev', 'br0', 'port', 'v0', 'grp', '239.1.1.1', 'permanent']);
    execFileSync('bridge', ['-n', ns, 'mdb', 'add', 'dev', 'br0', 'port', 'v2', 'grp', 'ff0e::1', 'permanent']);
    execFileSync('bridge', ['-n', ns, 'link', 'set', 'dev', 'v2', 'cost', '7', 'priority', '9', 'learning', 'off', 'hairpin', 'on']);
  });
  afterAll(async () => {
    for (const n of [ns, twinA, twinB]) await removeNetns(n);
  });

  const LISTINGS = [
    ['fdb', 'show'],
    ['-j', 'fdb', 'show'],
    ['-j', '-p', 'fdb', 'show'],
    ['-s', 'fdb', 'show'],
    ['-s', '-j', 'fdb'],
    ['fdb', 'show', 'dev', 'v0'],
    ['fdb', 'show', 'br', 'br0'],
    ['fdb', 'show', 'state', 'permanent'],
    ['fdb', 'show', 'vlan', '1'],
    ['fdb', 'show', 'dynamic'],
    ['link'],
    ['link', 'show'],
    ['-j', 'link', 'show'],
    ['-d', 'link', 'show'],
    ['-d', '-j', '-p', 'link', 'show'],
    ['link', 'show', 'dev', 'v2'],
    ['vlan', 'show'],
    ['-j', 'vlan', 'show'],
    ['mdb', 'show'],
    ['-j', 'mdb', 'show'],
    ['-j', '-p', 'mdb', 'show'],
    ['-d', 'mdb', 'show'],
    ['-d', '-j', 'mdb', 'show'],
    ['mdb', 'show', 'dev', 'br0'],
  ];

  it.each(LISTINGS)('lists as bridge does: bridge %s', async (...args: string[]) => {
    const want = bridge(['-n', ns, ...args]);
    const got = await nlkit(['-n', ns, ...args]);
    expect(got).toEqual(want);
  });

  const REFUSALS = [
    ['frobnicate'],
    ['fdb', 'frobnicate'],
    ['link', 'show', 'dev', 'nope'],
    ['fdb', 'show', 'dev', 'nope'],
    ['fdb', 'show', 'br', 'nope'],
    ['fdb', 'add', '02:00:00:00:00:09'],
    ['fdb', 'add', 'zz:00:00:00:00:09', 'dev', 'v0'],
    ['fdb', 'add', '02:00:00:00:00:01', 'dev', 'v0', 'master', 'static'],
    ['fdb', 'del', '02:00:00:00:00:77', 'dev', 'v0'],
    ['link', 'set', 'dev', 'v0', 'state', 'sideways'],
    ['link', 'set', 'dev', 'v0', 'learning', 'maybe'],
    ['link', 'set', 'cost', '3'],
    ['mdb', 'add', 'dev', 'br0', 'port', 'v0'],
    ['mdb', 'add', 'dev', 'br0', 'port', 'v0', 'grp', 'nonsense'],
    ['mdb', 'add', 'dev', 'br0', 'port', 'v0', 'grp', '239.1.1.1', 'permanent'],
    ['vlan', 'add', 'vid', '10', 'dev', 'v0'],
    ['vlan', 'add', 'vid', '5000', 'dev', 'v0'],
    ['vlan', 'add', 'vid', '20-10', 'dev', 'v0'],
    ['vlan', 'add', 'dev', 'v0'],
    ['-frob', 'fdb'],
  ];

  it.each(REFUSALS)('refuses as bridge does: bridge %s', async (...args: string[]) => {
    const want = bridge(['-n', ns, ...args]);
    const got = await nlkit(['-n', ns, ...args]);
    expect({ code: got.code, stderr: got.stderr.split('\n')[0], stdout: got.stdout }).toEqual({ code: want.code, stderr: want.stderr.split('\n')[0], stdout: want.stdout });
  });

  const WRITES = [
    ['fdb', 'add', '02:00:00:00:01:01', 'dev', 'v0', 'master', 'static'],
    ['fdb', 'add', '02:00:00:00:01:02', 'dev', 'v2', 'master', 'static', 'vlan', '1'],
    ['fdb', 'replace', '02:00:00:00:01:01', 'dev', 'v2', 'master', 'static'],
    ['fdb', 'add', '02:00:00:00:01:03', 'dev', 'v0', 'self', 'permanent'],
    ['fdb', 'append', '02:00:00:00:01:04', 'dev', 'v2', 'master', 'static'],
    ['fdb', 'del', '02:00:00:00:01:04', 'dev', 'v2', 'master'],
    ['link', 'set', 'dev', 'v0', 'cost', '11', 'priority', '3', 'state', '3', 'guard', 'on', 'root_block', 'on', 'flood', 'off', 'mcast_flood', 'off', 'learning', 'off'],
    ['link', 'set', 'dev', 'v2', 'hairpin', 'on', 'isolated', 'on', 'neigh_suppress', 'on', 'mcast_router', '2', 'bcast_flood', 'off'],
    ['link', 'set', 'dev', 'v2', 'state', 'blocking', 'backup_port', 'v0'],
    ['mdb', 'add', 'dev', 'br0', 'port', 'v0', 'grp', '239.9.9.9', 'permanent'],
    ['mdb', 'add', 'dev', 'br0', 'port', 'v2', 'grp', 'ff0e::9', 'permanent'],
    ['mdb', 'add', 'dev', 'br0', 'port', 'v2', 'grp', '239.9.9.10', 'permanent'],
    ['mdb', 'del', 'dev', 'br0', 'port', 'v2', 'grp', '239.9.9.10'],
    ['vlan', 'del', 'vid', '10', 'dev', 'v0'],
  ];

  it('leaves the state bridge leaves after the same writes', async () => {
    for (const w of WRITES) {
      const want = bridge(['-n', twinA, ...w]);
      const got = await nlkit(['-n', twinB, ...w]);
      expect({ w, code: got.code, stderr: got.stderr }).toEqual({ w, code: want.code, stderr: want.stderr });
    }
    expect(state(twinB)).toBe(state(twinA));
    expect(state(twinA)).toContain('02:00:00:00:01:01 dev v2 master br0 static');
    expect(state(twinA)).toContain('grp ff0e::9 permanent');
  });

  it('runs a -batch file as bridge does: output, errors, exit status and state, stopping at a failure unless -force', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-bridge-batch-'));
    try {
      const file = path.join(dir, 'writes.batch');
      writeFileSync(
        file,
        [
          'fdb add 02:00:00:00:02:01 dev v0 master static',
          '# a comment, then a blank line',
          '',
          'mdb add dev br0 port v0 grp 239.7.7.7 permanent',
          'link show dev v0',
          'fdb add 02:00:00:00:02:01 dev v0 master static',
          'link set dev v2 cost 13',
          'frobnicate',
          'link show dev v2',
          '',
        ].join('\n'),
      );
      for (const options of [
        ['-batch', file],
        ['-force', '-batch', file],
        ['-j', '-force', '-batch', file],
      ]) {
        // Listings of links only: the mdb's temporary groups and the fdb's own entries follow each namespace's random MACs.
        const want = bridge(['-n', twinA, ...options]);
        const got = await nlkit(['-n', twinB, ...options]);
        expect({ options, ...got }).toEqual({ options, ...want });
        expect(want.stdout).toContain('v0');
        expect(state(twinB)).toBe(state(twinA));
      }
      expect(state(twinA)).toContain('grp 239.7.7.7 permanent');
      expect(bridge(['-n', twinA, '-d', 'link', 'show', 'dev', 'v2']).stdout).toContain('cost 13');
      const missing = path.join(dir, 'missing.batch');
      expect(await nlkit(['-batch', missing])).toEqual(bridge(['-batch', missing]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!canUseKernel)('nlkit bridge monitor', () => {
  let ns = '';
  beforeAll(async () => {
    ns = await createNetns('brm');
    setup(ns);
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('prints each link, fdb and mdb event as bridge monitor prints it, one line per event', async () => {
    const { spawn } = await import('node:child_process');
    const ref = spawn('bridge', ['-n', ns, 'monitor'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let refOut = '';
    ref.stdout.on('data', (b: Buffer) => (refOut += b.toString()));
    const controller = new AbortController();
    let out = '';
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const { run: runBridge } = await import('../../src/cli/bridge/index.js');
    const run = runBridge(['-n', ns, 'monitor'], {
      stdout: (t: string) => void (out += t),
      stderr: (t: string) => void (out += `ERR ${t}`),
      env: {},
      stdoutIsTTY: false,
      signal: controller.signal,
      ready,
    } as never);
    await listening;
    // bridge gives no sign of listening: an fdb entry added and removed until it prints the marker.
    const sh = (...a: string[]): void => void execFileSync('bridge', ['-n', ns, ...a]);
    const deadline = Date.now() + 20_000;
    while (!refOut.includes('02:00:00:00:99:99')) {
      if (Date.now() > deadline) throw new Error('bridge monitor printed nothing');
      sh('fdb', 'replace', '02:00:00:00:99:99', 'dev', 'v0', 'master', 'static');
      sh('fdb', 'del', '02:00:00:00:99:99', 'dev', 'v0', 'master');
      await new Promise((r) => setTimeout(r, 100));
    }
    sh('fdb', 'add', '02:00:00:00:77:77', 'dev', 'v2', 'master', 'static');
    sh('fdb', 'add', '02:00:00:00:00:05', 'dev', 'v0', 'master', 'static');
    sh('mdb', 'add', 'dev', 'br0', 'port', 'v0', 'grp', '239.3.3.3', 'permanent');
    sh('mdb', 'del', 'dev', 'br0', 'port', 'v0', 'grp', '239.3.3.3');
    sh('fdb', 'del', '02:00:00:00:00:05', 'dev', 'v0', 'master');
    sh('link', 'set', 'dev', 'v2', 'cost', '23');
    execFileSync('ip', ['-n', ns, 'link', 'set', 'v2', 'nomaster']);
    sh('fdb', 'add', '02:00:00:00:88:88', 'dev', 'v0', 'master', 'static');
    const end = '02:00:00:00:88:88 dev v0 master br0 static';
    const until = Date.now() + 20_000;
    while (!(refOut.includes(end) && out.includes(end))) {
      if (Date.now() > until) throw new Error(`no end marker:\n${refOut}\n---\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    controller.abort();
    ref.kill();
    expect(await run).toBe(0);
    const between = (text: string): string => text.slice(text.indexOf('02:00:00:00:77:77'), text.indexOf(end) + end.length);
    expect(between(out)).toBe(between(refOut));
    expect(between(out).split('\n').length).toBeGreaterThan(8);
  });
});
