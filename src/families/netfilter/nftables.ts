// nf_tables: a typed client on the generated nftables module (the kernel's
// spec with overlays/nftables.yaml). Tables, chains and rules are listed as
// objects and written in one transaction each (or several in one with
// apply()); a rule's expressions are read back and written as `{ name, data }`
// objects whose data is the expression's typed attributes (payload, meta,
// cmp, immediate, counter, ct, lookup, nat ... as the spec's expr-ops names
// them), never as bytes. Kernel behaviour cited from net/netfilter/nf_tables_api.c.
import { checkBigInteger, checkInteger, describe } from '../../core/check.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_ECHO } from '../../core/constants.js';
import type { CallOptions, OpenOptions } from '../../io/socket.js';
import type { EnumDefinition } from '../../schema/model.js';
import { FamilyClient, type BatchMessage } from '../client.js';
import type {
  ChainAttrs,
  ChainFlags,
  ChainPolicy,
  ExprAttrs,
  ExprAttrsInput,
  ExprOpsFormats,
  ExprOpsFormatsInput,
  RuleAttrs,
  TableAttrs,
  TableFlags,
  VerdictCode,
} from '../generated/nftables.js';
import { nftablesFamily, type NftablesFamilyModule } from './families.js';
import { NFPROTO, transaction } from './index.js';

/** Table families (nfgenmsg.nfgen_family), as nft names them. */
export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

// Built on first use: ./index.js (NFPROTO) re-exports this module, so its values are not there yet while this one loads.
let familyNumbers: Readonly<Record<NftFamily, number>> | undefined;
let familyNames: Map<number, NftFamily> | undefined;
function families(): Readonly<Record<NftFamily, number>> {
  familyNumbers ??= { ip: NFPROTO.ipv4, ip6: NFPROTO.ipv6, inet: NFPROTO.inet, arp: NFPROTO.arp, bridge: NFPROTO.bridge, netdev: NFPROTO.netdev };
  return familyNumbers;
}

/** Decoded data of each expression type, by the name the kernel registers it under (the spec's expr-ops formats). */
export type NftExpressionData = ExprOpsFormats;

/** Data of each expression type to write. */
export type NftExpressionInputData = ExprOpsFormatsInput;

/** A known expression type's name. */
export type NftExpressionName = keyof NftExpressionData;

/** An expression of a kind the spec describes, as read back. */
export interface NftKnownExpression<K extends NftExpressionName> {
  /** The kind, as the kernel registers it ('payload', 'cmp' ...). */
  name: K;
  /** Its attributes, typed for the kind. */
  data: NftExpressionData[K];
}

/** An expression of a kind the spec does not describe: its attributes as bytes. */
export interface NftRawExpression {
  /** The kind's name. */
  name: string;
  /** Its attributes, undecoded. */
  data: Uint8Array | undefined;
}

/**
 * One expression of a rule as read back: its type's name and typed data. An
 * expression type the spec does not describe keeps its attributes as bytes;
 * narrow with {@link isExpression}.
 */
export type NftExpression = { [K in NftExpressionName]: NftKnownExpression<K> }[NftExpressionName] | NftRawExpression;

/** An expression of one kind to write. */
export interface NftExpressionInputOf<K extends NftExpressionName> {
  /** The kind. */
  name: K;
  /** Its attributes, typed for the kind. */
  data?: NftExpressionInputData[K];
}

/** One expression to write. */
export type NftExpressionInput = { [K in NftExpressionName]: NftExpressionInputOf<K> }[NftExpressionName];

/** True when `expr` is an expression of type `name` (and narrows its data). */
export function isExpression<K extends NftExpressionName>(expr: NftExpression, name: K): expr is Extract<NftExpression, NftKnownExpression<K>> {
  return expr.name === name && !(expr.data instanceof Uint8Array);
}

/**
 * An expression to write, checked at compile time against the type's
 * attributes: `expr('payload', { dreg: 'reg-1', base: 'network-header', offset: 12, len: 4 })`.
 */
