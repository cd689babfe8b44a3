// Generic netlink families of this kernel through their generated modules:
// nlctrl (operations and policies), ethtool and netdev on veth links,
// mptcp_pm endpoints and limits, tcp_metrics after a real TCP connection.
// Where the kernel's own ynl tool is installed (bash scripts/ynl-reference.sh)
// its output for the same request, run in the same namespace, is the reference.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FamilyClient } from '../../src/families/client.js';
import * as genl from '../../src/families/genl/index.js';
import { family as ethtool } from '../../src/families/generated/ethtool.js';
import { family as mptcp } from '../../src/families/generated/mptcp_pm.js';
import { family as netdev } from '../../src/families/generated/netdev.js';
import { family as nlctrl } from '../../src/families/generated/nlctrl.js';
import { family as tcpMetrics } from '../../src/families/generated/tcp_metrics.js';
import { NetlinkError, NetlinkSocket, isOverrun } from '../../src/index.js';
import type { Family } from '../../src/schema/family.js';
import type { Obj } from '../../src/schema/runtime.js';
import { feature, has, ipWouldPrint, readIpRefusal, requireFeatures, type FeatureName } from '../helpers/features.js';
import { canUseKernel, createNetns, ip, ipJson, removeNetns } from '../helpers/kernel.js';

const NETLINK_GENERIC = 16;
const root = path.resolve(import.meta.dirname, '..', '..');
const specs = path.resolve(root, '..', 'shared', 'ynl-specs', 'specs');

/**
 * Path of the kernel's ynl cli.py when scripts/ynl-reference.sh has installed
 * it (the test does not install it: that downloads a kernel source package).
 */
function findYnl(): string | undefined {
  const cli = path.join(root, '.cache', 'ynl-ref', 'tools', 'net', 'ynl', 'pyynl', 'cli.py');
  return existsSync(cli) && existsSync('/usr/bin/python3') ? cli : undefined;
}
const ynlCli = canUseKernel ? findYnl() : undefined;

/** Runs the kernel's ynl tool (optionally inside a namespace) and parses its JSON. */
function ynl(ns: string | undefined, spec: string, args: string[]): unknown {
  const cmd = ['/usr/bin/python3', ynlCli!, '--spec', path.join(specs, `${spec}.yaml`), '--output-json', ...args];
  const out = ns ? execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8' }) : execFileSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : null;
}

/**
 * JSON-like form for comparing with the ynl tool: bigint as number, bytes as
 * Python's bytes.hex() would not matter here (none are compared), and arrays
 * of names sorted, because ynl collects flag names in a Python set, whose
 * order is arbitrary.
 */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) {
    const items = v.map(plain);
    return items.every((x) => typeof x === 'string') ? [...(items as string[])].sort() : items;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x);
    return out;
  }
  return v;
}

const asFamily = (f: unknown): Family => f as Family;
const withYnl = ynlCli ? it : it.skip;

// The families this file works with, each probed (`genl ctrl get name X`):
// the tests of a family the kernel lacks are replaced by a check that nlkit
// reports it missing as genl does (see 'family resolution' below).
// wireguard is only resolved: where the kernel has it, as genl ctrl does.
const FAMILIES = ['ethtool', 'netdev', 'mptcp_pm', 'tcp_metrics', 'wireguard'] as const;
const probeOf = (family: (typeof FAMILIES)[number]): FeatureName => `genl-${family}`;
const present = canUseKernel ? FAMILIES.filter((f) => has(probeOf(f))) : [];
const describeIf = (families: Array<(typeof FAMILIES)[number]>) => describe.skipIf(!families.every((f) => present.includes(f)));
const withEthtool = present.includes('ethtool') ? it : it.skip;
const withYnlAndEthtool = ynlCli && present.includes('ethtool') ? it : it.skip;

