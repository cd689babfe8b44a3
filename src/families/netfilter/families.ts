// The generated netfilter families the clients stand on (conntrack, ipset,
// nftables, nflog, nfqueue), each imported on first use (a client's open(),
// or one of the load functions below) rather than when 'nlkit' is imported:
// they are large. One LazyFamily per family, shared by the modules of this
// folder, so that loading it anywhere serves all of them.
import type { family as conntrackFamilyValue } from '../generated/conntrack.js';
import type { family as ipsetFamilyValue } from '../generated/ipset.js';
import type { family as nflogFamilyValue } from '../generated/nflog.js';
import type { family as nfqueueFamilyValue } from '../generated/nfqueue.js';
import type { family as nftablesFamilyValue } from '../generated/nftables.js';
import { LazyFamily } from '../lazy.js';

/** The generated conntrack family. */
export type ConntrackFamilyModule = typeof conntrackFamilyValue;
/** The generated ipset family. */
export type IpsetFamilyModule = typeof ipsetFamilyValue;
/** The generated nflog family. */
export type NflogFamilyModule = typeof nflogFamilyValue;
/** The generated nfqueue family. */
export type NfqueueFamilyModule = typeof nfqueueFamilyValue;
/** The generated nftables family. */
export type NftablesFamilyModule = typeof nftablesFamilyValue;

/** @internal conntrack (ConntrackClient.open, NflogSocket.open and NfqueueSocket.open load it: packets carry conntrack entries). */
export const conntrackFamily = new LazyFamily<ConntrackFamilyModule>(
  'conntrack',
  () => import('../generated/conntrack.js'),
  'open a ConntrackClient, NflogSocket or NfqueueSocket first, or await netfilter.loadConntrackFamily()',
);

/** @internal ipset (IpsetClient.open loads it). */
export const ipsetFamily = new LazyFamily<IpsetFamilyModule>('ipset', () => import('../generated/ipset.js'), 'open an IpsetClient first, or await netfilter.loadIpsetFamily()');

/** @internal nflog (NflogSocket.open loads it). */
export const nflogFamily = new LazyFamily<NflogFamilyModule>('nflog', () => import('../generated/nflog.js'), 'open an NflogSocket first, or await netfilter.loadNflogFamily()');

/** @internal nfqueue (NfqueueSocket.open loads it). */
export const nfqueueFamily = new LazyFamily<NfqueueFamilyModule>(
  'nfqueue',
  () => import('../generated/nfqueue.js'),
  'open an NfqueueSocket first, or await netfilter.loadNfqueueFamily()',
);

/** @internal nftables (NftablesClient.open loads it). */
export const nftablesFamily = new LazyFamily<NftablesFamilyModule>(
  'nftables',
  () => import('../generated/nftables.js'),
  'open an NftablesClient first, or await netfilter.loadNftablesFamily()',
);

/** Loads the generated conntrack family (ConntrackClient.open does); toConntrackEntry and the CLI's formatters work without it. */
export function loadConntrackFamily(): Promise<ConntrackFamilyModule> {
  return conntrackFamily.load();
}

/** Loads the generated ipset family, which encodeIpsetRequest and markNetByteOrder need (IpsetClient.open loads it). */
export function loadIpsetFamily(): Promise<IpsetFamilyModule> {
  return ipsetFamily.load();
}

/** Loads the generated nflog family and the conntrack family its packets carry, which decodeNflogPacket and toNflogPacket need (NflogSocket.open loads both). */
export async function loadNflogFamily(): Promise<NflogFamilyModule> {
  const [nflog] = await Promise.all([nflogFamily.load(), conntrackFamily.load()]);
  return nflog;
}

/** Loads the generated nfqueue family and the conntrack family its packets carry, which decodeNfqueuePacket and toNfqueueFields need (NfqueueSocket.open loads both). */
export async function loadNfqueueFamily(): Promise<NfqueueFamilyModule> {
  const [nfqueue] = await Promise.all([nfqueueFamily.load(), conntrackFamily.load()]);
  return nfqueue;
}

/** Loads the generated nftables family (NftablesClient.open does). */
export function loadNftablesFamily(): Promise<NftablesFamilyModule> {
  return nftablesFamily.load();
}