export function expr<K extends NftExpressionName>(name: K, data?: NftExpressionInputData[K]): NftExpressionInput {
  return (data === undefined ? { name } : { name, data }) as NftExpressionInput;
}

/** An immediate verdict: `verdict('accept')`, `verdict('jump', 'other-chain')`. */
export function verdict(code: VerdictCode, chain?: string): NftExpressionInput {
  if ((code === 'jump' || code === 'goto') && chain === undefined) throw new TypeError(`verdict: '${code}' needs a chain name`);
  if (chain !== undefined && code !== 'jump' && code !== 'goto') throw new TypeError(`verdict: only jump and goto take a chain, not '${code}'`);
  return expr('immediate', { dreg: 'reg-verdict', data: { verdict: { code, ...(chain !== undefined ? { chain } : {}) } } });
}

/** A table. */
export interface NftTable {
  /** Table family. */
  family: NftFamily;
  /** Table name. */
  name: string;
  /** Table flags ('dormant' ...). */
  flags: (TableFlags | number)[];
  /** Handle the kernel gave the table. */
  handle: bigint;
  /** Chains, sets and objects in it (NFTA_TABLE_USE). */
  use: number;
}

/** The hook of a base chain. */
export interface NftHook {
  /** Hook name ('input', 'prerouting' ... for netdev tables 'ingress', 'egress'), or its number. */
  hook: string | number;
  /** Priority (nft's `priority`, e.g. 0 for filter, -100 for dstnat). */
  priority: number;
  /** Chain type: 'filter', 'nat' or 'route'. */
  type: string;
  /** Policy: 'accept' (the default) or 'drop'. */
  policy?: ChainPolicy;
  /** Devices of a netdev (or inet ingress) chain. */
  devices?: string[];
}

/** A chain. */
export interface NftChain {
  /** Table family. */
  family: NftFamily;
  /** Table name. */
  table: string;
  /** Chain name. */
  name: string;
  /** Handle the kernel gave the chain. */
  handle: bigint;
  /** Hook, for a base chain. */
  hook?: NftHook;
  /** Chain flags ('base' ...). */
  flags: (ChainFlags | number)[];
  /** Rules and jumps referring to it (NFTA_CHAIN_USE). */
  use: number;
}

/** A rule. */
export interface NftRule {
  /** Table family. */
  family: NftFamily;
  /** Table name. */
  table: string;
  /** Chain name. */
  chain: string;
  /** Handle the kernel gave the rule (nft's `# handle N`). */
  handle: bigint;
  /** Expressions, in order. */
  expressions: NftExpression[];
  /** User data (nft keeps its comment here), when set. */
  userdata?: Uint8Array;
}

/** What names a table. */
export interface NftTableKey {
  /** Table family. */
  family: NftFamily;
  /** Table name. */
  name: string;
}

/** A table to add. */
export interface NftTableInput extends NftTableKey {
  /** Table flags. */
  flags?: readonly TableFlags[];
}

/** What names a chain. */
export interface NftChainKey {
  /** Table family. */
  family: NftFamily;
  /** Table name. */
  table: string;
  /** Chain name. */
  name: string;
}

/** A chain to add: a regular chain, or a base chain with a hook. */
export interface NftChainInput extends NftChainKey {
  /** Hook, for a base chain. */
  hook?: NftHook;
}

/** A rule to add. */
export interface NftRuleInput {
  /** Table family. */
  family: NftFamily;
  /** Table name. */
  table: string;
  /** Chain name. */
  chain: string;
  /** Expressions, in order. */
  expressions: readonly NftExpressionInput[];
  /** Add after the rule with this handle (or before it with `insert`). */
  position?: bigint;
  /** Insert at the start of the chain (or before `position`) instead of appending. */
  insert?: boolean;
  /** User data (nft's comment lives here, in nftables' own TLV format). */
  userdata?: Uint8Array;
}