describe.skipIf(!canUseKernel)('generic netlink families', () => {
  let ns: string | undefined;
  let v0: number;
  let socket: NetlinkSocket;

  beforeAll(async () => {
    requireFeatures('veth');
    ns = await createNetns('genl');
    ip(ns, ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    ip(ns, ['link', 'set', 'v0', 'up']);
    ip(ns, ['link', 'set', 'v1', 'up']);
    v0 = ipJson<{ ifindex: number }[]>(ns, ['link', 'show', 'v0'])[0]!.ifindex;
    socket = await NetlinkSocket.open(NETLINK_GENERIC, { netns: ns });
  });
  afterAll(async () => {
    socket?.close();
    await removeNetns(ns);
  });

  describe('nlctrl', () => {
    it('lists the same families as iproute2 genl ctrl list', async () => {
      const names = (await genl.families(socket)).map((f) => f.name).sort();
      const out = execFileSync('ip', ['netns', 'exec', ns!, 'genl', 'ctrl', 'list'], { encoding: 'utf8' });
      const expected = [...out.matchAll(/^Name: (\S+)/gm)].map((m) => m[1]!).sort();
      expect(names).toEqual(expected);
      expect(names).toEqual(expect.arrayContaining(['nlctrl', ...present]));
    });

    withEthtool('gets a family with the generated nlctrl module as the ynl tool prints it', async () => {
      await using client = await FamilyClient.open(asFamily(nlctrl), { socket });
      const reply = await client.do('getfamily', { 'family-name': 'ethtool' });
      expect(reply?.['family-name']).toBe('ethtool');
      if (ynlCli) expect(plain(reply)).toEqual(plain(ynl(ns, 'nlctrl', ['--do', 'getfamily', '--json', '{"family-name":"ethtool"}'])));
    });

    withEthtool('names the operations of ethtool and their flags', async () => {
      const ops = await genl.operations(socket, asFamily(ethtool));
      const rings = ops.find((o) => o.name === 'rings-get');
      expect(rings).toEqual({ id: ethtool.ops['rings-get'].requestValue, name: 'rings-get', flags: ['cmd-cap-do', 'cmd-cap-dump', 'cmd-cap-haspol'] });
      // Setting rings needs CAP_NET_ADMIN in the device's user namespace.
      expect(ops.find((o) => o.name === 'rings-set')?.flags).toEqual(['cmd-cap-do', 'cmd-cap-haspol', 'uns-admin-perm']);
      // Every command the kernel reports has a name in the 7.3 spec.
      expect(ops.filter((o) => o.name === undefined)).toEqual([]);
      if (ynlCli) {
        const ref = ynl(ns, 'nlctrl', ['--do', 'getfamily', '--json', '{"family-name":"ethtool"}']) as { ops: Record<string, { id: number; flags: string[] }>[] };
        const expected = ref.ops.map((entry) => Object.values(entry)[0]!).map((o) => ({ id: o.id, flags: [...o.flags].sort() }));
        expect(ops.map((o) => ({ id: o.id, flags: [...o.flags].sort() }))).toEqual(expected);
      }
    });

    withYnl("dumps nlctrl's own policy with the values ynl --dump getpolicy prints", async () => {
      const p = await genl.policy(socket, asFamily(nlctrl));
      expect(p.familyId).toBe(0x10);
      // getpolicy only dumps: the kernel reports it as command 0, nlkit by its number.
      expect(p.operations).toEqual([
        { id: 3, name: 'getfamily', do: 0, dump: 0 },
        { id: 10, name: 'getpolicy', dump: 1 },
      ]);
      expect(p.policies.get(1)?.get(10)).toEqual({ type: 'u32', name: 'op', minValue: 0n, maxValue: 4294967295n });
      expect(p.policies.get(0)?.get(2)).toEqual({ type: 'nul-string', name: 'family-name', maxLength: 15 });
      const ref = ynl(ns, 'nlctrl', ['--dump', 'getpolicy', '--json', '{"family-name":"nlctrl"}']) as Obj[];
      const expected: Record<string, unknown> = {};
      for (const m of ref) {
        const pol = m.policy as Record<string, unknown> | undefined;
        if (!pol) continue;
        const { 'policy-id': index, 'attr-id': attr, ...rest } = pol;
        expected[`${String(index)}/${String(attr)}`] = rest;
      }
      const ours: Record<string, unknown> = {};
      for (const [index, attrs] of p.policies) {
        for (const [attr, a] of attrs) {
          const e: Record<string, unknown> = { type: a.type };
          // The kernel sends signed or unsigned bounds by the attribute's type.
          const signed = a.type.startsWith('s');
          if (a.minValue !== undefined) e[signed ? 'min-value-s' : 'min-value-u'] = Number(a.minValue);
          if (a.maxValue !== undefined) e[signed ? 'max-value-s' : 'max-value-u'] = Number(a.maxValue);
          if (a.minLength !== undefined) e['min-length'] = a.minLength;
          if (a.maxLength !== undefined) e['max-length'] = a.maxLength;
          if (a.policyIndex !== undefined) e['policy-idx'] = a.policyIndex;
          if (a.maxType !== undefined) e['policy-maxtype'] = a.maxType;
          if (a.bitfield32Mask !== undefined) e['bitfield32-mask'] = a.bitfield32Mask;
          if (a.mask !== undefined) e.mask = Number(a.mask);
          ours[`${index}/${attr}`] = e;
        }
      }
      expect(ours).toEqual(expected);
    });

    withYnlAndEthtool('gives the policy of ethtool rings-get as ynl --policy prints it', async () => {
      const p = await genl.policy(socket, asFamily(ethtool), { op: 'rings-get' });
      expect(p.operations).toHaveLength(1);
      const tree = p.tree('rings-get', 'do')!;
      expect(tree.header?.type).toBe('nested');
      expect(tree.header?.policy?.['dev-index']).toEqual({ type: 'u32', 'min-value': 0n, 'max-value': 4294967295n });
      expect(tree.header?.policy?.['dev-name']?.type).toBe('nul-string');
      expect(plain(tree)).toEqual(ynl(ns, 'ethtool', ['--do', 'rings-get', '--policy']));
      expect(plain(p.tree('rings-get', 'dump'))).toEqual(ynl(ns, 'ethtool', ['--dump', 'rings-get', '--policy']));
    });

    (ynlCli && present.includes('ethtool') && present.includes('netdev') ? it : it.skip)('gives the policy trees of every ethtool and netdev operation as ynl does', async () => {
      for (const fam of [asFamily(ethtool), asFamily(netdev)]) {
        const p = await genl.policy(socket, fam);
        const checked: string[] = [];
        for (const op of p.operations) {
          expect(op.name, `${fam.name} command ${op.id}`).toBeDefined();
          // One ynl run per operation would take long: compare a few, check that all build.
          for (const mode of ['do', 'dump'] as const) if (op[mode] !== undefined) expect(p.tree(op.name!, mode)).toBeTypeOf('object');
          if (['features-set', 'cable-test-tdr-act', 'page-pool-stats-get', 'qstats-get'].includes(op.name!)) {
            const mode = op.do !== undefined ? 'do' : 'dump';
            expect(plain(p.tree(op.name!, mode)), `${fam.name} ${op.name} ${mode}`).toEqual(ynl(ns, fam.name, [`--${mode}`, op.name!, '--policy']));
            checked.push(op.name!);
          }
        }
        expect(checked.length).toBeGreaterThan(0);
      }
    });

    withEthtool('names nested policies by their attribute sets', async () => {
      const p = await genl.policy(socket, asFamily(ethtool), { op: 'features-set' });
      const header = p.operation('features-set')!;
      const root = p.policies.get(header.do!)!;
      const headerPolicy = [...root.values()].find((a) => a.name === 'header')!;
      expect(headerPolicy.type).toBe('nested');
      expect(p.attributeSet(headerPolicy.policyIndex!)).toBe('header');
      expect([...p.policies.get(headerPolicy.policyIndex!)!.values()].map((a) => a.name)).toEqual(expect.arrayContaining(['dev-index', 'dev-name', 'flags']));
    });

    it.each(
      FAMILIES.map(
        (f) => [f, present.includes(f) ? 'resolves it as genl ctrl get does' : 'the kernel lacks it: nlkit reports it missing with the errno genl ctrl get meets'] as const,
      ),
    )('%s: %s', async (name) => {
      const ref = spawnSync('ip', ['netns', 'exec', ns!, 'genl', 'ctrl', 'get', 'name', name], { encoding: 'utf8' });
      const probe = feature(probeOf(name));
      if (probe.supported !== false) {
        expect(ref.status).toBe(0);
        const id = Number(/\bID: (0x[0-9a-f]+)/.exec(ref.stdout)?.[1]);
        expect((await genl.resolve(socket, name)).id).toBe(id);
        return;
      }
      expect({ code: ref.status, stderr: ref.stderr }).toEqual({ code: probe.status, stderr: probe.stderr });
      const err = (await genl.resolve(socket, name).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(genl.FamilyNotFoundError);
      expect(err.message).toBe(`generic netlink family '${name}' is not registered in this kernel (is its module loaded?)`);
      const cause = err.cause as NetlinkError;
      expect(cause).toBeInstanceOf(NetlinkError);
      // genl prints the kernel's refusal on its first line, then "Error talking to the kernel".
      const theirs = readIpRefusal(ref.stderr);
      expect({ code: cause.code, message: cause.extAck?.message, printed: ipWouldPrint(cause) }).toEqual({
        code: theirs.code,
        message: theirs.message,
        printed: `${ref.stderr.split('\n')[0]!}\n`,
      });
    });

    it('reports an unknown family by name', async () => {
      await expect(genl.policy(socket, 'no-such-family')).rejects.toThrow("generic netlink family 'no-such-family' is not registered in this kernel");
    });
  });

  describeIf(['ethtool'])('ethtool on veth', () => {
    let client: FamilyClient;
    beforeAll(async () => {
      client = await FamilyClient.open(asFamily(ethtool), { socket });
    });

    const ops = ['linkinfo-get', 'linkmodes-get', 'linkstate-get', 'channels-get', 'features-get', 'tsinfo-get', 'strset-get'];
    it.each(ops)('%s by dev-name answers for that device', async (op) => {
      const reply = await client.do(op, { header: { 'dev-name': 'v0' } });
      expect(reply?.header).toEqual({ 'dev-index': v0, 'dev-name': 'v0' });
      if (ynlCli) expect(plain(reply)).toEqual(plain(ynl(ns, 'ethtool', ['--do', op, '--json', '{"header":{"dev-name":"v0"}}'])));
    });

    it('gets veth link modes and channels with their values', async () => {
      const modes = await client.do('linkmodes-get', { header: { 'dev-index': v0 } });
      expect(modes).toMatchObject({ speed: 10000, duplex: 1, autoneg: 0 });
      const channels = await client.do('channels-get', { header: { 'dev-index': v0 } });
      expect(channels).toMatchObject({ 'rx-count': 1, 'tx-count': 1, 'rx-max': expect.any(Number), 'tx-max': expect.any(Number) });
    });

    it('changes the channel count and reads it back', async () => {
      // veth allows as many channels as CPUs; set rx back to 1 at the end.
      const max = (await client.do('channels-get', { header: { 'dev-name': 'v1' } }))!['rx-max'] as number;
      const want = Math.min(2, max);
      await client.do('channels-set', { header: { 'dev-name': 'v1' }, 'rx-count': want });
      expect((await client.do('channels-get', { header: { 'dev-name': 'v1' } }))?.['rx-count']).toBe(want);
      await client.do('channels-set', { header: { 'dev-name': 'v1' }, 'rx-count': 1 });
    });

    it('dumps link info of every device in the namespace', async () => {
      const all = await client.dumpAll('linkinfo-get', {});
      expect(all.map((m) => (m.header as Obj)['dev-name']).sort()).toEqual(['v0', 'v1']);
    });

    it("rejects an unknown device with ENODEV, the kernel's message and the attribute path", async () => {
      const err = (await client.do('rings-get', { header: { 'dev-name': 'nosuch0' } }).catch((e: unknown) => e)) as NetlinkError;
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('ENODEV');
      expect(err.extAck?.message).toBe('no device matches name');
      expect(err.attributePath).toBe('header.dev-name');
      expect(err.message).toBe('ethtool rings-get failed: No such device (ENODEV): no device matches name [at header.dev-name]');
    });

    it('reports EOPNOTSUPP for ring parameters veth does not have', async () => {
      const err = (await client.do('rings-get', { header: { 'dev-name': 'v0' } }).catch((e: unknown) => e)) as NetlinkError;
      expect(err.code).toBe('EOPNOTSUPP');
      expect(err.message).toBe('ethtool rings-get failed: Operation not supported (EOPNOTSUPP)');
    });

    it("rejects a flag outside the policy mask with the kernel's message", async () => {
      // ETHTOOL_A_HEADER_FLAGS has a mask policy (NLA_POLICY_MASK(NLA_U32, ETHTOOL_FLAG_ALL)).
      const err = (await client.do('linkinfo-get', { header: { 'dev-name': 'v0', flags: 0x80 } }).catch((e: unknown) => e)) as NetlinkError;
      expect(err.code).toBe('EINVAL');
      expect(err.attributePath).toBe('header.flags');
      expect(err.extAck?.message).toBe('reserved bit set');
    });
  });

  describeIf(['netdev', 'ethtool'])('netdev', () => {
    it('gets one device and dumps all with the xdp features ynl shows', async () => {
      await using client = await FamilyClient.open(asFamily(netdev), { socket });
      const one = await client.do('dev-get', { ifindex: v0 });
      expect(one?.ifindex).toBe(v0);
      expect(one?.['xdp-features']).toEqual(expect.arrayContaining(['basic', 'redirect']));
      const all = await client.dumpAll('dev-get', {});
      expect(all.map((d) => d.ifindex).sort()).toEqual(
        ipJson<{ ifindex: number }[]>(ns!, ['link', 'show'])
          .map((l) => l.ifindex)
          .sort(),
      );
      if (ynlCli) expect(plain(all)).toEqual(plain(ynl(ns, 'netdev', ['--dump', 'dev-get'])));
    });

    it('shows the NAPI instance veth gets with GRO, and changes its settings', async () => {
      await using eth = await FamilyClient.open(asFamily(ethtool), { socket });
      await using client = await FamilyClient.open(asFamily(netdev), { socket });
      expect(await client.dumpAll('napi-get', { ifindex: v0 })).toEqual([]);
      // With GRO on, veth receives through NAPI (veth_set_features() -> veth_napi_enable()).
      const [set] = await eth.request('features-set', { header: { 'dev-name': 'v0' }, wanted: { bits: { bit: [{ name: 'rx-gro', value: true }] } } });
      expect((set?.active as { bits: { bit: Obj[] } }).bits.bit).toEqual([{ index: expect.any(Number), name: 'rx-gro', value: true }]);
      const napis = await client.dumpAll('napi-get', { ifindex: v0 });
      expect(napis).toHaveLength(1);
      const napi = napis[0]!;
      expect(napi).toMatchObject({ ifindex: v0, 'defer-hard-irqs': 0, threaded: 'disabled' });
      await client.do('napi-set', { id: napi.id, 'defer-hard-irqs': 2, 'gro-flush-timeout': 20000n });
      expect(await client.do('napi-get', { id: napi.id })).toMatchObject({ id: napi.id, 'defer-hard-irqs': 2, 'gro-flush-timeout': 20000n });
      if (ynlCli)
        expect(plain(await client.dumpAll('napi-get', { ifindex: v0 }))).toEqual(plain(ynl(ns, 'netdev', ['--dump', 'napi-get', '--json', JSON.stringify({ ifindex: v0 })])));
      // veth registers neither page pools with a netdev nor queue statistics
      // (no netdev_stat_ops): the kernel lists no pool, and refuses qstats for
      // it, pointing at the ifindex attribute.
      expect((await client.dumpAll('page-pool-get', {})).filter((p) => p.ifindex === v0)).toEqual([]);
      const err = (await client.dumpAll('qstats-get', { ifindex: v0 }).catch((e: unknown) => e)) as NetlinkError;
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('EOPNOTSUPP');
      expect(err.attributePath).toBe('ifindex');
      expect(await client.dumpAll('qstats-get', {})).toEqual([]);
      const queues = await client.dumpAll('queue-get', { ifindex: v0 });
      expect(queues).toEqual([
        { id: 0, ifindex: v0, type: 'rx' },
        { id: 0, ifindex: v0, type: 'tx' },
      ]);
      await eth.do('features-set', { header: { 'dev-name': 'v0' }, wanted: { bits: { bit: [{ name: 'rx-gro', value: false }] } } });
      expect(await client.dumpAll('napi-get', { ifindex: v0 })).toEqual([]);
    });

    it('announces devices added and deleted on the mgmt group', async () => {
      await using client = await FamilyClient.open(asFamily(netdev), { netns: ns! });
      const sub = await client.subscribe('mgmt');
      ip(ns!, ['link', 'add', 'w0', 'type', 'veth', 'peer', 'name', 'w1']);
      const w0 = ipJson<{ ifindex: number }[]>(ns!, ['link', 'show', 'w0'])[0]!.ifindex;
      ip(ns!, ['link', 'del', 'w0']);
      const seen: string[] = [];
      for await (const n of sub) {
        if (isOverrun(n)) continue;
        if (n.msg.ifindex === w0) seen.push(n.name);
        if (seen.includes('dev-del-ntf')) break;
      }
      expect(seen[0]).toBe('dev-add-ntf');
      expect(seen.at(-1)).toBe('dev-del-ntf');
    });
  });

  describeIf(['mptcp_pm'])('mptcp_pm', () => {
    // include/uapi/linux/mptcp.h; the spec gives the flags attribute no enum, so it is a number.
    const MPTCP_PM_ADDR_FLAG_SIGNAL = 1;
    const MPTCP_PM_ADDR_FLAG_SUBFLOW = 2;
    const addr4 = (text: string): number => text.split('.').reduce((n, b) => n * 256 + Number(b), 0);

    it('adds, gets, lists and deletes endpoints, and sets limits', async () => {
      await using client = await FamilyClient.open(asFamily(mptcp), { socket });
      ip(ns!, ['addr', 'add', '10.7.0.1/24', 'dev', 'v0']);
      await client.do('add-addr', { addr: { family: 2, addr4: addr4('10.7.0.1'), id: 5, flags: MPTCP_PM_ADDR_FLAG_SIGNAL } });
      await client.do('add-addr', { addr: { family: 2, addr4: addr4('10.7.0.2'), id: 6, flags: MPTCP_PM_ADDR_FLAG_SUBFLOW, 'if-idx': v0 } });
      const five = await client.do('get-addr', { addr: { id: 5 } });
      expect(plain(five)).toEqual({ addr: { family: 2, id: 5, addr4: addr4('10.7.0.1'), port: 0, flags: MPTCP_PM_ADDR_FLAG_SIGNAL } });
      const all = await client.dumpAll('get-addr', {});
      expect(all.map((a) => (a.addr as Obj).id)).toEqual([5, 6]);
      if (ynlCli) expect(plain(all)).toEqual(plain(ynl(ns, 'mptcp_pm', ['--dump', 'get-addr'])));
      // iproute2 sees the same endpoints.
      const endpoints = ipJson<{ address: string; id: number }[]>(ns!, ['mptcp', 'endpoint', 'show']);
      expect(endpoints.map((e) => [e.address, e.id])).toEqual([
        ['10.7.0.1', 5],
        ['10.7.0.2', 6],
      ]);

      await client.do('set-limits', { 'rcv-add-addrs': 3, subflows: 4 });
      expect(await client.do('get-limits', {})).toEqual({ 'rcv-add-addrs': 3, subflows: 4 });

      await client.do('del-addr', { addr: { id: 5 } });
      expect((await client.dumpAll('get-addr', {})).map((a) => (a.addr as Obj).id)).toEqual([6]);
      await client.do('flush-addrs', {});
      expect(await client.dumpAll('get-addr', {})).toEqual([]);
    });

    it("rejects a missing endpoint with the kernel's message", async () => {
      await using client = await FamilyClient.open(asFamily(mptcp), { socket });
      const err = (await client.do('get-addr', { addr: { id: 99 } }).catch((e: unknown) => e)) as NetlinkError;
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('EINVAL');
      expect(err.extAck?.message).toBe('address not found');
    });
  });

  describeIf(['tcp_metrics'])('tcp_metrics', () => {
    it('dumps the metrics a TCP connection left, gets one and deletes it', async () => {
      ip(ns!, ['addr', 'add', '10.8.0.1/32', 'dev', 'lo']);
      // One connection to an address of the namespace; the kernel saves its
      // metrics when the connection closes.
      execFileSync('ip', [
        'netns',
        'exec',
        ns!,
        '/usr/bin/python3',
        '-c',
        [
          'import socket, threading',
          's = socket.socket(); s.bind(("10.8.0.1", 5001)); s.listen()',
          'def serve():',
          '    c, _ = s.accept(); c.sendall(b"x" * 100000); c.close()',
          't = threading.Thread(target=serve); t.start()',
          'k = socket.create_connection(("10.8.0.1", 5001))',
          'while k.recv(65536): pass',
          'k.close(); t.join()',
        ].join('\n'),
      ]);
      await using client = await FamilyClient.open(asFamily(tcpMetrics), { socket });
      const all = await client.dumpAll('get', {});
      const entry = all.find((m) => m['addr-ipv4'] === '10.8.0.1');
      expect(entry).toBeDefined();
      expect(entry?.['saddr-ipv4']).toBe('10.8.0.1');
      expect(typeof entry?.age).toBe('bigint');
      expect(entry?.vals).toHaveProperty('rtt');
      const ref = ipJson<{ dst: string; rtt: number; cwnd?: number }[]>(ns!, ['tcp_metrics', 'show']);
      expect(ref.map((m) => m.dst)).toEqual(all.map((m) => m['addr-ipv4']));
      const one = await client.do('get', { 'addr-ipv4': '10.8.0.1', 'saddr-ipv4': '10.8.0.1' });
      expect(one?.['addr-ipv4']).toBe('10.8.0.1');
      await client.do('del', { 'addr-ipv4': '10.8.0.1', 'saddr-ipv4': '10.8.0.1' });
      expect((await client.dumpAll('get', {})).some((m) => m['addr-ipv4'] === '10.8.0.1')).toBe(false);
      const err = (await client.do('get', { 'addr-ipv4': '10.8.0.1' }).catch((e: unknown) => e)) as NetlinkError;
      expect(err.code).toBe('ESRCH');
    });
  });
});
