// RouteClient: typed rtnetlink clients for links, addresses, routes,
// neighbours, rules, nexthop objects, namespace ids and netconf, in the current network
// namespace or another one, over one NETLINK_ROUTE socket. Events
// (monitor, watch) use sockets of their own in the same namespace, so that
// a burst of notifications cannot fail the client's requests.
import { NLM_F_ACK, NLM_F_REQUEST, Protocol, AF_UNSPEC } from '../../core/constants.js';
import { NetlinkError, NlkitError } from '../../core/errors.js';
import { NetlinkSocket, type CallOptions, type OpenOptions } from '../../io/socket.js';
import { resolveNetnsTarget, type NetnsTarget } from '../../io/netns.js';
import * as tuntap from '../../io/tuntap.js';
import type { Family as SpecFamily } from '../../schema/family.js';
import { FamilyClient } from '../client.js';
import { FlatIterator } from './stream.js';
import { loadFamilies } from './families.js';
import { ADDRESS_WRITE_FLAGS, addressMatches, decodeAddress, encodeAddress, type Address, type AddressFilter, type AddressInput } from './addresses.js';
import { checkIfname, checkInteger } from '../../core/check.js';
import { checkFamily, checkObject, familyNumber, type Family, type Obj } from './convert.js';
import {
  LINK_WRITE_FLAGS,
  decodeLink,
  encodeLink,
  linkMatches,
  tunCreateOptions,
  tunDataMismatch,
  type Link,
  type LinkFilter,
  type LinkInput,
  type LinkSettings,
} from './links.js';
import { decodeNetconf, decodeNsid, type Netconf, type Nsid } from './netns.js';
import { NEIGHBOUR_WRITE_FLAGS, decodeNeighbour, encodeNeighbour, neighbourMatches, type Neighbour, type NeighbourFilter, type NeighbourInput } from './neighbours.js';
import {
  ROUTE_WRITE_FLAGS,
  decodeRoute,
  encodeRoute,
  encodeRouteGet,
  routeDumpRequest,
  routeIdentity,
  routeMatcher,
  type Route,
  type RouteFilter,
  type RouteGetOptions,
  type RouteInput,
} from './routes.js';
import { NexthopClient } from './nexthops.js';
import { BridgeClient } from './bridge.js';
import { RULE_ADD_FLAGS, decodeRule, encodeRule, ruleIdentity, ruleMatches, type Rule, type RuleFilter, type RuleInput } from './rules.js';
import { Monitor, Watch, type EventKind, type MonitorOptions, type WatchOptions, type KindObjects, type KindFilters } from './events.js';

/** Options of {@link RouteClient.open}. */
export interface RouteClientOptions extends Omit<OpenOptions, 'listenAllNsid' | 'groups'> {
  /** Namespace to work in: a name under /run/netns, or { path }, { pid }, { fd }. Default: the current one. */
  netns?: NetnsTarget;
}

/** Per-call options of the typed clients. */
export type RouteCallOptions = CallOptions;

/** @internal What the object clients share. */
export interface RouteContext {
  readonly link: FamilyClient;
  readonly addr: FamilyClient;
  readonly route: FamilyClient;
  readonly neigh: FamilyClient;
  readonly rule: FamilyClient;
  readonly nexthop: FamilyClient;
  /** The namespace the client was opened in (tun/tap links are made there through /dev/net/tun). */
  readonly netns: NetnsTarget | undefined;
  resolveLink(x: unknown, field: string, options?: CallOptions): Promise<number>;
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof NetlinkError && codes.includes(err.code);
}

/** Streams a dump, filtering on the client when the kernel did not (no NLM_F_DUMP_FILTERED). */
// Dumps are read a datagram at a time: one promise per batch of objects,
// not one per object (the cost that dominates long listings otherwise).
async function* streamBatches<T>(
  fc: FamilyClient,
  op: string,
  request: Obj,
  decode: (o: Obj) => T | undefined,
  kernelFiltered: (t: T) => boolean,
  clientOnly: (t: T) => boolean,
  options: CallOptions,
): AsyncGenerator<T[]> {
  const dump = fc.dump(op, request, options);
  for await (const batch of dump.batches()) {
    const applied = dump.filtered;
    const out: T[] = [];
    for (const o of batch) {
      const t = decode(o);
      if (t === undefined) continue;
      if (!clientOnly(t) || (!applied && !kernelFiltered(t))) continue;
      out.push(t);
    }
    if (out.length > 0) yield out;
  }
}

function flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  return new FlatIterator(batches);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function collectBatches<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of batches) for (const x of batch) out.push(x);
  return out;
}

const always = (): boolean => true;

/** Links: list, get, add (create), replace (create or change), change, delete. */
export class LinkClient {
  /** @internal */
  constructor(private readonly ctx: RouteContext) {}

  /** Streams the links; `kind` and `master` filters are applied by the kernel (strict checking). */
  list(filter: LinkFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Link> {
    return flatten(this.batches(filter, options));
  }

  /** The same listing as arrays of objects, one per received datagram. */
  async *batches(filter: LinkFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Link[]> {
    checkObject(filter, 'filter');
    const master = filter.master === undefined ? undefined : await this.ctx.resolveLink(filter.master, 'master', options);
    const req: Obj = { 'ifi-family': AF_UNSPEC, 'ext-mask': ['skip-stats'] };
    if (master !== undefined) req.master = master;
    if (filter.kind !== undefined) req.linkinfo = { kind: filter.kind };
    const kernelPart: LinkFilter = filter.kind !== undefined ? { kind: filter.kind } : {};
    const clientPart: LinkFilter = { ...(filter.name !== undefined ? { name: filter.name } : {}), ...(filter.up !== undefined ? { up: filter.up } : {}) };
    const kernel = (l: Link): boolean => linkMatches(l, kernelPart, master);
    const client = (l: Link): boolean => linkMatches(l, clientPart, undefined);
    yield* streamBatches(this.ctx.link, 'getlink', req, decodeLink, kernel, client, options);
  }

  /** All links, as an array. */
  listAll(filter: LinkFilter = {}, options: RouteCallOptions = {}): Promise<Link[]> {
    return collectBatches(this.batches(filter, options));
  }

  /** One link by name or index (with its counters); undefined when there is none. */
  async get(key: string | number, options: RouteCallOptions = {}): Promise<Link | undefined> {
    const req: Obj = { 'ifi-family': AF_UNSPEC, 'ifi-index': 0 };
    if (typeof key === 'number') req['ifi-index'] = checkInteger(key, 'index', 1, 0x7fffffff);
    else req.ifname = checkIfname(key, 'name');
    try {
      const m = await this.ctx.link.do('getlink', req, options);
      return m ? decodeLink(m) : undefined;
    } catch (err) {
      if (isErrno(err, 'ENODEV')) return undefined;
      throw err;
    }
  }

  /**
   * Creates a link; fails with EEXIST when one of that name exists. Kind 'tun'
   * (`data: { type: 'tun' | 'tap', pi, vnetHdr, multiQueue, owner, group }`) is made
   * through /dev/net/tun like `ip tuntap add` (persistent), since the kernel refuses
   * it over rtnetlink; the other settings follow in one change, and the device is
   * removed again if that change fails.
   */
  async add(input: LinkInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('add', input, options);
  }

  /** Creates a link, or changes the existing one of that name. */
  async replace(input: LinkInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('replace', input, options);
  }

  /** Changes a link (by name or index): mtu, address, up, master, name, kind data, port attributes ... */
  async change(key: string | number, settings: LinkSettings & { kind?: string }, options: RouteCallOptions = {}): Promise<void> {
    checkObject(settings, 'settings');
    const target = typeof key === 'number' ? { index: checkInteger(key, 'index', 1, 0x7fffffff) } : { index: await this.ctx.resolveLink(key, 'name', options) };
    const value = await encodeLink(settings, (x, f) => this.ctx.resolveLink(x, f, options), target);
    if (settings.name !== undefined) value.ifname = checkIfname(settings.name, 'name');
    await this.ctx.link.request('newlink', value, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | LINK_WRITE_FLAGS.change });
  }

  /** Deletes a link (by name or index); a veth's peer goes with it. */
  async delete(key: string | number, options: RouteCallOptions = {}): Promise<void> {
    const req: Obj = { 'ifi-family': AF_UNSPEC, 'ifi-index': 0 };
    if (typeof key === 'number') req['ifi-index'] = checkInteger(key, 'index', 1, 0x7fffffff);
    else req.ifname = checkIfname(key, 'name');
    await this.ctx.link.request('dellink', req, options);
  }

  private async write(mode: 'add' | 'replace', input: LinkInput, options: RouteCallOptions): Promise<void> {
    checkObject(input, 'link');
    const name = checkIfname(input.name, 'name');
    if (input.kind === undefined) throw new TypeError('kind must be given to create a link');
    if (input.kind === 'tun') return this.writeTun(mode, name, input, options);
    const value = await encodeLink(input, (x, f) => this.ctx.resolveLink(x, f, options), { name });
    await this.ctx.link.request('newlink', value, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | LINK_WRITE_FLAGS[mode] });
  }