/** What names a rule. */
export interface NftRuleKey {
  /** Table family. */
  family: NftFamily;
  /** Table name. */
  table: string;
  /** Chain name. */
  chain: string;
  /** Rule handle. */
  handle: bigint;
}

/** Filters of a listing: a family, a table of it, a chain of that table. */
export interface NftListFilter {
  /** Only this family. */
  family?: NftFamily;
  /** Only this table (needs `family`). */
  table?: string;
  /** Only this chain (rules; needs `table`). */
  chain?: string;
}

/** Adds a table (one change of {@link NftablesClient.apply}). */
export interface NftAddTable {
  /** What is added. */
  add: 'table';
  /** The table. */
  table: NftTableInput;
}
/** Adds a chain. */
export interface NftAddChain {
  /** What is added. */
  add: 'chain';
  /** The chain. */
  chain: NftChainInput;
}
/** Adds a rule. */
export interface NftAddRule {
  /** What is added. */
  add: 'rule';
  /** The rule. */
  rule: NftRuleInput;
}
/** Deletes a table with everything in it. */
export interface NftDeleteTable {
  /** What is deleted. */
  delete: 'table';
  /** The table. */
  table: NftTableKey;
}
/** Deletes an empty chain. */
export interface NftDeleteChain {
  /** What is deleted. */
  delete: 'chain';
  /** The chain. */
  chain: NftChainKey;
}
/** Deletes a rule. */
export interface NftDeleteRule {
  /** What is deleted. */
  delete: 'rule';
  /** The rule. */
  rule: NftRuleKey;
}

/** One change of {@link NftablesClient.apply}. */
export type NftChange = NftAddTable | NftAddChain | NftAddRule | NftDeleteTable | NftDeleteChain | NftDeleteRule;

type Nft = NftablesFamilyModule;

function familyNumber(family: unknown, field: string): number {
  const numbers = families();
  if (typeof family !== 'string' || !Object.hasOwn(numbers, family)) throw new TypeError(`${field} must be one of ${Object.keys(numbers).join(', ')}, got ${describe(family)}`);
  return numbers[family as NftFamily];
}

