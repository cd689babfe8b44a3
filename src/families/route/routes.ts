// Routes (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE), with multipath next
// hops, metrics and lightweight-tunnel encapsulation (see overlays/rt-route.yaml).
import { AF_INET6 } from '../../core/constants.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../core/constants.js';
import { formatIPv6, parseIPv6 } from '../../core/address.js';
import { checkBool, checkInteger, checkString, checkU32 } from '../../core/check.js';
import {
  PROTOCOLS,
  SCOPES,
  camelize,
  checkAddress,
  checkName,
  checkObject,
  checkPrefix,
  checkTable,
  familyName,
  familyNumber,
  formatPrefix,
  kebab,
  type Family,
  type Obj,
  type Prefix,
  keepUnknown,
} from './convert.js';
import type { UnknownAttribute } from '../../schema/runtime.js';
import type { ResolveLink } from './links.js';
import { RTPROT_BOOT, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN } from './constants.js';
import { ROUTE_TYPE_NAMES } from './names.js';
import { RTM_FLAGS_NAMES, RTNH_FLAGS_NAMES } from '../generated/rt-route.constants.js';

/** rtm_flags (RTM_F_* in include/uapi/linux/rtnetlink.h) and, for one next hop, RTNH_F_* in the low byte: the spec's names. */
const ROUTE_FLAGS: ReadonlyArray<readonly [number, string]> = [...Object.entries(RTNH_FLAGS_NAMES), ...Object.entries(RTM_FLAGS_NAMES)].map(
  ([bit, name]) => [Number(bit), name!] as const,
);

/** Route types a write may give (every RTN_* but RTN_UNSPEC and RTN_XRESOLVE). */
export type RouteType = Exclude<(typeof ROUTE_TYPE_NAMES)[number], 'none' | 'xresolve'>;
const ROUTE_TYPES = ROUTE_TYPE_NAMES.filter((n): n is RouteType => n !== 'none' && n !== 'xresolve');

/** Lightweight-tunnel encapsulation of a route or next hop. */
export type Encap =
  | {
      /** MPLS label push. */
      type: 'mpls';
      /** The labels pushed, outermost first (20-bit values). */
      labels: number[];
      /** TTL of the pushed labels, when set on the route. */
      ttl?: number;
    }
  | {
      /** IPv4 or IPv6 tunnel metadata, for a collect_md tunnel device. */
      type: 'ip' | 'ip6';
      /** Tunnel key (VNI, GRE key …). */
      id?: bigint;
      /** Remote tunnel endpoint. */
      dst?: string;
      /** Local tunnel endpoint. */
      src?: string;
      /** TTL (IPv4) or hop limit (IPv6) of the outer header. */
      ttl?: number;
      /** TOS (IPv4) or traffic class (IPv6) of the outer header. */
      tos?: number;
      /** Tunnel flags (TUNNEL_* bits). */
      flags?: number;
    }
  | {
      /** IPv6 segment routing. */
      type: 'seg6';
      /** The mode's name ('inline', 'encap' …) or, for one the spec does not name, its number. */
      mode: string | number;
      /** The segment list, in the order packets visit it. */
      segments: string[];
    }
  | {
      /** Any other encapsulation type, by its LWTUNNEL_ENCAP_* name or number. */
      type: string;
      /** Its attributes as decoded, or their bytes when the family spec does not describe them. */
      data?: Uint8Array | Obj;
    };

/** One next hop of a multipath route. */
export interface Nexthop {
  /** Gateway address of this hop. */
  gateway?: string;
  /** Index of the output link. */
  oif: number;
  /** 1..256 (rtnh_hops + 1). */
  weight: number;
  /** RTNH_F_* flags by name: 'onlink', 'dead', 'linkdown' ... */
  flags: string[];
  /** Encapsulation of this hop. */
  encap?: Encap;
}

