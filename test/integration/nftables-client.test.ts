// NftablesClient: tables, chains and rules written with typed expressions and
// read back as objects, checked against what nft itself lists, and rules
// written by nft read back as typed expressions.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../src/core/errors.js';
import { NftablesClient, expr, isExpression, verdict, type NftExpression } from '../../src/families/netfilter/nftables.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const nft = (ns: string, args: string[]): string => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8' });
const be16 = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff);
const ipv4 = (text: string): Uint8Array => Uint8Array.from(text.split('.').map(Number));

/** What the rule's expressions are, without counter values: name and the data fields that identify them. */
function shape(e: NftExpression): string {
  if (isExpression(e, 'payload')) return `payload ${e.data.base} +${e.data.offset} ${e.data.len} -> ${e.data.dreg}`;
  if (isExpression(e, 'meta')) return `meta ${e.data.key} -> ${e.data.dreg}`;
  if (isExpression(e, 'cmp')) return `cmp ${e.data.op} ${e.data.sreg} ${Buffer.from(e.data.data?.value ?? []).toString('hex')}`;
  if (isExpression(e, 'ct')) return `ct ${e.data.key} -> ${e.data.dreg}`;
  if (isExpression(e, 'bitwise')) return `bitwise ${e.data.op} ${e.data.sreg} -> ${e.data.dreg}`;
  if (isExpression(e, 'counter')) return 'counter';
  if (isExpression(e, 'limit')) return `limit ${e.data.rate}/${e.data.unit} burst ${e.data.burst} ${e.data.type}`;
  if (isExpression(e, 'log')) return `log prefix ${e.data.prefix} group ${e.data.group}`;
  if (isExpression(e, 'lookup')) return `lookup ${e.data.set} ${e.data.sreg}`;
  if (isExpression(e, 'immediate')) return `immediate ${e.data.dreg} ${e.data.data?.verdict?.code}${e.data.data?.verdict?.chain ? ` ${e.data.data.verdict.chain}` : ''}`;
  if (isExpression(e, 'masq')) return 'masq';
  if (isExpression(e, 'nat')) return `nat ${e.data.type} ${e.data['reg-addr-min']}`;
  return `other ${e.name}`;
}

