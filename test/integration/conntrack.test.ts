// ConntrackClient against the kernel, in a namespace of its own: entries for
// TCP, UDP and ICMP made with the client, read back, deleted by key and by
// filter, updated by filter, flushed by family; NAT set up on new entries;
// the dying and unconfirmed lists; timestamps; kernel refusals with errno;
// bad input refused naming the field; events for 1 000 created and deleted
// entries; expectations (with the ftp helper) and their events; and, where
// the conntrack tool is installed, entries made with `conntrack -I` read back
// with the same fields.
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

  it('sets up source and destination NAT on a new entry: the reply tuple shows the translation', async () => {
    await ct.create({ ...TCP, timeout: 60, state: 'established', srcNat: { address: '10.9.9.9', port: 3000 } });
    await ct.create({ ...UDP, timeout: 60, dstNat: { address: '10.9.9.8', port: 5300 } });
    await ct.create({ ...UDP6, timeout: 60, srcNat: { address: 'fd00::99' } });
    const tcp = await ct.get(TCP);
    expect(tcp!.reply).toMatchObject({ src: '10.1.0.2', dst: '10.9.9.9', sport: 80, dport: 3000 });
    expect(tcp!.status).toEqual(expect.arrayContaining(['src-nat', 'src-nat-done']));
    expect((await ct.get(UDP))!.reply).toMatchObject({ src: '10.9.9.8', dst: '10.1.0.1', sport: 5300, dport: 5353 });
    expect((await ct.get(UDP6))!.reply).toMatchObject({ src: 'fd00::2', dst: 'fd00::99' });
    await expect(ct.create({ ...ICMP, timeout: 5, srcNat: { address: 'fd00::1' } })).rejects.toThrow(new RangeError("entry.srcNat.address: 'fd00::1' is not an ipv4 address"));
    await expect(ct.create({ ...ICMP, timeout: 5, dstNat: { address: '10.0.0.1', port: 70000 } })).rejects.toThrow(
      new RangeError('entry.dstNat.port: 70000 is out of range 0..65535'),
    );
    await expect(ct.create({ ...ICMP, timeout: 5, dstNat: 'x' as never })).rejects.toThrow(TypeError);
  });

  it('flushes by filter: family, mark and mask, status and zone in the kernel, the rest entry by entry', async () => {
    const fill = async (): Promise<void> => {
      await ct.flush();
      await ct.create({ ...UDP, sport: 1, timeout: 60, mark: 1 });
      await ct.create({ ...UDP, sport: 2, timeout: 60, mark: 2, zone: 5 });
      await ct.create({ ...TCP, sport: 3, timeout: 60, mark: 3, status: ['assured'] });
      await ct.create({ ...UDP6, sport: 4, timeout: 60, mark: 1 });
    };
    const left = async (): Promise<number[]> => (await ct.listAll()).map((e) => e.original.sport!).sort();
    const cases: [Parameters<ConntrackClient['flush']>[0], number[]][] = [
      [{ mark: 1 }, [2, 3]],
      [{ mark: 2, markMask: 2 }, [1, 4]],
      [{ zone: 5 }, [1, 3, 4]],
      [{ zone: 0 }, [2]],
      [{ status: ['assured'] }, [1, 2, 4]],
      [{ family: 'ipv6' }, [1, 2, 3]],
      [{ family: 'ipv4', mark: 1 }, [2, 3, 4]],
      [{ protocol: 'tcp' }, [1, 2, 4]],
      [{ dst: '10.1.0.3', sport: 2 }, [1, 3, 4]],
      [{}, []],
    ];
    for (const [filter, expected] of cases) {
      await fill();
      await ct.flush(filter);
      expect(await left(), JSON.stringify(filter)).toEqual(expected);
    }
    await expect(ct.flush({ family: 'ipx' as never })).rejects.toThrow(new RangeError("filter.family: expected 'ipv4' or 'ipv6', got 'ipx'"));
    await expect(ct.flush({ mark: 2 ** 32 })).rejects.toThrow(RangeError);
  });

  it('gives one direction a zone of its own, filters and deletes by it', async () => {
    await ct.create({ ...UDP, timeout: 60, originalZone: 7 });
    await ct.create({ ...UDP, sport: 6000, timeout: 60 });
    const [zoned] = await ct.listAll({ originalZone: 7 });
    expect(zoned).toMatchObject({ original: { sport: 5353, zone: 7 }, zone: 0 });
    expect(zoned!.reply.zone).toBeUndefined();
    expect((await ct.listAll({ originalZone: 0 })).map((e) => e.original.sport)).toEqual([6000]);
    expect((await ct.listAll({ replyZone: 7 })).length).toBe(0);
    expect(await ct.deleteMatching({ originalZone: 7 })).toBe(1);
    expect((await ct.listAll()).map((e) => e.original.sport)).toEqual([6000]);
    await expect(ct.create({ ...UDP, timeout: 5, replyZone: 70000 })).rejects.toThrow(new RangeError('entry.replyZone: 70000 is out of range 0..65535'));
    await expect(ct.listAll({ originalZone: -1 })).rejects.toThrow(new RangeError('filter.originalZone: -1 is out of range 0..65535'));
  });

  it('deletes and updates by filter, yielding each entry', async () => {
    await createThree();
    await ct.create({ ...UDP6, timeout: 30 });
    const updated = [];
    for await (const e of ct.updateEach({ protocol: 'udp' }, { mark: 42, status: ['assured'] })) updated.push(e);
    expect(updated.map((e) => [e.original.dst, e.mark, e.status.includes('assured')]).sort()).toEqual([
      ['10.1.0.3', 42, true],
      ['fd00::2', 42, true],
    ]);
    expect((await ct.listAll({ mark: 42 })).length).toBe(2);
    const gone = [];
    for await (const e of ct.deleteEach({ family: 'ipv4', replySport: 53 })) gone.push(e.original.dst);
    expect(gone).toEqual(['10.1.0.3']);
    const id = (await ct.get(TCP))!.id!;
    expect((await ct.listAll({ id })).map((e) => e.protocol)).toEqual(['tcp']);
    await expect(ct.updateEach({ protocol: 'udp' }, { mark: -1 }).next()).rejects.toThrow(new RangeError('change.mark: -1 is out of range 0..4294967295'));
  });

  it('lists the dying and unconfirmed tables and zeroes counters on request; refuses bad list options', async () => {
    await createThree();
    expect(await ct.listAll({}, { table: 'dying' })).toEqual([]);
    expect(await ct.listAll({}, { table: 'unconfirmed' })).toEqual([]);
    expect((await ct.listAll({}, { zero: true })).length).toBe(3);
    await expect(ct.listAll({}, { table: 'nope' as never })).rejects.toThrow(RangeError);
    await expect(ct.listAll({}, { table: 'dying', zero: true })).rejects.toThrow(new RangeError('options.zero: only the conntrack table has counters to zero'));
    await expect(ct.listAll({ status: ['bogus' as never] })).rejects.toThrow(new RangeError("filter.status: unknown flag 'bogus'"));
    await expect(ct.listAll({ src: 7 as never })).rejects.toThrow(new TypeError('filter.src: expected an address, got 7'));
    await expect(ct.listAll({ replyDport: 1e6 })).rejects.toThrow(new RangeError('filter.replyDport: 1000000 is out of range 0..65535'));
  });

  it('reports kernel refusals as NetlinkError with errno and code', async () => {
    await createThree();
    const dup = (await ct.create({ ...TCP, timeout: 5 }).catch((e: unknown) => e)) as NetlinkError;
    expect(dup).toBeInstanceOf(NetlinkError);
    expect({ errno: dup.errno, code: dup.code }).toEqual({ errno: 17, code: 'EEXIST' });
    const missing = (await ct.update({ ...TCP, dport: 81, mark: 1 }).catch((e: unknown) => e)) as NetlinkError;
    expect({ errno: missing.errno, code: missing.code }).toEqual({ errno: 2, code: 'ENOENT' });
    // An unknown helper: the kernel has no such helper to attach.
    const helper = (await ct.create({ ...TCP, sport: 1, timeout: 5, helper: 'no-such-helper' }).catch((e: unknown) => e)) as NetlinkError;
    expect(helper).toBeInstanceOf(NetlinkError);
    expect(helper.code).toBe('EOPNOTSUPP');
  });

  it('reports timestamps when nf_conntrack_timestamp is on in the namespace, the stop time in destroy events', async () => {
    execFileSync('ip', ['netns', 'exec', ns!, 'sysctl', '-qw', 'net.netfilter.nf_conntrack_timestamp=1']);
    try {
      const events = await ct.events({ types: ['destroy'] });
      await ct.create({ ...UDP, timeout: 30 });
      const e = await ct.get(UDP);
      expect(typeof e!.timestamp?.start).toBe('bigint');
      await ct.delete(UDP);
      for await (const ev of events) {
        if ('overrun' in ev) continue;
        expect(ev.entry.timestamp!.stop! >= e!.timestamp!.start!).toBe(true);
        expect(ev.entry.portId).toBeGreaterThan(0);
        break;
      }
    } finally {
      execFileSync('ip', ['netns', 'exec', ns!, 'sysctl', '-qw', 'net.netfilter.nf_conntrack_timestamp=0']);
    }
  });

  describe('expectations', () => {
    const MASTER = { protocol: 'tcp', src: '10.4.0.1', dst: '10.4.0.2', sport: 1000, dport: 21 } as const;
    const EXPECTED = { protocol: 'tcp', src: '10.4.0.2', dst: '10.4.0.1', sport: 0, dport: 2000 } as const;
    const input = {
      master: MASTER,
      tuple: { src: '10.4.0.2', dst: '10.4.0.1', sport: 0, dport: 2000 },
      mask: { src: '255.255.255.255', dst: '255.255.255.255', sport: 0, dport: 0xffff },
      timeout: 60,
    };

    it('creates, lists, gets, counts, deletes and flushes expectations of a master with a helper, with events', async () => {
      // Listening before the master is made: with nf_conntrack_events = 2 only such masters report expectation events.
      const events = await ct.expectationEvents();
      await ct.create({ ...MASTER, timeout: 100, helper: 'ftp', state: 'established' });
      await ct.createExpectation(input);
      const all = await ct.listExpectationsAll();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({
        family: 'ipv4',
        protocol: 'tcp',
        master: { src: '10.4.0.1', dst: '10.4.0.2', sport: 1000, dport: 21 },
        tuple: { src: '10.4.0.2', dst: '10.4.0.1', sport: 0, dport: 2000 },
        mask: { src: '255.255.255.255', dst: '255.255.255.255', sport: 0, dport: 0xffff },
        helper: 'ftp',
        flags: [],
      });
      expect(await ct.listExpectationsAll({ family: 'ipv6' })).toEqual([]);
      expect(await ct.getExpectation(EXPECTED)).toMatchObject({ id: all[0]!.id, helper: 'ftp' });
      expect(await ct.getExpectation({ ...EXPECTED, dport: 2001 })).toBeUndefined();
      const stats = await ct.expectationStats();
      expect(stats.reduce((n, s) => n + s.create, 0)).toBeGreaterThanOrEqual(1);
      expect(await ct.deleteExpectation(EXPECTED)).toBe(true);
      expect(await ct.deleteExpectation(EXPECTED)).toBe(false);
      const seen: string[] = [];
      for await (const e of events) {
        if ('overrun' in e) continue;
        seen.push(`${e.type} ${e.expectation.tuple.dport} ${e.expectation.portId! > 0}`);
        if (seen.length === 2) break;
      }
      expect(seen).toEqual(['new 2000 true', 'destroy 2000 true']);
      await ct.createExpectation(input);
      await ct.flushExpectations({ helper: 'ftp' });
      expect(await ct.listExpectationsAll()).toEqual([]);
      await ct.createExpectation(input);
      await ct.flushExpectations();
      expect(await ct.listExpectationsAll()).toEqual([]);
    });

    it('reports the kernel refusals: no master, a master without a helper', async () => {
      const noMaster = (await ct.createExpectation(input).catch((e: unknown) => e)) as NetlinkError;
      expect({ type: noMaster.constructor.name, code: noMaster.code, errno: noMaster.errno }).toEqual({ type: 'NetlinkError', code: 'ENOENT', errno: 2 });
      await ct.create({ ...MASTER, timeout: 100, state: 'established' });
      const noHelper = (await ct.createExpectation(input).catch((e: unknown) => e)) as NetlinkError;
      expect({ code: noHelper.code, errno: noHelper.errno }).toEqual({ code: 'EOPNOTSUPP', errno: 95 });
    });

    it('refuses bad input naming the field, before sending anything', async () => {
      await expect(ct.createExpectation({ ...input, timeout: undefined as never })).rejects.toThrow(new TypeError('expectation.timeout: required (seconds)'));
      await expect(ct.createExpectation({ ...input, mask: { ...input.mask, src: 'fd00::1' } })).rejects.toThrow(
        new RangeError("expectation.mask.src: 'fd00::1' is not an ipv4 address"),
      );
      await expect(ct.createExpectation({ ...input, master: { ...MASTER, protocol: 'bogus' as never } })).rejects.toThrow(RangeError);
      await expect(ct.createExpectation({ ...input, flags: 'permanent' as never })).rejects.toThrow(
        new TypeError("expectation.flags: expected an array of flag names, got 'permanent'"),
      );
      await expect(ct.createExpectation(null as never)).rejects.toThrow(TypeError);
      await expect(ct.flushExpectations({ family: 'ipx' as never })).rejects.toThrow(new RangeError("filter.family: expected 'ipv4' or 'ipv6', got 'ipx'"));
      await expect(ct.expectationEvents({ types: ['update' as never] })).rejects.toThrow(new RangeError("types: unknown expectation event 'update' (events: new, destroy)"));
      await expect(ct.getExpectation({ ...EXPECTED, dport: -1 })).rejects.toThrow(new RangeError('key.dport: -1 is out of range 0..65535'));
    });
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