  // tun/tap: TUNSETIFF in the client's namespace, then the other settings as an RTM_NEWLINK change.
  private async writeTun(mode: 'add' | 'replace', name: string, input: LinkInput, options: RouteCallOptions): Promise<void> {
    const { kind: _kind, data, peer, numTxQueues, numRxQueues, ...settings } = input;
    if (peer !== undefined) throw new TypeError('peer: only veth links have a peer, not tun links');
    if (numTxQueues !== undefined || numRxQueues !== undefined) {
      throw new TypeError(`${numTxQueues !== undefined ? 'numTxQueues' : 'numRxQueues'}: a tun/tap link has 1 queue, or 256 with data.multiQueue`);
    }
    const wanted = tunCreateOptions(data);
    const call = tuntap.createCall({ name, ...wanted, ...(this.ctx.netns !== undefined ? { netns: this.ctx.netns } : {}) });
    const change = await encodeLink(settings, (x, f) => this.ctx.resolveLink(x, f, options), { name });
    const hasSettings = Object.keys(change).some((k) => k !== 'ifi-family' && k !== 'ifi-index' && k !== 'ifname');
    const applySettings = async (): Promise<void> => {
      if (hasSettings) await this.ctx.link.request('newlink', change, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | LINK_WRITE_FLAGS.change });
    };
    if (mode === 'replace') {
      const existing = await this.get(name, options);
      if (existing) {
        // tun has no changelink: an existing device keeps its kind data, so it must already match.
        if (existing.kind !== 'tun') throw new NlkitError(`link '${name}' exists and is not a tun/tap link`, 'EOPNOTSUPP');
        const differs = tunDataMismatch(existing.data, wanted);
        if (differs !== undefined) throw new NlkitError(`tun/tap link '${name}' exists with another ${differs}; kind data of a tun/tap link cannot be changed`, 'EOPNOTSUPP');
        return applySettings();
      }
    }
    let created: string;
    try {
      created = tuntap.run(call);
    } catch (err) {
      // IFF_TUN_EXCL: EBUSY from TUNSETIFF means a device of that name exists (tun_set_iff()).
      const e = err as { code?: string; syscall?: string };
      if (e.code === 'EBUSY' && e.syscall === 'ioctl(TUNSETIFF)') throw new NlkitError(`TUNSETIFF failed: a link named '${name}' exists (EEXIST)`, 'EEXIST', { cause: err });
      throw err;
    }
    if (!hasSettings) return;
    try {
      // By index, as `ip link set NAME` does after looking the name up; the RTM_GETLINK also
      // brings the link-watch state up to date (rtnl_getlink() calls linkwatch_sync_dev()), so the
      // carrier loss of closing the tun fd is applied before the link is set up, as with ip.
      change['ifi-index'] = await this.ctx.resolveLink(created, 'name', options);
      delete change.ifname;
      await applySettings();
    } catch (err) {
      // All or nothing, as one RTM_NEWLINK would be.
      await this.delete(created).catch(() => undefined);
      throw err;
    }
  }
}

/** Addresses: list, get, add, replace, change, delete. */
export class AddressClient {
  /** @internal */
  constructor(private readonly ctx: RouteContext) {}