describe.skipIf(!canUseKernel)('NftablesClient', () => {
  let ns = '';
  let client: NftablesClient;

  beforeAll(async () => {
    ns = await createNetns('nftc');
    client = await NftablesClient.open({ netns: ns });
  });
  afterAll(async () => {
    client?.close();
    await removeNetns(ns);
  });

  it('adds a table, a base chain and a rule of typed expressions that nft lists as the statement they make', async () => {
    await client.apply([
      { add: 'table', table: { family: 'inet', name: 'filter' } },
      { add: 'chain', chain: { family: 'inet', table: 'filter', name: 'input', hook: { hook: 'input', priority: 0, type: 'filter', policy: 'accept' } } },
      { add: 'chain', chain: { family: 'inet', table: 'filter', name: 'other' } },
    ]);
    const rule = await client.addRule({
      family: 'inet',
      table: 'filter',
      chain: 'input',
      expressions: [
        expr('meta', { key: 'nfproto', dreg: 'reg-1' }),
        expr('cmp', { op: 'eq', sreg: 'reg-1', data: { value: Uint8Array.of(2) } }),
        expr('payload', { base: 'network-header', offset: 12, len: 4, dreg: 'reg-1' }),
        expr('cmp', { op: 'eq', sreg: 'reg-1', data: { value: ipv4('10.1.2.3') } }),
        expr('meta', { key: 'l4-proto', dreg: 'reg-1' }),
        expr('cmp', { op: 'eq', sreg: 'reg-1', data: { value: Uint8Array.of(6) } }),
        expr('payload', { base: 'transport-header', offset: 2, len: 2, dreg: 'reg-1' }),
        expr('cmp', { op: 'eq', sreg: 'reg-1', data: { value: be16(22) } }),
        expr('counter'),
        verdict('jump', 'other'),
      ],
    });
    expect(rule.handle).toBeGreaterThan(0n);
    expect(rule.expressions.map(shape)).toEqual([
      'meta nfproto -> reg-1',
      'cmp eq reg-1 02',
      'payload network-header +12 4 -> reg-1',
      'cmp eq reg-1 0a010203',
      'meta l4-proto -> reg-1',
      'cmp eq reg-1 06',
      'payload transport-header +2 2 -> reg-1',
      'cmp eq reg-1 0016',
      'counter',
      'immediate reg-verdict jump other',
    ]);
    const listed = nft(ns, ['-a', 'list', 'chain', 'inet', 'filter', 'input']);
    expect(listed).toContain(`ip saddr 10.1.2.3 tcp dport 22 counter packets 0 bytes 0 jump other # handle ${rule.handle}`);
    expect(listed).toContain('type filter hook input priority filter; policy accept;');
  });

  it('reads back the tables and chains nft shows', async () => {
    const tables = await client.tables({ family: 'inet' });
    expect(tables.map((t) => [t.family, t.name])).toEqual([['inet', 'filter']]);
    const chains = await client.chains({ family: 'inet', table: 'filter' });
    expect(chains.map((c) => [c.name, c.hook])).toEqual([
      ['input', { hook: 'input', priority: 0, type: 'filter', policy: 'accept' }],
      ['other', undefined],
    ]);
  });

  it('reads rules written by nft as typed expressions, registers and keys by name', async () => {
    nft(ns, ['add', 'table', 'ip', 'nat']);
    nft(ns, ['add', 'chain', 'ip', 'nat', 'post', '{ type nat hook postrouting priority srcnat; }']);
    nft(ns, [
      'add',
      'rule',
      'ip',
      'nat',
      'post',
      'ct',
      'state',
      'established',
      'limit',
      'rate',
      '10/second',
      'burst',
      '5',
      'packets',
      'log',
      'prefix',
      '"seen "',
      'group',
      '3',
      'masquerade',
    ]);
    nft(ns, ['add', 'rule', 'ip', 'nat', 'post', 'ip', 'daddr', '{ 10.9.0.1, 10.9.0.2 }', 'snat', 'to', '192.0.2.1']);
    const rules = await client.rules({ family: 'ip', table: 'nat', chain: 'post' });
    expect(rules.map((r) => r.expressions.map(shape))).toEqual([
      ['ct state -> reg-1', 'bitwise mask-xor reg-1 -> reg-1', 'cmp neq reg-1 00000000', 'limit 10/1 burst 5 pkts', 'log prefix seen  group 3', 'masq'],
      ['payload network-header +16 4 -> reg-1', `lookup __set0 reg-1`, 'immediate reg-1 undefined', 'nat snat reg-1'],
    ]);
    expect(rules.every((r) => r.family === 'ip' && r.table === 'nat' && r.chain === 'post' && r.handle > 0n)).toBe(true);
  });

  it('deletes a rule by handle and a table with its chains', async () => {
    const [rule] = await client.rules({ family: 'inet', table: 'filter', chain: 'input' });
    await client.deleteRule({ family: 'inet', table: 'filter', chain: 'input', handle: rule!.handle });
    expect(await client.rules({ family: 'inet', table: 'filter' })).toEqual([]);
    await client.deleteTable({ family: 'inet', name: 'filter' });
    expect((await client.tables()).map((t) => t.name)).toEqual(['nat']);
  });

  it('applies all changes or none: a failing change leaves nothing and names its position', async () => {
    const before = await client.generation();
    const err = await client
      .apply([
        { add: 'table', table: { family: 'inet', name: 'partial' } },
        { add: 'rule', rule: { family: 'inet', table: 'partial', chain: 'missing', expressions: [expr('counter')] } },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('ENOENT');
    expect((err as NetlinkError & { batchIndex?: number }).batchIndex).toBe(1);
    expect((await client.tables()).map((t) => t.name)).toEqual(['nat']);
    expect(await client.generation()).toBe(before);
  });

  it('checks arguments before sending, naming the field', async () => {
    await expect(client.addTable({ family: 'ipx' as never, name: 't' })).rejects.toThrow(/table\.family must be one of ip, ip6, inet, arp, bridge, netdev, got 'ipx'/);
    await expect(client.addChain({ family: 'inet', table: 't', name: 'c', hook: { hook: 'sideways', priority: 0, type: 'filter' } })).rejects.toThrow(
      /hook\.hook must be one of prerouting, input/,
    );
    await expect(client.addChain({ family: 'inet', table: 't', name: 'c', hook: { hook: 'input', priority: 2 ** 31, type: 'filter' } })).rejects.toThrow(RangeError);
    await expect(client.deleteRule({ family: 'inet', table: 't', chain: 'c', handle: -1n })).rejects.toThrow(/rule\.handle/);
    await expect(client.apply([])).rejects.toThrow(/non-empty/);
    expect(() => verdict('jump')).toThrow(/needs a chain/);
    await expect(client.rules({ table: 'x' })).rejects.toThrow(/filter\.table needs filter\.family/);
  });
});
