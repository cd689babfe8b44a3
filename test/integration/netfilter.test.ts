// The netlink-raw families of NETLINK_NETFILTER through the spec engine:
// nftables changes as nfnetlink transactions (batch-begin ... batch-end in one
// datagram), read back with dumps and compared with `nft -j list ruleset`
// where nft is installed; conntrack entries produced by a ct rule and UDP
// traffic in the namespace.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FamilyClient } from '../../src/families/client.js';
import { family as conntrack } from '../../src/families/generated/conntrack.js';
import { family as nftables } from '../../src/families/generated/nftables.js';
import { NFPROTO, transaction } from '../../src/families/netfilter/index.js';
import { NLM_F_CREATE, NLM_F_ECHO, NLM_F_EXCL, NetlinkError } from '../../src/index.js';
import type { Family } from '../../src/schema/family.js';
import type { Obj } from '../../src/schema/runtime.js';
import { errnoPrinted, feature, missing } from '../helpers/features.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const NF_INET_LOCAL_OUT = 3;
/** NF_ACCEPT (include/uapi/linux/netfilter.h): written as a number, read back by name ('accept', overlays/nftables.yaml). */
const NF_ACCEPT = 1;
/** Conntrack state bit of a new connection: NF_CT_STATE_BIT(IP_CT_NEW) = 1 << (IP_CT_NEW + 1). */
const NF_CT_STATE_NEW = 1 << 3;
const IPPROTO_UDP = 17;

const nft = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].find((p) => existsSync(p));
const asFamily = (f: unknown): Family => f as Family;
/** A u32 in host byte order, as nft puts register data (ct state is host-endian). */
function hostU32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

interface NftObject {
  table?: Obj;
  chain?: Obj;
  rule?: Obj & { expr: Obj[] };
}

/** The ct rule of the tests: a ct state match and a counter (nft: `ct state new counter`). */
const CT_EXPRESSIONS = {
  elem: [
    { name: 'ct', data: { key: 'state', dreg: 1 } },
    { name: 'bitwise', data: { sreg: 1, dreg: 1, len: 4, mask: { value: hostU32(NF_CT_STATE_NEW) }, xor: { value: hostU32(0) } } },
    { name: 'cmp', data: { sreg: 1, op: 'neq', data: { value: hostU32(0) } } },
    { name: 'counter', data: {} },
  ],
};

// nf_tables and its ct expression, probed with nft (test/helpers/features.ts);
// where nft is not installed they are not probed, and the tests below run.
const lacking = canUseKernel ? (['nftables', 'nftables-ct'] as const).find((f) => feature(f).supported === false) : undefined;

