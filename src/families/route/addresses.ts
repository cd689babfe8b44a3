// Addresses (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR).
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../core/constants.js';
import { INFINITY_LIFE_TIME } from './constants.js';
import { checkInteger, checkString, checkU32 } from '../../core/check.js';
import { SCOPES, checkAddress, checkName, checkObject, checkPrefix, familyName, familyNumber, type Family, type Obj, keepUnknown } from './convert.js';
import type { UnknownAttribute } from '../../schema/runtime.js';
import type { ResolveLink } from './links.js';

/** IFA_F_* flags (include/uapi/linux/if_addr.h) by the spec's names. */
const ADDRESS_FLAGS = [
  'secondary',
  'nodad',
  'optimistic',
  'dadfailed',
  'homeaddress',
  'deprecated',
  'tentative',
  'permanent',
  'managetempaddr',
  'noprefixroute',
  'mcautojoin',
  'stable-privacy',
] as const;
/** Flags a write may set. */
export type AddressFlag = (typeof ADDRESS_FLAGS)[number];

/** Lifetime value meaning forever (INFINITY_LIFE_TIME). */
export const FOREVER = INFINITY_LIFE_TIME;

/** An address of a link. */
export interface Address {
  /** 'inet' or 'inet6' (the AF_* number for other families). */
  family: Family | number;
  /** Index of the link. */
  index: number;
  /** The address the host has (IFA_LOCAL, else IFA_ADDRESS). */
  address: string;
  /** Prefix length in bits. */
  prefixLength: number;
  /** The other end of a point-to-point link (IFA_ADDRESS when it differs from IFA_LOCAL). */
  peer?: string;
  /** IPv4 broadcast address (IFA_BROADCAST). */
  broadcast?: string;
  /** IPv4 label, e.g. 'eth0:1' (IFA_LABEL). */
  label?: string;
  /** 'global', 'link', 'host' ... */
  scope: string | number;
  /** Address flags by name: 'permanent', 'secondary', 'tentative' ... (IFA_F_*). */
  flags: string[];
  /** Seconds; 4294967295 is forever. */
  validLifetime?: number;
  /** Seconds left before the address is deprecated; 4294967295 is forever. */
  preferredLifetime?: number;
  /** Who added the address (IFA_PROTO, IFAPROT_*). */
  protocol?: number;
  /** Metric of the prefix route the address added (IFA_RT_PRIORITY). */
  metric?: number;
  /** Attributes the spec does not describe, kept as the kernel sent them (type and bytes). */
  unknown?: UnknownAttribute[];
}

/** An address to add, replace, change or delete. */
export interface AddressInput {
  /** Link name or index. */
  dev: string | number;
  /** 'a.b.c.d/len' or 'x::y/len' (a plain address means the full length). */
  address: string;
  /** Address of the other end of a point-to-point link. */
  peer?: string;
  /** IPv4 broadcast address. */
  broadcast?: string;
  /** IPv4 label, at most 15 bytes, e.g. 'eth0:1'. */
  label?: string;
  /** Scope by name ('global', 'link', 'host' ...) or number; global when absent. */
  scope?: string | number;
  /** Flags to set, e.g. ['nodad', 'noprefixroute']. */
  flags?: readonly AddressFlag[];
  /** Seconds the address stays valid; forever when absent. */
  validLifetime?: number;
  /** Seconds the address stays preferred; defaults to the valid lifetime. */
  preferredLifetime?: number;
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  metric?: number;
  /** Who adds the address (IFA_PROTO, 0-255). */
  protocol?: number;
}

/** Filters of an address listing; the link is sent to the kernel. */
export interface AddressFilter {
  /** Only addresses of this family. */
  family?: Family;
  /** Only addresses of this link (name or index). */
  dev?: string | number;
  /** Only addresses of this scope (name or number). */
  scope?: string | number;
  /** Only addresses with this IPv4 label. */
  label?: string;
}