/** A route. */
export interface Route {
  /** 'inet' or 'inet6' (the AF_* number for others, e.g. MPLS). */
  family: Family | number;
  /** Destination: 'default', an address (full-length prefix) or 'a.b.c.d/len', as ip prints it. */
  dst: string;
  /** Source prefix (IPv6 source routing). */
  src?: string;
  /** TOS the route matches (rtm_tos); 0 for most routes. */
  tos: number;
  /** Table id, e.g. 254 for main (RTA_TABLE when present, else rtm_table). */
  table: number;
  /** 'kernel', 'boot', 'static' ... or the number. */
  protocol: string | number;
  /** 'global', 'link', 'host' ... */
  scope: string | number;
  /** 'unicast', 'local', 'broadcast', 'blackhole' ... */
  type: string | number;
  /** Route and next-hop flags by name: 'onlink', 'linkdown', 'offload', 'cloned' ... */
  flags: string[];
  /** Metric (RTA_PRIORITY). */
  priority?: number;
  /** Gateway address (RTA_GATEWAY). */
  gateway?: string;
  /** Index of the output link. */
  oif?: number;
  /** Index of the input link (RTA_IIF). */
  iif?: number;
  /** Preferred source address (RTA_PREFSRC). */
  prefsrc?: string;
  /** RTAX_* values by camelCase name: mtu, advmss, hoplimit, lock ... */
  metrics?: Obj;
  /** Next hops of a multipath route (RTA_MULTIPATH). */
  nexthops?: Nexthop[];
  /** Lightweight tunnel encapsulation (RTA_ENCAP). */
  encap?: Encap;
  /** IPv6 router preference (RTA_PREF). */
  pref?: number;
  /** Lifetime in seconds (RTA_EXPIRES), when the kernel reports it. */
  expires?: number;
  /** Firewall mark (RTA_MARK), e.g. the one a routes.get lookup used. */
  mark?: number;
  /** Id of the nexthop object the route uses (RTA_NH_ID). */
  nhId?: number;
  /** Attributes the spec does not describe, kept as the kernel sent them (type and bytes). */
  unknown?: UnknownAttribute[];
}

/** A next hop to write. */
export interface NexthopInput {
  /** Gateway address. */
  gateway?: string;
  /** Output link (name or index). */
  dev?: string | number;
  /** Weight, 1-256; 1 when absent. */
  weight?: number;
  /** Use the gateway as directly reachable even with no route to it (RTNH_F_ONLINK). */
  onlink?: boolean;
  /** Encapsulation of this hop. */
  encap?: EncapInput;
}

/** Encapsulation to write. */
export type EncapInput =
  | {
      /** Push MPLS labels. */
      type: 'mpls';
      /** The labels to push, outermost first (20-bit values). */
      labels: readonly number[];
      /** TTL for the pushed labels. */
      ttl?: number;
    }
  | {
      /** Attach IPv4 or IPv6 tunnel metadata (for a collect_md tunnel device). */
      type: 'ip' | 'ip6';
      /** Tunnel key (VNI, GRE key …). */
      id?: bigint | number;
      /** Remote tunnel endpoint. */
      dst?: string;
      /** Local tunnel endpoint. */
      src?: string;
      /** TTL (IPv4) or hop limit (IPv6) of the outer header. */
      ttl?: number;
      /** TOS (IPv4) or traffic class (IPv6) of the outer header. */
      tos?: number;
    }
  | {
      /** IPv6 segment routing. */
      type: 'seg6';
      /** How the segment routing header is added. Default 'encap'. */
      mode?: 'inline' | 'encap' | 'l2encap';
      /** The segment list, in the order packets visit it. */
      segments: readonly string[];
    };

