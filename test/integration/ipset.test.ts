// The typed ipset client against the kernel, in a namespace of its own: sets
// of every type it knows made, listed, written and removed, and the kernel's
// refusals read as ipset reads them. `ipset` itself (the reference) checks
// what the client made.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpsetClient, IpsetError } from '../../src/families/netfilter/ipset.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

function ipsetTool(ns: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, 'ipset', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe.skipIf(!canUseKernel)('IpsetClient', () => {
  let ns: string | undefined;
  let client: IpsetClient;
  beforeAll(async () => {
    ns = await createNetns('ipset');
    client = await IpsetClient.open({ netns: ns });
  });
  afterAll(async () => {
    client?.close();
    await removeNetns(ns);
  });

  it('agrees on protocol 7 with the kernel', () => {
    expect(client.protocol).toBe(7);
  });

  it('creates a hash:ip set with timeout, counters and comments that ipset lists as made', async () => {
    await client.create('c1', { type: 'hash:ip', timeout: 300, counters: true, comment: true, initval: 0x1234, hashsize: 64 });
    await client.add('c1', { ip: '10.0.0.1', timeout: 100, packets: 5n, bytes: 600n, comment: 'x y' });
    await client.add('c1', { ip: '10.0.0.2' });
    const saved = ipsetTool(ns!, ['save', 'c1']).replace(/timeout \d+ packets/g, 'timeout T packets');
    expect(saved).toBe(
      'create c1 hash:ip family inet hashsize 64 maxelem 65536 timeout 300 counters comment bucketsize 12 initval 0x00001234\n' +
        'add c1 10.0.0.2 timeout T packets 0 bytes 0\n' +
        'add c1 10.0.0.1 timeout T packets 5 bytes 600 comment "x y"\n',
    );
    const [set] = await client.listAll({ name: 'c1' });
    expect(set).toMatchObject({
      name: 'c1',
      type: 'hash:ip',
      revision: 6,
      family: 'inet',
      hashsize: 64,
      timeout: 300,
      counters: true,
      comment: true,
      initval: 0x1234,
      elements: 2,
    });
    const one = set!.members.find((m) => m.ip === '10.0.0.1')!;
    expect(one.packets).toBe(5n);
    expect(one.bytes).toBe(600n);
    expect(one.comment).toBe('x y');
    expect(one.timeout).toBeGreaterThan(0);
    expect(one.timeout).toBeLessThanOrEqual(100);
  });

  it('tests membership as true or false', async () => {
    expect(await client.test('c1', { ip: '10.0.0.1' })).toBe(true);
    expect(await client.test('c1', { ip: '10.0.0.9' })).toBe(false);
  });

  it('deletes, and refuses a second delete as ipset does unless exist', async () => {
    await client.del('c1', { ip: '10.0.0.2' });
    const err = await client.del('c1', { ip: '10.0.0.2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpsetError);
    expect((err as IpsetError).reason).toBe('exist');
    expect((err as IpsetError).errno).toBe(4103);
    expect((err as IpsetError).ipsetMessage).toBe("Element cannot be deleted from the set: it's not added");
    await client.del('c1', { ip: '10.0.0.2' }, { exist: true });
    await client.add('c1', { ip: '10.0.0.1' }, { exist: true });
  });

  it('writes every type it knows, read back the same way', async () => {
    await client.create('n6', { type: 'hash:net', family: 'inet6', maxelem: 1000 });
    await client.add('n6', { ip: '2001:db8::', cidr: 32 });
    await client.add('n6', { ip: '2001:db8:1::1', nomatch: true });
    await client.create('ipp', { type: 'hash:ip,port' });
    await client.add('ipp', { ip: '1.2.3.4', proto: 17, port: 53 });
    await client.create('nif', { type: 'hash:net,iface', counters: true });
    await client.add('nif', { ip: '10.1.0.0', cidr: 16, iface: 'eth1', physdev: true });
    await client.create('bp', { type: 'bitmap:port', range: { from: 1000, to: 2000 }, timeout: 60 });
    await client.add('bp', { port: 1500, timeout: 0 });
    await client.create('ls', { type: 'list:set', size: 4, comment: true });
    await client.add('ls', { name: 'c1', comment: 'first' });
    await client.add('ls', { name: 'ipp', before: 'c1' });
    const sets = new Map((await client.listAll()).map((s) => [s.name, s]));
    expect(sets.get('n6')!.members).toEqual(
      expect.arrayContaining([
        { ip: '2001:db8::', cidr: 32 },
        { ip: '2001:db8:1::1', cidr: 128, nomatch: true },
      ]),
    );
    expect(sets.get('ipp')!.members).toEqual([{ ip: '1.2.3.4', proto: 17, port: 53 }]);
    expect(sets.get('nif')!.members).toEqual([{ ip: '10.1.0.0', cidr: 16, iface: 'eth1', physdev: true, packets: 0n, bytes: 0n }]);
    expect(sets.get('bp')).toMatchObject({ family: 'unspec', range: { from: 1000, to: 2000 }, timeout: 60, members: [{ port: 1500, timeout: 0 }] });
    expect(sets.get('ls')).toMatchObject({ size: 4, comment: true, members: [{ name: 'ipp' }, { name: 'c1', comment: 'first' }] });
    expect(sets.get('c1')!.references).toBe(1);
    expect(ipsetTool(ns!, ['list', '-n']).split('\n').filter(Boolean).sort()).toEqual(['bp', 'c1', 'ipp', 'ls', 'n6', 'nif']);
  });

  it('writes the other types this kernel has: bitmap:ip, bitmap:ip,mac, hash:ip,port,ip, hash:ip,port,net, hash:net,port', async () => {
    await client.create('bip', { type: 'bitmap:ip', ipRange: { from: '10.7.0.0', cidr: 24 }, netmask: 30 });
    await client.add('bip', { ip: '10.7.0.5' });
    await client.create('bmac', { type: 'bitmap:ip,mac', ipRange: { from: '10.1.0.0', to: '10.1.0.9' } });
    await client.add('bmac', { ip: '10.1.0.1', ether: '02:00:00:00:00:0a' });
    await client.create('ipi', { type: 'hash:ip,port,ip' });
    await client.add('ipi', { ip: '1.2.3.4', proto: 17, port: 53, ip2: '5.6.7.8' });
    await client.create('ipn', { type: 'hash:ip,port,net', family: 'inet6' });
    await client.add('ipn', { ip: '2001:db8::1', proto: 6, port: 22, ip2: '2001:db8:2::', cidr2: 48, nomatch: true });
    await client.create('np', { type: 'hash:net,port' });
    await client.add('np', { ip: '10.9.0.0', cidr: 16, proto: 132, port: 9 });
    const sets = new Map((await client.listAll()).map((x) => [x.name, x]));
    expect(sets.get('bip')).toMatchObject({ type: 'bitmap:ip', family: 'inet', ipRange: { from: '10.7.0.0', to: '10.7.0.255' }, netmask: 30, members: [{ ip: '10.7.0.4' }] });
    expect(sets.get('bmac')!.members).toEqual([{ ip: '10.1.0.1', ether: '02:00:00:00:00:0a' }]);
    expect(sets.get('ipi')!.members).toEqual([{ ip: '1.2.3.4', proto: 17, port: 53, ip2: '5.6.7.8' }]);
    expect(sets.get('ipn')!.members).toEqual([{ ip: '2001:db8::1', proto: 6, port: 22, ip2: '2001:db8:2::', cidr2: 48, nomatch: true }]);
    expect(sets.get('np')!.members).toEqual([{ ip: '10.9.0.0', cidr: 16, proto: 132, port: 9 }]);
    expect(ipsetTool(ns!, ['save', 'ipn'])).toMatch(/\nadd ipn 2001:db8::1,tcp:22,2001:db8:2::\/48 nomatch\n$/);
    await expect(client.create('x', { type: 'bitmap:ip' })).rejects.toThrow(new TypeError('ipRange must be { from, to } or { from, cidr } for bitmap:ip sets, got undefined'));
    await expect(client.add('bmac', { ip: '10.1.0.2', ether: 'nope' })).rejects.toThrow(RangeError);
    for (const name of ['bip', 'bmac', 'ipi', 'ipn', 'np']) await client.destroy(name);
  });

  it('lists headers only when terse', async () => {
    const [set] = await client.listAll({ name: 'ipp', terse: true });
    expect(set).toMatchObject({ name: 'ipp', type: 'hash:ip,port', elements: 1, members: [] });
  });

  it('renames, swaps, flushes and destroys', async () => {
    await client.create('ipq', { type: 'hash:ip,port' });
    await client.rename('ipq', 'ipr');
    await client.add('ipr', { ip: '9.9.9.9', proto: 6, port: 1 });
    await client.swap('ipp', 'ipr');
    expect((await client.listAll({ name: 'ipp' }))[0]!.members).toEqual([{ ip: '9.9.9.9', proto: 6, port: 1 }]);
    await client.flush('ipp');
    expect((await client.listAll({ name: 'ipp' }))[0]!.members).toEqual([]);
    await client.destroy('ipr');
    expect(await client.header('ipr')).toBeUndefined();
  });

  it('reads type-specific errors with the set type', async () => {
    const err = (await client.add('bp', { port: 3000 }).catch((e: unknown) => e)) as IpsetError;
    expect(err).toBeInstanceOf(IpsetError);
    expect(err.reason).toBe('bitmap-range');
    expect(err.ipsetMessage).toBe('Element is out of the range of the set');
    const busy = (await client.destroy('c1').catch((e: unknown) => e)) as IpsetError;
    expect(busy.reason).toBe('busy');
    expect(busy.ipsetMessage).toBe('Set cannot be destroyed: it is in use by a kernel component');
    const exists = (await client.create('c1', { type: 'hash:ip' }).catch((e: unknown) => e)) as IpsetError;
    expect(exists.code).toBe('EEXIST');
    expect(exists.ipsetMessage).toBe('Set cannot be created: set with the same name already exists');
    const missing = (await client.flush('nope').catch((e: unknown) => e)) as IpsetError;
    expect(missing.code).toBe('ENOENT');
    expect(missing.ipsetMessage).toBe('The set with the given name does not exist');
  });

  it('refuses bad input naming the field, before sending', async () => {
    await expect(client.add('c1', { ip: '10.0.0.300' })).rejects.toThrow(new RangeError("entry.ip must be an IPv4 or IPv6 address, got '10.0.0.300'"));
    await expect(client.create('x', { type: 'hash:foo' as never })).rejects.toThrow(RangeError);
    await expect(client.create('x', { type: 'bitmap:port', hashsize: 4 } as never)).rejects.toThrow('hashsize is not an option of bitmap:port sets');
    await expect(client.add('a'.repeat(32), { ip: '1.1.1.1' })).rejects.toThrow(/^name must be 1 to 31 bytes/);
    await expect(client.add('c1', { ip: '1.1.1.1', packets: -1n })).rejects.toThrow(RangeError);
    await expect(client.add('c1', { ip: '1.1.1.1', timeout: 1.5 })).rejects.toThrow(/entry\.timeout/);
  });
});
