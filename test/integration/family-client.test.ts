// FamilyClient against the kernel: netlink-raw and generic netlink families
// through their generated modules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FamilyClient } from '../../src/families/client.js';
import { family as rtLink } from '../../src/families/generated/rt-link.js';
import { family as rtAddr } from '../../src/families/generated/rt-addr.js';
import { family as netdev } from '../../src/families/generated/netdev.js';
import { family as nlctrl } from '../../src/families/generated/nlctrl.js';
import { NetlinkError, isOverrun, type Family } from '../../src/index.js';
import { createNetns, ip, ipJson, removeNetns } from '../helpers/kernel.js';

describe('FamilyClient', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNetns('fam');
    ip(ns, ['link', 'add', 'f0', 'type', 'veth', 'peer', 'name', 'f1']);
    ip(ns, ['addr', 'add', '10.3.0.1/24', 'dev', 'f0']);
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('dumps links with rt-link and names them like ip does', async () => {
    await using client = await FamilyClient.open(rtLink as unknown as Family, { netns: ns });
    const links = await client.dumpAll('getlink', {});
    const names = links.map((l) => l.ifname);
    expect(names).toEqual(ipJson<{ ifname: string }[]>(ns, ['link', 'show']).map((l) => l.ifname));
  });

  it('rejects a duplicate address with the operation name and errno', async () => {
    await using client = await FamilyClient.open(rtAddr as unknown as Family, { netns: ns });
    const index = ipJson<{ ifindex: number }[]>(ns, ['link', 'show', 'f0'])[0]!.ifindex;
    const err = (await client
      .do('newaddr', { 'ifa-family': 2, 'ifa-prefixlen': 24, 'ifa-index': index, local: '10.3.0.1', address: '10.3.0.1' }, { flags: 0x605 })
      .catch((e: unknown) => e)) as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
    expect(err.message).toMatch(/^rt-addr newaddr failed: File exists/);
  });

  it('resolves a generic family through nlctrl and dumps it', async () => {
    await using client = await FamilyClient.open(netdev as unknown as Family, { netns: ns });
    const info = await client.genericFamily();
    expect(info?.name).toBe('netdev');
    expect(info?.groups.has('mgmt')).toBe(true);
    const devs = await client.dumpAll('dev-get', {});
    expect(devs.map((d) => d.ifindex).sort()).toEqual(
      ipJson<{ ifindex: number }[]>(ns, ['link', 'show'])
        .map((l) => l.ifindex)
        .sort(),
    );
  });

  it('gets a family from nlctrl with its fixed id', async () => {
    await using client = await FamilyClient.open(nlctrl as unknown as Family, { netns: ns });
    const reply = await client.do('getfamily', { 'family-name': 'netdev' });
    expect(reply?.['family-name']).toBe('netdev');
  });

  it('finds the groups of a family with a fixed id through nlctrl', async () => {
    await using client = await FamilyClient.open(nlctrl as unknown as Family, { netns: ns });
    expect((await client.groups()).get('notify')).toBe(0x10);
  });

  it('follows link notifications by group name', async () => {
    await using client = await FamilyClient.open(rtLink as unknown as Family, { netns: ns });
    const sub = await client.subscribe('rtnlgrp-link');
    ip(ns, ['link', 'add', 'g0', 'type', 'veth', 'peer', 'name', 'g1']);
    const seen: string[] = [];
    for await (const n of sub) {
      if (isOverrun(n)) continue;
      seen.push(`${n.name}:${String(n.msg.ifname)}`);
      if (seen.some((s) => s.endsWith(':g0')) && seen.some((s) => s.endsWith(':g1'))) break;
    }
    expect(seen).toContain('getlink:g0');
    expect(seen).toContain('getlink:g1');
    // Link notifications carry RTM_NEWLINK, which the spec names after the getlink reply.
    expect(new Set(seen.map((s) => s.split(':')[0]))).toEqual(new Set(['getlink']));
    ip(ns, ['link', 'del', 'g0']);
  });

  it('refuses an unknown operation before sending', async () => {
    await using client = await FamilyClient.open(rtLink as unknown as Family, { netns: ns });
    expect(() => client.dump('nosuchop')).toThrow(/rt-link has no operation 'nosuchop'/);
  });
});