/** A route to add, replace, change, append or delete. */
export interface RouteInput {
  /** 'default', 'a.b.c.d/len', 'x::/len' or an address. */
  dst: string;
  /** 'inet' or 'inet6'; needed only when dst is 'default' and no other address tells. */
  family?: Family;
  /** Source prefix to match (IPv6 source routing). */
  src?: string;
  /** TOS to match (0-255). */
  tos?: number;
  /** Table by name ('main', 'local' ...) or number; main when absent. */
  table?: string | number;
  /** Who adds the route: a name ('boot', 'static' ...) or number; 'boot' when absent, as ip. */
  protocol?: string | number;
  /** Scope by name or number; when absent, chosen from the type and gateway as ip does. */
  scope?: string | number;
  /** Route type; 'unicast' when absent. */
  type?: RouteType;
  /** Metric (RTA_PRIORITY). */
  priority?: number;
  /** Gateway address. */
  gateway?: string;
  /** Output link (name or index). */
  dev?: string | number;
  /** Preferred source address. */
  prefsrc?: string;
  /** Use the gateway as directly reachable even with no route to it (RTNH_F_ONLINK). */
  onlink?: boolean;
  /** RTAX_* values by camelCase name: mtu, advmss, hoplimit, ccAlgo ... */
  metrics?: Obj;
  /** Next hops of a multipath route. */
  nexthops?: readonly NexthopInput[];
  /** Lightweight tunnel encapsulation. */
  encap?: EncapInput;
  /** IPv6 router preference (RTA_PREF). */
  pref?: number;
  /** Lifetime in seconds (RTA_EXPIRES). */
  expires?: number;
  /** Id of a nexthop object (or group) to route through (RTA_NH_ID), instead of gateway, dev or nexthops. */
  nhId?: number;
}

/** Filters of a route listing; table, protocol, type and oif go to the kernel. */
export interface RouteFilter {
  /** Only routes of this family. */
  family?: Family;
  /** Default: all tables. */
  table?: string | number;
  /** Only routes of this protocol (name or number). */
  protocol?: string | number;
  /** Only routes of this type. */
  type?: RouteType;
  /** Output link (name or index). */
  dev?: string | number;
  /** Only routes of this scope (name or number). */
  scope?: string | number;
}

/** Options of routes.get (`ip route get`). */
export interface RouteGetOptions {
  /** Source address to look up with (`ip route get ... from`). */
  from?: string;
  /** Input link (name or index): resolve as if received there. */
  iif?: string | number;
  /** Output link (name or index). */
  oif?: string | number;
  /** Firewall mark to look up with. */
  mark?: number;
  /** Return the FIB entry that matched rather than the resolved route (`ip route get fibmatch`). */
  fibmatch?: boolean;
}

const ROUTE_FLAG_BITS = ROUTE_FLAGS.reduce((all, [bit]) => all | bit, 0);

function flagNames(n: number): string[] {
  const out: string[] = [];
  // Most routes carry no flag: skip the table for them.
  if ((n & ROUTE_FLAG_BITS) === 0) return out;
  for (let i = 0; i < ROUTE_FLAGS.length; i++) {
    const [bit, name] = ROUTE_FLAGS[i]!;
    if (n & bit && !out.includes(name)) out.push(name);
  }
  return out;
}

/** An Encap from the decoded encap-type and encap attributes (routes and nexthop objects share them). */
export function decodeEncap(type: unknown, data: unknown): Encap | undefined {
  if (type === undefined) return undefined;
  const t = String(type);
  if (data instanceof Uint8Array || data === undefined) return { type: t, ...(data !== undefined ? { data } : {}) };
  const d = data as Obj;
  switch (t) {
    case 'mpls': {
      const labels = ((d.dst as number[] | undefined) ?? []).map((x) => x >>> 12);
      return { type: 'mpls', labels, ...(typeof d.ttl === 'number' ? { ttl: d.ttl } : {}) };
    }
    case 'seg6': {
      const srh = d.srh as Obj | undefined;
      const rest = srh?.__rest as Uint8Array | undefined;
      const n = srh ? (srh['first-segment'] as number) + 1 : 0;
      // The routing header lists segments last first.
      const segments: string[] = [];
      for (let i = n - 1; rest && i >= 0; i--) if (rest.length >= (i + 1) * 16) segments.push(formatIPv6(rest, i * 16));
      return { type: 'seg6', mode: (srh?.mode as string | number | undefined) ?? 0, segments };
    }
    case 'ip':
    case 'ip6':
      return { type: t, ...(camelize(d) as Obj) } as Encap;
    default:
      return { type: t, data: d };
  }
}

