// Nexthop objects (RTM_*NEXTHOP) and the buckets of resilient groups
// (RTM_*NEXTHOPBUCKET), on the project's rt-nexthop spec
// (specs/rt-nexthop.yaml). Groups list members by id with a weight; the
// kernel stores weight - 1 (include/uapi/linux/nexthop.h, struct
// nexthop_grp), in 8 bits plus 8 high bits since 6.12. Timers travel in
// clock ticks (clock_t, USER_HZ = 100): the client speaks seconds.
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, AF_UNSPEC } from '../../core/constants.js';
import { checkBool, checkInteger, checkU32 } from '../../core/check.js';
import { NetlinkError } from '../../core/errors.js';
import type { CallOptions } from '../../io/socket.js';
import type { FamilyClient } from '../client.js';
import { PROTOCOLS, SCOPES, checkAddress, checkName, checkObject, familyName, familyNumber, type Family, type Obj } from './convert.js';
import { decodeEncap, encodeEncap, type Encap, type EncapInput } from './routes.js';
import { FlatIterator } from './stream.js';

/** Clock ticks per second of the kernel's clock_t values (USER_HZ). */
const USER_HZ = 100;

/** Group types (NEXTHOP_GRP_TYPE_*): hash-threshold ('mpath') or resilient. */
export type NexthopGroupType = 'mpath' | 'resilient';

/** One member of a nexthop group. */
export interface NexthopGroupMember {
  /** Id of the member nexthop. */
  id: number;
  /** Weight, 1 or more (1 when a write leaves it out). */
  weight: number;
}

/** Settings and state of a resilient group (NHA_RES_GROUP). */
export interface ResilientSettings {
  /** Number of buckets. */
  buckets: number;
  /** Seconds a bucket must be idle before it may move to another nexthop. */
  idleTimer: number;
  /** Seconds the group may stay unbalanced before buckets move even if busy (0: never). */
  unbalancedTimer: number;
  /** Seconds the group has been unbalanced (0 when it is balanced). */
  unbalancedTime: number;
}

/** Packet counters of one group member (listed with `stats: true`). */
export interface NexthopGroupStats {
  /** Id of the member nexthop. */
  id: number;
  /** Packets forwarded through the member. */
  packets: bigint;
  /** Of those, packets forwarded in hardware (with `hwStats: true`). */
  packetsHw?: bigint;
}

/** A nexthop object or group. */
export interface NexthopObject {
  /** The nexthop's id. */
  id: number;
  /** 'inet' or 'inet6'; groups and fdb-less blackholes may carry 0 (AF_UNSPEC) or another number. */
  family: Family | number;
  /** Scope by name ('global', 'link' ...) or number. */
  scope: string | number;
  /** Who installed it: 'boot', 'static', 'kernel' ... or the number. */
  protocol: string | number;
  /** Next-hop flags by name: 'onlink', 'dead', 'linkdown', 'offload', 'trap' ... */
  flags: string[];
  /** Gateway address. */
  gateway?: string;
  /** Index of the output link. */
  oif?: number;
  /** Drops packets (NHA_BLACKHOLE). */
  blackhole?: boolean;
  /** Belongs to the bridge fdb (vxlan) rather than the FIB (NHA_FDB). */
  fdb?: boolean;
  /** Lightweight tunnel encapsulation. */
  encap?: Encap;
  /** Members of a group. */
  group?: NexthopGroupMember[];
  /** Type of a group. */
  groupType?: NexthopGroupType | number;
  /** Settings of a resilient group. */
  resilient?: ResilientSettings;
  /** Per-member packet counters (listings and gets with `stats: true`). */
  groupStats?: NexthopGroupStats[];
  /** Whether hardware statistics are enabled on the group (NHA_HW_STATS_ENABLE), when the kernel reports it. */
  hwStatsEnable?: boolean;
  /** Whether a driver collects hardware statistics for the group (NHA_HW_STATS_USED). */
  hwStatsUsed?: boolean;
}