  /** Streams the addresses; the link filter is applied by the kernel (strict checking). */
  list(filter: AddressFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Address> {
    return flatten(this.batches(filter, options));
  }

  /** The same listing as arrays of objects, one per received datagram. */
  async *batches(filter: AddressFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Address[]> {
    checkObject(filter, 'filter');
    if (filter.family !== undefined) checkFamily(filter.family);
    const index = filter.dev === undefined ? undefined : await this.ctx.resolveLink(filter.dev, 'dev', options);
    const req: Obj = { 'ifa-family': familyNumber(filter.family), 'ifa-index': index ?? 0 };
    const kernel = (a: Address): boolean => addressMatches(a, {}, index);
    const clientPart: AddressFilter = { ...filter, dev: undefined };
    const client = (a: Address): boolean => addressMatches(a, clientPart, undefined);
    yield* streamBatches(this.ctx.addr, 'getaddr', req, decodeAddress, kernel, client, options);
  }

  /** All addresses, as an array. */
  listAll(filter: AddressFilter = {}, options: RouteCallOptions = {}): Promise<Address[]> {
    return collectBatches(this.batches(filter, options));
  }

  /** The address `address` ('a.b.c.d' or with its /length) of a link, or undefined. */
  async get(dev: string | number, address: string, options: RouteCallOptions = {}): Promise<Address | undefined> {
    const want = await encodeAddress({ dev, address }, (x, f) => this.ctx.resolveLink(x, f, options), true);
    const hasLength = address.includes('/');
    for await (const a of this.list({ dev: want['ifa-index'] as number }, options)) {
      if (a.address === want.local && (!hasLength || a.prefixLength === want['ifa-prefixlen'])) return a;
    }
    return undefined;
  }

  /** Adds an address; EEXIST when the link has it. */
  async add(input: AddressInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('add', input, options);
  }

  /** Adds an address or replaces its settings (lifetimes, flags, label). */
  async replace(input: AddressInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('replace', input, options);
  }

  /** Changes an existing address's settings; ENOENT when the link does not have it. */
  async change(input: AddressInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('change', input, options);
  }

  /** Deletes an address (an Address from a listing, or an input naming dev and address). */
  async delete(input: AddressInput | Address, options: RouteCallOptions = {}): Promise<void> {
    const given =
      'index' in input && !('dev' in input)
        ? { dev: input.index, address: `${input.address}/${input.prefixLength}`, ...(input.peer !== undefined ? { peer: input.peer } : {}) }
        : (input as AddressInput);
    const value = await encodeAddress(given, (x, f) => this.ctx.resolveLink(x, f, options), true);
    await this.ctx.addr.request('deladdr', value, options);
  }

  private async write(mode: keyof typeof ADDRESS_WRITE_FLAGS, input: AddressInput, options: RouteCallOptions): Promise<void> {
    const value = await encodeAddress(input, (x, f) => this.ctx.resolveLink(x, f, options));
    await this.ctx.addr.request('newaddr', value, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | ADDRESS_WRITE_FLAGS[mode] });
  }
}

/** Routes: list (all tables by default), get (`ip route get`), add, replace, change, append, delete. */
export class RouteTableClient {
  /** @internal */
  constructor(private readonly ctx: RouteContext) {}

  /** Streams the routes; table, protocol, type and output link filters are applied by the kernel (strict checking). */
  list(filter: RouteFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Route> {
    return flatten(this.batches(filter, options));
  }

  /** The same listing as arrays of objects, one per received datagram. */
  async *batches(filter: RouteFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Route[]> {
    checkObject(filter, 'filter');
    if (filter.family !== undefined) checkFamily(filter.family);
    const oif = filter.dev === undefined ? undefined : await this.ctx.resolveLink(filter.dev, 'dev', options);
    const req = routeDumpRequest(filter, oif);
    const { family: _f, scope: _s, ...kernelPart } = filter;
    const kernel = routeMatcher(kernelPart, oif);
    const clientPart = routeMatcher(
      { ...(filter.family !== undefined ? { family: filter.family } : {}), ...(filter.scope !== undefined ? { scope: filter.scope } : {}) },
      undefined,
    );
    const client = (r: Route): boolean => clientPart(r) && !r.flags.includes('cloned');
    try {
      yield* streamBatches(this.ctx.route, 'getroute', req, decodeRoute, kernel, client, options);
    } catch (err) {
      // A table that does not exist yet is an empty one ("FIB table does not exist").
      if (!(filter.table !== undefined && isErrno(err, 'ENOENT'))) throw err;
    }
  }

  /** All routes, as an array. */
  listAll(filter: RouteFilter = {}, options: RouteCallOptions = {}): Promise<Route[]> {
    return collectBatches(this.batches(filter, options));
  }

  /** The route the kernel would use for `destination`, like `ip route get` (with `fibmatch`: the FIB entry). */
  async get(destination: string, options: RouteGetOptions & RouteCallOptions = {}): Promise<Route> {
    const value = await encodeRouteGet(destination, options, (x, f) => this.ctx.resolveLink(x, f, options));
    const m = await this.ctx.route.do('getroute', value, callOptions(options));
    if (!m) throw new Error('getroute: the kernel sent no route');
    return decodeRoute(m);
  }

  /** Adds a route; EEXIST when an equal one exists. */
  async add(input: RouteInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('add', input, options);
  }

  /** Adds a route or replaces the one with the same destination, table, tos and metric. */
  async replace(input: RouteInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('replace', input, options);
  }

  /** Changes an existing route; ENOENT when there is none. */
  async change(input: RouteInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('change', input, options);
  }

  /** Adds a route after existing ones of the same key (`ip route append`). */
  async append(input: RouteInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('append', input, options);
  }

  /** Deletes a route: a Route from a listing, or an input naming at least its destination (and table). */
  async delete(input: RouteInput | Route, options: RouteCallOptions = {}): Promise<void> {
    const given = 'flags' in input && Array.isArray(input.flags) ? routeIdentity(input as Route) : (input as RouteInput);
    const value = await encodeRoute(given, (x, f) => this.ctx.resolveLink(x, f, options), true);
    await this.ctx.route.request('delroute', value, options);
  }

  private async write(mode: keyof typeof ROUTE_WRITE_FLAGS, input: RouteInput, options: RouteCallOptions): Promise<void> {
    const value = await encodeRoute(input, (x, f) => this.ctx.resolveLink(x, f, options));
    await this.ctx.route.request('newroute', value, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | ROUTE_WRITE_FLAGS[mode] });
  }
}

function callOptions(o: CallOptions): CallOptions {
  return { ...(o.signal ? { signal: o.signal } : {}), ...(o.timeout !== undefined ? { timeout: o.timeout } : {}) };
}

/** Neighbours (ARP / NDP entries): list, get, add, replace, change, delete. */
export class NeighbourClient {
  /** @internal */
  constructor(private readonly ctx: RouteContext) {}

