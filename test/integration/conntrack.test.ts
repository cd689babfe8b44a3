// ConntrackClient against the kernel, in a namespace of its own: entries for
// TCP, UDP and ICMP made with the client, read back, deleted by key and by
// filter, flushed by family; events for 1 000 created and deleted entries;
// and, where the conntrack tool is installed, entries made with
// `conntrack -I` read back with the same fields.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConntrackClient, type ConntrackEvent } from '../../src/families/netfilter/index.js';
import { NetlinkError } from '../../src/index.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const conntrackTool = (() => {
  try {
    execFileSync('conntrack', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs `conntrack ARGS` inside the namespace. */
function ctTool(ns: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, 'conntrack', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const TCP = { protocol: 'tcp', src: '10.1.0.1', dst: '10.1.0.2', sport: 40000, dport: 80 } as const;
const UDP = { protocol: 'udp', src: '10.1.0.1', dst: '10.1.0.3', sport: 5353, dport: 53 } as const;
const ICMP = { protocol: 'icmp', src: '10.1.0.1', dst: '10.1.0.4', icmpType: 8, icmpCode: 0, icmpId: 77 } as const;
const UDP6 = { protocol: 'udp', src: 'fd00::1', dst: 'fd00::2', sport: 1000, dport: 2000 } as const;

describe.skipIf(!canUseKernel)('ConntrackClient', () => {
  let ns: string | undefined;
  let ct: ConntrackClient;

  beforeAll(async () => {
    ns = await createNetns('conntrack');
    ct = await ConntrackClient.open({ netns: ns });
  });
  afterAll(async () => {
    ct?.close();
    await removeNetns(ns);
  });
  afterEach(async () => {
    await ct.flush();
  });

  async function createThree(): Promise<void> {
    await ct.create({ ...TCP, timeout: 100, state: 'established', status: ['assured', 'seen-reply'], mark: 7 });
    await ct.create({ ...UDP, timeout: 30, mark: 8, zone: 0 });
    await ct.create({ ...ICMP, timeout: 20 });
  }

  it('creates TCP, UDP and ICMP entries and lists them back with their fields', async () => {
    await createThree();
    const all = await ct.listAll();
    expect(all).toHaveLength(3);
    const tcp = all.find((e) => e.protocol === 'tcp')!;
    expect(tcp).toMatchObject({
      family: 'ipv4',
      original: { src: '10.1.0.1', dst: '10.1.0.2', protocol: 'tcp', sport: 40000, dport: 80 },
      reply: { src: '10.1.0.2', dst: '10.1.0.1', protocol: 'tcp', sport: 80, dport: 40000 },
      state: 'established',
      mark: 7,
      zone: 0,
    });
    expect(tcp.status).toEqual(expect.arrayContaining(['assured', 'seen-reply', 'confirmed']));
    expect(tcp.timeout).toBeGreaterThan(90);
    expect(tcp.timeout).toBeLessThanOrEqual(100);
    expect(typeof tcp.id).toBe('number');
    const udp = all.find((e) => e.protocol === 'udp')!;
    expect(udp).toMatchObject({ original: { sport: 5353, dport: 53 }, reply: { sport: 53, dport: 5353 }, mark: 8 });
    expect(udp.state).toBeUndefined();
    const icmp = all.find((e) => e.protocol === 'icmp')!;
    expect(icmp).toMatchObject({
      original: { src: '10.1.0.1', dst: '10.1.0.4', icmpType: 8, icmpCode: 0, icmpId: 77 },
      reply: { src: '10.1.0.4', dst: '10.1.0.1', icmpType: 0, icmpCode: 0, icmpId: 77 },
    });
  });

  it('gets one entry by its tuple, and undefined for a missing one', async () => {
    await createThree();
    expect(await ct.get(UDP)).toMatchObject({ protocol: 'udp', original: { dport: 53 }, mark: 8 });
    expect(await ct.get({ ...UDP, dport: 54 })).toBeUndefined();
  });

  it('refuses to create an entry twice (EEXIST) and updates an existing one', async () => {
    await createThree();
    const err = await ct.create({ ...UDP, timeout: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    await ct.update({ ...UDP, mark: 99, timeout: 500 });
    const e = await ct.get(UDP);
    expect(e!.mark).toBe(99);
    expect(e!.timeout).toBeGreaterThan(400);
    const missing = await ct.update({ ...UDP, dport: 1, mark: 1 }).catch((x: unknown) => x);
    expect((missing as NetlinkError).code).toBe('ENOENT');
  });

  it('filters listings by family, protocol, addresses, ports, mark and status', async () => {
    await createThree();
    await ct.create({ ...UDP6, timeout: 30 });
    const ports = async (f: Parameters<ConntrackClient['listAll']>[0]) => (await ct.listAll(f)).map((e) => `${e.protocol}/${e.original.dst}`).sort();
    expect(await ports({ family: 'ipv6' })).toEqual(['udp/fd00::2']);
    expect(await ports({ family: 'ipv4', protocol: 'udp' })).toEqual(['udp/10.1.0.3']);
    expect(await ports({ protocol: 'udp' })).toEqual(['udp/10.1.0.3', 'udp/fd00::2']);
    expect(await ports({ dst: '10.1.0.4' })).toEqual(['icmp/10.1.0.4']);
    expect(await ports({ dst: 'fd00:0::2' })).toEqual(['udp/fd00::2']);
    expect(await ports({ sport: 40000, dport: 80 })).toEqual(['tcp/10.1.0.2']);
    expect(await ports({ mark: 8 })).toEqual(['udp/10.1.0.3']);
    // Marks 7, 8, 0 and 0: bit 2 is set in 7 only.
    expect(await ports({ mark: 0, markMask: 0x4 })).toEqual(['icmp/10.1.0.4', 'udp/10.1.0.3', 'udp/fd00::2']);
    expect(await ports({ mark: 4, markMask: 0x4 })).toEqual(['tcp/10.1.0.2']);
    expect(await ports({ status: ['assured'] })).toEqual(['tcp/10.1.0.2']);
    expect(await ports({ state: 'established' })).toEqual(['tcp/10.1.0.2']);
  });

  it('deletes by key and by filter, and flushes by family', async () => {
    await createThree();
    await ct.create({ ...UDP6, timeout: 30 });
    expect(await ct.delete(TCP)).toBe(true);
    expect(await ct.delete(TCP)).toBe(false);
    expect(await ct.deleteMatching({ protocol: 'icmp' })).toBe(1);
    expect((await ct.listAll()).map((e) => e.original.dst).sort()).toEqual(['10.1.0.3', 'fd00::2']);
    await ct.flush({ family: 'ipv6' });
    expect((await ct.listAll()).map((e) => e.original.dst)).toEqual(['10.1.0.3']);
    await ct.flush();
    expect(await ct.listAll()).toEqual([]);
  });

  it('counts entries and reports per-CPU statistics', async () => {
    await createThree();
    const count = await ct.count();
    expect(count.entries).toBe(3);
    const stats = await ct.stats();
    expect(stats.length).toBeGreaterThan(0);
    expect(stats.map((s) => s.cpu)).toEqual([...stats.keys()].map((i) => stats[i]!.cpu));
    expect(typeof stats[0]!.found).toBe('number');
  });

  it('reports exactly one new and one destroy event per entry for 1 000 entries', async () => {
    const N = 1000;
    const events = await ct.events({ types: ['new', 'update', 'destroy'] });
    const seen = new Map<string, ConntrackEvent['type'][]>();
    let overruns = 0;
    const reading = (async () => {
      let destroyed = 0;
      for await (const e of events) {
        if ('overrun' in e) {
          overruns++;
          continue;
        }
        const key = `${e.entry.original.sport}`;
        seen.set(key, [...(seen.get(key) ?? []), e.type]);
        if (e.type === 'destroy' && ++destroyed === N) break;
      }
    })();
    for (let i = 0; i < N; i++) await ct.create({ protocol: 'udp', src: '10.2.0.1', dst: '10.2.0.2', sport: 10000 + i, dport: 7, timeout: 60 });
    for (let i = 0; i < N; i++) expect(await ct.delete({ protocol: 'udp', src: '10.2.0.1', dst: '10.2.0.2', sport: 10000 + i, dport: 7 })).toBe(true);
    await reading;
    expect(overruns).toBe(0);
    expect(seen.size).toBe(N);
    for (const [key, types] of seen) expect(types, key).toEqual(['new', 'destroy']);
  });

  it('reports a changed entry as an update event, and only the chosen groups', async () => {
    // Subscribed first: the kernel keeps events only for entries created while someone listens.
    const events = await ct.events({ types: ['update'] });
    await ct.create({ ...UDP, timeout: 30 });
    await ct.update({ ...UDP, mark: 5 });
    await ct.delete(UDP);
    await ct.create({ ...TCP, timeout: 30 });
    await ct.update({ ...TCP, mark: 6 });
    const got: string[] = [];
    for await (const e of events) {
      if ('overrun' in e) continue;
      got.push(`${e.type} ${e.entry.protocol} ${e.entry.mark}`);
      if (got.length === 2) break;
    }
    expect(got).toEqual(['update udp 5', 'update tcp 6']);
  });

  it('rejects bad arguments before sending anything', async () => {
    await expect(ct.create({ ...UDP, protocol: 'nope' as 'udp', timeout: 1 })).rejects.toThrow("entry.protocol: unknown protocol 'nope'");
    await expect(ct.create({ ...UDP, dst: 'fd00::1', timeout: 1 })).rejects.toThrow("entry.dst: 'fd00::1' is not an ipv4 address");
    await expect(ct.create({ ...UDP, sport: 70000, timeout: 1 })).rejects.toThrow('entry.sport: 70000 is out of range 0..65535');
    await expect(ct.events({ types: ['boom' as 'new'] })).rejects.toThrow("types: unknown event 'boom'");
  });

  describe.skipIf(!conntrackTool)('next to the conntrack tool', () => {
    it('lists entries made with conntrack -I with the same fields', async () => {
      ctTool(ns!, ['-I', '-p', 'tcp', '-s', '10.3.0.1', '-d', '10.3.0.2', '--sport', '1111', '--dport', '22', '--state', 'ESTABLISHED', '-t', '120', '-u', 'ASSURED', '-m', '3']);
      ctTool(ns!, ['-I', '-p', 'udp', '-s', '10.3.0.1', '-d', '10.3.0.3', '--sport', '2222', '--dport', '53', '-t', '60']);
      ctTool(ns!, ['-I', '-p', 'icmp', '-s', '10.3.0.1', '-d', '10.3.0.4', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '9', '-t', '30']);
      const all = await ct.listAll();
      expect(all.map((e) => e.protocol).sort()).toEqual(['icmp', 'tcp', 'udp']);
      expect(all.find((e) => e.protocol === 'tcp')).toMatchObject({
        original: { src: '10.3.0.1', dst: '10.3.0.2', sport: 1111, dport: 22 },
        reply: { src: '10.3.0.2', dst: '10.3.0.1', sport: 22, dport: 1111 },
        state: 'established',
        mark: 3,
      });
      expect(all.find((e) => e.protocol === 'icmp')).toMatchObject({ original: { icmpType: 8, icmpId: 9 }, reply: { icmpType: 0, icmpId: 9 } });
      // The tool reads what the client made, and counts the same table.
      await ct.create({ ...UDP, timeout: 30 });
      const text = ctTool(ns!, ['-L', '-p', 'udp', '--dport', '53']);
      expect(text).toContain('src=10.1.0.1 dst=10.1.0.3 sport=5353 dport=53');
      expect(ctTool(ns!, ['-C']).trim()).toBe(String((await ct.count()).entries));
      // A delete by filter through the client leaves what the tool's would.
      expect(await ct.deleteMatching({ protocol: 'udp' })).toBe(2);
      expect(ctTool(ns!, ['-L', '-p', 'udp'])).toBe('');
    });
  });
});