function decodeNexthops(list: unknown): Nexthop[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((r: Obj) => {
    const nh: Nexthop = {
      oif: r['rtnh-ifindex'] as number,
      weight: (r['rtnh-hops'] as number) + 1,
      flags: (r['rtnh-flags'] as Array<string | number>).map(String),
    };
    if (typeof r.gateway === 'string') nh.gateway = r.gateway;
    const encap = decodeEncap(r['encap-type'], r.encap);
    if (encap) nh.encap = encap;
    return nh;
  });
}

/** A Route from a decoded rt-route message. */
export function decodeRoute(m: Obj): Route {
  const fam = m['rtm-family'] as number;
  const table = (m.table as number | undefined) ?? (m['rtm-table'] as number);
  const r: Route = {
    family: familyName(fam),
    dst: formatPrefix(m.dst as string | undefined, m['rtm-dst-len'] as number, fam),
    tos: m['rtm-tos'] as number,
    table,
    protocol: PROTOCOLS.name(m['rtm-protocol'] as number),
    scope: SCOPES.name(m['rtm-scope'] as number),
    type: m['rtm-type'] as string | number,
    flags: flagNames(m['rtm-flags'] as number),
  };
  if (m.src !== undefined || (m['rtm-src-len'] as number) > 0) r.src = formatPrefix(m.src as string | undefined, m['rtm-src-len'] as number, fam);
  if (m.priority !== undefined) r.priority = m.priority as number;
  if (typeof m.gateway === 'string') r.gateway = m.gateway;
  if (m.oif !== undefined) r.oif = m.oif as number;
  if (m.iif !== undefined) r.iif = m.iif as number;
  if (typeof m.prefsrc === 'string') r.prefsrc = m.prefsrc;
  if (m.metrics !== undefined) r.metrics = camelize(m.metrics) as Obj;
  const nexthops = decodeNexthops(m.multipath);
  if (nexthops) r.nexthops = nexthops;
  const encap = decodeEncap(m['encap-type'], m.encap);
  if (encap) r.encap = encap;
  if (m.pref !== undefined) r.pref = m.pref as number;
  if (m.expires !== undefined) r.expires = m.expires as number;
  if (m.mark !== undefined) r.mark = m.mark as number;
  if (m['nh-id'] !== undefined) r.nhId = m['nh-id'] as number;
  keepUnknown(r, m);
  return r;
}