/** A nexthop or group to add or replace. */
export interface NexthopObjectInput {
  /** Id; the kernel picks one when absent. */
  id?: number;
  /** 'inet' or 'inet6'; taken from the gateway, else 'inet' for a device or blackhole (as ip). */
  family?: Family;
  /** Gateway address. */
  gateway?: string;
  /** Output link (name or index). */
  dev?: string | number;
  /** Use the gateway as directly reachable (RTNH_F_ONLINK). */
  onlink?: boolean;
  /** Lightweight tunnel encapsulation. */
  encap?: EncapInput;
  /** Drop packets. */
  blackhole?: boolean;
  /** A bridge fdb nexthop (for vxlan), or a group of those. */
  fdb?: boolean;
  /** Members of a group, with weights 1-65536 (1 when absent). */
  group?: ReadonlyArray<{
    /** Id of the member nexthop. */
    id: number;
    /** Weight, 1-65536; 1 when absent. */
    weight?: number;
  }>;
  /** Group type; 'mpath' when absent. */
  groupType?: NexthopGroupType;
  /** Settings of a resilient group (seconds; the kernel's defaults where absent). */
  resilient?: Partial<Pick<ResilientSettings, 'buckets' | 'idleTimer' | 'unbalancedTimer'>>;
  /** Who installs it (name or number). */
  protocol?: string | number;
  /** Enable hardware statistics on a group. */
  hwStats?: boolean;
}

/** Filters of a nexthop listing (sent to the kernel, and checked again by the client where the kernel may not apply them). */
export interface NexthopFilter {
  /** Only nexthops using this output link (name or index). */
  dev?: string | number;
  /** Only nexthops whose link is a port of this master (name or index), e.g. a VRF. */
  master?: string | number;
  /** Only groups. */
  groups?: boolean;
  /** Only fdb nexthops (checked by the client too: kernel 6.18 ignores NHA_FDB in a dump request). */
  fdb?: boolean;
  /** Only this family ('inet' or 'inet6'). */
  family?: Family;
  /** Only nexthops installed by this protocol (name or number); checked by the client, as ip does. */
  protocol?: string | number;
}

/** Options of listings and gets: per-member statistics of groups. */
export interface NexthopStatsOptions extends CallOptions {
  /** Ask for group statistics (NHA_OP_FLAG_DUMP_STATS; kernel 6.10 and later). */
  stats?: boolean;
  /** Also hardware statistics (NHA_OP_FLAG_DUMP_HW_STATS). */
  hwStats?: boolean;
}

/** A bucket of a resilient group. */
export interface NexthopBucket {
  /** Id of the group. */
  id: number;
  /** Index of the bucket in the group. */
  index: number;
  /** Seconds since the bucket last forwarded a packet. */
  idleTime: number;
  /** Id of the nexthop the bucket sends to. */
  nhId: number;
  /** Next-hop flags by name ('offload', 'trap' ...). */
  flags: string[];
}

/** Filters of a bucket listing (the kernel applies them). */
export interface NexthopBucketFilter {
  /** Only buckets of this group. */
  id?: number;
  /** Only buckets that send to this nexthop. */
  nhId?: number;
  /** Only buckets whose nexthop uses this link (name or index). */
  dev?: string | number;
  /** Only buckets whose nexthop's link is a port of this master. */
  master?: string | number;
}

const ticks = (seconds: number): number => Math.round(seconds * USER_HZ);
const seconds = (t: number | bigint | undefined): number => Number(t ?? 0) / USER_HZ;

