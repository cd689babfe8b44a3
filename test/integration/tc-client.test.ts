// TcClient: qdiscs, classes and filters of a namespace's devices as typed
// objects, checked against what tc -j -s lists; writes through the client
// read back by tc; refusals carry the kernel's errno and extended ack.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../src/core/errors.js';
import { TcClient, formatHandle, parseHandle } from '../../src/families/tc/client.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const tcJson = <T>(ns: string, args: string[]): T => JSON.parse(execFileSync('tc', ['-n', ns, '-j', ...args], { encoding: 'utf8' })) as T;
const tc = (ns: string, args: string[]): void => void execFileSync('tc', ['-n', ns, ...args]);

describe('tc handles', () => {
  it('are read and printed as tc reads and prints them', () => {
    expect([parseHandle('1:', 'h'), parseHandle('1:10', 'h'), parseHandle('ffff:', 'h'), parseHandle('root', 'h'), parseHandle('ingress', 'h')]).toEqual([
      0x10000, 0x10010, 0xffff0000, 0xffffffff, 0xfffffff1,
    ]);
    expect([formatHandle(0x10000), formatHandle(0x10010), formatHandle(0xfffffff1), formatHandle(0xffffffff)]).toEqual(['1:', '1:10', 'ffff:fff1', 'root']);
    expect(() => parseHandle('1:2:3', 'qdisc.handle')).toThrow(/qdisc\.handle: '1:2:3' is not a handle/);
    expect(() => parseHandle(7, 'qdisc.handle')).toThrow(TypeError);
  });
});