/** The encap-type and encap attributes of an encapsulation (routes and nexthop objects share them). */
export function encodeEncap(e: EncapInput, field: string, family: Family): { 'encap-type': string; encap: Obj } {
  checkObject(e, field);
  switch (e.type) {
    case 'mpls': {
      if (!Array.isArray(e.labels) || e.labels.length === 0) throw new TypeError(`${field}.labels must be a non-empty array of MPLS labels`);
      const n = e.labels.length;
      // Each entry: label << 12 | bottom-of-stack << 8 (include/uapi/linux/mpls.h).
      const dst = e.labels.map((l, i) => checkInteger(l, `${field}.labels[${i}]`, 0, 0xfffff) * 4096 + (i === n - 1 ? 0x100 : 0));
      return { 'encap-type': 'mpls', encap: { dst, ...(e.ttl !== undefined ? { ttl: checkInteger(e.ttl, `${field}.ttl`, 0, 255) } : {}) } };
    }
    case 'ip':
    case 'ip6': {
      const fam: Family = e.type === 'ip' ? 'inet' : 'inet6';
      const o: Obj = {};
      if (e.id !== undefined) o.id = typeof e.id === 'bigint' ? e.id : BigInt(checkInteger(e.id, `${field}.id`, 0, Number.MAX_SAFE_INTEGER));
      if (e.dst !== undefined) o.dst = checkAddress(e.dst, `${field}.dst`, fam).address;
      if (e.src !== undefined) o.src = checkAddress(e.src, `${field}.src`, fam).address;
      if (e.ttl !== undefined) o[e.type === 'ip' ? 'ttl' : 'hoplimit'] = checkInteger(e.ttl, `${field}.ttl`, 0, 255);
      if (e.tos !== undefined) o[e.type === 'ip' ? 'tos' : 'tc'] = checkInteger(e.tos, `${field}.tos`, 0, 255);
      return { 'encap-type': e.type, encap: o };
    }
    case 'seg6': {
      if (!Array.isArray(e.segments) || e.segments.length === 0) throw new TypeError(`${field}.segments must be a non-empty array of IPv6 addresses`);
      const mode = checkName(e.mode ?? 'encap', `${field}.mode`, ['inline', 'encap', 'l2encap'] as const);
      // Inline mode keeps one more slot, segment 0, for the packet's original
      // destination (the kernel fills it; iproute2's parse_encap_seg6 adds it too).
      const n = e.segments.length + (mode === 'inline' ? 1 : 0);
      const rest = new Uint8Array(16 * n);
      e.segments.forEach((s, i) => {
        checkAddress(s, `${field}.segments[${i}]`, 'inet6');
        rest.set(parseIPv6(s), (n - 1 - i) * 16);
      });
      // struct ipv6_sr_hdr: next header 0, length in 8-byte units past the first 8, type 4 (SRH).
      const srh = { mode, nexthdr: 0, hdrlen: 2 * n, type: 4, 'segments-left': n - 1, 'first-segment': n - 1, flags: 0, tag: 0, __rest: rest };
      void family;
      return { 'encap-type': 'seg6', encap: { srh } };
    }
    default:
      throw new RangeError(`${field}.type must be one of mpls, ip, ip6, seg6, got '${String((e as { type?: unknown }).type)}'`);
  }
}

/** Checks a route's destination and family; returns the parsed prefix. */
function routeDst(input: RouteInput): Prefix {
  const fam = input.family !== undefined ? checkName(input.family, 'family', ['inet', 'inet6'] as const) : undefined;
  let guess: Family | undefined = fam;
  if (guess === undefined) {
    const hint = [input.gateway, input.prefsrc, input.src].find((x) => typeof x === 'string');
    if (typeof hint === 'string') guess = hint.includes(':') ? 'inet6' : 'inet';
  }
  return checkPrefix(input.dst, 'dst', input.dst === 'default' ? guess : fam);
}