// Only the describe that applies is registered.
if (lacking !== undefined)
  describe(`netfilter families where the kernel lacks ${lacking}`, () => {
    it('fails the transaction nft failed, with the errno nft printed, and leaves no table', async () => {
      const refusal = missing(lacking!);
      const code = errnoPrinted(refusal.stderr);
      expect(code, `nft's refusal names no errno: ${refusal.stderr}`).toBeDefined();
      const ns = await createNetns('nf-missing');
      try {
        const inet = { 'nfgen-family': NFPROTO.inet };
        const err = await (async () => {
          await using client = await FamilyClient.open(asFamily(nftables), { netns: ns });
          await transaction(client, [
            { op: 'newtable', value: { ...inet, name: 'nlkit' }, flags: NLM_F_CREATE },
            ...(lacking === 'nftables-ct'
              ? [
                  {
                    op: 'newchain',
                    value: { ...inet, table: 'nlkit', name: 'out', hook: { num: NF_INET_LOCAL_OUT, priority: 0 }, type: 'filter', policy: NF_ACCEPT },
                    flags: NLM_F_CREATE,
                  },
                  { op: 'newrule', value: { ...inet, table: 'nlkit', chain: 'out', expressions: CT_EXPRESSIONS }, flags: NLM_F_CREATE },
                ]
              : []),
          ]);
        })().then(
          () => new Error('nlkit succeeded where nft was refused'),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(NetlinkError);
        expect((err as NetlinkError).code).toBe(code);
        if (nft) expect(execFileSync('ip', ['netns', 'exec', ns, nft, 'list', 'tables'], { encoding: 'utf8' })).toBe('');
      } finally {
        await removeNetns(ns);
      }
    });
  });

describe.skipIf(!canUseKernel || lacking !== undefined)('netfilter families', () => {
  let ns: string | undefined;
  let client: FamilyClient;
  const table = 'nlkit';
  const inet = { 'nfgen-family': NFPROTO.inet };

  function ruleset(): NftObject[] {
    const out = execFileSync('ip', ['netns', 'exec', ns!, nft!, '-j', 'list', 'ruleset'], { encoding: 'utf8' });
    return (JSON.parse(out) as { nftables: NftObject[] }).nftables;
  }

  function sendUdp(ports: number[]): void {
    // bash opens a UDP socket for /dev/udp: one datagram per port from the namespace.
    const script = ports.map((p) => `echo x > /dev/udp/127.0.0.1/${p}`).join('; ');
    execFileSync('ip', ['netns', 'exec', ns!, 'bash', '-c', script]);
  }

  beforeAll(async () => {
    ns = await createNetns('nf');
    client = await FamilyClient.open(asFamily(nftables), { netns: ns });
  });
  afterAll(async () => {
    client?.close();
    await removeNetns(ns);
  });

  it('creates a table, a chain and a ct rule in one transaction, echoing the rule', async () => {
    const expressions = CT_EXPRESSIONS;
    const replies = await transaction(client, [
      { op: 'newtable', value: { ...inet, name: table }, flags: NLM_F_CREATE },
      { op: 'newchain', value: { ...inet, table, name: 'out', hook: { num: NF_INET_LOCAL_OUT, priority: 0 }, type: 'filter', policy: NF_ACCEPT }, flags: NLM_F_CREATE },
      { op: 'newrule', value: { ...inet, table, chain: 'out', expressions }, flags: NLM_F_CREATE | NLM_F_ECHO },
    ]);
    // Only the rule asked for an echo. NFT_MSG_NEWRULE is the reply of both
    // getrule and getrule-reset in the spec; like the ynl tool, the later one names it.
    expect(replies.map((r) => r.map((m) => m.name))).toEqual([[], [], ['getrule-reset']]);
    const echoed = replies[2]![0]!.msg;
    expect(echoed).toMatchObject({ table, chain: 'out', handle: expect.any(BigInt) });
    expect(((echoed.expressions as Obj).elem as Obj[]).map((e) => e.name)).toEqual(['ct', 'bitwise', 'cmp', 'counter']);
  });

  it('dumps the table, chain and rule back, as nft lists them', async () => {
    const tables = await client.dumpAll('gettable', { 'nfgen-family': NFPROTO.unspec });
    expect(tables).toHaveLength(1);
    expect(tables[0]).toMatchObject({ 'nfgen-family': NFPROTO.inet, name: table, use: 1, flags: [] });
    const chains = await client.dumpAll('getchain', { 'nfgen-family': NFPROTO.unspec });
    expect(chains).toHaveLength(1);
    expect(chains[0]).toMatchObject({ table, name: 'out', hook: { num: NF_INET_LOCAL_OUT, priority: 0 }, type: 'filter', policy: 'accept', use: 1 });
    const rules = await client.dumpAll('getrule', { 'nfgen-family': NFPROTO.unspec });
    expect(rules).toHaveLength(1);
    const elems = (rules[0]!.expressions as Obj).elem as Obj[];
    expect(elems.map((e) => e.data)).toEqual([
      { key: 'state', dreg: 'reg-1' },
      expect.objectContaining({ sreg: 'reg-1', dreg: 'reg-1', len: 4 }),
      { sreg: 'reg-1', op: 'neq', data: { value: hostU32(0) } },
      { bytes: 0n, packets: 0n },
    ]);
    // A get of one object by name.
    expect(await client.do('gettable', { ...inet, name: table })).toMatchObject({ name: table, handle: tables[0]!.handle });
    if (!nft) return;
    const objects = ruleset();
    const t = objects.find((o) => o.table)!.table!;
    expect(t).toMatchObject({ family: 'inet', name: table, handle: Number(tables[0]!.handle) });
    const c = objects.find((o) => o.chain)!.chain!;
    expect(c).toMatchObject({ family: 'inet', table, name: 'out', handle: Number(chains[0]!.handle), type: 'filter', hook: 'output', prio: 0, policy: 'accept' });
    const r = objects.find((o) => o.rule)!.rule!;
    expect(r).toMatchObject({ family: 'inet', table, chain: 'out', handle: Number(rules[0]!.handle) });
    expect(r.expr).toEqual([{ match: { op: 'in', left: { ct: { key: 'state' } }, right: 'new' } }, { counter: { packets: 0, bytes: 0 } }]);
  });

  it('tracks connections once the ct rule is in place, and dumps them with conntrack', async () => {
    sendUdp([9, 10]);
    await using ct = await FamilyClient.open(asFamily(conntrack), { netns: ns! });
    const entries = (await ct.dumpAll('get', { 'nfgen-family': NFPROTO.ipv4 })).filter((e) => ((e['tuple-orig'] as Obj)['tuple-proto'] as Obj)['proto-num'] === IPPROTO_UDP);
    const ports = entries.map((e) => ((e['tuple-orig'] as Obj)['tuple-proto'] as Obj)['proto-dst-port'] as number).sort((a, b) => a - b);
    expect(ports).toEqual([9, 10]);
    for (const e of entries) {
      expect(e['tuple-orig']).toMatchObject({ 'tuple-ip': { 'ip-v4-src': '127.0.0.1', 'ip-v4-dst': '127.0.0.1' } });
      expect(e.status).toContain('confirmed');
      expect(typeof e.id).toBe('number');
    }
    // The reply tuple mirrors the original one.
    const nine = entries.find((e) => ((e['tuple-orig'] as Obj)['tuple-proto'] as Obj)['proto-dst-port'] === 9)!;
    expect(((nine['tuple-reply'] as Obj)['tuple-proto'] as Obj)['proto-src-port']).toBe(9);
    // Per-CPU statistics: one message per CPU.
    const stats = await ct.dumpAll('get-stats', { 'nfgen-family': NFPROTO.unspec });
    expect(stats.length).toBeGreaterThan(0);
    expect(stats[0]).toHaveProperty('found');
    // The rule counted both new flows.
    const [rule] = await client.dumpAll('getrule', { 'nfgen-family': NFPROTO.unspec });
    const counter = ((rule!.expressions as Obj).elem as Obj[]).find((e) => e.name === 'counter')!.data as Obj;
    expect(counter.packets).toBe(2n);
    if (nft) expect(ruleset().find((o) => o.rule)!.rule!.expr[1]).toEqual({ counter: { packets: 2, bytes: Number(counter.bytes) } });
  });

  it('names the failing message of a transaction, with the attribute path', async () => {
    const err = (await transaction(client, [{ op: 'newchain', value: { ...inet, table: 'missing', name: 'c' }, flags: NLM_F_CREATE }]).catch((e: unknown) => e)) as NetlinkError & {
      batchIndex?: number;
    };
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENOENT');
    expect(err.batchIndex).toBe(0);
    // nf_tables_newchain() points at NFTA_CHAIN_TABLE without a message.
    expect(err.attributePath).toBe('table');
    expect(err.message).toBe('nftables newchain failed: No such file or directory (ENOENT) [at table]');
  });

  it("applies nothing of a transaction when one message fails, and reports the kernel's message", async () => {
    const err = (await transaction(client, [
      { op: 'newtable', value: { ...inet, name: 'second' }, flags: NLM_F_CREATE },
      { op: 'newchain', value: { ...inet, table: 'second', name: 'x'.repeat(300) }, flags: NLM_F_CREATE },
    ]).catch((e: unknown) => e)) as NetlinkError & { batchIndex?: number };
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.batchIndex).toBe(1);
    expect(err.code).toBe('ERANGE');
    // NFTA_CHAIN_NAME is NLA_STRING with len NFT_NAME_MAXLEN - 1: the policy check fails.
    expect(err.extAck?.message).toBe('Attribute failed policy validation');
    expect(err.attributePath).toBe('name');
    expect((await client.dumpAll('gettable', { 'nfgen-family': NFPROTO.unspec })).map((t) => t.name)).toEqual([table]);
  });

  it('refuses to create an existing table with NLM_F_EXCL', async () => {
    const err = (await transaction(client, [{ op: 'newtable', value: { ...inet, name: table }, flags: NLM_F_CREATE | NLM_F_EXCL }]).catch((e: unknown) => e)) as NetlinkError & {
      batchIndex?: number;
    };
    expect(err.code).toBe('EEXIST');
    expect(err.batchIndex).toBe(0);
  });

  it('deletes the rule, chain and table in one transaction', async () => {
    const [rule] = await client.dumpAll('getrule', { 'nfgen-family': NFPROTO.unspec });
    await transaction(client, [
      { op: 'delrule', value: { ...inet, table, chain: 'out', handle: rule!.handle } },
      { op: 'delchain', value: { ...inet, table, name: 'out' } },
      { op: 'deltable', value: { ...inet, name: table } },
    ]);
    expect(await client.dumpAll('gettable', { 'nfgen-family': NFPROTO.unspec })).toEqual([]);
    if (nft) expect(ruleset().filter((o) => o.table || o.chain || o.rule)).toEqual([]);
  });

  it('sends plain batches without the transaction framing too', async () => {
    // Outside batch-begin / batch-end nfnetlink handles messages one by one.
    const replies = await client.batch([{ op: 'gettable', value: { ...inet, name: 'absent' }, flags: 0 }]).catch((e: unknown) => e);
    expect(replies).toBeInstanceOf(NetlinkError);
    expect((replies as NetlinkError & { batchIndex?: number }).batchIndex).toBe(0);
    expect((replies as NetlinkError).message).toBe('nftables gettable failed: No such file or directory (ENOENT) [at name]');
  });
});