describe.skipIf(!canUseKernel)('TcClient', () => {
  let ns = '';
  let client: TcClient;

  beforeAll(async () => {
    ns = await createNetns('tcc');
    execFileSync('ip', ['-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    execFileSync('ip', ['-n', ns, 'link', 'add', 'ifb0', 'type', 'ifb']);
    for (const l of ['v0', 'v1', 'ifb0']) execFileSync('ip', ['-n', ns, 'link', 'set', l, 'up']);
    tc(ns, ['qdisc', 'add', 'dev', 'v0', 'root', 'handle', '1:', 'htb', 'default', '10']);
    tc(ns, ['class', 'add', 'dev', 'v0', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10mbit', 'ceil', '20mbit']);
    tc(ns, ['class', 'add', 'dev', 'v0', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '5mbit']);
    tc(ns, ['filter', 'add', 'dev', 'v0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.0.0.0/8', 'flowid', '1:20']);
    tc(ns, ['qdisc', 'add', 'dev', 'v0', 'ingress']);
    // To ifb0, whose traffic goes nowhere: a redirect back to v0's peer would loop.
    tc(ns, [
      'filter',
      'add',
      'dev',
      'v0',
      'parent',
      'ffff:',
      'protocol',
      'all',
      'prio',
      '2',
      'u32',
      'match',
      'u32',
      '0',
      '0',
      'action',
      'mirred',
      'egress',
      'redirect',
      'dev',
      'ifb0',
    ]);
    client = await TcClient.open({ netns: ns });
  });
  afterAll(async () => {
    client?.close();
    await removeNetns(ns);
  });

  it('lists the qdiscs tc lists, with their statistics as bigint', async () => {
    const mine = await client.qdiscs({ dev: 'v0' });
    const theirs = tcJson<{ kind: string; handle: string; root?: boolean; parent?: string; bytes: number; packets: number }[]>(ns, ['-s', 'qdisc', 'show', 'dev', 'v0']);
    expect(mine.map((q) => [q.kind, q.handle, q.parent])).toEqual(theirs.map((q) => [q.kind, q.handle, q.root ? 'root' : q.parent]));
    const htb = mine.find((q) => q.kind === 'htb')!;
    expect(typeof htb.stats?.bytes).toBe('bigint');
    expect(htb.options).toMatchObject({ init: { rate2quantum: 10, defcls: 0x10 } });
  });

  it('lists the classes tc lists, with their rates', async () => {
    const classes = await client.classes('v0');
    expect(classes.map((c) => [c.kind, c.handle, c.parent])).toEqual([
      ['htb', '1:10', 'root'],
      ['htb', '1:20', 'root'],
    ]);
    const parms = (classes[0]!.options as { parms: { rate: { rate: number }; ceil: { rate: number } } }).parms;
    // 10mbit and 20mbit in bytes per second.
    expect([parms.rate.rate, parms.ceil.rate]).toEqual([1_250_000, 2_500_000]);
  });

  it('lists filters under a qdisc and on the ingress side, with their actions', async () => {
    const egress = await client.filters('v0', '1:');
    const theirs = tcJson<{ protocol: string; pref: number; kind: string }[]>(ns, ['filter', 'show', 'dev', 'v0']);
    expect(egress.map((f) => [f.kind, f.priority, f.protocol])).toEqual(theirs.map((f) => [f.kind, f.pref, 0x800]));
    const ingress = await client.filters('v0', 'ingress');
    expect(ingress.map((f) => [f.kind, f.priority, f.protocol, f.parent])).toEqual([
      ['u32', 2, 3, 'ffff:'],
      ['u32', 2, 3, 'ffff:'],
      ['u32', 2, 3, 'ffff:'],
    ]);
    expect(JSON.stringify(ingress[2]!.options, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).toContain('"mirred"');
  });

  it('adds and deletes qdiscs, classes and filters that tc then lists', async () => {
    await client.addQdisc({ dev: 'v1', parent: 'root', handle: '2:', kind: 'htb', options: { init: { version: 3, rate2quantum: 10, defcls: 0x20 } } });
    await client.addQdisc({ dev: 'v1', kind: 'clsact' });
    // u32 with one all-matching key (TC_U32_TERMINAL), into class 2:20: `u32 match u32 0 0 flowid 2:20`.
    await client.addFilter({
      dev: 'v1',
      parent: '2:',
      kind: 'u32',
      priority: 5,
      protocol: 0x800,
      options: { classid: 0x20020, sel: { flags: 1, nkeys: 1, keys: { mask: 0, val: 0, off: 0, offmask: 0 } } },
    });
    const q = tcJson<{ kind: string; handle: string; options: { default?: string } }[]>(ns, ['qdisc', 'show', 'dev', 'v1']);
    expect(q.map((x) => [x.kind, x.handle])).toEqual([
      ['htb', '2:'],
      ['clsact', 'ffff:'],
    ]);
    expect(q[0]!.options.default).toBe('0x20');
    const filters = tcJson<{ kind: string; pref: number; protocol: string; options?: { flowid?: string } }[]>(ns, ['filter', 'show', 'dev', 'v1']);
    expect(filters.map((f) => [f.kind, f.pref, f.protocol])).toEqual([
      ['u32', 5, 'ip'],
      ['u32', 5, 'ip'],
      ['u32', 5, 'ip'],
    ]);
    expect(filters[2]!.options?.flowid).toBe('2:20');
    expect((await client.filters('v1', '2:')).map((f) => [f.kind, f.priority, f.protocol])).toEqual(filters.map((f) => [f.kind, f.pref, 0x800]));
    await client.deleteFilter({ dev: 'v1', parent: '2:', priority: 5 });
    expect(tcJson<unknown[]>(ns, ['filter', 'show', 'dev', 'v1'])).toEqual([]);
    await client.deleteQdisc({ dev: 'v1', parent: 'clsact' });
    await client.deleteQdisc({ dev: 'v1', parent: 'root' });
    expect(tcJson<{ kind: string }[]>(ns, ['qdisc', 'show', 'dev', 'v1']).map((x) => x.kind)).not.toContain('htb');
  });

  it('adds, lists and deletes standalone actions as tc actions lists them, and lists chains', async () => {
    // TCA_EGRESS_REDIR (1) with TC_ACT_STOLEN (4), like `tc actions add action mirred egress redirect dev ifb0 index 7`.
    const ifindex = (await client.qdiscs({ dev: 'ifb0' }))[0]!.index;
    await client.addAction({ kind: 'mirred', index: 7, options: { parms: { index: 7, action: 4, eaction: 1, ifindex } } });
    const theirs = tcJson<[{ 'total acts': number }, { actions: { kind: string; index: number; mirred_action: string; to_dev: string }[] }]>(ns, [
      'actions',
      'ls',
      'action',
      'mirred',
    ]);
    const mine = await client.actions('mirred');
    expect(mine.map((a) => [a.kind, a.index])).toEqual(theirs[1].actions.map((a) => [a.kind, a.index]));
    expect(theirs[1].actions.find((a) => a.index === 7)).toMatchObject({ mirred_action: 'redirect', to_dev: 'ifb0' });
    await client.deleteAction('mirred', 7);
    expect((await client.actions('mirred')).map((a) => a.index)).not.toContain(7);
    expect(await client.chains('v0', '1:')).toEqual([0]);
  });

  it('fails with the kernel errno and checks arguments before sending', async () => {
    const err = await client.addQdisc({ dev: 'v0', parent: 'root', handle: '1:', kind: 'htb' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    await expect(client.qdiscs({ dev: 'nope' })).rejects.toThrow(/filter\.dev: no link named 'nope'/);
    await expect(client.addQdisc({ dev: 'v0', kind: '' })).rejects.toThrow(/qdisc\.kind/);
    await expect(client.addClass({ dev: 'v0', parent: '1:', kind: 'htb' })).rejects.toThrow(/class\.handle is required/);
    await expect(client.addFilter({ dev: 'v0', kind: 'u32', priority: 70000 })).rejects.toThrow(RangeError);
  });
});