  /** Streams the neighbour entries; dev and master filters are applied by the kernel (strict checking). */
  list(filter: NeighbourFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Neighbour> {
    return flatten(this.batches(filter, options));
  }

  /** The same listing as arrays of objects, one per received datagram. */
  async *batches(filter: NeighbourFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Neighbour[]> {
    checkObject(filter, 'filter');
    if (filter.family !== undefined) checkFamily(filter.family);
    const index = filter.dev === undefined ? undefined : await this.ctx.resolveLink(filter.dev, 'dev', options);
    const master = filter.master === undefined ? undefined : await this.ctx.resolveLink(filter.master, 'master', options);
    const req: Obj = { 'ndm-family': familyNumber(filter.family), 'ndm-ifindex': 0, 'ndm-state': [], 'ndm-flags': filter.proxy ? ['proxy'] : [], 'ndm-type': 0 };
    if (index !== undefined) req.ifindex = index;
    if (master !== undefined) req.master = master;
    const kernel = (n: Neighbour): boolean => neighbourMatches(n, {}, index, master);
    const clientPart: NeighbourFilter = filter.family !== undefined ? { family: filter.family } : {};
    const client = (n: Neighbour): boolean => neighbourMatches(n, clientPart, undefined, undefined);
    yield* streamBatches(this.ctx.neigh, 'getneigh', req, decodeNeighbour, kernel, client, options);
  }

  /** All neighbour entries, as an array. */
  listAll(filter: NeighbourFilter = {}, options: RouteCallOptions = {}): Promise<Neighbour[]> {
    return collectBatches(this.batches(filter, options));
  }

  /** The entry of `destination` on a link, or undefined. */
  async get(dev: string | number, destination: string, options: RouteCallOptions = {}): Promise<Neighbour | undefined> {
    const value = await encodeNeighbour({ dev, destination }, (x, f) => this.ctx.resolveLink(x, f, options), true);
    const req: Obj = { ...value, 'ndm-state': [], 'ndm-ifindex': value['ndm-ifindex'] };
    try {
      const m = await this.ctx.neigh.do('getneigh', req, options);
      return m ? decodeNeighbour(m) : undefined;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  /** Adds an entry (permanent unless `state` says otherwise); EEXIST when there is one. */
  async add(input: NeighbourInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('add', input, options);
  }

  /** Adds an entry or replaces the existing one. */
  async replace(input: NeighbourInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('replace', input, options);
  }

  /** Changes an existing entry; ENOENT when there is none. */
  async change(input: NeighbourInput, options: RouteCallOptions = {}): Promise<void> {
    await this.write('change', input, options);
  }

  /** Deletes an entry (a Neighbour from a listing, or dev and destination). */
  async delete(input: NeighbourInput | Neighbour, options: RouteCallOptions = {}): Promise<void> {
    const given: NeighbourInput = 'index' in input ? { dev: input.index, destination: input.destination ?? '', ...(input.flags.includes('proxy') ? { proxy: true } : {}) } : input;
    const value = await encodeNeighbour(given, (x, f) => this.ctx.resolveLink(x, f, options), true);
    await this.ctx.neigh.request('delneigh', value, options);
  }

  private async write(mode: keyof typeof NEIGHBOUR_WRITE_FLAGS, input: NeighbourInput, options: RouteCallOptions): Promise<void> {
    const value = await encodeNeighbour(input, (x, f) => this.ctx.resolveLink(x, f, options));
    await this.ctx.neigh.request('newneigh', value, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | NEIGHBOUR_WRITE_FLAGS[mode] });
  }
}

/**
 * Routing rules: list, get, add, delete; replace and change are a delete
 * followed by an add (the kernel has no replace for rules), so they are not
 * atomic.
 */
export class RuleClient {
  /** @internal */
  constructor(private readonly ctx: RouteContext) {}

  /** Streams the rules (the kernel only filters by family; the rest is filtered here). */
  list(filter: RuleFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Rule> {
    return flatten(this.batches(filter, options));
  }

  /** The same listing as arrays of objects, one per received datagram. */
  async *batches(filter: RuleFilter = {}, options: RouteCallOptions = {}): AsyncGenerator<Rule[]> {
    checkObject(filter, 'filter');
    const fam = filter.family === undefined ? AF_UNSPEC : familyNumber(checkFamily(filter.family));
    const req: Obj = { family: fam, 'dst-len': 0, 'src-len': 0, tos: 0, table: 0, action: 0, flags: 0 };
    yield* streamBatches(this.ctx.rule, 'getrule', req, decodeRule, always, (r) => ruleMatches(r, filter), options);
  }

  /** All rules, as an array. */
  listAll(filter: RuleFilter = {}, options: RouteCallOptions = {}): Promise<Rule[]> {
    return collectBatches(this.batches(filter, options));
  }

  /** The rule with this priority (the first when several share it), or undefined. */
  async get(priority: number, family: Family = 'inet', options: RouteCallOptions = {}): Promise<Rule | undefined> {
    checkInteger(priority, 'priority', 0, 0xffffffff);
    for await (const r of this.list({ family, priority }, options)) return r;
    return undefined;
  }

  /** Adds a rule; EEXIST when an equal rule exists. */
  async add(input: RuleInput, options: RouteCallOptions = {}): Promise<void> {
    await this.ctx.rule.request('newrule', encodeRule(input), { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | RULE_ADD_FLAGS });
  }

  /** Deletes an equal rule if there is one, then adds `input`. */
  async replace(input: RuleInput, options: RouteCallOptions = {}): Promise<void> {
    const value = encodeRule(input);
    try {
      await this.ctx.rule.request('delrule', value, options);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    await this.ctx.rule.request('newrule', value, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | RULE_ADD_FLAGS });
  }

  /** Deletes `rule` and adds it with `changes` applied. */
  async change(rule: Rule | RuleInput, changes: RuleInput, options: RouteCallOptions = {}): Promise<void> {
    const old =
      'invert' in rule && 'action' in rule && typeof (rule as Rule).src === 'string' && 'table' in rule && typeof rule.table === 'number' && 'tos' in rule
        ? ruleIdentity(rule as Rule)
        : (rule as RuleInput);
    const next = encodeRule({ ...old, ...changes });
    await this.ctx.rule.request('delrule', encodeRule(old), options);
    await this.ctx.rule.request('newrule', next, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | RULE_ADD_FLAGS });
  }

  /** Deletes a rule (a Rule from a listing, or an input selecting it, e.g. `{ priority: 100 }`). */
  async delete(input: RuleInput | Rule, options: RouteCallOptions = {}): Promise<void> {
    const given =
      'invert' in input && typeof (input as Rule).src === 'string' && typeof input.table === 'number' && 'tos' in input && 'action' in input
        ? ruleIdentity(input as Rule)
        : (input as RuleInput);
    await this.ctx.rule.request('delrule', encodeRule(given), options);
  }
}

/**
 * Namespace ids: the numbers this namespace gives its peers (`ip netns
 * list-id`, `ip netns set`). The kernel neither changes nor removes an
 * assigned id (RTM_DELNSID exists only as a notification, sent when the peer
 * goes away): there is no replace, change or delete.
 */
export class NsidClient {
  /** @internal */
  constructor(private readonly ctx: RouteContext) {}

  /** Streams the assigned ids. */
  async *list(options: RouteCallOptions = {}): AsyncGenerator<Nsid> {
    for await (const o of this.ctx.link.dump('getnsid', { family: AF_UNSPEC }, options)) yield decodeNsid(o);
  }

  /** All assigned ids, as an array. */
  listAll(options: RouteCallOptions = {}): Promise<Nsid[]> {
    return collect(this.list(options));
  }

  /** The id of a namespace (by name, { pid } or { fd }); nsid -1 when none is assigned. */
  async get(netns: string | { pid: number } | { fd: number }, options: RouteCallOptions = {}): Promise<Nsid> {
    return withNetnsAttr(netns, async (attr) => {
      const m = await this.ctx.link.do('getnsid', { family: AF_UNSPEC, ...attr }, options);
      return decodeNsid(m ?? {});
    });
  }

  /** Assigns `nsid` to a namespace (by name, { pid } or { fd }); -1 lets the kernel choose. */
  async add(nsid: number, netns: string | { pid: number } | { fd: number }, options: RouteCallOptions = {}): Promise<void> {
    checkInteger(nsid, 'nsid', -1, 0x7fffffff);
    await withNetnsAttr(netns, (attr) => this.ctx.link.request('newnsid', { family: AF_UNSPEC, nsid, ...attr }, options));
  }
}

async function withNetnsAttr<T>(netns: string | { pid: number } | { fd: number }, run: (attr: Obj) => Promise<T>): Promise<T> {
  if (typeof netns === 'object' && netns !== null && 'pid' in netns) return run({ pid: checkInteger(netns.pid, 'netns.pid', 1, 0x7fffffff) });
  if (typeof netns === 'object' && netns !== null && 'fd' in netns) return run({ fd: checkInteger(netns.fd, 'netns.fd', 0, 0x7fffffff) });
  const target = resolveNetnsTarget(netns as NetnsTarget);
  const { open } = await import('node:fs/promises');
  const handle = await open((target as { path: string }).path, 'r');
  try {
    return await run({ fd: handle.fd });
  } finally {
    await handle.close();
  }
}

/** Per-device IP configuration (read only over netlink; written through /proc/sys). */
export class NetconfClient {
  /** @internal */
  constructor(private readonly ctx: RouteContext) {}

  /** Streams the netconf entries of a family (default both IPv4 and IPv6). */
  async *list(family?: Family, options: RouteCallOptions = {}): AsyncGenerator<Netconf> {
    const fams = family === undefined ? (['inet', 'inet6'] as const) : [checkFamily(family)];
    for (const f of fams) {
      for await (const o of this.ctx.link.dump('getnetconf', { 'ncm-family': familyNumber(f) }, options)) yield decodeNetconf(o);
    }
  }

  /** All netconf entries, as an array. */
  listAll(family?: Family, options: RouteCallOptions = {}): Promise<Netconf[]> {
    return collect(this.list(family, options));
  }

  /** The entry of a link (name or index), or of 'all' / 'default'. */
  async get(family: Family, dev: string | number | 'all' | 'default', options: RouteCallOptions = {}): Promise<Netconf | undefined> {
    const ifindex = dev === 'all' ? -1 : dev === 'default' ? -2 : await this.ctx.resolveLink(dev, 'dev', options);
    try {
      const m = await this.ctx.link.do('getnetconf', { 'ncm-family': familyNumber(checkFamily(family)), ifindex }, options);
      return m ? decodeNetconf(m) : undefined;
    } catch (err) {
      if (isErrno(err, 'ENODEV', 'ENOENT')) return undefined;
      throw err;
    }
  }
}

/**
 * Typed rtnetlink clients in one network namespace.
 *
 * ```ts
 * await using rt = await RouteClient.open({ netns: 'blue' });
 * await rt.links.add({ name: 'v0', kind: 'veth', peer: { name: 'v1' } });
 * await rt.addresses.add({ dev: 'v0', address: '10.0.0.1/24' });
 * await rt.links.change('v0', { up: true });
 * for await (const r of rt.routes.list({ table: 'main' })) console.log(r.dst, r.gateway ?? r.oif);
 * console.log(await rt.routes.get('10.0.0.7'));
 * ```
 */
export class RouteClient {
  /** Links: list, get, add, replace, change and delete (RTM_*LINK). */
  readonly links: LinkClient;
  /** Addresses of links (RTM_*ADDR). */
  readonly addresses: AddressClient;
  /** Routes and route lookups (RTM_*ROUTE). */
  readonly routes: RouteTableClient;
  /** Neighbour entries: ARP, NDP and bridge FDB (RTM_*NEIGH). */
  readonly neighbours: NeighbourClient;
  /** Policy routing rules (RTM_*RULE). */
  readonly rules: RuleClient;
  /** Ids this namespace gives other namespaces (RTM_*NSID). */
  readonly nsid: NsidClient;
  /** Per-device IP settings (RTM_*NETCONF). */
  readonly netconf: NetconfClient;
  /** Nexthop objects, groups and resilient-group buckets (RTM_*NEXTHOP, RTM_*NEXTHOPBUCKET). */
  readonly nexthops: NexthopClient;
  /** Bridges: forwarding entries, ports and their settings, VLANs, the multicast database (PF_BRIDGE). */
  readonly bridge: BridgeClient;
  private readonly ctx: RouteContext;

  private constructor(
    /** The NETLINK_ROUTE socket requests go over. */
    readonly socket: NetlinkSocket,
    private readonly options: RouteClientOptions,
    clients: Omit<RouteContext, 'resolveLink' | 'netns'>,
  ) {
    this.ctx = { ...clients, netns: options.netns, resolveLink: (x, field, o) => this.resolveLink(x, field, o) };
    this.links = new LinkClient(this.ctx);
    this.addresses = new AddressClient(this.ctx);
    this.routes = new RouteTableClient(this.ctx);
    this.neighbours = new NeighbourClient(this.ctx);
    this.rules = new RuleClient(this.ctx);
    this.nsid = new NsidClient(this.ctx);
    this.netconf = new NetconfClient(this.ctx);
    this.nexthops = new NexthopClient(this.ctx);
    this.bridge = new BridgeClient(this.ctx);
  }

  /** Opens a client in the current namespace, or in `options.netns`. */
  static async open(options: RouteClientOptions = {}): Promise<RouteClient> {
    checkObject(options, 'options');
    const socket = await NetlinkSocket.open(Protocol.ROUTE, options);
    try {
      const fc = (f: SpecFamily): Promise<FamilyClient> => FamilyClient.open(f, { socket });
      const f = await loadFamilies();
      const [link, addr, route, neigh, rule, nexthop] = await Promise.all([fc(f.link), fc(f.addr), fc(f.route), fc(f.neigh), fc(f.rule), fc(f.nexthop)]);
      return new RouteClient(socket, options, { link, addr, route, neigh, rule, nexthop });
    } catch (err) {
      socket.close();
      throw err;
    }
  }

  /** Index of a link given by name or index (names are looked up; an unknown one is a RangeError naming `field`). */
  async resolveLink(x: unknown, field: string, options: CallOptions = {}): Promise<number> {
    if (typeof x === 'number') return checkInteger(x, field, 1, 0x7fffffff);
    const name = checkIfname(x, field);
    try {
      const m = await this.ctx.link.do('getlink', { 'ifi-family': AF_UNSPEC, 'ifi-index': 0, ifname: name, 'ext-mask': ['skip-stats'] }, options);
      const index = m?.['ifi-index'];
      if (typeof index === 'number') return index;
    } catch (err) {
      if (!isErrno(err, 'ENODEV', 'ESRCH')) throw err;
    }
    throw new RangeError(`${field}: no link named '${name}'`);
  }

  /**
   * Typed events of the given kinds (default: all), in kernel order, with
   * overruns in-band as `{ overrun: true }`. Uses a socket of its own.
   */
  async monitor(kinds?: EventKind | readonly EventKind[], options: MonitorOptions = {}): Promise<Monitor> {
    return Monitor.open(this.openOptions(options), kinds, options);
  }

  /**
   * A live view of one kind of object: the current table first (as 'add'
   * events, then 'synced'), then every change; after an overrun it dumps
   * again and yields the differences, so a copy kept from the events always
   * converges to the kernel's. Uses a socket of its own.
   */
  async watch<K extends Exclude<EventKind, 'nsid' | 'netconf'>>(
    kind: K,
    filter: KindFilters[K] = {} as KindFilters[K],
    options: WatchOptions = {},
  ): Promise<Watch<KindObjects[K]>> {
    const openOptions = this.openOptions(options);
    const child = await RouteClient.open(openOptions);
    return Watch.open<K>(child, kind, filter, options, () => RouteClient.open(openOptions));
  }

  private openOptions(o: { rcvbuf?: number; listenAllNsid?: boolean }): OpenOptions {
    const { netns, rcvbuf, slabSize } = this.options;
    return {
      ...(netns !== undefined ? { netns } : {}),
      ...(slabSize !== undefined ? { slabSize } : {}),
      ...((o.rcvbuf ?? rcvbuf) !== undefined ? { rcvbuf: o.rcvbuf ?? rcvbuf } : {}),
      ...(o.listenAllNsid !== undefined ? { listenAllNsid: o.listenAllNsid } : {}),
    };
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }

  /** Closes the socket, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
