// Traffic control over rtnetlink: qdiscs, classes, filters and chains as
// typed objects on the generated tc family (the kernel's spec, with
// overlays/tc.yaml for the class and chain dumps). Handles are written as tc
// writes them ('1:', '1:10', 'root', 'ingress'); a kind's options are the
// spec's objects for that kind (htb, fq_codel, u32, bpf, ...), statistics
// are bigint. Behaviour cited from net/sched/sch_api.c and cls_api.c.
import { checkInteger, describe } from '../../core/check.js';
import { AF_UNSPEC, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import type { CallOptions } from '../../io/socket.js';
import { FamilyClient } from '../client.js';
import { resolveNetnsTarget } from '../../io/netns.js';
import type { RouteClientOptions } from '../route/client.js';
import type { Attrs, AttrsInput, Tcmsg, family as tcFamilyValue } from '../generated/tc.js';
import { TC_H_INGRESS, TC_H_ROOT } from '../generated/tc.constants.js';
import { LazyFamily } from '../lazy.js';

/** The generated tc family. */
type TcFamily = typeof tcFamilyValue;

// Imported by TcClient.open, not with 'nlkit': the module is large (only an open client uses it).
const tcFamily = new LazyFamily<TcFamily>('tc', () => import('../generated/tc.js'), 'open a TcClient first');

/** What a qdisc, class or filter message carries besides its header: the kind, its options, its statistics. */
type TcMessage = Tcmsg & Attrs;

/** Statistics of a qdisc or class (TCA_STATS2, else the older TCA_STATS). */
export interface TcStats {
  /** Bytes sent. */
  bytes: bigint;
  /** Packets sent. */
  packets: bigint;
  /** Packets dropped. */
  drops: number;
  /** Times the qdisc or class was over its limit. */
  overlimits: number;
  /** Packets requeued. */
  requeues: number;
  /** Bytes queued. */
  backlog: number;
  /** Packets queued. */
  qlen: number;
}

/** A qdisc. */
export interface TcQdisc {
  /** Index of the device. */
  index: number;
  /** Kind: 'htb', 'ingress', 'clsact', 'fq_codel', 'noqueue', 'pfifo_fast', 'mq' ... */
  kind: string;
  /** Handle as tc prints it ('1:', 'ffff:'). */
  handle: string;
  /** Parent: 'root', or a handle ('ffff:fff1' for ingress and clsact). */
  parent: string;
  /** References (tcm_info). */
  refcnt: number;
  /** The kind's options, as the spec decodes them (undefined when the kind has none). */
  options?: unknown;
  /** Statistics. */
  stats?: TcStats;
  /** The kind's extended statistics (TCA_XSTATS), as the spec decodes them. */
  xstats?: unknown;
  /** Offloaded to hardware. */
  offloaded: boolean;
}

/** A class. */
export interface TcClass {
  /** Index of the device. */
  index: number;
  /** Kind of its qdisc ('htb' ...). */
  kind: string;
  /** Class id ('1:10'). */
  handle: string;
  /** Parent: 'root' or a class id. */
  parent: string;
  /** The kind's class options (htb: parms with rate and ceil, rate64 ...). */
  options?: unknown;
  /** Statistics. */
  stats?: TcStats;
  /** Extended statistics (htb: lends, borrows, tokens ...). */
  xstats?: unknown;
  /** Leaf qdisc handle (tcm_info), when the class has one. */
  leaf?: string;
}

/** A filter. */
export interface TcFilter {
  /** Index of the device. */
  index: number;
  /** Kind: 'u32', 'bpf', 'matchall', 'flower' ... */
  kind: string;
  /** The qdisc or class it is attached to ('1:', 'ffff:'). */
  parent: string;
  /** Protocol as an ethertype number (ETH_P_ALL is 3, ETH_P_IP 0x800). */
  protocol: number;
  /** Priority (tc's `pref`). */
  priority: number;
  /** Filter handle (u32: '800::800'; 0 for the filter's head entry). */
  handle: number;
  /** Chain. */
  chain: number;
  /** The kind's options (u32: selector, classid, actions ...). */
  options?: unknown;
}

/** What names a qdisc, class or filter's position. */
export interface TcTarget {
  /** Device (name or index). */
  dev: string | number;
  /** Parent: 'root', 'ingress', 'clsact', or a handle such as '1:' or '1:10'. */
  parent?: string;
  /** Handle, e.g. '1:' for a qdisc or '1:10' for a class. */
  handle?: string;
}

/** A qdisc or class to add, change or replace. */
export interface TcQdiscInput extends TcTarget {
  /** Kind ('htb', 'ingress', 'clsact', 'fq_codel', 'tbf', 'netem' ...). */
  kind: string;
  /** The kind's options, in the spec's form (e.g. htb: `{ init: { version: 3, rate2quantum: 10, defcls: 0x10 } }`). */
  options?: AttrsInput['options'];
}

/** A filter to add or delete. */
export interface TcFilterInput extends TcTarget {
  /** Kind ('u32', 'bpf', 'matchall', 'flower' ...). */
  kind?: string;
  /** Priority (`pref`); the kernel picks one when 0. */
  priority?: number;
  /** Protocol as an ethertype (default ETH_P_ALL, 3). */
  protocol?: number;
  /** Filter handle. */
  filterHandle?: number;
  /** Chain. */
  chain?: number;
  /** The kind's options, in the spec's form. */
  options?: AttrsInput['options'];
}

/** A standalone action (tc actions). */
export interface TcAction {
  /** Kind: 'mirred', 'gact', 'police' ... */
  kind: string;
  /** Index of the action among those of its kind. */
  index: number;
  /** The kind's options, as the spec decodes them (mirred: parms with the action, direction and device index). */
  options?: unknown;
  /** Statistics. */
  stats?: TcStats;
}

/** An action to add. */
export interface TcActionInput {
  /** Kind: 'mirred', 'gact', 'police' ... */
  kind: string;
  /** Index to give it (the kernel picks one when left out). */
  index?: number;
  /** The kind's options, in the spec's form (mirred: `{ parms: { action, eaction, ifindex } }`). */
  options?: unknown;
}

/** A handle as tc prints it: 'MAJ:' for a qdisc (minor 0), 'MAJ:MIN' otherwise (print_tc_classid). */
export function formatHandle(h: number): string {
  if (h === TC_H_ROOT) return 'root';
  const major = (h >>> 16).toString(16);
  const minor = h & 0xffff;
  return minor === 0 ? `${major}:` : `${major}:${minor.toString(16)}`;
}

/** 'root', 'ingress', 'clsact', 'none', 'MAJ:', 'MAJ:MIN' (hex, as get_tc_classid reads them) as a 32-bit handle. */
export function parseHandle(s: unknown, field: string): number {
  if (typeof s !== 'string') throw new TypeError(`${field} must be a handle such as '1:' or '1:10', got ${describe(s)}`);
  if (s === 'root') return TC_H_ROOT;
  if (s === 'ingress' || s === 'clsact') return TC_H_INGRESS;
  if (s === 'none') return 0;
  const m = /^([0-9a-f]{0,4}):([0-9a-f]{0,4})$/i.exec(s);
  if (!m) throw new RangeError(`${field}: '${s}' is not a handle (MAJ:MIN, hexadecimal, at most 4 digits each)`);
  return ((parseInt(m[1] || '0', 16) << 16) | parseInt(m[2] || '0', 16)) >>> 0;
}

function statsOf(m: TcMessage): TcStats | undefined {
  const s2 = m.stats2;
  if (s2?.basic !== undefined || s2?.queue !== undefined) {
    return {
      bytes: s2.basic?.bytes ?? 0n,
      packets: BigInt(s2.basic?.packets ?? 0),
      drops: s2.queue?.drops ?? 0,
      overlimits: s2.queue?.overlimits ?? 0,
      requeues: s2.queue?.requeues ?? 0,
      backlog: s2.queue?.backlog ?? 0,
      qlen: s2.queue?.qlen ?? 0,
    };
  }
  const s = m.stats;
  if (s === undefined) return undefined;
  return { bytes: s.bytes ?? 0n, packets: BigInt(s.packets ?? 0), drops: s.drops ?? 0, overlimits: s.overlimits ?? 0, requeues: 0, backlog: s.backlog ?? 0, qlen: s.qlen ?? 0 };
}

function parentText(p: number | undefined): string {
  return p === undefined ? 'root' : formatHandle(p);
}

/**
 * Traffic control: qdiscs, classes, filters and chains of a namespace's
 * devices.
 *
 * ```ts
 * const tc = await TcClient.open({ netns: 'blue' });
 * await tc.addQdisc({ dev: 'v0', parent: 'root', handle: '1:', kind: 'htb', options: { init: { version: 3, rate2quantum: 10, defcls: 0x10 } } });
 * for (const q of await tc.qdiscs({ dev: 'v0' })) console.log(q.kind, q.handle, q.stats?.bytes);
 * ```
 */
export class TcClient {
  private constructor(
    /** The family client underneath (generic requests on the tc spec). */
    readonly client: FamilyClient<TcFamily>,
  ) {}

  /** Opens a NETLINK_ROUTE socket (in `options.netns` if given). */
  static async open(options: RouteClientOptions = {}): Promise<TcClient> {
    if (options.netns !== undefined) resolveNetnsTarget(options.netns);
    return new TcClient(await FamilyClient.open(await tcFamily.load(), options));
  }

  private async index(dev: unknown, field: string, options: CallOptions): Promise<number> {
    if (typeof dev === 'number') return checkInteger(dev, field, 1, 0x7fffffff);
    if (typeof dev !== 'string' || dev.length === 0 || dev.length > 15) throw new TypeError(`${field} must be a link name or index, got ${describe(dev)}`);
    const { family: rtLink } = await import('../generated/rt-link.js');
    const link = await FamilyClient.open(rtLink, { socket: this.client.socket });
    try {
      const m = await link.do('getlink', { 'ifi-family': AF_UNSPEC, ifname: dev, 'ext-mask': ['skip-stats'] } as never, options);
      const index = (m as { 'ifi-index'?: number } | undefined)?.['ifi-index'];
      if (typeof index === 'number') return index;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENODEV') throw err;
    }
    throw new RangeError(`${field}: no link named '${dev}'`);
  }

  private async dump(op: 'getqdisc' | 'gettclass' | 'gettfilter', value: Record<string, unknown>, options: CallOptions): Promise<TcMessage[]> {
    return (await this.client.dumpAll(op, value as never, options)) as unknown as TcMessage[];
  }

  /** Qdiscs of every device (or of one). */
  async qdiscs(filter: { dev?: string | number } = {}, options: CallOptions = {}): Promise<TcQdisc[]> {
    const index = filter.dev === undefined ? 0 : await this.index(filter.dev, 'filter.dev', options);
    const out: TcQdisc[] = [];
    for (const m of await this.dump('getqdisc', { family: AF_UNSPEC, ifindex: index }, options)) {
      if (index && m.ifindex !== index) continue;
      const q: TcQdisc = {
        index: m.ifindex ?? 0,
        kind: m.kind ?? '',
        handle: formatHandle(m.handle ?? 0),
        parent: parentText(m.parent),
        refcnt: m.info ?? 0,
        offloaded: (m['hw-offload'] ?? 0) !== 0,
      };
      if (m.options !== undefined) q.options = m.options;
      const stats = statsOf(m);
      if (stats) q.stats = stats;
      if (m.xstats !== undefined) q.xstats = m.xstats;
      out.push(q);
    }
    return out;
  }

  /** Classes of a device. */
  async classes(dev: string | number, options: CallOptions = {}): Promise<TcClass[]> {
    const index = await this.index(dev, 'dev', options);
    const out: TcClass[] = [];
    for (const m of await this.dump('gettclass', { family: AF_UNSPEC, ifindex: index }, options)) {
      const c: TcClass = { index: m.ifindex ?? 0, kind: m.kind ?? '', handle: formatHandle(m.handle ?? 0), parent: parentText(m.parent) };
      if (m.options !== undefined) c.options = m.options;
      const stats = statsOf(m);
      if (stats) c.stats = stats;
      if (m.xstats !== undefined) c.xstats = m.xstats;
      if (m.info) c.leaf = formatHandle(m.info);
      out.push(c);
    }
    return out;
  }

  /** Filters of a device under one parent (a qdisc or class; 'ingress' for the ingress side). */
  async filters(dev: string | number, parent: string = 'root', options: CallOptions = {}): Promise<TcFilter[]> {
    const index = await this.index(dev, 'dev', options);
    const p = parseHandle(parent, 'parent');
    // The ingress qdisc's filters hang off ffff: (TC_H_MAJ of TC_H_INGRESS).
    const parentValue = parent === 'ingress' ? 0xffff0000 : p;
    const out: TcFilter[] = [];
    for (const m of await this.dump('gettfilter', { family: AF_UNSPEC, ifindex: index, parent: parentValue }, options)) {
      const info = m.info ?? 0;
      const f: TcFilter = {
        index: m.ifindex ?? 0,
        kind: m.kind ?? '',
        parent: formatHandle(m.parent ?? 0),
        // tcm_info: priority in the high 16 bits, protocol (big-endian ethertype) in the low.
        priority: info >>> 16,
        protocol: ((info & 0xff) << 8) | ((info >>> 8) & 0xff),
        handle: m.handle ?? 0,
        chain: m.chain ?? 0,
      };
      if (m.options !== undefined) f.options = m.options;
      out.push(f);
    }
    return out;
  }

  private async qdiscValue(input: TcQdiscInput, field: string, options: CallOptions, isClass: boolean): Promise<Record<string, unknown>> {
    if (typeof input !== 'object' || input === null) throw new TypeError(`${field} must be an object, got ${describe(input)}`);
    const index = await this.index(input.dev, `${field}.dev`, options);
    if (typeof input.kind !== 'string' || input.kind.length === 0) throw new TypeError(`${field}.kind must be a qdisc kind such as 'htb', got ${describe(input.kind)}`);
    // An ingress or clsact qdisc sits at TC_H_INGRESS with handle ffff: (tc's q_ingress / q_clsact).
    const special = !isClass && (input.kind === 'ingress' || input.kind === 'clsact');
    const parent = parseHandle(input.parent ?? (special ? 'ingress' : 'root'), `${field}.parent`);
    const handle = input.handle !== undefined ? parseHandle(input.handle, `${field}.handle`) : special ? 0xffff0000 : 0;
    if (isClass && handle === 0) throw new TypeError(`${field}.handle is required for a class (e.g. '1:10')`);
    const value: Record<string, unknown> = { family: AF_UNSPEC, ifindex: index, parent, handle, kind: input.kind };
    if (input.options !== undefined) value.options = input.options;
    return value;
  }

  /** Adds a qdisc (EEXIST when the place is taken by one of the same kind and handle). */
  async addQdisc(input: TcQdiscInput, options: CallOptions = {}): Promise<void> {
    await this.client.request('newqdisc', (await this.qdiscValue(input, 'qdisc', options, false)) as never, {
      ...options,
      flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
    });
  }

  /** Adds a qdisc or replaces the one in its place. */
  async replaceQdisc(input: TcQdiscInput, options: CallOptions = {}): Promise<void> {
    await this.client.request('newqdisc', (await this.qdiscValue(input, 'qdisc', options, false)) as never, {
      ...options,
      flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
    });
  }

  /** Changes the options of an existing qdisc. */
  async changeQdisc(input: TcQdiscInput, options: CallOptions = {}): Promise<void> {
    await this.client.request('newqdisc', (await this.qdiscValue(input, 'qdisc', options, false)) as never, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK });
  }

  /** Deletes a qdisc (by parent, and handle when given). */
  async deleteQdisc(target: TcTarget & { kind?: string }, options: CallOptions = {}): Promise<void> {
    const value = await this.qdiscValue({ kind: target.kind ?? 'x', ...target }, 'qdisc', options, false);
    if (target.kind === undefined) delete value.kind;
    await this.client.request('delqdisc', value as never, options);
  }

  /** Adds a class (its options are those of the parent qdisc's kind). */
  async addClass(input: TcQdiscInput, options: CallOptions = {}): Promise<void> {
    await this.client.request('newtclass', (await this.qdiscValue(input, 'class', options, true)) as never, {
      ...options,
      flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
    });
  }

  /** Changes a class's options. */
  async changeClass(input: TcQdiscInput, options: CallOptions = {}): Promise<void> {
    await this.client.request('newtclass', (await this.qdiscValue(input, 'class', options, true)) as never, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK });
  }

  /** Deletes a class. */
  async deleteClass(target: TcTarget, options: CallOptions = {}): Promise<void> {
    const value = await this.qdiscValue({ kind: 'x', ...target }, 'class', options, true);
    delete value.kind;
    await this.client.request('deltclass', value as never, options);
  }

  private async filterValue(input: TcFilterInput, options: CallOptions, anyProtocol = false): Promise<Record<string, unknown>> {
    if (typeof input !== 'object' || input === null) throw new TypeError(`filter must be an object, got ${describe(input)}`);
    const index = await this.index(input.dev, 'filter.dev', options);
    const parent = input.parent === 'ingress' ? 0xffff0000 : parseHandle(input.parent ?? 'root', 'filter.parent');
    const priority = input.priority === undefined ? 0 : checkInteger(input.priority, 'filter.priority', 0, 0xffff);
    // A new filter sees every protocol unless told (ETH_P_ALL, include/uapi/linux/if_ether.h); a deletion names any (0).
    const protocol = input.protocol === undefined ? (anyProtocol ? 0 : 3) : checkInteger(input.protocol, 'filter.protocol', 0, 0xffff);
    // tcm_info = TC_H_MAKE(prio << 16, htons(protocol)).
    const info = ((priority << 16) | ((protocol & 0xff) << 8) | (protocol >>> 8)) >>> 0;
    const value: Record<string, unknown> = {
      family: AF_UNSPEC,
      ifindex: index,
      parent,
      handle: input.filterHandle === undefined ? 0 : checkInteger(input.filterHandle, 'filter.filterHandle', 0, 0xffffffff),
      info,
    };
    if (input.kind !== undefined) value.kind = input.kind;
    if (input.chain !== undefined) value.chain = checkInteger(input.chain, 'filter.chain', 0, 0xffffffff);
    if (input.options !== undefined) value.options = input.options;
    return value;
  }

  /** Adds a filter. */
  async addFilter(input: TcFilterInput & { kind: string }, options: CallOptions = {}): Promise<void> {
    await this.client.request('newtfilter', (await this.filterValue(input, options)) as never, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL });
  }

  /** Deletes filters: one by handle, or all of a priority (or of a parent). */
  async deleteFilter(input: TcFilterInput, options: CallOptions = {}): Promise<void> {
    await this.client.request('deltfilter', (await this.filterValue(input, options, true)) as never, options);
  }

  /** Standalone actions of a kind (`tc actions ls action KIND`). */
  async actions(kind: string, options: CallOptions = {}): Promise<TcAction[]> {
    if (typeof kind !== 'string' || kind.length === 0) throw new TypeError(`kind must be an action kind such as 'mirred', got ${describe(kind)}`);
    const out: TcAction[] = [];
    const replies = await this.client.dumpAll('getaction', { 'tca-family': AF_UNSPEC, tab: [{ 1: { kind } }] } as never, options);
    for (const m of replies as unknown as { tab?: Record<number, Record<string, unknown>>[] }[]) {
      for (const slot of m.tab ?? []) {
        for (const a of Object.values(slot)) {
          const options = a.options as { parms?: { index?: number } } | undefined;
          const action: TcAction = { kind: String(a.kind ?? kind), index: (a.index as number | undefined) ?? options?.parms?.index ?? 0 };
          if (a.options !== undefined) action.options = a.options;
          const stats = a.stats !== undefined ? statsOf({ stats2: a.stats } as unknown as TcMessage) : undefined;
          if (stats) action.stats = stats;
          out.push(action);
        }
      }
    }
    return out;
  }

  /** Adds a standalone action (`tc actions add action KIND ... index N`). */
  async addAction(input: TcActionInput, options: CallOptions = {}): Promise<void> {
    if (typeof input !== 'object' || input === null || typeof input.kind !== 'string' || input.kind.length === 0)
      throw new TypeError(`action.kind must be an action kind such as 'mirred', got ${describe(input?.kind)}`);
    const act: Record<string, unknown> = { kind: input.kind };
    if (input.index !== undefined) act.index = checkInteger(input.index, 'action.index', 1, 0xffffffff);
    if (input.options !== undefined) act.options = input.options;
    await this.client.request('newaction', { 'tca-family': AF_UNSPEC, tab: [{ 1: act }] } as never, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL });
  }

  /** Deletes a standalone action by kind and index. */
  async deleteAction(kind: string, index: number, options: CallOptions = {}): Promise<void> {
    if (typeof kind !== 'string' || kind.length === 0) throw new TypeError(`kind must be an action kind such as 'mirred', got ${describe(kind)}`);
    await this.client.request('delaction', { 'tca-family': AF_UNSPEC, tab: [{ 1: { kind, index: checkInteger(index, 'index', 1, 0xffffffff) } }] } as never, options);
  }

  /** Filter chains of a device's qdisc or block (`tc chain show dev DEV [parent P]`). */
  async chains(dev: string | number, parent: string = 'root', options: CallOptions = {}): Promise<number[]> {
    const index = await this.index(dev, 'dev', options);
    const parentValue = parent === 'ingress' ? 0xffff0000 : parseHandle(parent, 'parent');
    const replies = await this.client.dumpAll('getchain', { family: AF_UNSPEC, ifindex: index, parent: parentValue } as never, options);
    return (replies as unknown as { chain?: number }[]).map((c) => c.chain ?? 0);
  }

  /** Closes the socket. */
  close(): void {
    this.client.close();
  }

  /** Closes the socket (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
