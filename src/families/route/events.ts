// Events: monitor() turns rtnetlink notifications into typed events;
// watch() keeps a live view of one table (subscribe, then dump, then
// changes; after an overrun, dump again and yield the differences).
import { DumpInterruptedError, NetlinkError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { NetlinkSocket, type OpenOptions } from '../../io/socket.js';
import { isOverrun, type Overrun, type Subscription } from '../../io/subscription.js';
import type { OperationCodec } from '../../schema/family.js';
import { loadFamilies, routeFamilies, type RouteFamilies } from './families.js';
import { addressKey, addressMatches, decodeAddress, type Address, type AddressFilter } from './addresses.js';
import { deepEqual, type Obj } from './convert.js';
import { decodeLink, linkKey, linkMatches, type Link, type LinkFilter } from './links.js';
import { decodeNetconf, decodeNsid, netconfKey, nsidKey, type Netconf, type Nsid } from './netns.js';
import { decodeNeighbour, neighbourKey, neighbourMatches, type Neighbour, type NeighbourFilter } from './neighbours.js';
import { decodeRoute, routeKey, routeMatcher, type Route, type RouteFilter } from './routes.js';
import { decodeRule, ruleKey, ruleMatches, type Rule, type RuleFilter } from './rules.js';
import { RTM_DELNEXTHOP, RTM_NEWNEXTHOP, RTNLGRP_NEXTHOP } from '../generated/rt-nexthop.constants.js';
import * as C from './constants.js';
import { decodeNexthop, nexthopKey, nexthopMatches, type NexthopFilter, type NexthopObject } from './nexthops.js';
import type { RouteClient } from './client.js';

/** Kinds of objects events are about. */
export type EventKind = 'link' | 'address' | 'route' | 'neighbour' | 'rule' | 'nsid' | 'netconf' | 'nexthop';

/** All event kinds. */
export const EVENT_KINDS: readonly EventKind[] = ['link', 'address', 'route', 'neighbour', 'rule', 'nsid', 'netconf', 'nexthop'];

/** The typed object of each kind. */
export interface KindObjects {
  /** Links. */
  link: Link;
  /** Addresses. */
  address: Address;
  /** Routes. */
  route: Route;
  /** Neighbour entries. */
  neighbour: Neighbour;
  /** Policy routing rules. */
  rule: Rule;
  /** Namespace ids. */
  nsid: Nsid;
  /** Per-device IP settings. */
  netconf: Netconf;
  /** Nexthop objects and groups. */
  nexthop: NexthopObject;
}

/** The filter of each kind that watch() takes. */
export interface KindFilters {
  /** Filter of a link watch. */
  link: LinkFilter;
  /** Filter of an address watch. */
  address: AddressFilter;
  /** Filter of a route watch. */
  route: RouteFilter;
  /** Filter of a neighbour watch. */
  neighbour: NeighbourFilter;
  /** Filter of a rule watch. */
  rule: RuleFilter;
  /** Filter of a nexthop watch. */
  nexthop: NexthopFilter;
}

/** A typed rtnetlink event. */
export type RouteEvent = {
  [K in EventKind]: {
    /** 'new' for an added or changed object (RTM_NEW*), 'del' for a removed one (RTM_DEL*). */
    action: 'new' | 'del';
    /** Which kind of object the event is about. */
    kind: K;
    /** The object, decoded. */
    object: KindObjects[K];
    /** With listenAllNsid: the id of the namespace the event comes from (undefined for the socket's own). */
    nsid?: number;
  };
}[EventKind];

interface KindInfo {
  kind: EventKind;
  /** RTNLGRP_* groups (include/uapi/linux/rtnetlink.h). */
  groups: readonly number[];
  /** The family and operation that decode it (families are loaded on first use: families.ts). */
  family: keyof RouteFamilies;
  op: string;
  convert: (o: Obj) => unknown;
}

const KINDS: Readonly<Record<EventKind, KindInfo>> = {
  link: { kind: 'link', groups: [C.RTNLGRP_LINK], family: 'link', op: 'getlink', convert: decodeLink },
  address: { kind: 'address', groups: [C.RTNLGRP_IPV4_IFADDR, C.RTNLGRP_IPV6_IFADDR], family: 'addr', op: 'getaddr', convert: decodeAddress },
  route: { kind: 'route', groups: [C.RTNLGRP_IPV4_ROUTE, C.RTNLGRP_IPV6_ROUTE], family: 'route', op: 'getroute', convert: decodeRoute },
  neighbour: { kind: 'neighbour', groups: [C.RTNLGRP_NEIGH], family: 'neigh', op: 'getneigh', convert: decodeNeighbour },
  rule: { kind: 'rule', groups: [C.RTNLGRP_IPV4_RULE, C.RTNLGRP_IPV6_RULE], family: 'rule', op: 'getrule', convert: decodeRule },
  nsid: { kind: 'nsid', groups: [C.RTNLGRP_NSID], family: 'link', op: 'getnsid', convert: decodeNsid },
  netconf: { kind: 'netconf', groups: [C.RTNLGRP_IPV4_NETCONF, C.RTNLGRP_IPV6_NETCONF], family: 'link', op: 'getnetconf', convert: decodeNetconf },
  nexthop: { kind: 'nexthop', groups: [RTNLGRP_NEXTHOP], family: 'nexthop', op: 'getnexthop', convert: decodeNexthop },
};

/** Message type -> [kind, action] (RTM_* in include/uapi/linux/rtnetlink.h). */
const BY_TYPE = new Map<number, readonly [EventKind, 'new' | 'del']>([
  [C.RTM_NEWLINK, ['link', 'new']],
  [C.RTM_DELLINK, ['link', 'del']],
  [C.RTM_NEWADDR, ['address', 'new']],
  [C.RTM_DELADDR, ['address', 'del']],
  [C.RTM_NEWROUTE, ['route', 'new']],
  [C.RTM_DELROUTE, ['route', 'del']],
  [C.RTM_NEWNEIGH, ['neighbour', 'new']],
  [C.RTM_DELNEIGH, ['neighbour', 'del']],
  [C.RTM_NEWRULE, ['rule', 'new']],
  [C.RTM_DELRULE, ['rule', 'del']],
  [C.RTM_NEWNETCONF, ['netconf', 'new']],
  [C.RTM_DELNETCONF, ['netconf', 'del']],
  [C.RTM_NEWNSID, ['nsid', 'new']],
  [C.RTM_DELNSID, ['nsid', 'del']],
  [RTM_NEWNEXTHOP, ['nexthop', 'new']],
  [RTM_DELNEXTHOP, ['nexthop', 'del']],
]);

/**
 * Decodes one notification into a typed event (undefined for a type of no
 * wanted kind). Needs the route families: after a RouteClient, monitor or
 * watch has opened, or after `await route.loadFamilies()`.
 */
export function decodeEvent(msg: MessageView, wanted?: ReadonlySet<EventKind>): RouteEvent | undefined {
  const entry = BY_TYPE.get(msg.type);
  if (!entry || (wanted && !wanted.has(entry[0]))) return undefined;
  const [kind, action] = entry;
  const info = KINDS[kind];
  const codec = (routeFamilies()[info.family].ops as Readonly<Record<string, OperationCodec>>)[info.op]!;
  const object = info.convert(codec.decodeReply(msg));
  const event = { action, kind, object } as RouteEvent;
  if (msg.nsid !== undefined) event.nsid = msg.nsid;
  return event;
}

function checkKinds(kinds: EventKind | readonly EventKind[] | undefined): EventKind[] {
  const list = kinds === undefined ? [...EVENT_KINDS] : typeof kinds === 'string' ? [kinds] : [...kinds];
  if (list.length === 0) throw new TypeError('kinds must name at least one kind of event');
  for (const k of list) {
    if (!(EVENT_KINDS as readonly string[]).includes(k)) throw new RangeError(`kinds: '${String(k)}' is not one of ${EVENT_KINDS.join(', ')}`);
  }
  return list;
}

/** Options of monitor(). */
export interface MonitorOptions {
  /** Aborting ends the monitor: next() throws an AbortError and the socket closes. */
  signal?: AbortSignal;
  /** Receive buffer of the monitor's socket. */
  rcvbuf?: number;
  /** Also receive events of peer namespaces that have an nsid here (events carry `nsid`). */
  listenAllNsid?: boolean;
  /** Events queued before the socket pauses reading. */
  maxQueue?: number;
}

/** A subscription's next item; `owner` (a monitor or watch) closes when the subscription ends or fails. */
async function nextOrClose(sub: Subscription, owner: { close(): void }): Promise<IteratorResult<MessageView | Overrun, undefined>> {
  let r: IteratorResult<MessageView | Overrun>;
  try {
    r = await sub.next();
  } catch (err) {
    owner.close();
    throw err;
  }
  if (!r.done) return r;
  owner.close();
  return { value: undefined, done: true };
}

/** Typed events with overruns in-band; close() (or leaving the loop) ends it and closes its socket. */
export class Monitor implements AsyncIterableIterator<RouteEvent | Overrun> {
  private constructor(
    private readonly socket: NetlinkSocket,
    private readonly sub: Subscription,
    private readonly wanted: ReadonlySet<EventKind>,
  ) {}

  /** @internal */
  static async open(open: OpenOptions, kinds: EventKind | readonly EventKind[] | undefined, options: MonitorOptions): Promise<Monitor> {
    const list = checkKinds(kinds);
    await loadFamilies();
    const socket = await NetlinkSocket.open(0, open);
    try {
      const groups = [...new Set(list.flatMap((k) => KINDS[k].groups))];
      const sub = socket.subscribe(groups, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
      });
      return new Monitor(socket, sub, new Set(list));
    } catch (err) {
      socket.close();
      throw err;
    }
  }

  /** The next event or overrun marker; done once the monitor is closed. */
  async next(): Promise<IteratorResult<RouteEvent | Overrun>> {
    for (;;) {
      const r = await nextOrClose(this.sub, this);
      if (r.done) return r;
      if (isOverrun(r.value)) return { value: r.value, done: false };
      const event = decodeEvent(r.value, this.wanted);
      if (event) return { value: event, done: false };
    }
  }

  /** Closes the monitor; a for-await loop calls it when left early. */
  async return(): Promise<IteratorResult<RouteEvent | Overrun>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** The monitor itself. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the monitor and closes its socket. */
  close(): void {
    this.sub.close();
    this.socket.close();
  }

  /** Closes the monitor, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** What watch() yields. */
export type WatchEvent<T> =
  | {
      /** An object appeared. */
      action: 'add';
      /** The object's identity in the view (what tells two objects apart). */
      key: string;
      /** The object added. */
      object: T;
    }
  | {
      /** An object went away. */
      action: 'remove';
      /** The object's identity in the view. */
      key: string;
      /** The object as it was last seen. */
      object: T;
    }
  | {
      /** An object with the same key now reads differently. */
      action: 'change';
      /** The object's identity in the view. */
      key: string;
      /** The object now. */
      object: T;
      /** The object before the change. */
      previous: T;
    }
  /** The view equals the kernel's table as of the last dump plus the events since (after the first dump, and after each re-dump). */
  | {
      /** The view is in step with the kernel. */
      action: 'synced';
      /** False after the first dump; true after a re-dump that followed an overrun. */
      resync: boolean;
      /** How many objects the view holds. */
      size: number;
    };

/** Options of watch(). */
export interface WatchOptions {
  /** Aborting closes the watch: iteration then ends. */
  signal?: AbortSignal;
  /** Receive buffer of the watch's socket (a small one overruns sooner; the view converges anyway). */
  rcvbuf?: number;
  /** Notifications queued before the socket pauses reading. */
  maxQueue?: number;
}

const KEYS: Readonly<Record<string, (t: never) => string>> = {
  link: linkKey,
  address: addressKey,
  route: routeKey,
  neighbour: neighbourKey,
  rule: ruleKey,
  nsid: nsidKey,
  netconf: netconfKey,
  nexthop: nexthopKey,
};

/**
 * A live view of one kind of object. Iterate it for the events; `view`
 * holds the current objects by key.
 */
export class Watch<T> implements AsyncIterableIterator<WatchEvent<T>> {
  /** The current objects, by key. */
  readonly view = new Map<string, T>();
  /** Re-dumps done after overruns. */
  resyncs = 0;
  private readonly out: WatchEvent<T>[] = [];
  private started = false;
  private closed = false;
  private readonly onAbort: (() => void) | undefined;

  private constructor(
    private client: RouteClient,
    private sub: Subscription,
    private readonly kind: EventKind,
    private readonly dumpWith: (client: RouteClient) => Promise<T[]>,
    private readonly matches: (t: T) => boolean,
    private readonly signal: AbortSignal | undefined,
    private readonly reopen: (() => Promise<RouteClient>) | undefined,
    private readonly maxQueue: number | undefined,
  ) {
    if (signal) {
      this.onAbort = () => this.close();
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** @internal */
  static async open<K extends keyof KindFilters>(
    client: RouteClient,
    kind: K,
    filter: KindFilters[K],
    options: WatchOptions,
    reopen?: () => Promise<RouteClient>,
  ): Promise<Watch<KindObjects[K]>> {
    try {
      if (!(['link', 'address', 'route', 'neighbour', 'rule', 'nexthop'] as string[]).includes(kind))
        throw new RangeError(`kind: '${String(kind)}' cannot be watched (link, address, route, neighbour, rule, nexthop)`);
      // Subscribe first: nothing that happens during the dump is missed.
      const sub = client.socket.subscribe([...KINDS[kind].groups], {
        ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
      });
      type T = KindObjects[K];
      let dumpAll: (c: RouteClient) => Promise<T[]>;
      let matches: (t: T) => boolean;
      switch (kind) {
        case 'link': {
          const f = filter as LinkFilter;
          const master = f.master === undefined ? undefined : await client.resolveLink(f.master, 'master');
          dumpAll = (c) => c.links.listAll(f) as Promise<T[]>;
          matches = (t) => linkMatches(t as Link, f, master);
          break;
        }
        case 'address': {
          const f = filter as AddressFilter;
          const index = f.dev === undefined ? undefined : await client.resolveLink(f.dev, 'dev');
          dumpAll = (c) => c.addresses.listAll(f) as Promise<T[]>;
          const own = { ...f, dev: undefined };
          matches = (t) => addressMatches(t as Address, own, index);
          break;
        }
        case 'route': {
          const f = filter as RouteFilter;
          const oif = f.dev === undefined ? undefined : await client.resolveLink(f.dev, 'dev');
          dumpAll = (c) => c.routes.listAll(f) as Promise<T[]>;
          const matcher = routeMatcher(f, oif);
          matches = (t) => matcher(t as Route) && !(t as Route).flags.includes('cloned');
          break;
        }
        case 'neighbour': {
          const f = filter as NeighbourFilter;
          const index = f.dev === undefined ? undefined : await client.resolveLink(f.dev, 'dev');
          const master = f.master === undefined ? undefined : await client.resolveLink(f.master, 'master');
          dumpAll = (c) => c.neighbours.listAll(f) as Promise<T[]>;
          matches = (t) => neighbourMatches(t as Neighbour, f, index, master);
          break;
        }
        case 'nexthop': {
          const f = filter as NexthopFilter;
          if (f.master !== undefined) throw new RangeError('master: a nexthop watch cannot filter by master (events do not say which master a link has)');
          const oif = f.dev === undefined ? undefined : await client.resolveLink(f.dev, 'dev');
          dumpAll = (c) => c.nexthops.listAll(f) as Promise<T[]>;
          matches = (t) => nexthopMatches(t as NexthopObject, f, oif);
          break;
        }
        default: {
          const f = filter as RuleFilter;
          dumpAll = (c) => c.rules.listAll(f) as Promise<T[]>;
          matches = (t) => ruleMatches(t as Rule, f);
        }
      }
      return new Watch<T>(client, sub, kind, dumpAll, matches, options.signal, reopen, options.maxQueue);
    } catch (err) {
      client.close();
      throw err;
    }
  }

  private key(t: T): string {
    return (KEYS[this.kind] as (t: T) => string)(t);
  }

  /**
   * A dump retried until the kernel neither flags it as interrupted nor
   * refuses to start it because the receive buffer is full of events
   * (ENOBUFS from netlink_dump_start: the subscription is being drained).
   */
  private async dump(): Promise<Map<string, T>> {
    for (;;) {
      try {
        const list = await this.dumpWith(this.client);
        return new Map(list.map((t) => [this.key(t), t] as const));
      } catch (err) {
        if (err instanceof NetlinkError && err.code === 'ENOBUFS') {
          await new Promise<void>((resolve) => setTimeout(resolve, 1));
          continue;
        }
        if (!(err instanceof DumpInterruptedError)) throw err;
      }
    }
  }

  /** Applies one notification to a view; returns the event it makes (if it changes anything). */
  private apply(view: Map<string, T>, msg: MessageView): WatchEvent<T> | undefined {
    const event = decodeEvent(msg, new Set([this.kind]));
    if (!event) return undefined;
    const object = event.object as T;
    if (!this.matches(object)) return undefined;
    const key = this.key(object);
    const previous = view.get(key);
    if (event.action === 'del') {
      if (previous === undefined) return undefined;
      view.delete(key);
      return { action: 'remove', key, object: previous };
    }
    view.set(key, object);
    if (previous === undefined) return { action: 'add', key, object };
    return deepEqual(previous, object) ? undefined : { action: 'change', key, object, previous };
  }

  /**
   * Dumps, then applies what the subscription received meanwhile; again
   * while an overrun shows up among those (the kernel dropped events).
   * The dump and the subscription share the socket: the subscription is
   * drained while the dump runs, or a full subscription queue would pause
   * the socket and the dump with it.
   */
  private async fresh(): Promise<Map<string, T>> {
    for (;;) {
      const received: Array<MessageView | Overrun> = [];
      let dumping = true;
      const drain = (async (): Promise<void> => {
        for (;;) {
          while (this.sub.queued > 0) {
            const r = await this.sub.next();
            if (r.done) return;
            received.push(r.value);
          }
          if (!dumping) return;
          await new Promise<void>((resolve) => setTimeout(resolve, 1));
        }
      })();
      let view: Map<string, T>;
      try {
        view = await this.dump();
      } finally {
        dumping = false;
        await drain;
      }
      let lost = false;
      for (const item of received) {
        if (isOverrun(item)) lost = true;
        else this.apply(view, item);
      }
      if (!lost) return view;
      this.resyncs++;
      await this.resubscribe();
    }
  }

  /**
   * After an overrun the kernel reports ENOBUFS before the messages still
   * queued from before the drop: those are older than any dump made now, and
   * applying them after it would bring back stale state. A new socket and
   * subscription leave them behind; events on the new one are all newer.
   */
  private async resubscribe(): Promise<void> {
    if (!this.reopen) {
      // No way to open a socket again: drop what is queued locally at least.
      while (this.sub.queued > 0) await this.sub.next();
      return;
    }
    const client = await this.reopen();
    let sub: Subscription;
    try {
      sub = client.socket.subscribe([...KINDS[this.kind].groups], this.maxQueue !== undefined ? { maxQueue: this.maxQueue } : {});
    } catch (err) {
      client.close();
      throw err;
    }
    this.sub.close();
    this.client.close();
    this.client = client;
    this.sub = sub;
  }

  /** Replaces the view with `next`, queueing the differences. */
  private diff(next: Map<string, T>): void {
    for (const [key, object] of this.view) {
      if (!next.has(key)) {
        this.view.delete(key);
        this.out.push({ action: 'remove', key, object });
      }
    }
    for (const [key, object] of next) {
      const previous = this.view.get(key);
      if (previous === undefined) this.out.push({ action: 'add', key, object });
      else if (!deepEqual(previous, object)) this.out.push({ action: 'change', key, object, previous });
      this.view.set(key, object);
    }
  }

  /** The next change or 'synced' marker; the first call dumps the table. */
  async next(): Promise<IteratorResult<WatchEvent<T>>> {
    for (;;) {
      if (this.out.length > 0) return { value: this.out.shift()!, done: false };
      if (this.closed) return { value: undefined, done: true };
      if (!this.started) {
        this.started = true;
        this.diff(await this.fresh());
        this.out.push({ action: 'synced', resync: false, size: this.view.size });
        continue;
      }
      const r = await nextOrClose(this.sub, this);
      if (r.done) return r;
      if (isOverrun(r.value)) {
        this.resyncs++;
        await this.resubscribe();
        this.diff(await this.fresh());
        this.out.push({ action: 'synced', resync: true, size: this.view.size });
        continue;
      }
      const event = this.apply(this.view, r.value);
      if (event) return { value: event, done: false };
    }
  }

  /** Closes the watch; a for-await loop calls it when left early. */
  async return(): Promise<IteratorResult<WatchEvent<T>>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** The watch itself. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the watch and closes its socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    this.sub.close();
    this.client.close();
  }

  /** Closes the watch, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
