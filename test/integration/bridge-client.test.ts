// rt.bridge: forwarding entries, ports, VLANs and the multicast database as
// typed objects, checked against what bridge -j lists after writes through
// the client; refusals (VLANs this kernel cannot filter) carry the kernel's errno.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../src/core/errors.js';
import { RouteClient } from '../../src/families/route/client.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const bridgeJson = <T>(ns: string, args: string[]): T => JSON.parse(execFileSync('bridge', ['-n', ns, '-j', ...args], { encoding: 'utf8' })) as T;

describe.skipIf(!canUseKernel)('rt.bridge', () => {
  let ns = '';
  let rt: RouteClient;

  beforeAll(async () => {
    ns = await createNetns('brc');
    const ip = (...a: string[]): void => void execFileSync('ip', ['-n', ns, ...a]);
    ip('link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '1');
    ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ip('link', 'set', 'v0', 'master', 'br0');
    for (const l of ['br0', 'v0', 'v1']) ip('link', 'set', l, 'up');
    rt = await RouteClient.open({ netns: ns });
  });
  afterAll(async () => {
    rt?.close();
    await removeNetns(ns);
  });

  it('adds, lists, replaces and deletes forwarding entries as bridge sees them', async () => {
    await rt.bridge.addFdb({ mac: '02:00:00:00:00:0a', dev: 'v0' });
    await rt.bridge.addFdb({ mac: '02:00:00:00:00:0b', dev: 'v0', table: 'self', state: 'permanent' });
    const listed = bridgeJson<{ mac: string; ifname: string; state: string; flags: string[]; master?: string }[]>(ns, ['fdb', 'show', 'dev', 'v0']);
    expect(listed).toContainEqual({ mac: '02:00:00:00:00:0a', flags: [], master: 'br0', state: 'static' });
    expect(listed).toContainEqual({ mac: '02:00:00:00:00:0b', flags: ['self'], state: 'permanent' });
    const v0 = (await rt.links.get('v0'))!.index;
    const mine = (await rt.bridge.fdb({ dev: 'v0' })).filter((e) => e.mac.startsWith('02:00:00:00:00:0'));
    expect(mine.map((e) => [e.mac, e.index === v0, e.state, e.flags])).toEqual([
      ['02:00:00:00:00:0a', true, 'static', []],
      ['02:00:00:00:00:0b', true, 'permanent', ['self']],
    ]);
    await expect(rt.bridge.addFdb({ mac: '02:00:00:00:00:0a', dev: 'v0' })).rejects.toMatchObject({ code: 'EEXIST' });
    await rt.bridge.deleteFdb({ mac: '02:00:00:00:00:0a', dev: 'v0' });
    expect((await rt.bridge.fdb({ dev: 'v0' })).map((e) => e.mac)).not.toContain('02:00:00:00:00:0a');
  });

  it('reads and changes port settings as bridge -d link shows them', async () => {
    await rt.bridge.setPort('v0', { cost: 17, priority: 5, learning: 0, 'unicast-flood': 0 });
    const [port] = await rt.bridge.ports({ bridge: 'br0' });
    expect(port).toMatchObject({ name: 'v0', state: 'forwarding', settings: { cost: 17, priority: 5, learning: 0, 'unicast-flood': 0 } });
    const [shown] = bridgeJson<Record<string, unknown>[]>(ns, ['-d', 'link', 'show', 'dev', 'v0']);
    expect(shown).toMatchObject({ ifname: 'v0', cost: 17, priority: 5, learning: false, flood: false, state: 'forwarding' });
  });

  it('adds and deletes multicast groups as bridge mdb lists them', async () => {
    await rt.bridge.addMdb({ bridge: 'br0', port: 'v0', group: '239.7.7.7', permanent: true });
    await rt.bridge.addMdb({ bridge: 'br0', port: 'v0', group: 'ff0e::7', permanent: true });
    const groups = (await rt.bridge.mdb()).filter((e) => e.state === 'permanent').map((e) => e.group);
    expect(groups.sort()).toEqual(['239.7.7.7', 'ff0e::7']);
    const shown = bridgeJson<{ mdb: { grp: string; state: string }[] }[]>(ns, ['mdb', 'show'])[0]!
      .mdb.filter((e) => e.state === 'permanent')
      .map((e) => e.grp);
    expect(shown.sort()).toEqual(['239.7.7.7', 'ff0e::7']);
    await rt.bridge.deleteMdb({ bridge: 'br0', port: 'v0', group: '239.7.7.7' });
    expect((await rt.bridge.mdb()).map((e) => e.group)).not.toContain('239.7.7.7');
  });

  it('refuses VLANs as the kernel refuses bridge (no VLAN filtering here), and lists none', async () => {
    const err = await rt.bridge.addVlan({ dev: 'v0', vid: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EOPNOTSUPP');
    expect(await rt.bridge.vlans()).toEqual(bridgeJson<unknown[]>(ns, ['vlan', 'show']));
  });

  it('checks arguments before sending', async () => {
    await expect(rt.bridge.addFdb({ mac: 'zz', dev: 'v0' })).rejects.toThrow(/entry\.mac/);
    await expect(rt.bridge.addFdb({ mac: '02:00:00:00:00:01', dev: 'nope' })).rejects.toThrow(/entry\.dev: no link named 'nope'/);
    await expect(rt.bridge.addVlan({ dev: 'v0', vid: 5000 })).rejects.toThrow(RangeError);
    await expect(rt.bridge.addMdb({ bridge: 'br0', port: 'v0', group: 'nonsense' })).rejects.toThrow(/group/);
  });
});