/** A NexthopObject from a decoded rt-nexthop message (the generated module's, or any object of its fields). */
export function decodeNexthop(msg: object): NexthopObject {
  const m = msg as Obj;
  const fam = m['nh-family'] as number;
  const nh: NexthopObject = {
    id: (m.id as number | undefined) ?? 0,
    family: fam === AF_UNSPEC ? AF_UNSPEC : familyName(fam),
    scope: SCOPES.name(m['nh-scope'] as number),
    protocol: PROTOCOLS.name(m['nh-protocol'] as number),
    flags: ((m['nh-flags'] as Array<string | number> | undefined) ?? []).map(String),
  };
  if (typeof m.gateway === 'string') nh.gateway = m.gateway;
  if (typeof m.oif === 'number') nh.oif = m.oif;
  if (m.blackhole === true) nh.blackhole = true;
  if (m.fdb === true) nh.fdb = true;
  const encap = decodeEncap(m['encap-type'], m.encap);
  if (encap) nh.encap = encap;
  const group = m.group as Obj[] | undefined;
  if (group) {
    nh.group = group.map((g) => ({ id: g.id as number, weight: (g.weight as number) + ((g['weight-high'] as number) << 8) + 1 }));
    const t = m['group-type'] as string | number | undefined;
    nh.groupType = t === undefined || t === 'mpath' ? 'mpath' : t === 'res' ? 'resilient' : Number(t);
  }
  const res = m['res-group'] as Obj | undefined;
  if (res) {
    nh.resilient = {
      buckets: (res.buckets as number | undefined) ?? 0,
      idleTimer: seconds(res['idle-timer'] as number | undefined),
      unbalancedTimer: seconds(res['unbalanced-timer'] as number | undefined),
      unbalancedTime: seconds(res['unbalanced-time'] as bigint | undefined),
    };
  }
  const stats = (m['group-stats'] as Obj | undefined)?.entry as Obj[] | undefined;
  if (stats) {
    nh.groupStats = stats.map((e) => ({
      id: e.id as number,
      packets: BigInt((e.packets as bigint | number | undefined) ?? 0),
      ...(e['packets-hw'] !== undefined ? { packetsHw: BigInt(e['packets-hw'] as bigint | number) } : {}),
    }));
  }
  if (m['hw-stats-enable'] !== undefined) nh.hwStatsEnable = m['hw-stats-enable'] !== 0;
  if (m['hw-stats-used'] !== undefined) nh.hwStatsUsed = m['hw-stats-used'] !== 0;
  return nh;
}

/** A NexthopBucket from a decoded bucket message. */
export function decodeNexthopBucket(msg: object): NexthopBucket {
  const m = msg as Obj;
  const b = (m['res-bucket'] as Obj | undefined) ?? {};
  return {
    id: (m.id as number | undefined) ?? 0,
    index: (b.index as number | undefined) ?? 0,
    idleTime: seconds(b['idle-time'] as bigint | undefined),
    nhId: (b['nh-id'] as number | undefined) ?? 0,
    flags: ((m['nh-flags'] as Array<string | number> | undefined) ?? []).map(String),
  };
}

type Resolve = (x: unknown, field: string) => Promise<number>;