function familyName(n: number): NftFamily {
  familyNames ??= new Map(Object.entries(families()).map(([k, v]) => [v, k as NftFamily]));
  const name = familyNames.get(n);
  if (name === undefined) throw new RangeError(`nf_tables object of unknown family ${n}`);
  return name;
}

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${field} must be a non-empty string, got ${describe(value)}`);
  // NFT_NAME_MAXLEN (include/uapi/linux/netfilter/nf_tables.h) counts the NUL.
  if (Buffer.byteLength(value) > 255) throw new RangeError(`${field} is longer than 255 bytes`);
  return value;
}

function checkHandle(value: unknown, field: string): bigint {
  return checkBigInteger(value, field, 0n, (1n << 64n) - 1n);
}

/** The names of a hook enum of the spec (inet-hooks / netdev-hooks), by number. */
function hookNames(definition: 'inet-hooks' | 'netdev-hooks'): readonly string[] {
  const def = nftablesFamily.get().spec.definitions.find((d) => d.name === definition) as EnumDefinition | undefined;
  if (def === undefined) throw new Error(`the nftables spec has no ${definition} definition (overlays/nftables.yaml)`);
  const names: string[] = [];
  for (const e of def.entries) names[e.value] = e.name;
  return names;
}

function hookTable(family: NftFamily): readonly string[] {
  return hookNames(family === 'netdev' ? 'netdev-hooks' : 'inet-hooks');
}

function hookNumber(family: NftFamily, hook: unknown): number {
  if (typeof hook === 'number') return checkInteger(hook, 'hook.hook', 0, 0xffffffff);
  const names = hookTable(family);
  const n = typeof hook === 'string' ? names.indexOf(hook) : -1;
  if (n < 0) throw new TypeError(`hook.hook must be one of ${names.join(', ')} for a ${family} table, got ${describe(hook)}`);
  return n;
}

function toTable(m: TableAttrs & { 'nfgen-family': number }): NftTable {
  return { family: familyName(m['nfgen-family']), name: m.name ?? '', flags: m.flags ?? [], handle: m.handle ?? 0n, use: m.use ?? 0 };
}

function toChain(m: ChainAttrs & { 'nfgen-family': number }): NftChain {
  const family = familyName(m['nfgen-family']);
  const chain: NftChain = { family, table: m.table ?? '', name: m.name ?? '', handle: m.handle ?? 0n, flags: m.flags ?? [], use: m.use ?? 0 };
  if (m.hook !== undefined) {
    const num = m.hook.num ?? 0;
    const devices = m.hook.devs?.name ?? (m.hook.dev !== undefined ? [m.hook.dev] : undefined);
    chain.hook = {
      hook: hookTable(family)[num] ?? num,
      priority: m.hook.priority ?? 0,
      type: m.type ?? 'filter',
      ...(typeof m.policy === 'string' ? { policy: m.policy } : {}),
      ...(devices !== undefined ? { devices } : {}),
    };
  }
  return chain;
}

function toRule(m: RuleAttrs & { 'nfgen-family': number }): NftRule {
  const rule: NftRule = {
    family: familyName(m['nfgen-family']),
    table: m.table ?? '',
    chain: m.chain ?? '',
    handle: m.handle ?? 0n,
    expressions: (m.expressions?.elem ?? []).map((e: ExprAttrs) => ({ name: e.name ?? '', data: e.data }) as NftExpression),
  };
  if (m.userdata !== undefined) rule.userdata = m.userdata;
  return rule;
}

function tableMessage(t: NftTableInput): BatchMessage {
  return {
    op: 'newtable',
    value: { 'nfgen-family': familyNumber(t.family, 'table.family'), name: checkName(t.name, 'table.name'), ...(t.flags ? { flags: t.flags } : {}) },
    flags: NLM_F_CREATE,
  };
}

function chainMessage(c: NftChainInput): BatchMessage {
  const family = familyNumber(c.family, 'chain.family');
  const value: Record<string, unknown> = { 'nfgen-family': family, table: checkName(c.table, 'chain.table'), name: checkName(c.name, 'chain.name') };
  if (c.hook !== undefined) {
    const h = c.hook;
    const hook: Record<string, unknown> = { num: hookNumber(c.family, h.hook), priority: checkInteger(h.priority, 'hook.priority', -0x80000000, 0x7fffffff) };
    if (h.devices !== undefined) {
      if (!Array.isArray(h.devices)) throw new TypeError('hook.devices must be an array of device names');
      hook.devs = { name: h.devices.map((d, i) => checkName(d, `hook.devices[${i}]`)) };
    }
    value.hook = hook;
    value.type = checkName(h.type, 'hook.type');
    if (h.policy !== undefined) {
      if (h.policy !== 'accept' && h.policy !== 'drop') throw new TypeError(`hook.policy must be 'accept' or 'drop', got ${describe(h.policy)}`);
      value.policy = h.policy;
    }
  }
  return { op: 'newchain', value, flags: NLM_F_CREATE };
}

function ruleMessage(r: NftRuleInput): BatchMessage {
  const value: Record<string, unknown> = {
    'nfgen-family': familyNumber(r.family, 'rule.family'),
    table: checkName(r.table, 'rule.table'),
    chain: checkName(r.chain, 'rule.chain'),
  };
  if (!Array.isArray(r.expressions)) throw new TypeError('rule.expressions must be an array of { name, data } expressions');
  const elems: ExprAttrsInput[] = r.expressions.map((e, i) => {
    if (typeof e !== 'object' || e === null || typeof (e as { name?: unknown }).name !== 'string') throw new TypeError(`rule.expressions[${i}] must be an object with a name`);
    return e as ExprAttrsInput;
  });
  value.expressions = { elem: elems };
  if (r.position !== undefined) value.position = checkHandle(r.position, 'rule.position');
  if (r.userdata !== undefined) {
    if (!(r.userdata instanceof Uint8Array)) throw new TypeError('rule.userdata must be a Uint8Array');
    value.userdata = r.userdata;
  }
  // NLM_F_APPEND appends (after `position`, or at the end); without it the
  // rule goes first (or before `position`): nf_tables_newrule().
  return { op: 'newrule', value, flags: NLM_F_CREATE | NLM_F_ECHO | (r.insert ? 0 : NLM_F_APPEND) };
}

function deleteMessage(change: Extract<NftChange, { delete: string }>): BatchMessage {
  switch (change.delete) {
    case 'table':
      return { op: 'deltable', value: { 'nfgen-family': familyNumber(change.table.family, 'table.family'), name: checkName(change.table.name, 'table.name') } };
    case 'chain':
      return {
        op: 'delchain',
        value: {
          'nfgen-family': familyNumber(change.chain.family, 'chain.family'),
          table: checkName(change.chain.table, 'chain.table'),
          name: checkName(change.chain.name, 'chain.name'),
        },
      };
    case 'rule':
      return {
        op: 'delrule',
        value: {
          'nfgen-family': familyNumber(change.rule.family, 'rule.family'),
          table: checkName(change.rule.table, 'rule.table'),
          chain: checkName(change.rule.chain, 'rule.chain'),
          handle: checkHandle(change.rule.handle, 'rule.handle'),
        },
      };
    default:
      throw new TypeError(`unknown change ${describe(change)}`);
  }
}

function changeMessage(change: NftChange): BatchMessage {
  if (typeof change !== 'object' || change === null) throw new TypeError(`a change must be an object, got ${describe(change)}`);
  if ('add' in change) {
    switch (change.add) {
      case 'table':
        return tableMessage(change.table);
      case 'chain':
        return chainMessage(change.chain);
      case 'rule':
        return ruleMessage(change.rule);
    }
  }
  if ('delete' in change) return deleteMessage(change);
  throw new TypeError(`a change must have 'add' or 'delete': ${describe(change)}`);
}

function listValue(filter: NftListFilter, op: 'table' | 'chain' | 'rule'): Record<string, unknown> {
  const value: Record<string, unknown> = { 'nfgen-family': filter.family === undefined ? NFPROTO.unspec : familyNumber(filter.family, 'filter.family') };
  if (filter.table !== undefined) {
    if (filter.family === undefined) throw new TypeError('filter.table needs filter.family');
    value.table = checkName(filter.table, 'filter.table');
  }
  if (filter.chain !== undefined) {
    if (op !== 'rule') throw new TypeError('filter.chain applies to rules only');
    if (filter.table === undefined) throw new TypeError('filter.chain needs filter.table');
    value.chain = checkName(filter.chain, 'filter.chain');
  }
  return value;
}

/**
 * nf_tables over NETLINK_NETFILTER: tables, chains and rules as typed
 * objects. Every write is an nfnetlink transaction (all or nothing).
 *
 * ```ts
 * const nft = await NftablesClient.open({ netns: 'blue' });
 * await nft.apply([
 *   { add: 'table', table: { family: 'inet', name: 'filter' } },
 *   { add: 'chain', chain: { family: 'inet', table: 'filter', name: 'input', hook: { hook: 'input', priority: 0, type: 'filter' } } },
 * ]);
 * const rule = await nft.addRule({ family: 'inet', table: 'filter', chain: 'input', expressions: [expr('counter'), verdict('accept')] });
 * ```
 */
export class NftablesClient {
  private constructor(
    /** The family client underneath (generic requests on the nftables spec). */
    readonly client: FamilyClient<Nft>,
  ) {}

  /** Opens a NETLINK_NETFILTER socket (in `options.netns` if given). */
  static async open(options: OpenOptions = {}): Promise<NftablesClient> {
    return new NftablesClient(await FamilyClient.open(await nftablesFamily.load(), options));
  }

  /** Tables (all families, or one). */
  async tables(filter: Pick<NftListFilter, 'family'> = {}, options: CallOptions = {}): Promise<NftTable[]> {
    const msgs = await this.client.dumpAll('gettable', listValue(filter, 'table') as never, options);
    return msgs.map((m) => toTable(m as TableAttrs & { 'nfgen-family': number }));
  }

  /** Chains (all, of a family, or of a table). */
  async chains(filter: Omit<NftListFilter, 'chain'> = {}, options: CallOptions = {}): Promise<NftChain[]> {
    const value = listValue(filter, 'chain');
    const msgs = await this.client.dumpAll('getchain', value as never, options);
    // The kernel's chain dump takes no table filter (nf_tables_dump_chains() reads only the family): filtered here.
    return msgs.map((m) => toChain(m as ChainAttrs & { 'nfgen-family': number })).filter((c) => filter.table === undefined || c.table === filter.table);
  }

  /** Rules (all, of a family, a table, or a chain), expressions decoded. */
  async rules(filter: NftListFilter = {}, options: CallOptions = {}): Promise<NftRule[]> {
    const msgs = await this.client.dumpAll('getrule', listValue(filter, 'rule') as never, options);
    return msgs.map((m) => toRule(m as RuleAttrs & { 'nfgen-family': number }));
  }

  /** Adds a table (an existing one is left as it is, as `nft add table` does). */
  async addTable(table: NftTableInput, options: CallOptions = {}): Promise<void> {
    await this.apply([{ add: 'table', table }], options);
  }

  /** Adds a chain. */
  async addChain(chain: NftChainInput, options: CallOptions = {}): Promise<void> {
    await this.apply([{ add: 'chain', chain }], options);
  }

  /** Adds a rule and returns it as the kernel stored it (with its handle). */
  async addRule(rule: NftRuleInput, options: CallOptions = {}): Promise<NftRule> {
    const [replies] = await this.applyReplies([{ add: 'rule', rule }], options);
    // The echo (NLM_F_ECHO) is the rule's NEWRULE notification; the NEWGEN of the commit comes with it.
    const echoed = replies?.map((m) => (m as { msg: RuleAttrs & { 'nfgen-family': number } }).msg).find((m) => m.handle !== undefined && m.chain !== undefined);
    if (echoed === undefined) throw new Error('the kernel did not echo the new rule');
    return toRule(echoed);
  }

  /** Deletes a table with everything in it. */
  async deleteTable(table: NftTableKey, options: CallOptions = {}): Promise<void> {
    await this.apply([{ delete: 'table', table }], options);
  }

  /** Deletes an empty chain. */
  async deleteChain(chain: NftChainKey, options: CallOptions = {}): Promise<void> {
    await this.apply([{ delete: 'chain', chain }], options);
  }

  /** Deletes a rule by handle. */
  async deleteRule(rule: NftRuleKey, options: CallOptions = {}): Promise<void> {
    await this.apply([{ delete: 'rule', rule }], options);
  }

  /**
   * Applies changes in one transaction: all of them or none. A rejected
   * change fails with a NetlinkError whose `batchIndex` is its position in
   * `changes`.
   */
  async apply(changes: readonly NftChange[], options: CallOptions = {}): Promise<void> {
    await this.applyReplies(changes, options);
  }

  /** The ruleset's generation (it changes with every committed transaction). */
  async generation(options: CallOptions = {}): Promise<number> {
    const reply = await this.client.do('getgen', { 'nfgen-family': NFPROTO.unspec } as never, options);
    return (reply as { id?: number }).id ?? 0;
  }

  /** Closes the socket. */
  close(): void {
    this.client.close();
  }

  /** Closes the socket (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private async applyReplies(changes: readonly NftChange[], options: CallOptions): Promise<unknown[][]> {
    if (!Array.isArray(changes) || changes.length === 0) throw new TypeError('changes must be a non-empty array');
    const messages = changes.map(changeMessage);
    return transaction(this.client as unknown as FamilyClient, messages, options);
  }
}