/** The rt-route request fields of a route write (`del` keeps only what identifies the route, as ip does). */
export async function encodeRoute(input: RouteInput, resolve: ResolveLink, del = false): Promise<Obj> {
  checkObject(input, 'route');
  const dst = routeDst(input);
  const fam = dst.family;
  const table = input.table === undefined ? RT_TABLE_MAIN : checkTable(input.table);
  const type = input.type === undefined ? (del ? undefined : 'unicast') : checkName(input.type, 'type', ROUTE_TYPES);
  let scope: number;
  if (input.scope !== undefined) scope = SCOPES.value(input.scope, 'scope');
  else if (del) scope = RT_SCOPE_NOWHERE;
  else if (type === 'local' || type === 'nat') scope = RT_SCOPE_HOST;
  else if (
    (type === 'unicast' || type === 'broadcast' || type === 'multicast' || type === 'anycast') &&
    input.gateway === undefined &&
    input.nexthops === undefined &&
    input.nhId === undefined &&
    fam === 'inet'
  )
    scope = RT_SCOPE_LINK;
  else scope = RT_SCOPE_UNIVERSE;
  const m: Obj = {
    'rtm-family': familyNumber(fam),
    'rtm-dst-len': dst.length,
    'rtm-src-len': 0,
    'rtm-tos': input.tos === undefined ? 0 : checkInteger(input.tos, 'tos', 0, 255),
    'rtm-table': table < 256 ? table : 0,
    'rtm-protocol': input.protocol === undefined ? (del ? 0 : RTPROT_BOOT) : PROTOCOLS.value(input.protocol, 'protocol'),
    'rtm-scope': scope,
    'rtm-type': type ?? 0,
    'rtm-flags': input.onlink !== undefined && checkBool(input.onlink, 'onlink') ? 4 : 0,
  };
  if (dst.length > 0) m.dst = dst.address;
  if (table >= 256) m.table = table;
  if (input.src !== undefined) {
    const src = checkPrefix(input.src, 'src', fam);
    m['rtm-src-len'] = src.length;
    m.src = src.address;
  }
  if (input.priority !== undefined) m.priority = checkU32(input.priority, 'priority');
  if (input.gateway !== undefined) m.gateway = checkAddress(input.gateway, 'gateway', fam).address;
  if (input.dev !== undefined) m.oif = await resolve(input.dev, 'dev');
  if (input.prefsrc !== undefined) m.prefsrc = checkAddress(input.prefsrc, 'prefsrc', fam).address;
  if (input.metrics !== undefined) {
    const metrics: Obj = {};
    const given = checkObject(input.metrics, 'metrics');
    for (const k in given) {
      if (given[k] === undefined) continue;
      if (!METRICS.has(k)) throw new TypeError(`metrics.${k}: not a route metric (${[...METRICS].join(', ')})`);
      metrics[kebab(k)] = k === 'ccAlgo' ? checkString(given[k], `metrics.${k}`) : checkU32(given[k], `metrics.${k}`);
    }
    m.metrics = metrics;
  }
  if (input.nexthops !== undefined) {
    if (!Array.isArray(input.nexthops) || input.nexthops.length === 0) throw new TypeError('nexthops must be a non-empty array');
    const records: Obj[] = [];
    for (let i = 0; i < input.nexthops.length; i++) {
      const nh = checkObject(input.nexthops[i], `nexthops[${i}]`) as NexthopInput;
      const rec: Obj = {
        'rtnh-flags': nh.onlink !== undefined && checkBool(nh.onlink, `nexthops[${i}].onlink`) ? ['onlink'] : [],
        'rtnh-hops': nh.weight === undefined ? 0 : checkInteger(nh.weight, `nexthops[${i}].weight`, 1, 256) - 1,
        'rtnh-ifindex': nh.dev === undefined ? 0 : await resolve(nh.dev, `nexthops[${i}].dev`),
      };
      if (nh.gateway !== undefined) rec.gateway = checkAddress(nh.gateway, `nexthops[${i}].gateway`, fam).address;
      if (nh.encap !== undefined) Object.assign(rec, encodeEncap(nh.encap, `nexthops[${i}].encap`, fam));
      records.push(rec);
    }
    m.multipath = records;
  }
  if (input.encap !== undefined) Object.assign(m, encodeEncap(input.encap, 'encap', fam));
  if (input.pref !== undefined) m.pref = checkInteger(input.pref, 'pref', 0, 255);
  if (input.expires !== undefined) m.expires = checkU32(input.expires, 'expires');
  if (input.nhId !== undefined) m['nh-id'] = checkInteger(input.nhId, 'nhId', 1, 0xffffffff);
  return m;
}

const METRICS = new Set([
  'lock',
  'mtu',
  'window',
  'rtt',
  'rttvar',
  'ssthresh',
  'cwnd',
  'advmss',
  'reordering',
  'hoplimit',
  'initcwnd',
  'features',
  'rtoMin',
  'initrwnd',
  'quickack',
  'ccAlgo',
  'fastopenNoCookie',
]);

/** The fields of a Route (from a listing) that identify it for delete. */
export function routeIdentity(r: Route): RouteInput {
  const out: RouteInput = {
    dst: r.dst,
    table: r.table,
    tos: r.tos,
    ...(typeof r.family === 'string' ? { family: r.family } : {}),
    ...(r.priority !== undefined ? { priority: r.priority } : {}),
    ...(typeof r.type === 'string' && (ROUTE_TYPES as readonly string[]).includes(r.type) ? { type: r.type as RouteType } : {}),
  };
  if (r.src !== undefined) out.src = r.src;
  return out;
}