/** The rt-nexthop request of an add or replace (checked before anything is sent). */
export async function encodeNexthop(input: NexthopObjectInput, resolve: Resolve): Promise<Obj> {
  checkObject(input, 'nexthop');
  let family: Family | undefined = input.family !== undefined ? checkName(input.family, 'family', ['inet', 'inet6'] as const) : undefined;
  const m: Obj = { 'nh-family': AF_UNSPEC, 'nh-scope': 0, 'nh-protocol': 0, 'nh-flags': [] };
  if (input.id !== undefined) m.id = checkU32(input.id, 'id');
  const fdb = input.fdb !== undefined && checkBool(input.fdb, 'fdb');
  if (fdb && (input.dev !== undefined || input.blackhole !== undefined || input.encap !== undefined)) throw new TypeError('fdb: an fdb nexthop takes no dev, blackhole or encap');
  if (input.group !== undefined) {
    if (!Array.isArray(input.group) || input.group.length === 0) throw new TypeError('group must be a non-empty array of { id, weight? }');
    for (const k of ['gateway', 'dev', 'encap', 'blackhole', 'onlink'] as const) {
      if (input[k] !== undefined) throw new TypeError(`${k}: a group takes no ${k} (its members have their own)`);
    }
    m.group = input.group.map((g, i) => {
      checkObject(g, `group[${i}]`);
      const w = g.weight === undefined ? 1 : checkInteger(g.weight, `group[${i}].weight`, 1, 65536);
      return { id: checkInteger(g.id, `group[${i}].id`, 1, 0xffffffff), weight: (w - 1) & 0xff, 'weight-high': (w - 1) >> 8 };
    });
    const groupType = input.groupType === undefined ? undefined : checkName(input.groupType, 'groupType', ['mpath', 'resilient'] as const) === 'resilient' ? 'res' : 'mpath';
    if (input.resilient !== undefined) {
      if (groupType !== 'res') throw new TypeError("resilient: only a group of groupType 'resilient' takes these settings");
      const r = checkObject(input.resilient, 'resilient');
      const res: Obj = {};
      if (r.buckets !== undefined) res.buckets = checkInteger(r.buckets, 'resilient.buckets', 1, 0xffff);
      for (const [k, key] of [
        ['idleTimer', 'idle-timer'],
        ['unbalancedTimer', 'unbalanced-timer'],
      ] as const) {
        const v = r[k];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || ticks(v) >= 0xffffffff)
          throw new RangeError(`resilient.${k}: ${String(v)} is out of range 0..${Math.floor(0xfffffffe / USER_HZ)} (seconds)`);
        res[key] = ticks(v);
      }
      m['res-group'] = res;
    }
    // After the resilient settings, where ip puts it.
    if (groupType !== undefined) m['group-type'] = groupType;
    if (input.hwStats !== undefined) m['hw-stats-enable'] = checkBool(input.hwStats, 'hwStats') ? 1 : 0;
  } else {
    for (const k of ['groupType', 'resilient', 'hwStats'] as const) if (input[k] !== undefined) throw new TypeError(`${k}: only a group takes ${k}`);
    if (input.blackhole !== undefined && checkBool(input.blackhole, 'blackhole')) {
      for (const k of ['gateway', 'dev', 'encap'] as const) if (input[k] !== undefined) throw new TypeError(`${k}: a blackhole nexthop takes no ${k}`);
      m.blackhole = true;
    }
    if (input.gateway !== undefined) {
      const gw = checkAddress(input.gateway, 'gateway', family);
      family ??= gw.family;
      m.gateway = gw.address;
    }
    if (input.dev !== undefined) m.oif = await resolve(input.dev, 'dev');
    if (input.gateway === undefined && input.dev === undefined && m.blackhole === undefined && !fdb) throw new TypeError('nexthop: give a gateway, a dev, blackhole, or a group');
    if (input.onlink !== undefined && checkBool(input.onlink, 'onlink')) m['nh-flags'] = ['onlink'];
    if (input.encap !== undefined) Object.assign(m, encodeEncap(input.encap, 'encap', family ?? 'inet'));
    // ip: a device or blackhole without a gateway is IPv4.
    if (family === undefined && (m.oif !== undefined || m.blackhole === true)) family = 'inet';
    m['nh-family'] = familyNumber(family);
  }
  // Last, where ip puts it.
  if (fdb) m.fdb = true;
  if (input.protocol !== undefined) m['nh-protocol'] = PROTOCOLS.value(input.protocol, 'protocol');
  return m;
}

/** Flags of a nexthop write, as ip sends them (add: create, fail if it exists; replace: create or replace). */
export const NEXTHOP_WRITE_FLAGS = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
} as const;

/** The identity of a nexthop in a watch view. */
export function nexthopKey(nh: NexthopObject): string {
  return String(nh.id);
}

