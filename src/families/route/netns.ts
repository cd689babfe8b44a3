// Namespace ids (RTM_*NSID) and per-device IP configuration (RTM_*NETCONF),
// described by the project's overlay of rt-link (overlays/rt-link.yaml).
import { familyName, type Family, type Obj } from './convert.js';

/** NETNSA_NSID_NOT_ASSIGNED (include/uapi/linux/net_namespace.h). */
export const NSID_NOT_ASSIGNED = -1;

/** The id this namespace gives a peer namespace. */
export interface Nsid {
  /** The id; NSID_NOT_ASSIGNED (-1) when none is assigned. */
  nsid: number;
  /** With a target namespace: the id of this namespace there. */
  currentNsid?: number;
}

/** Per-device IP configuration (the sysctls of /proc/sys/net/ipv4|6/conf/DEV). */
export interface Netconf {
  /** 'inet' or 'inet6' (the AF_* number for others, e.g. MPLS). */
  family: Family | number;
  /** Index of the link, or 'all' / 'default' (NETCONFA_IFINDEX_ALL / _DEFAULT). */
  ifindex: number | 'all' | 'default';
  /** The forwarding sysctl: 1 when the device forwards packets. */
  forwarding?: number;
  /** The rp_filter sysctl: 0 off, 1 strict, 2 loose. */
  rpFilter?: number;
  /** The mc_forwarding sysctl: 1 when a multicast routing daemon is active. */
  mcForwarding?: number;
  /** The proxy_arp / proxy_ndp sysctl. */
  proxyNeigh?: number;
  /** The ignore_routes_with_linkdown sysctl. */
  ignoreRoutesWithLinkdown?: number;
  /** MPLS only: 1 when the device accepts MPLS packets. */
  input?: number;
  /** The bc_forwarding sysctl (IPv4 directed broadcast forwarding). */
  bcForwarding?: number;
}

/** An Nsid from a decoded message. */
export function decodeNsid(m: Obj): Nsid {
  const out: Nsid = { nsid: (m.nsid as number | undefined) ?? NSID_NOT_ASSIGNED };
  if (m['current-nsid'] !== undefined) out.currentNsid = m['current-nsid'] as number;
  return out;
}

/** A Netconf from a decoded message. */
export function decodeNetconf(m: Obj): Netconf {
  const i = m.ifindex as number | undefined;
  const out: Netconf = {
    family: familyName(m['ncm-family'] as number),
    ifindex: i === -1 ? 'all' : i === -2 ? 'default' : (i ?? 0),
  };
  const keys: Array<[string, keyof Netconf]> = [
    ['forwarding', 'forwarding'],
    ['rp-filter', 'rpFilter'],
    ['mc-forwarding', 'mcForwarding'],
    ['proxy-neigh', 'proxyNeigh'],
    ['ignore-routes-with-linkdown', 'ignoreRoutesWithLinkdown'],
    ['input', 'input'],
    ['bc-forwarding', 'bcForwarding'],
  ];
  for (const [k, n] of keys) if (m[k] !== undefined) (out as unknown as Obj)[n] = m[k];
  return out;
}

/** Identity of an nsid in a live view. */
export function nsidKey(n: Nsid): string {
  return String(n.nsid);
}

/** Identity of a netconf entry in a live view. */
export function netconfKey(n: Netconf): string {
  return `${String(n.family)}|${String(n.ifindex)}`;
}