/** An Address from a decoded rt-addr message. */
export function decodeAddress(m: Obj): Address {
  const family = familyName(m['ifa-family'] as number);
  const local = m.local as string | undefined;
  const addr = m.address as string | undefined;
  const out: Address = {
    family,
    index: m['ifa-index'] as number,
    address: (local ?? addr) as string,
    prefixLength: m['ifa-prefixlen'] as number,
    scope: SCOPES.name(m['ifa-scope'] as number),
    // IFA_FLAGS holds all 32 bits; ifa_flags only the low 8.
    flags: ((m.flags ?? m['ifa-flags']) as string[] | undefined)?.map(String) ?? [],
  };
  if (local !== undefined && addr !== undefined && addr !== local) out.peer = addr;
  if (typeof m.broadcast === 'string') out.broadcast = m.broadcast;
  if (typeof m.label === 'string') out.label = m.label;
  const ci = m.cacheinfo as Obj | undefined;
  if (ci && typeof ci['ifa-valid'] === 'number') {
    out.validLifetime = ci['ifa-valid'];
    out.preferredLifetime = ci['ifa-prefered'] as number;
  }
  if (m.proto !== undefined) out.protocol = m.proto as number;
  if (m['rt-priority'] !== undefined) out.metric = m['rt-priority'] as number;
  keepUnknown(out, m);
  return out;
}

/** The rt-addr request fields of an address write. */
export async function encodeAddress(input: AddressInput, resolve: ResolveLink, forDelete = false): Promise<Obj> {
  checkObject(input, 'address');
  const prefix = checkPrefix(input.address, 'address');
  const index = await resolve(input.dev, 'dev');
  const m: Obj = {
    'ifa-family': familyNumber(prefix.family),
    'ifa-prefixlen': prefix.length,
    'ifa-index': index,
    'ifa-scope': input.scope === undefined ? 0 : SCOPES.value(input.scope, 'scope'),
    local: prefix.address,
    address: input.peer !== undefined ? checkAddress(input.peer, 'peer', prefix.family).address : prefix.address,
  };
  if (forDelete) return m;
  if (input.broadcast !== undefined) {
    if (prefix.family !== 'inet') throw new TypeError('broadcast: only IPv4 addresses have a broadcast address');
    m.broadcast = checkAddress(input.broadcast, 'broadcast', 'inet').address;
  }
  if (input.label !== undefined) {
    const label = checkString(input.label, 'label');
    if (Buffer.byteLength(label) > 15) throw new RangeError(`label: '${label}' is longer than 15 bytes`);
    m.label = label;
  }
  if (input.flags !== undefined) {
    if (!Array.isArray(input.flags)) throw new TypeError('flags must be an array of address flag names');
    m.flags = input.flags.map((f, i) => checkName(f, `flags[${i}]`, ADDRESS_FLAGS));
  }
  if (input.validLifetime !== undefined || input.preferredLifetime !== undefined) {
    const valid = checkU32(input.validLifetime ?? FOREVER, 'validLifetime');
    const preferred = checkU32(input.preferredLifetime ?? valid, 'preferredLifetime');
    if (preferred > valid) throw new RangeError(`preferredLifetime ${preferred} is longer than validLifetime ${valid}`);
    m.cacheinfo = { 'ifa-prefered': preferred, 'ifa-valid': valid };
  }
  if (input.metric !== undefined) m['rt-priority'] = checkU32(input.metric, 'metric');
  if (input.protocol !== undefined) m.proto = checkInteger(input.protocol, 'protocol', 0, 255);
  return m;
}

/** nlmsg flags of each address write. */
export const ADDRESS_WRITE_FLAGS = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  change: NLM_F_REPLACE,
} as const;

/** Does an address pass a filter (the part the kernel did not apply)? */
export function addressMatches(a: Address, f: AddressFilter, index: number | undefined): boolean {
  if (f.family !== undefined && a.family !== f.family) return false;
  if (index !== undefined && a.index !== index) return false;
  if (f.scope !== undefined && a.scope !== f.scope && a.scope !== SCOPES.name(SCOPES.value(f.scope, 'scope'))) return false;
  if (f.label !== undefined && a.label !== f.label) return false;
  return true;
}

/** Identity of an address in a live view. */
export function addressKey(a: Address): string {
  return `${String(a.family)}|${a.index}|${a.address}/${a.prefixLength}|${a.peer ?? ''}`;
}