/** Whether a nexthop passes a filter's client-side parts (protocol, family, and what the kernel filters too). */
export function nexthopMatches(nh: NexthopObject, f: NexthopFilter, oif: number | undefined): boolean {
  if (oif !== undefined && nh.oif !== oif) return false;
  if (f.groups === true && nh.group === undefined) return false;
  if (f.fdb === true && nh.fdb !== true) return false;
  if (f.family !== undefined && nh.family !== f.family) return false;
  if (f.protocol !== undefined && PROTOCOLS.value(nh.protocol, 'protocol') !== PROTOCOLS.value(f.protocol, 'filter.protocol')) return false;
  return true;
}

function opFlags(options: NexthopStatsOptions): string[] | undefined {
  const flags: string[] = [];
  if (options.stats !== undefined && checkBool(options.stats, 'stats')) flags.push('dump-stats');
  if (options.hwStats !== undefined && checkBool(options.hwStats, 'hwStats')) flags.push('dump-stats', 'dump-hw-stats');
  return flags.length ? [...new Set(flags)] : undefined;
}

function callOptions(o: NexthopStatsOptions): CallOptions {
  return { ...(o.signal !== undefined ? { signal: o.signal } : {}), ...(o.timeout !== undefined ? { timeout: o.timeout } : {}) };
}

/** @internal What the nexthop client needs of RouteClient. */
export interface NexthopContext {
  readonly nexthop: FamilyClient;
  resolveLink(x: unknown, field: string, options?: CallOptions): Promise<number>;
}

/**
 * Nexthop objects and groups (RTM_*NEXTHOP) and the buckets of resilient
 * groups: list, get, add, replace, delete, flush.
 */
export class NexthopClient {
  /** @internal */
  constructor(private readonly ctx: NexthopContext) {}

  /** Streams the nexthops (dev, master, groups and fdb are filtered by the kernel). */
  list(filter: NexthopFilter = {}, options: NexthopStatsOptions = {}): AsyncGenerator<NexthopObject> {
    return new FlatIterator(this.batches(filter, options));
  }

  /** The same listing as arrays of objects, one per received datagram. */
  async *batches(filter: NexthopFilter = {}, options: NexthopStatsOptions = {}): AsyncGenerator<NexthopObject[]> {
    checkObject(filter, 'filter');
    checkObject(options, 'options');
    const req = await this.dumpRequest(filter, options);
    const oif = req.oif as number | undefined;
    const flags = opFlags(options);
    if (flags) req['op-flags'] = flags;
    for await (const batch of this.ctx.nexthop.dump('getnexthop', req, callOptions(options)).batches()) {
      const out: NexthopObject[] = [];
      for (const o of batch) {
        const nh = decodeNexthop(o);
        if (nexthopMatches(nh, filter, oif)) out.push(nh);
      }
      if (out.length > 0) yield out;
    }
  }

  /** All nexthops, as an array. */
  async listAll(filter: NexthopFilter = {}, options: NexthopStatsOptions = {}): Promise<NexthopObject[]> {
    const out: NexthopObject[] = [];
    for await (const batch of this.batches(filter, options)) out.push(...batch);
    return out;
  }