/** The rt-route request of `ip route get`. */
export async function encodeRouteGet(destination: string, options: RouteGetOptions, resolve: ResolveLink): Promise<Obj> {
  const dst = checkPrefix(destination, 'destination');
  const full = dst.family === 'inet' ? 32 : 128;
  const m: Obj = {
    'rtm-family': familyNumber(dst.family),
    'rtm-dst-len': full,
    'rtm-src-len': 0,
    'rtm-tos': 0,
    'rtm-table': 0,
    'rtm-protocol': 0,
    'rtm-scope': 0,
    'rtm-type': 0,
    'rtm-flags': options.fibmatch ? 0x2000 : 0,
    dst: dst.address,
  };
  if (options.from !== undefined) {
    m.src = checkAddress(options.from, 'from', dst.family).address;
    m['rtm-src-len'] = full;
  }
  if (options.iif !== undefined) m.iif = await resolve(options.iif, 'iif');
  if (options.oif !== undefined) m.oif = await resolve(options.oif, 'oif');
  if (options.mark !== undefined) m.mark = checkU32(options.mark, 'mark');
  return m;
}

/** nlmsg flags of each route write. */
export const ROUTE_WRITE_FLAGS = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  change: NLM_F_REPLACE,
  append: NLM_F_CREATE | NLM_F_APPEND,
} as const;

/** The kernel-side filter of a route dump (strict checking applies rtm_table / RTA_TABLE, rtm_protocol, rtm_type, RTA_OIF). */
export function routeDumpRequest(f: RouteFilter, oif: number | undefined): Obj {
  const table = f.table === undefined ? 0 : checkTable(f.table);
  const m: Obj = {
    'rtm-family': familyNumber(f.family),
    'rtm-dst-len': 0,
    'rtm-src-len': 0,
    'rtm-tos': 0,
    'rtm-table': table < 256 ? table : 0,
    'rtm-protocol': f.protocol === undefined ? 0 : PROTOCOLS.value(f.protocol, 'protocol'),
    'rtm-scope': 0,
    'rtm-type': f.type === undefined ? 0 : checkName(f.type, 'type', ROUTE_TYPES),
    'rtm-flags': 0,
  };
  if (table !== 0) m.table = table;
  if (oif !== undefined) m.oif = oif;
  return m;
}

/**
 * A predicate: does a route pass a filter (the part the kernel did not apply)?
 * `oif` is the resolved dev; the filter's names are resolved once, not per route.
 */
export function routeMatcher(f: RouteFilter, oif: number | undefined): (r: Route) => boolean {
  const family = f.family;
  const table = f.table !== undefined ? checkTable(f.table) : undefined;
  const protocol = f.protocol !== undefined ? PROTOCOLS.name(PROTOCOLS.value(f.protocol, 'protocol')) : undefined;
  const type = f.type;
  const scope = f.scope !== undefined ? SCOPES.name(SCOPES.value(f.scope, 'scope')) : undefined;
  return (r) => {
    if (family !== undefined && r.family !== family) return false;
    if (table !== undefined && r.table !== table) return false;
    if (protocol !== undefined && r.protocol !== protocol) return false;
    if (type !== undefined && r.type !== type) return false;
    if (scope !== undefined && r.scope !== scope) return false;
    if (oif !== undefined && r.oif !== oif && !(r.nexthops ?? []).some((n) => n.oif === oif)) return false;
    return true;
  };
}

/** Identity of a route in a live view (what the kernel tells routes apart by). */
export function routeKey(r: Route): string {
  return `${String(r.family)}|${r.table}|${r.dst}|${r.src ?? ''}|${r.tos}|${r.priority ?? ''}|${r.family === 'inet6' || r.family === AF_INET6 ? '' : String(r.type)}`;
}
