// Neighbours (RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH): ARP and NDP entries.
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../core/constants.js';
import { checkBool } from '../../core/check.js';
import { checkAddress, checkMac, checkName, checkObject, familyName, familyNumber, type Family, type Obj, keepUnknown } from './convert.js';
import type { UnknownAttribute } from '../../schema/runtime.js';
import type { ResolveLink } from './links.js';
import { NUD_STATE_NAMES } from './names.js';

/** Neighbour states a write may give (NUD_* in include/uapi/linux/neighbour.h); 'none' is NUD_NONE. */
export type NeighbourState = Lowercase<(typeof NUD_STATE_NAMES)[number][1]> | 'none';
const STATES = [...NUD_STATE_NAMES.map(([, name]) => name.toLowerCase() as NeighbourState), 'none' as const];

/** A neighbour entry. */
export interface Neighbour {
  /** 'inet' or 'inet6' (the AF_* number for other families, e.g. 7 for bridge FDB entries). */
  family: Family | number;
  /** Index of the link. */
  index: number;
  /** The neighbour's IP address. */
  destination?: string;
  /** Its link-layer address. */
  lladdr?: string;
  /** NUD states as ip prints them: 'REACHABLE', 'PERMANENT', 'STALE' ... */
  state: string[];
  /** NTF_* flags: 'router', 'proxy', 'self', 'master', 'ext-learned' ... */
  flags: string[];
  /** Number of probes sent (NDA_PROBES). */
  probes?: number;
  /** VLAN id of a bridge FDB entry (NDA_VLAN). */
  vlan?: number;
  /** Index of the master device, e.g. the bridge (NDA_MASTER). */
  master?: number;
  /** Who added the entry (NDA_PROTOCOL). */
  protocol?: number;
  /** Attributes the spec does not describe, kept as the kernel sent them (type and bytes). */
  unknown?: UnknownAttribute[];
}

/** A neighbour to add, replace, change or delete. */
export interface NeighbourInput {
  /** Link name or index. */
  dev: string | number;
  /** The neighbour's IP address. */
  destination: string;
  /** Its link-layer address, e.g. '02:00:00:00:00:01'. */
  lladdr?: string;
  /** Default 'permanent', as `ip neigh add`. */
  state?: NeighbourState;
  /** Mark the neighbour as a router (NTF_ROUTER, IPv6). */
  router?: boolean;
  /** A proxy entry (`ip neigh add proxy`): no lladdr. */
  proxy?: boolean;
  /** Who adds the entry (NDA_PROTOCOL). */
  protocol?: number;
}

/** Filters of a neighbour listing; dev and master are sent to the kernel. */
export interface NeighbourFilter {
  /** Only entries of this family. */
  family?: Family;
  /** Only entries of this link (name or index). */
  dev?: string | number;
  /** Only entries whose master is this device (name or index), e.g. a bridge. */
  master?: string | number;
  /** Include proxy entries only (they are listed apart in the kernel). */
  proxy?: boolean;
}

/** A Neighbour from a decoded rt-neigh message. */
export function decodeNeighbour(m: Obj): Neighbour {
  const n: Neighbour = {
    family: familyName(m['ndm-family'] as number),
    index: m['ndm-ifindex'] as number,
    state: ((m['ndm-state'] as Array<string | number>) ?? []).map((s) => String(s).toUpperCase()),
    flags: ((m['ndm-flags'] as Array<string | number>) ?? []).map(String),
  };
  if (typeof m.dst === 'string') n.destination = m.dst;
  if (typeof m.lladdr === 'string') n.lladdr = m.lladdr;
  if (m.probes !== undefined) n.probes = m.probes as number;
  if (m.vlan !== undefined) n.vlan = m.vlan as number;
  if (m.master !== undefined) n.master = m.master as number;
  if (m.protocol !== undefined) n.protocol = m.protocol as number;
  keepUnknown(n, m);
  return n;
}

/** The rt-neigh request fields of a neighbour write. */
export async function encodeNeighbour(input: NeighbourInput, resolve: ResolveLink, del = false): Promise<Obj> {
  checkObject(input, 'neighbour');
  const dst = checkAddress(input.destination, 'destination');
  const index = await resolve(input.dev, 'dev');
  const state = input.state === undefined ? (del ? 'none' : 'permanent') : checkName(input.state, 'state', STATES);
  const flags: string[] = [];
  if (input.router !== undefined && checkBool(input.router, 'router')) flags.push('router');
  if (input.proxy !== undefined && checkBool(input.proxy, 'proxy')) flags.push('proxy');
  const m: Obj = {
    'ndm-family': familyNumber(dst.family),
    'ndm-ifindex': index,
    'ndm-state': state === 'none' ? [] : [state],
    'ndm-flags': flags,
    'ndm-type': 0,
    dst: dst.address,
  };
  if (input.lladdr !== undefined && !del) m.lladdr = checkMac(input.lladdr, 'lladdr');
  if (input.protocol !== undefined && !del) m.protocol = input.protocol;
  return m;
}

/** nlmsg flags of each neighbour write. */
export const NEIGHBOUR_WRITE_FLAGS = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  change: NLM_F_REPLACE,
} as const;

/** Does a neighbour pass a filter (the part the kernel did not apply)? */
export function neighbourMatches(n: Neighbour, f: NeighbourFilter, index: number | undefined, master: number | undefined): boolean {
  if (f.family !== undefined && n.family !== f.family) return false;
  if (index !== undefined && n.index !== index) return false;
  if (master !== undefined && n.master !== master) return false;
  return true;
}

/** Identity of a neighbour in a live view. */
export function neighbourKey(n: Neighbour): string {
  return `${String(n.family)}|${n.index}|${n.destination ?? n.lladdr ?? ''}|${n.vlan ?? ''}|${n.flags.includes('proxy') ? 'p' : ''}`;
}