  /** One nexthop by id; undefined when there is none. */
  async get(id: number, options: NexthopStatsOptions = {}): Promise<NexthopObject | undefined> {
    const req: Obj = { 'nh-family': AF_UNSPEC, id: checkInteger(id, 'id', 1, 0xffffffff) };
    const flags = opFlags(checkObject(options, 'options'));
    if (flags) req['op-flags'] = flags;
    try {
      const m = await this.ctx.nexthop.do('getnexthop', req, callOptions(options));
      return m ? decodeNexthop(m) : undefined;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Creates a nexthop or group; fails with EEXIST when the id is taken. */
  async add(input: NexthopObjectInput, options: CallOptions = {}): Promise<void> {
    await this.write('add', input, options);
  }

  /** Creates a nexthop or group, or replaces the one with that id (routes using it follow). */
  async replace(input: NexthopObjectInput, options: CallOptions = {}): Promise<void> {
    await this.write('replace', input, options);
  }

  /** Deletes a nexthop by id (routes using it go too; groups lose it as a member). */
  async delete(id: number, options: CallOptions = {}): Promise<void> {
    await this.ctx.nexthop.request('delnexthop', { 'nh-family': AF_UNSPEC, id: checkInteger(id, 'id', 1, 0xffffffff) }, options);
  }

  /**
   * Deletes the nexthops a filter selects and returns how many went. With no
   * filter, groups go first and then the rest, as `ip nexthop flush` does.
   */
  async flush(filter: NexthopFilter = {}, options: CallOptions = {}): Promise<number> {
    checkObject(filter, 'filter');
    const all = Object.values(filter).every((v) => v === undefined);
    let flushed = 0;
    const passes: NexthopFilter[] = all ? [{ groups: true }, {}] : [filter];
    for (const f of passes) {
      for (const nh of await this.listAll(f, options)) {
        try {
          await this.delete(nh.id, options);
          flushed++;
        } catch (err) {
          // Gone with a group or device meanwhile.
          if (!(err instanceof NetlinkError && err.code === 'ENOENT')) throw err;
        }
      }
    }
    return flushed;
  }

  /** Streams the buckets of resilient groups. */
  async *buckets(filter: NexthopBucketFilter = {}, options: CallOptions = {}): AsyncGenerator<NexthopBucket> {
    checkObject(filter, 'filter');
    const req: Obj = { 'nh-family': AF_UNSPEC };
    if (filter.dev !== undefined) req.oif = await this.ctx.resolveLink(filter.dev, 'dev', options);
    if (filter.master !== undefined) req.master = await this.ctx.resolveLink(filter.master, 'master', options);
    if (filter.id !== undefined) req.id = checkInteger(filter.id, 'id', 1, 0xffffffff);
    if (filter.nhId !== undefined) req['res-bucket'] = { 'nh-id': checkInteger(filter.nhId, 'nhId', 1, 0xffffffff) };
    for await (const o of this.ctx.nexthop.dump('getnexthopbucket', req, options)) yield decodeNexthopBucket(o);
  }

  /** All buckets, as an array. */
  async bucketsAll(filter: NexthopBucketFilter = {}, options: CallOptions = {}): Promise<NexthopBucket[]> {
    const out: NexthopBucket[] = [];
    for await (const b of this.buckets(filter, options)) out.push(b);
    return out;
  }

  /** One bucket of a resilient group; undefined when the group or bucket does not exist. */
  async bucket(id: number, index: number, options: CallOptions = {}): Promise<NexthopBucket | undefined> {
    const req: Obj = { 'nh-family': AF_UNSPEC, id: checkInteger(id, 'id', 1, 0xffffffff), 'res-bucket': { index: checkInteger(index, 'index', 0, 0xffff) } };
    try {
      const m = await this.ctx.nexthop.do('getnexthopbucket', req, options);
      return m ? decodeNexthopBucket(m) : undefined;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async dumpRequest(f: NexthopFilter, options: CallOptions): Promise<Obj> {
    const req: Obj = { 'nh-family': f.family !== undefined ? familyNumber(checkName(f.family, 'filter.family', ['inet', 'inet6'] as const)) : AF_UNSPEC };
    if (f.dev !== undefined) req.oif = await this.ctx.resolveLink(f.dev, 'dev', options);
    if (f.master !== undefined) req.master = await this.ctx.resolveLink(f.master, 'master', options);
    if (f.groups !== undefined && checkBool(f.groups, 'groups')) req.groups = true;
    if (f.fdb !== undefined && checkBool(f.fdb, 'fdb')) req.fdb = true;
    if (f.protocol !== undefined) PROTOCOLS.value(f.protocol, 'filter.protocol');
    return req;
  }

  private async write(mode: 'add' | 'replace', input: NexthopObjectInput, options: CallOptions): Promise<void> {
    const value = await encodeNexthop(input, (x, f) => this.ctx.resolveLink(x, f, options));
    await this.ctx.nexthop.request('newnexthop', value, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | NEXTHOP_WRITE_FLAGS[mode] });
  }
}
